/* mail.c - mail messages read through GMime 3; see mail.h.
 *
 * GMime does the MIME work (headers, RFC 2047 and 2231, transfer
 * encodings, addresses); this file turns its objects into the plain
 * struct of mail.h and makes sure every string that leaves is UTF-8.
 * The places mail is kept are read in mailbox.c, HTML is turned into text
 * in mail_html.c, and replies are written and sent in mail_out.c.
 */
#include <ctype.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "crm/buf.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/mail.h"
#include "mail_impl.h"

/* ---- GMime, started once per process ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *options;

static void start(void)
{
	/* Raw 8-bit header text is tried as UTF-8 first, then as the
	 * Windows superset of Latin-1 that such mailers mostly mean. */
	static const char *fallback[] = { "utf-8", "windows-1252", NULL };

	g_mime_init();
	options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(options, fallback);
}

void crm_mail_init(void)
{
	pthread_once(&once, start);
}

GMimeParserOptions *crm_mail_options(void)
{
	crm_mail_init();
	return options;
}

/* ---- text ---- */

char *crm_mail_utf8(const char *s, size_t n)
{
	crm_buf b = CRM_BUF_INIT;
	const char *end = s + n, *bad;

	while (s < end) {
		if (g_utf8_validate(s, end - s, &bad)) {
			crm_buf_put(&b, s, end - s);
			break;
		}
		crm_buf_put(&b, s, bad - s);
		if (*bad)
			crm_buf_puts(&b, "\xEF\xBF\xBD");
		s = bad + 1;
	}
	if (!b.ptr)
		crm_buf_puts(&b, "");
	return crm_buf_detach(&b);
}

/* The header value s as a malloc'd UTF-8 string, NULL for NULL or "". */
static char *field(const char *s)
{
	return s && *s ? crm_mail_utf8(s, strlen(s)) : NULL;
}

/* Counts the well-formed multi-byte UTF-8 sequences and the stray bytes
 * of s: text with the first and none of the second is UTF-8 whatever it
 * was labelled, as no other charset produces such sequences by chance. */
static void utf8_census(const char *s, size_t n, size_t *multi, size_t *stray)
{
	const char *end = s + n;

	*multi = *stray = 0;
	while (s < end) {
		gunichar c = g_utf8_get_char_validated(s, end - s);
		int len = c == (gunichar)-1 || c == (gunichar)-2 ? 0 : g_unichar_to_utf8(c, NULL);

		if (!len)
			(*stray)++;
		else if (len > 1)
			(*multi)++;
		s += len ? len : 1;
	}
}

const char *crm_mail_charset(const char *charset)
{
	/* Labels, each list ending with the converter they are read with:
	 * the WHATWG Encoding Standard's choices, which browsers and mail
	 * readers share; the vendor sets are supersets of the labelled ones. */
	static const char *const sets[][12] = {
		{ "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819",
		  "iso-ir-100", "csisolatin1", "WINDOWS-1252" },
		{ "iso-8859-9", "iso8859-9", "iso_8859-9", "latin5", "l5", "csisolatin5",
		  "WINDOWS-1254" },
		{ "shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "ms_kanji", "ms932",
		  "csshiftjis", "cswindows31j", "x-ms-cp932", "CP932" },
		{ "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "korean",
		  "csksc56011987", "euc-kr", "cseuckr", "windows-949", "x-windows-949", "CP949" },
		{ "gb2312", "euc-cn", "gbk", "x-gbk", "csgb2312", "chinese", "cp936", "GB18030" },
	};

	for (size_t i = 0; charset && i < sizeof sets / sizeof sets[0]; i++) {
		size_t n = 0;

		while (sets[i][n + 1])
			n++;
		for (size_t k = 0; k < n; k++)
			if (!strcasecmp(charset, sets[i][k]))
				return sets[i][n];
	}
	return charset;
}

/* Converts the n bytes at s from charset to UTF-8 into b, a U+FFFD for
 * each byte the charset does not define; stores how many in *bad.
 * Returns -1 when iconv does not know the charset. */
