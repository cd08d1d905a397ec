/* config.c - the YAML configuration file (crm-config(5)).
 *
 * The file is loaded as a document (ydoc.h) so every node keeps its
 * position for messages.  A table maps each top-level key to the node kind
 * it accepts and to a setter that validates the value and stores it inside
 * struct crm_config; a new key is a new row.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "crm/buf.h"
#include "crm/config.h"
#include "crm/error.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "config_impl.h"

/* A build may relocate the system-wide file (e.g. under a PREFIX). */
#ifndef CRM_SYSTEM_CONFIG
#define CRM_SYSTEM_CONFIG "/etc/crm/config.yaml"
#endif

#define DEFAULT_REGION "US"
#define DEFAULT_CURRENCY "EUR"

/* The length of a fixed letter code is tied to the array that stores it. */
#define CODE_LEN(field) (sizeof(((struct crm_config *)0)->field) - 1)

static int set_path(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst);
static int set_region(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst);
static int set_currency(const struct loader *ld, const struct cfg_key *key,
			yaml_node_t *node, void *dst);
static int set_millis(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst);
static int set_locales(const struct loader *ld, const struct cfg_key *key,
		       yaml_node_t *node, void *dst);
static int set_report(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst);

static const struct cfg_key keys[] = {
	{ "database", CRM_Y_SCALAR, set_path,
	  offsetof(struct crm_config, database), 0, "a path" },
	{ "default_region", CRM_Y_SCALAR, set_region,
	  offsetof(struct crm_config, region), CODE_LEN(region),
	  "a 2-letter region code" },
	{ "base_currency", CRM_Y_SCALAR, set_currency,
	  offsetof(struct crm_config, currency), CODE_LEN(currency),
	  "a 3-letter currency code" },
	{ "busy_timeout", CRM_Y_SCALAR, set_millis,
	  offsetof(struct crm_config, busy_timeout), 0,
	  "a non-negative integer" },
	{ "pipelines", CRM_Y_MAPPING, crm_config_set_pipelines, 0, 0,
	  "a mapping of pipeline names to their stages" },
	{ "lost_reasons", CRM_Y_SEQUENCE, crm_config_set_lost, 0, 0, "a list of reasons" },
	{ "targets", CRM_Y_SEQUENCE, crm_config_set_targets, 0, 0, "a list of targets" },
	{ "task_urgency", CRM_Y_MAPPING, crm_config_set_urgency, 0, 0,
	  "a mapping of urgency coefficients" },
	{ "queues", CRM_Y_SEQUENCE, crm_config_set_queues, 0, 0, "a list of queue names" },
	{ "mail", CRM_Y_MAPPING, crm_config_set_mail, 0, 0,
	  "a mapping of from, send, reject and attachment_cap" },
	{ "calendars", CRM_Y_MAPPING, crm_config_set_calendars, 0, 0,
	  "a mapping of calendar names to calendars" },
	{ "sla", CRM_Y_SEQUENCE, crm_config_set_sla, 0, 0, "a list of SLA policies" },
	{ "locales", CRM_Y_SEQUENCE, set_locales, 0, 0, "a list of locale codes" },
	{ "loyalty", CRM_Y_MAPPING, crm_config_set_loyalty, 0, 0,
	  "a mapping of earn rules, tiers, expiry, rewards and cards" },
	{ "report", CRM_Y_MAPPING, set_report, offsetof(struct crm_config, report), 0,
	  "a mapping of customer_definition and active_window" },
	{ "campaign", CRM_Y_MAPPING, crm_config_set_campaign, 0, 0,
	  "a mapping of unsubscribe_url, unsubscribe_mailto, soft_bounces, soft_bounce_window"
	  " and results_window" },
};

int crm_config_wrong(const struct loader *ld, const struct cfg_key *key,
		     const yaml_node_t *node)
{
	const char *kind = crm_ydoc_kind_name(node);

	if (kind)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected %s for '%s', found %s",
				     key->what, key->name, kind);
	return crm_ydoc_fail(ld->yd, node->start_mark, "expected %s for '%s', found '%s'",
			     key->what, key->name, crm_ydoc_text(node));
}

