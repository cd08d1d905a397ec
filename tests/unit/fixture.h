/* fixture.h - a scratch directory, and a database in it, for the suites
 * that need one.  Check runs each test in a child process, so one set of
 * globals serves every test. */
#ifndef CRM_TEST_FIXTURE_H
#define CRM_TEST_FIXTURE_H

#include <stdbool.h>

#include "crm.h"

extern char fx_dir[64];   /* the scratch directory */
extern char fx_path[128]; /* fx_dir/crm.db */

/* Makes the scratch directory and fixes the clock ($CRM_NOW) and the
 * acting user ($CRM_USER) so results do not depend on when tests run. */
void fx_scratch(void);

/* fx_scratch(), then opens (creating) fx_path, inside a write transaction
 * when write is true. */
crm_db *fx_open(bool write);

/* Writes yaml to fx_dir/config.yaml and returns the configuration read
 * from it, which the caller frees. */
crm_config *fx_config(const char *yaml);

/* Closes db (NULL-safe) and removes the scratch directory. */
void fx_close(crm_db *db);

#endif
