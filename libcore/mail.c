/* mail.c - mail in and out through GMime 3; see mail.h.
 *
 * GMime does the MIME work (headers, RFC 2047 and 2231, transfer
 * encodings, addresses); this file turns its objects into the plain
 * struct of mail.h, makes sure every string that leaves is UTF-8, and
 * reads the places mail is kept (a file, an mbox, a Maildir) as raw bytes,
 * so that a message nobody can read is still there to set aside.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "crm/buf.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/mail.h"

extern char **environ;

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

static void init(void)
{
	pthread_once(&once, start);
}

/* ---- text ---- */

/* A malloc'd copy of the n bytes at s that is valid UTF-8 without NULs:
 * each byte that is not part of a well-formed sequence becomes U+FFFD. */
static char *utf8_copy(const char *s, size_t n)
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
	return s && *s ? utf8_copy(s, strlen(s)) : NULL;
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

/* Converts the n bytes at s from charset to UTF-8 into b, a U+FFFD for
 * each byte the charset does not define; stores how many in *bad.
 * Returns -1 when iconv does not know the charset. */
static int convert(crm_buf *b, const char *s, size_t n, const char *charset, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", g_mime_charset_iconv_name(charset));
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
		return utf8_copy(s, n);
	convert(&b, s, n, "windows-1252", &bad);
done:
	/* iconv's output is UTF-8, but may hold the NULs of UTF-16. */
	text = utf8_copy(crm_buf_str(&b), b.len);
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

/* ---- HTML as text ---- */

static const struct {
	const char *name, *utf8;
} entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
	{ "nbsp", " " }, { "copy", "\u00a9" }, { "reg", "\u00ae" }, { "trade", "\u2122" },
	{ "hellip", "\u2026" }, { "mdash", "\u2014" }, { "ndash", "\u2013" },
	{ "lsquo", "\u2018" }, { "rsquo", "\u2019" }, { "ldquo", "\u201c" },
	{ "rdquo", "\u201d" }, { "laquo", "\u00ab" }, { "raquo", "\u00bb" },
	{ "euro", "\u20ac" }, { "pound", "\u00a3" }, { "yen", "\u00a5" }, { "cent", "\u00a2" },
	{ "sect", "\u00a7" }, { "deg", "\u00b0" }, { "middot", "\u00b7" }, { "bull", "\u2022" },
	{ "times", "\u00d7" }, { "divide", "\u00f7" }, { "szlig", "\u00df" },
	{ "aelig", "\u00e6" }, { "AElig", "\u00c6" }, { "oslash", "\u00f8" },
	{ "Oslash", "\u00d8" }, { "shy", "" }, { "zwnj", "" }, { "zwj", "" },
};

/* Accented letters are named letter + accent ("eacute"): made as the
 * letter and its combining mark, composed. */
static const struct {
	const char *suffix, *mark;
} accents[] = {
	{ "acute", "\u0301" }, { "grave", "\u0300" }, { "circ", "\u0302" },
	{ "tilde", "\u0303" }, { "uml", "\u0308" }, { "ring", "\u030a" }, { "cedil", "\u0327" },
};

