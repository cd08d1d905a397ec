/* fuzz_date.c - dates, times and relative dates ("+3d", "yesterday"). */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), date[CRM_DATE_LEN], time[CRM_TIME_LEN];
	int64_t t;

	if (!s)
		return 0;
	crm_date_parse(date, s, 1795000000);
	crm_time_parse(time, s, 1795000000);
	crm_time_parse_epoch(&t, s, 1795000000);
	free(s);
	return 0;
}
