/* rates.c - exchange rates: kept in the database as units of a currency
 * per one unit of the base currency, on a date; an amount converts at the
 * latest rate on or before the date asked for (crm(7)).
 *
 * Conversions read the rates from memory: they are loaded once per
 * command, when the first is needed, and again after the rates change,
 * so that a report over a million deals makes no query per deal.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/money.h"
#include "crm/rates.h"
#include "crm/reader.h"
#include "internal.h"

struct rate_row {
	char currency[4];
	char date[CRM_DATE_LEN];
	struct crm_rate rate;
};

struct crm_rates {
	struct rate_row *v;
	size_t n, cap;
};

void crm_rates_forget(crm_db *db)
{
	if (db->rates) {
		free(db->rates->v);
		free(db->rates);
		db->rates = NULL;
	}
}

static int load(crm_db *db)
{
	struct crm_rates *r = calloc(1, sizeof *r);
	crm_stmt *st;
	int rc;

	if (!r)
		return crm_error_nomem();
	/* Sorted as the lookups search: by currency, then date. */
	if ((rc = crm_db_prepare(db, &st, "SELECT currency, date, rate FROM rates"
	                         " ORDER BY currency, date"))) {
		free(r);
		return rc;
	}
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		struct rate_row *row;

		if (r->n == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 256;
			struct rate_row *p = realloc(r->v, cap * sizeof *p);

			if (!p) {
				rc = crm_error_nomem();
				break;
			}
			r->v = p;
			r->cap = cap;
		}
		row = &r->v[r->n];
		snprintf(row->currency, sizeof row->currency, "%s", crm_stmt_text(st, 0));
		snprintf(row->date, sizeof row->date, "%s", crm_stmt_text(st, 1));
		if (crm_rate_parse(&row->rate, crm_stmt_text(st, 2)) == CRM_OK)
			r->n++;
	}
	crm_stmt_finalize(st);
	if (rc < 0) {
		free(r->v);
		free(r);
		return rc;
	}
	db->rates = r;
	return CRM_OK;
}

static int row_cmp(const char *cur, const char *date, const struct rate_row *row)
{
	int c = strcmp(cur, row->currency);

	return c ? c : strcmp(date, row->date);
}

int crm_rate_on(crm_db *db, const char *currency, const char *date, struct crm_rate *out)
{
	size_t lo = 0, hi;
	int rc;

	if (!strcmp(currency, crm_config_currency(db->cfg))) {
		*out = CRM_RATE_ONE;
		return CRM_OK;
	}
	if (!db->rates && (rc = load(db)))
		return rc;
	/* The last row at or before (currency, date). */
	hi = db->rates->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (row_cmp(currency, date, &db->rates->v[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0 || strcmp(db->rates->v[lo - 1].currency, currency))
		return crm_error_set(CRM_EDATA, "no rate for %s on or before %.10s (crm-db rates)",
		                     currency, date);
	*out = db->rates->v[lo - 1].rate;
	return CRM_OK;
}

int crm_money_base(crm_db *db, const struct crm_money *m, const char *date, struct crm_money *out)
{
	struct crm_rate rate;
	int rc;

	if (!strcmp(m->cur, crm_config_currency(db->cfg))) {
		*out = *m;
		return CRM_OK;
	}
	if ((rc = crm_rate_on(db, m->cur, date, &rate)))
		return rc;
	return crm_money_convert(out, m, crm_config_currency(db->cfg), &rate, &CRM_RATE_ONE);
}

int crm_rates_put(crm_db *db, const char *date, const char *currency, const struct crm_rate *r)
{
	char text[CRM_RATE_TEXT];
	crm_stmt *st;
	int rc;

	if ((rc = crm_rate_format(text, sizeof text, r)) ||
	    (rc = crm_db_stmt(db, &st, "INSERT OR REPLACE INTO rates(currency, date, rate)"
	                      " VALUES (?1, ?2, ?3)")))
		return rc;
	crm_stmt_bind_text(st, 1, currency);
	crm_stmt_bind_text(st, 2, date);
	crm_stmt_bind_text(st, 3, text);
	return crm_stmt_done(st);
}

/* Stores one rate and audits it: entity "rate", id 0, the currency and
 * day with the old and new rate. */
static int set_audited(crm_db *db, const char *day, const char *code, const struct crm_rate *r)
{
	crm_buf name = CRM_BUF_INIT;
	char text[CRM_RATE_TEXT], *old = NULL;
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_stmt(db, &st, "SELECT rate FROM rates WHERE currency = ?1 AND date = ?2")))
		return rc;
	crm_stmt_bind_text(st, 1, code);
	crm_stmt_bind_text(st, 2, day);
	if ((rc = crm_stmt_step(st)) == CRM_ROW && !(old = strdup(crm_stmt_text(st, 0))))
		rc = crm_error_nomem();
	crm_stmt_reset(st);
	if (rc < 0) {
		free(old);
		return rc;
	}
	crm_buf_printf(&name, "%s %s", code, day);
	if (!(rc = crm_rate_format(text, sizeof text, r)) && !(rc = crm_rates_put(db, day, code, r)))
		rc = crm_audit_change(db, "rate", 0, "set", crm_buf_str(&name), old, text);
	free(old);
	crm_buf_free(&name);
	return rc;
}

int crm_rates_set(crm_db *db, const char *date, const char *currency, const char *rate)
{
	char day[CRM_DATE_LEN], code[4];
	struct crm_rate r;
	int rc;

	if ((rc = crm_db_writable(db)))
		return rc;
	if (crm_date_parse(day, date, db->now))
		return crm_error_set(CRM_EDATA, "invalid date '%s'", date);
	if ((rc = crm_currency_normalize(code, currency)))
		return rc;
	if (!strcmp(code, crm_config_currency(db->cfg)))
		return crm_error_set(CRM_EDATA, "%s is the base currency: its rate is always 1", code);
	if ((rc = crm_rate_parse(&r, rate)))
		return rc;
	crm_rates_forget(db);
	return set_audited(db, day, code, &r);
}

int crm_rates_list(crm_db *db, const char *currency,
                   int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char code[4];
	crm_stmt *st;
	const char *vals[3];
	int rc, stop = 0;

	if (currency && (rc = crm_currency_normalize(code, currency)))
		return rc == CRM_EDATA ? crm_error_recode(CRM_EUSAGE) : rc;
	if ((rc = crm_db_stmt(db, &st, "SELECT date, currency, rate FROM rates"
	                      " WHERE ?1 IS NULL OR currency = ?1 ORDER BY date, currency")))
		return rc;
	crm_stmt_bind_text(st, 1, currency ? code : NULL);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < 3; i++)
			vals[i] = crm_stmt_text(st, i);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}
