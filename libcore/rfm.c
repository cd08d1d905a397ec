/* rfm.c - RFM scores, the segment grid and cohorts by month of first
 * purchase (rfm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/feedback.h"
#include "crm/money.h"
#include "crm/rfm.h"
#include "kpi_impl.h"

static const char *const segment_names[CRM_RFM_SEGMENTS] = {
	"champions", "loyal", "potential-loyalists", "new-customers", "promising",
	"need-attention", "about-to-sleep", "at-risk", "cant-lose-them", "hibernating", "lost",
};

/* The segment of each cell, [r - 1][f - 1]: the 5 x 5 recency-frequency
 * map common in RFM practice, whose bottom-left block (R 1-2, F 1-2) is
 * split by recency into hibernating (R 2) and lost (R 1) so that the
 * least recent of the infrequent buyers stand apart. */
static const signed char grid[5][5] = {
	/* R 1 */ { CRM_RFM_LOST, CRM_RFM_LOST, CRM_RFM_AT_RISK, CRM_RFM_AT_RISK,
	            CRM_RFM_CANT_LOSE_THEM },
	/* R 2 */ { CRM_RFM_HIBERNATING, CRM_RFM_HIBERNATING, CRM_RFM_AT_RISK, CRM_RFM_AT_RISK,
	            CRM_RFM_CANT_LOSE_THEM },
	/* R 3 */ { CRM_RFM_ABOUT_TO_SLEEP, CRM_RFM_ABOUT_TO_SLEEP, CRM_RFM_NEED_ATTENTION,
	            CRM_RFM_LOYAL, CRM_RFM_LOYAL },
	/* R 4 */ { CRM_RFM_PROMISING, CRM_RFM_POTENTIAL_LOYALISTS, CRM_RFM_POTENTIAL_LOYALISTS,
	            CRM_RFM_LOYAL, CRM_RFM_LOYAL },
	/* R 5 */ { CRM_RFM_NEW_CUSTOMERS, CRM_RFM_POTENTIAL_LOYALISTS,
	            CRM_RFM_POTENTIAL_LOYALISTS, CRM_RFM_CHAMPIONS, CRM_RFM_CHAMPIONS },
};

/* The purchases that count as of a day, ?1 being the day after it, read
 * through their index in person order (kpi_impl.h).  One refunded in
 * full counts until its last refund: a day before that, it was still
 * paid. */
#define COUNTED \
	" FROM purchases p INDEXED BY purchases_paid WHERE" PAID " AND p.at < ?1" \
	" AND (p.status <> 'refunded' OR (SELECT max(r.at) FROM purchases r" \
	"  INDEXED BY purchases_refunds WHERE r.refund_of = p.id AND r.refund_of IS NOT NULL" \
	"  AND r.archived_at IS NULL) >= ?1)" \
	" AND p.contact_id NOT IN " GONE("?1")

/* Each person's figures; ?2 is the as-of day, ?3 whether to read names
 * (the grid and the summary need none).  Money is the purchases'
 * less their refunds dated before ?1, from temp.rfm_refunds. */
static const char people_sql[] =
	"SELECT p.contact_id, CASE WHEN ?3 THEN (SELECT crm_name(c.first_name, c.last_name)"
	"  FROM contacts c WHERE c.id = p.contact_id) END,"
	" CAST(julianday(?2) - julianday(substr(max(p.at), 1, 10)) AS INTEGER), count(*),"
	" sum(coalesce(crm_base(p.total, p.total_currency, p.at), 0))"
	"  + coalesce((SELECT f.money FROM temp.rfm_refunds f WHERE f.id = p.contact_id), 0)"
	COUNTED " GROUP BY p.contact_id ORDER BY p.contact_id";

/* The refunds dated before ?1 of the purchases that count, by person. */
static const char refunds_sql[] =
	"INSERT INTO temp.rfm_refunds SELECT p.contact_id,"
	" sum(crm_base(r.total, r.total_currency, r.at))"
	" FROM purchases r INDEXED BY purchases_refunds JOIN purchases p ON p.id = r.refund_of"
	" WHERE r.refund_of IS NOT NULL AND r.archived_at IS NULL AND r.at < ?1 AND" PAID
	" AND p.at < ?1 AND (p.status <> 'refunded' OR (SELECT max(x.at) FROM purchases x"
	"  INDEXED BY purchases_refunds WHERE x.refund_of = p.id AND x.refund_of IS NOT NULL"
	"  AND x.archived_at IS NULL) >= ?1)"
	" AND p.contact_id NOT IN " GONE("?1") " GROUP BY p.contact_id";

