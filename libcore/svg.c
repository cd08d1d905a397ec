/* svg.c - what the chart writers share: numbers written without the C
 * locale, nice ticks, the <svg> frame, text fitting, series styles and
 * legends.
 *
 * Output must be the same bytes for the same input wherever it runs, so
 * numbers never go through printf's %f or %g, whose decimal point is the
 * locale's: values are rounded to integers and written digit by digit.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crm/error.h"
#include "svg_impl.h"

/* Values are rounded to at most this many decimals, and must be below
 * VALUE_MAX so that value × 10^decimals fits in an int64_t. */
#define DECIMALS_MAX 6
#define VALUE_MAX 1e12

/* Appends v rounded to dec decimals, with no minus on a value that rounds
 * to 0; group: a narrow no-break space between groups of three digits of
 * a whole part of five digits or more, the way ISO 80000 writes them. */
static int put_fixed(crm_buf *b, double v, int dec, bool group)
{
	char digits[24];
	uint64_t scale = 1, a;
	int64_t q;
	int len, rc = CRM_OK;

	dec = dec < 0 ? 0 : dec > DECIMALS_MAX ? DECIMALS_MAX : dec;
	for (int i = 0; i < dec; i++)
		scale *= 10;
	if (!(fabs(v) < VALUE_MAX * 10))
		v = 0; /* checked before drawing; never a garbage number */
	q = llround(v * (double)scale);
	a = q < 0 ? (uint64_t)-q : (uint64_t)q;
	if (q < 0)
		rc = crm_buf_putc(b, '-');
	len = snprintf(digits, sizeof digits, "%" PRIu64, a / scale);
	for (int i = 0; i < len && !rc; i++) {
		if (group && len >= 5 && i > 0 && (len - i) % 3 == 0)
			rc = crm_buf_puts(b, "\xe2\x80\xaf");
		rc = rc ? rc : crm_buf_putc(b, digits[i]);
	}
	if (dec && !rc)
		rc = crm_buf_printf(b, ".%0*" PRIu64, dec, a % scale);
	return rc;
}

/* Appends a coordinate to a tenth of a pixel, without a trailing ".0". */
static int put_coord(crm_buf *b, double v)
{
	long long q = llround(isfinite(v) && fabs(v) < 1e9 ? v * 10 : 0);
	const char *sign = q < 0 ? "-" : "";

	q = q < 0 ? -q : q;
	if (q % 10)
		return crm_buf_printf(b, "%s%lld.%lld", sign, q / 10, q % 10);
	return crm_buf_printf(b, "%s%lld", sign, q / 10);
}

static int directive(struct svg *s, char d, va_list *ap)
{
	double v;

	switch (d) {
	case 's': return crm_buf_puts(s->b, va_arg(*ap, const char *));
	case 'e': return crm_html_escape(s->b, va_arg(*ap, const char *));
	case 'd': return crm_buf_printf(s->b, "%d", va_arg(*ap, int));
	case 'z': return crm_buf_printf(s->b, "%zu", va_arg(*ap, size_t));
	case 'j': return crm_buf_printf(s->b, "%" PRId64, va_arg(*ap, int64_t));
	case 'n': return put_coord(s->b, va_arg(*ap, double));
	case 'v':
		v = va_arg(*ap, double);
		return put_fixed(s->b, v, va_arg(*ap, int), true);
	case '%': return crm_buf_putc(s->b, '%');
	}
	return crm_error_set(CRM_EFAIL, "svg: bad directive '%%%c'", d);
}

void svg_put(struct svg *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p && !s->rc; p++) {
		const char *q = strchr(p, '%');

		if (!q) {
			s->rc = crm_buf_puts(s->b, p);
			break;
		}
		if (q > p)
			s->rc = crm_buf_put(s->b, p, (size_t)(q - p));
		p = q + 1;
		if (!s->rc)
			s->rc = directive(s, *p, &ap);
	}
	va_end(ap);
}

