/* check_rates.c - exchange rates in the database: setting them by hand,
 * the rate of a day, importing the ECB's reference-rate CSV (crossed when
 * the base is not the euro) and converting amounts to the base currency.
 * Expected values were worked out by hand or with `bc -l`, never taken
 * from the code under test. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "crm/money.h"
#include "crm/rates.h"

static crm_db *db;
static crm_config *cfg;

static void setup(void)
{
	cfg = NULL;
	db = fx_open(true);
}

static void teardown(void)
{
	fx_close(db);
	crm_config_free(cfg);
}

/* Reopens the scratch database with a configuration read from yaml, in a
 * write transaction. */
static void configure(const char *yaml)
{
	crm_db_close(db);
	cfg = fx_config(yaml);
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, cfg), CRM_OK);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
}

static int collect_rate(void *arg, const char *const *vals)
{
	char *out = arg;
	size_t len = strlen(out);

	snprintf(out + len, 1024 - len, "%s %s %s;", vals[0], vals[1], vals[2]);
	return 0;
}

/* Every stored rate (of currency only, unless NULL) as "date CUR rate;". */
static const char *rates(const char *currency)
{
	static char out[1024];

	out[0] = '\0';
	ck_assert_int_eq(crm_rates_list(db, currency, collect_rate, out), CRM_OK);
	return out;
}

static void set_ok(const char *date, const char *currency, const char *rate)
{
	ck_assert_msg(crm_rates_set(db, date, currency, rate) == CRM_OK, "%s %s %s: %s", date,
		      currency, rate, crm_error_message());
}

static void set_fails(const char *date, const char *currency, const char *rate,
		      const char *message)
{
	ck_assert_msg(crm_rates_set(db, date, currency, rate) == CRM_EDATA, "%s %s %s accepted",
		      date, currency, rate);
	ck_assert_str_eq(crm_error_message(), message);
}

/* Checks the rate of currency on date, as text. */
static void rate_on_is(const char *currency, const char *date, const char *want)
{
	struct crm_rate r = { 0, 0 };
	char text[CRM_RATE_TEXT];

	ck_assert_msg(crm_rate_on(db, currency, date, &r) == CRM_OK, "%s on %s: %s", currency, date,
		      crm_error_message());
	ck_assert_int_eq(crm_rate_format(text, sizeof text, &r), CRM_OK);
	ck_assert_msg(!strcmp(text, want), "%s on %s is %s, not %s", currency, date, text, want);
}

/* Checks that currency has no rate on date, with the message naming both. */
static void rate_on_fails(const char *currency, const char *date)
{
	struct crm_rate r = { 7, 1 };
	char want[128];

	ck_assert_msg(crm_rate_on(db, currency, date, &r) == CRM_EDATA, "%s on %s found", currency,
		      date);
	snprintf(want, sizeof want, "no rate for %s on or before %.10s", currency, date);
	ck_assert_msg(!strncmp(crm_error_message(), want, strlen(want)), "message '%s'",
		      crm_error_message());
}

/* Converts text (an amount with its code) to the base currency on date
 * and checks the result, formatted. */
static void base_is(const char *text, const char *date, const char *want)
{
	struct crm_money m, out = { 0, "" };
	char buf[CRM_MONEY_TEXT];

	ck_assert_int_eq(crm_money_parse(&m, text, NULL), CRM_OK);
	ck_assert_msg(crm_money_base(db, &m, date, &out) == CRM_OK, "%s on %s: %s", text, date,
		      crm_error_message());
	ck_assert_int_eq(crm_money_format(buf, sizeof buf, &out), CRM_OK);
	ck_assert_msg(!strcmp(buf, want), "%s on %s gave %s, not %s", text, date, buf, want);
}

/* Imports text as an in-memory file called ecb.csv. */
static int import(const char *text, struct crm_rates_counts *n)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc;

	ck_assert_ptr_nonnull(in);
	rc = crm_rates_import(db, in, "ecb.csv", n);
	fclose(in);
	return rc;
}

static void counts_are(const struct crm_rates_counts *n, long rows, long stored, long skipped)
{
	ck_assert_msg(n->rows == rows && n->stored == stored && n->skipped == skipped,
		      "rows %ld stored %ld skipped %ld, not %ld %ld %ld", n->rows, n->stored,
		      n->skipped, rows, stored, skipped);
}

/* Checks that the import of text fails with message and, once the
 * transaction is rolled back as a command would, left no rate. */
