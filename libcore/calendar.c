/* calendar.c - business calendars: weekly hours in a time zone, days off,
 * and business seconds between moments; see calendar.h.
 *
 * Time is walked in stretches of one UTC offset.  Inside a stretch local
 * time runs in step with real time, so what is open there is plain
 * arithmetic on local days: whole weeks at once, days off subtracted one
 * by one.  The offsets come from libical's zones (which Debian's libical
 * reads from the system's zoneinfo), never from TZ and localtime, which
 * are one setting for the whole process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "crm/buf.h"
#include "crm/calendar.h"
#include "crm/date.h"
#include "crm/error.h"

#define DAY INT64_C(86400)

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of date.c. */
#define TIME_MIN INT64_C(-62135596800)
#define TIME_MAX INT64_C(253402300799)

/* A due time is sought a week at a time, so that a zone's changes are
 * looked for no further ahead than the answer needs. */
#define STRETCH (7 * DAY)

/* Every day of 1970..2100 five times over: more is a mistaken rule or
 * event, not a list of holidays, and would only eat memory. */
#define HOLIDAYS_MAX 250000

struct span {
	int start, end; /* minutes after local midnight */
};

struct crm_calendar {
	icaltimezone *zone; /* libical's, shared: never freed here */
	int utc;            /* zone has no offsets to look up */
	int has_hours;      /* else open around the clock */
	struct span hours[7][CRM_CALENDAR_SPANS]; /* by weekday, in order */
	int nhours[7];
	int64_t day_secs[7]; /* open seconds of each weekday */
	int64_t week_secs;
	int64_t *off;        /* days off, as local day numbers, sorted, unique */
	size_t noff, capoff;
};

