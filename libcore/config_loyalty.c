/* config_loyalty.c - the loyalty programme of the configuration
 * (crm-config(5) loyalty): earn rules, tiers, expiry, rewards and cards.
 *
 * Amounts (min_amount, a tier's spend) are in the base currency, which
 * may come later in the file: they are kept as text with their place and
 * read by crm_config_check_loyalty once the whole file is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/loyalty.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "config_impl.h"

#define MILLI_MAX 1000000000000LL /* a billion points, in thousandths */

const struct crm_loyalty_programme *crm_config_loyalty(const crm_config *c)
{
	return c ? c->loyalty.programme : NULL;
}

static void free_programme(struct crm_loyalty_programme *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].name);
		crm_config_free_words(p->rules[i].categories);
		crm_config_free_words(p->rules[i].skus);
	}
	for (size_t i = 0; i < p->ntiers; i++)
		free(p->tiers[i].name);
	for (size_t i = 0; i < p->nrewards; i++)
		free(p->rewards[i].name);
	free(p->rules), free(p->tiers), free(p->rewards), free(p->card_prefix);
	free(p);
}

void crm_config_loyalty_free(crm_config *c)
{
	struct crm_loyalty_text *t = &c->loyalty;

	if (t->programme)
		free_programme(t->programme);
	for (size_t i = 0; i < t->namounts; i++)
		free(t->amounts[i].text);
	free(t->amounts);
	free(t->tier_marks);
	memset(t, 0, sizeof *t);
}

/* "1", "0.5", "12.125": a number of points to a thousandth, not negative. */
static int milli_parse(const char *s, int64_t *out)
{
	int64_t v = 0;
	int frac = -1;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s == '.' && frac < 0 && s[1]) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || frac == 3)
			return 0;
		v = v * 10 + (*s - '0');
		if (frac >= 0)
			frac++;
		if (v > MILLI_MAX)
			return 0;
	}
	for (frac = frac < 0 ? 0 : frac; frac < 3; frac++)
		v *= 10;
	*out = v;
	return v <= MILLI_MAX;
}

static int points_value(const struct loader *ld, const yaml_node_t *v, const char *key,
                        int64_t *milli)
{
	if (crm_ydoc_kind(v) != CRM_Y_SCALAR || !milli_parse(crm_ydoc_text(v), milli))
		return crm_ydoc_fail(ld->yd, v->start_mark, "expected a number of points (0 or more,"
		                     " at most 3 decimals) for '%s'", key);
	return CRM_OK;
}

static int whole_value(const struct loader *ld, const yaml_node_t *v, const char *key,
                       long long min, long long max, int64_t *out)
{
	long long n;

	if (crm_ydoc_kind(v) != CRM_Y_SCALAR || !crm_int_parse(crm_ydoc_text(v), min, max, &n))
		return crm_ydoc_fail(ld->yd, v->start_mark, "expected a whole number from %lld to"
		                     " %lld for '%s'", min, max, key);
	*out = n;
	return CRM_OK;
}

/* Keeps an amount's text to read in the base currency later. */
static int amount_later(const struct loader *ld, const yaml_node_t *v, const char *key,
                        int64_t *dst)
{
	struct crm_loyalty_text *t = &ld->cfg->loyalty;
	struct crm_loyalty_amount *a;
	const char *text;
	int rc;

	if ((rc = crm_ydoc_string(ld->yd, v, key, "an amount", &text)))
		return rc;
	if (!(a = realloc(t->amounts, (t->namounts + 1) * sizeof *a)))
		return crm_error_nomem();
	t->amounts = a;
	a += t->namounts;
	if (!(a->text = strdup(text)))
		return crm_error_nomem();
	t->namounts++;
	a->mark = v->start_mark;
	a->dst = dst;
	return CRM_OK;
}

static int name_value(const struct loader *ld, const yaml_node_t *v, const char *key, char **out)
{
	const char *text;
	int rc;

	if ((rc = crm_ydoc_string(ld->yd, v, key, "a name", &text)))
		return rc;
	if (strchr(text, '\t') || strchr(text, '\n'))
		return crm_ydoc_fail(ld->yd, v->start_mark, "a %s holds no tab or line break", key);
	free(*out);
	return (*out = strdup(text)) ? CRM_OK : crm_error_nomem();
}

