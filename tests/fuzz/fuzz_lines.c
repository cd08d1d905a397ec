/* fuzz_lines.c - purchase lines as --line takes them ("SKU QTY PRICE
 * [NAME]", each input line one, in EUR, JPY and KWD) and as --lines-json
 * reads them (the whole input).  Whatever is read must hold: quantities
 * from 1 to CRM_QUANTITY_MAX, prices not negative. */
#include "crm.h"
#include "fuzz.h"

static void check(const struct crm_purchase_lines *ls)
{
	int64_t sum;

	for (size_t i = 0; i < ls->n; i++)
		if (ls->v[i].quantity < 1 || ls->v[i].quantity > CRM_QUANTITY_MAX || ls->v[i].price < 0)
			abort();
	if (crm_purchase_lines_sum(ls, &sum) == CRM_OK && sum < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const curs[] = { "EUR", "JPY", "KWD" };
	struct crm_purchase_lines ls = { 0 };
	char *s = fuzz_string(data, size), *line, *save = NULL;

	if (!s)
		return 0;
	crm_purchase_lines_json(&ls, (const char *)data, size, "EUR");
	check(&ls);
	crm_purchase_lines_free(&ls);
	for (size_t k = 0; k < 3; k++) {
		char *copy = strdup(s);

		for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save))
			crm_purchase_line_parse(&ls, line, curs[k]);
		check(&ls);
		crm_purchase_lines_free(&ls);
		free(copy);
	}
	crm_error_clear();
	free(s);
	return 0;
}
