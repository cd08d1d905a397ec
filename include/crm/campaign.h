/* campaign.h - marketing mail (crm-campaign(1)): saved segments of
 * people, templates in language variants, campaigns and birthday or
 * anniversary triggers sent through a send log that never mails anyone
 * twice or without consent, unsubscribe tokens, bounces, replies and
 * results.
 *
 * Campaigns and triggers are an entity of the registry (field.h) called
 * "campaign": list, show, set, rm and the rest work on them as on any
 * record; what is their own is here.
 */
#ifndef CRM_CAMPAIGN_H
#define CRM_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/query.h"
#include "crm/record.h"

/* The campaign: key of the configuration (crm-config(5)). */
struct crm_campaign_config {
	const char *unsubscribe_url;    /* "https://.../u?t={token}", or NULL */
	const char *unsubscribe_mailto; /* address, or NULL: the campaign's From */
	long soft_bounces;              /* soft bounces of an address (3) ... */
	long soft_bounce_window;        /* ... within these days (30) mark it bounced */
	long results_window;            /* days after a send results count (30) */
};

/* Returns the campaign settings (defaults when c is NULL). */
const struct crm_campaign_config *crm_config_campaign(const crm_config *c);

/* ---- segments ---- */

/* One filter of a segment: name is a crm-contact list filter (where, tag,
 * search, status, company) or one of purchased-since, rfm, tier, nps;
 * value its argument as typed ("2026-01-01", "-90d" stays relative). */
struct crm_segment_filter {
	const char *name;
	const char *value;
};

/* Saves segment name with its n filters (ANDed), checked by building the
 * query once; with snapshot, its members now are kept and used from then
 * on.  CRM_EUSAGE for an unknown filter or a bad value (naming it),
 * CRM_EDATA when the name is taken or malformed (letters, digits, '.',
 * '_', '-'; not all digits). */
int crm_segment_add(crm_db *db, const char *name, const struct crm_segment_filter *f,
                    size_t n, int snapshot, int64_t *id);

/* Stores in *q (free with crm_query_free) a query over the people of
 * segment name -- live people matching its filters, or the people of its
 * snapshot, archived and erased ones included.  CRM_ENOTFOUND when there
 * is no such segment. */
int crm_segment_query(crm_db *db, const char *name, crm_query **q);

/* Stores in *n how many people segment name holds now. */
int crm_segment_count(crm_db *db, const char *name, int64_t *n);

/* Deletes segment name; CRM_EDATA when a live campaign uses it. */
int crm_segment_rm(crm_db *db, const char *name);

/* The columns crm_segment_list passes: id, name, filter (as typed,
 * "--tag vip --status customer"), snapshot_at, members (of a snapshot;
 * empty for a live segment), created_at. */
#define CRM_SEGMENT_COLUMNS 6
int crm_segment_list(crm_db *db, const char *name,
                     int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *count);

/* Adds people to the recipients of campaign id: to the snapshot segment
 * it sends to, made (named campaign-ID) when it has none; *added gets how
 * many were not there.  CRM_ENOTFOUND for no such campaign or person,
 * CRM_EDATA when its segment is a live one or it is a trigger. */
int crm_campaign_add_recipients(crm_db *db, int64_t id, const int64_t *people, size_t n,
                                int64_t *added);

/* ---- templates ---- */

/* A template variant: its texts and the names messages give them. */
struct crm_template_text {
	const char *name;
	const char *language;   /* NULL or "": the default variant */
	const char *subject;    /* a template */
	const char *from_name;  /* a template, or NULL */
	const char *text;       /* the text/plain body, a template */
	const char *text_label; /* its file name in messages */
	const char *html;       /* the text/html body, or NULL */
	const char *html_label;
};

/* Stores the variant t (replacing the same name and language when
 * replace), every part parsed and its variables checked: CRM_EDATA
 * "LABEL:LINE:COL: ..." for a template that does not parse or names an
 * unknown variable, or when the variant exists and not replace. */
int crm_template_store(crm_db *db, const struct crm_template_text *t, int replace);

/* Deletes the variant (language NULL: every variant) of name;
 * CRM_ENOTFOUND when there is none. */
int crm_template_rm(crm_db *db, const char *name, const char *language);

/* The columns crm_template_list passes: name, language, subject,
 * from_name, text, html, updated_at (only name, language, subject and
 * updated_at when !full). */
