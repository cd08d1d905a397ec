/* internal.h - what libcore's own files share and the public headers hide.
 *
 * The storage engine stays behind the statement functions below (stmt.c,
 * db.c): modules hold SQL text, never the SQLite API, so that another
 * engine is a port of the database layer, not of every module.
 */
#ifndef CRM_INTERNAL_H
#define CRM_INTERNAL_H

#include <stdint.h>

#include "crm/buf.h"
#include "crm/db.h"
#include "crm/entity.h"
#include "crm/error.h"
#include "crm/import.h"
#include "text.h"

#define CRM_STMT_CACHE 64

/* A prepared statement (the engine's own, under another name). */
typedef struct crm_stmt crm_stmt;

struct sqlite3;

/* The kinds of record one run of audit entries may mix: an import writes
 * its own records and those they refer to (a company, a person). */
#define CRM_AUDIT_KINDS 4

/* The audit entries that wait to be written together by one INSERT ...
 * SELECT (crm_audit_flush): n entries of import batch batch, in the order
 * they were made.  made is the JSON text of their array, less its closing
 * bracket, each entry of a record of entity kind[k] with id id as the
 * number id * CRM_AUDIT_KINDS + k for a small add, else as [that number,
 * action, changes]: numbers, which SQLite reads fastest, for the most
 * common.  Empty while n is 0. */
struct crm_audit_run {
	const struct crm_entity *kind[CRM_AUDIT_KINDS];
	crm_buf made;
	size_t n;
	int64_t batch;
};

/* The statements crm_audit_created reads with, kept between its calls.
 * It runs inside another statement (SQL function crm_created), so it
 * cannot take them from the statement cache, which may finalize that
 * statement to make room.  rec and custom read a record of entity e. */
struct crm_audit_reads {
	const struct crm_entity *e;
	crm_stmt *rec, *custom, *later;
};

struct crm_db {
	struct sqlite3 *h; /* used by db.c and stmt.c only */
	struct {
		char *sql;
		crm_stmt *st;
	} cache[CRM_STMT_CACHE]; /* prepared once per command, reused per record */
	int cache_next;
	/* Statements compiled so far, cached or not: an import's rows after
	 * its first ones compile none (check_import). */
	unsigned long compiled;
	/* The text of the write path's statements by the shape of the record
	 * they were built for (record.c). */
	struct crm_shape *shapes;
	unsigned shapes_next;
	/* Statement texts composed for a shape not kept: an import's rows
	 * after its first ones compose none (check_import). */
	unsigned long composed;
	char *path;
	char *user;
	char *program;
	const crm_config *cfg;
	int readonly;
	int in_tx;
	int64_t now; /* the command's clock, read once so one command has one time */
	int64_t batch; /* the import batch audit entries belong to, or 0 */
	/* Set by a bulk writer that brings the search entries of what it wrote
	 * up to date itself, once at the end: FTS5 flushes its pending terms
	 * at every savepoint, and a bulk write has one per record. */
	int defer_index;
	/* Set by that writer while it indexes records it created: they have
	 * no search entries yet, so a rebuild only adds theirs. */
	int index_fresh;
	/* Set by a bulk remover (an undo) that removes the search entries of
	 * the records it deleted itself, once at the end (crm_entity_delete
	 * leaves them), for the same reason. */
	int defer_unindex;
	/* Set by a bulk writer that undoes a failed record itself (an import in
	 * bulk mode is done again row by row): a new record is then written
	 * without a savepoint of its own. */
	int bulk;
	/* Foreign keys are off (crm_db_foreign_keys): a writer that deletes
	 * does the referring tables' actions itself. */
	int fk_off;
	/* Where a timed import's seconds went (crm_import_phases): the phase
	 * running, since when, and the sums; NULL when not timed. */
	struct crm_phases *phases;
	/* Set while a purchase is created whose lines are written after it:
	 * it earns its loyalty points once they are in (purchase.c). */
	int lines_follow;
	struct crm_rates *rates; /* the rates in memory, loaded when first needed */
	struct crm_audit_run added; /* creations whose audit entries wait */
	struct crm_audit_reads reads;
	/* Names whose keys and folds were worked out ahead, by text
	 * (crm_db_remember_name); NULL until one is. */
	struct crm_memo *name_keys, *name_folds;
};

/* Remembers that crm_key(text) is key and crm_fold(text) is fold, so
 * that the SQL functions return them without working them out: an
 * import works out the names of its rows on its reading-ahead thread,
 * where the writing thread would spend 10% of its time on them.  The
 * table is bounded (memo.h); a text it has lost is worked out again.
 * CRM_ENOMEM. */
int crm_db_remember_name(crm_db *db, const char *text, const char *key, const char *fold);

/* Forgets the names remembered: the import has written their records
 * and search entries. */
void crm_db_forget_names(crm_db *db);

/* Seconds on the monotonic clock: for timing work (phases, the threads
 * that read ahead), never for a date. */
