/* date.c - ISO 8601 dates and times, always in UTC.
 *
 * Conversions between calendar dates and day numbers are pure arithmetic
 * (Howard Hinnant's days_from_civil and civil_from_days), so results never
 * depend on the local time zone, on TZ, or on the range of time_t.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm/date.h"
#include "crm/error.h"

#define DAY 86400

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years keep
 * stored timestamps fixed-width, so that they sort correctly as text. */
#define TIME_MIN INT64_C(-62135596800)
#define TIME_MAX INT64_C(253402300799)

/* Longest relative offset: five digits keep every product far from overflow. */
#define OFFSET_DIGITS 5

static bool leap_p(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap_p(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Splits t into whole days and the seconds into the day, rounding down so
 * that times before 1970 land on the right day. */
static int64_t split_day(int64_t t, int64_t *secs)
{
	int64_t days = t / DAY;

	*secs = t % DAY;
	if (*secs < 0) {
		*secs += DAY;
		days--;
	}
	return days;
}

static bool in_range_p(int64_t t)
{
	return t >= TIME_MIN && t <= TIME_MAX;
}

/* Reads exactly n ASCII digits at *p into *v; the locale plays no part. */
static bool digits(const char **p, int n, int *v)
{
	const char *s = *p;

	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	*p = s + n;
	return true;
}

/* Reads HH:MM[:SS[.fff]]; a leap second 60 becomes 59 so that it stays in
 * its own minute rather than rolling the date over. */
static bool parse_clock(const char **p, int64_t *secs)
{
	int h, mi, s = 0;

	if (!digits(p, 2, &h) || *(*p)++ != ':' || !digits(p, 2, &mi))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!digits(p, 2, &s))
			return false;
		if (**p == '.') {
			const char *f = ++*p;

			while (**p >= '0' && **p <= '9')
				(*p)++;
			if (*p == f)
				return false;
		}
	}
	if (h > 23 || mi > 59 || s > 60)
		return false;
	*secs = h * 3600 + mi * 60 + (s == 60 ? 59 : s);
	return true;
}

/* Reads the zone suffix: nothing or Z (UTC), +HH:MM, -HH:MM, +HHMM, -HHMM;
 * one space may come before an offset, as shops' exports write it
 * ("2026-10-05 14:02:11 +0200"). */
static bool parse_zone(const char **p, int64_t *offset)
{
	int sign, h, m;

	*offset = 0;
	if (**p == ' ' && ((*p)[1] == '+' || (*p)[1] == '-'))
		(*p)++;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return true;
	}
	if (**p != '+' && **p != '-')
		return true;
	sign = *(*p)++ == '-' ? -1 : 1;
	if (!digits(p, 2, &h))
		return false;
	if (**p == ':')
		(*p)++;
	if (!digits(p, 2, &m) || h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return true;
}

/* Parses YYYY-MM-DD with an optional time of day and zone into epoch seconds. */
static bool parse_absolute(const char *s, int64_t *t)
{
	const char *p = s;
	int y, m, d;
	int64_t secs = 0, offset = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &m) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!parse_clock(&p, &secs) || !parse_zone(&p, &offset))
			return false;
	}
	if (*p)
		return false;
	*t = days_from_civil(y, m, d) * DAY + secs - offset;
	return in_range_p(*t);
}

/* Moves t by months calendar months, keeping the time of day and the day of
 * the month, which is clamped to the last day of a shorter month. */
static bool add_months(int64_t *t, int64_t months)
{
	int64_t secs, days = split_day(*t, &secs), y, total;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	total = y * 12 + (m - 1) + months;
	y = total >= 0 ? total / 12 : (total - 11) / 12;
	m = (int)(total - y * 12) + 1;
	if (y < 1 || y > 9999)
		return false;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	*t = days_from_civil(y, m, d) * DAY + secs;
	return true;
}

