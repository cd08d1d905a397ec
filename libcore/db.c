/* db.c - opening the database file, transactions, maintenance. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/norm.h"
#include "crm/rates.h"
#include "internal.h"
#include "memo.h"

#define DEFAULT_BUSY_MS 5000

int crm_db_fail(crm_db *db, int rc, const char *what)
{
	return crm_db_fail_handle(db ? db->h : NULL, rc, what);
}

/* Why the database cannot be written.  A reader of a file its user may
 * not write leaves a -shm file as read-only as the file was; once the
 * file may be written again, that one stops every write, and is named. */
static int readonly_error(const char *path)
{
	static const char *const sides[] = { "-shm", "-wal" };
	char side[4096];

	if (access(path, W_OK))
		return crm_error_set(CRM_EREADONLY, "database '%s' is read-only: %s", path,
		                     strerror(errno));
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
		if ((size_t)snprintf(side, sizeof side, "%s%s", path, sides[i]) < sizeof side &&
		    !access(side, F_OK) && access(side, W_OK))
			return crm_error_set(CRM_EREADONLY, "database '%s' cannot be written: '%s' is"
			                     " read-only (remove it while no program has the database"
			                     " open)", path, side);
	return crm_error_set(CRM_EREADONLY, "database '%s' is read-only", path);
}

int crm_db_damaged(const crm_db *db)
{
	return (sqlite3_extended_errcode(db->h) & 0xff) == SQLITE_CORRUPT;
}

int crm_db_fail_handle(sqlite3 *h, int rc, const char *what)
{
	const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
	const char *file = h ? sqlite3_db_filename(h, "main") : NULL;
	const char *path = file && *file ? file : "database";

	if (rc == SQLITE_CONSTRAINT_FUNCTION)
		return crm_error_set(CRM_EDATA, "%s", msg);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return crm_error_set(CRM_EBUSY, "database is locked (%s)", what);
	case SQLITE_NOMEM:
		return crm_error_nomem();
	case SQLITE_READONLY:
		if (!file || !*file)
			return crm_error_set(CRM_EREADONLY, "database is read-only");
		return readonly_error(file);
	/* Name the file: what the user must free space for or look at. */
	case SQLITE_FULL:
		return crm_error_set(CRM_EIO, "cannot write '%s': the disk is full", path);
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (h && sqlite3_system_errno(h))
			msg = strerror(sqlite3_system_errno(h));
		return crm_error_set(CRM_EIO, "%s: I/O error on '%s': %s", what, path, msg);
	/* A file that is no database, or a damaged one, is named too. */
	case SQLITE_NOTADB:
		return crm_error_set(CRM_EFAIL, "'%s' is not a database", path);
	case SQLITE_CORRUPT:
		return crm_error_set(CRM_EFAIL, "'%s' is damaged: %s", path, msg);
	default:
		/* SQL's sum() past 2^63 - 1: the data holds amounts too large to
		 * add up (a total of 92233720368547758.07 EUR and another), which
		 * is bad data, not a failure of the program. */
		if ((rc & 0xff) == SQLITE_ERROR && !strcmp(msg, "integer overflow"))
			return crm_error_set(CRM_EDATA, "a sum is out of range: the amounts add up"
			                     " to more than 2^63 - 1 of the currency's smallest unit");
		return crm_error_set(CRM_EFAIL, "%s: %s", what, msg);
	}
}

int crm_db_prepare(crm_db *db, crm_stmt **st, const char *sql)
{
	int rc = sqlite3_prepare_v2(db->h, sql, -1, (sqlite3_stmt **)st, NULL);

	db->compiled++;

	return rc == SQLITE_OK ? CRM_OK : crm_db_fail(db, rc, "cannot prepare statement");
}

