/* kpi_months.c - customers, churn and revenue month by month over a
 * stretch of months (report.h), for the page's lines: who was a customer
 * at each month's start is found for every month in one pass over the
 * purchases, where crm_report_kpi --by month would read them once a
 * month. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/config.h"
#include "crm/error.h"
#include "crm/feedback.h"
#include "kpi_impl.h"

#define MAX_MONTHS 36

/* The months of [from, to): their first days, and to. */
struct months {
	char day[MAX_MONTHS + 1][CRM_DATE_LEN];  /* day[i]: the start of month i; day[n]: to */
	char lo[MAX_MONTHS + 1][CRM_DATE_LEN];   /* the first day of the window before each */
	size_t n;
};

static int split(struct months *m, const char *from, const char *to, long window)
{
	char name[CRM_PERIOD_LEN], a[CRM_DATE_LEN], b[CRM_DATE_LEN];
	int rc;

	m->n = 0;
	memcpy(m->day[0], from, CRM_DATE_LEN);
	while (strcmp(m->day[m->n], to) < 0) {
		if (m->n == MAX_MONTHS)
			return crm_error_set(CRM_EUSAGE, "more than %d months", MAX_MONTHS);
		if ((rc = crm_period_of(name, m->day[m->n], "month")) ||
		    (rc = crm_period_parse(a, b, name, 0)))
			return rc;
		m->n++;
		memcpy(m->day[m->n], strcmp(b, to) < 0 ? b : to, CRM_DATE_LEN);
	}
	for (size_t i = 0; i <= m->n; i++)
		crm_date_add_days(m->lo[i], m->day[i], -window);
	return CRM_OK;
}

/* Appends the statements that fill temp.kpi_months(id, c0 .. cN) with
 * whether each person was a customer at each day (?i+1 the day, ?i+101
 * the first day of its window). */
static int fill_sql(crm_buf *b, size_t n)
{
	int rc = crm_buf_puts(b, "CREATE TEMP TABLE kpi_months (id INTEGER PRIMARY KEY");

	for (size_t i = 0; i <= n; i++)
		rc |= crm_buf_printf(b, ", c%zu INTEGER NOT NULL", i);
	rc |= crm_buf_puts(b, ");INSERT INTO temp.kpi_months SELECT p.contact_id");
	for (size_t i = 0; i <= n; i++)
		rc |= crm_buf_printf(b, ", max(p.at >= ?%zu AND p.at < ?%zu)", i + 101, i + 1);
	rc |= crm_buf_printf(b, " FROM " UNREFUNDED " AND p.at >= ?101 AND p.at < ?%zu"
	                     " GROUP BY p.contact_id;INSERT INTO temp.kpi_months SELECT p.contact_id",
	                     n + 1);
	for (size_t i = 0; i <= n; i++)
		rc |= crm_buf_printf(b, ", max(p.at >= ?%zu AND p.at < ?%zu AND w.at >= ?%zu)", i + 101,
		                     i + 1, i + 1);
	rc |= crm_buf_printf(b, " FROM " WHOLE " AND p.at >= ?101 AND p.at < ?%zu"
	                     " GROUP BY p.contact_id ON CONFLICT (id) DO UPDATE SET c0 = c0 OR excluded.c0",
	                     n + 1);
	for (size_t i = 1; i <= n; i++)
		rc |= crm_buf_printf(b, ", c%zu = c%zu OR excluded.c%zu", i, i, i);
	rc |= crm_buf_puts(b, ";UPDATE temp.kpi_months SET c0 = c0 AND id NOT IN " GONE("?1"));
	for (size_t i = 1; i <= n; i++)
		rc |= crm_buf_printf(b, ", c%zu = c%zu AND id NOT IN " GONE("?%zu"), i, i, i + 1);
	return rc ? CRM_ENOMEM : CRM_OK;
}

/* Binds the days of the months (?1 ...) and their windows' starts
 * (?101 ...). */
static void bind_months(crm_stmt *st, void *arg)
{
	const struct months *m = arg;

	for (size_t i = 0; i <= m->n; i++) {
		crm_stmt_bind_text(st, (int)i + 1, m->day[i]);
		crm_stmt_bind_text(st, (int)i + 101, m->lo[i]);
	}
}

/* Stores in start[i] and lost[i] the customers at the start of month i
 * and those of them who were none at its end. */
