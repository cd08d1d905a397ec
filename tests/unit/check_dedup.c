/* check_dedup.c - scoring of known pairs, clusters, explanations, merge
 * input parsing, and merge/unmerge at the library level. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "fixture.h"

static crm_db *db;

static void setup(void)
{
	db = fx_open(true);
}

static void teardown(void)
{
	fx_close(db);
}

/* Adds a contact from "field=value|..." and returns its id. */
static int64_t add(const char *pairs)
{
	char *copy = strdup(pairs), *save = NULL, *p;
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("contact")), CRM_OK);
	for (p = strtok_r(copy, "|", &save); p; p = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(p, '=');

		*eq = '\0';
		ck_assert_int_eq(crm_record_set(r, p, eq + 1), CRM_OK);
	}
	ck_assert_msg(crm_entity_add(db, r, &id) == CRM_OK, "%s", crm_error_message());
	crm_record_free(r);
	free(copy);
	return id;
}

static void people(void)
{
	add("first_name=Robert|last_name=Lovelace|email=bob@example.org|birth_date=1975-03-12|city=London");
	add("first_name=Bob|last_name=Lovelace|birth_date=1975-03-12|city=London");
	add("first_name=Ada|last_name=Byron|birth_date=1985-12-10|city=London");
	add("first_name=Grace|last_name=Hopper|birth_date=1906-12-09|city=New York");
	add("first_name=Marie|last_name=Curie|birth_date=1867-11-07|city=Paris");
}

struct seen {
	int64_t a[16], b[16];
	double p[16];
	int n;
};

static int note_pair(void *arg, const struct crm_dedup_pair *p)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->a[s->n] = p->a;
		s->b[s->n] = p->b;
		s->p[s->n++] = p->probability;
	}
	return 0;
}

START_TEST(known_pair_scores_high_others_low)
{
	crm_dedup *d;
	struct seen all = { 0 }, sure = { 0 };
	int i;

	people();
	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	ck_assert_int_eq(crm_dedup_run(d), CRM_OK);
	ck_assert_int_eq(crm_dedup_pairs(d, 0.0, note_pair, &all), CRM_OK);
	ck_assert_int_eq(crm_dedup_pairs(d, CRM_DEDUP_THRESHOLD, note_pair, &sure), CRM_OK);
	ck_assert_int_eq(sure.n, 1);
	ck_assert(sure.a[0] == 1 && sure.b[0] == 2);
	for (i = 0; i < all.n; i++)
		if (all.a[i] != 1 || all.b[i] != 2)
			ck_assert_msg(all.p[i] < 0.5, "%lld-%lld scored %f", (long long)all.a[i],
			              (long long)all.b[i], all.p[i]);
	crm_dedup_free(d);
}
END_TEST

static int count_rows(void *arg, const char *const *vals)
{
	(void)vals;
	(*(int *)arg)++;
	return 0;
}

START_TEST(explain_has_every_field_and_unknown_ids_fail)
{
	crm_dedup *d;
	int rows = 0;

	people();
	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	crm_dedup_threads(d, 1);
	ck_assert_int_eq(crm_dedup_run(d), CRM_OK);
	ck_assert_int_eq(crm_dedup_explain(d, 1, 2, count_rows, &rows), CRM_OK);
	ck_assert_int_eq(rows, 12); /* 10 fields, prior, total */
	ck_assert_int_eq(crm_dedup_explain(d, 1, 99, count_rows, &rows), CRM_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "contact 99"));
	crm_dedup_free(d);
}
END_TEST

START_TEST(since_needs_a_batch_or_date)
{
	crm_dedup *d;

	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	ck_assert_int_eq(crm_dedup_since(d, "last"), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_dedup_since(d, "7"), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_dedup_since(d, "not a date"), CRM_EUSAGE);
	ck_assert_int_eq(crm_dedup_since(d, "2026-01-01"), CRM_OK);
	crm_dedup_free(d);
}
END_TEST

/* A household: a husband and wife, their son, twin daughters and the
 * husband's father of the same first name, each with their own birth date
 * and email, sharing a surname, home phone and address; then the son and
 * one twin entered again at a counter, without email. */
