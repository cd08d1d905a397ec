/* crm-report - the measures the CRM is kept for: KPIs with the counts
 * behind them, the pipeline and forecast, cohorts, RFM segments and churn
 * risk, for the terminal, for cron (--fail-if) and as a page (--html). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/deal.h"
#include "crm/report.h"
#include "report.h"

int report_as_of(struct cli *c, char day[CRM_DATE_LEN], int64_t *now)
{
	const char *v = cli_get(c, "as-of");
	char t[CRM_TIME_LEN];
	int rc;

	if ((rc = crm_now(now)))
		return cli_error(c, rc);
	if (v && crm_date_parse(day, v, *now))
		return cli_usage_error(c, "--as-of: invalid date '%s'", v);
	if (!v)
		crm_time_format(t, *now), snprintf(day, CRM_DATE_LEN, "%.10s", t);
	snprintf(t, sizeof t, "%sT23:59:59Z", day);
	if ((rc = crm_time_parse_epoch(now, t, 0)))
		return cli_error(c, rc);
	return -1;
}

/* The whole months from day from to day to when both are the first of a
 * month, else 0. */
static int whole_months(const char *from, const char *to)
{
	int y, m, d, ty, tm, td;

	if (sscanf(from, "%d-%d-%d", &y, &m, &d) != 3 || d != 1 ||
	    sscanf(to, "%d-%d-%d", &ty, &tm, &td) != 3 || td != 1)
		return 0;
	return (ty - y) * 12 + (tm - m);
}

int report_period(struct cli *c, const char *as_of, int64_t now, const char *dflt,
                  struct report_period *p)
{
	const char *per = cli_get(c, "period"), *f = cli_get(c, "from"), *t = cli_get(c, "to");
	char end[CRM_DATE_LEN];

	if (per && (f || t))
		return cli_usage_error(c, "--period and --from/--to are exclusive");
	if (!per && !f != !t)
		return cli_usage_error(c, "--from and --to go together");
	if (f) {
		if (crm_date_parse(p->from, f, now))
			return cli_usage_error(c, "--from: invalid date '%s'", f);
		if (crm_date_parse(end, t, now))
			return cli_usage_error(c, "--to: invalid date '%s'", t);
		if (strcmp(p->from, end) > 0)
			return cli_usage_error(c, "--from %s is after --to %s", p->from, end);
		crm_date_add_days(p->to, end, 1);
		/* Named by its dates as a period is: all of February is 2028-02. */
		crm_period_name(p->name, p->from, p->to);
	} else {
		per = per ? per : dflt;
		/* Named by its dates, not the word: last-month is 2026-10 in a
		 * report kept from November. */
		if (crm_period_parse(p->from, p->to, per, now) ||
		    crm_period_name(p->name, p->from, p->to))
			return cli_usage_error(c, "--period: invalid period '%s'", per);
	}
	p->months = whole_months(p->from, p->to);
	/* A period reaches the as-of day at most; one that begins after it
	 * holds nothing yet, where its figures would all read as a quiet
	 * period's (a CRR of 100). */
	crm_date_add_days(end, as_of, 1);
	if ((p->running = strcmp(p->to, end) > 0))
		memcpy(p->to, end, CRM_DATE_LEN);
	if (strcmp(p->from, p->to) >= 0)
		return cli_fail(c, 1, "nothing to report in %s: it begins after %s", p->name, as_of);
	/* A kept report says which days it covers: this-year on 22 November
	 * is not all of the year. */
	if (p->running)
		crm_period_name(p->name, p->from, p->to);
	return -1;
}

/* Stores in q the period to compare p with: the year before (how
 * "year": whole months the same months a year back, so that February
 * 2025 stands beside all of February 2024, its 29th too; else its first
 * and last days a year back, a leap day beside the 28th), or the one
 * before it (how "previous"): for a period
 * of whole months, as many whole months back (November beside all of
 * October, whatever their lengths), and as long as p when p is still
 * running (a month cut short at the as-of day beside as many days of the
 * one before); else as many days back. */
