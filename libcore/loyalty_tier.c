/* loyalty_tier.c - tiers (loyalty.h): where a person stands over the
 * rolling window, upgrades as soon as a purchase qualifies, the periodic
 * review that also moves people down; the member and reminder lists.
 *
 * A tier change is a row of loyalty_tiers; a person's tier as of a time
 * is their latest change at or before it.  The window's figures are the
 * points earned from the purchases dated in it, net of what refunds took
 * back by the day, or the spend on them (net of refunds, in the base
 * currency); the window is the months up to and including the day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty_impl.h"
#include "registry.h"

/* The text of column col of person's latest tier change before at
 * (op "<=": at or before it); "" when none. */
static int latest(crm_db *db, int64_t person, const char *col, const char *op, const char *at,
                  char *out, size_t n)
{
	char sql[160];
	crm_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT %s FROM loyalty_tiers WHERE contact_id = ?1 AND at %s ?2"
	         " ORDER BY at DESC, id DESC LIMIT 1", col, op);
	out[0] = 0;
	if ((rc = crm_db_stmt(db, &st, sql)))
		return rc;
	crm_stmt_bind_int(st, 1, person);
	crm_stmt_bind_text(st, 2, at);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		snprintf(out, n, "%s", crm_stmt_text(st, 0));
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_loyalty_tier_at(crm_db *db, int64_t person, const char *at, char out[64])
{
	return latest(db, person, "tier", "<=", at, out, 64);
}

int crm_loyalty_tier_before(crm_db *db, int64_t person, const char *at, char out[64])
{
	return latest(db, person, "tier", "<", at, out, 64);
}

/* The points person ?1 earned from the purchases of (?2, ?3): what each
 * purchase's entries for a rule left them, but no more than it keeps of
 * what it earned after the refunds made by then (as loyalty_earn.c's
 * kept()).  A refund that came after the points expired took nothing
 * from the balance, so it wrote no entry; it still lowers these. */
#define POINTS_SQL \
	"SELECT coalesce(sum(min(x.net, CASE WHEN p.status = 'cancelled'" \
	" OR p.archived_at IS NOT NULL OR p.earns <> 'yes' OR p.total <= 0 THEN 0" \
	" ELSE x.earned - min(x.earned, (x.earned * -(SELECT coalesce(sum(r.total), 0)" \
	"  FROM purchases r WHERE r.refund_of = p.id AND r.archived_at IS NULL AND r.at < ?3)" \
	"  * 2 + p.total) / (2 * p.total)) END)), 0)" \
	" FROM (SELECT e.purchase_id, sum(e.points) AS net," \
	"  coalesce(sum(e.points) FILTER (WHERE e.kind = 'earn'), 0) AS earned" \
	"  FROM loyalty_ledger e WHERE e.contact_id = ?1 AND e.kind IN ('earn', 'reverse')" \
	"  AND e.at < ?3 GROUP BY e.purchase_id, e.rule) x" \
	" JOIN purchases p ON p.id = x.purchase_id WHERE p.at > ?2 || 'T99' AND p.at < ?3"

/* The index of the highest tier points and spend reach, -1 for none. */
static int reached(const struct crm_loyalty_programme *p, int64_t points, int64_t spend)
{
	int best = -1;

	for (size_t i = 0; i < p->ntiers; i++)
		if (p->tiers[i].spend >= 0 ? spend >= p->tiers[i].spend : points >= p->tiers[i].points)
			best = (int)i;
	return best;
}

static int tier_index(const struct crm_loyalty_programme *p, const char *name)
{
	for (size_t i = 0; i < p->ntiers; i++)
		if (!strcmp(p->tiers[i].name, name))
			return (int)i;
	return -1;
}

static const struct crm_loyalty_programme *programme(crm_db *db)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));

	if (!p)
		crm_error_set(CRM_EUSAGE, "no loyalty programme is configured (crm-config(5) loyalty)");
	return p;
}

int crm_loyalty_standing(crm_db *db, int64_t person, const char *date,
                         struct crm_loyalty_standing *out)
{
	const struct crm_loyalty_programme *p = programme(db);
	char from[CRM_DATE_LEN], end[CRM_TIME_LEN];
	int rc, q;

