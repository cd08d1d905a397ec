/* check_people.c - what only contacts have: tags, notes, the timeline,
 * consent, and the data-subject requests (export and erasure). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "../../libcore/internal.h"

static crm_db *db;
static const struct crm_entity *contact;

static void setup(void)
{
	db = fx_open(true);
	contact = crm_entity_find("contact");
}

static void teardown(void)
{
	fx_close(db);
}

static int64_t add(const char *first, const char *last, const char *email)
{
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", first), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "last_name", last), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "email", email), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	return id;
}

/* Collects one column of each row as "a;b;". */
struct collect {
	int col;
	char out[1024];
};

static int collect(void *arg, const char *const *vals)
{
	struct collect *c = arg;
	size_t len = strlen(c->out);

	snprintf(c->out + len, sizeof c->out - len, "%s;", vals[c->col] ? vals[c->col] : "-");
	return 0;
}

/* Lists one field of the contacts a query selects, as "a;b;". */
static const char *list(const char *field, const char *search)
{
	static struct collect c;
	crm_query *q;

	memset(&c, 0, sizeof c);
	ck_assert_int_eq(crm_query_new(&q, db, contact), CRM_OK);
	ck_assert_int_eq(crm_query_fields(q, field), CRM_OK);
	if (search)
		ck_assert_int_eq(crm_query_search(q, search), CRM_OK);
	ck_assert_int_eq(crm_query_run(q, collect, &c, NULL), CRM_OK);
	crm_query_free(q);
	return c.out;
}

START_TEST(test_tags_kept_sorted_on_the_row)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org");
	int changed;

	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "Älpha", 1, &changed), CRM_OK);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(changed, 0);
	ck_assert_str_eq(list("tags", NULL), "vip,Älpha;");
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 0, &changed), CRM_OK);
	ck_assert_int_eq(changed, 1);
	ck_assert_str_eq(list("tags", NULL), "Älpha;");
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "Älpha", 0, &changed), CRM_OK);
	ck_assert_str_eq(list("tags", NULL), "-;");
}
END_TEST

START_TEST(test_tag_errors)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org");
	int changed;

	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "a,b", 1, &changed), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "invalid tag 'a,b' (empty or with a comma)");
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "", 1, &changed), CRM_EDATA);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), 42, "vip", 1, &changed), CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(), "no contact 42");
}
END_TEST

START_TEST(test_note_is_stored_and_searchable)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org"), note;

	add("Bob", "Brown", "bob@example.org");
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", "2026-11-20T15:00:00Z",
	                                  "Asked about the analytical engine", &note), CRM_OK);
	ck_assert_int_gt(note, 0);
	ck_assert_str_eq(list("first_name", "analytical"), "Ada;");
}
END_TEST

START_TEST(test_note_errors)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org"), note;

	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "fax", NULL, "hello", &note), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
	                 "invalid kind 'fax' (expected call, email, meeting, note, sms or chat)");
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", "soonish", "hello", &note), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "at: invalid time 'soonish'");
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", NULL, "", &note), CRM_EDATA);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), 9, "call", NULL, "hello", &note), CRM_ENOTFOUND);
}
END_TEST

START_TEST(test_timeline_newest_first)
{
	static struct collect kinds = { 1, "" }, texts = { 3, "" };
	int64_t id = add("Ada", "Lovelace", "ada@example.org"), note;
	int changed;

	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "meeting", "2026-11-01", "Kick-off", &note), CRM_OK);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", "2026-11-25", "Follow-up", &note), CRM_OK);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(crm_entity_timeline(db, crm_entity_find("contact"), id, collect, &kinds), CRM_OK);
	/* The call is dated after now; the tag and the add happened now, the
	 * tag later in the log; the meeting was logged as three weeks ago. */
	ck_assert_str_eq(kinds.out, "call;tag;add;meeting;");
	ck_assert_int_eq(crm_entity_timeline(db, crm_entity_find("contact"), id, collect, &texts), CRM_OK);
	ck_assert_str_eq(texts.out, "Follow-up;tags: \xe2\x86\x92 vip;"
	                 "created: first_name=Ada; last_name=Lovelace; email=ada@example.org;Kick-off;");
}
END_TEST

