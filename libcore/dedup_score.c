/* dedup_score.c - comparing pairs and estimating the Fellegi-Sunter model.
 *
 * Each field of a pair is put on a level of agreement (exact, nickname,
 * close, ..., different; 0 when either side is missing).  Among true
 * matches a level has probability m, among random pairs u; agreeing at a
 * level adds log2(m/u) bits of evidence, and a missing value adds none.
 * u comes from comparing random pairs (for exact agreement, from how often
 * each value occurs); m comes from expectation-maximisation over the
 * candidate pairs, which separates them into a matching and a non-matching
 * class without any labelled examples.  An exact agreement is then weighed
 * by how common the shared value is: sharing a rare surname is strong
 * evidence, sharing "Smith" weak.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/simil.h"
#include "dedup_impl.h"

#define SAMPLE_MAX 200000 /* random pairs compared to estimate u */
#define EM_MAX_ITER 200
#define EM_EPSILON 1e-7
#define PRIOR_STRENGTH 10.0 /* pseudo-pairs pulling m towards its default */
#define U_PRIOR_PAIRS 1000.0 /* pseudo-pairs pulling u towards its default */
#define PARALLEL_MIN 20000  /* fewer items than this run on one thread */

typedef int (*level_fn)(const char *a, const char *b, double *sim);

struct fieldspec {
	const char *name; /* the contact field */
	int nlevels;
	const char *level[DD_LEVELS];
	double m0[DD_LEVELS]; /* default m, before the data speaks */
	double u0[DD_LEVELS]; /* default u, likewise */
	level_fn level_of;
};

static int name_level(const char *a, const char *b, double *sim)
{
	double s;

	if (strcmp(a, b) == 0)
		return *sim = 1.0, 1;
	if (crm_nickname_p(a, b))
		return *sim = 1.0, 2;
	s = *sim = crm_jaro_winkler(a, b);
	if (s >= 0.94)
		return 3;
	if (s >= 0.88)
		return 4;
	/* An initial against the full name: "J" and "John". */
	if (s >= 0.75 || ((!a[1] || !b[1]) && a[0] == b[0]))
		return 5;
	return 6;
}

static int email_level(const char *a, const char *b, double *sim)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');
	char la[256], lb[256];

	if (strcmp(a, b) == 0)
		return *sim = 1.0, 1;
	if (!at_a || !at_b || at_a - a >= 256 || at_b - b >= 256)
		return *sim = 0.0, 3;
	memcpy(la, a, (size_t)(at_a - a));
	la[at_a - a] = '\0';
	memcpy(lb, b, (size_t)(at_b - b));
	lb[at_b - b] = '\0';
	/* The same mailbox name at another provider: a changed job or ISP.
	 * A merely similar mailbox is no evidence: namesakes have them. */
	*sim = strcmp(la, lb) == 0;
	return *sim ? 2 : 3;
}

static int phone_level(const char *a, const char *b, double *sim)
{
	size_t na = strlen(a), nb = strlen(b);

	*sim = strcmp(a, b) == 0;
	if (*sim)
		return 1;
	/* The subscriber number read under another country code, or a typo. */
	if ((na >= 7 && nb >= 7 && strcmp(a + na - 7, b + nb - 7) == 0) || crm_damerau(a, b) <= 1)
		return 2;
	return 3;
}

/* Whether dates a and b (YYYYMMDD) are one date with its day and month
 * read the other way round, as 03/12 against 12/03. */
static int day_month_swapped(const char *a, const char *b)
{
	return strlen(a) == 8 && strlen(b) == 8 && !strncmp(a, b, 4) && !strncmp(a + 4, b + 6, 2) &&
	       !strncmp(a + 6, b + 4, 2);
}

/* A typo (one edit, a transposition among them) or the day and month
 * swapped is one date entered twice; any other difference is two dates,
 * however few digits it takes: 1970 and 1985 are two edits apart. */
