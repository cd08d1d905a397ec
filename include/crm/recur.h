/* recur.h - repeating tasks: rules as people write them, the RFC 5545
 * RRULE each stands for, and the next date of a series (crm-task(1)).
 *
 * A rule is one of daily, weekly, monthly, yearly, "every N days",
 * "every N weeks", "every N months", "every N years" (N from 1 to 999;
 * "every day" is every 1 day), or an RRULE ("FREQ=WEEKLY;BYDAY=MO,TH").
 * A monthly or yearly series that starts on a day some months lack (the
 * 31st, February 29th) falls on the last day of those months.
 */
#ifndef CRM_RECUR_H
#define CRM_RECUR_H

#include "crm/date.h"

/* Stores in *out (malloc'd) the canonical text of rule: the word, "every
 * 2 weeks", or the RRULE in libical's spelling.  CRM_EDATA for anything
 * else. */
int crm_recur_normalize(char **out, const char *rule);

/* Stores in *out (malloc'd) the RRULE of rule for a series starting on
 * start ("YYYY-MM-DD" or a timestamp), as an iCalendar VTODO carries it:
 * "FREQ=MONTHLY;BYMONTHDAY=-1" for a monthly series from the 31st. */
int crm_recur_rrule(char **out, const char *rule, const char *start);

/* Stores in *out (malloc'd) the rule the next task of a series started
 * on start carries: rule as written, or, when the series keeps to the last
 * day of short months, its RRULE with that day pinned, so that a monthly
 * series from the 31st still falls on the 31st after February. */
int crm_recur_carry(char **out, const char *rule, const char *start);

/* Stores in out the first date of the series of rule starting on start
 * that comes after after (both "YYYY-MM-DD" or timestamps), in start's
 * form: a date for a date, a timestamp for a timestamp.  CRM_ENOTFOUND
 * when the series ends (COUNT or UNTIL) before that; CRM_EDATA for a bad
 * rule or date, or a series that never reaches after. */
int crm_recur_next(char out[CRM_TIME_LEN], const char *rule, const char *start,
                   const char *after);

/* Stores in *out (malloc'd) what is left of the series of rule that
 * started on start once next is reached: rule itself, or, when it has a
 * COUNT, its RRULE with the count lowered by the dates before next (at
 * least one, start's own), so that the next task carries the dates that
 * remain and a calendar shows no more.  CRM_ENOTFOUND when none remain. */
int crm_recur_rest(char **out, const char *rule, const char *start, const char *next);

#endif
