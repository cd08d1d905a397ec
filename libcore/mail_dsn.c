/* mail_dsn.c - delivery status notifications (RFC 3464, and the global
 * ones of RFC 6533) read into the plain struct of mail.h: what became of
 * the mail to each recipient, and which message it was.
 *
 * GMime finds the parts of the report.  The status part is read here, as
 * GMime has no reader for it: blocks of header-like fields parted by
 * blank lines, the first about the message, each other about one
 * recipient.  Bounces are written by many programs, some of them old, so
 * what is read is what they write, not only what the RFC allows.
 */
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/mail.h"
#include "mail_impl.h"

/* ---- the fields of the status part ---- */

/* The fields of one block that are read, unfolded, as written. */
struct block {
	char *mta, *final, *original, *action, *status, *diagnostic;
};

static int blank_line(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\n' || !*s;
}

static const char *next_line(const char *s)
{
	s = strchrnul(s, '\n');
	return *s ? s + 1 : s;
}

/* Reads the field at *p and its continuation lines into name ("" when it
 * has no colon or a name too long for any field read here) and value,
 * each line break with the blanks around it made one space; moves *p
 * past it. */
static void read_field(const char **p, char name[32], crm_buf *value)
{
	const char *s = *p, *eol = strchrnul(s, '\n'), *colon = memchr(s, ':', eol - s);
	size_t n = colon ? (size_t)(colon - s) : 0;

	/* "Action : failed" is the obsolete syntax of RFC 5322 4.5. */
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 31)
		n = 0;
	memcpy(name, s, n);
	name[n] = '\0';
	for (s = colon ? colon + 1 : eol;;) {
		s += strspn(s, " \t");
		eol = strchrnul(s, '\n');
		n = eol - s;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n && value->len)
			crm_buf_putc(value, ' ');
		crm_buf_put(value, s, n);
		s = *eol ? eol + 1 : eol;
		if ((*s != ' ' && *s != '\t') || blank_line(s))
			break;
	}
	*p = s;
}

/* Where field name goes in bk, or NULL for a field not read. */
static char **slot(struct block *bk, const char *name)
{
	if (!g_ascii_strcasecmp(name, "Reporting-MTA"))
		return &bk->mta;
	if (!g_ascii_strcasecmp(name, "Final-Recipient"))
		return &bk->final;
	if (!g_ascii_strcasecmp(name, "Original-Recipient"))
		return &bk->original;
	if (!g_ascii_strcasecmp(name, "Action"))
		return &bk->action;
	if (!g_ascii_strcasecmp(name, "Status"))
		return &bk->status;
	if (!g_ascii_strcasecmp(name, "Diagnostic-Code"))
		return &bk->diagnostic;
	return NULL;
}

/* Reads the fields of the block at *p, up to a blank line or the end,
 * into bk; the first of each name counts. */
static int read_block(const char **p, struct block *bk)
{
	crm_buf value = CRM_BUF_INIT;
	char name[32], **to;
	int rc = CRM_OK;

	while (!rc && **p && !blank_line(*p)) {
		crm_buf_clear(&value);
		read_field(p, name, &value);
		if ((to = slot(bk, name)) && !*to && !(*to = strdup(crm_buf_str(&value))))
			rc = crm_error_nomem();
	}
	crm_buf_free(&value);
	return rc;
}

static void block_free(struct block *bk)
{
	free(bk->mta);
	free(bk->final);
	free(bk->original);
	free(bk->action);
	free(bk->status);
	free(bk->diagnostic);
}

/* ---- the values ---- */

/* What follows the type of a typed value ("dns; mx.example.org",
 * "smtp; 550 ..."): the whole value when it names no type. */
static const char *after_type(const char *v)
{
	const char *semi = strchr(v, ';');

	v = semi ? semi + 1 : v;
	return v + strspn(v, " \t");
}

/* Stores in *out a copy of what follows the type of v, NULL when that is
 * empty. */
static int typed(char **out, const char *v)
{
	*out = NULL;
	if (!v || !*(v = after_type(v)))
		return CRM_OK;
	return (*out = strdup(v)) ? CRM_OK : crm_error_nomem();
}

/* Stores in *out the first word after the type of v, without brackets
 * ("rfc822; <User@Example.ORG> (x)": "User@Example.ORG"); NULL when there
 * is none.  The names and addresses of these fields hold no blanks, and
 * some writers add a comment after them. */
