/* ticket_mail.c - tickets by mail: incoming messages threaded onto
 * tickets or opening them, and replies mailed so that the customer's
 * answer threads back (crm-ticket(1), MAIL IN and MAIL OUT). */
#include <stdlib.h>
#include <string.h>

#include "crm/campaign.h"
#include "crm/config.h"
#include "crm/date.h"
#include "crm/feedback.h"
#include "crm/mail.h"
#include "crm/ticket.h"
#include "registry.h"

/* Whether the message of key mid (crm_mail_key) was read or sent before,
 * and the ticket it is on now in *ticket (0: none, as for feedback or
 * mail ignored). */
static int seen(crm_db *db, const char *mid, int *yes, int64_t *ticket)
{
	crm_stmt *st;
	int rc;

	*yes = 0;
	*ticket = 0;
	if (!mid)
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "SELECT ticket_id FROM ticket_messages WHERE message_id = ?1"
	                      " UNION ALL SELECT 0 FROM mail_seen WHERE message_id = ?1")))
		return rc;
	crm_stmt_bind_text(st, 1, mid);
	rc = crm_stmt_step(st);
	if ((*yes = rc == CRM_ROW))
		*ticket = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	if (*ticket)
		*ticket = crm_ticket_live(db, *ticket);
	return rc < 0 ? rc : CRM_OK;
}

static int remember(crm_db *db, const char *mid)
{
	crm_stmt *st;
	int rc;

	if (!mid)
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "INSERT OR IGNORE INTO mail_seen(message_id, at)"
	                      " VALUES (?1, crm_now())")))
		return rc;
	crm_stmt_bind_text(st, 1, mid);
	return crm_stmt_done(st);
}

/* The id of the first tag "[#ID]" in subject, or 0: the first, since a
 * follow-up's subject goes on naming the ticket it follows ("[#2] Re:
 * [#1] Printer"). */
static int64_t subject_tag(const char *subject)
{
	const char *p = subject;

	while (p && (p = strstr(p, "[#"))) {
		char *end;
		long long id = strtoll(p + 2, &end, 10);

		if (end > p + 2 && *end == ']' && id > 0)
			return id;
		p += 2;
	}
	return 0;
}

/* The live ticket the tag of subject names, or 0. */
static int64_t subject_ticket(crm_db *db, const char *subject)
{
	int64_t id = subject_tag(subject);

	return id ? crm_ticket_live(db, id) : 0;
}

/* The ticket of a message that one of ids names (the newest first). */
static int reference_ticket(crm_db *db, const struct crm_mail *m, const char *returned,
                            int64_t *id)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT ticket_id FROM ticket_messages WHERE message_id = ?1");

	*id = 0;
	for (size_t i = 0; !rc && !*id && i <= m->nreferences + 1; i++) {
		const char *ref = i == 0 ? m->in_reply_to : i <= m->nreferences
		                  ? m->references[m->nreferences - i] : returned;

		if (!ref)
			continue;
		crm_stmt_bind_text(st, 1, ref);
		if ((rc = crm_stmt_step(st)) == CRM_ROW)
			*id = crm_ticket_live(db, crm_stmt_int(st, 0));
		crm_stmt_reset(st);
		rc = rc < 0 ? rc : CRM_OK;
	}
	return rc;
}

static int store_attachments(crm_db *db, int64_t msg, const struct crm_mail *m)
{
	crm_stmt *st;
	int rc = CRM_OK;

	for (size_t i = 0; i < m->nattachments && !rc; i++) {
		const struct crm_mail_attachment *a = &m->attachments[i];

		if ((rc = crm_db_stmt(db, &st, "INSERT INTO ticket_attachments(message, name, type,"
		                      " size, data) VALUES (?1, ?2, ?3, ?4, ?5)")))
			break;
		crm_stmt_bind_int(st, 1, msg);
		crm_stmt_bind_text(st, 2, a->name);
		crm_stmt_bind_text(st, 3, a->type);
		crm_stmt_bind_int(st, 4, (int64_t)a->size);
		if (a->data)
			crm_stmt_bind_blob(st, 5, a->data, a->size);
		rc = crm_stmt_done(st);
	}
	return rc;
}

/* A machine's message about a ticket, or one from the desk's own
 * address (own): kept as a comment, never answered. */
