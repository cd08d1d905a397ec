/* html.c - crm-report kpi --html: the report as one page. */
#include "report.h"

int report_html(struct cli *c, const char *as_of, const struct report_period *p)
{
	(void)as_of, (void)p;
	return cli_fail(c, 1, "--html: not available");
}
