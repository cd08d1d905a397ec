/* check_audit.c - the audit log as crm-db audit reads it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static crm_db *db;
static const struct crm_entity *contact;

/* Opens the database as of time now, inside a write transaction. */
static void open_at(const char *now)
{
	setenv("CRM_NOW", now, 1);
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, NULL), CRM_OK);
	ck_assert_int_eq(crm_db_set_actor(db, "crm-test", "auditor"), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
}

static void setup(void)
{
	fx_scratch();
	contact = crm_entity_find("contact");
	open_at("2026-11-01T10:00:00Z");
}

static void teardown(void)
{
	fx_close(db);
}

/* Commits, and reopens the database at a later time. */
static void reopen_at(const char *now)
{
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	crm_db_close(db);
	open_at(now);
}

static int64_t add(const char *first, const char *city)
{
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", first), CRM_OK);
	if (city)
		ck_assert_int_eq(crm_record_set(r, "city", city), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	return id;
}

static void set_city(int64_t id, const char *city)
{
	crm_record *r;
	int changed;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "city", city), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	crm_record_free(r);
}

/* Collects entries as "id action changes|" lines, with the actor of the
 * last one. */
struct log {
	char text[1024];
	char who[64];
};

static int collect(void *arg, const char *const *v)
{
	struct log *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof l->text - len, "%s %s %s|", v[5], v[6], v[7]);
	snprintf(l->who, sizeof l->who, "%s %s %s %s", v[1], v[2], v[3], v[4]);
	return 0;
}

static const char *audit(const char *entity, int64_t id, const char *since)
{
	static struct log l;
	struct crm_audit_filter f = { entity, id, since };

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(crm_audit_list(db, &f, collect, &l), CRM_OK);
	return l.text;
}

START_TEST(test_add_and_set_are_rendered)
{
	int64_t id = add("Ada", "Paris");

	set_city(id, "Oslo");
	ck_assert_str_eq(audit(NULL, 0, NULL),
	                 "1 add created: first_name=Ada; city=Paris|"
	                 "1 set city: Paris \xe2\x86\x92 Oslo|");
}
END_TEST

START_TEST(test_empty_side_is_left_out)
{
	int64_t id = add("Ada", NULL);

	set_city(id, "Oslo");
	set_city(id, "");
	ck_assert_str_eq(audit("contact", id, "2026-11-01"),
	                 "1 add created: first_name=Ada|"
	                 "1 set city: \xe2\x86\x92 Oslo|"
	                 "1 set city: Oslo \xe2\x86\x92|");
}
END_TEST

START_TEST(test_entry_names_time_user_and_program)
{
	static struct log l;
	struct crm_audit_filter f = { NULL, 0, NULL };

	add("Ada", NULL);
	ck_assert_int_eq(crm_audit_list(db, &f, collect, &l), CRM_OK);
	ck_assert_str_eq(l.who, "2026-11-01T10:00:00Z auditor crm-test contact");
}
END_TEST

START_TEST(test_filters_by_entity_id_and_time)
{
	int64_t ada = add("Ada", NULL), bob;

	reopen_at("2026-11-20T08:00:00Z");
	bob = add("Bob", NULL);
	set_city(ada, "Rome");
	ck_assert_str_eq(audit("contact", bob, NULL), "2 add created: first_name=Bob|");
	ck_assert_str_eq(audit(NULL, ada, "2026-11-10"), "1 set city: \xe2\x86\x92 Rome|");
	ck_assert_str_eq(audit(NULL, 0, "2026-11-21"), "");
	ck_assert_str_eq(audit("company", 0, NULL), "");
}
END_TEST

START_TEST(test_relative_and_bad_since)
{
	struct crm_audit_filter f = { NULL, 0, "last tuesday" };
	static struct log l;

	add("Ada", NULL);
	reopen_at("2026-11-20T08:00:00Z");
	add("Bob", NULL);
	/* -7d from 2026-11-20 is 2026-11-13: only Bob's entry is newer. */
	ck_assert_str_eq(audit(NULL, 0, "-7d"), "2 add created: first_name=Bob|");
	ck_assert_int_eq(crm_audit_list(db, &f, collect, &l), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "invalid time 'last tuesday'");
}
END_TEST

static int stop_after_first(void *arg, const char *const *v)
{
	(void)v;
	++*(int *)arg;
	return 7;
}

START_TEST(test_callback_stops_the_walk)
{
	struct crm_audit_filter f = { NULL, 0, NULL };
	int calls = 0;

	add("Ada", NULL);
	add("Bob", NULL);
	ck_assert_int_eq(crm_audit_list(db, &f, stop_after_first, &calls), 7);
	ck_assert_int_eq(calls, 1);
}
END_TEST

START_TEST(test_purge_keeps_entries_but_drops_values)
{
	int64_t id = add("Ada", "Paris");

	set_city(id, "Oslo");
	ck_assert_int_eq(crm_entity_purge(db, contact, id), CRM_OK);
	/* The history of what happened stays; what the values were does not. */
	ck_assert_str_eq(audit("contact", id, NULL), "1 add add|1 set set|1 purge purge|");
}
END_TEST

Suite *audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_and_set_are_rendered);
	tcase_add_test(tc, test_empty_side_is_left_out);
	tcase_add_test(tc, test_entry_names_time_user_and_program);
	tcase_add_test(tc, test_filters_by_entity_id_and_time);
	tcase_add_test(tc, test_relative_and_bad_since);
	tcase_add_test(tc, test_callback_stops_the_walk);
	tcase_add_test(tc, test_purge_keeps_entries_but_drops_values);
	suite_add_tcase(s, tc);
	return s;
}
