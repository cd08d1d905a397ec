/* campaign_results.c - what a campaign did: its send log counted, and the
 * purchases and won deals of its recipients within the results window
 * after their message (crm-campaign results, crm-report campaigns). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_impl.h"

/* The sum of amounts in the base currency: 0.00 when nothing was bought
 * or won, a figure like any other; blank when none could be converted. */
#define SUM_OR_ZERO(amount) "CASE WHEN count(*) THEN coalesce(crm_base_money(sum(" amount \
	")), '') ELSE crm_base_money(0) END"

/* The figures of campaign ?1 (window ?2, "+30 days"): sent, in doubt,
 * excluded, bounced, unsubscribed, replied, buyers, purchases, revenue,
 * won deals and their value.  A purchase or deal counts once however
 * many messages of the campaign its person got before it. */
#define FIGURES \
	"SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'sending')," \
	" count(*) FILTER (WHERE state = 'excluded'), count(bounced_at)," \
	" count(unsubscribed_at) FILTER (WHERE state <> 'excluded')," \
	" count(replied_at)," \
	" (SELECT count(DISTINCT p.contact_id) || ' ' || count(*) || ' ' ||" \
	"  " SUM_OR_ZERO("crm_base_or_null(p.total, p.total_currency, p.at)") \
	"  FROM purchases p WHERE p.refund_of IS NULL AND p.archived_at IS NULL" \
	"  AND p.status <> 'cancelled' AND EXISTS (SELECT 1 FROM campaign_sends s" \
	"  WHERE s.campaign_id = ?1 AND s.state = 'sent' AND s.contact_id = p.contact_id" \
	"  AND p.at >= s.sent_at AND p.at < strftime('%Y-%m-%dT%H:%M:%SZ', s.sent_at, ?2)))," \
	" (SELECT count(*) || ' ' ||" \
	"  " SUM_OR_ZERO("crm_base_or_null(d.amount, d.amount_currency, d.closed_at)") \
	"  FROM deals d WHERE d.status = 'won' AND d.archived_at IS NULL" \
	"  AND EXISTS (SELECT 1 FROM campaign_sends s WHERE s.campaign_id = ?1" \
	"  AND s.state = 'sent' AND s.contact_id = d.contact_id AND d.closed_at >= s.sent_at" \
	"  AND d.closed_at < strftime('%Y-%m-%dT%H:%M:%SZ', s.sent_at, ?2)))" \
	" FROM campaign_sends WHERE campaign_id = ?1"

struct figures {
	int64_t sent, in_doubt, excluded, bounced, unsubscribed, replied, buyers, purchases, won;
	char revenue[40], won_value[40];
};

static int figures_of(crm_db *db, int64_t id, long days, struct figures *f)
{
	char window[32];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, FIGURES);

	memset(f, 0, sizeof *f);
	if (rc)
		return rc;
	snprintf(window, sizeof window, "+%ld days", days);
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, window);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		int64_t *v[] = { &f->sent, &f->in_doubt, &f->excluded, &f->bounced, &f->unsubscribed,
			         &f->replied };
		long long a = 0, b = 0, w = 0;

		for (int i = 0; i < 6; i++)
			*v[i] = crm_stmt_int(st, i);
		sscanf(crm_stmt_text(st, 6), "%lld %lld %39s", &a, &b, f->revenue);
		sscanf(crm_stmt_text(st, 7), "%lld %39s", &w, f->won_value);
		f->buyers = a;
		f->purchases = b;
		f->won = w;
		rc = CRM_OK;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

struct emit {
	int (*fn)(void *arg, const char *const *vals);
	void *arg;
	const char *id, *name;
};

static int row(struct emit *e, const char *measure, int64_t n, const char *text,
               const char *note)
{
	char num[24];
	const char *vals[CRM_RESULTS_COLUMNS] = { e->id, e->name, measure, text, note };

	if (!text) {
		snprintf(num, sizeof num, "%lld", (long long)n);
		vals[3] = num;
	}
	return e->fn(e->arg, vals);
}

