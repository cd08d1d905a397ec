/* rates.h - exchange rates and amounts in the base currency (crm(7)).
 *
 * A rate is how many units of a currency one unit of the base currency
 * (base_currency in crm-config(5)) buys on a date.  An amount converts to
 * the base at the latest rate on or before the date asked for: money that
 * changed hands at its own date, open amounts at the report's date.
 */
#ifndef CRM_RATES_H
#define CRM_RATES_H

#include <stdio.h>

#include "crm/db.h"
#include "crm/money.h"

/* Records that one unit of the base currency bought rate units of
 * currency on date (any form crm_date_parse takes), replacing what that
 * day had.  CRM_EDATA for a bad date, an unknown currency, the base
 * currency itself or an invalid rate. */
int crm_rates_set(crm_db *db, const char *date, const char *currency, const char *rate);

/* What an import of rates did. */
struct crm_rates_counts {
	long rows;    /* days read */
	long stored;  /* rates stored */
	long skipped; /* cells without a fixing ("N/A", empty) or not a currency */
};

/* Reads the European Central Bank's reference-rate CSV from in (named
 * name in messages) -- a Date column and a column of units per euro for
 * each currency -- and stores each rate per unit of the base currency,
 * crossing through the base's own rate of the day when the base is not
 * the euro.  CRM_EDATA naming file, line and column for a bad date or
 * rate; nothing is stored then (the caller's transaction rolls back). */
int crm_rates_import(crm_db *db, FILE *in, const char *name, struct crm_rates_counts *n);

/* Calls fn(arg, vals) with date, currency and rate for each stored rate
 * (of currency only, unless NULL), oldest first. */
int crm_rates_list(crm_db *db, const char *currency,
                   int (*fn)(void *arg, const char *const *vals), void *arg);

/* Stores in *out the rate of currency on date ("YYYY-MM-DD..."): the
 * latest on or before it; 1 for the base currency.  CRM_EDATA "no rate
 * for USD on or before 2026-01-02" when there is none. */
int crm_rate_on(crm_db *db, const char *currency, const char *date, struct crm_rate *out);

/* Stores in *out amount m in the base currency at the rate of date,
 * rounded half to even; CRM_EDATA as crm_rate_on. */
int crm_money_base(crm_db *db, const struct crm_money *m, const char *date,
                   struct crm_money *out);

#endif
