/* reject.h - the reject file (--reject): the records an import refused, in
 * the input's own format, each with its line, field and reason added so it
 * can be fixed and imported again. */
#ifndef CRM_IMPORT_REJECT_H
#define CRM_IMPORT_REJECT_H

#include "crm.h"

struct rejects;

/* Creates (truncating) path for rejects written in format f. */
int rejects_open(struct rejects **out, const char *path, enum crm_format f);

/* Writes CSV rejects with the input's separator and, when it had one,
 * its byte-order mark, and CSV and TSV ones in its character set, so that
 * the spreadsheet it came from reads them back (Excel in a European
 * locale separates with ';' and writes cp1252) and the same command
 * imports them fixed.  Takes effect until the first reject is written. */
int rejects_style(struct rejects *rj, const struct crm_style *s);

/* Takes the header of the input now read (CSV, TSV) for the reject file's
 * columns, so that a rejected row of too few fields does not leave the
 * later ones without theirs.  Takes effect until the first reject is
 * written. */
int rejects_header(struct rejects *rj, const char *const *names, size_t n);

/* Writes the record of row with the line it came from, the field at fault
 * (NULL when none) and the reason. */
int rejects_add(struct rejects *rj, const struct crm_row *row, const char *field,
                const char *reason);

/* Ends the file and closes it; CRM_EIO naming the file when any write
 * failed.  NULL-safe. */
int rejects_close(struct rejects *rj);

#endif