static void put_code_point(crm_buf *b, unsigned long cp)
{
	char u[8];

	if (!cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	crm_buf_put(b, u, g_unichar_to_utf8((gunichar)cp, u));
}

static int named_entity(crm_buf *b, const char *name)
{
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (!strcmp(name, entities[i].name))
			return crm_buf_puts(b, entities[i].utf8), 1;
	for (size_t i = 0; i < sizeof accents / sizeof accents[0]; i++)
		if (isalpha((unsigned char)name[0]) && !strcmp(name + 1, accents[i].suffix)) {
			char raw[8];
			gchar *nfc;

			snprintf(raw, sizeof raw, "%c%s", name[0], accents[i].mark);
			nfc = g_utf8_normalize(raw, -1, G_NORMALIZE_NFC);
			crm_buf_puts(b, nfc);
			g_free(nfc);
			return 1;
		}
	return 0;
}

/* Decodes the entity at s ("&...;") into b and returns its length, or 0
 * when it is not one (the "&" is then text). */
static size_t entity(crm_buf *b, const char *s)
{
	const char *semi = s + 1 + strspn(s + 1, "#xXabcdefghijklmnopqrstuvwxyz"
	                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	char name[32];
	size_t len = semi - s - 1;

	if (*semi != ';' || !len || len >= sizeof name)
		return 0;
	memcpy(name, s + 1, len);
	name[len] = '\0';
	if (name[0] == '#') {
		char *end;
		int hex = name[1] == 'x' || name[1] == 'X';
		unsigned long cp = strtoul(name + 1 + hex, &end, hex ? 16 : 10);

		if (*end || end == name + 1 + hex)
			return 0;
		put_code_point(b, cp);
		return len + 2;
	}
	return named_entity(b, name) ? len + 2 : 0;
}

/* What a tag does to the text around it. */
static const struct {
	const char *name;
	int breaks; /* newlines it stands for: 1 a line break, 2 a paragraph */
	int skip;   /* its content is not text (scripts, styles, the title) */
} tags[] = {
	{ "br", 1, 0 }, { "div", 1, 0 }, { "tr", 1, 0 }, { "li", 1, 0 }, { "dt", 1, 0 },
	{ "dd", 1, 0 }, { "section", 1, 0 }, { "article", 1, 0 }, { "header", 1, 0 },
	{ "footer", 1, 0 }, { "center", 1, 0 }, { "p", 2, 0 }, { "h1", 2, 0 }, { "h2", 2, 0 },
	{ "h3", 2, 0 }, { "h4", 2, 0 }, { "h5", 2, 0 }, { "h6", 2, 0 }, { "blockquote", 2, 0 },
	{ "ul", 2, 0 }, { "ol", 2, 0 }, { "table", 2, 0 }, { "pre", 2, 0 }, { "hr", 2, 0 },
	{ "td", 0, 0 }, { "th", 0, 0 },
	{ "script", 0, 1 }, { "style", 0, 1 }, { "title", 0, 1 },
};

struct html {
	crm_buf out;
	int newlines; /* line breaks owed before the next text */
	int space;    /* a blank is owed before the next text */
	int pre;      /* inside <pre>: blanks are kept */
};

static void emit(struct html *h, const char *s, size_t n)
{
	if (h->out.len && h->newlines)
		for (; h->newlines; h->newlines--)
			crm_buf_putc(&h->out, '\n');
	else if (h->space && h->out.len && h->out.ptr[h->out.len - 1] != '\n')
		crm_buf_putc(&h->out, ' ');
	h->newlines = h->space = 0;
	crm_buf_put(&h->out, s, n);
}

static void breaks(struct html *h, int n)
{
	if (n > h->newlines)
		h->newlines = n;
	h->space = 0;
}

/* Returns where the tag at s ends (past its ">"), quotes respected. */
static const char *tag_end(const char *s)
{
	char quote = 0;

	for (s++; *s; s++) {
		if (quote)
			quote = *s == quote ? 0 : quote;
		else if (*s == '"' || *s == '\'')
			quote = *s;
		else if (*s == '>')
			return s + 1;
	}
	return s;
}

/* Handles the tag (or comment) at s and returns where the text goes on. */
static const char *tag(struct html *h, const char *s)
{
	char name[16];
	size_t len, i;
	int closing = s[1] == '/';

	if (!strncmp(s, "<!--", 4)) {
		const char *end = strstr(s + 4, "-->");
		return end ? end + 3 : s + strlen(s);
	}
	len = strspn(s + 1 + closing, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	if (!len || len >= sizeof name) {
		if (!len && s[1 + closing] != '!' && s[1 + closing] != '?') {
			emit(h, "<", 1); /* a lone "<" is text */
			return s + 1;
		}
		return tag_end(s);
	}
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)s[1 + closing + i]);
	name[len] = '\0';
	for (i = 0; i < sizeof tags / sizeof tags[0] && strcmp(name, tags[i].name); i++)
		;
	if (i == sizeof tags / sizeof tags[0])
		return tag_end(s);
	if (tags[i].skip && !closing) {
		const char *end = s;

		/* The content runs to the closing tag: "</script" and the like. */
		while ((end = strstr(end + 1, "</")) && strncasecmp(end + 2, name, len))
			;
		return end ? tag_end(end) : s + strlen(s);
	}
	if (!strcmp(name, "pre"))
		h->pre = !closing;
	if (!strcmp(name, "br"))
		h->newlines++, h->space = 0; /* each one is a line more */
	else if (tags[i].breaks)
		breaks(h, tags[i].breaks);
	else
		h->space = 1; /* cells of a row */
	if (!strcmp(name, "li") && !closing)
		emit(h, "- ", 2);
	return tag_end(s);
}

/* The HTML document s as plain text (malloc'd): what a reader sees of it,
 * blanks collapsed outside <pre>, one newline at the end. */
static char *html_text(const char *s)
{
	struct html h = { CRM_BUF_INIT, 0, 0, 0 };

	while (*s) {
		if (*s == '<') {
			s = tag(&h, s);
		} else if (*s == '&') {
			crm_buf e = CRM_BUF_INIT;
			size_t n = entity(&e, s);

			emit(&h, n ? crm_buf_str(&e) : "&", n ? e.len : 1);
			crm_buf_free(&e);
			s += n ? n : 1;
		} else if (strchr(" \t\r\n\f", *s) && !h.pre) {
			h.space = 1;
			s++;
		} else if (*s == '\r' && h.pre) {
			s++;
		} else if (*s == '\n' && h.pre) {
			h.newlines++;
			h.space = 0;
			s++;
		} else {
			size_t n = strcspn(s, "<&\r\n\t\f ");
			emit(&h, s, n ? n : 1);
			s += n ? n : 1;
		}
	}
	if (h.out.len)
		crm_buf_putc(&h.out, '\n');
	return h.out.ptr ? crm_buf_detach(&h.out) : strdup("");
}

/* The charset an HTML document names in its <meta>, into out; "" if none. */
static void html_charset(char out[40], const char *s, size_t n)
{
	char head[2048];
	const char *p;
	size_t len;

	out[0] = '\0';
	len = n < sizeof head - 1 ? n : sizeof head - 1;
	memcpy(head, s, len);
	head[len] = '\0';
	if (!(p = strcasestr(head, "charset=")))
		return;
	p += 8 + (p[8] == '"' || p[8] == '\'');
	len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");
	if (len < 40) {
		memcpy(out, p, len);
		out[len] = '\0';
	}
}

/* ---- the parts of a message ---- */

struct walk {
	struct crm_mail *m;
	size_t cap;
	crm_buf text;  /* the text/plain parts so far */
	char *html;    /* the first text/html part, as UTF-8 */
	int rc;
};

/* The decoded content of part as a byte array the caller frees with
 * g_byte_array_free(bytes, TRUE). */
static GByteArray *content(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *st = g_mime_stream_mem_new();
	GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));

	if (w)
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
	GByteArray *bytes = content(part);
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
	GByteArray *bytes = content(part);
	char meta[40], *text;

	if (html && !charset) {
		html_charset(meta, bytes_of(bytes), bytes->len);
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

static void visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct walk *w = data;
	int kind;

	(void)parent;
	if (w->rc || GMIME_IS_MULTIPART(part))
		return;
	if (GMIME_IS_MESSAGE_PART(part))
		w->rc = attach_message(w, GMIME_MESSAGE_PART(part));
	else if (GMIME_IS_PART(part) && (kind = body_kind(GMIME_PART(part))))
		w->rc = add_text(w, GMIME_PART(part), kind == 2);
	else if (GMIME_IS_PART(part))
		w->rc = attach_part(w, GMIME_PART(part));
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

static int read_parts(struct crm_mail *m, GMimeMessage *msg, size_t cap)
{
	struct walk w = { m, cap, CRM_BUF_INIT, NULL, CRM_OK };

	g_mime_message_foreach(msg, visit, &w);
	if (!w.rc && blank(w.text.ptr) && w.html) {
		crm_buf_free(&w.text);
		m->text = html_text(w.html);
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

static InternetAddressMailbox *first_mailbox(InternetAddressList *list)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		InternetAddressMailbox *mb = NULL;

		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			mb = INTERNET_ADDRESS_MAILBOX(a);
		else if (INTERNET_ADDRESS_IS_GROUP(a))
			mb = first_mailbox(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)));
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

static int read_from(struct crm_mail *m, GMimeMessage *msg)
{
	InternetAddressMailbox *mb = first_mailbox(g_mime_message_get_from(msg));
	char *at;

	if (!mb)
		return crm_error_set(CRM_EDATA, "no From address");
	m->from_name = field(internet_address_get_name(INTERNET_ADDRESS(mb)));
	m->from_addr = field(internet_address_mailbox_get_addr(mb));
	if (!m->from_addr)
		return crm_error_nomem();
	/* Domains are case-blind; the local part is the receiver's business. */
	if ((at = strrchr(m->from_addr, '@')))
		for (; *at; at++)
			*at = (char)tolower((unsigned char)*at);
	mb = first_mailbox(g_mime_message_get_to(msg));
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
		m->report = !g_ascii_strcasecmp(report, "delivery-status");
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

static int read_headers(struct crm_mail *m, GMimeMessage *msg)
{
	GMimeObject *o = GMIME_OBJECT(msg);
	char **ids = NULL;
	size_t n;
	int rc;

	if ((rc = read_from(m, msg)))
		return rc;
	m->message_id = field(g_mime_message_get_message_id(msg));
	m->subject = field(g_mime_message_get_subject(msg));
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
	init();
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

/* ---- sources of messages ---- */

static int io_error(const char *what, const char *path)
{
	return crm_error_set(CRM_EIO, "cannot %s '%s': %s", what, path, strerror(errno));
}

static int read_fd(crm_buf *b, int fd)
{
	for (;;) {
		ssize_t got;

		if (crm_buf_grow(b, 65536))
			return CRM_ENOMEM;
		got = read(fd, b->ptr + b->len, b->cap - b->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return CRM_EIO;
		if (!got)
			return CRM_OK;
		b->len += (size_t)got;
		b->ptr[b->len] = '\0';
	}
}

/* Reads the whole of path ("-": standard input) into b. */
static int slurp(crm_buf *b, const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int rc;

	if (fd < 0)
		return io_error("open", path);
	rc = read_fd(b, fd);
	if (rc == CRM_EIO)
		io_error("read", path);
	else if (rc)
		crm_error_nomem();
	if (fd)
		close(fd);
	return rc;
}

int crm_mail_each_file(const char *path, crm_mail_fn fn, void *arg)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = slurp(&b, path);

	if (!rc)
		rc = fn(arg, strcmp(path, "-") ? path : "stdin", crm_buf_str(&b), b.len);
	crm_buf_free(&b);
	return rc;
}

/* Whether the line at i of s starts a message: "From " at the top of the
 * file or after an empty line, so that a "From " a writer failed to quote
 * in the middle of a paragraph does not cut a message in two. */
static int mbox_from(const char *s, size_t len, size_t i)
{
	if (len - i < 5 || memcmp(s + i, "From ", 5))
		return 0;
	if (i == 0)
		return 1;
	return i >= 2 && s[i - 1] == '\n' &&
	       (s[i - 2] == '\n' || (i >= 3 && s[i - 2] == '\r' && s[i - 3] == '\n'));
}

/* The message in [from, to) of an mbox into b: the blank line the mbox
 * puts after it dropped, ">From " lines unquoted once (mboxrd). */
static void mbox_message(crm_buf *b, const char *s, size_t from, size_t to)
{
	if (to > from && s[to - 1] == '\n' && to - from > 1 && s[to - 2] == '\n')
		to--;
	else if (to - from > 2 && s[to - 1] == '\n' && s[to - 2] == '\r' && s[to - 3] == '\n')
		to -= 2;
	crm_buf_clear(b);
	while (from < to) {
		const char *eol = memchr(s + from, '\n', to - from);
		size_t end = eol ? (size_t)(eol - s) + 1 : to, q = 0;

		while (from + q < end && s[from + q] == '>')
			q++;
		if (q && end - from - q >= 5 && !memcmp(s + from + q, "From ", 5))
			from++;
		crm_buf_put(b, s + from, end - from);
		from = end;
	}
}

static int mbox_walk(const char *path, const char *s, size_t len, crm_mail_fn fn, void *arg)
{
	crm_buf msg = CRM_BUF_INIT, label = CRM_BUF_INIT;
	size_t pos = 0, n = 0;
	int rc = CRM_OK;

	if (len && !mbox_from(s, len, 0))
		return crm_error_set(CRM_EDATA, "'%s' is not an mbox (it does not start with"
		                     " a \"From \" line)", path);
	while (!rc && pos < len) {
		const char *eol = memchr(s + pos, '\n', len - pos);
		size_t start = eol ? (size_t)(eol - s) + 1 : len, end = start;

		while (end < len && !mbox_from(s, len, end)) {
			eol = memchr(s + end, '\n', len - end);
			end = eol ? (size_t)(eol - s) + 1 : len;
		}
		mbox_message(&msg, s, start, end);
		crm_buf_clear(&label);
		crm_buf_printf(&label, "%s:message %zu", path, ++n);
		rc = fn(arg, crm_buf_str(&label), crm_buf_str(&msg), msg.len);
		pos = end;
	}
	crm_buf_free(&msg);
	crm_buf_free(&label);
	return rc;
}

int crm_mail_each_mbox(const char *path, crm_mail_fn fn, void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	crm_buf b = CRM_BUF_INIT;
	void *map = MAP_FAILED;
	int rc;

	if (fd < 0)
		return io_error("open", path);
	/* A mailbox can be bigger than memory wants to hold twice: mapped. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		rc = mbox_walk(path, map, (size_t)st.st_size, fn, arg);
		munmap(map, (size_t)st.st_size);
	} else if (!(rc = read_fd(&b, fd))) {
		rc = mbox_walk(path, crm_buf_str(&b), b.len, fn, arg);
	} else {
		rc = rc == CRM_EIO ? io_error("read", path) : crm_error_nomem();
	}
	crm_buf_free(&b);
	close(fd);
	return rc;
}

struct entry {
	const char *sub; /* "new" or "cur" */
	char *name;
};

static int by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->sub, y->sub);
}

/* Adds the message files of dir/sub to *list; 1 when there is no such
 * folder. */
static int list_sub(const char *dir, const char *sub, struct entry **list, size_t *n)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (!(d = opendir(path)))
		return errno == ENOENT ? 1 : io_error("open", path);
	while ((e = readdir(d))) {
		struct stat st;
		struct entry *grown;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		if (!(grown = realloc(*list, (*n + 1) * sizeof **list)) ||
		    !(grown[*n].name = strdup(e->d_name))) {
			if (grown)
				*list = grown;
			closedir(d);
			return crm_error_nomem();
		}
		*list = grown;
		grown[(*n)++].sub = sub;
	}
	closedir(d);
	return CRM_OK;
}

