/* kpi_impl.h - what the files of the KPIs share (kpi.c: the frame, the
 * customers and the feedback; kpi_desk.c: sales and service).  Internal
 * to libcore. */
#ifndef CRM_KPI_IMPL_H
#define CRM_KPI_IMPL_H

#include <stdint.h>

#include "crm/date.h"
#include "crm/report.h"
#include "internal.h"

/* The purchases that can make a customer -- not cancelled, archived or a
 * refund -- read through their index (schema step 11) in person order.
 * Those refunded whole count only before their last refund: the
 * purchases not refunded are read first, those refunded joined with
 * WHOLE, the day each was refunded whole, after. */
#define PAID \
	" p.contact_id IS NOT NULL AND p.refund_of IS NULL AND p.archived_at IS NULL" \
	" AND p.status <> 'cancelled'"
#define UNREFUNDED "purchases p INDEXED BY purchases_paid WHERE p.status <> 'refunded' AND" PAID
#define WHOLE \
	"(SELECT r.refund_of AS id, max(r.at) AS at FROM purchases r INDEXED BY purchases_refunds" \
	" WHERE r.refund_of IS NOT NULL AND r.archived_at IS NULL GROUP BY r.refund_of) w" \
	" JOIN purchases p ON p.id = w.id WHERE p.status = 'refunded' AND" PAID

/* The people erased, or archived (merged away) before the day. */
#define GONE(day) \
	"(SELECT id FROM contacts INDEXED BY contacts_gone" \
	" WHERE (archived_at IS NOT NULL OR erased_at IS NOT NULL)" \
	" AND (erased_at IS NOT NULL OR archived_at < " day "))"

/* How the rows of one family are grouped: a join that brings the group's
 * table in, and the expression of the group over it.  Built from fixed
 * texts only. */
struct kpi_group {
	const char *join;
	const char *expr;
};

/* The parts of the families: each is found by a query of its own, so a
 * group can have figures of one part and none of another. */
enum kpi_part {
	KPI_CUSTOMERS, KPI_FEEDBACK,              /* kpi.c */
	KPI_CLOSED, KPI_PIPELINE,                 /* the sales of kpi_desk.c */
	KPI_OPENED, KPI_FIRST, KPI_SOLVED, KPI_BACKLOG, /* its service */
	KPI_PARTS
};

/* One period being measured. */
struct kpi_run {
	crm_db *db;
	struct crm_kpi *k;
	const char *label;              /* the group of every figure (by month/quarter), or NULL */
	const char *by;                 /* owner, source, tag or queue, or NULL */
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	char last[CRM_DATE_LEN];        /* the period's last day: the rate of open amounts */
	int64_t year_num, year_den;     /* its length in years, for annualising:
	                                 * whole months / 12, else days / 365 */
};

/* Adds a figure to r's report; value, numerator and denominator may be
 * NULL (empty).  The strings are copied. */
int kpi_add(struct kpi_run *r, const char *group, const char *name, const char *value,
            const char *num, const char *den, const char *unit, const char *note);

/* Runs each statement of sql (statements end with ';'), binding its
 * parameters with bind(st, arg) first. */
int kpi_exec(crm_db *db, const char *sql, void (*bind)(crm_stmt *st, void *arg), void *arg);

/* Prints n into out as a decimal ("" for none). */
const char *kpi_int(char *out, size_t size, int64_t n);

/* Formats num / den with one decimal, halves away from zero, exactly
 * ("" when den is 0): crm_fixed. */
void kpi_decimal(char *out, size_t size, int64_t num, int64_t den);

/* Formats minor units of the base currency as a decimal without code. */
void kpi_money(struct kpi_run *r, char *out, size_t size, int64_t minor);

/* Prepares sql, a format with two %s -- the group's join and expression
 * -- for family's grouping (CRM_KPI_*), id the person's id in sql for
 * the joins of the customer and feedback groupings; *skip is set when
 * the family has no such grouping.  ?1 and ?2 are bound to from and to,
 * ?3 to last. */
int kpi_prepare(struct kpi_run *r, unsigned family, const char *sql, const char *id,
                crm_stmt **st, int *skip);

/* The median of the n values of v (sorted here), as twice its value so
 * that the mean of the middle two stays whole. */
int64_t kpi_median2(int64_t *v, size_t n);

/* Adds the figures of part (KPI_CLOSED to KPI_BACKLOG) of group as they
 * read with no data: counts 0, ratios and medians empty. */
int kpi_desk_empty(struct kpi_run *r, enum kpi_part part, const char *group);

int kpi_sales(struct kpi_run *r);
int kpi_service(struct kpi_run *r);

#endif
