/* check_kb.c - the knowledge base's logic that needs no program: line
 * diffs (expected hunks written as diff -u writes them, checked by hand
 * against GNU diff), the query suggest builds from a ticket's text, the
 * front matter reader, and revisions through the record API. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "crm/diff.h"
#include "crm/kb.h"

static char *udiff(const char *a, const char *b, int context)
{
	crm_buf out = CRM_BUF_INIT;

	ck_assert_int_eq(crm_diff_unified(&out, a, b, "a", "b", context), CRM_OK);
	return out.ptr ? crm_buf_detach(&out) : strdup("");
}

#define ck_diff(a, b, ctx, want) do { \
	char *got_ = udiff(a, b, ctx); \
	ck_assert_str_eq(got_, want); \
	free(got_); \
} while (0)

START_TEST(diff_same_is_empty)
{
	ck_diff("a\nb\nc", "a\nb\nc", 3, "");
	ck_diff(NULL, "", 3, "");
	ck_diff("a\nb\n", "a\nb", 3, ""); /* lines, not bytes */
}
END_TEST

START_TEST(diff_one_change)
{
	ck_diff("a\nb\nc", "a\nB\nc", 3, "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	ck_diff("a\nb\nc", "a\nB\nc", 0, "--- a\n+++ b\n@@ -2 +2 @@\n-b\n+B\n");
}
END_TEST

START_TEST(diff_insert_delete_at_ends)
{
	ck_diff("", "x\ny", 3, "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	ck_diff("x\ny", NULL, 3, "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n");
	ck_diff("b\nc", "a\nb\nc", 1, "--- a\n+++ b\n@@ -1 +1,2 @@\n+a\n b\n");
	ck_diff("a\nb", "a\nb\nc", 1, "--- a\n+++ b\n@@ -2 +2,2 @@\n b\n+c\n");
}
END_TEST

START_TEST(diff_separate_hunks)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10";
	const char *b = "1\nTWO\n3\n4\n5\n6\n7\n8\nNINE\n10";

	ck_diff(a, b, 1, "--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n-2\n+TWO\n 3\n"
	                 "@@ -8,3 +8,3 @@\n 8\n-9\n+NINE\n 10\n");
	/* Within two contexts of each other, changes share a hunk. */
	ck_diff(a, b, 3, "--- a\n+++ b\n@@ -1,10 +1,10 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n 6\n 7\n 8\n"
	                 "-9\n+NINE\n 10\n");
}
END_TEST

START_TEST(diff_is_minimal)
{
	size_t add, del;

	/* The classic example of Myers' paper: ABCABBA to CBABAC, 5 edits. */
	ck_assert_int_eq(crm_diff_stat("A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC", &add, &del), CRM_OK);
	ck_assert_uint_eq(add + del, 5);
	ck_assert_uint_eq(add, 2);
	ck_assert_uint_eq(del, 3);
	ck_assert_int_eq(crm_diff_stat("x\ny", "x\ny", &add, &del), CRM_OK);
	ck_assert_uint_eq(add + del, 0);
}
END_TEST

START_TEST(diff_large_stays_correct)
{
	/* Past the edit limit the middle is replaced wholesale: still a diff
	 * that turns a into b. */
	crm_buf a = CRM_BUF_INIT, b = CRM_BUF_INIT;
	size_t add, del;

	for (int i = 0; i < 3000; i++) {
		crm_buf_printf(&a, "a%d\n", i);
		crm_buf_printf(&b, "b%d\n", i);
	}
	ck_assert_int_eq(crm_diff_stat(a.ptr, b.ptr, &add, &del), CRM_OK);
	ck_assert_uint_eq(add, 3000);
	ck_assert_uint_eq(del, 3000);
	crm_buf_free(&a);
	crm_buf_free(&b);
}
END_TEST

static char *query(const char *text)
{
	char *q = NULL;

	ck_assert_int_eq(crm_kb_suggest_query(&q, text), CRM_OK);
	return q;
}

#define ck_query(text, want) do { \
	char *q_ = query(text); \
	if (want) ck_assert_str_eq(q_, want); else ck_assert_ptr_null(q_); \
	free(q_); \
} while (0)

START_TEST(suggest_significant_words)
{
	/* Each word as the start of a word, as search matches. */
	ck_query("Hello, I cannot RESET my password!", "\"reset\"* OR \"password\"*");
	ck_query("password password Password", "\"password\"*");
	ck_query("Müller's invoice", "\"muller's\"* OR \"invoice\"*");
	ck_query("Как сбросить пароль?", "\"сбросить\"* OR \"пароль\"*");
	ck_query("error 404 on page", "\"error\"* OR \"404\"* OR \"page\"*");
}
END_TEST

/* Text in a script without spaces is one run of letters: its terms are
 * the pairs of neighbouring characters, beside the words of other scripts
 * in it; a character alone is no term. */
START_TEST(suggest_unspaced_scripts)
{
	ck_query("パスワードを忘れました",
	         "\"パス\" OR \"スワ\" OR \"ワー\" OR \"ード\" OR \"ドを\" OR \"を忘\" OR"
	         " \"忘れ\" OR \"れま\" OR \"まし\" OR \"した\"");
	ck_query("iPhoneの画面", "\"iphone\"* OR \"の画\" OR \"画面\"");
	ck_query("猫 invoice 猫", "\"invoice\"*");
	ck_query("결제 오류", "\"결제\" OR \"오류\"");
}
END_TEST

START_TEST(suggest_nothing_significant)
{
	ck_query("", NULL);
	ck_query("Hi, can you help me? It is not ok.", NULL);
	ck_query("\"\" ( * ^ - : {} && || 42", NULL);
}
END_TEST

