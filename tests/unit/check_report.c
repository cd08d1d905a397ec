/* check_report.c - the measures of crm-report(1) through the library, on
 * databases built row by row: who is a customer at the start of a day
 * (by purchase within the active window, or by status from the audit
 * log), the KPIs of a period (CRR, churn, revenue in two currencies,
 * CLTV and its lifespan, NPS, CSAT, win rate, sales cycle, pipeline,
 * service times, backlog), periods split by month and quarter, groups by
 * owner, and the pipeline as it stood on a day.
 *
 * Rows are written with plain SQL into the schema (libcore/schema.c) so
 * that every created_at and at is the one the test needs, together with
 * the rows the toolkit keeps beside them: the history of a deal, the
 * status log and the messages of a ticket, the audit entry of a status
 * change.  Refunds go through crm_purchase_add, which also settles the
 * refunded purchase's status.  Expected figures were worked out by hand
 * (the arithmetic is in the comments), never taken from the code under
 * test.
 *
 * Run this suite alone with CK_RUN_SUITE=report build/out/unit-tests. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/internal.h"
#include "crm/purchase.h"
#include "crm/rates.h"
#include "crm/report.h"
#include "fixture.h"

static crm_db *db;
static crm_config *cfg;
static struct crm_kpi res; /* the figures of the last kpi() */

/* Opens the scratch database with the clock at 2026-11-22 09:30 UTC, in
 * a write transaction. */
static void open_db(void)
{
	setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1);
	ck_assert_msg(crm_db_open(&db, fx_path, 0, cfg) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
}

/* Loads yaml as the configuration and reopens the database with it. */
static void configure(const char *yaml)
{
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	crm_db_close(db);
	db = NULL;
	crm_config_free(cfg);
	cfg = fx_config(yaml);
	open_db();
}

static void setup(void)
{
	fx_scratch();
	cfg = NULL;
	memset(&res, 0, sizeof res);
	open_db();
}

static void teardown(void)
{
	crm_kpi_free(&res);
	fx_close(db);
	crm_config_free(cfg);
}

/* Writing rows */

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs the statements of fmt. */
static void sql(const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ck_assert_int_lt(n, (int)sizeof text);
	ck_assert_msg(crm_db_exec(db, text) == CRM_OK, "%s: %s", text, crm_error_message());
}

/* s as an SQL literal: 'text', or NULL (a few at a time). */
static const char *lit(const char *s)
{
	static char buf[8][160];
	static int next;
	char *b = buf[next++ % 8];

	if (s)
		snprintf(b, sizeof buf[0], "'%s'", s);
	else
		snprintf(b, sizeof buf[0], "NULL");
	return b;
}

/* Adds person id, with owner (NULL: none), created long before any day
 * the tests ask about. */
static void person(int64_t id, const char *owner)
{
	sql("INSERT INTO contacts(id, first_name, owner, created_at, updated_at)"
	    " VALUES (%lld, 'p%lld', %s, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
	    (long long)id, (long long)id, lit(owner));
}

/* Adds a purchase of who at at: total minor units of cur, with status;
 * returns its id. */
static int64_t buy_as(int64_t who, const char *at, int64_t minor, const char *cur,
                      const char *status)
{
	sql("INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at,"
	    " updated_at) VALUES (%lld, '%s', %lld, '%s', '%s', '%s', '%s')",
	    (long long)who, at, (long long)minor, cur, status, at, at);
	return crm_db_last_id(db);
}

static int64_t buy(int64_t who, const char *at, int64_t minor, const char *cur)
{
	return buy_as(who, at, minor, cur, "paid");
}

/* Refunds total ("-40 EUR") of purchase id of who at at, as crm-purchase
 * does: a purchase of its own, the refunded one's status settled. */
static void refund(int64_t who, int64_t id, const char *at, const char *total)
{
	struct crm_purchase_lines ls = { 0 };
	crm_record *r;
	char p[24], of[24];
	int64_t rid = 0;

	snprintf(p, sizeof p, "%lld", (long long)who);
	snprintf(of, sizeof of, "%lld", (long long)id);
	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("purchase")), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "person", p), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "refund_of", of), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "total", total), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "at", at), CRM_OK);
	ck_assert_msg(crm_purchase_add(db, r, &ls, NULL, &rid) == CRM_OK, "%s",
	              crm_error_message());
	crm_record_free(r);
}

/* An entry of the audit log about person who, at at, with the changes
 * (JSON, NULL: none) crm-contact records. */
static void audit(int64_t who, const char *action, const char *at, const char *changes)
{
	sql("INSERT INTO audit(at, user, program, entity, entity_id, action, changes)"
	    " VALUES ('%s', 'tester', 'crm-contact', 'contact', %lld, '%s', %s)",
	    at, (long long)who, action, lit(changes));
}

/* Adds deal id, open from created in pipeline and stage, amount minor
 * units of cur, with probability prob (< 0: none of its own, its stage's
 * applies), and its first history row. */
static void deal(int64_t id, const char *owner, const char *created, const char *pipeline,
                 const char *stage, int64_t minor, const char *cur, int prob)
{
	char p[16] = "NULL";

	if (prob >= 0)
		snprintf(p, sizeof p, "%d", prob);
	sql("INSERT INTO deals(id, title, owner, pipeline, stage, amount, amount_currency,"
	    " probability, status, created_at, updated_at) VALUES (%lld, 'd%lld', %s, '%s', '%s',"
	    " %lld, '%s', %s, 'open', '%s', '%s');"
	    "INSERT INTO deal_history(deal_id, pipeline, stage, status, amount, amount_currency,"
	    " probability, owner, entered_at, user) VALUES (%lld, '%s', '%s', 'open', %lld, '%s',"
	    " %s, %s, '%s', 'tester')",
	    (long long)id, (long long)id, lit(owner), pipeline, stage, (long long)minor, cur, p,
	    created, created, (long long)id, pipeline, stage, (long long)minor, cur, p,
	    lit(owner), created);
}

/* Deal id enters status (open, won, lost) and stage (NULL: the same) at
 * at: its history row ends and the next one starts, as crm-deal writes
 * them; won and lost ones carry the closing time. */
static void deal_to(int64_t id, const char *status, const char *stage, const char *at)
{
	const char *closed = lit(strcmp(status, "open") ? at : NULL);

	sql("UPDATE deal_history SET left_at = '%s' WHERE deal_id = %lld AND left_at IS NULL;"
	    "INSERT INTO deal_history(deal_id, pipeline, stage, status, amount, amount_currency,"
	    " probability, owner, closed_at, entered_at, user) SELECT deal_id, pipeline,"
	    " coalesce(%s, stage), '%s', amount, amount_currency, probability, owner, %s, '%s',"
	    " user FROM deal_history WHERE deal_id = %lld ORDER BY id DESC LIMIT 1;"
	    "UPDATE deals SET status = '%s', stage = coalesce(%s, stage), closed_at = %s"
	    " WHERE id = %lld",
	    at, (long long)id, lit(stage), status, closed, at, (long long)id, status, lit(stage),
	    closed, (long long)id);
}

/* Adds ticket id, opened (status new) at created and assigned to
 * assignee (NULL: nobody), with its first status row. */
static void ticket(int64_t id, const char *created, const char *assignee)
{
	sql("INSERT INTO tickets(id, subject, queue, assignee, created_at, updated_at)"
	    " VALUES (%lld, 't%lld', 'support', %s, '%s', '%s');"
	    "INSERT INTO ticket_status(ticket_id, status, at) VALUES (%lld, 'new', '%s')",
	    (long long)id, (long long)id, lit(assignee), created, created, (long long)id, created);
}

/* Ticket id enters status at at: a row of the status log, and the solved
 * and closed times kept as crm-ticket keeps them (cleared on reopening). */
