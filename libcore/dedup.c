/* dedup.c - a dedup run: its options, its steps, and what it reports. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/cpu.h"
#include "crm/date.h"
#include "dedup_impl.h"

int crm_dedup_new(crm_dedup **out, crm_db *db)
{
	crm_dedup *d = calloc(1, sizeof *d);

	*out = NULL;
	if (!d)
		return crm_error_nomem();
	d->db = db;
	d->threads = crm_processors();
	d->stride = 1;
	*out = d;
	return CRM_OK;
}

void crm_dedup_threads(crm_dedup *d, int n)
{
	d->threads = n > 0 ? n : crm_processors();
}

/* A growing sorted list of ids. */
struct ids {
	int64_t *v;
	size_t n, cap;
};

static int ids_add(struct ids *s, int64_t id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int64_t *v = realloc(s->v, cap * sizeof *v);

		if (!v)
			return crm_error_nomem();
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return CRM_OK;
}

static int ids_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int collect_id(void *arg, const char *const *vals)
{
	return ids_add(arg, strtoll(vals[0], NULL, 10)) ? -1 : 0;
}

int crm_dedup_restrict(crm_dedup *d, crm_query *q)
{
	struct ids s = { 0 };
	int rc;

	if ((rc = crm_query_fields(q, "id")))
		return rc;
	rc = crm_query_run(q, collect_id, &s, NULL);
	if (rc < 0 && !crm_error_code())
		rc = crm_error_nomem();
	if (rc) {
		free(s.v);
		return rc;
	}
	qsort(s.v, s.n, sizeof *s.v, ids_cmp);
	free(d->only);
	d->only = s.v;
	d->nonly = s.n;
	d->restricted = 1;
	return CRM_OK;
}

/* Collects the ids the query sql returns for the bound value. */
static int select_ids(crm_dedup *d, struct ids *s, const char *sql, const char *text,
                      int64_t num)
{
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_prepare(d->db, &st, sql)))
		return rc;
	if (text)
		crm_stmt_bind_text(st, 1, text);
	else
		crm_stmt_bind_int(st, 1, num);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		if (ids_add(s, crm_stmt_int(st, 0))) {
			crm_stmt_finalize(st);
			return CRM_ENOMEM;
		}
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Stores in *batch the import batch since names: "last" or a number. */
static int since_batch(crm_dedup *d, const char *since, int64_t *batch)
{
	crm_stmt *st;
	int rc, found;

	if (strcmp(since, "last") == 0) {
		rc = crm_db_stmt(d->db, &st, "SELECT max(id) FROM import_batches WHERE undone_at IS NULL");
	} else {
		rc = crm_db_stmt(d->db, &st, "SELECT id FROM import_batches WHERE id = ?1");
		if (!rc)
			crm_stmt_bind_int(st, 1, strtoll(since, NULL, 10));
	}
	if (rc)
		return rc;
	found = crm_stmt_step(st) == CRM_ROW && crm_stmt_kind(st, 0) != CRM_KIND_NULL;
	*batch = found ? crm_stmt_int(st, 0) : 0;
	crm_stmt_reset(st);
	if (!found && strcmp(since, "last") == 0)
		return crm_error_set(CRM_ENOTFOUND, "no import batch to compare from");
	if (!found)
		return crm_error_set(CRM_ENOTFOUND, "no import batch %s", since);
	return CRM_OK;
}

