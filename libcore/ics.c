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
	crm_buf text; /* the calendar written so far */
	struct icaltimetype now;
	int rc;
};

/* Whether c is a control character iCalendar TEXT cannot hold (RFC 5545
 * 3.3.11: none but HTAB; a line feed is written escaped, as \n). */
static int banned_p(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/* Returns a malloc'd copy of s without the control characters TEXT
 * cannot hold: left out, not replaced, since a bell or an escape in a
 * title shows nothing anyway.  NULL when out of memory. */
static char *text_of(const char *s)
{
	char *out = strdup(s ? s : ""), *q = out;

	for (const char *p = s ? s : ""; out && *p; p++)
		if (!banned_p(*p))
			*q++ = *p;
	if (out)
		*q = '\0';
	return out;
}

/* Adds the TEXT property make builds from s, once cleaned (text_of). */
static int add_text(icalcomponent *todo, const char *s, icalproperty *(*make)(const char *))
{
	char *text = text_of(s);

	if (!text)
		return crm_error_nomem();
	icalcomponent_add_property(todo, make(text));
	free(text);
	return CRM_OK;
}

static void add_time(icalcomponent *todo, const char *text,
                     icalproperty *(*make)(struct icaltimetype))
{
	struct icaltimetype t;

	if (text && crm_ical_time(text, &t) == CRM_OK)
		icalcomponent_add_property(todo, make(t));
}

/* COMPLETED is a UTC DATE-TIME (RFC 5545 3.8.2.1): a completion stored
 * as a bare date, as older versions kept one given so, is its midnight. */
static void add_completed(icalcomponent *todo, const char *text)
{
	struct icaltimetype t;

	if (!text || crm_ical_time(text, &t))
		return;
	if (t.is_date) {
		t.is_date = 0;
		t.hour = t.minute = t.second = 0;
		t.zone = icaltimezone_get_utc_timezone();
	}
	icalcomponent_add_property(todo, icalproperty_new_completed(t));
}

static icalproperty_status status_of(const char *s)
{
	return !strcmp(s, "done") ? ICAL_STATUS_COMPLETED
	     : !strcmp(s, "cancelled") ? ICAL_STATUS_CANCELLED : ICAL_STATUS_NEEDSACTION;
}

/* What the task is about, as the description: its person, company, deal
 * and owner. */
static int add_description(icalcomponent *todo, const char *const *v)
{
	static const struct { int f; const char *label; } parts[] = {
		{ F_CONTACT, "Contact" }, { F_COMPANY, "Company" }, { F_DEAL, "Deal" },
		{ F_OWNER, "Owner" },
	};
	crm_buf b = CRM_BUF_INIT;
	int rc = CRM_OK;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (v[parts[i].f] && *v[parts[i].f])
			crm_buf_printf(&b, "%s%s: %s", b.len ? "\n" : "", parts[i].label, v[parts[i].f]);
	if (b.len)
		rc = add_text(todo, crm_buf_str(&b), icalproperty_new_description);
	crm_buf_free(&b);
	return rc;
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

/* Appends line and its CR LF, folded before the 76th octet of each line
 * (RFC 5545 3.1) and never inside a UTF-8 character. */
static int put_line(crm_buf *b, const char *line)
{
	size_t used = 0, len;
	int rc = CRM_OK;

	for (const char *p = line; *p && !rc; p += len, used += len) {
		for (len = 1; (p[len] & 0xC0) == 0x80; len++)
			;
		if (used + len > 75) {
			rc = crm_buf_puts(b, "\r\n ");
			used = 1;
		}
		if (!rc)
			rc = crm_buf_put(b, p, len);
	}
	return rc ? rc : crm_buf_puts(b, "\r\n");
}

/* The tags as CATEGORIES, one a line, written here and not by libical:
 * libical leaves ';' and ',' in CATEGORIES bare, taking the value for a
 * list already escaped, and doubles any backslash it is given, so a tag
 * 'x;y' could only come out as the two values x and y.  RFC 5545 3.3.11
 * escapes both in each TEXT of the list. */
static int put_categories(crm_buf *b, const char *tags)
{
	crm_buf line = CRM_BUF_INIT;
	const char *p = tags;
	int rc = CRM_OK;

	while (p && *p && !rc) {
		size_t len = strcspn(p, ",");

		crm_buf_clear(&line);
		rc = crm_buf_puts(&line, "CATEGORIES:");
		for (size_t i = 0; i < len && !rc; i++) {
			if (banned_p(p[i]))
				continue;
			if (p[i] == '\\' || p[i] == ';' || p[i] == ',' || p[i] == '\n')
				rc = crm_buf_putc(&line, '\\');
			if (!rc)
				rc = crm_buf_putc(&line, p[i] == '\n' ? 'n' : p[i]);
		}
		if (!rc && len)
			rc = put_line(b, crm_buf_str(&line));
		p += len + (p[len] == ',');
	}
	crm_buf_free(&line);
	return rc ? crm_error_nomem() : CRM_OK;
}

/* Appends todo, as libical writes it, with the tags as its categories. */
static int put_todo(crm_buf *b, icalcomponent *todo, const char *tags)
{
	static const char end[] = "END:VTODO\r\n";
	char *text = icalcomponent_as_ical_string_r(todo);
	size_t len = text ? strlen(text) : 0;
	int rc;

	if (len < sizeof end - 1 || strcmp(text + len - (sizeof end - 1), end)) {
		free(text);
		return crm_error_nomem();
	}
	if (!(rc = crm_buf_put(b, text, len - (sizeof end - 1))) &&
	    !(rc = put_categories(b, tags)))
		rc = crm_buf_puts(b, end);
	free(text);
	return rc ? crm_error_nomem() : CRM_OK;
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
	if ((x->rc = add_text(todo, v[F_TITLE], icalproperty_new_summary))) {
		icalcomponent_free(todo);
		return x->rc;
	}
	/* A series needs its start: RFC 5545 3.8.2.4 makes DTSTART required
	 * in a component with an RRULE, whose dates it anchors.  It is the due
	 * date, although 3.8.2.3 wants DUE later than DTSTART: a task has no
	 * start of its own, and one a day earlier would move the due date of
	 * every BYDAY occurrence by a day; readers without DTSTART cannot
	 * expand the series at all. */
	if (v[F_REPEAT] && !strcmp(v[F_STATUS], "open"))
		add_time(todo, v[F_DUE], icalproperty_new_dtstart);
	add_time(todo, v[F_DUE], icalproperty_new_due);
	icalcomponent_add_property(todo, icalproperty_new_status(status_of(v[F_STATUS])));
	icalcomponent_add_property(todo, icalproperty_new_priority(
		!strcmp(prio, "high") ? 1 : !strcmp(prio, "low") ? 9 : 5));
	if (!strcmp(v[F_STATUS], "done"))
		add_completed(todo, v[F_DONE]);
	/* A finished task's series goes on in the next task, not in it. */
	if (!strcmp(v[F_STATUS], "open"))
		add_rrule(todo, v[F_REPEAT], v[F_DUE]);
	if (!(x->rc = add_description(todo, v)))
		x->rc = put_todo(&x->text, todo, v[F_TAGS]);
	icalcomponent_free(todo);
	return x->rc;
}

/* Stores in *head and *tail (malloc'd) what comes before and after the
 * entries: an empty VCALENDAR as libical writes it, cut at its END. */
static int frame(char **head, char **tail)
{
	static const char end[] = "END:VCALENDAR\r\n";
	icalcomponent *cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
		icalproperty_new_version("2.0"),
		icalproperty_new_prodid("-//crm//crm-task " CRM_VERSION "//EN"), (void *)0);
	char *text = cal ? icalcomponent_as_ical_string_r(cal) : NULL, *at;

	if (cal)
		icalcomponent_free(cal);
	*head = text;
	*tail = NULL;
	if (!text || !(at = strstr(text, end)) || !(*tail = strdup(at))) {
		free(text);
		*head = NULL;
		return crm_error_nomem();
	}
	*at = '\0';
	return CRM_OK;
}

int crm_task_ics(crm_db *db, crm_query *q, FILE *out, long *count)
{
	struct ics x = { CRM_BUF_INIT, icaltime_null_time(), CRM_OK };
	char now[CRM_TIME_LEN], *head = NULL, *tail = NULL;
	int rc;

	*count = 0;
	crm_db_now(db, now);
	if ((rc = crm_query_fields(q, fields)) || (rc = crm_ical_time(now, &x.now)) ||
	    (rc = frame(&head, &tail)))
		goto done;
	if (crm_buf_puts(&x.text, head)) {
		rc = crm_error_nomem();
		goto done;
	}
	rc = crm_query_run(q, add_todo, &x, count);
	if (!rc && x.rc)
		rc = x.rc;
	if (!rc && crm_buf_puts(&x.text, tail))
		rc = crm_error_nomem();
	if (!rc && fputs(crm_buf_str(&x.text), out) == EOF)
		rc = crm_error_set(CRM_EIO, "cannot write the calendar");
done:
	free(head);
	free(tail);
	crm_buf_free(&x.text);
	icalerror_clear_errno();
	return rc;
}