/* Fills temp.rfm_refunds(id, money) as of the day before end. */
static int refunds_load(crm_db *db, const char *end)
{
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_exec(db, "DROP TABLE IF EXISTS temp.rfm_refunds")) ||
	    (rc = crm_db_exec(db, "CREATE TEMP TABLE rfm_refunds (id INTEGER PRIMARY KEY,"
	                          " money INTEGER NOT NULL)")) ||
	    (rc = crm_db_stmt(db, &st, refunds_sql)))
		return rc;
	crm_stmt_bind_text(st, 1, end);
	return crm_stmt_done(st);
}

/* Buyers per cohort and month: ?2 and ?3 bound the first purchases. */
static const char cohorts_sql[] =
	"WITH paid AS (SELECT p.contact_id AS who, p.at AS at" COUNTED "),"
	" firsts AS (SELECT who, min(at) AS first FROM paid GROUP BY who)"
	" SELECT substr(f.first, 1, 7), m.month, count(*) FROM firsts f"
	" JOIN (SELECT DISTINCT who, substr(at, 1, 7) AS month FROM paid) m ON m.who = f.who"
	" WHERE f.first >= ?2 AND f.first < ?3 GROUP BY 1, 2 ORDER BY 1, 2";

const char *crm_rfm_segment_name(int s)
{
	return s >= 0 && s < CRM_RFM_SEGMENTS ? segment_names[s] : NULL;
}

int crm_rfm_segment_parse(const char *name, int *s)
{
	char list[256] = "";

	for (int i = 0; i < CRM_RFM_SEGMENTS; i++) {
		if (name && !strcmp(name, segment_names[i])) {
			*s = i;
			return CRM_OK;
		}
	}
	for (int i = 0; i < CRM_RFM_SEGMENTS; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
		         segment_names[i]);
	return crm_error_set(CRM_EUSAGE, "unknown segment '%s' (%s)", name ? name : "", list);
}

int crm_rfm_segment_of(int r, int f)
{
	return r >= 1 && r <= 5 && f >= 1 && f <= 5 ? grid[r - 1][f - 1] : -1;
}

int crm_rfm_score(int64_t worse, int64_t n)
{
	return n > 0 && worse >= 0 && worse < n ? 1 + (int)(5 * worse / n) : 1;
}

/* Stores in next the day after day ("YYYY-MM-DD"); CRM_EUSAGE when day
 * is no such date. */
static int day_after(char next[CRM_DATE_LEN], const char *day)
{
	return crm_date_add_days(next, day, 1) ? crm_error_recode(CRM_EUSAGE) : CRM_OK;
}

/* RFM */

/* One person's figures and scores (score[0..2]: r, f, m). */
struct person {
	int64_t id;
	char *name;
	int64_t recency, frequency, monetary;
	int score[3];
	int segment;
};

struct people {
	struct person *v;
	size_t n, cap;
};

static void people_free(struct people *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].name);
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}

static int people_add(struct people *ps, crm_stmt *st)
{
	struct person *p;
	const char *name = crm_stmt_text(st, 1);

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		struct person *v = realloc(ps->v, cap * sizeof *v);

		if (!v)
			return crm_error_nomem();
		ps->v = v, ps->cap = cap;
	}
	p = &ps->v[ps->n];
	memset(p, 0, sizeof *p);
	if (name && !(p->name = strdup(name)))
		return crm_error_nomem();
	ps->n++;
	p->id = crm_stmt_int(st, 0);
	p->recency = crm_stmt_int(st, 2);
	p->frequency = crm_stmt_int(st, 3);
	p->monetary = crm_stmt_int(st, 4);
	return CRM_OK;
}

/* Measure k of p, made so that more is better for all three. */
static int64_t measure(const struct person *p, int k)
{
	return k == 0 ? -p->recency : k == 1 ? p->frequency : p->monetary;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Returns how many of the n sorted values are below v. */
static size_t count_below(const int64_t *sorted, size_t n, int64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Gives everybody their three scores, each against everybody's values of
 * that measure, and their segment. */
static int score_people(struct people *ps)
{
	int64_t *sorted = malloc((ps->n ? ps->n : 1) * sizeof *sorted);

	if (!sorted)
		return crm_error_nomem();
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < ps->n; i++)
			sorted[i] = measure(&ps->v[i], k);
		qsort(sorted, ps->n, sizeof *sorted, cmp_int64);
		for (size_t i = 0; i < ps->n; i++)
			ps->v[i].score[k] = crm_rfm_score(
				(int64_t)count_below(sorted, ps->n, measure(&ps->v[i], k)),
				(int64_t)ps->n);
	}
	for (size_t i = 0; i < ps->n; i++)
		ps->v[i].segment = crm_rfm_segment_of(ps->v[i].score[0], ps->v[i].score[1]);
	free(sorted);
	return CRM_OK;
}

