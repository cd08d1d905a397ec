/* fuzz_rates.c - exchange-rate files in the European Central Bank's CSV
 * layout, imported into a scratch database (opened once, removed at exit)
 * inside a transaction that is rolled back, then a rate looked up. */
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crm_db *db;
	struct crm_rates_counts n;
	struct crm_rate r;
	FILE *in;

	if (!(db = scratch()) || crm_db_begin(db, true) != CRM_OK)
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