#define CRM_TEMPLATE_COLUMNS 7
int crm_template_list(crm_db *db, const char *name, const char *language,
                      int (*fn)(void *arg, const char *const *vals), void *arg,
                      int64_t *count);

/* Whether name is a variable templates may use: a person's field
 * (crm-contact(1)), custom.KEY, company.FIELD, or one of campaign,
 * unsubscribe_url, occasion, years. */
int crm_template_known(void *unused, const char *name);

/* ---- sending ---- */

/* Why a member of a segment got no message. */
enum crm_exclusion {
	CRM_EXCL_NO_EMAIL,
	CRM_EXCL_NO_CONSENT,       /* no consent to email recorded */
	CRM_EXCL_DENIED,
	CRM_EXCL_WITHDRAWN,
	CRM_EXCL_UNSUBSCRIBED,     /* withdrawn through an unsubscribe token */
	CRM_EXCL_BOUNCED,
	CRM_EXCL_ARCHIVED,
	CRM_EXCL_ERASED,
	CRM_EXCLUSIONS
};

/* Returns the word for reason r ("no-consent"), static. */
const char *crm_exclusion_name(int r);

struct crm_send_opts {
	const char *to;     /* NULL: the campaign's deliver, else mail.send;
	                     * "mbox:FILE", "maildir:DIR" */
	long limit;         /* hand off at most this many; 0: all */
	long rate;          /* messages a minute; 0: as fast as they go */
	int dry_run;        /* pass each message to fn, log and send nothing */
	int retry_in_doubt; /* hand off again the messages left in doubt */
};

/* What a run did. */
struct crm_send_tally {
	int64_t members;   /* people of the segment (or the day's trigger) */
	int64_t sent;      /* handed off by this run */
	int64_t already;   /* sent by an earlier run */
	int64_t in_doubt;  /* logged as sending by a run that stopped, or whose hand-off failed */
	int64_t retried;   /* of them, handed off again (--retry-in-doubt) */
	int64_t left;      /* eligible, not sent because of --limit or a failed hand-off */
	int64_t excluded[CRM_EXCLUSIONS];
	int64_t points;    /* trigger bonus points given */
};

/* One message of a run, for fn: in a dry run raw holds the message;
 * otherwise raw is NULL and the message was handed off (or is in doubt
 * when in_doubt). */
struct crm_send_event {
	int64_t campaign, person, send;
	const char *email, *message_id, *occurrence;
	const char *raw;
	size_t len;
	int in_doubt;
};

/* Sends campaign id to its segment's eligible members: people with an
 * email address and granted email consent, not archived, erased or
 * bounced.  For each: the log row is committed (state sending) before
 * the hand-off and marked sent after it, each in its own transaction, so
 * that a run stopped at any point is resumed by the next one; a row left
 * sending is in doubt, reported and handed off again only with
 * o->retry_in_doubt.  Exclusions are logged with their reason (and
 * looked at again by the next run).  fn (may be NULL) gets each message.
 * CRM_EDATA when the segment is empty or a template is missing or bad;
 * CRM_EIO when a hand-off fails (the sending stops; its message is left
 * in doubt, and t counts the people after it as left). */
int crm_campaign_send(crm_db *db, int64_t id, const struct crm_send_opts *o,
                      int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                      struct crm_send_tally *t);

/* Stores in *raw (malloc'd) and *len the message campaign id would send
 * person now (a trigger's occasion being today), whatever their consent. */
int crm_campaign_preview(crm_db *db, int64_t id, int64_t person, char **raw, size_t *len);

/* Creates trigger campaign: on is "birthday", "anniversary" (of the
 * first purchase) or "date-field:FIELD" (a date field or custom field of
 * the person); fields of r (name, template, from, ...) as for campaigns;
 * days_before 0-365; points > 0 gives each person greeted that many
 * loyalty points. */
int crm_trigger_add(crm_db *db, const char *on, int days_before, int64_t points,
                    const crm_record *r, int64_t *id);

/* Runs every active trigger for date ("YYYY-MM-DD"): the people whose
 * date falls date + days_before later (29 February on 28 February when
 * the year has none), once per person and year, with the exclusions of
 * campaigns.  Options and fn as crm_campaign_send; t adds up all
 * triggers. */
int crm_triggers_run(crm_db *db, const char *date, const struct crm_send_opts *o,
                     int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                     struct crm_send_tally *t);

