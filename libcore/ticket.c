/* ticket.c - the ticket entity of the service desk: its fields, list
 * options and write rules, and what happens to a ticket besides field
 * writes -- messages in and out, status changes, links, merges
 * (crm-ticket(1)).  Internal comments are the ticket's notes. */
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/norm.h"
#include "crm/ticket.h"
#include "registry.h"

static const char *const ticket_status[] = { "new", "open", "pending", "on_hold", "solved",
	                                     "closed", NULL };
static const char *const ticket_priority[] = { "low", "normal", "high", "urgent", NULL };
static const char *const ticket_channel[] = { "email", "phone", "chat", "web", "cli", NULL };

/* Waiting on the desk or the customer: not solved or closed. */
#define OPEN_SQL "t.status IN ('new','open','pending','on_hold')"

static const struct crm_fielddef ticket_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("subject", CRM_FT_TEXT, REQUIRED, "what it is about", "subject", NULL),
	REF("requester", CRM_FIELD_CREATE, "the person who asked: id, email or name (an unknown"
	    " email is added as a person)", "contact", "requester_id", NULL),
	REF("company", 0, "the company (default: the requester's): id, name or domain", "company",
	    "company_id", NULL),
	FIELD("queue", CRM_FT_WORD, CRM_FIELD_NOTEMPTY, "queue (crm-config(5) queues; default: the"
	      " first)", "queue", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "new, open, pending, on_hold, solved or closed",
	       ticket_status, "status"),
	CHOICE("priority", CRM_FIELD_NOTEMPTY, "low, normal, high or urgent", ticket_priority,
	       "priority"),
	FIELD("assignee", CRM_FT_TEXT, 0, "the agent working on it", "assignee", NULL),
	CHOICE("channel", CRM_FIELD_NOTEMPTY, "email, phone, chat, web or cli", ticket_channel,
	       "channel"),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("sla_policy", CRM_FT_TEXT, RO | HIDDEN, "the SLA policy that applies", "sla_policy",
	      NULL),
	FIELD("sla_due", CRM_FT_TIME, RO, "the earliest due time of a running SLA target",
	      "sla_due", NULL),
	FIELD("breached", CRM_FT_ID, RO | HIDDEN, "1 when an SLA target is missed", NULL,
	      CRM_TICKET_BREACHED_SQL),
	FIELD("sla_rank", CRM_FT_ID, RO | HIDDEN, "0 with a running SLA target, else 1", NULL,
	      "(t.sla_due IS NULL)"),
	FIELD("requester_name", CRM_FT_TEXT, RO | HIDDEN, "the requester's name", NULL,
	      CONTACT_NAME("t.requester_id")),
	FIELD("requester_email", CRM_FT_TEXT, RO | HIDDEN, "the requester's email", NULL,
	      "(SELECT email FROM contacts WHERE id = t.requester_id)"),
	FIELD("messages", CRM_FT_ID, RO | HIDDEN, "number of messages", NULL,
	      "(SELECT count(*) FROM ticket_messages WHERE ticket_id = t.id)"),
	FIELD("merged_into", CRM_FT_ID, RO | HIDDEN, "the ticket it was merged into", "merged_into",
	      NULL),
	FIELD("links", CRM_FT_TEXT, RO | HIDDEN, "what it is linked to: kb ID, deal ID, ticket ID,"
	      " comma-separated", NULL, "(SELECT group_concat(l, ', ') FROM (SELECT kind || ' ' ||"
	      " target AS l FROM ticket_links WHERE ticket_id = t.id ORDER BY kind, target))"),
	FIELD("solved_at", CRM_FT_TIME, RO | HIDDEN | CRM_FIELD_ORIGIN, "when it was solved",
	      "solved_at", NULL),
	FIELD("closed_at", CRM_FT_TIME, RO | HIDDEN | CRM_FIELD_ORIGIN, "when it was closed",
	      "closed_at", NULL),
	FIELD("requester_id", CRM_FT_ID, RO | HIDDEN, "requester record id", "requester_id", NULL),
	FIELD("company_id", CRM_FT_ID, RO | HIDDEN, "company record id", "company_id", NULL),
	BOOKKEEPING,
};

