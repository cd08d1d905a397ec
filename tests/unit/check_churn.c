/* check_churn.c - churn risk: the logistic fit, AUC and calibration on
 * small sets worked out by hand (or, for the penalised fits, by the
 * independent computation quoted below); the features of a hand-built
 * database, each value worked out by hand in the comments; the refusals
 * when history is too short; and a whole run, whose explanation must add
 * up to its score and which must give the same numbers twice.
 *
 * Run this suite alone with CK_RUN_SUITE=churn build/out/unit-tests. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/internal.h"
#include "crm/churn.h"
#include "crm/rates.h"
#include "crm/report.h"
#include "fixture.h"

#define CLOSE(got, want, tol) \
	ck_assert_msg(fabs((got) - (want)) <= (tol), "%s = %.10f, expected %.10f", #got, \
	              (double)(got), (double)(want))

START_TEST(test_logistic)
{
	CLOSE(crm_churn_logistic(0), 0.5, 1e-15);
	CLOSE(crm_churn_logistic(log(3)), 0.75, 1e-15);  /* odds 3:1 */
	CLOSE(crm_churn_logistic(-log(3)), 0.25, 1e-15);
	CLOSE(crm_churn_logistic(1000), 1, 0);           /* no overflow either way */
	CLOSE(crm_churn_logistic(-1000), 0, 1e-300);
}
END_TEST

START_TEST(test_auc_with_tie)
{
	/* Positives score 0.35, 0.8, 0.4; negatives 0.1, 0.4.  Of the six
	 * (positive, negative) pairs the positive is above in (0.35, 0.1),
	 * (0.8, 0.1), (0.8, 0.4), (0.4, 0.1), below in (0.35, 0.4), tied in
	 * (0.4, 0.4): (4 + 0.5) / 6 = 0.75. */
	const double s[] = { 0.1, 0.4, 0.35, 0.8, 0.4 };
	const unsigned char y[] = { 0, 0, 1, 1, 1 };
	const double all_tied[] = { 0.3, 0.3, 0.3, 0.3 };
	const unsigned char y4[] = { 1, 0, 1, 0 };
	const double up[] = { 0.1, 0.2, 0.3, 0.4 };
	const unsigned char y_up[] = { 0, 0, 1, 1 }, y_down[] = { 1, 1, 0, 0 };
	double auc;

	ck_assert_int_eq(crm_churn_auc(&auc, s, y, 5), CRM_OK);
	CLOSE(auc, 0.75, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, all_tied, y4, 4), CRM_OK);
	CLOSE(auc, 0.5, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_up, 4), CRM_OK);
	CLOSE(auc, 1, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_down, 4), CRM_OK);
	CLOSE(auc, 0, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_up, 2), CRM_EDATA); /* negatives only */
}
END_TEST

