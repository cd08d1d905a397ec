/* check_calendar.c - business calendars: hours, days off, nights and
 * weekends, the clock changes of Europe/Berlin and America/New_York, and
 * holidays from an iCalendar file.  Every expected value was worked out by
 * hand, with the arithmetic beside it; times are written in local time with
 * the offset in force, so that the UTC moment is plain to see.  Calendar
 * facts used: 2026-11-16 is a Monday, 2026-03-27 and 2026-10-30 Fridays;
 * Berlin moves from +01:00 to +02:00 at 01:00Z on Sunday 2026-03-29 and
 * back at 01:00Z on Sunday 2026-10-25; New York from -05:00 to -04:00 at
 * 07:00Z on Sunday 2026-03-08 and back at 06:00Z on Sunday 2026-11-01. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "crm/calendar.h"
#include "crm/date.h"
#include "crm/error.h"
#include "fixture.h"

#define H 3600
#define MON 0
#define TUE 1
#define SUN 6

static void setup(void)
{
	crm_error_clear();
}

static int64_t at(const char *iso)
{
	int64_t t;

	ck_assert_msg(crm_time_parse_epoch(&t, iso, 0) == CRM_OK, "bad time in test: %s", iso);
	return t;
}

static crm_calendar *calendar(const char *tz)
{
	crm_calendar *cal = NULL;

	ck_assert_msg(crm_calendar_new(&cal, tz) == CRM_OK, "%s: %s", tz, crm_error_message());
	ck_assert_ptr_nonnull(cal);
	return cal;
}

/* Mon-Fri 09:00-17:00, eight hours a day. */
static crm_calendar *office(const char *tz)
{
	crm_calendar *cal = calendar(tz);

	for (int d = MON; d <= 4; d++)
		ck_assert_int_eq(crm_calendar_hours(cal, d, 9 * 60, 17 * 60), CRM_OK);
	return cal;
}

/* A calendar open on Sundays only, from start to end (hours). */
static crm_calendar *sunday(const char *tz, int start, int end)
{
	crm_calendar *cal = calendar(tz);

	ck_assert_int_eq(crm_calendar_hours(cal, SUN, start * 60, end * 60), CRM_OK);
	return cal;
}

static void elapsed_is(const crm_calendar *cal, const char *from, const char *to, int64_t want)
{
	int64_t got = crm_calendar_elapsed(cal, at(from), at(to));

	ck_assert_msg(got == want, "%s to %s: %lld s, not %lld", from, to, (long long)got,
		      (long long)want);
}

static void due_is(const crm_calendar *cal, const char *from, int64_t secs, const char *want)
{
	int64_t due = 0;
	char got[CRM_TIME_LEN], w[CRM_TIME_LEN];

	ck_assert_msg(crm_calendar_due(cal, at(from), secs, &due) == CRM_OK, "%s + %lld: %s",
		      from, (long long)secs, crm_error_message());
	crm_time_format(got, due);
	crm_time_format(w, at(want));
	ck_assert_msg(due == at(want), "%s + %lld s: %s, not %s", from, (long long)secs, got, w);
}

