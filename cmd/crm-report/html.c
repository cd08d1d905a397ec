/* html.c - crm-report kpi --html: the report as one page on stdout. */
#include <stdio.h>

#include "crm/buf.h"
#include "crm/report.h"
#include "report.h"

int report_html(struct cli *c, const char *as_of, const struct report_period *p,
                const struct report_period *q, const struct crm_kpi *k,
                const struct crm_kpi *was)
{
	struct crm_report_page page = { p->name, p->from, p->to, q->from, q->to, as_of, k, was };
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_report_html(c->db, &page, &b);

	if (!rc && (fwrite(b.ptr, 1, b.len, stdout) != b.len || fflush(stdout)))
		rc = crm_error_set(CRM_EIO, "cannot write the page: %s", "standard output");
	crm_buf_free(&b);
	return rc ? cli_error(c, rc) : 0;
}
