/* feedback.c - the response entity (NPS and CSAT answers): its fields,
 * list options and write rules; the figures with the counts behind them;
 * CSAT surveys mailed about solved tickets, and the answers to them read
 * from mail (crm-feedback(1)). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/feedback.h"
#include "crm/mail.h"
#include "registry.h"

static const char *const response_kind[] = { "nps", "csat", NULL };

/* A field of the response's ticket. */
#define TICKET_FIELD(col) "(SELECT " col " FROM tickets WHERE id = t.ticket_id)"

static const struct crm_fielddef response_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	REF("person", CRM_FIELD_CREATE, "who answered: id, email or name (default: the ticket's"
	    " requester; an import adds an unknown email as a person)", "contact", "contact_id",
	    NULL),
	CHOICE("kind", REQUIRED, "nps or csat", response_kind, "kind"),
	FIELD("score", CRM_FT_SCORE, REQUIRED, "the score: 0-10 for nps, 1-5 for csat", "score",
	      NULL),
	FIELD("comment", CRM_FT_TEXT, 0, "what they wrote", "comment", NULL),
	FIELD("at", CRM_FT_TIME, 0, "when they answered (default: now)", "at", NULL),
	/* The id, not the subject a reference prints by default: subjects repeat. */
	REF("ticket", 0, "the ticket it is about: its id", "ticket", "ticket_id", "t.ticket_id"),
	FIELD("channel", CRM_FT_TEXT, 0, "how it came: email, web, phone, cli ...", "channel",
	      NULL),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("person_name", CRM_FT_TEXT, RO | HIDDEN, "the person's name", NULL,
	      CONTACT_NAME("t.contact_id")),
	FIELD("queue", CRM_FT_TEXT, RO | HIDDEN, "the ticket's queue", NULL, TICKET_FIELD("queue")),
	FIELD("assignee", CRM_FT_TEXT, RO | HIDDEN, "the ticket's assignee", NULL,
	      TICKET_FIELD("assignee")),
	FIELD("contact_id", CRM_FT_ID, RO | HIDDEN, "contact record id", "contact_id", NULL),
	BOOKKEEPING,
};

static const char *const response_filters[] = { "kind", "ticket", "person", "channel", NULL };

static const struct crm_option response_options[] = {
	{ "promoters", NULL, "only nps responses of 9 or 10", "t.kind = 'nps' AND t.score >= 9" },
	{ "detractors", NULL, "only nps responses of 0 to 6", "t.kind = 'nps' AND t.score <= 6" },
	{ "satisfied", NULL, "only csat responses of 4 or 5", "t.kind = 'csat' AND t.score >= 4" },
	{ NULL, NULL, NULL, NULL }
};

/* Headers of survey tools' exports (Delighted, Typeform, SurveyMonkey,
 * Qualtrics, Google Forms), crm_column_key() form; a key ending in "*"
 * matches the headers it starts, as survey questions are. */
