/* campaign_send.c - sending a campaign through its send log.
 *
 * Each person is one step: in a write transaction their eligibility is
 * looked at afresh (consent, address, bounces, archive) together with
 * their row of the log; an eligible person's row is committed as
 * "sending" before the message is handed off, and marked "sent" in a
 * second transaction after.  A run killed between the two leaves that one
 * row "sending": the next run reports it in doubt and hands it off again
 * only when told to.  The unique constraint on (campaign, person,
 * occurrence) is what makes a second run, or a second process, find the
 * row and skip the person.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crm/date.h"
#include "crm/loyalty.h"
#include "crm/mail.h"
#include "campaign_impl.h"

static const char *const exclusion_names[CRM_EXCLUSIONS] = {
	"no-email", "no-consent", "consent-denied", "consent-withdrawn", "unsubscribed",
	"bounced", "archived", "erased",
};

const char *crm_exclusion_name(int r)
{
	return r >= 0 && r < CRM_EXCLUSIONS ? exclusion_names[r] : NULL;
}

/* ---- delivery ---- */

/* What an mbox of size bytes open on fd needs before a new message's
 * "From " line, which must start a line after a blank one: another
 * program may have left its last message without a line end. */
static const char *mbox_gap(int fd, off_t size)
{
	char end[2] = { '\n', '\n' };

	if (size <= 0)
		return "";
	if (pread(fd, end + (size < 2), size < 2 ? 1 : 2, size < 2 ? 0 : size - 2) < 0)
		return "";
	return end[1] != '\n' ? "\n\n" : end[0] != '\n' ? "\n" : "";
}

/* Appends the message to mbox file path (mboxrd: "From " lines quoted
 * with one more '>'), synced before it counts as handed off. */