static int date_level(const char *a, const char *b, double *sim)
{
	int e = crm_damerau(a, b);

	*sim = e;
	return e == 0 ? 1 : e == 1 || day_month_swapped(a, b) ? 2 : 3;
}

static int words_level(const char *a, const char *b, double *sim)
{
	if (strcmp(a, b) == 0)
		return *sim = 1.0, 1;
	*sim = crm_token_similarity(a, b);
	return *sim >= 0.9 ? 2 : *sim >= 0.75 ? 3 : 4;
}

static int city_level(const char *a, const char *b, double *sim)
{
	if (strcmp(a, b) == 0)
		return *sim = 1.0, 1;
	*sim = crm_jaro_winkler(a, b);
	return *sim >= 0.92 ? 2 : *sim >= 0.8 ? 3 : 4;
}

static int code_level(const char *a, const char *b, double *sim)
{
	int e = crm_damerau(a, b);

	*sim = e;
	return e == 0 ? 1 : e == 1 ? 2 : 3;
}

static int exact_level(const char *a, const char *b, double *sim)
{
	*sim = strcmp(a, b) == 0;
	return *sim ? 1 : 2;
}

#define NAME_LEVELS { NULL, "exact", "nickname", "very similar", "similar", \
		      "somewhat similar", "different" }
#define NAME_M0 { 0, 0.80, 0.02, 0.08, 0.04, 0.03, 0.03 }
#define NAME_U0 { 0, 0.005, 0.0005, 0.002, 0.01, 0.05, 0.9325 }
#define WORDS_LEVELS { NULL, "exact", "very similar", "similar", "different" }

/* The defaults m0 and u0 are what a small database is scored with: they
 * count as U_PRIOR_PAIRS (u) and PRIOR_STRENGTH (m) pairs of evidence, so
 * a few hundred records lean on them and a million are scored by what
 * their own data says. */
static const struct fieldspec fields[DF_N] = {
	[DF_FIRST] = { "first_name", 6, NAME_LEVELS, NAME_M0, NAME_U0, name_level },
	[DF_LAST] = { "last_name", 6, NAME_LEVELS, NAME_M0, NAME_U0, name_level },
	[DF_EMAIL] = { "email", 3, { NULL, "exact", "same mailbox", "different" },
		       { 0, 0.85, 0.05, 0.10 }, { 0, 1e-6, 1e-5, 0.999989 }, email_level },
	[DF_PHONE] = { "phone", 3, { NULL, "exact", "nearly", "different" },
		       { 0, 0.85, 0.08, 0.07 }, { 0, 1e-6, 1e-4, 0.999899 }, phone_level },
	[DF_BIRTH] = { "birth_date", 3, { NULL, "exact", "nearly", "different" },
		       { 0, 0.85, 0.10, 0.05 }, { 0, 1e-4, 2e-3, 0.9979 }, date_level },
	[DF_STREET] = { "street", 4, WORDS_LEVELS, { 0, 0.75, 0.10, 0.08, 0.07 },
			{ 0, 1e-4, 1e-3, 0.01, 0.9889 }, words_level },
	[DF_CITY] = { "city", 4, WORDS_LEVELS, { 0, 0.80, 0.08, 0.05, 0.07 },
		      { 0, 0.05, 0.01, 0.03, 0.91 }, city_level },
	[DF_POSTCODE] = { "postal_code", 3, { NULL, "exact", "1 edit", "different" },
			  { 0, 0.85, 0.08, 0.07 }, { 0, 1e-3, 0.01, 0.989 }, code_level },
	[DF_REGION] = { "region", 2, { NULL, "exact", "different" }, { 0, 0.90, 0.10 },
			{ 0, 0.2, 0.8 }, exact_level },
	[DF_COMPANY] = { "company", 4, WORDS_LEVELS, { 0, 0.70, 0.10, 0.10, 0.10 },
			 { 0, 1e-3, 0.005, 0.01, 0.984 }, words_level },
};