	memset(out, 0, sizeof *out);
	if (!p)
		return CRM_EUSAGE;
	crm_loyalty_add_months(from, date, -p->window_months);
	snprintf(end, sizeof end, "%.10sT99", date);
	if ((rc = crm_loyalty_number(db, POINTS_SQL, person, from, end, &out->points)) ||
	    (rc = crm_loyalty_number(db, "SELECT coalesce(sum(crm_base(total, total_currency,"
	                             " at)), 0) FROM purchases WHERE contact_id = ?1"
	                             " AND archived_at IS NULL AND status <> 'cancelled'"
	                             " AND at > ?2 || 'T99' AND at < ?3", person, from, end,
	                             &out->spend)) ||
	    (rc = crm_loyalty_tier_at(db, person, end, out->tier)))
		return rc;
	if ((q = reached(p, out->points, out->spend)) >= 0)
		snprintf(out->qualifies, sizeof out->qualifies, "%s", p->tiers[q].name);
	q = tier_index(p, out->tier);
	if ((size_t)(q + 1) < p->ntiers)
		snprintf(out->next, sizeof out->next, "%s", p->tiers[q + 1].name);
	return latest(db, person, "at", "<", end, out->since, sizeof out->since);
}

static int change(crm_db *db, int64_t person, const char *at, const char *tier,
                  const char *reason)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_tiers(contact_id, at, tier, reason)"
	                     " VALUES (?1, ?2, ?3, ?4)");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, person);
	crm_stmt_bind_text(st, 2, at);
	crm_stmt_bind_text(st, 3, tier);
	crm_stmt_bind_text(st, 4, reason);
	return crm_stmt_done(st);
}

int crm_loyalty_upgrade(crm_db *db, int64_t person, const char *at)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	struct crm_loyalty_standing s;
	char now[64];
	int rc, q;

	if (!p || !p->ntiers)
		return CRM_OK;
	if ((rc = crm_loyalty_standing(db, person, at, &s)) ||
	    (rc = crm_loyalty_tier_at(db, person, "9999", now)))
		return rc;
	q = reached(p, s.points, s.spend);
	return q > tier_index(p, now) ? change(db, person, at, p->tiers[q].name, "upgrade") : CRM_OK;
}

/* Review */

static int review_one(crm_db *db, int64_t person, const char *name, const char *date,
                      int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *n)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	struct crm_loyalty_standing s;
	char at[CRM_TIME_LEN], now[64], who[24], pts[24], spend[32];
	const char *to;
	int rc, q;

	/* s.tier is theirs as of the day: a review of a past day that a later
	 * change overtook changes nothing. */
	if ((rc = crm_loyalty_standing(db, person, date, &s)))
		return rc;
	q = reached(p, s.points, s.spend);
	to = q < 0 ? "" : p->tiers[q].name;
	if (!strcmp(to, s.tier))
		return CRM_OK;
	snprintf(now, sizeof now, "%s", s.tier);
	snprintf(at, sizeof at, "%sT00:00:00Z", date);
	if ((rc = change(db, person, at, to, "review")))
		return rc;
	++*n;
	snprintf(who, sizeof who, "%lld", (long long)person);
	snprintf(pts, sizeof pts, "%lld", (long long)s.points);
	crm_loyalty_money_text(db, s.spend, spend, sizeof spend);
	return fn ? fn(arg, (const char *const[]){ who, name, now, to, pts, spend }) : CRM_OK;
}

int crm_loyalty_review(crm_db *db, const char *date,
                       int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *n)
{
	const struct crm_loyalty_programme *p = programme(db);
	char from[CRM_DATE_LEN];
	crm_stmt *st;
	int64_t *ids = NULL;
	char **names = NULL;
	size_t count = 0;
	int rc;

	*n = 0;
	if (!p)
		return CRM_EUSAGE;
	crm_loyalty_add_months(from, date, -p->window_months);
	if ((rc = crm_db_prepare(db, &st, "SELECT c.id, " CONTACT_NAME("c.id") " FROM contacts c"
	                         " WHERE c.id IN (SELECT contact_id FROM loyalty_tiers UNION"
	                         " SELECT contact_id FROM loyalty_ledger WHERE at > ?1)"
	                         " AND c.archived_at IS NULL ORDER BY c.id")))
		return rc;
	crm_stmt_bind_text(st, 1, from);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		int64_t *v = realloc(ids, (count + 1) * sizeof *v);
		char **w = realloc(names, (count + 1) * sizeof *w);

		ids = v ? v : ids;
		names = w ? w : names;
		if (!v || !w || !(names[count] = strdup(crm_stmt_text(st, 1)))) {
			rc = crm_error_nomem();
			break;
		}
		ids[count++] = crm_stmt_int(st, 0);
	}
	crm_stmt_finalize(st);
	for (size_t i = 0; i < count; i++) {
		if (rc >= 0)
			rc = review_one(db, ids[i], names[i], date, fn, arg, n);
		free(names[i]);
	}
	free(ids), free(names);
	return rc < 0 ? rc : CRM_OK;
}

