/* sla.c - the service-level clocks of tickets (crm-ticket(1)).
 *
 * Nothing about a clock is stored as it runs: each is computed from the
 * ticket's status log and messages under the policy and calendar of the
 * configuration, so that pausing, reopening or a changed calendar all
 * come out right.  A clock runs while the ticket is new or open, pauses
 * while it is pending or on hold, and stops while it is solved or closed.
 * What lists need -- the earliest running due time, whether a target was
 * missed -- is kept with the ticket at each write.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/calendar.h"
#include "crm/config.h"
#include "crm/date.h"
#include "crm/ticket.h"
#include "internal.h"
#include "registry.h"

#define FOREVER INT64_MAX

/* A stretch of time in which the clocks ran. */
struct span {
	int64_t from, to;
};

/* What a ticket's clocks are computed from. */
struct clocks {
	const struct crm_calendar *cal;
	struct span *spans;
	size_t nspans;
	int64_t created, now, end; /* end: when it was solved or closed, or 0 */
	int64_t *replies, *customer; /* times of agents' replies and customer messages */
	size_t nreplies, ncustomer;
};

static void clocks_free(struct clocks *k)
{
	free(k->spans);
	free(k->replies);
	free(k->customer);
}

static int64_t business(const struct clocks *k, int64_t a, int64_t b)
{
	if (!k->cal)
		return b > a ? b - a : 0;
	return crm_calendar_elapsed(k->cal, a, b);
}

/* Business seconds from a to b during which the clocks ran. */
static int64_t running(const struct clocks *k, int64_t a, int64_t b)
{
	int64_t sum = 0;

	for (size_t i = 0; i < k->nspans; i++) {
		int64_t x = k->spans[i].from > a ? k->spans[i].from : a;
		int64_t y = k->spans[i].to < b ? k->spans[i].to : b;

		if (y > x)
			sum += business(k, x, y);
	}
	return sum;
}

/* Stores in *due when goal business seconds of running time have passed
 * since a; 0 when the clocks stopped before they did. */
static int due_after(const struct clocks *k, int64_t a, int64_t goal, int64_t *due)
{
	int64_t acc = 0, e;

	*due = 0;
	for (size_t i = 0; i < k->nspans; i++) {
		int64_t x = k->spans[i].from > a ? k->spans[i].from : a;

		if (k->spans[i].to <= x)
			continue;
		e = k->spans[i].to == FOREVER ? FOREVER : business(k, x, k->spans[i].to);
		if (e == FOREVER || acc + e >= goal) {
			if (!k->cal) {
				*due = x + (goal - acc);
				return CRM_OK;
			}
			return crm_calendar_due(k->cal, x, goal - acc, due);
		}
		acc += e;
	}
	return CRM_OK;
}

/* Stores in *due when a clock that stopped at stop was due: as its time
 * stood then, had it kept running. */
static int due_then(const struct clocks *k, int64_t start, int64_t stop, long goal,
                    int64_t *due)
{
	struct clocks then = *k;
	struct span *s = malloc((k->nspans + 1) * sizeof *s);
	int rc;

	if (!s)
		return crm_error_nomem();
	then.spans = s;
	then.nspans = 0;
	for (size_t i = 0; i < k->nspans && k->spans[i].from < stop; i++) {
		s[then.nspans] = k->spans[i];
		if (s[then.nspans].to > stop)
			s[then.nspans].to = stop;
		then.nspans++;
	}
	s[then.nspans++] = (struct span){ stop, FOREVER };
	rc = due_after(&then, start, goal, due);
	free(s);
	return rc;
}

/* Measures one clock from start to stop (0: still going) against goal.
 * A clock the ticket's end stopped before its stop came (solved with no
 * reply) is done: missed when it fell due while it ran, else stopped. */
static int measure(const struct clocks *k, int64_t start, int64_t stop, long goal,
                   struct crm_sla_row *row)
{
	int rc = stop ? due_then(k, start, stop, goal, &row->due)
	              : due_after(k, start, goal, &row->due);

