/* loyalty.c - the points ledger (loyalty.h): entries, lots and what is
 * owed; earning from purchases and reversing on refunds; redemptions,
 * adjustments, expiry and the statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/loyalty.h"
#include "crm/money.h"
#include "crm/rates.h"
#include "loyalty_impl.h"

/* Dates */

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* The day months after date (before it when negative); a day the month
 * lacks becomes its last (31 January + 1 month is 28 or 29 February). */
void crm_loyalty_add_months(char out[CRM_DATE_LEN], const char *date, int months)
{
	int y = 0, m = 0, d = 0, t;

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		y = 1970, m = 1, d = 1;
	t = y * 12 + (m - 1) + months;
	y = t / 12;
	m = t % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	snprintf(out, CRM_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
	         (unsigned)d % 100u);
}

void crm_loyalty_money_text(crm_db *db, int64_t minor, char *out, size_t n)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", crm_config_currency(crm_db_config(db)));
	if (crm_money_format(out, n, &m))
		snprintf(out, n, "%lld", (long long)minor);
	crm_error_clear();
}

void crm_loyalty_today(crm_db *db, char out[CRM_DATE_LEN])
{
	char now[CRM_TIME_LEN];

	crm_db_now(db, now);
	snprintf(out, CRM_DATE_LEN, "%.10s", now);
}

/* Entries */


int crm_loyalty_entry(crm_db *db, const struct crm_loyalty_entry *e, int64_t *id)
{
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_ledger(contact_id, at, kind, points,"
	                     " expires, purchase_id, rule, reward, reason, user, created_at)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9, ?10, ?11)");

	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, e->person);
	crm_stmt_bind_text(st, 2, e->at ? e->at : now);
	crm_stmt_bind_text(st, 3, e->kind);
	crm_stmt_bind_int(st, 4, e->points);
	crm_stmt_bind_text(st, 5, e->points > 0 ? e->expires : NULL);
	crm_stmt_bind_int(st, 6, e->purchase);
	crm_stmt_bind_text(st, 7, e->rule);
	crm_stmt_bind_text(st, 8, e->reward);
	crm_stmt_bind_text(st, 9, e->reason);
	crm_stmt_bind_text(st, 10, crm_db_user(db));
	crm_stmt_bind_text(st, 11, now);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*id = crm_db_last_id(db);
	if (e->points > 0)
		return crm_loyalty_give(db, e->person, *id, e->points, e->expires);
	/* Points past their expiry are gone before anything is taken. */
	if ((rc = crm_loyalty_expire_person(db, e->person)))
		return rc;
	return crm_loyalty_take(db, e->person, *id, -e->points, e->purchase, e->rule);
}

static int use(crm_db *db, int64_t entry, int64_t lot, int64_t points)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_uses(entry_id, lot_id, points)"
	                     " VALUES (?1, ?2, ?3)");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, entry);
	crm_stmt_bind_int(st, 2, lot);
	crm_stmt_bind_int(st, 3, points);
	return crm_stmt_done(st);
}

/* Takes n (> 0) from the row of table keyed entry_id = id: deleting it
 * when that leaves nothing.  column is what it holds. */
static int shrink(crm_db *db, const char *table, const char *column, int64_t id, int64_t n)
{
	char sql[160];
	crm_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "UPDATE %s SET %s = %s - ?2 WHERE entry_id = ?1 AND %s > ?2",
	         table, column, column, column);
	if ((rc = crm_db_stmt(db, &st, sql)))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_int(st, 2, n);
	if ((rc = crm_stmt_done(st)) || crm_db_changes(db))
		return rc;
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE entry_id = ?1", table);
	return crm_db_exec_id(db, sql, id);
}

/* A row of lots or owed: its entry and how many points. */
struct part {
	int64_t entry, points;
};

/* Reads the rows sql returns (entry, points; ?1 person, ?2 and ?3 the
 * lots preferred) into *v. */
