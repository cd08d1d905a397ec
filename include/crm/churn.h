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

/* ---- The report ---- */

struct crm_churn_opts {
	const char *as_of; /* "YYYY-MM-DD": the model sees what happened by its end */
	int period_months; /* the period P (1 to CRM_CHURN_MAX_MONTHS) */
	int snapshots;     /* training snapshots K (1 to CRM_CHURN_MAX_SNAPSHOTS) */
	int64_t explain;   /* the customer crm_churn_explain explains, or 0 */
};

enum crm_churn_role { CRM_CHURN_SCORE, CRM_CHURN_EVALUATE, CRM_CHURN_TRAIN };

struct crm_churn_snapshot {
	char day[CRM_DATE_LEN];
	enum crm_churn_role role;
	size_t customers, churned; /* churned: 0 for the scored snapshot */
};

/* The fitted model and how it did on the evaluation snapshot. */
struct crm_churn_model {
	double beta[CRM_CHURN_NFEATURES + 1]; /* intercept, then per standardised feature */
	double mean[CRM_CHURN_NFEATURES], sd[CRM_CHURN_NFEATURES]; /* of the training inputs */
	double lambda;
	int iterations;
	size_t train, train_churned, eval, eval_churned;
	double auc, brier;     /* on the evaluation snapshot */
	double predicted, observed; /* its mean predicted probability and churn rate */
	struct crm_churn_bin bins[CRM_CHURN_BINS];
	size_t nbins;
};

/* One scored customer: the probability of churning within a period of
 * the as-of day, and the feature that raises it most (-1: none does). */
struct crm_churn_score {
	int64_t id;
	double probability;
	int top;
};

typedef struct crm_churn crm_churn;

/* Builds the snapshots of o, reads their features, fits the model on the
 * training snapshots, evaluates it on the next and scores the customers
 * at the end of o->as_of, into *out (free with crm_churn_free).
 * CRM_EDATA "history too short: ..." saying which snapshot lacks
 * customers, churners or customers who stayed; CRM_EDATA naming a
 * currency without a rate; CRM_EUSAGE for options out of bounds. */
int crm_churn_run(crm_churn **out, crm_db *db, const struct crm_churn_opts *o);

void crm_churn_free(crm_churn *m);

/* Returns the snapshots (S0 first) and stores their number in *n
 * (borrowed). */
const struct crm_churn_snapshot *crm_churn_snapshots(const crm_churn *m, size_t *n);

/* Returns the model (borrowed). */
const struct crm_churn_model *crm_churn_model_of(const crm_churn *m);

/* Returns the scored customers, by probability rounded to thousandths
 * descending, then by id, and stores their number in *n (borrowed). */
const struct crm_churn_score *crm_churn_scores(const crm_churn *m, size_t *n);

/* Returns the risk band of probability p: "high" from 0.5, "medium" from
 * 0.25, else "low" (static). */
const char *crm_churn_band(double p);

/* Stores in *out the name of contact id as people read it (malloc'd; the
 * email when the name is empty). */
int crm_churn_name(crm_churn *m, int64_t id, char **out);

/* One term of a customer's log-odds: a feature's value as defined, its
 * standardised model input, coefficient and contribution (coefficient x
 * input); feature -1 is the intercept, whose value and input are 0. */
struct crm_churn_term {
	int feature;
	double value, input, coefficient, contribution;
};

/* Stores the intercept and each feature's term for the customer o->explain
 * in terms (CRM_CHURN_NFEATURES + 1 of them), and the log-odds and
 * probability.  CRM_ENOTFOUND when that contact is not a customer at the
 * end of the as-of day. */
int crm_churn_explain(const crm_churn *m, struct crm_churn_term *terms, double *logit,
                      double *probability);

#endif
