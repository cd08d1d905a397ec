/* db.h - the database file: opening, schema, transactions, maintenance.
 *
 * One SQLite file in WAL mode with foreign keys on.  Opening creates the file
 * (mode 0600) with the current schema, or migrates an older schema in one
 * transaction.  Every command is one transaction: crm_db_begin() before the
 * first statement, crm_db_commit() at the end, crm_db_rollback() on failure.
 */
#ifndef CRM_DB_H
#define CRM_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "crm/config.h"

typedef struct crm_db crm_db;

/* The schema version this build creates and understands. */
#define CRM_SCHEMA_VERSION 23

enum crm_db_flags {
	CRM_DB_READONLY = 1 << 0,  /* open read-only; writes fail with CRM_EREADONLY */
	CRM_DB_NOCREATE = 1 << 1,  /* fail with CRM_ENOTFOUND when the file is missing */
	CRM_DB_NOMIGRATE = 1 << 2, /* leave an older schema as it is */
	CRM_DB_SCRATCH = 1 << 3    /* when the file is missing, work on an empty
	                            * database in memory and create nothing; when
	                            * its schema is older, on a copy in memory */
};

/* Stores in *out the database path chosen by the rules of crm(7): explicit
 * (--db) > $CRM_DB > the config's database > $XDG_DATA_HOME/crm/crm.db
 * (default ~/.local/share/crm/crm.db).  explicit and cfg may be NULL; an
 * empty explicit is CRM_EUSAGE.  The caller frees *out. */
int crm_db_resolve_path(char **out, const char *explicit, const crm_config *cfg);

/* Opens (creating with mode 0600 and missing parent folders 0700 unless
 * CRM_DB_NOCREATE or CRM_DB_SCRATCH) the database at path and brings its
 * schema up to date.
 * CRM_ESCHEMA when the file's schema is newer than this build; CRM_EBUSY
 * when locked past the busy timeout.  cfg may be NULL.  The caller closes
 * *out with crm_db_close. */
int crm_db_open(crm_db **out, const char *path, unsigned flags, const crm_config *cfg);

/* Closes the database; NULL-safe.  An open transaction is rolled back. */
void crm_db_close(crm_db *db);

/* Sets who acts (stored in the audit log) and through which program;
 * both strings are copied.  user NULL means $CRM_USER, else the login name. */
int crm_db_set_actor(crm_db *db, const char *program, const char *user);

/* Returns the acting user name (borrowed). */
const char *crm_db_user(const crm_db *db);

/* Returns the path the database was opened from (borrowed). */
const char *crm_db_path(const crm_db *db);

/* Returns the configuration given at open time (borrowed; may be NULL). */
const crm_config *crm_db_config(const crm_db *db);

/* Starts the command's transaction: BEGIN IMMEDIATE when write, else a
 * deferred read transaction.  CRM_EBUSY past the busy timeout. */
int crm_db_begin(crm_db *db, bool write);

/* Commits the transaction; CRM_EBUSY or CRM_EIO on failure (then rolled back). */
int crm_db_commit(crm_db *db);

/* Prepares the connection for a write touching many records (an import,
 * a merge run), or a read going over the same tables several times
 * (churn-risk's snapshots): a 32 MB page cache keeps the indexes in
 * memory instead of re-reading them from the file, and the file is read
 * through a memory map. */
int crm_db_bulk(crm_db *db);

/* A larger page cache (56 MB), without the memory map: for a write over
 * every record of a batch (an import, an undo), where the map made
 * rewriting pages slower and counted the whole file in the resident
 * memory. */
int crm_db_bulk_cache(crm_db *db);

/* Turns the checking of references, and the actions that keep them
 * (cascades, setting to NULL), on or off for the transactions that follow;
 * only outside one.  Off is for a writer that does those actions itself, a
 * table at a time (an undo set by set, crm_import_undo_setwise): SQLite
 * runs them once per row otherwise. */
int crm_db_foreign_keys(crm_db *db, bool on);

/* Keeps statement journals (what a savepoint rolls back to) and temporary
 * tables in memory.  For a write made of many small savepoints (an
 * import's rows): each journal is emptied when its savepoint ends, and
 * writing it to a temporary file instead cost a quarter of an import's
 * time.  Not for one statement over a whole table, whose journal would
 * hold every page it touches.  Call it before the transaction begins. */
int crm_db_memory_journal(crm_db *db);

/* The same for one statement's worth of writes all over a large file
 * (the nightly expiry): a page cache of up to 256 MB, filled only as
 * pages are read. */
int crm_db_bulk_wide(crm_db *db);

/* Chooses what the next commits wait for: durable (the default), the
 * disk, so that a commit survives a power cut; not durable, only the
 * operating system, so that it survives the program being killed, and
 * the next durable commit makes it durable too.  A send log marks a
 * message as sent this way, many times a second, where losing the mark
 * leaves it in doubt, never sent twice. */
int crm_db_durable(crm_db *db, bool durable);

/* Rolls back the open transaction, if any. */
void crm_db_rollback(crm_db *db);

/* Returns the schema version stored in the file. */
int crm_db_schema_version(crm_db *db, int *out);

/* Brings an older schema up to CRM_SCHEMA_VERSION in one transaction and
 * stores in *from the version found.  CRM_ESCHEMA for a newer file. */
int crm_db_migrate(crm_db *db, int *from);

/* Calls fn(arg, problem) for each problem integrity_check and
 * foreign_key_check report, one line each, and stores their number in
 * *nproblems; sets *more when there may be more than that: the integrity
 * check stopped at its 1000th, or at damage it could not read past
 * (itself a problem). */
int crm_db_check(crm_db *db, int (*fn)(void *arg, const char *problem),
                 void *arg, long *nproblems, int *more);

/* Copies the live database to dest with SQLite's online backup, safe while
 * others write; dest is created 0600 and must not exist. */
int crm_db_backup(crm_db *db, const char *dest);

/* Calls fn for each figure about the database: schema version, size in
 * bytes, page count, and the row count of each table. */
int crm_db_info(crm_db *db, int (*fn)(void *arg, const char *name, const char *value),
                void *arg);

#endif