static void ticket_to(int64_t id, const char *status, const char *at)
{
	sql("INSERT INTO ticket_status(ticket_id, status, at) VALUES (%lld, '%s', '%s');"
	    "UPDATE tickets SET status = '%s',"
	    " solved_at = CASE WHEN '%s' IN ('solved', 'closed')"
	    "  THEN coalesce(solved_at, '%s') END,"
	    " closed_at = CASE WHEN '%s' = 'closed' THEN coalesce(closed_at, '%s') END"
	    " WHERE id = %lld",
	    (long long)id, status, at, status, status, at, status, at, (long long)id);
}

/* A message of kind (customer, reply, comment) on ticket id at at. */
static void message(int64_t id, const char *kind, const char *at)
{
	sql("INSERT INTO ticket_messages(ticket_id, origin, kind, body, at)"
	    " VALUES (%lld, %lld, '%s', 'text', '%s')",
	    (long long)id, (long long)id, kind, at);
}

/* A response of kind (nps, csat) with score at at, by who (0: nobody). */
static void response(int64_t who, const char *kind, int score, const char *at)
{
	char p[24] = "NULL";

	if (who)
		snprintf(p, sizeof p, "%lld", (long long)who);
	sql("INSERT INTO responses(contact_id, kind, score, at, created_at, updated_at)"
	    " VALUES (%s, '%s', %d, '%s', '%s', '%s')", p, kind, score, at, at, at);
}

static void rate(const char *date, const char *currency, const char *r)
{
	ck_assert_msg(crm_rates_set(db, date, currency, r) == CRM_OK, "%s", crm_error_message());
}

/* Reading the figures */

/* The status of purchase id. */
static const char *status_of(int64_t id)
{
	static char out[32];
	char *s = NULL;

	ck_assert_int_eq(crm_db_text_of(db, "SELECT status FROM purchases WHERE id = ?1", id, &s),
	                 CRM_OK);
	ck_assert_ptr_nonnull(s);
	snprintf(out, sizeof out, "%s", s);
	free(s);
	return out;
}

