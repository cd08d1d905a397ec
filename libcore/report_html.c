/* report_html.c - the report of a period as one page (crm-report(1), THE
 * PAGE): the headline measures with their change, then each picture --
 * pipeline, forecast, revenue and churn by month, NPS scores, the RFM
 * grid, cohorts -- as an SVG chart (svg.h) with a table of the same
 * figures beside it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/campaign.h"
#include "crm/date.h"
#include "crm/config.h"
#include "crm/deal.h"
#include "crm/error.h"
#include "crm/feedback.h"
#include "crm/money.h"
#include "crm/report.h"
#include "crm/rfm.h"
#include "crm/svg.h"
#include "internal.h"

/* Rows of text collected from a row callback, ncols wide. */
struct rows {
	size_t ncols, n, cap;
	char **cell; /* n * ncols */
};

static int collect(void *arg, const char *const *vals)
{
	struct rows *r = arg;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		void *v = realloc(r->cell, cap * r->ncols * sizeof *r->cell);

		if (!v)
			return crm_error_nomem();
		r->cell = v, r->cap = cap;
	}
	for (size_t i = 0; i < r->ncols; i++)
		if (!(r->cell[r->n * r->ncols + i] = strdup(vals[i] ? vals[i] : ""))) {
			while (i--)
				free(r->cell[r->n * r->ncols + i]);
			return crm_error_nomem();
		}
	r->n++;
	return CRM_OK;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n * r->ncols; i++)
		free(r->cell[i]);
	free(r->cell);
}

/* Column col of rows [from, from + n) as numbers (NaN for empty) and as
 * the pointers to their text. */
static int column(const struct rows *r, size_t from, size_t n, size_t col, double **v,
                  const char ***text)
{
	*v = calloc(n ? n : 1, sizeof **v), *text = calloc(n ? n : 1, sizeof **text);
	if (!*v || !*text)
		return crm_error_nomem();
	for (size_t i = 0; i < n; i++) {
		const char *s = r->cell[(from + i) * r->ncols + col];

		(*v)[i] = *s ? strtod(s, NULL) : NAN;
		(*text)[i] = s;
	}
	return CRM_OK;
}

static int section(crm_buf *b, const char *title)
{
	return crm_buf_puts(b, "<section><h2>") || crm_html_escape(b, title) ||
	               crm_buf_puts(b, "</h2>\n")
	           ? CRM_ENOMEM
	           : CRM_OK;
}

static int section_end(crm_buf *b)
{
	return crm_buf_puts(b, "</section>\n") ? CRM_ENOMEM : CRM_OK;
}

/* Writes rows as a table under head, every cell as it is. */
static int rows_table(crm_buf *b, const char *caption, const struct rows *r,
                      const char *const *head, const char *align)
{
	struct crm_table t = { caption, head, r->ncols, (const char *const *)r->cell, r->n, align,
		               true };

	return crm_html_table(b, &t);
}

/* The headline figures and what the page calls them. */
static const char *const headline[][2] = {
	{ "customers_end", "Customers" }, { "crr", "Retention (CRR)" }, { "churn", "Churn" },
	{ "revenue", "Revenue" }, { "cltv", "Lifetime value" }, { "nps", "NPS" },
	{ "csat", "CSAT" }, { "win_rate", "Win rate" }, { "pipeline_weighted", "Weighted pipeline" },
	{ "first_response_median", "First response" }, { "sla_attainment", "SLA attainment" },
	{ "backlog", "Backlog" }, { NULL, NULL }
};

/* One headline: its value and unit, what it was in the previous period
 * and the change, and the note. */
static int kpi_box(crm_buf *b, const char *label, const struct crm_measure *m,
                   const struct crm_measure *o)
{
	char d[96] = "no earlier figure", delta[64];
	int rc = 0;

	if (*m->value && o && *o->value) {
		crm_kpi_change(delta, sizeof delta, m->value, o->value);
		snprintf(d, sizeof d, "was %s: %s", o->value, delta);
	}
	rc |= crm_buf_puts(b, "<div class=\"kpi\"><h3>") || crm_html_escape(b, label);
	rc |= crm_buf_puts(b, "</h3><p class=\"v\">") ||
	      crm_html_escape(b, *m->value ? m->value : "\u2014");
	if (*m->value && *m->unit)
		rc |= crm_buf_putc(b, ' ') || crm_html_escape(b, m->unit);
	rc |= crm_buf_puts(b, "</p><p class=\"d\">") || crm_html_escape(b, d);
	rc |= crm_buf_puts(b, "</p><p class=\"note\">") || crm_html_escape(b, m->note);
	rc |= crm_buf_puts(b, "</p></div>\n");
	return rc ? CRM_ENOMEM : CRM_OK;
}