static int convert(crm_buf *b, const char *s, size_t n, const char *charset, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", g_mime_charset_iconv_name(crm_mail_charset(charset)));
	char *in = (char *)s;

	*bad = 0;
	if (cd == (iconv_t)-1)
		return -1;
	while (n) {
		char *out;
		size_t room;

		if (crm_buf_grow(b, n * 4 + 16))
			break;
		out = b->ptr + b->len;
		room = b->cap - b->len - 1;
		if (iconv(cd, &in, &n, &out, &room) == (size_t)-1 && errno != E2BIG) {
			b->len = out - b->ptr;
			crm_buf_puts(b, "\xEF\xBF\xBD");
			(*bad)++;
			in++, n--;
			iconv(cd, NULL, NULL, NULL, NULL);
			continue;
		}
		b->len = out - b->ptr;
		b->ptr[b->len] = '\0';
	}
	iconv_close(cd);
	return 0;
}

static int is_utf8_name(const char *charset)
{
	return !charset || !*charset || !strcasecmp(charset, "utf-8") ||
	       !strcasecmp(charset, "utf8") || !strcasecmp(charset, "us-ascii") ||
	       !strcasecmp(charset, "ascii");
}

/* Charsets of one byte a character, in which text that reads as UTF-8
 * with multi-byte sequences and no stray bytes is UTF-8 mislabelled: in
 * real Latin-1 or Cyrillic such sequences ("\xc3\xa9" for "Ã©") do not
 * occur whole texts long. */
static int single_byte(const char *charset)
{
	return !strncasecmp(charset, "iso-8859-", 9) || !strncasecmp(charset, "windows-125", 11) ||
	       !strncasecmp(charset, "cp125", 5) || !strncasecmp(charset, "latin", 5);
}

/* The n bytes at s, said to be in charset (NULL: not said), as a
 * malloc'd valid UTF-8 string.  A charset that iconv does not know or
 * that the bytes break is not trusted: they are read as UTF-8 when they
 * look it, else as Windows-1252. */
static char *to_utf8(const char *s, size_t n, const char *charset)
{
	crm_buf b = CRM_BUF_INIT;
	size_t multi, stray, bad;
	int looks_utf8;
	char *text;

	utf8_census(s, n, &multi, &stray);
	looks_utf8 = multi && !stray;
	if (!is_utf8_name(charset) && !(looks_utf8 && single_byte(charset)) &&
	    !convert(&b, s, n, charset, &bad) && (!bad || !looks_utf8))
		goto done;
	crm_buf_free(&b);
	if (!stray || multi > stray)
		return crm_mail_utf8(s, n);
	convert(&b, s, n, "windows-1252", &bad);
done:
	/* iconv's output is UTF-8, but may hold the NULs of UTF-16. */
	text = crm_mail_utf8(crm_buf_str(&b), b.len);
	crm_buf_free(&b);
	return text;
}

/* Drops the CR of each CRLF of s, in place. */
static void unix_lines(char *s)
{
	char *w = s;

	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*w++ = *s;
	*w = '\0';
}

/* Reads the quote depth of the line at s (">" marks) and where its text
 * starts, past the space-stuffing of RFC 3676. */
static size_t quote_depth(const char *s, const char **text)
{
	size_t depth = 0;

	while (s[depth] == '>')
		depth++;
	*text = s + depth + (s[depth] == ' ');
	return depth;
}

/* Unwraps format=flowed text (RFC 3676): a line that ends in a space
 * goes on in the next line of the same quote depth.  With delsp the
 * space was added by the wrapping and goes too. */
static char *unflow(const char *s, int delsp)
{
	crm_buf b = CRM_BUF_INIT;
	int joining = 0;
	size_t prev = 0;

	while (*s) {
		const char *text, *eol = strchrnul(s, '\n');
		size_t depth = quote_depth(s, &text), len = eol - text;
		int flowed = len && text[len - 1] == ' ' && !(len == 3 && !strncmp(text, "-- ", 3));

		if (joining && depth != prev)
			crm_buf_putc(&b, '\n');
		if (!joining || depth != prev) {
			for (size_t i = 0; i < depth; i++)
				crm_buf_putc(&b, '>');
			if (depth)
				crm_buf_putc(&b, ' ');
		}
		crm_buf_put(&b, text, len - (flowed && delsp));
		if (!flowed && *eol)
			crm_buf_putc(&b, '\n');
		joining = flowed;
		prev = depth;
		s = *eol ? eol + 1 : eol;
	}
	return b.ptr ? crm_buf_detach(&b) : strdup("");
}

