/* contact.c - what only people have: consent, export and erasure. */
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/contact.h"
#include "crm/date.h"
#include "crm/entity.h"
#include "crm/norm.h"
#include "crm/output.h"
#include "internal.h"
#include "registry.h"

static const char *const channels[] = { "email", "phone", "sms", "post", "chat", NULL };
static const char *const consent_states[] = { "granted", "denied", "withdrawn", NULL };

static int one_of(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (!strcmp(*words, w))
			return 1;
	return 0;
}

/* Reads person id's consent on channel into old: its status, time and
 * source (each malloc'd, or NULL: none). */
static int consent_read(crm_db *db, int64_t id, const char *channel, char *old[3])
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT status, at, source FROM consents"
	                     " WHERE contact_id = ?1 AND channel = ?2");

	old[0] = old[1] = old[2] = NULL;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, channel);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		for (int i = 0; i < 3; i++)
			if (crm_stmt_text(st, i) && !(old[i] = strdup(crm_stmt_text(st, i))))
				rc = crm_error_nomem();
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

static void consent_free(char *v[3])
{
	for (int i = 0; i < 3; i++)
		free(v[i]);
}

/* Writes person id's consent on channel: status at time at (NULL: now),
 * from source; a NULL status removes it. */
static int consent_put(crm_db *db, int64_t id, const char *channel, const char *status,
                       const char *at, const char *source)
{
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, status ? "INSERT OR REPLACE INTO consents(contact_id,"
	                     " channel, status, source, at) VALUES (?1, ?2, ?3, ?4, ?5)"
	                     : "DELETE FROM consents WHERE contact_id = ?1 AND channel = ?2");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, channel);
	if (status) {
		crm_stmt_bind_text(st, 3, status);
		if (!at)
			crm_db_now(db, now);
		crm_stmt_bind_text(st, 4, source);
		crm_stmt_bind_text(st, 5, at ? at : now);
	}
	return crm_stmt_done(st);
}

static int consent_audit(crm_db *db, int64_t id, const char *channel, const char *const old[3],
                         const char *const new[3]);

int crm_contact_consent_set(crm_db *db, int64_t id, const char *channel,
                            const char *status, const char *source)
{
	char now[CRM_TIME_LEN], *old[3];
	const char *new[3] = { status, now, source };
	int rc;

	if ((rc = crm_entity_editable(db, &crm_contact_entity, id)))
		return rc;
	if (!one_of(channels, channel))
		return crm_error_set(CRM_EDATA, "invalid channel '%s' (expected email, phone, sms,"
		                     " post or chat)", channel);
	if (!one_of(consent_states, status))
		return crm_error_set(CRM_EDATA, "invalid consent '%s' (expected granted, denied"
		                     " or withdrawn)", status);
	if (source && !crm_utf8_valid_p(source, strlen(source)))
		return crm_error_set(CRM_EDATA, "source is not valid UTF-8");
	/* The audit keeps the decision replaced whole, its time and source
	 * too: the evidence of a consent outlives a newer one. */
	crm_db_now(db, now);
	if (!(rc = consent_read(db, id, channel, old)) &&
	    !(rc = consent_put(db, id, channel, status, now, source)))
		rc = consent_audit(db, id, channel, (const char *const *)old, new);
	consent_free(old);
	return rc;
}

int crm_contact_channel_p(const char *channel)
{
	return one_of(channels, channel);
}

/* The audit entry of a consent changed from old (status, at, source; each
 * may be NULL) to new: enough to put the old back. */
