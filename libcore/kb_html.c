/* kb_html.c - the static help centre of crm-kb export --html: an index of
 * the published articles by locale and category, and a page for each,
 * its Markdown rendered by cmark.
 *
 * cmark renders safely by default: raw HTML and javascript: links in an
 * article come out as comments and empty links, so an article cannot
 * script the pages.  Pages are self-contained (inline CSS, no script, no
 * network) and link relatively, so the folder can be served or opened
 * from disk as it is.
 */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/kb.h"
#include "kb_impl.h"
#include "internal.h"

static const char css[] =
	"body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;"
	"color:#222}a{color:#0550ae}h1{font-size:1.8em}h2{border-bottom:1px solid #ddd}"
	"pre{background:#f4f4f4;padding:.8em;overflow:auto}code{font-family:monospace}"
	"nav{font-size:.9em;margin-bottom:1em}table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:.3em .6em}";

/* Appends s to b with the characters HTML gives a meaning escaped. */
static void escape(crm_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': crm_buf_puts(b, "&amp;"); break;
		case '<': crm_buf_puts(b, "&lt;"); break;
		case '>': crm_buf_puts(b, "&gt;"); break;
		case '"': crm_buf_puts(b, "&quot;"); break;
		case '\'': crm_buf_puts(b, "&#39;"); break;
		default: crm_buf_putc(b, *s);
		}
	}
}

/* The dir attribute of text in language lang (a locale: ar, he-IL):
 * right to left for the languages written so, else none. */
static const char *dir_of(const char *lang)
{
	static const char *const rtl[] = { "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps",
	                                   "sd", "ug", "ur", "yi", NULL };
	size_t n = strcspn(lang, "-_");

	for (size_t i = 0; rtl[i]; i++)
		if (strlen(rtl[i]) == n && !strncasecmp(lang, rtl[i], n))
			return " dir=\"rtl\"";
	return "";
}

static void head(crm_buf *b, const char *lang, const char *title)
{
	crm_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"%s>\n<head>\n<meta charset=\"utf-8\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	               "<title>", lang, dir_of(lang));
	escape(b, title);
	crm_buf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

enum { H_ID, H_TITLE, H_CATEGORY, H_LOCALE, H_BODY, H_N };

struct site {
	const char *dir;
	crm_buf index;
	char *locale, *category; /* the index's current section */
	long *n;
};

/* Writes the page of one article: LOCALE/ID-SLUG.html. */
static int page(struct site *s, const char *const *v, const char *name)
{
	crm_buf b = CRM_BUF_INIT, path = CRM_BUF_INIT;
	const char *body = v[H_BODY] ? v[H_BODY] : "";
	char *html = cmark_markdown_to_html(body, strlen(body), CMARK_OPT_DEFAULT);
	int rc;

	if (!html)
		return crm_error_nomem();
	head(&b, v[H_LOCALE], v[H_TITLE]);
	crm_buf_puts(&b, "<nav><a href=\"../index.html\">Help centre</a>");
	if (v[H_CATEGORY]) {
		crm_buf_puts(&b, " › ");
		escape(&b, v[H_CATEGORY]);
	}
	crm_buf_puts(&b, "</nav>\n<article>\n<h1>");
	escape(&b, v[H_TITLE]);
	crm_buf_printf(&b, "</h1>\n%s</article>\n</body>\n</html>\n", html);
	free(html);
	crm_buf_printf(&path, "%s/%s/%s.html", s->dir, v[H_LOCALE], name);
	rc = crm_kb_write_file(crm_buf_str(&path), crm_buf_str(&b), b.len);
	crm_buf_free(&b);
	crm_buf_free(&path);
	return rc;
}

static int differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

/* Opens the index's section of the article's locale and category when
 * the article starts one (rows come ordered by both). */
static int section(struct site *s, const char *const *v)
{
	crm_buf *b = &s->index;
	int new_locale = differs(s->locale, v[H_LOCALE]);

	if (!new_locale && !differs(s->category, v[H_CATEGORY]))
		return CRM_OK;
	if (s->locale)
		crm_buf_puts(b, "</ul>\n");
	if (new_locale)
		crm_buf_printf(b, "%s<section lang=\"%s\"%s>\n<h2>%s</h2>\n",
		               s->locale ? "</section>\n" : "", v[H_LOCALE], dir_of(v[H_LOCALE]),
		               v[H_LOCALE]);
	crm_buf_puts(b, "<h3>");
	escape(b, v[H_CATEGORY] ? v[H_CATEGORY] : "Other");
	crm_buf_puts(b, "</h3>\n<ul>\n");
	free(s->locale);
	free(s->category);
	s->locale = strdup(v[H_LOCALE]);
	s->category = v[H_CATEGORY] ? strdup(v[H_CATEGORY]) : NULL;
	return s->locale && (s->category || !v[H_CATEGORY]) ? CRM_OK : crm_error_nomem();
}

static int article(void *arg, const char *const *v)
{
	struct site *s = arg;
	crm_buf name = CRM_BUF_INIT;
	int rc = crm_kb_article_path(&name, v[H_ID], v[H_TITLE]);

	if (!rc)
		rc = section(s, v);
	if (!rc)
		rc = page(s, v, crm_buf_str(&name));
	if (!rc) {
		crm_buf_printf(&s->index, "<li><a href=\"%s/%s.html\">", v[H_LOCALE], crm_buf_str(&name));
		escape(&s->index, v[H_TITLE]);
		crm_buf_puts(&s->index, "</a></li>\n");
		(*s->n)++;
	}
	crm_buf_free(&name);
	return rc;
}

int crm_kb_export_html(crm_db *db, const char *dir, long *n)
{
	struct site s = { dir, CRM_BUF_INIT, NULL, NULL, n };
	crm_buf path = CRM_BUF_INIT;
	int rc;

	*n = 0;
	head(&s.index, "en", "Help centre");
	crm_buf_puts(&s.index, "<h1>Help centre</h1>\n");
	rc = crm_db_each(db, "SELECT id, title, category, locale, body FROM articles"
	                 " WHERE status = 'published' AND archived_at IS NULL AND ?1"
	                 " ORDER BY locale, category IS NULL, category, title, id", 1, article, &s);
	if (!rc) {
		crm_buf_puts(&s.index, s.locale ? "</ul>\n</section>\n" : "<p>No articles yet.</p>\n");
		crm_buf_puts(&s.index, "</body>\n</html>\n");
		crm_buf_printf(&path, "%s/index.html", dir);
		rc = crm_kb_write_file(crm_buf_str(&path), crm_buf_str(&s.index), s.index.len);
	}
	free(s.locale);
	free(s.category);
	crm_buf_free(&s.index);
	crm_buf_free(&path);
	return rc;
}