static int parts(crm_db *db, const char *sql, int64_t person, int64_t purchase, const char *rule,
                 struct part **v, size_t *n)
{
	size_t cap = 0;
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	*v = NULL;
	*n = 0;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, person);
	if (crm_stmt_params(st) > 1) {
		crm_stmt_bind_int(st, 2, purchase);
		crm_stmt_bind_text(st, 3, rule);
	}
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if (*n == cap) {
			struct part *p = realloc(*v, (cap = cap ? 2 * cap : 8) * sizeof *p);

			if (!p) {
				rc = crm_error_nomem();
				break;
			}
			*v = p;
		}
		(*v)[(*n)++] = (struct part){ crm_stmt_int(st, 0), crm_stmt_int(st, 1) };
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Moves *points (> 0) through the rows v in order, each share recorded
 * as a use and taken off its row: v are what is owed, settled by entry
 * (settle), or lots, used by entry.  Leaves in *points what none took. */
static int spread(crm_db *db, const struct part *v, size_t n, int64_t entry, int settle,
                  int64_t *points)
{
	int rc = CRM_OK;

	for (size_t i = 0; i < n && *points > 0 && !rc; i++) {
		int64_t k = v[i].points < *points ? v[i].points : *points;

		if (!(rc = settle ? use(db, v[i].entry, entry, k) : use(db, entry, v[i].entry, k)))
			rc = settle ? shrink(db, "loyalty_owed", "points", v[i].entry, k)
			            : shrink(db, "loyalty_lots", "remaining", v[i].entry, k);
		*points -= k;
	}
	return rc;
}

/* Points added: they settle what is owed, oldest first; the rest is a lot. */
int crm_loyalty_give(crm_db *db, int64_t person, int64_t entry, int64_t points,
                     const char *expires)
{
	struct part *owed;
	size_t n;
	crm_stmt *st;
	int rc = parts(db, "SELECT entry_id, points FROM loyalty_owed WHERE contact_id = ?1"
	               " ORDER BY entry_id", person, 0, NULL, &owed, &n);

	if (!rc)
		rc = spread(db, owed, n, entry, 1, &points);
	free(owed);
	if (rc || points <= 0)
		return rc;
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_lots(entry_id, contact_id, expires,"
	                      " remaining) VALUES (?1, ?2, ?3, ?4)")))
		return rc;
	crm_stmt_bind_int(st, 1, entry);
	crm_stmt_bind_int(st, 2, person);
	crm_stmt_bind_text(st, 3, expires);
	crm_stmt_bind_int(st, 4, points);
	return crm_stmt_done(st);
}

/* Points taken: from the lots of purchase's rule first (a reversal), then
 * soonest-expiring first; what no lot has is owed. */
int crm_loyalty_take(crm_db *db, int64_t person, int64_t entry, int64_t points,
                     int64_t purchase, const char *rule)
{
	struct part *lots;
	size_t n;
	crm_stmt *st;
	int rc = parts(db, "SELECT l.entry_id, l.remaining FROM loyalty_lots l"
	               " JOIN loyalty_ledger e ON e.id = l.entry_id WHERE l.contact_id = ?1"
	               " ORDER BY (e.purchase_id IS ?2 AND e.rule IS ?3) DESC,"
	               " l.expires IS NULL, l.expires, l.entry_id", person, purchase ? purchase : -1,
	               rule, &lots, &n);

	if (!rc)
		rc = spread(db, lots, n, entry, 0, &points);
	free(lots);
	if (rc || points <= 0)
		return rc;
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_owed(entry_id, contact_id, points)"
	                      " VALUES (?1, ?2, ?3)")))
		return rc;
	crm_stmt_bind_int(st, 1, entry);
	crm_stmt_bind_int(st, 2, person);
	crm_stmt_bind_int(st, 3, points);
	return crm_stmt_done(st);
}

/* Balance, redemption, adjustment */

