/* svg_page.c - the frame of a self-contained HTML page and its tables.
 *
 * A page must read the same on screen, on paper and in black and white,
 * opened from disk with no network: so system fonts only, no script, no
 * resource that is not inline, and a content security policy that makes
 * the browser refuse anything else should it ever creep in.
 */
#include <string.h>

#include "crm/error.h"
#include "crm/svg.h"

const char crm_html_css[] =
	"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",\"DejaVu Sans\",sans-serif;"
	"color:#111;background:#fff;max-width:76em;margin:1.5em auto;padding:0 1em}\n"
	"h1{font-size:1.6em;margin:.2em 0 .6em}\n"
	"h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid #767676}\n"
	".fig{display:flex;flex-wrap:wrap;gap:1em 2em;align-items:flex-start}\n"
	".fig svg{max-width:100%;height:auto}\n"
	"table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:bold;padding:.2em 0}\n"
	"th,td{border:1px solid #767676;padding:.2em .5em;text-align:left;vertical-align:top}\n"
	"thead th{background:#eee}\n"
	".n{text-align:right;white-space:nowrap}\n"
	".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(12em,1fr));gap:.8em}\n"
	".kpi{border:1px solid #767676;padding:.5em .8em}\n"
	".kpi .v{display:block;font-size:1.6em;font-weight:bold}\n"
	".kpi .d{display:block;font-size:.9em}\n"
	".note{font-size:.85em;color:#444}\n"
	"@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}"
	"h2{break-after:avoid}.fig,.kpi,svg,tr{break-inside:avoid}"
	"thead th{background:none}}\n";

int crm_html_escape(crm_buf *b, const char *s)
{
	int rc = CRM_OK;

	for (; s && *s && !rc; s++) {
		switch (*s) {
		case '&': rc = crm_buf_puts(b, "&amp;"); break;
		case '<': rc = crm_buf_puts(b, "&lt;"); break;
		case '>': rc = crm_buf_puts(b, "&gt;"); break;
		case '"': rc = crm_buf_puts(b, "&quot;"); break;
		case '\'': rc = crm_buf_puts(b, "&#39;"); break;
		default: rc = crm_buf_putc(b, *s);
		}
	}
	return rc;
}

int crm_html_page_begin(crm_buf *b, const char *title, const char *css)
{
	if (crm_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; "
	                 "style-src &#39;unsafe-inline&#39;; img-src data:\">\n"
	                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	                 "<title>") ||
	    crm_html_escape(b, title) ||
	    crm_buf_printf(b, "</title>\n<style>\n%s%s</style>\n</head>\n<body>\n",
	                   crm_html_css, css ? css : ""))
		return CRM_ENOMEM;
	return CRM_OK;
}

int crm_html_page_end(crm_buf *b)
{
	return crm_buf_puts(b, "</body>\n</html>\n");
}

/* Appends a cell: tag th or td, class "n" in a numeric column. */
static int cell(crm_buf *b, const char *tag, const char *scope, bool num, const char *text)
{
	if (crm_buf_printf(b, "<%s%s%s>", tag, scope, num ? " class=\"n\"" : "") ||
	    crm_html_escape(b, text) || crm_buf_printf(b, "</%s>", tag))
		return CRM_ENOMEM;
	return CRM_OK;
}

static bool numeric(const struct crm_table *t, size_t col)
{
	return t->align && col < strlen(t->align) && t->align[col] == 'r';
}

static int row(crm_buf *b, const struct crm_table *t, size_t r)
{
	int rc = crm_buf_puts(b, "<tr>");

	for (size_t c = 0; c < t->ncols && !rc; c++) {
		bool head = t->row_heads && c == 0;

		rc = cell(b, head ? "th" : "td", head ? " scope=\"row\"" : "", numeric(t, c),
		          t->cells[r * t->ncols + c]);
	}
	return rc ? rc : crm_buf_puts(b, "</tr>\n");
}

int crm_html_table(crm_buf *b, const struct crm_table *t)
{
	int rc = crm_buf_puts(b, "<table>\n");

	if (!rc && t->caption)
		rc = crm_buf_puts(b, "<caption>") || crm_html_escape(b, t->caption) ||
		     crm_buf_puts(b, "</caption>\n") ? CRM_ENOMEM : CRM_OK;
	rc = rc ? rc : crm_buf_puts(b, "<thead><tr>");
	for (size_t c = 0; c < t->ncols && !rc; c++)
		rc = cell(b, "th", " scope=\"col\"", numeric(t, c), t->head ? t->head[c] : NULL);
	rc = rc ? rc : crm_buf_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < t->nrows && !rc; r++)
		rc = row(b, t, r);
	return rc ? rc : crm_buf_puts(b, "</tbody>\n</table>\n");
}
