/* check_svg.c - the SVG charts and the HTML page frame: escaping, ticks,
 * byte-for-byte determinism, "no data", and well-formed markup. */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/svg.h"

#define NNBSP "\xe2\x80\xaf" /* the narrow no-break space between digit groups */

/* Returns the number of times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Returns the length of the name of the tag at s, stopping at a blank,
 * '/' or '>'. */
static size_t name_len(const char *s)
{
	return strcspn(s, " \n/>");
}

/* Checks the markup is well-formed XML in the ways a writer can get
 * wrong: every tag closed in order, attributes quoted, no bare '&' or
 * '<', comments and the doctype aside.  Returns NULL or what is wrong. */
static const char *well_formed(const char *s)
{
	const char *stack[64];
	size_t depth = 0;

	while ((s = strpbrk(s, "<&"))) {
		if (*s == '&') {
			if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) &&
			    strncmp(s, "&quot;", 6) && strncmp(s, "&#39;", 5))
				return "bare &";
			s++;
			continue;
		}
		if (!strncmp(s, "<!", 2)) {
			s = strchr(s, '>');
			if (!s)
				return "unclosed <!";
			continue;
		}
		if (s[1] == '/') {
			if (!depth || strncmp(stack[depth - 1], s + 2, name_len(s + 2)) ||
			    name_len(stack[depth - 1]) != name_len(s + 2))
				return "end tag does not match";
			depth--;
			s += 2;
			continue;
		}
		const char *end = strchr(s, '>');
		bool quoted = false;

		if (!end)
			return "unclosed tag";
		for (const char *p = s + 1; p < end; p++) {
			quoted ^= *p == '"';
			if (!quoted && *p == '<')
				return "< inside a tag";
			if (!quoted && *p == '=' && p[1] != '"')
				return "unquoted attribute";
		}
		if (quoted)
			return "odd quotes";
		/* HTML's void elements have no end tag */
		if (end[-1] != '/' && strncmp(s, "<meta ", 6)) {
			if (depth == 64)
				return "too deep";
			stack[depth++] = s + 1;
		}
		s = end + 1;
	}
	return depth ? "unclosed element" : NULL;
}

/* Checks the string is valid UTF-8 (no sequence cut in the middle). */
static int valid_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
		        (*p & 0xf8) == 0xf0 ? 3 : -1;

		if (n < 0)
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

enum kind { BAR, LINE };

/* Draws c; returns the markup (the caller frees) after checking it is
 * well-formed and that its accessible name is where it belongs. */
static char *draw(enum kind k, const struct crm_chart *c)
{
	crm_buf b = CRM_BUF_INIT;
	const char *bad;

	ck_assert_int_eq(k == BAR ? crm_svg_bar(&b, c) : crm_svg_line(&b, c), CRM_OK);
	bad = well_formed(crm_buf_str(&b));
	ck_assert_msg(!bad, "%s in %s", bad, crm_buf_str(&b));
	ck_assert(valid_utf8(crm_buf_str(&b)));
	ck_assert_int_eq(count(crm_buf_str(&b), "<svg "), 1);
	ck_assert_int_eq(count(crm_buf_str(&b), " role=\"img\""), 1);
	return crm_buf_detach(&b);
}

static const char *const stages[] = { "Lead", "Qualified", "Proposal", "Won" };
static const double amounts[] = { 1200.5, 830, 0, 95 };

static struct crm_chart pipeline(const struct crm_series *s, size_t ns)
{
	struct crm_chart c = { "pipe", "Pipeline", NULL, "EUR", stages, 4, s, ns, 2 };

	return c;
}