START_TEST(test_weekend)
{
	crm_calendar *cal = office("UTC");

	/* Fri 16:00-17:00 is 1 h, the weekend 0, Mon 09:00-10:00 the 2nd. */
	due_is(cal, "2026-11-20T16:00:00Z", 2 * H, "2026-11-23T10:00:00Z");
	elapsed_is(cal, "2026-11-20T16:00:00Z", "2026-11-23T10:00:00Z", 2 * H);
	elapsed_is(cal, "2026-11-20T16:00:00Z", "2026-11-23T09:00:00Z", 1 * H);
	/* A whole week, Mon 00:00 to Mon 00:00: 5 x 8 h. */
	elapsed_is(cal, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 40 * H);
	/* Backwards or empty: nothing. */
	elapsed_is(cal, "2026-11-23T10:00:00Z", "2026-11-20T16:00:00Z", 0);
	elapsed_is(cal, "2026-11-20T16:00:00Z", "2026-11-20T16:00:00Z", 0);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_holiday)
{
	crm_calendar *cal = office("UTC");

	ck_assert_int_eq(crm_calendar_holiday(cal, "2026-11-23"), CRM_OK);
	/* Given twice, it is still one day. */
	ck_assert_int_eq(crm_calendar_holiday(cal, "2026-11-23"), CRM_OK);
	/* Fri 16:00-17:00 1 h, Monday off, Tue 09:00-10:00 the 2nd. */
	due_is(cal, "2026-11-20T16:00:00Z", 2 * H, "2026-11-24T10:00:00Z");
	/* The week of 2026-11-23: Tue-Fri, 4 x 8 h. */
	elapsed_is(cal, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", 32 * H);
	/* Inside the day off itself. */
	elapsed_is(cal, "2026-11-23T08:00:00Z", "2026-11-23T18:00:00Z", 0);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_holiday_refused)
{
	crm_calendar *cal = office("UTC");
	const char *bad[] = { "2026-02-30", "today", "2026-1-01", "2026-11-23T00:00:00Z", "" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[128];

		ck_assert_msg(crm_calendar_holiday(cal, bad[i]) == CRM_EDATA, "'%s' taken", bad[i]);
		snprintf(want, sizeof want, "invalid holiday '%s' (expected YYYY-MM-DD)", bad[i]);
		ck_assert_str_eq(crm_error_message(), want);
	}
	/* None of them closed anything: Mon-Fri of that week is 40 h. */
	elapsed_is(cal, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 40 * H);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_nights)
{
	crm_calendar *cal = office("UTC");

	/* Thu 16:30-17:00 is 30 min, the night 0, Fri 09:00-09:30 the rest. */
	due_is(cal, "2026-11-19T16:30:00Z", 1 * H, "2026-11-20T09:30:00Z");
	elapsed_is(cal, "2026-11-19T20:00:00Z", "2026-11-20T08:00:00Z", 0);
	/* Thu 12:00-17:00 5 h + Fri 09:00-11:00 2 h. */
	elapsed_is(cal, "2026-11-19T12:00:00Z", "2026-11-20T11:00:00Z", 7 * H);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_due_at_close)
{
	crm_calendar *cal = office("UTC");

	/* 09:00 + 8 h ends at 17:00 the same day, not at 09:00 the next. */
	due_is(cal, "2026-11-16T09:00:00Z", 8 * H, "2026-11-16T17:00:00Z");
	due_is(cal, "2026-11-16T13:00:00Z", 4 * H, "2026-11-16T17:00:00Z");
	/* One second more runs into Tuesday. */
	due_is(cal, "2026-11-16T13:00:00Z", 4 * H + 1, "2026-11-17T09:00:01Z");
	/* Friday's close, over the weekend: Mon 10:00 + 15 h = Mon 7 h + Tue 8 h. */
	due_is(cal, "2026-11-16T10:00:00Z", 15 * H, "2026-11-17T17:00:00Z");
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_outside_hours)
{
	crm_calendar *cal = office("UTC");
	int64_t due = 0;

	/* Saturday noon: the clock starts on Monday at 09:00. */
	due_is(cal, "2026-11-21T12:00:00Z", 30 * 60, "2026-11-23T09:30:00Z");
	/* Monday 06:00, before opening: 09:00 + 1 h. */
	due_is(cal, "2026-11-16T06:00:00Z", 1 * H, "2026-11-16T10:00:00Z");
	/* Nothing to wait for: due at once, even when closed. */
	due_is(cal, "2026-11-21T12:00:00Z", 0, "2026-11-21T12:00:00Z");
	/* Monday 17:30 to Tuesday 09:15: 15 min. */
	elapsed_is(cal, "2026-11-16T17:30:00Z", "2026-11-17T09:15:00Z", 15 * 60);
	ck_assert_int_eq(crm_calendar_due(cal, at("2026-11-16T06:00:00Z"), -1, &due), CRM_EUSAGE);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_split_days)
{
	crm_calendar *cal = calendar("UTC");

	for (int d = MON; d <= 4; d++) {
		/* Afternoons first: the spans are kept in order whatever order
		 * they come in. */
		ck_assert_int_eq(crm_calendar_hours(cal, d, 13 * 60, 17 * 60), CRM_OK);
		ck_assert_int_eq(crm_calendar_hours(cal, d, 9 * 60, 12 * 60), CRM_OK);
	}
	/* 11:00-12:00 1 h, lunch 0, 13:00-14:00 the 2nd. */
	due_is(cal, "2026-11-16T11:00:00Z", 2 * H, "2026-11-16T14:00:00Z");
	/* One hour from 11:00 ends as the morning closes. */
	due_is(cal, "2026-11-16T11:00:00Z", 1 * H, "2026-11-16T12:00:00Z");
	/* From lunch: 13:00 + 30 min. */
	due_is(cal, "2026-11-16T12:15:00Z", 30 * 60, "2026-11-16T13:30:00Z");
	/* A whole day is 3 h + 4 h. */
	elapsed_is(cal, "2026-11-16T08:00:00Z", "2026-11-17T08:00:00Z", 7 * H);
	elapsed_is(cal, "2026-11-16T12:15:00Z", "2026-11-16T12:45:00Z", 0);
	/* 10:30-12:00 1.5 h + 13:00-15:00 2 h. */
	elapsed_is(cal, "2026-11-16T10:30:00Z", "2026-11-16T15:00:00Z", 3 * H + H / 2);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_berlin_spring)
{
	crm_calendar *all = sunday("Europe/Berlin", 0, 24), *night = sunday("Europe/Berlin", 1, 4);
	crm_calendar *day = sunday("Europe/Berlin", 9, 17), *cal = office("Europe/Berlin");

	/* 00:00 (+01:00) is 03-28T23:00Z, the next midnight (+02:00) is
	 * 03-29T22:00Z: 23 h. */
	elapsed_is(all, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 * H);
	elapsed_is(all, "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 * H);
	/* 01:00 (+01:00) is 00:00Z, 04:00 (+02:00) is 02:00Z: 2 h, 02:00-03:00
	 * never happens. */
	elapsed_is(night, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 2 * H);
	/* 00:00Z + 1.5 h = 01:30Z, which the clocks show as 03:30 (+02:00). */
	due_is(night, "2026-03-29T00:00:00+01:00", 3 * H / 2, "2026-03-29T03:30:00+02:00");
	/* 09:00-17:00 is all summer time: still 8 h. */
	elapsed_is(day, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 8 * H);
	/* Fri 16:00 (+01:00) = 15:00Z, 1 h that day; Mon 09:00-10:00 (+02:00)
	 * = 07:00Z-08:00Z the 2nd. */
	due_is(cal, "2026-03-27T16:00:00+01:00", 2 * H, "2026-03-30T10:00:00+02:00");
	elapsed_is(cal, "2026-03-27T16:00:00+01:00", "2026-03-30T10:00:00+02:00", 2 * H);
	crm_calendar_free(all);
	crm_calendar_free(night);
	crm_calendar_free(day);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_berlin_fall)
{
	crm_calendar *all = sunday("Europe/Berlin", 0, 24), *night = sunday("Europe/Berlin", 1, 4);
	crm_calendar *day = sunday("Europe/Berlin", 9, 17), *cal = office("Europe/Berlin");

	/* 00:00 (+02:00) is 10-24T22:00Z, the next midnight (+01:00) is
	 * 10-25T23:00Z: 25 h. */
	elapsed_is(all, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25 * H);
	/* 01:00 (+02:00) is 10-24T23:00Z, 04:00 (+01:00) is 03:00Z: 4 h, the
	 * hour 02:00-03:00 twice. */
	elapsed_is(night, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 4 * H);
	/* 23:00Z + 2.5 h = 01:30Z, half an hour after the change: 02:30 (+01:00). */
	due_is(night, "2026-10-25T00:00:00+02:00", 5 * H / 2, "2026-10-25T02:30:00+01:00");
	/* + 1.5 h = 00:30Z, the first 02:30 (+02:00). */
	due_is(night, "2026-10-25T00:00:00+02:00", 3 * H / 2, "2026-10-25T02:30:00+02:00");
	elapsed_is(day, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 8 * H);
	/* Fri 16:00 (+02:00) = 14:00Z, 1 h; Mon 09:00-10:00 (+01:00) the 2nd. */
	due_is(cal, "2026-10-23T16:00:00+02:00", 2 * H, "2026-10-26T10:00:00+01:00");
	crm_calendar_free(all);
	crm_calendar_free(night);
	crm_calendar_free(day);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_new_york)
{
	crm_calendar *all = sunday("America/New_York", 0, 24);
	crm_calendar *night = sunday("America/New_York", 1, 4), *cal = office("America/New_York");

	/* Spring: 00:00 (-05:00) = 05:00Z to 00:00 (-04:00) = 04:00Z next day: 23 h. */
	elapsed_is(all, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23 * H);
	/* 01:00 (-05:00) = 06:00Z to 04:00 (-04:00) = 08:00Z: 2 h. */
	elapsed_is(night, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 2 * H);
	/* Fall: 00:00 (-04:00) = 04:00Z to 00:00 (-05:00) = 05:00Z next day: 25 h. */
	elapsed_is(all, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25 * H);
	/* 01:00 (-04:00) = 05:00Z to 04:00 (-05:00) = 09:00Z: 4 h, 01:00-02:00 twice. */
	elapsed_is(night, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 4 * H);
	/* Fri 16:00 (-04:00) 1 h; Mon 09:00-10:00 (-05:00) the 2nd. */
	due_is(cal, "2026-10-30T16:00:00-04:00", 2 * H, "2026-11-02T10:00:00-05:00");
	/* Mon 10:00-17:00 (-05:00), 7 h. */
	elapsed_is(cal, "2026-11-02T10:00:00-05:00", "2026-11-03T00:00:00-05:00", 7 * H);
	crm_calendar_free(all);
	crm_calendar_free(night);
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_around_the_clock)
{
	crm_calendar *cal = calendar("Europe/Berlin");

	/* No hours: every second counts, 23 h on the day of the change. */
	elapsed_is(cal, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 * H);
	elapsed_is(cal, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 365 * 24 * H);
	due_is(cal, "2026-11-21T12:00:00Z", 30 * H, "2026-11-22T18:00:00Z");
	/* A day off still closes it: Thu 19th and Sat 21st open, Fri 20th not. */
	ck_assert_int_eq(crm_calendar_holiday(cal, "2026-11-20"), CRM_OK);
	elapsed_is(cal, "2026-11-19T00:00:00+01:00", "2026-11-22T00:00:00+01:00", 48 * H);
	/* Thu 23:00 (+01:00) + 2 h: 1 h on Thursday, then Saturday 00:00-01:00. */
	due_is(cal, "2026-11-19T23:00:00+01:00", 2 * H, "2026-11-21T01:00:00+01:00");
	crm_calendar_free(cal);
}
END_TEST

START_TEST(test_overlap_refused)
{
	crm_calendar *cal = calendar("UTC");

	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 9 * 60, 12 * 60), CRM_OK);
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 11 * 60, 13 * 60), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "overlapping hours on Tuesday: 09:00-12:00 and 11:00-13:00");
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 8 * 60, 17 * 60), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "overlapping hours on Tuesday: 09:00-12:00 and 08:00-17:00");
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 12 * 60, 9 * 60), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "empty hours on Tuesday: 12:00-09:00");
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 14 * 60, 14 * 60), CRM_EDATA);
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 22 * 60, 1441), CRM_EDATA);
	ck_assert_int_eq(crm_calendar_hours(cal, 7, 9 * 60, 12 * 60), CRM_EUSAGE);
	ck_assert_int_eq(crm_calendar_hours(cal, -1, 9 * 60, 12 * 60), CRM_EUSAGE);
	/* Spans that meet are fine, and the refused ones left nothing behind:
	 * Tuesday is 09:00-12:00 and 12:00-13:00, 4 h. */
	ck_assert_int_eq(crm_calendar_hours(cal, TUE, 12 * 60, 13 * 60), CRM_OK);
	elapsed_is(cal, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 4 * H);
	crm_calendar_free(cal);
}
END_TEST

