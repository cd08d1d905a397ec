/* crm-feedback - NPS and CSAT: the responses, the figures with the counts
 * behind them, and CSAT surveys mailed about solved tickets. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/feedback.h"
#include "verbs.h"

static const struct cli_opt report_opts[] = {
	{ "period", 'p', CLI_ARG, "PERIOD", "only responses in PERIOD: 2026, 2026-Q4, 2026-11, this-month, last-quarter, ytd ... (default: all)" },
	{ "by", 0, CLI_ARG, "GROUP", "one row per queue, assignee (of the response's ticket) or month" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt survey_opts[] = {
	{ "solved-since", 0, CLI_ARG, "SPAN|TIME", "tickets solved or closed within SPAN (1d, 12h) or since TIME (required)" },
	{ "sample", 0, CLI_ARG, "PCT", "survey this percentage of the tickets due, picked by a hash of their ids (default 100)" },
	{ "cooldown", 0, CLI_ARG, "SPAN", "nobody surveyed within SPAN is surveyed again (default 30d; 0d: no cooldown)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "print the surveys due, send and record nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

/* nps and csat: the figure per group and in total; exit 1 when there
 * are no responses. */
static int report(struct cli *c, int argc, char **argv, const char *kind)
{
	static const struct crm_column nps[CRM_NPS_COLUMNS] = {
		{ "group", CRM_COL_TEXT }, { "responses", CRM_COL_INT }, { "promoters", CRM_COL_INT },
		{ "passives", CRM_COL_INT }, { "detractors", CRM_COL_INT }, { "nps", CRM_COL_NUMBER },
	};
	static const struct crm_column csat[CRM_CSAT_COLUMNS] = {
		{ "group", CRM_COL_TEXT }, { "responses", CRM_COL_INT }, { "satisfied", CRM_COL_INT },
		{ "csat", CRM_COL_NUMBER },
	};
	const char *period = cli_get(c, "period"), *by = cli_get(c, "by");
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	struct cli_printer p = { c, NULL, 0 };
	int64_t now, n;
	int rc;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (by && strcmp(by, "queue") && strcmp(by, "assignee") && strcmp(by, "month"))
		return cli_usage_error(c, "--by takes queue, assignee or month, not '%s'", by);
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if (period && crm_period_parse(from, to, period, now))
		return cli_usage_error(c, "--period: invalid period '%s'", period);
	rc = !strcmp(kind, "nps") ? cli_output_fields(c, nps, CRM_NPS_COLUMNS, &p.w)
	                          : cli_output_fields(c, csat, CRM_CSAT_COLUMNS, &p.w);
	if (!rc)
		rc = crm_feedback_report(c->db, kind, period ? from : NULL, period ? to : NULL, by,
		                         cli_print_row, &p, &n);
	if (!rc && n)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	if (!n)
		return cli_fail(c, 1, "no %s responses%s%s", kind, period ? " in " : "",
		                period ? period : "");
	return 0;
}

static int feedback_nps(struct cli *c, int argc, char **argv)
{
	return report(c, argc, argv, "nps");
}

static int feedback_csat(struct cli *c, int argc, char **argv)
{
	return report(c, argc, argv, "csat");
}

/* Reads the survey options into o; returns an exit status, -1 to go on. */
static int survey_options(struct cli *c, struct crm_survey_opts *o, char since[CRM_TIME_LEN])
{
	const char *s = cli_get(c, "solved-since"), *v;
	int64_t now, span;
	long long pct;
	int rc;

	if (!s)
		return cli_usage_error(c, "survey needs --solved-since SPAN or TIME");
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if (!crm_span_parse(s, &span))
		crm_time_format(since, now - span);
	else if (crm_time_parse(since, s, now))
		return cli_usage_error(c, "--solved-since: invalid span or time '%s'", s);
	o->since = since;
	o->sample = 100;
	if ((v = cli_get(c, "sample"))) {
		if (!crm_int_parse(v, 0, 100, &pct))
			return cli_usage_error(c, "--sample takes a percentage from 0 to 100, not '%s'",
			                       v);
		o->sample = (int)pct;
	}
	o->cooldown = 30 * 86400;
	if ((v = cli_get(c, "cooldown")) && crm_span_parse(v, &o->cooldown))
		return cli_usage_error(c, "--cooldown: invalid span '%s' (e.g. 30d, 2w)", v);
	o->dry_run = cli_has(c, "dry-run");
	return -1;
}

static int print_survey(void *arg, const struct crm_survey *s)
{
	struct cli_printer *p = arg;
	char ticket[24];
	const char *vals[3] = { ticket, s->email, s->message_id };

	snprintf(ticket, sizeof ticket, "%lld", (long long)s->ticket);
	return cli_row(p->c, p->w, vals);
}

/* survey: mails the CSAT surveys due and prints them; exit 1 when none
 * was due. */
static int feedback_survey(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "ticket", CRM_COL_INT }, { "person", CRM_COL_TEXT }, { "message_id", CRM_COL_TEXT },
	};
	struct crm_survey_opts o = { 0 };
	struct cli_printer p = { c, NULL, 0 };
	char since[CRM_TIME_LEN];
	int64_t sent = 0;
	int rc, status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((status = survey_options(c, &o, since)) >= 0)
		return status;
	if ((rc = cli_output_fields(c, cols, sizeof cols / sizeof cols[0], &p.w)))
		return cli_error(c, rc);
	rc = crm_feedback_survey(c->db, &o, print_survey, &p, &sent);
	if (sent && crm_out_finish(p.w) && !rc)
		rc = crm_error_code();
	crm_out_free(p.w);
	if (rc) {
		/* What went out before the failure is logged, so never sent twice. */
		if (sent && !o.dry_run)
			crm_db_commit(c->db);
		return cli_error(c, rc);
	}
	c->rollback = o.dry_run;
	if (!c->quiet && o.dry_run)
		fprintf(stderr, "%s: would have sent %lld survey%s\n", c->prog->name,
		        (long long)sent, sent == 1 ? "" : "s");
	return sent ? 0 : 1;
}

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "record a response and print its id", CLI_FIELDS | CLI_WRITE, NULL },
	{ "show", verb_show, "ID...", "print every field of responses", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list responses, oldest first (--since/--until: response time)",
	  CLI_OUTPUT | CLI_LIST, verb_list_opts },
	{ "nps", feedback_nps, NULL, "Net Promoter Score with its counts, per group and in total"
	  " (exit 1: no responses)", CLI_OUTPUT, report_opts },
	{ "csat", feedback_csat, NULL, "customer satisfaction with its counts, per group and in"
	  " total (exit 1: no responses)", CLI_OUTPUT, report_opts },
	{ "survey", feedback_survey, NULL, "mail CSAT surveys about solved tickets; print them"
	  " (exit 1: none due)", CLI_OUTPUT | CLI_WRITE, survey_opts },
	{ "set", verb_set, "ID...|-", "change fields of responses", CLI_FIELDS | CLI_WRITE,
	  verb_set_opts },
	VERBS_ARCHIVE("responses"),
	VERB_TAG,
	VERBS_NOTES,
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

/* Oldest response first; --since and --until on the response time. */
static const struct cli_list list = {
	"at", "at,id", "id,at,kind,score,person,ticket,channel,comment"
};

static const struct cli_program program = {
	"crm-feedback", "NPS and CSAT: responses, figures and surveys after solved tickets",
	"response", verbs, &list
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
