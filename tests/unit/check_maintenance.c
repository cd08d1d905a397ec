/* check_maintenance.c - crm-db's check, backup and info. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

static char copy[128];
static crm_db *db;

static void setup(void)
{
	db = fx_open(false);
	snprintf(copy, sizeof copy, "%s/copy.db", fx_dir);
}

static void teardown(void)
{
	fx_close(db);
}

/* Runs sql on file through a connection of its own, outside libcore. */
static void raw_exec(const char *file, const char *sql)
{
	sqlite3 *h;

	ck_assert_int_eq(sqlite3_open(file, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* Reads one integer with sql from file, outside libcore. */
static long long raw_int(const char *file, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v;

	ck_assert_int_eq(sqlite3_open_v2(file, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void add_people(int n)
{
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	for (int i = 0; i < n; i++) {
		crm_record *r;
		int64_t id;
		char email[32];

		snprintf(email, sizeof email, "p%d@example.org", i);
		ck_assert_int_eq(crm_record_new(&r, crm_entity_find("contact")), CRM_OK);
		ck_assert_int_eq(crm_record_set(r, "email", email), CRM_OK);
		ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
		crm_record_free(r);
	}
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
}

struct problems {
	char first[256];
};

static int keep_first(void *arg, const char *problem)
{
	struct problems *p = arg;

	if (!p->first[0])
		snprintf(p->first, sizeof p->first, "%s", problem);
	return 0;
}

START_TEST(test_check_healthy)
{
	struct problems p = { "" };
	long n = -1;
	int more = -1;

	add_people(3);
	ck_assert_int_eq(crm_db_check(db, keep_first, &p, &n, &more), CRM_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(more, 0);
	ck_assert_str_eq(p.first, "");
}
END_TEST

START_TEST(test_check_finds_dangling_reference)
{
	struct problems p = { "" };
	long n = 0;
	int more = -1;

	add_people(1);
	/* A second connection without foreign-key enforcement can write a
	 * reference to a company that does not exist. */
	raw_exec(fx_path, "PRAGMA foreign_keys=OFF; UPDATE contacts SET company_id = 999");
	ck_assert_int_eq(crm_db_check(db, keep_first, &p, &n, &more), CRM_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(more, 0);
	/* The record, and the value that is wrong. */
	ck_assert_str_eq(p.first, "contacts row 1 names company_id 999, which is not in companies");
}
END_TEST

/* Reopens db after raw_exec wrote sql, so that it reads the schema anew. */
static void raw_exec_reopen(const char *sql)
{
	crm_db_close(db);
	raw_exec(fx_path, sql);
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, NULL), CRM_OK);
}

static int count_lines(void *arg, const char *problem)
{
	ck_assert_ptr_null(strchr(problem, '\n'));
	++*(long *)arg;
	return 0;
}

/* The integrity check gives its problems as lines of one row: each line
 * is one, and past the 1000th there may be more. */
START_TEST(test_check_counts_each_problem)
{
	long n = 0, seen = 0;
	int more = -1;

	/* An index whose order the schema states backwards: 1500 rows out of
	 * place, 1500 missing from it. */
	raw_exec_reopen("CREATE TABLE t(a); CREATE INDEX t_a ON t(a);"
	                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500)"
	                " INSERT INTO t SELECT x FROM c;"
	                "PRAGMA writable_schema = ON;"
	                "UPDATE sqlite_schema SET sql = 'CREATE INDEX t_a ON t(a DESC)' WHERE name = 't_a'");
	ck_assert_int_eq(crm_db_check(db, count_lines, &seen, &n, &more), CRM_OK);
	ck_assert_int_eq(n, 1000);
	ck_assert_int_eq(seen, 1000);
	ck_assert_int_eq(more, 1);
}
END_TEST

/* A page the check cannot read past ends it with what it found, the
 * damage counted as a problem: no error without a count. */
START_TEST(test_check_damaged_page)
{
	struct problems p = { "" };
	char zero[4096] = { 0 };
	long n = 0;
	int more = -1;
	FILE *f;

	raw_exec_reopen("PRAGMA journal_mode = DELETE; CREATE TABLE t(a);"
	                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)"
	                " INSERT INTO t SELECT printf('%0100d', x) FROM c");
	crm_db_close(db);
	ck_assert_ptr_nonnull(f = fopen(fx_path, "r+b"));
	ck_assert_int_eq(fseek(f, -5 * (long)sizeof zero, SEEK_END), 0);
	ck_assert_uint_eq(fwrite(zero, sizeof zero, 1, f), 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_check(db, keep_first, &p, &n, &more), CRM_OK);
	ck_assert_int_ge(n, 1);
	ck_assert_int_eq(more, 1);
	ck_assert_ptr_nonnull(strstr(p.first, "Page "));
}
END_TEST

START_TEST(test_backup_copies_rows_with_private_mode)
{
	struct stat sb;
	char wal[160];

	add_people(5);
	ck_assert_int_eq(crm_db_backup(db, copy), CRM_OK);
	ck_assert_int_eq(stat(copy, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(raw_int(copy, "SELECT count(*) FROM contacts"), 5);
	ck_assert_int_eq(raw_int(copy, "PRAGMA user_version"), CRM_SCHEMA_VERSION);
	/* The copy stands alone: no write-ahead log beside it. */
	snprintf(wal, sizeof wal, "%s-wal", copy);
	ck_assert_int_ne(access(wal, F_OK), 0);
}
END_TEST

START_TEST(test_backup_refuses_existing_file)
{
	raw_exec(copy, "CREATE TABLE precious(x); INSERT INTO precious VALUES (1)");
	ck_assert_int_eq(crm_db_backup(db, copy), CRM_EIO);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), copy));
	/* What was there is left alone. */
	ck_assert_int_eq(raw_int(copy, "SELECT count(*) FROM precious"), 1);
}
END_TEST

START_TEST(test_backup_into_missing_directory_fails)
{
	char bad[160];

	snprintf(bad, sizeof bad, "%s/no/such/dir/copy.db", fx_dir);
	ck_assert_int_eq(crm_db_backup(db, bad), CRM_EIO);
	ck_assert_str_eq(crm_error_message() + strlen(crm_error_message()) -
	                 strlen("No such file or directory"), "No such file or directory");
}
END_TEST

struct figures {
	char text[2048];
};

static int keep_figure(void *arg, const char *name, const char *value)
{
	struct figures *f = arg;
	size_t len = strlen(f->text);

	snprintf(f->text + len, sizeof f->text - len, "%s=%s\n", name, value);
	return 0;
}

START_TEST(test_info_reports_path_version_and_counts)
{
	struct figures f = { "" };
	char want[160];

	add_people(4);
	ck_assert_int_eq(crm_db_info(db, keep_figure, &f), CRM_OK);
	snprintf(want, sizeof want, "path=%s\nschema_version=%d\n", fx_path, CRM_SCHEMA_VERSION);
	ck_assert_int_eq(strncmp(f.text, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(f.text, "\nrows.contacts=4\n"));
	ck_assert_ptr_nonnull(strstr(f.text, "\nrows.companies=0\n"));
	ck_assert_ptr_nonnull(strstr(f.text, "\nrows.audit=4\n"));
	/* Search-index internals are not tables a user knows about. */
	ck_assert_ptr_null(strstr(f.text, "fts"));
}
END_TEST

Suite *maintenance_suite(void)
{
	Suite *s = suite_create("maintenance");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_check_healthy);
	tcase_add_test(tc, test_check_finds_dangling_reference);
	tcase_add_test(tc, test_check_counts_each_problem);
	tcase_add_test(tc, test_check_damaged_page);
	tcase_add_test(tc, test_backup_copies_rows_with_private_mode);
	tcase_add_test(tc, test_backup_refuses_existing_file);
	tcase_add_test(tc, test_backup_into_missing_directory_fails);
	tcase_add_test(tc, test_info_reports_path_version_and_counts);
	suite_add_tcase(s, tc);
	return s;
}
