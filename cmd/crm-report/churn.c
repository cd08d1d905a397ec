/* churn.c - crm-report churn-risk: each customer's chance of churning in
 * the next period, riskiest first; the model behind it (--model); or one
 * customer's log-odds taken apart feature by feature (--explain).  The
 * held-out AUC and calibration go to stderr, so stdout stays rows. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/churn.h"
#include "report.h"

const struct cli_opt churn_opts[] = {
	REPORT_AS_OF_OPT,
	{ "explain", 0, CLI_ARG, "ID", "show each feature's part in one customer's probability" },
	{ "limit", 0, CLI_ARG, "N", "print the N riskiest customers only" },
	{ "min", 0, CLI_ARG, "P", "print only customers whose probability is at least P" },
	{ "model", 0, CLI_NOARG, NULL, "print the coefficients, AUC and calibration instead" },
	{ "period-months", 0, CLI_ARG, "N", "predict churn over N months (default 3)" },
	{ "snapshots", 0, CLI_ARG, "N", "learn from N earlier periods (default 4)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* What the command line asked for beyond the model's options. */
struct churn_args {
	struct crm_churn_opts o;
	char day[CRM_DATE_LEN];
	long long limit;
	double min;
	int64_t *ids; /* operands: print these customers only */
	size_t nids;
	int only;     /* there were operands, even - that read none */
};

/* Formats v with decimals places; never "-0.000". */
static const char *fixed(char buf[48], double v, int decimals)
{
	snprintf(buf, 48, "%.*f", decimals, v);
	if (buf[0] == '-' && !buf[1 + strspn(buf + 1, "0.")])
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

/* Reads an integer option from lo to hi into *out (left alone when the
 * option is absent); returns an exit status, or -1 to go on. */
static int int_opt(struct cli *c, const char *name, long long lo, long long hi, long long *out)
{
	const char *v = cli_get(c, name);

	if (v && !crm_int_parse(v, lo, hi, out))
		return cli_usage_error(c, "--%s takes a number from %lld to %lld, not '%s'", name, lo,
		                       hi, v);
	return -1;
}

static int parse(struct cli *c, int argc, char **argv, struct churn_args *a)
{
	long long months = CRM_CHURN_PERIOD_MONTHS, snaps = CRM_CHURN_SNAPSHOTS;
	const char *v;
	char *end;
	int64_t now;
	int st;

	if (cli_has(c, "model") + cli_has(c, "explain") > 1)
		return cli_usage_error(c, "--model and --explain are exclusive");
	if ((cli_has(c, "model") || cli_has(c, "explain")) &&
	    (cli_has(c, "limit") || cli_has(c, "min") || argc))
		return cli_usage_error(c, "--limit, --min and ids choose customers to list");
	if ((st = int_opt(c, "period-months", 1, CRM_CHURN_MAX_MONTHS, &months)) >= 0 ||
	    (st = int_opt(c, "snapshots", 1, CRM_CHURN_MAX_SNAPSHOTS, &snaps)) >= 0 ||
	    (st = int_opt(c, "limit", 1, LLONG_MAX, &a->limit)) >= 0)
		return st;
	if ((v = cli_get(c, "min"))) {
		a->min = strtod(v, &end);
		if (!*v || *end || !(a->min >= 0 && a->min <= 1))
			return cli_usage_error(c, "--min takes a probability from 0 to 1, not '%s'", v);
	}
	if ((v = cli_get(c, "explain")) && cli_id(v, &a->o.explain))
		return cli_usage_error(c, "--explain: invalid id '%s'", v);
	if ((st = report_as_of(c, a->day, &now)) >= 0)
		return st;
	if ((a->only = argc > 0) && (st = cli_ids(c, argc, argv, &a->ids, &a->nids)))
		return cli_error(c, st);
	a->o.as_of = a->day;
	a->o.period_months = (int)months;
	a->o.snapshots = (int)snaps;
	return -1;
}

/* The held-out figures, on stderr. */
static void summary(const struct cli *c, const crm_churn *m)
{
	const struct crm_churn_model *md = crm_churn_model_of(m);
	const struct crm_churn_snapshot *s;
	size_t n, used = 0, oldest = 2;

	if (c->quiet)
		return;
	s = crm_churn_snapshots(m, &n);
	for (size_t k = 2; k < n; k++)
		if (s[k].customers)
			used++, oldest = k;
	fprintf(stderr, "%s: churn-risk: trained on %zu snapshot%s from %s to %s (%zu customers,"
	        " %zu churned), evaluated on %s (%zu customers, %zu churned): AUC %.3f, Brier %.3f,"
	        " mean predicted %.3f, churned %.3f\n", c->prog->name, used, used == 1 ? "" : "s",
	        s[oldest].day, s[2].day, md->train, md->train_churned, s[1].day, md->eval,
	        md->eval_churned, md->auc, md->brier, md->predicted, md->observed);
	fprintf(stderr, "%s: churn-risk: calibration by tenth of predicted risk"
	        " (predicted/churned/customers):", c->prog->name);
	for (size_t b = 0; b < md->nbins; b++)
		fprintf(stderr, " %.3f/%.3f/%zu", md->bins[b].predicted, md->bins[b].observed,
		        md->bins[b].n);
	fputc('\n', stderr);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether score s is to be printed. */
static int chosen(const struct churn_args *a, const struct crm_churn_score *s)
{
	if (s->probability < a->min)
		return 0;
	return !a->only || (a->nids && bsearch(&s->id, a->ids, a->nids, sizeof *a->ids, by_id));
}

/* The customers, riskiest first; returns an exit status. */
static int print_scores(struct cli *c, crm_churn *m, struct churn_args *a)
{
	static const struct crm_column cols[] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "probability", CRM_COL_NUMBER },
		{ "band", CRM_COL_TEXT }, { "top", CRM_COL_TEXT }
	};
	const struct crm_churn_score *s;
	char id[24], p[48], *name = NULL;
	long long rows = 0;
	crm_out *w = NULL;
	size_t n;
	int rc;

	if ((rc = cli_output_fields(c, cols, sizeof cols / sizeof cols[0], &w)))
		return cli_error(c, rc);
	if (a->nids)
		qsort(a->ids, a->nids, sizeof *a->ids, by_id);
	s = crm_churn_scores(m, &n);
	for (size_t i = 0; !rc && i < n && (!a->limit || rows < a->limit); i++) {
		const char *top = crm_churn_feature_name(s[i].top);
		if (!chosen(a, &s[i]))
			continue;
		snprintf(id, sizeof id, "%lld", (long long)s[i].id);
		if (!(rc = crm_churn_name(m, s[i].id, &name))) {
			const char *row[] = { id, name, fixed(p, s[i].probability, 3),
			                      crm_churn_band(s[i].probability), top ? top : "" };
			rc = cli_row(c, w, row);
			rows++;
		}
		free(name);
		name = NULL;
	}
	if (!rc)
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc ? cli_error(c, rc) : rows ? 0 : 1;
}

