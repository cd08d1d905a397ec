/* kpi_desk.c - the sales and service measures of a period (report.h,
 * crm-report(1)): win rate and sales cycle of the deals closed in it, the
 * pipeline open at its end, and the desk's response and resolution times
 * in business hours, SLA attainment and backlog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/calendar.h"
#include "crm/config.h"
#include "crm/error.h"
#include "crm/feedback.h"
#include "crm/purchase.h"
#include "kpi_impl.h"
#include "registry.h"

/* A growing list of int64 values, with a group. */
struct vals {
	char *group;
	int64_t *v;
	size_t n, cap;
	int64_t a, b, c, d; /* counts and sums of the family */
};

static int push(struct vals *s, int64_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		void *v = realloc(s->v, cap * sizeof *s->v);

		if (!v)
			return crm_error_nomem();
		s->v = v, s->cap = cap;
	}
	s->v[s->n++] = x;
	return CRM_OK;
}

/* Starts group g in s (after the previous one was flushed). */
static int regroup(struct vals *s, const char *g)
{
	free(s->group);
	s->n = 0, s->a = s->b = s->c = s->d = 0;
	return (s->group = strdup(g)) ? CRM_OK : crm_error_nomem();
}

/* Steps st, grouped by its first column: calls row for each row and
 * flush when a group ends (and at the end when there was none and the
 * report has no groups, so the figures are there, empty). */
static int grouped(struct kpi_run *r, crm_stmt *st, struct vals *s,
                   int (*row)(struct kpi_run *, struct vals *, crm_stmt *),
                   int (*flush)(struct kpi_run *, struct vals *))
{
	int rc, any = 0;

	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *g = crm_stmt_text(st, 0);

		if (any && strcmp(s->group, g) && (rc = flush(r, s)))
			break;
		if ((!any || strcmp(s->group, g)) && (rc = regroup(s, g)))
			break;
		any = 1;
		if ((rc = row(r, s, st)))
			break;
	}
	crm_stmt_finalize(st);
	if (rc == CRM_DONE && !any && !r->by)
		rc = regroup(s, "");
	if (rc == CRM_DONE && (any || !r->by))
		rc = flush(r, s);
	free(s->group), free(s->v);
	memset(s, 0, sizeof *s);
	return rc;
}

/* The deals closed in the period, by the state each was in at its end
 * (a deal won, reopened and lost counts once, lost); and the days each
 * was open, none for one recorded after it closed (a won deal entered
 * afterwards), whose cycle is not known. */
static const char closed_sql[] =
	"SELECT %2$s, h.status,"
	" CASE WHEN substr(h.closed_at, 1, 10) >= substr(d.created_at, 1, 10) THEN"
	" CAST(julianday(substr(h.closed_at, 1, 10)) - julianday(substr(d.created_at, 1, 10))"
	"  AS INTEGER) END,"
	" CASE WHEN h.status = 'won' THEN crm_base(h.amount, h.amount_currency, h.closed_at) END"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id %1$s"
	" WHERE h.status IN ('won', 'lost') AND h.closed_at >= ?1 AND h.closed_at < ?2"
	" AND h.entered_at < ?2 AND (h.left_at IS NULL OR h.left_at >= ?2)"
	" AND d.archived_at IS NULL ORDER BY 1";

static int closed_row(struct kpi_run *r, struct vals *s, crm_stmt *st)
{
	int won = !strcmp(crm_stmt_text(st, 1), "won");

	(void)r;
	s->a += won, s->b += !won, s->c += won ? crm_stmt_int(st, 3) : 0;
	if (crm_stmt_kind(st, 2) == CRM_KIND_NULL)
		return CRM_OK;
	s->d += crm_stmt_int(st, 2);
	return push(s, crm_stmt_int(st, 2));
}