/* Loads and scores everybody with a purchase that counts as of day, with
 * their names when names is set. */
static int people_load(crm_db *db, const char *day, int names, struct people *ps)
{
	char end[CRM_DATE_LEN];
	crm_stmt *st;
	int rc, stop = 0;

	memset(ps, 0, sizeof *ps);
	if ((rc = day_after(end, day)) || (rc = refunds_load(db, end)) ||
	    (rc = crm_db_stmt(db, &st, people_sql)))
		return rc;
	crm_stmt_bind_text(st, 1, end);
	crm_stmt_bind_text(st, 2, day);
	crm_stmt_bind_int(st, 3, names);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW)
		stop = people_add(ps, st);
	crm_stmt_reset(st);
	if (!(rc = crm_walk_end(stop, rc)))
		rc = score_people(ps);
	if (rc)
		people_free(ps);
	return rc;
}

static const char *base_currency(crm_db *db)
{
	const crm_config *cfg = crm_db_config(db);

	return cfg ? crm_config_currency(cfg) : "EUR";
}

/* Formats minor units of the base currency as a bare decimal. */
static int amount_text(char out[CRM_MONEY_TEXT], int64_t minor, const char *base)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", base);
	return crm_money_format_amount(out, CRM_MONEY_TEXT, &m);
}

static int person_row(const struct person *p, const char *base,
                      int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char id[24], rec[24], freq[24], mon[CRM_MONEY_TEXT], s[3][2], score[4];
	const char *vals[CRM_RFM_COLUMNS] = { id, p->name ? p->name : "", rec, freq, mon, s[0], s[1], s[2],
	                                      score, segment_names[p->segment] };
	int rc;

	if ((rc = amount_text(mon, p->monetary, base)))
		return rc;
	snprintf(id, sizeof id, "%lld", (long long)p->id);
	snprintf(rec, sizeof rec, "%lld", (long long)p->recency);
	snprintf(freq, sizeof freq, "%lld", (long long)p->frequency);
	for (int k = 0; k < 3; k++)
		snprintf(s[k], sizeof s[k], "%d", p->score[k]);
	snprintf(score, sizeof score, "%s%s%s", s[0], s[1], s[2]);
	return fn(arg, vals);
}

int crm_rfm_each(crm_db *db, const char *day, int segment,
                 int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *people,
                 int64_t *rows)
{
	struct people ps;
	int rc;

	*people = *rows = 0;
	if ((rc = people_load(db, day, 1, &ps)))
		return rc;
	*people = (int64_t)ps.n;
	for (size_t i = 0; i < ps.n && !rc; i++) {
		if (segment >= 0 && ps.v[i].segment != segment)
			continue;
		rc = person_row(&ps.v[i], base_currency(db), fn, arg);
		++*rows;
	}
	people_free(&ps);
	return rc;
}

int crm_rfm_grid(crm_db *db, const char *day, struct crm_rfm_grid *g)
{
	struct people ps;
	int rc;

	memset(g, 0, sizeof *g);
	if ((rc = people_load(db, day, 0, &ps)))
		return rc;
	g->people = (int64_t)ps.n;
	for (size_t i = 0; i < ps.n && !rc; i++) {
		const struct person *p = &ps.v[i];

		g->cell[p->score[0] - 1][p->score[1] - 1]++;
		g->segment[p->segment]++;
		if (__builtin_add_overflow(g->monetary[p->segment], p->monetary,
		                           &g->monetary[p->segment]))
			rc = crm_error_set(CRM_EDATA, "revenue out of range");
	}
	people_free(&ps);
	return rc;
}

int crm_rfm_summary(crm_db *db, const char *day, int segment,
                    int (*fn)(void *arg, const char *const *vals), void *arg,
                    int64_t *people)
{
	struct crm_rfm_grid g;
	char n[24], share[24], mon[CRM_MONEY_TEXT];
	const char *vals[CRM_RFM_SUMMARY_COLUMNS] = { NULL, n, share, mon };
	int rc;

	*people = 0;
	if ((rc = crm_rfm_grid(db, day, &g)) || !(*people = g.people))
		return rc;
	for (int s = 0; s < CRM_RFM_SEGMENTS && !rc; s++) {
		if (segment >= 0 && s != segment)
			continue;
		vals[0] = segment_names[s];
		snprintf(n, sizeof n, "%lld", (long long)g.segment[s]);
		crm_feedback_percent(share, sizeof share, g.segment[s], g.people);
		if (!(rc = amount_text(mon, g.monetary[s], base_currency(db))))
			rc = fn(arg, vals);
	}
	return rc;
}