static int maildir_walk(const char *dir, struct entry *list, size_t n, crm_mail_fn fn, void *arg)
{
	crm_buf path = CRM_BUF_INIT, b = CRM_BUF_INIT;
	int rc = CRM_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		crm_buf_clear(&path);
		crm_buf_printf(&path, "%s/%s/%s", dir, list[i].sub, list[i].name);
		crm_buf_clear(&b);
		rc = slurp(&b, crm_buf_str(&path));
		/* Another reader of the Maildir took it meanwhile. */
		if (rc == CRM_EIO && errno == ENOENT) {
			rc = CRM_OK;
			continue;
		}
		if (!rc)
			rc = fn(arg, crm_buf_str(&path), crm_buf_str(&b), b.len);
	}
	crm_buf_free(&path);
	crm_buf_free(&b);
	return rc;
}

int crm_mail_each_maildir(const char *dir, crm_mail_fn fn, void *arg)
{
	struct entry *list = NULL;
	size_t n = 0;
	int rc, missing = 0;

	rc = list_sub(dir, "new", &list, &n);
	if (rc == 1)
		missing++, rc = list_sub(dir, "cur", &list, &n);
	else if (!rc)
		rc = list_sub(dir, "cur", &list, &n);
	if (rc == 1 && ++missing == 2)
		rc = crm_error_set(CRM_EIO, "'%s' is not a Maildir (it has no new/ or cur/)", dir);
	else if (rc == 1)
		rc = CRM_OK;
	if (!rc) {
		qsort(list, n, sizeof *list, by_name);
		rc = maildir_walk(dir, list, n, fn, arg);
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
	return rc;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return io_error("create", path);
	return CRM_OK;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A name no other delivery uses (the Maildir convention: the time, the
 * microseconds, the process, a counter, the host with "/" and ":"
 * escaped as Maildir readers expect).  The microseconds take six digits
 * so that names sort in the order of delivery. */
static void unique_name(char *out, size_t size)
{
	static atomic_uint counter;
	char host[256] = "localhost";
	struct timespec ts;
	crm_buf h = CRM_BUF_INIT;

	clock_gettime(CLOCK_REALTIME, &ts);
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	for (const char *p = host; *p; p++)
		if (*p == '/')
			crm_buf_puts(&h, "\\057");
		else if (*p == ':')
			crm_buf_puts(&h, "\\072");
		else
			crm_buf_putc(&h, *p);
	snprintf(out, size, "%lld.M%06ldP%dQ%u.%s", (long long)ts.tv_sec, ts.tv_nsec / 1000,
	         (int)getpid(), atomic_fetch_add(&counter, 1) + 1, crm_buf_str(&h));
	crm_buf_free(&h);
}

static int deliver(const char *dir, const char *name, const char *raw, size_t len)
{
	char tmp[4096], dst[4096];
	int fd, rc = CRM_OK;

	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/new/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return io_error("create", tmp);
	if (write_all(fd, raw, len) || fsync(fd))
		rc = io_error("write", tmp);
	if (close(fd) && !rc)
		rc = io_error("write", tmp);
	if (!rc && rename(tmp, dst))
		rc = io_error("move a message into", dst);
	if (rc)
		unlink(tmp);
	return rc;
}

int crm_maildir_deliver(const char *dir, const char *raw, size_t len, char **name)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char path[4096], file[512];
	int rc, fd;

	*name = NULL;
	if ((rc = make_dir(dir)))
		return rc;
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
		if ((rc = make_dir(path)))
			return rc;
	}
	unique_name(file, sizeof file);
	if ((rc = deliver(dir, file, raw, len)))
		return rc;
	/* The new name lasts a crash only once its folder is synced. */
	snprintf(path, sizeof path, "%s/new", dir);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return (*name = strdup(file)) ? CRM_OK : crm_error_nomem();
}