START_TEST(test_consent_set_and_list)
{
	static struct collect c = { 0, "" };
	int64_t id = add("Ada", "Lovelace", "ada@example.org");

	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "granted", "web form"), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "sms", "denied", NULL), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "withdrawn", "reply"), CRM_OK);
	for (c.col = 0; c.col < 3; c.col++)
		ck_assert_int_eq(crm_contact_consent_list(db, id, collect, &c), CRM_OK);
	ck_assert_str_eq(c.out, "email;sms;withdrawn;denied;reply;-;");
}
END_TEST

START_TEST(test_consent_errors)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org");

	ck_assert_int_eq(crm_contact_consent_set(db, id, "pigeon", "granted", NULL), CRM_EDATA);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "maybe", NULL), CRM_EDATA);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "granted", "\xff"), CRM_EDATA);
	ck_assert_int_eq(crm_contact_consent_set(db, 5, "email", "granted", NULL), CRM_ENOTFOUND);
}
END_TEST

/* Whether an import saying status at time at (NULL: none) from source
 * changed person id's email consent. */
static int consent_news(int64_t id, const char *status, const char *at, const char *source)
{
	int changed = -1;

	ck_assert_int_eq(crm_contact_consent_import(db, id, "email", status, at, source, &changed),
	                 CRM_OK);
	return changed;
}

/* What an import says of consent replaces what was recorded only when it
 * is news: a later time, or a refusal of no known time. */
START_TEST(test_consent_import_keeps_evidence)
{
	static struct collect c = { 0, "" };
	int64_t id = add("Ada", "Lovelace", "ada@example.org");

	ck_assert_int_eq(consent_news(id, "withdrawn", "2026-02-01T12:00:00Z", "a"), 1);
	/* Older, as old, without a time, the same status: all stay out. */
	ck_assert_int_eq(consent_news(id, "granted", "2025-04-01T09:00:00Z", "b"), 0);
	ck_assert_int_eq(consent_news(id, "granted", "2026-02-01T12:00:00Z", "b"), 0);
	ck_assert_int_eq(consent_news(id, "granted", NULL, "b"), 0);
	ck_assert_int_eq(consent_news(id, "withdrawn", "2026-03-01T12:00:00Z", "b"), 0);
	/* A grant dated after the withdrawal is news; a refusal of no time
	 * always is. */
	ck_assert_int_eq(consent_news(id, "granted", "2026-03-01T12:00:00Z", "c"), 1);
	c.col = 2;
	ck_assert_int_eq(crm_contact_consent_list(db, id, collect, &c), CRM_OK);
	ck_assert_str_eq(c.out, "c;");
	ck_assert_int_eq(consent_news(id, "denied", NULL, "d"), 1);
	/* Put back as it was: no consent at all. */
	ck_assert_int_eq(crm_contact_consent_restore(db, id, "email", NULL, NULL, NULL), CRM_OK);
	c.out[0] = '\0';
	ck_assert_int_eq(crm_contact_consent_list(db, id, collect, &c), CRM_OK);
	ck_assert_str_eq(c.out, "");
}
END_TEST

/* Exports contact id and parses the document. */
static json_t *export(int64_t id)
{
	char *text;
	json_t *doc;

	ck_assert_int_eq(crm_contact_export(db, id, &text), CRM_OK);
	doc = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	free(text);
	return doc;
}

/* Returns the string at doc[section][i][key] (section an array, or an
 * object when i < 0). */
static const char *at(json_t *doc, const char *section, int i, const char *key)
{
	json_t *s = json_object_get(doc, section);

	return json_string_value(json_object_get(i < 0 ? s : json_array_get(s, (size_t)i), key));
}

START_TEST(test_export_holds_everything)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org"), note;
	int changed;
	json_t *doc;

	add("Bob", "Brown", "bob@example.org");
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "vip", 1, &changed), CRM_OK);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "email", NULL, "Sent the notes", &note), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "post", "denied", "phone call"), CRM_OK);
	doc = export(id);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "format")), "crm-export-data/1");
	ck_assert_str_eq(at(doc, "contact", -1, "email"), "ada@example.org");
	ck_assert_str_eq(at(doc, "tags", 0, "tag"), "vip");
	ck_assert_str_eq(at(doc, "interactions", 0, "body"), "Sent the notes");
	ck_assert_str_eq(at(doc, "consent", 0, "source"), "phone call");
	/* add, tag, note, consent: the whole history of this person only. */
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "audit")), 4);
	ck_assert(json_is_null(json_object_get(doc, "company")));
	json_decref(doc);
}
END_TEST

