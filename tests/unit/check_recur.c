/* check_recur.c - repeating series: rules as people write them, the RRULE
 * each stands for, and the next date of a series.  Every expected date was
 * read off a calendar by hand (2026-11-16 is a Monday, 2026 and 2027 are
 * common years, 2024 and 2028 leap years), never taken from the code under
 * test. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/recur.h"

static void setup(void)
{
	crm_error_clear();
}

static void normal_is(const char *rule, const char *want)
{
	char *out = NULL;

	ck_assert_msg(crm_recur_normalize(&out, rule) == CRM_OK, "'%s' refused: %s", rule,
		      crm_error_message());
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(!strcmp(out, want), "'%s' gave '%s', not '%s'", rule, out, want);
	free(out);
}

/* Checks that rule is refused with CRM_EDATA, a message quoting it, and
 * *out left NULL. */
static void normal_fails(const char *rule)
{
	char *out = (char *)&out, want[256];

	ck_assert_msg(crm_recur_normalize(&out, rule) == CRM_EDATA, "'%s' accepted", rule);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
	snprintf(want, sizeof want, "invalid repeat '%s' (expected daily, weekly, monthly,"
		 " yearly, 'every N days|weeks|months|years' or an RRULE such as"
		 " FREQ=WEEKLY;BYDAY=MO)", rule);
	ck_assert_str_eq(crm_error_message(), want);
}

static void rrule_is(const char *rule, const char *start, const char *want)
{
	char *out = NULL;

	ck_assert_msg(crm_recur_rrule(&out, rule, start) == CRM_OK, "'%s' from %s: %s", rule,
		      start, crm_error_message());
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(!strcmp(out, want), "'%s' from %s gave '%s', not '%s'", rule, start, out,
		      want);
	free(out);
}

static void next_is(const char *rule, const char *start, const char *after, const char *want)
{
	char out[CRM_TIME_LEN] = "";

	ck_assert_msg(crm_recur_next(out, rule, start, after) == CRM_OK, "'%s' from %s after %s: %s",
		      rule, start, after, crm_error_message());
	ck_assert_msg(!strcmp(out, want), "'%s' from %s after %s gave %s, not %s", rule, start,
		      after, out, want);
}

static void next_fails(const char *rule, const char *start, const char *after)
{
	char out[CRM_TIME_LEN] = "";

	ck_assert_msg(crm_recur_next(out, rule, start, after) == CRM_EDATA,
		      "'%s' from %s after %s gave %s", rule, start, after, out);
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
}

START_TEST(test_normalize_words)
{
	normal_is("daily", "daily");
	normal_is("weekly", "weekly");
	normal_is("monthly", "monthly");
	normal_is("yearly", "yearly");
	normal_is("Weekly", "weekly");
	normal_is("YEARLY", "yearly");
	normal_is("  monthly", "monthly");
}
END_TEST

START_TEST(test_normalize_every)
{
	normal_is("every 2 weeks", "every 2 weeks");
	normal_is("every 1 day", "daily");
	normal_is("every 1 days", "daily");
	normal_is("every day", "daily");
	normal_is("every week", "weekly");
	normal_is("every month", "monthly");
	normal_is("every year", "yearly");
	normal_is("every 1 year", "yearly");
	normal_is("Every 3 Months", "every 3 months");
	normal_is("EVERY 10 DAYS", "every 10 days");
	normal_is("every  2   weeks", "every 2 weeks");
	normal_is("every 999 years", "every 999 years");
	normal_is("every 12 months", "every 12 months");
}
END_TEST

START_TEST(test_normalize_rrule)
{
	normal_is("FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=WEEKLY;BYDAY=MO,TH");
	normal_is("RRULE:FREQ=DAILY", "FREQ=DAILY");
	normal_is("FREQ=MONTHLY;INTERVAL=2", "FREQ=MONTHLY;INTERVAL=2");
	normal_is("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1");
	normal_is("FREQ=DAILY;COUNT=3", "FREQ=DAILY;COUNT=3");
}
END_TEST

