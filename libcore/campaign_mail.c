/* campaign_mail.c - what comes back from a campaign: unsubscribe tokens,
 * delivery status reports (bounces) and replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "crm/contact.h"
#include "crm/date.h"
#include "crm/entity.h"
#include "crm/mail.h"
#include "crm/merge.h"
#include "crm/norm.h"
#include "campaign_impl.h"

/* ---- unsubscribing ---- */

/* Splits "C.P.SIG" into its numbers; 0 when it is not of that shape. */
static int token_parts(const char *token, int64_t *campaign, int64_t *person)
{
	char *end;
	const char *sig;
	size_t n;

	if (!token || *token < '1' || *token > '9')
		return 0;
	*campaign = strtoll(token, &end, 10);
	if (*end != '.' || end[1] < '1' || end[1] > '9')
		return 0;
	*person = strtoll(end + 1, &end, 10);
	if (*end != '.')
		return 0;
	sig = end + 1;
	n = strspn(sig, "0123456789abcdef");
	return n == 24 && !sig[n];
}

/* Compares the n bytes of a and b in a time that does not depend on
 * where they differ, so that a signature cannot be found byte by byte. */
static int same(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* Sets u->was from the email consent of u->person. */
static int consent_found(crm_db *db, struct crm_unsubscribe *u)
{
	char *status = NULL;
	int rc = crm_db_text_of(db, "SELECT CASE WHEN erased_at IS NOT NULL THEN 'erased' ELSE"
	                        " coalesce((SELECT status FROM consents WHERE contact_id = c.id"
	                        " AND channel = 'email'), 'none') END FROM contacts c"
	                        " WHERE id = ?1", u->person, &status);

	if (rc)
		return rc;
	u->was = !status                       ? CRM_UNSUB_GONE
	         : !strcmp(status, "erased")    ? CRM_UNSUB_ERASED
	         : !strcmp(status, "granted")   ? CRM_UNSUB_WITHDRAWN
	         : !strcmp(status, "withdrawn") ? CRM_UNSUB_ALREADY
	         : !strcmp(status, "denied")    ? CRM_UNSUB_DENIED
	                                        : CRM_UNSUB_NONE;
	free(status);
	return CRM_OK;
}

/* Notes the unsubscribe on the person's messages of the campaign (moved
 * to them by a merge, if it took them in); one they were left out of is
 * no message (a token from a preview). */
static int note_unsubscribe(crm_db *db, int64_t campaign, int64_t person)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "UPDATE campaign_sends SET unsubscribed_at = crm_now()"
	                     " WHERE campaign_id = ?1 AND contact_id = ?2 AND unsubscribed_at IS NULL"
	                     " AND state <> 'excluded'");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, campaign);
	crm_stmt_bind_int(st, 2, person);
	return crm_stmt_done(st);
}

int crm_campaign_unsubscribe(crm_db *db, const char *token, struct crm_unsubscribe *u)
{
	char want[CRM_TOKEN_MAX], source[64];
	int64_t campaign;
	int rc;

	memset(u, 0, sizeof *u);
	if (!token_parts(token, &campaign, &u->named) || strlen(token) >= CRM_TOKEN_MAX)
		return crm_error_set(CRM_EDATA, "invalid unsubscribe token '%.80s'", token ? token : "");
	if ((rc = crm_campaign_token(db, campaign, u->named, want)))
		return rc;
	if (strlen(want) != strlen(token) || !same(want, token, strlen(want)))
		return crm_error_set(CRM_EDATA, "invalid unsubscribe token '%.80s'", token);
	if ((rc = crm_merge_survivor(db, u->named, &u->person)) || (rc = consent_found(db, u)))
		return rc;
	/* Nothing new is kept of someone erased, nor of someone gone. */
	if (u->was == CRM_UNSUB_ERASED || u->was == CRM_UNSUB_GONE)
		return CRM_OK;
	snprintf(source, sizeof source, "unsubscribe: campaign %lld", (long long)campaign);
	if (u->was == CRM_UNSUB_WITHDRAWN &&
	    (rc = crm_contact_consent_set(db, u->person, "email", "withdrawn", source)))
		return rc;
	return note_unsubscribe(db, campaign, u->person);
}

int crm_campaign_mail_unsubscribe(crm_db *db, const struct crm_mail *m,
                                  struct crm_unsubscribe *u)
{
	const char *s = m->subject ? m->subject + strspn(m->subject, " \t") : "";
	char token[CRM_TOKEN_MAX];
	size_t n;
	int rc;

	memset(u, 0, sizeof *u);
	if (strncasecmp(s, "unsubscribe", 11) || !strchr(" \t:", s[11]))
		return 0;
	s += 11;
	s += strspn(s, " \t:");
	if (!(n = strcspn(s, " \t\r\n")) || n >= sizeof token)
		return crm_error_set(CRM_EDATA, "invalid unsubscribe token '%.*s'", (int)(n > 80 ? 80 : n),
		                     s);
	memcpy(token, s, n);
	token[n] = '\0';
	return (rc = crm_campaign_unsubscribe(db, token, u)) ? rc : 1;
}

