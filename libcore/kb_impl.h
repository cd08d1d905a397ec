/* kb_impl.h - what the knowledge base's files share (kb_files.c writes
 * articles as Markdown, kb_html.c as a help centre).  Internal to libcore. */
#ifndef CRM_KB_IMPL_H
#define CRM_KB_IMPL_H

#include <stddef.h>

#include "crm/buf.h"

/* Writes the len bytes of data to path, making its folders; a symbolic
 * link at path is not followed.  CRM_EIO naming path on failure. */
int crm_kb_write_file(const char *path, const char *data, size_t len);

/* Appends to b an article's file name without extension: "ID-SLUG", the
 * slug being the title's fold in lower-case ASCII letters, digits and '-'. */
int crm_kb_article_path(crm_buf *b, const char *id, const char *title);

#endif