static const struct crm_synonym response_synonyms[] = {
	{ "howlikely*", "score" }, { "howsatisfied*", "score" }, { "howwouldyourate*", "score" },
	{ "netpromoterscore", "score" },
	{ "rating", "score" }, { "nps", "score" }, { "npsscore", "score" }, { "csat", "score" },
	{ "csatscore", "score" }, { "satisfaction", "score" }, { "satisfactionscore", "score" },
	{ "respondentemail", "person" }, { "email", "person" }, { "emailaddress", "person" },
	{ "recipientemail", "person" }, { "customeremail", "person" }, { "customer", "person" },
	{ "respondent", "person" }, { "contact", "person" }, { "personemail", "person" },
	{ "submittedat", "at" }, { "submitted", "at" }, { "submissiondate", "at" },
	{ "timestamp", "at" }, { "date", "at" }, { "responsedate", "at" },
	{ "submitdateutc", "at" }, { "submitdate", "at" }, { "startdateutc", "@ignore" },
	{ "recordeddate", "at" }, { "enddate", "at" }, { "completedat", "at" },
	{ "respondedat", "at" }, { "answeredat", "at" }, { "time", "at" },
	{ "comments", "comment" }, { "feedback", "comment" }, { "reason", "comment" },
	{ "additionalcomments", "comment" }, { "text", "comment" }, { "verbatim", "comment" },
	{ "whatisthemainreason*", "comment" }, { "tellusmore*", "comment" },
	{ "ticketid", "ticket" }, { "ticketnumber", "ticket" },
	{ "source", "channel" }, { "via", "channel" }, { "medium", "channel" },
	{ "type", "kind" }, { "surveytype", "kind" }, { "questiontype", "kind" },
	{ "tag", "tags" }, { "labels", "tags" },
	/* The survey tool's own id of a response is kept, and matched on by
	 * default: a nightly export imported again adds no response twice. */
	{ "responseid", "custom.response_id" }, { "respondentid", "custom.response_id" },
	/* A respondent nobody has is added by address, named by these. */
	{ "name", "@named_name" }, { "respondentname", "@named_name" },
	{ "fullname", "@named_name" }, { "firstname", "@named_first" },
	{ "lastname", "@named_last" }, { "recipientfirstname", "@named_first" },
	{ "recipientlastname", "@named_last" },
	{ "personid", "@ignore" }, UPDATED_SYNONYMS,
	{ NULL, NULL }
};

/* The questions that name their scale: "How likely are you to recommend
 * us to a friend?" is the Net Promoter question, asked 0 to 10; "How
 * satisfied were you ...?" a CSAT one, 1 to 5.  A rating or a score
 * alone says neither. */
static const struct crm_implied response_implied[] = {
	{ "howlikely*", "kind", "nps" }, { "nps", "kind", "nps" }, { "npsscore", "kind", "nps" },
	{ "netpromoterscore", "kind", "nps" }, { "howsatisfied*", "kind", "csat" },
	{ "csat", "kind", "csat" }, { "csatscore", "kind", "csat" },
	{ NULL, NULL, NULL }
};

int crm_response_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "responses_fts", "responses",
		"INSERT INTO responses_fts(rowid, comment, person)"
		" SELECT k.id, k.comment,"
		" " PERSON_FTS("k.contact_id")
		" FROM responses k WHERE %s", where, arg);
}

/* The score fits the kind's scale; with only one of them written, the
 * other is the stored one. */
static int check_score(crm_db *db, int64_t id)
{
	char *v = NULL;
	int rc = crm_db_text_of(db, "SELECT kind || ' ' || score FROM responses WHERE id = ?1", id,
	                        &v);
	long score = v && strchr(v, ' ') ? strtol(strchr(v, ' ') + 1, NULL, 10) : 0;

	if (!rc && v && !strncmp(v, "csat", 4) && (score < 1 || score > 5))
		rc = crm_error_set(CRM_EDATA, "score: a csat score is a whole number from 1 to 5,"
		                   " not %ld", score);
	free(v);
	return rc;
}

static int response_after_write(crm_db *db, int64_t id, const crm_record *r,
                                int adding)
{
	int rc;

	(void)r, (void)adding;
	if ((rc = check_score(db, id)))
		return rc;
	rc = crm_db_exec_id(db, "UPDATE responses SET at = coalesce(at, crm_now()),"
	                    " contact_id = coalesce(contact_id, (SELECT requester_id FROM tickets"
	                    " WHERE id = ticket_id)) WHERE id = ?1", id);
	if (!rc)
		rc = crm_response_reindex(db, "id = ?1", id);
	return rc;
}

/* Skips blanks and the separators between a score and its comment. */
static const char *after_separators(const char *p)
{
	while (*p && *p != '\n' && (strchr(" \t-:.,;!)", *p) || !strncmp(p, "\xe2\x80\x93", 3) ||
	                            !strncmp(p, "\xe2\x80\x94", 3)))
		p += (unsigned char)*p >= 0x80 ? 3 : 1;
	return p;
}

/* The score at the start of line p (1-5, alone or out of 5), with *rest
 * after it; 0 when the line does not start with one. */