static int headlines(crm_buf *b, const struct crm_kpi *k, const struct crm_kpi *was)
{
	int rc = crm_buf_puts(b, "<div class=\"kpis\">\n") ? CRM_ENOMEM : CRM_OK;

	for (size_t i = 0; headline[i][0] && !rc; i++) {
		const struct crm_measure *m = crm_kpi_find(k, "", headline[i][0]);

		if (m)
			rc = kpi_box(b, headline[i][1], m, crm_kpi_find(was, "", headline[i][0]));
	}
	return rc ? rc : crm_buf_puts(b, "</div>\n") ? CRM_ENOMEM : CRM_OK;
}

/* Every measure with its parts, as crm-report kpi prints them. */
static int measures(crm_buf *b, const struct crm_kpi *k)
{
	static const char *const head[] = { "measure", "value", "unit", "numerator",
		                            "denominator", "note" };
	struct rows r = { 6, 0, 0, NULL };
	int rc = CRM_OK;

	for (size_t i = 0; i < k->n && !rc; i++) {
		const struct crm_measure *m = &k->v[i];
		const char *vals[6] = { m->name, m->value, m->unit, m->numerator, m->denominator,
			                m->note };

		rc = collect(&r, vals);
	}
	if (!rc && !(rc = section(b, "Every measure")) &&
	    !(rc = rows_table(b, "Each measure of the period with what it is computed from", &r,
	                      head, "lrlrrl")))
		rc = section_end(b);
	rows_free(&r);
	return rc;
}

/* A chart of the rows [0, n) of r: labels from column lcol, one series
 * per column of cols, then the table of all of r. */
struct figure {
	const char *id, *title, *desc, *unit;
	size_t lcol;
	const size_t *cols;
	const char *const *names; /* of the series */
	size_t ncols;
	int (*draw)(crm_buf *, const struct crm_chart *);
	const char *const *head;  /* of the table */
	const char *align;
};

/* Draws f's chart of the rows [0, n) of r. */
static int chart(crm_buf *b, const struct figure *f, const struct rows *r, size_t n)
{
	struct crm_series s[4];
	double *v[4] = { NULL };
	const char **text[4] = { NULL }, **labels = calloc(n ? n : 1, sizeof *labels);
	struct crm_chart c = { f->id, f->title, f->desc, f->unit, labels, n, s, f->ncols, 2 };
	int rc = labels ? CRM_OK : crm_error_nomem();

	for (size_t i = 0; i < n && labels; i++)
		labels[i] = r->cell[i * r->ncols + f->lcol];
	for (size_t j = 0; j < f->ncols && !rc; j++) {
		rc = column(r, 0, n, f->cols[j], &v[j], &text[j]);
		s[j].name = f->names[j], s[j].v = v[j], s[j].text = text[j];
	}
	if (!rc)
		rc = f->draw(b, &c);
	for (size_t j = 0; j < 4; j++)
		free(v[j]), free(text[j]);
	free(labels);
	return rc;
}

/* f's chart of the rows [0, n) of r with the table of all of r beside it. */
static int figure(crm_buf *b, const struct figure *f, const struct rows *r, size_t n)
{
	int rc = crm_buf_puts(b, "<div class=\"fig\">\n") ? CRM_ENOMEM : CRM_OK;

	if (!rc && !(rc = chart(b, f, r, n)) && !(rc = rows_table(b, f->title, r, f->head, f->align)))
		rc = crm_buf_puts(b, "</div>\n") ? CRM_ENOMEM : CRM_OK;
	return rc;
}

static int pipeline(crm_db *db, crm_buf *b, const char *day, const char *cur)
{
	static const char *const head[] = { "pipeline", "stage", "deals", "amount", "weighted" };
	static const size_t cols[] = { 3, 4 };
	static const char *const names[] = { "amount", "weighted" };
	char title[64];
	struct figure f = { "pipeline", title, NULL, cur, 1, cols, names, 2, crm_svg_bar, head,
		            "llrrr" };
	struct rows r = { CRM_PIPELINE_COLUMNS, 0, 0, NULL };
	int64_t deals;
	int rc = crm_report_pipeline(db, day, collect, &r, &deals);

	/* Today's pipeline, where the headline is the period's end's. */
	snprintf(title, sizeof title, "Open deals by stage at the end of %s", day);
	if (!rc && !(rc = section(b, "Pipeline")) && !(rc = figure(b, &f, &r, r.n ? r.n - 1 : 0)))
		rc = section_end(b);
	rows_free(&r);
	return rc;
}