static void span_is(const char *text, int start, int end)
{
	int s = -1, e = -1;

	ck_assert_msg(crm_calendar_span_parse(text, &s, &e) == CRM_OK, "'%s': %s", text,
		      crm_error_message());
	ck_assert_msg(s == start && e == end, "'%s' gave %d-%d", text, s, e);
}

START_TEST(test_span_parse)
{
	const char *bad[] = { "9:00-17:00", "09:00", "09:00-", "09:60-10:00", "24:00-24:00",
			      "09:00-24:01", "09:00-17:30x", "", "-", "0900-1700" };
	int s, e;

	span_is("09:00-17:30", 9 * 60, 17 * 60 + 30);
	span_is("00:00-24:00", 0, 1440);
	span_is(" 08:15 - 12:45 ", 8 * 60 + 15, 12 * 60 + 45);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[128];

		ck_assert_msg(crm_calendar_span_parse(bad[i], &s, &e) == CRM_EDATA, "'%s' taken",
			      bad[i]);
		snprintf(want, sizeof want, "invalid hours '%s' (expected HH:MM-HH:MM, such as"
			 " 09:00-17:30)", bad[i]);
		ck_assert_str_eq(crm_error_message(), want);
	}
	ck_assert_int_eq(crm_calendar_span_parse("22:00-06:00", &s, &e), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "hours '22:00-06:00' end before they start (a span"
			 " past midnight is two spans, one on each day)");
	ck_assert_int_eq(crm_calendar_span_parse("10:00-10:00", &s, &e), CRM_EDATA);
}
END_TEST

