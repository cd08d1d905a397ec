/* send.c - the verbs of crm-campaign that mail (send, triggers) and that
 * read what comes back (unsubscribe, bounces, mail-in). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send.h"
#include "verbs.h"

#define SEND_OPTS \
	{ "limit", 0, CLI_ARG, "N", "hand off at most N messages this run; the next run goes on" }, \
	{ "rate", 0, CLI_ARG, "N/min", "hand off at most N messages a minute" }, \
	{ "dry-run", 'n', CLI_NOARG, NULL, "write the messages to stdout as an mbox; log and send nothing" }, \
	{ "to", 0, CLI_ARG, "mbox:FILE|maildir:DIR", "deliver into an mbox file or a Maildir instead of the mail.send command" }, \
	{ "retry-in-doubt", 0, CLI_NOARG, NULL, "hand off again the messages an interrupted run left in doubt" }

const struct cli_opt send_opts[] = {
	SEND_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt triggers_opts[] = {
	{ "date", 0, CLI_ARG, "DATE", "the day to greet (default: today; a missed day is caught up, a day to come refused)" },
	SEND_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt trigger_opts[] = {
	{ "on", 0, CLI_ARG, "WHAT", "birthday, anniversary (of the first purchase) or date-field (FIELD: birth_date or a custom field)" },
	{ "days-before", 0, CLI_ARG, "N", "greet N days ahead of the date (default 0)" },
	{ "points", 0, CLI_ARG, "N", "give each person greeted N loyalty points (once a year)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "check, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt unsubscribe_opts[] = {
	{ "mail", 0, CLI_ARG, "FILE", "read the token from the subject of a message (- for stdin), as the mailto: link sends it" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt mailbox_opts[] = {
	VERB_MAILBOX_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

/* ---- sending ---- */

static const struct crm_column sent_cols[] = {
	{ "campaign", CRM_COL_INT }, { "person", CRM_COL_INT }, { "email", CRM_COL_TEXT },
	{ "message_id", CRM_COL_TEXT }, { "occurrence", CRM_COL_TEXT },
	{ "state", CRM_COL_TEXT },
};

/* The rows of a run; the header comes with the first, so that a run
 * that sends nothing prints nothing (cron mails only what it prints). */
struct sending {
	struct cli *c;
	crm_out *w;
	long rows;
};

static int sent_row(void *arg, const struct crm_send_event *e)
{
	struct sending *s = arg;
	char campaign[24], person[24], send[24];
	crm_buf b = CRM_BUF_INIT;
	int rc;

	if (e->raw) { /* a dry run: the message, as one entry of an mbox */
		char now[CRM_TIME_LEN];
		int64_t t;

		if ((rc = crm_now(&t)))
			return rc;
		crm_time_format(now, t);
		if ((rc = crm_mail_mbox_entry(&b, e->raw, e->len, now)) == CRM_OK &&
		    fwrite(b.ptr, 1, b.len, stdout) != b.len)
			rc = crm_error_set(CRM_EIO, "cannot write stdout");
		crm_buf_free(&b);
		s->rows++;
		return rc;
	}
	if (!s->w && (rc = cli_output_fields(s->c, sent_cols, sizeof sent_cols / sizeof *sent_cols,
	                                     &s->w)))
		return rc;
	snprintf(campaign, sizeof campaign, "%lld", (long long)e->campaign);
	snprintf(person, sizeof person, "%lld", (long long)e->person);
	snprintf(send, sizeof send, "%lld", (long long)e->send);
	s->rows++;
	return cli_row(s->c, s->w, (const char *const[]){ campaign, person, e->email,
	                                                  e->message_id, e->occurrence,
	                                                  e->in_doubt ? "in-doubt" : "sent" });
}