static int typed_word(char **out, const char *v)
{
	size_t n;

	*out = NULL;
	if (!v)
		return CRM_OK;
	v = after_type(v);
	n = strcspn(v, " \t");
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>')
		v++, n -= 2;
	if (!n)
		return CRM_OK;
	return (*out = strndup(v, n)) ? CRM_OK : crm_error_nomem();
}

/* Stores in *out the address of a recipient field, its domain in lower
 * case; NULL when it has none. */
static int address(char **out, const char *v)
{
	int rc = typed_word(out, v);
	char *at;

	if (!rc && *out && (at = strrchr(*out, '@')))
		for (; *at; at++)
			*at = g_ascii_tolower(*at);
	return rc;
}

/* Stores in *out the first word of v in lower case, NULL when none. */
static int first_word(char **out, const char *v)
{
	size_t n = v ? strcspn(v, " \t;(") : 0;

	*out = NULL;
	if (!n)
		return CRM_OK;
	if (!(*out = strndup(v, n)))
		return crm_error_nomem();
	for (char *c = *out; *c; c++)
		*c = g_ascii_tolower(*c);
	return CRM_OK;
}

/* A status code of RFC 3463: class 2, 4 or 5, then a subject and a
 * detail of one to three digits each. */
static int good_status(const char *s)
{
	if (*s != '2' && *s != '4' && *s != '5')
		return 0;
	s++;
	for (int i = 0; i < 2; i++) {
		size_t n;

		if (*s != '.')
			return 0;
		n = strspn(++s, "0123456789");
		if (n < 1 || n > 3)
			return 0;
		s += n;
	}
	return !*s;
}

/* Stores in *out the status code of v ("5.1.1 (bad mailbox)"), the
 * comments in parentheses dropped; NULL when there is no good one. */
static int status_code(char **out, const char *v)
{
	crm_buf b = CRM_BUF_INIT;
	int depth = 0, rc = CRM_OK;
	size_t n;

	*out = NULL;
	for (; v && *v; v++) {
		if (depth && *v == '\\' && v[1])
			v++;
		else if (*v == '(')
			depth++;
		else if (*v == ')' && depth)
			depth--;
		else if (!depth)
			crm_buf_putc(&b, *v);
	}
	v = crm_buf_str(&b);
	v += strspn(v, " \t");
	n = strcspn(v, " \t");
	if (n < 16) {
		char code[16];

		memcpy(code, v, n);
		code[n] = '\0';
		if (good_status(code) && !(*out = strdup(code)))
			rc = crm_error_nomem();
	}
	crm_buf_free(&b);
	return rc;
}

static void rcpt_free(struct crm_dsn_rcpt *r)
{
	free(r->recipient);
	free(r->action);
	free(r->status);
	free(r->diagnostic);
}

/* Adds to d the recipient block bk is about; a block that names no
 * address tells nothing anyone could act on, and is left out. */
static int add_rcpt(struct crm_dsn *d, const struct block *bk)
{
	struct crm_dsn_rcpt r = { 0 }, *grown;
	int rc = address(&r.recipient, bk->final);

	if (!rc && !r.recipient)
		rc = address(&r.recipient, bk->original);
	if (rc || !r.recipient)
		return rc;
	if (!(rc = first_word(&r.action, bk->action)) && !(rc = status_code(&r.status, bk->status)))
		rc = typed(&r.diagnostic, bk->diagnostic);
	if (!rc && !(grown = realloc(d->rcpts, (d->nrcpts + 1) * sizeof *grown)))
		rc = crm_error_nomem();
	if (rc) {
		rcpt_free(&r);
		return rc;
	}
	d->rcpts = grown;
	d->rcpts[d->nrcpts++] = r;
	return CRM_OK;
}

/* Reads status text s into d: the Reporting-MTA of the first block that
 * names one, and a recipient of each block about one. */
static int read_status(struct crm_dsn *d, const char *s)
{
	int rc = CRM_OK;

	while (!rc) {
		struct block bk = { 0 };

		while (*s && blank_line(s))
			s = next_line(s);
		if (!*s)
			break;
		rc = read_block(&s, &bk);
		if (!rc && bk.mta && !d->reporting_mta)
			rc = typed_word(&d->reporting_mta, bk.mta);
		if (!rc && (bk.final || bk.original))
			rc = add_rcpt(d, &bk);
		block_free(&bk);
	}
	return rc;
}

/* ---- the parts of the report ---- */

struct parts {
	GMimePart *status;     /* the first (global-)delivery-status part */
	GMimeObject *returned; /* the first returned message or headers */
};

