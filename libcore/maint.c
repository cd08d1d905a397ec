/* maint.c - integrity checks, online backup and figures about the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The most problems the integrity check reports before it stops (SQLite
 * stops at 100 unless told): enough to tell a damaged page from a
 * damaged file, few enough to read. */
#define CHECK_MAX 1000

struct check {
	int (*fn)(void *, const char *);
	void *arg;
	long n;   /* problems reported */
	int more; /* there may be more than n */
};

/* Reports each line of text that is a problem: integrity_check gives its
 * problems as lines of one row under a heading naming the database, and
 * "ok" alone when it finds none. */
static int report_lines(struct check *ck, char *text)
{
	char *line, *next;

	for (line = text; line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!*line || !strcmp(line, "ok") || !strncmp(line, "*** in database ", 16))
			continue;
		ck->n++;
		if (ck->fn(ck->arg, line))
			return 1;
	}
	return 0;
}

/* Reports the problems of the rows of a check pragma.  Damage that the
 * check cannot read past ends it: that is a problem too, and there may
 * be more behind it. */
static int run_check(crm_db *db, const char *sql, struct check *ck)
{
	crm_stmt *st;
	crm_buf b = CRM_BUF_INIT;
	int rc, i, stop = 0;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		crm_buf_clear(&b);
		for (i = 0; i < crm_stmt_columns(st); i++) {
			const char *v = crm_stmt_text(st, i);
			crm_buf_printf(&b, "%s%s", i ? " " : "", v ? v : "-");
		}
		stop = b.ptr && report_lines(ck, b.ptr);
	}
	if (rc < 0 && crm_db_damaged(db)) {
		ck->more = 1, ck->n++;
		crm_buf_clear(&b);
		crm_buf_printf(&b, "the check stopped: %s", crm_error_message());
		ck->fn(ck->arg, crm_buf_str(&b));
		rc = CRM_DONE;
	}
	crm_stmt_finalize(st);
	crm_buf_free(&b);
	return rc < 0 ? rc : CRM_OK;
}

/* Appends to b what row rowid of table holds in the columns of its
 * foreign key fkid: " names company_id 999".  Nothing for a column that
 * cannot be read. */
static int key_value(crm_db *db, crm_buf *b, const char *table, int64_t rowid, int64_t fkid)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st, *v;
	int rc = crm_db_prepare(db, &st, "SELECT \"from\" FROM pragma_foreign_key_list(?1)"
	                        " WHERE id = ?2 ORDER BY seq");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, table);
	crm_stmt_bind_int(st, 2, fkid);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *col = crm_stmt_text(st, 0);

		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "SELECT \"%s\" FROM \"%s\" WHERE rowid = ?1", col, table);
		if (crm_db_prepare(db, &v, crm_buf_str(&sql))) {
			crm_error_clear();
			continue;
		}
		crm_stmt_bind_int(v, 1, rowid);
		if (crm_stmt_step(v) == CRM_ROW)
			crm_buf_printf(b, " names %s %s", col,
			               crm_stmt_text(v, 0) ? crm_stmt_text(v, 0) : "NULL");
		crm_stmt_finalize(v);
	}
	crm_stmt_finalize(st);
	crm_buf_free(&sql);
	return rc < 0 ? rc : CRM_OK;
}

/* Reports each row whose foreign key names a row that is not there, as
 * "contacts row 7 names company_id 999, which is not in companies": the
 * record, and the value that is wrong. */
static int check_keys(crm_db *db, struct check *ck)
{
	crm_buf b = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, "PRAGMA foreign_key_check"), stop = 0;

	while (!rc && !stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *table = crm_stmt_text(st, 0);

		crm_buf_clear(&b);
		rc = CRM_OK;
		/* A table without rowids (tags, custom fields) cannot say which. */
		if (crm_stmt_text(st, 1)) {
			crm_buf_printf(&b, "%s row %lld", table, (long long)crm_stmt_int(st, 1));
			rc = key_value(db, &b, table, crm_stmt_int(st, 1), crm_stmt_int(st, 3));
			crm_buf_printf(&b, ", which is not in %s", crm_stmt_text(st, 2));
		} else {
			crm_buf_printf(&b, "%s: a row names one not in %s", table, crm_stmt_text(st, 2));
		}
		ck->n++;
		stop = !rc && ck->fn(ck->arg, crm_buf_str(&b));
	}
	crm_stmt_finalize(st);
	crm_buf_free(&b);
	return rc < 0 ? rc : CRM_OK;
}

int crm_db_check(crm_db *db, int (*fn)(void *arg, const char *problem), void *arg,
                 long *nproblems, int *more)
{
	struct check ck = { fn, arg, 0, 0 };
	char sql[64];
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA integrity_check(%d)", CHECK_MAX);
	rc = run_check(db, sql, &ck);
	if (!rc && ck.n >= CHECK_MAX)
		ck.more = 1;
	/* A damaged file can fail any read: its keys are not worth checking. */
	if (!rc && !ck.more)
		rc = check_keys(db, &ck);
	*nproblems = ck.n, *more = ck.more;
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
