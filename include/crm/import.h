/* import.h - loading records from other systems' exports into an entity:
 * mapping, matching, validation, batches and their undo.
 *
 * An import runs inside the caller's write transaction and is one batch:
 * every audit entry it writes carries the batch id, so the batch can later
 * be undone (records it created removed, records it updated restored).
 * Rows come from a crm_reader (reader.h); each is created, updated, left
 * unchanged, skipped or rejected, and a rejected row changes nothing.
 */
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

#include <stdint.h>

#include "crm/buf.h"
#include "crm/db.h"
#include "crm/entity.h"
#include "crm/reader.h"

/* The mapping file (--map): column overrides, constant values, tags for
 * every record, columns to ignore, date formats.  See crm-config(5). */
typedef struct crm_import_map crm_import_map;

/* Loads mapping file path for entity e.  CRM_EUSAGE "path:line:col: ..."
 * for bad YAML, an unknown key or field; CRM_EIO when unreadable. */
int crm_import_map_load(crm_import_map **out, const char *path, const struct crm_entity *e);

/* Frees a mapping; NULL-safe. */
void crm_import_map_free(crm_import_map *m);

enum crm_conflict {
	CRM_CONFLICT_SKIP,   /* a record that matches an existing one is skipped */
	CRM_CONFLICT_UPDATE, /* ... updates it with the fields the input has */
	CRM_CONFLICT_ERROR   /* ... is rejected */
};

enum crm_unknown {
	CRM_UNKNOWN_ERROR,  /* a column that means no field stops the import */
	CRM_UNKNOWN_KEEP,   /* ... is stored as a custom field */
	CRM_UNKNOWN_IGNORE  /* ... is left out */
};

struct crm_import_opts {
	const struct crm_entity *entity;
	const char *key;            /* "email", "domain,name": tried in turn; NULL: default */
	enum crm_conflict conflict;
	enum crm_unknown unknown;
	const crm_import_map *map;  /* may be NULL */
	const char *date_format;    /* strptime format of the date columns the map gives none */
	const char *source;         /* what was read, for the batch list */
	int no_earn;                /* purchases created earn no loyalty points */
	/* Amounts, percentages and line quantities are written with a
	 * decimal comma, as European spreadsheets write them: "1.234,56". */
	int decimal_comma;
	/* Bulk mode: a row that adds a record is written without a savepoint
	 * of its own (SQLite copies every page a savepoint's writes touch).
	 * Should one be rejected after it wrote something, crm_import_row
	 * returns CRM_IMPORT_AGAIN and the import must be done again, row by
	 * row: the results are then the ones row mode gives. */
	int bulk;
	int timed; /* sum the seconds of each phase (crm_import_phases) */
};

/* The phases of a timed import's rows. */
enum crm_phase {
	CRM_PHASE_OTHER,     /* none of these (not summed) */
	CRM_PHASE_MATCH,     /* looking up the keys */
	CRM_PHASE_REFS,      /* finding the records a row names */
	CRM_PHASE_NORMALISE, /* validating and normalising the values */
	CRM_PHASE_WRITE,     /* storing them, and what follows from them */
	CRM_PHASE_AUDIT,     /* reading them back into the audit log */
	CRM_PHASE_EXTRAS,    /* the tags and notes the rows give */
	CRM_PHASE_INDEX,     /* the search entries of the records created */
	CRM_PHASE_BUILD,     /* after the rows: the indexes built then (bulk, empty table) */
	CRM_PHASES
};

/* "other", "match", "references", "normalise", "write", "audit",
 * "tags and notes", "search index", "indexes". */
extern const char *const crm_phase_names[CRM_PHASES];

enum crm_outcome {
	CRM_IMPORT_CREATED,
	CRM_IMPORT_UPDATED,
	CRM_IMPORT_UNCHANGED,
	CRM_IMPORT_SKIPPED,
	CRM_IMPORT_REJECTED
};

/* What became of one row. */
struct crm_import_result {
	enum crm_outcome outcome;
	int64_t id;         /* the record written or matched, else 0 */
	const char *field;  /* rejected: the field or column at fault, or NULL */
	const char *reason; /* rejected: why */
	/* Rows that make one record together (an order's line items) stand or
	 * fall together.  grouped: the row is one of them; group_start: the
	 * first of its record here.  undone: rejected, the row took that many
	 * rows of its record just before it (all since group_start) back with
	 * it, which are rejected now too, for undo_field and undo_reason. */
	int grouped, group_start;
	long undone;
	const char *undo_field, *undo_reason;
};

