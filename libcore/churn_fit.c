/* churn_fit.c - the mathematics of churn risk (churn.h): a penalised
 * logistic regression fitted by Newton's method, the AUC and calibration
 * bins it is judged by.  Plain arrays in, numbers out: no database. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/churn.h"
#include "crm/error.h"

#define MAX_STEPS 100
#define MAX_HALVINGS 40
#define STEP_TOL 1e-7
#define MAX_P (CRM_CHURN_NFEATURES + 1)

double crm_churn_logistic(double eta)
{
	/* e^-|eta| never overflows; the two branches are the same function. */
	if (eta >= 0)
		return 1 / (1 + exp(-eta));
	return exp(eta) / (1 + exp(eta));
}

/* The linear predictor of row x (p values) under beta. */
static double eta_of(const double *beta, const float *x, size_t p)
{
	double eta = beta[0];

	for (size_t j = 0; j < p; j++)
		eta += beta[j + 1] * x[j];
	return eta;
}

/* One pass over the data at beta: returns the penalised log-likelihood
 * the fit maximises, and stores its gradient in g and its negated
 * Hessian in h (m x m, m = p + 1, lower triangle filled). */
static double pass(double *g, double *h, const double *beta, const float *x,
                   const unsigned char *y, size_t n, size_t p, double lambda)
{
	size_t m = p + 1;
	double row[MAX_P], f = 0;

	memset(g, 0, m * sizeof *g);
	memset(h, 0, m * m * sizeof *h);
	row[0] = 1;
	for (size_t i = 0; i < n; i++) {
		const float *xi = x + i * p;
		double eta = eta_of(beta, xi, p), e = exp(-fabs(eta));
		/* The logistic and ln(1 + e^eta) from the one exponential. */
		double mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e), r = (y[i] != 0) - mu;
		double w = mu * (1 - mu);

		f += (y[i] ? eta : 0) - (eta > 0 ? eta : 0) - log1p(e);
		for (size_t j = 0; j < p; j++)
			row[j + 1] = xi[j];
		for (size_t j = 0; j < m; j++) {
			double wj = w * row[j];
			g[j] += r * row[j];
			for (size_t k = 0; k <= j; k++)
				h[j * m + k] += wj * row[k];
		}
	}
	for (size_t j = 1; j < m; j++) {
		f -= lambda / 2 * beta[j] * beta[j];
		g[j] -= lambda * beta[j];
		h[j * m + j] += lambda;
	}
	return f;
}

/* Solves a x = b for symmetric positive definite a (m x m, lower triangle
 * read, overwritten by its Cholesky factor); b becomes x.  Returns -1
 * when a is not positive definite. */
static int cholesky_solve(double *a, double *b, size_t m)
{
	for (size_t j = 0; j < m; j++) {
		double d = a[j * m + j];

		for (size_t k = 0; k < j; k++)
			d -= a[j * m + k] * a[j * m + k];
		if (!(d > 0))
			return -1;
		a[j * m + j] = sqrt(d);
		for (size_t i = j + 1; i < m; i++) {
			double s = a[i * m + j];
			for (size_t k = 0; k < j; k++)
				s -= a[i * m + k] * a[j * m + k];
			a[i * m + j] = s / a[j * m + j];
		}
	}
	for (size_t i = 0; i < m; i++) { /* L z = b */
		for (size_t k = 0; k < i; k++)
			b[i] -= a[i * m + k] * b[k];
		b[i] /= a[i * m + i];
	}
	for (size_t i = m; i-- > 0;) { /* L' x = z */
		for (size_t k = i + 1; k < m; k++)
			b[i] -= a[k * m + i] * b[k];
		b[i] /= a[i * m + i];
	}
	return 0;
}

/* Where Newton's method stands: the coefficients, and the objective,
 * gradient and negated Hessian there. */
struct newton {
	double beta[MAX_P], f, g[MAX_P], h[MAX_P * MAX_P];
};

/* Takes the Newton step d from s, halved until the objective does not
 * fall (a full step can overshoot far from the optimum); the pass at
 * each trial point also yields the derivatives the next step needs.
 * Returns the largest change made to a coefficient. */