static int expand_home(const struct loader *ld, const yaml_node_t *node, char **out)
{
	const char *s = crm_ydoc_text(node);
	const char *home;
	crm_buf b = CRM_BUF_INIT;
	size_t n;

	if (strncmp(s, "~/", 2) != 0) {
		*out = strdup(s);
		return *out ? CRM_OK : crm_error_nomem();
	}
	home = getenv("HOME");
	if (!home || !*home)
		return crm_ydoc_fail(ld->yd, node->start_mark, "cannot expand '%s': HOME is not set", s);
	n = strlen(home);
	while (n > 0 && home[n - 1] == '/')
		n--;
	if (crm_buf_put(&b, home, n) || crm_buf_puts(&b, s + 1)) {
		crm_buf_free(&b);
		return CRM_ENOMEM;
	}
	*out = crm_buf_detach(&b);
	return CRM_OK;
}

int crm_config_file_path(const struct loader *ld, const yaml_node_t *node, char **out)
{
	const char *s = crm_ydoc_text(node), *file = ld->yd->file;
	const char *slash = file ? strrchr(file, '/') : NULL;
	crm_buf b = CRM_BUF_INIT;

	if (s[0] == '/' || !strncmp(s, "~/", 2) || !slash)
		return expand_home(ld, node, out);
	if (crm_buf_printf(&b, "%.*s/%s", (int)(slash - file), file, s)) {
		crm_buf_free(&b);
		return crm_error_nomem();
	}
	*out = crm_buf_detach(&b);
	return CRM_OK;
}

static int set_path(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst)
{
	char **slot = dst;
	char *p;
	int rc;

	if (node->data.scalar.length == 0 || crm_ydoc_has_nul(node))
		return crm_config_wrong(ld, key, node);
	rc = expand_home(ld, node, &p);
	if (rc)
		return rc;
	free(*slot);
	*slot = p;
	return CRM_OK;
}

/* Only ASCII letters count: a locale's isalpha() would admit letters that
 * no ISO code contains. */
static int set_code(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst)
{
	const char *s = crm_ydoc_text(node);
	char *code = dst;
	size_t i;

	if (node->data.scalar.length != key->arg)
		return crm_config_wrong(ld, key, node);
	for (i = 0; i < key->arg; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c < 'A' || c > 'Z')
			return crm_config_wrong(ld, key, node);
		code[i] = c;
	}
	code[key->arg] = '\0';
	return CRM_OK;
}

/* A code of the right shape that names no region or currency is refused
 * here, naming the line, not later as the fault of every phone number or
 * amount the user types. */
static int set_region(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst)
{
	int rc = set_code(ld, key, node, dst);

	if (!rc && !crm_country_valid_p(dst))
		rc = crm_ydoc_fail(ld->yd, node->start_mark, "unknown region '%s' for '%s'"
		                   " (an ISO 3166-1 alpha-2 code such as GB)",
		                   crm_ydoc_text(node), key->name);
	return rc;
}

static int set_currency(const struct loader *ld, const struct cfg_key *key,
			yaml_node_t *node, void *dst)
{
	int rc = set_code(ld, key, node, dst);

	if (!rc && !crm_currency_valid_p(dst))
		rc = crm_ydoc_fail(ld->yd, node->start_mark, "unknown currency '%s' for '%s'"
		                   " (an ISO 4217 code such as EUR)", crm_ydoc_text(node),
		                   key->name);
	return rc;
}

/* Digits only: strtol alone would accept signs, blanks and a 0x prefix. */
static int set_millis(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst)
{
	const char *s = crm_ydoc_text(node);
	size_t len = node->data.scalar.length;
	long *slot = dst;
	long v;

	if (len == 0 || strspn(s, "0123456789") != len)
		return crm_config_wrong(ld, key, node);
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE)
		return crm_ydoc_fail(ld->yd, node->start_mark, "value '%s' for '%s' is too large",
			       s, key->name);
	*slot = v;
	return CRM_OK;
}

/* A language tag as BCP 47 writes the common ones: two or three letters,
 * then subtags of letters and digits after '-' ("uz", "pt-BR", "uz-Cyrl"). */
