/* date.h - dates and timestamps: ISO 8601 in, UTC ISO 8601 out.
 *
 * Timestamps are stored as "YYYY-MM-DDTHH:MM:SSZ" (20 characters), dates as
 * "YYYY-MM-DD" (10).  Both sort correctly as text.
 */
#ifndef CRM_DATE_H
#define CRM_DATE_H

#include <stdint.h>

#define CRM_TIME_LEN 21 /* buffer size for a timestamp with its NUL */
#define CRM_DATE_LEN 11 /* buffer size for a date with its NUL */

/* Stores in *out the current time in seconds since the epoch, taken from
 * $CRM_NOW (an ISO 8601 timestamp or date) when set, else the system clock.
 * CRM_EUSAGE when $CRM_NOW is set but not a valid time. */
int crm_now(int64_t *out);

/* Parses s as a calendar date into out ("YYYY-MM-DD").  Accepts YYYY-MM-DD,
 * a full timestamp (its UTC date is kept), "today", "yesterday", "tomorrow"
 * and relative offsets "+3d", "-2w", "+1m", "-1y" counted from now (a
 * month offset keeps the day, clamped to the month's last day).  CRM_EDATA
 * for anything else, including impossible dates such as 2026-02-30. */
int crm_date_parse(char out[CRM_DATE_LEN], const char *s, int64_t now);

/* Parses s as a point in time into out ("YYYY-MM-DDTHH:MM:SSZ", UTC).
 * Accepts YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z, +HH:MM, -HH:MM, +HHMM
 * or nothing (taken as UTC), a space in place of the T, a bare date
 * (midnight UTC), and the words and offsets crm_date_parse accepts (today and
 * the offsets keep the current time of day; a bare "today" means now).
 * CRM_EDATA for anything else. */
int crm_time_parse(char out[CRM_TIME_LEN], const char *s, int64_t now);

/* Like crm_time_parse but also returns the seconds since the epoch in *t. */
int crm_time_parse_epoch(int64_t *t, const char *s, int64_t now);

/* Formats epoch seconds t as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void crm_time_format(char out[CRM_TIME_LEN], int64_t t);

/* Stores in out the date months calendar months after day ("YYYY-MM-DD";
 * negative: before), the day of the month kept, clamped to the month's
 * last day (2024-03-31 less one month is 2024-02-29).  CRM_EDATA for a
 * malformed day. */
int crm_date_add_months(char out[CRM_DATE_LEN], const char *day, int months);
/* Stores in out the date n days after day ("YYYY-MM-DD"; n negative:
 * before).  CRM_EDATA for a malformed day. */
int crm_date_add_days(char out[CRM_DATE_LEN], const char *day, int64_t n);
/* Returns the days from date a to date b (negative when b is earlier);
 * 0 when either is malformed. */
int64_t crm_date_diff(const char *a, const char *b);
#define CRM_PERIOD_LEN 12 /* buffer size for a period's name ("2026-Q3") */

/* Reads a period as people write it into the days [from, to) ("YYYY-MM-DD",
 * to excluded): 2026 (a year), 2026-Q3, 2026-11, a date or "today" and the
 * other words crm_date_parse takes (one day), this-week, last-week (Monday
 * first), this-month, last-month, this-quarter, last-quarter, this-year,
 * last-year, and ytd, qtd, mtd (from the start of the year, quarter or
 * month to today included), relative to now.  CRM_EDATA for anything
 * else. */
int crm_period_parse(char from[CRM_DATE_LEN], char to[CRM_DATE_LEN], const char *s, int64_t now);

#define CRM_PERIOD_NAME_LEN 23 /* buffer size for "2026-01-01..2026-03-15" */

/* Stores in out the name of the days [from, to) ("YYYY-MM-DD", to
 * excluded): the year ("2026"), quarter ("2026-Q3") or month ("2026-11")
 * they make up whole, the day alone ("2026-11-05"), or else the first
 * and last ("2026-01-01..2026-03-15").  CRM_EDATA for a malformed day or
 * a range without a day in it. */
int crm_period_name(char out[CRM_PERIOD_NAME_LEN], const char *from, const char *to);

/* Stores in out the name of the month ("2026-11"), quarter ("2026-Q4") or
 * year ("2026") -- by -- that date ("YYYY-MM-DD...") falls in.  CRM_EDATA
 * for a malformed date, CRM_EUSAGE for another kind. */
int crm_period_of(char out[CRM_PERIOD_LEN], const char *date, const char *by);

/* Parses a span of time -- a number and a unit m (minutes), h, d or w,
 * or several ("1h30m") -- into *seconds.  CRM_EDATA otherwise. */
int crm_span_parse(const char *s, int64_t *seconds);

#endif