/* The forecast of the year of the as-of day by month, against targets. */
static int forecast(crm_db *db, crm_buf *b, const char *day, const char *cur)
{
	static const char *const head[] = { "month", "open", "amount", "weighted", "won",
		                            "target", "attainment %", "coverage %" };
	static const size_t cols[] = { 4, 3, 5 };
	static const char *const names[] = { "won", "weighted open", "target" };
	struct figure f = { "forecast", "Forecast against target", NULL, cur, 0, cols, names, 3,
		            crm_svg_bar, head, "lrrrrrrr" };
	struct rows r = { CRM_FORECAST_COLUMNS, 0, 0, NULL };
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN], year[5];
	struct crm_forecast_opts o = { "month", from, to, day, NULL, NULL, 0 };
	long unconverted;
	int rc;

	snprintf(year, sizeof year, "%.4s", day);
	if ((rc = crm_period_parse(from, to, year, 0)) ||
	    (rc = crm_deal_forecast(db, &o, collect, &r, &unconverted)))
		goto out;
	f.desc = "Won, weighted open and target amounts of each month of the year";
	if (!(rc = section(b, "Forecast")) && !(rc = figure(b, &f, &r, r.n ? r.n - 1 : 0)))
		rc = section_end(b);
out:
	rows_free(&r);
	return rc;
}

/* Stores in from the first day of the month eleven months before the
 * one the period's last day is in: a year of months up to its end. */
static void year_back(char from[CRM_DATE_LEN], const char *to)
{
	int y, m, d;

	if (sscanf(to, "%d-%d-%d", &y, &m, &d) != 3)
		return;
	if (d == 1)
		m--;
	char buf[40];

	m = y * 12 + (m - 1) - 11;
	snprintf(buf, sizeof buf, "%04d-%02d-01", m / 12, m % 12 + 1);
	snprintf(from, CRM_DATE_LEN, "%.10s", buf);
}

/* Revenue and churn of each month of the year up to the period's end. */
static int monthly(crm_db *db, crm_buf *b, const struct crm_report_page *p, const char *cur)
{
	static const char *const head[] = { "month", "customers at start", "lost", "churn %",
		                            "revenue" };
	static const char *const names[] = { "revenue", "churn" };
	static const size_t rev[] = { 4 }, churn[] = { 3 };
	char from[CRM_DATE_LEN] = "";
	struct rows r = { CRM_MONTHS_COLUMNS, 0, 0, NULL };
	struct figure f = { "revenue", "Revenue by month", "Net revenue of each month", cur, 0, rev,
		            names, 1, crm_svg_line, head, "lrrrr" };
	int rc;

	year_back(from, p->to);
	if ((rc = crm_report_months(db, from, p->to, collect, &r)) ||
	    (rc = section(b, "Revenue and churn by month")) ||
	    (rc = crm_buf_puts(b, "<div class=\"fig\">\n") ? CRM_ENOMEM : CRM_OK) ||
	    (rc = chart(b, &f, &r, r.n)))
		goto out;
	f.id = "churn", f.title = "Churn by month", f.unit = "%", f.cols = churn;
	f.names = names + 1, f.desc = "Customers lost in each month of those at its start";
	if (!(rc = chart(b, &f, &r, r.n)) &&
	    !(rc = rows_table(b, "Revenue and churn by month", &r, head, "lrrrr")) &&
	    !(rc = crm_buf_puts(b, "</div>\n") ? CRM_ENOMEM : CRM_OK))
		rc = section_end(b);
out:
	rows_free(&r);
	return rc;
}