static void household(void)
{
	static const char *const people[] = {
		"first_name=Aziz|last_name=Karimov|birth_date=1970-04-02|email=aziz@example.uz",
		"first_name=Dilnoza|last_name=Karimova|birth_date=1973-11-19|email=dilnoza@example.uz",
		"first_name=Jasur|last_name=Karimov|birth_date=1996-09-15|email=jasur@example.uz",
		"first_name=Malika|last_name=Karimova|birth_date=2001-06-30|email=malika@example.uz",
		"first_name=Nodira|last_name=Karimova|birth_date=2001-06-30|email=nodira@example.uz",
		"first_name=Aziz|last_name=Karimov|birth_date=1945-01-20|email=aziz.aka@example.uz",
		"first_name=Jasur|last_name=Karimov|birth_date=1996-09-15",
		"first_name=Nodira|last_name=Karimova|birth_date=2001-06-30",
	};
	char buf[512];

	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
		snprintf(buf, sizeof buf, "%s|phone=+998 71 123 45 67|street=12 Navoi Street"
		         "|city=Tashkent|postal_code=100011|country=UZ", people[i]);
		add(buf);
	}
}

struct members {
	long cluster[16];
	int n;
};

static int note_member(void *arg, const struct crm_dedup_member *m)
{
	struct members *s = arg;

	if (m->id < 16)
		s->cluster[m->id] = m->cluster;
	s->n++;
	return 0;
}

/* Relatives share everything a household shares and still score low; a
 * record entered twice still scores high. */
START_TEST(household_members_stay_apart)
{
	crm_dedup *d;
	struct seen sure = { 0 };

	household();
	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	ck_assert_int_eq(crm_dedup_run(d), CRM_OK);
	ck_assert_int_eq(crm_dedup_pairs(d, CRM_DEDUP_THRESHOLD, note_pair, &sure), CRM_OK);
	for (int i = 0; i < sure.n; i++)
		ck_assert_msg((sure.a[i] == 3 && sure.b[i] == 7) || (sure.a[i] == 5 && sure.b[i] == 8) ||
		              (sure.a[i] == 4 && sure.b[i] == 8),
		              "%lld-%lld scored %f", (long long)sure.a[i], (long long)sure.b[i],
		              sure.p[i]);
	crm_dedup_free(d);
}
END_TEST

/* The second entry of one twin matches that twin better than the other,
 * and the twins, whose emails and first names differ, never share a
 * cluster through it. */
START_TEST(twin_duplicate_joins_one_twin)
{
	crm_dedup *d;
	struct members m = { { 0 }, 0 };

	household();
	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	ck_assert_int_eq(crm_dedup_run(d), CRM_OK);
	ck_assert_int_eq(crm_dedup_clusters(d, CRM_DEDUP_THRESHOLD, note_member, &m), CRM_OK);
	ck_assert_int_eq(m.n, 4);
	ck_assert(m.cluster[3] && m.cluster[3] == m.cluster[7]);
	ck_assert(m.cluster[5] && m.cluster[5] == m.cluster[8]);
	ck_assert(m.cluster[3] != m.cluster[5]);
	ck_assert_int_eq(m.cluster[4], 0);
	crm_dedup_free(d);
}
END_TEST

static int find_household_row(void *arg, const char *const *vals)
{
	if (!strcmp(vals[0], "household"))
		*(double *)arg = strtod(vals[6], NULL);
	return 0;
}

/* --explain shows what the household rule took away. */
START_TEST(explain_shows_household_rule)
{
	crm_dedup *d;
	double took = 0.0;

	household();
	ck_assert_int_eq(crm_dedup_new(&d, db), CRM_OK);
	ck_assert_int_eq(crm_dedup_run(d), CRM_OK);
	ck_assert_int_eq(crm_dedup_explain(d, 1, 2, find_household_row, &took), CRM_OK);
	ck_assert_msg(took < -10.0, "household row took %f", took);
	took = 1.0;
	ck_assert_int_eq(crm_dedup_explain(d, 3, 7, find_household_row, &took), CRM_OK);
	ck_assert(took == 1.0);
	crm_dedup_free(d);
}
END_TEST

/* Reads text as merge input named "in"; returns the status. */
static int read_input(const char *text, struct crm_merge_input *in)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	memset(in, 0, sizeof *in);
	in->name = "in";
	rc = crm_merge_input_read(in, fp, CRM_FORMAT_TSV);
	fclose(fp);
	return rc;
}

static void input_fails(const char *text, const char *message)
{
	struct crm_merge_input in;

	ck_assert_int_eq(read_input(text, &in), CRM_EDATA);
	ck_assert_msg(strstr(crm_error_message(), message), "'%s' not in '%s'", message,
	              crm_error_message());
	crm_merge_input_free(&in);
}

