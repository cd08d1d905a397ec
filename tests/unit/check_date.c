/* check_date.c - dates, timestamps, relative offsets and $CRM_NOW. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm/date.h"
#include "crm/error.h"

/* 2026-11-22T09:30:00Z, worked out with date -u -d ... +%s. */
#define NOW INT64_C(1795339800)
/* 2026-01-31T12:00:00Z */
#define JAN31 INT64_C(1769860800)

static char *saved_now;

static void setup(void)
{
	const char *v = getenv("CRM_NOW");

	saved_now = v ? strdup(v) : NULL;
	crm_error_clear();
}

static void teardown(void)
{
	if (saved_now)
		setenv("CRM_NOW", saved_now, 1);
	else
		unsetenv("CRM_NOW");
	free(saved_now);
	saved_now = NULL;
}

static void date_is(const char *in, int64_t now, const char *want)
{
	char out[CRM_DATE_LEN];

	ck_assert_msg(crm_date_parse(out, in, now) == CRM_OK, "'%s' rejected: %s", in,
	              crm_error_message());
	ck_assert_str_eq(out, want);
}

static void time_is(const char *in, int64_t now, const char *want)
{
	char out[CRM_TIME_LEN];

	ck_assert_msg(crm_time_parse(out, in, now) == CRM_OK, "'%s' rejected: %s", in,
	              crm_error_message());
	ck_assert_str_eq(out, want);
}

static void rejected(const char *in)
{
	char d[CRM_DATE_LEN], t[CRM_TIME_LEN];

	ck_assert_msg(crm_date_parse(d, in, NOW) == CRM_EDATA, "date '%s' accepted", in);
	ck_assert_msg(crm_time_parse(t, in, NOW) == CRM_EDATA, "time '%s' accepted", in);
}

