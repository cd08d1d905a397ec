/* recur.c - repeating series through libical's RFC 5545 recurrence rules;
 * see recur.h.  The words people type become an RRULE, and libical walks
 * the series, so that what a task repeats on is what a calendar that
 * imports it shows. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "crm/recur.h"
#include "ical.h"

/* Walking a daily series from decades back is still fast; a rule that
 * never reaches the date asked for stops here. */
#define MAX_STEPS 200000

static const struct {
	const char *word, *unit, *freq;
} freqs[] = {
	{ "daily", "day", "DAILY" },
	{ "weekly", "week", "WEEKLY" },
	{ "monthly", "month", "MONTHLY" },
	{ "yearly", "year", "YEARLY" },
};

static int bad_rule(const char *rule)
{
	return crm_error_set(CRM_EDATA, "invalid repeat '%s' (expected daily, weekly, monthly,"
	                     " yearly, 'every N days|weeks|months|years' or an RRULE such as"
	                     " FREQ=WEEKLY;BYDAY=MO)", rule);
}

/* Reads "every N units" into *n and the index of the unit; 0 when the
 * text is not of that form. */
static int every(const char *s, long *n, size_t *unit)
{
	char word[16];
	int used = 0;

	*n = 1;
	if (strncasecmp(s, "every ", 6))
		return 0;
	s += 6 + strspn(s + 6, " ");
	if (isdigit((unsigned char)*s)) {
		char *end;
		*n = strtol(s, &end, 10);
		if (*n < 1 || *n > 999 || *end != ' ')
			return 0;
		s = end + strspn(end, " ");
	}
	if (sscanf(s, "%15[a-zA-Z]%n", word, &used) != 1 || s[used + strspn(s + used, " ")])
		return 0;
	for (*unit = 0; *unit < sizeof freqs / sizeof freqs[0]; (*unit)++) {
		size_t len = strlen(freqs[*unit].unit);
		if (!strncasecmp(word, freqs[*unit].unit, len) &&
		    (!word[len] || (tolower((unsigned char)word[len]) == 's' && !word[len + 1])))
			return 1;
	}
	return 0;
}

/* Parses rule into libical's form; 0 when it is not a rule. */
static int parse(const char *rule, struct icalrecurrencetype *out, char **canon)
{
	char s[256];
	crm_buf b = CRM_BUF_INIT;
	size_t unit, len;
	long n;

	*canon = NULL;
	/* The rule without the blanks around it. */
	rule += strspn(rule, " \t");
	for (len = strlen(rule); len && strchr(" \t\r\n", rule[len - 1]); len--)
		;
	if (len >= sizeof s)
		return 0;
	memcpy(s, rule, len);
	s[len] = '\0';
	for (unit = 0; unit < sizeof freqs / sizeof freqs[0]; unit++)
		if (!strcasecmp(s, freqs[unit].word)) {
			crm_buf_printf(&b, "FREQ=%s", freqs[unit].freq);
			*canon = strdup(freqs[unit].word);
			break;
		}
	if (!*canon && every(s, &n, &unit)) {
		crm_buf c = CRM_BUF_INIT;

		crm_buf_printf(&b, "FREQ=%s;INTERVAL=%ld", freqs[unit].freq, n);
		if (n == 1)
			crm_buf_puts(&c, freqs[unit].word);
		else
			crm_buf_printf(&c, "every %ld %ss", n, freqs[unit].unit);
		*canon = crm_buf_detach(&c);
	}
	if (!b.len && !strncasecmp(s, "RRULE:", 6))
		memmove(s, s + 6, strlen(s + 6) + 1);
	if (!b.len && !strncasecmp(s, "FREQ=", 5))
		crm_buf_puts(&b, s);
	if (!b.len) {
		crm_buf_free(&b);
		return 0;
	}
	icalerror_clear_errno();
	*out = icalrecurrencetype_from_string(crm_buf_str(&b));
	crm_buf_free(&b);
	if (out->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		free(*canon);
		*canon = NULL;
		icalerror_clear_errno();
		return 0;
	}
	if (!*canon)
		*canon = icalrecurrencetype_as_string_r(out);
	return 1;
}

