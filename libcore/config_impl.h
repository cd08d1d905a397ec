/* config_impl.h - what the configuration's files share (config.c reads
 * the file and the plain keys, config_sales.c the pipelines, targets and
 * the rest of the sales keys).  Internal to libcore. */
#ifndef CRM_CONFIG_IMPL_H
#define CRM_CONFIG_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "crm/calendar.h"
#include "crm/campaign.h"
#include "crm/config.h"
#include "crm/report.h"
#include "ydoc.h"

/* A target as the file states it, read once the base currency is known. */
struct crm_target_text {
	char *amount;
	yaml_mark_t mark;
};

struct crm_sales {
	struct crm_pipeline *pipelines;
	size_t npipelines;
	int builtin; /* pipelines is the built-in default, not the file's */
	char **lost; /* NULL-terminated, or NULL: any reason goes */
	struct crm_sales_target *targets;
	struct crm_target_text *target_text;
	size_t ntargets;
	struct crm_urgency urgency;
};

/* What a policy names, resolved once the whole file is read. */
struct crm_policy_text {
	char *calendar;
	yaml_mark_t calendar_mark, queue_mark;
};

struct crm_named_calendar {
	char *name;
	crm_calendar *cal;
};

struct crm_desk {
	char **queues; /* NULL-terminated, or NULL: the default */
	struct crm_mail_config mail;
	struct crm_named_calendar *calendars;
	size_t ncalendars;
	struct crm_sla_policy *policies;
	struct crm_policy_text *policy_text;
	size_t npolicies;
};

struct crm_loyalty_programme;

/* An amount of the programme, read once the base currency is known. */
struct crm_loyalty_amount {
	char *text;
	yaml_mark_t mark;
	int64_t *dst;
};

struct crm_loyalty_text {
	struct crm_loyalty_programme *programme; /* NULL: none configured */
	struct crm_loyalty_amount *amounts;
	size_t namounts;
	yaml_mark_t *tier_marks, prefix_mark; /* where checks of the whole name them */
};

struct crm_config {
	char *path;
	char *database;
	char region[3];
	char currency[4];
	long busy_timeout;
	struct crm_sales sales;
	struct crm_desk desk;
	char **locales; /* the knowledge base's, in order; NULL: the built-in "en" */
	size_t nlocales;
	struct crm_loyalty_text loyalty;
	struct crm_report_config report;
	struct crm_campaign_config campaign;
};

struct loader {
	const struct crm_ydoc *yd;
	crm_config *cfg;
};

struct cfg_key;

/* Validates node (already known to be of key->kind) and stores it at dst. */
typedef int cfg_setter(const struct loader *ld, const struct cfg_key *key,
		       yaml_node_t *node, void *dst);

struct cfg_key {
	const char *name;
	enum crm_ykind kind;
	cfg_setter *set;
	size_t offset;    /* where the value lives inside struct crm_config */
	size_t arg;       /* setter-specific, e.g. the length of a letter code */
	const char *what; /* the expected value as messages describe it */
};

/* Stores in *out the file that the path in node names: a leading ~/
 * stands for $HOME, and a relative path is taken from the folder of the
 * configuration file, so that it names the same file from any current
 * folder (as under cron).  The caller frees *out. */
int crm_config_file_path(const struct loader *ld, const yaml_node_t *node, char **out);

/* Fails with "expected WHAT for 'key', found ..." at node. */
int crm_config_wrong(const struct loader *ld, const struct cfg_key *key,
		     const yaml_node_t *node);

/* The setters of the sales keys (config_sales.c). */
cfg_setter crm_config_set_pipelines, crm_config_set_lost, crm_config_set_targets,
	crm_config_set_urgency;

/* Sets the built-in sales defaults; frees what the sales keys hold. */
void crm_config_sales_defaults(crm_config *c);
void crm_config_sales_free(crm_config *c);

/* The campaign key (config_campaign.c). */
cfg_setter crm_config_set_campaign;
void crm_config_campaign_defaults(crm_config *c);
void crm_config_campaign_free(crm_config *c);

cfg_setter crm_config_set_queues, crm_config_set_mail, crm_config_set_calendars,
	crm_config_set_sla;

/* Frees a NULL-terminated list of words (NULL-safe). */
void crm_config_free_words(char **w);

void crm_config_desk_defaults(crm_config *c);
void crm_config_desk_free(crm_config *c);
int crm_config_check_desk(const struct loader *ld);

/* The loyalty programme (config_loyalty.c). */
cfg_setter crm_config_set_loyalty;
int crm_config_check_loyalty(const struct loader *ld);
void crm_config_loyalty_free(crm_config *c);

/* Reads what needs the whole file (target amounts in the base currency). */
int crm_config_check_sales(const struct loader *ld);

#endif
