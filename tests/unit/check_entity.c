/* check_entity.c - the field registry, writes, queries and contact extras. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static crm_db *db;
static const struct crm_entity *contact, *company;

static void setup(void)
{
	db = fx_open(true);
	contact = crm_entity_find("contact");
	company = crm_entity_find("company");
}

static void teardown(void)
{
	fx_close(db);
}

/* Adds a contact from "field=value" pairs and returns its id. */
static int64_t add(const char *first, const char *email)
{
	crm_record *r;
	int64_t id = 0;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", first), CRM_OK);
	if (email)
		ck_assert_int_eq(crm_record_set(r, "email", email), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	return id;
}

struct collect {
	char out[512];
};

static int collect_row(void *arg, const char *const *vals)
{
	struct collect *c = arg;
	size_t len = strlen(c->out);

	snprintf(c->out + len, sizeof c->out - len, "%s;", vals[0] ? vals[0] : "-");
	return 0;
}

/* Runs list with one filter and returns the ids found as "1;2;". */
static const char *ids_where(const char *filter)
{
	static struct collect c;
	crm_query *q;

	c.out[0] = '\0';
	ck_assert_int_eq(crm_query_new(&q, db, contact), CRM_OK);
	if (filter)
		ck_assert_int_eq(crm_query_where(q, filter), CRM_OK);
	ck_assert_int_eq(crm_query_fields(q, "id"), CRM_OK);
	ck_assert_int_eq(crm_query_run(q, collect_row, &c, NULL), CRM_OK);
	crm_query_free(q);
	return c.out;
}

START_TEST(test_registry)
{
	const struct crm_field *f = crm_entity_field_find(contact, "status");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->type, CRM_FT_ENUM);
	ck_assert_ptr_null(crm_entity_field_find(contact, "shoe"));
	ck_assert_ptr_null(crm_entity_find("ghost"));
	ck_assert_str_eq(crm_entity_name(company), "company");
	ck_assert_ptr_null(crm_entity_field(contact, crm_entity_nfields(contact)));
}
END_TEST

START_TEST(test_record_rejects_unknown_and_read_only)
{
	crm_record *r;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "shoe", "9"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set(r, "created_at", "2020-01-01"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set_custom(r, "bad key", "x"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set_pair(r, "novalue"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set_pair(r, "team=north"), CRM_OK);
	ck_assert_uint_eq(crm_record_count(r), 1);
	crm_record_free(r);
}
END_TEST

/* A custom field's value is found by its key alone, and a field of the
 * same name is another thing. */
START_TEST(test_record_custom_value)
{
	crm_record *r;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "city", "Oslo"), CRM_OK);
	ck_assert_int_eq(crm_record_set_custom(r, "source_id", "cus_1"), CRM_OK);
	ck_assert_str_eq(crm_record_custom(r, "source_id"), "cus_1");
	ck_assert_str_eq(crm_record_value(r, "custom.source_id"), "cus_1");
	ck_assert_ptr_null(crm_record_custom(r, "city"));
	ck_assert_int_eq(crm_record_set_custom(r, "source_id", ""), CRM_OK);
	ck_assert_ptr_null(crm_record_custom(r, "source_id"));
	crm_record_free(r);
}
END_TEST

/* When another system made a record: for a new one only, never later
 * than now (the clock is 2026-11-22T09:30:00Z). */