/* One word or a list of them. */
static int words_value(const struct loader *ld, const yaml_node_t *v, const char *key,
                       char ***out)
{
	int seq = crm_ydoc_kind(v) == CRM_Y_SEQUENCE;
	size_t n = seq ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;
	char **w = calloc(n + 1, sizeof *w);
	int rc = w ? CRM_OK : crm_error_nomem();

	*out = w;
	for (size_t i = 0; i < n && !rc; i++)
		rc = name_value(ld, seq ? crm_ydoc_node(ld->yd, v->data.sequence.items.start[i]) : v,
		                key, &w[i]);
	return rc;
}

static int rule_key(const struct loader *ld, const yaml_node_t *k, yaml_node_t *v,
                    struct crm_loyalty_rule *r)
{
	const char *key = crm_ydoc_text(k);
	static const char *const per[] = { "amount", "item", "order" };
	const char *text;
	int rc;

	if (!strcmp(key, "name"))
		return name_value(ld, v, key, &r->name);
	if (!strcmp(key, "points"))
		return points_value(ld, v, key, &r->milli);
	if (!strcmp(key, "min_amount"))
		return amount_later(ld, v, key, &r->min_amount);
	if (!strcmp(key, "category"))
		return words_value(ld, v, key, &r->categories);
	if (!strcmp(key, "sku"))
		return words_value(ld, v, key, &r->skus);
	if (!strcmp(key, "per") || !strcmp(key, "when")) {
		if ((rc = crm_ydoc_string(ld->yd, v, key, "a word", &text)))
			return rc;
		if (!strcmp(key, "when") && !strcmp(text, "birthday-month"))
			return (r->birthday = 1), CRM_OK;
		for (size_t i = 0; !strcmp(key, "per") && i < 3; i++)
			if (!strcmp(text, per[i]))
				return (r->per = (enum crm_earn_per)i), CRM_OK;
		return crm_ydoc_fail(ld->yd, v->start_mark, "unknown %s '%s' (expected %s)", key, text,
		                     !strcmp(key, "per") ? "amount, item or order" : "birthday-month");
	}
	return crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (an earn rule has name, per,"
	                     " points, min_amount, category, sku and when)", key);
}

static int tier_key(const struct loader *ld, const yaml_node_t *k, yaml_node_t *v,
                    struct crm_loyalty_tier *t)
{
	const char *key = crm_ydoc_text(k);
	if (!strcmp(key, "name"))
		return name_value(ld, v, key, &t->name);
	if (!strcmp(key, "points"))
		return whole_value(ld, v, key, 0, CRM_POINTS_MAX, &t->points);
	if (!strcmp(key, "spend"))
		return amount_later(ld, v, key, &t->spend);
	if (!strcmp(key, "multiplier"))
		return points_value(ld, v, key, &t->multiplier);
	return crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (a tier has name, points or"
	                     " spend, and multiplier)", key);
}

/* Reads each mapping of sequence node with fn into items of size bytes. */
static int read_list(const struct loader *ld, yaml_node_t *node, const char *what, void **items,
                     size_t *n, size_t size,
                     int (*fn)(const struct loader *, const yaml_node_t *, yaml_node_t *, void *))
{
	size_t count;
	yaml_node_pair_t *p;
	yaml_node_t *k;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_SEQUENCE)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected a list of %ss", what);
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (!(*items = calloc(count ? count : 1, size)))
		return crm_error_nomem();
	for (size_t i = 0; i < count && !rc; i++) {
		yaml_node_t *m = crm_ydoc_node(ld->yd, node->data.sequence.items.start[i]);
		char *item = (char *)*items + i * size;

		*n = i + 1;
		if (crm_ydoc_kind(m) != CRM_Y_MAPPING)
			return crm_ydoc_fail(ld->yd, m->start_mark, "each %s is a mapping", what);
		fn(ld, NULL, NULL, item); /* the defaults */
		for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top && !rc; p++)
			if (!(rc = crm_ydoc_key(ld->yd, m, p, &k)))
				rc = fn(ld, k, crm_ydoc_node(ld->yd, p->value), item);
		if (!rc && !*(char **)item) /* each item's name comes first in its struct */
			rc = crm_ydoc_fail(ld->yd, m->start_mark, "each %s needs a name", what);
		for (size_t j = 0; j < i && !rc; j++)
			if (!strcmp(*(char **)((char *)*items + j * size), *(char **)item))
				rc = crm_ydoc_fail(ld->yd, m->start_mark, "%s '%s' twice", what,
				                   *(char **)item);
	}
	return rc;
}