static int leading_score(const char *p, const char **rest)
{
	int score;

	if (*p < '1' || *p > '5')
		return 0;
	score = *p++ - '0';
	if (isdigit((unsigned char)*p) || ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])))
		return 0; /* 10, 4.5 and 4,5 are not scores of 1-5 */
	if (p[strspn(p, " ")] == '/') {
		for (p += strspn(p, " ") + 1; *p == ' '; p++)
			;
		if (*p != '5' || isdigit((unsigned char)p[1]))
			return 0;
		p++;
	} else if (!strncmp(p, " out of 5", 9) && !isdigit((unsigned char)p[9])) {
		p += 9;
	} else if (*p && !strchr(" \t\r\n-:.,;!)", *p) && (unsigned char)*p != 0xe2) {
		return 0; /* 4th, 4x */
	}
	*rest = after_separators(p);
	return score;
}

/* Whether line p (up to its newline) opens the quoted original: "> ..."
 * or an attribution "On ... wrote:". */
static int quote_start(const char *p)
{
	const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);

	while (end > p && strchr(" \t\r", end[-1]))
		end--;
	if (*p == '>')
		return 1;
	return !strncmp(p, "On ", 3) && end - p >= 6 && !strncmp(end - 6, "wrote:", 6);
}

/* Appends to b the comment from p: lines up to the quoted original,
 * from the first that is not blank. */
static void comment_from(crm_buf *b, const char *p)
{
	for (p += strspn(p, " \t\r\n"); *p && !quote_start(p);) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		crm_buf_put(b, p, n);
		crm_buf_puts(b, "\n");
		p += n + (nl ? 1 : 0);
	}
}

int crm_feedback_answer(const char *text, int *score, char **comment)
{
	const char *p = text, *rest = NULL;
	crm_buf b = CRM_BUF_INIT;
	size_t n;

	*score = 0;
	*comment = NULL;
	/* The first line that is neither blank nor quoted. */
	while (*p) {
		const char *s = p + strspn(p, " \t\r");

		if (*s == '\n') {
			p = s + 1;
			continue;
		}
		if (*s == '>') {
			p = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s);
			continue;
		}
		p = s;
		break;
	}
	if (!(*score = leading_score(p, &rest)))
		return 0;
	comment_from(&b, rest);
	/* Blank ends are no part of it. */
	for (n = b.len; n && strchr(" \t\r\n", crm_buf_str(&b)[n - 1]); n--)
		;
	if (n) {
		*comment = strndup(crm_buf_str(&b), n);
		crm_buf_free(&b);
		return *comment ? 1 : crm_error_nomem();
	}
	crm_buf_free(&b);
	return 1;
}

void crm_fixed(char *out, size_t n, int64_t num, int64_t times, int64_t den, int places)
{
	/* Amounts of money come here too (a forecast's attainment): in 128
	 * bits, num x times x 10^places x 2 cannot overflow. */
	__extension__ typedef __int128 i128;
	i128 scale = 1, units;

	if (den <= 0) {
		if (n)
			out[0] = '\0';
		return;
	}
	for (int i = 0; i < places; i++)
		scale *= 10;
	units = (2 * (num < 0 ? -(i128)num : num) * times * scale + den) / (2 * (i128)den);
	snprintf(out, n, "%s%lld.%0*lld", num < 0 && units ? "-" : "", (long long)(units / scale),
	         places, (long long)(units % scale));
}

void crm_feedback_percent(char *out, size_t n, int64_t part, int64_t whole)
{
	crm_fixed(out, n, part, 100, whole, 1);
}

void crm_feedback_count(struct crm_feedback_tally *t, const char *kind, int score, int64_t n)
{
	t->responses += n;
	if (!strcmp(kind, "nps")) {
		if (score >= 9)
			t->promoters += n;
		else if (score >= 7)
			t->passives += n;
		else
			t->detractors += n;
	} else if (score >= 4) {
		t->satisfied += n;
	}
}

void crm_feedback_nps(char *out, size_t n, const struct crm_feedback_tally *t)
{
	/* % promoters - % detractors = (promoters - detractors) / responses x 100,
	 * rounded once. */
	crm_feedback_percent(out, n, t->promoters - t->detractors, t->responses);
}

