/* report.c - who is a customer on a day, and the pipeline as it stood
 * on one (report.h).  The KPIs are in kpi.c and kpi_desk.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/error.h"
#include "crm/money.h"
#include "crm/purchase.h"
#include "crm/report.h"
#include "kpi_impl.h"

/* ?1 the day, ?2 the first day of the window before it. */
static const char by_purchase[] =
	"INSERT INTO temp.%1$s SELECT p.contact_id FROM " UNREFUNDED
	" AND p.at >= ?2 AND p.at < ?1 GROUP BY p.contact_id;"
	"INSERT OR IGNORE INTO temp.%1$s SELECT p.contact_id FROM " WHOLE
	" AND p.at >= ?2 AND p.at < ?1 AND w.at >= ?1;"
	"DELETE FROM temp.%1$s WHERE id IN " GONE("?1");

/* The status each person had last before the day, from the changes the
 * audit log keeps of it (adds, sets, imports and merges alike).  An
 * import's "add" keeps no values (crm_audit_created): the status it made
 * is the old one of the first later change of status, else the status
 * now -- crm_created's rule for this one field, in SQL, as a report reads
 * every person. */
static const char by_status[] =
	"INSERT INTO temp.%s SELECT a.entity_id FROM audit a"
	" WHERE a.seq IN (SELECT max(seq) FROM audit WHERE entity = 'contact' AND at < ?1"
	"  AND (changes IS NULL AND action = 'add' OR changes LIKE '%%\"status\"%%'"
	"  AND json_extract(changes, '$.status') IS NOT NULL) GROUP BY entity_id)"
	" AND coalesce(json_extract(a.changes, '$.status[1]'), iif(a.changes IS NULL,"
	"  coalesce((SELECT json_extract(l.changes, '$.status[0]') FROM audit l"
	"  WHERE l.entity = 'contact' AND l.entity_id = a.entity_id AND l.seq > a.seq"
	"  AND l.action <> 'add'"
	"  AND json_type(l.changes, '$.status') = 'array' ORDER BY l.seq LIMIT 1),"
	"  (SELECT status FROM contacts c WHERE c.id = a.entity_id)), NULL)) = 'customer'"
	" AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = a.entity_id)"
	" AND a.entity_id NOT IN " GONE("?1");

/* Binds ?1 to the day and ?2 to the first day of its window. */
static void bind_day(crm_stmt *st, void *arg)
{
	const char *const *d = arg;

	crm_stmt_bind_text(st, 1, d[0]);
	if (crm_stmt_params(st) > 1)
		crm_stmt_bind_text(st, 2, d[1]);
}

int crm_report_customers(crm_db *db, const char *name, const char *day)
{
	const struct crm_report_config *rc = crm_config_report(crm_db_config(db));
	char sql[2048], from[CRM_DATE_LEN];
	int r;

	snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", name);
	if ((r = crm_db_exec(db, sql)))
		return r;
	snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s (id INTEGER PRIMARY KEY)", name);
	if ((r = crm_db_exec(db, sql)))
		return r;
	snprintf(sql, sizeof sql, rc->rule == CRM_CUSTOMER_STATUS ? by_status : by_purchase, name);
	crm_date_add_days(from, day, -rc->active_window);
	return kpi_exec(db, sql, bind_day, (const char *[]){ day, from });
}

/* One stage of the pipeline report. */
struct stage_row {
	char *pipeline, *stage;
	int order;
	int64_t deals, amount, weighted; /* weighted: amount x percent */
};

/* Where a stage comes on the board: its pipeline's place, then its own. */
static int stage_order(const crm_config *cfg, const char *pipeline, const char *stage)
{
	const struct crm_pipeline *ps;
	size_t n = crm_config_pipelines(cfg, &ps);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(ps[i].name, pipeline))
			continue;
		for (size_t j = 0; j < ps[i].nstages; j++)
			if (!strcmp(ps[i].stages[j].name, stage))
				return (int)(i * 1000 + j);
		return (int)(i * 1000 + 999);
	}
	return 1000000;
}