int crm_loyalty_number(crm_db *db, const char *sql, int64_t person, const char *a,
                       const char *b, int64_t *out)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	if (rc)
		return rc;
	if (crm_stmt_params(st) > 0)
		crm_stmt_bind_int(st, 1, person);
	if (crm_stmt_params(st) > 1)
		crm_stmt_bind_text(st, 2, a);
	if (crm_stmt_params(st) > 2)
		crm_stmt_bind_text(st, 3, b);
	rc = crm_stmt_step(st);
	*out = rc == CRM_ROW ? crm_stmt_int(st, 0) : 0;
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_loyalty_balance(crm_db *db, int64_t person, int64_t *points)
{
	char today[CRM_DATE_LEN];
	int64_t sum, gone;
	int rc;

	crm_loyalty_today(db, today);
	if ((rc = crm_loyalty_number(db, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger"
	                             " WHERE contact_id = ?1", person, NULL, NULL, &sum)) ||
	    (rc = crm_loyalty_number(db, "SELECT coalesce(sum(remaining), 0) FROM loyalty_lots"
	                             " WHERE contact_id = ?1 AND expires <= ?2", person, today, NULL,
	                             &gone)))
		return rc;
	*points = sum - gone;
	return CRM_OK;
}

static int check_points(int64_t points)
{
	if (points <= 0 || points > CRM_POINTS_MAX)
		return crm_error_set(CRM_EDATA, "points: %lld is not from 1 to %lld",
		                     (long long)points, CRM_POINTS_MAX);
	return CRM_OK;
}

/* Only a refund of points already spent takes a balance below zero. */
static int affordable(crm_db *db, int64_t person, int64_t points)
{
	int64_t balance;
	int rc = crm_loyalty_balance(db, person, &balance);

	if (!rc && balance < points)
		rc = crm_error_set(CRM_EDATA, "points: the balance is %lld, short of %lld",
		                   (long long)balance, (long long)points);
	return rc;
}

int crm_loyalty_redeem(crm_db *db, int64_t person, int64_t points, const char *reward,
                       int64_t *entry)
{
	struct crm_loyalty_entry e = { .person = person, .kind = "redeem", .points = -points,
		                       .reward = reward };
	int rc;

	if ((rc = check_points(points)) ||
	    (rc = crm_entity_referable(db, &crm_contact_entity, person)) ||
	    (rc = affordable(db, person, points)))
		return rc;
	return crm_loyalty_entry(db, &e, entry);
}

int crm_loyalty_adjust(crm_db *db, int64_t person, int64_t points, const char *reason,
                       int64_t *entry)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	struct crm_loyalty_entry e = { .person = person, .kind = "adjust", .points = points,
		                       .reason = reason };
	char today[CRM_DATE_LEN], expires[CRM_DATE_LEN];
	int rc;

	if ((rc = check_points(points < 0 ? -points : points)))
		return rc;
	if (!reason || !*reason)
		return crm_error_set(CRM_EUSAGE, "an adjustment needs a reason");
	if ((rc = crm_entity_referable(db, &crm_contact_entity, person)))
		return rc;
	crm_loyalty_today(db, today);
	if (p && p->expiry_months) {
		crm_loyalty_add_months(expires, today, p->expiry_months);
		e.expires = expires;
	}
	if (points < 0 && (rc = affordable(db, person, -points)))
		return rc;
	return crm_loyalty_entry(db, &e, entry);
}

/* Expiry
 *
 * Written set by set, for the nightly run over the whole ledger: the lots
 * due go into a temporary table, whose rowids number their expire
 * entries, given out one after another by one INSERT (which is checked,
 * not assumed); then their uses and the lots' deletion, each one
 * statement.  The whole run takes them person by person, the order of
 * the ledger's index, so that its pages are written one after another. */

static int due_lots(crm_db *db, const char *date, int64_t person, int64_t *n)
{
	crm_stmt *st;
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS loyalty_due(lot INTEGER,"
	                     " person INTEGER, points INTEGER, day TEXT); DELETE FROM temp.loyalty_due");

	if (rc || (rc = crm_db_stmt(db, &st, person
	                            ? "INSERT INTO temp.loyalty_due SELECT entry_id, contact_id,"
	                              " remaining, expires FROM loyalty_lots WHERE contact_id = ?2"
	                              " AND expires <= ?1 ORDER BY expires, entry_id"
	                            : "INSERT INTO temp.loyalty_due SELECT entry_id, contact_id,"
	                              " remaining, expires FROM loyalty_lots WHERE expires <= ?1"
	                              " ORDER BY contact_id, expires, entry_id")))
		return rc;
	crm_stmt_bind_text(st, 1, date);
	if (person)
		crm_stmt_bind_int(st, 2, person);
	if (!(rc = crm_stmt_done(st)))
		*n = crm_db_changes(db);
	return rc;
}

