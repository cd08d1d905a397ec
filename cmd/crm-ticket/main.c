/* crm-ticket - the service desk: requests, the answers to them, and the
 * times they were promised in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/mail.h"
#include "crm/norm.h"
#include "crm/ticket.h"
#include "verbs.h"

static const struct cli_opt add_opts[] = {
	{ "file", 0, CLI_ARG, "FILE", "read the first message from FILE ('-': stdin)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt reply_opts[] = {
	{ "status", 0, CLI_ARG, "STATUS", "the status after the reply (default: pending)" },
	{ "file", 0, CLI_ARG, "FILE", "read the reply from FILE ('-': stdin)" },
	{ "kb", 0, CLI_ARG, "N", "quote article N after the reply, and link it" },
	{ "send", 0, CLI_NOARG, NULL, "mail the reply to the requester (crm-config(5) mail)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt comment_opts[] = {
	{ "file", 0, CLI_ARG, "FILE", "read the comment from FILE ('-': stdin)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt assign_opts[] = {
	{ "to", 0, CLI_ARG, "AGENT", "the agent (default: the acting user); '' unassigns" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt merge_opts[] = {
	{ "into", 0, CLI_ARG, "ID", "the ticket that takes the others' threads (required)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt link_opts[] = {
	{ "kb", 0, CLI_ARG, "N", "link knowledge-base article N" },
	{ "deal", 0, CLI_ARG, "N", "link deal N" },
	{ "ticket", 0, CLI_ARG, "N", "link ticket N" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Reads a file, or stdin for "-", whole into *out; a file that cannot
 * be read is bad input. */
static int read_file(struct cli *c, const char *path, char **out)
{
	int rc = cli_read_file(path, out);

	return rc ? cli_error(c, strcmp(path, "-") ? crm_error_recode(CRM_EDATA) : rc) : 0;
}

/* The text of a message: the operand text ("-": stdin), --file, or stdin
 * when from_stdin; NULL in *out when there is none.  Trailing newlines go;
 * the text must be UTF-8.  Returns an exit status. */
static int message_text(struct cli *c, const char *text, int from_stdin, char **out)
{
	const char *file = cli_get(c, "file");
	int status = 0;

	*out = NULL;
	if (text && file)
		return cli_usage_error(c, "give the text as an operand or --file, not both");
	if (text && strcmp(text, "-"))
		*out = strdup(text);
	else if (file)
		status = read_file(c, file, out);
	else if (text || from_stdin)
		status = read_file(c, "-", out);
	if (status || !*out)
		return status;
	for (size_t n = strlen(*out); n && strchr("\n\r", (*out)[n - 1]); n--)
		(*out)[n - 1] = '\0';
	if (!crm_utf8_valid_p(*out, strlen(*out))) {
		free(*out);
		*out = NULL;
		return cli_fail(c, 3, "%s: the message is not valid UTF-8",
		                file && strcmp(file, "-") ? file : "stdin");
	}
	if (!(*out)[strspn(*out, " \t\r\n\f\v")]) {
		free(*out);
		*out = NULL;
	}
	return 0;
}

/* An email given as --requester may be new: it adds the person. */
static int settle_requester(struct cli *c, int64_t *id)
{
	const char *who = crm_record_value(c->rec, "requester");
	char num[24];
	int rc;

	*id = 0;
	if (!who)
		return 0;
	if ((rc = crm_ticket_requester(c->db, who, NULL, id)))
		return cli_error(c, rc);
	snprintf(num, sizeof num, "%lld", (long long)*id);
	return crm_record_set(c->rec, "requester", num) ? cli_error(c, CRM_ENOMEM) : 0;
}

static int ticket_add(struct cli *c, int argc, char **argv)
{
	struct crm_ticket_msg m = { .kind = "customer" };
	const char *tag;
	char *body = NULL;
	int64_t id, msg;
	size_t pos = 0;
	int rc, status, changed;

	if (argc > 1)
		return cli_usage_error(c, "quote the message as one operand");
	if ((status = message_text(c, argc ? argv[0] : NULL, !isatty(STDIN_FILENO), &body)) ||
	    (status = settle_requester(c, &m.contact)))
		goto done;
	rc = crm_entity_add(c->db, c->rec, &id);
	while (!rc && (tag = cli_next(c, "tag", &pos)))
		rc = crm_entity_tag(c->db, c->entity, id, tag, 1, &changed);
	m.subject = crm_record_value(c->rec, "subject");
	m.body = body;
	if (!rc && body)
		rc = crm_ticket_post(c->db, id, &m, &msg);
	if (rc)
		status = cli_error(c, rc);
	else
		printf("%lld\n", (long long)id);
done:
	free(body);
	return status;
}