void crm_feedback_csat(char *out, size_t n, const struct crm_feedback_tally *t)
{
	crm_feedback_percent(out, n, t->satisfied, t->responses);
}

/* One report under way: the group being counted and the whole. */
struct report {
	const char *kind;
	int (*fn)(void *arg, const char *const *vals);
	void *arg;
	char *group;   /* NULL: the responses of no group */
	int started;
	struct crm_feedback_tally cur, all;
};

static int emit(struct report *rp, const char *group, const struct crm_feedback_tally *t)
{
	char n[5][24], figure[24];
	const char *nps[CRM_NPS_COLUMNS] = { group, n[0], n[1], n[2], n[3], figure };
	const char *csat[CRM_CSAT_COLUMNS] = { group, n[0], n[4], figure };
	const int64_t v[5] = { t->responses, t->promoters, t->passives, t->detractors,
	                       t->satisfied };

	for (int i = 0; i < 5; i++)
		snprintf(n[i], sizeof n[i], "%lld", (long long)v[i]);
	if (!strcmp(rp->kind, "nps")) {
		crm_feedback_nps(figure, sizeof figure, t);
		return rp->fn(rp->arg, nps);
	}
	crm_feedback_csat(figure, sizeof figure, t);
	return rp->fn(rp->arg, csat);
}

/* Each row is a group, a score and how many gave it, groups in order. */
static int report_row(void *arg, const char *const *vals)
{
	struct report *rp = arg;
	int rc = 0, score;
	int64_t n;

	if (rp->started && (vals[0] ? !rp->group || strcmp(vals[0], rp->group) : !!rp->group)) {
		rc = emit(rp, rp->group, &rp->cur);
		memset(&rp->cur, 0, sizeof rp->cur);
	}
	if (!rp->started || (vals[0] ? !rp->group || strcmp(vals[0], rp->group) : !!rp->group)) {
		free(rp->group);
		rp->group = vals[0] ? strdup(vals[0]) : NULL;
		if (vals[0] && !rp->group)
			return crm_error_nomem();
	}
	rp->started = 1;
	score = (int)strtol(vals[1], NULL, 10);
	n = strtoll(vals[2], NULL, 10);
	crm_feedback_count(&rp->cur, rp->kind, score, n);
	crm_feedback_count(&rp->all, rp->kind, score, n);
	return rc;
}

int crm_feedback_report(crm_db *db, const char *kind, const char *from, const char *to,
                        const char *by, int (*fn)(void *arg, const char *const *vals), void *arg,
                        int64_t *responses)
{
	static const struct { const char *by, *key; } keys[] = {
		{ "queue", "(SELECT queue FROM tickets WHERE id = r.ticket_id)" },
		{ "assignee", "(SELECT assignee FROM tickets WHERE id = r.ticket_id)" },
		{ "month", "substr(r.at, 1, 7)" },
	};
	struct report rp = { .kind = kind, .fn = fn, .arg = arg };
	const char *key = by ? NULL : "NULL";
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc;

	*responses = 0;
	for (size_t i = 0; by && i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(by, keys[i].by))
			key = keys[i].key;
	if (!key)
		return crm_error_set(CRM_EUSAGE, "cannot group by '%s' (queue, assignee or month)", by);
	if (strcmp(kind, "nps") && strcmp(kind, "csat"))
		return crm_error_set(CRM_EUSAGE, "unknown kind '%s' (nps or csat)", kind);
	/* Responses of no group (no ticket, no assignee) come last. */
	crm_buf_printf(&sql, "SELECT g, score, count(*) FROM (SELECT %s AS g, r.score"
	               " FROM responses r WHERE r.kind = ?1 AND r.archived_at IS NULL"
	               " AND (?2 IS NULL OR r.at >= ?2) AND (?3 IS NULL OR r.at < ?3))"
	               " GROUP BY g, score ORDER BY g IS NULL, g, score", key);
	if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
		const char *vals[3];

		crm_stmt_bind_text(st, 1, kind);
		crm_stmt_bind_text(st, 2, from);
		crm_stmt_bind_text(st, 3, to);
		while (!rc && (rc = crm_stmt_step(st)) == CRM_ROW) {
			for (int i = 0; i < 3; i++)
				vals[i] = crm_stmt_text(st, i);
			rc = report_row(&rp, vals);
		}
		crm_stmt_reset(st);
	}
	crm_buf_free(&sql);
	if (!rc && rp.started && by)
		rc = emit(&rp, rp.group, &rp.cur);
	if (!rc && rp.started)
		rc = emit(&rp, "total", &rp.all);
	free(rp.group);
	*responses = rp.all.responses;
	return rc;
}

