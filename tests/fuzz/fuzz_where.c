/* fuzz_where.c - the --where filters of every list ("FIELD OP VALUE"),
 * of people, deals (amounts, references) and tasks, against a scratch
 * database opened once and removed at exit. */
#include "scratch.h"

static int ignore(void *arg, const char *const *vals)
{
	(void)arg;
	(void)vals;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const entities[] = { "contact", "deal", "task" };
	crm_db *db;
	char *s = fuzz_string(data, size);

	for (size_t i = 0; s && (db = scratch()) && i < sizeof entities / sizeof *entities; i++) {
		crm_query *q = NULL;

		if (crm_query_new(&q, db, crm_entity_find(entities[i])) == CRM_OK &&
		    crm_query_where(q, s) == CRM_OK && crm_query_fields(q, "id") == CRM_OK)
			crm_query_run(q, ignore, NULL, NULL);
		crm_query_free(q);
	}
	free(s);
	return 0;
}