START_TEST(suggest_quotes_safely)
{
	/* No character of the text reaches the query unquoted. */
	ck_query("title:secret OR body:x NEAR(\"pass\" word)*",
	         "\"title\"* OR \"secret\"* OR \"body\"* OR \"near\"* OR \"pass\"* OR"
	         " \"word\"*");
}
END_TEST

START_TEST(suggest_at_most_32_terms)
{
	crm_buf t = CRM_BUF_INIT;
	char *q;
	int n = 1;

	for (int i = 0; i < 100; i++)
		crm_buf_printf(&t, "word%03d ", i);
	q = query(t.ptr);
	for (const char *p = q; (p = strstr(p, " OR ")); p++)
		n++;
	ck_assert_int_eq(n, 32);
	free(q);
	crm_buf_free(&t);
}
END_TEST

START_TEST(suggest_invalid_utf8)
{
	char *q = NULL;

	ck_assert_int_eq(crm_kb_suggest_query(&q, "bad \xff byte"), CRM_EDATA);
	ck_assert_ptr_null(q);
}
END_TEST

START_TEST(front_matter)
{
	struct crm_kb_doc d;

	ck_assert_int_eq(crm_kb_doc_parse(&d, "f.md", "---\ntitle: \"A: b\"\ntags: [x, y]\n"
	                                  "category:\n---\n\nBody\n"), CRM_OK);
	ck_assert_str_eq(d.value[CRM_KB_TITLE], "A: b");
	ck_assert_str_eq(d.value[CRM_KB_TAGS], "x,y");
	ck_assert_int_eq(d.has[CRM_KB_CATEGORY], 1);
	ck_assert_ptr_null(d.value[CRM_KB_CATEGORY]);
	ck_assert_int_eq(d.has[CRM_KB_STATUS], 0);
	ck_assert_uint_eq(d.line[CRM_KB_TAGS], 3);
	ck_assert_str_eq(d.body, "\nBody\n");
	crm_kb_doc_free(&d);
}
END_TEST

START_TEST(front_matter_errors)
{
	struct crm_kb_doc d;

	ck_assert_int_eq(crm_kb_doc_parse(&d, "f.md", "no fence\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "f.md:1: no front matter (the first line must be '---')");
	ck_assert_int_eq(crm_kb_doc_parse(&d, "f.md", "---\ntitle: x\n\nshoe: 1\n---\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "f.md:4:1: unknown field 'shoe' (an article has id,"
	                 " title, category, locale, status and tags)");
	ck_assert_int_eq(crm_kb_doc_parse(&d, "f.md", "---\ntitle: {a: b}\n---\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "f.md:2:8: title: expected text, found a mapping");
	ck_assert_int_eq(crm_kb_doc_parse(&d, "f.md", "---\ntitle: x\ntitle: y\n---\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "f.md:3:1: duplicate key 'title'");
}
END_TEST

START_TEST(revisions_through_records)
{
	crm_db *db = fx_open(true);
	const struct crm_entity *e = crm_entity_find("article");
	crm_record *r;
	int64_t id, rev;
	int changed;
	crm_buf out = CRM_BUF_INIT;

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(crm_record_new(&r, e), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "title", "T"), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "body", "one\ntwo"), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	ck_assert_int_eq(crm_record_new(&r, e), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "owner", "someone"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_kb_rev(db, id, &rev), CRM_OK);
	ck_assert_int_eq(rev, 1); /* the owner is not the text */
	ck_assert_int_eq(crm_record_set(r, "body", "one\n2"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_OK);
	ck_assert_int_eq(crm_kb_rev(db, id, &rev), CRM_OK);
	ck_assert_int_eq(rev, 2);
	ck_assert_int_eq(crm_kb_diff(db, id, 1, 0, &out), CRM_OK);
	ck_assert_str_eq(out.ptr, "--- article 1 revision 1\n+++ article 1 revision 2\n"
	                 "@@ -1,2 +1,2 @@\n one\n-two\n+2\n");
	ck_assert_int_eq(crm_kb_revert(db, id, 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_kb_rev(db, id, &rev), CRM_OK);
	ck_assert_int_eq(rev, 3);
	ck_assert_int_eq(crm_kb_revert(db, id, 7, &changed), CRM_ENOTFOUND);
	crm_record_free(r);
	crm_buf_free(&out);
	fx_close(db);
}
END_TEST

Suite *kb_suite(void)
{
	Suite *s = suite_create("kb");
	TCase *t = tcase_create("diff");

	tcase_add_test(t, diff_same_is_empty);
	tcase_add_test(t, diff_one_change);
	tcase_add_test(t, diff_insert_delete_at_ends);
	tcase_add_test(t, diff_separate_hunks);
	tcase_add_test(t, diff_is_minimal);
	tcase_add_test(t, diff_large_stays_correct);
	suite_add_tcase(s, t);
	t = tcase_create("suggest");
	tcase_add_test(t, suggest_significant_words);
	tcase_add_test(t, suggest_nothing_significant);
	tcase_add_test(t, suggest_unspaced_scripts);
	tcase_add_test(t, suggest_quotes_safely);
	tcase_add_test(t, suggest_at_most_32_terms);
	tcase_add_test(t, suggest_invalid_utf8);
	suite_add_tcase(s, t);
	t = tcase_create("articles");
	tcase_add_test(t, front_matter);
	tcase_add_test(t, front_matter_errors);
	tcase_add_test(t, revisions_through_records);
	suite_add_tcase(s, t);
	return s;
}