/* The checker itself, so that a pass above means something. */
START_TEST(test_checker_sees_bad_markup)
{
	ck_assert_ptr_null(well_formed("<svg a=\"1\"><g><rect x=\"0\"/></g>&amp;</svg>"));
	ck_assert_str_eq(well_formed("<svg><g></svg></g>"), "end tag does not match");
	ck_assert_str_eq(well_formed("<svg><text>a & b</text></svg>"), "bare &");
	ck_assert_str_eq(well_formed("<svg x=1></svg>"), "unquoted attribute");
	ck_assert_str_eq(well_formed("<svg><g></svg>"), "end tag does not match");
	ck_assert_str_eq(well_formed("<svg>"), "unclosed element");
	ck_assert_int_eq(valid_utf8("\xc3\xa9"), 1);
	ck_assert_int_eq(valid_utf8("\xc3"), 0);
}
END_TEST

START_TEST(test_escape)
{
	crm_buf b = CRM_BUF_INIT;

	ck_assert_int_eq(crm_html_escape(&b, "a<b>&\"c\"'d'"), CRM_OK);
	ck_assert_str_eq(crm_buf_str(&b), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
	ck_assert_int_eq(crm_html_escape(&b, NULL), CRM_OK);
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_titles_and_labels_are_escaped)
{
	const char *const labels[] = { "<script>alert(1)</script>", "R&D \"quoted\" 'single'" };
	const double v[] = { 1, 2 };
	struct crm_series s = { "a&b", v, NULL };
	struct crm_chart c = { "x", "Sales <&> \"Q'3\"", "Desc & <more>", "%", labels, 2, &s, 1, 0 };
	char *out = draw(BAR, &c);

	ck_assert_ptr_nonnull(strstr(out, "<title id=\"x-t\">Sales &lt;&amp;&gt; &quot;Q&#39;3&quot;</title>"));
	ck_assert_ptr_nonnull(strstr(out, "<desc id=\"x-d\">Desc &amp; &lt;more&gt;</desc>"));
	ck_assert_ptr_nonnull(strstr(out, "aria-labelledby=\"x-t x-d\""));
	ck_assert_ptr_nonnull(strstr(out, ">&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">R&amp;D &quot;quoted&quot; &#39;single&#39;</text>"));
	ck_assert_ptr_null(strstr(out, "<script"));
	free(out);
}
END_TEST

/* Checks the ticks of [min, max]: lo, hi, step, count and decimals. */
static void expect_ticks(double min, double max, bool integer, double lo, double hi,
                         double step, size_t n, int dec)
{
	struct crm_ticks t;

	ck_assert_int_eq(crm_svg_ticks(&t, min, max, integer), CRM_OK);
	ck_assert_msg(fabs(t.lo - lo) < 1e-9 && fabs(t.hi - hi) < 1e-9 && fabs(t.step - step) < 1e-9,
	              "[%g, %g]: got %g..%g step %g", min, max, t.lo, t.hi, t.step);
	ck_assert_uint_eq(t.n, n);
	ck_assert_int_eq(t.decimals, dec);
}

START_TEST(test_nice_ticks)
{
	struct crm_ticks t;

	expect_ticks(3, 87, false, 0, 100, 20, 6, 0);
	expect_ticks(0.1, 0.7, false, 0, 0.8, 0.2, 5, 1);
	expect_ticks(0, 100, false, 0, 100, 20, 6, 0);
	expect_ticks(0, 1234567, false, 0, 1500000, 500000, 4, 0);
	expect_ticks(0.001, 0.0042, false, 0, 0.005, 0.001, 6, 3);
	/* all zero: a unit range, in steps of 1 for counts */
	expect_ticks(0, 0, false, 0, 1, 0.2, 6, 1);
	expect_ticks(0, 0, true, 0, 1, 1, 2, 0);
	/* counts never step below 1 */
	expect_ticks(0, 3, true, 0, 3, 1, 4, 0);
	/* negative data: the range still holds 0 */
	expect_ticks(-30, -5, false, -30, 0, 10, 4, 0);
	expect_ticks(-30, 87, false, -50, 100, 50, 4, 0);
	expect_ticks(87, 3, false, 0, 100, 20, 6, 0);
	ck_assert_int_eq(crm_svg_ticks(&t, 0, INFINITY, false), CRM_EUSAGE);
	ck_assert_int_eq(crm_svg_ticks(&t, NAN, 1, false), CRM_EUSAGE);
}
END_TEST

START_TEST(test_bar_draws_every_value)
{
	struct crm_series s = { "Amount", amounts, NULL };
	struct crm_chart c = pipeline(&s, 1);
	char *out = draw(BAR, &c);

	ck_assert_ptr_nonnull(strstr(out, " width=\"640\" height=\""));
	ck_assert_ptr_nonnull(strstr(out, " viewBox=\"0 0 640 "));
	/* a bar per value (the zero one has no width), each value printed */
	ck_assert_int_eq(count(out, "<rect "), 4);
	ck_assert_ptr_nonnull(strstr(out, ">1200.50</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">830.00</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">0.00</text>"));
	/* the axis: ticks 0 to 1500 by 500, the unit under it; no legend for one series */
	ck_assert_ptr_nonnull(strstr(out, ">1500</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">EUR</text>"));
	ck_assert_ptr_null(strstr(out, ">Amount</text>"));
	ck_assert_ptr_nonnull(strstr(out, "<desc id=\"pipe-d\">Horizontal bar chart of 4 values in EUR.</desc>"));
	free(out);
}
END_TEST

START_TEST(test_grouped_bars_differ_without_colour)
{
	const double target[] = { 1000, 1000, 1000, 1000 };
	const char *const text[] = { "1 000 EUR", NULL, "x", "y" };
	struct crm_series s[] = { { "Forecast", amounts, NULL }, { "Target", target, text } };
	struct crm_chart c = pipeline(s, 2);
	char *out = draw(BAR, &c);

	/* the second series is hatched, and both are named in a legend */
	ck_assert_ptr_nonnull(strstr(out, "<pattern id=\"pipe-hatch\""));
	ck_assert_int_eq(count(out, "fill=\"url(#pipe-hatch)\""), 5);
	ck_assert_ptr_nonnull(strstr(out, ">Forecast</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">Target</text>"));
	/* labels given are printed as given; a NULL one is the value */
	ck_assert_ptr_nonnull(strstr(out, ">1 000 EUR</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">1000.00</text>"));
	free(out);
}
END_TEST

START_TEST(test_numbers_ignore_the_locale)
{
	const double v[] = { 1234567.5, -0.004, NAN, 9100 };
	struct crm_series s = { "v", v, NULL };
	struct crm_chart c = pipeline(&s, 1);
	char *a = draw(BAR, &c), *b;

	ck_assert_ptr_nonnull(strstr(a, ">1" NNBSP "234" NNBSP "567.50</text>"));
	ck_assert_ptr_nonnull(strstr(a, ">0.00</text>"));  /* no "-0.00" */
	ck_assert_ptr_nonnull(strstr(a, ">n/a</text>"));   /* NaN: no bar, said so */
	ck_assert_ptr_nonnull(strstr(a, ">9100.00</text>")); /* four digits stay whole */
	ck_assert_int_eq(count(a, "<rect "), 3);
	/* A locale with a decimal comma changes nothing, where one exists. */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		b = draw(BAR, &c);
		setlocale(LC_NUMERIC, "C");
		ck_assert_str_eq(a, b);
		free(b);
	}
	free(a);
}
END_TEST

START_TEST(test_same_input_same_bytes)
{
	const char *const months[] = { "2026-01", "2026-02", "2026-03" };
	const double rev[] = { 10.25, 20.5, 15 }, churn[] = { 0.1, 0.7, 0.3 };
	struct crm_series s[] = { { "revenue", rev, NULL }, { "churn", churn, NULL } };
	struct crm_chart c = { "m", "Months", NULL, "EUR", months, 3, s, 2, 2 };
	char *a = draw(LINE, &c), *b = draw(LINE, &c), *x = draw(BAR, &c), *y = draw(BAR, &c);

	ck_assert_str_eq(a, b);
	ck_assert_str_eq(x, y);
	free(a);
	free(b);
	free(x);
	free(y);
}
END_TEST

START_TEST(test_line_ticks_dashes_and_gaps)
{
	const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May" };
	const double a[] = { 0.1, 0.7, NAN, 0.3, 0.2 }, b[] = { 0.5, 0.4, 0.3, 0.2, 0.1 };
	struct crm_series s[] = { { "churn", a, NULL }, { "target", b, NULL } };
	struct crm_chart c = { "ch", "Churn", NULL, "%", months, 5, s, 2, 1 };
	char *out = draw(LINE, &c), *path;
	int moves = 0;

	/* y ticks 0.0 to 0.8 by 0.2, and the unit above the axis */
	ck_assert_ptr_nonnull(strstr(out, ">0.0</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">0.2</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">0.8</text>"));
	ck_assert_ptr_null(strstr(out, ">1.0</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">%</text>"));
	/* the missing March breaks the first line in two; the second is dashed */
	ck_assert_int_eq(count(out, "<path d=\"M"), 2);
	for (path = strstr(out, "<path d=\"") + 9; *path != '"'; path++)
		moves += *path == 'M';
	ck_assert_int_eq(moves, 2);
	ck_assert_ptr_nonnull(strstr(out, "stroke-dasharray=\"7 4\""));
	/* markers: circles for one series, squares for the other, in the legend too */
	ck_assert_int_eq(count(out, "<circle "), 4 + 1);
	ck_assert_int_eq(count(out, "<rect "), 5 + 1);
	ck_assert_ptr_nonnull(strstr(out, ">churn</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">Jan</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">May</text>"));
	free(out);
}
END_TEST

START_TEST(test_line_thins_crowded_labels)
{
	char names[36][16];
	const char *labels[36];
	double v[36];
	struct crm_series s = { "revenue", v, NULL };
	struct crm_chart c = { "rev", "Revenue", NULL, "EUR", labels, 36, &s, 1, 0 };
	char *out;
	int shown = 0;

	for (int i = 0; i < 36; i++) {
		snprintf(names[i], sizeof names[i], "%04d-%02d", 2024 + i / 12, 1 + i % 12);
		labels[i] = names[i];
		v[i] = 100 * i;
	}
	out = draw(LINE, &c);
	for (int i = 0; i < 36; i++)
		shown += strstr(out, names[i]) != NULL;
	ck_assert_ptr_nonnull(strstr(out, ">2024-01</text>"));
	ck_assert_int_lt(shown, 36);
	ck_assert_int_ge(shown, 6);
	free(out);
}
END_TEST

START_TEST(test_no_data_frames)
{
	const double none[] = { NAN, NAN };
	const char *const labels[] = { "a", "b" };
	struct crm_series s = { "v", none, NULL };
	struct crm_chart empty = { "e", "Empty", NULL, "EUR", NULL, 0, NULL, 0, 0 };
	struct crm_chart missing = { "m", "Missing", NULL, "EUR", labels, 2, &s, 1, 0 };
	const int64_t zero[25] = { 0 };
	const char *const rf[] = { "1", "2", "3", "4", "5" };
	struct crm_grid g = { "g", "Grid", NULL, "R", "F", rf, 5, rf, 5, zero };
	crm_buf b = CRM_BUF_INIT;
	char *out;

	out = draw(BAR, &empty);
	ck_assert_ptr_nonnull(strstr(out, ">no data</text>"));
	ck_assert_ptr_nonnull(strstr(out, "<title id=\"e-t\">Empty</title>"));
	free(out);
	out = draw(LINE, &missing);
	ck_assert_ptr_nonnull(strstr(out, ">no data</text>"));
	ck_assert_ptr_null(strstr(out, "<path"));
	free(out);
	ck_assert_int_eq(crm_svg_grid(&b, &g), CRM_OK);
	ck_assert_ptr_nonnull(strstr(crm_buf_str(&b), ">no data</text>"));
	crm_buf_clear(&b);
	ck_assert_int_eq(crm_svg_nps(&b, "n", "NPS", zero), CRM_OK);
	ck_assert_ptr_nonnull(strstr(crm_buf_str(&b), ">no data</text>"));
	ck_assert_ptr_null(well_formed(crm_buf_str(&b)));
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_bad_charts_are_refused)
{
	const double inf[] = { 1, INFINITY }, big[] = { 1, 2e12 };
	const char *const labels[] = { "a", "b" };
	struct crm_series s = { "v", inf, NULL };
	struct crm_chart c = { "ok", "T", NULL, "", labels, 2, &s, 1, 0 };
	const int64_t neg[11] = { -1 };
	crm_buf b = CRM_BUF_INIT;

	ck_assert_int_eq(crm_svg_bar(&b, &c), CRM_EUSAGE);
	s.v = big;
	ck_assert_int_eq(crm_svg_line(&b, &c), CRM_EUSAGE);
	s.v = amounts;
	c.id = "two words";
	ck_assert_int_eq(crm_svg_bar(&b, &c), CRM_EUSAGE);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "two words"));
	c.id = NULL;
	ck_assert_int_eq(crm_svg_line(&b, &c), CRM_EUSAGE);
	ck_assert_int_eq(crm_svg_nps(&b, "n", "NPS", neg), CRM_EUSAGE);
	ck_assert_uint_eq(b.len, 0);
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_long_labels_are_cut_whole)
{
	char label[301];
	const char *const labels[] = { label, "short" };
	const double v[] = { 1, 2 };
	struct crm_series s = { "v", v, NULL };
	struct crm_chart c = { "cut", "Cut", NULL, "", labels, 2, &s, 1, 0 };
	char *out;

	for (int i = 0; i < 150; i++)
		memcpy(label + 2 * i, "\xc3\xa9", 2); /* é, two bytes each */
	label[300] = '\0';
	out = draw(BAR, &c);
	/* cut with an ellipsis, the whole label kept as its tooltip */
	ck_assert_ptr_nonnull(strstr(out, "\xc3\xa9\xe2\x80\xa6<title>"));
	ck_assert_ptr_nonnull(strstr(out, label));
	free(out);
}
END_TEST

START_TEST(test_grid_prints_every_count)
{
	const char *const r[] = { "R5", "R4", "R3", "R2", "R1" }, *const f[] = { "F1", "F2", "F3", "F4", "F5" };
	int64_t v[25];
	struct crm_grid g = { "rfm", "RFM", NULL, "Recency", "Frequency", r, 5, f, 5, v };
	crm_buf b = CRM_BUF_INIT;
	const char *out, *dark;

	for (int i = 0; i < 25; i++)
		v[i] = 100 + i;
	ck_assert_int_eq(crm_svg_grid(&b, &g), CRM_OK);
	out = crm_buf_str(&b);
	ck_assert_ptr_null(well_formed(out));
	for (int i = 0; i < 25; i++) {
		char want[16];

		snprintf(want, sizeof want, ">%d</text>", 100 + i);
		ck_assert_ptr_nonnull(strstr(out, want));
	}
	/* the greatest count is the darkest, its number in white */
	dark = strstr(out, "fill=\"#08306b\" stroke=");
	ck_assert_ptr_nonnull(dark);
	ck_assert_ptr_nonnull(strstr(dark, "fill=\"#fff\">124</text>"));
	ck_assert(strstr(dark, "fill=\"#fff\">124</text>") < strstr(dark, "</text>") + 1);
	ck_assert_ptr_nonnull(strstr(out, ">Recency</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">Frequency</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">R5</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">darker: more</text>"));
	ck_assert_ptr_nonnull(strstr(out, "Grid of 5 by 5 counts, 2800 in all"));
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_nps_groups_named)
{
	const int64_t n[11] = { 1, 0, 2, 1, 3, 5, 8, 20, 31, 40, 28 };
	crm_buf b = CRM_BUF_INIT;
	const char *out;

	ck_assert_int_eq(crm_svg_nps(&b, "nps", "Scores", n), CRM_OK);
	out = crm_buf_str(&b);
	ck_assert_ptr_null(well_formed(out));
	ck_assert_ptr_nonnull(strstr(out, ">detractors</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">0\xe2\x80\x93" "6: 20</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">7\xe2\x80\x93" "8: 51</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">9\xe2\x80\x93" "10: 68</text>"));
	ck_assert_ptr_nonnull(strstr(out, "139 responses"));
	/* detractors hatched, the others solid */
	ck_assert_int_eq(count(out, "fill=\"url(#nps-hatch)\""), 7);
	ck_assert_int_eq(count(out, "fill=\"#bdbdbd\""), 2);
	ck_assert_int_eq(count(out, "fill=\"#1b7837\""), 2);
	ck_assert_ptr_nonnull(strstr(out, ">40</text>"));
	ck_assert_ptr_nonnull(strstr(out, ">responses</text>"));
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_page_and_table)
{
	const char *const head[] = { "Stage", "Deals", "Amount" };
	const char *const cells[] = { "<Lead>", "3", "1200.50", "Won & lost", NULL, "0.00" };
	struct crm_table t = { "Pipeline \"now\"", head, 3, cells, 2, "lrr", true };
	crm_buf b = CRM_BUF_INIT;
	const char *out;

	ck_assert_int_eq(crm_html_page_begin(&b, "KPIs <Q3> & more", "h1{color:#000}"), CRM_OK);
	ck_assert_int_eq(crm_html_table(&b, &t), CRM_OK);
	ck_assert_int_eq(crm_html_page_end(&b), CRM_OK);
	out = crm_buf_str(&b);
	ck_assert_ptr_null(well_formed(out));
	ck_assert_int_eq(strncmp(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 63), 0);
	ck_assert_ptr_nonnull(strstr(out, "<title>KPIs &lt;Q3&gt; &amp; more</title>"));
	ck_assert_ptr_nonnull(strstr(out, "default-src &#39;none&#39;"));
	ck_assert_ptr_nonnull(strstr(out, "@media print"));
	ck_assert_ptr_nonnull(strstr(out, "h1{color:#000}</style>"));
	ck_assert_ptr_nonnull(strstr(out, "<caption>Pipeline &quot;now&quot;</caption>"));
	ck_assert_ptr_nonnull(strstr(out, "<th scope=\"col\">Stage</th><th scope=\"col\" class=\"n\">Deals</th>"));
	ck_assert_ptr_nonnull(strstr(out, "<tr><th scope=\"row\">&lt;Lead&gt;</th><td class=\"n\">3</td>"
	                                  "<td class=\"n\">1200.50</td></tr>"));
	ck_assert_ptr_nonnull(strstr(out, "<th scope=\"row\">Won &amp; lost</th><td class=\"n\"></td>"));
	ck_assert_ptr_null(strstr(out, "<script"));
	ck_assert_ptr_null(strstr(out, "http:"));
	ck_assert_ptr_null(strstr(out, "https:"));
	ck_assert_int_eq(strcmp(out + strlen(out) - 16, "</body>\n</html>\n"), 0);
	crm_buf_free(&b);
}
END_TEST

Suite *svg_suite(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_checker_sees_bad_markup);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_titles_and_labels_are_escaped);
	tcase_add_test(tc, test_nice_ticks);
	tcase_add_test(tc, test_bar_draws_every_value);
	tcase_add_test(tc, test_grouped_bars_differ_without_colour);
	tcase_add_test(tc, test_numbers_ignore_the_locale);
	tcase_add_test(tc, test_same_input_same_bytes);
	tcase_add_test(tc, test_line_ticks_dashes_and_gaps);
	tcase_add_test(tc, test_line_thins_crowded_labels);
	tcase_add_test(tc, test_no_data_frames);
	tcase_add_test(tc, test_bad_charts_are_refused);
	tcase_add_test(tc, test_long_labels_are_cut_whole);
	tcase_add_test(tc, test_grid_prints_every_count);
	tcase_add_test(tc, test_nps_groups_named);
	tcase_add_test(tc, test_page_and_table);
	suite_add_tcase(s, tc);
	return s;
}