double crm_clock(void);

struct crm_phases {
	enum crm_phase now;
	double since;
	double sum[CRM_PHASES];
};

/* Ends the phase running, if db is timed, and starts ph; returns the phase
 * that was running, to go back to when ph's work is done. */
enum crm_phase crm_phase_enter(crm_db *db, enum crm_phase ph);

/* Maps a SQLite result code to a libcore status, recording the message
 * (db.c and stmt.c only: the engine's codes stay there). */
int crm_db_fail(crm_db *db, int rc, const char *what);
int crm_db_fail_handle(struct sqlite3 *h, int rc, const char *what);

/* Returns whether the last failure on db was damage to the file (SQLite's
 * "database disk image is malformed"). */
int crm_db_damaged(const crm_db *db);

/* Prepares sql; on failure records the error and returns its status.  The
 * caller finalizes *st. */
int crm_db_prepare(crm_db *db, crm_stmt **st, const char *sql);

/* Stores in *st a cached prepared statement for sql, reset and with its
 * bindings cleared; owned by db (do not finalize). */
int crm_db_stmt(crm_db *db, crm_stmt **st, const char *sql);

/* What crm_stmt_step returns besides a (negative) error status. */
#define CRM_ROW 1  /* a row is there to read */
#define CRM_DONE 0 /* no more rows */

/* Binds parameter i (from 1) of st to an integer, a number, text (NULL
 * binds NULL), the n bytes of s, or NULL. */
void crm_stmt_bind_int(crm_stmt *st, int i, int64_t v);
void crm_stmt_bind_double(crm_stmt *st, int i, double v);
void crm_stmt_bind_text(crm_stmt *st, int i, const char *s);
void crm_stmt_bind_textn(crm_stmt *st, int i, const char *s, size_t n);
void crm_stmt_bind_blob(crm_stmt *st, int i, const void *data, size_t n);
void crm_stmt_bind_null(crm_stmt *st, int i);

/* Binds text without SQLite's copy of it, for a row's many values: s
 * must stay as it is until st is next reset. */
void crm_stmt_bind_kept(crm_stmt *st, int i, const char *s);

/* Returns how many parameters st takes. */
int crm_stmt_params(crm_stmt *st);

/* Runs st to its next row: CRM_ROW, CRM_DONE, or an error status with
 * its message recorded. */
int crm_stmt_step(crm_stmt *st);

/* Steps a statement expected to finish (no rows to read) and resets it;
 * returns a status. */
int crm_stmt_done(crm_stmt *st);

/* Column i of the current row: as an integer, a number, text or bytes
 * (NULL for SQL NULL; borrowed until the next step), its length in bytes
 * (asked after the text or bytes), its kind;
 * and the number and names of the columns. */
enum crm_kind { CRM_KIND_NULL, CRM_KIND_INT, CRM_KIND_REAL, CRM_KIND_TEXT };
int64_t crm_stmt_int(crm_stmt *st, int i);
double crm_stmt_double(crm_stmt *st, int i);
const char *crm_stmt_text(crm_stmt *st, int i);
const void *crm_stmt_blob(crm_stmt *st, int i);
size_t crm_stmt_bytes(crm_stmt *st, int i);
enum crm_kind crm_stmt_kind(crm_stmt *st, int i);
int crm_stmt_columns(crm_stmt *st);
const char *crm_stmt_name(crm_stmt *st, int i);

/* Resets a statement for its next use; frees one from crm_db_prepare. */
void crm_stmt_reset(crm_stmt *st);
void crm_stmt_finalize(crm_stmt *st);

/* Ends a walk over rows that calls back for each: stop is the non-zero
 * value a callback returned to end the walk early (handed back unchanged),
 * else rc is the last crm_stmt_step result. */
static inline int crm_walk_end(int stop, int rc)
{
	return stop ? stop : rc < 0 ? rc : 0;
}

/* The id the last insert gave its row; the rows the last write changed. */
int64_t crm_db_last_id(crm_db *db);
int crm_db_changes(crm_db *db);
/* The rows written since the connection opened: a write that changed
 * nothing leaves it as it was. */
int64_t crm_db_total_changes(crm_db *db);

/* Stores in *out (malloc'd, or NULL) the first column of the first row of
 * sql, run (cached) with ?1 bound to id. */
int crm_db_text_of(crm_db *db, const char *sql, int64_t id, char **out);
/* The same for a statement at hand. */
int crm_stmt_text_of(crm_stmt *st, int64_t id, char **out);

/* Stores in *ids (malloc'd, the caller frees) and *n the first column of
 * each row of sql, run (not cached: sql may be built) with ?1 bound to
 * arg; the rows are read whole before the caller writes. */
int crm_db_ids(crm_db *db, const char *sql, int64_t arg, int64_t **ids, size_t *n);

/* The same from the statement cache, for SQL of a known few shapes that
 * runs once per record (the referrers of each record a batch deletes). */
