/* churn.c - the churn-risk report (churn.h): snapshots a period apart,
 * the customers at each and who of them churned, the features turned
 * into standardised model inputs, the fit on the older snapshots, its
 * evaluation on the newest one whose outcome is known, and the scores of
 * today's customers.  What the features are read from is in
 * churn_features.c, the mathematics in churn_fit.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/churn.h"
#include "crm/report.h"
#include "internal.h"

#define NF CRM_CHURN_NFEATURES
#define MAX_SNAPS (CRM_CHURN_MAX_SNAPSHOTS + 2)

/* Examples: ids, model inputs (n x NF, row-major) and outcomes. */
struct set {
	size_t n, cap;
	int64_t *id;
	float *x;
	unsigned char *y;
};

struct crm_churn {
	crm_db *db;
	struct crm_churn_opts o;
	struct crm_churn_snapshot snap[MAX_SNAPS]; /* S0, S1, ... */
	size_t nsnap;
	crm_churn_history *history;
	struct set train, eval, now;
	struct crm_churn_model model;
	struct crm_churn_score *scores;
	int found;        /* the customer to explain is among those scored */
	double raw[NF];   /* and these are their values */
};

const char *crm_churn_band(double p)
{
	return p >= 0.5 ? "high" : p >= 0.25 ? "medium" : "low";
}

/* Heavy-tailed amounts and counts enter the model on a log scale, so a
 * few big spenders do not flatten everyone else; a missing NPS stays NAN
 * until standardising gives it the mean. */
static void to_inputs(float *x, const double *v)
{
	double t = v[CRM_CHURN_TREND];

	for (int f = 0; f < NF; f++)
		x[f] = (float)v[f];
	x[CRM_CHURN_FREQUENCY] = (float)log1p(v[CRM_CHURN_FREQUENCY]);
	x[CRM_CHURN_MONETARY] = (float)log1p(v[CRM_CHURN_MONETARY] > 0 ? v[CRM_CHURN_MONETARY] : 0);
	x[CRM_CHURN_TREND] = (float)(t < 0 ? -log1p(-t) : log1p(t));
}

static void set_free(struct set *s)
{
	free(s->id);
	free(s->x);
	free(s->y);
}

static int set_add(struct set *s, const struct crm_churn_row *r)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		int64_t *id = realloc(s->id, cap * sizeof *id);
		float *x = id ? realloc(s->x, cap * NF * sizeof *x) : NULL;
		unsigned char *y = x ? realloc(s->y, cap) : NULL;

		if (id)
			s->id = id;
		if (x)
			s->x = x;
		if (!y)
			return crm_error_nomem();
		s->y = y;
		s->cap = cap;
	}
	s->id[s->n] = r->id;
	to_inputs(s->x + s->n * NF, r->value);
	s->y[s->n++] = r->churned > 0;
	return 0;
}

/* Where crm_churn_features delivers a snapshot's rows. */
struct loader {
	struct crm_churn *m;
	struct set *s;
};

static int load_row(void *arg, const struct crm_churn_row *r)
{
	struct loader *l = arg;

	if (l->s == &l->m->now && r->id == l->m->o.explain) {
		memcpy(l->m->raw, r->value, sizeof l->m->raw);
		l->m->found = 1;
	}
	return set_add(l->s, r);
}

/* The customers' table of snapshot k. */
static void table_of(char name[32], size_t k)
{
	snprintf(name, 32, "churn_c%zu", k);
}

/* Reads the features of snapshot k into s. */
static int load(struct crm_churn *m, size_t k, struct set *s)
{
	struct loader l = { m, s };
	char t[32], next[32];

	table_of(t, k);
	if (k > 0)
		table_of(next, k - 1);
	return crm_churn_features(m->history, m->db, m->snap[k].day, t, k > 0 ? next : NULL,
	                          load_row, &l);
}


/* Lays out the snapshots: S0 is the day after the as-of day (its start
 * is the end of the as-of day), Sk is k periods before it. */
