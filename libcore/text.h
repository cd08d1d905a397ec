/* text.h - what libcore's text modules share (norm.c, fold.c, simil.c):
 * no database, no storage types. */
#ifndef CRM_TEXT_H
#define CRM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the UTF-8 code point at s, which has len (> 0) bytes left, into
 * *cp and returns its length; a byte that does not start a well-formed
 * sequence reads as one U+FFFD, so a scan never stops on bad input. */
size_t crm_utf8_decode_lax(const char *s, size_t len, int32_t *cp);

/* Stores in *out the malloc'd NFC, case-folded form of s (nothing
 * trimmed or stripped); CRM_EDATA for invalid UTF-8. */
int crm_text_casefold(char **out, const char *s);

#endif
