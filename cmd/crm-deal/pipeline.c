/* pipeline.c - crm-deal board and forecast: the figures come from libcore
 * (deal.h); this file lays them out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "crm/date.h"
#include "crm/deal.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "pipeline.h"

const struct cli_opt pipeline_board_opts[] = {
	{ "pipeline", 'p', CLI_ARG, "NAME", "the pipeline to show (default: the first configured)" },
	{ "owner", 0, CLI_ARG, "NAME", "only this owner's deals" },
	{ "titles", 0, CLI_ARG, "N", "deals listed under each stage on a terminal (default 10)" },
	{ "skip-missing-rates", 0, CLI_NOARG, NULL, "leave out amounts no rate converts, and count them" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt pipeline_forecast_opts[] = {
	{ "by", 0, CLI_ARG, "WHAT", "month (default), quarter, year, owner or pipeline" },
	{ "from", 0, CLI_ARG, "PERIOD", "from the start of PERIOD: 2026, 2026-Q3, 2026-11, a date, this-quarter ... (default: this year)" },
	{ "to", 0, CLI_ARG, "PERIOD", "to the end of PERIOD (default: the end of the year of --from)" },
	{ "as-of", 0, CLI_ARG, "DATE", "the pipeline as it stood at the end of DATE (default: now)" },
	{ "owner", 0, CLI_ARG, "NAME", "only this owner's deals and targets" },
	{ "pipeline", 'p', CLI_ARG, "NAME", "only this pipeline's deals" },
	{ "skip-missing-rates", 0, CLI_NOARG, NULL, "leave out amounts no rate converts, and count them" },
	{ NULL, 0, 0, NULL, NULL }
};

static void money_text(char *out, size_t size, int64_t minor, const char *cur, int code)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", cur);
	if (code)
		crm_money_format(out, size, &m);
	else
		crm_money_format_amount(out, size, &m);
}

static void tell_unconverted(const struct cli *c, long n)
{
	if (n && !c->quiet)
		fprintf(stderr, "%s: left out %ld amount%s no rate converts\n", c->prog->name, n,
		        n == 1 ? "" : "s");
}

static int board_tsv(struct cli *c, const struct crm_board *b)
{
	static const struct crm_column cols[] = {
		{ "stage", CRM_COL_TEXT }, { "count", CRM_COL_INT },
		{ "amount", CRM_COL_TEXT }, { "weighted", CRM_COL_TEXT }
	};
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	if ((rc = cli_output_fields(c, cols, 4, &p.w)))
		return cli_error(c, rc);
	for (size_t i = 0; i < b->nstages && !rc; i++) {
		const struct crm_board_stage *s = &b->stages[i];
		char count[24], amount[CRM_MONEY_TEXT], weighted[CRM_MONEY_TEXT];
		const char *vals[] = { s->name, count, amount, weighted };

		snprintf(count, sizeof count, "%ld", s->count);
		money_text(amount, sizeof amount, s->amount, b->currency, 0);
		money_text(weighted, sizeof weighted, s->weighted, b->currency, 0);
		rc = cli_print_row(&p, vals);
	}
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

/* Prints text in a cell width columns wide: cut to fit, padded. */
static void cell(const char *text, size_t width, int last)
{
	size_t n = crm_text_fit(text, width);
	char *cut = strndup(text, n);
	size_t used = cut ? crm_text_width(cut) : 0;

	fputs(cut ? cut : "", stdout);
	free(cut);
	if (!last)
		printf("%*s", (int)(width - used + 2), "");
}

/* The terminal's width: the tty's, else $COLUMNS, else 80. */
static size_t terminal_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	long long n;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return env && crm_int_parse(env, 20, 1000, &n) ? (size_t)n : 80;
}

/* The head of a stage's column, line by line: name and count, total,
 * weighted total, rule. */
static void head_line(char *text, size_t size, const struct crm_board *b,
                      const struct crm_board_stage *s, int line, size_t width)
{
	char money[CRM_MONEY_TEXT];

	switch (line) {
	case 0:
		snprintf(text, size, "%s (%ld)", s->name, s->count);
		break;
	case 1:
		money_text(text, size, s->amount, b->currency, 0);
		break;
	case 2:
		money_text(money, sizeof money, s->weighted, b->currency, 0);
		snprintf(text, size, "weighted %s", money);
		break;
	default:
		memset(text, '-', width < size ? width : size - 1);
		text[width < size ? width : size - 1] = '\0';
	}
}

/* Under the columns of stages with more deals than shown: how many more;
 * nothing when every deal is shown. */
static void more_line(const struct crm_board *b, size_t rows, size_t w)
{
	char text[64];
	int any = 0;

	for (size_t i = 0; i < b->nstages; i++)
		any |= b->stages[i].count > (long)rows;
	if (!any)
		return;
	for (size_t i = 0; i < b->nstages; i++) {
		long more = b->stages[i].count - (long)rows;

		text[0] = '\0';
		if (more > 0)
			snprintf(text, sizeof text, "+%ld more", more);
		cell(text, w, i + 1 == b->nstages);
	}
	putchar('\n');
}

/* The board on a terminal: a column per stage, fitted to the width, with
 * its count, total, weighted total and largest deals. */
