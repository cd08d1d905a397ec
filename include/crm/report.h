/* report.h - the measures of crm-report(1): who is a customer on a day,
 * and the KPIs of a period with the counts behind each figure.
 *
 * A period is the days [from, to); "as of" a day means as the report
 * would have printed at the end of that day: nothing that happened after
 * it counts, and a period still running ends with it.  Everything here
 * reads the database only, so the same database and the same days give
 * the same figures.
 */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include "crm/db.h"

/* How "customer at day D" is decided (crm-config(5), report:). */
enum crm_customer_rule {
	CRM_CUSTOMER_PURCHASE, /* a paid purchase in the active window before D (default) */
	CRM_CUSTOMER_STATUS    /* status "customer" at D, from the audit log */
};

struct crm_report_config {
	enum crm_customer_rule rule;
	long active_window; /* days; default 365 */
};

/* Creates (replacing it) the temporary table temp.NAME(id INTEGER PRIMARY
 * KEY) of the people who were customers at the start of day ("YYYY-MM-DD"),
 * by the configured rule: with a paid purchase (not a refund, not
 * cancelled or archived) in [day - active_window, day), or whose status
 * was "customer" by the last change the audit log holds before day.
 * Erased and merged-away people are never customers.  name is one of
 * the toolkit's own identifiers, never user text. */
int crm_report_customers(crm_db *db, const char *name, const char *day);

/* The families of measures crm_report_kpi computes. */
enum {
	CRM_KPI_CUSTOMERS = 1 << 0, /* customers, new, lost, CRR, churn, revenue, CLTV */
	CRM_KPI_FEEDBACK = 1 << 1,  /* NPS, CSAT */
	CRM_KPI_SALES = 1 << 2,     /* win rate, sales cycle, pipeline */
	CRM_KPI_SERVICE = 1 << 3,   /* response and resolution times, SLA, backlog */
	CRM_KPI_ALL = 0xf
};

/* One figure: the value as printed ("91.7", "1234.50", empty when it
 * cannot be computed), what it was computed from and how. */
struct crm_measure {
	const char *group;       /* the --by group, "" when none */
	const char *name;        /* "churn", "nps", ... (crm-report(1)) */
	const char *value;
	const char *numerator;   /* "" when the measure is a count or an input */
	const char *denominator;
	const char *unit;        /* "%", "EUR", "days", "hours", "" for counts */
	const char *note;        /* why it is empty, or how it was computed */
};

struct crm_kpi_opts {
	const char *from, *to; /* the days [from, to) */
	/* month or quarter (one group per one within the period), owner,
	 * source, tag or queue; NULL: no groups */
	const char *by;
	unsigned families; /* CRM_KPI_* (0: all) */
};

/* The figures of a period, in the order crm-report(1) lists them. */
struct crm_kpi {
	struct crm_measure *v;
	size_t n, cap;
	int64_t events; /* customers, purchases, responses, closed deals, tickets */
};

/* Computes the measures of the families asked for over o's period into
 * *k (start it zeroed; free with crm_kpi_free).  CRM_EUSAGE for a bad
 * option, CRM_EDATA naming the currency when an amount has no rate. */
int crm_report_kpi(crm_db *db, const struct crm_kpi_opts *o, struct crm_kpi *k);
void crm_kpi_free(struct crm_kpi *k);

/* Adds to k, the figures of a report by owner, source, tag or queue (o
 * as it was computed with), the figures of each family that a group has
 * figures of in other (the period compared) but none in k, as they read
 * with no data: counts 0, ratios and medians empty.  crm_report_kpi does
 * the same within k, so that a group of a family has all its figures. */
int crm_kpi_fill(crm_db *db, const struct crm_kpi_opts *o, struct crm_kpi *k,
                 const struct crm_kpi *other);

/* Returns the measure of group and name in k, or NULL. */
const struct crm_measure *crm_kpi_find(const struct crm_kpi *k, const char *group,
                                       const char *name);

/* Formats into out the change from figure was to figure now ("-6.7",
 * "+12.00", "0.0": with now's decimals, no sign when there is none); an
 * empty string when either is empty. */
void crm_kpi_change(char *out, size_t n, const char *now, const char *was);

/* Returns whether name is a measure crm_report_kpi can produce. */
int crm_kpi_known(const char *name);

/* Returns the family (CRM_KPI_*) of measure name, 0 when it is none. */
unsigned crm_kpi_family(const char *name);

/* Returns the name of measure i in the order they are printed (0 is
 * the first), NULL past the last. */
const char *crm_kpi_name(size_t i);

/* The columns crm_report_pipeline passes: pipeline, stage, deals,
 * amount and weighted (decimals of the base currency). */
#define CRM_PIPELINE_COLUMNS 5

/* Calls fn with one row per stage of the deals open at the end of day
 * (as they stood then, amounts at that day's rate), the configured
 * pipelines and stages in their order, stages no longer configured
 * after them; then a row "total".  Stores in *deals how many there are
 * (no row at all when 0). */
int crm_report_pipeline(crm_db *db, const char *day,
                        int (*fn)(void *arg, const char *const *vals), void *arg,
                        int64_t *deals);

/* The columns crm_report_months passes: month ("2026-11"),
 * customers_start, lost_customers, churn and revenue, as crm_report_kpi
 * gives them for each month. */
#define CRM_MONTHS_COLUMNS 5

/* Calls fn with one row per month of [from, to) (at most 36; a first or
 * last month cut short is measured as it is cut), the customers at each
 * month's start found in one pass for all of them. */
int crm_report_months(crm_db *db, const char *from, const char *to,
                      int (*fn)(void *arg, const char *const *vals), void *arg);

/* What the page of a period shows. */
struct crm_report_page {
	const char *name;                /* the period as given ("2026-11") */
	const char *from, *to;           /* its days [from, to) */
	const char *prev_from, *prev_to; /* the period its changes are from */
	const char *as_of;               /* the day it is as of */
	const struct crm_kpi *k, *was;   /* the measures of both periods */
};

struct crm_buf;

/* Appends to out the whole report of p as one self-contained HTML page
 * (crm-report(1), THE PAGE).  Errors as crm_report_kpi. */
int crm_report_html(crm_db *db, const struct crm_report_page *p, struct crm_buf *out);

#endif
