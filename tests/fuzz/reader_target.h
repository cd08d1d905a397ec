/* reader_target.h - the body of the fuzz targets of the import readers:
 * including file defines FORMAT. */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_reader_opts o = { .format = FORMAT };
	struct crm_row row;
	crm_reader *r;
	FILE *fp = fuzz_stream(data, size);
	int n = 0;

	if (!fp)
		return 0;
	if (crm_reader_open(&r, fp, "fuzz", &o) == CRM_OK) {
		/* A cap on records keeps a run fast; the readers hold one at a time. */
		while (n++ < 100000 && crm_reader_next(r, &row) == 1)
			;
		crm_reader_close(r);
	}
	fclose(fp);
	return 0;
}