static int ticket_set(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int status = settle_requester(c, &id);

	return status ? status : verb_set(c, argc, argv);
}

/* The first four columns are the default; -f names the others. */
static int ticket_thread(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "at", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "from", CRM_COL_TEXT }, { "text", CRM_COL_TEXT },
		{ "id", CRM_COL_INT }, { "subject", CRM_COL_TEXT }, { "date", CRM_COL_TEXT },
		{ "message_id", CRM_COL_TEXT }, { "in_reply_to", CRM_COL_TEXT },
		{ "attachments", CRM_COL_INT }
	};
	int64_t id;
	int status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if (!c->fields)
		c->fields = "at,kind,from,text";
	return cli_print_list(c, cols, sizeof cols / sizeof cols[0], id, crm_ticket_thread);
}

static int ticket_attachments(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "id", CRM_COL_INT }, { "message", CRM_COL_INT }, { "name", CRM_COL_TEXT },
		{ "type", CRM_COL_TEXT }, { "size", CRM_COL_INT }, { "kept", CRM_COL_TEXT }
	};
	int64_t id;
	int status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	return cli_print_list(c, cols, sizeof cols / sizeof cols[0], id, crm_ticket_attachments);
}

/* attachment N: its bytes as they came, on stdout -- but not onto a
 * terminal unless they are text, which a terminal would take as its own
 * control sequences. */
static int ticket_attachment(struct cli *c, int argc, char **argv)
{
	crm_buf data = CRM_BUF_INIT;
	char *type = NULL;
	int64_t n;
	int rc, status = 0;

	if (argc < 1)
		return cli_usage_error(c, "missing attachment id");
	if (argc > 1)
		return cli_usage_error(c, "unexpected operand '%s'", argv[1]);
	if ((rc = cli_id(argv[0], &n)) || (rc = crm_ticket_attachment(c->db, n, &data, &type)))
		status = cli_error(c, rc);
	else if (isatty(STDOUT_FILENO) && (!type || strncmp(type, "text/", 5)))
		status = cli_usage_error(c, "attachment %lld is %s: send it to a file, not a terminal",
		                         (long long)n, type ? type : "of no type");
	else
		fwrite(crm_buf_str(&data), 1, data.len, stdout);
	free(type);
	crm_buf_free(&data);
	return status;
}

/* reply and comment ID [TEXT|-]: the agent's public answer, or a note
 * for the desk; prints the message id. */
static int post(struct cli *c, int argc, char **argv, const char *kind)
{
	struct crm_ticket_msg m = { .kind = kind };
	char *body = NULL;
	int64_t id, msg;
	int rc, status;

	if ((status = verb_one_id(c, argc, argv, &id)))
		return status;
	if (argc > 2)
		return cli_usage_error(c, "quote the text as one operand");
	if ((status = message_text(c, argc == 2 ? argv[1] : NULL, 1, &body)))
		return status;
	if (!body)
		return cli_fail(c, 2, "the %s is empty", kind);
	if (cli_has(c, "kb")) {
		char *quoted = NULL;
		int64_t n;

		if ((rc = cli_id(cli_get(c, "kb"), &n)) ||
		    (rc = crm_ticket_quote(c->db, id, n, body, &quoted))) {
			free(body);
			return cli_error(c, rc);
		}
		free(body);
		body = quoted;
	}
	m.author = crm_db_user(c->db);
	m.body = body;
	if (!strcmp(kind, "comment"))
		rc = crm_ticket_post(c->db, id, &m, &msg);
	else if (cli_has(c, "send"))
		rc = crm_ticket_mail_reply(c->db, id, &m, cli_get(c, "status"), &msg);
	else
		rc = crm_ticket_reply(c->db, id, &m, cli_get(c, "status"), &msg);
	free(body);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)msg);
	return 0;
}