/* How many NPS responses of the period gave each score. */
static int nps_scores(crm_db *db, const struct crm_report_page *p, int64_t count[11])
{
	crm_stmt *st;
	int rc;

	memset(count, 0, 11 * sizeof *count);
	if ((rc = crm_db_stmt(db, &st, "SELECT score, count(*) FROM responses WHERE kind = 'nps'"
	                      " AND at >= ?1 AND at < ?2 AND archived_at IS NULL GROUP BY 1")))
		return rc;
	crm_stmt_bind_text(st, 1, p->from), crm_stmt_bind_text(st, 2, p->to);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		if (crm_stmt_int(st, 0) >= 0 && crm_stmt_int(st, 0) <= 10)
			count[crm_stmt_int(st, 0)] = crm_stmt_int(st, 1);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

static int nps(crm_db *db, crm_buf *b, const struct crm_report_page *p)
{
	static const char *const head[] = { "score", "responses" };
	struct rows r = { 2, 0, 0, NULL };
	int64_t count[11];
	int rc = nps_scores(db, p, count);

	for (int s = 0; s <= 10 && !rc; s++) {
		char a[8], n[24];
		const char *vals[2] = { a, n };

		snprintf(a, sizeof a, "%d", s), snprintf(n, sizeof n, "%lld", (long long)count[s]);
		rc = collect(&r, vals);
	}
	if (!rc && !(rc = section(b, "NPS scores")) &&
	    !(rc = crm_buf_puts(b, "<div class=\"fig\">\n") ? CRM_ENOMEM : CRM_OK) &&
	    !(rc = crm_svg_nps(b, "nps", "NPS responses by score", count)) &&
	    !(rc = rows_table(b, "NPS responses by score", &r, head, "rr")) &&
	    !(rc = crm_buf_puts(b, "</div>\n") ? CRM_ENOMEM : CRM_OK))
		rc = section_end(b);
	rows_free(&r);
	return rc;
}

static int rfm(crm_db *db, crm_buf *b, const char *day, const char *cur)
{
	static const char *const rows_[] = { "R5", "R4", "R3", "R2", "R1" };
	static const char *const cols[] = { "F1", "F2", "F3", "F4", "F5" };
	static const char *const head[] = { "segment", "people", "share %", "monetary" };
	struct crm_grid g = { "rfm", "People by recency and frequency score",
		              "How many people have each pair of recency (rows) and frequency"
		              " (columns) scores", "recency", "frequency", rows_, 5, cols, 5, NULL };
	struct crm_rfm_grid rg;
	struct rows r = { 4, 0, 0, NULL };
	int64_t v[25];
	int rc = crm_rfm_grid(db, day, &rg);

	for (int i = 0; i < 25; i++)
		v[i] = rg.cell[4 - i / 5][i % 5];
	g.v = v;
	for (int s = 0; s < CRM_RFM_SEGMENTS && !rc; s++) {
		struct crm_money m = { rg.monetary[s], "" };
		char n[24], share[16], money[CRM_MONEY_TEXT];
		const char *vals[4] = { crm_rfm_segment_name(s), n, share, money };

		snprintf(m.cur, sizeof m.cur, "%s", cur);
		snprintf(n, sizeof n, "%lld", (long long)rg.segment[s]);
		crm_feedback_percent(share, sizeof share, rg.segment[s], rg.people);
		crm_money_format_amount(money, sizeof money, &m);
		rc = collect(&r, vals);
	}
	if (!rc && !(rc = section(b, "RFM segments")) &&
	    !(rc = crm_buf_puts(b, "<div class=\"fig\">\n") ? CRM_ENOMEM : CRM_OK) &&
	    !(rc = crm_svg_grid(b, &g)) && !(rc = rows_table(b, "People and revenue by segment", &r,
	                                                    head, "lrrr")) &&
	    !(rc = crm_buf_puts(b, "</div>\n") ? CRM_ENOMEM : CRM_OK))
		rc = section_end(b);
	rows_free(&r);
	return rc;
}

/* The cohorts of the year up to the period's end: the share of each that
 * bought again in each month after its first. */
static int cohorts(crm_db *db, crm_buf *b, const struct crm_report_page *p)
{
	struct crm_rfm_cohorts cs = { NULL, 0 };
	char from[CRM_DATE_LEN] = "", (*cells)[16] = NULL, head[14][16];
	const char **cellp = NULL, *headp[14];
	size_t w = 0;
	int rc;

	year_back(from, p->to);
	if ((rc = crm_rfm_cohorts(db, from, p->to, p->as_of, &cs)))
		return rc;
	for (size_t i = 0; i < cs.n; i++)
		w = cs.v[i].months > w ? cs.v[i].months : w;
	w = w > 12 ? 12 : w;
	cells = calloc(cs.n * (w + 2) + 1, sizeof *cells);
	cellp = calloc(cs.n * (w + 2) + 1, sizeof *cellp);
	if (!cells || !cellp)
		rc = crm_error_nomem();
	for (size_t j = 0; j < w + 2 && !rc; j++) {
		snprintf(head[j], sizeof head[j], j == 0 ? "cohort" : j == 1 ? "size" : "+%zu", j - 2);
		headp[j] = head[j];
	}
	for (size_t i = 0; i < cs.n && !rc; i++) {
		const struct crm_rfm_cohort *c = &cs.v[i];
		char (*row)[16] = cells + i * (w + 2);

		snprintf(row[0], 16, "%s", c->month);
		snprintf(row[1], 16, "%lld", (long long)c->size);
		for (size_t k = 0; k < w; k++)
			if (k < c->months)
				crm_feedback_percent(row[k + 2], 16, c->buyers[k], c->size);
		for (size_t k = 0; k < w + 2; k++)
			cellp[i * (w + 2) + k] = row[k];
	}
	if (!rc) {
		struct crm_table t = { "Share of each cohort (month of first purchase) buying in"
			               " each month after it, %", headp, w + 2, cellp, cs.n, NULL,
			               true };

		if (!(rc = section(b, "Cohorts")) && !(rc = crm_html_table(b, &t)))
			rc = section_end(b);
	}
	free(cells), free(cellp);
	crm_rfm_cohorts_free(&cs);
	return rc;
}

/* The campaigns that sent in the period and what came back
 * (crm-campaign(1) results); no section when none did. */
static int campaigns(crm_db *db, crm_buf *b, const struct crm_report_page *p)
{
	static const char *const head[CRM_CAMPAIGN_SUMMARY_COLUMNS] = {
		"Id", "Campaign", "Kind", "Sent", "Excluded", "Bounced", "Unsubscribed", "Replied",
		"Buyers", "Revenue", "Won deals"
	};
	struct rows r = { CRM_CAMPAIGN_SUMMARY_COLUMNS, 0, 0, NULL };
	int64_t n = 0;
	int rc = crm_campaign_summary(db, p->from, p->to, collect, &r, &n);

	if (!rc && n && !(rc = section(b, "Campaigns")) &&
	    !(rc = rows_table(b, "Campaigns that sent in the period, and what came back", &r,
	                      head, "rllrrrrrrrr")))
		rc = section_end(b);
	rows_free(&r);
	return rc;
}

static int heading(crm_buf *b, const struct crm_report_page *p)
{
	int rc = crm_buf_puts(b, "<header><h1>Report for ") || crm_html_escape(b, p->name) ||
	         crm_buf_puts(b, "</h1>\n<p class=\"note\">From ") || crm_html_escape(b, p->from) ||
	         crm_buf_puts(b, " up to ") || crm_html_escape(b, p->to) ||
	         crm_buf_puts(b, " (excluded), as of the end of ") ||
	         crm_html_escape(b, p->as_of) || crm_buf_puts(b, "; changes from ") ||
	         crm_html_escape(b, p->prev_from) || crm_buf_puts(b, " up to ") ||
	         crm_html_escape(b, p->prev_to) || crm_buf_puts(b, ".</p></header>\n<main>\n");

	return rc ? CRM_ENOMEM : CRM_OK;
}

int crm_report_html(crm_db *db, const struct crm_report_page *p, crm_buf *b)
{
	const char *cur = crm_config_currency(crm_db_config(db));
	char title[96];
	int rc;

	snprintf(title, sizeof title, "crm report for %s", p->name);
	if (!(rc = crm_html_page_begin(b, title, NULL)) && !(rc = heading(b, p)) &&
	    !(rc = headlines(b, p->k, p->was)) && !(rc = pipeline(db, b, p->as_of, cur)) &&
	    !(rc = forecast(db, b, p->as_of, cur)) && !(rc = monthly(db, b, p, cur)) &&
	    !(rc = nps(db, b, p)) && !(rc = rfm(db, b, p->as_of, cur)) &&
	    !(rc = cohorts(db, b, p)) && !(rc = campaigns(db, b, p)) && !(rc = measures(b, p->k)) &&
	    !(rc = crm_buf_puts(b, "</main>\n") ? CRM_ENOMEM : CRM_OK))
		rc = crm_html_page_end(b);
	return rc;
}