static int locale_code_p(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

	if (n < 2 || n > 3)
		return 0;
	for (s += n; *s == '-'; s += n) {
		n = strspn(++s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (n < 1 || n > 8)
			return 0;
	}
	return *s == '\0';
}

static void free_locales(crm_config *c)
{
	for (size_t i = 0; i < c->nlocales; i++)
		free(c->locales[i]);
	free(c->locales);
	c->locales = NULL;
	c->nlocales = 0;
}

static const struct crm_report_config report_defaults = { CRM_CUSTOMER_PURCHASE, 365 };

/* report: customer_definition (purchase or status) and active_window (a
 * whole number of days, 1 to 36500). */
static int set_report(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst)
{
	struct crm_report_config *r = dst;
	const yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *name, *text;
	char *end;
	int rc = CRM_OK;

	(void)key;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		name = crm_ydoc_text(k);
		v = crm_ydoc_node(ld->yd, p->value);
		text = crm_ydoc_kind(v) == CRM_Y_SCALAR ? crm_ydoc_text(v) : "";
		if (!strcmp(name, "customer_definition")) {
			if (!strcmp(text, "purchase") || !strcmp(text, "status"))
				r->rule = *text == 'p' ? CRM_CUSTOMER_PURCHASE : CRM_CUSTOMER_STATUS;
			else
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "customer_definition: expected"
				                   " purchase or status, found '%s'", text);
		} else if (!strcmp(name, "active_window")) {
			errno = 0;
			r->active_window = strtol(text, &end, 10);
			if (*text < '0' || *text > '9' || errno || (*end && strcmp(end, "d")) ||
			    r->active_window < 1 || r->active_window > 36500)
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "active_window: expected a"
				                   " number of days from 1 to 36500, found '%s'", text);
		} else {
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (expected"
			                   " customer_definition or active_window)", name);
		}
	}
	return rc;
}

const struct crm_report_config *crm_config_report(const crm_config *c)
{
	return c ? &c->report : &report_defaults;
}

static int set_locales(const struct loader *ld, const struct cfg_key *key,
		       yaml_node_t *node, void *dst)
{
	crm_config *c = ld->cfg;
	size_t cap = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	yaml_node_item_t *it;

	(void)dst;
	free_locales(c);
	if (!cap)
		return crm_ydoc_fail(ld->yd, node->start_mark, "'locales' names no locale");
	if (!(c->locales = calloc(cap, sizeof *c->locales)))
		return crm_error_nomem();
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *v = crm_ydoc_node(ld->yd, *it);

		if (crm_ydoc_kind(v) != CRM_Y_SCALAR || !locale_code_p(crm_ydoc_text(v)))
			return crm_config_wrong(ld, key, v);
		for (size_t i = 0; i < c->nlocales; i++)
			if (!strcasecmp(c->locales[i], crm_ydoc_text(v)))
				return crm_ydoc_fail(ld->yd, v->start_mark,
						     "locale '%s' twice in 'locales'", crm_ydoc_text(v));
		if (!(c->locales[c->nlocales] = strdup(crm_ydoc_text(v))))
			return crm_error_nomem();
		c->nlocales++;
	}
	return CRM_OK;
}

size_t crm_config_locales(const crm_config *c, const char *const **out)
{
	static const char *const builtin[] = { "en" };

	if (!c || !c->nlocales) {
		*out = builtin;
		return 1;
	}
	*out = (const char *const *)c->locales;
	return c->nlocales;
}

const char *crm_config_locale(const crm_config *c, const char *name)
{
	const char *const *l;
	size_t n = crm_config_locales(c, &l);

	for (size_t i = 0; i < n; i++)
		if (!name || !strcasecmp(l[i], name))
			return l[i];
	return NULL;
}

static const struct cfg_key *find_key(const yaml_node_t *k)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, crm_ydoc_text(k)) == 0)
			return &keys[i];
	return NULL;
}

static int apply_pair(const struct loader *ld, const yaml_node_t *map,
		      const yaml_node_pair_t *pair)
{
	const struct cfg_key *key;
	yaml_node_t *k = NULL, *v;
	int rc;

	rc = crm_ydoc_key(ld->yd, map, pair, &k);
	if (rc)
		return rc;
	key = find_key(k);
	if (!key)
		return crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s'", crm_ydoc_text(k));
	v = crm_ydoc_node(ld->yd, pair->value);
	if (crm_ydoc_kind(v) != key->kind)
		return crm_config_wrong(ld, key, v);
	return key->set(ld, key, v, (char *)ld->cfg + key->offset);
}

