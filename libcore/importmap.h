/* importmap.h - the loaded mapping file, as the importer reads it.
 * Internal to libcore. */
#ifndef CRM_IMPORTMAP_H
#define CRM_IMPORTMAP_H

#include <stddef.h>

#include "crm/import.h"
#include "crm/mapping.h"

struct crm_map_column {
	char *key;              /* crm_column_key() form of the column name */
	struct crm_target t;    /* t.name points into name */
	char *name;             /* field name or custom key */
	char *date_format;      /* strptime format of a date column, or NULL */
};

struct crm_import_map {
	struct crm_map_column *cols;
	size_t ncols;
	char **set_field, **set_value; /* constants: fields records leave empty */
	size_t nset;
	char **tags;                   /* added to every record */
	size_t ntags;
};

/* Returns the mapping file's entry for column, or NULL. */
const struct crm_map_column *crm_import_map_find(const crm_import_map *m, const char *column);

#endif
