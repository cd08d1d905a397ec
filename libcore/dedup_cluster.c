/* dedup_cluster.c - joining the scored pairs into clusters, one per person.
 *
 * A cluster is what the pairs at or above the threshold join, with one
 * exception: two records whose emails differ, and whose first names or
 * birth dates differ as well (dd_apart_p), are two people, and never end
 * up in one cluster through a third record.  Pairs are joined strongest
 * first, and a join that would bring two such records together is left
 * out, so a duplicate of one twin joins that twin and not the other too.
 * Records without an email are never kept apart this way: a first name
 * and a birth date can both be wrong in one record.
 */
#include <stdlib.h>
#include <string.h>

#include "dedup_impl.h"

/* Union-find over record indexes, with path halving; each root also
 * heads a circular list of its cluster's members (next) and counts the
 * apart-pairs its members are in. */
struct clustering {
	uint32_t *parent, *next, *size, *partner, *order;
	uint32_t *start, *apart; /* record i must stay apart from apart[start[i] .. start[i+1]) */
	size_t *napart;
	double *best;
	long *number;
	size_t n;
};

/* A pair to join: candidate x, scored p. */
struct join {
	double p;
	size_t x;
};

static uint32_t find(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void clustering_free(struct clustering *c)
{
	free(c->parent);
	free(c->next);
	free(c->size);
	free(c->partner);
	free(c->order);
	free(c->start);
	free(c->apart);
	free(c->napart);
	free(c->best);
	free(c->number);
}

static int clustering_new(struct clustering *c, size_t n)
{
	size_t i;

	memset(c, 0, sizeof *c);
	c->n = n;
	n = n ? n : 1;
	c->parent = malloc(n * sizeof *c->parent);
	c->next = malloc(n * sizeof *c->next);
	c->size = calloc(n, sizeof *c->size);
	c->partner = malloc(n * sizeof *c->partner);
	c->order = malloc(n * sizeof *c->order);
	c->start = calloc(n + 1, sizeof *c->start);
	c->napart = calloc(n, sizeof *c->napart);
	c->best = calloc(n, sizeof *c->best);
	c->number = calloc(n, sizeof *c->number);
	if (!c->parent || !c->next || !c->size || !c->partner || !c->order || !c->start ||
	    !c->napart || !c->best || !c->number) {
		clustering_free(c);
		return crm_error_nomem();
	}
	for (i = 0; i < c->n; i++)
		c->parent[i] = c->next[i] = (uint32_t)i;
	return CRM_OK;
}

static int join_cmp(const void *a, const void *b)
{
	const struct join *x = a, *y = b;

	if (x->p != y->p)
		return x->p > y->p ? -1 : 1;
	return (x->x > y->x) - (x->x < y->x);
}

/* Appends x to the growing array *v of *n (capacity *cap) elements of size. */
static int push(void **v, size_t *n, size_t *cap, size_t size, const void *x)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 1024;
		void *p = realloc(*v, c * size);

		if (!p)
			return crm_error_nomem();
		*v = p;
		*cap = c;
	}
	memcpy((char *)*v + (*n)++ * size, x, size);
	return CRM_OK;
}

/* Lists in c, for each record, the records it must stay apart from: both
 * records of each of the n apart-pairs (candidate indexes) list the other. */
static int list_apart(const crm_dedup *d, struct clustering *c, const size_t *apart, size_t n)
{
	size_t k, i;

	for (k = 0; k < n; k++) {
		c->napart[d->pair[apart[k]] >> 32]++;
		c->napart[(uint32_t)d->pair[apart[k]]]++;
	}
	for (i = 0; i < c->n; i++)
		c->start[i + 1] = c->start[i] + (uint32_t)c->napart[i];
	if (!(c->apart = malloc((2 * n + 1) * sizeof *c->apart)))
		return crm_error_nomem();
	for (k = 0; k < n; k++) {
		uint32_t a = (uint32_t)(d->pair[apart[k]] >> 32), b = (uint32_t)d->pair[apart[k]];

		c->apart[c->start[a + 1] - c->napart[a]--] = b;
		c->apart[c->start[b + 1] - c->napart[b]--] = a;
	}
	for (i = 0; i < c->n; i++)
		c->napart[i] = c->start[i + 1] - c->start[i];
	return CRM_OK;
}