/* A row of the --model table (NULL: empty). */
static int model_row(struct cli *c, crm_out *w, const char *section, const char *name,
                     const char *value, const char *mean, const char *sd, const char *pred,
                     const char *obs, const char *count)
{
	const char *row[] = { section, name, value, mean, sd, pred, obs, count };

	return cli_row(c, w, row);
}

static int model_snapshots(struct cli *c, crm_out *w, const crm_churn *m)
{
	static const char *const roles[] = { "score", "evaluate", "train" };
	const struct crm_churn_snapshot *s;
	char rate[48], count[24];
	size_t n;
	int rc = 0;

	s = crm_churn_snapshots(m, &n);
	for (size_t k = 0; !rc && k < n; k++) {
		snprintf(count, sizeof count, "%zu", s[k].customers);
		rc = model_row(c, w, "snapshot", s[k].day, roles[s[k].role], NULL, NULL, NULL,
		               k && s[k].customers ? fixed(rate, (double)s[k].churned /
		                                           (double)s[k].customers, 3) : NULL, count);
	}
	return rc;
}

static int model_coefficients(struct cli *c, crm_out *w, const struct crm_churn_model *md)
{
	char b[48], mean[48], sd[48];
	int rc = model_row(c, w, "coefficient", "intercept", fixed(b, md->beta[0], 4), NULL, NULL,
	                   NULL, NULL, NULL);

	for (int f = 0; !rc && f < CRM_CHURN_NFEATURES; f++)
		rc = model_row(c, w, "coefficient", crm_churn_feature_name(f), fixed(b, md->beta[f + 1], 4),
		               fixed(mean, md->mean[f], 4), fixed(sd, md->sd[f], 4), NULL, NULL, NULL);
	return rc;
}

static int model_fit(struct cli *c, crm_out *w, const struct crm_churn_model *md)
{
	char v[48], pred[48], obs[48], n[24];
	int rc;

	snprintf(n, sizeof n, "%zu", md->eval);
	rc = model_row(c, w, "metric", "auc", fixed(v, md->auc, 4), NULL, NULL, NULL, NULL, n);
	if (!rc)
		rc = model_row(c, w, "metric", "brier", fixed(v, md->brier, 4), NULL, NULL,
		               fixed(pred, md->predicted, 4), fixed(obs, md->observed, 4), n);
	snprintf(v, sizeof v, "%d", md->iterations);
	if (!rc)
		rc = model_row(c, w, "metric", "iterations", v, NULL, NULL, NULL, NULL, NULL);
	if (!rc)
		rc = model_row(c, w, "metric", "lambda", fixed(v, md->lambda, 4), NULL, NULL, NULL,
		               NULL, NULL);
	for (size_t b = 0; !rc && b < md->nbins; b++) {
		char name[24];
		snprintf(name, sizeof name, "%zu", b + 1);
		snprintf(n, sizeof n, "%zu", md->bins[b].n);
		rc = model_row(c, w, "calibration", name, NULL, NULL, NULL,
		               fixed(pred, md->bins[b].predicted, 4),
		               fixed(obs, md->bins[b].observed, 4), n);
	}
	return rc;
}

