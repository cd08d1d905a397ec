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
	sqlite3_stmt *st;
	crm_buf b = CRM_BUF_INIT;
	int rc, i;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		crm_buf_clear(&b);
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			crm_buf_printf(&b, "%s%s", i ? " " : "", v ? v : "-");
		}
		if (!strcmp(crm_buf_str(&b), "ok"))
			continue;
		(*n)++;
		if (fn(arg, crm_buf_str(&b)))
			break;
	}
	sqlite3_finalize(st);
	crm_buf_free(&b);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return crm_db_fail(db, rc, "check failed");
	return CRM_OK;
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

/* Copies every page, retrying while writers hold locks. */
static int copy_pages(crm_db *db, sqlite3 *dst)
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
	if (rc != SQLITE_DONE)
		return crm_error_set(CRM_EIO, "backup failed: %s", sqlite3_errstr(rc));
	return CRM_OK;
}

int crm_db_backup(crm_db *db, const char *dest)
{
	sqlite3 *dst = NULL;
	int fd, rc;

	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return crm_error_set(CRM_EIO, "cannot create '%s': %s", dest, strerror(errno));
	close(fd);
	rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		rc = crm_error_set(CRM_EIO, "cannot open '%s': %s", dest, sqlite3_errstr(rc));
	else
		rc = copy_pages(db, dst);
	/* Leave a self-contained file: no -wal beside the copy. */
	if (!rc)
		sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close_v2(dst);
	if (rc)
		unlink(dest);
	return rc;
}

/* Reports one integer figure named name, computed by sql. */
static int report_int(crm_db *db, const char *name, const char *sql,
                      int (*fn)(void *, const char *, const char *), void *arg)
{
	sqlite3_stmt *st;
	char v[32];
	int rc;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	rc = sqlite3_step(st);
	snprintf(v, sizeof v, "%lld", rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0LL);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return crm_db_fail(db, rc, "cannot read database figures");
	return fn(arg, name, v) ? CRM_EFAIL : CRM_OK;
}

/* Reports the row count of each table of the schema, FTS internals aside. */
static int report_tables(crm_db *db, int (*fn)(void *, const char *, const char *), void *arg)
{
	sqlite3_stmt *st;
	crm_buf sql = CRM_BUF_INIT, name = CRM_BUF_INIT;
	int rc;

	if ((rc = crm_db_prepare(db, &st,
	                         "SELECT name FROM sqlite_schema WHERE type='table'"
	                         " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
	                         " AND name NOT LIKE '%fts%' ORDER BY name")))
		return rc;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		crm_buf_clear(&sql);
		crm_buf_clear(&name);
		/* Table names come from our own schema; quoted all the same. */
		crm_buf_printf(&sql, "SELECT count(*) FROM \"%s\"", t);
		crm_buf_printf(&name, "rows.%s", t);
		rc = report_int(db, crm_buf_str(&name), crm_buf_str(&sql), fn, arg);
	}
	sqlite3_finalize(st);
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
