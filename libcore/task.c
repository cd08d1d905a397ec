/* task.c - the task entity (follow-ups): its fields, list options and
 * write rules, and finishing a task, which starts the next of a
 * repeating series (crm-task(1)). */
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/recur.h"
#include "crm/task.h"
#include "registry.h"

static const char *const task_priority[] = { "low", "normal", "high", NULL };
static const char *const task_status[] = { "open", "done", "cancelled", NULL };
static const char *const repeat_from[] = { "due", "done", NULL };

/* How urgent an open task is (crm-config(5), task_urgency): days overdue,
 * priority, and the open amount of its deal in the base currency. */
#define URGENCY \
	"crm_urgency(t.due, t.priority, (SELECT crm_base_or_null(d.amount, d.amount_currency," \
	" NULL) FROM deals d WHERE d.id = t.deal_id AND d.status = 'open'" \
	" AND d.archived_at IS NULL))"

static const struct crm_fielddef task_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("title", CRM_FT_TEXT, REQUIRED, "what to do", "title", NULL),
	FIELD("due", CRM_FT_WHEN, 0, "when it is due: a date, or a date and time", "due", NULL),
	FIELD("wait", CRM_FT_WHEN, HIDDEN, "hidden from the due list until then", "wait", NULL),
	CHOICE("priority", CRM_FIELD_NOTEMPTY, "low, normal or high", task_priority, "priority"),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "open, done or cancelled", task_status, "status"),
	FIELD("owner", CRM_FT_TEXT, 0, "responsible user (default: the acting user)", "owner", NULL),
	REF("contact", 0, "the person: id, email or name", "contact", "contact_id", NULL),
	REF("company", 0, "the company: id, name or domain", "company", "company_id", NULL),
	REF("deal", 0, "the deal: id or exact title", "deal", "deal_id", NULL),
	FIELD("repeat", CRM_FT_TEXT, 0, "daily, weekly, monthly, yearly, 'every N days|weeks|"
	      "months|years' or an RRULE", "repeat", NULL),
	CHOICE("repeat_from", 0, "count the next from the due date (due) or from completion (done)",
	       repeat_from, "repeat_from"),
	/* A time, as every moment something happened is: a date given is
	 * its midnight UTC (crm(7)). */
	FIELD("done_at", CRM_FT_TIME, HIDDEN, "when it was done or cancelled (default: then)",
	      "done_at", NULL),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("urgency", CRM_FT_NUMBER, RO | HIDDEN, "how urgent it is (crm-config(5))", NULL, URGENCY),
	FIELD("contact_name", CRM_FT_TEXT, RO | HIDDEN, "the person's name", NULL,
	      CONTACT_NAME("t.contact_id")),
	FIELD("contact_id", CRM_FT_ID, RO | HIDDEN, "contact record id", "contact_id", NULL),
	FIELD("company_id", CRM_FT_ID, RO | HIDDEN, "company record id", "company_id", NULL),
	FIELD("deal_id", CRM_FT_ID, RO | HIDDEN, "deal record id", "deal_id", NULL),
	BOOKKEEPING,
};

/* Due before now: a date once its day is over, a time once it passed. */
#define OVERDUE \
	"t.status = 'open' AND t.due < crm_now()" \
	" AND (length(t.due) > 10 OR t.due < substr(crm_now(), 1, 10))"

static const struct crm_option task_options[] = {
	{ "open", NULL, "only open tasks", "t.status = 'open'" },
	{ "done", NULL, "only done tasks", "t.status = 'done'" },
	{ "overdue", NULL, "only open tasks past their due date or time", OVERDUE },
	{ "due-before", "DATE", "only open tasks due before DATE",
	  "t.status = 'open' AND t.due < ?" },
	{ "waiting", NULL, "only open tasks hidden until a later time (wait)",
	  "t.status = 'open' AND t.wait > crm_now()" },
	{ "ready", NULL, "only open tasks not waiting",
	  "t.status = 'open' AND (t.wait IS NULL OR t.wait <= crm_now())" },
	{ NULL, NULL, NULL, NULL }
};

static const char *const task_filters[] = { "owner", "priority", "contact", "company", "deal",
	                                    NULL };

/* Statuses and priorities as Outlook, HubSpot and Salesforce write them. */
static const struct crm_value_synonym task_values[] = {
	{ "status", "completed", "done" }, { "status", "complete", "done" },
	{ "status", "notstarted", "open" }, { "status", "inprogress", "open" },
	{ "status", "waiting", "open" }, { "status", "waitingonsomeoneelse", "open" },
	{ "status", "deferred", "open" }, { "status", "canceled", "cancelled" },
	{ "priority", "medium", "normal" }, { "priority", "urgent", "high" },
	{ "priority", "highest", "high" }, { "priority", "lowest", "low" },
	{ NULL, NULL, NULL }
};