START_TEST(test_normalize_refused)
{
	normal_fails("fortnightly");
	normal_fails("");
	normal_fails("every");
	normal_fails("every 0 days");
	normal_fails("every 1000 days");
	normal_fails("every -1 days");
	normal_fails("every 2 fortnights");
	normal_fails("every 2");
	normal_fails("every 2 weeks please");
	normal_fails("every 2weeks");
	normal_fails("every 1.5 days");
	normal_fails("daily weekly");
	normal_fails("FREQ=SOMETIMES");
	normal_fails("BYDAY=MO");
	normal_fails("RRULE:");
}
END_TEST

START_TEST(test_rrule_plain)
{
	rrule_is("daily", "2026-11-20", "FREQ=DAILY");
	rrule_is("weekly", "2026-11-16", "FREQ=WEEKLY");
	rrule_is("every 2 weeks", "2026-11-16", "FREQ=WEEKLY;INTERVAL=2");
	rrule_is("every 3 days", "2026-11-20T15:00:00Z", "FREQ=DAILY;INTERVAL=3");
	/* Days every month has need no help. */
	rrule_is("monthly", "2026-01-28", "FREQ=MONTHLY");
	rrule_is("yearly", "2026-03-31", "FREQ=YEARLY");
	rrule_is("yearly", "2026-01-31", "FREQ=YEARLY");
	/* A rule with its own BY parts is left as written. */
	rrule_is("FREQ=MONTHLY;BYMONTHDAY=15", "2026-01-31", "FREQ=MONTHLY;BYMONTHDAY=15");
	rrule_is("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-16", "FREQ=WEEKLY;BYDAY=MO,TH");
}
END_TEST

START_TEST(test_rrule_month_ends)
{
	/* The 31st: the last day of every month. */
	rrule_is("monthly", "2026-01-31", "FREQ=MONTHLY;BYMONTHDAY=-1");
	rrule_is("every 3 months", "2026-01-31", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1");
	rrule_is("monthly", "2026-03-31T08:00:00Z", "FREQ=MONTHLY;BYMONTHDAY=-1");
	/* The 29th and 30th: that day, or the last day when the month is
	 * shorter -- the first of the two. */
	rrule_is("monthly", "2026-01-30", "FREQ=MONTHLY;BYMONTHDAY=30,-1;BYSETPOS=1");
	rrule_is("monthly", "2026-01-29", "FREQ=MONTHLY;BYMONTHDAY=29,-1;BYSETPOS=1");
	/* February 29th: every February, on its last day in common years. */
	rrule_is("yearly", "2024-02-29", "FREQ=YEARLY;BYMONTHDAY=29,-1;BYMONTH=2;BYSETPOS=1");
}
END_TEST

/* Dates no calendar has are bad dates, as start or as the day asked
 * after, and are reported as such. */
START_TEST(test_impossible_dates)
{
	static const char *const bad[] = { "2026-02-30", "2026-11-31", "2026-13-01", "2026-00-10",
					   "2026-11-00", "2026-11-16T25:00:00Z" };
	char want[64], *rule;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(want, sizeof want, "invalid date '%s'", bad[i]);
		rule = (char *)&rule;
		ck_assert_msg(crm_recur_rrule(&rule, "monthly", bad[i]) == CRM_EDATA,
			      "monthly from %s accepted", bad[i]);
		ck_assert_ptr_null(rule);
		ck_assert_str_eq(crm_error_message(), want);
		next_fails("weekly", bad[i], "2026-11-22");
		ck_assert_str_eq(crm_error_message(), want);
		next_fails("weekly", "2026-11-16", bad[i]);
		ck_assert_str_eq(crm_error_message(), want);
	}
}
END_TEST

/* A timestamp with an offset is the UTC time it stands for (or refused),
 * never the same clock time in UTC. */