static const struct crm_option ticket_options[] = {
	{ "open", NULL, "only tickets not solved or closed", OPEN_SQL },
	{ "unassigned", NULL, "only tickets nobody is assigned to", "t.assignee IS NULL" },
	{ "breached", NULL, "only tickets that missed an SLA target", CRM_TICKET_BREACHED_SQL },
	{ "due-within", "SPAN", "only tickets with a running SLA target due within SPAN (2h, 30m,"
	  " 1d) or past due", "t.sla_due <= ?" },
	{ "breaching", "SPAN", "only open tickets breached or due within SPAN",
	  OPEN_SQL " AND (t.sla_missed = 1 OR t.sla_due <= ?)" },
	{ NULL, NULL, NULL, NULL }
};

/* A tag may choose the ticket's SLA policy (crm-config(5)). */
static int ticket_after_tags(crm_db *db, int64_t id, int fresh)
{
	(void)fresh;
	return crm_ticket_sla_refresh_by(db, "id", id);
}

/* Fails with code naming queue name and the configured ones. */
static int unknown_queue(crm_db *db, int code, const char *name)
{
	const char *const *all = crm_config_queues(db->cfg);
	crm_buf list = CRM_BUF_INIT;
	int rc;

	for (size_t i = 0; all[i]; i++)
		crm_buf_printf(&list, "%s%s", i ? ", " : "", all[i]);
	rc = crm_error_set(code, "queue: unknown queue '%s' (configured: %s)", name,
	                   crm_buf_str(&list));
	crm_buf_free(&list);
	return rc;
}

/* A queue to filter by is one the configuration names, or one a ticket
 * still has from a configuration of before. */
static int ticket_filter_check(crm_db *db, const char *field, const char *value)
{
	crm_stmt *st;
	int rc, found;

	if (strcmp(field, "queue") || crm_config_queue(db->cfg, value))
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "SELECT 1 FROM tickets WHERE queue = ?1 LIMIT 1")))
		return rc;
	crm_stmt_bind_text(st, 1, value);
	found = crm_stmt_step(st) == CRM_ROW;
	crm_stmt_reset(st);
	return found ? CRM_OK : unknown_queue(db, CRM_EUSAGE, value);
}

static const char *const ticket_filters[] = { "queue", "status", "priority", "assignee",
	                                      "requester", "company", "channel", NULL };

/* Statuses, priorities and channels as Zendesk, Freshdesk, Salesforce
 * (Working, Escalated) and HubSpot (Waiting on contact, Form) write them,
 * crm_column_key() form. */
static const struct crm_value_synonym ticket_values[] = {
	{ "status", "hold", "on_hold" }, { "status", "onhold", "on_hold" },
	{ "status", "waitingonthirdparty", "on_hold" }, { "status", "waitingoncustomer", "pending" },
	{ "status", "resolved", "solved" }, { "status", "inprogress", "open" },
	{ "status", "working", "open" }, { "status", "escalated", "open" },
	{ "status", "waitingoncontact", "pending" }, { "status", "waitingonus", "open" },
	{ "priority", "medium", "normal" },
	{ "channel", "mail", "email" }, { "channel", "outboundemail", "email" },
	{ "channel", "webform", "web" }, { "channel", "webwidget", "web" },
	{ "channel", "portal", "web" }, { "channel", "feedbackwidget", "web" },
	{ "channel", "form", "web" },
	{ "channel", "phonecall", "phone" }, { "channel", "phonecallincoming", "phone" },
	{ "channel", "phonecalloutgoing", "phone" }, { "channel", "voice", "phone" },
	{ NULL, NULL, NULL }
};

/* Headers of ticket exports (Zendesk, Freshdesk, osTicket, Jira Service
 * Management), crm_column_key() form. */