/* Headers of task exports (Pipedrive activities, HubSpot tasks, Todoist,
 * spreadsheets), crm_column_key() form. */
static const struct crm_synonym task_synonyms[] = {
	{ "subject", "title" }, { "task", "title" }, { "tasktitle", "title" },
	{ "taskname", "title" }, { "name", "title" }, { "content", "title" },
	{ "duedate", "due" }, { "dueon", "due" }, { "duedatetime", "due" }, { "deadline", "due" },
	{ "duetime", "@ignore" }, { "reminder", "wait" }, { "startdate", "wait" },
	{ "taskpriority", "priority" }, { "taskstatus", "status" }, { "state", "status" },
	{ "assignedto", "owner" }, { "assignee", "owner" }, { "assigneduser", "owner" },
	{ "taskowner", "owner" }, { "user", "owner" },
	{ "contactperson", "contact" }, { "person", "contact" }, { "associatedcontact", "contact" },
	{ "contactemail", "contact" },
	{ "organization", "company" }, { "organisation", "company" },
	{ "associatedcompany", "company" }, { "companyname", "company" },
	{ "dealname", "deal" }, { "dealtitle", "deal" }, { "associateddeal", "deal" },
	{ "recurrence", "repeat" }, { "recurring", "repeat" }, { "repeats", "repeat" },
	{ "donetime", "done_at" }, { "markedasdonetime", "done_at" }, { "completedat", "done_at" },
	{ "completeddate", "done_at" }, { "completed", "done_at" },
	{ "label", "tags" }, { "labels", "tags" }, { "tag", "tags" },
	{ "recordid", SOURCE_ID }, { "taskid", SOURCE_ID }, { "activityid", SOURCE_ID },
	{ "note", "@note" }, { "notes", "@note" }, { "description", "@note" },
	{ "taskbody", "@note" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "archivedat", "@ignore" },
	{ NULL, NULL }
};

int crm_task_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "tasks_fts", "tasks",
		"INSERT INTO tasks_fts(rowid, title, contact, deal, notes)"
		" SELECT k.id, k.title,"
		" (SELECT " PERSON_NAME_FTS " FROM contacts c WHERE c.id = k.contact_id),"
		" (SELECT title FROM deals WHERE id = k.deal_id),"
		" (SELECT group_concat(body, ' ') FROM task_notes WHERE task_id = k.id)"
		" FROM tasks k WHERE %s", where, arg);
}

/* Reads the text columns of task id named by sql into vals (owned). */
static int read_task(crm_db *db, const char *sql, int64_t id, char **vals, int n)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		for (int i = 0; i < n; i++)
			if (crm_stmt_text(st, i) && !(vals[i] = strdup(crm_stmt_text(st, i))))
				rc = crm_error_nomem();
	crm_stmt_reset(st);
	if (rc == CRM_DONE)
		rc = crm_error_set(CRM_ENOTFOUND, "no task %lld", (long long)id);
	return rc < 0 ? rc : CRM_OK;
}

static void free_vals(char **vals, int n)
{
	for (int i = 0; i < n; i++)
		free(vals[i]);
}

/* A repeating task needs a due date and a rule libical reads; the rule is
 * kept in its canonical spelling, counted from the due date unless told. */
static int settle_repeat(crm_db *db, int64_t id, const char *repeat, const char *due)
{
	char *canon = NULL;
	int rc;

	if (!repeat)
		return crm_db_exec_id(db, "UPDATE tasks SET repeat_from = NULL WHERE id = ?1", id);
	if (!due)
		return crm_error_set(CRM_EDATA, "repeat: a repeating task needs a due date");
	/* A rule libical reads may still name no date (BYMONTH=13, the 30th
	 * of February): refused here, not by done, where one such task would
	 * stop a whole pipeline.  A series that ends after this one is fine. */
	if (!(rc = crm_recur_normalize(&canon, repeat))) {
		char next[CRM_TIME_LEN];

		if ((rc = crm_recur_next(next, canon, due, due)) == CRM_ENOTFOUND) {
			crm_error_clear();
			rc = CRM_OK;
		}
	}
	if (rc) {
		free(canon);
		return crm_error_prefix("repeat");
	}
	crm_stmt *st;
	if (!(rc = crm_db_stmt(db, &st, "UPDATE tasks SET repeat = ?2,"
	                       " repeat_from = coalesce(repeat_from, 'due') WHERE id = ?1"))) {
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, canon);
		rc = crm_stmt_done(st);
	}
	free(canon);
	return rc;
}

