/* churn_features.c - what is known about each customer at a snapshot
 * (churn.h).
 *
 * The history is read once, in one pass over each table in the order
 * it is stored, into compact arrays sorted by person; each snapshot's
 * features are then a merge of its customers (ascending ids) with those
 * arrays.  Grouping a window of purchases in SQL for each snapshot, or
 * reading them in person order through an index, costs several times a
 * sequential pass at a million people, and the passes add up with the
 * snapshots.  Where SQL decides what counts (cancelled, archived,
 * refunded, the rate of an amount's day) it still does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/churn.h"
#include "crm/config.h"
#include "crm/money.h"
#include "internal.h"

#define RECENCY_CAP 730     /* days; a customer by status may never have bought */
#define NEVER 0x7fffffff    /* a day after every snapshot */

static const char *const names[CRM_CHURN_NFEATURES] = {
	"recency", "frequency", "monetary", "trend", "open_tickets", "breached_tickets",
	"nps", "nps_missing", "consent_withdrawn"
};

const char *crm_churn_feature_name(int f)
{
	return f >= 0 && f < CRM_CHURN_NFEATURES ? names[f] : NULL;
}

/* A purchase or refund: paid until the day before paid_until (a refund
 * never is; one refunded whole stops being paid on its refund's day). */
struct buy {
	int64_t who, amount; /* amount in minor units of the base currency */
	int32_t day, paid_until;
};

/* A ticket; resolved_from is the day from which it stayed resolved up to
 * now (NEVER when open now), log and nlog its entries of the status log
 * when a snapshot falls before that day. */
struct ticket {
	int64_t who, id;
	int32_t created, resolved_from;
	size_t log, nlog;
	unsigned char missed, resolved_now;
};

/* An entry of the ticket status log: the day and whether resolved. */
struct change {
	int64_t ticket;
	int32_t day;
	unsigned char resolved;
};

/* An NPS answer, or a consent withdrawal (score unused). */
struct said {
	int64_t who;
	int32_t day;
	int score;
};

/* One table's rows, kept sorted by person. */
#define ARRAY(type) { type *v; size_t n, cap; }

struct saids ARRAY(struct said);

struct crm_churn_history {
	struct ARRAY(struct buy) buys;
	struct ARRAY(struct ticket) tickets;
	struct ARRAY(struct change) changes;
	struct saids answers, quits;
};

/* Returns the array v of n elements of size elem with room for one
 * more (moved when it grew); on failure v as it was, *rc set. */
static void *grown(void *v, size_t *cap, size_t n, size_t elem, int *rc)
{
	void *p;
	size_t c;

	if (n < *cap)
		return v;
	c = *cap ? 2 * *cap : 1024;
	if (!(p = realloc(v, c * elem))) {
		*rc = crm_error_nomem();
		return v;
	}
	*cap = c;
	return p;
}

/* Makes room in array a for one more element; returns rc, non-zero when
 * there is none. */
#define PUSH(a, rc) ((a).v = grown((a).v, &(a).cap, (a).n, sizeof *(a).v, &(rc)), (rc))

/* The number the n digits at s write, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of the date a stored time begins with
 * ("YYYY-MM-DD..."), NEVER when it is not one: the days-from-civil
 * count, cheaper than a parser a million times over. */
static int32_t day_of(const char *s)
{
	int y, m, d, era, yoe, doy;

	if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return NEVER;
	y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31)
		return NEVER;
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The day after the one s begins with; NEVER for none. */
static int32_t day_after(const char *s)
{
	int32_t d = day_of(s);

	return d == NEVER ? NEVER : d + 1;
}

/* Runs sql with the days given bound as ?1, ?2 ... and calls row for
 * each row. */
static int each(crm_db *db, const char *sql, const char *const *days, int ndays,
                int (*row)(struct crm_churn_history *h, crm_stmt *st), struct crm_churn_history *h)
{
	crm_stmt *st;
	int rc, stop = 0;

	if ((rc = crm_db_prepare(db, &st, sql)))
		return rc;
	for (int i = 0; i < ndays; i++)
		crm_stmt_bind_text(st, i + 1, days[i]);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW)
		stop = row(h, st);
	crm_stmt_finalize(st);
	return crm_walk_end(stop, rc);
}

/* Purchases not cancelled or archived, refunds included as negative
 * amounts; paid as customers are counted (report.c): not a refund, and
 * not refunded whole before the day asked about.  The window spans most
 * of a typical history, so the table is read in stored order (+p.at
 * keeps the planner off the index on at, whose row-by-row lookups cost
 * twice as much). */