static int ticket_reply(struct cli *c, int argc, char **argv)
{
	return post(c, argc, argv, "reply");
}

static int ticket_comment(struct cli *c, int argc, char **argv)
{
	return post(c, argc, argv, "comment");
}

/* solve, close and reopen ID...|- */
static int change_status(struct cli *c, int argc, char **argv, const char *verb,
                         const char *what)
{
	int64_t *ids;
	size_t n, changed = 0;
	int rc, ch;

	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = crm_ticket_status(c->db, ids[i], verb, &ch)))
			changed += (size_t)ch;
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, what, changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static int ticket_solve(struct cli *c, int argc, char **argv)
{
	return change_status(c, argc, argv, "solved", "solved");
}

static int ticket_close(struct cli *c, int argc, char **argv)
{
	return change_status(c, argc, argv, "closed", "closed");
}

static int ticket_reopen(struct cli *c, int argc, char **argv)
{
	return change_status(c, argc, argv, "reopen", "reopened");
}

static int ticket_assign(struct cli *c, int argc, char **argv)
{
	const char *to = cli_has(c, "to") ? cli_get(c, "to") : crm_db_user(c->db);
	crm_record *r = NULL;
	int64_t *ids;
	size_t n, changed = 0;
	int rc, ch;

	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	if (!(rc = crm_record_new(&r, c->entity)))
		rc = crm_record_set(r, "assignee", to);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = crm_entity_update(c->db, r, ids[i], &ch)))
			changed += (size_t)ch;
	crm_record_free(r);
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, "assigned", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static int ticket_merge(struct cli *c, int argc, char **argv)
{
	const char *into = cli_get(c, "into");
	int64_t *ids, target;
	size_t n;
	int rc;

	if (!into)
		return cli_usage_error(c, "merge needs --into ID");
	if ((rc = cli_id(into, &target)) || (rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	/* With no ids piped the loop checks nothing; --into is still checked,
	 * as a pipeline's typo should not pass for an empty merge. */
	if (!n)
		rc = crm_ticket_merge_target(c->db, target);
	for (size_t i = 0; i < n && !rc; i++)
		rc = crm_ticket_merge(c->db, ids[i], target);
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, "merged", n, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static int ticket_unmerge(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int rc, status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	return (rc = crm_ticket_unmerge(c->db, id)) ? cli_error(c, rc) : 0;
}

static int ticket_link(struct cli *c, int argc, char **argv)
{
	static const char *const kinds[] = { "kb", "deal", "ticket" };
	int64_t id, target;
	int rc = CRM_OK, status, changed, given = 0;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	for (size_t k = 0; k < 3 && !rc; k++) {
		const char *v = cli_get(c, kinds[k]);

		if (v && !(rc = cli_id(v, &target)) && ++given)
			rc = crm_ticket_link(c->db, id, kinds[k], target, &changed);
	}
	if (rc)
		return cli_error(c, rc);
	return given ? 0 : cli_usage_error(c, "link needs --kb N, --deal N or --ticket N");
}

/* A business time as hours and minutes: "2h30m", "45m", "0m". */
/* 1h30m, 45m, 0m; seconds only when there are some (1h30m59s), so that
 * a clock a few seconds over its goal does not read as equal to it. */
static void span_text(char *out, size_t n, int64_t secs)
{
	long long h = secs / 3600, m = secs % 3600 / 60, s = secs % 60;
	int len = h ? snprintf(out, n, "%lldh", h) : 0;

	if (m || (!h && !s) || (h && s))
		len += snprintf(out + len, n - (size_t)len, "%lldm", m);
	if (s)
		snprintf(out + len, n - (size_t)len, "%llds", s);
}

/* sla ID: each target, its policy, goal, time spent, due time and state;
 * exit 1 when no policy applies. */
static int ticket_sla(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "target", CRM_COL_TEXT }, { "policy", CRM_COL_TEXT }, { "goal", CRM_COL_TEXT },
		{ "elapsed", CRM_COL_TEXT }, { "due", CRM_COL_TEXT }, { "state", CRM_COL_TEXT }
	};
	struct crm_sla_row rows[3];
	const char *policy;
	crm_out *w = NULL;
	int64_t id;
	int n, missed, rc, status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if ((rc = crm_entity_exists(c->db, c->entity, id)) ||
	    (rc = crm_ticket_sla(c->db, id, &policy, rows, &n, &missed)))
		return cli_error(c, rc);
	if (!policy)
		return cli_fail(c, 1, "no SLA policy applies to ticket %lld", (long long)id);
	if ((rc = cli_output_fields(c, cols, sizeof cols / sizeof cols[0], &w)))
		return cli_error(c, rc);
	for (int i = 0; i < n && !rc; i++) {
		char goal[32], spent[32], due[CRM_TIME_LEN] = "";
		const char *vals[] = { rows[i].target, policy, goal, spent, due, rows[i].state };

		span_text(goal, sizeof goal, rows[i].goal);
		span_text(spent, sizeof spent, rows[i].elapsed);
		if (rows[i].due)
			crm_time_format(due, rows[i].due);
		rc = cli_row(c, w, vals);
	}
	if (!rc)
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc ? cli_error(c, rc) : 0;
}

/* recompute: the SLA state kept with the open tickets (--all: every
 * ticket), afresh. */
static int ticket_recompute(struct cli *c, int argc, char **argv)
{
	size_t n;
	int rc;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = crm_ticket_sla_recompute(c->db, cli_has(c, "all"), &n)))
		return cli_error(c, rc);
	verb_report(c, "recomputed", n, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static const struct cli_opt recompute_opts[] = {
	{ "all", 0, CLI_NOARG, NULL, "every ticket, solved and closed ones too" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt breaches_opts[] = {
	{ "within", 0, CLI_ARG, "SPAN", "also the tickets due within SPAN (30m, 2h, 1d)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* breaches: the open tickets past an SLA target (or due within SPAN),
 * soonest first; exit 1 when there is none. */
static int ticket_breaches(struct cli *c, int argc, char **argv)
{
	const char *within = cli_get(c, "within");
	crm_query *q;
	int64_t span;
	long count = 0;
	int rc, status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (within && crm_span_parse(within, &span))
		return cli_usage_error(c, "--within: invalid span '%s' (e.g. 30m, 2h, 1d)", within);
	if ((rc = crm_query_new(&q, c->db, c->entity)) ||
	    (rc = crm_query_option(q, within ? "breaching" : "open", within)) ||
	    (!within && (rc = crm_query_option(q, "breached", NULL))) ||
	    (rc = crm_query_sort(q, "sla_rank,sla_due,id"))) {
		crm_query_free(q);
		return cli_error(c, rc);
	}
	if (!c->fields)
		c->fields = "id,sla_due,breached,priority,queue,assignee,subject";
	status = verb_print_query(c, q, &count);
	crm_query_free(q);
	return status ? status : count ? 0 : 1;
}

static const struct cli_opt mailin_opts[] = {
	VERB_MAILBOX_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

struct intake {
	struct cli *c;
	size_t rejected;
	const struct verb_mail *from; /* from->maildir: a rejected message moves */
};

/* Puts an unreadable message aside in the reject Maildir, if there is one. */
static void reject(struct intake *in, const char *label, const char *raw, size_t len)
{
	const char *dir = crm_config_mail(in->c->cfg)->reject;
	char *name = NULL;

	in->rejected++;
	cli_fail(in->c, 3, "%s: %s", label, crm_error_message());
	if (!dir)
		return;
	/* A Maildir's message moves; a file or an mbox stays as it is. */
	if (crm_maildir_deliver(dir, raw, len, &name)) {
		cli_fail(in->c, 3, "%s: %s", label, crm_error_message());
	} else {
		fprintf(stderr, "%s: %s: %s to %s/new/%s\n", in->c->prog->name, label,
		        in->from->maildir ? "moved" : "copied", dir, name);
		if (in->from->maildir)
			unlink(label);
	}
	free(name);
}

static int take(void *arg, const char *label, const char *raw, size_t len)
{
	struct intake *in = arg;
	struct crm_mail_in res;
	int rc = crm_ticket_mail_in(in->c->db, raw, len, &res);

	if (rc == CRM_EDATA) {
		reject(in, label, raw, len);
		return 0;
	}
	if (rc)
		return rc;
	if (res.ticket)
		printf("%s\t%s\t%lld\n", label, res.action, (long long)res.ticket);
	else
		printf("%s\t%s\t\n", label, res.action);
	return 0;
}

/* mail-in [FILE...|-] [--mbox FILE] [--maildir DIR]: each message onto
 * its ticket; exit 3 when some could not be read (the rest are kept). */
static int ticket_mail_in(struct cli *c, int argc, char **argv)
{
	struct intake in = { c, 0, NULL };
	struct verb_mail m = { take, &in, 0, 0 };
	int rc;

	in.from = &m;
	if ((rc = verb_read_mail(c, argc, argv, &m)))
		return cli_error(c, rc);
	c->keep = 1;
	return in.rejected || m.missing ? 3 : 0;
}

static const struct cli_verb verbs[] = {
	{ "add", ticket_add, "[TEXT|-]", "open a ticket (first message from TEXT, --file or stdin)"
	  " and print its id", CLI_FIELDS | CLI_WRITE, add_opts },
	{ "show", verb_show, "ID...", "print every field of tickets, SLA due time included",
	  CLI_OUTPUT, NULL },
	{ "thread", ticket_thread, "ID", "every message and comment, oldest first", CLI_OUTPUT,
	  NULL },
	{ "attachments", ticket_attachments, "ID", "the attachments of a ticket's messages",
	  CLI_OUTPUT, NULL },
	{ "attachment", ticket_attachment, "N", "write attachment N's content to stdout", 0, NULL },
	{ "list", verb_list, NULL, "list tickets, soonest SLA target first", CLI_OUTPUT | CLI_LIST,
	  verb_list_opts },
	{ "set", ticket_set, "ID...|-", "change fields of tickets", CLI_FIELDS | CLI_WRITE,
	  verb_set_opts },
	{ "assign", ticket_assign, "ID...|-", "assign tickets to an agent", CLI_WRITE, assign_opts },
	{ "reply", ticket_reply, "ID [TEXT|-]", "answer the requester (text from stdin without"
	  " TEXT); print the message id", CLI_WRITE, reply_opts },
	{ "comment", ticket_comment, "ID [TEXT|-]", "add an internal comment, never mailed; print"
	  " its id", CLI_WRITE, comment_opts },
	{ "solve", ticket_solve, "ID...|-", "mark tickets solved", CLI_WRITE, verb_set_opts },
	{ "close", ticket_close, "ID...|-", "close tickets", CLI_WRITE, verb_set_opts },
	{ "reopen", ticket_reopen, "ID...|-", "open solved or closed tickets again", CLI_WRITE,
	  verb_set_opts },
	{ "merge", ticket_merge, "ID...", "merge tickets into the one --into names", CLI_WRITE,
	  merge_opts },
	{ "unmerge", ticket_unmerge, "ID", "take a merged ticket back out", CLI_WRITE, NULL },
	{ "link", ticket_link, "ID", "link an article, a deal or a ticket", CLI_WRITE, link_opts },
	{ "sla", ticket_sla, "ID", "each SLA target: goal, time spent, due time, state (exit 1:"
	  " no policy)", CLI_OUTPUT, NULL },
	{ "recompute", ticket_recompute, NULL, "recompute the SLA state of open tickets, or --all"
	  " (after policies or calendars change)", CLI_WRITE, recompute_opts },
	{ "breaches", ticket_breaches, NULL, "open tickets past an SLA target, or due --within SPAN"
	  " (exit 1 when none)", CLI_OUTPUT, breaches_opts },
	{ "mail-in", ticket_mail_in, "[FILE...|-]", "read mail onto tickets (--mbox, --maildir);"
	  " print what became of each message", CLI_WRITE, mailin_opts },
	VERBS_ARCHIVE("tickets"),
	VERB_TAG,
	{ "timeline", verb_timeline, "ID", "changes, newest first", CLI_OUTPUT, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

/* Soonest SLA target first. */
static const struct cli_list list = {
	NULL, "sla_rank,sla_due,id", "id,status,priority,queue,assignee,sla_due,requester,subject"
};

static const struct cli_program program = {
	"crm-ticket", "the service desk: tickets, replies, comments and SLA targets", "ticket",
	verbs, &list
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
