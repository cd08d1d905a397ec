/* held.h - the rows of the record being read, when rows make one record
 * together (an order's line items): a later row rejected takes them back
 * with it (crm_import_result.undone), and they are then reported and
 * written to the reject file as the rows they were. */
#ifndef CRM_IMPORT_HELD_H
#define CRM_IMPORT_HELD_H

#include <stddef.h>

#include "crm/reader.h"

struct held {
	struct crm_row *rows; /* copies: names, values and lines */
	const char **files;   /* the input each came from, as named */
	size_t n, cap;
};

/* Keeps a copy of row, read from the input named file (not copied). */
int held_add(struct held *h, const struct crm_row *row, const char *file);

/* Forgets the rows kept. */
void held_clear(struct held *h);

/* Forgets them and frees what held them. */
void held_free(struct held *h);

#endif
