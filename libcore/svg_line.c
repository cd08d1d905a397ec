/* svg_line.c - line charts over months: revenue, churn.
 *
 * Each series has its own dash pattern and marker as well as its colour,
 * so lines stay apart on a black-and-white printout; a missing value
 * breaks its line rather than being drawn as 0.
 */
#include <math.h>

#include "crm/error.h"
#include "svg_impl.h"

#define PLOT_H 220.0
#define PAD 14.0 /* between an axis and the first or last point */

/* Returns x of point i of n. */
static double xat(const struct svg *s, size_t n, size_t i)
{
	if (n < 2)
		return (s->x0 + s->x1) / 2;
	return s->x0 + PAD + (s->x1 - s->x0 - 2 * PAD) * (double)i / (double)(n - 1);
}

/* Returns k: every k-th x label is shown, so that none overlaps the next. */
static size_t thin(const struct svg *s, const struct crm_chart *c)
{
	double w = 0, room;

	for (size_t j = 0; j < c->n; j++)
		w = fmax(w, svg_textw(c->labels[j]));
	if (c->n < 2)
		return 1;
	room = xat(s, c->n, 1) - xat(s, c->n, 0);
	return w + 8 <= room ? 1 : (size_t)ceil((w + 8) / room);
}

/* The x axis: a tick at each point, a label at every k-th. */
static void xaxis(struct svg *s, const struct crm_chart *c)
{
	size_t k = thin(s, c);

	svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n",
	        s->x0, s->y1, s->x1, s->y1);
	for (size_t j = 0; j < c->n; j++) {
		double x = xat(s, c->n, j);

		svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n",
		        x, s->y1, x, s->y1 + (j % k ? 2 : 4));
		if (j % k)
			continue;
		svg_put(s, "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">", x, s->y1 + 17);
		svg_fit(s, c->labels[j], s->x1 - s->x0);
		svg_put(s, "</text>\n");
	}
}

/* Series i: its line, broken where a value is missing, and its markers. */
static void series(struct svg *s, const struct crm_chart *c, const struct crm_ticks *t, size_t i)
{
	const struct svg_style *st = svg_style(i);
	const double *v = c->series[i].v;
	bool pen = false;

	svg_put(s, "<path d=\"");
	for (size_t j = 0; j < c->n; j++) {
		if (!isnan(v[j]))
			svg_put(s, "%s%n %n", pen ? "L" : "M", xat(s, c->n, j), svg_yof(s, t, v[j]));
		pen = !isnan(v[j]);
	}
	svg_put(s, "\" ");
	svg_stroke(s, st);
	svg_put(s, " stroke-linejoin=\"round\"/>\n");
	for (size_t j = 0; j < c->n; j++)
		if (!isnan(v[j]))
			svg_marker(s, st, xat(s, c->n, j), svg_yof(s, t, v[j]));
}

int crm_svg_line(crm_buf *b, const struct crm_chart *c)
{
	struct svg s = { b, CRM_OK, c->id, 0, 0, 0, 0 };
	crm_buf desc = CRM_BUF_INIT;
	struct crm_ticks t;
	bool drawn;
	int rc = svg_scale(&s, c, &t, &drawn);

	if (rc || drawn)
		return rc;
	s.x0 = fmax(fmax(svg_numw(t.lo, t.decimals), svg_numw(t.hi, t.decimals)) + 12, 40);
	s.x1 = SVG_W - 20;
	s.y0 = c->nseries > 1 ? 56 : 34;
	s.y1 = s.y0 + PLOT_H;
	svg_open(&s, SVG_W, s.y1 + 28, c->title, svg_desc(&desc, c, "Line chart"));
	crm_buf_free(&desc);
	if (c->nseries > 1)
		svg_legend(&s, c, s.x0, 18, true);
	if (c->unit && *c->unit)
		svg_put(&s, "<text x=\"4\" y=\"%n\">%e</text>\n", s.y0 - 14, c->unit);
	svg_yaxis(&s, &t);
	xaxis(&s, c);
	for (size_t i = 0; i < c->nseries; i++)
		series(&s, c, &t, i);
	return svg_close(&s);
}
