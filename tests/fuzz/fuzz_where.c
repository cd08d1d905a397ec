/* fuzz_where.c - the --where filters of every list ("FIELD OP VALUE"),
 * against a scratch database opened once and removed at exit. */
#include "crm.h"
#include "fuzz.h"

static crm_db *db;
static char dir[] = "/tmp/crm-fuzz.XXXXXX";
static char path[64];

static void cleanup(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char file[80];
	size_t i;

	crm_db_close(db);
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(file, sizeof file, "%s%s", path, suffix[i]);
		unlink(file);
	}
	rmdir(dir);
}

static crm_db *scratch(void)
{
	if (db || path[0])
		return db;
	if (!mkdtemp(dir))
		return NULL;
	snprintf(path, sizeof path, "%s/crm.db", dir);
	atexit(cleanup);
	if (crm_db_open(&db, path, 0, NULL) != CRM_OK)
		db = NULL;
	return db;
}

static int ignore(void *arg, const char *const *vals)
{
	(void)arg;
	(void)vals;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	crm_query *q = NULL;

	if (s && scratch() && crm_query_new(&q, db, crm_entity_find("contact")) == CRM_OK &&
	    crm_query_where(q, s) == CRM_OK && crm_query_fields(q, "id") == CRM_OK)
		crm_query_run(q, ignore, NULL, NULL);
	crm_query_free(q);
	free(s);
	return 0;
}
