/* dedup_impl.h - what the files of the dedup engine share.
 *
 * dedup_load.c reads and normalises the records, dedup_block.c makes the
 * candidate pairs, dedup_score.c compares them and estimates the model,
 * dedup_cluster.c joins the pairs into clusters, dedup.c runs the steps
 * and reports pairs and explanations.
 */
#ifndef CRM_DEDUP_IMPL_H
#define CRM_DEDUP_IMPL_H

#include <stdint.h>

#include "crm/dedup.h"
#include "internal.h"

/* The fields compared, as match keys. */
enum dd_field {
	DF_FIRST, DF_LAST, DF_EMAIL, DF_PHONE, DF_BIRTH,
	DF_STREET, DF_CITY, DF_POSTCODE, DF_REGION, DF_COMPANY,
	DF_N
};

/* The stored values shown to a reviewer. */
enum dd_show { DS_FIRST, DS_LAST, DS_EMAIL, DS_UPDATED, DS_N };

/* Agreement levels: 0 is "missing on either side", 1 the strongest. */
#define DD_LEVELS 8
#define DD_LEVEL_BITS 4
#define DD_SWAPPED (UINT64_C(1) << 63) /* first and last names crossed */
#define DD_SKIPPED (UINT64_C(1) << 62) /* not compared (see dd_compare_all) */
#define DD_OLD (UINT64_C(1) << 61)     /* compared only for estimating */

static inline int dd_level(uint64_t pattern, int f)
{
	return (int)(pattern >> (f * DD_LEVEL_BITS)) & ((1 << DD_LEVEL_BITS) - 1);
}

struct dd_rec {
	int64_t id;
	uint32_t key[DF_N];  /* arena offsets of the match keys; 0: missing */
	uint32_t tf[DF_N];   /* records sharing the key's value (1 when unique) */
	uint32_t show[DS_N]; /* arena offsets of the values shown; 0: none */
	unsigned char fresh; /* new since --since (or every record without it) */
};

/* The Fellegi-Sunter model: for each field and level, the probability of
 * that level among matches (m) and among random pairs (u), and the weight
 * log2(m/u) in bits. */
struct dd_model {
	double m[DF_N][DD_LEVELS], u[DF_N][DD_LEVELS], w[DF_N][DD_LEVELS];
	double prior;  /* log2 odds that a random pair matches */
	double lambda; /* share of matches among the candidate pairs */
	size_t present[DF_N]; /* records with the field, for term frequencies */
	int iterations;
};

struct crm_dedup {
	crm_db *db;
	struct dd_rec *rec;
	size_t nrec, caprec;
	char *arena; /* the strings; offset 0 holds "" */
	size_t alen, acap;
	int64_t *only;  /* sorted ids --where/--tag kept, when restricted */
	size_t nonly;
	int restricted;
	int64_t *fresh; /* sorted ids new since --since, when given */
	size_t nfresh;
	int since;
	uint64_t *pair; /* candidate pairs: record index i << 32 | j, i < j */
	uint64_t *pattern; /* the comparison of each pair */
	size_t npair;
	size_t stride;  /* every stride-th pair of old records is compared */
	size_t sampled;
	struct dd_model model;
	int threads;
	void (*on_step)(void *arg, const char *step);
	void *step_arg;
};

static inline const char *dd_key(const crm_dedup *d, const struct dd_rec *r, int f)
{
	return d->arena + r->key[f];
}

static inline const char *dd_show(const crm_dedup *d, const struct dd_rec *r, int s)
{
	return r->show[s] ? d->arena + r->show[s] : NULL;
}

/* Loads the records (dedup_load.c). */
int dd_load(crm_dedup *d);

/* Fills d->pair with the sorted distinct candidate pairs (dedup_block.c). */
int dd_block(crm_dedup *d);

/* Compares two records field by field into a pattern of levels; when
 * sims is not NULL, stores each field's similarity there (dedup_score.c). */
uint64_t dd_compare(const crm_dedup *d, const struct dd_rec *a, const struct dd_rec *b,
                    double sims[DF_N]);

/* Stores in *out (malloc'd) and *n at most max pairs of records agreeing
 * exactly on the fields of rule (bits 1 << field), chosen blind to every
 * other field: the pairs m is estimated from (dedup_block.c). */
int dd_rule_pairs(const crm_dedup *d, unsigned rule, size_t max, uint64_t **out, size_t *n);

/* Sorts n 64-bit values in place (dedup_block.c). */
int dd_radix_sort(uint64_t *v, size_t n);

/* Compares every candidate pair, using d->threads threads. */
int dd_compare_all(crm_dedup *d);

/* Estimates the model from the candidates and a sample of random pairs. */
int dd_estimate(crm_dedup *d);

/* Whether a compared pair looks like two people of one household (the
 * household rule, dedup_score.c): two of first name, birth date and email
 * clearly differ, or the first name does and neither of the others agrees. */
int dd_household_p(uint64_t pattern);

/* Whether two records compared into pattern must never share a cluster:
 * their emails differ, and so does the first name or the birth date. */
int dd_apart_p(uint64_t pattern);

/* The sum of the fields' weights w of a pair compared into pattern under
 * the household rule: when dd_household_p, the agreements of the fields a
 * household shares (surname, phone, address, company) are left out, and
 * their sum is stored in *dropped when dropped is not NULL. */
double dd_household_sum(uint64_t pattern, const double w[DF_N], double *dropped);

/* Returns the weight in bits (with the prior) of a compared pair. */
double dd_weight(const crm_dedup *d, const struct dd_rec *a, uint64_t pattern);

/* The share of records holding a's value of field f: the u of an exact
 * agreement on that value. */
double dd_value_u(const crm_dedup *d, const struct dd_rec *a, int f);

/* The weight in bits field f contributes at level l for record a's value
 * (term-frequency adjusted when the values agree exactly). */
double dd_field_weight(const crm_dedup *d, const struct dd_rec *a, int f, int l);

/* The field's name and the name of its level l. */
const char *dd_field_name(int f);
const char *dd_level_name(int f, int l);

/* Appends the evidence of a compared pair to b. */
int dd_evidence(crm_buf *b, uint64_t pattern, const double sims[DF_N]);

/* The match probability of a weight in bits (dedup.c). */
double dd_probability(double w);

/* Whether candidate x is reported (compared, and its probability at least
 * threshold), with its probability in *p (dedup.c). */
int dd_reported(const crm_dedup *d, size_t x, double threshold, double *p);

/* Appends the evidence for records i and j to b, emptied first (dedup.c). */
int dd_evidence_of(const crm_dedup *d, size_t i, size_t j, crm_buf *b);

/* Runs fn(arg, i) for i in [0, n) split over the run's threads. */
void dd_parallel(const crm_dedup *d, size_t n, void (*fn)(void *arg, size_t lo, size_t hi),
                void *arg);

#endif