/* ---- the parts of a message ---- */

struct walk {
	struct crm_mail *m;
	size_t cap;
	crm_buf text;  /* the text/plain parts so far */
	char *html;    /* the first text/html part, as UTF-8 */
	int rc;
};

/* Decodes into bytes base64 that lacks its closing '=' padding, which
 * mail programs leave out and GMime's decoder then drops the last one or
 * two bytes of ("SGVsbG8gV29ybGQ" is "Hello World", not "Hello Wor");
 * returns 0 for any other content, for GMime to decode. */
static int unpadded_base64(GMimeDataWrapper *w, GByteArray *bytes)
{
	GMimeStream *raw = g_mime_data_wrapper_get_stream(w);
	crm_buf b = CRM_BUF_INIT;
	char chunk[4096];
	gssize n;
	gsize len = 0;
	guchar *out;
	int done = 0, bad = 0;

	if (!raw || g_mime_data_wrapper_get_encoding(w) != GMIME_CONTENT_ENCODING_BASE64 ||
	    g_mime_stream_reset(raw))
		return 0;
	while (!bad && (n = g_mime_stream_read(raw, chunk, sizeof chunk)) > 0)
		for (gssize i = 0; i < n && !bad; i++)
			if (g_ascii_isalnum(chunk[i]) || chunk[i] == '+' || chunk[i] == '/' ||
			    chunk[i] == '=')
				bad = crm_buf_putc(&b, chunk[i]);
	g_mime_stream_reset(raw);
	if (!bad && b.len % 4 >= 2 && !memchr(b.ptr, '=', b.len) &&
	    !crm_buf_puts(&b, b.len % 4 == 2 ? "==" : "=")) {
		if ((out = g_base64_decode(crm_buf_str(&b), &len))) {
			g_byte_array_append(bytes, out, (guint)len);
			g_free(out);
			done = 1;
		}
	}
	crm_buf_free(&b);
	return done;
}

GByteArray *crm_mail_content(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *st = g_mime_stream_mem_new();
	GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));

	if (w && !unpadded_base64(w, bytes))
		g_mime_data_wrapper_write_to_stream(w, st);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(st), FALSE);
	g_object_unref(st);
	return bytes;
}

/* The bytes of an array, never NULL (an empty one has no buffer). */
static const char *bytes_of(const GByteArray *a)
{
	return a->data ? (const char *)a->data : "";
}

static int add_attachment(struct walk *w, const char *name, const char *type,
                          const guint8 *data, size_t size)
{
	struct crm_mail *m = w->m;
	struct crm_mail_attachment *a = realloc(m->attachments, (m->nattachments + 1) * sizeof *a);

	if (!a)
		return crm_error_nomem();
	m->attachments = a;
	a += m->nattachments++;
	memset(a, 0, sizeof *a);
	a->name = field(name);
	a->type = strdup(type);
	a->size = size;
	if (size <= w->cap && (a->data = malloc(size ? size : 1)) && size)
		memcpy(a->data, data, size);
	if (!a->type || (size <= w->cap && !a->data))
		return crm_error_nomem();
	return CRM_OK;
}

static int attach_part(struct walk *w, GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	char *mime = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *type = g_ascii_strdown(mime ? mime : "application/octet-stream", -1);
	GByteArray *bytes = crm_mail_content(part);
	int rc;

	rc = add_attachment(w, g_mime_part_get_filename(part), type, bytes->data, bytes->len);
	g_byte_array_free(bytes, TRUE);
	g_free(mime);
	g_free(type);
	return rc;
}

/* An attached message is kept as the bytes of that message. */
static int attach_message(struct walk *w, GMimeMessagePart *part)
{
	GMimeMessage *msg = g_mime_message_part_get_message(part);
	GMimeStream *st = g_mime_stream_mem_new();
	GByteArray *bytes;
	const char *name = g_mime_object_get_content_disposition_parameter(GMIME_OBJECT(part),
	                                                                      "filename");
	int rc;

	if (msg)
		g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, st);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
	rc = add_attachment(w, name, "message/rfc822", bytes->data, bytes->len);
	g_object_unref(st);
	return rc;
}

