/* loyalty_earn.c - the points of purchases: the earn rules applied to a
 * purchase, and the reversal of what it earned as it is refunded,
 * cancelled or archived (loyalty.h, crm_loyalty_purchase).
 *
 * What a purchase has earned is in the ledger, per rule: the earn entries
 * are what the rules gave (its gross), earn plus reverse entries what it
 * holds now.  Bringing a purchase in line writes only the differences, so
 * doing it twice writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/money.h"
#include "crm/rates.h"
#include "loyalty_impl.h"

/* What the rules read of a purchase. */
struct bought {
	int64_t person, total, refunded; /* refunded: its refunds' totals, <= 0 */
	char cur[4], at[CRM_TIME_LEN], status[16];
	int archived, earns, birthday;
	struct line {
		char *sku, *category;
		int64_t quantity, price;
	} *lines;
	size_t nlines;
};

static void bought_free(struct bought *b)
{
	for (size_t i = 0; i < b->nlines; i++)
		free(b->lines[i].sku), free(b->lines[i].category);
	free(b->lines);
}

static char *dup_col(crm_stmt *st, int i)
{
	return crm_stmt_kind(st, i) == CRM_KIND_NULL ? NULL : strdup(crm_stmt_text(st, i));
}

static int load_lines(crm_db *db, int64_t id, struct bought *b)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT sku, category, quantity, unit_price"
	                     " FROM purchase_lines WHERE purchase_id = ?1 ORDER BY line");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		struct line *v = realloc(b->lines, (b->nlines + 1) * sizeof *v);

		if (!v) {
			rc = crm_error_nomem();
			break;
		}
		b->lines = v;
		v[b->nlines++] = (struct line){ dup_col(st, 0), dup_col(st, 1), crm_stmt_int(st, 2),
			                        crm_stmt_int(st, 3) };
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* *found is 0 for no such purchase, or one that is itself a refund. */
static int load(crm_db *db, int64_t id, struct bought *b, int *found)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT coalesce(p.contact_id, 0), p.total,"
	                     " (SELECT coalesce(sum(r.total), 0) FROM purchases r"
	                     " WHERE r.refund_of = p.id AND r.archived_at IS NULL),"
	                     " p.total_currency, p.at, p.status, p.archived_at IS NOT NULL,"
	                     " p.earns = 'yes',"
	                     " coalesce(substr(c.birth_date, -5, 2) = substr(p.at, 6, 2), 0)"
	                     " FROM purchases p LEFT JOIN contacts c ON c.id = p.contact_id"
	                     " WHERE p.id = ?1 AND p.refund_of IS NULL AND p.total IS NOT NULL");

	memset(b, 0, sizeof *b);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		b->person = crm_stmt_int(st, 0);
		b->total = crm_stmt_int(st, 1);
		b->refunded = crm_stmt_int(st, 2);
		snprintf(b->cur, sizeof b->cur, "%s", crm_stmt_text(st, 3));
		snprintf(b->at, sizeof b->at, "%s", crm_stmt_text(st, 4));
		snprintf(b->status, sizeof b->status, "%s", crm_stmt_text(st, 5));
		b->archived = (int)crm_stmt_int(st, 6);
		b->earns = (int)crm_stmt_int(st, 7);
		b->birthday = (int)crm_stmt_int(st, 8);
	}
	*found = rc == CRM_ROW;
	crm_stmt_reset(st);
	if (rc < 0)
		return rc;
	return *found ? load_lines(db, id, b) : CRM_OK;
}

static int listed(char *const *words, const char *s)
{
	if (!words)
		return 1;
	for (size_t i = 0; s && words[i]; i++)
		if (!strcmp(words[i], s))
			return 1;
	return 0;
}

/* The amount (purchase currency) and items of the lines rule r counts;
 * without filters the amount is the total, which need not have lines. */
static int counted(const struct crm_loyalty_rule *r, const struct bought *b, int64_t *amount,
                   int64_t *items)
{
	int64_t a = 0, q = 0, x;

	for (size_t i = 0; i < b->nlines; i++) {
		if (!listed(r->categories, b->lines[i].category) || !listed(r->skus, b->lines[i].sku))
			continue;
		if (__builtin_mul_overflow(b->lines[i].quantity, b->lines[i].price, &x) ||
		    __builtin_add_overflow(a, x, &a) ||
		    __builtin_add_overflow(q, b->lines[i].quantity, &q))
			return crm_error_set(CRM_EDATA, "lines: out of range");
	}
	*amount = r->categories || r->skus ? a : b->total;
	*items = q;
	return CRM_OK;
}

static int64_t capped(__int128 v)
{
	return v > CRM_POINTS_MAX ? CRM_POINTS_MAX : (int64_t)v;
}

