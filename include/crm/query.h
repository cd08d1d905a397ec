/* query.h - filtered, sorted selections of the records of one entity,
 * for list and show. */
#ifndef CRM_QUERY_H
#define CRM_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/field.h"
#include "crm/output.h"

typedef struct crm_query crm_query;

/* Stores in *out a query over every live record of e; free with crm_query_free. */
int crm_query_new(crm_query **out, crm_db *db, const struct crm_entity *e);

/* Adds the filter "FIELD OP VALUE" (OP one of = != < > <= >= ~) parsed from
 * text; CRM_EUSAGE for a malformed filter or unknown field, CRM_EDATA for a
 * value the field cannot hold. */
int crm_query_where(crm_query *q, const char *text);

/* Adds the filter field op value with the parts already separated. */
int crm_query_filter(crm_query *q, const char *field, const char *op, const char *value);

/* Keeps only the records list option name of the entity selects (see
 * crm_entity_option), given value (NULL for a flag).  CRM_EUSAGE for an
 * unknown option or a value it cannot take. */
int crm_query_option(crm_query *q, const char *name, const char *value);

/* Keeps only records carrying tag. */
int crm_query_tag(crm_query *q, const char *tag);

/* Keeps only records matching the full-text search text (every word, as a
 * prefix, case- and accent-insensitively). */
int crm_query_search(crm_query *q, const char *text);

/* Keeps only record id. */
int crm_query_id(crm_query *q, int64_t id);

/* Chooses live (0, the default), archived (1) or all (2) records. */
void crm_query_archived(crm_query *q, int which);

/* Sorts by "field[,-field...]" ('-' for descending); CRM_EUSAGE when unknown. */
int crm_query_sort(crm_query *q, const char *spec);

/* Returns at most n records (n > 0). */
void crm_query_limit(crm_query *q, long n);

/* Chooses the output columns: "a,b,custom.k"; NULL for the default (every
 * field not hidden plus the custom fields in use); "all" adds hidden ones. */
int crm_query_fields(crm_query *q, const char *spec);

/* Stores in *cols and *n the output columns (borrowed from q); valid after
 * crm_query_fields. */
int crm_query_columns(crm_query *q, const struct crm_column **cols, size_t *n);

/* Runs the query, calling fn with each record's values (borrowed until fn
 * returns; NULL for empty) and stops early when fn returns non-zero, which
 * is then returned.  Stores the number of records in *count when count is
 * not NULL. */
int crm_query_run(crm_query *q, int (*fn)(void *arg, const char *const *vals), void *arg,
                  long *count);

/* Frees a query; NULL-safe. */
void crm_query_free(crm_query *q);

#endif