static const struct crm_synonym ticket_synonyms[] = {
	{ "title", "subject" }, { "summary", "subject" }, { "issue", "subject" },
	{ "requesteremail", "requester" }, { "requestor", "requester" }, { "contact", "requester" },
	{ "customer", "requester" }, { "email", "requester" }, { "reporter", "requester" },
	{ "requestername", "requester" }, { "fullname", "requester" },
	{ "organization", "company" }, { "organisation", "company" }, { "account", "company" },
	{ "companyname", "company" },
	{ "group", "queue" }, { "department", "queue" }, { "helptopic", "queue" },
	{ "ticketstatus", "status" }, { "state", "status" }, { "ticketpriority", "priority" },
	{ "urgency", "priority" }, { "agent", "assignee" }, { "assignedto", "assignee" },
	{ "owner", "assignee" }, { "source", "channel" }, { "via", "channel" },
	{ "tag", "tags" }, { "labels", "tags" },
	{ "description", "@note" }, { "body", "@note" }, { "comment", "@note" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "ticketid", SOURCE_ID },
	{ "recordid", SOURCE_ID },
	/* Zendesk's and Freshdesk's kind of ticket (question, incident,
	 * refund ...), which no field here holds. */
	{ "type", "custom.type" }, { "tickettype", "custom.type" },
	{ "resolvedtime", "solved_at" }, { "resolvedat", "solved_at" },
	{ "closedtime", "closed_at" }, { "lastupdatetime", "@ignore" },
	/* Salesforce's cases ("Date/Time Opened", "Case Origin"), HubSpot's
	 * tickets ("Ticket name", "Close date") and Zoho Desk's ("Request
	 * Id", "Classification"): the person by name beside the email, as
	 * Zendesk's Requester (find_names_column). */
	{ "caseid", SOURCE_ID }, { "casenumber", "custom.case_number" },
	{ "requestid", SOURCE_ID },
	{ "contactname", "requester" }, { "contactemail", "requester" },
	{ "accountname", "company" }, { "associatedcontact", "requester" },
	{ "associatedcompany", "company" }, { "caseorigin", "channel" },
	{ "caseowner", "assignee" }, { "ticketowner", "assignee" },
	{ "ticketname", "subject" }, { "ticketdescription", "@note" },
	{ "datetimeopened", "created_at" }, { "datetimeclosed", "closed_at" },
	{ "closedate", "closed_at" }, { "classification", "custom.type" },
	{ "category", "custom.category" }, { "pipeline", "custom.pipeline" },
	{ NULL, NULL }
};

int crm_ticket_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "tickets_fts", "tickets",
		"INSERT INTO tickets_fts(rowid, subject, requester, messages, notes)"
		" SELECT k.id, k.subject,"
		" " PERSON_FTS("k.requester_id") ","
		" (SELECT group_concat(body, ' ') FROM ticket_messages WHERE ticket_id = k.id),"
		" (SELECT group_concat(body, ' ') FROM ticket_notes WHERE ticket_id = k.id)"
		" FROM tickets k WHERE %s", where, arg);
}

/* The queue is one of the configured ones, in their spelling; a ticket
 * whose queue the configuration no longer names keeps it until it is
 * written. */