static int base_of(crm_db *db, const struct bought *b, int64_t minor, int64_t *out)
{
	struct crm_money m = { minor, "" }, base;
	int rc;

	snprintf(m.cur, sizeof m.cur, "%s", b->cur);
	if ((rc = crm_money_base(db, &m, b->at, &base)))
		return rc;
	*out = base.minor;
	return CRM_OK;
}

/* The points rule r gives purchase b at tier multiplier mult. */
static int rule_points(crm_db *db, const struct crm_loyalty_rule *r, const struct bought *b,
                       int64_t mult, int64_t *points)
{
	const char *base = crm_config_currency(crm_db_config(db));
	int64_t amount = 0, items = 0, total = 0, scale = 1;
	__int128 v;
	int rc;

	*points = 0;
	if (r->birthday && !b->birthday)
		return CRM_OK;
	if ((rc = counted(r, b, &amount, &items)) || (rc = base_of(db, b, b->total, &total)))
		return rc;
	if (total < r->min_amount || (r->per != CRM_EARN_AMOUNT && !items && (r->categories || r->skus)))
		return CRM_OK;
	if (r->per == CRM_EARN_AMOUNT) {
		if ((rc = base_of(db, b, amount, &amount)))
			return rc;
		for (int e = crm_currency_exponent(base); e > 0; e--)
			scale *= 10;
		v = (__int128)amount * r->milli;
	} else {
		v = (__int128)(r->per == CRM_EARN_ITEM ? items : 1) * r->milli;
	}
	/* One rounding, down, of amount x points x multiplier; capped first so
	 * that the product fits. */
	if (v > (__int128)CRM_POINTS_MAX * scale * 1000)
		v = (__int128)CRM_POINTS_MAX * scale * 1000;
	*points = capped(v * mult / ((__int128)scale * 1000000));
	return CRM_OK;
}

static int64_t multiplier(const struct crm_loyalty_programme *p, const char *tier)
{
	for (size_t i = 0; i < p->ntiers; i++)
		if (!strcmp(p->tiers[i].name, tier))
			return p->tiers[i].multiplier;
	return 1000;
}

/* What person holds of purchase id for rule: earned (gross), now, and
 * how much of it expired unused. */
struct held {
	int64_t earned, now, expired;
};

static int held(crm_db *db, int64_t id, int64_t person, const char *rule, struct held *h)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn'), 0),"
	                     " coalesce(sum(points), 0), (SELECT coalesce(sum(u.points), 0)"
	                     " FROM loyalty_ledger l JOIN loyalty_uses u ON u.lot_id = l.id"
	                     " JOIN loyalty_ledger x ON x.id = u.entry_id AND x.kind = 'expire'"
	                     " WHERE l.purchase_id = ?1 AND l.rule = ?2 AND l.contact_id = ?3)"
	                     " FROM loyalty_ledger WHERE purchase_id = ?1 AND rule = ?2"
	                     " AND contact_id = ?3");

	memset(h, 0, sizeof *h);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, rule);
	crm_stmt_bind_int(st, 3, person);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		*h = (struct held){ crm_stmt_int(st, 0), crm_stmt_int(st, 1), crm_stmt_int(st, 2) };
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* What should remain of gross points: none of a purchase that no longer
 * counts, else gross less the refunded share, rounded half up. */
static int64_t kept(const struct bought *b, int64_t gross)
{
	__int128 back;

	if (!strcmp(b->status, "cancelled") || b->archived || !b->earns || b->total <= 0)
		return 0;
	back = ((__int128)gross * -b->refunded * 2 + b->total) / (2 * (__int128)b->total);
	return back >= gross ? 0 : gross - (int64_t)back;
}

/* What purchase id gave for rule to people it is no longer of (it was
 * moved to someone else, or to nobody) goes back. */
static int reverse_others(crm_db *db, int64_t id, const struct bought *b, const char *rule)
{
	struct crm_loyalty_entry e = { .kind = "reverse", .purchase = id, .rule = rule };
	crm_stmt *st;
	int64_t (*v)[2] = NULL, entry;
	size_t n = 0;
	int rc = crm_db_stmt(db, &st, "SELECT contact_id, sum(points) FROM loyalty_ledger"
	                     " WHERE purchase_id = ?1 AND rule = ?2 AND contact_id IS NOT NULL"
	                     " AND contact_id <> ?3 GROUP BY contact_id HAVING sum(points) <> 0");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, rule);
	crm_stmt_bind_int(st, 3, b->person);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		int64_t (*w)[2] = realloc(v, (n + 1) * sizeof *v);

		if (!w) {
			rc = crm_error_nomem();
			break;
		}
		v = w;
		v[n][0] = crm_stmt_int(st, 0);
		v[n++][1] = crm_stmt_int(st, 1);
	}
	crm_stmt_reset(st);
	for (size_t i = 0; i < n && rc >= 0; i++) {
		e.person = v[i][0];
		e.points = -v[i][1];
		rc = crm_loyalty_entry(db, &e, &entry);
	}
	free(v);
	return rc < 0 ? rc : CRM_OK;
}