/* Returns 1, 2, 5 or 10: the nice multiplier at or above norm. */
static int nice(double norm)
{
	return norm <= 1 + 1e-9 ? 1 : norm <= 2 + 1e-9 ? 2 : norm <= 5 + 1e-9 ? 5 : 10;
}

int crm_svg_ticks(struct crm_ticks *out, double min, double max, bool integer)
{
	double lo, hi, i0, i1;
	int e, m;

	if (!isfinite(min) || !isfinite(max))
		return crm_error_set(CRM_EUSAGE, "axis range is not finite");
	lo = fmin(fmin(min, max), 0);
	hi = fmax(fmax(min, max), 0);
	if (hi == lo)
		hi = 1;
	/* About five steps; below 10^-6 a step would print as 0. */
	e = (int)floor(log10((hi - lo) / 5));
	m = nice((hi - lo) / 5 / pow(10, e));
	if (m == 10 || e < -DECIMALS_MAX) {
		m = 1;
		e = e < -DECIMALS_MAX ? -DECIMALS_MAX : e + 1;
	}
	out->step = m * pow(10, e);
	if (integer && out->step < 1) {
		out->step = 1;
		e = 0;
	}
	i0 = floor(lo / out->step + 1e-9);
	i1 = ceil(hi / out->step - 1e-9);
	out->lo = i0 * out->step;
	out->hi = i1 * out->step;
	out->n = (size_t)(i1 - i0) + 1;
	out->decimals = e < 0 ? -e : 0;
	return CRM_OK;
}

void svg_open(struct svg *s, double w, double h, const char *title, const char *desc)
{
	svg_put(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" role=\"img\" "
	        "aria-labelledby=\"%s-t %s-d\" width=\"%n\" height=\"%n\" viewBox=\"0 0 %n %n\" "
	        "font-family=\"system-ui, sans-serif\" font-size=\"12\">\n"
	        "<title id=\"%s-t\">%e</title>\n<desc id=\"%s-d\">%e</desc>\n",
	        s->id, s->id, s->id, w, h, w, h, s->id, title, s->id, desc);
}

int svg_close(struct svg *s)
{
	svg_put(s, "</svg>\n");
	return s->rc;
}

int svg_nodata(struct svg *s, const char *title)
{
	svg_open(s, SVG_W, 120, title, "No data.");
	svg_put(s, "<rect x=\"0.5\" y=\"0.5\" width=\"%n\" height=\"119\" fill=\"none\" "
	        "stroke=\"#767676\"/>\n<text x=\"%n\" y=\"64\" text-anchor=\"middle\">no data</text>\n",
	        SVG_W - 1, SVG_W / 2);
	return svg_close(s);
}

/* Returns the number of characters of s (UTF-8 lead bytes). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* An average glyph of the 12px sans-serif fonts, a little generous so
 * that text measured by it does not overrun. */
#define CHAR_W 7.0

double svg_textw(const char *text)
{
	return (double)chars(text) * CHAR_W;
}

void svg_fit(struct svg *s, const char *text, double w)
{
	crm_buf cut = CRM_BUF_INIT;
	size_t keep, i, n = 0;

	text = text ? text : "";
	if (svg_textw(text) <= w) {
		svg_put(s, "%e", text);
		return;
	}
	keep = w > 2 * CHAR_W ? (size_t)(w / CHAR_W) - 1 : 1;
	for (i = 0; text[i]; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80 && n++ == keep)
			break;
	if (!s->rc)
		s->rc = crm_buf_put(&cut, text, i);
	svg_put(s, "%e\xe2\x80\xa6<title>%e</title>", crm_buf_str(&cut), text);
	crm_buf_free(&cut);
}

double svg_yof(const struct svg *s, const struct crm_ticks *t, double v)
{
	return s->y1 - (v - t->lo) / (t->hi - t->lo) * (s->y1 - s->y0);
}