int crm_feedback_sampled(int64_t id, int pct)
{
	/* splitmix64's finaliser: neighbouring ids land far apart. */
	uint64_t z = (uint64_t)id + UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (int)(z % 100) < pct;
}

/* A ticket a survey may be due about. */
struct candidate {
	int64_t ticket, contact;
	char *email, *name, *subject;
};

struct candidates {
	struct candidate *v;
	size_t n, cap;
};

static int collect(void *arg, const char *const *vals)
{
	struct candidates *cs = arg;
	struct candidate *c;

	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 16;
		struct candidate *v = realloc(cs->v, cap * sizeof *v);

		if (!v)
			return crm_error_nomem();
		cs->v = v;
		cs->cap = cap;
	}
	c = &cs->v[cs->n++];
	c->ticket = strtoll(vals[0], NULL, 10);
	c->contact = strtoll(vals[1], NULL, 10);
	c->email = strdup(vals[2]);
	c->name = strdup(vals[3] ? vals[3] : "");
	c->subject = strdup(vals[4] ? vals[4] : "");
	return c->email && c->name && c->subject ? CRM_OK : crm_error_nomem();
}

static void candidates_free(struct candidates *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].email);
		free(cs->v[i].name);
		free(cs->v[i].subject);
	}
	free(cs->v);
}

