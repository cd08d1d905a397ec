/* rfm.c - crm-report rfm and cohorts (not written yet). */
#include "report.h"

const struct cli_opt rfm_opts[] = { REPORT_AS_OF_OPT, { NULL, 0, 0, NULL, NULL } };
const struct cli_opt cohorts_opts[] = { REPORT_AS_OF_OPT, { NULL, 0, 0, NULL, NULL } };

int report_rfm(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_fail(c, 1, "rfm: not available");
}

int report_cohorts(struct cli *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return cli_fail(c, 1, "cohorts: not available");
}
