/* task.h - follow-ups: finishing tasks and their repeating series
 * (crm-task(1)).  Tasks are an entity of the registry (field.h): add,
 * set, list and the rest work on them as on any record. */
#ifndef CRM_TASK_H
#define CRM_TASK_H

#include <stdint.h>
#include <stdio.h>

#include "crm/db.h"
#include "crm/query.h"

/* Marks open task id done or cancelled (status) and stores in *changed
 * whether it was open.  Finishing (done, not cancelled) a repeating task
 * starts the next of its series -- the same fields, tags and custom
 * fields, due on the first date of the series after today and after this
 * one's due date, or one step from today when it repeats from completion
 * -- and stores its id in *next (0 when none was started, as when the
 * series has no date left). */
int crm_task_finish(crm_db *db, int64_t id, const char *status, int *changed, int64_t *next);

/* Hides open task id from the due list until until (a date or time in
 * any form a field takes), moving its due date there when it was earlier;
 * *changed tells whether anything changed. */
int crm_task_snooze(crm_db *db, int64_t id, const char *until, int *changed);

/* Writes the tasks q selects to out as an iCalendar of VTODO entries
 * (RFC 5545): summary, due date or time, status, priority, completion,
 * the RRULE of a repeating task, tags as categories, and its person,
 * company, deal and owner in the description; *count is the number of
 * entries (the calendar is written, empty, when there are none). */
int crm_task_ics(crm_db *db, crm_query *q, FILE *out, long *count);

#endif