/* Formats t the way the C library does, as an independent reference. */
static void libc_format(int64_t t, char out[CRM_TIME_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
	ck_assert_uint_eq(strftime(out, CRM_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
}

START_TEST(test_leap_years)
{
	date_is("2024-02-29", NOW, "2024-02-29");
	date_is("2000-02-29", NOW, "2000-02-29");
	date_is("2026-12-31", NOW, "2026-12-31");
	rejected("2023-02-29");
	rejected("1900-02-29");
	rejected("2026-02-30");
	rejected("2026-04-31");
	rejected("2026-00-10");
	rejected("2026-01-00");
}
END_TEST

START_TEST(test_words_and_day_offsets)
{
	date_is("today", NOW, "2026-11-22");
	date_is("yesterday", NOW, "2026-11-21");
	date_is("tomorrow", NOW, "2026-11-23");
	date_is("Today", NOW, "2026-11-22");
	date_is("+3d", NOW, "2026-11-25");
	date_is("+10d", NOW, "2026-12-02");
	date_is("-2w", NOW, "2026-11-08");
	date_is("+0d", NOW, "2026-11-22");
	date_is("+99999d", NOW, "2300-09-06");
	time_is("today", NOW, "2026-11-22T09:30:00Z");
	time_is("tomorrow", NOW, "2026-11-23T09:30:00Z");
	time_is("-2w", NOW, "2026-11-08T09:30:00Z");
}
END_TEST

START_TEST(test_month_and_year_offsets)
{
	date_is("+1m", JAN31, "2026-02-28");
	date_is("+13m", JAN31, "2027-02-28");
	date_is("+2m", JAN31, "2026-03-31");
	date_is("-2m", JAN31, "2025-11-30");
	date_is("-1y", JAN31, "2025-01-31");
	time_is("+1m", JAN31, "2026-02-28T12:00:00Z");
	time_is("+1m", NOW, "2026-12-22T09:30:00Z");
	/* 2024-01-31T00:00:00Z and 2024-02-29T00:00:00Z */
	date_is("+1m", INT64_C(1706659200), "2024-02-29");
	date_is("-1y", INT64_C(1709164800), "2023-02-28");
	date_is("+4y", INT64_C(1709164800), "2028-02-29");
	date_is("-2025y", NOW, "0001-11-22");
}
END_TEST

START_TEST(test_zone_offsets)
{
	time_is("2026-11-22T10:30:00+02:00", NOW, "2026-11-22T08:30:00Z");
	time_is("2026-11-22T10:30:00+0200", NOW, "2026-11-22T08:30:00Z");
	time_is("2026-01-01T01:00:00+02:00", NOW, "2025-12-31T23:00:00Z");
	time_is("2026-12-31T23:30:00-01:00", NOW, "2027-01-01T00:30:00Z");
	time_is("2024-02-28T23:00-05:00", NOW, "2024-02-29T04:00:00Z");
	time_is("2026-03-01T00:15+00:30", NOW, "2026-02-28T23:45:00Z");
	time_is("2026-03-01T00:15-00:30", NOW, "2026-03-01T00:45:00Z");
	/* As a date, the day written: a birth date exported at midnight in
	 * its writer's zone, a deal closing late on the last day of March. */
	date_is("2026-01-01T01:00:00+02:00", NOW, "2026-01-01");
	date_is("2026-12-31T23:30:00-01:00", NOW, "2026-12-31");
	date_is("1985-03-14T00:00:00+01:00", NOW, "1985-03-14");
	date_is("2026-03-31 23:00-0500", NOW, "2026-03-31");
	date_is("2026-03-31t23:00z", NOW, "2026-03-31");
}
END_TEST

START_TEST(test_time_forms)
{
	time_is("2026-11-22T09:30:00Z", NOW, "2026-11-22T09:30:00Z");
	time_is("2026-11-22 09:30", NOW, "2026-11-22T09:30:00Z");
	time_is("2026-11-22T09:30:15.123Z", NOW, "2026-11-22T09:30:15Z");
	time_is("2026-11-22t09:30:00z", NOW, "2026-11-22T09:30:00Z");
	time_is("2026-11-22", NOW, "2026-11-22T00:00:00Z");
	time_is("2026-06-30T23:59:60Z", NOW, "2026-06-30T23:59:59Z");
	time_is("0001-01-01T00:00:00Z", NOW, "0001-01-01T00:00:00Z");
	time_is("9999-12-31T23:59:59Z", NOW, "9999-12-31T23:59:59Z");
}
END_TEST

START_TEST(test_garbage)
{
	static const char *const bad[] = {
		"2026-13-01", "2026-1-1x", "", "+d", "today!", "2026-1-01", "26-01-01",
		"2026-01-01x", "2026-01-01T", "2026-01-01T10", "2026-01-01T24:00",
		"2026-01-01T10:60", "2026-01-01T10:00:61", "2026-01-01T10:00:00.",
		"2026-01-01T10:00+24:00", "2026-01-01T10:00+02", "2026-01-01T10:00Zx",
		" 2026-01-01", "2026-01-01 ", "+123456d", "+1x", "1d", "+1D", "+-1d",
		"0000-12-31", "10000-01-01", "0001-01-01T00:30:00+01:00",
		"9999-12-31T23:00:00-02:00", "+99999y", "-2026y", "now", "todayx"
	};
	char out[CRM_TIME_LEN];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		rejected(bad[i]);
	ck_assert_int_eq(crm_date_parse(out, "2026-13-01", NOW), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "invalid date '2026-13-01'");
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
}
END_TEST

START_TEST(test_epoch)
{
	int64_t t;

	ck_assert_int_eq(crm_time_parse_epoch(&t, "2026-11-22T09:30:00Z", 0), CRM_OK);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(crm_time_parse_epoch(&t, "1969-12-31T23:59:59Z", 0), CRM_OK);
	ck_assert_int_eq(t, -1);
	ck_assert_int_eq(crm_time_parse_epoch(&t, "0001-01-01", 0), CRM_OK);
	ck_assert_int_eq(t, INT64_C(-62135596800));
	ck_assert_int_eq(crm_time_parse_epoch(&t, "9999-12-31T23:59:59Z", 0), CRM_OK);
	ck_assert_int_eq(t, INT64_C(253402300799));
	ck_assert_int_eq(crm_time_parse_epoch(&t, "-1d", NOW), CRM_OK);
	ck_assert_int_eq(t, NOW - 86400);
}
END_TEST

START_TEST(test_format)
{
	char out[CRM_TIME_LEN];

	crm_time_format(out, 0);
	ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
	crm_time_format(out, -1);
	ck_assert_str_eq(out, "1969-12-31T23:59:59Z");
	crm_time_format(out, INT64_C(-1000000000));
	ck_assert_str_eq(out, "1938-04-24T22:13:20Z");
	crm_time_format(out, INT64_C(4102444799));
	ck_assert_str_eq(out, "2099-12-31T23:59:59Z");
	crm_time_format(out, INT64_MIN);
	ck_assert_str_eq(out, "0001-01-01T00:00:00Z");
	crm_time_format(out, INT64_MAX);
	ck_assert_str_eq(out, "9999-12-31T23:59:59Z");
}
END_TEST

/* Checks the arithmetic against the C library over two centuries, stepping
 * by a week and an hour so every weekday, month end and time of day occurs. */
START_TEST(test_agrees_with_gmtime)
{
	char want[CRM_TIME_LEN], got[CRM_TIME_LEN];
	int64_t t, back;

	for (t = INT64_C(-2208988800); t < INT64_C(4102444800); t += 7 * 86400 + 3601) {
		libc_format(t, want);
		crm_time_format(got, t);
		ck_assert_str_eq(got, want);
		ck_assert_int_eq(crm_time_parse_epoch(&back, got, 0), CRM_OK);
		ck_assert_int_eq(back, t);
	}
}
END_TEST

static void period_is(const char *in, int64_t now, const char *from, const char *to)
{
	char f[CRM_DATE_LEN], t[CRM_DATE_LEN];

	ck_assert_msg(crm_period_parse(f, t, in, now) == CRM_OK, "'%s' rejected: %s", in,
	              crm_error_message());
	ck_assert_msg(!strcmp(f, from) && !strcmp(t, to), "'%s' -> [%s, %s), want [%s, %s)", in, f,
	              t, from, to);
}

/* Worked out on a calendar: 2026-11-22 (NOW) is a Sunday in Q4. */
START_TEST(test_periods)
{
	char f[CRM_DATE_LEN], t[CRM_DATE_LEN], name[CRM_PERIOD_LEN];

	period_is("2026", NOW, "2026-01-01", "2027-01-01");
	period_is("2026-11", NOW, "2026-11-01", "2026-12-01");
	period_is("2026-12", NOW, "2026-12-01", "2027-01-01");
	period_is("2024-02", NOW, "2024-02-01", "2024-03-01");
	period_is("2026-Q1", NOW, "2026-01-01", "2026-04-01");
	period_is("2026-q4", NOW, "2026-10-01", "2027-01-01");
	period_is("2026-11-05", NOW, "2026-11-05", "2026-11-06");
	period_is("today", NOW, "2026-11-22", "2026-11-23");
	period_is("yesterday", NOW, "2026-11-21", "2026-11-22");
	period_is("this-month", NOW, "2026-11-01", "2026-12-01");
	period_is("last-month", NOW, "2026-10-01", "2026-11-01");
	period_is("this-quarter", NOW, "2026-10-01", "2027-01-01");
	period_is("last-quarter", NOW, "2026-07-01", "2026-10-01");
	period_is("last-quarter", JAN31, "2025-10-01", "2026-01-01");
	period_is("last-month", JAN31, "2025-12-01", "2026-01-01");
	period_is("this-year", NOW, "2026-01-01", "2027-01-01");
	period_is("last-year", NOW, "2025-01-01", "2026-01-01");
	period_is("ytd", NOW, "2026-01-01", "2026-11-23");
	period_is("qtd", NOW, "2026-10-01", "2026-11-23");
	period_is("mtd", NOW, "2026-11-01", "2026-11-23");
	period_is("this-week", NOW, "2026-11-16", "2026-11-23");
	period_is("last-week", NOW, "2026-11-09", "2026-11-16");
	ck_assert_int_eq(crm_period_parse(f, t, "2026-Q5", NOW), CRM_EDATA);
	ck_assert_int_eq(crm_period_parse(f, t, "2026-13", NOW), CRM_EDATA);
	ck_assert_int_eq(crm_period_parse(f, t, "next-month", NOW), CRM_EDATA);
	ck_assert_int_eq(crm_period_parse(f, t, "", NOW), CRM_EDATA);
	ck_assert_int_eq(crm_period_of(name, "2026-11-22", "month"), CRM_OK);
	ck_assert_str_eq(name, "2026-11");
	ck_assert_int_eq(crm_period_of(name, "2026-11-22T09:30:00Z", "quarter"), CRM_OK);
	ck_assert_str_eq(name, "2026-Q4");
	ck_assert_int_eq(crm_period_of(name, "2026-01-01", "year"), CRM_OK);
	ck_assert_str_eq(name, "2026");
	ck_assert_int_eq(crm_period_of(name, "2026-01-01", "week"), CRM_EUSAGE);
	ck_assert_int_eq(crm_period_of(name, "soon", "month"), CRM_EDATA);
}
END_TEST

static void named(const char *from, const char *to, const char *want)
{
	char name[CRM_PERIOD_NAME_LEN];

	ck_assert_msg(crm_period_name(name, from, to) == CRM_OK, "[%s, %s) rejected: %s", from, to,
	              crm_error_message());
	ck_assert_msg(!strcmp(name, want), "[%s, %s) named '%s', want '%s'", from, to, name, want);
}

/* A period is named by its dates: whole calendar years, quarters and
 * months by theirs, one day by its date, anything else first..last. */
START_TEST(test_period_names)
{
	char name[CRM_PERIOD_NAME_LEN];

	named("2026-01-01", "2027-01-01", "2026");
	named("2026-10-01", "2027-01-01", "2026-Q4");
	named("2024-02-01", "2024-03-01", "2024-02");
	named("2026-12-01", "2027-01-01", "2026-12");
	named("2026-11-05", "2026-11-06", "2026-11-05");
	named("2026-01-01", "2026-11-23", "2026-01-01..2026-11-22");
	named("2026-11-16", "2026-11-23", "2026-11-16..2026-11-22");
	named("2026-02-01", "2026-05-01", "2026-02-01..2026-04-30");
	named("2026-11-02", "2026-12-01", "2026-11-02..2026-11-30");
	named("2025-01-01", "2027-01-01", "2025-01-01..2026-12-31");
	ck_assert_int_eq(crm_period_name(name, "2026-11-05", "2026-11-05"), CRM_EDATA);
	ck_assert_int_eq(crm_period_name(name, "2026-11", "2026-12-01"), CRM_EDATA);
}
END_TEST

START_TEST(test_now_env)
{
	int64_t t, before;

	ck_assert_int_eq(setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1), 0);
	ck_assert_int_eq(crm_now(&t), CRM_OK);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(setenv("CRM_NOW", "2026-11-22T10:30:00+01:00", 1), 0);
	ck_assert_int_eq(crm_now(&t), CRM_OK);
	ck_assert_int_eq(t, NOW);
	ck_assert_int_eq(setenv("CRM_NOW", "2026-11-22", 1), 0);
	ck_assert_int_eq(crm_now(&t), CRM_OK);
	ck_assert_int_eq(t, NOW - (9 * 3600 + 30 * 60));
	ck_assert_int_eq(setenv("CRM_NOW", "yesterday", 1), 0);
	ck_assert_int_eq(crm_now(&t), CRM_EUSAGE);
	ck_assert_int_eq(setenv("CRM_NOW", "2026-02-30", 1), 0);
	ck_assert_int_eq(crm_now(&t), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "invalid CRM_NOW '2026-02-30'");
	ck_assert_int_eq(unsetenv("CRM_NOW"), 0);
	before = (int64_t)time(NULL);
	ck_assert_int_eq(crm_now(&t), CRM_OK);
	ck_assert_int_ge(t, before);
	ck_assert_int_le(t, (int64_t)time(NULL));
}
END_TEST

/* Months added keep the day, clamped to the month's last (by hand). */
START_TEST(test_add_months)
{
	static const struct { const char *day; int months; const char *want; } cases[] = {
		{ "2024-03-31", -1, "2024-02-29" }, { "2026-01-31", 1, "2026-02-28" },
		{ "2025-12-15", 1, "2026-01-15" },  { "2024-02-29", -12, "2023-02-28" },
		{ "2026-11-01", -23, "2024-12-01" }, { "2026-05-20", 0, "2026-05-20" },
	};
	char out[CRM_DATE_LEN];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_int_eq(crm_date_add_months(out, cases[i].day, cases[i].months), CRM_OK);
		ck_assert_str_eq(out, cases[i].want);
	}
	ck_assert_int_eq(crm_date_add_months(out, "2026-13-01", 1), CRM_EDATA);
}
END_TEST

/* Days across month, year and leap-day edges (by hand). */
START_TEST(test_add_days)
{
	char out[CRM_DATE_LEN];

	ck_assert_int_eq(crm_date_add_days(out, "2024-02-28", 1), CRM_OK);
	ck_assert_str_eq(out, "2024-02-29");
	ck_assert_int_eq(crm_date_add_days(out, "2026-01-01", -1), CRM_OK);
	ck_assert_str_eq(out, "2025-12-31");
	ck_assert_int_eq(crm_date_add_days(out, "2026-11-01", -365), CRM_OK);
	ck_assert_str_eq(out, "2025-11-01");
	ck_assert_int_eq(crm_date_add_days(out, "2026-11", 1), CRM_EDATA);
	ck_assert_int_eq(crm_date_diff("2024-02-01", "2024-03-01"), 29);
	ck_assert_int_eq(crm_date_diff("2026-10-31", "2026-10-01"), -30);
	ck_assert_int_eq(crm_date_diff("2026-10-01", "x"), 0);
}
END_TEST

Suite *date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_leap_years);
	tcase_add_test(tc, test_words_and_day_offsets);
	tcase_add_test(tc, test_month_and_year_offsets);
	tcase_add_test(tc, test_zone_offsets);
	tcase_add_test(tc, test_time_forms);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_epoch);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_agrees_with_gmtime);
	tcase_add_test(tc, test_now_env);
	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_period_names);
	tcase_add_test(tc, test_add_months);
	tcase_add_test(tc, test_add_days);
	suite_add_tcase(s, tc);
	return s;
}