const char *dd_field_name(int f)
{
	return fields[f].name;
}

const char *dd_level_name(int f, int l)
{
	return l ? fields[f].level[l] : "missing";
}

/* Whether s, a folded key, is all ASCII: Latin letters fold to it, and
 * names in other scripts (राहुल, 山田) stay as written. */
static int ascii_p(const char *s)
{
	while (*s && !((unsigned char)*s & 0x80))
		s++;
	return !*s;
}

/* A name in Latin letters against one in a script that does not fold
 * to them (Rahul and राहुल) is compared as missing: the two say nothing
 * of each other, and calling them different would take the pair for two
 * people of one household. */
static int compare_field(const crm_dedup *d, const struct dd_rec *a, const struct dd_rec *b,
                         int f, int fb, double *sim)
{
	const char *x, *y;

	*sim = 0.0;
	if (!a->key[f] || !b->key[fb])
		return 0;
	x = dd_key(d, a, f);
	y = dd_key(d, b, fb);
	if ((f == DF_FIRST || f == DF_LAST) && ascii_p(x) != ascii_p(y))
		return 0;
	return fields[f].level_of(x, y, sim);
}

/* Whether s is x then y, with one space between or none. */
static int joined(const char *s, const char *x, const char *y)
{
	size_t n = strlen(x);

	if (strncmp(s, x, n))
		return 0;
	s += n;
	return !strcmp(s + (*s == ' '), y);
}

/* The name field of record one that holds a whole name, the other field
 * empty, which record two writes in both, in either order: "Ada
 * Lovelace" in first_name against Ada and Lovelace, and 山田太郎, as
 * Japanese and Chinese write a name, without a space, against 太郎 and
 * 山田; -1 for none. */
static int whole_name(const crm_dedup *d, const struct dd_rec *one, const struct dd_rec *two)
{
	const char *lone, *first, *last;
	int f = one->key[DF_FIRST] ? DF_FIRST : DF_LAST;

	if (!two->key[DF_FIRST] || !two->key[DF_LAST] || !one->key[DF_FIRST] == !one->key[DF_LAST])
		return -1;
	lone = dd_key(d, one, f);
	first = dd_key(d, two, DF_FIRST);
	last = dd_key(d, two, DF_LAST);
	return joined(lone, first, last) || joined(lone, last, first) ? f : -1;
}

uint64_t dd_compare(const crm_dedup *d, const struct dd_rec *a, const struct dd_rec *b,
                    double sims[DF_N])
{
	double s[DF_N], cross[2];
	uint64_t pattern = 0;
	int f, level[DF_N], lf, ll;

	if (!sims)
		sims = s;
	for (f = 0; f < DF_N; f++)
		level[f] = compare_field(d, a, b, f, f, &sims[f]);
	/* Names entered in the wrong fields: compare them crossed, and keep
	 * that reading when both names agree closely that way and not this
	 * (one may be a little further off when the other agrees outright). */
	if (level[DF_FIRST] > 3 && level[DF_LAST] > 3) {
		lf = compare_field(d, a, b, DF_FIRST, DF_LAST, &cross[0]);
		ll = compare_field(d, a, b, DF_LAST, DF_FIRST, &cross[1]);
		if (lf && ll && ((lf <= 3 && ll <= 3) || (lf <= 2 && ll <= 4) || (ll <= 2 && lf <= 4))) {
			level[DF_FIRST] = lf;
			level[DF_LAST] = ll;
			sims[DF_FIRST] = cross[0];
			sims[DF_LAST] = cross[1];
			pattern |= DD_SWAPPED;
		}
	}
	/* The whole name agrees: its field is an exact agreement (the empty
	 * one stays missing, no evidence either way). */
	if ((f = whole_name(d, a, b)) >= 0 || (f = whole_name(d, b, a)) >= 0) {
		level[f] = 1;
		sims[f] = 1.0;
	}
	for (f = 0; f < DF_N; f++)
		pattern |= (uint64_t)level[f] << (f * DD_LEVEL_BITS);
	return pattern;
}

