/* svg_bar.c - bar charts: horizontal bars by category (pipeline stages,
 * forecast beside target) and the histogram of NPS scores.
 *
 * Bars lie horizontally so that long stage names can be read level at
 * the left of their bar, and each bar's value is printed at its end, so
 * the chart does not depend on reading positions off the axis.
 */
#include <inttypes.h>
#include <math.h>

#include "crm/error.h"
#include "svg_impl.h"

#define BAR_H 18.0          /* one bar of a series */
#define BAND_GAP 12.0       /* between the bands of two categories */
#define LABEL_MAX (SVG_W * 0.35)

static double xof(const struct svg *s, const struct crm_ticks *t, double v)
{
	return s->x0 + (v - t->lo) / (t->hi - t->lo) * (s->x1 - s->x0);
}

/* The value axis under the bars: ticks, grid lines, the zero line, unit. */
static void xaxis(struct svg *s, const struct crm_ticks *t, const char *unit)
{
	for (size_t i = 0; i < t->n; i++) {
		double v = t->lo + (double)i * t->step, x = xof(s, t, v);

		svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#bbb\" "
		        "stroke-dasharray=\"2 3\"/>\n<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" "
		        "stroke=\"#000\"/>\n<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%v</text>\n",
		        x, s->y0, x, s->y1, x, s->y1, x, s->y1 + 4, x, s->y1 + 17, v, t->decimals);
	}
	svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n"
	        "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n",
	        s->x0, s->y1, s->x1, s->y1, xof(s, t, 0), s->y0, xof(s, t, 0), s->y1);
	if (unit && *unit)
		svg_put(s, "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%e</text>\n",
		        (s->x0 + s->x1) / 2, s->y1 + 34, unit);
}

/* The band of category j: its label, and a bar per series with its value. */
static void band(struct svg *s, const struct crm_chart *c, const struct crm_ticks *t,
                 size_t j, double top)
{
	svg_put(s, "<text x=\"%n\" y=\"%n\" text-anchor=\"end\">", s->x0 - 8,
	        top + (double)c->nseries * BAR_H / 2 + 4);
	svg_fit(s, c->labels[j], s->x0 - 14);
	svg_put(s, "</text>\n");
	for (size_t i = 0; i < c->nseries; i++) {
		double v = c->series[i].v[j], y = top + (double)i * BAR_H, zero = xof(s, t, 0);

		if (!isnan(v)) {
			svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\" ",
			        fmin(zero, xof(s, t, v)), y + 1, fabs(xof(s, t, v) - zero), BAR_H - 2);
			svg_fill(s, svg_style(i));
			svg_put(s, "/>\n");
		}
		svg_put(s, "<text x=\"%n\" y=\"%n\">", (isnan(v) || v < 0 ? zero : xof(s, t, v)) + 4,
		        y + BAR_H / 2 + 4);
		svg_value(s, &c->series[i], j, c->decimals);
		svg_put(s, "</text>\n");
	}
}

/* Places the plot area of c: the widest label at the left (up to a
 * third of the width), the widest value at the right. */
static void layout(struct svg *s, const struct crm_chart *c)
{
	double left = 0, right = 0;

	for (size_t j = 0; j < c->n; j++) {
		left = fmax(left, svg_textw(c->labels[j]));
		for (size_t i = 0; i < c->nseries; i++)
			right = fmax(right, svg_valuew(&c->series[i], j, c->decimals));
	}
	s->x0 = fmax(fmin(left, LABEL_MAX) + 14, 40);
	s->x1 = SVG_W - fmax(right + 12, 24);
	s->y0 = c->nseries > 1 ? 36 : 10;
	s->y1 = s->y0 + (double)c->n * ((double)c->nseries * BAR_H + BAND_GAP);
}

int crm_svg_bar(crm_buf *b, const struct crm_chart *c)
{
	struct svg s = { b, CRM_OK, c->id, 0, 0, 0, 0 };
	crm_buf desc = CRM_BUF_INIT;
	struct crm_ticks t;
	bool drawn;
	int rc = svg_scale(&s, c, &t, &drawn);

	if (rc || drawn)
		return rc;
	layout(&s, c);
	svg_open(&s, SVG_W, s.y1 + 44, c->title, svg_desc(&desc, c, "Horizontal bar chart"));
	crm_buf_free(&desc);
	svg_put(&s, "<defs>\n");
	for (size_t i = 0; i < c->nseries; i++)
		svg_pattern(&s, svg_style(i));
	svg_put(&s, "</defs>\n");
	if (c->nseries > 1)
		svg_legend(&s, c, s.x0, 20, false);
	xaxis(&s, &t, c->unit);
	for (size_t j = 0; j < c->n; j++)
		band(&s, c, &t, j, s.y0 + BAND_GAP / 2 + (double)j * ((double)c->nseries * BAR_H + BAND_GAP));
	return svg_close(&s);
}