/* The exclusions by reason, every reason listed. */
static int exclusions(crm_db *db, int64_t id, struct emit *e)
{
	crm_stmt *st;
	char measure[40];
	int rc = CRM_OK;

	for (int r = 0; r < CRM_EXCLUSIONS && !rc; r++) {
		int64_t n = 0;

		if ((rc = crm_db_stmt(db, &st, "SELECT count(*) FROM campaign_sends WHERE"
		                      " campaign_id = ?1 AND state = 'excluded' AND reason = ?2")))
			break;
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, crm_exclusion_name(r));
		if ((rc = crm_stmt_step(st)) == CRM_ROW)
			n = crm_stmt_int(st, 0);
		crm_stmt_reset(st);
		snprintf(measure, sizeof measure, "excluded:%s", crm_exclusion_name(r));
		rc = rc < 0 ? rc : row(e, measure, n, NULL, NULL);
	}
	return rc;
}

int crm_campaign_results(crm_db *db, int64_t id, long days,
                         int (*fn)(void *arg, const char *const *vals), void *arg)
{
	struct campaign c;
	struct figures f;
	struct emit e = { fn, arg, NULL, NULL };
	char sid[24], note[64];
	int rc;

	if (days <= 0)
		days = crm_config_campaign(db->cfg)->results_window;
	if ((rc = campaign_read(db, id, &c)) || (rc = figures_of(db, id, days, &f))) {
		campaign_free(&c);
		return rc;
	}
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(note, sizeof note, "within %ld days of their message", days);
	e.id = sid;
	e.name = c.name;
	if (!(rc = row(&e, "sent", f.sent, NULL, NULL)) &&
	    !(rc = row(&e, "in_doubt", f.in_doubt, NULL, "handed off by a run that stopped:"
	               " send --retry-in-doubt")) &&
	    !(rc = row(&e, "excluded", f.excluded, NULL, NULL)) && !(rc = exclusions(db, id, &e)) &&
	    !(rc = row(&e, "bounced", f.bounced, NULL, NULL)) &&
	    !(rc = row(&e, "unsubscribed", f.unsubscribed, NULL, NULL)) &&
	    !(rc = row(&e, "replied", f.replied, NULL, NULL)) &&
	    !(rc = row(&e, "buyers", f.buyers, NULL, note)) &&
	    !(rc = row(&e, "purchases", f.purchases, NULL, note)) &&
	    !(rc = row(&e, "revenue", 0, f.revenue, note)) &&
	    !(rc = row(&e, "won_deals", f.won, NULL, note)))
		rc = row(&e, "won_value", 0, f.won_value, note);
	campaign_free(&c);
	return rc;
}

/* Passes fn the summary row of the campaign st is on (id, name, kind);
 * the texts of st stay while figures_of runs statements of its own. */
static int summary_row(crm_db *db, crm_stmt *st, int (*fn)(void *arg, const char *const *vals),
                       void *arg)
{
	struct figures f;
	char num[7][24];
	int rc = figures_of(db, crm_stmt_int(st, 0), crm_config_campaign(db->cfg)->results_window,
	                    &f);
	const int64_t v[7] = { f.sent, f.excluded, f.bounced, f.unsubscribed, f.replied, f.buyers,
		               f.won };

	if (rc)
		return rc;
	for (int i = 0; i < 7; i++)
		snprintf(num[i], sizeof num[i], "%lld", (long long)v[i]);
	return fn(arg, (const char *const[CRM_CAMPAIGN_SUMMARY_COLUMNS]){
		crm_stmt_text(st, 0), crm_stmt_text(st, 1), crm_stmt_text(st, 2), num[0], num[1],
		num[2], num[3], num[4], num[5], f.revenue, num[6] });
}

int crm_campaign_summary(crm_db *db, const char *from, const char *to,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *count)
{
	crm_stmt *st;
	int rc, stop = 0;

	*count = 0;
	if ((rc = crm_db_stmt(db, &st, "SELECT c.id, c.name, c.kind FROM campaigns c WHERE EXISTS"
	                      " (SELECT 1 FROM campaign_sends s WHERE s.campaign_id = c.id"
	                      " AND s.state = 'sent' AND (?1 IS NULL OR s.sent_at >= ?1)"
	                      " AND (?2 IS NULL OR s.sent_at < ?2)) ORDER BY c.id")))
		return rc;
	crm_stmt_bind_text(st, 1, from);
	crm_stmt_bind_text(st, 2, to);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		++*count;
		stop = summary_row(db, st, fn, arg);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}
