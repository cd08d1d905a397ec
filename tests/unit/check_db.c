/* check_db.c - opening, schema versions, transactions, check and backup. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm.h"
#include "../../libcore/internal.h"

static char dir[64];
static char path[128];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/crm-check-db.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/crm.db", dir);
	setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1);
	unsetenv("CRM_BUSY_TIMEOUT");
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Sets the schema version of the file behind the library's back. */
static void set_user_version(int v)
{
	sqlite3 *h;
	char sql[64];

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

START_TEST(test_open_creates_0600_with_schema)
{
	crm_db *db;
	struct stat sb;
	int v;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_schema_version(db, &v), CRM_OK);
	ck_assert_int_eq(v, CRM_SCHEMA_VERSION);
	crm_db_close(db);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
}
END_TEST

START_TEST(test_nocreate_and_readonly_need_a_file)
{
	crm_db *db;

	ck_assert_int_eq(crm_db_open(&db, path, CRM_DB_NOCREATE, NULL), CRM_ENOTFOUND);
	ck_assert_ptr_null(db);
	ck_assert_int_eq(crm_db_open(&db, path, CRM_DB_READONLY, NULL), CRM_ENOTFOUND);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_newer_schema_is_refused)
{
	crm_db *db;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	crm_db_close(db);
	set_user_version(CRM_SCHEMA_VERSION + 1);
	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_ESCHEMA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "newer"));
}
END_TEST

START_TEST(test_older_schema_is_migrated)
{
	crm_db *db;
	int v, from = -1;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	crm_db_close(db);
	/* An empty file at version 0 stands for a database from before v1. */
	unlink(path);
	set_user_version(0);
	ck_assert_int_eq(crm_db_open(&db, path, CRM_DB_NOMIGRATE, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_schema_version(db, &v), CRM_OK);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(crm_db_migrate(db, &from), CRM_OK);
	ck_assert_int_eq(from, 0);
	ck_assert_int_eq(crm_db_schema_version(db, &v), CRM_OK);
	ck_assert_int_eq(v, CRM_SCHEMA_VERSION);
	crm_db_close(db);
}
END_TEST

START_TEST(test_readonly_refuses_writes)
{
	crm_db *db;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	crm_db_close(db);
	ck_assert_int_eq(crm_db_open(&db, path, CRM_DB_READONLY, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_EREADONLY);
	ck_assert_int_eq(crm_db_begin(db, false), CRM_OK);
	crm_db_close(db);
}
END_TEST

/* The number a PRAGMA or count gives, as the connection sees it. */
static int number(crm_db *db, const char *sql)
{
	int n = -1;

	ck_assert_int_eq(crm_db_int(db, sql, &n), CRM_OK);
	return n;
}

/* The temporary store moves inside a transaction and back; once a
 * temporary table exists SQLite refuses, and it stays, with nothing to
 * move back. */
START_TEST(test_temp_store_moves_unless_refused)
{
	crm_db *db;
	int was = -1;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_db_temp_store(db, 1, &was), CRM_OK);
	ck_assert_int_eq(was, 0);
	ck_assert_int_eq(number(db, "PRAGMA temp_store"), 1);
	ck_assert_int_eq(crm_db_temp_store(db, was, &was), CRM_OK);
	ck_assert_int_eq(number(db, "PRAGMA temp_store"), 0);
	ck_assert_int_eq(crm_db_exec(db, "CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1)"), CRM_OK);
	ck_assert_int_eq(crm_db_temp_store(db, 2, &was), CRM_OK);
	ck_assert_int_eq(was, 2);
	ck_assert_int_eq(number(db, "PRAGMA temp_store"), 0);
	crm_db_rollback(db);
	crm_db_close(db);
}
END_TEST

/* Whether index name is among those a drop saved ("name\0sql\0"...). */
static int saved_has(const crm_buf *saved, const char *name)
{
	return memmem(saved->ptr, saved->len, name, strlen(name) + 1) != NULL;
}

/* A table's indexes dropped and built again come back as they were; a
 * build that fails puts the page cache, the temporary store and the
 * sorter's threads back as it found them all the same. */
START_TEST(test_indexes_dropped_and_built_again)
{
	crm_db *db;
	static const char bad_sql[] = "nope\0CREATE INDEX nope ON no_such_table(x)";
	crm_buf saved = CRM_BUF_INIT, bad = CRM_BUF_INIT;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_db_cache_mb(db, 20), CRM_OK);
	ck_assert_int_eq(crm_indexes_drop(db, "contacts", "[\"phone_e164\"]", &saved), CRM_OK);
	ck_assert(saved_has(&saved, "contacts_name_key"));
	ck_assert(!saved_has(&saved, "contacts_phone") && !saved_has(&saved, "contacts_email_live"));
	ck_assert_int_eq(number(db, "SELECT count(*) FROM sqlite_master WHERE name = 'contacts_name_key'"), 0);
	ck_assert_int_eq(crm_indexes_build(db, &saved), CRM_OK);
	ck_assert_int_eq(number(db, "SELECT count(*) FROM sqlite_master WHERE name = 'contacts_name_key'"), 1);
	crm_buf_put(&bad, bad_sql, sizeof bad_sql);
	ck_assert_int_ne(crm_indexes_build(db, &bad), CRM_OK);
	ck_assert_int_eq(number(db, "PRAGMA cache_size"), -20480);
	ck_assert_int_eq(number(db, "PRAGMA temp_store"), 0);
	ck_assert_int_eq(number(db, "PRAGMA threads"), 0);
	crm_buf_free(&saved);
	crm_buf_free(&bad);
	crm_db_rollback(db);
	crm_db_close(db);
}
END_TEST

