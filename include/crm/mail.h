/* mail.h - mail in and out for the service desk (crm-ticket(1)) and
 * campaigns: one RFC 5322 message read into plain fields, the messages of
 * a file, an mbox or a Maildir walked one by one, replies and campaign
 * mail composed and handed to a sendmail-like command, and delivery
 * status reports read.
 *
 * Everything that comes out is UTF-8, whatever the message declared: text
 * in other charsets is converted, and text whose declared charset is
 * wrong or unknown is read as UTF-8 when it is that, else as Windows-1252.
 * Times are UTC "YYYY-MM-DDTHH:MM:SSZ".  Message-IDs are written without
 * their angle brackets everywhere.
 */
#ifndef CRM_MAIL_H
#define CRM_MAIL_H

#include <stddef.h>

struct crm_mail_attachment {
	char *name;          /* file name as sent (RFC 2231 decoded), NULL if none */
	char *type;          /* "application/pdf", lower case */
	size_t size;         /* decoded size in bytes */
	unsigned char *data; /* the decoded bytes, NULL when size is over the cap */
};

struct crm_mail {
	char *message_id;            /* NULL if none */
	char *in_reply_to;           /* the first id of In-Reply-To, or NULL */
	char **references;           /* the ids of References, oldest first */
	size_t nreferences;
	char *from_name;             /* display name on one line, NULL if none */
	char *from_addr;             /* never NULL; domain in lower case */
	char *to;                    /* address of the first To mailbox, or NULL */
	char *subject;               /* RFC 2047 decoded, NULL if none */
	char *date;                  /* the Date in UTC, NULL if absent or unreadable */
	char *text;                  /* the body as text, never NULL ("" if none) */
	struct crm_mail_attachment *attachments;
	size_t nattachments;
	int automatic;               /* sent by a machine: never answer it */
	int report;                  /* a delivery status report (RFC 3464, 6533) */
};

/* Parses the len bytes of one message at data into *out, which the caller
 * frees with crm_mail_free.
 *
 * text is the message's inline text/plain parts, joined by a blank line
 * (format=flowed lines unwrapped, CRLF turned into LF); when there are
 * none, its text/html turned into plain text (tags, scripts and styles
 * dropped, entities decoded, paragraphs and line breaks kept, the lines
 * of a blockquote starting "> " as a quote in plain text does).  Every other
 * leaf part, and any text part with a file name or an attachment
 * disposition, is an attachment; an attached message (message/rfc822) is
 * one too, its bytes as data.  The content of attachments larger than
 * attachment_cap bytes is not kept.
 *
 * automatic is set for a delivery report, "Auto-Submitted" other than
 * "no", "Precedence" bulk, junk or list, an "X-Autoreply" or
 * "X-Autorespond" header, and an empty return path ("Return-Path: <>",
 * which RFC 3834 responders and bounces use).  "List-Id" alone does not
 * count: a support address that is itself a group or list relays people's
 * mail with it.
 *
 * CRM_EDATA when data is not a message or has no From address. */
int crm_mail_parse(struct crm_mail **out, const char *data, size_t len, size_t attachment_cap);

/* Frees m and everything in it; NULL-safe. */
void crm_mail_free(struct crm_mail *m);

/* Returns 1 when mailboxes a and b (each an address or "Name <address>",
 * as mail.from is written) have the same address, in any case and in
 * either form of an international domain; else 0, also when either is
 * NULL or holds no address with a domain. */
int crm_mail_same_address(const char *a, const char *b);

/* Stores in *out (malloc'd, the caller frees) what tells message m, read
 * from the len bytes at raw, from others when it comes again: its
 * Message-ID, else "sha256:" and the digest of raw in hex, so that mail
 * without one is known by its bytes.  The digest is a key, never a
 * Message-ID to write.  CRM_OK, or CRM_ENOMEM. */
int crm_mail_key(char **out, const struct crm_mail *m, const char *raw, size_t len);

/* Called with each message of a source: label names it in messages
 * ("FILE", "MBOX:message 3", "DIR/cur/NAME"), raw and len are its bytes,
 * valid during the call.  Returning non-zero stops the walk. */
typedef int (*crm_mail_fn)(void *arg, const char *label, const char *raw, size_t len);

/* Calls fn once with the whole of file path ("-": standard input, labelled
 * "stdin").  Returns CRM_OK, CRM_EIO when it cannot be read, or what fn
 * returned when not zero. */
int crm_mail_each_file(const char *path, crm_mail_fn fn, void *arg);

/* Calls fn with each message of the mbox file path, without its "From "
 * line and with one ">" taken off ">From " lines (mboxrd).  A "From " line
 * starts a message at the top of the file or after an empty line.  Returns
 * like crm_mail_each_file; CRM_EDATA when the file is not empty and does
 * not start with a "From " line. */
int crm_mail_each_mbox(const char *path, crm_mail_fn fn, void *arg);

/* Calls fn with each message file of Maildir dir, those of new/ and cur/
 * together in the order of their names (which start with the time of
 * delivery); dot files are skipped.  Returns like crm_mail_each_file;
 * CRM_EIO when dir has neither new/ nor cur/. */
int crm_mail_each_maildir(const char *dir, crm_mail_fn fn, void *arg);

/* Delivers the len bytes of raw into Maildir dir, creating dir and its
 * tmp/, new/ and cur/ (mode 0700) when missing: written to tmp/, synced,
 * then moved to new/ under a unique name, stored in *name (malloc'd, the
 * caller frees; the file is dir/new/NAME).  CRM_EIO on failure. */
int crm_maildir_deliver(const char *dir, const char *raw, size_t len, char **name);