START_TEST(test_calibration_bins)
{
	/* Sorted: 0.1(0) 0.2(0) | 0.3(1) 0.4(0) | 0.7(0) 0.8(1) 0.9(1); with 7
	 * examples in 3 bins the cuts fall at floor(7/3) = 2 and floor(14/3) = 4. */
	const double p[] = { 0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.4 };
	const unsigned char y[] = { 1, 0, 0, 1, 1, 0, 0 };
	struct crm_churn_bin b[10];
	size_t n;

	ck_assert_int_eq(crm_churn_calibrate(b, 3, &n, p, y, 7), CRM_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(b[0].n, 2);
	CLOSE(b[0].predicted, 0.15, 1e-12);
	CLOSE(b[0].observed, 0, 1e-12);
	ck_assert_uint_eq(b[1].n, 2);
	CLOSE(b[1].predicted, 0.35, 1e-12);
	CLOSE(b[1].observed, 0.5, 1e-12);
	ck_assert_uint_eq(b[2].n, 3);
	CLOSE(b[2].predicted, 0.8, 1e-12);
	CLOSE(b[2].observed, 2.0 / 3, 1e-12);
	/* Fewer examples than bins: the empty bins are left out. */
	ck_assert_int_eq(crm_churn_calibrate(b, 10, &n, p, y, 2), CRM_OK);
	ck_assert_uint_eq(n, 2);
	CLOSE(b[0].predicted, 0.1, 1e-12);
	CLOSE(b[1].predicted, 0.9, 1e-12);
	CLOSE(b[1].observed, 1, 1e-12);
}
END_TEST

START_TEST(test_fit_by_hand)
{
	/* No penalty, one 0/1 feature: the fit reproduces each group's rate.
	 * x = 0: 1 of 4 churned, odds 1:3, beta0 = ln(1/3); x = 1: 3 of 4,
	 * odds 3:1, beta0 + beta1 = ln 3, so beta1 = 2 ln 3. */
	const float x[] = { 0, 0, 0, 0, 1, 1, 1, 1 };
	const unsigned char y[] = { 1, 0, 0, 0, 1, 1, 1, 0 };
	/* No feature at all: the intercept is the log-odds of the rate. */
	const unsigned char y2[] = { 1, 0, 0, 0, 0 };
	double beta[2];
	int it;

	ck_assert_int_eq(crm_churn_fit(beta, x, y, 8, 1, 0, &it), CRM_OK);
	CLOSE(beta[0], log(1.0 / 3), 1e-6);
	CLOSE(beta[1], 2 * log(3), 1e-6);
	ck_assert_int_eq(crm_churn_fit(beta, NULL, y2, 5, 0, 1, &it), CRM_OK);
	CLOSE(beta[0], log(1.0 / 4), 1e-12);
	ck_assert_int_eq(it, 1);
	/* One class only: no finite intercept. */
	ck_assert_int_eq(crm_churn_fit(beta, x, y2 + 1, 4, 1, 1, &it), CRM_EDATA);
}
END_TEST

/* The penalised fits below were computed independently by Newton's
 * method in double precision with Gaussian elimination, to a step under
 * 1e-15, by this Python (no libraries):
 *
 *   def fit(X, y, lam):
 *       m = len(X[0]) + 1; b = [0.0] * m
 *       for it in range(200):
 *           g = [0.0] * m; H = [[0.0] * m for _ in range(m)]
 *           for xi, yi in zip(X, y):
 *               r = [1.0] + list(xi)
 *               mu = 1 / (1 + math.exp(-sum(bj * rj for bj, rj in zip(b, r))))
 *               for j in range(m):
 *                   g[j] += (yi - mu) * r[j]
 *                   for k in range(m): H[j][k] += mu * (1 - mu) * r[j] * r[k]
 *           for j in range(1, m): g[j] -= lam * b[j]; H[j][j] += lam
 *           d = solve(H, g)   # Gaussian elimination, back substitution
 *           b = [bj + dj for bj, dj in zip(b, d)]
 *           if max(abs(v) for v in d) < 1e-15: break
 *       return b
 */
START_TEST(test_fit_penalised)
{
	const float x[] = { -1.5f, 0.5f, -1.0f, -1.0f, -0.5f, 1.0f, 0.0f, 0.0f,
	                    0.5f, -0.5f, 1.0f, 1.5f, 1.5f, -1.5f, 2.0f, 0.5f };
	const unsigned char y[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
	/* Separable: without the penalty beta1 would grow without end.  The
	 * set is symmetric about 0, so beta0 = 0 exactly. */
	const float xs[] = { -2, -1, 1, 2 };
	const unsigned char ys[] = { 0, 0, 1, 1 };
	double beta[3];
	int it;

	ck_assert_int_eq(crm_churn_fit(beta, x, y, 8, 2, 1.0, &it), CRM_OK);
	CLOSE(beta[0], -0.1892290876, 1e-7);
	CLOSE(beta[1], 0.6606039615, 1e-7);
	CLOSE(beta[2], 0.9202819240, 1e-7);
	ck_assert_int_le(it, 20);
	ck_assert_int_eq(crm_churn_fit(beta, xs, ys, 4, 1, 1.0, &it), CRM_OK);
	CLOSE(beta[0], 0, 1e-7);
	CLOSE(beta[1], 1.0065943149, 1e-7);
}
END_TEST

/* ---- Features of a hand-built database ---- */

/* The snapshot is 2026-06-01: a year before is 2025-06-01, six months
 * 2025-12-01, two years 2024-06-01; the next snapshot is 2026-09-01.
 * Customers have a paid purchase in the 365 days before (from
 * 2025-06-01).  Amounts in EUR, the base currency; USD at 1.25 a euro. */
static const char people[] =
	"INSERT INTO contacts(id, first_name, email, created_at, updated_at, archived_at) VALUES"
	" (1, 'Ann', 'ann@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', NULL),"
	" (2, 'Bo', 'bo@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', NULL),"
	" (3, 'Cy', 'cy@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', NULL),"
	" (4, 'Di', 'di@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z',"
	"  '2026-03-01T00:00:00Z'),"
	" (5, 'Ed', 'ed@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', NULL);";

#define BUY(id, who, at, total, cur, status, refund_of) \
	" (" #id ", " #who ", '" at "', " #total ", '" cur "', '" status "', " #refund_of \
	", '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')"

static const char purchases[] =
	"INSERT INTO purchases(id, contact_id, at, total, total_currency, status, refund_of,"
	" created_at, updated_at) VALUES"
	/* Ann: before the two years (ignored), in them, in the year's first
	 * half, in its second half with a 20.00 refund, cancelled, and on
	 * the snapshot's day itself (after its start: ignored, but it keeps
	 * her a customer at 2026-09-01). */
	BUY(1, 1, "2024-05-01T10:00:00Z", 10000, "EUR", "paid", NULL) ","
	BUY(2, 1, "2025-03-10T10:00:00Z", 5000, "EUR", "paid", NULL) ","
	BUY(3, 1, "2025-07-15T10:00:00Z", 8000, "EUR", "paid", NULL) ","
	BUY(4, 1, "2026-02-20T10:00:00Z", 12000, "EUR", "paid", NULL) ","
	BUY(5, 1, "2026-03-01T10:00:00Z", -2000, "EUR", "paid", 4) ","
	BUY(6, 1, "2026-05-31T23:00:00Z", 3000, "EUR", "cancelled", NULL) ","
	BUY(7, 1, "2026-06-01T08:00:00Z", 20000, "EUR", "paid", NULL) ","
	/* Bo: 40.00 USD on the first day of the window. */
	BUY(8, 2, "2025-06-01T00:00:00Z", 4000, "USD", "paid", NULL) ","
	/* Cy: 60.00 refunded whole before the snapshot, and 25.00 paid. */
	BUY(9, 3, "2026-01-10T10:00:00Z", 6000, "EUR", "refunded", NULL) ","
	BUY(10, 3, "2026-01-20T10:00:00Z", -6000, "EUR", "paid", 9) ","
	BUY(11, 3, "2025-12-01T10:00:00Z", 2500, "EUR", "paid", NULL) ","
	/* Di was archived before the snapshot; Ed bought a day too early. */
	BUY(12, 4, "2026-02-01T10:00:00Z", 9900, "EUR", "paid", NULL) ","
	BUY(13, 5, "2025-05-31T10:00:00Z", 9900, "EUR", "paid", NULL) ";";

static const char desk[] =
	"INSERT INTO tickets(id, subject, requester_id, status, sla_missed, solved_at, created_at,"
	" updated_at) VALUES"
	/* Ann: solved before the snapshot with a missed target; solved only
	 * after it (open then, its miss not counted); opened after it. */
	" (1, 'a', 1, 'solved', 1, '2026-05-03T09:00:00Z', '2026-05-01T09:00:00Z', '2026-05-03T09:00:00Z'),"
	" (2, 'b', 1, 'solved', 1, '2026-06-10T09:00:00Z', '2026-05-20T09:00:00Z', '2026-06-10T09:00:00Z'),"
	" (3, 'c', 1, 'new', 0, NULL, '2026-06-05T09:00:00Z', '2026-06-05T09:00:00Z'),"
	/* Bo: imported closed, with a missed target, from before the year. */
	" (4, 'd', 2, 'closed', 1, NULL, '2025-01-01T09:00:00Z', '2026-11-20T00:00:00Z'),"
	/* Cy: solved, reopened before the snapshot, solved again after it;
	 * and one closed after it that came without its solving time. */
	" (5, 'e', 3, 'solved', 0, '2026-07-01T09:00:00Z', '2026-04-01T09:00:00Z', '2026-07-01T09:00:00Z'),"
	" (6, 'f', 3, 'closed', 1, NULL, '2026-05-15T09:00:00Z', '2026-06-20T09:00:00Z');"
	"INSERT INTO ticket_status(ticket_id, status, at) VALUES"
	" (1, 'new', '2026-05-01T09:00:00Z'), (1, 'solved', '2026-05-03T09:00:00Z'),"
	" (2, 'new', '2026-05-20T09:00:00Z'), (2, 'solved', '2026-06-10T09:00:00Z'),"
	" (3, 'new', '2026-06-05T09:00:00Z'),"
	" (4, 'closed', '2026-11-20T00:00:00Z'),"
	" (5, 'new', '2026-04-01T09:00:00Z'), (5, 'solved', '2026-04-05T09:00:00Z'),"
	" (5, 'open', '2026-05-10T09:00:00Z'), (5, 'solved', '2026-07-01T09:00:00Z'),"
	" (6, 'new', '2026-05-15T09:00:00Z'), (6, 'closed', '2026-06-20T09:00:00Z');";

static const char said[] =
	"INSERT INTO responses(contact_id, kind, score, at, created_at, updated_at) VALUES"
	" (1, 'nps', 9, '2026-01-10T12:00:00Z', '2026-01-10T12:00:00Z', '2026-01-10T12:00:00Z'),"
	" (1, 'nps', 3, '2026-04-02T12:00:00Z', '2026-04-02T12:00:00Z', '2026-04-02T12:00:00Z'),"
	" (1, 'nps', 10, '2026-06-15T12:00:00Z', '2026-06-15T12:00:00Z', '2026-06-15T12:00:00Z'),"
	" (1, 'csat', 5, '2026-05-01T12:00:00Z', '2026-05-01T12:00:00Z', '2026-05-01T12:00:00Z'),"
	" (3, 'nps', 7, '2025-03-01T12:00:00Z', '2025-03-01T12:00:00Z', '2025-03-01T12:00:00Z');"
	"INSERT INTO consents(contact_id, channel, status, at) VALUES"
	" (1, 'email', 'withdrawn', '2026-07-01T00:00:00Z'),"
	" (2, 'sms', 'withdrawn', '2026-01-05T00:00:00Z'),"
	" (3, 'email', 'granted', '2026-01-05T00:00:00Z');";

struct rows {
	struct crm_churn_row r[8];
	size_t n;
};

static int collect(void *arg, const struct crm_churn_row *r)
{
	struct rows *rows = arg;

	ck_assert_uint_lt(rows->n, 8);
	rows->r[rows->n++] = *r;
	return 0;
}

/* Checks the values of one row against the expected ones (NAN: none). */
static void row_is(const struct crm_churn_row *r, int64_t id, const double *want, int churned)
{
	ck_assert_int_eq(r->id, id);
	for (int f = 0; f < CRM_CHURN_NFEATURES; f++)
		if (isnan(want[f]))
			ck_assert_msg(isnan(r->value[f]), "%lld %s = %g, expected none", (long long)id,
			              crm_churn_feature_name(f), r->value[f]);
		else
			ck_assert_msg(fabs(r->value[f] - want[f]) < 1e-9, "%lld %s = %g, expected %g",
			              (long long)id, crm_churn_feature_name(f), r->value[f], want[f]);
	ck_assert_int_eq(r->churned, churned);
}

START_TEST(test_features_by_hand)
{
	crm_db *db = fx_open(true);
	crm_churn_history *h = NULL;
	struct rows rows = { .n = 0 };
	/* recency, frequency, monetary, trend, open, breached, nps, nps missing, withdrawn */
	/* Ann: last paid 2026-02-20, 8 + 1 + 31 + 30 + 31 = 101 days before;
	 * paid in the year: 2025-07-15, 2026-02-20; spend 80 + 120 - 20 = 180,
	 * of it 100 in the last six months against 80 before: trend +20;
	 * ticket 2 open at the snapshot, ticket 1 resolved with a miss; NPS 3
	 * (the 10 came later); her withdrawal came after the snapshot. */
	const double ann[] = { 101, 2, 180, 20, 1, 1, 3, 0, 0 };
	/* Bo: 365 days; 40 USD / 1.25 = 32 EUR, all in the year's first half:
	 * trend 0 - 32; his ticket came in closed (the log's first entry, from
	 * after the snapshot) and is from before the year; no NPS; consent
	 * withdrawn for sms.  No purchase from 2025-09-01: churned. */
	const double bo[] = { 365, 1, 32, -32, 0, 0, NAN, 1, 1 };
	/* Cy: last paid 2025-12-01, 31 + 31 + 28 + 31 + 30 + 31 = 182 days;
	 * the refunded purchase is not paid, so one purchase, and 60 - 60 +
	 * 25 = 25 spent, all of it from 2025-12-01 on: trend +25; the ticket
	 * reopened on 2026-05-10 was open, and so was the one closed on
	 * 2026-06-20 (its miss not counted); NPS 7. */
	const double cy[] = { 182, 1, 25, 25, 2, 0, 7, 0, 0 };

	ck_assert_int_eq(crm_db_exec(db, people), CRM_OK);
	ck_assert_msg(crm_db_exec(db, purchases) == CRM_OK, "%s", crm_error_message());
	ck_assert_msg(crm_db_exec(db, desk) == CRM_OK, "%s", crm_error_message());
	ck_assert_msg(crm_db_exec(db, said) == CRM_OK, "%s", crm_error_message());
	ck_assert_int_eq(crm_rates_set(db, "2025-01-01", "USD", "1.25"), CRM_OK);
	ck_assert_int_eq(crm_report_customers(db, "t_now", "2026-06-01"), CRM_OK);
	ck_assert_int_eq(crm_report_customers(db, "t_next", "2026-09-01"), CRM_OK);
	ck_assert_msg(crm_churn_history_load(&h, db, "2026-06-01", "2026-09-01") == CRM_OK, "%s",
	              crm_error_message());
	ck_assert_int_eq(crm_churn_features(h, db, "2026-06-01", "t_now", "t_next", collect, &rows),
	                 CRM_OK);
	ck_assert_uint_eq(rows.n, 3); /* Di archived, Ed's purchase too early */
	row_is(&rows.r[0], 1, ann, 0);
	row_is(&rows.r[1], 2, bo, 1);
	row_is(&rows.r[2], 3, cy, 0);
	/* Without a next snapshot there is no outcome. */
	rows.n = 0;
	ck_assert_int_eq(crm_churn_features(h, db, "2026-06-01", "t_now", NULL, collect, &rows),
	                 CRM_OK);
	ck_assert_int_eq(rows.r[0].churned, -1);
	crm_churn_history_free(h);
	fx_close(db);
}
END_TEST

START_TEST(test_amount_without_rate)
{
	crm_db *db = fx_open(true);
	crm_churn_history *h = NULL;

	ck_assert_int_eq(crm_db_exec(db, people), CRM_OK);
	ck_assert_int_eq(crm_db_exec(db, purchases), CRM_OK);
	ck_assert_int_eq(crm_churn_history_load(&h, db, "2026-06-01", "2026-09-01"), CRM_EDATA);
	ck_assert_msg(strstr(crm_error_message(), "USD"), "%s", crm_error_message());
	ck_assert_ptr_null(h);
	fx_close(db);
}
END_TEST

/* ---- Whole runs ---- */

/* Person i buys from day s = 37i mod 700 after 2024-01-01, every g/2 to
 * 3g/2 days (g = 60 + 13i mod 200), until day e; day 1056 is 2026-11-22.
 * Every fifth has a ticket, every third an NPS answer. */
static const char history[] =
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
	" INSERT INTO contacts(id, first_name, email, created_at, updated_at)"
	" SELECT i, 'P' || i, 'p' || i || '@example.org', '2024-01-01T00:00:00Z',"
	" '2024-01-01T00:00:00Z' FROM n;"
	"CREATE TEMP TABLE life AS SELECT id AS i, (id * 37) % 700 AS s, 60 + (id * 13) % 200 AS g,"
	" min((id * 37) % 700 + 60 + (id * 53) % 900, 1056) AS e FROM contacts;"
	"WITH RECURSIVE p(i, d, g, e) AS (SELECT i, s, g, e FROM life UNION ALL"
	" SELECT i, d + g / 2 + (i * 7919 + d * 104729) % g, g, e FROM p"
	" WHERE d + g / 2 + (i * 7919 + d * 104729) % g < e)"
	" INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at, updated_at)"
	" SELECT i, strftime('%Y-%m-%dT10:00:00Z', '2024-01-01', '+' || d || ' days'),"
	" 2000 + (i * 700 + d) % 20000, 'EUR', 'paid', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'"
	" FROM p;"
	"INSERT INTO tickets(subject, requester_id, status, sla_missed, created_at, updated_at)"
	" SELECT 'help', i, 'open', i % 2, strftime('%Y-%m-%dT09:00:00Z', '2024-01-01', '+' ||"
	" min(s + 90, 1050) || ' days'), '2024-01-01T00:00:00Z' FROM life WHERE i % 5 = 0;"
	"INSERT INTO responses(contact_id, kind, score, at, created_at, updated_at)"
	" SELECT i, 'nps', (i * 7) % 11, strftime('%Y-%m-%dT12:00:00Z', '2024-01-01', '+' ||"
	" (s + 40) || ' days'), '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM life"
	" WHERE i % 3 = 0;";

static crm_churn *run(crm_db *db, int64_t explain)
{
	struct crm_churn_opts o = { "2026-11-22", 3, 4, explain };
	crm_churn *m = NULL;

	ck_assert_msg(crm_churn_run(&m, db, &o) == CRM_OK, "%s", crm_error_message());
	return m;
}

START_TEST(test_explain_adds_up)
{
	crm_db *db = fx_open(true);
	struct crm_churn_term t[CRM_CHURN_NFEATURES + 1];
	const struct crm_churn_score *s;
	crm_churn *m;
	double logit, p, sum = 0, want;
	int64_t id;
	size_t n;

	ck_assert_msg(crm_db_exec(db, history) == CRM_OK, "%s", crm_error_message());
	m = run(db, 0);
	s = crm_churn_scores(m, &n);
	ck_assert_uint_gt(n, 10);
	id = s[n / 2].id, want = s[n / 2].probability;
	ck_assert_int_eq(crm_churn_explain(m, t, &logit, &p), CRM_ENOTFOUND);
	crm_churn_free(m);
	m = run(db, id);
	ck_assert_int_eq(crm_churn_explain(m, t, &logit, &p), CRM_OK);
	ck_assert_int_eq(t[0].feature, -1);
	for (int f = 0; f <= CRM_CHURN_NFEATURES; f++) {
		CLOSE(t[f].contribution, t[f].coefficient * (f ? t[f].input : 1), 1e-12);
		sum += t[f].contribution;
	}
	CLOSE(sum, logit, 1e-9);
	CLOSE(p, 1 / (1 + exp(-logit)), 1e-12);
	CLOSE(p, want, 1e-12);
	crm_churn_free(m);
	fx_close(db);
}
END_TEST

START_TEST(test_same_twice_and_ordered)
{
	crm_db *db = fx_open(true);
	const struct crm_churn_score *s1, *s2;
	const struct crm_churn_model *a, *b;
	crm_churn *m1, *m2;
	size_t n1, n2;

	ck_assert_msg(crm_db_exec(db, history) == CRM_OK, "%s", crm_error_message());
	m1 = run(db, 0), m2 = run(db, 0);
	a = crm_churn_model_of(m1), b = crm_churn_model_of(m2);
	ck_assert(!memcmp(a->beta, b->beta, sizeof a->beta));
	ck_assert(a->auc == b->auc && a->brier == b->brier);
	ck_assert(a->auc > 0.5 && a->auc <= 1);
	s1 = crm_churn_scores(m1, &n1), s2 = crm_churn_scores(m2, &n2);
	ck_assert_uint_eq(n1, n2);
	for (size_t i = 0; i < n1; i++)
		ck_assert(s1[i].id == s2[i].id && s1[i].probability == s2[i].probability &&
		          s1[i].top == s2[i].top);
	/* Riskiest first by the printed thousandths, then by id. */
	for (size_t i = 1; i < n1; i++) {
		long p = lround(s1[i - 1].probability * 1000), q = lround(s1[i].probability * 1000);
		ck_assert_msg(p > q || (p == q && s1[i - 1].id < s1[i].id), "rows %zu and %zu", i - 1, i);
	}
	crm_churn_free(m1);
	crm_churn_free(m2);
	fx_close(db);
}
END_TEST

/* Checks that a run as of 2026-11-22 refuses with message. */
static void refuses(crm_db *db, const char *message)
{
	struct crm_churn_opts o = { "2026-11-22", 3, 4, 0 };
	crm_churn *m = NULL;

	ck_assert_int_eq(crm_churn_run(&m, db, &o), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), message);
	ck_assert_ptr_null(m);
}

START_TEST(test_history_too_short)
{
	crm_db *db = fx_open(true);

	/* Snapshots: 2026-11-23 (scored), 2026-08-23 (evaluated on), then
	 * 2026-05-23, 2026-02-23, 2025-11-23 and 2025-08-23 (trained on). */
	refuses(db, "history too short: no customers at 2026-08-23 (the snapshot the model is"
	        " evaluated on)");
	/* Three people buy on the first of every month from 2024-01 to
	 * 2026-11 and never churn.  Person 4 bought once, on 2025-10-01: a
	 * customer at 2025-11-23 to 2026-08-23, gone by 2026-11-23.  So the
	 * evaluation has 4 customers, 1 churned, and training 3 x 4 + 3 = 15
	 * customers, none churned. */
	ck_assert_int_eq(crm_db_exec(db,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)"
		" INSERT INTO contacts(id, email, created_at, updated_at) SELECT i, 'p' || i ||"
		" '@example.org', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;"
		"WITH RECURSIVE k(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM k WHERE m < 34)"
		" INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at,"
		" updated_at) SELECT c.id, strftime('%Y-%m-%dT10:00:00Z', '2024-01-01', '+' || m ||"
		" ' months'), 1000, 'EUR', 'paid', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'"
		" FROM k, contacts c WHERE c.id <= 3;"
		"INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at,"
		" updated_at) VALUES (4, '2025-10-01T10:00:00Z', 1000, 'EUR', 'paid',"
		" '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');"), CRM_OK);
	refuses(db, "history too short: none of the 15 customers at the training snapshots"
	        " 2025-08-23 to 2026-05-23 churned");
	/* Person 4 gone, none of the 3 left at 2026-08-23 churns. */
	ck_assert_int_eq(crm_db_exec(db, "DELETE FROM purchases WHERE contact_id = 4"), CRM_OK);
	refuses(db, "history too short: none of the 3 customers at 2026-08-23 (the snapshot the"
	        " model is evaluated on) churned");
	fx_close(db);
}
END_TEST