static void board_columns(const struct crm_board *b, size_t titles)
{
	size_t n = b->nstages, width = terminal_width(), w, rows = 0;
	char text[256];

	w = n > 1 && width > 2 * (n - 1) ? (width - 2 * (n - 1)) / n : width;
	if (w < 12)
		w = 12;
	for (size_t i = 0; i < n; i++)
		if (b->stages[i].ndeals > rows)
			rows = b->stages[i].ndeals;
	if (rows > titles)
		rows = titles;
	printf("%s (%s)\n", b->pipeline, b->currency);
	for (int line = 0; line < 4; line++) {
		for (size_t i = 0; i < n; i++) {
			head_line(text, sizeof text, b, &b->stages[i], line, w);
			cell(text, w, i + 1 == n);
		}
		putchar('\n');
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t i = 0; i < n; i++)
			cell(r < b->stages[i].ndeals ? b->stages[i].deals[r].title : "", w, i + 1 == n);
		putchar('\n');
	}
	more_line(b, rows, w);
}

int pipeline_board(struct cli *c, int argc, char **argv)
{
	const char *v = cli_get(c, "titles");
	struct crm_board *b;
	enum crm_format f;
	long long titles = 10;
	int rc, status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (v && !crm_int_parse(v, 0, 1000, &titles))
		return cli_usage_error(c, "invalid --titles '%s'", v);
	if ((rc = cli_format(c, &f)))
		return cli_error(c, rc);
	rc = crm_deal_board(c->db, cli_get(c, "pipeline"), cli_get(c, "owner"),
	                    f == CRM_FORMAT_TABLE && !c->fields ? (size_t)titles : 0,
	                    cli_has(c, "skip-missing-rates"), &b);
	if (rc)
		return cli_error(c, rc);
	if (f == CRM_FORMAT_TABLE && !c->fields) {
		board_columns(b, (size_t)titles);
		status = 0;
	} else {
		status = board_tsv(c, b);
	}
	tell_unconverted(c, b->unconverted);
	crm_board_free(b);
	return status;
}

/* Reads --from and --to into [from, to): the start of one period and the
 * end of another, by default the year of the as-of day. */
static int forecast_range(struct cli *c, int64_t now, char *from, char *to)
{
	const char *f = cli_get(c, "from"), *t = cli_get(c, "to");
	char a[CRM_DATE_LEN], b[CRM_DATE_LEN], year[8];

	if (f && crm_period_parse(from, b, f, now))
		return cli_usage_error(c, "--from: invalid period '%s'", f);
	if (t && crm_period_parse(a, to, t, now))
		return cli_usage_error(c, "--to: invalid period '%s'", t);
	/* A missing end is the end of the other one's year. */
	snprintf(year, sizeof year, "%.4s", f ? from : t ? a : "");
	if (!f && !t && crm_period_parse(from, to, "this-year", now))
		return cli_fail(c, 1, "cannot tell the current year");
	if (f && !t && crm_period_parse(a, to, year, now))
		return cli_usage_error(c, "--from: invalid period '%s'", f);
	if (t && !f && crm_period_parse(from, b, year, now))
		return cli_usage_error(c, "--to: invalid period '%s'", t);
	if (strcmp(from, to) >= 0) {
		crm_date_add_days(b, to, -1);
		return cli_usage_error(c, "the range starts (%s) after it ends (%s)", from, b);
	}
	return 0;
}

int pipeline_forecast(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_FORECAST_COLUMNS] = {
		{ "period", CRM_COL_TEXT }, { "open", CRM_COL_INT }, { "amount", CRM_COL_TEXT },
		{ "weighted", CRM_COL_TEXT }, { "won", CRM_COL_TEXT }, { "target", CRM_COL_TEXT },
		{ "attainment", CRM_COL_NUMBER }, { "coverage", CRM_COL_NUMBER }
	};
	struct crm_column named[CRM_FORECAST_COLUMNS];
	struct crm_forecast_opts o = { 0 };
	struct cli_printer p = { c, NULL, 0 };
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN], as_of[CRM_DATE_LEN];
	int64_t now = 0;
	long unconverted = 0;
	int rc, status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	o.by = cli_get(c, "by");
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if ((o.as_of = cli_get(c, "as-of"))) {
		if (crm_date_parse(as_of, o.as_of, now))
			return cli_usage_error(c, "--as-of: invalid date '%s'", o.as_of);
		o.as_of = as_of;
		crm_time_parse_epoch(&now, as_of, 0);
	}
	if ((status = forecast_range(c, now, from, to)))
		return status;
	o.from = from, o.to = to;
	o.owner = cli_get(c, "owner");
	o.pipeline = cli_get(c, "pipeline");
	o.skip_missing = cli_has(c, "skip-missing-rates");
	/* The first column is named after what it groups by. */
	memcpy(named, cols, sizeof named);
	if (o.by && (!strcmp(o.by, "owner") || !strcmp(o.by, "pipeline")))
		named[0].name = o.by;
	if ((rc = cli_output_fields(c, named, CRM_FORECAST_COLUMNS, &p.w)))
		return cli_error(c, rc);
	rc = crm_deal_forecast(c->db, &o, cli_print_row, &p, &unconverted);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	tell_unconverted(c, unconverted);
	return 0;
}
