/* fuzz_rates.c - exchange-rate files in the European Central Bank's CSV
 * layout, imported into a scratch database (opened once, removed at exit)
 * inside a transaction that is rolled back, then a rate looked up. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_rates_counts n;
	struct crm_rate r;
	FILE *in;

	if (!scratch() || crm_db_begin(db, true) != CRM_OK)
		return 0;
	if ((in = fuzz_stream(data, size))) {
		if (crm_rates_import(db, in, "fuzz", &n) == CRM_OK && n.stored > 0 &&
		    crm_rate_on(db, "USD", "2026-12-31", &r) == CRM_OK && (r.num <= 0 || r.scale < 0))
			abort(); /* a stored rate is positive */
		fclose(in);
	}
	crm_db_rollback(db);
	crm_error_clear();
	return 0;
}