static int consent_audit(crm_db *db, int64_t id, const char *channel, const char *const old[3],
                         const char *const new[3])
{
	static const char *const keys[3] = { NULL, "at", "source" };
	json_t *o = json_object();
	char name[64], *text = NULL;
	int rc;

	snprintf(name, sizeof name, "consent.%s", channel);
	for (int i = 0; o && i < 3; i++) {
		json_t *pair = json_pack("[s?s?]", old[i], new[i]);

		/* jansson takes only UTF-8: a value it refuses is no entry. */
		if (!pair || json_object_set_new(o, i ? keys[i] : name, pair)) {
			json_decref(o);
			return crm_error_set(CRM_EDATA, "consent.%s: its source is not valid UTF-8",
			                     channel);
		}
	}
	if (!o || !(text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		rc = crm_error_nomem();
	else
		rc = crm_audit_add(db, "contact", id, "consent", text);
	free(text);
	json_decref(o);
	return rc;
}

int crm_contact_consent_import(crm_db *db, int64_t id, const char *channel, const char *status,
                               const char *at, const char *source, int *changed)
{
	char now[CRM_TIME_LEN], *old[3];
	const char *new[3] = { status, at, source };
	int rc = consent_read(db, id, channel, old);

	*changed = 0;
	if (rc)
		goto out;
	/* Consent is evidence: what was recorded stays unless the import's is
	 * news, and a grant of no known time does not undo a refusal. */
	if (old[0] && (!strcmp(old[0], status) ||
	               (at ? strcmp(at, old[1]) <= 0 : !strcmp(status, "granted"))))
		goto out;
	if (!at) {
		crm_db_now(db, now);
		new[1] = at = now;
	}
	if (!(rc = consent_put(db, id, channel, status, at, source)) &&
	    !(rc = consent_audit(db, id, channel, (const char *const *)old, new)))
		*changed = 1;
out:
	consent_free(old);
	return rc;
}

int crm_contact_consent_restore(crm_db *db, int64_t id, const char *channel, const char *status,
                                const char *at, const char *source)
{
	return consent_put(db, id, channel, status, at, source);
}

int crm_contact_consent_list(crm_db *db, int64_t id,
                             int (*fn)(void *arg, const char *const *vals), void *arg)
{
	crm_stmt *st;
	const char *vals[4];
	int rc, stop = 0;

	if ((rc = crm_entity_exists(db, &crm_contact_entity, id)) ||
	    (rc = crm_db_stmt(db, &st, "SELECT channel, status, source, at FROM consents"
	                      " WHERE contact_id = ?1 ORDER BY channel")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < 4; i++)
			vals[i] = crm_stmt_text(st, i);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}

/* Bytes as a JSON string of their base64. */
static json_t *base64_json(const void *data, size_t n)
{
	gchar *b64 = g_base64_encode(data, n);
	json_t *jv = b64 ? json_string(b64) : NULL;

	g_free(b64);
	return jv;
}

/* Appends the rows of sql (?1 = id) to arr as objects named by column;
 * a column called changes holds JSON and is embedded as such, one called
 * content bytes, given in base64. */
static int rows_json(crm_db *db, const char *sql, int64_t id, json_t *arr)
{
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, sql);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < crm_stmt_columns(st); i++) {
			const char *name = crm_stmt_name(st, i);
			const char *v = crm_stmt_text(st, i);
			json_t *jv;
			if (!v)
				jv = json_null();
			else if (crm_stmt_kind(st, i) == CRM_KIND_INT)
				jv = json_integer(crm_stmt_int(st, i));
			else if (!strcmp(name, "changes"))
				jv = json_loads(v, 0, NULL);
			else if (!strcmp(name, "content"))
				jv = base64_json(crm_stmt_blob(st, i), crm_stmt_bytes(st, i));
			else
				jv = json_string(v);
			json_object_set_new(o, name, jv ? jv : json_null());
		}
		json_array_append_new(arr, o);
	}
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The messages of the tickets the person (contact ?1) asked, those
 * merged from them into another's (the desk's answers to them too), and
 * the ones they wrote on others'. */
#define THEIR_MESSAGES \
	"(contact_id = ?1 OR ticket_id IN (SELECT id FROM tickets WHERE requester_id = ?1)" \
	" OR origin IN (SELECT id FROM tickets WHERE requester_id = ?1))"