static const char buys_sql[] =
	"SELECT p.contact_id, p.at, crm_base(p.total, p.total_currency, p.at),"
	" p.refund_of IS NOT NULL, CASE WHEN p.status = 'refunded' THEN (SELECT min(r.at)"
	"  FROM purchases r WHERE r.refund_of = p.id AND r.archived_at IS NULL) END"
	" FROM purchases p WHERE p.contact_id IS NOT NULL AND +p.at >= ?1 AND +p.at < ?2"
	" AND p.status <> 'cancelled' AND p.archived_at IS NULL";

static int buy_row(struct crm_churn_history *h, crm_stmt *st)
{
	const char *refunded = crm_stmt_text(st, 4);
	struct buy *b;
	int rc = 0;

	if (PUSH(h->buys, rc))
		return rc;
	b = &h->buys.v[h->buys.n++];
	b->who = crm_stmt_int(st, 0);
	b->day = day_of(crm_stmt_text(st, 1));
	b->amount = crm_stmt_int(st, 2);
	/* Paid on day T unless refunded before T: through the refund's day. */
	b->paid_until = crm_stmt_int(st, 3) ? -NEVER : day_after(refunded);
	return 0;
}

/* Live tickets, by id; merged ones are another ticket's copies. */
static const char tickets_sql[] =
	"SELECT id, requester_id, created_at, sla_missed, status IN ('solved','closed'), solved_at"
	" FROM tickets WHERE requester_id IS NOT NULL AND archived_at IS NULL"
	" AND merged_into IS NULL AND created_at < ?2 ORDER BY id";

static int ticket_row(struct crm_churn_history *h, crm_stmt *st)
{
	const char *solved = crm_stmt_text(st, 5);
	struct ticket *t;
	int rc = 0;

	if (PUSH(h->tickets, rc))
		return rc;
	t = &h->tickets.v[h->tickets.n++];
	t->id = crm_stmt_int(st, 0);
	t->who = crm_stmt_int(st, 1);
	t->created = day_of(crm_stmt_text(st, 2));
	t->missed = crm_stmt_int(st, 3) != 0;
	t->resolved_now = crm_stmt_int(st, 4) != 0;
	/* solved_at is when the stretch of being resolved that lasts until
	 * now began: from the day after, every snapshot finds it resolved. */
	t->resolved_from = t->resolved_now ? day_after(solved) : NEVER;
	t->log = t->nlog = 0;
	return 0;
}

/* The status log of the tickets some snapshot needs it for: those not
 * resolved since before the first snapshot (?1). */
static const char changes_sql[] =
	"SELECT s.ticket_id, s.at, s.status IN ('solved','closed') FROM ticket_status s"
	" WHERE s.ticket_id IN (SELECT id FROM tickets WHERE requester_id IS NOT NULL"
	"  AND archived_at IS NULL AND merged_into IS NULL AND created_at < ?2"
	"  AND NOT (status IN ('solved','closed') AND solved_at IS NOT NULL AND solved_at < ?1))"
	" ORDER BY s.ticket_id, s.at, s.id";

static int change_row(struct crm_churn_history *h, crm_stmt *st)
{
	struct change *c;
	int rc = 0;

	if (PUSH(h->changes, rc))
		return rc;
	c = &h->changes.v[h->changes.n++];
	c->ticket = crm_stmt_int(st, 0);
	c->day = day_of(crm_stmt_text(st, 1));
	c->resolved = crm_stmt_int(st, 2) != 0;
	return 0;
}

/* NPS answers, each person's in the order given (the last wins). */
static const char answers_sql[] =
	"SELECT contact_id, at, score FROM responses WHERE kind = 'nps' AND contact_id IS NOT NULL"
	" AND archived_at IS NULL AND at < ?2 ORDER BY contact_id, at, id";

/* Consents keep each channel's latest state and its time: a withdrawal
 * before a snapshot is known, one undone since is not. */
static const char quits_sql[] =
	"SELECT contact_id, min(at), 0 FROM consents WHERE status = 'withdrawn' AND at < ?2"
	" GROUP BY contact_id ORDER BY contact_id";

/* Appends the row's person, day and score to a. */
static int add_said(struct saids *a, crm_stmt *st)
{
	int rc = 0;

	if (PUSH(*a, rc))
		return rc;
	a->v[a->n++] = (struct said){ crm_stmt_int(st, 0), day_of(crm_stmt_text(st, 1)),
	                              (int)crm_stmt_int(st, 2) };
	return 0;
}

static int answer_row(struct crm_churn_history *h, crm_stmt *st)
{
	return add_said(&h->answers, st);
}