static int add_text(struct walk *w, GMimePart *part, int html)
{
	GMimeObject *o = GMIME_OBJECT(part);
	const char *charset = g_mime_object_get_content_type_parameter(o, "charset");
	const char *format = g_mime_object_get_content_type_parameter(o, "format");
	const char *delsp = g_mime_object_get_content_type_parameter(o, "delsp");
	GByteArray *bytes = crm_mail_content(part);
	char meta[40], *text;

	if (html && !charset) {
		crm_mail_html_charset(meta, bytes_of(bytes), bytes->len);
		charset = *meta ? meta : NULL;
	}
	text = to_utf8(bytes_of(bytes), bytes->len, charset);
	g_byte_array_free(bytes, TRUE);
	if (!text)
		return crm_error_nomem();
	unix_lines(text);
	if (html) {
		if (!w->html)
			w->html = text;
		else
			free(text);
		return CRM_OK;
	}
	if (format && !g_ascii_strcasecmp(format, "flowed")) {
		char *flat = unflow(text, delsp && !g_ascii_strcasecmp(delsp, "yes"));

		free(text);
		text = flat;
		if (!text)
			return crm_error_nomem();
	}
	/* Parts of one text (Apple Mail splits it around inline images) are
	 * kept a paragraph apart. */
	if (w->text.len)
		crm_buf_puts(&w->text, w->text.ptr[w->text.len - 1] == '\n' ? "\n" : "\n\n");
	crm_buf_puts(&w->text, text);
	free(text);
	return CRM_OK;
}

/* 1 for text/plain, 2 for text/html meant to be read as the message. */
static int body_kind(GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));

	if (!ct || g_mime_part_is_attachment(part) || g_mime_part_get_filename(part))
		return 0;
	if (g_mime_content_type_is_type(ct, "text", "plain"))
		return 1;
	return g_mime_content_type_is_type(ct, "text", "html") ? 2 : 0;
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

/* A multipart without parts (its boundary missing, or never found): what
 * it holds is read as its text, which would else be lost. */
static int partless(struct walk *w, GMimeMultipart *mp)
{
	const char *s = g_mime_multipart_get_prologue(mp);
	char *text;

	if (g_mime_multipart_get_count(mp) || blank(s))
		return CRM_OK;
	if (!(text = to_utf8(s, strlen(s), NULL)))
		return crm_error_nomem();
	unix_lines(text);
	if (w->text.len)
		crm_buf_puts(&w->text, "\n\n");
	crm_buf_puts(&w->text, text);
	free(text);
	return CRM_OK;
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct walk *w = data;
	int kind;

	(void)parent;
	if (!w->rc && GMIME_IS_MULTIPART(part))
		w->rc = partless(w, GMIME_MULTIPART(part));
	if (w->rc || GMIME_IS_MULTIPART(part))
		return;
	if (GMIME_IS_MESSAGE_PART(part))
		w->rc = attach_message(w, GMIME_MESSAGE_PART(part));
	else if (GMIME_IS_PART(part) && (kind = body_kind(GMIME_PART(part))))
		w->rc = add_text(w, GMIME_PART(part), kind == 2);
	else if (GMIME_IS_PART(part))
		w->rc = attach_part(w, GMIME_PART(part));
}

static int read_parts(struct crm_mail *m, GMimeMessage *msg, size_t cap)
{
	struct walk w = { m, cap, CRM_BUF_INIT, NULL, CRM_OK };

	g_mime_message_foreach(msg, visit, &w);
	if (!w.rc && blank(w.text.ptr) && w.html) {
		crm_buf_free(&w.text);
		m->text = crm_mail_html_text(w.html);
	} else if (!w.rc) {
		m->text = w.text.ptr ? crm_buf_detach(&w.text) : strdup("");
	}
	crm_buf_free(&w.text);
	free(w.html);
	if (!w.rc && !m->text)
		w.rc = crm_error_nomem();
	return w.rc;
}

/* ---- the headers ---- */

InternetAddressMailbox *crm_mail_first_mailbox(InternetAddressList *list)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		InternetAddressMailbox *mb = NULL;

		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			mb = INTERNET_ADDRESS_MAILBOX(a);
		else if (INTERNET_ADDRESS_IS_GROUP(a))
			mb = crm_mail_first_mailbox(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
		if (mb && !blank(internet_address_mailbox_get_addr(mb)))
			return mb;
	}
	return NULL;
}