/* ---- composing and sending ---- */

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

/* Adds the mailboxes of text to the list of kind; CRM_EDATA unless it
 * holds a mailbox with an address. */
static int add_address(GMimeMessage *msg, GMimeAddressType kind, const char *what,
                       const char *text)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;

	if (!text || !g_utf8_validate(text, -1, NULL) || strpbrk(text, "\r\n"))
		return bad_field(what, text);
	list = internet_address_list_parse(options, text);
	mb = first_mailbox(list);
	if (!mb || !strchr(internet_address_mailbox_get_addr(mb), '@')) {
		if (list)
			g_object_unref(list);
		return bad_field(what, text);
	}
	/* Names are encoded as UTF-8, not in the smallest charset that fits. */
	for (int i = 0; i < internet_address_list_length(list); i++)
		internet_address_set_charset(internet_address_list_get_address(list, i), "utf-8");
	internet_address_list_append(g_mime_message_get_addresses(msg, kind), list);
	g_object_unref(list);
	return CRM_OK;
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

/* The subject on one line: a line break in it would end the header. */
static int set_subject(GMimeMessage *msg, const char *subject)
{
	char *s;

	if (!subject)
		return CRM_OK;
	if (!g_utf8_validate(subject, -1, NULL))
		return crm_error_set(CRM_EDATA, "the subject is not UTF-8");
	if (!(s = strdup(subject)))
		return crm_error_nomem();
	for (char *p = s; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	g_mime_message_set_subject(msg, s, "utf-8");
	free(s);
	return CRM_OK;
}

static int set_body(GMimeMessage *msg, const char *body)
{
	GMimeTextPart *part;
	GMimeStream *st;
	GMimeDataWrapper *w;

	if (!body)
		body = "";
	if (!g_utf8_validate(body, -1, NULL))
		return crm_error_set(CRM_EDATA, "the message text is not UTF-8");
	/* Not g_mime_text_part_set_text: it would pick Latin-1 for text
	 * that fits, and replies are UTF-8 throughout. */
	part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(part, "utf-8");
	st = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	w = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), w);
	g_mime_part_set_content_encoding(GMIME_PART(part),
		g_mime_part_get_best_content_encoding(GMIME_PART(part),
		                                      GMIME_ENCODING_CONSTRAINT_7BIT));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(w);
	g_object_unref(st);
	g_object_unref(part);
	return CRM_OK;
}

