/* churn.c - crm-report churn-risk (not written yet). */
#include "report.h"

const struct cli_opt churn_opts[] = { REPORT_AS_OF_OPT, { NULL, 0, 0, NULL, NULL } };

int report_churn_risk(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_fail(c, 1, "churn-risk: not available");
}