static int all_digits_p(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int crm_dedup_since(crm_dedup *d, const char *since)
{
	struct ids s = { 0 };
	char when[CRM_TIME_LEN];
	int64_t batch, now;
	int rc;

	if (strcmp(since, "last") == 0 || all_digits_p(since)) {
		if (!(rc = since_batch(d, since, &batch)))
			rc = select_ids(d, &s, "SELECT DISTINCT entity_id FROM audit"
			                " WHERE batch = ?1 AND entity = 'contact' ORDER BY 1",
			                NULL, batch);
	} else {
		if ((rc = crm_now(&now)))
			return rc;
		if (crm_time_parse(when, since, now))
			return crm_error_set(CRM_EUSAGE, "--since: '%s' is neither an import batch"
			                     " (a number or \"last\") nor a date", since);
		rc = select_ids(d, &s, "SELECT id FROM contacts WHERE updated_at >= ?1 ORDER BY id",
		                when, 0);
	}
	if (rc) {
		free(s.v);
		return rc;
	}
	free(d->fresh);
	d->fresh = s.v;
	d->nfresh = s.n;
	d->since = 1;
	return CRM_OK;
}

void crm_dedup_on_step(crm_dedup *d, void (*fn)(void *arg, const char *step), void *arg)
{
	d->on_step = fn;
	d->step_arg = arg;
}

/* Tells the caller a step starts: what, and how many (n > 0) it takes on. */
static void step(crm_dedup *d, const char *what, const char *of, size_t n)
{
	char text[96];

	if (!d->on_step)
		return;
	if (n)
		snprintf(text, sizeof text, "%s %zu %s", what, n, of);
	else
		snprintf(text, sizeof text, "%s %s", what, of);
	d->on_step(d->step_arg, text);
}

int crm_dedup_run(crm_dedup *d)
{
	int rc;

	step(d, "loading", "contacts", 0);
	if ((rc = dd_load(d)))
		return rc;
	step(d, "blocking", "contacts", d->nrec);
	if ((rc = dd_block(d)))
		return rc;
	step(d, "comparing", "candidate pairs", d->npair);
	if ((rc = dd_compare_all(d)))
		return rc;
	step(d, "estimating", "the model", 0);
	return dd_estimate(d);
}

void crm_dedup_stats(const crm_dedup *d, struct crm_dedup_stats *st)
{
	size_t x, compared = 0;

	for (x = 0; x < d->npair; x++)
		compared += !(d->pattern[x] & DD_SKIPPED);
	st->records = d->nrec;
	st->candidates = compared;
	st->sampled = d->sampled;
	st->iterations = d->model.iterations;
	st->lambda = d->model.lambda;
}

double dd_probability(double w)
{
	return 1.0 / (1.0 + exp2(-w));
}

#define DD_SCALE 1e4 /* 10^CRM_DEDUP_DIGITS */

int dd_reported(const crm_dedup *d, size_t x, double threshold, double *p)
{
	uint64_t pattern = d->pattern[x];

	if (pattern & (DD_SKIPPED | DD_OLD))
		return 0;
	*p = dd_probability(dd_weight(d, &d->rec[d->pair[x] >> 32], pattern));
	/* A quotient of integers, so 9000 / 10^4 is the double "0.9" parses to. */
	return rint(*p * DD_SCALE) / DD_SCALE >= threshold;
}

int dd_evidence_of(const crm_dedup *d, size_t i, size_t j, crm_buf *b)
{
	double sims[DF_N];
	uint64_t pattern = dd_compare(d, &d->rec[i], &d->rec[j], sims);

	crm_buf_clear(b);
	return dd_evidence(b, pattern, sims);
}

int crm_dedup_pairs(crm_dedup *d, double threshold,
                    int (*fn)(void *arg, const struct crm_dedup_pair *p), void *arg)
{
	crm_buf b = CRM_BUF_INIT;
	size_t x;
	int rc = CRM_OK;

	for (x = 0; x < d->npair && !rc; x++) {
		size_t i = d->pair[x] >> 32, j = (uint32_t)d->pair[x];
		struct crm_dedup_pair p;

		if (!dd_reported(d, x, threshold, &p.probability))
			continue;
		if ((rc = dd_evidence_of(d, i, j, &b)))
			break;
		p.a = d->rec[i].id;
		p.b = d->rec[j].id;
		p.weight = dd_weight(d, &d->rec[i], d->pattern[x]);
		p.evidence = crm_buf_str(&b);
		rc = fn(arg, &p);
	}
	crm_buf_free(&b);
	return rc;
}

/* Stores in *i the index of the record with id, which must be loaded. */
static int record_index(const crm_dedup *d, int64_t id, size_t *i)
{
	size_t lo = 0, hi = d->nrec;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (d->rec[mid].id == id) {
			*i = mid;
			return CRM_OK;
		}
		if (d->rec[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return crm_error_set(CRM_ENOTFOUND, "contact %lld is not among the contacts compared"
	                     " (no such live contact, or filtered out)", (long long)id);
}

static int explain_field(const crm_dedup *d, const struct dd_rec *a, const struct dd_rec *b,
                         int f, uint64_t pattern, const double sims[DF_N],
                         int (*fn)(void *arg, const char *const *vals), void *arg)
{
	int l = dd_level(pattern, f), crossed = (pattern & DD_SWAPPED) && f <= DF_LAST;
	int fb = crossed ? (f == DF_FIRST ? DF_LAST : DF_FIRST) : f;
	char how[64], m[32] = "", u[32] = "", w[32];
	const char *vals[CRM_EXPLAIN_COLUMNS];

	snprintf(how, sizeof how, "%s%s", dd_level_name(f, l), crossed ? " (crossed)" : "");
	if (l > 1 && sims[f] > 0 && sims[f] < 1)
		snprintf(how + strlen(how), sizeof how - strlen(how), " %.2f", sims[f]);
	if (l) {
		snprintf(m, sizeof m, "%.4g", d->model.m[f][l]);
		snprintf(u, sizeof u, "%.4g", l == 1 ? dd_value_u(d, a, f) : d->model.u[f][l]);
	}
	snprintf(w, sizeof w, "%.2f", dd_field_weight(d, a, f, l));
	vals[0] = dd_field_name(f);
	vals[1] = a->key[f] ? dd_key(d, a, f) : NULL;
	vals[2] = b->key[fb] ? dd_key(d, b, fb) : NULL;
	vals[3] = how;
	vals[4] = l ? m : NULL;
	vals[5] = l ? u : NULL;
	vals[6] = w;
	return fn(arg, vals);
}

/* The row of the household rule, when it applies: what it takes away. */
static int explain_household(const crm_dedup *d, const struct dd_rec *a, uint64_t pattern,
                             int (*fn)(void *arg, const char *const *vals), void *arg)
{
	const char *vals[CRM_EXPLAIN_COLUMNS] = { 0 };
	double w[DF_N], dropped;
	char weight[32];
	int f;

	if (!dd_household_p(pattern))
		return 0;
	for (f = 0; f < DF_N; f++)
		w[f] = dd_field_weight(d, a, f, dd_level(pattern, f));
	dd_household_sum(pattern, w, &dropped);
	snprintf(weight, sizeof weight, "%.2f", dropped > 0 ? -dropped : 0.0);
	vals[0] = "household";
	vals[3] = dd_apart_p(pattern) ? "two people of one household, kept apart"
	                              : "two people of one household";
	vals[6] = weight;
	return fn(arg, vals);
}

int crm_dedup_explain(crm_dedup *d, int64_t a, int64_t b,
                      int (*fn)(void *arg, const char *const *vals), void *arg)
{
	double sims[DF_N], w;
	char prior[32], total[32], p[32];
	const char *vals[CRM_EXPLAIN_COLUMNS] = { 0 };
	size_t i = 0, j = 0;
	uint64_t pattern;
	int f, rc;

	if ((rc = record_index(d, a, &i)) || (rc = record_index(d, b, &j)))
		return rc;
	pattern = dd_compare(d, &d->rec[i], &d->rec[j], sims);
	for (f = 0; f < DF_N; f++)
		if ((rc = explain_field(d, &d->rec[i], &d->rec[j], f, pattern, sims, fn, arg)))
			return rc;
	if ((rc = explain_household(d, &d->rec[i], pattern, fn, arg)))
		return rc;
	w = dd_weight(d, &d->rec[i], pattern);
	snprintf(prior, sizeof prior, "%.2f", d->model.prior);
	snprintf(total, sizeof total, "%.2f", w);
	snprintf(p, sizeof p, "probability %.6f", dd_probability(w));
	vals[0] = "prior";
	vals[6] = prior;
	if ((rc = fn(arg, vals)))
		return rc;
	vals[0] = "total";
	vals[3] = p;
	vals[6] = total;
	return fn(arg, vals);
}

void crm_dedup_free(crm_dedup *d)
{
	if (!d)
		return;
	free(d->rec);
	free(d->arena);
	free(d->only);
	free(d->fresh);
	free(d->pair);
	free(d->pattern);
	free(d);
}
