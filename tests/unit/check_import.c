/* check_import.c - the import engine: matching, outcomes, the mapping
 * file, batches and their undo. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crm.h"
#include "crm/rowpipe.h"
#include "fixture.h"
#include "../../libcore/internal.h"

static crm_db *db;
static crm_import *imp;
static struct crm_import_result res;

static void setup(void)
{
	db = fx_open(true);
	imp = NULL;
}

static void teardown(void)
{
	crm_import_free(imp);
	fx_close(db);
}

/* Begins an import with options o, ending any before it. */
static void begin_with(const struct crm_import_opts *o)
{
	crm_import_free(imp);
	ck_assert_int_eq(crm_import_begin(&imp, db, o), CRM_OK);
}

static void begin(const char *entity, const char *key, enum crm_conflict conflict)
{
	struct crm_import_opts o = { .entity = crm_entity_find(entity), .key = key,
	                             .conflict = conflict, .source = "test" };

	begin_with(&o);
}

/* Begins a bulk import of people. */
static void begin_bulk(void)
{
	struct crm_import_opts o = { .entity = crm_entity_find("contact"), .source = "test",
	                             .bulk = 1 };

	begin_with(&o);
}

/* A row made of "name=value" pairs separated by '|'. */
struct test_row {
	char *copy;
	const char *names[16], *values[16];
	size_t lens[16];
	struct crm_row r;
};

static void test_row_make(struct test_row *t, const char *pairs)
{
	static long line = 1;
	char *save = NULL, *p;
	size_t n = 0;

	t->copy = strdup(pairs);
	for (p = strtok_r(t->copy, "|", &save); p && n < 16; p = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(p, '=');
		*eq = '\0';
		t->names[n] = p;
		t->values[n] = eq + 1;
		t->lens[n] = strlen(eq + 1);
		n++;
	}
	t->r = (struct crm_row){ .n = n, .names = t->names, .values = t->values,
	                         .lens = t->lens, .line = ++line };
}

/* Eighths of what crm_import_ahead makes that put_ahead passes on: 8
 * for all of it, fewer for a row whose columns made ahead were cut short. */
static size_t ahead_eighths = 8;

/* Imports the row pairs make, with what crm_import_ahead made of the
 * row ahead makes (NULL: nothing made ahead); returns what
 * crm_import_row does. */
static int put_ahead(const char *pairs, const char *ahead)
{
	struct test_row t, a;
	crm_buf made = CRM_BUF_INIT;
	int rc;

	test_row_make(&t, pairs);
	if (ahead) {
		test_row_make(&a, ahead);
		crm_import_ahead(imp, &a.r, &made);
		free(a.copy);
		t.r.ahead = made.ptr;
		t.r.nahead = made.len * ahead_eighths / 8;
	}
	rc = crm_import_row(imp, &t.r, &res);
	crm_buf_free(&made);
	free(t.copy);
	return rc;
}

/* Imports one record given as "name=value" pairs separated by '|';
 * returns what crm_import_row does. */
static int put(const char *pairs)
{
	return put_ahead(pairs, NULL);
}

/* The same, for a row that must go through: what became of it. */
static enum crm_outcome row(const char *pairs)
{
	ck_assert_int_eq(put(pairs), CRM_OK);
	return res.outcome;
}

/* What sql counts, read by a connection of its own once db has committed
 * (as another program would read it). */
static long count_of(const char *sql)
{
	crm_db *other;
	int n = -1;

	ck_assert_msg(crm_db_commit(db) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_db_open(&other, fx_path, CRM_DB_READONLY, NULL), CRM_OK);
	ck_assert_msg(crm_db_int(other, sql, &n) == CRM_OK, "%s", crm_error_message());
	crm_db_close(other);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	return n;
}

/* The people's search entries, as the import's own connection sees them
 * (inside its transaction, which count_of would end). */
static int search_entries(void)
{
	int n = -1;

	ck_assert_int_eq(crm_db_int(db, "SELECT count(*) FROM contacts_fts", &n), CRM_OK);
	return n;
}

START_TEST(test_key_must_be_indexed)
{
	struct crm_import_opts o = { .entity = crm_entity_find("contact"), .key = "city" };

	ck_assert_int_eq(crm_import_begin(&imp, db, &o), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(),
	                 "cannot match contacts on 'city' (key fields: id, email, phone, custom.KEY)");
	o.key = "company_id";
	ck_assert_int_eq(crm_import_begin(&imp, db, &o), CRM_EUSAGE);
	o.entity = crm_entity_find("company");
	o.key = "name,domain";
	ck_assert_int_eq(crm_import_begin(&imp, db, &o), CRM_OK);
}
END_TEST