int crm_recur_normalize(char **out, const char *rule)
{
	struct icalrecurrencetype r;

	*out = NULL;
	if (!parse(rule, &r, out))
		return bad_rule(rule);
	return *out ? CRM_OK : crm_error_nomem();
}

int crm_ical_time(const char *s, struct icaltimetype *t)
{
	char norm[CRM_TIME_LEN], buf[32];
	int timed = strlen(s) > 10;

	/* Read as the toolkit reads dates and times: impossible dates refused,
	 * offsets turned into UTC. */
	if (timed ? crm_time_parse(norm, s, 0) : crm_date_parse(norm, s, 0))
		return crm_error_set(CRM_EDATA, "invalid date '%s'", s);
	if (timed)
		snprintf(buf, sizeof buf, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", norm, norm + 5, norm + 8,
		         norm + 11, norm + 14, norm + 17);
	else
		snprintf(buf, sizeof buf, "%.4s%.2s%.2s", norm, norm + 5, norm + 8);
	*t = icaltime_from_string(buf);
	if (icaltime_is_null_time(*t) || !icaltime_is_valid_time(*t))
		return crm_error_set(CRM_EDATA, "invalid date '%s'", s);
	return CRM_OK;
}

/* A monthly or yearly series from a day some months lack keeps to the
 * last day of those months instead of skipping them (RFC 5545 skips). */
static void clamp(struct icalrecurrencetype *r, struct icaltimetype start)
{
	int simple = r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	             r->by_day[0] == ICAL_RECURRENCE_ARRAY_MAX &&
	             r->by_set_pos[0] == ICAL_RECURRENCE_ARRAY_MAX;

	if (!simple || start.day < 29 ||
	    (r->freq != ICAL_MONTHLY_RECURRENCE && r->freq != ICAL_YEARLY_RECURRENCE))
		return;
	if (r->freq == ICAL_YEARLY_RECURRENCE) {
		if (start.month != 2)
			return; /* only February is short of the 29th */
		r->by_month[0] = 2;
		r->by_month[1] = ICAL_RECURRENCE_ARRAY_MAX;
	}
	if (start.day == 31) {
		r->by_month_day[0] = -1;
		r->by_month_day[1] = ICAL_RECURRENCE_ARRAY_MAX;
		return;
	}
	r->by_month_day[0] = (short)start.day;
	r->by_month_day[1] = -1;
	r->by_month_day[2] = ICAL_RECURRENCE_ARRAY_MAX;
	r->by_set_pos[0] = 1;
	r->by_set_pos[1] = ICAL_RECURRENCE_ARRAY_MAX;
}

/* UNTIL takes the form of the series' start, as RFC 5545 3.3.10 asks: a
 * date that ends a timed series is the end of that day (the toolkit
 * counts a date against times as the whole day), a time that ends a
 * series of dates is its day, and a time is UTC, as every start is. */
static void match_until(struct icalrecurrencetype *r, struct icaltimetype start)
{
	if (icaltime_is_null_time(r->until))
		return;
	if (start.is_date) {
		r->until.is_date = 1;
		r->until.hour = r->until.minute = r->until.second = 0;
		r->until.zone = NULL;
		return;
	}
	if (r->until.is_date) {
		r->until.is_date = 0;
		r->until.hour = 23, r->until.minute = 59, r->until.second = 59;
	}
	r->until.zone = icaltimezone_get_utc_timezone();
}

static int prepare(const char *rule, const char *start, struct icalrecurrencetype *r,
                   struct icaltimetype *t)
{
	char *canon;
	int rc;

	if (!parse(rule, r, &canon))
		return bad_rule(rule);
	free(canon);
	if ((rc = crm_ical_time(start, t)))
		return rc;
	clamp(r, *t);
	match_until(r, *t);
	return CRM_OK;
}

int crm_recur_rrule(char **out, const char *rule, const char *start)
{
	struct icalrecurrencetype r;
	struct icaltimetype t;
	int rc = prepare(rule, start, &r, &t);

	*out = NULL;
	if (rc)
		return rc;
	*out = icalrecurrencetype_as_string_r(&r);
	return *out ? CRM_OK : crm_error_nomem();
}

