/* fuzz_dsn.c - one message read as a delivery status notification
 * (crm_mail_dsn). */
#include "crm/mail.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_dsn *d = NULL;

	if (crm_mail_dsn(&d, (const char *)data, size) == 1) {
		/* Touch what the callers read, for the sanitizers to check. */
		size_t n = (d->original_id ? strlen(d->original_id) : 0) +
		           (d->reporting_mta ? strlen(d->reporting_mta) : 0);

		for (size_t i = 0; i < d->nrcpts; i++) {
			const struct crm_dsn_rcpt *r = &d->rcpts[i];

			n += strlen(r->recipient);
			n += r->action ? strlen(r->action) : 0;
			n += r->status ? strlen(r->status) : 0;
			n += r->diagnostic ? strlen(r->diagnostic) : 0;
		}
		(void)n;
	}
	crm_dsn_free(d);
	return 0;
}
