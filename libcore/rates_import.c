/* rates_import.c - reading the European Central Bank's reference rates.
 *
 * The ECB publishes a CSV file: a Date column, then one column per
 * currency holding its units per one euro, "N/A" where there was no
 * fixing.  The full history (eurofxref-hist.csv) writes dates as
 * 2026-12-02, the day's file (eurofxref.csv) as "02 December 2026" with a
 * space after each comma.  Rates are stored per unit of the base
 * currency, so when the base is not the euro each is crossed with the
 * base's own rate of that day.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/money.h"
#include "crm/rates.h"
#include "crm/reader.h"
#include "internal.h"

/* Copies s without the blanks around it into out (size n). */
static void trimmed(char *out, size_t n, const char *s)
{
	size_t len;

	s += strspn(s ? s : "", " \t");
	len = s ? strlen(s) : 0;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	snprintf(out, n, "%.*s", (int)len, s ? s : "");
}

/* Reads "2026-12-02" or "02 December 2026" into out. */
static int ecb_date(char out[CRM_DATE_LEN], const char *s, int64_t now)
{
	static const char *const months[] = { "january", "february", "march", "april", "may",
	                                      "june", "july", "august", "september", "october",
	                                      "november", "december" };
	char month[16], text[CRM_DATE_LEN + 4];
	int day, year, m;

	if (crm_date_parse(out, s, now) == CRM_OK)
		return CRM_OK;
	if (sscanf(s, "%2d %15s %4d", &day, month, &year) != 3)
		return CRM_EDATA;
	for (m = 0; m < 12 && strcasecmp(months[m], month); m++)
		;
	snprintf(text, sizeof text, "%04d-%02d-%02d", year, m + 1, day);
	return m < 12 && crm_date_parse(out, text, now) == CRM_OK ? CRM_OK : CRM_EDATA;
}

/* Stores the rate of column code from value, for the day: per euro, or
 * crossed to the base (whose rate per euro that day is base_eur). */
static int store_rate(crm_db *db, const char *day, const char *code, const char *value,
                      const char *base, const struct crm_rate *base_eur, long *stored)
{
	struct crm_rate r, out;
	const char *cur = code;
	int rc;

	if ((rc = crm_rate_parse(&r, value)))
		return rc;
	if (!strcmp(base, "EUR"))
		out = r;
	else if (!strcmp(code, base)) /* the euro's own rate per unit of the base */
		rc = crm_rate_cross(&out, &CRM_RATE_ONE, &r), cur = "EUR";
	else
		rc = crm_rate_cross(&out, &r, base_eur);
	if (!rc && !(rc = crm_rates_put(db, day, cur, &out)))
		(*stored)++;
	return rc;
}

/* Whether a cell holds no fixing: empty or "N/A". */
static int no_fixing(const char *text)
{
	return !*text || !strcasecmp(text, "N/A");
}

/* Finds the base currency's own rate per euro in the row: *have tells
 * whether the day fixed one (the euro needs none). */
static int base_rate(const struct crm_row *row, const char *base, struct crm_rate *out,
                     int *have)
{
	char code[8], text[64];

	*have = !strcmp(base, "EUR");
	for (size_t i = 1; i < row->n && !*have; i++) {
		trimmed(code, sizeof code, row->names[i]);
		trimmed(text, sizeof text, row->values[i]);
		if (strcmp(code, base) || no_fixing(text))
			continue;
		if (crm_rate_parse(out, text))
			return crm_error_prefix(code);
		*have = 1;
	}
	return CRM_OK;
}

/* Imports one row: its date, then every currency column with a fixing. */
static int import_row(crm_db *db, const struct crm_row *row, const char *name,
                      struct crm_rates_counts *n)
{
	const char *base = crm_config_currency(db->cfg);
	char day[CRM_DATE_LEN], text[64], code[8], place[300];
	struct crm_rate base_eur = CRM_RATE_ONE;
	int rc, have_base;

	snprintf(place, sizeof place, "%s:%ld", name, row->line);
	trimmed(text, sizeof text, row->n ? row->values[0] : "");
	if (ecb_date(day, text, db->now))
		return crm_error_set(CRM_EDATA, "%s: invalid date '%s'", place, text);
	if ((rc = base_rate(row, base, &base_eur, &have_base)))
		return crm_error_prefix(place);
	/* A day the base itself was not fixed gives no rate per base. */
	if (!have_base) {
		n->skipped += (long)row->n - 1;
		return CRM_OK;
	}
	for (size_t i = 1; i < row->n && !rc; i++) {
		trimmed(code, sizeof code, row->names[i]);
		trimmed(text, sizeof text, row->values[i]);
		if (!crm_currency_valid_p(code) || no_fixing(text)) {
			n->skipped += *code != '\0';
			continue;
		}
		if ((rc = store_rate(db, day, code, text, base, &base_eur, &n->stored)) == CRM_EDATA) {
			crm_error_prefix(code);
			crm_error_prefix(place);
		}
	}
	return rc;
}

int crm_rates_import(crm_db *db, FILE *in, const char *name, struct crm_rates_counts *n)
{
	struct crm_reader_opts o = { .format = CRM_FORMAT_CSV };
	char text[80];
	struct crm_row row;
	crm_reader *r;
	int rc;

	memset(n, 0, sizeof *n);
	if ((rc = crm_db_writable(db)) || (rc = crm_reader_open(&r, in, name, &o)))
		return rc;
	crm_rates_forget(db);
	while ((rc = crm_reader_next(r, &row)) > 0) {
		n->rows++;
		if (row.error)
			rc = crm_error_set(CRM_EDATA, "%s:%ld: %s", name, row.line, row.error);
		else
			rc = import_row(db, &row, name, n);
		if (rc)
			break;
	}
	crm_reader_close(r);
	if (rc < 0)
		return rc;
	/* One audit entry says what the import stored. */
	snprintf(text, sizeof text, "%ld rates of %ld days", n->stored, n->rows);
	return crm_audit_change(db, "rate", 0, "import", name, NULL, text);
}