START_TEST(test_options_and_bands)
{
	crm_db *db = fx_open(true);
	struct crm_churn_opts o = { "2026-11-22", 0, 4, 0 };
	crm_churn *m = NULL;

	ck_assert_int_eq(crm_churn_run(&m, db, &o), CRM_EUSAGE);
	o.period_months = 13;
	ck_assert_int_eq(crm_churn_run(&m, db, &o), CRM_EUSAGE);
	o.period_months = 3, o.snapshots = 0;
	ck_assert_int_eq(crm_churn_run(&m, db, &o), CRM_EUSAGE);
	ck_assert_ptr_null(m);
	ck_assert_str_eq(crm_churn_band(0.5), "high");
	ck_assert_str_eq(crm_churn_band(0.4999), "medium");
	ck_assert_str_eq(crm_churn_band(0.25), "medium");
	ck_assert_str_eq(crm_churn_band(0.2499), "low");
	ck_assert_str_eq(crm_churn_feature_name(0), "recency");
	ck_assert_str_eq(crm_churn_feature_name(CRM_CHURN_NFEATURES - 1), "consent_withdrawn");
	ck_assert_ptr_null(crm_churn_feature_name(CRM_CHURN_NFEATURES));
	fx_close(db);
}
END_TEST

Suite *churn_suite(void)
{
	Suite *s = suite_create("churn");
	TCase *tc = tcase_create("churn");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_logistic);
	tcase_add_test(tc, test_auc_with_tie);
	tcase_add_test(tc, test_calibration_bins);
	tcase_add_test(tc, test_fit_by_hand);
	tcase_add_test(tc, test_fit_penalised);
	tcase_add_test(tc, test_features_by_hand);
	tcase_add_test(tc, test_amount_without_rate);
	tcase_add_test(tc, test_explain_adds_up);
	tcase_add_test(tc, test_same_twice_and_ordered);
	tcase_add_test(tc, test_history_too_short);
	tcase_add_test(tc, test_options_and_bands);
	suite_add_tcase(s, tc);
	return s;
}
