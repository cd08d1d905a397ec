/* check_deal.c - deals through the generic record API: defaults, stages,
 * probabilities, outcomes, the stage history, the board and the forecast
 * (now and as it stood on a past day), in the base currency.
 *
 * The database's clock is $CRM_NOW as read when the database is opened, so
 * a test moves time on by committing, closing and reopening (clock_to).
 * Expected figures were worked out by hand or with `bc -l`, never taken from
 * the code under test. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "crm/deal.h"
#include "crm/rates.h"

static crm_db *db;
static crm_config *cfg;
static const struct crm_entity *deal;

/* Opens the scratch database with the clock at now, in a write
 * transaction; the acting user is $CRM_USER (tester). */
static void open_at(const char *now)
{
	setenv("CRM_NOW", now, 1);
	ck_assert_msg(crm_db_open(&db, fx_path, 0, cfg) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
}

/* Commits what was written and carries on at now. */
static void clock_to(const char *now)
{
	ck_assert_msg(crm_db_commit(db) == CRM_OK, "%s", crm_error_message());
	crm_db_close(db);
	db = NULL;
	open_at(now);
}

/* Carries on at now as user. */
static void clock_to_as(const char *now, const char *user)
{
	clock_to(now);
	ck_assert_int_eq(crm_db_set_actor(db, "crm-deal", user), CRM_OK);
}

/* Reopens the database with the configuration yaml, clock unchanged. */
static void configure(const char *yaml)
{
	char now[64];

	snprintf(now, sizeof now, "%s", getenv("CRM_NOW"));
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	crm_db_close(db);
	db = NULL;
	cfg = fx_config(yaml);
	open_at(now);
}

static void setup(void)
{
	fx_scratch();
	cfg = NULL;
	deal = crm_entity_find("deal");
	ck_assert_ptr_nonnull(deal);
	open_at("2026-11-01T09:00:00Z");
}

static void teardown(void)
{
	fx_close(db);
	crm_config_free(cfg);
}

/* A change set of deal from "field=value" pairs, NULL-terminated. */
static crm_record *vrec(const char *pair, va_list ap)
{
	crm_record *r;

	ck_assert_int_eq(crm_record_new(&r, deal), CRM_OK);
	for (; pair; pair = va_arg(ap, const char *)) {
		const char *eq = strchr(pair, '=');
		char field[64];

		ck_assert_ptr_nonnull(eq);
		snprintf(field, sizeof field, "%.*s", (int)(eq - pair), pair);
		ck_assert_msg(crm_record_set(r, field, eq + 1) == CRM_OK, "%s: %s", pair,
			      crm_error_message());
	}
	return r;
}

/* Adds a deal and returns its id; asserts success. */
static int64_t add(const char *pair, ...)
{
	crm_record *r;
	int64_t id = 0;
	va_list ap;

	va_start(ap, pair);
	r = vrec(pair, ap);
	va_end(ap);
	ck_assert_msg(crm_entity_add(db, r, &id) == CRM_OK, "add: %s", crm_error_message());
	crm_record_free(r);
	return id;
}

/* Tries to add a deal; returns the status. */
static int try_add(const char *pair, ...)
{
	crm_record *r;
	int64_t id = 0;
	va_list ap;
	int rc;

	va_start(ap, pair);
	r = vrec(pair, ap);
	va_end(ap);
	rc = crm_entity_add(db, r, &id);
	crm_record_free(r);
	return rc;
}

/* Updates deal id; returns the status. */
static int set(int64_t id, const char *pair, ...)
{
	crm_record *r;
	va_list ap;
	int rc, changed = -1;

	va_start(ap, pair);
	r = vrec(pair, ap);
	va_end(ap);
	rc = crm_entity_update(db, r, id, &changed);
	crm_record_free(r);
	if (rc)
		ck_assert_int_eq(changed, 0); /* a failed write changes nothing */
	return rc;
}

static void set_ok(int64_t id, const char *pair, ...)
{
	crm_record *r;
	va_list ap;

	va_start(ap, pair);
	r = vrec(pair, ap);
	va_end(ap);
	ck_assert_msg(crm_entity_update(db, r, id, NULL) == CRM_OK, "set %s: %s", pair,
		      crm_error_message());
	crm_record_free(r);
}

struct rows {
	char out[2048];
	size_t ncols;
};

/* Appends the values of a row as "a|b|c\n" ("" for NULL). */
static int collect(void *arg, const char *const *vals)
{
	struct rows *c = arg;

	for (size_t i = 0; i < c->ncols; i++) {
		size_t len = strlen(c->out);

		snprintf(c->out + len, sizeof c->out - len, "%s%s", i ? "|" : "",
			 vals[i] ? vals[i] : "");
	}
	strncat(c->out, "\n", sizeof c->out - strlen(c->out) - 1);
	return 0;
}

/* The fields (comma-separated) of deal id, archived or not, as "a|b|c". */
static const char *get(int64_t id, const char *fields)
{
	static struct rows c;
	const struct crm_column *cols;
	crm_query *q;
	long n = 0;

	c.out[0] = '\0';
	ck_assert_int_eq(crm_query_new(&q, db, deal), CRM_OK);
	crm_query_archived(q, 2);
	ck_assert_int_eq(crm_query_id(q, id), CRM_OK);
	ck_assert_msg(crm_query_fields(q, fields) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_query_columns(q, &cols, &c.ncols), CRM_OK);
	ck_assert_int_eq(crm_query_run(q, collect, &c, &n), CRM_OK);
	crm_query_free(q);
	ck_assert_int_eq(n, 1);
	c.out[strlen(c.out) - 1] = '\0'; /* the newline */
	return c.out;
}

/* The number of deals, archived ones too. */
static long ndeals(void)
{
	static struct rows c;
	crm_query *q;
	long n = -1;

	c.out[0] = '\0';
	c.ncols = 1;
	ck_assert_int_eq(crm_query_new(&q, db, deal), CRM_OK);
	crm_query_archived(q, 2);
	ck_assert_int_eq(crm_query_fields(q, "id"), CRM_OK);
	ck_assert_int_eq(crm_query_run(q, collect, &c, &n), CRM_OK);
	crm_query_free(q);
	return n;
}

/* The history of deal id, a line per stretch. */
static const char *history(int64_t id)
{
	static struct rows c;

	c.out[0] = '\0';
	c.ncols = CRM_HISTORY_COLUMNS;
	ck_assert_msg(crm_deal_history(db, id, collect, &c) == CRM_OK, "%s", crm_error_message());
	return c.out;
}

/* Runs a forecast from from to to (days, to excluded); returns its lines. */
static const char *forecast(const char *by, const char *from, const char *to, const char *as_of,
			    long *unconverted)
{
	static struct rows c;
	struct crm_forecast_opts o = { .by = by, .from = from, .to = to, .as_of = as_of };
	long n = -1;

	c.out[0] = '\0';
	c.ncols = CRM_FORECAST_COLUMNS;
	o.skip_missing = unconverted != NULL;
	ck_assert_msg(crm_deal_forecast(db, &o, collect, &c, &n) == CRM_OK, "%s",
		      crm_error_message());
	if (unconverted)
		*unconverted = n;
	else
		ck_assert_int_eq(n, 0);
	return c.out;
}

static void rate(const char *date, const char *currency, const char *value)
{
	ck_assert_msg(crm_rates_set(db, date, currency, value) == CRM_OK, "%s",
		      crm_error_message());
}

#define STATE "pipeline,stage,probability,probability_source,status"

START_TEST(test_defaults)
{
	int64_t id = add("title=Widgets", "amount=1234.5", NULL);

	ck_assert_int_eq(id, 1);
	ck_assert_str_eq(get(id, STATE ",owner,stage_since,closed_at,lost_reason,amount"),
			 "default|lead|10|stage|open|tester|2026-11-01T09:00:00Z|||1234.50 EUR");
	/* A title is required. */
	ck_assert_int_eq(try_add("amount=5", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "title: a deal needs a title");
	ck_assert_int_eq(ndeals(), 1);
}
END_TEST

START_TEST(test_stage_any_case)
{
	int64_t a = add("title=A", "stage=Proposal", NULL);
	int64_t b = add("title=B", "stage=NEGOTIATION", "pipeline=Default", NULL);

	ck_assert_str_eq(get(a, STATE), "default|proposal|50|stage|open");
	ck_assert_str_eq(get(b, STATE), "default|negotiation|75|stage|open");
	set_ok(a, "stage=qualified", NULL);
	ck_assert_str_eq(get(a, STATE), "default|qualified|25|stage|open");
	set_ok(a, "stage=LEAD", NULL);
	ck_assert_str_eq(get(a, STATE), "default|lead|10|stage|open");
}
END_TEST

START_TEST(test_unknown_stage_or_pipeline)
{
	int64_t id;

	ck_assert_int_eq(try_add("title=A", "stage=closing", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "stage: no stage 'closing' in pipeline 'default'"
			 " (stages: lead, qualified, proposal, negotiation)");
	ck_assert_int_eq(try_add("title=A", "pipeline=renewals", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "pipeline: no pipeline 'renewals' (pipelines: default)");
	ck_assert_int_eq(ndeals(), 0);

	id = add("title=A", "stage=proposal", NULL);
	ck_assert_int_eq(set(id, "stage=closing", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "stage: no stage 'closing' in pipeline 'default'"
			 " (stages: lead, qualified, proposal, negotiation)");
	ck_assert_int_eq(set(id, "pipeline=renewals", "title=B", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "pipeline: no pipeline 'renewals' (pipelines: default)");
	/* Nothing of either write is left. */
	ck_assert_str_eq(get(id, "title," STATE), "A|default|proposal|50|stage|open");
	ck_assert_str_eq(history(id), "proposal|default|2026-11-01T09:00:00Z||0.0|tester\n");
}
END_TEST

START_TEST(test_configured_pipelines)
{
	int64_t x, y;

	configure("pipelines:\n"
		  "  sales:\n"
		  "    - { stage: lead, probability: 10 }\n"
		  "    - { stage: demo, probability: 40 }\n"
		  "    - { stage: contract, probability: 80 }\n"
		  "  renewals:\n"
		  "    - { stage: due, probability: 60 }\n"
		  "    - { stage: signed, probability: 95 }\n");
	x = add("title=X", NULL);
	y = add("title=Y", "pipeline=Renewals", NULL);
	ck_assert_str_eq(get(x, STATE), "sales|lead|10|stage|open");
	ck_assert_str_eq(get(y, STATE), "renewals|due|60|stage|open");
	ck_assert_int_eq(set(x, "stage=due", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "stage: no stage 'due' in pipeline 'sales' (stages: lead, demo, contract)");
	ck_assert_int_eq(try_add("title=Z", "pipeline=default", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "pipeline: no pipeline 'default' (pipelines: sales, renewals)");
	/* A new pipeline alone: its first stage, unless the stage is in it. */
	set_ok(x, "pipeline=renewals", NULL);
	ck_assert_str_eq(get(x, STATE), "renewals|due|60|stage|open");
	set_ok(x, "pipeline=sales", "stage=Demo", NULL);
	ck_assert_str_eq(get(x, STATE), "sales|demo|40|stage|open");
}
END_TEST

START_TEST(test_manual_probability)
{
	int64_t a = add("title=A", "probability=30", NULL);
	int64_t z = add("title=Z", "probability=0", "stage=negotiation", NULL);

	ck_assert_str_eq(get(a, STATE), "default|lead|30|manual|open");
	set_ok(a, "stage=proposal", NULL);
	ck_assert_str_eq(get(a, STATE), "default|proposal|30|manual|open");
	set_ok(a, "stage=negotiation", NULL);
	ck_assert_str_eq(get(a, STATE), "default|negotiation|30|manual|open");
	set_ok(a, "probability=", NULL);
	ck_assert_str_eq(get(a, STATE), "default|negotiation|75|stage|open");
	set_ok(a, "stage=qualified", NULL);
	ck_assert_str_eq(get(a, STATE), "default|qualified|25|stage|open");
	/* Zero is a probability like any other. */
	ck_assert_str_eq(get(z, STATE), "default|negotiation|0|manual|open");
	set_ok(z, "stage=lead", NULL);
	ck_assert_str_eq(get(z, STATE), "default|lead|0|manual|open");
	ck_assert_int_eq(set(z, "probability=101", NULL), CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "probability"));
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "'101'"));
	ck_assert_str_eq(get(z, STATE), "default|lead|0|manual|open");
}
END_TEST

START_TEST(test_won_lost_reopen)
{
	int64_t a = add("title=A", "stage=proposal", NULL);

	clock_to("2026-11-05T10:00:00Z");
	ck_assert_int_eq(set(a, "status=lost", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "lost_reason: a lost deal needs a reason (crm-deal lost ID --reason TEXT)");
	ck_assert_int_eq(set(a, "status=lost", "lost_reason=  ", NULL), CRM_EDATA);
	ck_assert_str_eq(get(a, STATE ",closed_at,lost_reason"),
			 "default|proposal|50|stage|open||");
	set_ok(a, "status=lost", "lost_reason=too dear", NULL);
	ck_assert_str_eq(get(a, STATE ",closed_at,lost_reason,stage_since"),
			 "default|proposal|50|stage|lost|2026-11-05T10:00:00Z|too dear|"
			 "2026-11-05T10:00:00Z");

	clock_to("2026-11-06T10:00:00Z");
	set_ok(a, "status=open", NULL);
	ck_assert_str_eq(get(a, STATE ",closed_at,lost_reason,stage_since"),
			 "default|proposal|50|stage|open|||2026-11-06T10:00:00Z");
	set_ok(a, "status=won", NULL);
	ck_assert_str_eq(get(a, STATE ",closed_at,lost_reason"),
			 "default|proposal|50|stage|won|2026-11-06T10:00:00Z|");
	set_ok(a, "status=open", NULL);
	ck_assert_str_eq(get(a, STATE ",closed_at,lost_reason"), "default|proposal|50|stage|open||");
	ck_assert_str_eq(history(a),
			 "proposal|default|2026-11-01T09:00:00Z|2026-11-05T10:00:00Z|4.0|tester\n"
			 "lost|default|2026-11-05T10:00:00Z|2026-11-06T10:00:00Z|1.0|tester\n"
			 "proposal|default|2026-11-06T10:00:00Z|2026-11-06T10:00:00Z|0.0|tester\n"
			 "won|default|2026-11-06T10:00:00Z|2026-11-06T10:00:00Z|0.0|tester\n"
			 "proposal|default|2026-11-06T10:00:00Z||0.0|tester\n");
}
END_TEST

/* Exports write outcomes as stages ("Closed Won"); the word sets the
 * outcome, and a deal closed from a stage keeps it. */
START_TEST(test_outcome_as_stage)
{
	int64_t a = add("title=Imported", "stage=Closed Won", NULL);
	int64_t b = add("title=B", "stage=proposal", NULL);
	int changed = -1;
	crm_record *r;

	ck_assert_str_eq(get(a, "status,closed_at"), "won|2026-11-01T09:00:00Z");
	clock_to("2026-11-06T10:00:00Z");
	ck_assert_int_eq(crm_record_new(&r, deal), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "stage", "Closed Won"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, b, &changed), CRM_OK);
	crm_record_free(r);
	ck_assert_str_eq(get(b, STATE ",closed_at"),
			 "default|proposal|50|stage|won|2026-11-06T10:00:00Z");
	ck_assert_int_eq(changed, 1);
}
END_TEST

/* A closing time is a time: a day given, or an expected close that has
 * passed (an import's close date), is midnight UTC of it, and so is when
 * the deal entered its outcome. */
START_TEST(test_closed_at_is_a_time)
{
	int64_t a = add("title=A", "stage=Closed Won", "expected_close=2026-10-15", NULL);
	int64_t b = add("title=B", "status=lost", "lost_reason=price", "closed_at=2026-10-20", NULL);

	ck_assert_str_eq(get(a, "closed_at,stage_since"), "2026-10-15T00:00:00Z|2026-10-15T00:00:00Z");
	ck_assert_str_eq(history(a), "won|default|2026-10-15T00:00:00Z||17.4|tester\n");
	ck_assert_str_eq(get(b, "closed_at"), "2026-10-20T00:00:00Z");
}
END_TEST

/* A deal enters its outcome when it closes: a closing time moved, or a
 * deal closed at an earlier time, moves its history with it (never past
 * now), so that a report reading the history at a period's end counts
 * it in the period of its closing time. */
START_TEST(test_closed_at_moves_history)
{
	int64_t a = add("title=A", NULL), b = add("title=B", NULL);

	clock_to("2026-11-10T09:00:00Z");
	set_ok(a, "status=won", NULL);
	set_ok(a, "closed_at=2026-11-05T12:00:00Z", NULL);
	ck_assert_str_eq(history(a),
			 "lead|default|2026-11-01T09:00:00Z|2026-11-05T12:00:00Z|4.1|tester\n"
			 "won|default|2026-11-05T12:00:00Z||4.9|tester\n");
	ck_assert_str_eq(get(a, "closed_at,stage_since"),
			 "2026-11-05T12:00:00Z|2026-11-05T12:00:00Z");
	/* Later, and past now: the outcome begins now. */
	set_ok(a, "closed_at=2026-11-08", NULL);
	ck_assert_str_eq(history(a),
			 "lead|default|2026-11-01T09:00:00Z|2026-11-08T00:00:00Z|6.6|tester\n"
			 "won|default|2026-11-08T00:00:00Z||2.4|tester\n");
	set_ok(a, "closed_at=2026-12-01", NULL);
	ck_assert_str_eq(history(a),
			 "lead|default|2026-11-01T09:00:00Z|2026-11-10T09:00:00Z|9.0|tester\n"
			 "won|default|2026-11-10T09:00:00Z||0.0|tester\n");
	ck_assert_str_eq(get(a, "closed_at"), "2026-12-01T00:00:00Z");
	/* Closed at a time before its last move: that stage shrinks to
	 * nothing. */
	set_ok(b, "stage=proposal", NULL);
	set_ok(b, "status=lost", "lost_reason=price", "closed_at=2026-11-03", NULL);
	ck_assert_str_eq(history(b),
			 "lead|default|2026-11-01T09:00:00Z|2026-11-03T00:00:00Z|1.6|tester\n"
			 "proposal|default|2026-11-03T00:00:00Z|2026-11-03T00:00:00Z|0.0|tester\n"
			 "lost|default|2026-11-03T00:00:00Z||7.4|tester\n");
}
END_TEST

/* A closed deal keeps the stage it closed from: a move is refused until
 * it is reopened, which puts it back there; its outcome may change. */
START_TEST(test_closed_deal_not_moved)
{
	int64_t a = add("title=A", "stage=proposal", NULL);

	set_ok(a, "status=won", NULL);
	ck_assert_int_eq(set(a, "stage=lead", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "deal 1 is won; reopen it first");
	ck_assert_int_eq(set(a, "status=lost", "lost_reason=price", "stage=lead", NULL), CRM_EDATA);
	ck_assert_int_eq(set(a, "pipeline=default", "stage=Proposal", NULL), CRM_OK);
	set_ok(a, "status=lost", "lost_reason=price", NULL);
	ck_assert_str_eq(get(a, "status,stage"), "lost|proposal");
	set_ok(a, "status=open", NULL);
	ck_assert_str_eq(get(a, "status,stage"), "open|proposal");
	set_ok(a, "stage=lead", NULL);
	ck_assert_str_eq(get(a, "status,stage"), "open|lead");
}
END_TEST

/* Only a closed deal has a closing time: given to an open one it is an
 * error, not dropped without a word. */
START_TEST(test_closed_at_of_open_deal)
{
	int64_t a = add("title=A", NULL);

	ck_assert_int_eq(set(a, "closed_at=2026-10-20", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "closed_at: deal 1 is open; only a won or lost deal has a closing time");
	ck_assert_int_eq(try_add("title=B", "closed_at=2026-10-20", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "closed_at: the deal is open; only a won or lost deal has a closing time");
	set_ok(a, "status=won", "closed_at=2026-10-20", NULL);
	ck_assert_int_eq(set(a, "status=open", "closed_at=2026-10-21", NULL), CRM_EDATA);
	set_ok(a, "status=open", "closed_at=", NULL);
	ck_assert_str_eq(get(a, "status,closed_at"), "open|");
	ck_assert_int_eq(ndeals(), 1);
}
END_TEST

START_TEST(test_lost_reasons_configured)
{
	int64_t a;

	configure("lost_reasons: [price, timing]\n");
	a = add("title=A", NULL);
	ck_assert_int_eq(set(a, "status=lost", "lost_reason=budget", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "lost_reason: 'budget' is not one of the reasons configured (price, timing)");
	ck_assert_str_eq(get(a, "status,lost_reason"), "open|");
	set_ok(a, "status=lost", "lost_reason=PRICE", NULL);
	ck_assert_str_eq(get(a, "status,lost_reason"), "lost|price");
	set_ok(a, "status=open", NULL);
	ck_assert_str_eq(get(a, "status,lost_reason,closed_at,stage"), "open|||lead");
}
END_TEST

START_TEST(test_history)
{
	int64_t a = add("title=A", NULL);

	clock_to_as("2026-11-04T21:00:00Z", "alice");
	set_ok(a, "stage=qualified", NULL);
	/* A change of amount alone stays in the stretch alice started. */
	clock_to_as("2026-11-05T09:00:00Z", "bob");
	set_ok(a, "amount=500", NULL);
	clock_to("2026-11-10T09:00:00Z");
	set_ok(a, "stage=Proposal", NULL);
	set_ok(a, "stage=proposal", "title=A2", NULL);
	clock_to("2026-11-12T21:00:00Z");
	set_ok(a, "status=won", NULL);
	clock_to("2026-11-14T21:00:00Z");
	set_ok(a, "status=open", NULL);
	clock_to("2026-11-22T09:00:00Z");
	ck_assert_str_eq(history(a),
			 "lead|default|2026-11-01T09:00:00Z|2026-11-04T21:00:00Z|3.5|tester\n"
			 "qualified|default|2026-11-04T21:00:00Z|2026-11-10T09:00:00Z|5.5|alice\n"
			 "proposal|default|2026-11-10T09:00:00Z|2026-11-12T21:00:00Z|2.5|tester\n"
			 "won|default|2026-11-12T21:00:00Z|2026-11-14T21:00:00Z|2.0|tester\n"
			 "proposal|default|2026-11-14T21:00:00Z||7.5|tester\n");
	ck_assert_int_eq(crm_deal_history(db, 99, collect, NULL), CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(), "no deal 99");
}
END_TEST

/* Deals made on November 1st, changed on the 20th, read on the 22nd:
 * --as-of rebuilds each day from the history. */
START_TEST(test_forecast_as_of)
{
	int64_t a, b;

	configure("targets:\n  - { period: 2026-Q4, amount: 20000 EUR }\n");
	rate("2026-10-01", "USD", "1.05");
	a = add("title=Alpha", "amount=10000 EUR", "stage=proposal", "expected_close=2026-12-15",
		NULL);
	b = add("title=Beta", "amount=12000 EUR", "stage=negotiation",
		"expected_close=2026-11-30", NULL);
	add("title=Gamma", "amount=4800 USD", "expected_close=2026-12-20", NULL);

	clock_to("2026-11-20T10:00:00Z");
	set_ok(b, "status=won", NULL);
	set_ok(a, "amount=8000", NULL);
	add("title=Epsilon", "amount=1000 EUR", "expected_close=2026-12-31", NULL);
	clock_to("2026-11-22T09:30:00Z");

	/* Before anything: the target alone. */
	ck_assert_str_eq(forecast("quarter", "2026-10-01", "2027-01-01", "2026-10-31", NULL),
			 "2026-Q4|0|0.00|0.00|0.00|20000.00|0.0|0.0\n"
			 "total|0|0.00|0.00|0.00|20000.00|0.0|0.0\n");
	/* The 10th: Alpha 10000 at 50%, Beta 12000 at 75%, Gamma 4800 USD /
	 * 1.05 = 4571.43 at 10%; weighted 5000 + 9000 + 457.143 = 14457.143;
	 * coverage 14457.14 / 20000 = 72.29%. */
	ck_assert_str_eq(forecast("quarter", "2026-10-01", "2027-01-01", "2026-11-10", NULL),
			 "2026-Q4|3|26571.43|14457.14|0.00|20000.00|0.0|72.3\n"
			 "total|3|26571.43|14457.14|0.00|20000.00|0.0|72.3\n");
	/* By the end of the 20th and now: Beta won (12000, 60% of the target),
	 * Alpha at 8000, Epsilon 1000 at 10%: weighted 4000 + 457.143 + 100;
	 * coverage (12000 + 4557.14) / 20000 = 82.79%. */
	ck_assert_str_eq(forecast("quarter", "2026-10-01", "2027-01-01", "2026-11-20", NULL),
			 "2026-Q4|3|13571.43|4557.14|12000.00|20000.00|60.0|82.8\n"
			 "total|3|13571.43|4557.14|12000.00|20000.00|60.0|82.8\n");
	ck_assert_str_eq(forecast("quarter", "2026-10-01", "2027-01-01", NULL, NULL),
			 "2026-Q4|3|13571.43|4557.14|12000.00|20000.00|60.0|82.8\n"
			 "total|3|13571.43|4557.14|12000.00|20000.00|60.0|82.8\n");
	/* By month there is no target: a quarter's is no month's. */
	ck_assert_str_eq(forecast(NULL, "2026-10-01", "2027-01-01", NULL, NULL),
			 "2026-11|0|0.00|0.00|12000.00|||\n"
			 "2026-12|3|13571.43|4557.14|0.00|||\n"
			 "total|3|13571.43|4557.14|12000.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-10-01", "2027-01-01", "2026-11-10", NULL),
			 "2026-11|1|12000.00|9000.00|0.00|||\n"
			 "2026-12|2|14571.43|5457.14|0.00|||\n"
			 "total|3|26571.43|14457.14|0.00|||\n");
	/* A range that ends before December sees Beta alone. */
	ck_assert_str_eq(forecast("month", "2026-11-01", "2026-12-01", "2026-11-10", NULL),
			 "2026-11|1|12000.00|9000.00|0.00|||\n"
			 "total|1|12000.00|9000.00|0.00|||\n");
}
END_TEST

/* A deal won and reopened since counts as won on the days between. */
START_TEST(test_forecast_as_of_reopened)
{
	int64_t b = add("title=Beta", "amount=12000 EUR", "stage=negotiation",
			"expected_close=2026-11-30", NULL);

	clock_to("2026-11-20T10:00:00Z");
	set_ok(b, "status=won", NULL);
	clock_to("2026-11-21T10:00:00Z");
	set_ok(b, "status=open", NULL);
	clock_to("2026-11-22T09:30:00Z");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2026-12-01", "2026-11-19", NULL),
			 "2026-11|1|12000.00|9000.00|0.00|||\n"
			 "total|1|12000.00|9000.00|0.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2026-12-01", "2026-11-21", NULL),
			 "2026-11|1|12000.00|9000.00|0.00|||\n"
			 "total|1|12000.00|9000.00|0.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2026-12-01", NULL, NULL),
			 "2026-11|1|12000.00|9000.00|0.00|||\n"
			 "total|1|12000.00|9000.00|0.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2026-12-01", "2026-11-20", NULL),
			 "2026-11|0|0.00|0.00|12000.00|||\n"
			 "total|0|0.00|0.00|12000.00|||\n");
}
END_TEST

/* A won deal is won on the day it was won (closed_at), whatever changed
 * of it afterwards: as of a day after a later change the forecast agrees
 * with today's. */
START_TEST(test_forecast_as_of_won_then_changed)
{
	int64_t b = add("title=Beta", "amount=12000 EUR", "stage=negotiation",
			"expected_close=2026-11-30", NULL);

	clock_to("2026-11-20T10:00:00Z");
	set_ok(b, "status=won", NULL);
	clock_to("2026-12-03T10:00:00Z");
	set_ok(b, "amount=12500", NULL);
	clock_to("2026-12-05T09:00:00Z");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", NULL, NULL),
			 "2026-11|0|0.00|0.00|12500.00|||\n"
			 "total|0|0.00|0.00|12500.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", "2026-11-25", NULL),
			 "2026-11|0|0.00|0.00|12000.00|||\n"
			 "total|0|0.00|0.00|12000.00|||\n");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", "2026-12-04", NULL),
			 "2026-11|0|0.00|0.00|12500.00|||\n"
			 "total|0|0.00|0.00|12500.00|||\n");
}
END_TEST

START_TEST(test_forecast_by_owner)
{
	configure("targets:\n"
		  "  - { period: 2026-Q4, owner: alice, amount: 10000 }\n"
		  "  - { period: 2026-11, owner: alice, amount: 2000 }\n"
		  "  - { period: 2026-Q4, owner: bob, amount: 5000 }\n");
	add("title=A", "owner=alice", "amount=3000", "status=won", NULL);
	add("title=B", "owner=bob", "amount=4000", "stage=negotiation",
	    "expected_close=2026-12-10", NULL);
	/* alice: 3000 won of 10000 + 2000; bob: 4000 at 75% = 3000 of 5000;
	 * total 3000 / 17000 = 17.65%, (3000 + 3000) / 17000 = 35.29%. */
	ck_assert_str_eq(forecast("owner", "2026-10-01", "2027-01-01", NULL, NULL),
			 "alice|0|0.00|0.00|3000.00|12000.00|25.0|25.0\n"
			 "bob|1|4000.00|3000.00|0.00|5000.00|0.0|60.0\n"
			 "total|1|4000.00|3000.00|3000.00|17000.00|17.6|35.3\n");
	/* No team target for the quarter: the owners' quarter targets. */
	ck_assert_str_eq(forecast("quarter", "2026-10-01", "2027-01-01", NULL, NULL),
			 "2026-Q4|1|4000.00|3000.00|3000.00|15000.00|20.0|40.0\n"
			 "total|1|4000.00|3000.00|3000.00|15000.00|20.0|40.0\n");
}
END_TEST

/* Weighted sums are exact and rounded once, half to even. */
START_TEST(test_forecast_weighted_once)
{
	struct crm_board *b = NULL;

	add("title=P1", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-01", NULL);
	/* 0.005 */
	ck_assert_str_eq(forecast("month", "2026-12-01", "2027-01-01", NULL, NULL),
			 "2026-12|1|0.01|0.00|0.00|||\n"
			 "total|1|0.01|0.00|0.00|||\n");
	add("title=P2", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-02", NULL);
	add("title=P3", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-03", NULL);
	/* 0.015, not 3 x 0.01 */
	ck_assert_str_eq(forecast("month", "2026-12-01", "2027-01-01", NULL, NULL),
			 "2026-12|3|0.03|0.02|0.00|||\n"
			 "total|3|0.03|0.02|0.00|||\n");
	ck_assert_int_eq(crm_deal_board(db, NULL, NULL, 0, 0, &b), CRM_OK);
	ck_assert_str_eq(b->stages[2].name, "proposal");
	ck_assert_int_eq(b->stages[2].count, 3);
	ck_assert_int_eq(b->stages[2].amount, 3);
	ck_assert_int_eq(b->stages[2].weighted, 2);
	ck_assert_uint_eq(b->stages[2].ndeals, 0);
	crm_board_free(b);
	add("title=P4", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-04", NULL);
	add("title=P5", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-05", NULL);
	/* 0.025 */
	ck_assert_str_eq(forecast("month", "2026-12-01", "2027-01-01", NULL, NULL),
			 "2026-12|5|0.05|0.02|0.00|||\n"
			 "total|5|0.05|0.02|0.00|||\n");
	add("title=P6", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-06", NULL);
	add("title=P7", "amount=0.01 EUR", "stage=proposal", "expected_close=2026-12-07", NULL);
	/* 0.035 */
	ck_assert_str_eq(forecast("month", "2026-12-01", "2027-01-01", NULL, NULL),
			 "2026-12|7|0.07|0.04|0.00|||\n"
			 "total|7|0.07|0.04|0.00|||\n");
}
END_TEST

/* Open amounts at the rate of the day asked for, won ones at the rate of
 * the day they were won. */
START_TEST(test_forecast_rates)
{
	int64_t d2;
	long skipped = -1;
	struct crm_forecast_opts o = { .from = "2026-11-01", .to = "2027-01-01" };
	long n = -1;

	rate("2026-10-01", "USD", "1.05");
	rate("2026-11-21", "USD", "1.20");
	add("title=D1", "amount=4800 USD", "expected_close=2026-12-20", NULL);
	d2 = add("title=D2", "amount=2100 USD", "stage=negotiation", "expected_close=2026-11-25",
		 NULL);
	clock_to("2026-11-20T10:00:00Z");
	set_ok(d2, "status=won", NULL);
	clock_to("2026-11-22T09:30:00Z");
	/* Now: D1 4800 / 1.20 = 4000 at 10%; D2 won at 2100 / 1.05 = 2000. */
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", NULL, NULL),
			 "2026-11|0|0.00|0.00|2000.00|||\n"
			 "2026-12|1|4000.00|400.00|0.00|||\n"
			 "total|1|4000.00|400.00|2000.00|||\n");
	/* The 10th: D2 open at 2000 x 75%, D1 4571.43 x 10% = 457.143. */
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", "2026-11-10", NULL),
			 "2026-11|1|2000.00|1500.00|0.00|||\n"
			 "2026-12|1|4571.43|457.14|0.00|||\n"
			 "total|2|6571.43|1957.14|0.00|||\n");

	/* No GBP rate: an error naming currency and day, or left out and
	 * counted. */
	add("title=Pounds", "amount=100 GBP", "expected_close=2026-12-05", NULL);
	ck_assert_int_eq(crm_deal_forecast(db, &o, collect, &(struct rows){ .ncols = 8 }, &n),
			 CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "no rate for GBP on or before 2026-11-22 (crm-db rates)");
	ck_assert_str_eq(forecast("month", "2026-11-01", "2027-01-01", NULL, &skipped),
			 "2026-11|0|0.00|0.00|2000.00|||\n"
			 "2026-12|1|4000.00|400.00|0.00|||\n"
			 "total|1|4000.00|400.00|2000.00|||\n");
	ck_assert_int_eq(skipped, 1);
}
END_TEST

START_TEST(test_forecast_options)
{
	struct crm_forecast_opts o = { .by = "week", .from = "2026-11-01", .to = "2027-01-01" };
	struct rows c = { .ncols = 8 };
	long n = -1;

	ck_assert_int_eq(crm_deal_forecast(db, &o, collect, &c, &n), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(),
			 "--by takes month, quarter, year, owner or pipeline, not 'week'");
	o.by = "year";
	o.from = NULL;
	ck_assert_int_eq(crm_deal_forecast(db, &o, collect, &c, &n), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "a forecast needs a range of days");
	o.from = "2026-13-01";
	ck_assert_int_eq(crm_deal_forecast(db, &o, collect, &c, &n), CRM_EUSAGE);
	ck_assert_str_eq(c.out, "");
	/* An empty range still has its total. */
	ck_assert_str_eq(forecast("year", "2026-01-01", "2027-01-01", NULL, NULL),
			 "total|0|0.00|0.00|0.00|||\n");
}
END_TEST

START_TEST(test_board)
{
	struct crm_board *b = (struct crm_board *)&b;
	int64_t u, n;

	rate("2026-11-01", "USD", "1.05");
	u = add("title=Dollars", "amount=4800 USD", NULL);
	add("title=P1", "amount=0.01", "stage=proposal", NULL);
	add("title=P2", "amount=0.01", "stage=proposal", NULL);
	add("title=P3", "amount=0.01", "stage=proposal", "owner=bob", NULL);
	n = add("title=Big", "amount=1000", "stage=negotiation", "owner=bob", NULL);
	add("title=Won", "amount=9999", "status=won", NULL);
	add("title=Lost", "amount=8888", "status=lost", "lost_reason=price", NULL);

	ck_assert_int_eq(crm_deal_board(db, NULL, NULL, 2, 0, &b), CRM_OK);
	ck_assert_str_eq(b->pipeline, "default");
	ck_assert_str_eq(b->currency, "EUR");
	ck_assert_uint_eq(b->nstages, 4);
	ck_assert_int_eq(b->unconverted, 0);
	/* lead: 4800 USD / 1.05 = 4571.43, at 10% 457.143 */
	ck_assert_str_eq(b->stages[0].name, "lead");
	ck_assert_int_eq(b->stages[0].count, 1);
	ck_assert_int_eq(b->stages[0].amount, 457143);
	ck_assert_int_eq(b->stages[0].weighted, 45714);
	ck_assert_uint_eq(b->stages[0].ndeals, 1);
	ck_assert_int_eq(b->stages[0].deals[0].id, u);
	ck_assert_str_eq(b->stages[0].deals[0].title, "Dollars");
	ck_assert_int_eq(b->stages[0].deals[0].amount, 457143);
	ck_assert_str_eq(b->stages[1].name, "qualified");
	ck_assert_int_eq(b->stages[1].count, 0);
	ck_assert_int_eq(b->stages[1].amount, 0);
	ck_assert_uint_eq(b->stages[1].ndeals, 0);
	/* proposal: three cents at 50%, 0.015 rounded once; two listed. */
	ck_assert_int_eq(b->stages[2].count, 3);
	ck_assert_int_eq(b->stages[2].amount, 3);
	ck_assert_int_eq(b->stages[2].weighted, 2);
	ck_assert_uint_eq(b->stages[2].ndeals, 2);
	ck_assert_int_eq(b->stages[3].count, 1);
	ck_assert_int_eq(b->stages[3].amount, 100000);
	ck_assert_int_eq(b->stages[3].weighted, 75000);
	ck_assert_int_eq(b->stages[3].deals[0].id, n);
	crm_board_free(b);

	ck_assert_int_eq(crm_deal_board(db, NULL, "bob", 0, 0, &b), CRM_OK);
	ck_assert_int_eq(b->stages[0].count, 0);
	ck_assert_int_eq(b->stages[2].count, 1);
	ck_assert_int_eq(b->stages[3].count, 1);
	crm_board_free(b);

	ck_assert_int_eq(crm_deal_board(db, "sales", NULL, 0, 0, &b), CRM_EUSAGE);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(crm_error_message(), "no pipeline 'sales'");

	/* No rate for GBP on the board's day. */
	add("title=Pounds", "amount=100 GBP", NULL);
	b = (struct crm_board *)&b;
	ck_assert_int_eq(crm_deal_board(db, NULL, NULL, 0, 0, &b), CRM_EDATA);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(crm_error_message(), "no rate for GBP on or before 2026-11-01 (crm-db rates)");
	ck_assert_int_eq(crm_deal_board(db, NULL, NULL, 0, 1, &b), CRM_OK);
	ck_assert_int_eq(b->unconverted, 1);
	ck_assert_int_eq(b->stages[0].count, 1);
	ck_assert_int_eq(b->stages[0].amount, 457143);
	crm_board_free(b);
}
END_TEST

Suite *deal_suite(void)
{
	Suite *s = suite_create("deal");
	TCase *tc = tcase_create("deal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_stage_any_case);
	tcase_add_test(tc, test_unknown_stage_or_pipeline);
	tcase_add_test(tc, test_configured_pipelines);
	tcase_add_test(tc, test_manual_probability);
	tcase_add_test(tc, test_won_lost_reopen);
	tcase_add_test(tc, test_outcome_as_stage);
	tcase_add_test(tc, test_closed_at_is_a_time);
	tcase_add_test(tc, test_closed_at_moves_history);
	tcase_add_test(tc, test_closed_deal_not_moved);
	tcase_add_test(tc, test_closed_at_of_open_deal);
	tcase_add_test(tc, test_lost_reasons_configured);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_forecast_as_of);
	tcase_add_test(tc, test_forecast_as_of_reopened);
	tcase_add_test(tc, test_forecast_as_of_won_then_changed);
	tcase_add_test(tc, test_forecast_by_owner);
	tcase_add_test(tc, test_forecast_weighted_once);
	tcase_add_test(tc, test_forecast_rates);
	tcase_add_test(tc, test_forecast_options);
	tcase_add_test(tc, test_board);
	suite_add_tcase(s, tc);
	return s;
}