START_TEST(test_origin_of_records_from_other_systems)
{
	crm_record *r;
	int64_t id;
	int changed;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "first_name", "Ada");
	ck_assert_int_eq(crm_record_set_origin(r, "first_name", "2020-01-01"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set_origin(r, "updated_at", "2020-01-01"), CRM_EUSAGE);
	ck_assert_int_eq(crm_record_set_origin(r, "created_at", "2026-11-22T09:30:01Z"), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
	                 "created_at: '2026-11-22T09:30:01Z' is later than now");
	ck_assert_int_eq(crm_record_set_origin(r, "created_at", "2026-02-30"), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "created_at: invalid date '2026-02-30'");
	ck_assert_str_eq(ids_where(NULL), "");
	ck_assert_int_eq(crm_record_set_origin(r, "created_at", "2020-05-01 10:00"), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	ck_assert_str_eq(ids_where("created_at=2020-05-01T10:00:00Z"), "1;");
	/* Blank: now again. */
	ck_assert_int_eq(crm_record_set_origin(r, "created_at", " "), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	ck_assert_str_eq(ids_where("created_at=2026-11-22T09:30:00Z"), "2;");
	crm_record_free(r);
	/* An update keeps the record's own. */
	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "city", "Paris");
	ck_assert_int_eq(crm_record_set_origin(r, "created_at", "2019-01-01"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_str_eq(ids_where("created_at=2020-05-01T10:00:00Z"), "1;");
	crm_record_free(r);
}
END_TEST

START_TEST(test_add_validates_and_normalises)
{
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "first_name", "Ada");
	crm_record_set(r, "country", "gb");
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_set(r, "country", "XX");
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "country"));
	crm_record_free(r);
	ck_assert_str_eq(ids_where("country=GB"), "1;");
}
END_TEST

/* The write path keeps its statements' text by the fields a record
 * gives: records as many fields long but of other fields, or the same
 * fields in another order, each store their own. */
START_TEST(test_records_of_other_shapes_store_their_own)
{
	static const char *const rows[][4] = {
		{ "first_name", "Ada", "city", "Paris" },
		{ "first_name", "Bob", "title", "CTO" },
		{ "city", "Rome", "first_name", "Cy" },
		{ "first_name", "Dee", "city", "Oslo" },
	};
	crm_record *r;
	int64_t id;
	int changed;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
		crm_record_set(r, rows[i][0], rows[i][1]);
		crm_record_set(r, rows[i][2], rows[i][3]);
		ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
		crm_record_free(r);
	}
	ck_assert_str_eq(ids_where("city=Paris"), "1;");
	ck_assert_str_eq(ids_where("title=CTO"), "2;");
	ck_assert_str_eq(ids_where("city=Rome"), "3;");
	ck_assert_str_eq(ids_where("first_name=Cy"), "3;");
	ck_assert_str_eq(ids_where("city=Oslo"), "4;");
	/* An update reads the record's other fields too: one of title alone,
	 * then one of city alone, each changes its own. */
	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "title", "CEO");
	ck_assert_int_eq(crm_entity_update(db, r, 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	crm_record_free(r);
	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "city", "Nice");
	ck_assert_int_eq(crm_entity_update(db, r, 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	crm_record_free(r);
	ck_assert_str_eq(ids_where("title=CEO"), "1;");
	ck_assert_str_eq(ids_where("city=Nice"), "1;");
}
END_TEST

START_TEST(test_email_unique_among_live)
{
	crm_record *r;
	int64_t id, a = add("Ada", "ada@example.org");
	int changed;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "email", "ADA@example.org");
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_EDATA);
	ck_assert_int_eq(crm_entity_archive(db, contact, a, 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	ck_assert_int_eq(crm_entity_archive(db, contact, a, 0, &changed), CRM_EDATA);
	crm_record_free(r);
}
END_TEST

START_TEST(test_update_reports_change_and_audits)
{
	crm_record *r;
	int64_t id = add("Ada", NULL);
	int changed;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	crm_record_set(r, "city", "Paris");
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_OK);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(crm_entity_update(db, r, 99, &changed), CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(), "no contact 99");
	crm_record_free(r);
}
END_TEST

START_TEST(test_where_operators)
{
	add("Ada", "ada@example.org");
	add("Bob", NULL);
	add("Émile", "emile@example.org");
	ck_assert_str_eq(ids_where("first_name=Bob"), "2;");
	ck_assert_str_eq(ids_where("first_name != Bob"), "1;3;");
	ck_assert_str_eq(ids_where("first_name~EMI"), "3;");
	ck_assert_str_eq(ids_where("email="), "2;");
	ck_assert_str_eq(ids_where("id>=2"), "2;3;");
	ck_assert_str_eq(ids_where("id<2"), "1;");
	ck_assert_str_eq(ids_where(NULL), "1;2;3;");
}
END_TEST

START_TEST(test_where_errors)
{
	crm_query *q;

	ck_assert_int_eq(crm_query_new(&q, db, contact), CRM_OK);
	ck_assert_int_eq(crm_query_where(q, "first_name"), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_where(q, "=x"), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_where(q, "shoe=1"), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_where(q, "id=abc"), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_where(q, "email=not-an-email"), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "email: invalid email address 'not-an-email': no '@'");
	ck_assert_int_eq(crm_query_where(q, "status=CUSTOMER"), CRM_OK);
	ck_assert_int_eq(crm_query_sort(q, "shoe"), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_search(q, "   "), CRM_EUSAGE);
	ck_assert_int_eq(crm_query_tag(q, "vip"), CRM_OK);
	crm_query_free(q);
	ck_assert_int_eq(crm_query_new(&q, db, company), CRM_OK);
	ck_assert_int_eq(crm_query_tag(q, "vip"), CRM_OK);
	crm_query_free(q);
}
END_TEST

START_TEST(test_sql_text_is_data)
{
	int64_t id = add("x'); DROP TABLE contacts;--", NULL);

	ck_assert_int_gt(id, 0);
	ck_assert_str_eq(ids_where("first_name=x'); DROP TABLE contacts;--"), "1;");
	ck_assert_str_eq(ids_where("first_name~DROP"), "1;");
}
END_TEST

START_TEST(test_tags_notes_consent)
{
	int64_t id = add("Ada", NULL), note;
	int changed;

	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 0);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "a,b", 1, &changed), CRM_EDATA);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", "2026-11-20", "hello", &note), CRM_OK);
	ck_assert_int_eq(note, 1);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "fax", NULL, "hello", &note), CRM_EDATA);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", "someday", "hello", &note), CRM_EDATA);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), 77, "call", NULL, "hello", &note), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "granted", "form"), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "pigeon", "granted", NULL), CRM_EDATA);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "perhaps", NULL), CRM_EDATA);
}
END_TEST

