/* template.c - the Mustache subset of mail merge (template.h).
 *
 * Our own code: Debian packages no C Mustache library, and the subset is
 * small.  A template is parsed once into a flat array of nodes (text,
 * variables, sections), each section knowing the index just past its end,
 * so rendering is one loop over the array: no recursion, however many
 * tags, and nothing quadratic.  The nodes point into a private copy of
 * the source in which names and fallbacks are cut out with NULs (the
 * bytes overwritten are inside tags, which no text node covers).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/svg.h"
#include "crm/template.h"
#include "text.h"

/* Deeper nesting is refused: a mail that needs it is a program. */
#define MAX_DEPTH 16
/* The most of a bad name quoted in a message. */
#define QUOTE_MAX 40

enum kind { TEXT, VAR, SECTION, INVERTED };

struct node {
	enum kind kind;
	bool escape;          /* VAR: HTML-escaped in html mode */
	bool dot;             /* VAR: {{.}}, which asks again for its section's name */
	const char *name;     /* VAR and sections */
	const char *text;     /* TEXT: len bytes; VAR: the fallback, or NULL */
	size_t len;
	size_t end;           /* sections: the index of the node after the section */
	size_t line, col;     /* of the tag's "{{", for crm_template_check */
};

struct crm_template {
	char *src;   /* the copy the nodes point into */
	char *label;
	struct node *nodes;
	size_t n, cap;
};

/* A place in the source: the byte, and its line and column in characters. */
struct pos {
	const char *p;
	size_t line, col;
};

struct parser {
	crm_template *t;
	char *end;              /* the source's NUL */
	struct pos at;          /* how far the source is counted and checked */
	size_t open[MAX_DEPTH]; /* the node indices of the sections open */
	int depth;
};

/* One tag as read: sigil is '#', '^', '/', '!', '&', '{' (for {{{ }}}) or
 * 0 for a plain variable. */
struct tag {
	char sigil;
	char *name;
	char *fallback; /* NULL without '|' */
	struct pos pos;
};

static bool blank_p(char c)
{
	return c == ' ' || c == '\t';
}

/* The first c c in [s, end), or NULL.  Not strstr: a sanitizer's strstr
 * measures the whole rest of the text at every call, which makes a long
 * template quadratic to parse under test. */
static char *find_pair(char *s, char *end, char c)
{
	while ((s = memchr(s, c, (size_t)(end - s))) && s + 1 < end) {
		if (s[1] == c)
			return s;
		s++;
	}
	return NULL;
}

static int fail(const struct parser *ps, const struct pos *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct parser *ps, const struct pos *at, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return crm_error_set(CRM_EDATA, "%s:%zu:%zu: %s", ps->t->label, at->line, at->col, what);
}

/* Moves the count on to "to", checking that the bytes passed are UTF-8. */
static int walk(struct parser *ps, const char *to)
{
	struct pos *at = &ps->at;
	int32_t cp;
	size_t n;

	while (at->p < to) {
		n = 1;
		if ((unsigned char)*at->p >= 0x80) {
			n = crm_utf8_decode_lax(at->p, (size_t)(ps->end - at->p), &cp);
			if (n == 1) /* a well-formed sequence is never one byte long here */
				return fail(ps, at, "invalid UTF-8 (byte 0x%02x)", (unsigned char)*at->p);
		}
		if (*at->p == '\n')
			at->line++, at->col = 1;
		else
			at->col++;
		at->p += n;
	}
	return CRM_OK;
}

static int push(crm_template *t, const struct node *nd)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct node *p = realloc(t->nodes, cap * sizeof *p);

		if (!p)
			return crm_error_nomem();
		t->nodes = p;
		t->cap = cap;
	}
	t->nodes[t->n++] = *nd;
	return CRM_OK;
}

static int push_text(crm_template *t, const char *from, const char *to)
{
	struct node nd = { .kind = TEXT, .text = from, .len = (size_t)(to - from) };

	return nd.len ? push(t, &nd) : CRM_OK;
}

/* Whether the tag [open, after) stands alone on its line (or lines, for
 * a comment): only blanks before it back to the line's start, and after
 * it up to a newline or the end.  If so, [*from, *to) is the whole line,
 * with its newline, which the tag takes away. */
static bool standalone(const char *src, char *open, char *after, char **from, char **to)
{
	char *b = open, *e = after + strspn(after, " \t");

	while (b > src && blank_p(b[-1]))
		b--;
	if (b > src && b[-1] != '\n')
		return false;
	if (e[0] == '\r' && e[1] == '\n')
		e += 2;
	else if (e[0] == '\n')
		e++;
	else if (e[0])
		return false;
	*from = b;
	*to = e;
	return true;
}