START_TEST(merge_input_groups_clusters)
{
	struct crm_merge_input in;

	ck_assert_int_eq(read_input("cluster\tid\tupdated_at\n1\t4\t2026-01-01T00:00:00Z\n"
	                            "1\t2\t\nb\t7\t\nb\t9\t\n", &in), CRM_OK);
	ck_assert_int_eq(in.n, 2);
	ck_assert_str_eq(in.g[0].cluster, "1");
	ck_assert_int_eq(in.g[0].n, 2);
	ck_assert_int_eq(in.g[0].m[0].id, 4);
	ck_assert_int_eq(in.g[0].m[0].line, 2);
	ck_assert_str_eq(in.g[0].m[0].updated_at, "2026-01-01T00:00:00Z");
	ck_assert_ptr_null(in.g[0].m[1].updated_at);
	ck_assert_str_eq(in.g[1].cluster, "b");
	ck_assert_int_eq(in.g[1].m[1].id, 9);
	crm_merge_input_free(&in);
}
END_TEST

START_TEST(merge_input_errors_name_the_line)
{
	input_fails("cluster\tid\n1\t1\n1\t1\n", "in:3: contact 1 is already in a cluster (line 2)");
	input_fails("cluster\tid\n1\t1\n2\t2\n2\t3\n", "in:2: cluster 1 has only contact 1");
	input_fails("cluster\tid\n1\t1\n1\tx\n", "in:3: id: 'x' is not a contact id");
	input_fails("cluster\tid\n1\t1\n1\t-4\n", "in:3: id: '-4' is not a contact id");
	input_fails("cluster\tid\n1\t1\n1\t99999999999999999999\n",
	            "in:3: id: '99999999999999999999' is not a contact id");
	input_fails("cluster\tid\n\t1\n", "in:2: cluster: empty");
	input_fails("id\n1\n", "in: a merge needs the columns cluster and id");
	input_fails("cluster\tid\n1\t1\t3\n", "in:2:");
}
END_TEST

START_TEST(merge_then_unmerge_restores)
{
	struct crm_merge_opts o = { 0 };
	int64_t ids[2] = { 1, 2 }, merge, survivor;
	int changed;

	people();
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), 2, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(crm_merge(db, ids, 2, &o, &merge, &survivor), CRM_OK);
	ck_assert_int_eq(survivor, 1);
	ck_assert_int_eq(crm_entity_exists(db, crm_entity_find("contact"), 2), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_unmerge(db, merge, 0), CRM_OK);
	ck_assert_int_eq(crm_entity_exists(db, crm_entity_find("contact"), 2), CRM_OK);
	ck_assert_int_eq(crm_unmerge(db, merge, 0), CRM_EFAIL);
	ck_assert_int_eq(crm_unmerge(db, 77, 0), CRM_ENOTFOUND);
}
END_TEST

START_TEST(merge_refuses_bad_groups)
{
	struct crm_merge_opts o = { 0 };
	int64_t one[1] = { 1 }, twice[2] = { 1, 1 }, missing[2] = { 1, 42 }, pair[2] = { 1, 2 };
	int64_t merge, survivor;

	people();
	ck_assert_int_eq(crm_merge(db, one, 1, &o, &merge, &survivor), CRM_EDATA);
	ck_assert_int_eq(crm_merge(db, twice, 2, &o, &merge, &survivor), CRM_EDATA);
	ck_assert_int_eq(crm_merge(db, missing, 2, &o, &merge, &survivor), CRM_ENOTFOUND);
	o.into = 5; /* not one of the group */
	ck_assert_int_eq(crm_merge(db, pair, 2, &o, &merge, &survivor), CRM_EUSAGE);
}
END_TEST

Suite *dedup_suite(void)
{
	Suite *s = suite_create("dedup");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, known_pair_scores_high_others_low);
	tcase_add_test(tc, explain_has_every_field_and_unknown_ids_fail);
	tcase_add_test(tc, since_needs_a_batch_or_date);
	tcase_add_test(tc, household_members_stay_apart);
	tcase_add_test(tc, twin_duplicate_joins_one_twin);
	tcase_add_test(tc, explain_shows_household_rule);
	tcase_add_test(tc, merge_input_groups_clusters);
	tcase_add_test(tc, merge_input_errors_name_the_line);
	tcase_add_test(tc, merge_then_unmerge_restores);
	tcase_add_test(tc, merge_refuses_bad_groups);
	suite_add_tcase(s, tc);
	return s;
}