int crm_db_stmt(crm_db *db, crm_stmt **st, const char *sql)
{
	int i, slot, rc;

	for (i = 0; i < CRM_STMT_CACHE && db->cache[i].sql; i++) {
		if (!strcmp(db->cache[i].sql, sql)) {
			*st = db->cache[i].st;
			sqlite3_reset((sqlite3_stmt *)*st);
			sqlite3_clear_bindings((sqlite3_stmt *)*st);
			return CRM_OK;
		}
	}
	slot = i < CRM_STMT_CACHE ? i : db->cache_next++ % CRM_STMT_CACHE;
	sqlite3_finalize((sqlite3_stmt *)db->cache[slot].st);
	free(db->cache[slot].sql);
	db->cache[slot].st = NULL;
	db->cache[slot].sql = NULL;
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, (sqlite3_stmt **)st, NULL);
	db->compiled++;
	if (rc != SQLITE_OK)
		return crm_db_fail(db, rc, "cannot prepare statement");
	db->cache[slot].sql = strdup(sql);
	if (!db->cache[slot].sql) {
		sqlite3_finalize((sqlite3_stmt *)*st);
		return crm_error_nomem();
	}
	db->cache[slot].st = *st;
	return CRM_OK;
}

int crm_db_exec(crm_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	db->compiled++; /* at least one */

	return rc == SQLITE_OK ? CRM_OK : crm_db_fail(db, rc, "cannot run statement");
}

int crm_db_run(crm_db *db, const char *sql)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	return rc ? rc : crm_stmt_done(st);
}

double crm_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum crm_phase crm_phase_enter(crm_db *db, enum crm_phase ph)
{
	struct crm_phases *p = db->phases;
	enum crm_phase was;
	double now;

	if (!p)
		return ph;
	now = crm_clock();
	if (p->since > 0)
		p->sum[p->now] += now - p->since;
	p->since = now;
	was = p->now;
	p->now = ph;
	return was;
}

int crm_db_savepoint(crm_db *db, const char *name)
{
	char sql[64];
	/* A rollback to the savepoint must not take back the audit entries
	 * of records written before it, which it keeps. */
	int rc = crm_audit_flush(db);

	snprintf(sql, sizeof sql, "SAVEPOINT %s", name);
	return rc ? rc : crm_db_run(db, sql);
}

int crm_db_savepoint_end(crm_db *db, const char *name, int undo, int rc)
{
	char sql[64], msg[1024];
	int end;

	/* After a full disk or an I/O error SQLite may have rolled the whole
	 * transaction back, savepoint and all: the failure to roll back to it
	 * then must not hide the error that caused it. */
	snprintf(msg, sizeof msg, "%s", crm_error_message());
	snprintf(sql, sizeof sql, "ROLLBACK TO %s", name);
	end = undo || rc ? crm_db_run(db, sql) : CRM_OK;
	/* What waits was written after the savepoint (crm_db_savepoint wrote
	 * the rest), so it went with it. */
	if (undo || rc) {
		crm_audit_forget(db);
		crm_rates_forget(db);
	}
	snprintf(sql, sizeof sql, "RELEASE %s", name);
	if (!end)
		end = crm_db_run(db, sql);
	else
		crm_db_run(db, sql);
	if (rc)
		return crm_error_set(rc, "%s", msg);
	return end;
}

int crm_db_exec_id(crm_db *db, const char *sql, int64_t id)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	return crm_stmt_done(st);
}

void crm_db_now(crm_db *db, char out[21])
{
	crm_time_format(out, db->now);
}

int crm_db_writable(crm_db *db)
{
	if (db->readonly)
		return crm_error_set(CRM_EREADONLY, "database '%s' is open read-only", db->path);
	return CRM_OK;
}

/* Joins dir and rest into a malloc'd path. */
static char *path_join(const char *dir, const char *rest)
{
	crm_buf b = CRM_BUF_INIT;

	if (crm_buf_printf(&b, "%s/%s", dir, rest))
		return NULL;
	return crm_buf_detach(&b);
}