struct crm_import_counts {
	long read, created, updated, unchanged, skipped, rejected;
	long companies; /* companies created for the rows naming them */
	long people;    /* people created for the purchases and tickets naming them */
	long refunds;   /* refunds created for the amounts rows say were refunded */
};

typedef struct crm_import crm_import;

/* The members of a JSON record of entity e that list its lines (a shop's
 * API orders' line_items), for crm_reader_opts.each; NULL for none. */
const char *const *crm_import_each(const struct crm_entity *e);

/* Starts an import into db (inside its write transaction).  CRM_EUSAGE for
 * a key that is not a field the entity can be matched on. */
int crm_import_begin(crm_import **out, crm_db *db, const struct crm_import_opts *o);

/* Checks a header's columns up front: unless unknown columns are kept or
 * ignored, CRM_EDATA naming every column that means no field. */
int crm_import_header(crm_import *imp, const char *const *names, size_t n);

/* Imports one row and stores what became of it in *res (strings valid until
 * the next call).  A rejected row is CRM_OK; a failure that must stop the
 * whole import (an unknown column, a database error) returns its status.
 * In bulk mode CRM_IMPORT_AGAIN says the row was rejected half-way: roll
 * the transaction back and import everything again with bulk unset (the
 * rows before it come out as they did). */
int crm_import_row(crm_import *imp, const struct crm_row *row, struct crm_import_result *res);

#define CRM_IMPORT_AGAIN 1

/* Works out ahead what row will need, on another thread than the
 * import's: the stored forms of its text, names, email addresses (NFC,
 * the address's normal form and key) and phone numbers (E.164, read as
 * the row's country's), appended to out for crm_import_row to take.
 * Touches nothing the import's thread uses, and may run on several
 * threads at once; a crm_rowpipe_prep for the import. */
void crm_import_ahead(void *arg, const struct crm_row *row, crm_buf *out);

/* Stores in secs the seconds each phase of the rows took, when timed;
 * zeros otherwise.  A record a row creates for a reference (a contact's
 * company) is normalised, written and audited in those phases. */
void crm_import_phases(const crm_import *imp, double secs[CRM_PHASES]);

/* Seconds crm_import_ahead spent reading phone numbers, all threads'
 * summed, when timed: part of what they spent on the rows. */
double crm_import_ahead_phones(const crm_import *imp);

/* Returns the counts so far. */
const struct crm_import_counts *crm_import_counts(const crm_import *imp);

/* Ends the import: writes the search entries of the records it wrote,
 * records the batch (when anything was written) and stores its id in
 * *batch, or 0 when nothing changed.  Call it before the transaction
 * commits: the audit entries refer to the batch row it writes. */
int crm_import_end(crm_import *imp, int64_t *batch);

/* Frees the import; NULL-safe.  The caller rolls back on failure. */
void crm_import_free(crm_import *imp);

/* The columns crm_import_batches passes: batch, at, user, entity, source,
 * read, created, updated, unchanged, skipped, rejected, undone_at. */
#define CRM_BATCH_COLUMNS 12

/* Calls fn for each import batch, oldest first; stops and returns fn's
 * value when it returns non-zero. */
int crm_import_batches(crm_db *db, int (*fn)(void *arg, const char *const *vals), void *arg);

/* Undoes batch (inside the caller's write transaction): removes the records
 * it created and restores the fields, tags and notes of those it updated.
 * Refuses with CRM_EDATA naming the records changed since, unless force.
 * CRM_ENOTFOUND for no such batch; CRM_EDATA when already undone.  Stores
 * the number of records removed and restored. */
int crm_import_undo(crm_db *db, int64_t batch, int force, long *removed, long *restored);

/* Stores in *setwise whether crm_import_undo can undo batch set by set with
 * foreign keys off (crm_db_foreign_keys), doing the referring tables'
 * actions itself a chunk of records at a time: without force, the batch
 * only created records and nothing outside it refers to them, and every
 * table referring to them cascades or sets NULL with no referrers of its
 * own.  Inside a transaction; the caller then begins the undo's own with
 * foreign keys off.  An undo with them off refuses with CRM_EFAIL a batch
 * that does not qualify (changed since this call). */
int crm_import_undo_setwise(crm_db *db, int64_t batch, int force, int *setwise);

#endif