static double newton_step(struct newton *s, const double *d, const float *x,
                          const unsigned char *y, size_t n, size_t p, double lambda)
{
	struct newton t;
	double scale = 1, moved = 0;

	for (int k = 0; k < MAX_HALVINGS; k++, scale /= 2) {
		for (size_t j = 0; j <= p; j++)
			t.beta[j] = s->beta[j] + scale * d[j];
		t.f = pass(t.g, t.h, t.beta, x, y, n, p, lambda);
		/* Rounding makes the objective wobble at the optimum. */
		if (t.f >= s->f - 1e-12 * (1 + fabs(s->f)))
			break;
	}
	for (size_t j = 0; j <= p; j++) {
		double change = fabs(t.beta[j] - s->beta[j]);
		moved = change > moved ? change : moved;
	}
	*s = t;
	return moved;
}

int crm_churn_fit(double *beta, const float *x, const unsigned char *y, size_t n, size_t p,
                  double lambda, int *iterations)
{
	struct newton s;
	double d[MAX_P], a[MAX_P * MAX_P];
	size_t pos = 0, m = p + 1;

	if (m > MAX_P)
		return crm_error_set(CRM_EUSAGE, "at most %d features", MAX_P - 1);
	for (size_t i = 0; i < n; i++)
		pos += y[i] != 0;
	if (pos == 0 || pos == n)
		return crm_error_set(CRM_EDATA, "cannot fit a model to %s",
		                     pos ? "positives only" : "negatives only");
	/* From the base rate: the intercept alone, at its optimum. */
	memset(s.beta, 0, sizeof s.beta);
	s.beta[0] = log((double)pos / (double)(n - pos));
	s.f = pass(s.g, s.h, s.beta, x, y, n, p, lambda);
	for (int step = 1; step <= MAX_STEPS; step++) {
		memcpy(d, s.g, m * sizeof *d);
		memcpy(a, s.h, m * m * sizeof *a);
		if (cholesky_solve(a, d, m))
			return crm_error_set(CRM_EFAIL, "the model's equations have no unique solution");
		if (newton_step(&s, d, x, y, n, p, lambda) < STEP_TOL) {
			memcpy(beta, s.beta, m * sizeof *beta);
			*iterations = step;
			return CRM_OK;
		}
	}
	return crm_error_set(CRM_EFAIL, "the model did not converge in %d steps", MAX_STEPS);
}

/* An example as the rank statistics see it: its score, label and place
 * in the input (ties keep input order, so sorting is deterministic). */
struct ranked {
	double s;
	size_t i;
	unsigned char y;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Returns the examples sorted by score (malloc'd), or NULL. */
static struct ranked *sorted(const double *score, const unsigned char *y, size_t n)
{
	struct ranked *r = malloc((n ? n : 1) * sizeof *r);

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){ score[i], i, y[i] != 0 };
	qsort(r, n, sizeof *r, by_score);
	return r;
}

int crm_churn_auc(double *auc, const double *score, const unsigned char *y, size_t n)
{
	struct ranked *r;
	double npos = 0, rank_sum = 0;

	for (size_t i = 0; i < n; i++)
		npos += y[i] != 0;
	if (npos == 0 || npos == (double)n)
		return crm_error_set(CRM_EDATA, "no %s to rank", npos ? "negatives" : "positives");
	if (!(r = sorted(score, y, n)))
		return crm_error_nomem();
	/* Ranks from 1; a run of equal scores shares its mean rank. */
	for (size_t i = 0, j; i < n; i = j) {
		size_t pos = 0;

		for (j = i; j < n && r[j].s == r[i].s; j++)
			pos += r[j].y;
		rank_sum += (double)pos * ((double)(i + 1) + (double)j) / 2;
	}
	free(r);
	*auc = (rank_sum - npos * (npos + 1) / 2) / (npos * ((double)n - npos));
	return CRM_OK;
}

int crm_churn_calibrate(struct crm_churn_bin *bins, size_t nbins, size_t *nout,
                        const double *p, const unsigned char *y, size_t n)
{
	struct ranked *r = sorted(p, y, n);

	if (!r)
		return crm_error_nomem();
	*nout = 0;
	for (size_t b = 0; b < nbins; b++) {
		size_t from = b * n / nbins, to = (b + 1) * n / nbins;
		struct crm_churn_bin *o = &bins[*nout];

		if (from == to)
			continue;
		*o = (struct crm_churn_bin){ 0, 0, to - from };
		for (size_t i = from; i < to; i++)
			o->predicted += r[i].s, o->observed += r[i].y;
		o->predicted /= (double)o->n;
		o->observed /= (double)o->n;
		++*nout;
	}
	free(r);
	return CRM_OK;
}