START_TEST(test_outcomes_by_conflict_mode)
{
	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=ana@example.org|first_name=Ana"), CRM_IMPORT_CREATED);
	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=ANA@example.org|first_name=Anna"), CRM_IMPORT_SKIPPED);
	begin("contact", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=ana@example.org|first_name=Ana"), CRM_IMPORT_UNCHANGED);
	begin("contact", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=ana@example.org|first_name=Anna"), CRM_IMPORT_UPDATED);
	begin("contact", NULL, CRM_CONFLICT_ERROR);
	ck_assert_int_eq(row("email=ana@example.org"), CRM_IMPORT_REJECTED);
	ck_assert_str_eq(res.field, "email");
	ck_assert_str_eq(res.reason, "'ana@example.org' already belongs to contact 1");
	ck_assert_int_eq(crm_import_counts(imp)->rejected, 1);
}
END_TEST

/* The tags and note of a new record are written without the checks an
 * existing one needs; a matched record has its tags replaced and keeps
 * one copy of a note it already holds; in both modes alike. */
START_TEST(test_tags_and_notes_of_new_and_matched_records)
{
	for (int bulk = 0; bulk <= 1; bulk++) {
		struct crm_import_opts o = { .entity = crm_entity_find("contact"), .source = "test",
		                             .conflict = CRM_CONFLICT_UPDATE, .bulk = bulk };
		char email[64], pairs[160], *tags;
		int64_t id, batch;

		snprintf(email, sizeof email, "ann%d@example.org", bulk);
		snprintf(pairs, sizeof pairs, "email=%s|tags= b ,a,b|notes=Met at the fair", email);
		begin_with(&o);
		ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
		id = res.id;
		snprintf(pairs, sizeof pairs, "email=%s|tags=c|notes=Met at the fair", email);
		begin_with(&o);
		ck_assert_int_eq(row(pairs), CRM_IMPORT_UPDATED);
		ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
		ck_assert_int_eq(crm_db_text_of(db, "SELECT group_concat(tag) FROM contact_tags"
		                                " WHERE contact_id = ?1", id, &tags), CRM_OK);
		ck_assert_str_eq(tags, "c");
		free(tags);
		ck_assert_int_eq(crm_db_text_of(db, "SELECT tags || ' ' || (SELECT count(*)"
		                                " FROM interactions WHERE contact_id = ?1)"
		                                " FROM contacts WHERE id = ?1", id, &tags), CRM_OK);
		ck_assert_str_eq(tags, "c 1");
		free(tags);
		ck_assert_int_eq(crm_db_text_of(db, "SELECT group_concat(changes, ' ') FROM audit"
		                                " WHERE entity_id = ?1 AND action = 'tag'", id, &tags),
		                 CRM_OK);
		ck_assert_str_eq(tags, "{\"tags\":[null,\"a,b\"]} {\"tags\":[\"a,b\",\"c\"]}");
		free(tags);
	}
}
END_TEST

/* A row matched on email and found nowhere is known to have a free email;
 * matched on anything else, its email is still checked, before and after
 * another row takes it. */
START_TEST(test_unique_email_whatever_the_key)
{
	begin("contact", "phone", CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=ana@example.org|phone=+12125550100"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("email=ANA@example.org|phone=+12125550199"), CRM_IMPORT_REJECTED);
	ck_assert_str_eq(res.field, "email");
	ck_assert_str_eq(res.reason, "'ana@example.org' already belongs to contact 1");
	begin("contact", "email,phone", CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=bo@example.org|phone=+12125550100"), CRM_IMPORT_UPDATED);
	ck_assert_int_eq(res.id, 1);
	ck_assert_int_eq(row("email=ana@example.org|phone=+12125550177"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(res.id, 2);
	begin("contact", "phone", CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=ana@example.org|phone=+12125550133"), CRM_IMPORT_REJECTED);
	ck_assert_str_eq(res.reason, "'ana@example.org' already belongs to contact 2");
}
END_TEST

START_TEST(test_duplicate_key_in_one_input)
{
	begin("contact", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=a@example.org|first_name=A"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("email=A@example.org|first_name=B"), CRM_IMPORT_REJECTED);
	ck_assert_str_eq(res.reason, "duplicate key: email 'A@example.org' repeats an earlier"
	                 " record of this input (contact 1)");
}
END_TEST

START_TEST(test_fallback_keys_for_companies)
{
	begin("company", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("name=Acme|domain=acme.example"), CRM_IMPORT_CREATED);
	begin("company", NULL, CRM_CONFLICT_UPDATE);
	/* No domain: the name (case- and accent-insensitive) decides. */
	ck_assert_int_eq(row("name=ACMÉ|industry=tools"), CRM_IMPORT_UPDATED);
	ck_assert_int_eq(res.id, 1);
	begin("company", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("name=Acme Corp|domain=ACME.example"), CRM_IMPORT_UPDATED);
	ck_assert_int_eq(res.id, 1);
}
END_TEST

START_TEST(test_rejected_row_leaves_nothing)
{
	begin("contact", NULL, CRM_CONFLICT_SKIP);
	/* The company would be created, but the bad email rejects the row. */
	ck_assert_int_eq(row("email=bad|company=Ghost Ltd"), CRM_IMPORT_REJECTED);
	ck_assert_str_eq(res.field, "email");
	ck_assert_int_eq(crm_import_counts(imp)->companies, 0);
	ck_assert_int_eq(count_of("select count(*) from companies"), 0);
}
END_TEST

/* In bulk mode rows have no savepoint: one rejected before it writes is
 * rejected as row by row, one rejected after it wrote (its company made)
 * asks for the import to be done again, and the import refuses to go on. */
START_TEST(test_bulk_asks_again_after_a_half_way_reject)
{
	int64_t batch;

	begin_bulk();
	ck_assert_int_eq(row("first_name=Ann|email=ann@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("first_name=Bad|email=nope"), CRM_IMPORT_REJECTED);
	ck_assert_int_eq(put("email=bad|company=Ghost Ltd"), CRM_IMPORT_AGAIN);
	ck_assert_int_eq(res.outcome, CRM_IMPORT_REJECTED);
	ck_assert_int_eq(put("first_name=Cy|email=cy@example.org"), CRM_EFAIL);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_EFAIL);
}
END_TEST

/* An order's rows stand or fall together: a later row rejected takes
 * the earlier back (undone), and drops the rows after it. */
START_TEST(test_rows_of_an_order_stand_or_fall_together)
{
	const char *row903 = "Order Number=903|Billing Email=ann@example.org|Order Currency=";
	const struct crm_import_counts *n;
	char pairs[256];
	int64_t batch;

	begin("purchase", NULL, CRM_CONFLICT_SKIP);
	snprintf(pairs, sizeof pairs, "%sEUR|Item SKU=A|Quantity=1|Item Cost=2.00", row903);
	ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
	ck_assert(res.grouped && res.group_start);
	snprintf(pairs, sizeof pairs, "%sEUR|Item SKU=B|Quantity=1|Item Cost=3.00", row903);
	ck_assert_int_eq(row(pairs), CRM_IMPORT_UPDATED);
	ck_assert(res.grouped && !res.group_start);
	snprintf(pairs, sizeof pairs, "%sUSD|Item SKU=C|Quantity=1|Item Cost=1.00", row903);
	ck_assert_int_eq(row(pairs), CRM_IMPORT_REJECTED);
	ck_assert_int_eq(res.undone, 2);
	ck_assert_str_eq(res.undo_field, "order_ref");
	ck_assert_ptr_nonnull(strstr(res.undo_reason, "'903': rejected with the row on line"));
	snprintf(pairs, sizeof pairs, "%sEUR|Item SKU=D|Quantity=1|Item Cost=1.00", row903);
	ck_assert_int_eq(row(pairs), CRM_IMPORT_REJECTED);
	ck_assert_int_eq(res.undone, 0);
	ck_assert_ptr_nonnull(strstr(res.reason, "an earlier row of it was rejected"));
	ck_assert_int_eq(row("Order Number=904|Billing Email=ann@example.org|Order Currency=EUR"
	                     "|Item SKU=A|Quantity=2|Item Cost=2.50"), CRM_IMPORT_CREATED);
	ck_assert(res.group_start);
	n = crm_import_counts(imp);
	ck_assert_int_eq(n->read, 5);
	ck_assert_int_eq(n->created, 1);
	ck_assert_int_eq(n->updated, 0);
	ck_assert_int_eq(n->rejected, 4);
	ck_assert_int_eq(n->people, 1);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("select count(*) from purchases"), 1);
	ck_assert_int_eq(count_of("select count(*) from purchase_lines"), 1);
	ck_assert_int_eq(count_of("select count(*) from contacts"), 1);
	ck_assert_int_eq(count_of("select count(*) from purchases_fts where purchases_fts match '903'"), 0);
	ck_assert_int_eq(count_of("select count(*) from purchases_fts where purchases_fts match '904'"), 1);
}
END_TEST

/* In bulk mode, with no savepoints, the import is done again row by row. */
START_TEST(test_bulk_asks_again_for_a_later_row_of_an_order)
{
	struct crm_import_opts o = { .entity = crm_entity_find("purchase"), .source = "test",
	                             .bulk = 1 };

	begin_with(&o);
	ck_assert_int_eq(row("Order Number=903|Billing Email=ann@example.org|Order Currency=EUR"
	                     "|Item SKU=A|Quantity=1|Item Cost=2.00"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(put("Order Number=903|Billing Email=ann@example.org|Order Currency=USD"
	                     "|Item SKU=B|Quantity=1|Item Cost=2.00"), CRM_IMPORT_AGAIN);
}
END_TEST

START_TEST(test_split_and_unknown_columns)
{
	struct crm_row r = { 0 };
	const char *names[] = { "email", "Shoe" }, *values[] = { "x@example.org", "42" };
	size_t lens[] = { 13, 2 };
	int64_t batch;

	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("Full Name=Souza, Ana Maria|email=s@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("Name=Madonna"), CRM_IMPORT_CREATED);
	r.n = 2, r.names = names, r.values = values, r.lens = lens, r.line = 9;
	ck_assert_int_eq(crm_import_row(imp, &r, &res), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "unknown column 'Shoe' (map it with --map, or"
	                 " use --keep-unknown or --ignore-unknown)");
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("select count(*) from contacts where first_name = 'Ana Maria'"
	                          " and last_name = 'Souza'"), 1);
	ck_assert_int_eq(count_of("select count(*) from contacts where first_name = 'Madonna'"
	                          " and last_name is null"), 1);
}
END_TEST

START_TEST(test_map_file_errors_name_line_and_column)
{
	crm_import_map *m = NULL;
	char path[200];
	FILE *f;

	snprintf(path, sizeof path, "%s/map.yaml", fx_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("columns:\n  Signed: { field: city, date_format: \"%d\" }\n", f);
	fclose(f);
	ck_assert_int_eq(crm_import_map_load(&m, path, crm_entity_find("contact")), CRM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "map.yaml:2:"));
	ck_assert_ptr_nonnull(strstr(crm_error_message(),
	                             "date_format needs a date or time field, not 'city'"));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("tags: a\n", f);
	fclose(f);
	ck_assert_int_eq(crm_import_map_load(&m, path, crm_entity_find("company")), CRM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "map.yaml:1:"));
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_undo_restores_and_removes)
{
	int64_t batch;
	long removed, restored;

	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=keep@example.org|city=Oslo"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(batch, 1);
	begin("contact", NULL, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row("email=keep@example.org|city=Bergen|tags=a,b"), CRM_IMPORT_UPDATED);
	ck_assert_int_eq(row("email=new@example.org|company=Newco"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(batch, 2);
	ck_assert_int_eq(crm_import_undo(db, 2, 0, &removed, &restored), CRM_OK);
	ck_assert_int_eq(removed, 2); /* the contact and the company it created */
	ck_assert_int_eq(restored, 1);
	ck_assert_int_eq(count_of("select count(*) from contacts where city = 'Oslo' and tags is null"), 1);
	ck_assert_int_eq(count_of("select count(*) from contacts"), 1);
	ck_assert_int_eq(count_of("select count(*) from companies"), 0);
	ck_assert_int_eq(crm_import_undo(db, 2, 0, &removed, &restored), CRM_EDATA);
	ck_assert_int_eq(crm_import_undo(db, 7, 0, &removed, &restored), CRM_ENOTFOUND);
}
END_TEST

/* A record outside the batch that came to name one of its records (a
 * deal for a person it created) holds the undo back, whether or not its
 * table held anything at the import. */
START_TEST(test_undo_refused_by_a_record_that_refers)
{
	int64_t batch;
	long removed, restored;

	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=a@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("email=b@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(crm_db_exec(db, "INSERT INTO deals(title, contact_id, created_at, updated_at)"
	                             " VALUES ('Big one', 2, 'now', 'now')"), CRM_OK);
	ck_assert_int_eq(crm_import_undo(db, batch, 0, &removed, &restored), CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "deal 1: refers to contact 2"));
	ck_assert_int_eq(count_of("select count(*) from contacts"), 2);
}
END_TEST

/* A batch of new records is undone set by set with foreign keys off, the
 * undo doing what they would; foreign keys change only between
 * transactions, and an undo that needs them refuses while they are off. */
START_TEST(test_undo_with_foreign_keys_off)
{
	int64_t batch;
	long removed, restored;
	int setwise = -1;

	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=a@example.org|company=Acme"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("email=b@example.org|company=Acme"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(crm_import_undo_setwise(db, batch, 0, &setwise), CRM_OK);
	ck_assert_int_eq(setwise, 1);
	ck_assert_int_eq(crm_import_undo_setwise(db, batch, 1, &setwise), CRM_OK);
	ck_assert_int_eq(setwise, 0);
	ck_assert_int_eq(crm_import_undo_setwise(db, 9, 0, &setwise), CRM_ENOTFOUND);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_db_foreign_keys(db, false), CRM_EFAIL);
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_foreign_keys(db, false), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_import_undo(db, batch, 1, &removed, &restored), CRM_EFAIL);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "changed while it was being undone"));
	ck_assert_int_eq(crm_import_undo(db, batch, 0, &removed, &restored), CRM_OK);
	ck_assert_int_eq(removed, 3);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	ck_assert_int_eq(count_of("select count(*) from contacts"), 0);
	ck_assert_int_eq(count_of("select count(*) from companies"), 0);
	ck_assert_int_eq(count_of("select count(*) from pragma_foreign_key_check"), 0);
}
END_TEST

/* Purchases under a loyalty programme give their points back as a batch
 * of them is undone, and still set by set: each gives back before any
 * record goes. */
START_TEST(test_undo_loyalty_purchases_setwise)
{
	crm_config *cfg = fx_config("base_currency: EUR\nloyalty:\n"
	                            "  earn: [{ name: spend, points: 1 }]\n");
	int64_t batch;
	long removed, restored;
	int setwise = -1;

	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	crm_db_close(db);
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, cfg), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	begin("purchase", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("order_ref=1|email=a@example.org|total=12.50|currency=EUR"),
	                 CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("order_ref=2|email=a@example.org|total=30.00|currency=EUR"),
	                 CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("select sum(points) from loyalty_ledger"), 42);
	ck_assert_int_eq(crm_import_undo_setwise(db, batch, 0, &setwise), CRM_OK);
	ck_assert_int_eq(setwise, 1);
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_foreign_keys(db, false), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_msg(crm_import_undo(db, batch, 0, &removed, &restored) == CRM_OK, "%s",
	              crm_error_message());
	ck_assert_int_eq(removed, 3);
	ck_assert_int_eq(count_of("select count(*) from purchases"), 0);
	ck_assert_int_eq(count_of("select count(*) from loyalty_ledger where kind = 'reverse'"), 2);
	ck_assert_int_eq(count_of("select sum(points) from loyalty_ledger"), 0);
	ck_assert_int_eq(count_of("select count(*) from loyalty_ledger where purchase_id"
	                          " is not null or contact_id is not null"), 0);
	ck_assert_int_eq(count_of("select count(*) from pragma_foreign_key_check"), 0);
	/* The import and the database go before the configuration they read. */
	crm_import_free(imp);
	imp = NULL;
	crm_db_close(db);
	db = NULL;
	crm_config_free(cfg);
}
END_TEST

/* Text that needs NFC, spaces to trim, addresses in capitals and in other
 * scripts, a bad address, a row that updates an earlier one by the normal
 * form of its address, and national phone numbers: of the row's country
 * (given after them), or of the stored record's when the row gives none. */
static const char *const people[] = {
	"phone=0151 23456789|country=de|first_name=Jo|email=jo@example.org",
	"first_name=Lee|email=lee@example.org|phone=207 946 0018",
	"first_name=  Zoe\xcc\x88 |last_name=Cafe\xcc\x81|email= Emile.Dupont@EXAMPLE.org |city=Krako\xcc\x81w",
	"first_name=Ana|last_name=Bad|email=not-an-address|city=Lund",
	"first_name=\xef\xac\x81ona|last_name=Ng|email=FIONA+news@Example.COM|city=\xe2\x84\xab",
	("first_name=\xe1\xbd\x88\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x8d\xcf\x82|last_name=I|"
	 "email=odysseus@\xcf\x80\xce\xb1\xcf\x81\xce\xac\xce\xb4\xce\xb5\xce\xb9\xce\xb3\xce\xbc\xce\xb1.gr|city=Ithaca"),
	"first_name=Lee|last_name=Ng|email=fiona+news@example.com|city=Oslo",
};

/* Companies matched by the key of their name, not its stored form, to
 * one imported before. */
static const char *const companies[] = {
	"name=  INITE\xcc\x81\x43H |industry=consulting",
	"name=Acme|industry=tools",
};

/* Imports the row first into a new database, then rows (n of them),
 * each with what was made ahead of the row `shift` places on (-1: nothing
 * made ahead), and returns the whole database as sqlite3 dumps it, but
 * for its random key. */
static char *import_rows(const char *entity, const char *key, const char *first,
                         const char *const *rows, size_t n, int shift)
{
	char cmd[256], *dump = NULL;
	size_t len = 0;
	int64_t batch;
	FILE *p, *out = open_memstream(&dump, &len);

	db = fx_open(true);
	begin(entity, key, CRM_CONFLICT_UPDATE);
	ck_assert_int_eq(row(first), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	begin(entity, key, CRM_CONFLICT_UPDATE);
	for (size_t i = 0; i < n; i++)
		put_ahead(rows[i], shift < 0 ? NULL : rows[(i + (size_t)shift) % n]);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	snprintf(cmd, sizeof cmd, "sqlite3 '%s' .dump | grep -v '^INSERT INTO secrets'", fx_path);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	for (int c; (c = fgetc(p)) != EOF;)
		fputc(c, out);
	pclose(p);
	fclose(out);
	crm_import_free(imp);
	imp = NULL;
	fx_close(db);
	db = NULL;
	return dump;
}

/* The same database with the columns made ahead, without them, and with
 * those of other rows (which must be ignored, not taken). */
static void check_made_ahead(const char *entity, const char *key, const char *first,
                             const char *const *rows, size_t n, const char *stored)
{
	char *alone = import_rows(entity, key, first, rows, n, -1);
	char *ahead = import_rows(entity, key, first, rows, n, 0);
	char *other = import_rows(entity, key, first, rows, n, 1);

	ck_assert_ptr_nonnull(strstr(alone, stored));
	/* Whole dumps: too long for ck_assert_str_eq's message. */
	ck_assert_msg(!strcmp(ahead, alone), "%s made ahead: the database differs", entity);
	ck_assert_msg(!strcmp(other, alone), "%s made ahead for other values: the database differs",
	              entity);
	free(alone);
	free(ahead);
	free(other);
}

/* The columns made on the reading thread are the ones the write makes. */
START_TEST(test_columns_made_ahead_are_the_writes)
{
	struct test_row t;
	crm_buf made = CRM_BUF_INIT;

	fx_close(db);
	check_made_ahead("company", "name", "name=Init\xc3\xa9\x63h|industry=software", companies,
	                 sizeof companies / sizeof companies[0], "'consulting'");
	check_made_ahead("contact", "email", "first_name=Lee|email=LEE@example.org|country=GB", people,
	                 sizeof people / sizeof people[0], "'+442079460018'");
	/* Columns cut short anywhere are taken up to the last whole field's. */
	for (ahead_eighths = 1; ahead_eighths < 8; ahead_eighths++)
		check_made_ahead("contact", "email", "first_name=Lee|email=LEE@example.org|country=GB",
		                 people, sizeof people / sizeof people[0], "'+442079460018'");
	ahead_eighths = 8;
	/* Something is made ahead for them, or the comparison shows nothing. */
	db = fx_open(true);
	begin("contact", "email", CRM_CONFLICT_UPDATE);
	test_row_make(&t, people[0]);
	crm_import_ahead(imp, &t.r, &made);
	ck_assert_ptr_nonnull(memmem(made.ptr, made.len, "jo@example.org", 14));
	ck_assert_ptr_nonnull(memmem(made.ptr, made.len, "+4915123456789", 14));
	crm_buf_clear(&made);
	free(t.copy);
	/* A person's name too, with its key, in the stored form: the write
	 * asks for the key of "Zoë Café", which then comes from what was made. */
	test_row_make(&t, people[2]);
	crm_import_ahead(imp, &t.r, &made);
	ck_assert_ptr_nonnull(memmem(made.ptr, made.len, "Zo\xc3\xab Caf\xc3\xa9", 11));
	ck_assert_ptr_nonnull(memmem(made.ptr, made.len, "zoe cafe", 9));
	crm_buf_free(&made);
	free(t.copy);
}
END_TEST

/* The name parts an entity declares are its own writable fields: the
 * reading-ahead thread finds them by name (crm_import_begin). */
START_TEST(test_name_parts_are_fields)
{
	const struct crm_entity *e;
	const struct crm_field *f;

	for (size_t k = 0; (e = crm_entity_at(k)); k++)
		for (const char *const *p = e->name_parts; p && *p; p++) {
			f = crm_entity_field_find(e, *p);
			ck_assert_msg(f != NULL, "%s: name part %s is no field", e->name, *p);
			ck_assert_msg(!(crm_fielddef_of(f)->f.flags & CRM_FIELD_RO),
			              "%s: name part %s is read-only", e->name, *p);
		}
}
END_TEST

/* Checks that sql gives want through the import's connection. */
static void assert_text(const char *sql, const char *want)
{
	char *out = NULL;

	ck_assert_int_eq(crm_db_text_of(db, sql, 0, &out), CRM_OK);
	ck_assert_str_eq(out, want);
	free(out);
}

/* The SQL functions answer for a name remembered with what was
 * remembered, and work out any other, and the name once forgotten. */
START_TEST(test_names_remembered)
{
	ck_assert_int_eq(crm_db_remember_name(db, "Zoë Café", "remembered key", "remembered fold"),
	                 CRM_OK);
	assert_text("select crm_key('Zoë Café')", "remembered key");
	assert_text("select crm_fold('Zoë Café')", "remembered fold");
	assert_text("select crm_key('Zoë Cafe')", "zoe cafe");
	crm_db_forget_names(db);
	assert_text("select crm_key('Zoë Café')", "zoe cafe");
}
END_TEST

/* A reference's ready entry is the id of a record its caller has just
 * found: the write takes it as it is, where a value alone is looked up.
 * The database's own foreign key still refuses a wrong one. */
START_TEST(test_found_reference_taken_as_it_is)
{
	const struct crm_entity *e = crm_entity_find("contact");
	const struct crm_fielddef *d = crm_fielddef_of(crm_entity_field_find(e, "company"));
	struct crm_ready rd = { .d = d, .src = "7", .val = { "7" }, .n = 1 };
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_record_new(&r, e), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", "Ada"), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "company", "7"), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "no company 7"));
	crm_record_ready(r, &rd, 1);
	ck_assert_int_ne(crm_entity_add(db, r, &id), CRM_OK);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	ck_assert_int_eq(crm_db_foreign_keys(db, false), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_entity_add(db, r, &id), CRM_OK);
	crm_record_free(r);
	ck_assert_int_eq(count_of("select count(*) from contacts where company_id = 7"), 1);
}
END_TEST

START_TEST(test_nothing_changed_records_no_batch)
{
	int64_t batch = -1;

	begin("contact", NULL, CRM_CONFLICT_SKIP);
	ck_assert_int_eq(row("email=bad"), CRM_IMPORT_REJECTED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(batch, 0);
	ck_assert_int_eq(count_of("select count(*) from import_batches"), 0);
}
END_TEST

/* The search entries an import writes at its end, 2,048 records a
 * statement, cover every record it wrote: 20,000 people take ten. */
START_TEST(test_search_entries_of_every_record_written)
{
	char pairs[64];
	int64_t batch;

	begin_bulk();
	for (int i = 1; i <= 20000; i++) {
		snprintf(pairs, sizeof pairs, "first_name=Ann|last_name=Mo%d", i);
		ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
	}
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("select count(*) from contacts_fts"), 20000);
	ck_assert_int_eq(count_of("select count(*) from contacts c join contacts_fts f"
	                          " on f.rowid = c.id where f.name = 'Ann Mo' || c.id"
	                          " || ' ann mo' || c.id"), 20000);
}
END_TEST

/* Into an empty table, a bulk import writes the search entries of the
 * records it creates 2,048 at a time as the rows come; into one that held
 * records, all at its end: the same entries, later. */
START_TEST(test_search_entries_wait_when_the_table_held_records)
{
	char pairs[64];
	int64_t batch;

	for (int held = 0; held <= 1; held++) {
		begin_bulk();
		for (int i = 1; i <= 2100; i++) {
			snprintf(pairs, sizeof pairs, "first_name=Ann|last_name=Mo%d", held * 2100 + i);
			ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
		}
		ck_assert_int_eq(search_entries(), held ? 2100 : 2048);
		ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
		ck_assert_int_eq(search_entries(), 2100 * (held + 1));
	}
	ck_assert_int_eq(count_of("select count(*) from contacts c join contacts_fts f"
	                          " on f.rowid = c.id where f.name = 'Ann Mo' || c.id"
	                          " || ' ann mo' || c.id"), 4200);
}
END_TEST

/* An import composes and compiles its statements once: past its first
 * rows, rows of the shapes seen (a new company or an existing one, tags,
 * a note, a phone number), across chunks of search entries and runs of
 * audit entries (the first written some 2,000 rows in), compose no SQL
 * text and compile none, however many they are; nor do rows that update
 * the records they match. */
START_TEST(test_statements_compiled_once)
{
	char pairs[256];
	unsigned long warm = 0, composed = 0;

	for (int run = 0; run < 4; run++) {
		int bulk = run % 2, update = run / 2;
		struct crm_import_opts o = { .entity = crm_entity_find("contact"), .source = "test",
		                             .conflict = CRM_CONFLICT_UPDATE, .bulk = bulk };
		const char *what = update ? (bulk ? "bulk update" : "update row by row")
		                          : (bulk ? "bulk" : "row by row");

		/* The second two runs change every record of the first two:
		 * another last name, tags and note. */
		begin_with(&o);
		for (int i = 1; i <= 8000; i++) {
			snprintf(pairs, sizeof pairs, "first_name=Ann|last_name=Mo%d|email=a%d.%d@example.org"
			         "|company=Firm %d|phone=030 1234%04d|country=DE|tags=t%d|notes=n%d",
			         i + update, bulk, i, i % 4000, i, i % 3 + update, i + update);
			if (i == 3500) {
				warm = db->compiled;
				composed = db->composed;
			}
			ck_assert_int_eq(row(pairs), update ? CRM_IMPORT_UPDATED : CRM_IMPORT_CREATED);
		}
		ck_assert_msg(db->compiled == warm, "%s: %lu statements compiled for rows 3500-8000",
		              what, db->compiled - warm);
		ck_assert_msg(db->composed == composed, "%s: %lu statement texts composed for rows"
		              " 3500-8000", what, db->composed - composed);
	}
}
END_TEST

/* The CREATE INDEX statements of table, in name order, as the import's
 * own connection sees them (inside its transaction). */
static char *index_sql(const char *table)
{
	crm_stmt *st;
	char *sql;

	ck_assert_int_eq(crm_db_stmt(db, &st, "SELECT coalesce(group_concat(sql, ';'), '') FROM"
	                             " (SELECT sql FROM sqlite_master WHERE type = 'index'"
	                             " AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name)"), CRM_OK);
	crm_stmt_bind_text(st, 1, table);
	ck_assert_int_eq(crm_stmt_step(st), CRM_ROW);
	sql = strdup(crm_stmt_text(st, 0));
	crm_stmt_reset(st);
	return sql;
}

static int has_index(const char *name)
{
	crm_stmt *st;
	int n;

	ck_assert_int_eq(crm_db_stmt(db, &st, "SELECT count(*) FROM sqlite_master"
	                             " WHERE type = 'index' AND name = ?1"), CRM_OK);
	crm_stmt_bind_text(st, 1, name);
	ck_assert_int_eq(crm_stmt_step(st), CRM_ROW);
	n = (int)crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return n;
}

/* Into an empty table a bulk import leaves the indexes that are neither
 * unique, partial nor a key's to the end, then builds them as they were,
 * holding every record; the others check and find the rows meanwhile. */
START_TEST(test_bulk_builds_indexes_after_the_rows)
{
	char *before = index_sql("contacts"), *after, pairs[128];
	int64_t batch;
	long removed, restored;

	begin_bulk();
	ck_assert(!has_index("contacts_phone") && !has_index("contacts_name_key") &&
	          !has_index("contacts_created"));
	ck_assert(has_index("contacts_email_live") && has_index("contacts_gone"));
	for (int i = 1; i <= 300; i++) {
		snprintf(pairs, sizeof pairs, "first_name=Ann|last_name=Mo%d|email=a%d@example.org"
		         "|phone=+49 30 1234%04d", i, i, i);
		ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
	}
	ck_assert_int_eq(row("first_name=Bo|email=A7@Example.org"), CRM_IMPORT_REJECTED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	after = index_sql("contacts");
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(count_of("select count(*) from contacts indexed by contacts_phone"
	                          " where phone_e164 like '+4930%'"), 300);
	ck_assert_int_eq(count_of("select count(*) from contacts indexed by contacts_name_key"
	                          " where name_key > ''"), 300);
	ck_assert_int_eq(count_of("select count(*) from pragma_integrity_check('contacts')"
	                          " where integrity_check = 'ok'"), 1);
	free(after);
	/* Its undo leaves them as they were. */
	ck_assert_int_eq(crm_import_undo(db, batch, 0, &removed, &restored), CRM_OK);
	ck_assert_int_eq(removed, 300);
	after = index_sql("contacts");
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(count_of("select count(*) from contacts"), 0);
	ck_assert_int_eq(count_of("select count(*) from pragma_integrity_check('contacts')"
	                          " where integrity_check = 'ok'"), 1);
	free(before);
	free(after);
}
END_TEST

/* The indexes stay where the rows are looked up by them (a key's), where
 * building them again would cost more than it saves (a table with
 * records), in row mode, and after an import rolled back. */
START_TEST(test_indexes_kept_when_not_empty_or_a_key)
{
	struct crm_import_opts by_phone = { .entity = crm_entity_find("contact"), .source = "test",
	                                    .key = "phone", .bulk = 1 };
	int64_t batch;

	begin("contact", NULL, CRM_CONFLICT_UPDATE);
	ck_assert(has_index("contacts_phone") && has_index("contacts_name_key"));
	begin_with(&by_phone);
	ck_assert(has_index("contacts_phone") && !has_index("contacts_name_key"));
	crm_import_free(imp);
	imp = NULL;
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert(has_index("contacts_phone") && has_index("contacts_name_key"));
	begin_bulk();
	ck_assert_int_eq(row("first_name=Ann|email=ann@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	begin_bulk();
	ck_assert(has_index("contacts_phone") && has_index("contacts_name_key"));
}
END_TEST

/* Imports 20,000 people into a new database, in bulk or row by row, and
 * writes its audit log to file out, an entry a line.  The first 10,000
 * are alike, so a bulk import writes their entries 8,192 at a time; then
 * their shapes vary (a custom field, a blank name, a new company, tags,
 * a note, text the log must quote), so that what it writes together is
 * interleaved and cut short. */
static void audit_of_import(int bulk, const char *out)
{
	struct crm_import_opts o = { .entity = crm_entity_find("contact"), .source = "test",
	                             .unknown = CRM_UNKNOWN_KEEP, .bulk = bulk };
	char pairs[256], cmd[512];
	int64_t batch;

	fx_close(db);
	db = fx_open(true);
	ck_assert_int_eq(crm_import_begin(&imp, db, &o), CRM_OK);
	for (int i = 1; i <= 20000; i++) {
		int n = snprintf(pairs, sizeof pairs, "first_name=Ann|email=a%d@example.org", i);

		if (i <= 10000 || i % 9)
			n += snprintf(pairs + n, sizeof pairs - (size_t)n, "|last_name=Mo%d", i);
		if (i > 10000 && !(i % 7))
			n += snprintf(pairs + n, sizeof pairs - (size_t)n, "|Shoe=4\"2");
		if (i > 10000 && !(i % 50))
			n += snprintf(pairs + n, sizeof pairs - (size_t)n, "|company=Firm %d", i);
		if (i > 10000 && !(i % 13))
			n += snprintf(pairs + n, sizeof pairs - (size_t)n, "|notes=Met at \"Café\" %d", i);
		if (i > 10000 && !(i % 22))
			snprintf(pairs + n, sizeof pairs - (size_t)n, "|tags=vip,a\\b \"c\",日本\t語");
		else if (i > 10000 && !(i % 11))
			snprintf(pairs + n, sizeof pairs - (size_t)n, "|tags=vip");
		ck_assert_int_eq(row(pairs), CRM_IMPORT_CREATED);
	}
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	crm_import_free(imp);
	imp = NULL;
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'select seq, at, user, program, entity, entity_id,"
	         " action, changes, batch from audit order by seq' >'%s'", fx_path, out);
	ck_assert_int_eq(system(cmd), 0);
}

/* What the audit log shows that person id was created with (NULL when
 * nothing), through the readers' expression: an import keeps no values. */
static char *created_of(int64_t id)
{
	char *text;

	ck_assert_int_eq(crm_db_text_of(db, "SELECT " CRM_AUDIT_CHANGES " FROM audit"
	                                " WHERE entity = 'contact' AND entity_id = ?1 AND action = 'add'",
	                                id, &text), CRM_OK);
	return text;
}

/* The audit entries of the people a bulk import creates, written 8,192 a
 * statement, are the ones a row at a time writes, in the same order. */
START_TEST(test_bulk_audit_is_the_row_by_row_audit)
{
	char row_log[64], bulk_log[64], cmd[160], *text;
	int n;

	snprintf(row_log, sizeof row_log, "/tmp/crm-check-audit-%d.row", (int)getpid());
	snprintf(bulk_log, sizeof bulk_log, "/tmp/crm-check-audit-%d.bulk", (int)getpid());
	audit_of_import(0, row_log);
	audit_of_import(1, bulk_log);
	/* Every kind of entry is there: new people (with the custom field, and
	 * without a last name), new companies, tags. */
	ck_assert_int_eq(count_of("select count(*) from audit where entity = 'contact'"
	                          " and action = 'add'"), 20000);
	ck_assert_int_eq(count_of("select count(*) from audit where entity = 'company'"), 200);
	/* Small: no entry of a creation keeps values, yet each shows its own;
	 * person 10017 has the custom field and no last name. */
	ck_assert_int_eq(count_of("select count(*) from audit where action = 'add'"
	                          " and changes is not null"), 0);
	text = created_of(10017);
	ck_assert_str_eq(text, "{\"first_name\":[null,\"Ann\"],\"email\":[null,\"a10017@example.org\"],"
	                 "\"owner\":[null,\"tester\"],\"status\":[null,\"lead\"],"
	                 "\"custom.shoe\":[null,\"4\\\"2\"]}");
	free(text);
	ck_assert_int_eq(count_of("select count(*) from audit where action = 'tag'"), 909);
	ck_assert_int_eq(count_of("select count(*) from audit where action = 'note'"), 769);
	/* Tags whose text the log quotes come back as they went in. */
	ck_assert_int_eq(crm_db_int(db, "select count(*) from audit where changes ->> '$.tags[1]'"
	                            " = 'a\\b \"c\",vip,日本\t語'", &n), CRM_OK);
	ck_assert_int_eq(n, 455);
	snprintf(cmd, sizeof cmd, "cmp %s %s", row_log, bulk_log);
	ck_assert_int_eq(system(cmd), 0);
	unlink(row_log);
	unlink(bulk_log);
}
END_TEST

/* Audit entries of more kinds of record than a run holds: the run is
 * written when a fifth kind comes, and the log keeps every entry, small
 * or not, in the order it was made. */
START_TEST(test_audit_run_of_many_kinds)
{
	static const char *const kinds[] = { "contact", "company", "deal", "task", "ticket" };
	char *log;

	db->bulk = 1;
	db->batch = 7;
	ck_assert_int_eq(crm_audit_add(db, "contact", 1, "add", NULL), CRM_OK);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(crm_audit_add(db, kinds[i], 10 + i, "add", NULL), CRM_OK);
	ck_assert_int_eq(db->added.n, 1); /* the fifth kind wrote the first four */
	ck_assert_int_eq(crm_audit_add(db, "deal", 20, "set", "{\"title\":[\"a\",\"b\"]}"), CRM_OK);
	ck_assert_int_eq(crm_audit_add(db, "company", 21, "tag", NULL), CRM_OK);
	ck_assert_int_eq(crm_audit_add(db, "nothing", 22, "add", NULL), CRM_OK); /* written now */
	ck_assert_int_eq(db->added.n, 0);
	ck_assert_int_eq(crm_db_text_of(db, "SELECT group_concat(entity || ' ' || entity_id || ' '"
	                                " || action || coalesce(' ' || changes, '') || ' ' || batch,"
	                                " '; ') FROM (SELECT * FROM audit WHERE ?1 ORDER BY seq)", 1,
	                                &log), CRM_OK);
	ck_assert_str_eq(log, "contact 1 add 7; contact 10 add 7; company 11 add 7; deal 12 add 7;"
	                 " task 13 add 7; ticket 14 add 7; deal 20 set {\"title\":[\"a\",\"b\"]} 7;"
	                 " company 21 tag 7; nothing 22 add 7");
	free(log);
	db->bulk = 0;
	db->batch = 0;
	crm_db_rollback(db);
}
END_TEST

/* New people whose audit entries wait are dropped with a savepoint rolled
 * back, and the ids given again are audited once, with their own values. */
START_TEST(test_audit_that_waits_goes_with_a_savepoint)
{
	int64_t batch;

	begin_bulk();
	ck_assert_int_eq(row("first_name=Ann|email=ann@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(row("first_name=Bo|email=bo@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_db_savepoint(db, "t"), CRM_OK);
	ck_assert_int_eq(row("first_name=Gone|email=gone@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(crm_db_savepoint_end(db, "t", 1, CRM_OK), CRM_OK);
	ck_assert_int_eq(row("first_name=Cy|email=cy@example.org"), CRM_IMPORT_CREATED);
	ck_assert_int_eq(res.id, 3);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("select count(*) from audit where action = 'add'"), 3);
	for (int64_t id = 1; id <= 3; id++) {
		char *text = created_of(id), *email = NULL;

		ck_assert_int_eq(crm_db_text_of(db, "SELECT email FROM contacts WHERE id = ?1", id,
		                                &email), CRM_OK);
		ck_assert_ptr_nonnull(text);
		ck_assert_ptr_nonnull(strstr(text, email));
		free(text);
		free(email);
	}
}
END_TEST

/* JSON Lines of n people whose rows bring new columns as they go (a
 * city from row 7, a job title from row 500), with numbers that recur. */
static char *people_jsonl(int n, size_t *len)
{
	crm_buf b = CRM_BUF_INIT;

	for (int i = 1; i <= n; i++) {
		crm_buf_printf(&b, "{\"first_name\":\"Zoë %d\",\"last_name\":\"Øster\","
		               "\"email\":\"P%d@Example.org\",\"phone\":\"030 9018%02d\","
		               "\"country\":\"DE\"", i, i, i % 40);
		if (i >= 7)
			crm_buf_printf(&b, ",\"city\":\"Köln\"");
		if (i >= 500)
			crm_buf_printf(&b, ",\"job_title\":\"Lead %d\"", i % 3);
		crm_buf_puts(&b, "}\n");
	}
	*len = b.len;
	return crm_buf_detach(&b);
}

/* Rows prepared by crm_import_ahead on three threads at once come with
 * what it makes of them alone, and import as they would. */
START_TEST(test_ahead_on_threads)
{
	enum { N = 3000 };
	struct crm_reader_opts o = { .format = CRM_FORMAT_JSONL };
	size_t len;
	char *text = people_jsonl(N, &len);
	FILE *f = fmemopen(text, len, "r");
	crm_reader *r;
	crm_rowpipe *p;
	struct crm_row row;
	crm_buf alone = CRM_BUF_INIT;
	int64_t batch;
	int n = 0;

	begin_bulk();
	ck_assert_int_eq(crm_reader_open(&r, f, "in", &o), CRM_OK);
	ck_assert_int_eq(crm_rowpipe_open(&p, r, 3, crm_import_ahead, imp), CRM_OK);
	while (crm_rowpipe_next(p, &row) == 1) {
		n++;
		crm_buf_clear(&alone);
		crm_import_ahead(imp, &row, &alone);
		ck_assert_uint_eq(row.nahead, alone.len);
		ck_assert_mem_eq(row.ahead, alone.ptr, alone.len);
		ck_assert_int_eq(crm_import_row(imp, &row, &res), CRM_OK);
		ck_assert_int_eq(res.outcome, CRM_IMPORT_CREATED);
	}
	ck_assert_int_eq(n, N);
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
	ck_assert_int_eq(crm_import_end(imp, &batch), CRM_OK);
	ck_assert_int_eq(count_of("SELECT count(*) FROM contacts WHERE phone_e164 = '+4930901807'"
	                          " AND email_norm LIKE 'p%@example.org' AND city = 'Köln'"),
	                 N / 40);
	ck_assert_int_eq(count_of("SELECT count(*) FROM contacts WHERE title = 'Lead 1'"),
	                 833); /* rows 502, 505, ..., 2998 */
	crm_buf_free(&alone);
	free(text);
}
END_TEST

/* A timed import sums the time its threads spend reading phone numbers,
 * a part of what they spend on the rows; an import not timed sums none. */
static double ahead_phone_seconds(int timed, double *spent)
{
	struct crm_import_opts o = { .entity = crm_entity_find("contact"), .source = "test",
	                             .bulk = 1, .timed = timed };
	struct test_row t;
	crm_buf made = CRM_BUF_INIT;
	struct timespec t0, t1;

	begin_with(&o);
	test_row_make(&t, "first_name=Ana|email=ana@example.org|phone=030 901820|country=DE");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	crm_import_ahead(imp, &t.r, &made);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*spent = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_ptr_nonnull(memmem(made.ptr, made.len, "+4930901820", 11));
	crm_buf_free(&made);
	free(t.copy);
	return crm_import_ahead_phones(imp);
}

START_TEST(test_ahead_times_phone_numbers)
{
	double spent, phones = ahead_phone_seconds(1, &spent);

	ck_assert(phones > 0);
	ck_assert(phones <= spent);
	ck_assert(ahead_phone_seconds(0, &spent) == 0);
}
END_TEST

Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30); /* 20,000 rows: 1 s here, 2 under the sanitizers */
	tcase_add_test(tc, test_key_must_be_indexed);
	tcase_add_test(tc, test_outcomes_by_conflict_mode);
	tcase_add_test(tc, test_unique_email_whatever_the_key);
	tcase_add_test(tc, test_duplicate_key_in_one_input);
	tcase_add_test(tc, test_fallback_keys_for_companies);
	tcase_add_test(tc, test_rejected_row_leaves_nothing);
	tcase_add_test(tc, test_bulk_asks_again_after_a_half_way_reject);
	tcase_add_test(tc, test_search_entries_wait_when_the_table_held_records);
	tcase_add_test(tc, test_statements_compiled_once);
	tcase_add_test(tc, test_bulk_builds_indexes_after_the_rows);
	tcase_add_test(tc, test_indexes_kept_when_not_empty_or_a_key);
	tcase_add_test(tc, test_rows_of_an_order_stand_or_fall_together);
	tcase_add_test(tc, test_bulk_asks_again_for_a_later_row_of_an_order);
	tcase_add_test(tc, test_split_and_unknown_columns);
	tcase_add_test(tc, test_map_file_errors_name_line_and_column);
	tcase_add_test(tc, test_undo_restores_and_removes);
	tcase_add_test(tc, test_undo_refused_by_a_record_that_refers);
	tcase_add_test(tc, test_undo_with_foreign_keys_off);
	tcase_add_test(tc, test_undo_loyalty_purchases_setwise);
	tcase_add_test(tc, test_nothing_changed_records_no_batch);
	tcase_add_test(tc, test_columns_made_ahead_are_the_writes);
	tcase_add_test(tc, test_name_parts_are_fields);
	tcase_add_test(tc, test_names_remembered);
	tcase_add_test(tc, test_found_reference_taken_as_it_is);
	tcase_add_test(tc, test_search_entries_of_every_record_written);
	tcase_add_test(tc, test_bulk_audit_is_the_row_by_row_audit);
	tcase_add_test(tc, test_tags_and_notes_of_new_and_matched_records);
	tcase_add_test(tc, test_audit_run_of_many_kinds);
	tcase_add_test(tc, test_audit_that_waits_goes_with_a_savepoint);
	tcase_add_test(tc, test_ahead_on_threads);
	tcase_add_test(tc, test_ahead_times_phone_numbers);
	suite_add_tcase(s, tc);
	return s;
}
