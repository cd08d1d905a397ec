/* mail_out.c - replies and campaign mail composed through GMime and
 * handed to a sendmail-like command (see mail.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "crm/buf.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/mail.h"
#include "mail_impl.h"

extern char **environ;

/* ---- composing ---- */

/* Header lines stay within 78 octets where the words allow, and never
 * pass 998 (RFC 5322 2.1.1). */
#define FOLD_AT 78
#define LINE_MAX_OCTETS 998

/* An id as it goes between brackets: printable ASCII, no blanks or
 * brackets. */
static int good_id(const char *id)
{
	if (!id || !*id)
		return 0;
	for (; *id; id++)
		if (*id <= ' ' || *id >= 127 || *id == '<' || *id == '>')
			return 0;
	return 1;
}

static int bad_field(const char *what, const char *value)
{
	return crm_error_set(CRM_EDATA, "invalid %s '%s'", what, value ? value : "");
}

/* A control character (C0, DEL, C1) or a Unicode line or paragraph
 * separator: what some reader somewhere takes for the end of a line. */
static int breaks_line(gunichar c)
{
	return g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029;
}

/* A malloc'd copy of the UTF-8 text s on one line: each run of
 * characters that break lines, with the blanks around it, becomes one
 * space (none at the ends).  Names and subjects come from templates and
 * people's records; GMime would encode a line break safely, but the
 * reader would decode it back into the name. */
static char *one_line(const char *s)
{
	crm_buf b = CRM_BUF_INIT;
	int gap = 0;

	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);

		if (breaks_line(c)) {
			while (b.len && b.ptr[b.len - 1] == ' ')
				b.ptr[--b.len] = '\0';
			gap = 1;
		} else if (!gap || c != ' ') {
			if (gap && b.len)
				crm_buf_putc(&b, ' ');
			gap = 0;
			crm_buf_put(&b, s, g_utf8_next_char(s) - s);
		}
	}
	return crm_buf_detach(&b);
}

/* Adds the mailboxes of text to the list of kind; CRM_EDATA unless it
 * holds a mailbox with an address. */
static int add_address(GMimeMessage *msg, GMimeAddressType kind, const char *field,
                       const char *text)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;

	if (!text || !g_utf8_validate(text, -1, NULL) || strpbrk(text, "\r\n"))
		return crm_error_set(CRM_EDATA, "invalid %s address '%s'", field, text ? text : "");
	list = internet_address_list_parse(crm_mail_options(), text);
	mb = crm_mail_first_mailbox(list);
	if (!mb || !strchr(internet_address_mailbox_get_addr(mb), '@')) {
		if (list)
			g_object_unref(list);
		return crm_error_set(CRM_EDATA, "invalid %s address '%s'", field, text);
	}
	/* Names are encoded as UTF-8, not in the smallest charset that fits. */
	for (int i = 0; i < internet_address_list_length(list); i++)
		internet_address_set_charset(internet_address_list_get_address(list, i), "utf-8");
	internet_address_list_append(g_mime_message_get_addresses(msg, kind), list);
	g_object_unref(list);
	return CRM_OK;
}

/* An address alone: one '@' with text either side, and nothing that
 * would read as more than one address or as a name (blanks, controls,
 * brackets, commas, quotes...). */
static int bare_address(const char *s)
{
	const char *at;

	if (!s || !g_utf8_validate(s, -1, NULL) || !(at = strchr(s, '@')) || at == s || !at[1] ||
	    strchr(at + 1, '@'))
		return 0;
	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);

		if (c <= ' ' || breaks_line(c) || g_unichar_isspace(c) ||
		    (c < 128 && strchr("<>()[],;:\"\\", (int)c)))
			return 0;
	}
	return 1;
}

/* Whether mailbox mb, written out, reads back as one mailbox of the same
 * address: the proof that its name added no one. */
static int reads_back(InternetAddressMailbox *mb)
{
	char *text = internet_address_to_string(INTERNET_ADDRESS(mb), NULL, TRUE);
	InternetAddressList *list = internet_address_list_parse(crm_mail_options(), text);
	InternetAddress *a = list && internet_address_list_length(list) == 1 ?
	                     internet_address_list_get_address(list, 0) : NULL;
	int same = a && INTERNET_ADDRESS_IS_MAILBOX(a) &&
	           !strcmp(internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(a)),
	                   internet_address_mailbox_get_idn_addr(mb));

	if (list)
		g_object_unref(list);
	g_free(text);
	return same;
}