static int quit_row(struct crm_churn_history *h, crm_stmt *st)
{
	return add_said(&h->quits, st);
}

static int buy_order(const void *a, const void *b)
{
	const struct buy *x = a, *y = b;

	if (x->who != y->who)
		return x->who < y->who ? -1 : 1;
	return (x->day > y->day) - (x->day < y->day);
}

static int ticket_order(const void *a, const void *b)
{
	const struct ticket *x = a, *y = b;

	if (x->who != y->who)
		return x->who < y->who ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Gives each ticket its stretch of the status log (both by ticket id),
 * then sorts the tickets by person. */
static void link_changes(struct crm_churn_history *h)
{
	size_t j = 0;

	for (size_t i = 0; i < h->tickets.n; i++) {
		struct ticket *t = &h->tickets.v[i];

		while (j < h->changes.n && h->changes.v[j].ticket < t->id)
			j++;
		t->log = j;
		while (j < h->changes.n && h->changes.v[j].ticket == t->id)
			j++;
		t->nlog = j - t->log;
	}
	qsort(h->tickets.v, h->tickets.n, sizeof *h->tickets.v, ticket_order);
}


int crm_churn_history_load(crm_churn_history **out, crm_db *db, const char *first, const char *last)
{
	struct crm_churn_history *h = calloc(1, sizeof *h);
	char from[CRM_DATE_LEN];
	const char *buy_days[2] = { from, last }, *days[2] = { first, last };
	int rc;

	*out = NULL;
	if (!h)
		return crm_error_nomem();
	if (!(rc = crm_date_add_months(from, first, -24)) &&
	    !(rc = each(db, buys_sql, buy_days, 2, buy_row, h)) &&
	    !(rc = each(db, tickets_sql, days, 2, ticket_row, h)) &&
	    !(rc = each(db, changes_sql, days, 2, change_row, h)) &&
	    !(rc = each(db, answers_sql, days, 2, answer_row, h)))
		rc = each(db, quits_sql, days, 2, quit_row, h);
	if (rc) {
		crm_churn_history_free(h);
		return rc;
	}
	qsort(h->buys.v, h->buys.n, sizeof *h->buys.v, buy_order);
	link_changes(h);
	*out = h;
	return 0;
}

void crm_churn_history_free(crm_churn_history *h)
{
	if (!h)
		return;
	free(h->buys.v);
	free(h->tickets.v);
	free(h->changes.v);
	free(h->answers.v);
	free(h->quits.v);
	free(h);
}

/* A snapshot's day and the windows before it, as day numbers. */
struct window {
	int32_t day, year, half, two_years;
};

static int window_of(struct window *w, const char *day)
{
	char d[CRM_DATE_LEN];
	int rc;

	w->day = day_of(day);
	if ((rc = crm_date_add_months(d, day, -12)))
		return rc;
	w->year = day_of(d);
	if ((rc = crm_date_add_months(d, day, -6)))
		return rc;
	w->half = day_of(d);
	if ((rc = crm_date_add_months(d, day, -24)))
		return rc;
	w->two_years = day_of(d);
	return 0;
}

/* Where a merge stands in each array, moving forward only. */
struct cursor {
	size_t buy, ticket, answer, quit;
};

/* Fills the purchase features of r from person r->id's purchases. */
static void buy_features(const struct crm_churn_history *h, struct cursor *c,
                         const struct window *w, struct crm_churn_row *r, double scale)
{
	int64_t spend = 0, recent = 0;
	int32_t last = -NEVER;
	int n = 0;

	while (c->buy < h->buys.n && h->buys.v[c->buy].who < r->id)
		c->buy++;
	for (size_t i = c->buy; i < h->buys.n && h->buys.v[i].who == r->id; i++) {
		const struct buy *b = &h->buys.v[i];
		int paid = w->day < b->paid_until;

		if (b->day >= w->day || b->day < w->two_years)
			continue;
		if (paid && b->day > last)
			last = b->day;
		if (b->day >= w->year)
			spend += b->amount, n += paid;
		if (b->day >= w->half)
			recent += b->amount;
	}
	r->value[CRM_CHURN_RECENCY] = last == -NEVER || w->day - last > RECENCY_CAP
	                              ? RECENCY_CAP : w->day - last;
	r->value[CRM_CHURN_FREQUENCY] = n;
	r->value[CRM_CHURN_MONETARY] = (double)spend / scale;
	r->value[CRM_CHURN_TREND] = (double)(recent - (spend - recent)) / scale;
}

/* Whether ticket t was solved or closed at the start of day: resolved
 * since before it, else as the status log's last entry before the day
 * says; a ticket imported with its history has no entry that early and
 * had the status it came in with, the log's first. */
static int resolved_at(const struct crm_churn_history *h, const struct ticket *t, int32_t day)
{
	const struct change *log = h->changes.v + t->log;
	int resolved;

	if (day >= t->resolved_from)
		return 1;
	if (!t->nlog)
		return t->resolved_now;
	resolved = log[0].resolved;
	for (size_t i = 0; i < t->nlog && log[i].day < day; i++)
		resolved = log[i].resolved;
	return resolved;
}

/* Open tickets at the snapshot, and those of the last 12 months with a
 * missed SLA target counted once resolved: sla_missed is what a ticket
 * says now, and a ticket still open at the snapshot may have missed its
 * target only after it. */
static void ticket_features(const struct crm_churn_history *h, struct cursor *c,
                            const struct window *w, struct crm_churn_row *r)
{
	int open = 0, breached = 0;

	while (c->ticket < h->tickets.n && h->tickets.v[c->ticket].who < r->id)
		c->ticket++;
	for (size_t i = c->ticket; i < h->tickets.n && h->tickets.v[i].who == r->id; i++) {
		const struct ticket *t = &h->tickets.v[i];
		int resolved;

		if (t->created >= w->day)
			continue;
		resolved = resolved_at(h, t, w->day);
		open += !resolved;
		breached += resolved && t->missed && t->created >= w->year;
	}
	r->value[CRM_CHURN_OPEN_TICKETS] = open;
	r->value[CRM_CHURN_BREACHED] = breached;
}

/* The last NPS score before the snapshot, and whether consent to a
 * channel had been withdrawn by then. */
static void said_features(const struct crm_churn_history *h, struct cursor *c,
                          const struct window *w, struct crm_churn_row *r)
{
	const struct said *last = NULL;

	while (c->answer < h->answers.n && h->answers.v[c->answer].who < r->id)
		c->answer++;
	for (size_t i = c->answer; i < h->answers.n && h->answers.v[i].who == r->id; i++)
		if (h->answers.v[i].day < w->day)
			last = &h->answers.v[i];
	r->value[CRM_CHURN_NPS] = last ? last->score : NAN;
	r->value[CRM_CHURN_NPS_MISSING] = !last;
	while (c->quit < h->quits.n && h->quits.v[c->quit].who < r->id)
		c->quit++;
	r->value[CRM_CHURN_WITHDRAWN] = c->quit < h->quits.n && h->quits.v[c->quit].who == r->id &&
	                                h->quits.v[c->quit].day < w->day;
}

/* Opens the ids of temporary table name, ascending. */
static int ids_of(crm_db *db, crm_stmt **st, const char *name)
{
	char sql[128];

	snprintf(sql, sizeof sql, "SELECT id FROM temp.%s ORDER BY id", name);
	return crm_db_prepare(db, st, sql);
}

/* Steps the ids of next up to id; returns whether id is among them. */
static int has_id(crm_stmt *next, int64_t id, int *rc, int64_t *at)
{
	while (*rc == CRM_ROW && *at < id)
		if ((*rc = crm_stmt_step(next)) == CRM_ROW)
			*at = crm_stmt_int(next, 0);
	return *rc == CRM_ROW && *at == id;
}

int crm_churn_features(const crm_churn_history *h, crm_db *db, const char *day,
                       const char *customers, const char *next,
                       int (*fn)(void *arg, const struct crm_churn_row *r), void *arg)
{
	int exp = crm_currency_exponent(crm_config_currency(crm_db_config(db)));
	double scale = pow(10, exp > 0 ? exp : 0);
	struct cursor c = { 0, 0, 0, 0 };
	crm_stmt *st = NULL, *nx = NULL;
	struct crm_churn_row r;
	struct window w;
	int64_t at = 0;
	int rc, nrc = CRM_ROW, stop = 0;

	if ((rc = window_of(&w, day)) || (rc = ids_of(db, &st, customers)) ||
	    (next && (rc = ids_of(db, &nx, next)))) {
		crm_stmt_finalize(st);
		return rc;
	}
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		r.id = crm_stmt_int(st, 0);
		buy_features(h, &c, &w, &r, scale);
		ticket_features(h, &c, &w, &r);
		said_features(h, &c, &w, &r);
		r.churned = nx ? !has_id(nx, r.id, &nrc, &at) : -1;
		stop = nrc < 0 ? nrc : fn(arg, &r);
	}
	crm_stmt_finalize(st);
	crm_stmt_finalize(nx);
	return crm_walk_end(stop, rc);
}
