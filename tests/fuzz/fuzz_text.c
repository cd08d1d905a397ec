/* fuzz_text.c - UTF-8 checks, NFC, match keys and their cross-script fold, widths, email addresses and
 * the similarity measures of record matching. */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *out = NULL, key[CRM_PHONETIC_SIZE];
	size_t half;

	if (!s)
		return 0;
	crm_utf8_valid_p((const char *)data, size);
	if (crm_text_nfc(&out, s) == CRM_OK)
		free(out);
	if (crm_text_key(&out, s) == CRM_OK)
		free(out);
	if (crm_text_fold(&out, s) == CRM_OK)
		free(out);
	crm_text_width(s);
	if (crm_email_normalize(&out, s) == CRM_OK)
		free(out);
	if (crm_email_key(&out, s) == CRM_OK)
		free(out);
	crm_phonetic(key, s);
	half = strlen(s) / 2;
	crm_nickname_p(s + half, s);
	crm_jaro_winkler(s + half, s);
	crm_damerau(s, s + half);
	crm_token_similarity(s, s + half);
	free(s);
	return 0;
}