static int apply_root(const struct loader *ld)
{
	yaml_node_t *root = crm_ydoc_root(ld->yd);
	yaml_node_pair_t *pair;
	int rc;

	/* An empty file, comments only or a bare "---" all mean defaults. */
	if (!root || crm_ydoc_kind(root) == CRM_Y_NULL)
		return CRM_OK;
	if (root->type != YAML_MAPPING_NODE)
		return crm_ydoc_fail(ld->yd, root->start_mark,
			       "expected a mapping at the top level, found %s",
			       crm_ydoc_kind_name(root) ? crm_ydoc_kind_name(root) : "a scalar");
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		rc = apply_pair(ld, root, pair);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

static int load_path(crm_config *cfg, const char *path, int optional)
{
	struct crm_ydoc yd;
	struct loader ld = { &yd, cfg };
	int rc;

	rc = crm_ydoc_load(&yd, path, optional);
	if (!rc)
		rc = apply_root(&ld);
	if (!rc)
		rc = crm_config_check_sales(&ld);
	if (!rc)
		rc = crm_config_check_desk(&ld);
	if (!rc)
		rc = crm_config_check_loyalty(&ld);
	crm_ydoc_free(&yd);
	if (rc)
		return rc;
	cfg->path = strdup(path);
	return cfg->path ? CRM_OK : crm_error_nomem();
}

/* The XDG base directory spec says to ignore a relative $XDG_CONFIG_HOME;
 * leaves b empty when neither it nor $HOME gives a place to look. */
static int user_path(crm_buf *b)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return crm_buf_printf(b, "%s/crm/config.yaml", xdg);
	if (home && *home)
		return crm_buf_printf(b, "%s/.config/crm/config.yaml", home);
	return CRM_OK;
}

static int load_default(crm_config *cfg)
{
	const char *env = getenv("CRM_CONFIG");
	crm_buf user = CRM_BUF_INIT;
	int rc;

	if (env && *env)
		return load_path(cfg, env, 0);
	rc = user_path(&user);
	if (!rc)
		rc = user.len ? load_path(cfg, user.ptr, 1) : CRM_ENOTFOUND;
	crm_buf_free(&user);
	if (rc != CRM_ENOTFOUND)
		return rc;
	rc = load_path(cfg, CRM_SYSTEM_CONFIG, 1);
	return rc == CRM_ENOTFOUND ? CRM_OK : rc;
}

int crm_config_load(crm_config **out, const char *path)
{
	crm_config *cfg = calloc(1, sizeof *cfg);
	int rc;

	*out = NULL;
	if (!cfg)
		return crm_error_nomem();
	memcpy(cfg->region, DEFAULT_REGION, sizeof cfg->region);
	memcpy(cfg->currency, DEFAULT_CURRENCY, sizeof cfg->currency);
	cfg->busy_timeout = -1;
	crm_config_sales_defaults(cfg);
	crm_config_desk_defaults(cfg);
	cfg->report = report_defaults;
	crm_config_campaign_defaults(cfg);
	rc = path ? load_path(cfg, path, 0) : load_default(cfg);
	if (rc) {
		crm_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return CRM_OK;
}

const char *crm_config_path(const crm_config *c)
{
	return c ? c->path : NULL;
}

const char *crm_config_database(const crm_config *c)
{
	return c ? c->database : NULL;
}

const char *crm_config_region(const crm_config *c)
{
	return c ? c->region : DEFAULT_REGION;
}

const char *crm_config_currency(const crm_config *c)
{
	return c ? c->currency : DEFAULT_CURRENCY;
}

long crm_config_busy_timeout(const crm_config *c)
{
	return c ? c->busy_timeout : -1;
}

void crm_config_free(crm_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->database);
	crm_config_sales_free(c);
	crm_config_desk_free(c);
	crm_config_loyalty_free(c);
	crm_config_campaign_free(c);
	free_locales(c);
	free(c);
}