static int count(crm_db *db, const struct months *m, int64_t *start, int64_t *lost)
{
	crm_buf b = CRM_BUF_INIT;
	crm_stmt *st = NULL;
	int rc = crm_buf_puts(&b, "SELECT 0") ? CRM_ENOMEM : CRM_OK;

	for (size_t i = 0; i < m->n && !rc; i++)
		rc = crm_buf_printf(&b, ", sum(c%zu), sum(c%zu AND NOT c%zu)", i, i, i + 1)
		         ? CRM_ENOMEM : CRM_OK;
	if (!rc && !(rc = crm_buf_puts(&b, " FROM temp.kpi_months") ? CRM_ENOMEM : CRM_OK) &&
	    !(rc = crm_db_prepare(db, &st, b.ptr)) && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (size_t i = 0; i < m->n; i++)
			start[i] = crm_stmt_int(st, 1 + 2 * (int)i), lost[i] = crm_stmt_int(st, 2 + 2 * (int)i);
		rc = CRM_OK;
	}
	crm_stmt_finalize(st);
	crm_buf_free(&b);
	return rc;
}

/* Stores in rev[i] the revenue of month i, as crm_report_kpi counts it. */
static int revenue(crm_db *db, const struct months *m, int64_t *rev)
{
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_stmt(db, &st, "SELECT substr(p.at, 1, 7),"
	                      " coalesce(sum(crm_base(p.total, p.total_currency, p.at)), 0)"
	                      " FROM purchases p WHERE p.at >= ?1 AND p.at < ?2"
	                      " AND p.status <> 'cancelled' AND p.archived_at IS NULL GROUP BY 1")))
		return rc;
	crm_stmt_bind_text(st, 1, m->day[0]), crm_stmt_bind_text(st, 2, m->day[m->n]);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		for (size_t i = 0; i < m->n; i++)
			if (!strncmp(m->day[i], crm_stmt_text(st, 0), 7))
				rev[i] = crm_stmt_int(st, 1);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The same figures from crm_report_kpi, month by month (the status rule
 * has no one-pass form). */
static int by_kpi(crm_db *db, const struct months *m, int64_t *start, int64_t *lost)
{
	struct crm_kpi_opts o = { m->day[0], m->day[m->n], "month", CRM_KPI_CUSTOMERS };
	struct crm_kpi k = { 0 };
	const struct crm_measure *x;
	char name[CRM_PERIOD_LEN];
	int rc = crm_report_kpi(db, &o, &k);

	for (size_t i = 0; i < m->n && !rc; i++) {
		crm_period_of(name, m->day[i], "month");
		if ((x = crm_kpi_find(&k, name, "customers_start")))
			start[i] = strtoll(x->value, NULL, 10);
		if ((x = crm_kpi_find(&k, name, "lost_customers")))
			lost[i] = strtoll(x->value, NULL, 10);
	}
	crm_kpi_free(&k);
	return rc;
}

static int customers(crm_db *db, const struct months *m, int64_t *start, int64_t *lost)
{
	crm_buf b = CRM_BUF_INIT;
	int rc;

	if (crm_config_report(crm_db_config(db))->rule == CRM_CUSTOMER_STATUS)
		return by_kpi(db, m, start, lost);
	if (!(rc = crm_db_exec(db, "DROP TABLE IF EXISTS temp.kpi_months")) &&
	    !(rc = fill_sql(&b, m->n)) &&
	    !(rc = kpi_exec(db, b.ptr, bind_months, (void *)m)))
		rc = count(db, m, start, lost);
	crm_buf_free(&b);
	return rc;
}

int crm_report_months(crm_db *db, const char *from, const char *to,
                      int (*fn)(void *arg, const char *const *vals), void *arg)
{
	struct months m;
	int64_t start[MAX_MONTHS] = { 0 }, lost[MAX_MONTHS] = { 0 }, rev[MAX_MONTHS] = { 0 };
	int rc = split(&m, from, to, crm_config_report(crm_db_config(db))->active_window);

	if (!rc && m.n && !(rc = customers(db, &m, start, lost)))
		rc = revenue(db, &m, rev);
	for (size_t i = 0; i < m.n && !rc; i++) {
		struct kpi_run r = { db, NULL, NULL, NULL, "", "", "", 0, 0 };
		char name[CRM_PERIOD_LEN], s[24], l[24], c[16], v[64];
		const char *vals[CRM_MONTHS_COLUMNS] = { name, s, l, c, v };

		crm_period_of(name, m.day[i], "month");
		kpi_int(s, sizeof s, start[i]), kpi_int(l, sizeof l, lost[i]);
		crm_feedback_percent(c, sizeof c, lost[i], start[i]);
		kpi_money(&r, v, sizeof v, rev[i]);
		rc = fn(arg, vals);
	}
	return rc;
}