/* Adds the mailbox "name <addr>" to the list of kind, the name on one
 * line; GMime quotes and encodes it. */
static int add_named(GMimeMessage *msg, GMimeAddressType kind, const char *field,
                     const char *addr, const char *name)
{
	InternetAddress *mb;
	char *clean;
	int rc = CRM_OK;

	if (!bare_address(addr))
		return crm_error_set(CRM_EDATA, "invalid %s address '%s'", field, addr ? addr : "");
	if (!g_utf8_validate(name, -1, NULL))
		return crm_error_set(CRM_EDATA, "the %s name is not UTF-8", field);
	if (!(clean = one_line(name)))
		return crm_error_nomem();
	mb = internet_address_mailbox_new(*clean ? clean : NULL, addr);
	free(clean);
	internet_address_set_charset(mb, "utf-8");
	if (!reads_back(INTERNET_ADDRESS_MAILBOX(mb)))
		rc = crm_error_set(CRM_EDATA, "invalid %s address '%s'", field, addr);
	else
		internet_address_list_add(g_mime_message_get_addresses(msg, kind), mb);
	g_object_unref(mb);
	return rc;
}

static int set_address(GMimeMessage *msg, GMimeAddressType kind, const char *field,
                       const char *addr, const char *name)
{
	return name ? add_named(msg, kind, field, addr, name) : add_address(msg, kind, field, addr);
}

/* "<a> <b>" of the ids in the space-separated list s. */
static int bracket_ids(crm_buf *b, const char *s, const char *what)
{
	gchar **ids = g_strsplit_set(s, " \t\r\n", -1);
	int rc = CRM_OK;

	for (gchar **id = ids; !rc && *id; id++) {
		if (!**id)
			continue;
		if (!good_id(*id))
			rc = bad_field(what, *id);
		else
			crm_buf_printf(b, "%s<%s>", b->len ? " " : "", *id);
	}
	g_strfreev(ids);
	return rc;
}

static int set_threading(GMimeMessage *msg, const struct crm_mail_out *o)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (!good_id(o->message_id))
		return bad_field("Message-ID", o->message_id);
	g_mime_message_set_message_id(msg, o->message_id);
	if (o->in_reply_to && !(rc = bracket_ids(&b, o->in_reply_to, "In-Reply-To")) && b.len)
		g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", b.ptr, NULL);
	crm_buf_clear(&b);
	if (!rc && o->references && !(rc = bracket_ids(&b, o->references, "References")) && b.len)
		g_mime_object_set_header(GMIME_OBJECT(msg), "References", b.ptr, NULL);
	crm_buf_free(&b);
	return rc;
}

static int set_date(GMimeMessage *msg, const char *date)
{
	int64_t t;
	GDateTime *d;

	if (date ? crm_time_parse_epoch(&t, date, 0) : crm_now(&t))
		return date ? bad_field("date", date) : crm_error_code();
	d = g_date_time_new_from_unix_utc(t);
	g_mime_message_set_date(msg, d);
	g_date_time_unref(d);
	return CRM_OK;
}

/* A header value that goes out as written: printable ASCII and spaces. */
static int plain_value(const char *s)
{
	if (!s || !s[strspn(s, " ")])
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return 0;
	return 1;
}

/* Appends token t (n bytes) to the raw header text in b, after a space
 * or, past the 76 characters RFC 2047 allows a line holding encoded-words,
 * a line break; *col is the line's length so far. */
static void put_token(crm_buf *b, const char *t, size_t n, size_t *col)
{
	if (*col + 1 + n > 76) {
		crm_buf_puts(b, "\n");
		*col = 0;
	}
	crm_buf_putc(b, ' ');
	crm_buf_put(b, t, n);
	*col += 1 + n;
}

/* Appends the n bytes at s as RFC 2047 encoded-words of UTF-8 in base64,
 * each of whole characters: 39 bytes are 52 characters of base64, a word
 * of 64. */
static void put_encoded(crm_buf *b, const char *s, size_t n, size_t *col)
{
	enum { WORD_BYTES = 39 };
	size_t i = 0, k, w;
	gchar *enc, word[80];

	while (i < n) {
		for (w = 0; i + w < n; w += k) {
			k = (size_t)(g_utf8_next_char(s + i + w) - (s + i + w));
			if (w + k > WORD_BYTES)
				break;
		}
		enc = g_base64_encode((const guchar *)s + i, w);
		snprintf(word, sizeof word, "=?UTF-8?B?%s?=", enc);
		g_free(enc);
		put_token(b, word, strlen(word), col);
		i += w;
	}
}