int crm_db_ids_cached(crm_db *db, const char *sql, int64_t arg, int64_t **ids, size_t *n);

/* Calls fn(arg, vals) with the columns of each row of sql (cached), run
 * with ?1 bound to id, as text; stops and returns fn's value when it is
 * non-zero. */
int crm_db_each(crm_db *db, const char *sql, int64_t id,
                int (*fn)(void *arg, const char *const *vals), void *arg);

/* Runs sql (no parameters, no rows) and returns a status. */
int crm_db_exec(crm_db *db, const char *sql);

/* Runs sql (no parameters, no rows) from the statement cache: for the
 * statements a bulk write repeats per record, such as savepoints. */
int crm_db_run(crm_db *db, const char *sql);

/* Opens savepoint name (an identifier) inside the write transaction. */
int crm_db_savepoint(crm_db *db, const char *name);

/* Ends savepoint name: rolls back to it first when undo or when rc, the
 * status of the work inside it, is an error; then releases it.  Returns
 * rc with its message kept when it is an error (a rollback that fails
 * after a full disk must not hide the disk), else the status of ending. */
int crm_db_savepoint_end(crm_db *db, const char *name, int undo, int rc);

/* Runs sql (cached) with ?1 bound to id and returns a status. */
int crm_db_exec_id(crm_db *db, const char *sql, int64_t id);

struct crm_rate;

/* Stores one rate (units of currency per one of the base) for date,
 * replacing what the day had. */
int crm_rates_put(crm_db *db, const char *date, const char *currency, const struct crm_rate *r);

/* Drops the rates held in memory (they are read again when next needed). */
void crm_rates_forget(crm_db *db);

/* Drops the statement texts the write path keeps by record shape. */
void crm_shapes_free(crm_db *db);

struct crm_fielddef;

/* Appends to sql the text of a statement made from entity e's schema and
 * field d (or none) alone; nonzero when out of memory. */
typedef int crm_sql_build(crm_buf *sql, const struct crm_entity *e,
                          const struct crm_fielddef *d);

/* crm_db_stmt for the text build makes for e and d, built only the first
 * time: for statements run once a record, such as a uniqueness check. */
int crm_db_stmt_built(crm_db *db, crm_stmt **st, crm_sql_build *build,
                      const struct crm_entity *e, const struct crm_fielddef *d);

/* Stores in *out the number statement sql gives (0 for no row): a
 * PRAGMA's, a count.  Compiled each time, not cached. */
int crm_db_int(crm_db *db, const char *sql, int *out);

/* Sets the page cache to mb megabytes. */
int crm_db_cache_mb(crm_db *db, int mb);

/* Moves temporary files (statement journals, sorts, temporary tables)
 * to store (0 default, 1 files, 2 memory), keeping in *was where they
 * were.  SQLite refuses inside a transaction once a temporary table
 * exists: they then stay, and *was says store. */
int crm_db_temp_store(crm_db *db, int store, int *was);

/* Drops the indexes of table that are neither unique, partial nor on a
 * column keep (a JSON array of names) lists, appending "name\0sql\0" of
 * each to *saved for crm_indexes_build; only inside a transaction, whose
 * rollback brings them back (dbindex.c). */
int crm_indexes_drop(crm_db *db, const char *table, const char *keep, crm_buf *saved);

/* Builds the indexes crm_indexes_drop saved, from sorted keys. */
int crm_indexes_build(crm_db *db, const crm_buf *saved);

/* Copies the write-ahead log into the file and truncates it (erasure
 * must leave no old page behind). */
int crm_db_checkpoint(crm_db *db);

/* Stores the command's timestamp ("YYYY-MM-DDTHH:MM:SSZ") in out. */
void crm_db_now(crm_db *db, char out[21]);

/* Fails with CRM_EREADONLY when the database was opened read-only. */
int crm_db_writable(crm_db *db);

struct crm_query;

/* Keeps only the records of a query for which the SQL condition sql
 * (row alias t, no parameters) holds: libcore's own conditions, never
 * user text. */
int crm_query_sql(struct crm_query *q, const char *sql);

/* Appends an audit entry (entity, id, action, changes JSON or NULL); in a
 * bulk import's transaction it waits to be written with others (struct
 * crm_audit_run), and nothing may read the log before crm_audit_flush. */
int crm_audit_add(crm_db *db, const char *entity, int64_t id, const char *action,
                  const char *changes);

/* The start of every INSERT of audit entries. */
#define CRM_AUDIT_INSERT \
	"INSERT INTO audit(at, user, program, entity, entity_id, action, changes, batch)"

/* Writes the audit entries that wait (struct crm_audit_run);
 * crm_db_savepoint, crm_db_set_actor, crm_import_end and crm_db_commit
 * call it first, so entries keep the order of their writes.
 * crm_audit_forget drops them, for a rollback. */
int crm_audit_flush(crm_db *db);
void crm_audit_forget(crm_db *db);