/* ---- bounces ---- */

/* The send a report is about: the one whose Message-ID it returns, else
 * the latest to the address; -1 when that send was to a person since
 * erased, whose address nothing may hold again. */
static int64_t send_of(crm_db *db, const char *mid, const char *email)
{
	crm_stmt *st;
	int64_t id = 0;

	if (crm_db_stmt(db, &st, "SELECT s.id, c.erased_at IS NOT NULL FROM (SELECT 0 AS k, id,"
	                " contact_id FROM campaign_sends WHERE message_id = ?1 UNION ALL SELECT * FROM"
	                " (SELECT 1, id, contact_id FROM campaign_sends WHERE lower(email) = ?2"
	                " AND state <> 'excluded' ORDER BY at DESC, id DESC LIMIT 1)) s"
	                " LEFT JOIN contacts c ON c.id = s.contact_id ORDER BY s.k LIMIT 1"))
		return 0;
	crm_stmt_bind_text(st, 1, mid);
	crm_stmt_bind_text(st, 2, email);
	if (crm_stmt_step(st) == CRM_ROW)
		id = crm_stmt_int(st, 1) ? -1 : crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return id;
}

/* Counts the soft bounces of email in the window before at. */
static int soft_count(crm_db *db, const char *email, const char *at, int64_t *n)
{
	const struct crm_campaign_config *cc = crm_config_campaign(db->cfg);
	char day[CRM_DATE_LEN], from[CRM_DATE_LEN];
	crm_stmt *st;
	int rc;

	*n = 0;
	snprintf(day, sizeof day, "%.10s", at);
	if ((rc = crm_date_add_days(from, day, -cc->soft_bounce_window)) ||
	    (rc = crm_db_stmt(db, &st, "SELECT count(*) FROM mail_bounces WHERE email = ?1"
	                      " AND kind = 'soft' AND at > ?2 AND at <= ?3")))
		return rc;
	crm_stmt_bind_text(st, 1, email);
	crm_stmt_bind_text(st, 2, from);
	crm_stmt_bind_text(st, 3, at);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		*n = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Marks email as not to be written to again. */
static int mark_bounced(crm_db *db, const char *email, const char *at, const char *status,
                        const char *why, int64_t send, struct crm_bounce_tally *t)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT OR IGNORE INTO mail_bounced(email, at, status, reason)"
	                     " VALUES (?1, ?2, ?3, ?4)");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, email);
	crm_stmt_bind_text(st, 2, at);
	crm_stmt_bind_text(st, 3, status);
	crm_stmt_bind_text(st, 4, why);
	if ((rc = crm_stmt_done(st)))
		return rc;
	t->marked += crm_db_changes(db);
	if (!send || (rc = crm_db_stmt(db, &st, "UPDATE campaign_sends SET bounced_at = ?2,"
	                               " bounce = ?3 WHERE id = ?1 AND bounced_at IS NULL")))
		return rc;
	crm_stmt_bind_int(st, 1, send);
	crm_stmt_bind_text(st, 2, at);
	crm_stmt_bind_text(st, 3, status);
	return crm_stmt_done(st);
}

/* Records one failed or delayed recipient: by its status class, else by
 * its action (a report may leave either out). */