static int task_after_write(crm_db *db, int64_t id, const crm_record *r,
                            int adding)
{
	char *v[2] = { NULL, NULL };
	int rc;

	(void)adding;
	rc = read_task(db, "SELECT repeat, due FROM tasks WHERE id = ?1", id, v, 2);
	if (!rc)
		rc = settle_repeat(db, id, v[0], v[1]);
	free_vals(v, 2);
	/* A time of completion given alone says the task is done. */
	if (!rc && crm_record_value(r, "done_at") && !crm_record_has(r, "status"))
		rc = crm_db_exec_id(db, "UPDATE tasks SET status = 'done' WHERE id = ?1"
		                    " AND status = 'open'", id);
	/* Finished when it was marked so, unless the record says when. */
	if (!rc)
		rc = crm_db_exec_id(db, "UPDATE tasks SET done_at = CASE WHEN status = 'open' THEN NULL"
		                    " ELSE coalesce(done_at, crm_now()) END WHERE id = ?1", id);
	if (!rc)
		rc = crm_task_reindex(db, "id = ?1", id);
	return rc;
}

enum { T_STATUS, T_REPEAT, T_FROM, T_DUE, T_WAIT, T_TITLE, T_PRIORITY, T_OWNER, T_CONTACT,
       T_COMPANY, T_DEAL, T_TAGS, T_N };

/* The due date of the next task of a series: the first of the series
 * after today (or now, for a timed series) and after this one's due date,
 * so that missed ones do not pile up; or one step from today when the
 * series counts from completion.  start is where the series was walked
 * from: the due date, or today. */
static int next_due(crm_db *db, char *const *v, char start[CRM_TIME_LEN],
                    char out[CRM_TIME_LEN])
{
	char now[CRM_TIME_LEN];
	const char *due = v[T_DUE];
	int timed = strlen(due) > 10;

	crm_db_now(db, now);
	if (!timed)
		now[10] = '\0';
	if (!strcmp(v[T_FROM] ? v[T_FROM] : "due", "done")) {
		/* The series starts today, at the due time of day. */
		snprintf(start, CRM_TIME_LEN, "%.10s%s", now, timed ? due + 10 : "");
		return crm_recur_next(out, v[T_REPEAT], start, start);
	}
	snprintf(start, CRM_TIME_LEN, "%s", due);
	return crm_recur_next(out, v[T_REPEAT], due, strcmp(now, due) > 0 ? now : due);
}

/* The due date and rule of the next task of the series of v: the rule
 * as carried on (crm_recur_carry), less the dates a COUNT has used up.
 * CRM_ENOTFOUND when the series has no date left. */
static int successor(crm_db *db, char *const *v, char due[CRM_TIME_LEN], char **rule)
{
	char start[CRM_TIME_LEN], *carried = NULL;
	int rc = next_due(db, v, start, due);

	*rule = NULL;
	if (!rc && !(rc = crm_recur_carry(&carried, v[T_REPEAT], v[T_DUE])))
		rc = crm_recur_rest(rule, carried, start, due);
	free(carried);
	return rc;
}

/* Moves wait as far as the due date moved: a task hidden until two days
 * before its due date stays so. */
static int shift_wait(const char *wait, const char *due, const char *next, char out[CRM_TIME_LEN])
{
	int64_t w, d, n;

	if (crm_time_parse_epoch(&w, wait, 0) || crm_time_parse_epoch(&d, due, 0) ||
	    crm_time_parse_epoch(&n, next, 0))
		return crm_error_set(CRM_EDATA, "wait: invalid time '%s'", wait);
	crm_time_format(out, w + (n - d));
	if (strlen(wait) <= 10)
		out[10] = '\0';
	return CRM_OK;
}

/* Starts the next task of the series of v (task id): the same fields,
 * tags and custom fields, the next due date; *next stays 0 when the
 * series has ended. */