static void import_fails(const char *text, const char *message)
{
	struct crm_rates_counts n;

	ck_assert_msg(import(text, &n) == CRM_EDATA, "'%s' imported", text);
	ck_assert_str_eq(crm_error_message(), message);
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_begin(db, false), CRM_OK);
	ck_assert_str_eq(rates(NULL), "");
	rate_on_fails("JPY", "2026-12-31");
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
}

START_TEST(test_set_errors)
{
	set_fails("2026-02-30", "USD", "1.05", "invalid date '2026-02-30'");
	set_fails("someday", "USD", "1.05", "invalid date 'someday'");
	set_fails("", "USD", "1.05", "invalid date ''");
	set_fails("2026-01-05", "XYZ", "1.05", "unknown currency 'XYZ'");
	set_fails("2026-01-05", "dollar", "1.05", "unknown currency 'dollar'");
	set_fails("2026-01-05", "EUR", "1.05", "EUR is the base currency: its rate is always 1");
	set_fails("2026-01-05", " eur", "1", "EUR is the base currency: its rate is always 1");
	set_fails("2026-01-05", "USD", "0", "rate not positive '0'");
	set_fails("2026-01-05", "USD", "0.0000", "rate not positive '0.0000'");
	set_fails("2026-01-05", "USD", "-1.05", "rate not positive '-1.05'");
	set_fails("2026-01-05", "USD", "N/A", "invalid rate 'N/A'");
	set_fails("2026-01-05", "USD", "1,05", "invalid rate '1,05'");
	set_fails("2026-01-05", "USD", "", "invalid rate ''");
	ck_assert_str_eq(rates(NULL), "");
}
END_TEST

START_TEST(test_set_read_only)
{
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	crm_db_close(db);
	ck_assert_int_eq(crm_db_open(&db, fx_path, CRM_DB_READONLY, NULL), CRM_OK);
	ck_assert_int_eq(crm_rates_set(db, "2026-01-05", "USD", "1.05"), CRM_EREADONLY);
}
END_TEST

START_TEST(test_set_forms)
{
	/* The clock of the fixture reads 2026-11-22T09:30:00Z. */
	set_ok("2026-01-05T23:30:00Z", "usd", " 1.0500 ");
	set_ok("today", "JPY", "157.29");
	set_ok("-1w", "GBP", "0.8712");
	ck_assert_str_eq(rates(NULL),
			 "2026-01-05 USD 1.05;2026-11-15 GBP 0.8712;2026-11-22 JPY 157.29;");
	/* A second rate for a day replaces the first. */
	set_ok("2026-01-05", "USD", "1.06");
	ck_assert_str_eq(rates("usd"), "2026-01-05 USD 1.06;");
	ck_assert_str_eq(rates("JPY"), "2026-11-22 JPY 157.29;");
	ck_assert_int_eq(crm_rates_list(db, "XYZ", collect_rate, NULL), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "unknown currency 'XYZ'");
}
END_TEST

START_TEST(test_rate_on)
{
	set_ok("2026-01-01", "GBP", "0.85");
	set_ok("2026-01-05", "USD", "1.03");
	set_ok("2026-01-10", "USD", "1.05");
	rate_on_fails("USD", "2026-01-02");
	rate_on_fails("USD", "2026-01-04");
	rate_on_is("USD", "2026-01-05", "1.03");
	rate_on_is("USD", "2026-01-09", "1.03");
	rate_on_is("USD", "2026-01-09T23:59:59Z", "1.03");
	rate_on_is("USD", "2026-01-10", "1.05");
	rate_on_is("USD", "2026-01-10T00:00:00Z", "1.05");
	rate_on_is("USD", "2030-06-01", "1.05");
	rate_on_is("GBP", "2026-01-09", "0.85");
	/* Another currency's rates never stand in: JPY sorts between GBP and
	 * USD, CHF before both, ZAR after. */
	rate_on_fails("JPY", "2026-06-01");
	rate_on_fails("CHF", "2026-06-01");
	rate_on_fails("ZAR", "2026-06-01");
	rate_on_fails("GBP", "2025-12-31");
	/* The base currency is 1 on every day. */
	rate_on_is("EUR", "1999-01-01", "1");
	/* A rate set after a lookup is seen by the next one. */
	set_ok("2026-01-07", "USD", "1.04");
	rate_on_is("USD", "2026-01-08", "1.04");
	rate_on_is("USD", "2026-01-06", "1.03");
	set_ok("2026-01-01", "USD", "1.01");
	rate_on_is("USD", "2026-01-02", "1.01");
}
END_TEST

