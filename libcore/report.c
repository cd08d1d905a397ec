/* report.c - who is a customer on a day (report.h).  The KPIs built on
 * it are in kpi.c. */
#include <stdio.h>
#include <string.h>

#include "crm/config.h"
#include "crm/error.h"
#include "crm/report.h"
#include "internal.h"

/* A purchase counts from its day unless it was cancelled, is archived, is
 * a refund, or had been refunded whole by the day asked about. */
#define PAID_BEFORE(day) \
	"p.status <> 'cancelled' AND p.refund_of IS NULL AND p.archived_at IS NULL" \
	" AND NOT (p.status = 'refunded' AND EXISTS (SELECT 1 FROM purchases r" \
	"  WHERE r.refund_of = p.id AND r.archived_at IS NULL AND r.at < " day "))"

/* Live at the start of the day: not erased, not archived (or merged away)
 * before it. */
#define LIVE_AT(c, day) \
	c ".erased_at IS NULL AND (" c ".archived_at IS NULL OR " c ".archived_at >= " day ")"

static const char by_purchase[] =
	"INSERT INTO temp.%s SELECT DISTINCT p.contact_id FROM purchases p"
	" JOIN contacts c ON c.id = p.contact_id"
	" WHERE p.at >= date(?1, '-' || ?2 || ' days') AND p.at < ?1 AND " PAID_BEFORE("?1")
	" AND " LIVE_AT("c", "?1");

/* The status each person had last before the day, from the changes the
 * audit log keeps of it (adds, sets, imports and merges alike). */
static const char by_status[] =
	"INSERT INTO temp.%s SELECT a.entity_id FROM audit a"
	" JOIN contacts c ON c.id = a.entity_id"
	" WHERE a.seq IN (SELECT max(seq) FROM audit WHERE entity = 'contact' AND at < ?1"
	"  AND changes LIKE '%%\"status\"%%' AND json_extract(changes, '$.status') IS NOT NULL"
	"  GROUP BY entity_id)"
	" AND json_extract(a.changes, '$.status[1]') = 'customer' AND " LIVE_AT("c", "?1")
	" AND ?2 = ?2";

int crm_report_customers(crm_db *db, const char *name, const char *day)
{
	const struct crm_report_config *rc = crm_config_report(crm_db_config(db));
	char sql[1024];
	crm_stmt *st;
	int r;

	snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", name);
	if ((r = crm_db_exec(db, sql)))
		return r;
	snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s (id INTEGER PRIMARY KEY)", name);
	if ((r = crm_db_exec(db, sql)))
		return r;
	snprintf(sql, sizeof sql, rc->rule == CRM_CUSTOMER_STATUS ? by_status : by_purchase, name);
	if ((r = crm_db_prepare(db, &st, sql)))
		return r;
	crm_stmt_bind_text(st, 1, day);
	crm_stmt_bind_int(st, 2, rc->active_window);
	r = crm_stmt_done(st);
	crm_stmt_finalize(st);
	return r;
}