	row->goal = goal;
	row->elapsed = running(k, start, stop ? stop : k->now);
	row->runs = !stop && !k->end && k->nspans && k->spans[k->nspans - 1].to == FOREVER;
	if (rc)
		return rc;
	if (stop)
		row->state = row->elapsed <= goal ? "met" : "missed";
	else if (k->end)
		row->state = row->due ? "missed" : "stopped";
	else if (row->due && row->due < k->now)
		row->state = "breached";
	else if (row->due)
		row->state = "running";
	else
		row->state = "paused";
	return CRM_OK;
}

/* First response: from creation to the first reply. */
static int first_response(const struct clocks *k, long goal, struct crm_sla_row *row)
{
	row->target = "first_response";
	return measure(k, k->created, k->nreplies ? k->replies[0] : 0, goal, row);
}

/* Next response: from each customer message that follows a reply to the
 * reply after it; the row is the latest such wait, *missed tells whether
 * an earlier one missed. */
static int next_response(const struct clocks *k, long goal, struct crm_sla_row *row, int *missed)
{
	size_t r = 0, c = 0;
	int rc = CRM_OK, after_reply = 0, any = 0;

	row->target = "next_response";
	row->state = "none";
	row->elapsed = row->due = 0;
	row->runs = false;
	row->goal = goal;
	while (c < k->ncustomer && !rc) {
		if (r < k->nreplies && k->replies[r] <= k->customer[c]) {
			after_reply = 1;
			r++;
			continue;
		}
		/* The first customer message after a reply starts a wait. */
		if (after_reply) {
			if (any && !strcmp(row->state, "missed"))
				*missed = 1;
			any = 1;
			rc = measure(k, k->customer[c], r < k->nreplies ? k->replies[r] : 0, goal, row);
		}
		after_reply = 0;
		c++;
	}
	return rc;
}

/* Resolution: all the running time until it was solved. */
static int resolution(const struct clocks *k, long goal, struct crm_sla_row *row)
{
	row->target = "resolution";
	return measure(k, k->created, k->end, goal, row);
}

/* Returns v (of *cap elements of size bytes) with room for element n:
 * moved when it had to grow; v itself, with *rc set, when out of memory. */
static void *grow(void *v, size_t *cap, size_t n, size_t size, int *rc)
{
	void *p;

	if (n < *cap)
		return v;
	if (!(p = realloc(v, (*cap ? 2 * *cap : 8) * size))) {
		*rc = crm_error_nomem();
		return v;
	}
	*cap = *cap ? 2 * *cap : 8;
	return p;
}

static int waiting(const char *status)
{
	return !strcmp(status, "new") || !strcmp(status, "open");
}

/* What the rows of a ticket's status log and messages are read into. */
struct reader {
	struct clocks *k;
	int64_t id;
	size_t spans_cap, replies_cap, customer_cap;
	int waiting; /* the status before this row was new or open */
};

static int read_time(const struct reader *r, const char *text, int64_t *t)
{
	if (crm_time_parse_epoch(t, text, 0))
		return crm_error_set(CRM_EDATA, "ticket %lld: unreadable time '%s'",
		                     (long long)r->id, text);
	return CRM_OK;
}

/* A status entered (at, status): a stretch in which the clocks run starts
 * when the ticket becomes new or open, and ends when it stops being so. */
static int status_row(void *arg, const char *const *vals)
{
	struct reader *r = arg;
	struct clocks *k = r->k;
	int64_t at;
	int rc, now = waiting(vals[1]);

	if ((rc = read_time(r, vals[0], &at)))
		return rc;
	if (now && !r->waiting) {
		k->spans = grow(k->spans, &r->spans_cap, k->nspans, sizeof *k->spans, &rc);
		if (rc)
			return rc;
		k->spans[k->nspans++] = (struct span){ at, FOREVER };
	} else if (!now && r->waiting) {
		k->spans[k->nspans - 1].to = at;
	}
	r->waiting = now;
	k->end = !strcmp(vals[1], "solved") || !strcmp(vals[1], "closed") ? at : 0;
	return CRM_OK;
}