/* The addresses person ?1 is known by: their own, those their campaign
 * mail went to, and those a merge kept of the records it took in. */
#define THEIR_ADDRESSES \
	"(SELECT email_norm FROM contacts WHERE id = ?1 UNION SELECT lower(trim(email))" \
	" FROM campaign_sends WHERE contact_id = ?1 AND email IS NOT NULL" \
	" UNION SELECT lower(trim(value)) FROM contact_custom WHERE contact_id = ?1" \
	" AND key GLOB 'email[0-9]*')"

static int export_sections(crm_db *db, int64_t id, json_t *doc)
{
	static const struct {
		const char *name;
		const char *sql;
	} sections[] = {
		{ "contact", "SELECT id, first_name, last_name, email, phone, phone_e164, company_id,"
		             " title, street, city, region, postal_code, country, birth_date, language,"
		             " source, owner, status, created_at, updated_at, archived_at, erased_at"
		             " FROM contacts WHERE id = ?1" },
		{ "company", "SELECT co.id, co.name, co.domain, co.website FROM companies co"
		             " JOIN contacts c ON c.company_id = co.id WHERE c.id = ?1" },
		{ "custom", "SELECT key, value FROM contact_custom WHERE contact_id = ?1 ORDER BY key" },
		{ "tags", "SELECT tag FROM contact_tags WHERE contact_id = ?1 ORDER BY tag" },
		{ "interactions", "SELECT id, kind, at, body, owner, created_at FROM interactions"
		                  " WHERE contact_id = ?1 ORDER BY at, id" },
		{ "consent", "SELECT channel, status, source, at FROM consents WHERE contact_id = ?1"
		             " ORDER BY channel" },
		{ "audit", "SELECT seq, at, user, program, action, " CRM_AUDIT_CHANGES " AS changes"
		           " FROM audit"
		           " WHERE entity = 'contact' AND entity_id = ?1 ORDER BY seq" },
		{ "deals", "SELECT id, title, crm_money(amount, amount_currency) AS amount, pipeline,"
		           " stage, status, expected_close, closed_at, owner, created_at FROM deals"
		           " WHERE contact_id = ?1 ORDER BY id" },
		{ "tasks", "SELECT id, title, due, status, done_at, owner, created_at FROM tasks"
		           " WHERE contact_id = ?1 ORDER BY id" },
		/* With the sends a merge took off the records it took in (the
		 * same campaign twice), which its journal keeps for unmerge. */
		{ "campaign_mail", "SELECT s.campaign_id AS campaign, c.name, s.occurrence, s.state,"
		                   " s.reason, s.email, s.message_id, s.at, s.sent_at, s.bounced_at,"
		                   " s.replied_at, s.unsubscribed_at FROM (SELECT id, campaign_id,"
		                   " occurrence, state, reason, email, message_id, at, sent_at, bounced_at,"
		                   " replied_at, unsubscribed_at FROM campaign_sends WHERE contact_id = ?1"
		                   " UNION ALL SELECT j.value ->> 'id', j.value ->> 'campaign_id',"
		                   " j.value ->> 'occurrence', j.value ->> 'state', j.value ->> 'reason',"
		                   " j.value ->> 'email', j.value ->> 'message_id', j.value ->> 'at',"
		                   " j.value ->> 'sent_at', j.value ->> 'bounced_at',"
		                   " j.value ->> 'replied_at', j.value ->> 'unsubscribed_at'"
		                   " FROM merges m, json_each(m.journal, '$.dropped.campaign_sends') j"
		                   " WHERE m.survivor = ?1 AND m.undone_at IS NULL) s"
		                   " JOIN campaigns c ON c.id = s.campaign_id ORDER BY s.id" },
		{ "record_custom", "SELECT 'deal' AS record, k.deal_id AS id, k.key, k.value"
		                   " FROM deal_custom k JOIN deals r ON r.id = k.deal_id"
		                   " WHERE r.contact_id = ?1"
		                   " UNION ALL SELECT 'task', k.task_id, k.key, k.value FROM task_custom k"
		                   " JOIN tasks r ON r.id = k.task_id WHERE r.contact_id = ?1"
		                   " UNION ALL SELECT 'ticket', k.ticket_id, k.key, k.value"
		                   " FROM ticket_custom k JOIN tickets r ON r.id = k.ticket_id"
		                   " WHERE r.requester_id = ?1"
		                   " UNION ALL SELECT 'response', k.response_id, k.key, k.value"
		                   " FROM response_custom k JOIN responses r ON r.id = k.response_id"
		                   " WHERE r.contact_id = ?1 ORDER BY 1, 2, 3" },
		{ "notes", "SELECT 'deal' AS record, n.deal_id AS id, n.kind, n.at, n.body, n.owner"
		           " FROM deal_notes n JOIN deals r ON r.id = n.deal_id WHERE r.contact_id = ?1"
		           " UNION ALL SELECT 'task', n.task_id, n.kind, n.at, n.body, n.owner"
		           " FROM task_notes n JOIN tasks r ON r.id = n.task_id WHERE r.contact_id = ?1"
		           " UNION ALL SELECT 'ticket', n.ticket_id, n.kind, n.at, n.body, n.owner"
		           " FROM ticket_notes n JOIN tickets r ON r.id = n.ticket_id"
		           " WHERE r.requester_id = ?1"
		           " UNION ALL SELECT 'purchase', n.purchase_id, n.kind, n.at, n.body, n.owner"
		           " FROM purchase_notes n JOIN purchases r ON r.id = n.purchase_id"
		           " WHERE r.contact_id = ?1"
		           " UNION ALL SELECT 'response', n.response_id, n.kind, n.at, n.body, n.owner"
		           " FROM response_notes n JOIN responses r ON r.id = n.response_id"
		           " WHERE r.contact_id = ?1 ORDER BY 1, 2, 4" },
		{ "tickets", "SELECT id, subject, status, priority, queue, channel, assignee,"
		             " created_at, solved_at, closed_at FROM tickets WHERE requester_id = ?1"
		             " ORDER BY id" },
		/* from: who wrote it, as the thread shows, so that what others
		 * wrote on the person's tickets can be told from their own. */
		{ "ticket_messages", "SELECT ticket_id AS ticket, kind, at, author,"
		                     " coalesce(author, (SELECT email FROM contacts"
		                     " WHERE id = m.contact_id)) AS \"from\", contact_id IS ?1 AS own,"
		                     " subject, body FROM ticket_messages m WHERE " THEIR_MESSAGES
		                     " ORDER BY at, id" },
		/* The files that came with those messages, their content in
		 * base64 (none past the attachment cap, which kept none). */
		{ "ticket_attachments", "SELECT m.ticket_id AS ticket, a.message, a.name, a.type,"
		                        " a.size, a.data AS content FROM ticket_attachments a"
		                        " JOIN ticket_messages m ON m.id = a.message WHERE a.message IN"
		                        " (SELECT id FROM ticket_messages WHERE " THEIR_MESSAGES ")"
		                        " ORDER BY a.id" },
		{ "purchases", "SELECT id, at, order_ref, source, channel,"
		               " crm_money(total, total_currency) AS total, status, refund_of,"
		               " created_at FROM purchases WHERE contact_id = ?1 ORDER BY id" },
		{ "purchase_lines", "SELECT l.purchase_id AS purchase, l.line, l.sku, l.name,"
		                    " l.category, l.quantity,"
		                    " crm_money(l.unit_price, p.total_currency) AS unit_price"
		                    " FROM purchase_lines l JOIN purchases p ON p.id = l.purchase_id"
		                    " WHERE p.contact_id = ?1 ORDER BY 1, 2" },
		{ "purchase_custom", "SELECT k.purchase_id AS purchase, k.key, k.value"
		                     " FROM purchase_custom k JOIN purchases p ON p.id = k.purchase_id"
		                     " WHERE p.contact_id = ?1 ORDER BY 1, 2" },
		{ "responses", "SELECT id, kind, score, comment, at, ticket_id AS ticket, channel,"
		               " created_at FROM responses WHERE contact_id = ?1 ORDER BY id" },
		{ "surveys", "SELECT ticket_id AS ticket, message_id, sent_at, response_id AS response"
		             " FROM surveys WHERE contact_id = ?1 ORDER BY sent_at, id" },
		{ "loyalty", "SELECT at, kind, points, expires, purchase_id AS purchase, rule, reward,"
		             " reason FROM loyalty_ledger WHERE contact_id = ?1 ORDER BY at, id" },
		{ "loyalty_cards", "SELECT number, status, replaced_by, issued_at, changed_at"
		                   " FROM loyalty_cards WHERE contact_id = ?1 ORDER BY id" },
		/* What the programme made of them, and the lists they were put on. */
		{ "loyalty_tiers", "SELECT at, tier, reason FROM loyalty_tiers WHERE contact_id = ?1"
		                   " ORDER BY at, id" },
		{ "segments", "SELECT g.name AS segment, g.snapshot_at FROM segment_members m"
		              " JOIN segments g ON g.id = m.segment_id WHERE m.contact_id = ?1"
		              " ORDER BY g.name" },
		{ "bounces", "SELECT email, kind, status, diagnostic, at FROM mail_bounces"
		             " WHERE email IN " THEIR_ADDRESSES " OR send_id IN (SELECT id"
		             " FROM campaign_sends WHERE contact_id = ?1) ORDER BY at, id" },
	};
	int rc = CRM_OK;

	for (size_t i = 0; i < sizeof sections / sizeof sections[0] && !rc; i++) {
		json_t *arr = json_array();
		rc = rows_json(db, sections[i].sql, id, arr);
		/* One person, one company: those two are objects, not lists. */
		if (i < 2)
			json_object_set(doc, sections[i].name,
			                json_array_size(arr) ? json_array_get(arr, 0) : json_null());
		else
			json_object_set(doc, sections[i].name, arr);
		json_decref(arr);
	}
	return rc;
}