START_TEST(test_timestamp_offset)
{
	char out[CRM_TIME_LEN] = "";
	int rc = crm_recur_next(out, "daily", "2026-11-20T15:00:00+02:00", "2026-11-22T16:00:00Z");

	ck_assert_msg(rc == CRM_EDATA || (rc == CRM_OK && !strcmp(out, "2026-11-23T13:00:00Z")),
		      "15:00 at +02:00 daily after 16:00Z gave %s (%d)", out, rc);
}
END_TEST

START_TEST(test_rrule_errors)
{
	char *out = (char *)&out;

	ck_assert_int_eq(crm_recur_rrule(&out, "sometimes", "2026-11-16"), CRM_EDATA);
	ck_assert_ptr_null(out);
	out = (char *)&out;
	ck_assert_int_eq(crm_recur_rrule(&out, "weekly", "someday"), CRM_EDATA);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(crm_error_message(), "invalid date 'someday'");
}
END_TEST

START_TEST(test_next_daily_weekly)
{
	/* 2026-11-16 is a Monday, 2026-11-22 a Sunday. */
	next_is("weekly", "2026-11-16", "2026-11-22", "2026-11-23");
	next_is("weekly", "2026-11-16", "2026-11-23", "2026-11-30");
	next_is("weekly", "2026-11-16", "2026-11-15", "2026-11-16");
	next_is("every 2 weeks", "2026-11-16", "2026-11-22", "2026-11-30");
	next_is("every 2 weeks", "2026-11-16", "2026-11-30", "2026-12-14");
	next_is("daily", "2026-11-20", "2026-11-22", "2026-11-23");
	next_is("daily", "2026-12-31", "2026-12-31", "2027-01-01");
	/* Every 3 days from Friday the 20th: 23, 26, 29, December 2. */
	next_is("every 3 days", "2026-11-20", "2026-11-22", "2026-11-23");
	next_is("every 3 days", "2026-11-20", "2026-11-23", "2026-11-26");
	next_is("every 3 days", "2026-11-20", "2026-11-30", "2026-12-02");
	/* Mondays and Thursdays. */
	next_is("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-16", "2026-11-16", "2026-11-19");
	next_is("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-16", "2026-11-19", "2026-11-23");
	next_is("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-16", "2026-11-21", "2026-11-23");
	/* A series that started long ago is walked to the day asked for. */
	next_is("daily", "1990-01-01", "2026-11-22", "2026-11-23");
}
END_TEST

START_TEST(test_next_month_ends)
{
	/* From the 31st: the last day of each month. */
	next_is("monthly", "2026-01-31", "2026-11-22", "2026-11-30");
	next_is("monthly", "2026-01-31", "2026-01-31", "2026-02-28");
	next_is("monthly", "2026-01-31", "2026-02-28", "2026-03-31");
	next_is("monthly", "2026-01-31", "2026-03-31", "2026-04-30");
	next_is("monthly", "2026-01-31", "2028-01-31", "2028-02-29");
	next_is("every 3 months", "2026-01-31", "2026-02-01", "2026-04-30");
	/* From the 30th: the 30th, February's last day in February. */
	next_is("monthly", "2026-01-30", "2026-02-01", "2026-02-28");
	next_is("monthly", "2026-01-30", "2026-02-28", "2026-03-30");
	next_is("monthly", "2026-01-30", "2026-03-30", "2026-04-30");
	next_is("monthly", "2026-01-30", "2028-02-01", "2028-02-29");
	/* From the 29th: February 28th in a common year, the 29th in a leap one. */
	next_is("monthly", "2026-01-29", "2026-02-01", "2026-02-28");
	next_is("monthly", "2026-01-29", "2026-02-28", "2026-03-29");
	next_is("monthly", "2028-01-29", "2028-02-01", "2028-02-29");
	/* From February 29th: the 28th in common years. */
	next_is("yearly", "2024-02-29", "2025-01-01", "2025-02-28");
	next_is("yearly", "2024-02-29", "2025-02-28", "2026-02-28");
	next_is("yearly", "2024-02-29", "2027-03-01", "2028-02-29");
	/* An ordinary day stays put. */
	next_is("monthly", "2026-01-15", "2026-02-15", "2026-03-15");
	next_is("yearly", "2026-03-31", "2026-04-01", "2027-03-31");
}
END_TEST