static int cmp_stage(const void *a, const void *b)
{
	const struct stage_row *x = a, *y = b;
	int c = x->order - y->order;

	if (!c)
		c = strcmp(x->pipeline, y->pipeline);
	return c ? c : strcmp(x->stage, y->stage);
}

static const char pipeline_sql[] =
	"SELECT h.pipeline, h.stage, count(*),"
	" coalesce(sum(crm_base(h.amount, h.amount_currency, ?2)), 0),"
	" coalesce(sum(crm_base(h.amount, h.amount_currency, ?2)"
	"  * coalesce(h.probability, crm_stage(h.pipeline, h.stage, 'probability'), 0)), 0)"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id"
	" WHERE h.status = 'open' AND h.entered_at < date(?2, '+1 day')"
	" AND (h.left_at IS NULL OR h.left_at >= date(?2, '+1 day')) AND d.archived_at IS NULL"
	" GROUP BY 1, 2";

static int read_stages(crm_db *db, const char *day, struct stage_row **out, size_t *n)
{
	struct stage_row *v = NULL, *r;
	size_t cap = 0;
	crm_stmt *st;
	int rc;

	*n = 0;
	if ((rc = crm_db_stmt(db, &st, pipeline_sql)))
		return rc;
	crm_stmt_bind_text(st, 2, day);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if (*n == cap) {
			void *p = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);

			if (!p) {
				rc = crm_error_nomem();
				break;
			}
			v = p;
		}
		r = &v[(*n)++];
		r->pipeline = strdup(crm_stmt_text(st, 0)), r->stage = strdup(crm_stmt_text(st, 1));
		r->deals = crm_stmt_int(st, 2), r->amount = crm_stmt_int(st, 3);
		r->weighted = crm_stmt_int(st, 4);
		r->order = stage_order(crm_db_config(db), r->pipeline, r->stage);
		if (!r->pipeline || !r->stage) {
			rc = crm_error_nomem();
			break;
		}
	}
	crm_stmt_reset(st);
	*out = v;
	return rc < 0 ? rc : CRM_OK;
}

/* Prints one row: minor units of the base currency as decimals, the
 * weighted sum rounded once, half to even. */
static int stage_out(crm_db *db, const char *pipeline, const char *stage, int64_t deals,
                     int64_t amount, int64_t weighted,
                     int (*fn)(void *arg, const char *const *vals), void *arg)
{
	struct crm_money m = { amount, "" };
	char n[24], a[CRM_MONEY_TEXT], w[CRM_MONEY_TEXT];
	const char *vals[CRM_PIPELINE_COLUMNS] = { pipeline, stage, n, a, w };

	snprintf(m.cur, sizeof m.cur, "%s", crm_config_currency(crm_db_config(db)));
	snprintf(n, sizeof n, "%lld", (long long)deals);
	crm_money_format_amount(a, sizeof a, &m);
	m.minor = crm_purchase_average(weighted, 100);
	crm_money_format_amount(w, sizeof w, &m);
	return fn(arg, vals);
}

int crm_report_pipeline(crm_db *db, const char *day,
                        int (*fn)(void *arg, const char *const *vals), void *arg,
                        int64_t *deals)
{
	struct stage_row *v = NULL, total = { NULL, NULL, 0, 0, 0, 0 };
	size_t n = 0;
	int rc = read_stages(db, day, &v, &n);

	if (!rc && n)
		qsort(v, n, sizeof *v, cmp_stage);
	for (size_t i = 0; i < n && !rc; i++) {
		total.deals += v[i].deals, total.amount += v[i].amount;
		total.weighted += v[i].weighted;
		rc = stage_out(db, v[i].pipeline, v[i].stage, v[i].deals, v[i].amount, v[i].weighted,
		               fn, arg);
	}
	if (!rc && n)
		rc = stage_out(db, "total", "", total.deals, total.amount, total.weighted, fn, arg);
	for (size_t i = 0; i < n; i++)
		free(v[i].pipeline), free(v[i].stage);
	free(v);
	*deals = total.deals;
	return rc;
}