START_TEST(test_company_resolve)
{
	crm_record *r;
	int64_t id, got;

	ck_assert_int_eq(crm_record_new(&r, company), CRM_OK);
	crm_record_set(r, "name", "Société Générale");
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	ck_assert_int_eq(crm_entity_resolve(db, crm_entity_find("company"), "Société Générale", &got), CRM_OK);
	ck_assert_int_eq(got, id);
	ck_assert_int_eq(crm_entity_resolve(db, crm_entity_find("company"), "SOCIETE generale", &got), CRM_OK);
	ck_assert_int_eq(got, id);
	ck_assert_int_eq(crm_entity_resolve(db, crm_entity_find("company"), "1", &got), CRM_OK);
	ck_assert_int_eq(crm_entity_resolve(db, crm_entity_find("company"), "2", &got), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_entity_resolve(db, crm_entity_find("company"), "Globex", &got), CRM_ENOTFOUND);
}
END_TEST

START_TEST(test_export_is_json)
{
	int64_t id = add("Ada", "ada@example.org");
	char *json = NULL;

	ck_assert_int_eq(crm_contact_export(db, id, &json), CRM_OK);
	ck_assert_ptr_nonnull(strstr(json, "\"email\": \"ada@example.org\""));
	ck_assert_ptr_nonnull(strstr(json, "\"audit\""));
	free(json);
	ck_assert_int_eq(crm_contact_export(db, 5, &json), CRM_ENOTFOUND);
}
END_TEST

Suite *entity_suite(void)
{
	Suite *s = suite_create("entity");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_record_rejects_unknown_and_read_only);
	tcase_add_test(tc, test_record_custom_value);
	tcase_add_test(tc, test_origin_of_records_from_other_systems);
	tcase_add_test(tc, test_add_validates_and_normalises);
	tcase_add_test(tc, test_records_of_other_shapes_store_their_own);
	tcase_add_test(tc, test_email_unique_among_live);
	tcase_add_test(tc, test_update_reports_change_and_audits);
	tcase_add_test(tc, test_where_operators);
	tcase_add_test(tc, test_where_errors);
	tcase_add_test(tc, test_sql_text_is_data);
	tcase_add_test(tc, test_tags_notes_consent);
	tcase_add_test(tc, test_company_resolve);
	tcase_add_test(tc, test_export_is_json);
	suite_add_tcase(s, tc);
	return s;
}