/* Parses +Nd, -Nw, +Nm, -Ny (N of one to five digits) counted from now. */
static bool parse_offset(const char *s, int64_t now, int64_t *t)
{
	int64_t n = 0, sign = s[0] == '-' ? -1 : 1;
	size_t i;

	if (s[0] != '+' && s[0] != '-')
		return false;
	for (i = 1; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i > OFFSET_DIGITS)
			return false;
		n = n * 10 + (s[i] - '0');
	}
	if (i == 1 || !s[i] || s[i + 1])
		return false;
	*t = now;
	switch (s[i]) {
	case 'd':
		*t += sign * n * DAY;
		break;
	case 'w':
		*t += sign * n * 7 * DAY;
		break;
	case 'm':
		return add_months(t, sign * n);
	case 'y':
		return add_months(t, sign * n * 12);
	default:
		return false;
	}
	return in_range_p(*t);
}

/* Parses the words and offsets that count from now. */
static bool parse_relative(const char *s, int64_t now, int64_t *t)
{
	static const struct {
		const char *word;
		int days;
	} words[] = { { "today", 0 }, { "yesterday", -1 }, { "tomorrow", 1 } };

	if (!in_range_p(now))
		return false;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (!strcasecmp(s, words[i].word)) {
			*t = now + words[i].days * DAY;
			return in_range_p(*t);
		}
	}
	return parse_offset(s, now, t);
}

int crm_time_parse_epoch(int64_t *t, const char *s, int64_t now)
{
	if (!s || (!parse_absolute(s, t) && !parse_relative(s, now, t)))
		return crm_error_set(CRM_EDATA, "invalid date '%s'", s ? s : "");
	return CRM_OK;
}

int crm_time_parse(char out[CRM_TIME_LEN], const char *s, int64_t now)
{
	int64_t t;
	int rc = crm_time_parse_epoch(&t, s, now);

	if (rc)
		return rc;
	crm_time_format(out, t);
	return CRM_OK;
}

/* Whether s, which reads as a time, is written YYYY-MM-DD and then a time
 * of day: parse_absolute's shape, whose day it has checked. */