static int robot_comment(crm_db *db, int64_t id, const struct crm_mail *m, int own)
{
	struct crm_ticket_msg c = { .kind = "comment", .author = "mail" };
	crm_buf b = CRM_BUF_INIT;
	int64_t msg;
	int rc;

	crm_buf_printf(&b, "%s %s: %s\n\n%s", own ? "Mail from the desk's own address"
	               : m->report ? "Delivery report from" : "Automatic reply from",
	               m->from_addr, m->subject ? m->subject : "(no subject)", m->text);
	c.body = crm_buf_str(&b);
	c.message_id = m->message_id;
	c.date = m->date;
	rc = crm_ticket_post(db, id, &c, &msg);
	crm_buf_free(&b);
	return rc;
}

/* Opens a ticket from m, linked to the closed ticket old (or 0). */
static int open_ticket(crm_db *db, const struct crm_mail *m, int64_t contact, int64_t old,
                       int64_t *id)
{
	crm_record *r = NULL;
	char num[24];
	int rc, changed;

	snprintf(num, sizeof num, "%lld", (long long)contact);
	if (!(rc = crm_record_new(&r, &crm_ticket_entity)) &&
	    !(rc = crm_record_set(r, "subject", m->subject && *m->subject ? m->subject
	                                                                 : "(no subject)")) &&
	    !(rc = crm_record_set(r, "requester", num)) &&
	    !(rc = crm_record_set(r, "channel", "email")))
		rc = crm_entity_add(db, r, id);
	crm_record_free(r);
	if (!rc && old)
		rc = crm_ticket_link(db, *id, "ticket", old, &changed);
	return rc;
}

/* The person who sent m, found by the address as the mail reader gives
 * it (an internationalised domain in Unicode), else by its xn-- form, as
 * another system's export may have stored it; else made. */
static int sender(crm_db *db, const struct crm_mail *m, int64_t *contact)
{
	char *ascii = NULL;
	int rc = CRM_ENOTFOUND;

	if (m->from_addr && crm_mail_ascii_address(&ascii, m->from_addr) == CRM_OK &&
	    strcmp(ascii, m->from_addr))
		rc = crm_entity_resolve(db, &crm_contact_entity, ascii, contact);
	crm_error_clear();
	free(ascii);
	if (rc == CRM_ENOTFOUND)
		rc = crm_ticket_requester(db, m->from_addr, m->from_name, contact);
	return rc;
}

/* Files m: on the ticket it threads to, else on a new one. */
static int file_message(crm_db *db, const struct crm_mail *m, int64_t id,
                        struct crm_mail_in *res)
{
	struct crm_ticket_msg msg = { .kind = "customer" };
	char *status = NULL;
	int64_t mid;
	int rc = sender(db, m, &msg.contact);

	/* A closed ticket stays closed: its follow-up is a ticket of its own;
	 * so is one to an archived ticket, which no list shows. */
	if (!rc && id)
		rc = crm_db_text_of(db, "SELECT CASE WHEN archived_at IS NULL THEN status"
		                    " ELSE 'closed' END FROM tickets WHERE id = ?1", id, &status);
	if (!rc && (!id || !strcmp(status, "closed"))) {
		rc = open_ticket(db, m, msg.contact, id, &res->ticket);
		res->action = "new";
	} else {
		res->ticket = id;
		res->action = "added";
	}
	free(status);
	msg.subject = m->subject;
	msg.body = m->text;
	msg.message_id = m->message_id;
	msg.in_reply_to = m->in_reply_to;
	msg.date = m->date;
	if (!rc)
		rc = crm_ticket_customer(db, res->ticket, &msg, &mid);
	if (!rc)
		rc = store_attachments(db, mid, m);
	return rc;
}

/* The Message-ID of the message a delivery report returns (NULL when m
 * is none, or names none) into *out: a server that returns a reply need
 * not thread its report to it (Postfix sets no In-Reply-To). */
static int returned_id(const struct crm_mail *m, const char *raw, size_t len, char **out)
{
	struct crm_dsn *d = NULL;
	int rc = m->report ? crm_mail_dsn(&d, raw, len) : 0;

	*out = NULL;
	if (rc == CRM_EDATA)
		crm_error_clear();
	if (rc == 1 && d->original_id && !(*out = strdup(d->original_id)))
		rc = crm_error_nomem();
	crm_dsn_free(d);
	return rc < 0 && rc != CRM_EDATA ? rc : CRM_OK;
}

/* Files m, that key (crm_mail_key) tells apart, where it belongs; own
 * when it comes from the desk's own address. */
