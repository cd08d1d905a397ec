/* ticket.h - the service desk's tickets (crm-ticket(1)).  Tickets are an
 * entity of the registry (field.h): add, set, list and the rest work on
 * them as on any record; what happens to a ticket besides field writes --
 * messages, status changes, links, merges and the SLA clocks -- is here. */
#ifndef CRM_TICKET_H
#define CRM_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crm/buf.h"
#include "crm/db.h"

/* Stores in *id the person who (an id, an email, "Name <email>" or a name)
 * names; an email no one has adds a person with it and name (NULL: the
 * display name of who, if any), as mail-in does.  CRM_ENOTFOUND for an
 * unknown id or name. */
int crm_ticket_requester(crm_db *db, const char *who, const char *name, int64_t *id);

/* A message of a ticket's thread: kind is "customer" (what the customer
 * wrote), "reply" (an agent's public answer) or "comment" (internal,
 * never mailed). */
struct crm_ticket_msg {
	const char *kind;
	const char *author;      /* the agent, or NULL for the person contact */
	int64_t contact;         /* the person who wrote it, or 0 */
	const char *subject;
	const char *body;
	const char *message_id;  /* without angle brackets, or NULL */
	const char *in_reply_to;
	const char *date;        /* the Date header, UTC, or NULL */
	int sent;                /* mailed by the toolkit */
	const char *at;          /* when the desk got it (UTC, ISO 8601), or NULL: now */
};

/* Adds message m to ticket id's thread and stores its id in *msg; the
 * status stays (see crm_ticket_reply and crm_ticket_customer).  CRM_EDATA
 * for an empty body. */
int crm_ticket_post(crm_db *db, int64_t id, const struct crm_ticket_msg *m, int64_t *msg);

/* Adds the agent's reply m and sets the ticket status (NULL: pending). */
int crm_ticket_reply(crm_db *db, int64_t id, const struct crm_ticket_msg *m, const char *status,
                     int64_t *msg);

/* Adds the customer's message m; a ticket that was not waiting on the
 * desk (pending, on hold, solved) is open again. */
int crm_ticket_customer(crm_db *db, int64_t id, const struct crm_ticket_msg *m, int64_t *msg);

/* Applies verb "solved", "closed" or "reopen" to ticket id; *changed tells
 * whether its status changed.  CRM_EDATA when reopening a ticket that is
 * neither solved nor closed, or solving a closed one. */
int crm_ticket_status(crm_db *db, int64_t id, const char *verb, int *changed);

/* Stores in *out (malloc'd) what ticket id asks: its subject and the
 * customer's messages, for matching articles against (crm-kb suggest). */
int crm_ticket_text(crm_db *db, int64_t id, char **out);

/* Stores in *out (malloc'd) text followed by published article n of the
 * knowledge base, its title and body, and links the article to ticket id:
 * a reply that quotes it.  CRM_ENOTFOUND when there is no such published
 * article. */
int crm_ticket_quote(crm_db *db, int64_t id, int64_t n, const char *text, char **out);

/* Links ticket id to an article (kind "kb"), a deal or another ticket. */
int crm_ticket_link(crm_db *db, int64_t id, const char *kind, int64_t target, int *changed);

/* Calls fn(arg, vals) for each message and comment of ticket id, oldest
 * first, with: at, kind (customer, reply, comment), who, text, the
 * message's id, its subject, the Date it was written (UTC), its
 * Message-ID and In-Reply-To, and how many attachments it has. */
int crm_ticket_thread(crm_db *db, int64_t id, int (*fn)(void *arg, const char *const *vals),
                      void *arg);

/* Calls fn(arg, vals) for each attachment of ticket id's messages, in
 * thread order, with: its id, the message's id, name, type, size in
 * bytes, and "yes" or "no": whether its content was kept (attachment_cap). */
int crm_ticket_attachments(crm_db *db, int64_t id,
                           int (*fn)(void *arg, const char *const *vals), void *arg);

/* Appends the content of attachment n to out and stores its type in
 * *type (malloc'd, NULL when none).  CRM_ENOTFOUND when there is no
 * attachment n, CRM_EDATA when it was over the cap and its content was
 * not kept. */
int crm_ticket_attachment(crm_db *db, int64_t n, crm_buf *out, char **type);

/* Merges ticket from into ticket into: its messages and comments move, it
 * is closed and marked merged, and later mail to it goes to into. */
int crm_ticket_merge(crm_db *db, int64_t from, int64_t into);

/* CRM_OK when ticket into can take others' threads: it exists, is not
 * archived and is not merged itself; crm_ticket_merge checks the same. */
int crm_ticket_merge_target(crm_db *db, int64_t into);

/* Takes merged ticket id back out: its own messages and comments return
 * and it is open again. */
int crm_ticket_unmerge(crm_db *db, int64_t id);

/* Returns the ticket mail for id goes to: id, or the ticket it was merged
 * into; 0 when there is no ticket id. */
int64_t crm_ticket_live(crm_db *db, int64_t id);

/* What mail-in did with a message: its action -- "new" (it opened a
 * ticket), "added" (to the ticket's thread), "comment" (a machine's
 * message kept as a comment), "ignored" (a machine's message about no
 * ticket) or "seen" (its Message-ID was read or sent before) -- and the
 * ticket, 0 when none. */
struct crm_mail_in {
	const char *action;
	int64_t ticket;
};

/* Reads the len bytes of one message at raw onto a ticket (crm-ticket(1),
 * MAIL IN), all of it or, on error, nothing: CRM_EDATA when it is not a
 * readable message or has no From address. */
int crm_ticket_mail_in(crm_db *db, const char *raw, size_t len, struct crm_mail_in *res);

/* Like crm_ticket_reply, and mails the reply to the requester through
 * the configured command: From the configured address, the subject with
 * "[#ID]", a new Message-ID kept with the reply, In-Reply-To and
 * References from the thread.  CRM_EDATA when no From is configured, the
 * requester has no address, or the command fails. */
int crm_ticket_mail_reply(crm_db *db, int64_t id, struct crm_ticket_msg *m, const char *status,
                          int64_t *msg);

/* A service-level target of a ticket as it stands: its goal and the
 * running business time spent on it, in seconds; when it is (or was)
 * due, 0 when its clock is paused or stopped first; and its state:
 * running, breached (past due and not stopped: running, or paused when
 * runs is false), paused, stopped (solved before it was due), met, missed
 * (done late) or none (no wait yet).  Due at the very second is on time. */
struct crm_sla_row {
	const char *target; /* first_response, next_response or resolution */
	long goal;
	int64_t elapsed;
	int64_t due;
	const char *state;
	bool runs; /* the clock is running now */
};

/* Computes the SLA targets of ticket id from its status log and messages:
 * stores the policy's name in *policy (NULL when none applies), its
 * targets in rows and their number in *n, and in *missed whether any
 * target, or an earlier wait for a next response, was missed. */
int crm_ticket_sla(crm_db *db, int64_t id, const char **policy, struct crm_sla_row rows[3],
                   int *n, int *missed);

/* Recomputes the SLA state kept with every live ticket not solved or
 * closed (with all, every live ticket), as after a change of policies or
 * calendars; stores how many in *n. */
int crm_ticket_sla_recompute(crm_db *db, bool all, size_t *n);

/* Keeps with ticket id what its SLA clocks say now: its policy, the
 * earliest due time of a running target, and whether one was missed. */
int crm_ticket_sla_refresh(crm_db *db, int64_t id);

#endif