static int closed_flush(struct kpi_run *r, struct vals *s)
{
	char v[64], n[32], d[32];
	const char *g = s->group, *none = "no deals closed";
	int64_t closed = s->a + s->b;
	int rc;

	r->k->events += closed;
	if ((rc = kpi_add(r, g, "deals_won", kpi_int(v, sizeof v, s->a), NULL, NULL, "", "")) ||
	    (rc = kpi_add(r, g, "deals_lost", kpi_int(v, sizeof v, s->b), NULL, NULL, "", "")))
		return rc;
	crm_feedback_percent(v, sizeof v, s->a, closed);
	if ((rc = kpi_add(r, g, "win_rate", v, kpi_int(n, sizeof n, s->a),
	                  kpi_int(d, sizeof d, closed), "%", closed ? "won / (won + lost)" : none)))
		return rc;
	kpi_money(r, v, sizeof v, s->c);
	if ((rc = kpi_add(r, g, "won_value", v, NULL, NULL,
	                  crm_config_currency(crm_db_config(r->db)), "at the rate of the day won")))
		return rc;
	kpi_decimal(v, sizeof v, s->d, (int64_t)s->n);
	if ((rc = kpi_add(r, g, "sales_cycle_avg", v, kpi_int(n, sizeof n, s->d),
	                  kpi_int(d, sizeof d, (int64_t)s->n), "days",
	                  s->n ? "days from created to closed, won and lost" : none)))
		return rc;
	if (s->n)
		kpi_decimal(v, sizeof v, kpi_median2(s->v, s->n), 2);
	return kpi_add(r, g, "sales_cycle_median", s->n ? v : NULL, NULL,
	               kpi_int(d, sizeof d, (int64_t)s->n), "days",
	               s->n ? "the middle one, or the mean of the middle two" : none);
}

/* The deals open at the end of the period, at the rate of its last day,
 * weighted by the probability they had. */
static const char pipeline_sql[] =
	"SELECT %2$s, count(*), coalesce(sum(crm_base(h.amount, h.amount_currency, ?3)), 0),"
	" coalesce(sum(crm_base(h.amount, h.amount_currency, ?3)"
	"  * coalesce(h.probability, crm_stage(h.pipeline, h.stage, 'probability'), 0)), 0)"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id %1$s"
	" WHERE h.status = 'open' AND h.entered_at < ?2 AND (h.left_at IS NULL OR h.left_at >= ?2)"
	" AND d.archived_at IS NULL GROUP BY 1 ORDER BY 1";

static int pipeline_row(struct kpi_run *r, struct vals *s, crm_stmt *st)
{
	(void)r;
	s->a = crm_stmt_int(st, 1), s->b = crm_stmt_int(st, 2), s->c = crm_stmt_int(st, 3);
	return CRM_OK;
}

static int pipeline_flush(struct kpi_run *r, struct vals *s)
{
	const char *cur = crm_config_currency(crm_db_config(r->db));
	char v[64];
	int rc;

	r->k->events += s->a;
	if ((rc = kpi_add(r, s->group, "pipeline_deals", kpi_int(v, sizeof v, s->a), NULL, NULL,
	                  "", "open at the end of the period")))
		return rc;
	kpi_money(r, v, sizeof v, s->b);
	if ((rc = kpi_add(r, s->group, "pipeline_value", v, NULL, NULL, cur,
	                  "at the rate of the last day")))
		return rc;
	/* Rounded once, half to even, as crm-deal's forecast does. */
	kpi_money(r, v, sizeof v, crm_purchase_average(s->c, 100));
	return kpi_add(r, s->group, "pipeline_weighted", v, NULL, NULL, cur,
	               "amount x probability, summed");
}

/* The business seconds from a to b on the calendar of the SLA policy
 * called policy (around the clock without one). */
static int business(struct kpi_run *r, const char *policy, const char *a, const char *b,
                    int64_t *secs)
{
	const struct crm_sla_policy *p;
	const struct crm_calendar *cal = NULL;
	size_t n = crm_config_sla(crm_db_config(r->db), &p);
	int64_t x, y;
	int rc;

	if ((rc = crm_time_parse_epoch(&x, a, 0)) || (rc = crm_time_parse_epoch(&y, b, 0)))
		return rc;
	for (size_t i = 0; policy && i < n; i++)
		if (!strcmp(p[i].name, policy))
			cal = p[i].calendar;
	*secs = cal ? crm_calendar_elapsed(cal, x, y) : y > x ? y - x : 0;
	return CRM_OK;
}