static int settle_queue(crm_db *db, int64_t id, const crm_record *r)
{
	const char *want = crm_record_value(r, "queue"), *q;
	crm_stmt *st;

	char *stored = NULL;
	int rc;

	if (!want && crm_record_has(r, "queue"))
		return crm_error_set(CRM_EDATA, "queue: a ticket needs a queue");
	if (!want && (rc = crm_db_text_of(db, "SELECT queue FROM tickets WHERE id = ?1", id,
	                                  &stored)))
		return rc;
	q = want ? crm_config_queue(db->cfg, want)
	         : stored ? crm_config_queue(db->cfg, stored) : crm_config_queues(db->cfg)[0];
	if (!want && stored && !q) {
		free(stored);
		return CRM_OK;
	}
	free(stored);
	if (!q)
		return unknown_queue(db, CRM_EDATA, want);
	if ((rc = crm_db_stmt(db, &st, "UPDATE tickets SET queue = ?2 WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, q);
	return crm_stmt_done(st);
}

static int ticket_after_write(crm_db *db, int64_t id, const crm_record *r,
                              int adding)
{
	int rc = settle_queue(db, id, r);

	/* A ticket is the requester's company's unless told otherwise. */
	if (!rc)
		rc = crm_db_exec_id(db, "UPDATE tickets SET company_id = (SELECT company_id FROM"
		                    " contacts WHERE id = requester_id) WHERE id = ?1"
		                    " AND company_id IS NULL AND requester_id IS NOT NULL", id);
	/* A new ticket another system solved or closed (an import of
	 * history) without saying both when: closed, it was solved then
	 * too, and solved and closed, it was closed when solved, as far as
	 * anyone knows. */
	if (!rc && adding)
		rc = crm_db_exec_id(db, "UPDATE tickets SET solved_at = coalesce(solved_at, closed_at),"
		                    " closed_at = CASE WHEN status = 'closed'"
		                    " THEN coalesce(closed_at, solved_at) ELSE closed_at END"
		                    " WHERE id = ?1 AND status IN ('solved','closed')", id);
	/* Solved and closed now, unless it says when. */
	if (!rc)
		rc = crm_db_exec_id(db, "UPDATE tickets SET"
		                    " solved_at = CASE WHEN status IN ('solved','closed')"
		                    " THEN coalesce(solved_at, crm_now()) END,"
		                    " closed_at = CASE WHEN status = 'closed'"
		                    " THEN coalesce(closed_at, crm_now()) END WHERE id = ?1", id);
	/* An undo putting a status back takes back the row the change logged,
	 * when the row before it has the status restored. */
	if (!rc && !adding && crm_record_is_restoring(r))
		rc = crm_db_exec_id(db, "DELETE FROM ticket_status WHERE id = (SELECT id FROM"
		                    " ticket_status WHERE ticket_id = ?1 ORDER BY id DESC LIMIT 1)"
		                    " AND (SELECT status FROM ticket_status WHERE ticket_id = ?1"
		                    " ORDER BY id DESC LIMIT 1 OFFSET 1) = (SELECT status FROM tickets"
		                    " WHERE id = ?1)", id);
	/* The status log the SLA clocks read: a row when the status changed.
	 * A new ticket's starts at its creation; one an import brings solved
	 * or closed (created, solved and closed in the past) was open until
	 * it was solved, and solved until it was closed. */
	if (!rc)
		rc = crm_db_exec_id(db, adding
		                    ? "INSERT INTO ticket_status(ticket_id, status, at)"
		                      " SELECT id, 'open', created_at FROM tickets WHERE id = ?1"
		                      " AND status IN ('solved','closed') AND solved_at > created_at"
		                      " UNION ALL SELECT id, 'solved', solved_at FROM tickets"
		                      " WHERE id = ?1 AND status = 'closed' AND closed_at > solved_at"
		                      " UNION ALL SELECT id, status, CASE status"
		                      " WHEN 'solved' THEN solved_at WHEN 'closed' THEN closed_at"
		                      " ELSE created_at END FROM tickets WHERE id = ?1"
		                    : "INSERT INTO ticket_status(ticket_id, status, at)"
		                      " SELECT id, status, CASE status WHEN 'solved' THEN solved_at"
		                      " WHEN 'closed' THEN closed_at ELSE crm_now() END"
		                      " FROM tickets t WHERE id = ?1"
		                      " AND status IS NOT (SELECT status FROM ticket_status"
		                      " WHERE ticket_id = ?1 ORDER BY id DESC LIMIT 1)", id);
	if (!rc)
		rc = crm_ticket_sla_refresh(db, id);
	if (!rc)
		rc = crm_ticket_reindex(db, "id = ?1", id);
	return rc;
}

/* "Name <addr>" or a bare address: the name part, or NULL. */
static char *display_name(const char *who)
{
	const char *lt = strchr(who, '<');
	size_t n;

	if (!lt)
		return NULL;
	n = (size_t)(lt - who);
	while (n && (who[n - 1] == ' ' || who[n - 1] == '"'))
		n--;
	while (n && (*who == ' ' || *who == '"'))
		who++, n--;
	return n ? strndup(who, n) : NULL;
}

int crm_ticket_requester(crm_db *db, const char *who, const char *name, int64_t *id)
{
	const char *lt = strchr(who, '<'), *gt;
	char *addr, *guess = NULL;
	crm_record *r = NULL;
	int rc = crm_entity_resolve(db, &crm_contact_entity, who, id);

	/* A ticket naming no one who exists is bad input, not a search. */
	if (rc == CRM_ENOTFOUND && !strchr(who, '@')) {
		crm_error_prefix("requester");
		return crm_error_recode(CRM_EDATA);
	}
	if (rc != CRM_ENOTFOUND)
		return rc;
	crm_error_clear();
	if (lt && (gt = strchr(lt, '>')))
		addr = strndup(lt + 1, (size_t)(gt - lt - 1));
	else
		addr = strdup(who);
	/* Mail programs write the address again where they know no name
	 * ("ann@example.org" <ann@example.org>): no name to keep. */
	if (name && strchr(name, '@'))
		name = NULL;
	if (!name)
		name = guess = display_name(who);
	if (!addr)
		rc = crm_error_nomem();
	else if (!(rc = crm_record_new(&r, &crm_contact_entity)) &&
	         !(rc = crm_record_set(r, "email", addr)) &&
	         !(rc = name ? crm_record_set_name(r, name) : CRM_OK) &&
	         !(rc = crm_record_set(r, "source", "service desk")))
		rc = crm_entity_add(db, r, id);
	crm_record_free(r);
	free(addr);
	free(guess);
	return rc ? crm_error_prefix("requester") : CRM_OK;
}

/* What a change of ticket id's thread changes: its time, its SLA clocks
 * and its search entry. */
static int touch(crm_db *db, int64_t id)
{
	int rc = crm_db_exec_id(db, "UPDATE tickets SET updated_at = crm_now() WHERE id = ?1", id);

	if (!rc)
		rc = crm_ticket_sla_refresh(db, id);
	if (!rc)
		rc = crm_ticket_reindex(db, "id = ?1", id);
	return rc;
}

int crm_ticket_post(crm_db *db, int64_t id, const struct crm_ticket_msg *m, int64_t *msg)
{
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int rc;

	if ((rc = crm_entity_editable(db, &crm_ticket_entity, id)))
		return rc;
	/* What a customer sent is kept as sent, a scan with no text
	 * included; the desk's own messages say something. */
	if (strcmp(m->kind, "customer") && (!m->body || !m->body[strspn(m->body, " \t\r\n\f\v")]))
		return crm_error_set(CRM_EDATA, "a message needs a text");
	crm_db_now(db, now);
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO ticket_messages(ticket_id, origin, kind,"
	                      " author, contact_id, subject, body, message_id, in_reply_to, date,"
	                      " sent, at) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, m->kind);
	crm_stmt_bind_text(st, 3, m->author);
	if (m->contact)
		crm_stmt_bind_int(st, 4, m->contact);
	crm_stmt_bind_text(st, 5, m->subject);
	crm_stmt_bind_text(st, 6, m->body ? m->body : "");
	crm_stmt_bind_text(st, 7, m->message_id);
	crm_stmt_bind_text(st, 8, m->in_reply_to);
	crm_stmt_bind_text(st, 9, m->date);
	crm_stmt_bind_int(st, 10, m->sent);
	crm_stmt_bind_text(st, 11, m->at ? m->at : now);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*msg = crm_db_last_id(db);
	return touch(db, id);
}

/* An import's description of ticket id: the requester's first message,
 * received when the ticket was made, unless the thread has it already (a
 * re-run of the export). */
static int ticket_import_note(crm_db *db, int64_t id, const char *text, int *changed)
{
	struct crm_ticket_msg m = { .kind = "customer", .body = text };
	char made[CRM_TIME_LEN];
	crm_stmt *st;
	int64_t msg;
	int rc, posted = 0;

	*changed = 0;
	if ((rc = crm_db_stmt(db, &st, "SELECT requester_id, created_at, EXISTS (SELECT 1 FROM"
	                      " ticket_messages WHERE ticket_id = ?1 AND kind = 'customer'"
	                      " AND body = ?2) FROM tickets WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, text);
	/* Read out and reset before posting, which runs statements of its own. */
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		m.contact = crm_stmt_int(st, 0);
		snprintf(made, sizeof made, "%s", crm_stmt_text(st, 1));
		m.at = made;
		posted = (int)crm_stmt_int(st, 2);
	}
	crm_stmt_reset(st);
	if (rc != CRM_ROW)
		return rc == CRM_DONE ? crm_error_set(CRM_ENOTFOUND, "no ticket %lld", (long long)id)
		                      : rc;
	if (posted)
		return CRM_OK;
	if (!(rc = crm_ticket_post(db, id, &m, &msg)))
		*changed = 1;
	return rc;
}

/* Sets the status of ticket id, through the audited write path. */
static int set_status(crm_db *db, int64_t id, const char *status, int *changed)
{
	crm_record *r = NULL;
	int rc, ch = 0;

	if (!(rc = crm_record_new(&r, &crm_ticket_entity)))
		rc = crm_record_set(r, "status", status);
	if (!rc)
		rc = crm_entity_update(db, r, id, &ch);
	crm_record_free(r);
	if (changed)
		*changed = ch;
	return rc;
}

int crm_ticket_reply(crm_db *db, int64_t id, const struct crm_ticket_msg *m, const char *status,
                     int64_t *msg)
{
	int rc = crm_ticket_post(db, id, m, msg);

	if (!rc)
		rc = set_status(db, id, status ? status : "pending", NULL);
	return rc;
}

int crm_ticket_customer(crm_db *db, int64_t id, const struct crm_ticket_msg *m, int64_t *msg)
{
	char *status = NULL;
	int rc = crm_ticket_post(db, id, m, msg);

	if (!rc)
		rc = crm_db_text_of(db, "SELECT status FROM tickets WHERE id = ?1", id, &status);
	/* The customer wrote back: the ticket waits on the desk again. */
	if (!rc && status && strcmp(status, "new") && strcmp(status, "open"))
		rc = set_status(db, id, "open", NULL);
	free(status);
	return rc;
}

int crm_ticket_status(crm_db *db, int64_t id, const char *verb, int *changed)
{
	char *status = NULL;
	const char *to = !strcmp(verb, "reopen") ? "open" : verb;
	int rc;

	*changed = 0;
	if ((rc = crm_entity_editable(db, &crm_ticket_entity, id)) ||
	    (rc = crm_db_text_of(db, "SELECT status FROM tickets WHERE id = ?1", id, &status)))
		return rc;
	if (!strcmp(verb, "reopen") && strcmp(status, "solved") && strcmp(status, "closed"))
		rc = crm_error_set(CRM_EDATA, "ticket %lld is %s, not solved or closed",
		                   (long long)id, status);
	else if (!strcmp(verb, "solved") && !strcmp(status, "closed"))
		rc = crm_error_set(CRM_EDATA, "ticket %lld is closed; reopen it first", (long long)id);
	else if (strcmp(status, to))
		rc = set_status(db, id, to, changed);
	free(status);
	return rc;
}

int crm_ticket_text(crm_db *db, int64_t id, char **out)
{
	int rc = crm_entity_exists(db, &crm_ticket_entity, id);

	if (!rc)
		rc = crm_db_text_of(db, "SELECT subject || coalesce(char(10) || (SELECT"
		                    " group_concat(body, char(10)) FROM ticket_messages WHERE"
		                    " ticket_id = t.id AND kind = 'customer'), '')"
		                    " FROM tickets t WHERE id = ?1", id, out);
	if (!rc && !*out)
		rc = crm_error_nomem();
	return rc;
}

int crm_ticket_quote(crm_db *db, int64_t id, int64_t n, const char *text, char **out)
{
	char *article = NULL;
	int rc, changed;

	*out = NULL;
	if ((rc = crm_db_text_of(db, "SELECT title || char(10) || char(10) || coalesce(body, '')"
	                         " FROM articles WHERE id = ?1 AND status = 'published'"
	                         " AND archived_at IS NULL", n, &article)))
		return rc;
	if (!article)
		return crm_error_set(CRM_ENOTFOUND, "no published article %lld", (long long)n);
	if (!(rc = crm_ticket_link(db, id, "kb", n, &changed))) {
		crm_buf b = CRM_BUF_INIT;

		crm_buf_printf(&b, "%s\n\n%s", text, article);
		if (!(*out = crm_buf_detach(&b)))
			rc = crm_error_nomem();
	}
	free(article);
	return rc;
}

static const char *const link_kinds[] = { "kb", "deal", "ticket", NULL };

int crm_ticket_link(crm_db *db, int64_t id, const char *kind, int64_t target, int *changed)
{
	static const char *const tables[] = { "articles", "deals", "tickets" };
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	size_t k = 0;
	int rc;

	*changed = 0;
	while (link_kinds[k] && strcmp(link_kinds[k], kind))
		k++;
	if (!link_kinds[k])
		return crm_error_set(CRM_EUSAGE, "cannot link a ticket to a '%s'", kind);
	if (k == 2 && target == id)
		return crm_error_set(CRM_EDATA, "a ticket cannot be linked to itself");
	if ((rc = crm_entity_editable(db, &crm_ticket_entity, id)))
		return rc;
	crm_buf_printf(&sql, "SELECT 1 FROM %s WHERE id = ?1", tables[k]);
	if ((rc = crm_db_stmt(db, &st, crm_buf_str(&sql))) == CRM_OK) {
		crm_stmt_bind_int(st, 1, target);
		rc = crm_stmt_step(st);
		crm_stmt_reset(st);
		rc = rc == CRM_ROW ? CRM_OK : rc == CRM_DONE ? crm_error_set(CRM_ENOTFOUND,
		        "no %s %lld", k == 0 ? "article" : kind, (long long)target) : rc;
	}
	crm_buf_free(&sql);
	if (!rc && !(rc = crm_db_stmt(db, &st, "INSERT OR IGNORE INTO ticket_links(ticket_id, kind,"
	                              " target) VALUES (?1, ?2, ?3)"))) {
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, kind);
		crm_stmt_bind_int(st, 3, target);
		if (!(rc = crm_stmt_done(st)))
			*changed = crm_db_changes(db) > 0;
	}
	if (!rc && *changed) {
		char what[48];

		snprintf(what, sizeof what, "%s %lld", kind, (long long)target);
		rc = crm_audit_change(db, "ticket", id, "link", "links", NULL, what);
	}
	return rc;
}

/* Calls fn for each row sql (?1: ticket id) gives, once the ticket is there. */
static int each_of_ticket(crm_db *db, int64_t id, const char *sql,
                          int (*fn)(void *arg, const char *const *vals), void *arg)
{
	int rc = crm_entity_exists(db, &crm_ticket_entity, id);

	return rc ? rc : crm_db_each(db, sql, id, fn, arg);
}

int crm_ticket_thread(crm_db *db, int64_t id, int (*fn)(void *arg, const char *const *vals),
                      void *arg)
{
	return each_of_ticket(db, id, "SELECT at, kind, coalesce(author, (SELECT email FROM contacts"
	                   " WHERE id = m.contact_id)), body, id, subject, date, message_id,"
	                   " in_reply_to, (SELECT count(*) FROM ticket_attachments"
	                   " WHERE message = m.id) FROM ticket_messages m"
	                   " WHERE ticket_id = ?1 ORDER BY at, id", fn, arg);
}

int crm_ticket_attachments(crm_db *db, int64_t id,
                           int (*fn)(void *arg, const char *const *vals), void *arg)
{
	return each_of_ticket(db, id, "SELECT a.id, a.message, a.name, a.type, a.size,"
	                   " CASE WHEN a.data IS NULL THEN 'no' ELSE 'yes' END"
	                   " FROM ticket_messages m JOIN ticket_attachments a ON a.message = m.id"
	                   " WHERE m.ticket_id = ?1 ORDER BY m.at, m.id, a.id", fn, arg);
}

int crm_ticket_attachment(crm_db *db, int64_t n, crm_buf *out, char **type)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT data, size, coalesce(name, 'no name'), type"
	                     " FROM ticket_attachments WHERE id = ?1");

	*type = NULL;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, n);
	if ((rc = crm_stmt_step(st)) == CRM_DONE)
		rc = crm_error_set(CRM_ENOTFOUND, "no attachment %lld", (long long)n);
	else if (rc == CRM_ROW && crm_stmt_kind(st, 0) == CRM_KIND_NULL)
		rc = crm_error_set(CRM_EDATA, "attachment %lld (%s, %lld bytes) was over the"
		                   " desk's attachment_cap: only its name, type and size were kept",
		                   (long long)n, crm_stmt_text(st, 2), (long long)crm_stmt_int(st, 1));
	else if (rc == CRM_ROW) {
		const void *data = crm_stmt_blob(st, 0);
		size_t len = crm_stmt_bytes(st, 0);
		rc = (len && crm_buf_put(out, data, len)) ||
		     (crm_stmt_text(st, 3) && !(*type = strdup(crm_stmt_text(st, 3))))
		     ? crm_error_nomem() : CRM_OK;
	}
	crm_stmt_reset(st);
	return rc;
}

/* Stores in *into the ticket id was merged into, 0 when none;
 * CRM_ENOTFOUND when there is no ticket id. */
static int merged_into(crm_db *db, int64_t id, int64_t *into)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT coalesce(merged_into, 0) FROM tickets WHERE id = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		*into = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	if (rc == CRM_DONE)
		return crm_error_set(CRM_ENOTFOUND, "no ticket %lld", (long long)id);
	return rc < 0 ? rc : CRM_OK;
}

/* Points ticket id at into (0: at none), audited, moving the messages
 * that were written on id (moves) or the ones merged away back. */
static int point(crm_db *db, int64_t id, int64_t into, int64_t was)
{
	char to[24], from[24];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, into ? "UPDATE ticket_messages SET ticket_id = ?2"
	                                     " WHERE ticket_id = ?1"
	                                   : "UPDATE ticket_messages SET ticket_id = origin"
	                                     " WHERE origin = ?1");

	if (!rc) {
		crm_stmt_bind_int(st, 1, id);
		if (into)
			crm_stmt_bind_int(st, 2, into);
		rc = crm_stmt_done(st);
	}
	if (!rc && !(rc = crm_db_stmt(db, &st, "UPDATE tickets SET merged_into = ?2 WHERE id = ?1"))) {
		crm_stmt_bind_int(st, 1, id);
		if (into)
			crm_stmt_bind_int(st, 2, into);
		rc = crm_stmt_done(st);
	}
	snprintf(to, sizeof to, "%lld", (long long)into);
	snprintf(from, sizeof from, "%lld", (long long)was);
	if (!rc)
		rc = crm_audit_change(db, "ticket", id, into ? "merge" : "unmerge", "merged_into",
		                      was ? from : NULL, into ? to : NULL);
	return rc;
}