/* The ids of the customers at the start of day, ascending, space-separated. */
static const char *customers_at(const char *day)
{
	static char out[256];
	crm_stmt *st;

	ck_assert_msg(crm_report_customers(db, "cust", day) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_db_prepare(db, &st, "SELECT coalesce(group_concat(id, ' '), '')"
	                                " FROM (SELECT id FROM temp.cust ORDER BY id)"), CRM_OK);
	ck_assert_int_eq(crm_stmt_step(st), CRM_ROW);
	snprintf(out, sizeof out, "%s", crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	return out;
}

/* Computes the figures of [from, to) into res. */
static void kpi(const char *from, const char *to, const char *by, unsigned families)
{
	struct crm_kpi_opts o = { from, to, by, families };

	crm_kpi_free(&res);
	ck_assert_msg(crm_report_kpi(db, &o, &res) == CRM_OK, "%s", crm_error_message());
}

/* The figure name of group, which must be there. */
static const struct crm_measure *fig(const char *group, const char *name)
{
	const struct crm_measure *m = crm_kpi_find(&res, group, name);

	ck_assert_msg(m != NULL, "no figure %s of group '%s'", name, group);
	return m;
}

static const char *val(const char *group, const char *name)
{
	return fig(group, name)->value;
}

/* "value|numerator|denominator" of a figure. */
static const char *vnd(const char *group, const char *name)
{
	static char out[4][128];
	static int next;
	const struct crm_measure *m = fig(group, name);
	char *b = out[next++ % 4];

	snprintf(b, sizeof out[0], "%s|%s|%s", m->value, m->numerator, m->denominator);
	return b;
}

static const char *note(const char *group, const char *name)
{
	return fig(group, name)->note;
}

/* Customers at the start of a day, by purchase */

START_TEST(test_window_edges)
{
	for (int i = 1; i <= 4; i++)
		person(i, NULL);
	/* The window of 2026-10-01 is [2026-10-01 - 365 days, 2026-10-01) =
	 * [2025-10-01, 2026-10-01): 2026 has no 29 February. */
	buy(1, "2025-10-01T00:00:00Z", 1000, "EUR"); /* 365 days before: in */
	buy(2, "2025-09-30T23:59:59Z", 1000, "EUR"); /* a day earlier: out */
	buy(3, "2026-10-01T00:00:00Z", 1000, "EUR"); /* on the day: not yet */
	buy(4, "2026-09-30T23:59:59Z", 1000, "EUR"); /* the last second before it */
	ck_assert_str_eq(customers_at("2026-10-01"), "1 4");
	/* A day later the window is [2025-10-02, 2026-10-02): 1 has left it,
	 * 3 is in. */
	ck_assert_str_eq(customers_at("2026-10-02"), "3 4");
	/* The table is replaced, not added to. */
	ck_assert_str_eq(customers_at("2024-01-01"), "");
}
END_TEST

START_TEST(test_what_does_not_make_a_customer)
{
	int64_t old, p4, p5;

	for (int i = 1; i <= 8; i++)
		person(i, NULL);
	/* Day 2026-10-01, window [2025-10-01, 2026-10-01). */
	buy_as(1, "2026-05-01T10:00:00Z", 4000, "EUR", "cancelled");
	buy(2, "2026-05-01T10:00:00Z", 4000, "EUR");
	sql("UPDATE purchases SET archived_at = '2026-06-01T10:00:00Z' WHERE contact_id = 2");
	/* 3 has only a refund in the window, of a purchase long before it. */
	old = buy(3, "2025-01-10T10:00:00Z", 1000, "EUR");
	refund(3, old, "2026-05-01T10:00:00Z", "-4 EUR"); /* 4 of its 10 */
	/* 4 was refunded whole before the day, 5 only after it. */
	p4 = buy(4, "2026-03-01T10:00:00Z", 10000, "EUR");
	refund(4, p4, "2026-09-15T10:00:00Z", "-100 EUR");
	p5 = buy(5, "2026-03-01T10:00:00Z", 10000, "EUR");
	refund(5, p5, "2026-10-15T10:00:00Z", "-100 EUR");
	ck_assert_str_eq(status_of(p4), "refunded");
	ck_assert_str_eq(status_of(p5), "refunded");
	ck_assert_str_eq(status_of(old), "paid"); /* refunded in part */
	/* 6 is erased; 7 archived before the day, 8 after it. */
	sql("UPDATE contacts SET erased_at = '2026-11-01T10:00:00Z' WHERE id = 6;"
	    "UPDATE contacts SET archived_at = '2026-09-20T10:00:00Z' WHERE id = 7;"
	    "UPDATE contacts SET archived_at = '2026-10-05T10:00:00Z' WHERE id = 8");
	for (int i = 6; i <= 8; i++)
		buy(i, "2026-05-01T10:00:00Z", 4000, "EUR");
	ck_assert_str_eq(customers_at("2026-10-01"), "5 8");
	/* On 1 November 5's purchase had been refunded whole and 8 archived. */
	ck_assert_str_eq(customers_at("2026-11-01"), "");
	/* Before the refunds and the archiving, 4, 5, 7 and 8 were customers;
	 * the erased 6 never is. */
	ck_assert_str_eq(customers_at("2026-09-01"), "4 5 7 8");
}
END_TEST

/* Refunded whole in two parts, the second after the day: on the day only
 * part of it had been refunded, so it still makes a customer. */
START_TEST(test_refunded_whole_only_after_the_day)
{
	int64_t p;

	person(1, NULL);
	p = buy(1, "2026-03-01T10:00:00Z", 10000, "EUR");
	refund(1, p, "2026-09-15T10:00:00Z", "-40 EUR"); /* 40 of 100 before 1 October */
	refund(1, p, "2026-10-15T10:00:00Z", "-60 EUR"); /* the other 60 after it */
	ck_assert_str_eq(status_of(p), "refunded"); /* refunded whole by now */
	/* 1 October: 60.00 of 100.00 still paid, within [2025-10-01, 2026-10-01). */
	ck_assert_str_eq(customers_at("2026-10-01"), "1");
	ck_assert_str_eq(customers_at("2026-11-01"), "");
}
END_TEST

START_TEST(test_active_window_configured)
{
	configure("report:\n  active_window: 30\n");
	ck_assert_int_eq(crm_config_report(cfg)->active_window, 30);
	ck_assert_int_eq(crm_config_report(cfg)->rule, CRM_CUSTOMER_PURCHASE);
	for (int i = 1; i <= 3; i++)
		person(i, NULL);
	/* 2026-10-01 - 30 days = 2026-09-01 (September has 30 days). */
	buy(1, "2026-09-01T08:00:00Z", 1000, "EUR"); /* in */
	buy(2, "2026-08-31T20:00:00Z", 1000, "EUR"); /* a day before the window */
	buy(3, "2026-05-01T10:00:00Z", 1000, "EUR"); /* in 365 days, not in 30 */
	ck_assert_str_eq(customers_at("2026-10-01"), "1");
	/* 2026-10-02 - 30 days = 2026-09-02: 1 has left it. */
	ck_assert_str_eq(customers_at("2026-10-02"), "");
}
END_TEST

/* Customers at the start of a day, by status */

START_TEST(test_by_status)
{
	configure("report:\n  customer_definition: status\n");
	ck_assert_int_eq(crm_config_report(cfg)->rule, CRM_CUSTOMER_STATUS);
	for (int i = 1; i <= 6; i++)
		person(i, NULL);
	/* The log in the order it was written. */
	audit(5, "add", "2026-09-01T09:00:00Z", "{\"status\":[null,\"customer\"]}");
	audit(6, "add", "2026-09-01T09:30:00Z", "{\"status\":[null,\"customer\"]}");
	audit(3, "add", "2026-09-01T10:00:00Z",
	      "{\"first_name\":[null,\"p3\"],\"status\":[null,\"lead\"]}");
	audit(1, "add", "2026-09-10T10:00:00Z", "{\"status\":[null,\"customer\"]}");
	audit(2, "add", "2026-09-12T10:00:00Z", "{\"status\":[null,\"customer\"]}");
	audit(4, "set", "2026-09-15T10:00:00Z", "{\"status\":[\"lead\",\"customer\"]}");
	audit(5, "archive", "2026-09-20T09:00:00Z", NULL);
	audit(2, "set", "2026-09-20T10:00:00Z", "{\"status\":[\"customer\",\"inactive\"]}");
	audit(2, "set", "2026-09-25T10:00:00Z", "{\"city\":[null,\"Oslo\"]}");
	audit(3, "set", "2026-10-01T08:00:00Z", "{\"status\":[\"lead\",\"customer\"]}");
	audit(4, "set", "2026-10-01T09:00:00Z", "{\"status\":[\"customer\",\"lead\"]}");
	sql("UPDATE contacts SET status = 'customer' WHERE id IN (1, 3, 5, 6);"
	    "UPDATE contacts SET status = 'inactive' WHERE id = 2;"
	    "UPDATE contacts SET archived_at = '2026-09-20T09:00:00Z' WHERE id = 5;"
	    "UPDATE contacts SET erased_at = '2026-09-21T10:00:00Z' WHERE id = 6");
	/* At the start of 1 October: 1 (customer since 10 September); not 2
	 * (inactive since 20 September; the later change of city is no change
	 * of status); not 3 (made a customer on the day itself); 4 (made a
	 * lead again only on the day); not 5 (archived), not 6 (erased). */
	ck_assert_str_eq(customers_at("2026-10-01"), "1 4");
	/* A day later the changes of 1 October count. */
	ck_assert_str_eq(customers_at("2026-10-02"), "1 3");
	/* 11 September: 1, and 5 not yet archived. */
	ck_assert_str_eq(customers_at("2026-09-11"), "1 5");
}
END_TEST

/* The KPIs: customers */

START_TEST(test_kpi_customers)
{
	static const char *const order[] = {
		"customers_start", "customers_end", "new_customers", "lost_customers", "crr",
		"churn", "revenue", "purchases", "buyers", "purchase_value", "purchase_frequency",
		"lifespan", "cltv"
	};
	int64_t b;

	for (int i = 1; i <= 5; i++)
		person(i, NULL);
	buy(1, "2025-10-20T10:00:00Z", 10000, "EUR");
	b = buy(2, "2026-04-10T10:00:00Z", 20000, "EUR");
	refund(2, b, "2026-10-12T10:00:00Z", "-50 EUR");
	buy(2, "2026-10-14T10:00:00Z", 7000, "EUR");
	sql("UPDATE purchases SET archived_at = '2026-10-16T10:00:00Z'"
	    " WHERE at = '2026-10-14T10:00:00Z'");
	buy(3, "2026-06-15T10:00:00Z", 5000, "EUR");
	buy(3, "2026-10-10T10:00:00Z", 15000, "EUR");
	buy(4, "2026-10-05T10:00:00Z", 6000, "EUR");
	buy(4, "2026-10-25T10:00:00Z", 9000, "EUR");
	buy(5, "2025-11-15T10:00:00Z", 8000, "EUR");
	buy_as(5, "2026-10-08T10:00:00Z", 50000, "EUR", "cancelled");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_CUSTOMERS);
	/* Start, window [2025-10-01, 2026-10-01): 1 (2025-10-20), 2, 3, 5
	 * (2025-11-15) = 4.  End, [2025-11-01, 2026-11-01): 2 (its purchase
	 * only part refunded), 3, 4, 5 = 4.  New 4, lost 1. */
	ck_assert_str_eq(val("", "customers_start"), "4");
	ck_assert_str_eq(val("", "customers_end"), "4");
	ck_assert_str_eq(val("", "new_customers"), "1");
	ck_assert_str_eq(val("", "lost_customers"), "1");
	/* CRR = (4 - 1) / 4 = 75.0 %; churn = 1 / 4 = 25.0 %. */
	ck_assert_str_eq(vnd("", "crr"), "75.0|3|4");
	ck_assert_str_eq(fig("", "crr")->unit, "%");
	ck_assert_str_eq(vnd("", "churn"), "25.0|1|4");
	/* Revenue: 150 (3) + 60 + 90 (4) - 50 (2's refund) = 250.00; the
	 * archived 70 and the cancelled 500 are left out.  Purchases 3, by 2
	 * buyers (the refund is no purchase). */
	ck_assert_str_eq(val("", "revenue"), "250.00");
	ck_assert_str_eq(fig("", "revenue")->unit, "EUR");
	ck_assert_str_eq(val("", "purchases"), "3");
	ck_assert_str_eq(val("", "buyers"), "2");
	/* 250 / 3 = 83.333 -> 83.33; 3 / 2 per month = 18.00 a year;
	 * lifespan = 1/12 year x 4 / 1 = 0.333 -> 0.33 years;
	 * CLTV = 250/3 x 18 x 1/3 = 500.00 exactly. */
	ck_assert_str_eq(vnd("", "purchase_value"), "83.33|250.00|3");
	ck_assert_str_eq(vnd("", "purchase_frequency"), "18.00|3|2");
	ck_assert_str_eq(val("", "lifespan"), "0.33");
	ck_assert_str_eq(note("", "lifespan"), "1 / annual churn");
	ck_assert_str_eq(val("", "cltv"), "500.00");
	/* The figures in the order of crm-report(1), and the events behind
	 * them: 4 at start + 4 at end + 3 purchases. */
	ck_assert_uint_eq(res.n, sizeof order / sizeof *order);
	for (size_t i = 0; i < res.n; i++) {
		ck_assert_str_eq(res.v[i].name, order[i]);
		ck_assert_str_eq(res.v[i].group, "");
	}
	ck_assert_int_eq(res.events, 11);
}
END_TEST

START_TEST(test_no_customers_at_start)
{
	person(1, NULL);
	buy(1, "2026-10-10T10:00:00Z", 3000, "EUR");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_CUSTOMERS);
	/* Nobody at the start: no rate to compute, empty, saying why. */
	ck_assert_str_eq(val("", "customers_start"), "0");
	ck_assert_str_eq(val("", "customers_end"), "1");
	ck_assert_str_eq(val("", "new_customers"), "1");
	ck_assert_str_eq(val("", "crr"), "");
	ck_assert_str_eq(note("", "crr"), "no customers at start");
	ck_assert_str_eq(val("", "churn"), "");
	ck_assert_str_eq(note("", "churn"), "no customers at start");
	/* Nobody lost in it, nobody lost ever: no lifespan, no CLTV. */
	ck_assert_str_eq(val("", "purchase_value"), "30.00");
	ck_assert_str_eq(val("", "lifespan"), "");
	ck_assert_str_eq(note("", "lifespan"), "no customer lost yet");
	ck_assert_str_eq(val("", "cltv"), "");
	ck_assert_str_eq(note("", "cltv"), "no customer lost yet");
}
END_TEST

