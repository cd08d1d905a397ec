/* record.h - records of any entity: change sets, writing them, their
 * life (archive, restore, purge), references, and the tags, notes and
 * timeline of entities that have them. */
#ifndef CRM_RECORD_H
#define CRM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/field.h"

typedef struct crm_record crm_record;

/* Stores in *out an empty change set for entity e; free with crm_record_free. */
int crm_record_new(crm_record **out, const struct crm_entity *e);

/* Records field = value (copied; "" clears the field).  CRM_EUSAGE for an
 * unknown or read-only field.  Validation happens when the record is written. */
int crm_record_set(crm_record *r, const char *field, const char *value);

/* Records custom field key = value ("" removes it).  CRM_EUSAGE for an
 * empty key or one with characters other than letters, digits, _ - . */
int crm_record_set_custom(crm_record *r, const char *key, const char *value);

/* Records when another system made the record, or solved it (field: a
 * read-only time flagged CRM_FIELD_ORIGIN, such as created_at; when: an
 * ISO 8601 date or time as crm_time_parse reads it, NULL or blank for
 * none), for a new record only: an update ignores it.  CRM_EUSAGE for
 * another field; adding fails with CRM_EDATA, nothing written, for a time
 * that cannot be read or is later than now. */
int crm_record_set_origin(crm_record *r, const char *field, const char *when);

/* Parses "key=value" (the --set option) into the record. */
int crm_record_set_pair(crm_record *r, const char *pair);

/* Returns whether r assigns field (to a value, or to nothing: cleared). */
int crm_record_has(const crm_record *r, const char *field);

/* Returns the value r assigns to field (borrowed), or NULL when r does not
 * assign it or clears it. */
const char *crm_record_value(const crm_record *r, const char *field);

/* crm_record_value of custom field key, named without its "custom.". */
const char *crm_record_custom(const crm_record *r, const char *key);

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

#endif