/* Lists */

int crm_loyalty_tier_check(crm_db *db, const char *name)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	crm_buf all = CRM_BUF_INIT;
	crm_stmt *st;
	int rc, held;

	for (size_t i = 0; p && i < p->ntiers; i++)
		if (!strcmp(p->tiers[i].name, name))
			return CRM_OK;
	if (!*name)
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "SELECT 1 FROM loyalty_tiers WHERE tier = ?1 LIMIT 1")))
		return rc;
	crm_stmt_bind_text(st, 1, name);
	held = crm_stmt_step(st) == CRM_ROW;
	crm_stmt_reset(st);
	if (held)
		return CRM_OK;
	for (size_t i = 0; p && i < p->ntiers; i++)
		crm_buf_printf(&all, "%s%s", i ? ", " : "", p->tiers[i].name);
	rc = crm_error_set(CRM_EUSAGE, "tier: no tier '%s' (tiers: %s; '' for none)", name,
	                   all.len ? crm_buf_str(&all) : "none configured");
	crm_buf_free(&all);
	return rc;
}

int crm_loyalty_members(crm_db *db, const char *tier,
                        int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char today[CRM_DATE_LEN];
	crm_stmt *st;
	int rc = tier ? crm_loyalty_tier_check(db, tier) : CRM_OK;

	if (rc)
		return rc;
	rc = crm_db_stmt(db, &st, "SELECT * FROM (SELECT c.id, " CONTACT_NAME("c.id") ","
	                     " c.email, coalesce((SELECT tier FROM loyalty_tiers t"
	                     " WHERE t.contact_id = c.id ORDER BY at DESC, id DESC LIMIT 1), '') AS tier,"
	                     " (SELECT coalesce(sum(points), 0) FROM loyalty_ledger"
	                     " WHERE contact_id = c.id) - (SELECT coalesce(sum(remaining), 0)"
	                     " FROM loyalty_lots WHERE contact_id = c.id AND expires <= ?2),"
	                     " (SELECT number FROM loyalty_cards WHERE contact_id = c.id"
	                     " AND status = 'active' ORDER BY id DESC LIMIT 1)"
	                     " FROM contacts c WHERE c.archived_at IS NULL AND c.id IN"
	                     " (SELECT contact_id FROM loyalty_ledger UNION SELECT contact_id"
	                     " FROM loyalty_tiers UNION SELECT contact_id FROM loyalty_cards))"
	                     " WHERE ?1 IS NULL OR tier = ?1 ORDER BY 1");

	if (rc)
		return rc;
	crm_loyalty_today(db, today);
	crm_stmt_bind_text(st, 1, tier);
	crm_stmt_bind_text(st, 2, today);
	return crm_loyalty_rows(st, fn, arg);
}

int crm_loyalty_remind(crm_db *db, const char *date, int days,
                       int (*fn)(void *arg, const char *const *vals), void *arg)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT c.id, " CONTACT_NAME("c.id") ", c.email,"
	                     " sum(l.remaining), min(l.expires) FROM loyalty_lots l"
	                     " JOIN contacts c ON c.id = l.contact_id AND c.archived_at IS NULL"
	                     " WHERE l.expires > ?1 AND l.expires <= date(?1, '+' || ?2 || ' days')"
	                     " GROUP BY c.id ORDER BY min(l.expires), c.id");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, date);
	crm_stmt_bind_int(st, 2, days);
	return crm_loyalty_rows(st, fn, arg);
}