static bool day_then_time_p(const char *s)
{
	for (int i = 0; i < CRM_DATE_LEN - 1; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	return s[CRM_DATE_LEN - 1] == 'T' || s[CRM_DATE_LEN - 1] == 't' || s[CRM_DATE_LEN - 1] == ' ';
}

/* A date given with its time of day and an offset is the day written,
 * not the day the moment falls on in UTC: a deal expected to close at
 * 2026-03-31T23:00-05:00 closes in March, and a birth date exported as
 * 1985-03-14T00:00:00+01:00 is the 14th. */
int crm_date_parse(char out[CRM_DATE_LEN], const char *s, int64_t now)
{
	char stamp[CRM_TIME_LEN];
	int rc = crm_time_parse(stamp, s, now);

	if (rc)
		return rc;
	if (day_then_time_p(s))
		memcpy(stamp, s, CRM_DATE_LEN - 1);
	memcpy(out, stamp, CRM_DATE_LEN - 1);
	out[CRM_DATE_LEN - 1] = '\0';
	return CRM_OK;
}

/* Writes v as exactly width decimal digits, zero-padded. */
static char *put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void crm_time_format(char out[CRM_TIME_LEN], int64_t t)
{
	int64_t secs, days, y;
	int m, d;
	char *p = out;

	/* Clamped so that the text always has the fixed 20-character shape. */
	t = t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
	days = split_day(t, &secs);
	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	*p++ = 'Z';
	*p = '\0';
}

int crm_now(int64_t *out)
{
	const char *v = getenv("CRM_NOW");

	/* An empty value counts as unset, as with most environment switches. */
	if (v && *v) {
		if (!parse_absolute(v, out))
			return crm_error_set(CRM_EUSAGE, "invalid CRM_NOW '%s'", v);
		return CRM_OK;
	}
	*out = (int64_t)time(NULL);
	return CRM_OK;
}

/* Periods.  A period is a half-open range of days [from, to), named as
 * people write it; the work is done in days since 1970. */
struct span {
	int64_t from, to;
};

/* Writes day number z as "YYYY-MM-DD". */
static void format_day(char out[CRM_DATE_LEN], int64_t z)
{
	char stamp[CRM_TIME_LEN];

	crm_time_format(stamp, z * DAY);
	memcpy(out, stamp, CRM_DATE_LEN - 1);
	out[CRM_DATE_LEN - 1] = '\0';
}

/* The span of the month, quarter (months 3) or year (months 12) holding
 * day z, moved back by back periods. */
static struct span calendar_span(int64_t z, int months, int back)
{
	int64_t y, first;
	int m, d;

	civil_from_days(z, &y, &m, &d);
	first = y * 12 + (m - 1) / months * months - (int64_t)back * months;
	return (struct span){ days_from_civil(first / 12, (int)(first % 12) + 1, 1),
	                      days_from_civil((first + months) / 12, (int)((first + months) % 12) + 1, 1) };
}

/* The span of the ISO week (Monday first) holding day z. */
static struct span week_span(int64_t z, int back)
{
	/* 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday. */
	int64_t monday = z - ((z % 7 + 7 + 3) % 7) - 7 * (int64_t)back;

	return (struct span){ monday, monday + 7 };
}

/* Reads the words relative to today: this-/last- week, month, quarter,
 * year; ytd, qtd, mtd (from the period's start to today, included). */
static bool relative_period(const char *s, int64_t today, struct span *sp)
{
	static const struct {
		const char *unit;
		int months;
	} units[] = { { "week", 0 }, { "month", 1 }, { "quarter", 3 }, { "year", 12 } };
	int back = !strncmp(s, "last-", 5), i;

	if (!strcmp(s, "ytd") || !strcmp(s, "qtd") || !strcmp(s, "mtd")) {
		*sp = calendar_span(today, s[0] == 'y' ? 12 : s[0] == 'q' ? 3 : 1, 0);
		sp->to = today + 1;
		return true;
	}
	if (!back && strncmp(s, "this-", 5))
		return false;
	for (i = 0; i < 4; i++)
		if (!strcmp(s + 5, units[i].unit)) {
			*sp = units[i].months ? calendar_span(today, units[i].months, back)
			                      : week_span(today, back);
			return true;
		}
	return false;
}

/* Reads "YYYY", "YYYY-MM" and "YYYY-QN". */
static bool calendar_period(const char *s, struct span *sp)
{
	const char *p = s;
	int y, m, q;

	if (!digits(&p, 4, &y))
		return false;
	if (!*p) {
		*sp = calendar_span(days_from_civil(y, 1, 1), 12, 0);
		return true;
	}
	if (*p++ != '-')
		return false;
	if ((*p == 'Q' || *p == 'q') && p[1] >= '1' && p[1] <= '4' && !p[2]) {
		q = p[1] - '0';
		*sp = calendar_span(days_from_civil(y, (q - 1) * 3 + 1, 1), 3, 0);
		return true;
	}
	if (!digits(&p, 2, &m) || *p || m < 1 || m > 12)
		return false;
	*sp = calendar_span(days_from_civil(y, m, 1), 1, 0);
	return true;
}

int crm_period_parse(char from[CRM_DATE_LEN], char to[CRM_DATE_LEN], const char *s, int64_t now)
{
	int64_t secs, today = split_day(now, &secs), t;
	struct span sp;

	if (!calendar_period(s, &sp) && !relative_period(s, today, &sp)) {
		/* A single day: a date, "today", "yesterday", an offset. */
		if (!parse_absolute(s, &t) && !parse_relative(s, now, &t) && !parse_offset(s, now, &t))
			return crm_error_set(CRM_EDATA, "invalid period '%s' (expected 2026, 2026-Q3,"
			                     " 2026-11, a date, this-month, last-quarter, ytd ...)", s);
		sp.from = split_day(t, &secs);
		sp.to = sp.from + 1;
	}
	format_day(from, sp.from);
	format_day(to, sp.to);
	return CRM_OK;
}

int crm_period_of(char out[CRM_PERIOD_LEN], const char *date, const char *by)
{
	const char *p = date;
	int y, m, d;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &m) || m < 1 || m > 12 ||
	    *p++ != '-' || !digits(&p, 2, &d))
		return crm_error_set(CRM_EDATA, "invalid date '%s'", date);
	/* The moduli tell the compiler what digits() already ensured. */
	y %= 10000;
	if (!strcmp(by, "year"))
		snprintf(out, CRM_PERIOD_LEN, "%04d", y);
	else if (!strcmp(by, "quarter"))
		snprintf(out, CRM_PERIOD_LEN, "%04d-Q%d", y, ((m - 1) / 3 + 1) % 10);
	else if (!strcmp(by, "month"))
		snprintf(out, CRM_PERIOD_LEN, "%04d-%02d", y, m % 100);
	else
		return crm_error_set(CRM_EUSAGE, "invalid period kind '%s' (expected month, quarter"
		                     " or year)", by);
	return CRM_OK;
}