static int start_next(crm_db *db, int64_t id, char *const *v, int64_t *next)
{
	static const struct { int col; const char *field; } copied[] = {
		{ T_TITLE, "title" }, { T_PRIORITY, "priority" }, { T_OWNER, "owner" },
		{ T_CONTACT, "contact" }, { T_COMPANY, "company" }, { T_DEAL, "deal" },
		{ T_FROM, "repeat_from" },
	};
	const struct crm_entity *e = &crm_task_entity;
	char due[CRM_TIME_LEN], wait[CRM_TIME_LEN], *rule = NULL;
	crm_record *r = NULL;
	int rc = successor(db, v, due, &rule), changed;

	/* The last date of a series that ends (COUNT, UNTIL) starts nothing. */
	if (rc == CRM_ENOTFOUND) {
		crm_error_clear();
		return CRM_OK;
	}
	if (!rc && v[T_WAIT])
		rc = shift_wait(v[T_WAIT], v[T_DUE], due, wait);
	if (!rc)
		rc = crm_record_new(&r, e);
	for (size_t i = 0; !rc && i < sizeof copied / sizeof copied[0]; i++)
		if (v[copied[i].col])
			rc = crm_record_set(r, copied[i].field, v[copied[i].col]);
	if (!rc)
		rc = crm_record_set(r, "repeat", rule);
	if (!rc)
		rc = crm_record_set(r, "due", due);
	if (!rc && v[T_WAIT])
		rc = crm_record_set(r, "wait", wait);
	if (!rc)
		rc = crm_entity_add(db, r, next);
	crm_record_free(r);
	free(rule);
	if (!rc && v[T_TAGS])
		rc = crm_entity_tags_set(db, e, *next, v[T_TAGS], &changed);
	if (!rc) {
		crm_stmt *st;
		if (!(rc = crm_db_stmt(db, &st, "INSERT INTO task_custom(task_id, key, value)"
		                       " SELECT ?2, key, value FROM task_custom WHERE task_id = ?1"))) {
			crm_stmt_bind_int(st, 1, id);
			crm_stmt_bind_int(st, 2, *next);
			rc = crm_stmt_done(st);
		}
	}
	return rc;
}

int crm_task_finish(crm_db *db, int64_t id, const char *status, int *changed, int64_t *next)
{
	char *v[T_N] = { NULL };
	crm_record *r = NULL;
	int rc;

	*changed = 0;
	*next = 0;
	if ((rc = crm_entity_live(db, &crm_task_entity, id)) ||
	    (rc = read_task(db, "SELECT status, repeat, repeat_from, due, wait, title, priority,"
	                    " owner, contact_id, company_id, deal_id, tags FROM tasks WHERE id = ?1",
	                    id, v, T_N)))
		goto done;
	if (strcmp(v[T_STATUS], "open"))
		goto done; /* finished already */
	/* A finished task hands its rule on to the next: reopened and finished
	 * again, it starts no second series. */
	if (!(rc = crm_record_new(&r, &crm_task_entity)) && !(rc = crm_record_set(r, "status", status)) &&
	    v[T_REPEAT] && !strcmp(status, "done"))
		rc = crm_record_set(r, "repeat", "");
	if (!rc)
		rc = crm_entity_update(db, r, id, changed);
	if (!rc && v[T_REPEAT] && v[T_DUE] && !strcmp(status, "done"))
		rc = start_next(db, id, v, next);
done:
	crm_record_free(r);
	free_vals(v, T_N);
	return rc;
}

int crm_task_snooze(crm_db *db, int64_t id, const char *until, int *changed)
{
	char *v[1] = { NULL }, *when = NULL;
	crm_record *r = NULL;
	int rc;

	*changed = 0;
	if ((rc = crm_field_value(db, crm_fielddef_of(crm_entity_field_find(&crm_task_entity, "wait")),
	                          until, NULL, &when)))
		return crm_error_prefix("until");
	if (!(rc = read_task(db, "SELECT due FROM tasks WHERE id = ?1", id, v, 1)) &&
	    !(rc = crm_record_new(&r, &crm_task_entity)))
		rc = crm_record_set(r, "wait", when);
	/* Not back as overdue the moment it shows again: a due date before
	 * the day it shows moves to that day; a due time keeps its hour, or
	 * becomes the time it shows if that is later. */
	if (!rc && v[0] && strncmp(v[0], when, 10) < 0) {
		char due[CRM_TIME_LEN];

		snprintf(due, sizeof due, "%.10s%s", when, v[0] + strnlen(v[0], 10));
		if (strlen(due) > 10 && strcmp(due, when) < 0)
			snprintf(due, sizeof due, "%s", when);
		rc = crm_record_set(r, "due", due);
	}
	if (!rc)
		rc = crm_entity_update(db, r, id, changed);
	crm_record_free(r);
	free(when);
	free_vals(v, 1);
	return rc;
}

/* A task is named by its id only. */
const struct crm_entity crm_task_entity = {
	.name = "task", .table = "tasks", .custom_table = "task_custom", .custom_fk = "task_id",
	.fts = "tasks_fts", .join = "",
	.defs = task_fields, .nfields = NFIELDS(task_fields),
	.after_write = task_after_write, .synonyms = task_synonyms,
	.value_synonyms = task_values, .reindex = crm_task_reindex,
	.tag_table = "task_tags", .note_table = "task_notes",
	.default_key = "id," SOURCE_ID, .filters = task_filters, .options = task_options,
	.label = "r.title",
};
