/* dedup.h - finding people entered more than once.
 *
 * A run loads the live contacts, normalises what identifies a person
 * (names, email, phone, birth date, address, company), pairs up records
 * that share at least one blocking key (so no all-pairs comparison is
 * made), compares each pair field by field, estimates from the data itself
 * how much each kind of agreement says (Fellegi-Sunter weights, m by EM,
 * u from random pairs, adjusted for how common the agreeing value is), and
 * turns each pair's total weight into a match probability.  Clusters are
 * the connected components of the pairs at or above a threshold.
 */
#ifndef CRM_DEDUP_H
#define CRM_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/entity.h"

typedef struct crm_dedup crm_dedup;

/* The default match threshold, chosen from the evaluation in bench/. */
#define CRM_DEDUP_THRESHOLD 0.9

/* The decimals a probability is shown with and compared to a threshold
 * at: a pair shown as 1.0000 is at a threshold of 1, which no unrounded
 * probability reaches. */
#define CRM_DEDUP_DIGITS 4

/* Stores in *out a run over the live contacts of db; free with
 * crm_dedup_free. */
int crm_dedup_new(crm_dedup **out, crm_db *db);

/* Considers only the records q selects (its filters; not its sort or
 * limit).  Call before crm_dedup_run. */
int crm_dedup_restrict(crm_dedup *d, crm_query *q);

/* Reports only pairs with at least one record new since: "last" (the
 * newest import batch not undone), a batch id, or a date or time (records
 * added or changed since then).  CRM_EUSAGE for anything else, CRM_ENOTFOUND
 * for a batch that does not exist.  Call before crm_dedup_run. */
int crm_dedup_since(crm_dedup *d, const char *since);

/* Uses n threads for comparing (0, the default: one per processor the
 * program may run on, crm_processors). */
void crm_dedup_threads(crm_dedup *d, int n);

/* Has fn(arg, step) called as each step of crm_dedup_run starts ("loading
 * contacts", "comparing 1234 pairs" ...), for a progress line. */
void crm_dedup_on_step(crm_dedup *d, void (*fn)(void *arg, const char *step), void *arg);

/* Loads, blocks, compares and estimates the model. */
int crm_dedup_run(crm_dedup *d);

/* What a run did, for the summary and the benchmark. */
struct crm_dedup_stats {
	size_t records;    /* contacts considered */
	size_t candidates; /* distinct pairs compared */
	size_t sampled;    /* random pairs compared to estimate u */
	int iterations;    /* EM iterations until convergence */
	double lambda;     /* share of matches among the candidates, by EM */
};

void crm_dedup_stats(const crm_dedup *d, struct crm_dedup_stats *st);

/* One scored pair (strings borrowed for the callback's duration). */
struct crm_dedup_pair {
	int64_t a, b;         /* contact ids, a < b */
	double probability;   /* 0 to 1 */
	double weight;        /* log2 of the odds */
	const char *evidence; /* "first_name exact; birth_date nearly; ..." */
};

/* Calls fn for each pair with probability >= threshold, rounded to
 * CRM_DEDUP_DIGITS decimals (and, after crm_dedup_since, with a new
 * record), ordered by a then b; stops and returns fn's value when it is
 * non-zero. */
int crm_dedup_pairs(crm_dedup *d, double threshold,
                    int (*fn)(void *arg, const struct crm_dedup_pair *p), void *arg);

/* One member of a cluster (strings borrowed for the callback's duration). */
struct crm_dedup_member {
	long cluster;       /* 1, 2, ... in the order of each cluster's lowest id */
	int64_t id;
	double probability; /* of the member's strongest pair in the cluster */
	int64_t partner;    /* the other record of that pair */
	const char *evidence;
	const char *first_name, *last_name, *email, *updated_at; /* for review */
};

/* Calls fn for each member of each cluster of two or more records joined
 * by pairs with probability >= threshold (rounded as above), clusters in
 * order, members by id; stops and returns fn's value when it is
 * non-zero. */
int crm_dedup_clusters(crm_dedup *d, double threshold,
                       int (*fn)(void *arg, const struct crm_dedup_member *m), void *arg);

/* The columns crm_dedup_explain passes: field, the two values, how they
 * compare, m, u and the weight in bits. */
#define CRM_EXPLAIN_COLUMNS 7

/* Calls fn(arg, vals) with one row per field for the pair of contacts a
 * and b, then rows "prior" and "total" (whose weight column holds the
 * probability's log2 odds and the comparison column the probability).
 * CRM_ENOTFOUND when either is not among the records considered. */
int crm_dedup_explain(crm_dedup *d, int64_t a, int64_t b,
                      int (*fn)(void *arg, const char *const *vals), void *arg);

void crm_dedup_free(crm_dedup *d);

#endif