START_TEST(test_money_base)
{
	struct crm_money m, out = { 0, "" };

	set_ok("2026-01-05", "USD", "1.05");
	set_ok("2026-02-01", "USD", "2");
	set_ok("2026-03-01", "USD", "1.6");
	set_ok("2026-01-05", "JPY", "157.29");
	set_ok("2026-01-05", "KWD", "0.3195");
	/* 4800 / 1.05 = 4571.4285... */
	base_is("4800 USD", "2026-01-05", "4571.43 EUR");
	base_is("4800 USD", "2026-01-31", "4571.43 EUR");
	/* Halves go to the even cent: 0.015, 0.025, 0.035, 0.005, -0.025. */
	base_is("0.03 USD", "2026-02-01", "0.02 EUR");
	base_is("0.05 USD", "2026-02-01", "0.02 EUR");
	base_is("0.07 USD", "2026-02-01", "0.04 EUR");
	base_is("0.01 USD", "2026-02-01", "0.00 EUR");
	base_is("-0.05 USD", "2026-02-01", "-0.02 EUR");
	base_is("-0.03 USD", "2026-02-01", "-0.02 EUR");
	/* 1 / 1.6 = 0.625 */
	base_is("1 USD", "2026-03-01", "0.62 EUR");
	base_is("3 USD", "2026-03-01", "1.88 EUR"); /* 1.875 */
	/* Other numbers of decimals: 1000 / 157.29 = 6.3576...,
	 * 12.345 / 0.3195 = 38.6384... */
	base_is("1000 JPY", "2026-01-05", "6.36 EUR");
	base_is("12.345 KWD", "2026-01-05", "38.64 EUR");
	/* The base itself needs no rate. */
	base_is("12.34 EUR", "1990-01-01", "12.34 EUR");
	/* No rate yet. */
	ck_assert_int_eq(crm_money_parse(&m, "10 USD", NULL), CRM_OK);
	ck_assert_int_eq(crm_money_base(db, &m, "2026-01-02", &out), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "no rate for USD on or before 2026-01-02 (crm-db rates)");
	ck_assert_int_eq(crm_money_parse(&m, "10 GBP", NULL), CRM_OK);
	ck_assert_int_eq(crm_money_base(db, &m, "2026-11-22T09:30:00Z", &out), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "no rate for GBP on or before 2026-11-22 (crm-db rates)");
}
END_TEST

START_TEST(test_import_history)
{
	struct crm_rates_counts n;

	ck_assert_int_eq(import("Date,USD,JPY,BGN,CYP,\n"
				"2026-11-30,1.0512,157.29,1.9558,N/A,\n"
				"2026-11-27,1.0498,156.90,1.9558,N/A,\n", &n), CRM_OK);
	counts_are(&n, 2, 6, 2);
	ck_assert_str_eq(rates(NULL), "2026-11-27 BGN 1.9558;2026-11-27 JPY 156.9;"
			 "2026-11-27 USD 1.0498;2026-11-30 BGN 1.9558;2026-11-30 JPY 157.29;"
			 "2026-11-30 USD 1.0512;");
	rate_on_is("USD", "2026-11-28", "1.0498");
	rate_on_is("USD", "2026-12-01", "1.0512");
	rate_on_fails("CYP", "2026-12-01");
	base_is("1051.20 USD", "2026-11-30", "1000.00 EUR");
	/* Importing the same file again replaces the same rates. */
	ck_assert_int_eq(import("Date,USD,JPY,BGN,CYP,\n"
				"2026-11-30,1.0513,157.29,1.9558,N/A,\n", &n), CRM_OK);
	counts_are(&n, 1, 3, 1);
	ck_assert_str_eq(rates("USD"), "2026-11-27 USD 1.0498;2026-11-30 USD 1.0513;");
	rate_on_is("USD", "2026-12-01", "1.0513");
}
END_TEST

START_TEST(test_import_daily_file)
{
	struct crm_rates_counts n;

	ck_assert_int_eq(import("Date, USD, JPY, \n02 December 2026, 1.0512, 157.29, \n", &n),
			 CRM_OK);
	counts_are(&n, 1, 2, 0);
	ck_assert_str_eq(rates(NULL), "2026-12-02 JPY 157.29;2026-12-02 USD 1.0512;");
}
END_TEST

START_TEST(test_import_bad_dates)
{
	import_fails("Date,USD\n2026-11-30,1.05\n2026-11-31,1.06\n",
		     "ecb.csv:3: invalid date '2026-11-31'");
	import_fails("Date,USD\n2026-11-30,1.05\n31 Nowember 2026,1.06\n",
		     "ecb.csv:3: invalid date '31 Nowember 2026'");
}
END_TEST