START_TEST(test_next_timed)
{
	next_is("daily", "2026-11-20T15:00:00Z", "2026-11-22T16:00:00Z", "2026-11-23T15:00:00Z");
	next_is("daily", "2026-11-20T15:00:00Z", "2026-11-22T15:00:00Z", "2026-11-23T15:00:00Z");
	next_is("daily", "2026-11-20T15:00:00Z", "2026-11-22T14:59:59Z", "2026-11-22T15:00:00Z");
	/* After a date: once that whole day is over. */
	next_is("daily", "2026-11-20T15:00:00Z", "2026-11-22", "2026-11-23T15:00:00Z");
	next_is("weekly", "2026-11-16T08:30:00Z", "2026-11-22", "2026-11-23T08:30:00Z");
	next_is("weekly", "2026-11-16T08:30:00Z", "2026-11-23", "2026-11-30T08:30:00Z");
	next_is("monthly", "2026-01-31T09:00:00Z", "2026-02-01", "2026-02-28T09:00:00Z");
	/* A series of dates after a time: the time's day is passed. */
	next_is("daily", "2026-11-20", "2026-11-22T16:00:00Z", "2026-11-23");
	next_is("daily", "2026-11-20", "2026-11-22T00:00:00Z", "2026-11-23");
	next_is("weekly", "2026-11-16", "2026-11-23T08:00:00Z", "2026-11-30");
	next_is("weekly", "2026-11-16", "2026-11-22T23:59:59Z", "2026-11-23");
}
END_TEST

START_TEST(test_next_errors)
{
	char out[CRM_TIME_LEN];

	next_fails("fortnightly", "2026-11-16", "2026-11-22");
	next_fails("every 0 days", "2026-11-16", "2026-11-22");
	next_fails("every 1000 days", "2026-11-16", "2026-11-22");
	next_fails("weekly", "16/11/2026", "2026-11-22");
	ck_assert_str_eq(crm_error_message(), "invalid date '16/11/2026'");
	next_fails("weekly", "2026-11-16", "next week");
	ck_assert_str_eq(crm_error_message(), "invalid date 'next week'");
	/* A series that ends before the day asked for has no next date: not
	 * bad data, the end of it. */
	next_is("FREQ=DAILY;COUNT=3", "2026-11-20", "2026-11-21", "2026-11-22");
	ck_assert_int_eq(crm_recur_next(out, "FREQ=DAILY;COUNT=3", "2026-11-20", "2026-11-22"),
			 CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(),
			 "repeat 'FREQ=DAILY;COUNT=3' from 2026-11-20 has no date after 2026-11-22");
	ck_assert_int_eq(crm_recur_next(out, "FREQ=WEEKLY;UNTIL=20261130", "2026-11-16",
					"2026-11-30"), CRM_ENOTFOUND);
	next_is("FREQ=WEEKLY;UNTIL=20261130", "2026-11-16", "2026-11-29", "2026-11-30");
}
END_TEST

static void rest_is(const char *rule, const char *start, const char *next, const char *want)
{
	char *out = NULL;

	ck_assert_msg(crm_recur_rest(&out, rule, start, next) == CRM_OK, "'%s' from %s at %s: %s",
		      rule, start, next, crm_error_message());
	ck_assert_msg(!strcmp(out, want), "'%s' from %s at %s left '%s', not '%s'", rule, start,
		      next, out, want);
	free(out);
}