/* Earns what the rules give beyond what was earned (score, when the
 * write scores the purchase), then reverses down to what the purchase
 * keeps: of what the rules give now, when that is less (a total
 * corrected down), less the refunded share.  Points of it that expired
 * unused were lost already: what a refund undoes is taken from them
 * first, and only the rest from the balance. */
static int settle_rule(crm_db *db, int64_t id, const struct bought *b, const char *rule,
                       int scoring, int64_t score, const char *expires)
{
	struct crm_loyalty_entry e = { .person = b->person, .at = b->at, .kind = "earn",
		                       .expires = expires, .purchase = id, .rule = rule };
	struct held h;
	int64_t entry, keep;
	int rc;

	if ((rc = reverse_others(db, id, b, rule)) || !b->person ||
	    (rc = held(db, id, b->person, rule, &h)))
		return rc;
	if (score > h.earned && kept(b, score) > 0) {
		e.points = score - h.earned;
		if ((rc = crm_loyalty_entry(db, &e, &entry)))
			return rc;
		h.now += score - h.earned;
		h.earned = score;
	}
	keep = kept(b, scoring && score < h.earned ? score : h.earned) + h.expired;
	if (keep > h.earned)
		keep = h.earned;
	if (h.now == keep)
		return CRM_OK;
	e.at = NULL;
	e.kind = "reverse";
	e.points = keep - h.now;
	return crm_loyalty_entry(db, &e, &entry);
}

/* The rules purchase id earned by that the programme no longer has: what
 * they gave is reversed like the rest. */
static int settle_dropped(crm_db *db, int64_t id, const struct bought *b,
                          const struct crm_loyalty_programme *p)
{
	crm_stmt *st;
	char **rules = NULL;
	size_t n = 0;
	int rc = crm_db_stmt(db, &st, "SELECT DISTINCT rule FROM loyalty_ledger"
	                     " WHERE purchase_id = ?1 AND rule IS NOT NULL");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		size_t i = 0;
		char **v;

		while (i < p->nrules && strcmp(p->rules[i].name, crm_stmt_text(st, 0)))
			i++;
		if (i < p->nrules)
			continue;
		if (!(v = realloc(rules, (n + 1) * sizeof *v)) || !(v[n] = dup_col(st, 0))) {
			rules = v ? v : rules;
			rc = crm_error_nomem();
			break;
		}
		rules = v;
		n++;
	}
	crm_stmt_reset(st);
	for (size_t i = 0; i < n; i++) {
		if (rc >= 0)
			rc = settle_rule(db, id, b, rules[i], 0, 0, NULL);
		free(rules[i]);
	}
	free(rules);
	return rc < 0 ? rc : CRM_OK;
}

static int settle(crm_db *db, int64_t id, const struct bought *b, int score)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	char tier[64] = "", expires[CRM_DATE_LEN];
	int64_t mult, points = 0;
	int rc = CRM_OK;

	/* The tier before the purchase: one that lifts them earns at the old.
	 * Only a purchase that scores asks; a reversal needs no multiplier. */
	if (score && (rc = crm_loyalty_tier_before(db, b->person, b->at, tier)))
		return rc;
	mult = multiplier(p, tier);
	crm_loyalty_add_months(expires, b->at, p->expiry_months);
	for (size_t i = 0; i < p->nrules && !rc; i++) {
		if (score && (rc = rule_points(db, &p->rules[i], b, mult, &points)))
			break;
		rc = settle_rule(db, id, b, p->rules[i].name, score, score ? points : 0,
		                 p->expiry_months ? expires : NULL);
	}
	return rc ? rc : settle_dropped(db, id, b, p);
}

int crm_loyalty_purchase(crm_db *db, int64_t id, int score)
{
	struct bought b;
	int rc, found;

	if (!crm_config_loyalty(crm_db_config(db)))
		return CRM_OK;
	rc = load(db, id, &b, &found);
	/* What expired by today is written off first, so that a reversal
	 * knows what of the purchase was lost already. */
	if (!rc && found && b.person)
		rc = crm_loyalty_expire_person(db, b.person);
	if (!rc && found)
		rc = settle(db, id, &b, score && b.earns && b.person);
	if (!rc && found && b.earns && b.person && score)
		rc = crm_loyalty_upgrade(db, b.person, b.at);
	bought_free(&b);
	return rc;
}

int crm_loyalty_purchase_check(crm_db *db, int64_t id)
{
	struct bought b;
	int64_t base;
	int rc, found;

	if (!crm_config_loyalty(crm_db_config(db)))
		return CRM_OK;
	rc = load(db, id, &b, &found);
	if (!rc && found && b.earns && b.person)
		rc = base_of(db, &b, b.total, &base);
	bought_free(&b);
	return rc;
}
