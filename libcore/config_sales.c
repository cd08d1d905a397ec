/* config_sales.c - the sales keys of the configuration: pipelines and
 * their stages, the reasons a deal may be lost for, targets, and the
 * coefficients of a task's urgency (crm-config(5)).
 *
 *   pipelines:
 *     sales:
 *       - { stage: lead, probability: 10, rot_days: 14 }
 *       - { stage: proposal, probability: 50 }
 *   lost_reasons: [price, timing, competitor]
 *   targets:
 *     - { period: 2026-Q4, amount: 120000 EUR }
 *     - { period: 2026-Q4, owner: alice, amount: 40000 }
 *   task_urgency: { overdue: 1, high: 6, normal: 0, low: -2, deal: 1 }
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/error.h"
#include "crm/mapping.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "config_impl.h"

#define DEFAULT_ROT_DAYS 14

static const struct crm_stage builtin_stages[] = {
	{ "lead", 10, DEFAULT_ROT_DAYS },
	{ "qualified", 25, DEFAULT_ROT_DAYS },
	{ "proposal", 50, DEFAULT_ROT_DAYS },
	{ "negotiation", 75, DEFAULT_ROT_DAYS },
};

static const struct crm_pipeline builtin = {
	"default", builtin_stages, sizeof builtin_stages / sizeof builtin_stages[0]
};

void crm_config_sales_defaults(crm_config *c)
{
	c->sales.pipelines = (struct crm_pipeline *)&builtin;
	c->sales.npipelines = 1;
	c->sales.builtin = 1;
	c->sales.urgency = (struct crm_urgency){ 1.0, 6.0, 0.0, -2.0, 1.0 };
}

/* Frees the pipelines read from the file, never the built-in one, and
 * leaves none, so that a failed read is freed once. */
static void free_pipelines(struct crm_sales *s)
{
	for (size_t i = 0; !s->builtin && i < s->npipelines; i++) {
		for (size_t k = 0; k < s->pipelines[i].nstages; k++)
			free((char *)s->pipelines[i].stages[k].name);
		free((struct crm_stage *)s->pipelines[i].stages);
		free((char *)s->pipelines[i].name);
	}
	if (!s->builtin)
		free(s->pipelines);
	s->pipelines = NULL;
	s->npipelines = 0;
	s->builtin = 0;
}

void crm_config_sales_free(crm_config *c)
{
	struct crm_sales *s = &c->sales;

	free_pipelines(s);
	for (size_t i = 0; s->lost && s->lost[i]; i++)
		free(s->lost[i]);
	free(s->lost);
	for (size_t i = 0; i < s->ntargets; i++) {
		free((char *)s->targets[i].period);
		free((char *)s->targets[i].owner);
		free(s->target_text[i].amount);
	}
	free(s->targets);
	free(s->target_text);
}

/* Reads the scalar node as an integer from min to max. */
static int int_value(const struct crm_ydoc *yd, const yaml_node_t *node, const char *name,
                     long long min, long long max, int *out)
{
	long long v;

	if (crm_ydoc_kind(node) != CRM_Y_SCALAR || !crm_int_parse(crm_ydoc_text(node), min, max, &v))
		return crm_ydoc_fail(yd, node->start_mark, "expected an integer from %lld to %lld for"
		                     " '%s', found %s", min, max, name,
		                     crm_ydoc_kind_name(node) ? crm_ydoc_kind_name(node)
		                                              : crm_ydoc_text(node));
	*out = (int)v;
	return CRM_OK;
}

/* Reads one stage, a mapping of stage, probability and rot_days. */
static int read_stage(const struct crm_ydoc *yd, const yaml_node_t *node, struct crm_stage *st)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *name = NULL, *key;
	int rc = CRM_OK, have_p = 0;

	st->rot_days = DEFAULT_ROT_DAYS;
	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(yd, node->start_mark, "expected a stage (a mapping of stage,"
		                     " probability and rot_days)");
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(yd, node, p, &k)))
			break;
		key = crm_ydoc_text(k);
		v = crm_ydoc_node(yd, p->value);
		if (!strcmp(key, "stage"))
			rc = crm_ydoc_string(yd, v, key, "a stage name", &name);
		else if (!strcmp(key, "probability") && !(rc = int_value(yd, v, key, 0, 100, &st->probability)))
			have_p = 1;
		else if (!strcmp(key, "rot_days"))
			rc = int_value(yd, v, key, 0, 36500, &st->rot_days);
		else if (strcmp(key, "probability"))
			rc = crm_ydoc_fail(yd, k->start_mark, "unknown key '%s' (a stage has stage,"
			                   " probability and rot_days)", key);
	}
	if (!rc && (!name || !have_p))
		rc = crm_ydoc_fail(yd, node->start_mark, "a stage needs a stage name and a probability");
	if (!rc && !(st->name = strdup(name)))
		rc = crm_error_nomem();
	return rc;
}