struct crm_mail_out {
	const char *from;             /* "Support <support@example.org>" or an address;
	                                 a bare address when from_name is set */
	const char *from_name;        /* display name of from, or NULL */
	const char *to;               /* "Name <addr>" or addr; bare when to_name is set */
	const char *to_name;          /* display name of to, or NULL */
	const char *subject;          /* UTF-8, may be NULL */
	const char *message_id;       /* without brackets */
	const char *in_reply_to;      /* may be NULL */
	const char *references;       /* ids separated by spaces, may be NULL */
	const char *date;             /* UTC timestamp; NULL: now ($CRM_NOW honoured) */
	const char *body;             /* UTF-8 */
	const char *html;             /* UTF-8 HTML alternative to body, or NULL */
	const char *auto_submitted;   /* NULL, or "auto-replied", "auto-generated" */
	const char *precedence;       /* NULL, or "bulk", "list" */
	const char *list_unsubscribe; /* NULL, or "<https://...>, <mailto:...>" */
	int one_click;                /* RFC 8058 one-click unsubscribing */
	const char *extra_name;       /* one more header ("X-CRM-Campaign"), or NULL */
	const char *extra_value;      /* its value ("12") */
};

/* Stores in *out (malloc'd, NUL-terminated, the caller frees) and *len a
 * message of o, LF line ends (as sendmail -t expects), lines of at most
 * 998 octets.  An optional field left NULL (or 0) adds nothing.
 *
 * The body is one text/plain part in UTF-8; with html, a
 * multipart/alternative of that part and a text/html one.  A part that
 * is not ASCII in lines of 998 octets at most is quoted-printable, in
 * every script: what is ASCII in it (links, tags, numbers) stays
 * readable to filters and people reading the source.
 *
 * A display name (from_name, to_name) and the subject are written on one
 * line whatever they hold: each run of control characters (CR, LF, TAB,
 * ...) and line separators, with the blanks around it, becomes one space.
 * Names are quoted as needed and, like every non-ASCII header, RFC 2047
 * encoded, so no name or subject can add a header or a recipient.  With
 * a name, the address beside it must be bare: "user@example.org".
 *
 * precedence, list_unsubscribe and extra_value are written as given
 * (folded at their blanks); one_click adds "List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click" and needs an https URI in
 * list_unsubscribe.  extra_name cannot be a field the message has
 * already or one that names people (Reply-To, Cc, Bcc, Resent-*...).
 *
 * CRM_EDATA for an address that does not parse, a bare address with
 * blanks, controls or no '@', a bad date, an id with brackets or blanks,
 * text that is not UTF-8, a header value with controls or non-ASCII or a
 * word too long for a line, or a field given without the one it needs.
 * The message says which field. */
int crm_mail_compose(char **out, size_t *len, const struct crm_mail_out *o);

/* Stores in *out (malloc'd) the address of addr ("Name <a@b>" or a
 * bare address) as ASCII, an internationalised domain in its xn-- form,
 * as a Message-ID or a URI in a header needs it; CRM_EDATA for no
 * address (addr NULL included). */
int crm_mail_ascii_address(char **out, const char *addr);

/* Stores in *out (malloc'd) a new Message-ID "SECONDS.HEX@DOMAIN" without
 * brackets: the time now, 16 random hex digits, and the domain of the
 * address from.  CRM_EDATA when from has no domain. */
int crm_mail_new_id(char **out, const char *from);

/* Runs command with /bin/sh -c, the len bytes of msg on its standard
 * input and the caller's standard error as its standard output.  CRM_EIO when it cannot be started, does not read the whole
 * message, or does not exit with status 0 (the message says how it
 * ended). */
int crm_mail_send(const char *command, const char *msg, size_t len);

struct crm_dsn_rcpt {
	char *recipient;  /* the Final-Recipient address (Original-Recipient when
	                     there is none), no brackets, domain in lower case */
	char *action;     /* "failed", "delayed", "delivered", "relayed" or
	                     "expanded" (any other word as written, lower case),
	                     NULL if absent */
	char *status;     /* "5.1.1" (class.subject.detail), NULL if absent or
	                     malformed */
	char *diagnostic; /* the Diagnostic-Code text after its type ("550 5.1.1
	                     ..."), NULL if none */
};

struct crm_dsn {
	char *original_id;   /* Message-ID of the message reported on, from the
	                        returned message or headers; NULL when absent */
	char *reporting_mta; /* the host name after "dns;", or NULL */
	struct crm_dsn_rcpt *rcpts;
	size_t nrcpts;       /* at least 1 */
};

/* Reads the len bytes of raw as a delivery status notification (RFC
 * 3464): a multipart/report of report-type delivery-status (or
 * global-delivery-status, RFC 6533) whose message/delivery-status (or
 * message/global-delivery-status) part gives a block of fields for each
 * recipient.  Field names are read case-blind, folded fields unfolded,
 * comments in Status dropped; a recipient block without an address is
 * left out.  Returns 1 and stores the report in *out (the caller frees
 * it with crm_dsn_free), 0 when raw is no such report (*out NULL),
 * CRM_EDATA when it is one but names no recipient, CRM_ENOMEM. */
int crm_mail_dsn(struct crm_dsn **out, const char *raw, size_t len);

/* Frees d and everything in it; NULL-safe. */
void crm_dsn_free(struct crm_dsn *d);

struct crm_buf;

/* Appends to b the len bytes of message raw as one mbox entry: a "From "
 * line dated now (a UTC timestamp), the message with every line that
 * starts with ">*From " given one more '>' (mboxrd, as
 * crm_mail_each_mbox reads it back), ending in a blank line.  Returns
 * CRM_OK or CRM_ENOMEM. */
int crm_mail_mbox_entry(struct crm_buf *b, const char *raw, size_t len, const char *now);

#endif
