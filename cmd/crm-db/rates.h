/* rates.h - crm-db rates: exchange rates for converting to the base
 * currency. */
#ifndef CRM_DB_RATES_H
#define CRM_DB_RATES_H

#include "cli.h"

extern const struct cli_opt db_rates_opts[];

/* rates import FILE|- | set DATE CURRENCY RATE | list [--currency CUR] */
int db_rates(struct cli *c, int argc, char **argv);

#endif