static int mail_in(crm_db *db, struct crm_mail *m, const char *key, const char *returned,
                   int own, struct crm_mail_in *res)
{
	int64_t id = subject_ticket(db, m->subject);
	int rc = CRM_OK, yes;

	if ((rc = seen(db, key, &yes, &res->ticket)) || yes) {
		res->action = "seen";
		return rc;
	}
	/* The blank lines a client leaves at the end are not the message. */
	for (size_t n = strlen(m->text); n && strchr("\n\r \t", m->text[n - 1]); n--)
		m->text[n - 1] = '\0';
	/* An answer to a survey with a score is feedback, not a message; one
	 * without is filed on its ticket like any other. */
	if ((rc = crm_feedback_mail_in(db, m, &res->ticket)) < 0)
		return rc;
	if (rc == 1) {
		res->action = "feedback";
		return remember(db, key);
	}
	/* Else it belongs to the survey's ticket, unless it names another. */
	if (!id && res->ticket)
		id = crm_ticket_live(db, res->ticket);
	res->ticket = 0;
	if (!id)
		rc = reference_ticket(db, m, returned, &id);
	if (!rc && m->automatic) {
		res->ticket = id;
		res->action = id ? "comment" : "ignored";
		if (id)
			rc = robot_comment(db, id, m, own);
		/* Mail stored without a Message-ID is known again by its key. */
		if (!rc && (!id || !m->message_id))
			rc = remember(db, key);
		return rc;
	}
	if (!rc)
		rc = file_message(db, m, id, res);
	if (!rc && !m->message_id)
		rc = remember(db, key);
	return rc;
}

/* What mail about campaigns says, before it is filed like any other: a
 * delivery report marks the addresses that bounced, a reply is the
 * campaign's response.  Both are idempotent, as a message read twice. */
static int campaign_mail(crm_db *db, const char *raw, size_t len, const struct crm_mail *m)
{
	struct crm_bounce_tally t = { 0 };
	int64_t send;
	int rc = m->report ? crm_campaign_report(db, m, raw, len, &t)
	                   : crm_campaign_reply(db, m, &send);

	/* A report that names no recipient is still filed as a robot's mail. */
	return rc < 0 && rc != CRM_EDATA ? rc : CRM_OK;
}

int crm_ticket_mail_in(crm_db *db, const char *raw, size_t len, struct crm_mail_in *res)
{
	const struct crm_mail_config *mc = crm_config_mail(db->cfg);
	struct crm_mail *m = NULL;
	char *returned = NULL, *key = NULL;
	int rc, own;

	res->action = NULL;
	res->ticket = 0;
	if ((rc = crm_mail_parse(&m, raw, len, (size_t)mc->attachment_cap)) ||
	    (rc = returned_id(m, raw, len, &returned)) || (rc = crm_mail_key(&key, m, raw, len))) {
		free(returned);
		crm_mail_free(m);
		return rc;
	}
	/* The desk's own mail (a copy, a loop, a colleague writing in) is
	 * nobody's request or answer: handled as a machine's, so that it
	 * reopens nothing and makes the desk no contact. */
	own = crm_mail_same_address(mc->from, m->from_addr);
	m->automatic |= own;
	if (!(rc = crm_db_savepoint(db, "mail_in"))) {
		if (!(rc = campaign_mail(db, raw, len, m)))
			rc = mail_in(db, m, key, returned, own, res);
		rc = crm_db_savepoint_end(db, "mail_in", 0, rc);
	}
	free(key);
	free(returned);
	crm_mail_free(m);
	return rc;
}

/* The To of a reply: the requester as "Name <address>". */
static int recipient(crm_db *db, int64_t id, char **to)
{
	int rc = crm_db_text_of(db, "SELECT CASE WHEN crm_name(c.first_name, c.last_name) = ''"
	                        " THEN c.email ELSE '\"' || replace(crm_name(c.first_name,"
	                        " c.last_name), '\"', '') || '\" <' || c.email || '>'"
	                        " END FROM tickets t JOIN contacts c ON c.id = t.requester_id"
	                        " WHERE t.id = ?1 AND c.email IS NOT NULL", id, to);

	if (!rc && !*to)
		rc = crm_error_set(CRM_EDATA, "ticket %lld has no requester with an email address",
		                   (long long)id);
	return rc;
}

/* How many ids References carries at most: the thread's first message,
 * its root, and the newest after it. */
#define REFERENCES_KEPT 10

