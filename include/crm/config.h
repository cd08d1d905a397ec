/* config.h - the YAML configuration file (crm-config(5)).
 *
 * The file is optional: every key has a built-in default.  Unknown keys and
 * wrong types are errors that name file:line:column.
 */
#ifndef CRM_CONFIG_H
#define CRM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct crm_config crm_config;

/* Stores in *out the configuration read from path, or when path is NULL from
 * the first of $CRM_CONFIG, $XDG_CONFIG_HOME/crm/config.yaml (default
 * ~/.config/crm/config.yaml) and /etc/crm/config.yaml that exists; built-in
 * defaults when none exists.  A path given explicitly or through $CRM_CONFIG
 * must exist.  CRM_EUSAGE with "FILE:LINE:COLUMN: reason" for a malformed
 * file, an unknown key or a wrong type; CRM_EIO when it cannot be read.
 * The caller frees *out with crm_config_free. */
int crm_config_load(crm_config **out, const char *path);

/* Returns the file the configuration came from, or NULL for defaults. */
const char *crm_config_path(const crm_config *c);

/* Returns the configured database path, or NULL when not set. */
const char *crm_config_database(const crm_config *c);

/* Returns the default phone region (ISO 3166-1 alpha-2); default "US". */
const char *crm_config_region(const crm_config *c);

/* Returns the base currency (ISO 4217); default "EUR". */
const char *crm_config_currency(const crm_config *c);

/* Returns the busy timeout in milliseconds, or -1 when not configured. */
long crm_config_busy_timeout(const crm_config *c);

/* A stage of a sales pipeline: the probability (0-100) a deal in it has
 * unless one is set by hand, and the days a deal may stay in it without a
 * stage change, note or finished task before it is stale (0: never). */
struct crm_stage {
	const char *name;
	int probability;
	int rot_days;
};

struct crm_pipeline {
	const char *name;
	const struct crm_stage *stages; /* in order */
	size_t nstages;
};

/* Stores in *out the configured pipelines, or the built-in one ("default":
 * lead 10, qualified 25, proposal 50, negotiation 75, each stale after 14
 * days) when the file names none; returns how many. */
size_t crm_config_pipelines(const crm_config *c, const struct crm_pipeline **out);

/* Returns the pipeline called name -- exactly, else in any case and
 * spacing -- (the first one for NULL), or NULL. */
const struct crm_pipeline *crm_config_pipeline(const crm_config *c, const char *name);

/* Returns the stage of p called name -- exactly, else in any case and
 * spacing ("Closed Won", "closed_won") -- or NULL. */
const struct crm_stage *crm_pipeline_stage(const struct crm_pipeline *p, const char *name);

/* Returns the reasons a lost deal may give (NULL-terminated), or NULL when
 * any text will do. */
const char *const *crm_config_lost_reasons(const crm_config *c);

/* Returns the configured reason text means (matched as stage names are),
 * or NULL. */
const char *crm_config_lost_reason(const crm_config *c, const char *text);

/* A sales target: the amount to win in a period ("2026-Q4", "2026-11",
 * "2026"), by everyone (owner NULL) or by one owner. */
struct crm_sales_target {
	const char *period;
	const char *owner;
	int64_t amount;  /* minor units of currency */
	char currency[4];
};

/* Stores in *out the configured targets; returns how many. */
size_t crm_config_targets(const crm_config *c, const struct crm_sales_target **out);

/* The coefficients of a task's urgency: per day overdue, for each
 * priority, and per 1,000 units of the base currency open in its deal. */
struct crm_urgency {
	double overdue, high, normal, low, deal;
};

/* Returns the urgency coefficients (defaults 1, 6, 0, -2, 1). */
const struct crm_urgency *crm_config_urgency(const crm_config *c);

/* Returns the queues tickets are filed in (NULL-terminated), by default
 * the one queue "support". */
const char *const *crm_config_queues(const crm_config *c);

/* Returns the configured queue called name in any case, or NULL. */
const char *crm_config_queue(const crm_config *c, const char *name);

/* How mail goes out and where unreadable incoming mail is put aside. */
struct crm_mail_config {
	const char *from;    /* the From of replies, or NULL: replies cannot be sent */
	const char *send;    /* the command a message is piped to (sendmail -t -oi) */
	const char *reject;  /* the Maildir unreadable mail is moved to, or NULL */
	long attachment_cap; /* bytes; a larger attachment is listed, not kept (10 MiB) */
};

/* Returns the mail settings (defaults when c is NULL). */
const struct crm_mail_config *crm_config_mail(const crm_config *c);

struct crm_calendar;

/* Returns the calendar called name, or NULL. */
const struct crm_calendar *crm_config_calendar(const crm_config *c, const char *name);

/* A service-level policy: the tickets it applies to (any of the queues,
 * any of the priorities, and a tag of the requester or the company; NULL:
 * any), its calendar (NULL: around the clock, UTC) and its targets in
 * business seconds (0: none). */
struct crm_sla_policy {
	const char *name;
	const char *const *queues;
	const char *const *priorities;
	const char *const *tags;
	const struct crm_calendar *calendar;
	long first_response, next_response, resolution;
};

/* Stores in *out the SLA policies in the order they are tried; returns
 * how many. */
size_t crm_config_sla(const crm_config *c, const struct crm_sla_policy **out);
/* Stores in *out the locales of knowledge-base articles (language codes
 * such as "uz", "pt-BR"), in the configured order, or the built-in "en"
 * alone; returns how many.  The first is the default. */
size_t crm_config_locales(const crm_config *c, const char *const **out);

/* Returns the configured spelling of locale name, matched in any case
 * ("EN" is "en"), the default locale for NULL, or NULL when not configured. */
const char *crm_config_locale(const crm_config *c, const char *name);

struct crm_report_config;
/* Returns how reports decide who is a customer (report.h; defaults --
 * a purchase within 365 days -- when c is NULL or names none). */
const struct crm_report_config *crm_config_report(const crm_config *c);
/* Frees a configuration; NULL-safe. */
void crm_config_free(crm_config *c);

#endif
