/* maint.c - integrity checks, online backup and figures about the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Reports each row of a check pragma except integrity_check's single "ok". */
static int run_check(crm_db *db, const char *sql, int (*fn)(void *, const char *),
                     void *arg, long *n)
{
	crm_stmt *st;
	crm_buf b = CRM_BUF_INIT;
	int rc, i;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		crm_buf_clear(&b);
		for (i = 0; i < crm_stmt_columns(st); i++) {
			const char *v = crm_stmt_text(st, i);
			crm_buf_printf(&b, "%s%s", i ? " " : "", v ? v : "-");
		}
		if (!strcmp(crm_buf_str(&b), "ok"))
			continue;
		(*n)++;
		if (fn(arg, crm_buf_str(&b)))
			break;
	}
	crm_stmt_finalize(st);
	crm_buf_free(&b);
	return rc < 0 ? rc : CRM_OK;
}

int crm_db_check(crm_db *db, int (*fn)(void *arg, const char *problem), void *arg,
                 long *nproblems)
{
	int rc;

	*nproblems = 0;
	rc = run_check(db, "PRAGMA integrity_check", fn, arg, nproblems);
	if (!rc)
		rc = run_check(db, "PRAGMA foreign_key_check", fn, arg, nproblems);
	return rc;
}

/* Reports one integer figure named name, computed by sql. */
static int report_int(crm_db *db, const char *name, const char *sql,
                      int (*fn)(void *, const char *, const char *), void *arg)
{
	crm_stmt *st;
	char v[32];
	int rc;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	rc = crm_stmt_step(st);
	snprintf(v, sizeof v, "%lld", rc == CRM_ROW ? crm_stmt_int(st, 0) : 0LL);
	crm_stmt_finalize(st);
	if (rc < 0)
		return rc;
	return fn(arg, name, v) ? CRM_EFAIL : CRM_OK;
}

/* Reports the row count of each table of the schema, FTS internals aside. */
static int report_tables(crm_db *db, int (*fn)(void *, const char *, const char *), void *arg)
{
	crm_stmt *st;
	crm_buf sql = CRM_BUF_INIT, name = CRM_BUF_INIT;
	int rc;

	if ((rc = crm_db_prepare(db, &st,
	                         "SELECT name FROM sqlite_schema WHERE type='table'"
	                         " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
	                         " AND name NOT LIKE '%fts%' ORDER BY name")))
		return rc;
	while (!rc && crm_stmt_step(st) == CRM_ROW) {
		const char *t = crm_stmt_text(st, 0);
		crm_buf_clear(&sql);
		crm_buf_clear(&name);
		/* Table names come from our own schema; quoted all the same. */
		crm_buf_printf(&sql, "SELECT count(*) FROM \"%s\"", t);
		crm_buf_printf(&name, "rows.%s", t);
		rc = report_int(db, crm_buf_str(&name), crm_buf_str(&sql), fn, arg);
	}
	crm_stmt_finalize(st);
	crm_buf_free(&sql);
	crm_buf_free(&name);
	return rc;
}

int crm_db_info(crm_db *db, int (*fn)(void *arg, const char *name, const char *value),
                void *arg)
{
	struct stat sb;
	char v[32];
	int rc;

	if (fn(arg, "path", db->path))
		return CRM_EFAIL;
	snprintf(v, sizeof v, "%lld", stat(db->path, &sb) ? 0LL : (long long)sb.st_size);
	if ((rc = report_int(db, "schema_version", "PRAGMA user_version", fn, arg)) ||
	    fn(arg, "size", v) ||
	    (rc = report_int(db, "pages", "PRAGMA page_count", fn, arg)) ||
	    (rc = report_int(db, "page_size", "PRAGMA page_size", fn, arg)))
		return rc ? rc : CRM_EFAIL;
	return report_tables(db, fn, arg);
}