int crm_contact_export(crm_db *db, int64_t id, char **out)
{
	json_t *doc;
	int rc;

	*out = NULL;
	if ((rc = crm_entity_exists(db, &crm_contact_entity, id)))
		return rc;
	if (!(doc = json_object()))
		return crm_error_nomem();
	json_object_set_new(doc, "format", json_string("crm-export-data/1"));
	rc = export_sections(db, id, doc);
	if (!rc && !(*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		rc = crm_error_nomem();
	json_decref(doc);
	return rc;
}

/* The audit entries of the person's records of entity (in table, theirs
 * by column) without the custom fields erase deletes: all but the other
 * system's id. */
#define WITHOUT_CUSTOM(entity, table, column) \
	("UPDATE audit SET changes = (SELECT json_group_object(j.key, CASE WHEN j.type IN" \
	 " ('array', 'object') THEN json(j.value) ELSE j.value END) FROM json_each(audit.changes) j" \
	 " WHERE j.key NOT LIKE 'custom.%' OR j.key = 'custom.source_id')" \
	 " WHERE entity = '" entity "' AND instr(changes, '\"custom.') > 0" \
	 " AND entity_id IN (SELECT id FROM " table " WHERE " column " = ?1)")

/* The statements that erase one person's data, ?1 being the contact id. */
static const char *const erase_sql[] = {
	/* Bounces are kept by address: the person's go before they do. */
	("DELETE FROM mail_bounces WHERE email IN " THEIR_ADDRESSES
	 " OR send_id IN (SELECT id FROM campaign_sends WHERE contact_id = ?1)"),
	"DELETE FROM mail_bounced WHERE email IN " THEIR_ADDRESSES,
	/* The send log keeps that a message went, not where: nor does a row
	 * of no one at one of their addresses (a merge left such rows before
	 * it took the log along). */
	("UPDATE campaign_sends SET email = NULL WHERE contact_id IS NULL"
	 " AND lower(trim(email)) IN " THEIR_ADDRESSES),
	"UPDATE campaign_sends SET email = NULL WHERE contact_id = ?1",
	"DELETE FROM segment_members WHERE contact_id = ?1",
	"UPDATE contacts SET first_name = NULL, last_name = NULL, name_key = NULL,"
	" email = NULL, email_norm = NULL, email_key = NULL, phone = NULL,"
	" phone_e164 = NULL, tags = NULL, title = NULL, street = NULL, city = NULL, region = NULL,"
	" postal_code = NULL, birth_date = NULL, language = NULL, source = NULL,"
	" erased_at = ?2, updated_at = ?2, archived_at = coalesce(archived_at, ?2)"
	" WHERE id = ?1",
	"DELETE FROM contact_custom WHERE contact_id = ?1",
	"DELETE FROM contact_tags WHERE contact_id = ?1",
	"DELETE FROM interactions WHERE contact_id = ?1",
	/* Scores stay, anonymous, so that NPS and CSAT still add up. */
	"UPDATE responses SET comment = NULL WHERE contact_id = ?1",
	"DELETE FROM response_notes WHERE response_id IN (SELECT id FROM responses WHERE contact_id = ?1)",
	/* A survey tool's custom fields (the respondent's IP address, their
	 * answers to other questions) are about them; the tool's own id
	 * stays, as a shop's does below. */
	("DELETE FROM response_custom WHERE key <> 'source_id' AND response_id IN"
	 " (SELECT id FROM responses WHERE contact_id = ?1)"),
	WITHOUT_CUSTOM("response", "responses", "contact_id"),
	("UPDATE audit SET changes = json_remove(changes, '$.comment') WHERE entity = 'response'"
	 " AND entity_id IN (SELECT id FROM responses WHERE contact_id = ?1)"),
	"UPDATE consents SET source = NULL WHERE contact_id = ?1",
	/* What the person wrote to the desk and what was written back to
	 * them: their tickets keep their times, statuses and kinds of message
	 * for the service figures, not the text, the attachments, the ids
	 * their mail came with, the notes or the subject in the history. */
	("DELETE FROM mail_seen WHERE message_id IN (SELECT message_id FROM ticket_messages"
	 " WHERE " THEIR_MESSAGES ")"),
	("DELETE FROM ticket_attachments WHERE message IN (SELECT id FROM ticket_messages"
	 " WHERE " THEIR_MESSAGES ")"),
	("UPDATE ticket_messages SET subject = NULL, body = '', message_id = NULL,"
	 " in_reply_to = NULL, author = CASE WHEN kind = 'customer' THEN NULL ELSE author END"
	 " WHERE " THEIR_MESSAGES),
	"DELETE FROM ticket_notes WHERE ticket_id IN (SELECT id FROM tickets WHERE requester_id = ?1)",
	("DELETE FROM ticket_custom WHERE key <> 'source_id' AND ticket_id IN"
	 " (SELECT id FROM tickets WHERE requester_id = ?1)"),
	WITHOUT_CUSTOM("ticket", "tickets", "requester_id"),
	("UPDATE audit SET changes = json_remove(changes, '$.subject') WHERE entity = 'ticket'"
	 " AND entity_id IN (SELECT id FROM tickets WHERE requester_id = ?1)"),
	"UPDATE tickets SET subject = '' WHERE requester_id = ?1",
	/* Their purchases keep what makes the figures (below), not the notes
	 * and custom fields written about them (a gift message), but for the
	 * shop's own id, which finds the order again on a later import. */
	"DELETE FROM purchase_notes WHERE purchase_id IN (SELECT id FROM purchases WHERE contact_id = ?1)",
	("DELETE FROM purchase_custom WHERE key <> 'source_id' AND purchase_id IN"
	 " (SELECT id FROM purchases WHERE contact_id = ?1)"),
	WITHOUT_CUSTOM("purchase", "purchases", "contact_id"),
	"UPDATE audit SET changes = NULL WHERE entity = 'contact' AND entity_id = ?1",
	/* A merge that took the person in (undone since, or they would not
	 * be here) wrote their values into its survivor's history, in the
	 * survivor's "set" between their "merged" entry and the merge's last. */
	("UPDATE audit AS a SET changes = NULL WHERE a.entity = 'contact' AND a.action = 'set'"
	 " AND EXISTS (SELECT 1 FROM merges m"
	 " WHERE instr(',' || m.merged || ',', ',' || ?1 || ',') > 0"
	 " AND a.entity_id = m.survivor AND a.seq < m.last_seq"
	 " AND a.seq > (SELECT max(seq) FROM audit WHERE entity = 'contact' AND entity_id = ?1"
	 " AND action = 'merged' AND seq < m.last_seq))"),
	"DELETE FROM contacts_fts WHERE rowid = ?1",
	/* A merge journal keeps the rows it changed; the person's go with it,
	 * and what is left says who was erased (the merge cannot be undone). */
	("UPDATE merges SET journal = json_object('erased', ?1) WHERE survivor = ?1"
	 " OR instr(',' || merged || ',', ',' || ?1 || ',') > 0"),
	/* The points ledger keeps its entries for the programme's figures, as
	 * purchases do, but not whose they were; points, tier and cards go. */
	"DELETE FROM loyalty_lots WHERE contact_id = ?1",
	"DELETE FROM loyalty_owed WHERE contact_id = ?1",
	"DELETE FROM loyalty_tiers WHERE contact_id = ?1",
	"DELETE FROM loyalty_cards WHERE contact_id = ?1",
	"UPDATE loyalty_ledger SET contact_id = NULL, reason = NULL WHERE contact_id = ?1",
};

/* The records that refer to the person (deals, tasks) keep their own
 * data -- amounts and dates -- but their history named the person by
 * email: of those that refer to them now, the field goes from every
 * entry (an earlier address of theirs is not known to be theirs); of
 * those that did once and refer to someone else since, the person's
 * address leaves the entries that hold it, and whom the record went to
 * or came from stays ("contact: -> ada@..."). Run while the person's
 * email is still there to be found. */
static int erase_history_references(crm_db *db, int64_t id)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	crm_buf sql = CRM_BUF_INIT;
	int rc = CRM_OK;

	for (size_t k = 0; !rc && crm_entity_referrer(&crm_contact_entity, k, &from, &d); k++) {
		const char *f = d->f.name;

		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "UPDATE audit SET changes = json_remove(changes, '$.%s')"
		               " WHERE entity = '%s' AND json_type(changes, '$.%s') IS NOT NULL"
		               " AND entity_id IN (SELECT id FROM %s WHERE %s = ?1)",
		               f, from->name, f, from->table, d->column);
		if ((rc = crm_db_exec_id(db, crm_buf_str(&sql), id)))
			break;
		crm_buf_clear(&sql);
		/* An entry left naming no one loses the field. */
		crm_buf_printf(&sql, "UPDATE audit SET changes = CASE WHEN (SELECT count(*)"
		               " FROM json_each(audit.changes, '$.%s') j, contacts c WHERE c.id = ?1"
		               " AND lower(j.value) IS NOT lower(c.email) AND j.value IS NOT NULL) = 0"
		               " THEN json_remove(changes, '$.%s') ELSE json_set(changes, '$.%s',"
		               " json((SELECT json_group_array(CASE WHEN lower(j.value) = lower(c.email)"
		               " THEN NULL ELSE j.value END) FROM json_each(audit.changes, '$.%s') j,"
		               " contacts c WHERE c.id = ?1))) END"
		               " WHERE entity = '%s' AND json_type(changes, '$.%s') = 'array'"
		               " AND EXISTS (SELECT 1 FROM json_each(audit.changes, '$.%s') j,"
		               " contacts c WHERE c.id = ?1 AND lower(j.value) = lower(c.email))",
		               f, f, f, f, from->name, f, f);
		rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
	}
	crm_buf_free(&sql);
	return rc;
}

