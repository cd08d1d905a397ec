/* svg.h - charts drawn as SVG, and the frame of a self-contained HTML page
 * with tables beside them (crm-report --html).
 *
 * Every writer appends to a crm_buf and returns CRM_OK, CRM_ENOMEM, or
 * CRM_EUSAGE for a chart it cannot draw (a value that is infinite or
 * beyond 1e15, a missing id).  The same input gives the same bytes: numbers
 * are formatted by the toolkit, never through the C locale.
 *
 * A chart is an <svg role="img"> labelled by its <title> and <desc>, with
 * fixed width, height and viewBox, axes, tick labels and the unit.  Series
 * differ by fill pattern or by dash and marker as well as by colour, and
 * values are printed beside bars and in cells, so a chart reads in black
 * and white.  A chart with nothing to show is an empty frame saying
 * "no data".
 */
#ifndef CRM_SVG_H
#define CRM_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crm/buf.h"

/* One series of a bar or line chart: a value per label of its chart. */
struct crm_series {
	const char *name;         /* legend text; drawn only when a chart has several */
	const double *v;          /* the chart's n values; NaN: no value (a gap) */
	const char *const *text;  /* n value labels as printed ("1234.50"), or NULL:
	                             the values with the chart's decimals */
};

struct crm_chart {
	const char *id;      /* the <svg>'s id, unique in the page; its parts' ids are
	                        ID-t, ID-d and ID-pattern: letters, digits, '-', '_' */
	const char *title;   /* the chart's <title> */
	const char *desc;    /* one sentence for its <desc>; NULL: says what kind of chart */
	const char *unit;    /* of the values: "EUR", "%", "" or NULL for counts */
	const char *const *labels; /* n categories (bar) or x positions (line), in order */
	size_t n;
	const struct crm_series *series;
	size_t nseries;
	int decimals;        /* of the value labels made from v */
};

/* A heat grid of counts: rows × cols cells, shaded by value, each with
 * its count printed. */
struct crm_grid {
	const char *id, *title, *desc;
	const char *row_title, *col_title; /* what the rows and columns are */
	const char *const *rows;
	size_t nrows;
	const char *const *cols;
	size_t ncols;
	const int64_t *v;   /* nrows * ncols counts, row by row */
};

/* The ticks of a value axis: lo, lo + step, ..., hi. */
struct crm_ticks {
	double lo, hi, step;
	size_t n;      /* how many ticks, lo and hi included */
	int decimals;  /* that the step needs when printed */
};

/* Chooses about five ticks 1, 2 or 5 × 10^k apart whose range holds 0,
 * min and max (an all-zero range becomes [0, 1]); integer: no step below 1,
 * for counts.  CRM_EUSAGE when min or max is not finite. */
int crm_svg_ticks(struct crm_ticks *out, double min, double max, bool integer);

/* Appends a horizontal bar chart: a band per label, in it one bar per
 * series (forecast beside target), its value printed at its end.  Bars
 * start at 0, to the left for negative values.  "no data" when there are
 * no labels or no values. */
int crm_svg_bar(crm_buf *b, const struct crm_chart *c);

/* Appends a line chart: labels evenly along x (thinned when crowded),
 * the values on a y axis with nice ticks and the unit above it; each
 * series its own dash pattern and marker, named in a legend when there
 * are several.  NaN values break the line.  "no data" as crm_svg_bar. */
int crm_svg_line(crm_buf *b, const struct crm_chart *c);

/* Appends the heat grid g, darker for more; "no data" when every count
 * is 0 or there are no cells. */
int crm_svg_grid(crm_buf *b, const struct crm_grid *g);

/* Appends a histogram of the NPS scores 0 to 10, count[s] responses with
 * score s: detractors (0-6) hatched, passives (7-8) light, promoters
 * (9-10) dark, each group named under the axis.  "no data" when there
 * are no responses. */
int crm_svg_nps(crm_buf *b, const char *id, const char *title, const int64_t count[11]);

/* The page's stylesheet: system fonts, print rules, and the classes
 *   .fig  a chart with its table beside it    .n  a numeric cell
 *   .kpis / .kpi  a grid of headline figures (.v value, .d change)
 *   .note  a remark in small print */
extern const char crm_html_css[];

/* Appends s with & < > " ' escaped, for text and quoted attributes. */
int crm_html_escape(crm_buf *b, const char *s);

/* Appends the start of an HTML page up to the opening of <body>: the
 * doctype, lang="en", UTF-8, title, crm_html_css followed by css (NULL:
 * nothing more), and a content security policy under which the page
 * can neither run a script nor load anything. */
int crm_html_page_begin(crm_buf *b, const char *title, const char *css);

/* Appends the end of the page begun by crm_html_page_begin. */
int crm_html_page_end(crm_buf *b);

/* A table of strings: a caption, a header row, and nrows rows of ncols cells. */
struct crm_table {
	const char *caption;
	const char *const *head;   /* ncols column headings */
	size_t ncols;
	const char *const *cells;  /* nrows * ncols, row by row; NULL: an empty cell */
	size_t nrows;
	const char *align;         /* a letter per column, 'r': a number, right-aligned;
	                              NULL or any other letter: text */
	bool row_heads;            /* the first column names its row (<th scope="row">) */
};

/* Appends t as a <table>, every string escaped. */
int crm_html_table(crm_buf *b, const struct crm_table *t);

#endif