/* The replies made in the period that were their ticket's first. */
static const char first_sql[] =
	"SELECT %2$s, t.sla_policy, t.created_at, m.at"
	" FROM ticket_messages m INDEXED BY ticket_messages_replies JOIN tickets t ON t.id = m.ticket_id %1$s"
	" WHERE m.kind = 'reply' AND m.at >= ?1 AND m.at < ?2 AND t.archived_at IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM ticket_messages e WHERE e.ticket_id = m.ticket_id"
	"  AND e.kind = 'reply' AND (e.at < m.at OR (e.at = m.at AND e.id < m.id)))"
	" ORDER BY 1";

static int time_row(struct kpi_run *r, struct vals *s, crm_stmt *st)
{
	int64_t secs;
	int rc = business(r, crm_stmt_text(st, 1), crm_stmt_text(st, 2), crm_stmt_text(st, 3),
	                  &secs);

	if (rc)
		return rc;
	if (crm_stmt_columns(st) > 4 && crm_stmt_text(st, 1))
		s->a++, s->b += crm_stmt_int(st, 4) == 0;
	return push(s, secs);
}

/* Adds the median of s's times in hours as measure name. */
static int median_hours(struct kpi_run *r, struct vals *s, const char *name, const char *none)
{
	char v[32], d[32];

	r->k->events += (int64_t)s->n;
	if (s->n)
		kpi_decimal(v, sizeof v, kpi_median2(s->v, s->n), 2 * 3600);
	return kpi_add(r, s->group, name, s->n ? v : NULL, NULL, kpi_int(d, sizeof d, (int64_t)s->n),
	               "hours", s->n ? "business hours of the ticket's SLA calendar" : none);
}

static int first_flush(struct kpi_run *r, struct vals *s)
{
	return median_hours(r, s, "first_response_median", "no first replies");
}

/* The tickets solved (or closed unsolved) in the period and still so at
 * its end, by the status log: the moment each was last resolved is the
 * first solved or closed status after the last other one before the end
 * (in the log's order: a ticket solved the second it was opened has both
 * at one time). */
static const char solved_sql[] =
	"SELECT %2$s, t.sla_policy, t.created_at, x.at,"
	" " CRM_TICKET_BREACHED_SQL " FROM"
	" (SELECT s.ticket_id AS id, min(s.at) AS at FROM ticket_status s"
	"  WHERE s.status IN ('solved', 'closed') AND s.at < ?2 AND s.ticket_id IN"
	"   (SELECT ticket_id FROM ticket_status WHERE at >= ?1 AND at < ?2"
	"    AND status IN ('solved', 'closed'))"
	"  AND NOT EXISTS (SELECT 1 FROM ticket_status o WHERE o.ticket_id = s.ticket_id"
	"   AND o.at < ?2 AND o.status NOT IN ('solved', 'closed')"
	"   AND (o.at > s.at OR (o.at = s.at AND o.id > s.id)))"
	"  GROUP BY s.ticket_id HAVING min(s.at) >= ?1) x"
	" JOIN tickets t ON t.id = x.id %1$s WHERE t.archived_at IS NULL AND t.merged_into IS NULL"
	" ORDER BY 1";

static int solved_flush(struct kpi_run *r, struct vals *s)
{
	char v[32], n[32], d[32];
	int rc;

	if ((rc = median_hours(r, s, "resolution_median", "no tickets solved")))
		return rc;
	crm_feedback_percent(v, sizeof v, s->b, s->a);
	return kpi_add(r, s->group, "sla_attainment", v, kpi_int(n, sizeof n, s->b),
	               kpi_int(d, sizeof d, s->a), "%",
	               s->a ? "solved within every SLA target / solved under a policy"
	                    : "no tickets under an SLA policy solved");
}

/* Tickets opened in the period; the backlog: those not solved or closed
 * at its end, by the status each had then. */