/* --model: the snapshots, coefficients, metrics and calibration bins. */
static int print_model(struct cli *c, const crm_churn *m)
{
	static const struct crm_column cols[] = {
		{ "section", CRM_COL_TEXT }, { "name", CRM_COL_TEXT }, { "value", CRM_COL_TEXT },
		{ "mean", CRM_COL_NUMBER }, { "sd", CRM_COL_NUMBER }, { "predicted", CRM_COL_NUMBER },
		{ "observed", CRM_COL_NUMBER }, { "count", CRM_COL_INT }
	};
	const struct crm_churn_model *md = crm_churn_model_of(m);
	crm_out *w = NULL;
	int rc;

	if (!(rc = cli_output_fields(c, cols, sizeof cols / sizeof cols[0], &w)) &&
	    !(rc = model_snapshots(c, w, m)) && !(rc = model_coefficients(c, w, md)) &&
	    !(rc = model_fit(c, w, md)))
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc ? cli_error(c, rc) : 0;
}

/* A feature's value as defined: money with the base currency's places,
 * counts and flags whole, a missing NPS empty. */
static const char *value_text(char buf[48], const struct cli *c, const struct crm_churn_term *t)
{
	int places = crm_currency_exponent(crm_config_currency(c->cfg));

	if (t->feature < 0 || (t->feature == CRM_CHURN_NPS && isnan(t->value)))
		return NULL;
	if (t->feature == CRM_CHURN_MONETARY || t->feature == CRM_CHURN_TREND)
		return fixed(buf, t->value, places > 0 ? places : 0);
	return fixed(buf, t->value, 0);
}

/* --explain ID: the intercept and each feature's term, then the sum of
 * the contributions (the log-odds) and the probability. */
static int print_explain(struct cli *c, const crm_churn *m)
{
	static const struct crm_column cols[] = {
		{ "feature", CRM_COL_TEXT }, { "value", CRM_COL_NUMBER },
		{ "standardised", CRM_COL_NUMBER }, { "coefficient", CRM_COL_NUMBER },
		{ "contribution", CRM_COL_NUMBER }
	};
	struct crm_churn_term t[CRM_CHURN_NFEATURES + 1];
	char v[48], z[48], b[48], part[48];
	double logit, p;
	crm_out *w = NULL;
	int rc;

	if ((rc = crm_churn_explain(m, t, &logit, &p)) ||
	    (rc = cli_output_fields(c, cols, sizeof cols / sizeof cols[0], &w)))
		return cli_error(c, rc);
	for (size_t i = 0; !rc && i < CRM_CHURN_NFEATURES + 1; i++) {
		const char *row[] = { t[i].feature < 0 ? "intercept" : crm_churn_feature_name(t[i].feature),
		                      value_text(v, c, &t[i]),
		                      t[i].feature < 0 ? NULL : fixed(z, t[i].input, 4),
		                      fixed(b, t[i].coefficient, 4), fixed(part, t[i].contribution, 4) };
		rc = cli_row(c, w, row);
	}
	if (!rc) {
		const char *row[] = { "log_odds", NULL, NULL, NULL, fixed(part, logit, 4) };
		rc = cli_row(c, w, row);
	}
	if (!rc) {
		const char *row[] = { "probability", fixed(v, p, 3), NULL, NULL, NULL };
		rc = cli_row(c, w, row);
	}
	if (!rc)
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc ? cli_error(c, rc) : 0;
}

int report_churn_risk(struct cli *c, int argc, char **argv)
{
	struct churn_args a = { .limit = 0 };
	crm_churn *m = NULL;
	int status, rc;

	if ((status = parse(c, argc, argv, &a)) >= 0) {
		free(a.ids);
		return status;
	}
	if ((rc = crm_churn_run(&m, c->db, &a.o))) {
		free(a.ids);
		return cli_error(c, rc);
	}
	if (cli_has(c, "model"))
		status = print_model(c, m);
	else {
		summary(c, m);
		status = a.o.explain ? print_explain(c, m) : print_scores(c, m, &a);
	}
	crm_churn_free(m);
	free(a.ids);
	return status;
}