/* An import's creations are audited small: who made the record, when, in
 * which batch, with changes NULL -- the values are the record's own.
 * crm_audit_created gives back in *json what such an entry of record id
 * at seq would have held, {"field":[null,"value"],...}: the record's
 * settable fields and custom fields now, each taken back to the old value
 * of the first later entry that changed it.  *json is NULL (malloc'd
 * otherwise) when the record is gone or erased: then there is nothing to
 * show, as for a purged entry.  SQL function crm_created(entity, id, seq)
 * calls it; CRM_AUDIT_CHANGES is the changes column as readers show it. */
int crm_audit_created(crm_db *db, const char *entity, int64_t id, int64_t seq, char **json);
void crm_audit_reads_free(crm_db *db);
#define CRM_AUDIT_CHANGES \
	"coalesce(changes, iif(action = 'add', crm_created(entity, entity_id, seq), NULL))"

/* Appends one change of an audit entry's JSON, "name":[old,new] (NULL:
 * null), as every writer of the audit spells it. */
int crm_audit_json_change(crm_buf *b, const char *name, const char *old, const char *new);

/* Appends an audit entry of one change, {"name":[old,new]} (NULL: null). */
int crm_audit_change(crm_db *db, const char *entity, int64_t id, const char *action,
                     const char *name, const char *old, const char *new);

/* A field of the registry with what libcore needs to store and read it. */
struct crm_fielddef {
	struct crm_field f; /* first, so a struct crm_field * converts back */
	const char *column; /* the stored column, NULL when computed */
	const char *expr;   /* SQL reading the output value from row alias t */
};

/* The custom field an import keeps another system's id of a record in
 * (its "ID", HubSpot's "Record ID"), so that its export imported again
 * matches: a default key of the records such exports give with no other
 * (deals, tasks, tickets). */
#define CRM_SOURCE_ID "source_id"
#define SOURCE_ID "custom." CRM_SOURCE_ID

