/* rfm.h - recency, frequency and monetary scores with the segments they
 * put people in, and cohorts by month of first purchase (crm-report(1)).
 *
 * Both read the purchases that count as of a day ("YYYY-MM-DD"): live
 * purchases dated before the end of that day, neither cancelled nor a
 * refund, nor refunded in full by then, of people live at the end of
 * that day (not erased, not archived or merged away by then).  Money is
 * net of the refunds dated before the end of the day, each amount
 * converted to the base currency at the rate of its own date.  Nothing
 * after the day counts, so the same database and day give the same rows.
 */
#ifndef CRM_RFM_H
#define CRM_RFM_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"

/* The segments of the R x F grid (crm-report(1) draws it), best first. */
enum crm_rfm_segment {
	CRM_RFM_CHAMPIONS,
	CRM_RFM_LOYAL,
	CRM_RFM_POTENTIAL_LOYALISTS,
	CRM_RFM_NEW_CUSTOMERS,
	CRM_RFM_PROMISING,
	CRM_RFM_NEED_ATTENTION,
	CRM_RFM_ABOUT_TO_SLEEP,
	CRM_RFM_AT_RISK,
	CRM_RFM_CANT_LOSE_THEM,
	CRM_RFM_HIBERNATING,
	CRM_RFM_LOST,
	CRM_RFM_SEGMENTS /* how many there are */
};

/* Returns the name of segment s ("at-risk"; borrowed, static), or NULL
 * when s is none. */
const char *crm_rfm_segment_name(int s);

/* Stores in *s the segment called name; CRM_EUSAGE "unknown segment
 * 'name' (champions, loyal, ...)" when there is none. */
int crm_rfm_segment_parse(const char *name, int *s);

/* Returns the segment of the recency and frequency scores r and f (each
 * 1-5), or -1 when either is out of range. */
int crm_rfm_segment_of(int r, int f);

/* Returns the score, 1-5, of one of n people of whom `worse` (0 to
 * n - 1; 1 for anything else) are strictly worse: 1 + floor(5 x worse
 * / n).  People with equal values are not worse than each other, so
 * they always share a score. */
int crm_rfm_score(int64_t worse, int64_t n);

/* The columns crm_rfm_each passes: id, name, recency (days), frequency,
 * monetary (a decimal of the base currency), r, f, m, score ("545") and
 * segment. */
#define CRM_RFM_COLUMNS 10

/* Calls fn with one row per person who has a purchase that counts as of
 * day, by id; only those of segment (-1: everybody).  Stores in *people
 * how many have one, in *rows how many rows fn got.  CRM_EUSAGE for a
 * malformed day, CRM_EDATA naming the currency when an amount has no
 * rate. */
int crm_rfm_each(crm_db *db, const char *day, int segment,
                 int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *people,
                 int64_t *rows);

/* The columns crm_rfm_summary passes: segment, people, share (% of
 * everybody scored, one decimal) and monetary (their sum). */
#define CRM_RFM_SUMMARY_COLUMNS 4

/* Calls fn with one row per segment, best first, empty ones included;
 * only segment's row unless it is -1.  Stores in *people how many have a
 * purchase that counts (no row at all when none does).  Errors as
 * crm_rfm_each. */
int crm_rfm_summary(crm_db *db, const char *day, int segment,
                    int (*fn)(void *arg, const char *const *vals), void *arg,
                    int64_t *people);

/* How many people fall in each cell and segment, for a picture of the
 * grid. */
struct crm_rfm_grid {
	int64_t people;                        /* everybody scored */
	int64_t cell[5][5];                    /* [r - 1][f - 1] */
	int64_t segment[CRM_RFM_SEGMENTS];     /* people per segment */
	int64_t monetary[CRM_RFM_SEGMENTS];    /* their net revenue, minor units of the base */
};

/* Fills *g (zeroed first) with the grid as of day.  Errors as
 * crm_rfm_each. */
int crm_rfm_grid(crm_db *db, const char *day, struct crm_rfm_grid *g);

/* One cohort: the people whose first purchase that counts fell in one
 * month, and how many of them bought in each month since. */
struct crm_rfm_cohort {
	char month[8];   /* "2026-03" */
	int64_t size;
	int64_t *buyers; /* buyers[k]: of them, who bought in month k after it (buyers[0] = size) */
	size_t months;   /* offsets 0 .. months - 1, up to the month of the as-of day */
};

struct crm_rfm_cohorts {
	struct crm_rfm_cohort *v;
	size_t n;
};

/* Stores in *out (free with crm_rfm_cohorts_free) the cohorts as of day
 * whose first purchases fall in [from, to) ("YYYY-MM-DD"), oldest first.
 * CRM_EUSAGE for a malformed day. */
int crm_rfm_cohorts(crm_db *db, const char *from, const char *to, const char *day,
                    struct crm_rfm_cohorts *out);

/* Frees the cohorts of c and zeroes it; NULL-safe. */
void crm_rfm_cohorts_free(struct crm_rfm_cohorts *c);

/* The columns crm_rfm_cohorts_each passes: cohort ("2026-03"), size,
 * month (the offset, 0 ...), period (that month, "2026-05"), buyers and
 * share (buyers / size x 100, one decimal). */
#define CRM_COHORT_COLUMNS 6

/* Calls fn with one row per cohort and month of crm_rfm_cohorts, in
 * order; stores the number of cohorts in *cohorts. */
int crm_rfm_cohorts_each(crm_db *db, const char *from, const char *to, const char *day,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *cohorts);

#endif