/* Reads a pipeline's sequence of stages into p (whose name is set). */
static int read_pipeline(const struct crm_ydoc *yd, const yaml_node_t *seq, struct crm_pipeline *p)
{
	yaml_node_item_t *it;
	struct crm_stage *stages;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	int rc = CRM_OK;

	if (!n)
		return crm_ydoc_fail(yd, seq->start_mark, "pipeline '%s' has no stages", p->name);
	if (!(stages = calloc(n, sizeof *stages)))
		return crm_error_nomem();
	p->stages = stages;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top && !rc; it++) {
		yaml_node_t *node = crm_ydoc_node(yd, *it);

		rc = read_stage(yd, node, &stages[p->nstages]);
		if (!rc && crm_pipeline_stage(p, stages[p->nstages].name))
			rc = crm_ydoc_fail(yd, node->start_mark, "stage '%s' twice in pipeline '%s'",
			                   stages[p->nstages].name, p->name);
		if (!rc)
			p->nstages++;
		else
			free((char *)stages[p->nstages].name);
	}
	return rc;
}

int crm_config_set_pipelines(const struct loader *ld, const struct cfg_key *key,
                             yaml_node_t *node, void *dst)
{
	struct crm_sales *s = &ld->cfg->sales;
	const yaml_node_pair_t *p;
	size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	yaml_node_t *k, *v;
	int rc = CRM_OK;

	(void)key, (void)dst;
	free_pipelines(s);
	if (!n)
		return crm_ydoc_fail(ld->yd, node->start_mark, "'pipelines' names no pipeline");
	if (!(s->pipelines = calloc(n, sizeof *s->pipelines)))
		return crm_error_nomem();
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		struct crm_pipeline *pl = &s->pipelines[s->npipelines];

		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		v = crm_ydoc_node(ld->yd, p->value);
		if (crm_ydoc_kind(v) != CRM_Y_SEQUENCE)
			rc = crm_ydoc_fail(ld->yd, v->start_mark, "expected the stages of pipeline '%s'"
			                   " (a sequence)", crm_ydoc_text(k));
		else if (!(pl->name = strdup(crm_ydoc_text(k))))
			rc = crm_error_nomem();
		else
			rc = read_pipeline(ld->yd, v, pl);
		s->npipelines += pl->name != NULL;
	}
	return rc;
}

int crm_config_set_lost(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                        void *dst)
{
	struct crm_sales *s = &ld->cfg->sales;
	yaml_node_item_t *it;
	size_t n = 0, cap = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	const char *text;
	int rc = CRM_OK;

	(void)key, (void)dst;
	if (!(s->lost = calloc(cap + 1, sizeof *s->lost)))
		return crm_error_nomem();
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top && !rc; it++)
		if (!(rc = crm_ydoc_string(ld->yd, crm_ydoc_node(ld->yd, *it), "lost_reasons",
		                           "a reason", &text)) && !(s->lost[n++] = strdup(text)))
			rc = crm_error_nomem();
	return rc;
}

/* Whether s names a calendar period: a year, a quarter or a month. */
static int calendar_p(const char *s)
{
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	size_t n = strlen(s);

	return (n == 4 || n == 7) && s[0] >= '0' && s[0] <= '9' &&
	       crm_period_parse(from, to, s, 0) == CRM_OK;
}

/* Reads one target: period, amount and maybe owner. */
static int read_target(const struct crm_ydoc *yd, const yaml_node_t *node, struct crm_sales_target *t,
                       struct crm_target_text *tt)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key, *text;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(yd, node->start_mark, "expected a target (a mapping of period,"
		                     " amount and owner)");
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(yd, node, p, &k)))
			break;
		key = crm_ydoc_text(k);
		v = crm_ydoc_node(yd, p->value);
		if (!strcmp(key, "period") && !(rc = crm_ydoc_string(yd, v, key, "a period", &text))) {
			if (!calendar_p(text))
				rc = crm_ydoc_fail(yd, v->start_mark, "invalid period '%s' (expected a"
				                   " year, a quarter or a month: 2026, 2026-Q4, 2026-11)", text);
			else if (!(t->period = strdup(text)))
				rc = crm_error_nomem();
		} else if (!strcmp(key, "owner") && !(rc = crm_ydoc_string(yd, v, key, "a name", &text))) {
			if (!(t->owner = strdup(text)))
				rc = crm_error_nomem();
		} else if (!strcmp(key, "amount") &&
		           !(rc = crm_ydoc_string(yd, v, key, "an amount", &text))) {
			tt->mark = v->start_mark;
			if (!(tt->amount = strdup(text)))
				rc = crm_error_nomem();
		} else if (!rc && strcmp(key, "period") && strcmp(key, "owner") && strcmp(key, "amount")) {
			rc = crm_ydoc_fail(yd, k->start_mark, "unknown key '%s' (a target has period,"
			                   " amount and owner)", key);
		}
	}
	if (!rc && (!t->period || !tt->amount))
		rc = crm_ydoc_fail(yd, node->start_mark, "a target needs a period and an amount");
	return rc;
}