/* Whether a level's name needs the similarity beside it to say how close:
 * the Jaro-Winkler and word scores; edit counts are in the name. */
static int scored_level_p(int f, int l)
{
	level_fn fn = fields[f].level_of;

	return l > 1 && l < DD_LEVELS && (fn == name_level || fn == city_level || fn == words_level) &&
	       strcmp(fields[f].level[l], "nickname") != 0;
}

int dd_evidence(crm_buf *b, uint64_t pattern, const double sims[DF_N])
{
	const char *sep = "";
	int f, l, rc = CRM_OK;

	if (pattern & DD_SWAPPED) {
		rc = crm_buf_puts(b, "names swapped");
		sep = "; ";
	}
	for (f = 0; f < DF_N && !rc; f++) {
		if (!(l = dd_level(pattern, f)))
			continue;
		rc = crm_buf_printf(b, "%s%s %s", sep, fields[f].name, fields[f].level[l]);
		if (!rc && scored_level_p(f, l))
			rc = crm_buf_printf(b, " %.2f", sims[f]);
		sep = "; ";
	}
	if (!rc && dd_household_p(pattern))
		rc = crm_buf_printf(b, "%shousehold: two people", sep);
	return rc;
}

/* Running work on several threads. */
struct job {
	void (*fn)(void *arg, size_t lo, size_t hi);
	void *arg;
	size_t lo, hi;
};

static void *job_run(void *p)
{
	struct job *j = p;

	j->fn(j->arg, j->lo, j->hi);
	return NULL;
}