struct crm_entity {
	const char *name;         /* "contact" */
	const char *table;        /* "contacts" */
	const char *custom_table; /* "contact_custom" */
	const char *custom_fk;    /* "contact_id": the record's id in every side table */
	const char *fts;          /* "contacts_fts" */
	const char *join;         /* joined after "FROM table t" for computed fields */
	const struct crm_fielddef *defs;
	size_t nfields;
	/* Refreshes derived columns and the search index after record id was
	 * written with r (a new record when adding), and checks rules that
	 * span fields; CRM_EDATA when they fail. */
	int (*after_write)(crm_db *db, int64_t id, const crm_record *r, int adding);
	/* A hidden column the INSERT of a new record computes, and the SQL it
	 * computes it with, in which :column is the value given for that
	 * column (NULL when none): after_write then need not rewrite the row
	 * it just wrote, which cost an import of people 5% of its time.
	 * after_write keeps it for updates.  NULL when none. */
	const char *derive_column, *derive_sql;
	/* The fields whose stored values, joined by a space and trimmed of
	 * spaces, are the text derive_sql keys and a search entry folds: an
	 * import works both out on its reading-ahead thread for each row
	 * (crm_db_remember_name).  NULL-terminated, or NULL. */
	const char *const *name_parts;
	/* Called after record id was archived or restored, for what depends
	 * on whether it is live; may be NULL. */
	int (*after_archive)(crm_db *db, int64_t id);
	/* Called after record id's tags changed (fresh: a record just made,
	 * which nothing else can depend on yet), for what is chosen by tag,
	 * such as a ticket's SLA policy; may be NULL. */
	int (*after_tags)(crm_db *db, int64_t id, int fresh);
	/* Called before record id is deleted (an import's undo), for what it
	 * set off elsewhere; may be NULL.  delete_acts says whether it does
	 * anything in db: an undo set by set calls it only then, for each
	 * record before any goes. */
	int (*before_delete)(crm_db *db, int64_t id);
	bool (*delete_acts)(crm_db *db);
	/* Tables naming a record by a column without a foreign key (the
	 * loyalty working sets, whose checks would slow the nightly expiry):
	 * their rows go with it, deleted one by one or set by set.  Ends
	 * with a zeroed entry; may be NULL. */
	const struct crm_loose {
		const char *table, *column;
	} *loose;
	/* Rebuilds the search entries of the records matching the SQL
	 * condition where, in which ?1 is bound to arg. */
	int (*reindex)(crm_db *db, const char *where, int64_t arg);
	int erasable; /* has erased_at: erased records refuse every change */
	/* after_write derives only hidden columns from the record's own and
	 * checks rules on them, so storing what a record holds changes
	 * nothing: an update that would is not written at all. */
	int self_derived;
	/* Column names of other systems' exports that mean a field, as
	 * crm_column_key() forms; NULL-terminated. */
	const struct crm_synonym *synonyms;
	/* Fields a column means only when spelt as the toolkit writes them
	 * ("source"): other spellings are other systems' words, read by the
	 * synonyms (Shopify's "Source" is a purchase's channel).
	 * NULL-terminated, or NULL. */
	const char *const *spelt;
	/* Columns whose names say what a field is (struct crm_implied);
	 * NULL-terminated, or NULL. */
	const struct crm_implied *implied;
	/* Values of its choice fields as other systems' exports write them;
	 * NULL-terminated, or NULL.  One whose value is NULL says the record
	 * is not one yet (an order not paid): its row is rejected, told as
	 * not_yet[0] 'VALUE' not_yet[1]. */
	const struct crm_value_synonym *value_synonyms;
	const char *not_yet[2];
	/* Columns that mean something else beside another: kept as custom
	 * fields then, or left out; NULL-terminated, or NULL. */
	const struct crm_beside *beside;
	/* The side tables of tags (tag) and notes (kind, at, body, owner,
	 * created_at) keyed by custom_fk; NULL when the entity has none.  With
	 * tags, the main table keeps the sorted list in its column tags. */
	const char *tag_table;
	const char *note_table;
	/* Other systems separate its tags by white space too (Zendesk: a
	 * ticket's tags are words), when a cell has no comma or semicolon. */
	int tag_words;
	/* Further side tables keyed by custom_fk that belong to the record
	 * (a person's consents): merges keep and restore them; NULL-terminated. */
	const char *const *side_tables;
	/* The key fields crm-import matches records on by default ("email"). */
	const char *default_key;
	/* A key field unique only within another, as the schema keeps it,
	 * and that other: { "order_ref", "source" }, an order number within
	 * its shop.  A row giving the second matches records of its value
	 * only.  { NULL } when none. */
	const char *key_within[2];
	/* The fields list takes as options (--status VALUE); NULL-terminated. */
	const char *const *filters;
	/* Refuses (CRM_EUSAGE) a filter's value no record could hold that the
	 * field's type does not check (a ticket's queue the configuration
	 * and the tickets do not know), so that a typo in a cron job is no
	 * empty list; NULL: none. */
	int (*filter_check)(crm_db *db, const char *field, const char *value);
	/* list's further options (--stale, --closing-before DATE); ends with
	 * a zeroed entry; may be NULL. */
	const struct crm_option *options;
	/* Finds the record a natural key names (not an id); NULL: ids only.
	 * CRM_ENOTFOUND when none does, CRM_EDATA when several do. */
	int (*resolve)(crm_db *db, const char *ref, int64_t *id);
	/* The field a record is created from when an import names one that is
	 * not there yet ("name": a contact's company), or NULL. */
	const char *create_from;
	/* SQL naming a record of row alias r as references print it: what
	 * resolve reads back (a company's name, a person's email or id). */
	const char *label;
	/* The grouping step of imports whose exports have one row per line
	 * item (a shop's orders): rows matching one key are one record and
	 * its lines, which the generic importer (a row, a record) cannot
	 * build.  Called with id 0 before a row creates record r: completes r
	 * from the line (a total from it) and returns 1 when it did; then
	 * with the new record's id (derived: what the first call returned),
	 * and with the id of a record an earlier row of this import created,
	 * to add the row's line.  parts are sku, name, category, quantity,
	 * price and amount, the line's in all (NULL: absent), amounts in
	 * currency cur (NULL: the record's).
	 * NULL when the entity has no lines. */
	int (*import_line)(crm_db *db, crm_record *r, int64_t id, const char *const *parts,
	                   const char *cur, int derived);
	/* The members of a JSON record that list its lines, an array of
	 * objects (Shopify's and WooCommerce's API orders' line_items): the
	 * reader makes a row of each, as the CSV exports write them.
	 * NULL-terminated, or NULL. */
	const char *const *line_lists;
	/* Called once record id has all the lines an import gives it (the
	 * last row of its key, or its only row): a purchase earns its points
	 * once for the whole order, as one added with its lines does.  NULL
	 * when the entity has no lines. */
	int (*import_done)(crm_db *db, int64_t id);
	/* Completes r, which an import's refund row makes (a payment
	 * service's refund), as a refund of record of: the purchase it gives
	 * money back for, and its buyer's.  NULL when the entity has none. */
	int (*import_refund)(crm_db *db, crm_record *r, int64_t of);
	/* Gives back what record id's refunds lack of the amount a row says
	 * was refunded of it in all (Shopify's Refunded Amount, which has no
	 * date; NULL: all of it), in currency cur when it names none (NULL:
	 * the record's): *due is that amount, 0 when they have it; given
	 * refund, a refund of it is made, its id stored there (or 0).
	 * CRM_EDATA, with a message naming no field, for an amount the
	 * record cannot give back.  NULL when the entity has no refunds. */
	int (*import_refunded)(crm_db *db, int64_t id, const char *amount, const char *cur,
	                       int64_t *due, int64_t *refund);
	/* A field and the value of it by which a row says its record was
	 * refunded whole ({ "status", "refunded" }: WooCommerce's order
	 * status, which no amount goes with): import_refunded is given a
	 * NULL amount, all that remains, unless the row names an amount.
	 * { NULL } when none. */
	const char *refunded_whole[2];
	/* Writes what an import's note columns give record id (a ticket's
	 * description: the customer's first message), once: *changed tells
	 * whether it wrote it.  NULL: a note (crm_entity_note_once). */
	int (*import_note)(crm_db *db, int64_t id, const char *text, int *changed);
};