/* Reads the options of a run into o; returns an exit status, -1 to go on. */
static int send_options(struct cli *c, struct crm_send_opts *o)
{
	const char *v;
	long long n;
	char *end;

	memset(o, 0, sizeof *o);
	o->to = cli_get(c, "to");
	o->dry_run = cli_has(c, "dry-run");
	o->retry_in_doubt = cli_has(c, "retry-in-doubt");
	if ((v = cli_get(c, "limit"))) {
		if (!crm_int_parse(v, 1, LONG_MAX, &n))
			return cli_usage_error(c, "invalid limit '%s'", v);
		o->limit = (long)n;
	}
	if ((v = cli_get(c, "rate"))) {
		n = strtoll(v, &end, 10);
		if (*v < '1' || *v > '9' || (*end && strcmp(end, "/min")) || n > 1000000)
			return cli_usage_error(c, "invalid rate '%s' (messages a minute: 600/min)", v);
		o->rate = (long)n;
	}
	if (o->to && strncmp(o->to, "mbox:", 5) && strncmp(o->to, "maildir:", 8))
		return cli_usage_error(c, "invalid --to '%s' (mbox:FILE or maildir:DIR)", o->to);
	return -1;
}

/* Tells stderr what a run did, unless -q. */
static void summary(const struct cli *c, const char *what, const struct crm_send_tally *t,
                    int dry)
{
	int64_t excluded = 0;

	if (c->quiet)
		return;
	for (int r = 0; r < CRM_EXCLUSIONS; r++)
		excluded += t->excluded[r];
	fprintf(stderr, "%s: %s: %lld people, %s %lld, already sent %lld, in doubt %lld,"
	        " excluded %lld", c->prog->name, what, (long long)t->members,
	        dry ? "would send" : "sent", (long long)t->sent, (long long)t->already,
	        (long long)(t->in_doubt - t->retried), (long long)excluded);
	for (int r = 0, first = 1; r < CRM_EXCLUSIONS; r++)
		if (t->excluded[r]) {
			fprintf(stderr, "%s%s %lld", first ? " (" : ", ", crm_exclusion_name(r),
			        (long long)t->excluded[r]);
			first = 0;
		}
	fprintf(stderr, "%s", excluded ? ")" : "");
	if (t->left)
		fprintf(stderr, ", left for the next run %lld", (long long)t->left);
	if (t->points)
		fprintf(stderr, ", points given %lld", (long long)t->points);
	fputc('\n', stderr);
	if (t->in_doubt > t->retried)
		fprintf(stderr, "%s: %lld message(s) in doubt: their hand-off failed or was cut"
		        " short, and they may have gone. --retry-in-doubt sends them again\n",
		        c->prog->name, (long long)(t->in_doubt - t->retried));
}

/* Runs a send or the day's triggers, printing a row per message. */
static int run_sending(struct cli *c, struct crm_send_opts *o, int64_t id, const char *date)
{
	struct sending s = { c, NULL, 0 };
	struct crm_send_tally t;
	char what[48];
	int rc;

	if ((rc = cli_open(c, 0)))
		return cli_error(c, rc);
	/* The fields are checked before anything is sent: a bad -f must not
	 * stop a run after its first message went.  (A dry run prints the
	 * messages instead.) */
	if (!o->dry_run && (rc = cli_output_fields(c, sent_cols,
	                                           sizeof sent_cols / sizeof *sent_cols, &s.w)))
		return cli_error(c, rc);
	/* The run commits person by person: no transaction of the command. */
	crm_db_rollback(c->db);
	rc = date ? crm_triggers_run(c->db, date, o, sent_row, &s, &t)
	          : crm_campaign_send(c->db, id, o, sent_row, &s, &t);
	/* Nothing handed off prints what an empty list does: the header, or
	 * [] in JSON, for the pipeline reading it. */
	if (s.w && !rc)
		rc = crm_out_finish(s.w);
	crm_out_free(s.w);
	if (date)
		snprintf(what, sizeof what, "triggers of %s", date);
	else
		snprintf(what, sizeof what, "campaign %lld", (long long)id);
	if (!rc || rc == CRM_EIO)
		summary(c, what, &t, o->dry_run);
	if (rc)
		return cli_error(c, rc);
	if (date)
		return t.sent || t.in_doubt || t.points ? 0 : 1;
	return t.left || t.in_doubt > t.retried ? 1 : 0;
}