/* A message (at, kind): the times of replies and of customer messages. */
static int message_row(void *arg, const char *const *vals)
{
	struct reader *r = arg;
	struct clocks *k = r->k;
	int reply = !strcmp(vals[1], "reply"), rc = CRM_OK;
	int64_t **v = reply ? &k->replies : &k->customer;
	size_t *n = reply ? &k->nreplies : &k->ncustomer;

	*v = grow(*v, reply ? &r->replies_cap : &r->customer_cap, *n, sizeof **v, &rc);
	return rc ? rc : read_time(r, vals[0], &(*v)[(*n)++]);
}

/* Whether the ticket, its requester or its company has one of tags. */
static int tagged(crm_db *db, int64_t id, const char *const *tags, int *yes)
{
	crm_stmt *st;
	int rc = CRM_OK;

	*yes = 0;
	for (size_t i = 0; tags[i] && !*yes && !rc; i++) {
		if ((rc = crm_db_stmt(db, &st, "SELECT 1 FROM tickets t WHERE t.id = ?1 AND ("
		                      " EXISTS (SELECT 1 FROM ticket_tags WHERE ticket_id = t.id"
		                      " AND tag = ?2) OR EXISTS (SELECT 1 FROM contact_tags"
		                      " WHERE contact_id = t.requester_id AND tag = ?2)"
		                      " OR EXISTS (SELECT 1 FROM company_tags"
		                      " WHERE company_id = t.company_id AND tag = ?2))")))
			break;
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, tags[i]);
		rc = crm_stmt_step(st);
		*yes = rc == CRM_ROW;
		crm_stmt_reset(st);
		rc = rc < 0 ? rc : CRM_OK;
	}
	return rc;
}

static int listed(const char *const *words, const char *w)
{
	if (!words)
		return 1;
	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(words[i], w))
			return 1;
	return 0;
}

/* Stores in *out the first policy that applies to ticket id, or NULL. */
static int find_policy(crm_db *db, int64_t id, const char *queue, const char *priority,
                       const struct crm_sla_policy **out)
{
	const struct crm_sla_policy *p;
	size_t n = crm_config_sla(db->cfg, &p);
	int rc = CRM_OK, yes;

	*out = NULL;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!listed(p[i].queues, queue ? queue : "") || !listed(p[i].priorities, priority))
			continue;
		if (p[i].tags && ((rc = tagged(db, id, p[i].tags, &yes)) || !yes))
			continue;
		*out = &p[i];
		return CRM_OK;
	}
	return rc;
}

/* Reads the ticket's queue, priority and creation time; finds its policy. */
static int read_ticket(crm_db *db, int64_t id, struct clocks *k,
                       const struct crm_sla_policy **pol)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT queue, priority, created_at FROM tickets"
	                     " WHERE id = ?1");
	char *queue = NULL, *priority = NULL;

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		queue = crm_stmt_text(st, 0) ? strdup(crm_stmt_text(st, 0)) : NULL;
		priority = strdup(crm_stmt_text(st, 1));
		rc = crm_time_parse_epoch(&k->created, crm_stmt_text(st, 2), 0) ? CRM_EDATA : CRM_OK;
	} else if (rc == CRM_DONE) {
		rc = crm_error_set(CRM_ENOTFOUND, "no ticket %lld", (long long)id);
	}
	crm_stmt_reset(st);
	if (!rc && !priority)
		rc = crm_error_nomem();
	if (!rc)
		rc = find_policy(db, id, queue, priority, pol);
	free(queue);
	free(priority);
	return rc;
}

static int load_clocks(crm_db *db, int64_t id, struct clocks *k,
                       const struct crm_sla_policy **pol)
{
	char now[CRM_TIME_LEN];
	int rc;

	memset(k, 0, sizeof *k);
	crm_db_now(db, now);
	if ((rc = read_ticket(db, id, k, pol)) || !*pol)
		return rc;
	k->cal = (*pol)->calendar;
	if (crm_time_parse_epoch(&k->now, now, 0))
		return crm_error_set(CRM_EDATA, "unreadable time '%s'", now);
	struct reader r = { k, id, 0, 0, 0, 0 };

	if (!(rc = crm_db_each(db, "SELECT at, status FROM ticket_status WHERE ticket_id = ?1"
	                       " ORDER BY id", id, status_row, &r)))
		rc = crm_db_each(db, "SELECT at, kind FROM ticket_messages WHERE ticket_id = ?1"
		                 " AND kind IN ('reply','customer') ORDER BY at, id", id,
		                 message_row, &r);
	return rc;
}