/* Cohorts */

/* The months since year 0 of "YYYY-MM...", which the database's dates
 * always are. */
static long month_number(const char *s)
{
	return strtol(s, NULL, 10) * 12 + strtol(s + 5, NULL, 10) - 1;
}

static void month_name(char out[8], long number)
{
	unsigned long n = number > 0 ? (unsigned long)number : 0;

	snprintf(out, 8, "%04lu-%02lu", n / 12 % 10000, n % 12 + 1);
}

void crm_rfm_cohorts_free(struct crm_rfm_cohorts *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].buyers);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* Starts the cohort of month, with its months up to the as-of day's. */
static int cohort_start(struct crm_rfm_cohorts *c, const char *month, long last)
{
	struct crm_rfm_cohort *v = realloc(c->v, (c->n + 1) * sizeof *v), *h;
	long first = month_number(month);

	if (!v)
		return crm_error_nomem();
	c->v = v;
	h = &v[c->n];
	memset(h, 0, sizeof *h);
	month_name(h->month, first);
	h->months = last >= first ? (size_t)(last - first + 1) : 1;
	if (!(h->buyers = calloc(h->months, sizeof *h->buyers)))
		return crm_error_nomem();
	c->n++;
	return CRM_OK;
}

/* Adds a row (cohort, month, buyers) of cohorts_sql. */
static int cohort_row(struct crm_rfm_cohorts *c, crm_stmt *st, long last)
{
	const char *cohort = crm_stmt_text(st, 0);
	struct crm_rfm_cohort *h = c->n ? &c->v[c->n - 1] : NULL;
	long k;
	int rc;

	if ((!h || strcmp(h->month, cohort)) && (rc = cohort_start(c, cohort, last)))
		return rc;
	h = &c->v[c->n - 1];
	k = month_number(crm_stmt_text(st, 1)) - month_number(h->month);
	if (k >= 0 && (size_t)k < h->months)
		h->buyers[k] = crm_stmt_int(st, 2);
	h->size = h->buyers[0];
	return CRM_OK;
}

int crm_rfm_cohorts(crm_db *db, const char *from, const char *to, const char *day,
                    struct crm_rfm_cohorts *out)
{
	char end[CRM_DATE_LEN];
	crm_stmt *st;
	int rc, stop = 0;

	memset(out, 0, sizeof *out);
	if ((rc = day_after(end, day)) || (rc = crm_db_stmt(db, &st, cohorts_sql)))
		return rc;
	crm_stmt_bind_text(st, 1, end);
	crm_stmt_bind_text(st, 2, from);
	crm_stmt_bind_text(st, 3, to);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW)
		stop = cohort_row(out, st, month_number(day));
	crm_stmt_reset(st);
	if ((rc = crm_walk_end(stop, rc)))
		crm_rfm_cohorts_free(out);
	return rc;
}

static int cohort_rows(const struct crm_rfm_cohort *h,
                       int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char size[24], k[24], period[8], buyers[24], share[24];
	const char *vals[CRM_COHORT_COLUMNS] = { h->month, size, k, period, buyers, share };
	int rc = CRM_OK;

	snprintf(size, sizeof size, "%lld", (long long)h->size);
	for (size_t i = 0; i < h->months && !rc; i++) {
		snprintf(k, sizeof k, "%zu", i);
		month_name(period, month_number(h->month) + (long)i);
		snprintf(buyers, sizeof buyers, "%lld", (long long)h->buyers[i]);
		crm_feedback_percent(share, sizeof share, h->buyers[i], h->size);
		rc = fn(arg, vals);
	}
	return rc;
}

int crm_rfm_cohorts_each(crm_db *db, const char *from, const char *to, const char *day,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *cohorts)
{
	struct crm_rfm_cohorts c;
	int rc;

	*cohorts = 0;
	if ((rc = crm_rfm_cohorts(db, from, to, day, &c)))
		return rc;
	*cohorts = (int64_t)c.n;
	for (size_t i = 0; i < c.n && !rc; i++)
		rc = cohort_rows(&c.v[i], fn, arg);
	crm_rfm_cohorts_free(&c);
	return rc;
}