void svg_yaxis(struct svg *s, const struct crm_ticks *t)
{
	for (size_t i = 0; i < t->n; i++) {
		double v = t->lo + (double)i * t->step, y = svg_yof(s, t, v);

		svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#bbb\" "
		        "stroke-dasharray=\"2 3\"/>\n<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" "
		        "stroke=\"#000\"/>\n<text x=\"%n\" y=\"%n\" text-anchor=\"end\">%v</text>\n",
		        s->x0, y, s->x1, y, s->x0 - 4, y, s->x0, y, s->x0 - 6, y + 4, v, t->decimals);
	}
	svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n"
	        "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" stroke=\"#000\"/>\n",
	        s->x0, s->y0, s->x0, s->y1, s->x0, svg_yof(s, t, 0), s->x1, svg_yof(s, t, 0));
}

/* Ids name the chart's parts in a page, and aria-labelledby takes a
 * list of them separated by blanks: so no blanks, nothing to escape. */
int svg_check_id(const char *id)
{
	const char *p = id && *id ? id : "-";

	for (; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", *p))
			break;
	if (!id || !*id || *p)
		return crm_error_set(CRM_EUSAGE, "chart id '%s' is not letters, digits, '-' and '_'",
		                     id ? id : "");
	return CRM_OK;
}

int svg_check(const struct crm_chart *c)
{
	if (svg_check_id(c->id))
		return CRM_EUSAGE;
	if ((c->n && !c->labels) || (c->nseries && !c->series))
		return crm_error_set(CRM_EUSAGE, "chart '%s' lacks its labels or series", c->id);
	for (size_t i = 0; i < c->nseries; i++) {
		if (c->n && !c->series[i].v)
			return crm_error_set(CRM_EUSAGE, "chart '%s': series %zu has no values", c->id, i);
		for (size_t j = 0; j < c->n; j++)
			if (!isnan(c->series[i].v[j]) && !(fabs(c->series[i].v[j]) < VALUE_MAX))
				return crm_error_set(CRM_EUSAGE, "chart '%s': value %zu of series %zu "
				                     "is out of range", c->id, j, i);
	}
	return CRM_OK;
}

bool svg_range(const struct crm_chart *c, double *lo, double *hi)
{
	bool any = false;

	for (size_t i = 0; i < c->nseries; i++)
		for (size_t j = 0; j < c->n; j++) {
			double v = c->series[i].v[j];

			if (isnan(v))
				continue;
			*lo = any ? fmin(*lo, v) : v;
			*hi = any ? fmax(*hi, v) : v;
			any = true;
		}
	return any;
}

const char *svg_desc(crm_buf *tmp, const struct crm_chart *c, const char *kind)
{
	const char *unit = c->unit && *c->unit ? c->unit : NULL;

	if (c->desc)
		return c->desc;
	crm_buf_printf(tmp, "%s of %zu values%s%s", kind, c->n, unit ? " in " : "", unit ? unit : "");
	for (size_t i = 0; c->nseries > 1 && i < c->nseries; i++)
		crm_buf_printf(tmp, "%s%s", i ? ", " : " for each of ",
		               c->series[i].name ? c->series[i].name : "");
	crm_buf_puts(tmp, ".");
	return crm_buf_str(tmp);
}

void svg_value(struct svg *s, const struct crm_series *se, size_t j, int dec)
{
	if (se->text && se->text[j])
		svg_put(s, "%e", se->text[j]);
	else if (isnan(se->v[j]))
		svg_put(s, "n/a");
	else
		svg_put(s, "%v", se->v[j], dec);
}

double svg_numw(double v, int dec)
{
	crm_buf t = CRM_BUF_INIT;
	double w;

	put_fixed(&t, v, dec, true);
	w = svg_textw(crm_buf_str(&t));
	crm_buf_free(&t);
	return w;
}

double svg_valuew(const struct crm_series *se, size_t j, int dec)
{
	if (se->text && se->text[j])
		return svg_textw(se->text[j]);
	return isnan(se->v[j]) ? svg_textw("n/a") : svg_numw(se->v[j], dec);
}

/* Colours that stay apart in grey too (dark, mid, mid, dark), each with
 * its own fill pattern, dash and marker for when they do not. */
static const struct svg_style styles[] = {
	{ "#1f4e79", NULL, NULL, 'o' },
	{ "#c55a11", "hatch", "7 4", 's' },
	{ "#2e7d32", "dots", "2 3", '^' },
	{ "#6a1b9a", "cross", "10 3 2 3", 'd' },
};

const struct svg_style *svg_style(size_t i)
{
	return &styles[i % (sizeof styles / sizeof styles[0])];
}

void svg_pattern(struct svg *s, const struct svg_style *st)
{
	const char *p = st->pattern;

	if (!p)
		return;
	svg_put(s, "<pattern id=\"%s-%s\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"%s>"
	        "<rect width=\"6\" height=\"6\" fill=\"#fff\"/>", s->id, p,
	        strcmp(p, "dots") ? " patternTransform=\"rotate(45)\"" : "");
	if (!strcmp(p, "dots"))
		svg_put(s, "<circle cx=\"3\" cy=\"3\" r=\"1.8\" fill=\"%s\"/>", st->color);
	else
		svg_put(s, "<rect width=\"2.5\" height=\"6\" fill=\"%s\"/>", st->color);
	if (!strcmp(p, "cross"))
		svg_put(s, "<rect width=\"6\" height=\"2\" fill=\"%s\"/>", st->color);
	svg_put(s, "</pattern>\n");
}

void svg_fill(struct svg *s, const struct svg_style *st)
{
	if (st->pattern)
		svg_put(s, "fill=\"url(#%s-%s)\" stroke=\"%s\"", s->id, st->pattern, st->color);
	else
		svg_put(s, "fill=\"%s\"", st->color);
}

void svg_marker(struct svg *s, const struct svg_style *st, double x, double y)
{
	switch (st->marker) {
	case 's':
		svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"7\" height=\"7\"", x - 3.5, y - 3.5);
		break;
	case '^':
		svg_put(s, "<path d=\"M%n %nL%n %nL%n %nZ\"", x, y - 4.5, x + 4.5, y + 3.5, x - 4.5, y + 3.5);
		break;
	case 'd':
		svg_put(s, "<path d=\"M%n %nL%n %nL%n %nL%n %nZ\"", x, y - 5, x + 5, y, x, y + 5, x - 5, y);
		break;
	default:
		svg_put(s, "<circle cx=\"%n\" cy=\"%n\" r=\"3.5\"", x, y);
	}
	svg_put(s, " fill=\"%s\" stroke=\"#fff\"/>\n", st->color);
}