void compare_period(const struct report_period *p, const char *how, struct report_period *q)
{
	int64_t len = crm_date_diff(p->from, p->to);
	char last[CRM_DATE_LEN];

	if (!strcmp(how, "year")) {
		crm_date_add_months(q->from, p->from, -12);
		crm_date_add_days(last, p->to, -1);
		crm_date_add_months(last, last, -12);
		crm_date_add_days(q->to, last, 1);
		if (!p->running && !strcmp(p->from + 8, "01") && !strcmp(p->to + 8, "01"))
			crm_date_add_months(q->to, p->to, -12);
	} else if (p->months) {
		crm_date_add_months(q->from, p->from, -p->months);
		crm_date_add_days(q->to, q->from, len);
		if (!p->running || strcmp(q->to, p->from) > 0)
			memcpy(q->to, p->from, CRM_DATE_LEN);
	} else {
		crm_date_add_days(q->from, p->from, -len);
		memcpy(q->to, p->from, CRM_DATE_LEN);
	}
	if (crm_period_name(q->name, q->from, q->to))
		snprintf(q->name, sizeof q->name, "%s..%s", q->from, q->to);
}

/* A threshold of --fail-if: a measure, a comparison and a number. */
struct threshold {
	char name[32];
	char op[3];
	double limit;
};

static int parse_threshold(const char *s, struct threshold *t)
{
	size_t n = strcspn(s, "<>=!");
	char *end;

	if (!n || n >= sizeof t->name)
		return 0;
	memcpy(t->name, s, n), t->name[n] = '\0';
	while (n && t->name[n - 1] == ' ')
		t->name[--n] = '\0';
	s += strcspn(s, "<>=!");
	n = strspn(s, "<>=!");
	if (n < 1 || n > 2)
		return 0;
	memcpy(t->op, s, n), t->op[n] = '\0';
	if (strcmp(t->op, "<") && strcmp(t->op, ">") && strcmp(t->op, "<=") && strcmp(t->op, ">=") &&
	    strcmp(t->op, "=") && strcmp(t->op, "==") && strcmp(t->op, "!="))
		return 0;
	t->limit = strtod(s + n, &end);
	return end != s + n && *end == '\0' && crm_kpi_known(t->name);
}

static int crossed(const struct threshold *t, double v)
{
	switch (t->op[0]) {
	case '<': return t->op[1] ? v <= t->limit : v < t->limit;
	case '>': return t->op[1] ? v >= t->limit : v > t->limit;
	case '=': return v == t->limit;
	default: return v != t->limit;
	}
}

/* Checks every --fail-if against k, telling stderr which are crossed;
 * returns how many. */
static int check_thresholds(struct cli *c, const struct crm_kpi *k)
{
	struct threshold t;
	size_t pos = 0;
	const char *s;
	int n = 0;

	while ((s = cli_next(c, "fail-if", &pos))) {
		parse_threshold(s, &t);
		for (size_t i = 0; i < k->n; i++) {
			const struct crm_measure *m = &k->v[i];

			if (strcmp(m->name, t.name) || !*m->value || !crossed(&t, strtod(m->value, NULL)))
				continue;
			fprintf(stderr, "%s: %s%s%s %s %s %s\n", c->prog->name, m->name, *m->group ? " of " : "",
			        m->group, m->value, t.op, s + strcspn(s, "<>=!") + strlen(t.op));
			n++;
		}
	}
	return n;
}

/* Refuses a threshold on a measure the verb does not compute, which
 * could never fire: an alert that cannot go off is worse than none. */
static int not_computed(struct cli *c, const char *name, unsigned families)
{
	char list[1024] = "";
	size_t len = 0;
	const char *m;

	for (size_t i = 0; (m = crm_kpi_name(i)) && len < sizeof list; i++)
		if (crm_kpi_family(m) & families)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", m);
	return cli_usage_error(c, "--fail-if: %s does not compute '%s'; its measures are %s",
	                       c->verb->name, name, list);
}

/* Reads the --fail-if thresholds on the measures of families; returns
 * an exit status, -1 to go on. */
static int read_thresholds(struct cli *c, unsigned families)
{
	struct threshold t;
	size_t pos = 0;
	const char *s;

	while ((s = cli_next(c, "fail-if", &pos)))
		if (!parse_threshold(s, &t))
			return cli_usage_error(c, "--fail-if: expected MEASURE<NUMBER (or >, <=, >=, =, !=)"
			                       " with a measure of crm-report(1), not '%s'", s);
		else if (!(crm_kpi_family(t.name) & families))
			return not_computed(c, t.name, families);
	return -1;
}

