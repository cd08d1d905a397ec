/* svg_grid.c - a heat grid of counts, such as the RFM grid of customers
 * by recency and frequency score.
 *
 * Shading shows the pattern at a glance; the count printed in each cell
 * is what makes the grid readable without colour, and exact.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "crm/error.h"
#include "svg_impl.h"

#define CELL_W 72.0
#define CELL_H 40.0

/* Writes into col the shade of count v out of max: each channel a
 * straight step from near white to dark blue; returns whether it is
 * dark enough to need white text. */
static bool shade(char col[8], int64_t v, int64_t max)
{
	static const int from[3] = { 0xf4, 0xf7, 0xfb }, to[3] = { 0x08, 0x30, 0x6b };
	double f = max > 0 ? (double)v / (double)max : 0;
	long c[3];

	for (int k = 0; k < 3; k++)
		c[k] = lround(from[k] + (to[k] - from[k]) * f);
	snprintf(col, 8, "#%02lx%02lx%02lx", c[0], c[1], c[2]);
	return f > 0.5;
}

static void cell(struct svg *s, double x, double y, double w, int64_t v, int64_t max)
{
	char col[8];
	bool dark = shade(col, v, max);

	svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\" fill=\"%s\" stroke=\"#fff\" "
	        "stroke-width=\"2\"/>\n<text x=\"%n\" y=\"%n\" text-anchor=\"middle\" fill=\"%s\">%j"
	        "</text>\n", x, y, w, CELL_H, col, x + w / 2, y + CELL_H / 2 + 4,
	        dark ? "#fff" : "#000", v);
}

/* Five swatches from 0 to max, each with the count it stands for. */
static void scale(struct svg *s, double y, int64_t max)
{
	for (int k = 0; k <= 4; k++) {
		int64_t v = (int64_t)llround((double)max * k / 4);
		char col[8];

		shade(col, v, max);
		svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"40\" height=\"12\" fill=\"%s\" "
		        "stroke=\"#767676\"/>\n<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%j</text>\n",
		        s->x0 + 48.0 * k, y, col, s->x0 + 48.0 * k + 20, y + 26, v);
	}
	svg_put(s, "<text x=\"%n\" y=\"%n\">darker: more</text>\n", s->x0 + 48.0 * 5, y + 10);
}

/* The labels and titles of the rows and columns. */
static void labels(struct svg *s, const struct crm_grid *g, double w)
{
	for (size_t r = 0; r < g->nrows; r++) {
		svg_put(s, "<text x=\"%n\" y=\"%n\" text-anchor=\"end\">", s->x0 - 8,
		        s->y0 + CELL_H * ((double)r + 0.5) + 4);
		svg_fit(s, g->rows[r], s->x0 - 36);
		svg_put(s, "</text>\n");
	}
	for (size_t c = 0; c < g->ncols; c++) {
		svg_put(s, "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">", s->x0 + w * ((double)c + 0.5),
		        s->y1 + 16);
		svg_fit(s, g->cols[c], w - 4);
		svg_put(s, "</text>\n");
	}
	svg_put(s, "<text transform=\"translate(14 %n) rotate(-90)\" text-anchor=\"middle\">%e</text>\n"
	        "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%e</text>\n", (s->y0 + s->y1) / 2,
	        g->row_title ? g->row_title : "", (s->x0 + s->x1) / 2, s->y1 + 34,
	        g->col_title ? g->col_title : "");
}

/* Checks g and sums its counts into *total, the greatest into *max. */
static int check(const struct crm_grid *g, int64_t *total, int64_t *max)
{
	if (svg_check_id(g->id))
		return CRM_EUSAGE;
	if (g->nrows && g->ncols && (!g->rows || !g->cols || !g->v))
		return crm_error_set(CRM_EUSAGE, "chart '%s' lacks its labels or counts", g->id);
	*total = *max = 0;
	for (size_t i = 0; i < g->nrows * g->ncols; i++) {
		if (g->v[i] < 0 || g->v[i] > (int64_t)1e12)
			return crm_error_set(CRM_EUSAGE, "chart '%s': count %zu out of range", g->id, i);
		*total += g->v[i];
		*max = g->v[i] > *max ? g->v[i] : *max;
	}
	return CRM_OK;
}

int crm_svg_grid(crm_buf *b, const struct crm_grid *g)
{
	struct svg s = { b, CRM_OK, g->id, 0, 0, 0, 0 };
	crm_buf desc = CRM_BUF_INIT;
	int64_t total = 0, max = 0;
	double left = 0, w;
	int rc = check(g, &total, &max);

	if (rc)
		return rc;
	if (!total)
		return svg_nodata(&s, g->title);
	for (size_t r = 0; r < g->nrows; r++)
		left = fmax(left, svg_textw(g->rows[r]));
	s.x0 = 36 + fmin(left, SVG_W / 4) + 8;
	w = fmin(CELL_W, (SVG_W - s.x0 - 20) / (double)g->ncols);
	s.x1 = s.x0 + w * (double)g->ncols;
	s.y0 = 10;
	s.y1 = s.y0 + CELL_H * (double)g->nrows;
	if (!g->desc)
		crm_buf_printf(&desc, "Grid of %zu by %zu counts, %" PRId64 " in all, the count printed "
		               "in each cell; darker cells hold more.", g->nrows, g->ncols, total);
	svg_open(&s, SVG_W, s.y1 + 92, g->title, g->desc ? g->desc : crm_buf_str(&desc));
	crm_buf_free(&desc);
	for (size_t r = 0; r < g->nrows; r++)
		for (size_t c = 0; c < g->ncols; c++)
			cell(&s, s.x0 + w * (double)c, s.y0 + CELL_H * (double)r, w,
			     g->v[r * g->ncols + c], max);
	svg_put(&s, "<rect x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\" fill=\"none\" stroke=\"#767676\"/>\n",
	        s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
	labels(&s, g, w);
	scale(&s, s.y1 + 50, max);
	return svg_close(&s);
}