static const char *const weekdays[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const struct span whole_day = { 0, 1440 };

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* Monday 0 .. Sunday 6 of a day number; day 0, 1970-01-01, was a Thursday. */
static int weekday_of(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

static int64_t clamp(int64_t t)
{
	return t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
}

/* ---- the zone ---- */

/* The zone's offset from UTC, in seconds, at epoch time t. */
static int offset_at(const crm_calendar *cal, int64_t t)
{
	struct icaltimetype tt;
	int dst;

	if (cal->utc)
		return 0;
	tt = icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
	return icaltimezone_get_utc_offset_of_utc_time(cal->zone, &tt, &dst);
}

/* Returns the first moment after t, and before limit, at which the offset
 * is no longer off; limit when there is none.  It looks a day at a time,
 * then halves the day that changed down to the second.  A zone that left
 * an offset and came back to it within one day would go unseen; real
 * zones change a few times a year at most. */
static int64_t stretch_end(const crm_calendar *cal, int64_t t, int off, int64_t limit)
{
	int64_t lo = t, hi, mid;

	if (cal->utc)
		return limit;
	for (;;) {
		hi = limit - lo > DAY ? lo + DAY : limit;
		if (offset_at(cal, hi) != off)
			break;
		if (hi == limit)
			return limit;
		lo = hi;
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (offset_at(cal, mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* ---- days off ---- */

static int cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Index of the first day off on or after day. */
static size_t off_from(const crm_calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal->noff;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->off[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int off_p(const crm_calendar *cal, int64_t day)
{
	size_t i = off_from(cal, day);

	return i < cal->noff && cal->off[i] == day;
}

/* Appends a day off, to be put in order by settle(); path names the file
 * it came from in the error, when there is one. */
static int push_off(crm_calendar *cal, int64_t day, const char *path)
{
	if (cal->noff == cal->capoff) {
		size_t cap = cal->capoff ? cal->capoff * 2 : 64;
		int64_t *p;

		if (cap > HOLIDAYS_MAX)
			cap = HOLIDAYS_MAX;
		if (cal->noff == cap)
			return path ? crm_error_set(CRM_EDATA, "'%s': more than %d days off", path,
			                            HOLIDAYS_MAX)
			            : crm_error_set(CRM_EDATA, "more than %d days off", HOLIDAYS_MAX);
		if (!(p = realloc(cal->off, cap * sizeof *p)))
			return crm_error_nomem();
		cal->off = p;
		cal->capoff = cap;
	}
	cal->off[cal->noff++] = day;
	return CRM_OK;
}

/* Sorts the days off and drops the doubles, so that each is subtracted
 * once. */
static void settle(crm_calendar *cal)
{
	size_t i, n = 0;

	qsort(cal->off, cal->noff, sizeof *cal->off, cmp_day);
	for (i = 0; i < cal->noff; i++)
		if (!n || cal->off[n - 1] != cal->off[i])
			cal->off[n++] = cal->off[i];
	cal->noff = n;
}

/* ---- local time: seconds since 1970-01-01T00:00 on the zone's clocks ---- */

static const struct span *spans_of(const crm_calendar *cal, int weekday, int *n)
{
	if (!cal->has_hours) {
		*n = 1;
		return &whole_day;
	}
	*n = cal->nhours[weekday];
	return cal->hours[weekday];
}

/* Open seconds of [lo, hi), seconds after the midnight of day. */
static int64_t day_open(const crm_calendar *cal, int64_t day, int64_t lo, int64_t hi)
{
	const struct span *sp;
	int64_t sum = 0, a, b;
	int n;

	if (lo >= hi || off_p(cal, day))
		return 0;
	sp = spans_of(cal, weekday_of(day), &n);
	for (int i = 0; i < n; i++) {
		a = sp[i].start * 60 > lo ? sp[i].start * 60 : lo;
		b = sp[i].end * 60 < hi ? sp[i].end * 60 : hi;
		if (b > a)
			sum += b - a;
	}
	return sum;
}

/* Open seconds of the whole days [d1, d2). */
static int64_t days_open(const crm_calendar *cal, int64_t d1, int64_t d2)
{
	int64_t n = d2 - d1, sum;

	if (n <= 0)
		return 0;
	sum = n / 7 * cal->week_secs;
	for (int64_t i = 0; i < n % 7; i++)
		sum += cal->day_secs[weekday_of(d1 + i)];
	for (size_t i = off_from(cal, d1); i < cal->noff && cal->off[i] < d2; i++)
		sum -= cal->day_secs[weekday_of(cal->off[i])];
	return sum;
}

/* Open seconds of the local times [x, y). */
static int64_t local_open(const crm_calendar *cal, int64_t x, int64_t y)
{
	int64_t dx = floor_div(x, DAY), dy = floor_div(y, DAY);

	if (y <= x)
		return 0;
	if (dx == dy)
		return day_open(cal, dx, x - dx * DAY, y - dy * DAY);
	return day_open(cal, dx, x - dx * DAY, DAY) + days_open(cal, dx + 1, dy) +
	       day_open(cal, dy, 0, y - dy * DAY);
}

/* Returns the first local time by which left open seconds have passed
 * since x; the caller knows that they do. */
static int64_t local_due(const crm_calendar *cal, int64_t x, int64_t left)
{
	int64_t day = floor_div(x, DAY), lo = x - day * DAY, a, b;
	const struct span *sp;
	int n;

	if (!left)
		return x;
	for (;; day++, lo = 0) {
		if (off_p(cal, day))
			continue;
		sp = spans_of(cal, weekday_of(day), &n);
		for (int i = 0; i < n; i++) {
			a = sp[i].start * 60 > lo ? sp[i].start * 60 : lo;
			b = sp[i].end * 60;
			if (b <= a)
				continue;
			if (b - a >= left)
				return day * DAY + a + left;
			left -= b - a;
		}
	}
}

/* Every moment counts: open around the clock with no day off. */
static int always_open_p(const crm_calendar *cal)
{
	return !cal->has_hours && !cal->noff;
}

/* ---- the interface ---- */

/* libical takes a zone's name as a path under the zoneinfo folder. */
static int zone_name_p(const char *tz)
{
	size_t len = strlen(tz);

	return len && len < 128 && tz[0] != '/' && !strstr(tz, "..") &&
	       strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") == len;
}

int crm_calendar_new(crm_calendar **out, const char *tz)
{
	crm_calendar *cal;
	icaltimezone *zone;

	*out = NULL;
	if (!tz || !zone_name_p(tz) || !(zone = icaltimezone_get_builtin_timezone(tz))) {
		icalerror_clear_errno();
		return crm_error_set(CRM_EDATA, "unknown time zone '%s'", tz ? tz : "");
	}
	if (!(cal = calloc(1, sizeof *cal)))
		return crm_error_nomem();
	cal->zone = zone;
	cal->utc = zone == icaltimezone_get_utc_timezone();
	for (int w = 0; w < 7; w++)
		cal->day_secs[w] = DAY;
	cal->week_secs = 7 * DAY;
	*out = cal;
	return CRM_OK;
}

void crm_calendar_free(crm_calendar *cal)
{
	if (!cal)
		return;
	free(cal->off);
	free(cal);
}

static void hhmm(char out[16], int min)
{
	snprintf(out, 16, "%02d:%02d", min / 60, min % 60);
}

int crm_calendar_hours(crm_calendar *cal, int weekday, int start_min, int end_min)
{
	char s[16], e[16], os[16], oe[16];
	struct span *sp;
	int n, i;

	if (weekday < 0 || weekday > 6)
		return crm_error_set(CRM_EUSAGE, "no weekday %d (0 is Monday, 6 Sunday)", weekday);
	if (start_min < 0 || end_min > 1440)
		return crm_error_set(CRM_EDATA, "hours on %s from minute %d to %d leave the day"
		                     " (0 to 1440)", weekdays[weekday], start_min, end_min);
	hhmm(s, start_min);
	hhmm(e, end_min);
	if (start_min >= end_min)
		return crm_error_set(CRM_EDATA, "empty hours on %s: %s-%s", weekdays[weekday], s, e);
	sp = cal->hours[weekday];
	n = cal->has_hours ? cal->nhours[weekday] : 0;
	for (i = 0; i < n; i++)
		if (start_min < sp[i].end && sp[i].start < end_min) {
			hhmm(os, sp[i].start);
			hhmm(oe, sp[i].end);
			return crm_error_set(CRM_EDATA, "overlapping hours on %s: %s-%s and %s-%s",
			                     weekdays[weekday], os, oe, s, e);
		}
	if (n == CRM_CALENDAR_SPANS)
		return crm_error_set(CRM_EDATA, "more than %d spans of hours on %s",
		                     CRM_CALENDAR_SPANS, weekdays[weekday]);
	/* The first hours given close every other day. */
	if (!cal->has_hours) {
		memset(cal->nhours, 0, sizeof cal->nhours);
		memset(cal->day_secs, 0, sizeof cal->day_secs);
		cal->week_secs = 0;
		cal->has_hours = 1;
	}
	for (i = n; i > 0 && sp[i - 1].start > start_min; i--)
		sp[i] = sp[i - 1];
	sp[i] = (struct span){ start_min, end_min };
	cal->nhours[weekday]++;
	cal->day_secs[weekday] += (end_min - start_min) * 60;
	cal->week_secs += (end_min - start_min) * 60;
	return CRM_OK;
}

static int digit_p(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads "HH:MM" (00:00 to 24:00) at *p into minutes. */
static int clock_of(const char **p, int *min)
{
	const char *s = *p;
	int h, m;

	if (!digit_p(s[0]) || !digit_p(s[1]) || s[2] != ':' || !digit_p(s[3]) || !digit_p(s[4]))
		return 0;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	if (m > 59 || h > 24 || (h == 24 && m))
		return 0;
	*min = h * 60 + m;
	*p = s + 5;
	return 1;
}

int crm_calendar_span_parse(const char *text, int *start_min, int *end_min)
{
	const char *p = text + strspn(text, " \t");
	int s, e;

	if (!clock_of(&p, &s) || (p += strspn(p, " \t"), *p++ != '-') ||
	    (p += strspn(p, " \t"), !clock_of(&p, &e)) || p[strspn(p, " \t")] || s == 1440)
		return crm_error_set(CRM_EDATA, "invalid hours '%s' (expected HH:MM-HH:MM, such as"
		                     " 09:00-17:30)", text);
	if (s >= e)
		return crm_error_set(CRM_EDATA, "hours '%s' end before they start (a span past"
		                     " midnight is two spans, one on each day)", text);
	*start_min = s;
	*end_min = e;
	return CRM_OK;
}

int crm_calendar_holiday(crm_calendar *cal, const char *date)
{
	int64_t t;
	int rc;

	/* Only the plain date: the words and offsets crm_time_parse also
	 * takes mean nothing in a list of holidays. */
	if (strlen(date) != 10 || strspn(date, "0123456789") != 4 || date[4] != '-' ||
	    date[7] != '-' || crm_time_parse_epoch(&t, date, 0))
		return crm_error_set(CRM_EDATA, "invalid holiday '%s' (expected YYYY-MM-DD)", date);
	if ((rc = push_off(cal, floor_div(t, DAY), NULL)))
		return rc;
	settle(cal);
	return CRM_OK;
}

/* ---- days off from iCalendar ---- */

/* What the occurrences of one event cover. */
struct event {
	crm_calendar *cal;
	const char *path;
	enum { EV_DAYS, EV_FLOATING, EV_ZONED } kind;
	int64_t length; /* days for EV_DAYS, else seconds */
	int rc;
};

/* Called by libical for each occurrence.  Its span is no help for
 * all-day events (it stretches them to the end of the following day), so
 * only the start is taken, the length being the event's own. */
static void add_occurrence(icalcomponent *comp, struct icaltime_span *span, void *arg)
{
	struct event *ev = arg;
	int64_t a = span->start, b, first, last;

	(void)comp;
	if (ev->rc)
		return;
	if (ev->kind == EV_DAYS) {
		first = floor_div(a, DAY);
		last = first + ev->length - 1;
	} else {
		b = a + ev->length;
		/* A time with no zone is already the calendar's local time. */
		if (ev->kind == EV_ZONED) {
			a += offset_at(ev->cal, clamp(a));
			b += offset_at(ev->cal, clamp(b));
		}
		first = floor_div(a, DAY);
		last = b > a ? floor_div(b - 1, DAY) : first;
	}
	for (int64_t d = first; d <= last && !ev->rc; d++)
		ev->rc = push_off(ev->cal, d, ev->path);
}

/* Whether a rule of comp repeats within the day: such a rule is not a
 * list of days off, and libical would walk each of its occurrences up to
 * 2100. */
static int too_often_p(icalcomponent *comp)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY); p;
	     p = icalcomponent_get_next_property(comp, ICAL_RRULE_PROPERTY))
		if (icalproperty_get_rrule(p).freq < ICAL_DAILY_RECURRENCE)
			return 1;
	return 0;
}

static int add_event(crm_calendar *cal, const char *path, icalcomponent *comp)
{
	struct icaltimetype s = icalcomponent_get_dtstart(comp), e = icalcomponent_get_dtend(comp);
	struct event ev = { cal, path, EV_DAYS, 1, CRM_OK };
	const char *name = icalcomponent_get_summary(comp);

	if (icalcomponent_get_status(comp) == ICAL_STATUS_CANCELLED)
		return CRM_OK;
	if (icaltime_is_null_time(s))
		return crm_error_set(CRM_EDATA, "'%s': event '%s' has no valid DTSTART", path,
		                     name ? name : "");
	if (too_often_p(comp))
		return crm_error_set(CRM_EDATA, "'%s': event '%s' repeats more often than daily",
		                     path, name ? name : "");
	if (s.is_date) {
		if (!icaltime_is_null_time(e))
			ev.length = (icaltime_as_timet(e) - icaltime_as_timet(s)) / DAY;
		if (ev.length < 1)
			ev.length = 1;
	} else {
		ev.kind = s.zone ? EV_ZONED : EV_FLOATING;
		ev.length = 0;
		if (!icaltime_is_null_time(e))
			ev.length = icaltime_as_timet_with_zone(e, e.zone) -
			            icaltime_as_timet_with_zone(s, s.zone);
		if (ev.length < 0)
			ev.length = 0;
	}
	icalcomponent_foreach_recurrence(comp, icaltime_from_string("19700101T000000Z"),
	                                 icaltime_from_string("21010101T000000Z"),
	                                 add_occurrence, &ev);
	return ev.rc;
}

/* Holiday calendars are small; a file larger than this is not one (and
 * a device such as /dev/zero would never end). */
#define ICS_MAX (4L << 20)

static int read_file(const char *path, crm_buf *b)
{
	int rc = crm_buf_read_file(b, path, ICS_MAX);

	if (rc == CRM_EDATA)
		rc = crm_error_set(CRM_EDATA, "'%s' is larger than 4 MiB: not a holiday calendar",
		                   path);
	return rc;
}

int crm_calendar_holidays_ics(crm_calendar *cal, const char *path)
{
	crm_buf text = CRM_BUF_INIT;
	icalcomponent *top = NULL, *comp;
	size_t before = cal->noff;
	int rc;

	if ((rc = read_file(path, &text)))
		goto done;
	top = icalparser_parse_string(crm_buf_str(&text));
	if (!top || icalcomponent_isa(top) != ICAL_VCALENDAR_COMPONENT) {
		rc = crm_error_set(CRM_EDATA, "'%s': not an iCalendar file (no VCALENDAR)", path);
		goto done;
	}
	for (comp = icalcomponent_get_first_component(top, ICAL_VEVENT_COMPONENT); comp && !rc;
	     comp = icalcomponent_get_next_component(top, ICAL_VEVENT_COMPONENT))
		rc = add_event(cal, path, comp);
done:
	/* What was read before the error goes: all of the file or none. */
	if (rc)
		cal->noff = before;
	else
		settle(cal);
	if (top)
		icalcomponent_free(top);
	icalerror_clear_errno();
	crm_buf_free(&text);
	return rc;
}

/* ---- business time ---- */

int64_t crm_calendar_elapsed(const crm_calendar *cal, int64_t from, int64_t to)
{
	int64_t sum = 0, end;
	int off;

	from = clamp(from);
	to = clamp(to);
	if (to <= from)
		return 0;
	if (always_open_p(cal))
		return to - from;
	for (; from < to; from = end) {
		off = offset_at(cal, from);
		end = stretch_end(cal, from, off, to);
		sum += local_open(cal, from + off, end + off);
	}
	return sum;
}

int crm_calendar_due(const crm_calendar *cal, int64_t from, int64_t seconds, int64_t *due)
{
	int64_t t, end, have;
	int off;

	if (seconds < 0)
		return crm_error_set(CRM_EUSAGE, "negative business time (%lld seconds)",
		                     (long long)seconds);
	t = clamp(from);
	if (always_open_p(cal)) {
		if (seconds > TIME_MAX - t)
			goto beyond;
		*due = t + seconds;
		return CRM_OK;
	}
	for (; t < TIME_MAX; t = end) {
		off = offset_at(cal, t);
		end = stretch_end(cal, t, off, TIME_MAX - t > STRETCH ? t + STRETCH : TIME_MAX);
		have = local_open(cal, t + off, end + off);
		if (have >= seconds) {
			*due = local_due(cal, t + off, seconds) - off;
			return CRM_OK;
		}
		seconds -= have;
	}
beyond:
	return crm_error_set(CRM_EDATA, "the business time runs past the year 9999");
}