START_TEST(test_rest)
{
	char *out = (char *)&out;

	/* No COUNT: the rule goes on as it is. */
	rest_is("weekly", "2026-11-16", "2026-11-23", "weekly");
	rest_is("FREQ=DAILY;UNTIL=20261124", "2026-11-23", "2026-11-24", "FREQ=DAILY;UNTIL=20261124");
	/* Two in all: the second carries one. */
	rest_is("FREQ=DAILY;COUNT=2", "2026-11-23", "2026-11-24", "FREQ=DAILY;COUNT=1");
	rest_is("FREQ=DAILY;COUNT=3", "2026-11-20T15:00:00Z", "2026-11-21T15:00:00Z",
		"FREQ=DAILY;COUNT=2");
	/* Dates skipped (20, 21, 22) are used up as a calendar shows them. */
	rest_is("FREQ=DAILY;COUNT=5", "2026-11-20", "2026-11-23", "FREQ=DAILY;COUNT=2");
	/* A start the rule does not name (a Sunday) is still the first. */
	rest_is("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "2026-11-22", "2026-11-23",
		"FREQ=WEEKLY;COUNT=2;BYDAY=MO");
	/* ... and with Mondays missed: Sunday 22, Mondays 23 and 30 used up. */
	rest_is("FREQ=WEEKLY;BYDAY=MO;COUNT=5", "2026-11-22", "2026-12-07",
		"FREQ=WEEKLY;COUNT=2;BYDAY=MO");
	/* From the 31st, the rule stays as written, unpinned. */
	rest_is("FREQ=MONTHLY;COUNT=3", "2026-01-31", "2026-02-28", "FREQ=MONTHLY;COUNT=2");
	ck_assert_int_eq(crm_recur_rest(&out, "FREQ=WEEKLY;BYDAY=MO;COUNT=1", "2026-11-22",
					"2026-11-23"), CRM_ENOTFOUND);
	ck_assert_ptr_null(out);
	out = (char *)&out;
	ck_assert_int_eq(crm_recur_rest(&out, "sometimes", "2026-11-22", "2026-11-23"), CRM_EDATA);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_until_form)
{
	/* UNTIL as the start is: a time for a timed series (the whole day of
	 * a date), a date for a series of dates. */
	rrule_is("FREQ=DAILY;UNTIL=20261124", "2026-11-23T10:00:00Z",
		 "FREQ=DAILY;UNTIL=20261124T235959Z");
	rrule_is("FREQ=DAILY;UNTIL=20261124T050000Z", "2026-11-23", "FREQ=DAILY;UNTIL=20261124");
	rrule_is("FREQ=DAILY;UNTIL=20261124", "2026-11-23", "FREQ=DAILY;UNTIL=20261124");
	rrule_is("FREQ=DAILY;UNTIL=20261124T050000Z", "2026-11-23T10:00:00Z",
		 "FREQ=DAILY;UNTIL=20261124T050000Z");
	next_is("FREQ=DAILY;UNTIL=20261124", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z",
		"2026-11-24T10:00:00Z");
	next_is("FREQ=DAILY;UNTIL=20261124T050000Z", "2026-11-23", "2026-11-23", "2026-11-24");
}
END_TEST

Suite *recur_suite(void)
{
	Suite *s = suite_create("recur");
	TCase *tc = tcase_create("recur");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_normalize_words);
	tcase_add_test(tc, test_normalize_every);
	tcase_add_test(tc, test_normalize_rrule);
	tcase_add_test(tc, test_normalize_refused);
	tcase_add_test(tc, test_rrule_plain);
	tcase_add_test(tc, test_rrule_month_ends);
	tcase_add_test(tc, test_rrule_errors);
	tcase_add_test(tc, test_next_daily_weekly);
	tcase_add_test(tc, test_next_month_ends);
	tcase_add_test(tc, test_next_timed);
	tcase_add_test(tc, test_next_errors);
	tcase_add_test(tc, test_rest);
	tcase_add_test(tc, test_until_form);
	tcase_add_test(tc, test_impossible_dates);
	tcase_add_test(tc, test_timestamp_offset);
	suite_add_tcase(s, tc);
	return s;
}
