/* report.h - what the verbs of crm-report share: the day a report is as
 * of, the period it covers, and the verbs kept in files of their own. */
#ifndef CRM_REPORT_CLI_H
#define CRM_REPORT_CLI_H

#include <stdbool.h>

#include "cli.h"
#include "crm/date.h"

/* The option every verb takes. */
#define REPORT_AS_OF_OPT \
	{ "as-of", 0, CLI_ARG, "DATE", "the report as it would have printed at the end of DATE (default: today)" }

/* The options of verbs that cover a period. */
#define REPORT_PERIOD_OPTS \
	{ "period", 'p', CLI_ARG, "PERIOD", "2026-11, 2026-Q3, 2026, this-month, last-quarter, ytd ..." }, \
	{ "from", 0, CLI_ARG, "DATE", "the first day of the period (with --to, in place of --period)" }, \
	{ "to", 0, CLI_ARG, "DATE", "the last day of the period, included" }

/* The day a report is as of: --as-of, else today; and in *now the last
 * second of that day, the clock periods and relative dates are read
 * against.  Returns an exit status, or -1 to go on. */
int report_as_of(struct cli *c, char day[CRM_DATE_LEN], int64_t *now);

/* A period: the days [from, to), to never after the day after as_of,
 * and its name by its dates ("2026-11" for last-month in December,
 * "2026-10-01..2026-10-31"). */
struct report_period {
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	char name[CRM_PERIOD_NAME_LEN];
	int months;   /* whole months it spans as asked for (2026-03, 2026-Q1), or 0 */
	bool running; /* cut short at the as-of day */
};

/* Reads --period, or --from and --to, relative to the as-of day (dflt
 * when none is given) into *p.  Returns an exit status (2 for a bad
 * period, --from after --to), or -1 to go on. */
int report_period(struct cli *c, const char *as_of, int64_t now, const char *dflt,
                  struct report_period *p);

/* Stores in q the period to compare p with: "previous" or "year". */
void compare_period(const struct report_period *p, const char *how, struct report_period *q);

struct crm_kpi;

/* html.c: the whole report of period p, with the changes from q, as one
 * page on stdout.  Returns an exit status. */
int report_html(struct cli *c, const char *as_of, const struct report_period *p,
                const struct report_period *q, const struct crm_kpi *k,
                const struct crm_kpi *was);

/* rfm.c */
extern const struct cli_opt rfm_opts[], cohorts_opts[];
int report_rfm(struct cli *c, int argc, char **argv);
int report_cohorts(struct cli *c, int argc, char **argv);

/* churn.c */
extern const struct cli_opt churn_opts[];
int report_churn_risk(struct cli *c, int argc, char **argv);

#endif
