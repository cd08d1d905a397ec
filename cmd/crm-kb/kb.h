/* kb.h - what the files of crm-kb share. */
#ifndef CRM_KB_CMD_H
#define CRM_KB_CMD_H

#include "cli.h"

/* Reads all of path ("-": standard input) into *out (malloc'd); returns
 * an exit status, 0 on success, after a message on failure. */
int kb_read(const struct cli *c, const char *path, char **out);

/* edit ID: the article in an editor, saved as a revision when changed. */
int kb_edit(struct cli *c, int argc, char **argv);

#endif