/* The expire entries of the due lots, numbered from base + 1. */
static int write_offs(crm_db *db, int64_t n, int64_t *base)
{
	crm_stmt *st;
	int64_t check[3] = { 0, 0, 0 };
	int rc = crm_loyalty_number(db, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
	                            " WHERE name = 'loyalty_ledger'), 0), coalesce((SELECT max(id)"
	                            " FROM loyalty_ledger), 0))", 0, NULL, NULL, base);

	if (rc || (rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_ledger(contact_id, at, kind,"
	                            " points, user, created_at) SELECT person, day || 'T00:00:00Z',"
	                            " 'expire', -points, ?1, crm_now() FROM temp.loyalty_due"
	                            " ORDER BY rowid")))
		return rc;
	crm_stmt_bind_text(st, 1, crm_db_user(db));
	if ((rc = crm_stmt_done(st)) ||
	    (rc = crm_loyalty_number(db, "SELECT min(id) FROM loyalty_ledger WHERE id > ?1", *base,
	                             NULL, NULL, &check[0])) ||
	    (rc = crm_loyalty_number(db, "SELECT max(id) FROM loyalty_ledger WHERE id > ?1", *base,
	                             NULL, NULL, &check[1])) ||
	    (rc = crm_loyalty_number(db, "SELECT count(*) FROM loyalty_ledger WHERE id > ?1", *base,
	                             NULL, NULL, &check[2])))
		return rc;
	if (check[0] != *base + 1 || check[1] != *base + n || check[2] != n)
		return crm_error_set(CRM_EFAIL, "expire: the entries were not numbered in order;"
		                     " nothing written");
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_uses(entry_id, lot_id, points)"
	                      " SELECT ?1 + rowid, lot, points FROM temp.loyalty_due")))
		return rc;
	crm_stmt_bind_int(st, 1, *base);
	if (!(rc = crm_stmt_done(st)))
		rc = crm_db_exec(db, "DELETE FROM loyalty_lots WHERE entry_id IN"
		                 " (SELECT lot FROM temp.loyalty_due)");
	return rc;
}

int crm_loyalty_expire_where(crm_db *db, const char *date, int64_t person,
                             int (*fn)(void *arg, const char *const *vals), void *arg,
                             int64_t *count)
{
	crm_stmt *st;
	int64_t n = 0, base = 0;
	int rc = due_lots(db, date, person, &n);

	if (count)
		*count = n;
	if (rc || !n || (rc = write_offs(db, n, &base)) || !fn)
		return rc;
	if ((rc = crm_db_stmt(db, &st, "SELECT ?1 + rowid, person, -points, day || 'T00:00:00Z'"
	                      " FROM temp.loyalty_due ORDER BY rowid")))
		return rc;
	crm_stmt_bind_int(st, 1, base);
	return crm_loyalty_rows(st, fn, arg);
}

int crm_loyalty_expire_person(crm_db *db, int64_t person)
{
	char today[CRM_DATE_LEN];
	int64_t due;
	int rc;

	crm_loyalty_today(db, today);
	if ((rc = crm_loyalty_number(db, "SELECT EXISTS (SELECT 1 FROM loyalty_lots"
	                             " WHERE contact_id = ?1 AND expires <= ?2)", person, today, NULL,
	                             &due)) || !due)
		return rc;
	return crm_loyalty_expire_where(db, today, person, NULL, NULL, NULL);
}

int crm_loyalty_expire(crm_db *db, const char *date,
                       int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *n)
{
	int rc = crm_db_bulk_wide(db); /* the run touches indexes all over the file */

	return rc ? rc : crm_loyalty_expire_where(db, date, 0, fn, arg, n);
}