/* Whether the n bytes at s are printable ASCII. */
static int plain_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~')
			return 0;
	return 1;
}

/* The length of the run of words at p that are not plain, with the
 * blanks between them, up to the next plain word or the end. */
static size_t unplain_run(const char *p)
{
	size_t run = strcspn(p, " "), gap, next;

	for (;;) {
		gap = strspn(p + run, " ");
		next = strcspn(p + run + gap, " ");
		if (!next || plain_word(p + run + gap, next))
			return run;
		run += gap + next;
	}
}

/* Appends s as the raw text of the unstructured header name: its words
 * of printable ASCII as they are, each run of other words (with the
 * blanks between them, which a reader drops between encoded-words) as
 * encoded-words, and lines kept within 76 characters.  GMime writes a
 * run of text without blanks (Japanese) as one encoded-word of any
 * length, past the 75 characters RFC 2047 allows one. */
static void unstructured(crm_buf *b, const char *name, const char *s)
{
	size_t col = strlen(name) + 1, n, run;
	const char *p = s + strspn(s, " ");

	while (*p) {
		n = strcspn(p, " ");
		if (plain_word(p, n)) {
			put_token(b, p, n, &col);
			p += n;
		} else {
			run = unplain_run(p);
			put_encoded(b, p, run, &col);
			p += run;
		}
		p += strspn(p, " ");
	}
	crm_buf_putc(b, '\n');
}

static int set_subject(GMimeMessage *msg, const char *subject)
{
	crm_buf raw = CRM_BUF_INIT;
	char *s;

	if (!subject)
		return CRM_OK;
	if (!g_utf8_validate(subject, -1, NULL))
		return crm_error_set(CRM_EDATA, "the subject is not UTF-8");
	if (!(s = one_line(subject)))
		return crm_error_nomem();
	g_mime_message_set_subject(msg, s, "utf-8");
	if (s[strspn(s, " ")] && !plain_value(s)) {
		unstructured(&raw, "Subject", s);
		g_mime_header_set_raw_value(g_mime_header_list_get_header(
			g_mime_object_get_header_list(GMIME_OBJECT(msg)), "Subject"), raw.ptr);
	}
	crm_buf_free(&raw);
	free(s);
	return CRM_OK;
}

/* value as the raw text of header name: a space, the words of value
 * with a line break before the blanks where the next word would pass
 * FOLD_AT, a line break.  CRM_EDATA for a word that does not fit in a
 * line. */
static int fold(crm_buf *b, const char *name, const char *value)
{
	size_t col = strlen(name) + 2, blanks, word;

	crm_buf_putc(b, ' ');
	for (const char *p = value + strspn(value, " "); *p; p += blanks + word) {
		blanks = strspn(p, " ");
		if (!(word = strcspn(p + blanks, " ")))
			break;
		if (blanks && col + blanks + word > FOLD_AT) {
			crm_buf_putc(b, '\n');
			col = 0;
		}
		crm_buf_put(b, p, blanks + word);
		if ((col += blanks + word) > LINE_MAX_OCTETS)
			return crm_error_set(CRM_EDATA, "%s has a word too long for a line of %d octets",
			                     name, LINE_MAX_OCTETS);
	}
	return crm_buf_putc(b, '\n');
}

/* Adds header name with value as written.  GMime's own formatting would
 * RFC 2047 encode a long word, such as the URI of List-Unsubscribe,
 * which no reader of that header decodes; so the raw text is ours. */
static int add_raw(GMimeMessage *msg, const char *name, const char *value)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	crm_buf b = CRM_BUF_INIT;
	int rc;

	if (!plain_value(value))
		return crm_error_set(CRM_EDATA, "%s must be printable ASCII, not empty", name);
	if (!(rc = fold(&b, name, value))) {
		g_mime_header_list_append(list, name, value, NULL);
		g_mime_header_set_raw_value(
			g_mime_header_list_get_header_at(list, g_mime_header_list_get_count(list) - 1),
			b.ptr);
	}
	crm_buf_free(&b);
	return rc;
}

/* Fields the message has already, and those that name people: a second
 * From, or a Bcc, would change who sends or who receives (sendmail -t
 * reads To, Cc and Bcc); Content-* would change what the body is. */