/* The parts of an import row's line item, in the order import_line takes. */
#define CRM_LINE_PARTS 6
extern const char *const crm_line_parts[CRM_LINE_PARTS];

/* How many columns a field type derives from its value, at most. */
#define CRM_DERIVED_MAX 2

/* Turns what the user typed into a stored value (see field.c). */
typedef int (*crm_value_fn)(crm_db *db, const struct crm_fielddef *d, const char *v,
                            const char *region, char **out);

/* What a field type accepts and how it is stored and compared. */
/* What a type's columns are made from (crm_type): another thread than
 * the write's can make them unless they need the database. */
enum crm_made_from {
	CRM_FROM_DATABASE, /* the handle (a reference, a date, an amount) */
	CRM_FROM_VALUE,    /* the value alone: no handle, no region */
	CRM_FROM_REGION,   /* the value and the region (a phone number's), the
	                    * configuration's default when none is given */
};

struct crm_type {
	const char *name;
	crm_value_fn value; /* the field's own column: the typed text or its canonical form */
	struct {
		const char *suffix; /* column name after the field's column ("_norm") */
		crm_value_fn make;
	} derived[CRM_DERIVED_MAX]; /* columns kept beside it; the first is the normalised form */
	const char *compare; /* = compares column + compare; NULL: the output expression */
	const char *key;     /* import keys compare column + key ("name_key": that column); NULL: none */
	int (*match)(char **out, const char *s); /* ~ compares these keys */
	int unique;          /* one live record per normalised value */
	crm_value_fn normal; /* the form = compares (NULL: the first derived column's, else value's) */
	const char *fold;    /* SQL function = applies to the column first ("lower"), or NULL */
	enum crm_made_from made_from; /* what its columns need, besides the value */
};

/* Returns the descriptor of field d's type. */
const struct crm_type *crm_type_of(const struct crm_fielddef *d);

/* The columns one field assignment writes, with their values (malloc'd;
 * a NULL value clears).  Column j is def's column followed by suffix[j]
 * (crm_colvals_column): kept as parts, since an import makes several a
 * row and needs their names only once, for its statements' text. */
struct crm_colvals {
	const struct crm_fielddef *def;
	const char *suffix[CRM_DERIVED_MAX + 1];
	const char *val[CRM_DERIVED_MAX + 1];
	unsigned lent; /* bit j: val[j] is borrowed (crm_field_columns_ready), not owned */
	int n;
};

/* Appends to b the name of cv's column j. */
int crm_colvals_column(crm_buf *b, const struct crm_colvals *cv, int j);

/* The column values of field d for value src, made on another thread
 * than the write's (crm_import_ahead), in crm_colvals order; borrowed.  A
 * record keeps a list of them (crm_record_ready), and a write takes the
 * one for a field while the record still gives it src.  For a reference,
 * src and its one value are the id of a record the caller has just found
 * or made in the write's transaction, which the write then takes as it
 * is. */
struct crm_ready {
	const struct crm_fielddef *d;
	const char *src;
	const char *region; /* what they were made for (CRM_FROM_REGION), or NULL */
	const char *val[CRM_DERIVED_MAX + 1];
	int n;
};

/* The entry of list for field d and value src, or NULL. */
const struct crm_ready *crm_ready_find(const struct crm_ready *list, size_t n,
                                       const struct crm_fielddef *d, const char *src);

/* Fills cv with rd's values, lent; CRM_EDATA when rd is not what
 * crm_field_columns makes for its field with region (the caller then
 * makes them). */
int crm_field_columns_ready(const struct crm_ready *rd, const char *region,
                            struct crm_colvals *cv);

/* rd's value in the form = compares (crm_field_value's with region), or
 * NULL when rd cannot tell. */
const char *crm_ready_normal(const struct crm_ready *rd, const char *region);

/* Lends r the columns made ahead for its values (n of them), until it is
 * written or freed. */
void crm_record_ready(crm_record *r, const struct crm_ready *ready, size_t n);

/* Marks r as putting back the values an import's update changed (its
 * undo): the entity's rules then restore what followed from the change
 * (a deal's history, a ticket's status log) rather than take the values
 * for a change of their own. */
void crm_record_restoring(crm_record *r);
int crm_record_is_restoring(const crm_record *r);

/* Tells the write of new record r that no live record of its entity has
 * norm as unique field d's stored form: its caller has just looked (an
 * import matching on d), and the write need not look again.  norm is
 * borrowed until r is written or freed. */
