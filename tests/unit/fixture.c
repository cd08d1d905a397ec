/* fixture.c - see fixture.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"

char fx_dir[64];
char fx_path[128];

void fx_scratch(void)
{
	snprintf(fx_dir, sizeof fx_dir, "/tmp/crm-check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx_dir));
	snprintf(fx_path, sizeof fx_path, "%s/crm.db", fx_dir);
	setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1);
	setenv("CRM_USER", "tester", 1);
}

crm_db *fx_open(bool write)
{
	crm_db *db;

	fx_scratch();
	ck_assert_int_eq(crm_db_open(&db, fx_path, 0, NULL), CRM_OK);
	if (write)
		ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	return db;
}

crm_config *fx_config(const char *yaml)
{
	char path[192];
	crm_config *cfg = NULL;
	FILE *f;

	snprintf(path, sizeof path, "%s/config.yaml", fx_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs(yaml, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(crm_config_load(&cfg, path) == CRM_OK, "%s", crm_error_message());
	return cfg;
}

void fx_close(crm_db *db)
{
	char cmd[128];

	crm_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
	ck_assert_int_eq(system(cmd), 0);
}