static const char *const reserved[] = {
	"Auto-Submitted", "Bcc", "Cc", "Date", "Disposition-Notification-To", "From",
	"In-Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID", "MIME-Version",
	"Precedence", "Received", "References", "Reply-To", "Return-Path", "Sender", "Subject",
	"To",
};

/* A field name (RFC 5322 ftext) that is free for the caller's use. */
static int free_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > FOLD_AT - 2 || !g_ascii_strncasecmp(name, "Content-", 8) ||
	    !g_ascii_strncasecmp(name, "Resent-", 7))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] > '~' || name[i] == ':')
			return 0;
	for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
		if (!g_ascii_strcasecmp(name, reserved[i]))
			return 0;
	return 1;
}

/* The headers of mail sent to many: Precedence, List-Unsubscribe (RFC
 * 2369) with its one-click POST (RFC 8058), and the caller's own. */
static int set_bulk(GMimeMessage *msg, const struct crm_mail_out *o)
{
	int rc = CRM_OK;

	if (!o->extra_name != !o->extra_value)
		return crm_error_set(CRM_EDATA, "an extra header needs both a name and a value");
	if (o->extra_name && !free_name(o->extra_name))
		return bad_field("extra header name", o->extra_name);
	if (o->precedence)
		rc = add_raw(msg, "Precedence", o->precedence);
	if (!rc && o->list_unsubscribe)
		rc = add_raw(msg, "List-Unsubscribe", o->list_unsubscribe);
	if (!rc && o->one_click)
		rc = o->list_unsubscribe && strcasestr(o->list_unsubscribe, "<https://") ?
		     add_raw(msg, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click") :
		     crm_error_set(CRM_EDATA, "one-click unsubscribing needs an https URI"
		                   " in List-Unsubscribe");
	if (!rc && o->extra_name)
		rc = add_raw(msg, o->extra_name, o->extra_value);
	return rc;
}

/* A text/subtype part of UTF-8 text: 7bit when it can be, else
 * quoted-printable (GMime would take base64 for mostly non-ASCII text). */
static GMimeObject *text_part(const char *subtype, const char *text)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype(subtype);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
	GMimeContentEncoding enc;

	/* Not g_mime_text_part_set_text: it would pick Latin-1 for text
	 * that fits, and mail from here is UTF-8 throughout. */
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content(GMIME_PART(part), w);
	enc = g_mime_part_get_best_content_encoding(GMIME_PART(part),
	                                            GMIME_ENCODING_CONSTRAINT_7BIT);
	g_mime_part_set_content_encoding(GMIME_PART(part),
		enc == GMIME_CONTENT_ENCODING_BASE64 ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE : enc);
	g_object_unref(w);
	g_object_unref(st);
	return GMIME_OBJECT(part);
}

static int set_body(GMimeMessage *msg, const char *body, const char *html)
{
	GMimeMultipart *alt;
	GMimeObject *part;

	if (!body)
		body = "";
	if (!g_utf8_validate(body, -1, NULL))
		return crm_error_set(CRM_EDATA, "the message text is not UTF-8");
	if (html && !g_utf8_validate(html, -1, NULL))
		return crm_error_set(CRM_EDATA, "the HTML text is not UTF-8");
	part = text_part("plain", body);
	if (!html) {
		g_mime_message_set_mime_part(msg, part);
		g_object_unref(part);
		return CRM_OK;
	}
	/* RFC 2046: the plainest alternative first, the richest last. */
	alt = g_mime_multipart_new_with_subtype("alternative");
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	part = text_part("html", html);
	g_mime_multipart_add(alt, part);
	g_object_unref(part);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	g_object_unref(alt);
	return CRM_OK;
}

static int build(GMimeMessage *msg, const struct crm_mail_out *o)
{
	int rc;

	if ((rc = set_address(msg, GMIME_ADDRESS_TYPE_FROM, "From", o->from, o->from_name)) ||
	    (rc = set_address(msg, GMIME_ADDRESS_TYPE_TO, "To", o->to, o->to_name)) ||
	    (rc = set_subject(msg, o->subject)) || (rc = set_date(msg, o->date)) ||
	    (rc = set_threading(msg, o)))
		return rc;
	if (o->auto_submitted && (rc = add_raw(msg, "Auto-Submitted", o->auto_submitted)))
		return rc;
	if ((rc = set_bulk(msg, o)))
		return rc;
	return set_body(msg, o->body, o->html);
}