static const struct crm_column kpi_cols[] = {
	{ "period", CRM_COL_TEXT }, { "group", CRM_COL_TEXT }, { "measure", CRM_COL_TEXT },
	{ "value", CRM_COL_NUMBER }, { "numerator", CRM_COL_NUMBER },
	{ "denominator", CRM_COL_NUMBER }, { "unit", CRM_COL_TEXT }, { "note", CRM_COL_TEXT },
	{ "previous", CRM_COL_NUMBER }, { "change", CRM_COL_NUMBER },
};

/* The months from period q's start to period p's when both start on the
 * first of a month, else 0. */
static int months_back(const struct report_period *p, const struct report_period *q)
{
	int py, pm, pd, qy, qm, qd;

	if (sscanf(p->from, "%d-%d-%d", &py, &pm, &pd) != 3 || pd != 1 ||
	    sscanf(q->from, "%d-%d-%d", &qy, &qm, &qd) != 3 || qd != 1)
		return 0;
	return (py - qy) * 12 + (pm - qm);
}

/* The group of the compared period that group g of a --by month or
 * quarter report stands beside: the month (2026-01) or quarter (2026-Q1)
 * back months earlier, in out; g itself for any other grouping. */
static const char *group_before(const char *by, const char *g, int back, char *out, size_t size)
{
	int y, n;
	char end;

	if (!back || !by)
		return g;
	if (!strcmp(by, "month") && sscanf(g, "%d-%d%c", &y, &n, &end) == 2) {
		n = y * 12 + n - 1 - back;
		snprintf(out, size, "%04d-%02d", n / 12, n % 12 + 1);
	} else if (!strcmp(by, "quarter") && back % 3 == 0 && sscanf(g, "%d-Q%d%c", &y, &n, &end) == 2) {
		n = y * 4 + n - 1 - back / 3;
		snprintf(out, size, "%04d-Q%d", n / 4, n % 4 + 1);
	} else {
		return g;
	}
	return out;
}

/* Prints the measures of k; with was, those of the compared period
 * beside them, back months earlier for a report by month or quarter. */
