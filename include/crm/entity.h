/* entity.h - the field registry and the generic record operations.
 *
 * Each kind of record (contact, company, and later deals, tickets ...) is an
 * entity: a table of fields with a type that decides how input is validated
 * and normalised.  Programs build their options, --help, filters and output
 * columns from this registry, and the importer maps columns onto it, so a
 * new entity plugs in without new code in either.
 */
#ifndef CRM_ENTITY_H
#define CRM_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/output.h"

enum crm_ftype {
	CRM_FT_ID,      /* integer id (read-only) */
	CRM_FT_TEXT,    /* free text, stored NFC */
	CRM_FT_NAME,    /* text that also feeds the entity's name match key */
	CRM_FT_EMAIL,   /* email address: stored as typed, normalised beside it */
	CRM_FT_PHONE,   /* phone number: stored as typed, E.164 beside it */
	CRM_FT_COUNTRY, /* ISO 3166-1 alpha-2 */
	CRM_FT_DATE,    /* calendar date */
	CRM_FT_TIME,    /* timestamp (read-only bookkeeping) */
	CRM_FT_ENUM,    /* one of a fixed list of words */
	CRM_FT_REF,     /* another record (field ref names its entity), by id or natural key */
	CRM_FT_DOMAIN,  /* internet domain name, stored lower-case */
	CRM_FT_TAGS     /* comma-separated tags (read-only; see tag verbs) */
};

enum crm_field_flags {
	CRM_FIELD_RO = 1 << 0,     /* not settable by add/set */
	CRM_FIELD_HIDDEN = 1 << 1, /* not among the default list columns */
	CRM_FIELD_REQUIRED = 1 << 2
};

struct crm_field {
	const char *name;           /* field and output column name */
	enum crm_ftype type;
	unsigned flags;
	const char *help;           /* one line for --help */
	const char *const *choices; /* CRM_FT_ENUM: NULL-terminated words */
	const char *ref;            /* CRM_FT_REF: the entity referred to ("company") */
};

struct crm_entity;
typedef struct crm_record crm_record;
typedef struct crm_query crm_query;

/* Returns the entity called name ("contact", "company"), or NULL. */
const struct crm_entity *crm_entity_find(const char *name);

/* Returns the entity's singular name ("contact"); static. */
const char *crm_entity_name(const struct crm_entity *e);

/* Returns the entity's plural name ("companies"); static. */
const char *crm_entity_plural(const struct crm_entity *e);

/* Returns the number of fields of e. */
size_t crm_entity_nfields(const struct crm_entity *e);

/* Returns field i of e (static), or NULL past the end. */
const struct crm_field *crm_entity_field(const struct crm_entity *e, size_t i);

/* Returns the field of e called name, or NULL. */
const struct crm_field *crm_entity_field_find(const struct crm_entity *e, const char *name);

/* Stores in *out an empty change set for entity e; free with crm_record_free. */
int crm_record_new(crm_record **out, const struct crm_entity *e);

/* Records field = value (copied; "" clears the field).  CRM_EUSAGE for an
 * unknown or read-only field.  Validation happens when the record is written. */
int crm_record_set(crm_record *r, const char *field, const char *value);

/* Records custom field key = value ("" removes it).  CRM_EUSAGE for an
 * empty key or one with characters other than letters, digits, _ - . */
int crm_record_set_custom(crm_record *r, const char *key, const char *value);

/* Parses "key=value" (the --set option) into the record. */
int crm_record_set_pair(crm_record *r, const char *pair);

/* Returns the number of assignments in r. */
size_t crm_record_count(const crm_record *r);

/* Frees a record; NULL-safe. */
void crm_record_free(crm_record *r);

/* Validates and inserts r as a new record inside the caller's write
 * transaction and stores its id in *id.  CRM_EDATA naming field and value
 * for invalid input (nothing written). */
int crm_entity_add(crm_db *db, const crm_record *r, int64_t *id);