static int mbox_append(const char *path, const char *raw, size_t len, const char *now)
{
	crm_buf b = CRM_BUF_INIT;
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return crm_error_set(CRM_EIO, "cannot open '%s': %s", path, strerror(errno));
	if (crm_buf_puts(&b, fstat(fd, &st) ? "" : mbox_gap(fd, st.st_size)) ||
	    crm_mail_mbox_entry(&b, raw, len, now)) {
		close(fd);
		crm_buf_free(&b);
		return crm_error_nomem();
	}
	rc = write(fd, b.ptr, b.len) == (ssize_t)b.len && !fsync(fd) ? CRM_OK :
	     crm_error_set(CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (close(fd) && !rc)
		rc = crm_error_set(CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	crm_buf_free(&b);
	return rc;
}

int campaign_target_check(const char *to)
{
	if (!to || (!strncmp(to, "mbox:", 5) && to[5]) || (!strncmp(to, "maildir:", 8) && to[8]))
		return CRM_OK;
	return crm_error_set(CRM_EUSAGE, "invalid delivery '%s' (mbox:FILE or maildir:DIR)", to);
}

/* Hands the message to target, else to the mail.send command. */
static int deliver(crm_db *db, const char *to, const char *raw, size_t len)
{
	char now[CRM_TIME_LEN], *name = NULL;
	int rc;

	if (!to)
		return crm_mail_send(crm_config_mail(db->cfg)->send, raw, len);
	if (!strncmp(to, "mbox:", 5)) {
		crm_db_now(db, now);
		return mbox_append(to + 5, raw, len, now);
	}
	rc = crm_maildir_deliver(to + 8, raw, len, &name);
	free(name);
	return rc;
}

/* ---- one person ---- */

/* A person's standing for one campaign and occurrence. */
struct standing {
	char *email;
	int reason;       /* an exclusion, or -1: eligible */
	int64_t send;     /* their log row, 0: none */
	char state[12];   /* the row's state */
	char *message_id; /* the row's */
	char logged[24];  /* the reason the row gives for an exclusion */
	int gone;         /* deleted since the run read them */
};

static int reason_of(crm_stmt *st)
{
	const char *consent = crm_stmt_text(st, 3), *source = crm_stmt_text(st, 4);

	if (crm_stmt_int(st, 1))
		return CRM_EXCL_ERASED;
	if (crm_stmt_int(st, 2))
		return CRM_EXCL_ARCHIVED;
	if (!crm_stmt_text(st, 0))
		return CRM_EXCL_NO_EMAIL;
	if (crm_stmt_int(st, 5))
		return CRM_EXCL_BOUNCED;
	if (!consent)
		return CRM_EXCL_NO_CONSENT;
	if (!strcmp(consent, "withdrawn"))
		return source && !strncmp(source, "unsubscribe", 11) ? CRM_EXCL_UNSUBSCRIBED
		                                                     : CRM_EXCL_WITHDRAWN;
	return strcmp(consent, "granted") ? CRM_EXCL_DENIED : -1;
}

static int standing_of(crm_db *db, int64_t campaign, int64_t person, const char *occ,
                       struct standing *s)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT c.email, c.erased_at IS NOT NULL,"
	                     " c.archived_at IS NOT NULL, k.status, k.source,"
	                     " EXISTS (SELECT 1 FROM mail_bounced b WHERE b.email = c.email_norm),"
	                     " s.id, s.state, s.message_id, s.reason"
	                     " FROM contacts c LEFT JOIN consents k ON k.contact_id = c.id"
	                     " AND k.channel = 'email' LEFT JOIN campaign_sends s"
	                     " ON s.campaign_id = ?2 AND s.contact_id = c.id AND s.occurrence = ?3"
	                     " WHERE c.id = ?1");

	memset(s, 0, sizeof *s);
	s->reason = CRM_EXCL_ERASED;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, person);
	crm_stmt_bind_int(st, 2, campaign);
	crm_stmt_bind_text(st, 3, occ);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		s->reason = reason_of(st);
		s->send = crm_stmt_int(st, 6);
		snprintf(s->state, sizeof s->state, "%s", crm_stmt_text(st, 7) ? crm_stmt_text(st, 7) : "");
		s->email = crm_stmt_text(st, 0) ? strdup(crm_stmt_text(st, 0)) : NULL;
		s->message_id = crm_stmt_text(st, 8) ? strdup(crm_stmt_text(st, 8)) : NULL;
		snprintf(s->logged, sizeof s->logged, "%s", crm_stmt_text(st, 9) ? crm_stmt_text(st, 9) : "");
		rc = CRM_OK;
	} else if (rc == CRM_DONE) {
		s->gone = 1;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

static void standing_free(struct standing *s)
{
	free(s->email);
	free(s->message_id);
}

/* What a run is about. */
struct run {
	struct renderer *r;
	const char *occ;
	const char *to;
	const struct crm_send_opts *o;
	int (*fn)(void *arg, const struct crm_send_event *e);
	void *arg;
	struct crm_send_tally *t;
	int stopped; /* a hand-off failed: the others are only counted */
};

/* Writes the person's row in state (with reason, or the address and
 * message id) and, for a trigger's first row of the year, its points. */
static int log_row(struct run *u, int64_t person, const struct standing *s, const char *state,
                   const char *mid, int64_t *send)
{
	crm_db *db = u->r->db;
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO campaign_sends(campaign_id, contact_id,"
	                     " occurrence, state, reason, email, message_id, at)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, crm_now())"
	                     " ON CONFLICT (campaign_id, contact_id, occurrence) DO UPDATE"
	                     " SET state = ?4, reason = ?5, email = ?6, message_id = ?7, at = crm_now()"
	                     " RETURNING id");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, u->r->c->id);
	crm_stmt_bind_int(st, 2, person);
	crm_stmt_bind_text(st, 3, u->occ);
	crm_stmt_bind_text(st, 4, state);
	crm_stmt_bind_text(st, 5, mid ? NULL : crm_exclusion_name(s->reason));
	crm_stmt_bind_text(st, 6, mid ? s->email : NULL);
	crm_stmt_bind_text(st, 7, mid);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		*send = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	if (rc < 0)
		return rc;
	/* Points once a year, whether or not the greeting can be mailed. */
	if (!s->send && u->r->c->points > 0 && s->reason != CRM_EXCL_ERASED &&
	    s->reason != CRM_EXCL_ARCHIVED) {
		char reason[96];
		int64_t entry;

		snprintf(reason, sizeof reason, "%s %s (campaign %lld)", u->r->c->name, u->occ,
		         (long long)u->r->c->id);
		if ((rc = crm_loyalty_adjust(db, person, u->r->c->points, reason, &entry)))
			return rc;
		u->t->points += u->r->c->points;
	}
	return CRM_OK;
}

/* Marks the row sent.  Not waiting for the disk: a mark lost to a power
 * cut leaves the message in doubt, never sent twice, while the row
 * written before the hand-off waited for it. */
static int mark_sent(crm_db *db, int64_t send)
{
	int rc = crm_db_durable(db, false);

	if (!rc && !(rc = crm_db_begin(db, true)) &&
	    !(rc = crm_db_exec_id(db, "UPDATE campaign_sends SET state = 'sent',"
	                          " sent_at = crm_now() WHERE id = ?1", send)))
		rc = crm_db_commit(db);
	if (rc)
		crm_db_rollback(db);
	return rc ? rc : crm_db_durable(db, true);
}

static int tell(struct run *u, int64_t person, int64_t send, const char *email, const char *mid,
                const char *raw, size_t len, int in_doubt)
{
	struct crm_send_event e = { u->r->c->id, person, send, email, mid, u->occ, raw, len,
		                    in_doubt };

	return u->fn ? u->fn(u->arg, &e) : CRM_OK;
}