/* Whether the person was surveyed after time since. */
static int surveyed_since(crm_db *db, int64_t contact, const char *since, int *yes)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT 1 FROM surveys WHERE contact_id = ?1 AND sent_at > ?2");

	*yes = 0;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, contact);
	crm_stmt_bind_text(st, 2, since);
	rc = crm_stmt_step(st);
	*yes = rc == CRM_ROW;
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The survey about ticket c, composed into *text (malloc'd). */
static int compose(crm_db *db, const struct candidate *c, const char *mid, char **text,
                   size_t *len)
{
	const struct crm_mail_config *mc = crm_config_mail(db->cfg);
	crm_buf subject = CRM_BUF_INIT, body = CRM_BUF_INIT, to = CRM_BUF_INIT;
	struct crm_mail_out o = { 0 };
	char now[CRM_TIME_LEN];
	int rc;

	crm_db_now(db, now);
	if (*c->name && !strpbrk(c->name, "\"\\"))
		crm_buf_printf(&to, "\"%s\" <%s>", c->name, c->email);
	else
		crm_buf_puts(&to, c->email);
	crm_buf_printf(&subject, "How did we do? [#%lld] %s", (long long)c->ticket, c->subject);
	crm_buf_printf(&body, "Hello%s%s,\n\nyour request [#%lld] \"%s\" was solved.\n"
	               "How satisfied are you with the help you received?\n\n"
	               "Please reply with a number from 1 to 5:\n\n"
	               "  5  very satisfied\n  4  satisfied\n  3  neither\n"
	               "  2  dissatisfied\n  1  very dissatisfied\n\n"
	               "Anything you write after the number reaches us as your comment.\n",
	               *c->name ? " " : "", c->name, (long long)c->ticket, c->subject);
	o.from = mc->from;
	o.to = crm_buf_str(&to);
	o.subject = crm_buf_str(&subject);
	o.message_id = mid;
	o.date = now;
	o.body = crm_buf_str(&body);
	o.auto_submitted = "auto-generated";
	rc = crm_mail_compose(text, len, &o);
	crm_buf_free(&subject);
	crm_buf_free(&body);
	crm_buf_free(&to);
	return rc;
}

/* Logs and (unless a dry run) mails the survey about c as mid. */
static int send_one(crm_db *db, const struct crm_survey_opts *o, const struct candidate *c,
                    const char *mid)
{
	char *text = NULL;
	size_t len = 0;
	crm_stmt *st;
	int rc = compose(db, c, mid, &text, &len);

	if (!rc && !(rc = crm_db_stmt(db, &st, "INSERT INTO surveys(ticket_id, contact_id,"
	                              " message_id, sent_at) VALUES (?1, ?2, ?3, crm_now())"))) {
		crm_stmt_bind_int(st, 1, c->ticket);
		crm_stmt_bind_int(st, 2, c->contact);
		crm_stmt_bind_text(st, 3, mid);
		rc = crm_stmt_done(st);
	}
	if (!rc)
		rc = crm_audit_change(db, "ticket", c->ticket, "survey", "survey", NULL, mid);
	/* Last: a survey the database refused is never mailed. */
	if (!rc && !o->dry_run)
		rc = crm_mail_send(crm_config_mail(db->cfg)->send, text, len);
	free(text);
	return rc;
}

/* Surveys the due candidates, calling fn with each sent. */
static int survey_each(crm_db *db, const struct crm_survey_opts *o, struct candidates *cs,
                       int (*fn)(void *arg, const struct crm_survey *s), void *arg,
                       int64_t *sent)
{
	const char *from = crm_config_mail(db->cfg)->from;
	char cutoff[CRM_TIME_LEN];
	int rc = CRM_OK, recent;

	crm_time_format(cutoff, db->now - o->cooldown);
	for (size_t i = 0; i < cs->n && !rc; i++) {
		const struct candidate *c = &cs->v[i];
		char *mid = NULL;

		if (!crm_feedback_sampled(c->ticket, o->sample))
			continue;
		if ((rc = surveyed_since(db, c->contact, cutoff, &recent)) || recent)
			continue;
		if ((rc = crm_mail_new_id(&mid, from)))
			break;
		if (!(rc = crm_db_savepoint(db, "survey")))
			rc = crm_db_savepoint_end(db, "survey", 0, send_one(db, o, c, mid));
		if (!rc) {
			struct crm_survey s = { c->ticket, c->contact, c->email, mid };

			++*sent;
			rc = fn(arg, &s);
		}
		free(mid);
	}
	return rc;
}

int crm_feedback_survey(crm_db *db, const struct crm_survey_opts *o,
                        int (*fn)(void *arg, const struct crm_survey *s), void *arg,
                        int64_t *sent)
{
	struct candidates cs = { NULL, 0, 0 };
	crm_stmt *st;
	int rc;

	*sent = 0;
	if (!crm_config_mail(db->cfg)->from)
		return crm_error_set(CRM_EDATA, "mail: no 'from' address is configured"
		                     " (crm-config(5))");
	/* Collected first: the walk must not see the surveys it writes. */
	if ((rc = crm_db_stmt(db, &st,
	        "SELECT t.id, t.requester_id, c.email,"
	        " crm_name(c.first_name, c.last_name), t.subject"
	        " FROM tickets t JOIN contacts c ON c.id = t.requester_id"
	        " WHERE t.status IN ('solved','closed') AND t.solved_at >= ?1"
	        " AND t.archived_at IS NULL AND t.merged_into IS NULL"
	        " AND c.email IS NOT NULL AND c.archived_at IS NULL"
	        " AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.ticket_id = t.id)"
	        " AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.contact_id = c.id"
	        " AND k.channel = 'email' AND k.status <> 'granted')"
	        " ORDER BY t.solved_at, t.id")))
		return rc;
	crm_stmt_bind_text(st, 1, o->since);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *vals[5];

		for (int i = 0; i < 5; i++)
			vals[i] = crm_stmt_text(st, i);
		if ((rc = collect(&cs, vals)))
			break;
	}
	crm_stmt_reset(st);
	if (rc == CRM_DONE)
		rc = survey_each(db, o, &cs, fn, arg, sent);
	candidates_free(&cs);
	return rc;
}