static int plan(struct crm_churn *m)
{
	char t[CRM_DATE_LEN];
	int rc;

	if (crm_date_add_days(t, m->o.as_of, 1))
		return crm_error_recode(CRM_EUSAGE);
	m->nsnap = (size_t)m->o.snapshots + 2;
	for (size_t k = 0; k < m->nsnap; k++) {
		struct crm_churn_snapshot *s = &m->snap[k];

		snprintf(s->day, CRM_DATE_LEN, "%.10s", t);
		if (k && (rc = crm_date_add_months(s->day, s->day, -((int)k * m->o.period_months))))
			return rc;
		s->role = k == 0 ? CRM_CHURN_SCORE : k == 1 ? CRM_CHURN_EVALUATE : CRM_CHURN_TRAIN;
	}
	return 0;
}

/* Finds the customers at each snapshot, and how many of those at Sk
 * were no longer customers at S(k-1). */
static int census(struct crm_churn *m)
{
	char t[32], prev[32], cond[80], sql[256];
	crm_stmt *st;
	int rc;

	for (size_t k = 0; k < m->nsnap; k++) {
		table_of(t, k);
		if ((rc = crm_report_customers(m->db, t, m->snap[k].day)))
			return rc;
		snprintf(cond, sizeof cond, "0"); /* S0's outcome is what is predicted */
		if (k) {
			table_of(prev, k - 1);
			snprintf(cond, sizeof cond, "id NOT IN (SELECT id FROM temp.%s)", prev);
		}
		snprintf(sql, sizeof sql, "SELECT count(*), coalesce(sum(%s), 0) FROM temp.%s", cond, t);
		if ((rc = crm_db_prepare(m->db, &st, sql)))
			return rc;
		if ((rc = crm_stmt_step(st)) == CRM_ROW) {
			m->snap[k].customers = (size_t)crm_stmt_int(st, 0);
			m->snap[k].churned = (size_t)crm_stmt_int(st, 1);
			rc = 0;
		}
		crm_stmt_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

/* Refuses to fit when a class is missing: "history too short: ...". */
static int refuse(const char *where, size_t n, size_t churned)
{
	if (!n)
		return crm_error_set(CRM_EDATA, "history too short: no customers %s", where);
	if (!churned)
		return crm_error_set(CRM_EDATA, "history too short: none of the %zu customers %s"
		                     " churned", n, where);
	if (churned == n)
		return crm_error_set(CRM_EDATA, "history too short: all %zu customers %s churned,"
		                     " none stayed", n, where);
	return 0;
}

/* Checks that training and evaluation have both outcomes to learn from. */
static int enough_history(struct crm_churn *m)
{
	size_t n = 0, churned = 0, last = m->nsnap - 1;
	char where[128];
	int rc;

	snprintf(where, sizeof where, "at %s (the snapshot the model is evaluated on)",
	         m->snap[1].day);
	if ((rc = refuse(where, m->snap[1].customers, m->snap[1].churned)))
		return rc;
	for (size_t k = 2; k < m->nsnap; k++)
		n += m->snap[k].customers, churned += m->snap[k].churned;
	if (last == 2)
		snprintf(where, sizeof where, "at %s (the training snapshot)", m->snap[2].day);
	else
		snprintf(where, sizeof where, "at the training snapshots %s to %s",
		         m->snap[last].day, m->snap[2].day);
	m->model.train = n, m->model.train_churned = churned;
	m->model.eval = m->snap[1].customers, m->model.eval_churned = m->snap[1].churned;
	return refuse(where, n, churned);
}

/* The training inputs' mean and standard deviation (population); an
 * NPS is averaged over those who gave one. */
static void moments(struct crm_churn_model *md, const struct set *s)
{
	for (int f = 0; f < NF; f++) {
		double sum = 0, sq = 0, n = 0, mean;

		for (size_t i = 0; i < s->n; i++) {
			double v = s->x[i * NF + f];
			if (!isnan(v))
				sum += v, n++;
		}
		mean = n ? sum / n : 0;
		for (size_t i = 0; i < s->n; i++) {
			double v = s->x[i * NF + f];
			if (!isnan(v))
				sq += (v - mean) * (v - mean);
		}
		md->mean[f] = mean;
		md->sd[f] = n ? sqrt(sq / n) : 0;
		/* A feature that never varies says nothing: its input is 0. */
		if (md->sd[f] < 1e-9)
			md->sd[f] = 0;
	}
}

/* Standardises s in place by the training moments; a missing value
 * becomes 0, the mean. */
static void standardise(struct set *s, const struct crm_churn_model *md)
{
	for (size_t i = 0; i < s->n * NF; i++) {
		int f = (int)(i % NF);
		double v = s->x[i];

		s->x[i] = isnan(v) || md->sd[f] == 0 ? 0 : (float)((v - md->mean[f]) / md->sd[f]);
	}
}

/* The log-odds of the model for inputs x. */
static double logit_of(const struct crm_churn_model *md, const float *x)
{
	double eta = md->beta[0];

	for (int f = 0; f < NF; f++)
		eta += md->beta[f + 1] * x[f];
	return eta;
}

/* AUC, Brier score, calibration and the means on the evaluation set. */
static int evaluate(struct crm_churn_model *md, const struct set *s)
{
	double *p = malloc((s->n ? s->n : 1) * sizeof *p);
	int rc;

	if (!p)
		return crm_error_nomem();
	md->brier = md->predicted = md->observed = 0;
	for (size_t i = 0; i < s->n; i++) {
		p[i] = crm_churn_logistic(logit_of(md, s->x + i * NF));
		md->brier += (p[i] - s->y[i]) * (p[i] - s->y[i]);
		md->predicted += p[i];
		md->observed += s->y[i];
	}
	md->brier /= (double)s->n;
	md->predicted /= (double)s->n;
	md->observed /= (double)s->n;
	rc = crm_churn_auc(&md->auc, p, s->y, s->n);
	if (!rc)
		rc = crm_churn_calibrate(md->bins, CRM_CHURN_BINS, &md->nbins, p, s->y, s->n);
	free(p);
	return rc;
}

static int by_risk(const void *a, const void *b)
{
	const struct crm_churn_score *x = a, *y = b;
	long long px = llround(x->probability * 1000), py = llround(y->probability * 1000);

	if (px != py)
		return px > py ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Scores today's customers, riskiest first. */
static int score(struct crm_churn *m)
{
	const struct crm_churn_model *md = &m->model;

	if (!(m->scores = malloc((m->now.n ? m->now.n : 1) * sizeof *m->scores)))
		return crm_error_nomem();
	for (size_t i = 0; i < m->now.n; i++) {
		const float *x = m->now.x + i * NF;
		struct crm_churn_score *s = &m->scores[i];
		double best = 0;

		*s = (struct crm_churn_score){ m->now.id[i], crm_churn_logistic(logit_of(md, x)), -1 };
		for (int f = 0; f < NF; f++)
			if (md->beta[f + 1] * x[f] > best)
				best = md->beta[f + 1] * x[f], s->top = f;
	}
	qsort(m->scores, m->now.n, sizeof *m->scores, by_risk);
	return 0;
}

/* Reads the snapshots' features, fits, evaluates and scores. */
static int model(struct crm_churn *m)
{
	struct crm_churn_model *md = &m->model;
	int rc = crm_churn_history_load(&m->history, m->db, m->snap[m->nsnap - 1].day, m->snap[0].day);

	for (size_t k = 2; !rc && k < m->nsnap; k++)
		if (m->snap[k].customers)
			rc = load(m, k, &m->train);
	if (rc || (rc = load(m, 1, &m->eval)) || (rc = load(m, 0, &m->now)))
		return rc;
	crm_churn_history_free(m->history);
	m->history = NULL;
	moments(md, &m->train);
	standardise(&m->train, md);
	standardise(&m->eval, md);
	standardise(&m->now, md);
	md->lambda = CRM_CHURN_LAMBDA;
	if ((rc = crm_churn_fit(md->beta, m->train.x, m->train.y, m->train.n, NF, md->lambda,
	                        &md->iterations)) ||
	    (rc = evaluate(md, &m->eval)))
		return rc;
	return score(m);
}

static int check_opts(const struct crm_churn_opts *o)
{
	if (!o->as_of)
		return crm_error_set(CRM_EUSAGE, "no as-of day");
	if (o->period_months < 1 || o->period_months > CRM_CHURN_MAX_MONTHS)
		return crm_error_set(CRM_EUSAGE, "the period is 1 to %d months, not %d",
		                     CRM_CHURN_MAX_MONTHS, o->period_months);
	if (o->snapshots < 1 || o->snapshots > CRM_CHURN_MAX_SNAPSHOTS)
		return crm_error_set(CRM_EUSAGE, "training snapshots are 1 to %d, not %d",
		                     CRM_CHURN_MAX_SNAPSHOTS, o->snapshots);
	return 0;
}

int crm_churn_run(crm_churn **out, crm_db *db, const struct crm_churn_opts *o)
{
	struct crm_churn *m;
	int rc;

	*out = NULL;
	if ((rc = check_opts(o)))
		return rc;
	if (!(m = calloc(1, sizeof *m)))
		return crm_error_nomem();
	m->db = db;
	m->o = *o;
	/* The report reads every purchase and ticket, several times over for
	 * the customers at each snapshot: through a memory map, not a system
	 * call a page. */
	if ((rc = crm_db_bulk(db)) || (rc = plan(m)) || (rc = census(m)) ||
	    (rc = enough_history(m)) || (rc = model(m))) {
		crm_churn_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void crm_churn_free(crm_churn *m)
{
	if (!m)
		return;
	crm_churn_history_free(m->history);
	set_free(&m->train);
	set_free(&m->eval);
	set_free(&m->now);
	free(m->scores);
	free(m);
}

const struct crm_churn_snapshot *crm_churn_snapshots(const crm_churn *m, size_t *n)
{
	*n = m->nsnap;
	return m->snap;
}

const struct crm_churn_model *crm_churn_model_of(const crm_churn *m)
{
	return &m->model;
}

const struct crm_churn_score *crm_churn_scores(const crm_churn *m, size_t *n)
{
	*n = m->now.n;
	return m->scores;
}

int crm_churn_name(crm_churn *m, int64_t id, char **out)
{
	return crm_db_text_of(m->db, "SELECT coalesce(nullif(trim(coalesce(first_name, '') || ' '"
	                      " || coalesce(last_name, '')), ''), email, '') FROM contacts"
	                      " WHERE id = ?1", id, out);
}

static int by_id(const void *key, const void *elem)
{
	int64_t a = *(const int64_t *)key, b = *(const int64_t *)elem;

	return a < b ? -1 : a > b;
}

int crm_churn_explain(const crm_churn *m, struct crm_churn_term *terms, double *logit,
                      double *probability)
{
	const struct crm_churn_model *md = &m->model;
	const int64_t *at = m->found ? bsearch(&m->o.explain, m->now.id, m->now.n,
	                                       sizeof *m->now.id, by_id) : NULL;
	const float *x;

	if (!at)
		return crm_error_set(CRM_ENOTFOUND, "contact %lld is not a customer at the end of %s",
		                     (long long)m->o.explain, m->o.as_of);
	x = m->now.x + (size_t)(at - m->now.id) * NF;
	terms[0] = (struct crm_churn_term){ -1, 0, 0, md->beta[0], md->beta[0] };
	for (int f = 0; f < NF; f++)
		terms[f + 1] = (struct crm_churn_term){ f, m->raw[f], x[f], md->beta[f + 1],
		                                        md->beta[f + 1] * x[f] };
	*logit = logit_of(md, x);
	*probability = crm_churn_logistic(*logit);
	return 0;
}
