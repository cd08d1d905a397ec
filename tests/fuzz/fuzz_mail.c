/* fuzz_mail.c - one mail message (crm_mail_parse), and the same bytes
 * read as an mbox whose messages are parsed in turn. */
#include "crm/mail.h"
#include "fuzz.h"

/* Small, so that attachments are both kept and only listed. */
#define CAP 256

static int parse(void *arg, const char *label, const char *raw, size_t len)
{
	struct crm_mail *m = NULL;

	(void)arg;
	(void)label;
	if (crm_mail_parse(&m, raw, len, CAP) == 0) {
		/* Touch what the callers read, for the sanitizers to check. */
		size_t n = strlen(m->text) + strlen(m->from_addr);

		for (size_t i = 0; i < m->nattachments; i++)
			n += m->attachments[i].data ? m->attachments[i].data[0] : 0;
		for (size_t i = 0; i < m->nreferences; i++)
			n += strlen(m->references[i]);
		(void)n;
	}
	crm_mail_free(m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd;

	parse(NULL, "fuzz", (const char *)data, size);
	if ((fd = fuzz_file(data, size, path)) < 0)
		return 0;
	crm_mail_each_mbox(path, parse, NULL);
	close(fd);
	return 0;
}