/* The survey one of the ids m answers names, if any, and whether it was
 * answered before. */
static int answered_survey(crm_db *db, const struct crm_mail *m, int64_t *survey,
                           int64_t *ticket, int64_t *contact, int *answered)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT id, ticket_id, coalesce(contact_id, 0),"
	                     " response_id IS NOT NULL FROM surveys WHERE message_id = ?1");

	*survey = 0;
	for (size_t i = 0; !rc && !*survey && i <= m->nreferences; i++) {
		const char *ref = i == 0 ? m->in_reply_to : m->references[m->nreferences - i];

		if (!ref)
			continue;
		crm_stmt_bind_text(st, 1, ref);
		if ((rc = crm_stmt_step(st)) == CRM_ROW) {
			*survey = crm_stmt_int(st, 0);
			*ticket = crm_stmt_int(st, 1);
			*contact = crm_stmt_int(st, 2);
			*answered = (int)crm_stmt_int(st, 3);
		}
		crm_stmt_reset(st);
		rc = rc < 0 ? rc : CRM_OK;
	}
	return rc;
}

/* Records the answer's score and comment as a csat response. */
static int record_answer(crm_db *db, const struct crm_mail *m, int64_t ticket, int64_t contact,
                         int score, const char *comment, int64_t *id)
{
	char num[24], who[24], tid[24];
	crm_record *r = NULL;
	int rc;

	snprintf(num, sizeof num, "%d", score);
	snprintf(who, sizeof who, "%lld", (long long)contact);
	snprintf(tid, sizeof tid, "%lld", (long long)ticket);
	if (!(rc = crm_record_new(&r, &crm_response_entity)) &&
	    !(rc = crm_record_set(r, "kind", "csat")) && !(rc = crm_record_set(r, "score", num)) &&
	    !(rc = crm_record_set(r, "ticket", tid)) && !(rc = crm_record_set(r, "channel", "email")) &&
	    !(rc = contact ? crm_record_set(r, "person", who) : CRM_OK) &&
	    !(rc = comment ? crm_record_set(r, "comment", comment) : CRM_OK) &&
	    !(rc = m->date ? crm_record_set(r, "at", m->date) : CRM_OK))
		rc = crm_entity_add(db, r, id);
	crm_record_free(r);
	return rc;
}

int crm_feedback_mail_in(crm_db *db, const struct crm_mail *m, int64_t *ticket)
{
	int64_t survey = 0, contact = 0, id = 0;
	char *comment = NULL;
	int rc, score, answered = 0;

	*ticket = 0;
	if ((rc = answered_survey(db, m, &survey, ticket, &contact, &answered)) || !survey ||
	    answered || m->automatic) /* an auto-reply is nobody's opinion */
		return rc;
	if ((rc = crm_feedback_answer(m->text, &score, &comment)) <= 0)
		return rc;
	rc = record_answer(db, m, *ticket, contact, score, comment, &id);
	free(comment);
	if (!rc) {
		crm_stmt *st;

		if (!(rc = crm_db_stmt(db, &st, "UPDATE surveys SET response_id = ?2 WHERE id = ?1"))) {
			crm_stmt_bind_int(st, 1, survey);
			crm_stmt_bind_int(st, 2, id);
			rc = crm_stmt_done(st);
		}
	}
	return rc ? rc : 1;
}

/* A response is named by its id only. */
const struct crm_entity crm_response_entity = {
	.name = "response", .table = "responses", .custom_table = "response_custom",
	.custom_fk = "response_id", .fts = "responses_fts", .join = "",
	.defs = response_fields, .nfields = NFIELDS(response_fields),
	.after_write = response_after_write, .synonyms = response_synonyms,
	.implied = response_implied, .reindex = crm_response_reindex, .tag_table = "response_tags",
	.note_table = "response_notes", .default_key = "id,custom.response_id",
	.filters = response_filters, .options = response_options, .label = "r.id",
};