int crm_ticket_sla(crm_db *db, int64_t id, const char **policy, struct crm_sla_row rows[3],
                   int *n, int *missed)
{
	const struct crm_sla_policy *pol = NULL;
	struct clocks k;
	int rc;

	*n = 0;
	*missed = 0;
	*policy = NULL;
	if ((rc = load_clocks(db, id, &k, &pol)) || !pol) {
		clocks_free(&k);
		return rc;
	}
	*policy = pol->name;
	if (pol->first_response && !(rc = first_response(&k, pol->first_response, &rows[*n])))
		(*n)++;
	if (!rc && pol->next_response &&
	    !(rc = next_response(&k, pol->next_response, &rows[*n], missed)))
		(*n)++;
	if (!rc && pol->resolution && !(rc = resolution(&k, pol->resolution, &rows[*n])))
		(*n)++;
	for (int i = 0; i < *n; i++)
		*missed |= !strcmp(rows[i].state, "missed");
	clocks_free(&k);
	return rc;
}

int crm_ticket_sla_refresh(crm_db *db, int64_t id)
{
	struct crm_sla_row rows[3];
	const char *policy;
	char due[CRM_TIME_LEN];
	int64_t first = 0;
	int n, missed, rc = crm_ticket_sla(db, id, &policy, rows, &n, &missed);
	crm_stmt *st;

	if (rc)
		return rc;
	/* sla_due is what lists sort and filter by: the due times of clocks
	 * that run.  A target past due while its clock waits on the customer
	 * can no longer be met, so it is kept as missed instead. */
	for (int i = 0; i < n; i++) {
		int late = !strcmp(rows[i].state, "breached");
		if (late && !rows[i].runs)
			missed = 1;
		else if ((late || !strcmp(rows[i].state, "running")) && (!first || rows[i].due < first))
			first = rows[i].due;
	}
	if ((rc = crm_db_stmt(db, &st, "UPDATE tickets SET sla_policy = ?2, sla_due = ?3,"
	                      " sla_missed = ?4 WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, policy);
	if (first) {
		crm_time_format(due, first);
		crm_stmt_bind_text(st, 3, due);
	}
	crm_stmt_bind_int(st, 4, missed);
	return crm_stmt_done(st);
}

#define OPEN_TICKETS_BY(column) "SELECT id FROM tickets WHERE " column " = ?1 AND status IN" \
	" ('new','open','pending','on_hold') AND archived_at IS NULL"

int crm_ticket_sla_refresh_by(crm_db *db, const char *column, int64_t id)
{
	/* Whole texts, so that a tagging import compiles each once. */
	const char *sql = !strcmp(column, "requester_id") ? OPEN_TICKETS_BY("requester_id")
	                : !strcmp(column, "company_id") ? OPEN_TICKETS_BY("company_id")
	                : OPEN_TICKETS_BY("id");
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = crm_db_ids_cached(db, sql, id, &ids, &n);

	for (size_t i = 0; i < n && !rc; i++)
		rc = crm_ticket_sla_refresh(db, ids[i]);
	free(ids);
	return rc;
}

int crm_ticket_sla_recompute(crm_db *db, bool all, size_t *n)
{
	int64_t *ids;
	int rc = crm_db_ids(db, all ? "SELECT id FROM tickets WHERE archived_at IS NULL"
	                    : "SELECT id FROM tickets WHERE status IN"
	                    " ('new','open','pending','on_hold') AND archived_at IS NULL", 0,
	                    &ids, n);

	for (size_t i = 0; i < *n && !rc; i++)
		rc = crm_ticket_sla_refresh(db, ids[i]);
	free(ids);
	return rc;
}