void dd_parallel(const crm_dedup *d, size_t n, void (*fn)(void *arg, size_t lo, size_t hi),
                void *arg)
{
	enum { MAX_THREADS = 64 };
	struct job jobs[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	char started[MAX_THREADS] = { 0 };
	int t, nt = d->threads < 1 ? 1 : d->threads > MAX_THREADS ? MAX_THREADS : d->threads;

	if (n < PARALLEL_MIN)
		nt = 1;
	for (t = 0; t < nt; t++) {
		jobs[t] = (struct job){ fn, arg, n * t / nt, n * (t + 1) / nt };
		/* The last share, or one no thread could be started for, runs
		 * here: the result is the same, only later. */
		if (t < nt - 1 && pthread_create(&tid[t], NULL, job_run, &jobs[t]) == 0)
			started[t] = 1;
		else
			job_run(&jobs[t]);
	}
	for (t = 0; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
}

/* Comparing the candidates.  After --since, pairs of two old records are
 * not reported, so only every stride-th is compared: enough to estimate
 * the model from, counted stride times. */
#define ESTIMATE_MAX 200000

static void compare_range(void *arg, size_t lo, size_t hi)
{
	crm_dedup *d = arg;
	size_t x;

	for (x = lo; x < hi; x++) {
		const struct dd_rec *a = &d->rec[d->pair[x] >> 32];
		const struct dd_rec *b = &d->rec[(uint32_t)d->pair[x]];

		if (a->fresh || b->fresh)
			d->pattern[x] = dd_compare(d, a, b, NULL);
		else if (x % d->stride == 0)
			d->pattern[x] = dd_compare(d, a, b, NULL) | DD_OLD;
		else
			d->pattern[x] = DD_SKIPPED;
	}
}

int dd_compare_all(crm_dedup *d)
{
	size_t x, old = 0;

	if (!(d->pattern = malloc((d->npair ? d->npair : 1) * sizeof *d->pattern)))
		return crm_error_nomem();
	for (x = 0; d->since && x < d->npair; x++)
		old += !d->rec[d->pair[x] >> 32].fresh && !d->rec[(uint32_t)d->pair[x]].fresh;
	d->stride = old > ESTIMATE_MAX ? old / ESTIMATE_MAX : 1;
	dd_parallel(d, d->npair, compare_range, d);
	return CRM_OK;
}

/* Estimating u: the levels of random pairs, counted per field. */
struct sample {
	crm_dedup *d;
	pthread_mutex_t lock;
	double count[DF_N][DD_LEVELS];
};

/* splitmix64: random pair x of the sample, the same on any thread. */
static uint64_t mix(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

static void sample_range(void *arg, size_t lo, size_t hi)
{
	struct sample *s = arg;
	const crm_dedup *d = s->d;
	double count[DF_N][DD_LEVELS] = { { 0 } };
	size_t x;
	int f;

	for (x = lo; x < hi; x++) {
		uint64_t r = mix(x);
		size_t i = (size_t)((r >> 32) % d->nrec), j = (size_t)((uint32_t)r % (d->nrec - 1));
		uint64_t p;

		j += j >= i;
		p = dd_compare(d, &d->rec[i], &d->rec[j], NULL);
		for (f = 0; f < DF_N; f++)
			count[f][dd_level(p, f)]++;
	}
	pthread_mutex_lock(&s->lock);
	for (f = 0; f < DF_N; f++)
		for (int l = 0; l < DD_LEVELS; l++)
			s->count[f][l] += count[f][l];
	pthread_mutex_unlock(&s->lock);
}

/* The chance that two random records agree exactly on field f, from how
 * many records share each value: sum of c(c-1) over n(n-1). */
static double exact_u(const crm_dedup *d, int f)
{
	double shared = 0.0, n = (double)d->model.present[f];
	size_t i;

	for (i = 0; i < d->nrec; i++)
		if (d->rec[i].key[f])
			shared += d->rec[i].tf[f] - 1;
	return (shared + U_PRIOR_PAIRS * fields[f].u0[1]) / (n * (n - 1) + U_PRIOR_PAIRS);
}

static void estimate_u(crm_dedup *d)
{
	struct sample s = { .d = d };
	double total_pairs = (double)d->nrec * (d->nrec - 1) / 2;
	size_t n = total_pairs < SAMPLE_MAX ? (size_t)total_pairs : SAMPLE_MAX;
	int f, l;

	pthread_mutex_init(&s.lock, NULL);
	if (n)
		dd_parallel(d, n, sample_range, &s);
	pthread_mutex_destroy(&s.lock);
	d->sampled = n;
	for (f = 0; f < DF_N; f++) {
		int nl = fields[f].nlevels;
		double other = 0.0, exact = exact_u(d, f);

		for (l = 2; l <= nl; l++)
			other += s.count[f][l] + U_PRIOR_PAIRS * fields[f].u0[l];
		d->model.u[f][1] = exact;
		for (l = 2; l <= nl; l++)
			d->model.u[f][l] = (1.0 - exact) *
			                   (s.count[f][l] + U_PRIOR_PAIRS * fields[f].u0[l]) / other;
	}
}

/* The distinct patterns of compared candidates and how many pairs show
 * each (a sampled pair of old records stands for stride pairs). */
struct histogram {
	uint64_t *pattern;
	double *count;
	size_t n;
	double total;
};

#define FIELD(f) (1u << (f))
#define LEVEL_MASK(f) (((UINT64_C(1) << DD_LEVEL_BITS) - 1) << ((f) * DD_LEVEL_BITS))

static void histogram_free(struct histogram *h)
{
	free(h->pattern);
	free(h->count);
}

/* Builds the histogram of the n compared pairs' patterns that agree
 * exactly on every field of rule (a set of FIELD bits; 0 takes them all),
 * with those fields then left out.  A pattern marked DD_OLD stands for
 * stride pairs; skipped ones are left out. */
static int histogram_build(const uint64_t *pattern, size_t n_in, size_t stride, unsigned rule,
                           struct histogram *h)
{
	size_t x, n = 0;
	int f, rc;

	memset(h, 0, sizeof *h);
	h->pattern = malloc((n_in ? n_in : 1) * sizeof *h->pattern);
	h->count = malloc((n_in ? n_in : 1) * sizeof *h->count);
	if (!h->pattern || !h->count)
		return crm_error_nomem();
	for (x = 0; x < n_in; x++) {
		uint64_t p = pattern[x] & ~DD_SWAPPED;

		if (p & DD_SKIPPED)
			continue;
		for (f = 0; f < DF_N; f++) {
			if (!(rule & FIELD(f)))
				continue;
			if (dd_level(p, f) != 1)
				break;
			p &= ~LEVEL_MASK(f);
		}
		if (f == DF_N)
			h->pattern[n++] = p;
	}
	if ((rc = dd_radix_sort(h->pattern, n)))
		return rc;
	for (x = 0; x < n; x++) {
		double c = (h->pattern[x] & DD_OLD) ? (double)stride : 1.0;

		if (h->n == 0 || h->pattern[h->n - 1] != h->pattern[x]) {
			h->pattern[h->n] = h->pattern[x];
			h->count[h->n++] = 0.0;
		}
		h->count[h->n - 1] += c;
		h->total += c;
	}
	return CRM_OK;
}

/* One EM step with u held at its random-pair value: the posterior match
 * probability of each pattern, then lambda and (when m_too) m estimated
 * again from them.  Returns the largest change of a parameter. */
static double em_step(double m[DF_N][DD_LEVELS], const double u[DF_N][DD_LEVELS],
                      double *lambda, const struct histogram *h, int m_too)
{
	double am[DF_N][DD_LEVELS] = { { 0 } }, matched = 0.0, change = 0.0, g;
	double prior = log(*lambda / (1.0 - *lambda));
	size_t k;
	int f, l;

	for (k = 0; k < h->n; k++) {
		double w[DF_N];

		for (f = 0; f < DF_N; f++) {
			l = dd_level(h->pattern[k], f);
			w[f] = l ? log(m[f][l] / u[f][l]) : 0.0;
		}
		/* The posterior of a match, scored as pairs are (with the
		 * household rule), so relatives train the non-matches. */
		g = h->count[k] / (1.0 + exp(-(prior + dd_household_sum(h->pattern[k], w, NULL))));
		matched += g;
		for (f = 0; f < DF_N; f++)
			am[f][dd_level(h->pattern[k], f)] += g;
	}
	for (f = 0; m_too && f < DF_N; f++) {
		double sum = PRIOR_STRENGTH;

		for (l = 1; l <= fields[f].nlevels; l++)
			sum += am[f][l];
		for (l = 1; l <= fields[f].nlevels; l++) {
			double v = (am[f][l] + PRIOR_STRENGTH * fields[f].m0[l]) / sum;

			change = fmax(change, fabs(v - m[f][l]));
			m[f][l] = v;
		}
	}
	matched = fmin(fmax(matched / h->total, 1e-9), 1.0 - 1e-9);
	change = fmax(change, fabs(matched - *lambda));
	*lambda = matched;
	return change;
}

/* Runs EM to convergence; returns the iterations taken. */
static int em(double m[DF_N][DD_LEVELS], const double u[DF_N][DD_LEVELS], double *lambda,
              const struct histogram *h, int m_too)
{
	int it = 0;

	while (h->n && it < EM_MAX_ITER)
		if (++it, em_step(m, u, lambda, h, m_too) < EM_EPSILON)
			break;
	return it;
}

/* Estimating m from all candidates at once fails when the candidates hold
 * many pairs that agree on some fields for reasons other than being one
 * person (namesakes: same name, all else different); EM then takes them
 * for the matching class.  So m is estimated per training rule, from the
 * records agreeing exactly on the rule's fields, paired blind to the
 * others (dd_rule_pairs), with the rule's fields left out: among namesakes
 * the other fields of non-matches look like random pairs', which is what u
 * describes.  Each field's m is the average over
 * the rules that leave it in, weighted by the matches each found. */
static const unsigned training[] = {
	FIELD(DF_FIRST) | FIELD(DF_LAST),
	FIELD(DF_BIRTH),
	FIELD(DF_EMAIL),
	FIELD(DF_PHONE),
	FIELD(DF_STREET) | FIELD(DF_POSTCODE),
};

#define TRAINING_MIN 20.0     /* fewer pairs than this train nothing */
#define TRAINING_MAX 1000000 /* pairs compared per training rule */

/* Comparing a list of pairs into patterns, on the run's threads. */
struct pair_job {
	const crm_dedup *d;
	const uint64_t *pair;
	uint64_t *pattern;
};

static void pair_range(void *arg, size_t lo, size_t hi)
{
	struct pair_job *j = arg;
	size_t x;

	for (x = lo; x < hi; x++)
		j->pattern[x] = dd_compare(j->d, &j->d->rec[j->pair[x] >> 32],
		                           &j->d->rec[(uint32_t)j->pair[x]], NULL);
}

static int rule_histogram(crm_dedup *d, unsigned rule, struct histogram *h)
{
	struct pair_job j = { .d = d };
	uint64_t *pair = NULL;
	size_t n = 0;
	int rc = dd_rule_pairs(d, rule, TRAINING_MAX, &pair, &n);

	memset(h, 0, sizeof *h);
	if (!rc && !(j.pattern = malloc((n ? n : 1) * sizeof *j.pattern)))
		rc = crm_error_nomem();
	if (!rc) {
		j.pair = pair;
		dd_parallel(d, n, pair_range, &j);
		rc = histogram_build(j.pattern, n, 1, rule, h);
	}
	free(pair);
	free(j.pattern);
	return rc;
}

static int train(crm_dedup *d, unsigned rule, double sum[DF_N][DD_LEVELS], double weight[DF_N])
{
	struct dd_model *mo = &d->model;
	struct histogram h;
	double m[DF_N][DD_LEVELS], lambda = 0.1, matches;
	int f, l, rc = rule_histogram(d, rule, &h);

	if (rc || h.total < TRAINING_MIN) {
		histogram_free(&h);
		return rc;
	}
	for (f = 0; f < DF_N; f++)
		memcpy(m[f], fields[f].m0, sizeof m[f]);
	mo->iterations += em(m, mo->u, &lambda, &h, 1);
	matches = lambda * h.total;
	for (f = 0; f < DF_N; f++) {
		if (rule & FIELD(f))
			continue;
		for (l = 1; l <= fields[f].nlevels; l++)
			sum[f][l] += matches * m[f][l];
		weight[f] += matches;
	}
	histogram_free(&h);
	return CRM_OK;
}

static int estimate_m(crm_dedup *d)
{
	struct dd_model *mo = &d->model;
	double sum[DF_N][DD_LEVELS] = { { 0 } }, weight[DF_N] = { 0 };
	size_t r;
	int f, l, rc;

	mo->iterations = 0;
	for (r = 0; r < sizeof training / sizeof training[0]; r++)
		if ((rc = train(d, training[r], sum, weight)))
			return rc;
	for (f = 0; f < DF_N; f++)
		for (l = 1; l <= fields[f].nlevels; l++)
			mo->m[f][l] = (sum[f][l] + PRIOR_STRENGTH * fields[f].m0[l]) /
			              (weight[f] + PRIOR_STRENGTH);
	return CRM_OK;
}

/* With m and u known, the share of matches among all candidates. */
static int estimate_lambda(crm_dedup *d, double *candidates)
{
	struct dd_model *mo = &d->model;
	struct histogram h;
	int rc = histogram_build(d->pattern, d->npair, d->stride, 0, &h);

	mo->lambda = 0.1;
	if (!rc)
		mo->iterations += em(mo->m, mo->u, &mo->lambda, &h, 0);
	*candidates = h.total;
	histogram_free(&h);
	return rc;
}

int dd_estimate(crm_dedup *d)
{
	struct dd_model *mo = &d->model;
	double all = (double)d->nrec * (d->nrec - 1) / 2, candidates, p;
	int f, l, rc;

	estimate_u(d);
	if ((rc = estimate_m(d)) || (rc = estimate_lambda(d, &candidates)))
		return rc;
	for (f = 0; f < DF_N; f++)
		for (l = 1; l <= fields[f].nlevels; l++)
			mo->w[f][l] = log2(mo->m[f][l] / mo->u[f][l]);
	/* The matches among the candidates, over all possible pairs: the
	 * chance that two records picked at random are one person. */
	p = all > 0 ? mo->lambda * candidates / all : 0.5;
	p = fmin(fmax(p, 1e-12), 0.5);
	mo->prior = log2(p / (1.0 - p));
	return CRM_OK;
}

double dd_value_u(const crm_dedup *d, const struct dd_rec *a, int f)
{
	return (a->tf[f] + U_PRIOR_PAIRS * fields[f].u0[1]) / (d->model.present[f] + U_PRIOR_PAIRS);
}

double dd_field_weight(const crm_dedup *d, const struct dd_rec *a, int f, int l)
{
	const struct dd_model *mo = &d->model;

	if (l == 0)
		return 0.0;
	/* Exact agreement on value v: among random pairs it happens with
	 * about the share of records holding v. */
	if (l == 1)
		return log2(mo->m[f][1] / dd_value_u(d, a, f));
	return mo->w[f][l];
}

/* The household rule.  Members of one household share a surname, a
 * phone, an address and often an employer, so agreeing on those is no
 * evidence that two records are one person once the records say they are
 * two; what tells a husband from his wife, a parent from a child or one
 * twin from the other is the first name, the birth date and the personal
 * email.  A pair is taken for two people of one household when two of
 * those three clearly differ (the field's last level), or when the first
 * name clearly differs and neither of the others agrees; the household's
 * agreements then weigh nothing.  One difference beside an agreement is
 * not enough: a mistyped or replaced first name with the same birth date
 * is as likely one person as twins. */
#define HOUSEHOLD (FIELD(DF_LAST) | FIELD(DF_PHONE) | FIELD(DF_STREET) | FIELD(DF_CITY) | \
		   FIELD(DF_POSTCODE) | FIELD(DF_REGION) | FIELD(DF_COMPANY))

static int differs(uint64_t pattern, int f)
{
	return dd_level(pattern, f) == fields[f].nlevels;
}

static int agrees(uint64_t pattern, int f)
{
	return dd_level(pattern, f) > 0 && !differs(pattern, f);
}

int dd_household_p(uint64_t pattern)
{
	int differ = differs(pattern, DF_FIRST) + differs(pattern, DF_BIRTH) +
	             differs(pattern, DF_EMAIL);

	return differ >= 2 || (differs(pattern, DF_FIRST) && !agrees(pattern, DF_BIRTH) &&
	                       !agrees(pattern, DF_EMAIL));
}

int dd_apart_p(uint64_t pattern)
{
	return differs(pattern, DF_EMAIL) && (differs(pattern, DF_FIRST) || differs(pattern, DF_BIRTH));
}

double dd_household_sum(uint64_t pattern, const double w[DF_N], double *dropped)
{
	double sum = 0.0, drop = 0.0;
	int f, household = dd_household_p(pattern);

	for (f = 0; f < DF_N; f++) {
		if (household && (HOUSEHOLD & FIELD(f)) && w[f] > 0)
			drop += w[f];
		else
			sum += w[f];
	}
	if (dropped)
		*dropped = drop;
	return sum;
}

double dd_weight(const crm_dedup *d, const struct dd_rec *a, uint64_t pattern)
{
	double w[DF_N];
	int f;

	for (f = 0; f < DF_N; f++)
		w[f] = dd_field_weight(d, a, f, dd_level(pattern, f));
	return d->model.prior + dd_household_sum(pattern, w, NULL);
}