/* ---- answers ---- */

/* The unsubscribe token of person in campaign: "CAMPAIGN.PERSON.SIG",
 * SIG an HMAC-SHA-256 (key in the database) in hex, cut to 24 digits. */
#define CRM_TOKEN_MAX 64
int crm_campaign_token(crm_db *db, int64_t campaign, int64_t person, char out[CRM_TOKEN_MAX]);

/* The email consent an unsubscribe found, and so what it did. */
enum crm_unsubscribed {
	CRM_UNSUB_WITHDRAWN, /* granted: withdrawn now */
	CRM_UNSUB_ALREADY,   /* withdrawn before */
	CRM_UNSUB_DENIED,    /* denied: nothing to withdraw */
	CRM_UNSUB_NONE,      /* none recorded: nothing to withdraw */
	CRM_UNSUB_ERASED,    /* the person was erased: nothing done */
	CRM_UNSUB_GONE       /* the person was deleted: nothing done */
};

/* Who an unsubscribe was for, and what it found. */
struct crm_unsubscribe {
	int64_t named;  /* the person the token names */
	int64_t person; /* who that is now: named, or the survivor of their merge */
	enum crm_unsubscribed was;
};

/* Withdraws the email consent of the person token names (of the
 * survivor, when a merge took them in), with the campaign as source, and
 * notes the unsubscribe on their messages of the campaign, unless they
 * were erased or deleted since; *u says who and what was found.
 * CRM_EDATA "invalid unsubscribe token" for a token that is malformed or
 * whose signature does not match. */
int crm_campaign_unsubscribe(crm_db *db, const char *token, struct crm_unsubscribe *u);

struct crm_mail;
struct crm_dsn;

/* Unsubscribes as message m asks, when its Subject is "unsubscribe
 * TOKEN" (what the mailto: link of List-Unsubscribe writes): returns 1
 * with *u as crm_campaign_unsubscribe sets it, 0 when m asks nothing of
 * the kind, CRM_EDATA for a token not made here. */
int crm_campaign_mail_unsubscribe(crm_db *db, const struct crm_mail *m,
                                  struct crm_unsubscribe *u);

/* What a delivery status report did. */
struct crm_bounce_tally {
	int64_t reports, hard, soft, marked, ignored;
};

/* Records the failed and delayed recipients of report d (its own id
 * report_id, its date at): 5.x.x marks the address bounced at once,
 * 4.x.x when the address had soft_bounces of them within the window.  A
 * report read again changes nothing. */
int crm_campaign_bounce(crm_db *db, const struct crm_dsn *d, const char *report_id,
                        const char *at, struct crm_bounce_tally *t);

/* Records the bounces of delivery report raw (len bytes; m, when not NULL,
 * is it parsed: its Message-ID names the report, else a hash of its
 * bytes; its Date dates it, else now).  Returns 1 when raw is a report,
 * 0 when it is none, CRM_EDATA when it claims to be one and names no
 * recipient. */
int crm_campaign_report(crm_db *db, const struct crm_mail *m, const char *raw, size_t len,
                        struct crm_bounce_tally *t);

/* Records m as a reply to the campaign message its In-Reply-To or
 * References name (not robots' mail): the send's replied_at and a note
 * of kind email on the person.  Stores the send in *send (0: none);
 * returns 1 when recorded, 0 when m answers no campaign message. */
int crm_campaign_reply(crm_db *db, const struct crm_mail *m, int64_t *send);

/* The columns crm_campaign_results passes: campaign, name, measure,
 * value, note; measures: members, sent, in_doubt, excluded, excluded:
 * REASON (one each), bounced, unsubscribed, replied, buyers, purchases,
 * revenue (base currency), won_deals, won_value -- the last five by
 * recipients within days (0: the configured results window) after their
 * message. */
#define CRM_RESULTS_COLUMNS 5
int crm_campaign_results(crm_db *db, int64_t id, long days,
                         int (*fn)(void *arg, const char *const *vals), void *arg);

/* The columns crm_campaign_summary passes, one row per campaign that sent
 * in [from, to) (dates; NULL: unbounded): id, name, kind, sent, excluded,
 * bounced, unsubscribed, replied, buyers, revenue, won_deals. */
#define CRM_CAMPAIGN_SUMMARY_COLUMNS 11
int crm_campaign_summary(crm_db *db, const char *from, const char *to,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *count);

#endif
