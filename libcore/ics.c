/* ics.c - tasks as iCalendar VTODO entries (RFC 5545), written through
 * libical so that any calendar application reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/recur.h"
#include "crm/task.h"
#include "ical.h"
#include "internal.h"

/* The fields a VTODO is made of, in this order. */
enum { F_ID, F_TITLE, F_DUE, F_STATUS, F_PRIORITY, F_DONE, F_REPEAT, F_TAGS, F_CONTACT,
       F_COMPANY, F_DEAL, F_OWNER, F_CREATED, F_UPDATED, F_N };
static const char fields[] = "id,title,due,status,priority,done_at,repeat,tags,contact_name,"
                             "company,deal,owner,created_at,updated_at";

struct ics {
	icalcomponent *cal;
	struct icaltimetype now;
	int rc;
};

static void add_time(icalcomponent *todo, const char *text,
                     icalproperty *(*make)(struct icaltimetype))
{
	struct icaltimetype t;

	if (text && crm_ical_time(text, &t) == CRM_OK)
		icalcomponent_add_property(todo, make(t));
}

static icalproperty_status status_of(const char *s)
{
	return !strcmp(s, "done") ? ICAL_STATUS_COMPLETED
	     : !strcmp(s, "cancelled") ? ICAL_STATUS_CANCELLED : ICAL_STATUS_NEEDSACTION;
}

/* What the task is about, as the description: its person, company, deal
 * and owner. */
static void add_description(icalcomponent *todo, const char *const *v)
{
	static const struct { int f; const char *label; } parts[] = {
		{ F_CONTACT, "Contact" }, { F_COMPANY, "Company" }, { F_DEAL, "Deal" },
		{ F_OWNER, "Owner" },
	};
	crm_buf b = CRM_BUF_INIT;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (v[parts[i].f] && *v[parts[i].f])
			crm_buf_printf(&b, "%s%s: %s", b.len ? "\n" : "", parts[i].label, v[parts[i].f]);
	if (b.len)
		icalcomponent_add_property(todo, icalproperty_new_description(crm_buf_str(&b)));
	crm_buf_free(&b);
}

static void add_rrule(icalcomponent *todo, const char *repeat, const char *due)
{
	char *rule = NULL;

	if (!repeat || !due || crm_recur_rrule(&rule, repeat, due)) {
		crm_error_clear();
		return;
	}
	icalcomponent_add_property(todo, icalproperty_new_rrule(icalrecurrencetype_from_string(rule)));
	free(rule);
}

static void add_categories(icalcomponent *todo, const char *tags)
{
	char *copy = tags ? strdup(tags) : NULL, *save = NULL;

	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		icalcomponent_add_property(todo, icalproperty_new_categories(t));
	free(copy);
}

static int add_todo(void *arg, const char *const *v)
{
	struct ics *x = arg;
	icalcomponent *todo = icalcomponent_new_vtodo();
	char uid[64];
	const char *prio = v[F_PRIORITY] ? v[F_PRIORITY] : "normal";

	if (!todo)
		return x->rc = crm_error_nomem();
	/* Stable, so that importing the list again updates the entries. */
	snprintf(uid, sizeof uid, "crm-task-%s", v[F_ID]);
	icalcomponent_add_property(todo, icalproperty_new_uid(uid));
	icalcomponent_add_property(todo, icalproperty_new_dtstamp(x->now));
	add_time(todo, v[F_CREATED], icalproperty_new_created);
	add_time(todo, v[F_UPDATED], icalproperty_new_lastmodified);
	icalcomponent_add_property(todo, icalproperty_new_summary(v[F_TITLE] ? v[F_TITLE] : ""));
	/* A repeating entry needs its start: the due date. */
	if (v[F_REPEAT] && !strcmp(v[F_STATUS], "open"))
		add_time(todo, v[F_DUE], icalproperty_new_dtstart);
	add_time(todo, v[F_DUE], icalproperty_new_due);
	icalcomponent_add_property(todo, icalproperty_new_status(status_of(v[F_STATUS])));
	icalcomponent_add_property(todo, icalproperty_new_priority(
		!strcmp(prio, "high") ? 1 : !strcmp(prio, "low") ? 9 : 5));
	if (!strcmp(v[F_STATUS], "done"))
		add_time(todo, v[F_DONE], icalproperty_new_completed);
	/* A finished task's series goes on in the next task, not in it. */
	if (!strcmp(v[F_STATUS], "open"))
		add_rrule(todo, v[F_REPEAT], v[F_DUE]);
	add_categories(todo, v[F_TAGS]);
	add_description(todo, v);
	icalcomponent_add_component(x->cal, todo);
	return 0;
}

int crm_task_ics(crm_db *db, crm_query *q, FILE *out)
{
	struct ics x = { NULL, icaltime_null_time(), CRM_OK };
	char now[CRM_TIME_LEN], *text;
	long count;
	int rc;

	crm_db_now(db, now);
	if ((rc = crm_query_fields(q, fields)) || (rc = crm_ical_time(now, &x.now)))
		return rc;
	if (!(x.cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
	                                  icalproperty_new_prodid("-//crm//crm-task " CRM_VERSION
	                                                          "//EN"), (void *)0)))
		return crm_error_nomem();
	rc = crm_query_run(q, add_todo, &x, &count);
	if (!rc && x.rc)
		rc = x.rc;
	if (!rc && !(text = icalcomponent_as_ical_string_r(x.cal)))
		rc = crm_error_nomem();
	if (!rc) {
		if (fputs(text, out) == EOF)
			rc = crm_error_set(CRM_EIO, "cannot write the calendar");
		free(text);
	}
	icalcomponent_free(x.cal);
	icalerror_clear_errno();
	return rc;
}