/* ... and their search entries' copies of the name go, rebuilt, then
 * merged so that no old segment keeps the terms. */
static int erase_references(crm_db *db, int64_t id)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	crm_buf sql = CRM_BUF_INIT;
	int rc = crm_entity_reindex_referrers(db, &crm_contact_entity, "= ?1", id);

	for (size_t k = 0; !rc && crm_entity_referrer(&crm_contact_entity, k, &from, &d); k++) {
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "INSERT INTO %s(%s) VALUES ('optimize')", from->fts, from->fts);
		rc = crm_db_exec(db, crm_buf_str(&sql));
	}
	crm_buf_free(&sql);
	return rc;
}

static int erase_rows(crm_db *db, int64_t id)
{
	crm_stmt *st;
	char now[CRM_TIME_LEN];
	int rc = CRM_OK;

	crm_db_now(db, now);
	rc = erase_history_references(db, id);
	for (size_t i = 0; i < sizeof erase_sql / sizeof erase_sql[0] && !rc; i++) {
		if ((rc = crm_db_stmt(db, &st, erase_sql[i])))
			break;
		crm_stmt_bind_int(st, 1, id);
		if (crm_stmt_params(st) > 1)
			crm_stmt_bind_text(st, 2, now);
		rc = crm_stmt_done(st);
	}
	/* The tickets they wrote on as someone else's requester (or that
	 * were theirs and were given to someone else) lose the text in their
	 * search entries too; their own tickets are among the references. */
	if (!rc)
		rc = crm_ticket_reindex(db, "id IN (SELECT ticket_id FROM ticket_messages"
		                        " WHERE " THEIR_MESSAGES ")", id);
	if (!rc)
		rc = erase_references(db, id);
	/* Purchases keep their amounts, dates and lines for the figures, but
	 * no longer say whose they were: what someone bought is personal. */
	if (!rc)
		rc = crm_db_exec_id(db, "UPDATE purchases SET contact_id = NULL WHERE contact_id = ?1",
		                    id);
	/* Merge the index segments so no old segment still lists the terms. */
	if (!rc)
		rc = crm_db_exec(db, "INSERT INTO contacts_fts(contacts_fts) VALUES ('optimize')");
	if (!rc)
		rc = crm_audit_add(db, "contact", id, "erase", NULL);
	return rc;
}

int crm_contact_erase(crm_db *db, int64_t id)
{
	int rc;

	if ((rc = crm_db_begin(db, true)))
		return rc;
	if ((rc = crm_entity_exists(db, &crm_contact_entity, id)) || (rc = erase_rows(db, id))) {
		crm_db_rollback(db);
		return rc;
	}
	if ((rc = crm_db_commit(db)))
		return rc;
	/* The WAL still holds the old pages: copy back and truncate it.  With
	 * secure_delete on, the freed space in the main file is zeroed too.
	 * A reader's snapshot keeps them there meanwhile: the erasure is
	 * done, not yet its wiping, which a second erase finishes. */
	if ((rc = crm_db_checkpoint(db))) {
		char why[256];

		snprintf(why, sizeof why, "%s", crm_error_message());
		return crm_error_set(CRM_EFAIL, "erased, but the old values stay in the database's"
		                     " log while another program reads it (%s): erase again once"
		                     " it is done", why);
	}
	return CRM_OK;
}