int campaign_send(struct cli *c, int argc, char **argv)
{
	struct crm_send_opts o;
	int64_t id;
	int rc, status;

	if ((status = send_options(c, &o)) >= 0)
		return status;
	if (argc != 1)
		return cli_usage_error(c, argc ? "unexpected operand '%s'" : "missing campaign id%s",
		                       argc ? argv[1] : "");
	if ((rc = cli_id(argv[0], &id)))
		return cli_error(c, rc);
	return run_sending(c, &o, id, NULL);
}

int campaign_triggers(struct cli *c, int argc, char **argv)
{
	struct crm_send_opts o;
	char day[CRM_DATE_LEN], today[CRM_TIME_LEN];
	const char *v = cli_get(c, "date");
	int64_t now;
	int rc, status;

	if ((status = send_options(c, &o)) >= 0)
		return status;
	if (argc != 1 || strcmp(argv[0], "run"))
		return cli_usage_error(c, "expected 'triggers run'");
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	crm_time_format(today, now);
	today[10] = '\0';
	if (v && crm_date_parse(day, v, now))
		return cli_usage_error(c, "--date: invalid date '%s'", v);
	if (!v)
		memcpy(day, today, CRM_DATE_LEN);
	if (strcmp(day, today) > 0)
		return cli_usage_error(c, "--date: %s is to come: greetings go on their day", day);
	return run_sending(c, &o, 0, day);
}