/* Decides, in the open transaction, what to do for the person: 1 to hand
 * a message off (*mid, *send and *raw set), 0 to go on to the next.  A
 * dry run decides alike and writes nothing. */
static int decide(struct run *u, size_t i, int64_t person, struct standing *s, char **mid,
                  int64_t *send, char **raw, size_t *len)
{
	int dry = u->o->dry_run || u->stopped, rc;

	if (!strcmp(s->state, "sent")) {
		u->t->already++;
		return 0;
	}
	if (!strcmp(s->state, "sending")) {
		/* Sent again only when told, and only to someone who still
		 * may be written to. */
		u->t->in_doubt++;
		if (!u->o->retry_in_doubt || s->reason >= 0 || u->stopped)
			return dry ? 0 : tell(u, person, s->send, s->email, s->message_id, NULL, 0, 1);
		u->t->retried++;
		*send = s->send;
		if (!(*mid = strdup(s->message_id ? s->message_id : "")))
			return crm_error_nomem();
		return (rc = renderer_message(u->r, i, s->email, *mid, raw, len)) ? rc : 1;
	}
	if (s->reason >= 0) {
		u->t->excluded[s->reason]++;
		if (dry || s->gone || !strcmp(s->logged, crm_exclusion_name(s->reason)))
			return 0; /* nothing to write, or logged so already */
		return log_row(u, person, s, "excluded", NULL, send);
	}
	if (u->stopped || (u->o->limit && u->t->sent >= u->o->limit)) {
		u->t->left++;
		return 0;
	}
	/* Composed before the row is written: a message that cannot be made
	 * leaves nothing in doubt. */
	if ((rc = crm_mail_new_id(mid, u->r->c->from)) ||
	    (rc = renderer_message(u->r, i, s->email, *mid, raw, len)))
		return rc;
	return dry ? 1 : (rc = log_row(u, person, s, "sending", *mid, send)) ? rc : 1;
}

/* Waits out the rate between two hand-offs. */
static void pace(long rate)
{
	struct timespec ts;
	long long ns;

	if (rate <= 0)
		return;
	ns = 60000000000LL / rate;
	ts.tv_sec = (time_t)(ns / 1000000000LL);
	ts.tv_nsec = (long)(ns % 1000000000LL);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int send_one(struct run *u, size_t i)
{
	crm_db *db = u->r->db;
	int64_t person = strtoll(people_value(&u->r->ppl, i, "id"), NULL, 10), send = 0;
	struct standing s;
	char *mid = NULL, *raw = NULL;
	size_t len = 0;
	int rc, go;

	if (u->o->dry_run || u->stopped) {
		/* The message the person would get, nothing written; after a
		 * failed hand-off, only whether they are left. */
		if (!(rc = standing_of(db, u->r->c->id, person, u->occ, &s)) &&
		    (go = decide(u, i, person, &s, &mid, &send, &raw, &len)) < 0)
			rc = go;
		if (!rc && raw) {
			u->t->sent++;
			rc = tell(u, person, 0, s.email, mid, raw, len, 0);
		}
		standing_free(&s);
		free(mid);
		free(raw);
		return rc;
	}
	if ((rc = crm_db_begin(db, true)))
		return rc;
	if (!(rc = standing_of(db, u->r->c->id, person, u->occ, &s)) &&
	    (go = decide(u, i, person, &s, &mid, &send, &raw, &len)) < 0)
		rc = go;
	rc = rc ? rc : crm_db_commit(db);
	if (rc)
		crm_db_rollback(db);
	if (!rc && raw) {
		if (u->t->sent)
			pace(u->o->rate);
		if ((rc = deliver(db, u->to, raw, len))) {
			/* Its row stays sending: in doubt, as the next run says. */
			u->t->in_doubt++;
			u->stopped = 1;
		} else if (!(rc = mark_sent(db, send))) {
			u->t->sent++;
			rc = tell(u, person, send, s.email, mid, NULL, 0, 0);
		}
	}
	standing_free(&s);
	free(mid);
	free(raw);
	return rc;
}

int campaign_run(struct renderer *r, const char *occ, const struct crm_send_opts *o,
                 int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                 struct crm_send_tally *t)
{
	struct run u = { r, occ, o->to ? o->to : r->c->deliver, o, fn, arg, t, 0 };
	int rc = campaign_target_check(u.to), failed = CRM_OK;
	char *why = NULL;

	t->members += (int64_t)r->ppl.n;
	/* A failed hand-off stops the sending, not the count: the people
	 * after it are told as left for the next run. */
	for (size_t i = 0; i < r->ppl.n && !rc; i++) {
		if ((rc = send_one(&u, i)) && u.stopped && !failed) {
			failed = rc;
			if (!(why = strdup(crm_error_message())))
				return crm_error_nomem();
			rc = CRM_OK;
		}
	}
	if (!rc && failed)
		rc = crm_error_set(failed, "%s", why);
	free(why);
	return rc;
}

/* ---- campaigns ---- */

static int set_status(crm_db *db, int64_t id, const char *status)
{
	char *was = NULL;
	crm_stmt *st;
	int rc = crm_db_begin(db, true);

	if (!rc)
		rc = crm_db_text_of(db, "SELECT status FROM campaigns WHERE id = ?1", id, &was);
	if (!rc && was && strcmp(was, status) &&
	    !(rc = crm_db_stmt(db, &st, "UPDATE campaigns SET status = ?2,"
	                       " updated_at = crm_now() WHERE id = ?1"))) {
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, status);
		/* The history says what it was, as for any other change. */
		if (!(rc = crm_stmt_done(st)))
			rc = crm_audit_change(db, "campaign", id, "set", "status", was, status);
	}
	free(was);
	if (!rc)
		return crm_db_commit(db);
	crm_db_rollback(db);
	return rc;
}