/* The three groups of NPS scores, each with its own fill. */
static const struct {
	int from, to;
	const char *name;
	struct svg_style style;
} groups[] = {
	{ 0, 6, "detractors", { "#b2182b", "hatch", NULL, 0 } },
	{ 7, 8, "passives", { "#bdbdbd", NULL, NULL, 0 } },
	{ 9, 10, "promoters", { "#1b7837", NULL, NULL, 0 } },
};

/* Bars of the scores of group g, a bracket under them and its name. */
static void nps_group(struct svg *s, const struct crm_ticks *t, size_t g, const int64_t *count)
{
	double w = (s->x1 - s->x0) / 11, x;
	int64_t n = 0;

	for (int i = groups[g].from; i <= groups[g].to; i++) {
		x = s->x0 + w * i;
		n += count[i];
		svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"%n\" height=\"%n\" ", x + w * 0.15,
		        svg_yof(s, t, (double)count[i]), w * 0.7, s->y1 - svg_yof(s, t, (double)count[i]));
		svg_fill(s, &groups[g].style);
		svg_put(s, "%s/>\n<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%j</text>\n"
		        "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%d</text>\n",
		        groups[g].style.pattern ? "" : " stroke=\"#333\"", x + w / 2,
		        svg_yof(s, t, (double)count[i]) - 4, count[i], x + w / 2, s->y1 + 16, i);
	}
	x = s->x0 + w * groups[g].from;
	svg_put(s, "<path d=\"M%n %nV%nH%nV%n\" fill=\"none\" stroke=\"#000\"/>\n"
	        "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%s</text>\n"
	        "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">%d\xe2\x80\x93%d: %j</text>\n",
	        x + 4, s->y1 + 22, s->y1 + 27, s->x0 + w * (groups[g].to + 1) - 4, s->y1 + 22,
	        (x + s->x0 + w * (groups[g].to + 1)) / 2, s->y1 + 42, groups[g].name,
	        (x + s->x0 + w * (groups[g].to + 1)) / 2, s->y1 + 57, groups[g].from, groups[g].to, n);
}

/* Sums the counts into *total; CRM_EUSAGE for a negative one. */
static int nps_total(const char *id, const int64_t count[11], int64_t *total)
{
	*total = 0;
	for (int i = 0; i <= 10; i++) {
		if (count[i] < 0 || count[i] > (int64_t)1e12)
			return crm_error_set(CRM_EUSAGE, "chart '%s': count of score %d out of range", id, i);
		*total += count[i];
	}
	return CRM_OK;
}

int crm_svg_nps(crm_buf *b, const char *id, const char *title, const int64_t count[11])
{
	struct svg s = { b, CRM_OK, id, 0, 0, 0, 0 };
	crm_buf desc = CRM_BUF_INIT;
	struct crm_ticks t;
	int64_t total, max = 0;
	int rc;

	if ((rc = svg_check_id(id)) || (rc = nps_total(id, count, &total)))
		return rc;
	if (!total)
		return svg_nodata(&s, title);
	for (int i = 0; i <= 10; i++)
		max = count[i] > max ? count[i] : max;
	crm_svg_ticks(&t, 0, (double)max, true);
	s.x0 = fmax(svg_numw(t.hi, 0) + 14, 40);
	s.x1 = SVG_W - 16;
	s.y0 = 30;
	s.y1 = 230;
	crm_buf_printf(&desc, "Histogram of the scores 0 to 10 of %" PRId64 " responses.", total);
	svg_open(&s, SVG_W, s.y1 + 88, title, crm_buf_str(&desc));
	crm_buf_free(&desc);
	svg_put(&s, "<defs>\n");
	svg_pattern(&s, &groups[0].style);
	svg_put(&s, "</defs>\n<text x=\"%n\" y=\"18\" text-anchor=\"middle\">responses</text>\n",
	        s.x0);
	svg_yaxis(&s, &t);
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
		nps_group(&s, &t, g, count);
	svg_put(&s, "<text x=\"%n\" y=\"%n\" text-anchor=\"middle\">score</text>\n",
	        (s.x0 + s.x1) / 2, s.y1 + 78);
	return svg_close(&s);
}