/* Records the bad name [s, s + len) for the message: at most QUOTE_MAX
 * bytes, cut before a control character and at a character boundary. */
static int bad_name(const struct parser *ps, const struct tag *tg, const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && n < QUOTE_MAX && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
		n++;
	while (n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return fail(ps, &tg->pos, "invalid name '%.*s%s' (letters, digits, '_', '-' and '.' only)",
	            (int)n, s, n < len ? "..." : "");
}

/* Cuts the name out of [s, e) into tg->name, blanks trimmed. */
static int read_name(const struct parser *ps, struct tag *tg, char *s, char *e)
{
	size_t len;

	while (s < e && blank_p(*s))
		s++;
	while (e > s && blank_p(e[-1]))
		e--;
	len = (size_t)(e - s);
	/* "{{name, ... {{other}}": the first tag lacks its "}}". */
	if (memmem(s, len, "{{", 2))
		return fail(ps, &tg->pos, "'{{' is not closed");
	if (!len)
		return fail(ps, &tg->pos, "empty name");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '_' && c != '-' && c != '.')
			return bad_name(ps, tg, s, len);
	}
	*e = '\0';
	tg->name = s;
	return CRM_OK;
}

/* Reads the inside [s, e) of a tag other than a comment into tg. */
static int read_inside(const struct parser *ps, struct tag *tg, char *s, char *e)
{
	char *bar = memchr(s, '|', (size_t)(e - s));
	char *fb;

	if (tg->sigil == '=')
		return fail(ps, &tg->pos, "delimiter changes ({{=...=}}) are not supported");
	if (tg->sigil == '>')
		return fail(ps, &tg->pos, "partials ({{>...}}) are not supported");
	if (bar && tg->sigil && tg->sigil != '&' && tg->sigil != '{')
		return fail(ps, &tg->pos, "only a variable takes a fallback ('|')");
	if (read_name(ps, tg, s, bar ? bar : e))
		return CRM_EDATA;
	if (!bar)
		return CRM_OK;
	for (fb = bar + 1; fb < e && blank_p(*fb); fb++)
		;
	while (e > fb && blank_p(e[-1]))
		e--;
	*e = '\0';
	tg->fallback = fb;
	return CRM_OK;
}

/* Reads the tag whose "{{" is at open into tg and counts the source up
 * to *after, the byte past its closing braces. */
static int read_tag(struct parser *ps, char *open, struct tag *tg, char **after)
{
	bool triple = open[2] == '{';
	char *s = open + 2 + triple, *e = find_pair(s, ps->end, '}');

	memset(tg, 0, sizeof *tg);
	tg->pos = ps->at;
	if (!e)
		return fail(ps, &tg->pos, "'%s' is not closed", triple ? "{{{" : "{{");
	if (triple && e[2] != '}')
		return fail(ps, &tg->pos, "'{{{' is not closed by '}}}'");
	*after = e + 2 + triple;
	if (walk(ps, *after))
		return CRM_EDATA;
	while (s < e && blank_p(*s))
		s++;
	if (triple)
		tg->sigil = '{';
	else if (s < e && strchr("#^/!&=>", *s))
		tg->sigil = *s++;
	return tg->sigil == '!' ? CRM_OK : read_inside(ps, tg, s, e);
}

static int open_section(struct parser *ps, const struct tag *tg)
{
	struct node nd = { .kind = tg->sigil == '#' ? SECTION : INVERTED, .name = tg->name,
	                   .line = tg->pos.line, .col = tg->pos.col };

	if (!strcmp(tg->name, "."))
		return fail(ps, &tg->pos, "'.' cannot name a section");
	if (ps->depth == MAX_DEPTH)
		return fail(ps, &tg->pos, "sections nested deeper than %d", MAX_DEPTH);
	ps->open[ps->depth++] = ps->t->n;
	return push(ps->t, &nd);
}

static int close_section(struct parser *ps, const struct tag *tg)
{
	struct node *nd;

	if (!ps->depth)
		return fail(ps, &tg->pos, "{{/%s}} closes no open section", tg->name);
	nd = &ps->t->nodes[ps->open[ps->depth - 1]];
	if (strcmp(nd->name, tg->name))
		return fail(ps, &tg->pos, "{{/%s}} closes {{%c%s}} opened at %zu:%zu", tg->name,
		            nd->kind == SECTION ? '#' : '^', nd->name, nd->line, nd->col);
	nd->end = ps->t->n;
	ps->depth--;
	return CRM_OK;
}