int crm_recur_carry(char **out, const char *rule, const char *start)
{
	struct icalrecurrencetype r, plain;
	struct icaltimetype t;
	char *canon;
	int rc;

	*out = NULL;
	if (!parse(rule, &plain, &canon))
		return bad_rule(rule);
	free(canon);
	if ((rc = prepare(rule, start, &r, &t)))
		return rc;
	/* Unchanged by clamp: the rule carries on as written. */
	if (r.by_month_day[0] == plain.by_month_day[0] && r.by_set_pos[0] == plain.by_set_pos[0])
		*out = strdup(rule);
	else
		*out = icalrecurrencetype_as_string_r(&r);
	return *out ? CRM_OK : crm_error_nomem();
}

/* Whether the series ends: after a number of dates, or on a last one. */
static int bounded(const struct icalrecurrencetype *r)
{
	return r->count > 0 || !icaltime_is_null_time(r->until);
}

static void format_time(char out[CRM_TIME_LEN], struct icaltimetype t)
{
	if (t.is_date)
		snprintf(out, CRM_TIME_LEN, "%04d-%02d-%02d", t.year, t.month, t.day);
	else
		snprintf(out, CRM_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day,
		         t.hour, t.minute, t.second);
}

int crm_recur_next(char out[CRM_TIME_LEN], const char *rule, const char *start,
                   const char *after)
{
	struct icalrecurrencetype r;
	struct icaltimetype t, a, next;
	icalrecur_iterator *it;
	long steps = 0;
	int rc = prepare(rule, start, &r, &t);

	if (rc || (rc = crm_ical_time(after, &a)))
		return rc;
	/* A timed series passes a date once its whole day is over; a series
	 * of dates passes a time's day. */
	if (a.is_date && !t.is_date) {
		a.hour = 23, a.minute = 59, a.second = 59;
		a.is_date = 0;
		a.zone = icaltimezone_get_utc_timezone();
	}
	a.is_date = t.is_date;
	if (!(it = icalrecur_iterator_new(r, t)))
		return bad_rule(rule);
	do
		next = icalrecur_iterator_next(it);
	while (!icaltime_is_null_time(next) && icaltime_compare(next, a) <= 0 &&
	       ++steps < MAX_STEPS);
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	if (icaltime_is_null_time(next) || steps >= MAX_STEPS)
		return crm_error_set(steps < MAX_STEPS && bounded(&r) ? CRM_ENOTFOUND : CRM_EDATA,
		                     "repeat '%s' from %s has no date after %s", rule, start, after);
	format_time(out, next);
	return CRM_OK;
}

/* How many dates of the series of r from t come before n; at least the
 * first, t itself, which RFC 5545 counts whether or not the rule names
 * it (libical counts only the dates the rule names). */
static int dates_before(struct icalrecurrencetype r, struct icaltimetype t,
                        struct icaltimetype n)
{
	icalrecur_iterator *it = icalrecur_iterator_new(r, t);
	struct icaltimetype d;
	int used = 0, first = 1, named = 0;

	while (it && used < r.count && !icaltime_is_null_time(d = icalrecur_iterator_next(it)) &&
	       icaltime_compare(d, n) < 0) {
		named |= first && !icaltime_compare(d, t);
		first = 0;
		used++;
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	/* The start counts once, named by the rule or not. */
	return used + !named;
}

int crm_recur_rest(char **out, const char *rule, const char *start, const char *next)
{
	struct icalrecurrencetype r, plain;
	struct icaltimetype t, n;
	char *canon;
	int rc, used;

	*out = NULL;
	if (!parse(rule, &plain, &canon))
		return bad_rule(rule);
	free(canon);
	if (!plain.count) {
		*out = strdup(rule);
		return *out ? CRM_OK : crm_error_nomem();
	}
	if ((rc = prepare(rule, start, &r, &t)) || (rc = crm_ical_time(next, &n)))
		return rc;
	if ((used = dates_before(r, t, n)) >= plain.count)
		return crm_error_set(CRM_ENOTFOUND, "repeat '%s' from %s has no date after %s", rule,
		                     start, next);
	/* Spelt by libical, as crm_recur_normalize keeps an RRULE. */
	plain.count -= used;
	*out = icalrecurrencetype_as_string_r(&plain);
	return *out ? CRM_OK : crm_error_nomem();
}