static const char opened_sql[] =
	"SELECT %2$s, count(*) FROM tickets t %1$s WHERE t.created_at >= ?1 AND t.created_at < ?2"
	" AND t.archived_at IS NULL AND t.merged_into IS NULL GROUP BY 1 ORDER BY 1";
/* A ticket's status at the end of the period is the one it has now unless
 * it changed since; only those that did are looked up in the log. */
static const char backlog_sql[] =
	"SELECT %2$s, count(*) FROM (SELECT id FROM tickets"
	"  WHERE status IN ('new', 'open', 'pending', 'on_hold')"
	"  AND id NOT IN (SELECT ticket_id FROM ticket_status WHERE at >= ?2)"
	" UNION ALL SELECT s.ticket_id FROM ticket_status s WHERE s.at >= ?2 GROUP BY s.ticket_id"
	"  HAVING coalesce((SELECT o.status FROM ticket_status o WHERE o.ticket_id = s.ticket_id"
	"   AND o.at < ?2 ORDER BY o.at DESC, o.id DESC LIMIT 1), 'new') NOT IN ('solved', 'closed')) b"
	" JOIN tickets t ON t.id = b.id %1$s WHERE t.created_at < ?2 AND t.archived_at IS NULL"
	" AND t.merged_into IS NULL GROUP BY 1 ORDER BY 1";

static int count_row(struct kpi_run *r, struct vals *s, crm_stmt *st)
{
	(void)r;
	s->a = crm_stmt_int(st, 1);
	return CRM_OK;
}

static int opened_flush(struct kpi_run *r, struct vals *s)
{
	char v[32];

	r->k->events += s->a;
	return kpi_add(r, s->group, "tickets", kpi_int(v, sizeof v, s->a), NULL, NULL, "",
	               "opened in the period");
}

/* An open ticket is data of the period, as an open deal is: a quiet day
 * still has its backlog to report (and to check with --fail-if). */
static int backlog_flush(struct kpi_run *r, struct vals *s)
{
	char v[32];

	r->k->events += s->a;
	return kpi_add(r, s->group, "backlog", kpi_int(v, sizeof v, s->a), NULL, NULL, "",
	               "not solved or closed at the end of the period");
}

/* The parts of the sales and service measures, in the order of enum
 * kpi_part from KPI_CLOSED. */
static const struct desk_part {
	unsigned family;
	const char *sql;
	int (*row)(struct kpi_run *, struct vals *, crm_stmt *);
	int (*flush)(struct kpi_run *, struct vals *);
} parts[] = {
	{ CRM_KPI_SALES, closed_sql, closed_row, closed_flush },
	{ CRM_KPI_SALES, pipeline_sql, pipeline_row, pipeline_flush },
	{ CRM_KPI_SERVICE, opened_sql, count_row, opened_flush },
	{ CRM_KPI_SERVICE, first_sql, time_row, first_flush },
	{ CRM_KPI_SERVICE, solved_sql, time_row, solved_flush },
	{ CRM_KPI_SERVICE, backlog_sql, count_row, backlog_flush },
};

static int desk_family(struct kpi_run *r, unsigned family)
{
	struct vals s = { NULL, NULL, 0, 0, 0, 0, 0, 0 };
	crm_stmt *st;
	int rc = CRM_OK, skip;

	for (size_t i = 0; i < sizeof parts / sizeof *parts && !rc; i++)
		if (parts[i].family == family &&
		    !(rc = kpi_prepare(r, family, parts[i].sql, NULL, &st, &skip)) && !skip)
			rc = grouped(r, st, &s, parts[i].row, parts[i].flush);
	return rc;
}

int kpi_sales(struct kpi_run *r)
{
	return desk_family(r, CRM_KPI_SALES);
}

int kpi_service(struct kpi_run *r)
{
	return desk_family(r, CRM_KPI_SERVICE);
}

int kpi_desk_empty(struct kpi_run *r, enum kpi_part part, const char *group)
{
	struct vals s = { (char *)group, NULL, 0, 0, 0, 0, 0, 0 };

	return parts[part - KPI_CLOSED].flush(r, &s);
}