/* {{.}} stands for the name of the innermost {{#section}} around it. */
static int add_var(struct parser *ps, const struct tag *tg)
{
	struct node nd = { .kind = VAR, .escape = !tg->sigil, .name = tg->name,
	                   .text = tg->fallback, .line = tg->pos.line, .col = tg->pos.col };

	if (!strcmp(tg->name, ".")) {
		int d = ps->depth;

		while (d > 0 && ps->t->nodes[ps->open[d - 1]].kind != SECTION)
			d--;
		if (!d)
			return fail(ps, &tg->pos, "{{.}} outside a {{#section}}");
		nd.name = ps->t->nodes[ps->open[d - 1]].name;
		nd.dot = true;
	}
	return push(ps->t, &nd);
}

/* Reads the tag at open, with the text between *text and it; moves *text
 * past the tag (and past its line, when it stands alone). */
static int parse_tag(struct parser *ps, char *open, char **text)
{
	char *after = open, *from = open, *to;
	struct tag tg;
	int rc;

	if ((rc = walk(ps, open)) || (rc = read_tag(ps, open, &tg, &after)))
		return rc;
	to = after;
	if (tg.sigil && strchr("#^/!", tg.sigil) &&
	    standalone(ps->t->src, open, after, &from, &to) && (rc = walk(ps, to)))
		return rc;
	if ((rc = push_text(ps->t, *text, from)))
		return rc;
	*text = to;
	switch (tg.sigil) {
	case '!': return CRM_OK;
	case '#':
	case '^': return open_section(ps, &tg);
	case '/': return close_section(ps, &tg);
	default: return add_var(ps, &tg);
	}
}

static int parse(struct parser *ps)
{
	char *text = ps->t->src, *open;
	const struct node *nd;
	int rc;

	while ((open = find_pair(text, ps->end, '{')))
		if ((rc = parse_tag(ps, open, &text)))
			return rc;
	if ((rc = walk(ps, ps->end)))
		return rc;
	if (ps->depth) {
		nd = &ps->t->nodes[ps->open[ps->depth - 1]];
		return fail(ps, &(struct pos){ NULL, nd->line, nd->col }, "{{%c%s}} is not closed",
		            nd->kind == SECTION ? '#' : '^', nd->name);
	}
	return push_text(ps->t, text, ps->end);
}

int crm_template_parse(crm_template **out, const char *src, const char *label)
{
	crm_template *t = calloc(1, sizeof *t);
	struct parser ps = { .t = t };
	int rc;

	*out = NULL;
	if (!t || !(t->src = strdup(src)) || !(t->label = strdup(label))) {
		crm_template_free(t);
		return crm_error_nomem();
	}
	ps.end = t->src + strlen(t->src);
	ps.at = (struct pos){ t->src, 1, 1 };
	if ((rc = parse(&ps))) {
		crm_template_free(t);
		return rc;
	}
	*out = t;
	return CRM_OK;
}

void crm_template_free(crm_template *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->label);
	free(t->src);
	free(t);
}

int crm_template_check(const crm_template *t, int (*known)(void *arg, const char *name),
                       void *arg)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct node *nd = &t->nodes[i];

		if (nd->kind != TEXT && !nd->dot && !known(arg, nd->name))
			return crm_error_set(CRM_EDATA, "%s:%zu:%zu: unknown variable '%s'", t->label,
			                     nd->line, nd->col, nd->name);
	}
	return CRM_OK;
}

static bool empty_p(const char *v)
{
	return !v || !*v;
}

static int put_var(crm_buf *out, const struct node *nd, int html, const char *v)
{
	if (empty_p(v))
		v = nd->text;
	if (empty_p(v))
		return CRM_OK;
	return html && nd->escape ? crm_html_escape(out, v) : crm_buf_puts(out, v);
}

int crm_template_render(const crm_template *t, int html,
                        int (*get)(void *arg, const char *name, const char **val), void *arg,
                        crm_buf *out)
{
	size_t mark = out->len, i = 0;
	int rc = CRM_OK;

	while (i < t->n && !rc) {
		const struct node *nd = &t->nodes[i++];
		const char *v = NULL;

		if (nd->kind == TEXT)
			rc = crm_buf_put(out, nd->text, nd->len);
		else if (!(rc = get(arg, nd->name, &v)) && nd->kind == VAR)
			rc = put_var(out, nd, html, v);
		else if (!rc && empty_p(v) == (nd->kind == SECTION))
			i = nd->end; /* a section not shown */
	}
	if (rc && out->ptr) {
		out->len = mark;
		out->ptr[mark] = '\0';
	}
	return rc;
}
