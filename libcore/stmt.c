/* stmt.c - statements: the storage seam between libcore's modules and
 * SQLite.
 *
 * Modules hold SQL text and go through these functions to bind values,
 * step through rows and read columns; only this file and db.c call the
 * SQLite API, so another engine is a port of these two files (and of the
 * few SQLite-only statements, FTS5 and pragmas, kept in schema.c,
 * registry.c, db.c and maint.c).  A crm_stmt is SQLite's statement under
 * another name: no allocation, no indirection.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"

static sqlite3_stmt *S(crm_stmt *st)
{
	return (sqlite3_stmt *)st;
}

static int fail(crm_stmt *st, int rc, const char *what)
{
	return crm_db_fail_handle(sqlite3_db_handle(S(st)), rc, what);
}

void crm_stmt_bind_int(crm_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(S(st), i, v);
}

void crm_stmt_bind_double(crm_stmt *st, int i, double v)
{
	sqlite3_bind_double(S(st), i, v);
}

void crm_stmt_bind_text(crm_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(S(st), i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(S(st), i);
}

void crm_stmt_bind_kept(crm_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(S(st), i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(S(st), i);
}

void crm_stmt_bind_textn(crm_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text(S(st), i, s, (int)n, SQLITE_TRANSIENT);
}

void crm_stmt_bind_blob(crm_stmt *st, int i, const void *data, size_t n)
{
	sqlite3_bind_blob64(S(st), i, data, n, SQLITE_TRANSIENT);
}

void crm_stmt_bind_null(crm_stmt *st, int i)
{
	sqlite3_bind_null(S(st), i);
}

int crm_stmt_params(crm_stmt *st)
{
	return sqlite3_bind_parameter_count(S(st));
}

int crm_stmt_step(crm_stmt *st)
{
	int rc = sqlite3_step(S(st));

	if (rc == SQLITE_ROW)
		return CRM_ROW;
	if (rc == SQLITE_DONE)
		return CRM_DONE;
	return fail(st, rc, "cannot run statement");
}

int crm_stmt_done(crm_stmt *st)
{
	int rc = crm_stmt_step(st);

	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int64_t crm_stmt_int(crm_stmt *st, int i)
{
	return sqlite3_column_int64(S(st), i);
}

double crm_stmt_double(crm_stmt *st, int i)
{
	return sqlite3_column_double(S(st), i);
}

const char *crm_stmt_text(crm_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(S(st), i);
}

const void *crm_stmt_blob(crm_stmt *st, int i)
{
	return sqlite3_column_blob(S(st), i);
}

size_t crm_stmt_bytes(crm_stmt *st, int i)
{
	return (size_t)sqlite3_column_bytes(S(st), i);
}

enum crm_kind crm_stmt_kind(crm_stmt *st, int i)
{
	switch (sqlite3_column_type(S(st), i)) {
	case SQLITE_INTEGER: return CRM_KIND_INT;
	case SQLITE_FLOAT: return CRM_KIND_REAL;
	case SQLITE_NULL: return CRM_KIND_NULL;
	default: return CRM_KIND_TEXT;
	}
}

int crm_stmt_columns(crm_stmt *st)
{
	return sqlite3_column_count(S(st));
}

const char *crm_stmt_name(crm_stmt *st, int i)
{
	return sqlite3_column_name(S(st), i);
}

void crm_stmt_reset(crm_stmt *st)
{
	sqlite3_reset(S(st));
}

void crm_stmt_finalize(crm_stmt *st)
{
	sqlite3_finalize(S(st));
}

int64_t crm_db_last_id(crm_db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int crm_db_changes(crm_db *db)
{
	return sqlite3_changes(db->h);
}

int64_t crm_db_total_changes(crm_db *db)
{
	return sqlite3_total_changes64(db->h);
}

int crm_db_text_of(crm_db *db, const char *sql, int64_t id, char **out)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	*out = NULL;
	return rc ? rc : crm_stmt_text_of(st, id, out);
}

int crm_stmt_text_of(crm_stmt *st, int64_t id, char **out)
{
	int rc;

	*out = NULL;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW && crm_stmt_text(st, 0) &&
	    !(*out = strdup(crm_stmt_text(st, 0))))
		rc = crm_error_nomem();
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Reads the first column of every row of st, run with ?1 bound to arg. */
static int ids_of(crm_stmt *st, int64_t arg, int64_t **ids, size_t *n)
{
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	crm_stmt_bind_int(st, 1, arg);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if (*n == cap) {
			int64_t *p = realloc(*ids, (cap = cap ? 2 * cap : 16) * sizeof *p);

			if (!p) {
				rc = crm_error_nomem();
				break;
			}
			*ids = p;
		}
		(*ids)[(*n)++] = crm_stmt_int(st, 0);
	}
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return rc;
	}
	return CRM_OK;
}

/* crm_db_ids and crm_db_ids_cached: the statement prepared for the call,
 * or the cache's. */
static int ids_run(crm_db *db, const char *sql, int64_t arg, int64_t **ids, size_t *n,
                   int cached)
{
	crm_stmt *st;
	int rc = cached ? crm_db_stmt(db, &st, sql) : crm_db_prepare(db, &st, sql);

	*ids = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = ids_of(st, arg, ids, n);
	if (cached)
		crm_stmt_reset(st);
	else
		crm_stmt_finalize(st);
	return rc;
}

int crm_db_ids(crm_db *db, const char *sql, int64_t arg, int64_t **ids, size_t *n)
{
	return ids_run(db, sql, arg, ids, n, 0);
}

int crm_db_ids_cached(crm_db *db, const char *sql, int64_t arg, int64_t **ids, size_t *n)
{
	return ids_run(db, sql, arg, ids, n, 1);
}

int crm_db_each(crm_db *db, const char *sql, int64_t id,
                int (*fn)(void *arg, const char *const *vals), void *arg)
{
	enum { MAX_COLUMNS = 64 };
	const char *vals[MAX_COLUMNS];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql), stop = 0, n, i;

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	n = crm_stmt_columns(st);
	n = n < MAX_COLUMNS ? n : MAX_COLUMNS;
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (i = 0; i < n; i++)
			vals[i] = crm_stmt_text(st, i);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return stop ? stop : rc < 0 ? rc : CRM_OK;
}
