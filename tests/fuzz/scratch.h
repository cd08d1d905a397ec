/* scratch.h - a scratch database for the fuzz targets that need one:
 * opened on first use, in a folder of its own, removed at exit. */
#ifndef CRM_FUZZ_SCRATCH_H
#define CRM_FUZZ_SCRATCH_H

#include "crm.h"
#include "fuzz.h"

static crm_db *scratch_db;
static char scratch_dir[] = "/tmp/crm-fuzz.XXXXXX";
static char scratch_path[64];

static void scratch_cleanup(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char file[80];
	size_t i;

	crm_db_close(scratch_db);
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(file, sizeof file, "%s%s", scratch_path, suffix[i]);
		unlink(file);
	}
	rmdir(scratch_dir);
}

/* Returns the scratch database, or NULL when it cannot be made. */
static crm_db *scratch(void)
{
	if (scratch_db || scratch_path[0])
		return scratch_db;
	if (!mkdtemp(scratch_dir))
		return NULL;
	snprintf(scratch_path, sizeof scratch_path, "%s/crm.db", scratch_dir);
	atexit(scratch_cleanup);
	if (crm_db_open(&scratch_db, scratch_path, 0, NULL) != CRM_OK)
		scratch_db = NULL;
	return scratch_db;
}

#endif