START_TEST(test_cltv_from_spans)
{
	for (int i = 1; i <= 3; i++)
		person(i, NULL);
	/* 1 bought from 2024-01-10 to 2024-04-19: 21 + 29 (a leap February)
	 * + 31 + 19 = 100 days; 2 from 2023-05-01 to 2023-12-07: 30 + 30 +
	 * 31 + 31 + 30 + 31 + 30 + 7 = 220 days.  Neither is a customer at
	 * the end of October 2026. */
	buy(1, "2024-01-10T10:00:00Z", 1000, "EUR");
	buy(1, "2024-04-19T18:00:00Z", 1000, "EUR");
	buy(2, "2023-05-01T10:00:00Z", 1000, "EUR");
	buy(2, "2023-12-07T10:00:00Z", 1000, "EUR");
	/* 3 is a customer throughout October: nobody lost in it. */
	buy(3, "2026-06-01T10:00:00Z", 10000, "EUR");
	buy(3, "2026-10-15T10:00:00Z", 20000, "EUR");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_CUSTOMERS);
	ck_assert_str_eq(vnd("", "churn"), "0.0|0|1");
	/* Lifespan: (100 + 220) / 2 = 160 days = 160 / 365 = 0.438 -> 0.44. */
	ck_assert_str_eq(val("", "lifespan"), "0.44");
	ck_assert_str_eq(note("", "lifespan"),
	                 "none lost in the period: mean first-to-last purchase span of the 2 customers"
	                 " lost before its end");
	/* CLTV = 200.00 x 12 a year x 160/365 = 384000 / 365 = 1052.0548 ->
	 * 1052.05. */
	ck_assert_str_eq(val("", "purchase_value"), "200.00");
	ck_assert_str_eq(val("", "purchase_frequency"), "12.00");
	ck_assert_str_eq(val("", "cltv"), "1052.05");
}
END_TEST

START_TEST(test_revenue_two_currencies)
{
	int64_t p;

	/* 1 EUR bought 1.25 USD from 1 January, 1.10 from 15 October. */
	rate("2026-01-01", "USD", "1.25");
	rate("2026-10-15", "USD", "1.10");
	person(1, NULL);
	buy(1, "2026-10-05T10:00:00Z", 10000, "EUR");  /* 100.00 */
	buy(1, "2026-10-10T10:00:00Z", 12500, "USD");  /* 125 / 1.25 = 100.00 */
	p = buy(1, "2026-10-20T10:00:00Z", 11000, "USD"); /* 110 / 1.10 = 100.00 */
	refund(1, p, "2026-10-25T10:00:00Z", "-55 USD"); /* -55 / 1.10 = -50.00 */
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_CUSTOMERS);
	/* Each at the rate of its own day: 100 + 100 + 100 - 50 = 250.00. */
	ck_assert_str_eq(val("", "revenue"), "250.00");
	ck_assert_str_eq(val("", "purchases"), "3");
	ck_assert_str_eq(val("", "buyers"), "1");
	/* An amount no rate converts is an error naming its currency. */
	buy(1, "2026-10-11T10:00:00Z", 1000, "GBP");
	crm_kpi_free(&res);
	{
		struct crm_kpi_opts o = { "2026-10-01", "2026-11-01", NULL, CRM_KPI_CUSTOMERS };

		ck_assert_int_eq(crm_report_kpi(db, &o, &res), CRM_EDATA);
		ck_assert_msg(strstr(crm_error_message(), "GBP") != NULL, "%s",
		              crm_error_message());
	}
}
END_TEST

/* The KPIs: feedback */

START_TEST(test_nps_detractors_and_csat)
{
	response(0, "nps", 0, "2026-10-02T10:00:00Z");
	response(0, "nps", 3, "2026-10-12T10:00:00Z");
	response(0, "nps", 6, "2026-10-31T23:59:59Z");
	response(0, "nps", 10, "2026-11-01T00:00:00Z"); /* the next period */
	response(0, "nps", 10, "2026-10-15T10:00:00Z");
	sql("UPDATE responses SET archived_at = '2026-10-16T10:00:00Z'"
	    " WHERE at = '2026-10-15T10:00:00Z'");
	response(0, "csat", 5, "2026-10-03T10:00:00Z");
	response(0, "csat", 4, "2026-10-04T10:00:00Z");
	response(0, "csat", 3, "2026-10-05T10:00:00Z");
	response(0, "csat", 5, "2026-09-30T23:59:59Z"); /* the period before */
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_FEEDBACK);
	/* NPS: 0 promoters, 3 detractors of 3: 0 - 100 = -100.0. */
	ck_assert_str_eq(vnd("", "nps"), "-100.0|-3|3");
	ck_assert_str_eq(note("", "nps"), "0 promoters, 0 passives, 3 detractors");
	ck_assert_str_eq(fig("", "nps")->unit, "%");
	/* CSAT: 5 and 4 of 5, 3 not: 2 / 3 = 66.67 -> 66.7. */
	ck_assert_str_eq(vnd("", "csat"), "66.7|2|3");
	ck_assert_uint_eq(res.n, 2);
	ck_assert_int_eq(res.events, 6);
}
END_TEST

/* The KPIs: sales */