int crm_db_resolve_path(char **out, const char *explicit, const crm_config *cfg)
{
	const char *p = explicit, *home;

	/* --db "$TARGET" with TARGET unset must not reach the user's own
	 * database; an empty CRM_DB is unset, as empty variables are. */
	if (p && !*p)
		return crm_error_set(CRM_EUSAGE, "--db: the database path is empty");
	if (!p)
		p = getenv("CRM_DB");
	if ((!p || !*p) && cfg)
		p = crm_config_database(cfg);
	if (p && *p) {
		*out = strdup(p);
		return *out ? CRM_OK : crm_error_nomem();
	}
	p = getenv("XDG_DATA_HOME");
	if (p && *p == '/') {
		*out = path_join(p, "crm/crm.db");
	} else {
		home = getenv("HOME");
		if (!home || !*home)
			return crm_error_set(CRM_EUSAGE, "cannot find the database: HOME is not set (use --db)");
		*out = path_join(home, ".local/share/crm/crm.db");
	}
	return *out ? CRM_OK : crm_error_nomem();
}

/* Creates the missing parent folders of path with mode 0700. */
static int make_parents(const char *path)
{
	char *p = strdup(path), *s;

	if (!p)
		return crm_error_nomem();
	for (s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			crm_error_set(CRM_EIO, "cannot create '%s': %s", p, strerror(errno));
			free(p);
			return CRM_EIO;
		}
		*s = '/';
	}
	free(p);
	return CRM_OK;
}

/* Creates an empty file at path with mode 0600 (SQLite would honour only the
 * umask, and a customer list must not be world-readable). */
