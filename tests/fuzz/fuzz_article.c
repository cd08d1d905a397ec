/* fuzz_article.c - article files (front matter and body, crm-kb(1)), the
 * query suggest builds from a ticket's text, and the line diff of two
 * halves of the input. */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *q = NULL;
	struct crm_kb_doc d;
	crm_buf out = CRM_BUF_INIT;
	size_t half, add, del;

	if (!s)
		return 0;
	crm_kb_doc_parse(&d, "fuzz.md", s);
	crm_kb_doc_free(&d);
	if (crm_kb_suggest_query(&q, s) == CRM_OK)
		free(q);
	half = strlen(s) / 2;
	crm_diff_unified(&out, s + half, s, "a", "b", 3);
	crm_buf_free(&out);
	crm_diff_stat(s, s + half, &add, &del);
	free(s);
	return 0;
}