/* Statements */

struct running {
	int (*fn)(void *arg, const char *const *vals);
	void *arg;
	int64_t balance;
};

static int statement_row(void *arg, const char *const *vals)
{
	struct running *r = arg;
	char bal[24];
	const char *row[CRM_STATEMENT_COLUMNS] = { vals[0], vals[1], vals[2], vals[3], bal, vals[4],
		                                   vals[5] };

	r->balance += strtoll(vals[3], NULL, 10);
	snprintf(bal, sizeof bal, "%lld", (long long)r->balance);
	return r->fn(r->arg, row);
}

int crm_loyalty_statement(crm_db *db, int64_t person, const char *since,
                          int (*fn)(void *arg, const char *const *vals), void *arg)
{
	struct running r = { fn, arg, 0 };
	crm_stmt *st;
	char from[CRM_DATE_LEN + 1];
	int rc;

	snprintf(from, sizeof from, "%s", since ? since : "");
	if ((rc = crm_loyalty_number(db, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger"
	                             " WHERE contact_id = ?1 AND at < ?2", person, from, NULL,
	                             &r.balance)))
		return rc;
	if ((rc = crm_db_stmt(db, &st, "SELECT id, at, kind, points, expires,"
	                      " coalesce(CASE WHEN purchase_id IS NOT NULL THEN 'purchase '"
	                      " || purchase_id || coalesce(' ' || rule, '') END, reward, reason, '')"
	                      " FROM loyalty_ledger WHERE contact_id = ?1 AND at >= ?2"
	                      " ORDER BY at, id")))
		return rc;
	crm_stmt_bind_int(st, 1, person);
	crm_stmt_bind_text(st, 2, from);
	return crm_loyalty_rows(st, statement_row, &r);
}

int crm_loyalty_rows(crm_stmt *st, int (*fn)(void *arg, const char *const *vals), void *arg)
{
	const char *vals[16];
	int rc, n = crm_stmt_columns(st);

	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < n && i < 16; i++)
			vals[i] = crm_stmt_kind(st, i) == CRM_KIND_NULL ? NULL : crm_stmt_text(st, i);
		if ((rc = fn(arg, vals)))
			break;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_loyalty_explain(crm_db *db, int64_t person,
                        int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char today[CRM_DATE_LEN];
	crm_stmt *st;
	/* What is left past its expiry day counts as expired, as in the
	 * balance, before the nightly run writes it off. */
	int rc = crm_db_stmt(db, &st, "SELECT id, at, kind, what, purchase_id, points, spent,"
	                     " expired + CASE WHEN expires <= ?2 THEN left ELSE 0 END,"
	                     " CASE WHEN expires <= ?2 THEN 0 ELSE left END, expires FROM"
	                     " (SELECT e.id, e.at, e.kind, coalesce(e.rule, e.reason) AS what,"
	                     " e.purchase_id, e.points, e.expires,"
	                     " coalesce((SELECT sum(u.points) FROM loyalty_uses u JOIN loyalty_ledger x"
	                     " ON x.id = u.entry_id WHERE u.lot_id = e.id AND x.kind <> 'expire'), 0)"
	                     " AS spent,"
	                     " coalesce((SELECT sum(u.points) FROM loyalty_uses u JOIN loyalty_ledger x"
	                     " ON x.id = u.entry_id WHERE u.lot_id = e.id AND x.kind = 'expire'), 0)"
	                     " AS expired,"
	                     " coalesce((SELECT remaining FROM loyalty_lots WHERE entry_id = e.id), 0)"
	                     " AS left FROM loyalty_ledger e WHERE e.contact_id = ?1 AND e.points > 0)"
	                     " ORDER BY at, id");

	if (rc)
		return rc;
	crm_loyalty_today(db, today);
	crm_stmt_bind_int(st, 1, person);
	crm_stmt_bind_text(st, 2, today);
	return crm_loyalty_rows(st, fn, arg);
}