/* Returns whether needle occurs anywhere in the bytes of file. */
static int file_has(const char *file, const char *needle)
{
	FILE *f = fopen(file, "rb");
	char *data;
	long size;
	int found;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	found = memmem(data, (size_t)size, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

/* Makes a person with data in every corner, commits, and erases them. */
static int64_t erased_person(void)
{
	int64_t id = add("Zenobia", "Quillfeather", "zenobia.q@example.org"), note;
	int changed;

	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "whistleblower", 1, &changed), CRM_OK);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", NULL, "Zenobia rang twice", &note), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "email", "granted", "Zenobia's form"),
	                 CRM_OK);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	ck_assert_int_eq(crm_contact_erase(db, id), CRM_OK);
	return id;
}

START_TEST(test_erase_leaves_no_trace)
{
	int64_t id = erased_person();
	char wal[160];
	json_t *doc;

	doc = export(id);
	ck_assert(json_is_null(json_object_get(json_object_get(doc, "contact"), "email")));
	ck_assert_ptr_nonnull(at(doc, "contact", -1, "erased_at"));
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "interactions")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "tags")), 0);
	/* Consent stays as a fact, without the details. */
	ck_assert_str_eq(at(doc, "consent", 0, "status"), "granted");
	ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(doc, "consent"), 0),
	                                       "source")));
	json_decref(doc);
	snprintf(wal, sizeof wal, "%s-wal", fx_path);
	ck_assert(file_has(fx_path, "Quillfeather") == 0);
	ck_assert(file_has(fx_path, "zenobia") == 0);
	ck_assert(file_has(fx_path, "Zenobia") == 0);
	ck_assert(file_has(wal, "Zenobia") == 0);
	ck_assert(file_has(fx_path, "whistleblower") == 0);
}
END_TEST

START_TEST(test_erased_contact_cannot_change)
{
	int64_t id = erased_person(), note;
	char want[64];
	crm_record *r;
	int changed;

	snprintf(want, sizeof want, "contact %lld was erased and cannot be changed", (long long)id);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_entity_tag(db, crm_entity_find("contact"), id, "back", 1, &changed), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), want);
	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", NULL, "hello", &note), CRM_EDATA);
	ck_assert_int_eq(crm_contact_consent_set(db, id, "sms", "granted", NULL), CRM_EDATA);
	ck_assert_int_eq(crm_record_new(&r, contact), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", "Zenobia"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, id, &changed), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), want);
	crm_record_free(r);
}
END_TEST

START_TEST(test_purge_removes_everything)
{
	int64_t id = add("Ada", "Lovelace", "ada@example.org"), note;
	char *text;

	ck_assert_int_eq(crm_entity_note(db, crm_entity_find("contact"), id, "call", NULL, "hello", &note), CRM_OK);
	ck_assert_int_eq(crm_entity_purge(db, contact, id), CRM_OK);
	ck_assert_int_eq(crm_entity_exists(db, contact, id), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_contact_export(db, id, &text), CRM_ENOTFOUND);
	ck_assert_str_eq(list("id", "hello"), "");
	ck_assert_str_eq(list("id", "lovelace"), "");
}
END_TEST

Suite *people_suite(void)
{
	Suite *s = suite_create("people");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tags_kept_sorted_on_the_row);
	tcase_add_test(tc, test_tag_errors);
	tcase_add_test(tc, test_note_is_stored_and_searchable);
	tcase_add_test(tc, test_note_errors);
	tcase_add_test(tc, test_timeline_newest_first);
	tcase_add_test(tc, test_consent_set_and_list);
	tcase_add_test(tc, test_consent_errors);
	tcase_add_test(tc, test_consent_import_keeps_evidence);
	tcase_add_test(tc, test_export_holds_everything);
	tcase_add_test(tc, test_erase_leaves_no_trace);
	tcase_add_test(tc, test_erased_contact_cannot_change);
	tcase_add_test(tc, test_purge_removes_everything);
	suite_add_tcase(s, tc);
	return s;
}