/* Stores in *refs (malloc'd, NULL when none) the References of a reply
 * to ticket id: the thread's ids oldest first up to the message it
 * answers (the last customer message, its In-Reply-To), as RFC 5322
 * 3.6.4 builds them from the parent's References and the parent's id;
 * trimmed in the middle.  Read row by row: group_concat need not keep
 * any order. */
static int thread_references(crm_db *db, int64_t id, char **refs)
{
	crm_buf b = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "WITH thread AS (SELECT message_id, kind, at, id"
	                     " FROM ticket_messages WHERE ticket_id = ?1 AND message_id IS NOT NULL"
	                     " AND kind <> 'comment'), parent AS (SELECT at, id FROM thread"
	                     " WHERE kind = 'customer' ORDER BY at DESC, id DESC LIMIT 1),"
	                     " upto AS (SELECT message_id, at, id, row_number() OVER (ORDER BY at, id)"
	                     " AS n, count(*) OVER () AS total FROM thread WHERE NOT EXISTS"
	                     " (SELECT 1 FROM parent) OR (at, id) <= (SELECT at, id FROM parent))"
	                     " SELECT message_id FROM upto WHERE n = 1 OR n > total - ?2"
	                     " ORDER BY at, id");

	*refs = NULL;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_int(st, 2, REFERENCES_KEPT - 1);
	while ((rc = crm_stmt_step(st)) == CRM_ROW &&
	       !(rc = crm_buf_printf(&b, "%s%s", b.len ? " " : "", crm_stmt_text(st, 0))))
		;
	crm_stmt_reset(st);
	if (rc == CRM_DONE && b.len && !(*refs = crm_buf_detach(&b)))
		rc = crm_error_nomem();
	crm_buf_free(&b);
	return rc;
}

/* Reads into o what a reply to ticket id answers: its subject with the
 * tag, the last customer message's id and the thread's ids. */
static int reply_headers(crm_db *db, int64_t id, struct crm_mail_out *o, char **subject,
                         char **last, char **refs)
{
	char *s = NULL;
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_db_text_of(db, "SELECT subject FROM tickets WHERE id = ?1", id, &s);

	if (!rc)
		rc = crm_db_text_of(db, "SELECT message_id FROM ticket_messages WHERE ticket_id = ?1"
		                    " AND kind = 'customer' AND message_id IS NOT NULL"
		                    " ORDER BY at DESC, id DESC LIMIT 1", id, last);
	if (!rc)
		rc = thread_references(db, id, refs);
	/* Another ticket's tag (a follow-up's, an order number) would thread
	 * the answer there: this ticket's own comes first. */
	if (!rc) {
		if (s && subject_tag(s) == id)
			crm_buf_puts(&b, s);
		else
			crm_buf_printf(&b, "[#%lld] %s", (long long)id, s ? s : "");
		*subject = crm_buf_detach(&b);
		rc = *subject ? CRM_OK : crm_error_nomem();
	}
	free(s);
	o->subject = *subject;
	o->in_reply_to = *last;
	o->references = *refs;
	return rc;
}

int crm_ticket_mail_reply(crm_db *db, int64_t id, struct crm_ticket_msg *m, const char *status,
                          int64_t *msg)
{
	const struct crm_mail_config *mc = crm_config_mail(db->cfg);
	struct crm_mail_out o = { 0 };
	char *to = NULL, *mid = NULL, *subject = NULL, *last = NULL, *refs = NULL, *text = NULL;
	char now[CRM_TIME_LEN];
	size_t len;
	int rc;

	if (!mc->from)
		return crm_error_set(CRM_EDATA, "mail: no 'from' address is configured"
		                     " (crm-config(5))");
	crm_db_now(db, now);
	if (!(rc = crm_entity_exists(db, &crm_ticket_entity, id)) && !(rc = recipient(db, id, &to)) &&
	    !(rc = reply_headers(db, id, &o, &subject, &last, &refs)))
		rc = crm_mail_new_id(&mid, mc->from);
	o.from = mc->from;
	o.to = to;
	o.message_id = mid;
	o.date = now;
	o.body = m->body;
	if (!rc)
		rc = crm_mail_compose(&text, &len, &o);
	m->message_id = mid;
	m->subject = subject;
	m->sent = 1;
	if (!rc)
		rc = crm_ticket_reply(db, id, m, status, msg);
	/* Last: a reply the database refused is never mailed. */
	if (!rc && (rc = crm_mail_send(mc->send, text, len)))
		rc = crm_error_recode(CRM_EDATA);
	m->message_id = m->subject = NULL;
	free(to), free(mid), free(subject), free(last), free(refs), free(text);
	return rc;
}
