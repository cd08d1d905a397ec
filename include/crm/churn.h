/* churn.h - each customer's chance of churning in the next period, from
 * a logistic regression fitted on the database's own history.
 *
 * Snapshots are days a whole number of periods apart, counted back from
 * the day after the as-of day: S0 (the customers scored), S1 (the
 * customers the model is evaluated on, whose outcome is known at S0) and
 * S2 ... S(K+1) (the customers it is trained on).  A customer at Sk (by
 * crm_report_customers) churned when not a customer at S(k-1).  Every
 * feature of a snapshot is read from what happened before its day, so
 * nothing that followed it leaks into the model.  crm-report(1) gives
 * the exact definitions.
 *
 * The mathematics (fit, AUC, calibration) works on plain arrays and needs
 * no database.
 */
#ifndef CRM_CHURN_H
#define CRM_CHURN_H

#include <stddef.h>
#include <stdint.h>

#include "crm/date.h"
#include "crm/db.h"

/* The features, in the order of every array indexed by feature. */
enum crm_churn_feature {
	CRM_CHURN_RECENCY,      /* days since the last paid purchase, at most 730 */
	CRM_CHURN_FREQUENCY,    /* paid purchases in the 12 months before */
	CRM_CHURN_MONETARY,     /* net spend in the 12 months before, base currency */
	CRM_CHURN_TREND,        /* spend in the last 6 months minus the 6 before */
	CRM_CHURN_OPEN_TICKETS, /* tickets open at the snapshot */
	CRM_CHURN_BREACHED,     /* tickets of the last 12 months resolved with an SLA missed */
	CRM_CHURN_NPS,          /* the last NPS score, NAN when none */
	CRM_CHURN_NPS_MISSING,  /* 1 when there is no NPS score */
	CRM_CHURN_WITHDRAWN,    /* 1 when consent to a channel had been withdrawn */
	CRM_CHURN_NFEATURES
};

/* The defaults of crm-report churn-risk, and their bounds. */
#define CRM_CHURN_PERIOD_MONTHS 3
#define CRM_CHURN_SNAPSHOTS 4
#define CRM_CHURN_MAX_MONTHS 12
#define CRM_CHURN_MAX_SNAPSHOTS 12
#define CRM_CHURN_LAMBDA 1.0 /* the L2 penalty (crm_churn_fit) */
#define CRM_CHURN_BINS 10    /* calibration bins */

/* ---- The mathematics ---- */

/* Returns 1 / (1 + e^-eta), computed without overflow. */
double crm_churn_logistic(double eta);

/* Fits an L2-penalised logistic regression by Newton's method with step
 * halving: beta (p + 1 values, beta[0] the intercept) maximises
 *   sum_i [y_i eta_i - ln(1 + e^eta_i)] - lambda/2 sum_{j>=1} beta_j^2,
 *   eta_i = beta_0 + sum_j beta_j x_ij,
 * over the n rows of x (row-major, p values each) and their labels y
 * (0 or 1).  Stops when no coefficient moves by 1e-7 or more; stores the
 * Newton steps taken in *iterations.  CRM_EDATA when y is all 0 or all 1
 * (the intercept has no finite value), CRM_EFAIL when the system is not
 * positive definite or 100 steps do not converge. */
int crm_churn_fit(double *beta, const float *x, const unsigned char *y, size_t n, size_t p,
                  double lambda, int *iterations);

/* Stores in *auc the area under the ROC curve of scores against labels y
 * (1 positive): the Mann-Whitney probability that a positive scores above
 * a negative, ties counting half.  CRM_EDATA when either class is empty. */
int crm_churn_auc(double *auc, const double *score, const unsigned char *y, size_t n);

/* One calibration bin: mean predicted probability, observed rate of
 * positives, and how many examples. */
struct crm_churn_bin {
	double predicted, observed;
	size_t n;
};

/* Sorts the n examples by predicted probability p (ties in input order),
 * cuts them into nbins bins of equal count (bin b holds positions
 * floor(b*n/nbins) to floor((b+1)*n/nbins) - 1) and fills bins, the
 * empty ones left out; stores in *nout how many it filled. */
int crm_churn_calibrate(struct crm_churn_bin *bins, size_t nbins, size_t *nout,
                        const double *p, const unsigned char *y, size_t n);

/* ---- The features of a snapshot ---- */

/* Returns the name of feature f ("recency", "open_tickets" ...), or NULL
 * past the last (static). */
const char *crm_churn_feature_name(int f);

/* One customer's features as defined above (not yet transformed), and
 * whether they churned: 1, 0, or -1 when no outcome was asked for. */
struct crm_churn_row {
	int64_t id;
	double value[CRM_CHURN_NFEATURES];
	int churned;
};

typedef struct crm_churn_history crm_churn_history;

/* Reads into *out (free with crm_churn_history_free), in one pass over
 * each table, what the features of the snapshots from first to last
 * ("YYYY-MM-DD") are made of: the purchases made in the 24 months before
 * first and up to last, not cancelled or archived, in minor units of the
 * base currency at the rate of their day; the live tickets and NPS
 * answers before last; and the consents withdrawn before last.
 * CRM_EDATA naming the currency when an amount has no rate. */
int crm_churn_history_load(crm_churn_history **out, crm_db *db, const char *first,
                           const char *last);

void crm_churn_history_free(crm_churn_history *h);

/* Calls fn for each customer at the start of day (from first to last of
 * h) in the temporary table customers (as crm_report_customers filled
 * it), by id, with the features read from what happened before day.
 * next names the table of the customers a period later, whose absence is
 * churn (NULL: no outcome).  Stops and returns fn's value when it is
 * non-zero.  Table names are the toolkit's own identifiers, never user
 * text. */
int crm_churn_features(const crm_churn_history *h, crm_db *db, const char *day,
                       const char *customers, const char *next,
                       int (*fn)(void *arg, const struct crm_churn_row *r), void *arg);

#endif