/* Reads campaign id and its people (in a read transaction of its own). */
static int load(crm_db *db, int64_t id, struct campaign *c, struct renderer *r)
{
	crm_query *q = NULL;
	char *fields = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = crm_db_begin(db, false)))
		return rc;
	if (!(rc = campaign_read(db, id, c)) && strcmp(c->kind, "campaign"))
		rc = crm_error_set(CRM_EUSAGE, "campaign %lld is a trigger: crm-campaign triggers run"
		                   " sends it", (long long)id);
	if (!rc && !c->segment)
		rc = crm_error_set(CRM_EDATA, "campaign %lld has no segment", (long long)id);
	if (!rc && !(rc = renderer_open(r, db, c, &fields)) &&
	    !(rc = crm_segment_query(db, c->segment, &q)) && !(rc = crm_query_fields(q, fields)))
		rc = renderer_collect(r, q);
	if (rc == CRM_ENOTFOUND && c->name)
		rc = crm_error_set(CRM_EDATA, "campaign %lld: no segment '%s'", (long long)id,
		                   c->segment);
	if (!rc && !r->ppl.n)
		rc = crm_error_set(CRM_EDATA, "segment '%s' has no members: nothing sent", c->segment);
	crm_query_free(q);
	free(fields);
	crm_db_rollback(db);
	return rc;
}

int crm_campaign_send(crm_db *db, int64_t id, const struct crm_send_opts *o,
                      int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                      struct crm_send_tally *t)
{
	struct campaign c;
	struct renderer r;
	int rc;

	memset(t, 0, sizeof *t);
	if (!(rc = load(db, id, &c, &r)) && !o->dry_run)
		rc = set_status(db, id, "sending");
	if (!rc)
		rc = campaign_run(&r, "", o, fn, arg, t);
	/* Done when nobody eligible is left out or in doubt. */
	if (!rc && !o->dry_run && !t->left && t->in_doubt == t->retried)
		rc = set_status(db, id, "sent");
	renderer_close(&r);
	campaign_free(&c);
	return rc;
}

int crm_campaign_preview(crm_db *db, int64_t id, int64_t person, char **raw, size_t *len)
{
	struct campaign c;
	struct renderer r;
	crm_query *q = NULL;
	char *fields = NULL, *mid = NULL;
	char today[CRM_TIME_LEN];
	int rc;

	*raw = NULL;
	memset(&r, 0, sizeof r);
	if (!(rc = campaign_read(db, id, &c)) && !(rc = renderer_open(&r, db, &c, &fields)) &&
	    !(rc = crm_query_new(&q, db, &crm_contact_entity)) && !(rc = crm_query_id(q, person)) &&
	    !(rc = crm_query_fields(q, fields)) && !(rc = renderer_collect(&r, q)) && !r.ppl.n)
		rc = crm_error_set(CRM_ENOTFOUND, "no contact %lld", (long long)person);
	if (!rc && !strcmp(c.kind, "trigger")) {
		/* The occasion of a preview is today's. */
		crm_db_now(db, today);
		today[10] = '\0';
		if (!(r.ppl.occasion = calloc(1, sizeof *r.ppl.occasion)) ||
		    !(r.ppl.occasion[0] = strdup(today)))
			rc = crm_error_nomem();
	}
	if (!rc && !(rc = crm_mail_new_id(&mid, c.from)))
		rc = renderer_message(&r, 0, people_value(&r.ppl, 0, "email") ?
		                      people_value(&r.ppl, 0, "email") : "nobody@invalid",
		                      mid, raw, len);
	crm_query_free(q);
	free(fields);
	free(mid);
	renderer_close(&r);
	campaign_free(&c);
	return rc;
}