static int build(GMimeMessage *msg, const struct crm_mail_out *o)
{
	const char *as = o->auto_submitted;
	int rc;

	if ((rc = add_address(msg, GMIME_ADDRESS_TYPE_FROM, "From address", o->from)) ||
	    (rc = add_address(msg, GMIME_ADDRESS_TYPE_TO, "To address", o->to)) ||
	    (rc = set_subject(msg, o->subject)) || (rc = set_date(msg, o->date)) ||
	    (rc = set_threading(msg, o)))
		return rc;
	if (as && (!*as || as[strcspn(as, "\r\n")] || !g_str_is_ascii(as)))
		return bad_field("Auto-Submitted", as);
	if (as)
		g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", as, NULL);
	return set_body(msg, o->body);
}

int crm_mail_compose(char **out, size_t *len, const struct crm_mail_out *o)
{
	GMimeMessage *msg;
	gchar *text;
	int rc;

	*out = NULL;
	*len = 0;
	init();
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

int crm_mail_new_id(char **out, const char *from)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;
	const char *addr, *at = NULL;
	unsigned char r[8];
	int64_t now;
	crm_buf b = CRM_BUF_INIT;
	int rc;

	*out = NULL;
	init();
	list = from ? internet_address_list_parse(options, from) : NULL;
	/* The IDN form: an id is ASCII. */
	if ((mb = first_mailbox(list)) && (addr = internet_address_mailbox_get_idn_addr(mb)))
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
	if (list)
		g_object_unref(list);
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
	if (write_all(fd, msg, len))
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