static int rule_item(const struct loader *ld, const yaml_node_t *key, yaml_node_t *v, void *item)
{
	struct crm_loyalty_rule *r = item;

	if (!key)
		return (r->milli = 1000), CRM_OK; /* one point per unit, item or order */
	return rule_key(ld, key, v, r);
}

static int tier_item(const struct loader *ld, const yaml_node_t *key, yaml_node_t *v, void *item)
{
	struct crm_loyalty_tier *t = item;

	if (!key)
		return (t->multiplier = 1000), (t->spend = -1), CRM_OK;
	return tier_key(ld, key, v, t);
}

static int read_rewards(const struct loader *ld, yaml_node_t *node,
                        struct crm_loyalty_programme *p)
{
	size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected a mapping of reward names to"
		                     " their cost in points for 'rewards'");
	if (!(p->rewards = calloc(n ? n : 1, sizeof *p->rewards)))
		return crm_error_nomem();
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top && !rc;
	     pair++) {
		struct crm_loyalty_reward *r = &p->rewards[p->nrewards];

		if ((rc = crm_ydoc_key(ld->yd, node, pair, &k)) ||
		    (rc = name_value(ld, k, "reward", &r->name)))
			break;
		p->nrewards++;
		rc = whole_value(ld, crm_ydoc_node(ld->yd, pair->value), r->name, 1, CRM_POINTS_MAX,
		                 &r->points);
	}
	return rc;
}

static int read_cards(const struct loader *ld, yaml_node_t *node, struct crm_loyalty_programme *p)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *v;
	int64_t len;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected a mapping of prefix and length"
		                     " for 'cards'");
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top && !rc;
	     pair++) {
		if ((rc = crm_ydoc_key(ld->yd, node, pair, &k)))
			break;
		v = crm_ydoc_node(ld->yd, pair->value);
		if (!strcmp(crm_ydoc_text(k), "length")) {
			if (!(rc = whole_value(ld, v, "length", 8, CRM_CARD_LEN - 1, &len)))
				p->card_length = (int)len;
		} else if (!strcmp(crm_ydoc_text(k), "prefix")) {
			ld->cfg->loyalty.prefix_mark = v->start_mark;
			if (!(rc = name_value(ld, v, "prefix", &p->card_prefix)) &&
			    strspn(p->card_prefix, "0123456789") != strlen(p->card_prefix))
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "a card prefix is digits");
		} else {
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (cards have prefix"
			                   " and length)", crm_ydoc_text(k));
		}
	}
	return rc;
}

/* The tiers, and where each is for the checks of them all. */
static int read_tiers(const struct loader *ld, yaml_node_t *v, struct crm_loyalty_programme *p)
{
	struct crm_loyalty_text *t = &ld->cfg->loyalty;
	int rc = read_list(ld, v, "tier", (void **)&p->tiers, &p->ntiers, sizeof *p->tiers,
	                   tier_item);

	if (rc || !p->ntiers)
		return rc;
	if (!(t->tier_marks = calloc(p->ntiers, sizeof *t->tier_marks)))
		return crm_error_nomem();
	for (size_t i = 0; i < p->ntiers; i++)
		t->tier_marks[i] = crm_ydoc_node(ld->yd, v->data.sequence.items.start[i])->start_mark;
	return CRM_OK;
}