static int bounce_one(crm_db *db, const struct crm_dsn *d, const struct crm_dsn_rcpt *rcpt,
                      const char *report, const char *at, struct crm_bounce_tally *t)
{
	const char *status = rcpt->status, *action = rcpt->action;
	int cls = status ? status[0] : 0;
	int hard = cls ? cls == '5' : action && !strcmp(action, "failed");
	char *email = NULL;
	int64_t send, soft;
	crm_stmt *st;
	int rc;

	if (!rcpt->recipient || (cls && cls != '4' && cls != '5') || (!cls && !action) ||
	    (action && strcmp(action, "failed") && strcmp(action, "delayed"))) {
		t->ignored++;
		return CRM_OK;
	}
	if ((rc = crm_email_normalize(&email, rcpt->recipient))) {
		if (rc == CRM_ENOMEM)
			return rc;
		crm_error_clear(); /* an address that is none is no one's bounce */
		t->ignored++;
		return CRM_OK;
	}
	if ((send = send_of(db, d->original_id, email)) < 0) {
		free(email);
		t->ignored++;
		return CRM_OK;
	}
	if (!(rc = crm_db_stmt(db, &st, "INSERT OR IGNORE INTO mail_bounces(email, kind, status,"
	                       " diagnostic, at, report, send_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	                       " nullif(?7, 0))"))) {
		crm_stmt_bind_text(st, 1, email);
		crm_stmt_bind_text(st, 2, hard ? "hard" : "soft");
		crm_stmt_bind_text(st, 3, status);
		crm_stmt_bind_text(st, 4, rcpt->diagnostic);
		crm_stmt_bind_text(st, 5, at);
		crm_stmt_bind_text(st, 6, report);
		crm_stmt_bind_int(st, 7, send);
		rc = crm_stmt_done(st);
	}
	/* A report read before changes nothing. */
	if (!rc && crm_db_changes(db)) {
		if (hard) {
			t->hard++;
			rc = mark_bounced(db, email, at, status, "hard", send, t);
		} else if (t->soft++, !(rc = soft_count(db, email, at, &soft)) &&
		           soft >= crm_config_campaign(db->cfg)->soft_bounces) {
			rc = mark_bounced(db, email, at, status, "soft", send, t);
		}
	}
	free(email);
	return rc;
}

int crm_campaign_bounce(crm_db *db, const struct crm_dsn *d, const char *report_id,
                        const char *at, struct crm_bounce_tally *t)
{
	int rc = CRM_OK;

	t->reports++;
	for (size_t i = 0; i < d->nrcpts && !rc; i++)
		rc = bounce_one(db, d, &d->rcpts[i], report_id, at, t);
	return rc;
}

int crm_campaign_report(crm_db *db, const struct crm_mail *m, const char *raw, size_t len,
                        struct crm_bounce_tally *t)
{
	struct crm_dsn *d = NULL;
	char now[CRM_TIME_LEN], *sum = NULL;
	int rc = crm_mail_dsn(&d, raw, len);

	if (rc != 1)
		return rc;
	/* A report without a Message-ID is known by its bytes, so that reading
	 * it again still counts it once. */
	if (!(m && m->message_id) &&
	    !(sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, len)))
		rc = crm_error_nomem();
	crm_db_now(db, now);
	if (rc == 1)
		rc = crm_campaign_bounce(db, d, sum ? sum : m->message_id, m && m->date ? m->date : now,
		                         t);
	g_free(sum);
	crm_dsn_free(d);
	return rc ? rc : 1;
}

/* ---- replies ---- */

/* The send whose message id is mid, with its person and campaign name. */
static int reply_target(crm_db *db, const char *mid, int64_t *send, int64_t *person,
                        char **name)
{
	crm_stmt *st;
	int rc;

	if (!mid)
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "SELECT s.id, s.contact_id, c.name FROM campaign_sends s"
	                      " JOIN campaigns c ON c.id = s.campaign_id WHERE s.message_id = ?1"
	                      " AND s.state <> 'excluded'")))
		return rc;
	crm_stmt_bind_text(st, 1, mid);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		*send = crm_stmt_int(st, 0);
		*person = crm_stmt_int(st, 1);
		rc = (*name = strdup(crm_stmt_text(st, 2))) ? CRM_OK : crm_error_nomem();
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Notes the reply on the person (not an erased one: their notes went). */
static int note_reply(crm_db *db, const struct crm_mail *m, int64_t person, const char *name)
{
	crm_buf body = CRM_BUF_INIT;
	int64_t note;
	char *erased = NULL;
	int rc;

	if (!person || (rc = crm_db_text_of(db, "SELECT erased_at FROM contacts WHERE id = ?1",
	                                    person, &erased)) || erased) {
		free(erased);
		return CRM_OK;
	}
	crm_buf_printf(&body, "Reply to campaign '%s'%s%s\n\n%s", name, m->subject ? ": " : "",
	               m->subject ? m->subject : "", m->text);
	rc = crm_entity_note(db, &crm_contact_entity, person, "email", m->date,
	                     crm_buf_str(&body), &note);
	crm_buf_free(&body);
	return rc;
}

int crm_campaign_reply(crm_db *db, const struct crm_mail *m, int64_t *send)
{
	int64_t person = 0;
	char *name = NULL;
	crm_stmt *st;
	int rc;

	*send = 0;
	if (m->automatic) /* an out-of-office is nobody's answer */
		return 0;
	rc = reply_target(db, m->in_reply_to, send, &person, &name);
	for (size_t i = m->nreferences; !rc && !*send && i-- > 0;)
		rc = reply_target(db, m->references[i], send, &person, &name);
	if (rc || !*send) {
		free(name);
		return rc;
	}
	if (!(rc = crm_db_stmt(db, &st, "UPDATE campaign_sends SET replied_at = coalesce(?2,"
	                       " crm_now()) WHERE id = ?1 AND replied_at IS NULL"))) {
		crm_stmt_bind_int(st, 1, *send);
		crm_stmt_bind_text(st, 2, m->date);
		rc = crm_stmt_done(st);
	}
	/* The first reply is noted; a message read again is not. */
	if (!rc && crm_db_changes(db))
		rc = note_reply(db, m, person, name);
	free(name);
	return rc ? rc : 1;
}