static int print_kpi(struct cli *c, const char *period, const struct crm_kpi *k,
                     const struct crm_kpi *was, const char *by, int back)
{
	struct cli_printer p = { c, NULL, 0 };
	int rc = cli_output_fields(c, kpi_cols, was ? 10 : 8, &p.w);

	for (size_t i = 0; i < k->n && !rc; i++) {
		const struct crm_measure *m = &k->v[i], *o;
		char delta[64], g[32];
		const char *vals[10] = { period, m->group, m->name, m->value, m->numerator,
			                 m->denominator, m->unit, m->note, "", delta };

		delta[0] = '\0';
		if (was && (o = crm_kpi_find(was, group_before(by, m->group, back, g, sizeof g), m->name)))
			vals[8] = o->value, crm_kpi_change(delta, sizeof delta, m->value, o->value);
		rc = cli_print_row(&p, vals);
	}
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

#define KPI_OPTS \
	REPORT_PERIOD_OPTS, \
	REPORT_AS_OF_OPT, \
	{ "by", 0, CLI_ARG, "GROUP", "month, quarter, owner, source, tag or queue" }, \
	{ "compare", 0, CLI_ARG, "WHEN", "previous (the period before) or year (a year before): adds previous and change" }, \
	{ "fail-if", 0, CLI_ARG, "MEASURE<N", "exit 1 when a figure crosses the threshold (repeatable): churn>5, nps<30" }

/* sales and service; kpi also prints the whole report as a page. */
static const struct cli_opt family_opts[] = { KPI_OPTS, { NULL, 0, 0, NULL, NULL } };
static const struct cli_opt kpi_opts[] = {
	KPI_OPTS,
	{ "html", 0, CLI_NOARG, NULL, "print the whole report as one HTML page" },
	{ NULL, 0, 0, NULL, NULL }
};

/* kpi, sales and service: the measures of families over the period. */
static int kpi_families(struct cli *c, int argc, char **argv, unsigned families)
{
	struct crm_kpi k = { 0 }, was = { 0 };
	struct crm_kpi_opts o = { NULL, NULL, cli_get(c, "by"), families };
	struct report_period p, q;
	const char *cmp = cli_get(c, "compare");
	char day[CRM_DATE_LEN];
	int64_t now;
	int rc, st;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((st = report_as_of(c, day, &now)) >= 0 ||
	    (st = report_period(c, day, now, "this-month", &p)) >= 0 || (st = read_thresholds(c, families)) >= 0)
		return st;
	if (cmp && strcmp(cmp, "previous") && strcmp(cmp, "year"))
		return cli_usage_error(c, "--compare takes previous or year, not '%s'", cmp);
	if (cli_has(c, "html") && o.by)
		return cli_usage_error(c, "--html shows the whole report: it takes no --by");
	o.from = p.from, o.to = p.to;
	rc = crm_report_kpi(c->db, &o, &k);
	if (!rc && (cmp || cli_has(c, "html"))) {
		compare_period(&p, cmp ? cmp : "previous", &q);
		o.from = q.from, o.to = q.to;
		/* A group of either period stands in both, at 0 where it had none. */
		if (!(rc = crm_report_kpi(c->db, &o, &was)) && !(rc = crm_kpi_fill(c->db, &o, &was, &k)))
			o.from = p.from, o.to = p.to, rc = crm_kpi_fill(c->db, &o, &k, &was);
	}
	if (rc) {
		crm_kpi_free(&k), crm_kpi_free(&was);
		return cli_error(c, rc);
	}
	if (cli_has(c, "html"))
		st = report_html(c, day, &p, &q, &k, &was);
	else
		st = !k.events ? cli_fail(c, 1, "nothing to report in %s", p.name)
		     : cmp ? print_kpi(c, p.name, &k, &was, o.by, months_back(&p, &q))
		           : print_kpi(c, p.name, &k, NULL, NULL, 0);
	if (!st && check_thresholds(c, &k))
		st = 1;
	crm_kpi_free(&k), crm_kpi_free(&was);
	return st;
}

static int report_kpi(struct cli *c, int argc, char **argv)
{
	return kpi_families(c, argc, argv, CRM_KPI_ALL);
}

static int report_sales(struct cli *c, int argc, char **argv)
{
	return kpi_families(c, argc, argv, CRM_KPI_SALES);
}

static int report_service(struct cli *c, int argc, char **argv)
{
	return kpi_families(c, argc, argv, CRM_KPI_SERVICE);
}

static const struct cli_opt pipeline_opts[] = {
	REPORT_AS_OF_OPT,
	{ NULL, 0, 0, NULL, NULL }
};

/* pipeline: the open deals by stage as they stood; exit 1 when none. */
static int report_pipeline(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_PIPELINE_COLUMNS] = {
		{ "pipeline", CRM_COL_TEXT }, { "stage", CRM_COL_TEXT }, { "deals", CRM_COL_INT },
		{ "amount", CRM_COL_TEXT }, { "weighted", CRM_COL_TEXT }
	};
	struct cli_printer p = { c, NULL, 0 };
	char day[CRM_DATE_LEN];
	int64_t now, n = 0;
	int rc, st;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((st = report_as_of(c, day, &now)) >= 0)
		return st;
	if (!(rc = cli_output_fields(c, cols, CRM_PIPELINE_COLUMNS, &p.w)) &&
	    !(rc = crm_report_pipeline(c->db, day, cli_print_row, &p, &n)) && n)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	return n ? 0 : cli_fail(c, 1, "no open deals at the end of %s", day);
}