/* Applies r to record id, audits old -> new, and stores in *changed whether
 * anything differed.  CRM_ENOTFOUND "no contact 42"; CRM_EDATA as for add. */
int crm_entity_update(crm_db *db, const crm_record *r, int64_t id, int *changed);

/* Archives (archive=1) or restores (archive=0) record id; *changed tells
 * whether its state changed.  Restoring fails with CRM_EDATA when a live
 * record now holds its unique email. */
int crm_entity_archive(crm_db *db, const struct crm_entity *e, int64_t id, int archive,
                       int *changed);

/* Deletes record id and everything that hangs off it (audited). */
int crm_entity_purge(crm_db *db, const struct crm_entity *e, int64_t id);

/* Returns CRM_OK when record id exists (archived or not), else CRM_ENOTFOUND
 * with "no contact ID". */
int crm_entity_exists(crm_db *db, const struct crm_entity *e, int64_t id);

/* Stores in *id the record of e that ref names: a decimal id, or the
 * entity's natural key (a person's email; a company's name -- exact, else
 * a unique case- and accent-insensitive match -- or domain).  CRM_ENOTFOUND
 * when none matches, CRM_EDATA when several do. */
int crm_entity_resolve(crm_db *db, const struct crm_entity *e, const char *ref, int64_t *id);

/* Returns the name of the i-th field list filters on (--status VALUE ...),
 * or NULL past the last. */
const char *crm_entity_filter(const struct crm_entity *e, size_t i);

/* Returns whether records of e carry tags (notes). */
int crm_entity_has_tags(const struct crm_entity *e);
int crm_entity_has_notes(const struct crm_entity *e);

/* Adds (add=1) or removes (add=0) tag on record id; *changed tells whether
 * the set of tags changed.  CRM_EDATA for an empty tag or one with a comma,
 * CRM_EUSAGE when e has no tags. */
int crm_entity_tag(crm_db *db, const struct crm_entity *e, int64_t id, const char *tag, int add,
                   int *changed);

/* Replaces the tags of record id with the comma-separated list tags
 * (blanks around each trimmed; NULL or "" for none); *changed tells whether
 * the set changed. */
int crm_entity_tags_set(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags,
                        int *changed);

/* Logs a note of kind (call, email, meeting, note, sms, chat) on record id,
 * at time at (NULL: now; any form crm_time_parse accepts), with body text,
 * and stores its id in *out.  CRM_EDATA for a bad kind, time or empty body;
 * CRM_EUSAGE when e takes no notes. */
int crm_entity_note(crm_db *db, const struct crm_entity *e, int64_t id, const char *kind,
                    const char *at, const char *body, int64_t *out);

/* Logs text as a note on record id unless an identical note is there, so
 * that importing the same file twice notes it once; *added tells which. */
int crm_entity_note_once(crm_db *db, const struct crm_entity *e, int64_t id, const char *text,
                         int *added);

/* The columns crm_entity_timeline passes: at, kind, user, text. */
#define CRM_TIMELINE_COLUMNS 4

/* Calls fn(arg, vals) for each entry of the record's timeline, newest
 * first: notes and audited changes.  Stops early and returns fn's value
 * when it returns non-zero (a negative status). */
int crm_entity_timeline(crm_db *db, const struct crm_entity *e, int64_t id,
                        int (*fn)(void *arg, const char *const *vals), void *arg);

/* Query: a filtered, sorted selection of records of one entity. */

/* Stores in *out a query over every live record of e; free with crm_query_free. */
int crm_query_new(crm_query **out, crm_db *db, const struct crm_entity *e);

/* Adds the filter "FIELD OP VALUE" (OP one of = != < > <= >= ~) parsed from
 * text; CRM_EUSAGE for a malformed filter or unknown field, CRM_EDATA for a
 * value the field cannot hold. */
int crm_query_where(crm_query *q, const char *text);

/* Adds the filter field op value with the parts already separated. */
int crm_query_filter(crm_query *q, const char *field, const char *op, const char *value);

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
