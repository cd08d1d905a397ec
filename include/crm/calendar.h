/* calendar.h - business calendars for service-level clocks: a time zone,
 * weekly working hours and days off, and the business seconds between two
 * moments (crm-ticket(1) SLA targets, crm-report(1) response times).
 *
 * Working hours are local wall-clock hours in the calendar's zone, so a
 * 09:00-17:00 day is eight hours on the days the clocks change too; only
 * hours that the change itself skips or repeats (02:00-03:00 in Europe)
 * count as the real seconds that pass.  A calendar given no hours is open
 * around the clock, except on its days off.  Times are seconds since the
 * epoch, between the years 1 and 9999.
 */
#ifndef CRM_CALENDAR_H
#define CRM_CALENDAR_H

#include <stdint.h>

/* Most spans of working hours one weekday may have. */
#define CRM_CALENDAR_SPANS 8

typedef struct crm_calendar crm_calendar;

/* Stores in *out a new calendar in time zone tz, an IANA name such as
 * "Europe/Berlin" or "UTC", with no hours and no days off; the caller
 * frees it with crm_calendar_free.  CRM_EDATA for an unknown zone. */
int crm_calendar_new(crm_calendar **out, const char *tz);

/* Frees cal (NULL-safe). */
void crm_calendar_free(crm_calendar *cal);

/* Adds working hours on weekday (0 Monday .. 6 Sunday) from start_min to
 * end_min minutes after local midnight (end_min up to 1440).  CRM_EDATA
 * when the span is empty, leaves the day, or overlaps another span of that
 * weekday (spans may meet: 09:00-12:00 and 12:00-13:00); CRM_EUSAGE for a
 * weekday out of range. */
int crm_calendar_hours(crm_calendar *cal, int weekday, int start_min, int end_min);

/* Reads a span of hours "HH:MM-HH:MM" ("09:00-17:30", "00:00-24:00") into
 * minutes after midnight.  CRM_EDATA for anything else, including a span
 * that ends before it starts. */
int crm_calendar_span_parse(const char *text, int *start_min, int *end_min);

/* Makes the local day date ("YYYY-MM-DD") a whole day off.  CRM_EDATA for
 * a malformed or impossible date. */
int crm_calendar_holiday(crm_calendar *cal, const char *date);

/* Makes days off of the VEVENTs of the iCalendar file at path: every local
 * day an event covers, all-day or timed (times without a zone are read in
 * the calendar's zone), from 1970 to 2100, repeating events (RRULE, RDATE,
 * EXDATE) expanded over those years; cancelled events are skipped.
 * CRM_EIO or CRM_EDATA with a message naming the file, also for a rule
 * that repeats more often than daily; cal is unchanged then. */
int crm_calendar_holidays_ics(crm_calendar *cal, const char *path);

/* Returns the business seconds from from to to; 0 when to <= from. */
int64_t crm_calendar_elapsed(const crm_calendar *cal, int64_t from, int64_t to);

/* Stores in *due the first moment at which seconds business seconds have
 * passed since from (from itself when seconds is 0; the closing time, not
 * the next opening, when they run out at a close).  CRM_EUSAGE for
 * negative seconds, CRM_EDATA when the moment would fall after the year
 * 9999. */
int crm_calendar_due(const crm_calendar *cal, int64_t from, int64_t seconds, int64_t *due);

#endif
