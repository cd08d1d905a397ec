/* crm-task - follow-ups: what to do, by when, and the morning list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/task.h"
#include "verbs.h"

static const struct cli_opt snooze_opts[] = {
	{ "until", 0, CLI_ARG, "WHEN", "hidden from the due list until this date or time (required)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt due_opts[] = {
	{ "today", 0, CLI_NOARG, NULL, "due today or overdue (the default)" },
	{ "overdue", 0, CLI_NOARG, NULL, "only what is overdue" },
	{ "week", 0, CLI_NOARG, NULL, "due in the next seven days, or overdue" },
	{ "within", 0, CLI_ARG, "SPAN", "due within SPAN (3d, 2w, 1m), or overdue" },
	{ "owner", 0, CLI_ARG, "NAME", "only this owner's tasks" },
	{ NULL, 0, 0, NULL, NULL }
};

/* done and cancel: finish tasks; a repeating one finished starts the
 * next of its series, whose id is printed. */
static int finish(struct cli *c, int argc, char **argv, const char *status)
{
	int64_t *ids, next;
	size_t n, changed = 0;
	int rc, ch;

	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++) {
		if ((rc = crm_task_finish(c->db, ids[i], status, &ch, &next)))
			break;
		changed += (size_t)ch;
		if (next && !cli_has(c, "dry-run"))
			printf("%lld\n", (long long)next);
	}
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, !strcmp(status, "done") ? "finished" : "cancelled", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static int task_done(struct cli *c, int argc, char **argv)
{
	return finish(c, argc, argv, "done");
}

static int task_cancel(struct cli *c, int argc, char **argv)
{
	return finish(c, argc, argv, "cancelled");
}

static int task_snooze(struct cli *c, int argc, char **argv)
{
	const char *until = cli_get(c, "until");
	int64_t *ids;
	size_t n, changed = 0;
	int rc, ch;

	if (!until)
		return cli_usage_error(c, "snooze needs --until WHEN");
	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = crm_task_snooze(c->db, ids[i], until, &ch)))
			changed += (size_t)ch;
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, "snoozed", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

/* The first day no longer in the due list's reach: tomorrow for --today,
 * a week on for --week, the day after now + SPAN for --within. */
static int due_limit(struct cli *c, char out[CRM_DATE_LEN])
{
	const char *span = cli_get(c, "within");
	char rel[32];
	int64_t now;
	int rc;

	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if (cli_has(c, "week"))
		span = "7d";
	snprintf(rel, sizeof rel, "+%s", span ? span : "0d");
	if ((span && strspn(span, "0123456789") == 0) || crm_date_parse(out, rel, now + 86400))
		return cli_usage_error(c, "--within: invalid span '%s' (e.g. 3d, 2w, 1m)", span);
	return 0;
}

/* due: the open tasks not waiting that are due by the limit, most urgent
 * first; exit 1 when there are none. */
static int task_due(struct cli *c, int argc, char **argv)
{
	const char *owner = cli_get(c, "owner");
	char limit[CRM_DATE_LEN];
	crm_query *q;
	long count = 0;
	int rc, status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (cli_has(c, "overdue") + cli_has(c, "today") + cli_has(c, "week") +
	    cli_has(c, "within") > 1)
		return cli_usage_error(c, "choose one of --today, --overdue, --week and --within");
	if (!cli_has(c, "overdue") && (status = due_limit(c, limit)))
		return status;
	if ((rc = crm_query_new(&q, c->db, c->entity)) || (rc = crm_query_option(q, "ready", NULL)) ||
	    (rc = cli_has(c, "overdue") ? crm_query_option(q, "overdue", NULL)
	                                : crm_query_option(q, "due-before", limit)) ||
	    (owner && (rc = crm_query_filter(q, "owner", "=", owner))) ||
	    (rc = crm_query_sort(q, "-urgency,due"))) {
		crm_query_free(q);
		return cli_error(c, rc);
	}
	if (!c->fields)
		c->fields = "id,due,priority,urgency,title,owner,contact,deal";
	status = verb_print_query(c, q, &count);
	crm_query_free(q);
	return status ? status : count ? 0 : 1;
}

/* list, with --format ics for calendars; exit 1 when no task is in it,
 * as for the other formats. */
static int task_list(struct cli *c, int argc, char **argv)
{
	crm_query *q;
	long count;
	int rc, status;

	if (!c->format || strcmp(c->format, "ics"))
		return verb_list(c, argc, argv);
	if ((status = verb_list_query(c, argc, argv, &q)))
		return status;
	rc = crm_task_ics(c->db, q, stdout, &count);
	crm_query_free(q);
	return rc ? cli_error(c, rc) : count ? 0 : 1;
}

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "add a task and print its id", CLI_FIELDS | CLI_WRITE, NULL },
	{ "show", verb_show, "ID...", "print every field of tasks", CLI_OUTPUT, NULL },
	{ "list", task_list, NULL, "list tasks, filtered and sorted (--format ics: VTODO)",
	  CLI_OUTPUT | CLI_LIST, verb_list_opts },
	{ "due", task_due, NULL, "the open tasks due, most urgent first (exit 1 when none)",
	  CLI_OUTPUT, due_opts },
	{ "set", verb_set, "ID...|-", "change fields of tasks", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	{ "done", task_done, "ID...|-", "mark tasks done; print the ids of the next of a series",
	  CLI_WRITE, verb_set_opts },
	{ "cancel", task_cancel, "ID...|-", "mark tasks cancelled", CLI_WRITE, verb_set_opts },
	{ "snooze", task_snooze, "ID...|-", "hide tasks from the due list until a date or time",
	  CLI_WRITE, snooze_opts },
	VERBS_ARCHIVE("tasks"),
	VERB_TAG,
	VERBS_NOTES,
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-task", "follow-ups: tasks, due lists and repeating series", "task", verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