void crm_record_absent(crm_record *r, const struct crm_fielddef *d, const char *norm);

/* Adds to cv the columns field d stores for value v (NULL clears them),
 * reading national phone numbers as region's; CRM_EDATA naming the field
 * when v is invalid.  db may be NULL for a type made CRM_FROM_VALUE. */
int crm_field_columns(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      struct crm_colvals *cv);

void crm_colvals_free(struct crm_colvals *cv);

/* Appends to b field d's column name followed by suffix. */
int crm_field_column(crm_buf *b, const struct crm_fielddef *d, const char *suffix);

/* Appends to b the SQL (row alias t) that = filters compare values in. */
int crm_field_compare_sql(crm_buf *b, const struct crm_fielddef *d);

/* A list option of an entity beyond its field filters: --name, or --name
 * VALUE when arg names the value (DATE: read as a date).  sql is a
 * condition on row alias t, with ? standing for the value. */
struct crm_option {
	const char *name, *arg, *help, *sql;
};

/* An export's column name (key) and the field it means; the field may also
 * be one of the targets "@split", "@note" or "@ignore" (see mapping.h). */
struct crm_synonym {
	const char *key;
	const char *field;
};

/* A column whose name says what a field is, when the row gives it no
 * value: a survey tool's "How likely are you to recommend ..." is an NPS
 * score.  key in crm_column_key() form; "*" at its end matches the names
 * it starts. */
struct crm_implied {
	const char *key;
	const char *field, *value;
};

/* The entry of e's implied table column's name matches, or NULL. */
const struct crm_implied *crm_column_implies(const struct crm_entity *e, const char *column);

/* crm_record_set for field d of r's entity, which the caller holds: an
 * import sets every field of every row, and need not find each by name. */
int crm_record_set_def(crm_record *r, const struct crm_fielddef *d, const char *value);

/* Sets person record r's first and last names from the full name
 * (crm_name_split); a part the name lacks is left unset. */
int crm_record_set_name(crm_record *r, const char *full);

/* A column (key, crm_column_key() form) that beside column beside means
 * what target says, as a synonym's does (crm_target_named): Outlook's
 * Title (a salutation, "custom.salutation") beside Job Title, HubSpot's
 * Lead Status beside its Lifecycle Stage; or is left out (target NULL):
 * WooCommerce's local date_created beside its UTC one. */
struct crm_beside {
	const char *key, *beside, *target;
};

/* A value other systems write for one of a choice field's values:
 * HubSpot's lead status "In Progress", Shopify's "voided". */
struct crm_value_synonym {
	const char *field;
	const char *key; /* the value in crm_column_key() form */
	const char *value;
};

extern const struct crm_entity crm_contact_entity;

/* Whether channel is one consent is kept for (email, phone, sms, post,
 * chat). */
int crm_contact_channel_p(const char *channel);

/* Records what an import says of person id's consent on channel: status
 * at time at (NULL: now), from source.  A stored consent stays when it
 * says the same, or is as recent as at or more; a grant without a time
 * never replaces a refusal or a withdrawal.  The audit entry keeps the
 * time and source replaced for an undo (crm_contact_consent_restore).
 * *changed says whether it wrote. */
int crm_contact_consent_import(crm_db *db, int64_t id, const char *channel, const char *status,
                               const char *at, const char *source, int *changed);

/* Puts person id's consent on channel back as it was: status (NULL: none
 * recorded) at time at, from source. */
int crm_contact_consent_restore(crm_db *db, int64_t id, const char *channel, const char *status,
                                const char *at, const char *source);
extern const struct crm_entity crm_company_entity;


/* Fails (CRM_EDATA) when a live record of e other than self already holds
 * norm, the normalised value of unique field d (an email address). */
int crm_entity_check_unique(crm_db *db, const struct crm_entity *e,
                            const struct crm_fielddef *d, const char *norm, int64_t self);

/* Fails unless the database is writable and record id exists and was not
 * erased (an erased person must not come back through a later change). */
int crm_entity_editable(crm_db *db, const struct crm_entity *e, int64_t id);

/* crm_entity_editable, and the record is not archived either: for the
 * verbs that carry a record's work on (finishing a task that starts the
 * next, a ticket taking others' threads), which on a removed record
 * would bring its work back unseen. */
int crm_entity_live(crm_db *db, const struct crm_entity *e, int64_t id);

/* The last part of that: fails unless record id, known to exist, was not
 * erased. */
int crm_entity_not_erased(crm_db *db, const struct crm_entity *e, int64_t id);

/* CRM_OK when a new record, or a change, may refer to record id of e:
 * CRM_EDATA, "contact 7 was erased", when its personal data was erased
 * (nothing new is tied to it). */
int crm_entity_referable(crm_db *db, const struct crm_entity *e, int64_t id);