START_TEST(test_sales_cycle_median)
{
	rate("2026-01-01", "USD", "1.25");
	deal(1, NULL, "2026-09-21T10:00:00Z", "default", "lead", 100000, "EUR", -1);
	deal(2, NULL, "2026-10-01T10:00:00Z", "default", "lead", 30000, "EUR", -1);
	deal(3, NULL, "2026-10-02T23:00:00Z", "default", "lead", 40000, "USD", -1);
	deal(4, NULL, "2026-10-03T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal_to(1, "won", NULL, "2026-10-11T10:00:00Z");  /* 09-21 to 10-11: 20 days */
	deal_to(2, "lost", NULL, "2026-10-05T10:00:00Z"); /* 4 days */
	deal_to(3, "won", NULL, "2026-10-12T01:00:00Z");  /* 10-02 to 10-12: 10 calendar days
	                                                    * (9 days 2 hours of clock) */
	deal_to(4, "lost", NULL, "2026-10-20T10:00:00Z"); /* 10-03 to 10-20: 17 days */
	/* 1 to 12 October: 1, 2 and 3 closed, an odd count: 4 10 20. */
	kpi("2026-10-01", "2026-10-13", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(vnd("", "sales_cycle_median"), "10.0||3");
	/* (20 + 4 + 10) / 3 = 11.33 -> 11.3. */
	ck_assert_str_eq(vnd("", "sales_cycle_avg"), "11.3|34|3");
	ck_assert_str_eq(fig("", "sales_cycle_avg")->unit, "days");
	/* 2 won of 3: 66.7 %; 1000 + 400 USD / 1.25 = 1320.00. */
	ck_assert_str_eq(vnd("", "win_rate"), "66.7|2|3");
	ck_assert_str_eq(val("", "won_value"), "1320.00");
	/* 4 was still open then: 100.00 at its stage's 10 %. */
	ck_assert_str_eq(val("", "pipeline_deals"), "1");
	ck_assert_str_eq(val("", "pipeline_value"), "100.00");
	ck_assert_str_eq(val("", "pipeline_weighted"), "10.00");
	/* All October: an even count, 4 10 17 20: (10 + 17) / 2 = 13.5;
	 * mean 51 / 4 = 12.75 -> 12.8 (halves away from zero). */
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(vnd("", "sales_cycle_median"), "13.5||4");
	ck_assert_str_eq(vnd("", "sales_cycle_avg"), "12.8|51|4");
	ck_assert_str_eq(vnd("", "win_rate"), "50.0|2|4");
	ck_assert_str_eq(val("", "deals_won"), "2");
	ck_assert_str_eq(val("", "deals_lost"), "2");
	ck_assert_str_eq(val("", "pipeline_deals"), "0");
}
END_TEST

START_TEST(test_win_rate_reopened)
{
	deal(5, NULL, "2026-09-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal(6, NULL, "2026-09-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal(7, NULL, "2026-09-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	/* 5: won and reopened within October; 6: won in October, reopened in
	 * November; 7: lost in October. */
	deal_to(5, "won", NULL, "2026-10-20T10:00:00Z");
	deal_to(5, "open", NULL, "2026-10-25T10:00:00Z");
	deal_to(6, "won", NULL, "2026-10-21T10:00:00Z");
	deal_to(6, "open", NULL, "2026-11-03T10:00:00Z");
	deal_to(7, "lost", NULL, "2026-10-10T10:00:00Z");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_SALES);
	/* As October ended: 6 won, 7 lost, 5 open again. */
	ck_assert_str_eq(val("", "deals_won"), "1");
	ck_assert_str_eq(val("", "deals_lost"), "1");
	ck_assert_str_eq(vnd("", "win_rate"), "50.0|1|2");
	/* 6: 09-01 to 10-21 = 29 + 21 = 50 days; 7: 29 + 10 = 39: (50 + 39) / 2. */
	ck_assert_str_eq(vnd("", "sales_cycle_median"), "44.5||2");
	ck_assert_str_eq(val("", "won_value"), "100.00");
	ck_assert_str_eq(val("", "pipeline_deals"), "1");
	ck_assert_int_eq(res.events, 2 + 1); /* closed deals and open ones */
	/* November: nothing closed; 5 and 6 open at its end. */
	kpi("2026-11-01", "2026-12-01", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(val("", "deals_won"), "0");
	ck_assert_str_eq(vnd("", "win_rate"), "|0|0");
	ck_assert_str_eq(note("", "win_rate"), "no deals closed");
	ck_assert_str_eq(val("", "sales_cycle_median"), "");
	ck_assert_str_eq(val("", "pipeline_deals"), "2");
}
END_TEST

START_TEST(test_pipeline_weighted_once)
{
	deal(1, NULL, "2026-10-02T10:00:00Z", "default", "lead", 1001, "EUR", 50);
	deal(2, NULL, "2026-10-03T10:00:00Z", "default", "lead", 1001, "EUR", 50);
	deal(3, NULL, "2026-10-04T10:00:00Z", "default", "lead", 1, "EUR", 50);
	/* At the end of 2 October, 1 alone: 10.01 EUR at 50 % = 1001 x 50 /
	 * 100 = 500.5 cents, half to even: 500 -> 5.00. */
	kpi("2026-10-01", "2026-10-03", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(val("", "pipeline_deals"), "1");
	ck_assert_str_eq(val("", "pipeline_weighted"), "5.00");
	/* At the end of 3 October, 1 and 2: 1001 x 50 + 1001 x 50 = 100100
	 * / 100 = 1001 cents, rounded once: 10.01 (each rounded alone would
	 * give 5.00 + 5.00). */
	kpi("2026-10-01", "2026-10-04", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(val("", "pipeline_value"), "20.02");
	ck_assert_str_eq(val("", "pipeline_weighted"), "10.01");
	/* All three: 100100 + 1 x 50 = 100150 / 100 = 1001.5, half to even:
	 * 1002 -> 10.02. */
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_SALES);
	ck_assert_str_eq(val("", "pipeline_deals"), "3");
	ck_assert_str_eq(val("", "pipeline_value"), "20.03");
	ck_assert_str_eq(val("", "pipeline_weighted"), "10.02");
}
END_TEST

/* The KPIs: service */

START_TEST(test_service_without_policy)
{
	/* 1: opened Monday 5 October 09:00, answered 10:30 (1.5 h), solved
	 * Tuesday 09:00 (24 h). */
	ticket(1, "2026-10-05T09:00:00Z", NULL);
	message(1, "customer", "2026-10-05T09:00:00Z");
	message(1, "reply", "2026-10-05T10:30:00Z");
	ticket_to(1, "solved", "2026-10-06T09:00:00Z");
	/* 2: opened Friday 9 October 22:00, answered Monday 12 10:00 (2 days
	 * 12 hours = 60 h: no calendar, the clock runs through the weekend),
	 * solved Wednesday 14 22:00 (5 days = 120 h). */
	ticket(2, "2026-10-09T22:00:00Z", NULL);
	message(2, "reply", "2026-10-12T10:00:00Z");
	ticket_to(2, "solved", "2026-10-14T22:00:00Z");
	/* 3: opened 20 October 08:00; a comment is no reply; first reply
	 * 11:00 (3 h); pending at the end of October. */
	ticket(3, "2026-10-20T08:00:00Z", NULL);
	message(3, "customer", "2026-10-20T08:00:00Z");
	message(3, "comment", "2026-10-20T08:30:00Z");
	message(3, "reply", "2026-10-20T11:00:00Z");
	message(3, "reply", "2026-10-20T12:00:00Z");
	ticket_to(3, "pending", "2026-10-20T11:00:00Z");
	/* 4: opened 30 September 16:00, answered 1 October 10:00 (18 h),
	 * solved 2 October 16:00 (48 h). */
	ticket(4, "2026-09-30T16:00:00Z", NULL);
	message(4, "reply", "2026-10-01T10:00:00Z");
	ticket_to(4, "solved", "2026-10-02T16:00:00Z");
	/* 5: opened 25 October, untouched. */
	ticket(5, "2026-10-25T10:00:00Z", NULL);
	/* 6: opened 28 October, open on the 29th, answered and solved in
	 * November: open at the end of October. */
	ticket(6, "2026-10-28T10:00:00Z", NULL);
	ticket_to(6, "open", "2026-10-29T10:00:00Z");
	message(6, "reply", "2026-11-02T10:00:00Z");
	ticket_to(6, "solved", "2026-11-03T10:00:00Z");
	/* 7: opened in September, on hold since. */
	ticket(7, "2026-09-01T10:00:00Z", NULL);
	ticket_to(7, "on_hold", "2026-09-05T10:00:00Z");
	/* 8: opened and closed in September. */
	ticket(8, "2026-09-10T10:00:00Z", NULL);
	ticket_to(8, "closed", "2026-09-20T10:00:00Z");
	/* 9: merged into 3; 10: archived. */
	ticket(9, "2026-10-15T10:00:00Z", NULL);
	ticket_to(9, "closed", "2026-10-15T11:00:00Z");
	sql("UPDATE tickets SET merged_into = 3 WHERE id = 9");
	ticket(10, "2026-10-16T10:00:00Z", NULL);
	sql("UPDATE tickets SET archived_at = '2026-10-17T10:00:00Z' WHERE id = 10");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_SERVICE);
	/* Opened in October: 1, 2, 3, 5, 6. */
	ck_assert_str_eq(val("", "tickets"), "5");
	/* First replies in October: 1.5, 3, 18, 60 h: (3 + 18) / 2 = 10.5. */
	ck_assert_str_eq(vnd("", "first_response_median"), "10.5||4");
	ck_assert_str_eq(fig("", "first_response_median")->unit, "hours");
	/* Solved in October: 24, 48, 120 h: 48.0. */
	ck_assert_str_eq(vnd("", "resolution_median"), "48.0||3");
	/* No policy: nothing to attain. */
	ck_assert_str_eq(vnd("", "sla_attainment"), "|0|0");
	ck_assert_str_eq(note("", "sla_attainment"), "no tickets under an SLA policy solved");
	/* Not solved or closed when October ended: 3 (pending), 5 (new), 6
	 * (open then, solved since), 7 (on hold). */
	ck_assert_str_eq(val("", "backlog"), "4");
	/* At the end of 19 October: 1, 2 and 4 solved, 3, 5 and 6 not yet
	 * opened (3 on the 20th): 7 alone.  Opened from the 1st: 1 and 2. */
	kpi("2026-10-01", "2026-10-20", NULL, CRM_KPI_SERVICE);
	ck_assert_str_eq(val("", "backlog"), "1");
	ck_assert_str_eq(val("", "tickets"), "2");
	/* November: 6's reply (28 October to 2 November, 5 days = 120 h)
	 * and solving (6 days = 144 h); 3, 5 and 7 still waiting. */
	kpi("2026-11-01", "2026-12-01", NULL, CRM_KPI_SERVICE);
	ck_assert_str_eq(vnd("", "first_response_median"), "120.0||1");
	ck_assert_str_eq(vnd("", "resolution_median"), "144.0||1");
	ck_assert_str_eq(val("", "backlog"), "3");
}
END_TEST

/* A ticket solved in October and reopened in November was solved in
 * October: the report of October, as it printed at its end, counts it. */
START_TEST(test_resolution_as_it_stood)
{
	ticket(1, "2026-10-09T10:00:00Z", NULL);
	ticket_to(1, "solved", "2026-10-10T10:00:00Z"); /* 24 h */
	ticket_to(1, "open", "2026-11-05T10:00:00Z");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_SERVICE);
	ck_assert_str_eq(val("", "tickets"), "1");
	ck_assert_str_eq(val("", "backlog"), "0"); /* solved when October ended */
	ck_assert_str_eq(vnd("", "resolution_median"), "24.0||1");
}
END_TEST

/* Groups */

START_TEST(test_by_month_and_quarter)
{
	for (int i = 1; i <= 4; i++)
		person(i, NULL);
	buy(1, "2025-09-15T10:00:00Z", 1000, "EUR");
	buy(2, "2026-09-10T10:00:00Z", 10000, "EUR");
	buy(3, "2025-10-20T10:00:00Z", 1000, "EUR");
	buy(4, "2026-10-07T10:00:00Z", 4000, "EUR");
	response(0, "nps", 10, "2026-09-20T10:00:00Z");
	response(0, "nps", 0, "2026-10-20T10:00:00Z");
	kpi("2026-09-01", "2026-11-01", "month", CRM_KPI_CUSTOMERS | CRM_KPI_FEEDBACK);
	/* September: at its start ([2025-09-01, 2026-09-01)) 1 and 3, at its
	 * end ([2025-10-01, 2026-10-01)) 2 and 3: 2 new, 1 lost. */
	ck_assert_str_eq(val("2026-09", "customers_start"), "2");
	ck_assert_str_eq(val("2026-09", "customers_end"), "2");
	ck_assert_str_eq(val("2026-09", "new_customers"), "1");
	ck_assert_str_eq(val("2026-09", "lost_customers"), "1");
	ck_assert_str_eq(val("2026-09", "revenue"), "100.00");
	ck_assert_str_eq(vnd("2026-09", "nps"), "100.0|1|1");
	/* October: at its start 2 and 3, at its end ([2025-11-01,
	 * 2026-11-01)) 2 and 4: 4 new, 3 lost. */
	ck_assert_str_eq(val("2026-10", "customers_start"), "2");
	ck_assert_str_eq(val("2026-10", "customers_end"), "2");
	ck_assert_str_eq(val("2026-10", "new_customers"), "1");
	ck_assert_str_eq(val("2026-10", "lost_customers"), "1");
	ck_assert_str_eq(vnd("2026-10", "churn"), "50.0|1|2");
	ck_assert_str_eq(val("2026-10", "revenue"), "40.00");
	ck_assert_str_eq(vnd("2026-10", "nps"), "-100.0|-1|1");
	/* Each month a period of its own: nothing for the whole. */
	ck_assert_ptr_null(crm_kpi_find(&res, "", "customers_start"));
	ck_assert_str_eq(res.v[0].group, "2026-09");
	ck_assert_str_eq(res.v[0].name, "customers_start");
	ck_assert_str_eq(res.v[res.n - 1].group, "2026-10");
	/* A first month begun on the 15th starts on the 15th: window
	 * [2025-09-15, 2026-09-15) holds 1 (bought on 2025-09-15), 2 and 3. */
	kpi("2026-09-15", "2026-11-01", "month", CRM_KPI_CUSTOMERS);
	ck_assert_str_eq(val("2026-09", "customers_start"), "3");
	ck_assert_str_eq(val("2026-09", "lost_customers"), "1");
	ck_assert_str_eq(val("2026-09", "revenue"), "0.00");
	ck_assert_str_eq(val("2026-10", "customers_start"), "2");
	/* Quarters: Q3 from 1 July ([2025-07-01, 2026-07-01): 1 and 3) to 1
	 * October (2 and 3); Q4 to 1 January ([2026-01-01, 2027-01-01): 2
	 * and 4).  Q4's one purchase by one buyer in a quarter: 4.00 a year. */
	kpi("2026-07-01", "2027-01-01", "quarter", CRM_KPI_CUSTOMERS);
	ck_assert_str_eq(val("2026-Q3", "customers_start"), "2");
	ck_assert_str_eq(val("2026-Q3", "customers_end"), "2");
	ck_assert_str_eq(val("2026-Q4", "customers_start"), "2");
	ck_assert_str_eq(val("2026-Q4", "customers_end"), "2");
	ck_assert_str_eq(val("2026-Q4", "lost_customers"), "1");
	ck_assert_str_eq(vnd("2026-Q4", "purchase_frequency"), "4.00|1|1");
}
END_TEST

START_TEST(test_by_owner)
{
	person(1, "ann");
	person(2, "ann");
	person(3, "bob");
	person(4, NULL);
	buy(1, "2026-05-01T10:00:00Z", 1000, "EUR"); /* a customer throughout */
	buy(2, "2025-10-10T10:00:00Z", 1000, "EUR"); /* lost in October */
	buy(3, "2026-10-10T10:00:00Z", 5000, "EUR"); /* new in October */
	buy(4, "2026-03-01T10:00:00Z", 1000, "EUR"); /* a customer throughout */
	deal(1, "ann", "2026-10-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal(2, "bob", "2026-10-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal_to(1, "won", NULL, "2026-10-05T10:00:00Z");
	deal_to(2, "lost", NULL, "2026-10-06T10:00:00Z");
	ticket(1, "2026-10-03T10:00:00Z", "ann");
	kpi("2026-10-01", "2026-11-01", "owner", 0);
	/* ann: 1 and 2 at the start, 1 at the end: CRR (1 - 0) / 2, churn 1 / 2. */
	ck_assert_str_eq(val("ann", "customers_start"), "2");
	ck_assert_str_eq(vnd("ann", "crr"), "50.0|1|2");
	ck_assert_str_eq(vnd("ann", "churn"), "50.0|1|2");
	/* bob: nobody at the start, 3 new with 50.00. */
	ck_assert_str_eq(val("bob", "new_customers"), "1");
	ck_assert_str_eq(val("bob", "crr"), "");
	ck_assert_str_eq(note("bob", "crr"), "no customers at start");
	ck_assert_str_eq(val("bob", "revenue"), "50.00");
	/* The person with no owner is in the group "". */
	ck_assert_str_eq(vnd("", "crr"), "100.0|1|1");
	ck_assert_str_eq(vnd("", "churn"), "0.0|0|1");
	/* Deals by their owner, tickets by their assignee. */
	ck_assert_str_eq(vnd("ann", "win_rate"), "100.0|1|1");
	ck_assert_str_eq(vnd("bob", "win_rate"), "0.0|0|1");
	ck_assert_str_eq(val("ann", "tickets"), "1");
}
END_TEST

/* Each part of a family is a query of its own, yielding only the groups
 * it finds rows of: a group has every figure of the family all the same,
 * counts 0 and ratios empty, and one of the period compared stands in
 * this one too. */
START_TEST(test_by_owner_fills_zeros)
{
	struct crm_kpi_opts o = { "2026-09-01", "2026-10-01", "owner", CRM_KPI_SALES };
	struct crm_kpi was = { 0 };

	deal(1, "ann", "2026-09-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal(2, "bob", "2026-10-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal(3, "cy", "2026-09-01T10:00:00Z", "default", "lead", 10000, "EUR", -1);
	deal_to(1, "won", NULL, "2026-10-05T10:00:00Z");
	deal_to(3, "lost", NULL, "2026-09-20T10:00:00Z");
	kpi("2026-10-01", "2026-11-01", "owner", CRM_KPI_SALES);
	/* ann won, with nothing open at the end; bob has one open, none closed. */
	ck_assert_str_eq(val("ann", "deals_won"), "1");
	ck_assert_str_eq(val("ann", "pipeline_deals"), "0");
	ck_assert_str_eq(val("ann", "pipeline_value"), "0.00");
	ck_assert_str_eq(val("bob", "pipeline_deals"), "1");
	ck_assert_str_eq(val("bob", "deals_won"), "0");
	ck_assert_str_eq(val("bob", "deals_lost"), "0");
	ck_assert_str_eq(vnd("bob", "win_rate"), "|0|0");
	ck_assert_str_eq(note("bob", "win_rate"), "no deals closed");
	ck_assert_str_eq(val("bob", "sales_cycle_median"), "");
	/* cy lost one in September and has nothing in October. */
	ck_assert_ptr_null(crm_kpi_find(&res, "cy", "deals_lost"));
	ck_assert_int_eq(crm_report_kpi(db, &o, &was), CRM_OK);
	ck_assert_str_eq(crm_kpi_find(&was, "cy", "deals_lost")->value, "1");
	ck_assert_str_eq(crm_kpi_find(&was, "cy", "pipeline_deals")->value, "0");
	ck_assert_ptr_null(crm_kpi_find(&was, "bob", "deals_won"));
	o.from = "2026-10-01", o.to = "2026-11-01";
	ck_assert_int_eq(crm_kpi_fill(db, &o, &res, &was), CRM_OK);
	ck_assert_str_eq(val("cy", "deals_lost"), "0");
	ck_assert_str_eq(val("cy", "pipeline_deals"), "0");
	ck_assert_str_eq(val("cy", "win_rate"), "");
	o.from = "2026-09-01", o.to = "2026-10-01";
	ck_assert_int_eq(crm_kpi_fill(db, &o, &was, &res), CRM_OK);
	ck_assert_str_eq(crm_kpi_find(&was, "bob", "deals_won")->value, "0");
	ck_assert_str_eq(crm_kpi_find(&was, "bob", "pipeline_deals")->value, "0");
	/* Sorted as crm_report_kpi sorts: by group, then measure. */
	ck_assert_str_eq(res.v[0].group, "ann");
	ck_assert_str_eq(res.v[res.n - 1].group, "cy");
	ck_assert_str_eq(res.v[res.n - 1].name, "pipeline_weighted");
	crm_kpi_free(&was);
}
END_TEST

START_TEST(test_bad_by)
{
	struct crm_kpi_opts o = { "2026-10-01", "2026-11-01", "planet", 0 };

	ck_assert_int_eq(crm_report_kpi(db, &o, &res), CRM_EUSAGE);
	ck_assert_msg(strstr(crm_error_message(), "'planet'") != NULL, "%s", crm_error_message());
	ck_assert_uint_eq(res.n, 0);
	/* A period is two dates. */
	o.by = NULL, o.to = "2026-11";
	ck_assert_int_eq(crm_report_kpi(db, &o, &res), CRM_EUSAGE);
}
END_TEST

START_TEST(test_known_and_find)
{
	ck_assert(crm_kpi_known("customers_start"));
	ck_assert(crm_kpi_known("churn"));
	ck_assert(crm_kpi_known("cltv"));
	ck_assert(crm_kpi_known("nps"));
	ck_assert(crm_kpi_known("win_rate"));
	ck_assert(crm_kpi_known("backlog"));
	ck_assert(!crm_kpi_known("happiness"));
	ck_assert(!crm_kpi_known("Churn"));
	ck_assert(!crm_kpi_known(""));
	ck_assert_uint_eq(crm_kpi_family("churn"), CRM_KPI_CUSTOMERS);
	ck_assert_uint_eq(crm_kpi_family("csat"), CRM_KPI_FEEDBACK);
	ck_assert_uint_eq(crm_kpi_family("pipeline_weighted"), CRM_KPI_SALES);
	ck_assert_uint_eq(crm_kpi_family("backlog"), CRM_KPI_SERVICE);
	ck_assert_uint_eq(crm_kpi_family("happiness"), 0);
	ck_assert_str_eq(crm_kpi_name(0), "customers_start");
	ck_assert_str_eq(crm_kpi_name(28), "backlog");
	ck_assert_ptr_null(crm_kpi_name(29));
	response(0, "nps", 9, "2026-10-02T10:00:00Z");
	kpi("2026-10-01", "2026-11-01", NULL, CRM_KPI_FEEDBACK);
	ck_assert_ptr_eq(crm_kpi_find(&res, "", "nps"), &res.v[0]);
	ck_assert_str_eq(crm_kpi_find(&res, "", "nps")->value, "100.0");
	ck_assert_ptr_eq(crm_kpi_find(&res, "", "csat"), &res.v[1]);
	ck_assert_ptr_null(crm_kpi_find(&res, "ann", "nps"));
	ck_assert_ptr_null(crm_kpi_find(&res, "", "churn"));
}
END_TEST

START_TEST(test_empty_period)
{
	kpi("2020-03-01", "2020-04-01", NULL, 0);
	ck_assert_int_eq(res.events, 0);
	/* The figures that cannot be computed are there, empty, saying why. */
	ck_assert_str_eq(val("", "nps"), "");
	ck_assert_str_eq(note("", "nps"), "no responses");
	ck_assert_str_eq(note("", "win_rate"), "no deals closed");
	ck_assert_str_eq(val("", "tickets"), "0");
	ck_assert_str_eq(val("", "backlog"), "0");
}
END_TEST

/* Groups over a period with nothing in it: no group, no figure. */
START_TEST(test_by_owner_nothing)
{
	kpi("2020-03-01", "2020-04-01", "owner", 0);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_int_eq(res.events, 0);
	/* Customers have no queue: nothing to group. */
	person(1, "ann");
	buy(1, "2020-03-10T10:00:00Z", 1000, "EUR");
	kpi("2020-03-01", "2020-04-01", "queue", CRM_KPI_CUSTOMERS);
	ck_assert_uint_eq(res.n, 0);
}
END_TEST

/* A period with a response and no customer or purchase still has its
 * customer figures: counts of 0, CRR and churn empty saying why. */
START_TEST(test_customer_figures_without_customers)
{
	response(0, "nps", 9, "2026-10-02T10:00:00Z");
	kpi("2026-10-01", "2026-11-01", NULL, 0);
	ck_assert_int_eq(res.events, 1);
	ck_assert_str_eq(val("", "customers_start"), "0");
	ck_assert_str_eq(note("", "churn"), "no customers at start");
	ck_assert_str_eq(val("", "revenue"), "0.00");
}
END_TEST

/* The pipeline on a day */

struct rows {
	char text[1024];
};

static int collect(void *arg, const char *const *v)
{
	struct rows *r = arg;
	size_t len = strlen(r->text);

	snprintf(r->text + len, sizeof r->text - len, "%s|%s|%s|%s|%s\n", v[0], v[1], v[2], v[3],
	         v[4]);
	return 0;
}

static const char *pipeline_on(const char *day, int64_t *deals)
{
	static struct rows r;

	memset(&r, 0, sizeof r);
	*deals = -1;
	ck_assert_msg(crm_report_pipeline(db, day, collect, &r, deals) == CRM_OK, "%s",
	              crm_error_message());
	return r.text;
}

START_TEST(test_pipeline_report)
{
	int64_t n;

	configure("pipelines:\n"
	          "  sales:\n"
	          "    - { stage: lead, probability: 10 }\n"
	          "    - { stage: demo, probability: 40 }\n"
	          "    - { stage: contract, probability: 80 }\n"
	          "  renewals:\n"
	          "    - { stage: due, probability: 60 }\n");
	/* 1 EUR = 1.25 USD from January, 1.60 from 31 October, 2.00 from
	 * 15 November. */
	rate("2026-01-01", "USD", "1.25");
	rate("2026-10-31", "USD", "1.60");
	rate("2026-11-15", "USD", "2.00");
	/* Entered out of order: the order printed is the configuration's. */
	deal(1, NULL, "2026-10-01T10:00:00Z", "sales", "contract", 100000, "EUR", -1);
	deal(2, NULL, "2026-10-02T10:00:00Z", "legacy", "old", 5000, "EUR", -1);
	deal(3, NULL, "2026-10-03T10:00:00Z", "renewals", "due", 30000, "EUR", 30);
	deal(4, NULL, "2026-10-04T10:00:00Z", "sales", "lead", 20000, "USD", -1);
	deal(5, NULL, "2026-10-04T10:00:00Z", "sales", "demo", 10000, "EUR", -1);
	deal_to(5, "won", NULL, "2026-10-20T10:00:00Z");
	deal(6, NULL, "2026-11-02T10:00:00Z", "sales", "demo", 40000, "EUR", -1);
	deal(7, NULL, "2026-10-01T10:00:00Z", "sales", "lead", 25000, "EUR", -1);
	deal_to(7, "open", "demo", "2026-10-15T10:00:00Z");
	deal_to(7, "open", "contract", "2026-11-03T10:00:00Z");
	deal(8, NULL, "2026-10-06T10:00:00Z", "sales", "demo", 70000, "EUR", -1);
	sql("UPDATE deals SET archived_at = '2026-10-20T10:00:00Z' WHERE id = 8");
	/* At the end of 31 October: 4 (200 USD / 1.60 = 125.00, at 10 %:
	 * 12.50), 7 in demo (250.00 at 40 %: 100.00), 1 (1000.00 at 80 %:
	 * 800.00), 3 (300.00 at its own 30 %: 90.00), then the pipeline no
	 * longer configured (50.00, no probability: 0.00).  5 was won, 6 not
	 * yet there, 8 archived.  Total 1725.00 and 1002.50. */
	ck_assert_str_eq(pipeline_on("2026-10-31", &n),
	                 "sales|lead|1|125.00|12.50\n"
	                 "sales|demo|1|250.00|100.00\n"
	                 "sales|contract|1|1000.00|800.00\n"
	                 "renewals|due|1|300.00|90.00\n"
	                 "legacy|old|1|50.00|0.00\n"
	                 "total||5|1725.00|1002.50\n");
	ck_assert_int_eq(n, 5);
	/* At the end of 30 October the dollar rate was 1.25: 160.00 at 10 %:
	 * 16.00; totals 1725 - 125 + 160 = 1760.00 and 1002.50 - 12.50 + 16
	 * = 1006.00. */
	ck_assert_str_eq(pipeline_on("2026-10-30", &n),
	                 "sales|lead|1|160.00|16.00\n"
	                 "sales|demo|1|250.00|100.00\n"
	                 "sales|contract|1|1000.00|800.00\n"
	                 "renewals|due|1|300.00|90.00\n"
	                 "legacy|old|1|50.00|0.00\n"
	                 "total||5|1760.00|1006.00\n");
	ck_assert_int_eq(n, 5);
}
END_TEST

/* A day with no deal open: no row at all, not even the total. */
START_TEST(test_pipeline_none_open)
{
	int64_t n;

	deal(1, NULL, "2026-10-02T10:00:00Z", "default", "lead", 1000, "EUR", -1);
	deal_to(1, "won", NULL, "2026-10-05T10:00:00Z");
	ck_assert_str_eq(pipeline_on("2026-10-01", &n), ""); /* before it was created */
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(pipeline_on("2026-10-05", &n), ""); /* won that day */
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(pipeline_on("2026-10-04", &n), "default|lead|1|10.00|1.00\n"
	                 "total||1|10.00|1.00\n");
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(test_pipeline_half_to_even)
{
	/* 10.01 EUR in proposal (50 %, the stage's): 1001 x 50 / 100 = 500.5
	 * cents, half to even: 500 -> 5.00. */
	int64_t n;

	deal(1, NULL, "2026-10-02T10:00:00Z", "default", "proposal", 1001, "EUR", -1);
	ck_assert_str_eq(pipeline_on("2026-10-02", &n),
	                 "default|proposal|1|10.01|5.00\n"
	                 "total||1|10.01|5.00\n");
	ck_assert_int_eq(n, 1);
}
END_TEST

/* Rows of crm_report_months, "month|start|lost|churn|revenue" each. */
static int month_row(void *arg, const char *const *v)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s|%s|%s|%s|%s\n", v[0], v[1], v[2], v[3], v[4]);
	return 0;
}

/* The page's months in one pass agree with crm_report_kpi month by month,
 * refunds, people gone and a cut last month included. */
START_TEST(test_months_one_pass)
{
	char got[1024] = "", want[1024] = "";
	const char *month[] = { "2026-08", "2026-09", "2026-10", "2026-11" };
	int64_t p;

	for (int i = 1; i <= 5; i++)
		person(i, NULL);
	buy(1, "2025-09-15T10:00:00Z", 1000, "EUR");
	buy(2, "2026-09-10T10:00:00Z", 10000, "EUR");
	buy(3, "2025-10-20T10:00:00Z", 1000, "EUR");
	buy(4, "2026-10-07T10:00:00Z", 4000, "EUR");
	p = buy(5, "2026-03-01T10:00:00Z", 3000, "EUR");
	refund(5, p, "2026-10-15T10:00:00Z", "-30 EUR");
	sql("UPDATE contacts SET archived_at = '2026-09-20T00:00:00Z' WHERE id = 3");
	ck_assert_int_eq(crm_report_months(db, "2026-08-01", "2026-11-10", month_row, got), CRM_OK);
	kpi("2026-08-01", "2026-11-10", "month", CRM_KPI_CUSTOMERS);
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(want);

		snprintf(want + n, sizeof want - n, "%s|%s|%s|%s|%s\n", month[i],
		         val(month[i], "customers_start"), val(month[i], "lost_customers"),
		         val(month[i], "churn"), val(month[i], "revenue"));
	}
	ck_assert_str_eq(got, want);
	/* By hand: on 1 October 2 and 5 (3 archived in September, 1 out of
	 * the window); 5 refunded whole on 15 October, 2 still in: 1 lost. */
	ck_assert_msg(strstr(got, "2026-10|2|1|50.0|10.00\n"), "%s", got);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_window_edges);
	tcase_add_test(tc, test_what_does_not_make_a_customer);
	tcase_add_test(tc, test_refunded_whole_only_after_the_day);
	tcase_add_test(tc, test_active_window_configured);
	tcase_add_test(tc, test_by_status);
	tcase_add_test(tc, test_kpi_customers);
	tcase_add_test(tc, test_no_customers_at_start);
	tcase_add_test(tc, test_cltv_from_spans);
	tcase_add_test(tc, test_revenue_two_currencies);
	tcase_add_test(tc, test_nps_detractors_and_csat);
	tcase_add_test(tc, test_sales_cycle_median);
	tcase_add_test(tc, test_win_rate_reopened);
	tcase_add_test(tc, test_pipeline_weighted_once);
	tcase_add_test(tc, test_service_without_policy);
	tcase_add_test(tc, test_resolution_as_it_stood);
	tcase_add_test(tc, test_by_month_and_quarter);
	tcase_add_test(tc, test_by_owner);
	tcase_add_test(tc, test_by_owner_fills_zeros);
	tcase_add_test(tc, test_bad_by);
	tcase_add_test(tc, test_known_and_find);
	tcase_add_test(tc, test_empty_period);
	tcase_add_test(tc, test_by_owner_nothing);
	tcase_add_test(tc, test_customer_figures_without_customers);
	tcase_add_test(tc, test_pipeline_report);
	tcase_add_test(tc, test_pipeline_none_open);
	tcase_add_test(tc, test_pipeline_half_to_even);
	tcase_add_test(tc, test_months_one_pass);
	suite_add_tcase(s, tc);
	return s;
}