/* Sorts out the candidates: the pairs to join into *joins (strongest
 * first), and the pairs that must stay apart into c's lists. */
static int scan_pairs(const crm_dedup *d, struct clustering *c, double threshold,
                      struct join **joins, size_t *njoin)
{
	size_t x, napart = 0, cap = 0, jcap = 0, *apart = NULL;
	struct join j;
	int rc = CRM_OK;

	*joins = NULL;
	*njoin = 0;
	for (x = 0; x < d->npair && !rc; x++) {
		if (dd_reported(d, x, threshold, &j.p)) {
			j.x = x;
			rc = push((void **)joins, njoin, &jcap, sizeof j, &j);
		} else if (!(d->pattern[x] & (DD_SKIPPED | DD_OLD)) && dd_apart_p(d->pattern[x])) {
			rc = push((void **)&apart, &napart, &cap, sizeof x, &x);
		}
	}
	if (!rc) {
		qsort(*joins, *njoin, sizeof **joins, join_cmp);
		rc = list_apart(d, c, apart, napart);
	}
	free(apart);
	if (rc) {
		free(*joins);
		*joins = NULL;
	}
	return rc;
}

/* Whether a member of the cluster rooted at r must stay apart from a
 * member of the cluster rooted at o. */
static int kept_apart(struct clustering *c, uint32_t r, uint32_t o)
{
	uint32_t m = r, k;

	do {
		for (k = c->start[m]; k < c->start[m + 1]; k++)
			if (find(c->parent, c->apart[k]) == o)
				return 1;
		m = c->next[m];
	} while (m != r);
	return 0;
}

/* Joins the clusters of records a and b, unless that would put two
 * records that must stay apart together.  The lower index is the root. */
static void join(struct clustering *c, uint32_t a, uint32_t b)
{
	uint32_t t;

	a = find(c->parent, a);
	b = find(c->parent, b);
	if (a == b)
		return;
	if (c->napart[a] && c->napart[b] &&
	    (c->napart[a] <= c->napart[b] ? kept_apart(c, a, b) : kept_apart(c, b, a)))
		return;
	if (a > b) {
		t = a;
		a = b;
		b = t;
	}
	c->parent[b] = a;
	c->napart[a] += c->napart[b];
	t = c->next[a];
	c->next[a] = c->next[b];
	c->next[b] = t;
}

static void note_best(struct clustering *c, uint32_t i, uint32_t j, double p)
{
	if (p > c->best[i]) {
		c->best[i] = p;
		c->partner[i] = j;
	}
}

/* Joins the reported pairs strongest first, then notes each record's
 * strongest pair inside its cluster. */
static int join_pairs(const crm_dedup *d, struct clustering *c, double threshold)
{
	struct join *joins;
	size_t k, n;
	int rc = scan_pairs(d, c, threshold, &joins, &n);

	if (rc)
		return rc;
	for (k = 0; k < n; k++)
		join(c, (uint32_t)(d->pair[joins[k].x] >> 32), (uint32_t)d->pair[joins[k].x]);
	for (k = 0; k < n; k++) {
		uint32_t a = (uint32_t)(d->pair[joins[k].x] >> 32), b = (uint32_t)d->pair[joins[k].x];

		if (find(c->parent, a) != find(c->parent, b))
			continue;
		note_best(c, a, b, joins[k].p);
		note_best(c, b, a, joins[k].p);
	}
	free(joins);
	return CRM_OK;
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

int crm_dedup_clusters(crm_dedup *d, double threshold,
                       int (*fn)(void *arg, const struct crm_dedup_member *m), void *arg)
{
	struct clustering c;
	crm_buf b = CRM_BUF_INIT;
	size_t k, n;
	int rc;

	if ((rc = clustering_new(&c, d->nrec)))
		return rc;
	if ((rc = join_pairs(d, &c, threshold)) ||
	    (n = order_members(&c, number_clusters(&c))) == (size_t)-1) {
		clustering_free(&c);
		return rc ? rc : crm_error_nomem();
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

		if ((rc = dd_evidence_of(d, i, c.partner[i], &b)))
			break;
		m.evidence = crm_buf_str(&b);
		rc = fn(arg, &m);
	}
	crm_buf_free(&b);
	clustering_free(&c);
	return rc;
}
