/* fuzz_merge.c - the cluster input of crm-dedup merge, in TSV or (when the
 * input starts with '{') JSON Lines. */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_merge_input in = { .name = "fuzz" };
	FILE *fp = fuzz_stream(data, size);

	if (!fp)
		return 0;
	crm_merge_input_read(&in, fp, size && data[0] == '{' ? CRM_FORMAT_JSONL : CRM_FORMAT_TSV);
	crm_merge_input_free(&in);
	fclose(fp);
	return 0;
}