/* The ids of a References or In-Reply-To value, brackets off. */
static int read_ids(char ***ids, size_t *n, const char *value, size_t most)
{
	GMimeReferences *refs = value ? g_mime_references_parse(options, value) : NULL;
	size_t len = refs ? (size_t)g_mime_references_length(refs) : 0;
	int rc = CRM_OK;

	if (len > most)
		len = most;
	*n = 0;
	if (len && !(*ids = calloc(len, sizeof **ids)))
		rc = crm_error_nomem();
	for (size_t i = 0; !rc && i < len; i++) {
		char *id = field(g_mime_references_get_message_id(refs, (int)i));

		if (id)
			(*ids)[(*n)++] = id;
	}
	if (refs)
		g_mime_references_free(refs);
	return rc;
}

/* Puts s on one line: each run of blanks with a line break in it
 * becomes one space.  GMime keeps the folding of a long display name
 * ("\n\t" where the writer broke the line), which is no part of it. */
static void unfold(char *s)
{
	char *w = s, *start = s;

	while (*s) {
		if (*s != '\r' && *s != '\n') {
			*w++ = *s++;
			continue;
		}
		while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
			w--;
		s += strspn(s, "\r\n \t");
		*w++ = ' ';
	}
	*w = '\0';
}

static int read_from(struct crm_mail *m, GMimeMessage *msg)
{
	InternetAddressMailbox *mb = crm_mail_first_mailbox(g_mime_message_get_from(msg));
	char *at;

	if (!mb)
		return crm_error_set(CRM_EDATA, "no From address");
	m->from_name = field(internet_address_get_name(INTERNET_ADDRESS(mb)));
	m->from_addr = field(internet_address_mailbox_get_addr(mb));
	if (!m->from_addr)
		return crm_error_nomem();
	if (m->from_name)
		unfold(m->from_name);
	/* Domains are case-blind; the local part is the receiver's business. */
	if ((at = strrchr(m->from_addr, '@')))
		for (; *at; at++)
			*at = (char)tolower((unsigned char)*at);
	mb = crm_mail_first_mailbox(g_mime_message_get_to(msg));
	if (mb)
		m->to = field(internet_address_mailbox_get_addr(mb));
	return CRM_OK;
}

static void read_date(struct crm_mail *m, GMimeMessage *msg)
{
	GDateTime *d = g_mime_message_get_date(msg);
	char out[CRM_TIME_LEN];

	if (!d)
		return;
	/* A year that does not take four digits is no date anyone sent. */
	if (g_date_time_to_unix(d) < -30610224000 || g_date_time_to_unix(d) > 253402300799)
		return;
	crm_time_format(out, g_date_time_to_unix(d));
	m->date = strdup(out);
}

/* The first word of header name, lower case, into out ("" if absent). */
static void header_word(char out[32], GMimeObject *o, const char *name)
{
	const char *v = g_mime_object_get_header(o, name);
	size_t i = 0;

	if (v)
		for (v += strspn(v, " \t"); i < 31 && v[i] && !strchr(" \t;(", v[i]); i++)
			out[i] = (char)tolower((unsigned char)v[i]);
	out[i] = '\0';
}

static void read_kind(struct crm_mail *m, GMimeMessage *msg)
{
	GMimeObject *o = GMIME_OBJECT(msg), *body = g_mime_message_get_mime_part(msg);
	GMimeContentType *ct = body ? g_mime_object_get_content_type(body) : NULL;
	const char *report = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
	char w[32];

	if (ct && g_mime_content_type_is_type(ct, "multipart", "report") && report) {
		m->report = !g_ascii_strcasecmp(report, "delivery-status") ||
		            !g_ascii_strcasecmp(report, "global-delivery-status");
		/* Read receipts (RFC 8098) are machines talking too. */
		m->automatic = m->report || !g_ascii_strcasecmp(report, "disposition-notification");
	}
	header_word(w, o, "Auto-Submitted");
	m->automatic |= *w && strcmp(w, "no");
	header_word(w, o, "Precedence");
	m->automatic |= !strcmp(w, "bulk") || !strcmp(w, "junk") || !strcmp(w, "list");
	m->automatic |= g_mime_object_get_header(o, "X-Autoreply") != NULL;
	m->automatic |= g_mime_object_get_header(o, "X-Autorespond") != NULL;
	header_word(w, o, "Return-Path");
	m->automatic |= !strcmp(w, "<>");
}

