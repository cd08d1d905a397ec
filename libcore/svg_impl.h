/* svg_impl.h - the drawing helpers the chart writers of svg*.c share. */
#ifndef CRM_SVG_IMPL_H
#define CRM_SVG_IMPL_H

#include <stdbool.h>

#include "crm/svg.h"

/* Every chart is this wide; its height follows from what it holds. */
#define SVG_W 640.0
#define SVG_FONT 12.0

/* One chart being written: the first failure sticks, and the writes
 * after it do nothing, so drawing code need not test each call. */
struct svg {
	crm_buf *b;
	int rc;
	const char *id;
	double x0, y0, x1, y1; /* the plot area */
};

/* Appends fmt to s->b.  Directives: %s text as it is, %e text escaped,
 * %d int, %z size_t, %j int64_t, %n a coordinate (at most one decimal),
 * %v a value (double, then int decimals; groups of thousands), %%. */
void svg_put(struct svg *s, const char *fmt, ...);

/* Opens the <svg> element of size w × h with its <title> and <desc>. */
void svg_open(struct svg *s, double w, double h, const char *title, const char *desc);

/* Closes the <svg> element; returns s->rc. */
int svg_close(struct svg *s);

/* Writes a whole chart that is an empty frame saying "no data"; returns
 * s->rc. */
int svg_nodata(struct svg *s, const char *title);

/* Returns the width a line of text takes, from its count of characters. */
double svg_textw(const char *text);

/* Writes text escaped, cut with an ellipsis to fit in w, the whole of it
 * then kept as the tooltip. */
void svg_fit(struct svg *s, const char *text, double w);

/* Writes the value axis of a chart with vertical values at the left of the
 * plot area: the axis line, ticks, their labels and grid lines. */
void svg_yaxis(struct svg *s, const struct crm_ticks *t);

/* Returns y of value v on the vertical axis of ticks t. */
double svg_yof(const struct svg *s, const struct crm_ticks *t, double v);

/* Returns CRM_OK when id is fit for element ids (letters, digits, '-',
 * '_'), else CRM_EUSAGE. */
int svg_check_id(const char *id);

/* Returns CRM_OK when id is fit for element ids (letters, digits, '-',
 * '_'), the series have their values, and every value is NaN or within
 * range; else CRM_EUSAGE. */
int svg_check(const struct crm_chart *c);

/* Stores in *lo and *hi the least and greatest values of c, leaving out
 * NaN; returns false when there are none. */
bool svg_range(const struct crm_chart *c, double *lo, double *hi);

/* Checks chart c and chooses the ticks of its value axis into *t; a
 * chart with no value gets the "no data" frame instead, and *drawn is
 * set.  Returns a status. */
int svg_scale(struct svg *s, const struct crm_chart *c, struct crm_ticks *t, bool *drawn);

/* Returns the description of chart c: its own, else one made in tmp
 * from kind ("Line chart"), its size, unit and series; borrowed. */
const char *svg_desc(crm_buf *tmp, const struct crm_chart *c, const char *kind);

/* Writes value j of series se as its label: the text given, else the
 * value with dec decimals; "n/a" for NaN. */
void svg_value(struct svg *s, const struct crm_series *se, size_t j, int dec);

/* Returns the width of value v written with dec decimals. */
double svg_numw(double v, int dec);

/* Returns the width of the label svg_value writes. */
double svg_valuew(const struct crm_series *se, size_t j, int dec);

/* The look of series i of a chart: a colour, a fill (a colour or a
 * pattern of the chart's <defs>), a dash pattern and a marker shape. */
struct svg_style {
	const char *color;
	const char *pattern; /* NULL: filled solid; else the pattern's name */
	const char *dash;    /* NULL: a solid line */
	char marker;         /* 'o' circle, 's' square, '^' triangle, 'd' diamond */
};

const struct svg_style *svg_style(size_t i);

/* Writes the <pattern> of style st, for inside <defs>; nothing for a
 * solid fill. */
void svg_pattern(struct svg *s, const struct svg_style *st);

/* Writes the fill (and for a pattern, outline) attributes of style st. */
void svg_fill(struct svg *s, const struct svg_style *st);

/* Writes the stroke attributes of the line of style st. */
void svg_stroke(struct svg *s, const struct svg_style *st);

/* Writes the marker of style st centred on x, y. */
void svg_marker(struct svg *s, const struct svg_style *st, double x, double y);

/* Writes the legend of c's series in a row from x, y (the text's
 * baseline): a swatch of each bar fill, or (lines) a piece of each line
 * with its marker, then the series' name. */
void svg_legend(struct svg *s, const struct crm_chart *c, double x, double y, bool lines);

#endif