int crm_mail_compose(char **out, size_t *len, const struct crm_mail_out *o)
{
	GMimeMessage *msg;
	gchar *text;
	int rc;

	*out = NULL;
	*len = 0;
	crm_mail_init();
	msg = g_mime_message_new(TRUE);
	rc = build(msg, o);
	if (!rc) {
		text = g_mime_object_to_string(GMIME_OBJECT(msg), NULL);
		*len = strlen(text);
		if (!(*out = strdup(text)))
			rc = crm_error_nomem();
		g_free(text);
	}
	g_object_unref(msg);
	return rc;
}

/* ---- ids and sending ---- */

int crm_mail_ascii_address(char **out, const char *addr)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;
	const char *ascii = NULL;

	*out = NULL;
	crm_mail_init();
	list = addr ? internet_address_list_parse(crm_mail_options(), addr) : NULL;
	if ((mb = crm_mail_first_mailbox(list)) && (ascii = internet_address_mailbox_get_idn_addr(mb)))
		*out = strdup(ascii);
	if (list)
		g_object_unref(list);
	if (!ascii)
		return crm_error_set(CRM_EDATA, "'%s' is no mail address", addr ? addr : "");
	return *out ? CRM_OK : crm_error_nomem();
}

int crm_mail_new_id(char **out, const char *from)
{
	char *addr = NULL;
	const char *at = NULL;
	unsigned char r[8];
	int64_t now;
	crm_buf b = CRM_BUF_INIT;
	int rc;

	*out = NULL;
	/* The IDN form: an id is ASCII. */
	if (!crm_mail_ascii_address(&addr, from))
		at = strrchr(addr, '@');
	if (!at || !good_id(at + 1))
		rc = crm_error_set(CRM_EDATA, "no domain in From address '%s'", from ? from : "");
	else if (!(rc = crm_now(&now)) && getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		rc = crm_error_set(CRM_EIO, "cannot get random bytes: %s", strerror(errno));
	if (!rc) {
		crm_buf_printf(&b, "%lld.", (long long)now);
		for (size_t i = 0; i < sizeof r; i++)
			crm_buf_printf(&b, "%02x", r[i]);
		crm_buf_puts(&b, at);
		for (size_t i = b.len - strlen(at); i < b.len; i++)
			b.ptr[i] = (char)tolower((unsigned char)b.ptr[i]);
		if (!(*out = crm_buf_detach(&b)))
			rc = crm_error_nomem();
	}
	free(addr);
	return rc;
}

/* Writes msg to fd with SIGPIPE held back: a command that exits without
 * reading is its exit status's business, not a reason to kill the
 * caller.  Returns 0 or an errno. */
static int feed(int fd, const char *msg, size_t len)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int err = 0, was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	if (crm_mail_write_all(fd, msg, len))
		err = errno;
	/* Take the SIGPIPE this write raised, and only that one. */
	if (err == EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int spawn(pid_t *pid, const char *command, int in)
{
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def, none;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	/* What the command says (msmtp -v, sendmail -v, wrappers) goes to our
	 * standard error: our output is the caller's ("id=$(...)"). */
	if (fcntl(2, F_GETFD) >= 0)
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&attr);
	/* The command starts as any program does: SIGPIPE not ignored, no
	 * signals blocked, whatever the caller did to its own. */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

static int ended(const char *command, int status, int err)
{
	if (WIFSIGNALED(status))
		return crm_error_set(CRM_EIO, "mail command '%s' was killed by signal %d", command,
		                     WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return crm_error_set(CRM_EIO, "mail command '%s' failed with exit status %d",
		                     command, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (err)
		return crm_error_set(CRM_EIO, "mail command '%s' did not read the message: %s",
		                     command, strerror(err));
	return CRM_OK;
}

int crm_mail_send(const char *command, const char *msg, size_t len)
{
	int fds[2], err, status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return crm_error_set(CRM_EIO, "cannot make a pipe: %s", strerror(errno));
	err = spawn(&pid, command, fds[0]);
	close(fds[0]);
	if (err) {
		close(fds[1]);
		return crm_error_set(CRM_EIO, "cannot run mail command '%s': %s", command,
		                     strerror(err));
	}
	err = feed(fds[1], msg, len);
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return crm_error_set(CRM_EIO, "cannot wait for mail command '%s': %s", command,
			                     strerror(errno));
	return ended(command, status, err);
}