static void find(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct parts *p = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);

	(void)parent;
	if (!ct)
		return;
	if (!p->status && GMIME_IS_PART(part) &&
	    (g_mime_content_type_is_type(ct, "message", "delivery-status") ||
	     g_mime_content_type_is_type(ct, "message", "global-delivery-status")))
		p->status = GMIME_PART(part);
	else if (!p->returned && (GMIME_IS_MESSAGE_PART(part) ||
	                          (GMIME_IS_PART(part) &&
	                           (g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
	                            g_mime_content_type_is_type(ct, "message", "global-headers")))))
		p->returned = part;
}

/* The returned headers (text/rfc822-headers) read as a message with no
 * body, or NULL. */
static GMimeMessage *headers_message(GMimePart *part)
{
	GByteArray *bytes = crm_mail_content(part);
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;

	/* The blank line that ends the headers, in case the part has none. */
	g_byte_array_append(bytes, (const guint8 *)"\n\n", 2);
	st = g_mime_stream_mem_new_with_buffer((const char *)bytes->data, bytes->len);
	g_byte_array_free(bytes, TRUE);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(parser, crm_mail_options());
	g_object_unref(parser);
	return msg;
}

/* Stores in *out the Message-ID of the returned message or headers at
 * part, NULL when it has none. */
static int returned_id(char **out, GMimeObject *part)
{
	GMimeMessage *msg = NULL;
	const char *id;
	int rc = CRM_OK;

	*out = NULL;
	if (GMIME_IS_MESSAGE_PART(part)) {
		if ((msg = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part))))
			g_object_ref(msg);
	} else {
		msg = headers_message(GMIME_PART(part));
	}
	id = msg ? g_mime_message_get_message_id(msg) : NULL;
	if (id && *id && !(*out = crm_mail_utf8(id, strlen(id))))
		rc = crm_error_nomem();
	if (msg)
		g_object_unref(msg);
	return rc;
}

/* Reads the status part into d; CRM_EDATA when there is none or it
 * names no recipient. */
static int read_parts(struct crm_dsn *d, GMimeMessage *msg)
{
	struct parts p = { NULL, NULL };
	GByteArray *bytes;
	char *text, *w;
	int rc;

	g_mime_message_foreach(msg, find, &p);
	if (!p.status)
		return crm_error_set(CRM_EDATA, "delivery report without a delivery-status part");
	bytes = crm_mail_content(p.status);
	/* An empty array has no buffer at all. */
	text = crm_mail_utf8(bytes->data ? (const char *)bytes->data : "", bytes->len);
	g_byte_array_free(bytes, TRUE);
	if (!text)
		return crm_error_nomem();
	/* Lines end in LF alone from here on. */
	for (const char *r = w = text; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
	rc = read_status(d, text);
	free(text);
	if (!rc && !d->nrcpts)
		rc = crm_error_set(CRM_EDATA, "delivery report about no recipient");
	if (!rc && p.returned)
		rc = returned_id(&d->original_id, p.returned);
	return rc;
}

/* Whether msg is a report of report-type delivery-status, or the global
 * one of RFC 6533. */
static int is_dsn(GMimeMessage *msg)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	GMimeContentType *ct = body ? g_mime_object_get_content_type(body) : NULL;
	const char *type = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;

	return type && GMIME_IS_MULTIPART(body) &&
	       g_mime_content_type_is_type(ct, "multipart", "report") &&
	       (!g_ascii_strcasecmp(type, "delivery-status") ||
	        !g_ascii_strcasecmp(type, "global-delivery-status"));
}

int crm_mail_dsn(struct crm_dsn **out, const char *raw, size_t len)
{
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;
	struct crm_dsn *d;
	int rc;

	*out = NULL;
	crm_mail_init();
	st = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(parser, crm_mail_options());
	g_object_unref(parser);
	if (!msg || !is_dsn(msg)) {
		if (msg)
			g_object_unref(msg);
		return 0;
	}
	if (!(d = calloc(1, sizeof *d)))
		rc = crm_error_nomem();
	else if ((rc = read_parts(d, msg)))
		crm_dsn_free(d);
	g_object_unref(msg);
	if (rc)
		return rc;
	*out = d;
	return 1;
}

void crm_dsn_free(struct crm_dsn *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nrcpts; i++)
		rcpt_free(&d->rcpts[i]);
	free(d->rcpts);
	free(d->original_id);
	free(d->reporting_mta);
	free(d);
}