int crm_ticket_merge_target(crm_db *db, int64_t into)
{
	int64_t b;
	int rc;

	if ((rc = crm_entity_live(db, &crm_ticket_entity, into)) ||
	    (rc = merged_into(db, into, &b)))
		return rc;
	return b ? crm_error_set(CRM_EDATA, "ticket %lld is merged into another", (long long)into)
	         : CRM_OK;
}

/* Moves what is ticket from's -- its messages and comments -- onto into,
 * and marks from merged and closed. */
int crm_ticket_merge(crm_db *db, int64_t from, int64_t into)
{
	int64_t a;
	int rc;

	if (from == into)
		return crm_error_set(CRM_EDATA, "ticket %lld cannot be merged into itself",
		                     (long long)from);
	if ((rc = crm_entity_editable(db, &crm_ticket_entity, from)) ||
	    (rc = crm_ticket_merge_target(db, into)) || (rc = merged_into(db, from, &a)))
		return rc;
	if (a)
		return crm_error_set(CRM_EDATA, "ticket %lld is merged already", (long long)from);
	if (!(rc = point(db, from, into, 0)) && !(rc = set_status(db, from, "closed", NULL)))
		rc = touch(db, into);
	return rc;
}

int crm_ticket_unmerge(crm_db *db, int64_t id)
{
	int64_t into;
	int rc;

	if ((rc = merged_into(db, id, &into)))
		return rc;
	if (!into)
		return crm_error_set(CRM_EDATA, "ticket %lld is not merged", (long long)id);
	if (!(rc = point(db, id, 0, into)) && !(rc = set_status(db, id, "open", NULL)))
		rc = touch(db, into);
	return rc;
}

int64_t crm_ticket_live(crm_db *db, int64_t id)
{
	int64_t into;

	/* Merges chain at most one step: merge refuses to merge into a
	 * merged ticket. */
	if (merged_into(db, id, &into)) {
		crm_error_clear();
		return 0;
	}
	return into ? into : id;
}

const struct crm_entity crm_ticket_entity = {
	.name = "ticket", .table = "tickets", .custom_table = "ticket_custom",
	.custom_fk = "ticket_id", .fts = "tickets_fts", .join = "",
	.defs = ticket_fields, .nfields = NFIELDS(ticket_fields),
	.after_write = ticket_after_write, .synonyms = ticket_synonyms,
	.after_tags = ticket_after_tags,
	.value_synonyms = ticket_values,
	.reindex = crm_ticket_reindex, .tag_table = "ticket_tags", .note_table = "ticket_notes",
	.tag_words = 1, .import_note = ticket_import_note,
	/* Salesforce's reports give a case its number, its data export its
	 * record id as well: the number finds a case either brought. */
	.default_key = "id," SOURCE_ID ",custom.case_number",
	.filters = ticket_filters, .options = ticket_options, .label = "r.subject",
	.filter_check = ticket_filter_check,
};