void svg_stroke(struct svg *s, const struct svg_style *st)
{
	svg_put(s, "fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", st->color);
	if (st->dash)
		svg_put(s, " stroke-dasharray=\"%s\"", st->dash);
}

void svg_legend(struct svg *s, const struct crm_chart *c, double x, double y, bool lines)
{
	for (size_t i = 0; i < c->nseries; i++) {
		const struct svg_style *st = svg_style(i);
		const char *name = c->series[i].name ? c->series[i].name : "";

		if (lines) {
			svg_put(s, "<line x1=\"%n\" y1=\"%n\" x2=\"%n\" y2=\"%n\" ", x, y - 4, x + 28, y - 4);
			svg_stroke(s, st);
			svg_put(s, "/>\n");
			svg_marker(s, st, x + 14, y - 4);
			x += 34;
		} else {
			svg_put(s, "<rect x=\"%n\" y=\"%n\" width=\"16\" height=\"12\" ", x, y - 10);
			svg_fill(s, st);
			svg_put(s, "/>\n");
			x += 22;
		}
		svg_put(s, "<text x=\"%n\" y=\"%n\">%e</text>\n", x, y, name);
		x += svg_textw(name) + 20;
	}
}

int svg_scale(struct svg *s, const struct crm_chart *c, struct crm_ticks *t, bool *drawn)
{
	double lo, hi;
	int rc = svg_check(c);

	*drawn = false;
	if (rc)
		return rc;
	if (!svg_range(c, &lo, &hi)) {
		*drawn = true;
		return svg_nodata(s, c->title);
	}
	return crm_svg_ticks(t, lo, hi, c->decimals <= 0);
}