static int create_file(const char *path)
{
	int fd;

	if (make_parents(path))
		return CRM_EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return crm_error_set(CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return CRM_OK;
}

/* Reads the busy timeout: $CRM_BUSY_TIMEOUT, else the config, else 5 s. */
static int busy_timeout(const crm_config *cfg, int *ms)
{
	const char *s = getenv("CRM_BUSY_TIMEOUT");
	long long v;

	*ms = DEFAULT_BUSY_MS;
	if (s && *s) {
		if (!crm_int_parse(s, 0, 86400000, &v))
			return crm_error_set(CRM_EUSAGE, "invalid CRM_BUSY_TIMEOUT '%s'", s);
		*ms = (int)v;
	} else if (cfg && crm_config_busy_timeout(cfg) >= 0) {
		v = crm_config_busy_timeout(cfg);
		*ms = v > 86400000 ? 86400000 : (int)v;
	}
	return CRM_OK;
}

/* A dry run (CRM_DB_SCRATCH) leaves the journal mode as it is: switching
 * to WAL is a write that stays, and a file another program keeps in
 * rollback mode is its to keep. */
static int set_pragmas(crm_db *db, unsigned flags)
{
	int rc = crm_db_exec(db, "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");

	if (rc)
		return rc;
	if (!db->readonly && !(flags & CRM_DB_SCRATCH))
		rc = crm_db_exec(db, "PRAGMA journal_mode=WAL;");
	return rc;
}

static void memstatus_off(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* SQLite counts every allocation under a global mutex to report its
 * memory use, which the toolkit never asks for: turning it off makes an
 * import of 200,000 rows 7% faster.  Configuring only works before SQLite
 * starts, so a process that started it already keeps the count. */
static void quiet_memstatus(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, memstatus_off);
}

/* Fills in the fields of a freshly allocated handle and opens the file. */
static int open_handle(crm_db *db, const char *path, unsigned flags, const crm_config *cfg)
{
	const char *open_path = path;
	int rc, ms, oflags;

	db->readonly = !!(flags & CRM_DB_READONLY);
	db->cfg = cfg;
	db->path = strdup(path);
	if (!db->path)
		return crm_error_nomem();
	if ((rc = crm_now(&db->now)) || (rc = busy_timeout(cfg, &ms)))
		return rc;
	if (access(path, F_OK) < 0) {
		if (flags & (CRM_DB_NOCREATE | CRM_DB_READONLY))
			return crm_error_set(CRM_ENOTFOUND, "no database at '%s'", path);
		if (flags & CRM_DB_SCRATCH)
			open_path = ":memory:";
		else if ((rc = create_file(path)))
			return rc;
	}
	oflags = db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	quiet_memstatus();
	rc = sqlite3_open_v2(open_path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return crm_error_set(CRM_EIO, "cannot open '%s': %s", path,
		                     db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, ms);
	if ((rc = set_pragmas(db, flags)) || (rc = crm_db_register_functions(db)))
		return rc;
	return crm_db_set_actor(db, "crm", NULL);
}

/* Finalizes the statements db keeps prepared. */
static void forget_statements(crm_db *db)
{
	for (int i = 0; i < CRM_STMT_CACHE; i++) {
		crm_stmt_finalize(db->cache[i].st);
		free(db->cache[i].sql);
		db->cache[i].st = NULL;
		db->cache[i].sql = NULL;
	}
}

/* Swaps db's file for a copy of it in memory (CRM_DB_SCRATCH): a dry run
 * against an older schema migrates the copy, and the file stays as it
 * was. */
static int into_memory(crm_db *db)
{
	sqlite3 *mem = NULL;
	sqlite3_backup *b;
	int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                         NULL);

	if (rc == SQLITE_OK && !(b = sqlite3_backup_init(mem, "main", db->h, "main")))
		rc = sqlite3_errcode(mem);
	else if (rc == SQLITE_OK) {
		sqlite3_backup_step(b, -1);
		rc = sqlite3_backup_finish(b);
	}
	if (rc != SQLITE_OK) {
		rc = crm_error_set(CRM_EIO, "cannot copy '%s' for a dry run: %s", db->path,
		                   mem ? sqlite3_errmsg(mem) : sqlite3_errstr(rc));
		sqlite3_close_v2(mem);
		return rc;
	}
	forget_statements(db);
	sqlite3_close_v2(db->h);
	db->h = mem;
	sqlite3_extended_result_codes(db->h, 1);
	return (rc = set_pragmas(db, CRM_DB_SCRATCH)) ? rc : crm_db_register_functions(db);
}

int crm_db_open(crm_db **out, const char *path, unsigned flags, const crm_config *cfg)
{
	crm_db *db = calloc(1, sizeof *db);
	int rc, from, version;

	*out = NULL;
	if (!db)
		return crm_error_nomem();
	rc = open_handle(db, path, flags, cfg);
	if (!rc)
		rc = crm_db_schema_version(db, &version);
	if (!rc && version > CRM_SCHEMA_VERSION)
		rc = crm_error_set(CRM_ESCHEMA,
		                   "database '%s' has schema version %d, newer than this crm understands (%d)",
		                   path, version, CRM_SCHEMA_VERSION);
	if (!rc && version < CRM_SCHEMA_VERSION && !db->readonly && (flags & CRM_DB_SCRATCH))
		rc = into_memory(db);
	if (!rc && version < CRM_SCHEMA_VERSION && !(flags & CRM_DB_NOMIGRATE)) {
		if (db->readonly)
			rc = crm_error_set(CRM_ESCHEMA, "database '%s' needs migrating (schema %d) and is open read-only",
			                   path, version);
		else
			rc = crm_db_migrate(db, &from);
	}
	if (rc) {
		crm_db_close(db);
		return rc;
	}
	*out = db;
	return CRM_OK;
}

void crm_db_close(crm_db *db)
{
	if (!db)
		return;
	if (db->in_tx)
		crm_db_rollback(db);
	forget_statements(db);
	crm_rates_forget(db);
	crm_audit_forget(db);
	crm_audit_reads_free(db);
	crm_shapes_free(db);
	crm_memo_free(db->name_keys);
	crm_memo_free(db->name_folds);
	sqlite3_close_v2(db->h);
	free(db->path);
	free(db->user);
	free(db->program);
	free(db);
}

/* Returns the login name of the acting user: $CRM_USER, $USER-independent
 * passwd entry, else "unknown". */
static const char *login_name(void)
{
	const char *u = getenv("CRM_USER");
	struct passwd *pw;

	if (u && *u)
		return u;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

int crm_db_set_actor(crm_db *db, const char *program, const char *user)
{
	char *p, *u;
	/* The audit entries that wait are the old actor's. */
	int rc = crm_audit_flush(db);

	if (rc)
		return rc;
	p = strdup(program);
	u = strdup(user ? user : login_name());
	if (!p || !u) {
		free(p);
		free(u);
		return crm_error_nomem();
	}
	free(db->program);
	free(db->user);
	db->program = p;
	db->user = u;
	return CRM_OK;
}

const char *crm_db_user(const crm_db *db)
{
	return db->user;
}

const char *crm_db_path(const crm_db *db)
{
	return db->path;
}

const crm_config *crm_db_config(const crm_db *db)
{
	return db->cfg;
}

int crm_db_begin(crm_db *db, bool write)
{
	int rc;

	if (write && (rc = crm_db_writable(db)))
		return rc;
	rc = crm_db_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");
	if (!rc)
		db->in_tx = 1;
	return rc;
}

int crm_db_commit(crm_db *db)
{
	int rc;

	if (!db->in_tx)
		return CRM_OK;
	if (!(rc = crm_audit_flush(db)))
		rc = crm_db_exec(db, "COMMIT");

	if (rc)
		crm_db_rollback(db);
	db->in_tx = 0;
	return rc;
}

void crm_db_rollback(crm_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
	crm_audit_forget(db);
	crm_rates_forget(db); /* they may hold what was rolled back */
}

int crm_db_int(crm_db *db, const char *sql, int *out)
{
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, sql);

	if (rc)
		return rc;
	rc = crm_stmt_step(st);
	*out = rc == CRM_ROW ? (int)crm_stmt_int(st, 0) : 0;
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_db_schema_version(crm_db *db, int *out)
{
	return crm_db_int(db, "PRAGMA user_version", out);
}

/* Runs the steps from version from to the current one; inside a
 * transaction.  A step may edit the schema's text itself (step 14), so
 * the schema cookie then moves on: every other connection reads the
 * schema again. */
static int apply_steps(crm_db *db, int from)
{
	char sql[64];
	int v, rc, cookie;

	for (v = from; v < CRM_SCHEMA_VERSION; v++)
		if ((rc = crm_db_exec(db, crm_schema_steps[v])))
			return rc;
	if ((rc = crm_db_int(db, "PRAGMA schema_version", &cookie)))
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA schema_version=%d", cookie + 1);
	if ((rc = crm_db_exec(db, sql)))
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", CRM_SCHEMA_VERSION);
	return crm_db_exec(db, sql);
}

int crm_db_migrate(crm_db *db, int *from)
{
	int rc;

	if ((rc = crm_db_writable(db)) || (rc = crm_db_begin(db, true)))
		return rc;
	/* Read again under the write lock: another process may have migrated. */
	rc = crm_db_schema_version(db, from);
	if (!rc && *from > CRM_SCHEMA_VERSION)
		rc = crm_error_set(CRM_ESCHEMA, "database '%s' has schema version %d, newer than this crm understands (%d)",
		                   db->path, *from, CRM_SCHEMA_VERSION);
	if (!rc && *from < CRM_SCHEMA_VERSION)
		rc = apply_steps(db, *from);
	if (rc) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db);
}

int crm_db_cache_mb(crm_db *db, int mb)
{
	char sql[48];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", mb * 1024);
	return crm_db_exec(db, sql);
}

/* 56 MB: the pages a million people's randomly ordered keys (email,
 * phone, name key) touch stay in memory, and writing them took 16-21%
 * less time than with 32 MB, while crm-import's peak stays below 100 MB
 * (89 MB loading 1,000,000 rows into a database of 1,000,000 people). */
int crm_db_bulk_cache(crm_db *db)
{
	return crm_db_cache_mb(db, 56);
}

int crm_db_temp_store(crm_db *db, int store, int *was)
{
	char sql[32];
	int rc = crm_db_int(db, "PRAGMA temp_store", was);

	if (rc || *was == store)
		return rc;
	snprintf(sql, sizeof sql, "PRAGMA temp_store = %d", store);
	/* Refused inside a transaction once a temporary table exists. */
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		*was = store;
	return CRM_OK;
}

int crm_db_bulk(crm_db *db)
{
	int rc = crm_db_cache_mb(db, 32);

	/* Pages read through a map of the file, not a system call each. */
	return rc ? rc : crm_db_exec(db, "PRAGMA mmap_size = 4294967296");
}

int crm_db_foreign_keys(crm_db *db, bool on)
{
	crm_stmt *st;
	int rc, now = -1;

	/* The pragma does nothing inside a transaction: say so, not nothing. */
	if (db->in_tx)
		return crm_error_set(CRM_EFAIL, "foreign keys cannot change inside a transaction");
	if ((rc = crm_db_exec(db, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF")) ||
	    (rc = crm_db_stmt(db, &st, "PRAGMA foreign_keys")))
		return rc;
	if (crm_stmt_step(st) == CRM_ROW)
		now = (int)crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	if (now != on)
		return crm_error_set(CRM_EFAIL, "cannot turn foreign keys %s", on ? "on" : "off");
	db->fk_off = !on;
	return CRM_OK;
}

int crm_db_memory_journal(crm_db *db)
{
	return crm_db_exec(db, "PRAGMA temp_store = MEMORY");
}

int crm_db_bulk_wide(crm_db *db)
{
	int rc = crm_db_bulk(db);

	return rc ? rc : crm_db_cache_mb(db, 256);
}

int crm_db_durable(crm_db *db, bool durable)
{
	return crm_db_run(db, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

/* Copies every page, retrying while writers hold locks. */
static int copy_pages(crm_db *db, sqlite3 *dst, const char *name)
{
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", db->h, "main");
	int rc;

	if (!bk)
		return crm_error_set(CRM_EIO, "cannot start backup: %s", sqlite3_errmsg(dst));
	do {
		rc = sqlite3_backup_step(bk, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc == SQLITE_DONE)
		return CRM_OK;
	/* What the user can act on: the file, and what its disk said. */
	if ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(dst))
		return crm_error_set(CRM_EIO, "cannot write '%s': %s", name,
		                     strerror(sqlite3_system_errno(dst)));
	return crm_error_set(CRM_EIO, "cannot write '%s': %s", name, sqlite3_errstr(rc));
}

/* Removes a copy that failed, and the journal its last write left. */
static void unlink_copy(const char *tmp)
{
	char journal[4096];

	unlink(tmp);
	if ((size_t)snprintf(journal, sizeof journal, "%s-journal", tmp) < sizeof journal)
		unlink(journal);
}

/* Gives the finished copy tmp its name dest, which must still be free:
 * a link fails on a name taken since; a file system without links
 * (FAT) renames, having looked once more. */
static int publish(const char *tmp, const char *dest)
{
	int rc = link(tmp, dest);

	if (rc && (errno == EPERM || errno == ENOTSUP || errno == ENOSYS) &&
	    access(dest, F_OK) && errno == ENOENT)
		return rename(tmp, dest) ? crm_error_set(CRM_EIO, "cannot create '%s': %s", dest,
		                                         strerror(errno)) : CRM_OK;
	if (rc)
		rc = crm_error_set(CRM_EIO, "cannot create '%s': %s", dest, strerror(errno));
	unlink(tmp);
	return rc;
}

/* The copy is made under a name of its own beside dest and takes dest's
 * name only when whole: a backup killed midway (a full disk, ulimit -f)
 * leaves no file that looks like one. */
int crm_db_backup(crm_db *db, const char *dest)
{
	sqlite3 *dst = NULL;
	char *tmp = NULL;
	int fd = -1, rc;

	if (!access(dest, F_OK))
		return crm_error_set(CRM_EIO, "cannot create '%s': %s", dest, strerror(EEXIST));
	if (errno != ENOENT)
		return crm_error_set(CRM_EIO, "cannot create '%s': %s", dest, strerror(errno));
	if (asprintf(&tmp, "%s.part-XXXXXX", dest) < 0)
		return crm_error_nomem();
	if ((fd = mkstemp(tmp)) < 0) {
		rc = crm_error_set(CRM_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		rc = crm_error_set(CRM_EIO, "cannot open '%s': %s", tmp, sqlite3_errstr(rc));
	else
		rc = copy_pages(db, dst, dest);
	/* Leave a self-contained file: no -wal beside the copy. */
	if (!rc)
		sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close_v2(dst);
	if (!rc)
		rc = publish(tmp, dest);
	else
		unlink_copy(tmp);
	free(tmp);
	return rc;
}

int crm_db_checkpoint(crm_db *db)
{
	int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

	return rc == SQLITE_OK ? CRM_OK : crm_db_fail(db, rc, "cannot truncate the WAL");
}