static const struct cli_opt forecast_opts[] = {
	REPORT_PERIOD_OPTS,
	REPORT_AS_OF_OPT,
	{ "by", 0, CLI_ARG, "GROUP", "month (default), quarter, year, owner or pipeline" },
	{ "owner", 0, CLI_ARG, "NAME", "only this owner's deals and targets" },
	{ "pipeline", 0, CLI_ARG, "NAME", "only this pipeline's deals (and no targets)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* forecast: crm-deal's forecast over a report's period, as of its day. */
static int report_forecast(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_FORECAST_COLUMNS] = {
		{ "group", CRM_COL_TEXT }, { "open", CRM_COL_INT }, { "amount", CRM_COL_TEXT },
		{ "weighted", CRM_COL_TEXT }, { "won", CRM_COL_TEXT }, { "target", CRM_COL_TEXT },
		{ "attainment", CRM_COL_NUMBER }, { "coverage", CRM_COL_NUMBER }
	};
	struct crm_forecast_opts o = { 0 };
	struct cli_printer p = { c, NULL, 0 };
	struct report_period per;
	char day[CRM_DATE_LEN];
	int64_t now;
	long unconverted = 0;
	int rc, st;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	/* A forecast looks ahead: its period does not end with the as-of day. */
	if ((st = report_as_of(c, day, &now)) >= 0 ||
	    (st = report_period(c, "9999-12-30", now, "this-year", &per)) >= 0)
		return st;
	o.by = cli_get(c, "by"), o.from = per.from, o.to = per.to, o.as_of = day;
	o.owner = cli_get(c, "owner"), o.pipeline = cli_get(c, "pipeline");
	if (!strcmp(per.from, per.to))
		return cli_fail(c, 1, "nothing to forecast in %s", per.name);
	if (!(rc = cli_output_fields(c, cols, CRM_FORECAST_COLUMNS, &p.w)) &&
	    !(rc = crm_deal_forecast(c->db, &o, cli_print_row, &p, &unconverted)))
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

static const struct cli_opt campaigns_opts[] = {
	REPORT_PERIOD_OPTS,
	REPORT_AS_OF_OPT,
	{ NULL, 0, 0, NULL, NULL }
};

/* campaigns: each campaign or trigger that sent in the period, with what
 * came back (crm-campaign results has one campaign's in full). */
static int report_campaigns(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_CAMPAIGN_SUMMARY_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "sent", CRM_COL_INT }, { "excluded", CRM_COL_INT }, { "bounced", CRM_COL_INT },
		{ "unsubscribed", CRM_COL_INT }, { "replied", CRM_COL_INT },
		{ "buyers", CRM_COL_INT }, { "revenue", CRM_COL_TEXT },
		{ "won_deals", CRM_COL_INT },
	};
	struct cli_printer p = { c, NULL, 0 };
	struct report_period per;
	char day[CRM_DATE_LEN];
	int64_t now, n = 0;
	int rc, st;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((st = report_as_of(c, day, &now)) >= 0 ||
	    (st = report_period(c, day, now, "this-year", &per)) >= 0)
		return st;
	if (!(rc = cli_output_fields(c, cols, CRM_CAMPAIGN_SUMMARY_COLUMNS, &p.w)) &&
	    !(rc = crm_campaign_summary(c->db, per.from, per.to, cli_print_row, &p, &n)) && n)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	return n ? 0 : cli_fail(c, 1, "no campaign sent anything in %s", per.name);
}

static const struct cli_verb verbs[] = {
	{ "kpi", report_kpi, NULL, "every measure of a period, with what it is computed from",
	  CLI_OUTPUT, kpi_opts },
	{ "sales", report_sales, NULL, "win rate, sales cycle and pipeline of a period", CLI_OUTPUT,
	  family_opts },
	{ "service", report_service, NULL, "response and resolution times, SLA, backlog", CLI_OUTPUT,
	  family_opts },
	{ "pipeline", report_pipeline, NULL, "open deals by stage, as they stood", CLI_OUTPUT,
	  pipeline_opts },
	{ "forecast", report_forecast, NULL, "weighted open deals, won and targets by period",
	  CLI_OUTPUT, forecast_opts },
	{ "campaigns", report_campaigns, NULL, "what campaigns sent and what came back", CLI_OUTPUT,
	  campaigns_opts },
	{ "rfm", report_rfm, NULL, "recency, frequency and monetary scores and segments",
	  CLI_OUTPUT, rfm_opts },
	{ "cohorts", report_cohorts, NULL, "who bought again, by month of first purchase",
	  CLI_OUTPUT, cohorts_opts },
	{ "churn-risk", report_churn_risk, "[ID...|-]", "each customer's chance of churning next period",
	  CLI_OUTPUT, churn_opts },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

int main(int argc, char **argv)
{
	static const struct cli_program prog = {
		"crm-report", "KPIs, pipeline, forecast, cohorts, RFM and churn risk", NULL, verbs,
		NULL
	};

	return cli_main(&prog, argc, argv);
}