/* The Subject: one with encoded-words decoded here (mail_words.c), its
 * folding undone; any other as GMime reads it (raw 8-bit text too). */
static char *read_subject(GMimeMessage *msg)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, "Subject") : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	char *text, *s;
	size_t n;

	if (!raw || !strstr(raw, "=?"))
		return field(g_mime_message_get_subject(msg));
	if (!(text = crm_mail_decode_words(raw)))
		return NULL;
	unfold(text);
	s = text + strspn(text, " \t");
	for (n = strlen(s); n && (s[n - 1] == ' ' || s[n - 1] == '\t'); n--)
		;
	s[n] = '\0';
	s = field(s);
	free(text);
	return s;
}

static int read_headers(struct crm_mail *m, GMimeMessage *msg)
{
	GMimeObject *o = GMIME_OBJECT(msg);
	char **ids = NULL;
	size_t n;
	int rc;

	if ((rc = read_from(m, msg)))
		return rc;
	m->message_id = field(g_mime_message_get_message_id(msg));
	m->subject = read_subject(msg);
	if ((rc = read_ids(&ids, &n, g_mime_object_get_header(o, "In-Reply-To"), 1)))
		return rc;
	m->in_reply_to = n ? ids[0] : NULL;
	free(ids);
	rc = read_ids(&m->references, &m->nreferences, g_mime_object_get_header(o, "References"),
	              SIZE_MAX);
	read_date(m, msg);
	read_kind(m, msg);
	return rc;
}

int crm_mail_parse(struct crm_mail **out, const char *data, size_t len, size_t attachment_cap)
{
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;
	struct crm_mail *m;
	int rc;

	*out = NULL;
	crm_mail_init();
	st = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	if (!msg)
		return crm_error_set(CRM_EDATA, "not a mail message");
	if (!(m = calloc(1, sizeof *m))) {
		g_object_unref(msg);
		return crm_error_nomem();
	}
	rc = read_headers(m, msg);
	if (!rc)
		rc = read_parts(m, msg, attachment_cap);
	g_object_unref(msg);
	if (rc) {
		crm_mail_free(m);
		return rc;
	}
	*out = m;
	return CRM_OK;
}

/* The first address of mailbox s in ASCII (an IDN domain as punycode),
 * lower case (g_free'd), or NULL when it has none with a domain. */
static char *ascii_address(const char *s)
{
	InternetAddressList *list = s ? internet_address_list_parse(options, s) : NULL;
	InternetAddressMailbox *mb = crm_mail_first_mailbox(list);
	const char *addr = mb ? internet_address_mailbox_get_idn_addr(mb) : NULL;
	char *out = addr && strchr(addr, '@') ? g_ascii_strdown(addr, -1) : NULL;

	if (list)
		g_object_unref(list);
	return out;
}

int crm_mail_same_address(const char *a, const char *b)
{
	char *x, *y;
	int same;

	crm_mail_init();
	x = ascii_address(a);
	y = ascii_address(b);
	same = x && y && !strcmp(x, y);
	g_free(x);
	g_free(y);
	return same;
}

int crm_mail_key(char **out, const struct crm_mail *m, const char *raw, size_t len)
{
	crm_buf b = CRM_BUF_INIT;
	gchar *sum;

	if (m->message_id)
		return (*out = strdup(m->message_id)) ? CRM_OK : crm_error_nomem();
	*out = NULL;
	if (!(sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, len)))
		return crm_error_nomem();
	crm_buf_printf(&b, "sha256:%s", sum);
	g_free(sum);
	return (*out = crm_buf_detach(&b)) ? CRM_OK : crm_error_nomem();
}

void crm_mail_free(struct crm_mail *m)
{
	if (!m)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	for (size_t i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->from_name);
	free(m->from_addr);
	free(m->to);
	free(m->subject);
	free(m->date);
	free(m->text);
	for (size_t i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].name);
		free(m->attachments[i].type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	free(m);
}