START_TEST(test_unknown_zone)
{
	const char *bad[] = { "Mars/Olympus_Mons", "Europe/Atlantis", "", "../../etc/passwd",
			      "/usr/share/zoneinfo/UTC", "Europe/Berlin\n" };
	crm_calendar *cal = (crm_calendar *)&cal;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[128];

		ck_assert_msg(crm_calendar_new(&cal, bad[i]) == CRM_EDATA, "'%s' taken", bad[i]);
		ck_assert_ptr_null(cal);
		snprintf(want, sizeof want, "unknown time zone '%s'", bad[i]);
		ck_assert_str_eq(crm_error_message(), want);
	}
	crm_calendar_free(NULL);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* Christmas and Boxing Day every year since 2020, with 2027 cut out; an
 * hour in New York on Thursday evening, which is Friday night in Berlin;
 * a morning without a zone on Wednesday; and a cancelled Tuesday. */
static const char holidays[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
	"BEGIN:VEVENT\r\nUID:xmas\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20201225\r\n"
	"DTEND;VALUE=DATE:20201227\r\nRRULE:FREQ=YEARLY\r\n"
	"EXDATE;VALUE=DATE:20271225\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:ny\r\nSUMMARY:Party\r\n"
	"DTSTART;TZID=America/New_York:20261119T200000\r\n"
	"DTEND;TZID=America/New_York:20261119T210000\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:local\r\nSUMMARY:Offsite\r\nDTSTART:20261118T100000\r\n"
	"DURATION:PT1H\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:gone\r\nSUMMARY:Called off\r\nDTSTART;VALUE=DATE:20261117\r\n"
	"STATUS:CANCELLED\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

START_TEST(test_ics)
{
	crm_calendar *cal = office("Europe/Berlin");
	char path[128];

	fx_scratch();
	snprintf(path, sizeof path, "%s/holidays.ics", fx_dir);
	write_file(path, holidays);
	ck_assert_msg(crm_calendar_holidays_ics(cal, path) == CRM_OK, "%s", crm_error_message());
	/* Week of 2026-11-16: Mon 8 h, Tue 8 h (cancelled), Wed off (10:00
	 * floating is Berlin's 10:00), Thu 8 h, Fri off (20:00-21:00 -05:00 is
	 * 01:00Z-02:00Z, 02:00-03:00 on Friday in Berlin): 24 h. */
	elapsed_is(cal, "2026-11-16T00:00:00+01:00", "2026-11-23T00:00:00+01:00", 24 * H);
	/* 2026-12-25 is a Friday: Mon 21st-Thu 24th, 4 x 8 h. */
	elapsed_is(cal, "2026-12-21T00:00:00+01:00", "2026-12-28T00:00:00+01:00", 32 * H);
	/* 2027-12-25/26 fall on the weekend anyway, and 25th is cut out. */
	/* 2030-12-25 is a Wednesday: Mon, Tue, Fri, 3 x 8 h. */
	elapsed_is(cal, "2030-12-23T00:00:00+01:00", "2030-12-30T00:00:00+01:00", 24 * H);
	/* 2029-12-25 a Tuesday: Mon, Thu, Fri, 3 x 8 h (26th Wednesday off too). */
	elapsed_is(cal, "2029-12-24T00:00:00+01:00", "2029-12-31T00:00:00+01:00", 24 * H);
	/* The last years expanded: 2099-12-25 is a Friday, 4 x 8 h that week. */
	elapsed_is(cal, "2099-12-21T00:00:00+01:00", "2099-12-28T00:00:00+01:00", 32 * H);
	crm_calendar_free(cal);
	fx_close(NULL);
}
END_TEST

START_TEST(test_ics_errors)
{
	crm_calendar *cal = office("Europe/Berlin");
	char path[128], want[256];

	fx_scratch();
	snprintf(path, sizeof path, "%s/missing.ics", fx_dir);
	ck_assert_int_eq(crm_calendar_holidays_ics(cal, path), CRM_EIO);
	snprintf(want, sizeof want, "cannot open '%s': No such file or directory", path);
	ck_assert_str_eq(crm_error_message(), want);

	snprintf(path, sizeof path, "%s/garbage.ics", fx_dir);
	write_file(path, "Christmas: 25 December\n");
	ck_assert_int_eq(crm_calendar_holidays_ics(cal, path), CRM_EDATA);
	snprintf(want, sizeof want, "'%s': not an iCalendar file (no VCALENDAR)", path);
	ck_assert_str_eq(crm_error_message(), want);

	/* A good event, then one without a start: the file is refused whole. */
	snprintf(path, sizeof path, "%s/nostart.ics", fx_dir);
	write_file(path, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		   "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20261116\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Someday\r\nEND:VEVENT\r\n"
		   "END:VCALENDAR\r\n");
	ck_assert_int_eq(crm_calendar_holidays_ics(cal, path), CRM_EDATA);
	snprintf(want, sizeof want, "'%s': event 'Someday' has no valid DTSTART", path);
	ck_assert_str_eq(crm_error_message(), want);
	/* A rule by the hour is a schedule, not days off. */
	snprintf(path, sizeof path, "%s/hourly.ics", fx_dir);
	write_file(path, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		   "BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Ping\r\nDTSTART:20261116T090000Z\r\n"
		   "RRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	ck_assert_int_eq(crm_calendar_holidays_ics(cal, path), CRM_EDATA);
	snprintf(want, sizeof want, "'%s': event 'Ping' repeats more often than daily", path);
	ck_assert_str_eq(crm_error_message(), want);
	/* A device that never ends is refused, not read forever. */
	ck_assert_int_eq(crm_calendar_holidays_ics(cal, "/dev/zero"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
	                 "'/dev/zero' is larger than 4 MiB: not a holiday calendar");
	/* Nothing of the refused files was kept: 5 x 8 h. */
	elapsed_is(cal, "2026-11-16T00:00:00+01:00", "2026-11-23T00:00:00+01:00", 40 * H);
	crm_calendar_free(cal);
	fx_close(NULL);
}
END_TEST

START_TEST(test_due_too_far)
{
	crm_calendar *cal = office("UTC"), *all = calendar("UTC");
	int64_t due = 0;

	ck_assert_int_eq(crm_calendar_due(cal, at("2026-11-16T00:00:00Z"), INT64_MAX / 2, &due),
			 CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "the business time runs past the year 9999");
	ck_assert_int_eq(crm_calendar_due(all, at("2026-11-16T00:00:00Z"), INT64_MAX, &due),
			 CRM_EDATA);
	crm_calendar_free(cal);
	crm_calendar_free(all);
}
END_TEST

/* ---- properties over pseudo-random times ---- */

/* A deterministic generator (Knuth's MMIX constants), so that a failure
 * can be replayed. */
static uint64_t seed;

static int64_t pick(int64_t lo, int64_t hi)
{
	seed = seed * 6364136223846793005u + 1442695040888963407u;
	return lo + (int64_t)((seed >> 33) % (uint64_t)(hi - lo));
}

/* The split-day week of the properties and the oracle: Mon-Thu 08:00-12:00
 * and 13:00-17:30, Fri 08:00-14:00, Sun 01:00-04:00 (across the change). */
static const struct { int day, start, end; } week[] = {
	{ 0, 480, 720 }, { 0, 780, 1050 }, { 1, 480, 720 }, { 1, 780, 1050 },
	{ 2, 480, 720 }, { 2, 780, 1050 }, { 3, 480, 720 }, { 3, 780, 1050 },
	{ 4, 480, 840 }, { 6, 60, 240 },
};
static const char *const days_off[] = { "2026-03-27", "2026-10-26", "2026-11-02", "2027-01-01" };

static crm_calendar *shop(const char *tz)
{
	crm_calendar *cal = calendar(tz);

	for (size_t i = 0; i < sizeof week / sizeof week[0]; i++)
		ck_assert_int_eq(crm_calendar_hours(cal, week[i].day, week[i].start, week[i].end),
				 CRM_OK);
	for (size_t i = 0; i < sizeof days_off / sizeof days_off[0]; i++)
		ck_assert_int_eq(crm_calendar_holiday(cal, days_off[i]), CRM_OK);
	return cal;
}

START_TEST(test_round_trip)
{
	const char *zones[] = { "Europe/Berlin", "America/New_York", "UTC" };
	int64_t lo = at("2026-01-01T00:00:00Z"), hi = at("2028-01-01T00:00:00Z");

	seed = 20261116;
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		crm_calendar *cal = shop(zones[z]);

		for (int i = 0; i < 200; i++) {
			int64_t from = pick(lo, hi), to = from + pick(0, 30 * 86400);
			int64_t secs = pick(0, 120 * H), due = 0, mid = pick(from, to + 1), e;

			/* due is the first moment by which secs have passed. */
			ck_assert_int_eq(crm_calendar_due(cal, from, secs, &due), CRM_OK);
			ck_assert_int_ge(due, from);
			ck_assert_int_eq(crm_calendar_elapsed(cal, from, due), secs);
			if (secs)
				ck_assert_int_eq(crm_calendar_elapsed(cal, from, due - 1), secs - 1);
			/* Back again from an arbitrary end, which may be closed. */
			e = crm_calendar_elapsed(cal, from, to);
			ck_assert_int_eq(crm_calendar_due(cal, from, e, &due), CRM_OK);
			ck_assert_int_le(due, to);
			ck_assert_int_eq(crm_calendar_elapsed(cal, from, due), e);
			/* Business time adds up. */
			ck_assert_int_eq(crm_calendar_elapsed(cal, from, mid) +
					 crm_calendar_elapsed(cal, mid, to), e);
		}
		crm_calendar_free(cal);
	}
}
END_TEST

/* Whether the minute starting at t is open, read straight off libical's
 * local time for t, one instant at a time, with none of calendar.c's
 * stretches and day arithmetic. */
static int open_p(icaltimezone *zone, int64_t t)
{
	struct icaltimetype lt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
	int wd = (icaltime_day_of_week(lt) + 5) % 7, min = lt.hour * 60 + lt.minute;
	char date[32];

	snprintf(date, sizeof date, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	for (size_t i = 0; i < sizeof days_off / sizeof days_off[0]; i++)
		if (!strcmp(date, days_off[i]))
			return 0;
	for (size_t i = 0; i < sizeof week / sizeof week[0]; i++)
		if (week[i].day == wd && min >= week[i].start && min < week[i].end)
			return 1;
	return 0;
}

/* The business seconds of random stretches around the clock changes,
 * against a count of open minutes (every boundary here falls on a whole
 * minute, in UTC and in local time). */
START_TEST(test_oracle)
{
	const char *zones[] = { "Europe/Berlin", "America/New_York" };
	const char *changes[] = { "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z",
				  "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z" };

	seed = 42;
	for (size_t z = 0; z < 2; z++) {
		crm_calendar *cal = shop(zones[z]);
		icaltimezone *zone = icaltimezone_get_builtin_timezone(zones[z]);

		for (int i = 0; i < 60; i++) {
			int64_t c = at(changes[2 * z + i % 2]);
			int64_t from = c - pick(0, 4 * 1440) * 60, to = from + pick(0, 5 * 1440) * 60;
			int64_t want = 0;

			for (int64_t t = from; t < to; t += 60)
				want += 60 * open_p(zone, t);
			ck_assert_msg(crm_calendar_elapsed(cal, from, to) == want,
				      "%s %lld..%lld: %lld, not %lld", zones[z], (long long)from,
				      (long long)to, (long long)crm_calendar_elapsed(cal, from, to),
				      (long long)want);
		}
		crm_calendar_free(cal);
	}
}
END_TEST

Suite *calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("calendar");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_weekend);
	tcase_add_test(tc, test_holiday);
	tcase_add_test(tc, test_holiday_refused);
	tcase_add_test(tc, test_nights);
	tcase_add_test(tc, test_due_at_close);
	tcase_add_test(tc, test_outside_hours);
	tcase_add_test(tc, test_split_days);
	tcase_add_test(tc, test_berlin_spring);
	tcase_add_test(tc, test_berlin_fall);
	tcase_add_test(tc, test_new_york);
	tcase_add_test(tc, test_around_the_clock);
	tcase_add_test(tc, test_overlap_refused);
	tcase_add_test(tc, test_span_parse);
	tcase_add_test(tc, test_unknown_zone);
	tcase_add_test(tc, test_ics);
	tcase_add_test(tc, test_ics_errors);
	tcase_add_test(tc, test_due_too_far);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_oracle);
	suite_add_tcase(s, tc);
	return s;
}
