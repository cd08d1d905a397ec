/* crm-report - the measures the CRM is kept for: KPIs with the counts
 * behind them, the pipeline and forecast, cohorts, RFM segments and churn
 * risk, for the terminal, for cron (--fail-if) and as a page (--html). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Stores in next the day after day. */
static void day_after(char next[CRM_DATE_LEN], const char *day)
{
	char t[CRM_TIME_LEN];
	int64_t e;

	snprintf(t, sizeof t, "%sT00:00:00Z", day);
	if (crm_time_parse_epoch(&e, t, 0) == CRM_OK) {
		crm_time_format(t, e + 86400);
		snprintf(next, CRM_DATE_LEN, "%.10s", t);
	}
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
		day_after(p->to, end);
		snprintf(p->name, sizeof p->name, "%s..%s", p->from, end);
	} else {
		per = per ? per : dflt;
		if (crm_period_parse(p->from, p->to, per, now))
			return cli_usage_error(c, "--period: invalid period '%s'", per);
		snprintf(p->name, sizeof p->name, "%s", per);
	}
	day_after(end, as_of);
	if (strcmp(p->to, end) > 0)
		memcpy(p->to, end, CRM_DATE_LEN);
	if (strcmp(p->from, p->to) > 0)
		memcpy(p->from, p->to, CRM_DATE_LEN);
	return -1;
}

static const struct cli_verb verbs[] = {
	{ "rfm", report_rfm, NULL, "recency, frequency and monetary scores and segments",
	  CLI_OUTPUT, rfm_opts },
	{ "cohorts", report_cohorts, NULL, "who bought again, by month of first purchase",
	  CLI_OUTPUT, cohorts_opts },
	{ "churn-risk", report_churn_risk, "[ID]", "each customer's chance of churning next period",
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
