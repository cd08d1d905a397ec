/* mail_html.c - the text of a message that came only as HTML: tags,
 * scripts and styles dropped, entities decoded, paragraphs and line
 * breaks kept, quotes written as "> " lines (see mail.h). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "crm/buf.h"
#include "mail_impl.h"

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
	int quote;    /* depth of <blockquote> */
	char *href;   /* the target of the link being read, or NULL */
	size_t text;  /* where in out the link's text begins */
};

static void emit(struct html *h, const char *s, size_t n)
{
	if (h->out.len && h->newlines)
		for (; h->newlines; h->newlines--)
			crm_buf_putc(&h->out, '\n');
	else if (h->space && h->out.len && h->out.ptr[h->out.len - 1] != '\n')
		crm_buf_putc(&h->out, ' ');
	h->newlines = h->space = 0;
	/* A quoted line reads as a plain text part writes it: "> ", "> > "
	 * (what finds where an answer's quoted original starts). */
	if (h->quote && (!h->out.len || h->out.ptr[h->out.len - 1] == '\n'))
		for (int i = 0; i < h->quote; i++)
			crm_buf_puts(&h->out, "> ");
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

/* Stores in *out (malloc'd) the value of the href attribute of the tag
 * from s to end, entities decoded, when it is a link a reader can
 * follow (http, https, mailto); NULL otherwise. */
static void href_of(const char *s, const char *end, char **out)
{
	static const char *const schemes[] = { "http://", "https://", "mailto:" };
	crm_buf b = CRM_BUF_INIT;
	const char *p = s, *stop;
	size_t i, n;

	*out = NULL;
	/* The attribute after a blank, named href and given a value (not
	 * hreflang, nor data-href). */
	while ((p = strpbrk(p + 1, " \t\r\n")) && p < end &&
	       (strncasecmp(p + 1, "href", 4) || p[5 + strspn(p + 5, " \t\r\n")] != '='))
		;
	if (!p || p >= end)
		return;
	p += 5 + strspn(p + 5, " \t\r\n") + 1;
	p += strspn(p, " \t\r\n");
	stop = *p == '"' || *p == '\'' ? strchr(p + 1, *p) : p + strcspn(p, " \t\r\n>");
	p += *p == '"' || *p == '\'';
	for (; stop && p < stop && p < end; p += n) {
		n = *p == '&' ? entity(&b, p) : 0;
		if (!n)
			crm_buf_putc(&b, *p), n = 1;
	}
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (b.len && !strncasecmp(crm_buf_str(&b), schemes[i], strlen(schemes[i])))
			*out = crm_buf_detach(&b);
	crm_buf_free(&b);
}

/* An opening <a> keeps its target; the closing one writes it after the
 * link's text, "text <https://...>", unless the text already says it. */
static void anchor(struct html *h, const char *s, int closing)
{
	const char *target;

	if (!closing) {
		free(h->href);
		href_of(s, tag_end(s), &h->href);
		h->text = h->out.len;
		return;
	}
	if (!h->href)
		return;
	target = h->href + (strncasecmp(h->href, "mailto:", 7) ? 0 : 7);
	if (!strstr(crm_buf_str(&h->out) + h->text, target)) {
		emit(h, " <", 2);
		emit(h, target, strlen(target));
		emit(h, ">", 1);
	}
	free(h->href);
	h->href = NULL;
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
	if (!strcmp(name, "a")) {
		anchor(h, s, closing);
		return tag_end(s);
	}
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
	if (!strcmp(name, "blockquote"))
		h->quote += closing ? -(h->quote > 0) : 1;
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
char *crm_mail_html_text(const char *s)
{
	struct html h = { CRM_BUF_INIT, 0, 0, 0, 0, NULL, 0 };

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
	free(h.href);
	if (h.out.len)
		crm_buf_putc(&h.out, '\n');
	return h.out.ptr ? crm_buf_detach(&h.out) : strdup("");
}

/* The charset an HTML document names in its <meta>, into out; "" if none. */
void crm_mail_html_charset(char out[40], const char *s, size_t n)
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