int crm_config_set_targets(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                           void *dst)
{
	struct crm_sales *s = &ld->cfg->sales;
	yaml_node_item_t *it;
	size_t cap = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	int rc = CRM_OK;

	(void)key, (void)dst;
	s->targets = calloc(cap ? cap : 1, sizeof *s->targets);
	s->target_text = calloc(cap ? cap : 1, sizeof *s->target_text);
	if (!s->targets || !s->target_text)
		return crm_error_nomem();
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top && !rc; it++)
		rc = read_target(ld->yd, crm_ydoc_node(ld->yd, *it), &s->targets[s->ntargets],
		                 &s->target_text[s->ntargets]), s->ntargets++;
	return rc;
}

/* Reads a scalar as a finite number. */
static int number(const struct crm_ydoc *yd, const yaml_node_t *node, const char *name, double *out)
{
	const char *s = crm_ydoc_kind(node) == CRM_Y_SCALAR ? crm_ydoc_text(node) : "";
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(*out))
		return crm_ydoc_fail(yd, node->start_mark, "expected a number for '%s'", name);
	return CRM_OK;
}

int crm_config_set_urgency(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                           void *dst)
{
	static const char *const names[] = { "overdue", "high", "normal", "low", "deal" };
	struct crm_urgency *u = &ld->cfg->sales.urgency;
	double *slot[] = { &u->overdue, &u->high, &u->normal, &u->low, &u->deal };
	const yaml_node_pair_t *p;
	yaml_node_t *k;
	size_t i;
	int rc = CRM_OK;

	(void)key, (void)dst;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		for (i = 0; i < 5 && strcmp(names[i], crm_ydoc_text(k)); i++)
			;
		rc = i < 5 ? number(ld->yd, crm_ydoc_node(ld->yd, p->value), names[i], slot[i])
		           : crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (expected overdue,"
		                           " high, normal, low or deal)", crm_ydoc_text(k));
	}
	return rc;
}

int crm_config_check_sales(const struct loader *ld)
{
	struct crm_sales *s = &ld->cfg->sales;
	struct crm_money m;

	for (size_t i = 0; i < s->ntargets; i++) {
		if (crm_money_parse(&m, s->target_text[i].amount, ld->cfg->currency))
			return crm_ydoc_fail(ld->yd, s->target_text[i].mark, "%s", crm_error_message());
		s->targets[i].amount = m.minor;
		memcpy(s->targets[i].currency, m.cur, sizeof m.cur);
	}
	return CRM_OK;
}

size_t crm_config_pipelines(const crm_config *c, const struct crm_pipeline **out)
{
	*out = c ? c->sales.pipelines : &builtin;
	return c ? c->sales.npipelines : 1;
}

/* Whether name means configured: exactly, or in any case and spacing
 * ("Closed Won" is closedwon), as column names are matched. */
static int names(const char *configured, const char *name)
{
	char a[128], b[128];

	return !strcmp(configured, name) ||
	       !strcmp(crm_column_key(a, sizeof a, configured), crm_column_key(b, sizeof b, name));
}

const struct crm_pipeline *crm_config_pipeline(const crm_config *c, const char *name)
{
	const struct crm_pipeline *p;
	size_t n = crm_config_pipelines(c, &p);

	for (size_t i = 0; i < n; i++)
		if (!name || names(p[i].name, name))
			return &p[i];
	return NULL;
}

const struct crm_stage *crm_pipeline_stage(const struct crm_pipeline *p, const char *name)
{
	for (size_t i = 0; i < p->nstages; i++)
		if (names(p->stages[i].name, name))
			return &p->stages[i];
	return NULL;
}

const char *crm_config_lost_reason(const crm_config *c, const char *text)
{
	const char *const *r = crm_config_lost_reasons(c);

	for (size_t i = 0; r && r[i]; i++)
		if (names(r[i], text))
			return r[i];
	return NULL;
}

const char *const *crm_config_lost_reasons(const crm_config *c)
{
	return c ? (const char *const *)c->sales.lost : NULL;
}

size_t crm_config_targets(const crm_config *c, const struct crm_sales_target **out)
{
	*out = c ? c->sales.targets : NULL;
	return c ? c->sales.ntargets : 0;
}

const struct crm_urgency *crm_config_urgency(const crm_config *c)
{
	static const struct crm_urgency defaults = { 1.0, 6.0, 0.0, -2.0, 1.0 };

	return c ? &c->sales.urgency : &defaults;
}