int crm_span_parse(const char *s, int64_t *seconds)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 'm', 60 }, { 'h', 3600 }, { 'd', DAY }, { 'w', 7 * DAY } };
	int64_t total = 0;

	if (!s || !*s)
		return crm_error_set(CRM_EDATA, "invalid span '' (e.g. 30m, 2h, 1h30m, 3d, 1w)");
	while (*s) {
		int64_t n = 0;
		size_t i = 0, u = 0;

		for (; s[i] >= '0' && s[i] <= '9' && i <= OFFSET_DIGITS; i++)
			n = n * 10 + (s[i] - '0');
		while (u < sizeof units / sizeof units[0] && units[u].unit != s[i])
			u++;
		if (!i || i > OFFSET_DIGITS || u == sizeof units / sizeof units[0])
			return crm_error_set(CRM_EDATA, "invalid span '%s' (e.g. 30m, 2h, 1h30m, 3d,"
			                     " 1w)", s);
		total += n * units[u].secs;
		s += i + 1;
	}
	*seconds = total;
	return CRM_OK;
}

int crm_date_add_months(char out[CRM_DATE_LEN], const char *day, int months)
{
	char off[16];
	int64_t t;
	int rc;

	/* The offsets crm_date_parse reads are exactly this, from a time. */
	snprintf(off, sizeof off, "%+dm", months);
	if ((rc = crm_time_parse_epoch(&t, day, 0)))
		return rc;
	return crm_date_parse(out, off, t);
}

/* Midnight UTC of date day, in epoch seconds. */
static int day_epoch(const char *day, int64_t *t)
{
	char buf[CRM_TIME_LEN];

	if (!day || strlen(day) != 10)
		return crm_error_set(CRM_EDATA, "invalid date '%s'", day ? day : "");
	snprintf(buf, sizeof buf, "%sT00:00:00Z", day);
	return crm_time_parse_epoch(t, buf, 0);
}

int crm_date_add_days(char out[CRM_DATE_LEN], const char *day, int64_t n)
{
	char buf[CRM_TIME_LEN];
	int64_t t;
	int rc = day_epoch(day, &t);

	if (rc)
		return rc;
	crm_time_format(buf, t + n * DAY);
	snprintf(out, CRM_DATE_LEN, "%.10s", buf);
	return CRM_OK;
}

int64_t crm_date_diff(const char *a, const char *b)
{
	int64_t x, y;

	if (day_epoch(a, &x) || day_epoch(b, &y))
		return 0;
	return (y - x) / DAY;
}

int crm_period_name(char out[CRM_PERIOD_NAME_LEN], const char *from, const char *to)
{
	static const struct {
		int months;
		const char *by;
	} whole[] = { { 12, "year" }, { 3, "quarter" }, { 1, "month" } };
	char last[CRM_DATE_LEN];
	int64_t a, b;
	struct span sp;

	if (day_epoch(from, &a) || day_epoch(to, &b) || b <= a)
		return crm_error_set(CRM_EDATA, "invalid period '%s..%s'", from ? from : "",
		                     to ? to : "");
	a /= DAY, b /= DAY;
	for (size_t i = 0; i < sizeof whole / sizeof *whole; i++) {
		sp = calendar_span(a, whole[i].months, 0);
		if (sp.from == a && sp.to == b)
			return crm_period_of(out, from, whole[i].by);
	}
	format_day(last, b - 1);
	if (b - a == 1)
		snprintf(out, CRM_PERIOD_NAME_LEN, "%s", last);
	else
		snprintf(out, CRM_PERIOD_NAME_LEN, "%.10s..%s", from, last);
	return CRM_OK;
}
