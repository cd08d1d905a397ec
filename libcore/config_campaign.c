/* config_campaign.c - the campaign: key of the configuration (crm-config(5)):
 *
 *   campaign:
 *     unsubscribe_url: https://example.org/unsubscribe?t={token}
 *     unsubscribe_mailto: unsubscribe@example.org
 *     soft_bounces: 3           # soft bounces of an address ...
 *     soft_bounce_window: 30    # ... within these days mark it bounced
 *     results_window: 30        # days after a send a purchase or won deal counts
 */
#include <stdlib.h>
#include <string.h>

#include "crm/campaign.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "config_impl.h"

static const struct crm_campaign_config campaign_defaults = { NULL, NULL, 3, 30, 30 };

void crm_config_campaign_defaults(crm_config *c)
{
	c->campaign = campaign_defaults;
}

void crm_config_campaign_free(crm_config *c)
{
	free((char *)c->campaign.unsubscribe_url);
	free((char *)c->campaign.unsubscribe_mailto);
}

/* A whole number from lo to hi (digits only), optionally followed by
 * "d" when days. */
static int number(const char *text, long lo, long hi, int days, long *out)
{
	char digits[24];
	size_t n = strlen(text);
	long long v;

	if (days && n && text[n - 1] == 'd')
		n--;
	if (!n || n >= sizeof digits || strspn(text, "0123456789") < n)
		return 0;
	memcpy(digits, text, n);
	digits[n] = '\0';
	if (!crm_int_parse(digits, lo, hi, &v))
		return 0;
	*out = (long)v;
	return 1;
}

/* The URL must hold {token} once and be http(s); the address an '@'. */
static int set_string(const struct loader *ld, yaml_node_t *v, const char *name,
                      const char *text, const char **slot)
{
	char *copy;

	if (!strcmp(name, "unsubscribe_url") &&
	    ((strncmp(text, "https://", 8) && strncmp(text, "http://", 7)) ||
	     !strstr(text, "{token}") || strpbrk(text, " \t\r\n<>\"")))
		return crm_ydoc_fail(ld->yd, v->start_mark, "unsubscribe_url: expected an http(s)"
		                     " URL holding {token}, found '%s'", text);
	if (!strcmp(name, "unsubscribe_mailto") && (!strchr(text, '@') ||
	                                             strpbrk(text, " \t\r\n<>\"?,")))
		return crm_ydoc_fail(ld->yd, v->start_mark, "unsubscribe_mailto: expected an"
		                     " address, found '%s'", text);
	if (!(copy = strdup(text)))
		return crm_error_nomem();
	free((char *)*slot);
	*slot = copy;
	return CRM_OK;
}

static int set_key(const struct loader *ld, const char *name, yaml_node_t *k, yaml_node_t *v,
                   struct crm_campaign_config *m)
{
	const char *text = crm_ydoc_kind(v) == CRM_Y_SCALAR ? crm_ydoc_text(v) : "";

	if (!strcmp(name, "unsubscribe_url"))
		return set_string(ld, v, name, text, &m->unsubscribe_url);
	if (!strcmp(name, "unsubscribe_mailto"))
		return set_string(ld, v, name, text, &m->unsubscribe_mailto);
	if (!strcmp(name, "soft_bounces"))
		return number(text, 1, 1000, 0, &m->soft_bounces) ? CRM_OK :
		       crm_ydoc_fail(ld->yd, v->start_mark, "soft_bounces: expected a number"
		                     " from 1 to 1000, found '%s'", text);
	if (!strcmp(name, "soft_bounce_window") || !strcmp(name, "results_window"))
		return number(text, 1, 3650, 1, name[0] == 's' ? &m->soft_bounce_window
		                                                : &m->results_window) ? CRM_OK :
		       crm_ydoc_fail(ld->yd, v->start_mark, "%s: expected a number of days from 1"
		                     " to 3650, found '%s'", name, text);
	return crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (campaign has"
	                     " unsubscribe_url, unsubscribe_mailto, soft_bounces,"
	                     " soft_bounce_window and results_window)", name);
}

int crm_config_set_campaign(const struct loader *ld, const struct cfg_key *key,
                            yaml_node_t *node, void *dst)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k;
	int rc = CRM_OK;

	(void)key, (void)dst;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++)
		if (!(rc = crm_ydoc_key(ld->yd, node, p, &k)))
			rc = set_key(ld, crm_ydoc_text(k), k, crm_ydoc_node(ld->yd, p->value),
			             &ld->cfg->campaign);
	return rc;
}

const struct crm_campaign_config *crm_config_campaign(const crm_config *c)
{
	return c ? &c->campaign : &campaign_defaults;
}