int campaign_trigger(struct cli *c, int argc, char **argv)
{
	const char *on = cli_get(c, "on"), *v;
	char spec[96];
	long long days = 0, points = 0;
	int64_t id;
	int rc;

	if (argc < 1 || strcmp(argv[0], "add"))
		return cli_usage_error(c, "expected 'trigger add'");
	if (!on)
		return cli_usage_error(c, "trigger add needs --on birthday, anniversary or"
		                       " date-field FIELD");
	if (!strcmp(on, "date-field") && argc != 2)
		return cli_usage_error(c, "--on date-field needs the FIELD after 'add'");
	if (argc > 1 + !strcmp(on, "date-field"))
		return cli_usage_error(c, "unexpected operand '%s'", argv[argc - 1]);
	snprintf(spec, sizeof spec, "%s%s%s", on, argc == 2 ? ":" : "", argc == 2 ? argv[1] : "");
	if ((v = cli_get(c, "days-before")) && !crm_int_parse(v, 0, 365, &days))
		return cli_usage_error(c, "--days-before: expected 0 to 365, not '%s'", v);
	if ((v = cli_get(c, "points")) && !crm_int_parse(v, 1, 1000000, &points))
		return cli_usage_error(c, "--points: expected a whole number from 1, not '%s'", v);
	if (!crm_record_value(c->rec, "name") && (rc = crm_record_set(c->rec, "name", spec)))
		return cli_error(c, rc);
	if ((rc = crm_trigger_add(c->db, spec, (int)days, points, c->rec, &id)))
		return cli_error(c, rc);
	printf("%lld\n", (long long)id);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

/* ---- what comes back ---- */

/* The message of file path ("-": stdin), parsed. */
static int read_message(const char *path, struct crm_mail **m)
{
	char *raw = NULL;
	int rc;

	*m = NULL;
	if (!(rc = cli_read_file(path, &raw)))
		rc = crm_mail_parse(m, raw, strlen(raw), 0);
	free(raw);
	return rc;
}

/* What an unsubscribe did, by the consent it found (enum crm_unsubscribed). */
static const char *const unsubscribed[] = {
	"unsubscribed", "had already withdrawn email consent",
	"had denied email consent: nothing to withdraw", "had no email consent to withdraw",
	"is erased: nothing done", "is deleted: nothing done",
};

int campaign_unsubscribe(struct cli *c, int argc, char **argv)
{
	const char *mail = cli_get(c, "mail");
	struct crm_mail *m = NULL;
	struct crm_unsubscribe u;
	char into[48] = "";
	int rc;

	if ((mail && argc) || (!mail && argc != 1))
		return cli_usage_error(c, "expected a TOKEN or --mail FILE");
	if (!mail)
		rc = crm_campaign_unsubscribe(c->db, argv[0], &u);
	else if (!(rc = read_message(mail, &m)) && !(rc = crm_campaign_mail_unsubscribe(c->db, m, &u)))
		rc = crm_error_set(CRM_EDATA, "%s: no unsubscribe token in the subject", mail);
	crm_mail_free(m);
	if (rc < 0)
		return cli_error(c, rc);
	if (u.person != u.named)
		snprintf(into, sizeof into, " (merged into %lld)", (long long)u.person);
	if (!c->quiet)
		fprintf(stderr, "%s: contact %lld%s %s\n", c->prog->name, (long long)u.named, into,
		        unsubscribed[u.was]);
	return 0;
}

/* What reading a source of mail did. */
struct reading {
	struct cli *c;
	int bounces_only;
	struct crm_bounce_tally t;
	long replies, unsubscribed, other, bad;
};

/* An unsubscribe request by the mailto: link, else perhaps a reply. */
static int answer(struct reading *r, const struct crm_mail *m)
{
	struct crm_unsubscribe u;
	int64_t who;
	int rc = crm_campaign_mail_unsubscribe(r->c->db, m, &u);

	/* The request of someone erased or deleted did nothing: no unsubscribe. */
	if (rc == 1) {
		int nothing = u.was == CRM_UNSUB_ERASED || u.was == CRM_UNSUB_GONE;

		r->unsubscribed += !nothing;
		r->other += nothing;
		return CRM_OK;
	}
	if (rc == CRM_EDATA)
		crm_error_clear(); /* "unsubscribe" in a subject is no token of ours */
	else if (rc || (rc = crm_campaign_reply(r->c->db, m, &who)) < 0)
		return rc;
	r->replies += rc == 1;
	r->other += rc != 1;
	return CRM_OK;
}

/* Reads one message: a delivery report's bounces; else, for mail-in, an
 * answer.  A message that cannot be read is named and counted. */
static int take(void *arg, const char *label, const char *raw, size_t len)
{
	struct reading *r = arg;
	struct crm_mail *m = NULL;
	char why[256] = "";
	int rc = crm_mail_parse(&m, raw, len, 0);

	/* A report may come without a From the parser takes: it is read from
	 * its bytes all the same. */
	if (rc == CRM_EDATA)
		snprintf(why, sizeof why, "%s", crm_error_message());
	else if (rc)
		return rc;
	if (!m || m->report)
		rc = crm_campaign_report(r->c->db, m, raw, len, &r->t);
	if (rc == 0 && !m)
		rc = crm_error_set(CRM_EDATA, "%s", why);
	if (rc == 0 && r->bounces_only)
		r->other++;
	else if (rc == 0)
		rc = answer(r, m);
	crm_mail_free(m);
	if (rc == CRM_EDATA) {
		r->bad++;
		cli_fail(r->c, 3, "%s: %s", label, crm_error_message());
	}
	return rc < 0 && rc != CRM_EDATA ? rc : 0;
}

static int read_mail(struct cli *c, int argc, char **argv, int bounces_only)
{
	struct reading r = { c, bounces_only, { 0 }, 0, 0, 0, 0 };
	struct verb_mail m = { take, &r, 0, 0 };
	int rc = verb_read_mail(c, argc, argv, &m);

	if (rc)
		return cli_error(c, rc);
	if (!c->quiet)
		fprintf(stderr, "%s: %lld report(s): %lld hard and %lld soft bounce(s), %lld"
		        " address(es) marked bounced; %ld repl%s; %ld unsubscribe(s);"
		        " %ld other message(s)\n", c->prog->name, (long long)r.t.reports,
		        (long long)r.t.hard, (long long)r.t.soft, (long long)r.t.marked, r.replies,
		        r.replies == 1 ? "y" : "ies", r.unsubscribed, r.other);
	c->keep = 1; /* what was read stays when some message was bad */
	if (r.bad || m.missing)
		return 3;
	return r.t.reports || r.replies || r.unsubscribed ? 0 : 1;
}

int campaign_bounces(struct cli *c, int argc, char **argv)
{
	return read_mail(c, argc, argv, 1);
}

int campaign_mail_in(struct cli *c, int argc, char **argv)
{
	return read_mail(c, argc, argv, 0);
}