START_TEST(test_resolve_path_order)
{
	char *p;

	setenv("CRM_DB", "/env.db", 1);
	ck_assert_int_eq(crm_db_resolve_path(&p, "/explicit.db", NULL), CRM_OK);
	ck_assert_str_eq(p, "/explicit.db");
	free(p);
	ck_assert_int_eq(crm_db_resolve_path(&p, NULL, NULL), CRM_OK);
	ck_assert_str_eq(p, "/env.db");
	free(p);
	unsetenv("CRM_DB");
	setenv("XDG_DATA_HOME", "/xdg", 1);
	ck_assert_int_eq(crm_db_resolve_path(&p, NULL, NULL), CRM_OK);
	ck_assert_str_eq(p, "/xdg/crm/crm.db");
	free(p);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(crm_db_resolve_path(&p, NULL, NULL), CRM_OK);
	ck_assert_str_eq(p, "/home/u/.local/share/crm/crm.db");
	free(p);
}
END_TEST

static int count_problem(void *arg, const char *problem)
{
	(void)problem;
	++*(int *)arg;
	return 0;
}

START_TEST(test_check_and_backup)
{
	crm_db *db;
	char copy[160];
	struct stat sb;
	long n = -1;
	int seen = 0, more = -1;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_check(db, count_problem, &seen, &n, &more), CRM_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(seen, 0);
	snprintf(copy, sizeof copy, "%s/copy.db", dir);
	ck_assert_int_eq(crm_db_backup(db, copy), CRM_OK);
	ck_assert_int_eq(stat(copy, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(crm_db_backup(db, copy), CRM_EIO);
	crm_db_close(db);
}
END_TEST

START_TEST(test_busy_timeout_from_environment)
{
	crm_db *a, *b;

	ck_assert_int_eq(crm_db_open(&a, path, 0, NULL), CRM_OK);
	setenv("CRM_BUSY_TIMEOUT", "10", 1);
	ck_assert_int_eq(crm_db_open(&b, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_begin(a, true), CRM_OK);
	ck_assert_int_eq(crm_db_begin(b, true), CRM_EBUSY);
	ck_assert_int_eq(crm_exit_status(crm_error_code()), 4);
	crm_db_rollback(a);
	ck_assert_int_eq(crm_db_begin(b, true), CRM_OK);
	crm_db_close(a);
	crm_db_close(b);
	setenv("CRM_BUSY_TIMEOUT", "soon", 1);
	ck_assert_int_eq(crm_db_open(&a, path, 0, NULL), CRM_EUSAGE);
	unsetenv("CRM_BUSY_TIMEOUT");
}
END_TEST

/* Schema step 14's rewrite: each IN list of words becomes comparisons;
 * text that is not such a list stays as it was. */
/* A sum past 2^63 - 1 is bad data (exit 3), told as such, where any
 * other failure of a statement is the program's (exit 1). */
START_TEST(test_sum_overflow_is_bad_data)
{
	crm_db *db;
	crm_stmt *st;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_stmt(db, &st, "SELECT sum(x) FROM (SELECT 9223372036854775807 AS x"
	                             " UNION ALL SELECT 1)"), CRM_OK);
	ck_assert_int_eq(crm_stmt_step(st), CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "a sum is out of range"));
	crm_stmt_reset(st);
	ck_assert_int_eq(crm_db_stmt(db, &st, "SELECT json('{')"), CRM_OK);
	ck_assert_int_eq(crm_stmt_step(st), CRM_EFAIL);
	crm_stmt_reset(st);
	crm_db_close(db);
}
END_TEST

START_TEST(test_check_lists_become_comparisons)
{
	static const char *const cases[][2] = {
		{ "x TEXT CHECK (status IN ('a','b','c')), y INT",
		  "x TEXT CHECK ((status = 'a' OR status = 'b' OR status = 'c')), y INT" },
		{ "CHECK (kind IN ('one', 'two')) CHECK (is_on IN ('yes','no'))",
		  "CHECK ((kind = 'one' OR kind = 'two')) CHECK ((is_on = 'yes' OR is_on = 'no'))" },
		/* A quote inside a word, a list of numbers, no list at all. */
		{ "CHECK (s IN ('it''s','b'))", "CHECK (s IN ('it''s','b'))" },
		{ "CHECK (n IN (1, 2, 3))", "CHECK (n IN (1, 2, 3))" },
		{ "CHECK (s IN ('a',", "CHECK (s IN ('a'," },
		{ "CREATE TABLE t (a)", "CREATE TABLE t (a)" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = crm_schema_check_lists(cases[i][0]);

		ck_assert_str_eq(got, cases[i][1]);
		free(got);
	}
}
END_TEST

/* Whether the statement sql, as db would run it, builds a temporary
 * b-tree (EXPLAIN's OpenEphemeral). */
static int builds_ephemeral(crm_db *db, const char *sql)
{
	char explain[256];
	crm_stmt *st;
	int found = 0;

	snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
	ck_assert_int_eq(crm_db_prepare(db, &st, explain), CRM_OK);
	while (crm_stmt_step(st) == CRM_ROW)
		found |= !strcmp(crm_stmt_text(st, 1), "OpenEphemeral");
	crm_stmt_finalize(st);
	return found;
}

/* The text of the first column of sql's first row, run on db. */
static char *first_text(crm_db *db, const char *sql)
{
	crm_stmt *st;
	char *s = NULL;

	ck_assert_int_eq(crm_db_prepare(db, &st, sql), CRM_OK);
	if (crm_stmt_step(st) == CRM_ROW)
		s = strdup(crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	return s;
}

#define ck_highlight(db, match, want) do { \
	char *got_ = first_text(db, "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH '" \
	                        match "' ORDER BY rowid"); \
	ck_assert_ptr_nonnull(got_); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

/* A database with search table t(a), tokenized by "crm" as the schema's
 * are, holding rows (an INSERT's VALUES of rowid and a). */
static crm_db *fts_table(const char *rows)
{
	crm_db *db;
	char sql[1024];

	ck_assert_int_lt(snprintf(sql, sizeof sql, "CREATE VIRTUAL TABLE t USING fts5(a,"
	                          " tokenize = 'crm remove_diacritics 2');"
	                          "INSERT INTO t(rowid, a) VALUES %s", rows), (int)sizeof sql);
	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_exec(db, sql), CRM_OK);
	return db;
}

/* Checks t's index against its text, and closes the database. */
static void fts_done(crm_db *db)
{
	ck_assert_int_eq(crm_db_exec(db, "INSERT INTO t(t, rank) VALUES ('integrity-check', 1)"),
	                 CRM_OK);
	crm_db_close(db);
}

/* The tokenizer "crm" makes each character of Chinese, Japanese, Korean
 * and Thai a token, so a word is found inside text written without
 * spaces, with the offsets of what it found (highlight, snippets); keeps
 * a word whole across its marks, of which it leaves out the accents; and
 * folds the rest as the match key does (the next test). */
START_TEST(test_tokenizer_finds_words_inside_unspaced_text)
{
	crm_db *db = fts_table("(1, '株式会社トヨタ自動車'), (2, 'iPhone用ケース'),"
	                       " (3, 'Café東京 Müller'), (4, '김민수'), (5, 'สมชายใจดี'),"
	                       " (6, '山田 太郎'), (7, 'مُحَمَّد علي'), (8, 'प्रिया शर्मा'),"
	                       " (9, 'रीमा'), (10, 'राम')");
	char *got;

	ck_highlight(db, "\"トヨタ\"", "株式会社[トヨタ]自動車");
	ck_highlight(db, "\"自動\"*", "株式会社トヨタ[自動]車");
	ck_highlight(db, "iphone", "[iPhone]用ケース");
	ck_highlight(db, "\"ケース\"", "iPhone用[ケース]");
	ck_highlight(db, "cafe", "[Café]東京 Müller");
	ck_highlight(db, "\"東京\"", "Café[東京] Müller");
	ck_highlight(db, "muller", "Café東京 [Müller]");
	ck_highlight(db, "\"민수\"", "김[민수]");
	ck_highlight(db, "\"ใจ\"", "สมชาย[ใจ]ดี");
	/* The characters must be neighbours and in order. */
	ck_assert_ptr_null(first_text(db, "SELECT rowid FROM t WHERE t MATCH '\"ヨト\"'"));
	ck_assert_ptr_null(first_text(db, "SELECT rowid FROM t WHERE t MATCH '\"トタ\"'"));
	ck_highlight(db, "\"太郎\"", "山田 [太郎]");
	/* Marks are part of a word; accents are left out of its token, the
	 * marks that are letters (a vowel sign) are not. */
	ck_highlight(db, "\"محمد\"", "[مُحَمَّد] علي");
	ck_highlight(db, "\"مُحَمَّد\"", "[مُحَمَّد] علي");
	ck_highlight(db, "\"शर्मा\"", "प्रिया [शर्मा]");
	ck_highlight(db, "\"प्रि\"*", "[प्रिया] शर्मा");
	ck_assert_ptr_null(first_text(db, "SELECT rowid FROM t WHERE t MATCH '\"शर्मा प्रिया\"'"));
	got = first_text(db, "SELECT group_concat(rowid) FROM t WHERE t MATCH '\"राम\"'");
	ck_assert_str_eq(got, "10");
	free(got);
	ck_assert_ptr_null(first_text(db, "SELECT rowid FROM t WHERE t MATCH '\"रम\"'"));
	fts_done(db);
}
END_TEST

/* Outside the unspaced scripts a word is folded as the match key folds
 * it, not as unicode61 does (accents off Latin letters alone): letters
 * without a decomposition, Greek and Cyrillic accents, Arabic's hamza,
 * full-width letters.  Kana keep their marks. */
START_TEST(test_tokenizer_folds_words_as_the_match_key)
{
	crm_db *db = fts_table("(1, 'Łódź Straße'), (2, 'Ørsted Αθήνα'), (3, 'ёлка Œuvre'),"
	                       " (4, 'أحمد'), (5, 'Ｔｏｙｏｔａ東京'), (6, 'パン'), (7, 'ハン')");
	char *got;

	ck_highlight(db, "lodz", "[Łódź] Straße");
	ck_highlight(db, "strasse", "Łódź [Straße]");
	ck_highlight(db, "\"Straße\"", "Łódź [Straße]");
	ck_highlight(db, "orsted", "[Ørsted] Αθήνα");
	ck_highlight(db, "\"αθηνα\"", "Ørsted [Αθήνα]");
	ck_highlight(db, "\"елка\"", "[ёлка] Œuvre");
	ck_highlight(db, "oeuvre", "ёлка [Œuvre]");
	ck_highlight(db, "\"احمد\"", "[أحمد]");
	ck_highlight(db, "toyota", "[Ｔｏｙｏｔａ]東京");
	ck_highlight(db, "\"東京\"", "Ｔｏｙｏｔａ[東京]");
	ck_highlight(db, "\"ハン\"", "[ハン]");
	got = first_text(db, "SELECT group_concat(rowid) FROM t WHERE t MATCH '\"パン\"'");
	ck_assert_str_eq(got, "6");
	free(got);
	fts_done(db);
}
END_TEST

/* The connection that migrates to version 14 writes with the new CHECKs
 * at once: the schema cookie moved on, so it read the schema again. */
START_TEST(test_migration_to_14_is_read_at_once)
{
	static const char insert[] =
		"INSERT INTO contacts (created_at, updated_at) VALUES ('a', 'b')";
	crm_db *db;
	sqlite3 *h;

	ck_assert_int_eq(crm_db_open(&db, path, 0, NULL), CRM_OK);
	ck_assert(!builds_ephemeral(db, insert));
	crm_db_close(db);
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "PRAGMA writable_schema = ON;"
	                              "UPDATE sqlite_schema SET sql = replace(sql, '(status = ''lead''"
	                              " OR status = ''prospect'' OR status = ''customer'' OR status ="
	                              " ''inactive'')', 'status IN (''lead'', ''prospect'', ''customer'',"
	                              " ''inactive'')') WHERE name = 'contacts';"
	                              "PRAGMA schema_version = 1000; PRAGMA writable_schema = OFF;"
	                              "PRAGMA user_version = 13", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(crm_db_open(&db, path, CRM_DB_NOMIGRATE, NULL), CRM_OK);
	ck_assert(builds_ephemeral(db, insert));
	ck_assert_int_eq(crm_db_migrate(db, &(int){ 0 }), CRM_OK);
	ck_assert(!builds_ephemeral(db, insert));
	crm_db_close(db);
}
END_TEST

Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_creates_0600_with_schema);
	tcase_add_test(tc, test_nocreate_and_readonly_need_a_file);
	tcase_add_test(tc, test_newer_schema_is_refused);
	tcase_add_test(tc, test_older_schema_is_migrated);
	tcase_add_test(tc, test_readonly_refuses_writes);
	tcase_add_test(tc, test_temp_store_moves_unless_refused);
	tcase_add_test(tc, test_indexes_dropped_and_built_again);
	tcase_add_test(tc, test_resolve_path_order);
	tcase_add_test(tc, test_check_and_backup);
	tcase_add_test(tc, test_busy_timeout_from_environment);
	tcase_add_test(tc, test_check_lists_become_comparisons);
	tcase_add_test(tc, test_sum_overflow_is_bad_data);
	tcase_add_test(tc, test_migration_to_14_is_read_at_once);
	tcase_add_test(tc, test_tokenizer_finds_words_inside_unspaced_text);
	tcase_add_test(tc, test_tokenizer_folds_words_as_the_match_key);
	suite_add_tcase(s, tc);
	return s;
}