START_TEST(test_import_bad_rates)
{
	import_fails("Date,USD,JPY\n2026-11-30,1.0512,abc\n",
		     "ecb.csv:2: JPY: invalid rate 'abc'");
	import_fails("Date,USD,JPY\n2026-11-27,1.0498,156.90\n2026-11-30,-1.0512,157.29\n",
		     "ecb.csv:3: USD: rate not positive '-1.0512'");
	import_fails("Date, USD, JPY, \n02 December 2026, 1.0512, 0, \n",
		     "ecb.csv:2: JPY: rate not positive '0'");
}
END_TEST

START_TEST(test_import_base_usd)
{
	struct crm_rates_counts n;

	configure("base_currency: USD\n");
	ck_assert_int_eq(import("Date,USD,JPY,BGN,CYP,\n"
				"2026-11-30,1.0512,157.29,1.9558,N/A,\n", &n), CRM_OK);
	counts_are(&n, 1, 3, 1);
	/* Per dollar, to 12 significant digits (bc -l):
	 * 1 / 1.0512 = 0.951293759512937..., 157.29 / 1.0512 = 149.6289954337...,
	 * 1.9558 / 1.0512 = 1.860540334855... */
	ck_assert_str_eq(rates(NULL), "2026-11-30 BGN 1.86054033486;2026-11-30 EUR 0.951293759513;"
			 "2026-11-30 JPY 149.628995434;");
	set_fails("2026-11-30", "usd", "1", "USD is the base currency: its rate is always 1");
	rate_on_is("USD", "2026-11-30", "1");
	/* 100 / 0.951293759513 = 105.1199999999931...,
	 * 1000 / 149.628995434 = 6.6831966431... */
	base_is("100 EUR", "2026-11-30", "105.12 USD");
	base_is("1000 JPY", "2026-12-01", "6.68 USD");
	base_is("7.5 USD", "2026-12-01", "7.50 USD");
}
END_TEST

/* A day the base currency had no fixing gives no rate per base: its
 * other cells are skipped -- the nameless column a trailing comma makes
 * is no cell, as on the other days. */
START_TEST(test_import_base_not_fixed)
{
	struct crm_rates_counts n;

	configure("base_currency: USD\n");
	ck_assert_int_eq(import("Date,USD,JPY,BGN,CYP,\n"
				"2026-11-30,1.0512,157.29,1.9558,N/A,\n"
				"2026-11-27,N/A,156.90,1.9558,N/A,\n", &n), CRM_OK);
	ck_assert_str_eq(rates(NULL), "2026-11-30 BGN 1.86054033486;2026-11-30 EUR 0.951293759513;"
			 "2026-11-30 JPY 149.628995434;");
	counts_are(&n, 2, 3, 1 + 4);
}
END_TEST

/* A malformed rate is an error in the base currency's own column too,
 * not a day without a fixing. */
START_TEST(test_import_bad_base_rate)
{
	configure("base_currency: USD\n");
	import_fails("Date,USD,JPY\n2026-11-27,1.0498,156.90\n2026-11-30,abc,157.29\n",
		     "ecb.csv:3: USD: invalid rate 'abc'");
}
END_TEST

/* Rates live in memory for speed, but never outlive what the database
 * holds: a rate set in a transaction that is rolled back is gone. */
START_TEST(test_rate_after_rollback)
{
	set_ok("2026-01-05", "USD", "1.05");
	rate_on_is("USD", "2026-01-05", "1.05");
	crm_db_rollback(db);
	ck_assert_int_eq(crm_db_begin(db, false), CRM_OK);
	ck_assert_str_eq(rates(NULL), "");
	rate_on_fails("USD", "2026-01-05");
}
END_TEST

Suite *rates_suite(void)
{
	Suite *s = suite_create("rates");
	TCase *tc = tcase_create("rates");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_set_errors);
	tcase_add_test(tc, test_set_read_only);
	tcase_add_test(tc, test_set_forms);
	tcase_add_test(tc, test_rate_on);
	tcase_add_test(tc, test_money_base);
	tcase_add_test(tc, test_import_history);
	tcase_add_test(tc, test_import_daily_file);
	tcase_add_test(tc, test_import_bad_dates);
	tcase_add_test(tc, test_import_bad_rates);
	tcase_add_test(tc, test_import_base_usd);
	tcase_add_test(tc, test_import_base_not_fixed);
	tcase_add_test(tc, test_import_bad_base_rate);
	tcase_add_test(tc, test_rate_after_rollback);
	suite_add_tcase(s, tc);
	return s;
}
