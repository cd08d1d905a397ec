/* rfm.c - crm-report rfm (recency, frequency and monetary scores and the
 * segments they make) and crm-report cohorts (who bought again, by month
 * of first purchase). */
#include <stdio.h>
#include <string.h>

#include "crm/rfm.h"
#include "report.h"

const struct cli_opt rfm_opts[] = {
	REPORT_AS_OF_OPT,
	{ "segment", 's', CLI_ARG, "NAME", "only the people of segment NAME (champions, at-risk ...)" },
	{ "summary", 0, CLI_NOARG, NULL, "one row per segment: people, share and monetary" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt cohorts_opts[] = {
	REPORT_AS_OF_OPT,
	REPORT_PERIOD_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct crm_column rfm_cols[CRM_RFM_COLUMNS] = {
	{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "recency", CRM_COL_INT },
	{ "frequency", CRM_COL_INT }, { "monetary", CRM_COL_TEXT }, { "r", CRM_COL_INT },
	{ "f", CRM_COL_INT }, { "m", CRM_COL_INT }, { "score", CRM_COL_TEXT },
	{ "segment", CRM_COL_TEXT },
};

static const struct crm_column summary_cols[CRM_RFM_SUMMARY_COLUMNS] = {
	{ "segment", CRM_COL_TEXT }, { "people", CRM_COL_INT }, { "share", CRM_COL_NUMBER },
	{ "monetary", CRM_COL_TEXT },
};

static const struct crm_column cohort_cols[CRM_COHORT_COLUMNS] = {
	{ "cohort", CRM_COL_TEXT }, { "size", CRM_COL_INT }, { "month", CRM_COL_INT },
	{ "period", CRM_COL_TEXT }, { "buyers", CRM_COL_INT }, { "share", CRM_COL_NUMBER },
};

/* Prints the people (or with --summary the segments) into p; stores in
 * *people how many were scored and in *rows how many rows were printed. */
static int rfm_print(struct cli *c, const char *day, int segment, struct cli_printer *p,
                     int64_t *people, int64_t *rows)
{
	int rc;

	if (!cli_has(c, "summary")) {
		if (!(rc = cli_output_fields(c, rfm_cols, CRM_RFM_COLUMNS, &p->w)))
			rc = crm_rfm_each(c->db, day, segment, cli_print_row, p, people, rows);
		return rc;
	}
	if (!(rc = cli_output_fields(c, summary_cols, CRM_RFM_SUMMARY_COLUMNS, &p->w)))
		rc = crm_rfm_summary(c->db, day, segment, cli_print_row, p, people);
	*rows = *people;
	return rc;
}

/* rfm: exit 1 when nobody has a purchase that counts, or nobody is in
 * the segment asked for. */
int report_rfm(struct cli *c, int argc, char **argv)
{
	const char *name = cli_get(c, "segment");
	struct cli_printer p = { c, NULL, 0 };
	char day[CRM_DATE_LEN];
	int64_t now, people = 0, rows = 0;
	int rc, segment = -1;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = report_as_of(c, day, &now)) >= 0)
		return rc;
	if (name && crm_rfm_segment_parse(name, &segment))
		return cli_usage_error(c, "--segment: %s", crm_error_message());
	rc = rfm_print(c, day, segment, &p, &people, &rows);
	if (!rc && rows)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	if (!people)
		return cli_fail(c, 1, "nobody has a paid purchase by %s", day);
	if (!rows)
		return cli_fail(c, 1, "nobody is in segment %s on %s", name, day);
	return 0;
}

/* The cohorts' period: --period or --from/--to, else the twelve
 * calendar months that end with the as-of day's. */
static int cohort_period(struct cli *c, const char *day, int64_t now, struct report_period *p)
{
	char t[CRM_TIME_LEN];

	/* report_period's default is never reached here: one option is given. */
	if (cli_has(c, "period") || cli_has(c, "from") || cli_has(c, "to"))
		return report_period(c, day, now, "this-year", p);
	/* now is the as-of day's last second: "-11m" is a day of the month
	 * eleven months before, and the second after now the day after. */
	if (crm_date_parse(p->from, "-11m", now))
		return cli_error(c, crm_error_code());
	memcpy(p->from + 8, "01", 3);
	crm_time_format(t, now + 1);
	snprintf(p->to, sizeof p->to, "%.10s", t);
	snprintf(p->name, sizeof p->name, "%.10s..%.10s", p->from, day);
	return -1;
}

/* cohorts: exit 1 when no first purchase falls in the period. */
int report_cohorts(struct cli *c, int argc, char **argv)
{
	struct cli_printer p = { c, NULL, 0 };
	struct report_period per;
	char day[CRM_DATE_LEN];
	int64_t now, n = 0;
	int rc;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = report_as_of(c, day, &now)) >= 0 || (rc = cohort_period(c, day, now, &per)) >= 0)
		return rc;
	rc = cli_output_fields(c, cohort_cols, CRM_COHORT_COLUMNS, &p.w);
	if (!rc)
		rc = crm_rfm_cohorts_each(c->db, per.from, per.to, day, cli_print_row, &p, &n);
	if (!rc && n)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	if (!n)
		return cli_fail(c, 1, "no first purchase in %s", per.name);
	return 0;
}