/* crm_entity_tags_set for record id made in this transaction and given
 * no tags yet, which needs no check that it is there and may be changed,
 * nor a look for the tags it had: an import's. */
int crm_entity_tags_fresh(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags,
                          int *changed);

/* crm_entity_note_once for such a record, which has no notes yet. */
int crm_entity_note_fresh(crm_db *db, const struct crm_entity *e, int64_t id, const char *text,
                          int *added);

/* Deletes record id, its search entry and what hangs off it; the records
 * referring to it are detached first (audited).  The caller audits the
 * deletion. */
int crm_entity_delete(crm_db *db, const struct crm_entity *e, int64_t id);

/* Stores in *out the stored form of what the user typed for field d
 * (email and phone: their normalised comparison forms), reading national
 * phone numbers as region's (NULL: the configured default region);
 * CRM_EDATA when the value is invalid for the field. */
int crm_field_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                    char **out);

/* Stores in *from and *d the k-th stored reference field, of any entity,
 * naming a record of e (of any entity when e is NULL); 0 past the last.
 * Delete, merge, erase, undo and the timeline follow references by it. */
int crm_entity_referrer(const struct crm_entity *e, size_t k, const struct crm_entity **from,
                        const struct crm_fielddef **d);

/* Writes num x times / den (times: 1, or 100 for a percentage) with
 * places decimals (at most 6), exactly and rounded once, halves away
 * from zero, as every ratio the toolkit prints; "" when den <= 0. */
void crm_fixed(char *out, size_t n, int64_t num, int64_t times, int64_t den, int places);

/* Records whose search entries one statement writes when many are
 * written (an import's, an undo's): FTS5 indexes the rows of a statement
 * in bulk, and its journal keeps every page the statement changes, so
 * neither one statement a record nor one for them all (see import.c). */
#define CRM_REINDEX_CHUNK 2048

/* Adds the search entries of the records of e where (with ?1 bound to
 * arg) picks, which have none yet (made in this transaction, or an index
 * made again empty): nothing is deleted first, a lookup of every id in
 * the index.  Also while db->defer_index holds back the other rebuilds. */
int crm_entity_index_fresh(crm_db *db, const struct crm_entity *e, const char *where, int64_t arg);

/* Rebuilds the search entries of the records that refer to the records
 * of e whose id is ids ("= ?1", "IN (SELECT ... ?1)"; ?1 bound to arg):
 * they hold their names (a person's deals, a company's members).  Like
 * every rebuild, nothing while db->defer_index is set. */
int crm_entity_reindex_referrers(crm_db *db, const struct crm_entity *e, const char *ids,
                                 int64_t arg);

/* Returns the definition behind a registry field. */
static inline const struct crm_fielddef *crm_fielddef_of(const struct crm_field *f)
{
	return (const struct crm_fielddef *)f;
}

/* Rebuilds the search entries of the contacts (companies) matching the
 * SQL condition where, in which ?1 is bound to arg; nothing while the
 * database defers indexing. */
int crm_contact_reindex(crm_db *db, const char *where, int64_t arg);
int crm_deal_reindex(crm_db *db, const char *where, int64_t arg);
int crm_task_reindex(crm_db *db, const char *where, int64_t arg);
int crm_article_reindex(crm_db *db, const char *where, int64_t arg);
int crm_company_reindex(crm_db *db, const char *where, int64_t arg);

/* Registers the SQL functions crm_key(text) (match key) and crm_fold(text)
 * (its cross-script fold) on the connection. */
int crm_db_register_functions(crm_db *db);

/* Registers the search index's tokenizer, "crm" (tokenizer.c), on
 * connection h; an SQLite result code. */
int crm_tokenizer_register(struct sqlite3 *h);

/* Whether code point cp is of a script written without spaces between
 * words (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar), whose characters
 * the search index makes tokens one by one. */
int crm_unspaced_p(unsigned cp);

/* Appends to b the SQL expression reading field d from row alias t (and
 * the entity's join). */
int crm_field_sql(crm_buf *b, const struct crm_fielddef *d);

/* Appends the human form of an audit entry's changes to b:
 * "field: old → new; ..." ("created: field=value; ..." for an add). */
void crm_audit_render(crm_buf *b, const char *action, const char *changes);

/* Stores in code the ISO 3166-1 alpha-2 code of the country named s in
 * English, by its alpha-3 code or in any language iso-codes translates
 * to (country_names.c); CRM_ENOTFOUND, with no message, for a name of no
 * country, CRM_EDATA saying so for a name of more than one ("Korea"). */
int crm_country_by_name(char code[3], const char *s);

/* The schema: SQL of each migration step, step i taking version i to i+1. */
extern const char *const crm_schema_steps[];

/* A copy of the schema text sql (malloc'd; NULL when out of memory) with
 * each "col IN ('a','b',...)" written "(col = 'a' OR col = 'b' OR ...)":
 * SQL function crm_check_lists of schema step 14. */
char *crm_schema_check_lists(const char *sql);

#endif
