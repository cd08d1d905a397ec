/* dedup.c - a dedup run: its options, its steps, and what it reports. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/date.h"
#include "dedup_impl.h"

int crm_dedup_new(crm_dedup **out, crm_db *db)
{
	crm_dedup *d = calloc(1, sizeof *d);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*out = NULL;
	if (!d)
		return crm_error_nomem();
	d->db = db;
	d->threads = cpus > 0 ? (int)cpus : 1;
	d->stride = 1;
	*out = d;
	return CRM_OK;
}

void crm_dedup_threads(crm_dedup *d, int n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	d->threads = n > 0 ? n : cpus > 0 ? (int)cpus : 1;
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
	sqlite3_stmt *st;
	int rc;

	if ((rc = crm_db_prepare(d->db, &st, sql)))
		return rc;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, num);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (ids_add(s, sqlite3_column_int64(st, 0))) {
			sqlite3_finalize(st);
			return CRM_ENOMEM;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : crm_db_fail(d->db, rc, "cannot read contacts");
}

/* Stores in *batch the import batch since names: "last" or a number. */
static int since_batch(crm_dedup *d, const char *since, int64_t *batch)
{
	sqlite3_stmt *st;
	int rc, found;

	if (strcmp(since, "last") == 0) {
		rc = crm_db_stmt(d->db, &st, "SELECT max(id) FROM import_batches WHERE undone_at IS NULL");
	} else {
		rc = crm_db_stmt(d->db, &st, "SELECT id FROM import_batches WHERE id = ?1");
		if (!rc)
			sqlite3_bind_int64(st, 1, strtoll(since, NULL, 10));
	}
	if (rc)
		return rc;
	found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	*batch = found ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
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

static double probability(double w)
{
	return 1.0 / (1.0 + exp2(-w));
}

/* Whether candidate x is reported, and its probability in *p. */
static int reported(const crm_dedup *d, size_t x, double threshold, double *p)
{
	uint64_t pattern = d->pattern[x];

	if (pattern & (DD_SKIPPED | DD_OLD))
		return 0;
	*p = probability(dd_weight(d, &d->rec[d->pair[x] >> 32], pattern));
	return *p >= threshold;
}

/* Appends the evidence for records i and j to b (emptied first). */
static int evidence_of(const crm_dedup *d, size_t i, size_t j, crm_buf *b)
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

		if (!reported(d, x, threshold, &p.probability))
			continue;
		if ((rc = evidence_of(d, i, j, &b)))
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

/* Union-find over record indexes, with path halving. */
static uint32_t find(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* The clusters being reported: each record's root, its best pair, and
 * the records ordered by cluster. */
struct clustering {
	uint32_t *parent, *size, *partner, *order;
	double *best;
	long *number;
	size_t n;
};

static void clustering_free(struct clustering *c)
{
	free(c->parent);
	free(c->size);
	free(c->partner);
	free(c->order);
	free(c->best);
	free(c->number);
}

static int clustering_new(struct clustering *c, size_t n)
{
	size_t i;

	c->n = n;
	n = n ? n : 1;
	c->parent = malloc(n * sizeof *c->parent);
	c->size = calloc(n, sizeof *c->size);
	c->partner = malloc(n * sizeof *c->partner);
	c->order = malloc(n * sizeof *c->order);
	c->best = calloc(n, sizeof *c->best);
	c->number = calloc(n, sizeof *c->number);
	if (!c->parent || !c->size || !c->partner || !c->order || !c->best || !c->number) {
		clustering_free(c);
		return crm_error_nomem();
	}
	for (i = 0; i < c->n; i++)
		c->parent[i] = (uint32_t)i;
	return CRM_OK;
}

static void note_best(struct clustering *c, uint32_t i, uint32_t j, double p)
{
	if (p > c->best[i]) {
		c->best[i] = p;
		c->partner[i] = j;
	}
}

/* Joins the records of every reported pair, noting each one's best pair. */
static void join_pairs(const crm_dedup *d, struct clustering *c, double threshold)
{
	size_t x;

	for (x = 0; x < d->npair; x++) {
		uint32_t a = (uint32_t)(d->pair[x] >> 32), b = (uint32_t)d->pair[x];
		double p;

		if (!reported(d, x, threshold, &p))
			continue;
		note_best(c, a, b, p);
		note_best(c, b, a, p);
		a = find(c->parent, a);
		b = find(c->parent, b);
		if (a != b)
			c->parent[a > b ? a : b] = a < b ? a : b;
	}
}

/* Numbers the clusters of two or more in the order of their first
 * (lowest-id) record; returns how many there are. */
static long number_clusters(struct clustering *c)
{
	long clusters = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		c->size[find(c->parent, (uint32_t)i)]++;
	for (i = 0; i < c->n; i++) {
		uint32_t r = find(c->parent, (uint32_t)i);

		if (c->size[r] < 2)
			continue;
		if (!c->number[r])
			c->number[r] = ++clusters;
		c->number[i] = c->number[r];
	}
	return clusters;
}

/* Lists the clustered records cluster by cluster in c->order (a counting
 * sort, stable, so members stay in id order); returns how many, or
 * (size_t)-1 when out of memory. */
static size_t order_members(struct clustering *c, long clusters)
{
	size_t *start = calloc((size_t)clusters + 2, sizeof *start), i, n;
	long k;

	if (!start)
		return (size_t)-1;
	for (i = 0; i < c->n; i++)
		if (c->number[i])
			start[c->number[i] + 1]++;
	for (k = 1; k <= clusters + 1; k++)
		start[k] += start[k - 1];
	for (i = 0; i < c->n; i++)
		if (c->number[i])
			c->order[start[c->number[i]]++] = (uint32_t)i;
	n = start[clusters];
	free(start);
	return n;
}

static size_t cluster(const crm_dedup *d, struct clustering *c, double threshold)
{
	join_pairs(d, c, threshold);
	return order_members(c, number_clusters(c));
}

int crm_dedup_clusters(crm_dedup *d, double threshold,
                       int (*fn)(void *arg, const struct crm_dedup_member *m), void *arg)
{
	struct clustering c;
	crm_buf b = CRM_BUF_INIT;
	size_t k, n;
	int rc;

	if ((rc = clustering_new(&c, d->nrec)))
		return rc;
	if ((n = cluster(d, &c, threshold)) == (size_t)-1) {
		clustering_free(&c);
		return crm_error_nomem();
	}
	for (k = 0; k < n && !rc; k++) {
		uint32_t i = c.order[k];
		const struct dd_rec *r = &d->rec[i];
		struct crm_dedup_member m = {
			.cluster = c.number[i], .id = r->id, .probability = c.best[i],
			.partner = d->rec[c.partner[i]].id,
			.first_name = dd_show(d, r, DS_FIRST), .last_name = dd_show(d, r, DS_LAST),
			.email = dd_show(d, r, DS_EMAIL), .updated_at = dd_show(d, r, DS_UPDATED),
		};

		if ((rc = evidence_of(d, i, c.partner[i], &b)))
			break;
		m.evidence = crm_buf_str(&b);
		rc = fn(arg, &m);
	}
	crm_buf_free(&b);
	clustering_free(&c);
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
	w = dd_weight(d, &d->rec[i], pattern);
	snprintf(prior, sizeof prior, "%.2f", d->model.prior);
	snprintf(total, sizeof total, "%.2f", w);
	snprintf(p, sizeof p, "probability %.6f", probability(w));
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
