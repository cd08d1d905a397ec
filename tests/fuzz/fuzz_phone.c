/* fuzz_phone.c - phone numbers to E.164, read as national numbers of the
 * region the first byte picks (or with none, as the configuration may
 * have none). */
#include "crm.h"
#include "fuzz.h"

static const char *const regions[] = { "GB", "US", "FR", "DE", "PL", "JP", "BR", "CZ", "IN", "ZZ", NULL };

/* Without the phone-number module every input would fail the same way and
 * the run would test nothing: stop at once instead (set
 * CRM_PHONE_MODULE, as make fuzz and make check do). */
static void require_module(void)
{
	static int checked;
	char *out = NULL;

	if (checked++)
		return;
	if (crm_phone_e164(&out, "+44 20 7946 0018", NULL) != CRM_OK) {
		fprintf(stderr, "fuzz_phone: %s\n", crm_error_message());
		abort();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *region = "GB";
	char *s, *out = NULL;

	require_module();
	if (size >= 1) {
		region = regions[data[0] % (sizeof regions / sizeof regions[0])];
		data++;
		size--;
	}
	if (!(s = fuzz_string(data, size)))
		return 0;
	if (crm_phone_e164(&out, s, region) == CRM_OK)
		free(out);
	free(s);
	return 0;
}