static int programme_key(const struct loader *ld, const yaml_node_t *k, yaml_node_t *v,
                         struct crm_loyalty_programme *p)
{
	const char *key = crm_ydoc_text(k);
	int64_t n;
	int rc;

	if (!strcmp(key, "earn"))
		return read_list(ld, v, "earn rule", (void **)&p->rules, &p->nrules, sizeof *p->rules,
		                 rule_item);
	if (!strcmp(key, "tiers"))
		return read_tiers(ld, v, p);
	if (!strcmp(key, "rewards"))
		return read_rewards(ld, v, p);
	if (!strcmp(key, "cards"))
		return read_cards(ld, v, p);
	if (!strcmp(key, "expiry_months") || !strcmp(key, "tier_window_months")) {
		if ((rc = whole_value(ld, v, key, !strcmp(key, "expiry_months") ? 0 : 1, 1200, &n)))
			return rc;
		*(key[0] == 'e' ? &p->expiry_months : &p->window_months) = (int)n;
		return CRM_OK;
	}
	return crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (the programme has earn,"
	                     " tiers, tier_window_months, expiry_months, rewards and cards)", key);
}

int crm_config_set_loyalty(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                           void *dst)
{
	struct crm_loyalty_programme *p;
	yaml_node_pair_t *pair;
	yaml_node_t *k;
	int rc = CRM_OK;

	(void)key, (void)dst;
	/* Held by the configuration at once, which frees it on any failure. */
	if (!(p = ld->cfg->loyalty.programme = calloc(1, sizeof *p)))
		return crm_error_nomem();
	p->window_months = 12;
	p->card_length = 16;
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top && !rc;
	     pair++)
		if (!(rc = crm_ydoc_key(ld->yd, node, pair, &k)))
			rc = programme_key(ld, k, crm_ydoc_node(ld->yd, pair->value), p);
	if (!rc && p->card_prefix && (int)strlen(p->card_prefix) > p->card_length - 5)
		rc = crm_ydoc_fail(ld->yd, ld->cfg->loyalty.prefix_mark, "the card prefix leaves fewer than four"
		                   " digits of the %d for the number", p->card_length);
	return rc;
}

/* Tiers go up: each needs more than the one before it. */
static int check_tiers(const struct loader *ld, const yaml_mark_t *m,
                       const struct crm_loyalty_programme *p)
{
	for (size_t i = 0; i < p->ntiers; i++)
		if (p->tiers[i].spend >= 0 && p->tiers[i].points)
			return crm_ydoc_fail(ld->yd, m[i], "tier '%s' is reached by points or by spend,"
			                     " not both", p->tiers[i].name);
	for (size_t i = 1; i < p->ntiers; i++) {
		const struct crm_loyalty_tier *a = &p->tiers[i - 1], *b = &p->tiers[i];

		if ((a->spend < 0) != (b->spend < 0))
			return crm_ydoc_fail(ld->yd, m[i], "tiers '%s' and '%s': all tiers are reached by"
			                     " points or all by spend", a->name, b->name);
		if (a->spend < 0 ? b->points <= a->points : b->spend <= a->spend)
			return crm_ydoc_fail(ld->yd, m[i], "tier '%s' needs more than '%s' before it",
			                     b->name, a->name);
	}
	return CRM_OK;
}

int crm_config_check_loyalty(const struct loader *ld)
{
	struct crm_loyalty_text *t = &ld->cfg->loyalty;
	struct crm_money m;

	for (size_t i = 0; i < t->namounts; i++) {
		if (crm_money_parse(&m, t->amounts[i].text, ld->cfg->currency))
			return crm_ydoc_fail(ld->yd, t->amounts[i].mark, "%s", crm_error_message());
		if (strcmp(m.cur, ld->cfg->currency) || m.minor < 0)
			return crm_ydoc_fail(ld->yd, t->amounts[i].mark, "expected an amount of at least 0"
			                     " in the base currency %s, found '%s'", ld->cfg->currency,
			                     t->amounts[i].text);
		*t->amounts[i].dst = m.minor;
	}
	return t->programme && t->programme->ntiers ? check_tiers(ld, t->tier_marks, t->programme)
	                                            : CRM_OK;
}
