/* config.h - the YAML configuration file (crm-config(5)).
 *
 * The file is optional: every key has a built-in default.  Unknown keys and
 * wrong types are errors that name file:line:column.
 */
#ifndef CRM_CONFIG_H
#define CRM_CONFIG_H

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

/* Frees a configuration; NULL-safe. */
void crm_config_free(crm_config *c);

#endif
