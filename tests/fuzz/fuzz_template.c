/* fuzz_template.c - mail-merge templates (crm_template_parse), rendered
 * as text and as HTML, and checked, whenever they parse. */
#include "crm/error.h"
#include "crm/template.h"
#include "fuzz.h"

/* Names of odd length have a value full of what HTML escaping and a
 * second reading as a template would trip on; the others are empty, so
 * fallbacks, sections and inverted sections are all taken. */
static int get(void *arg, const char *name, const char **val)
{
	(void)arg;
	*val = strlen(name) % 2 ? "<a href='x'>&amp; \"{{b}}\"</a>" : "";
	return CRM_OK;
}

/* Fails on the name "stop", to check that rendering stops cleanly. */
static int get_or_stop(void *arg, const char *name, const char **val)
{
	if (!strcmp(name, "stop"))
		return crm_error_set(CRM_ENOTFOUND, "no '%s'", name);
	return get(arg, name, val);
}

static int known(void *arg, const char *name)
{
	(void)arg;
	return name[0] != '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	crm_template *t = NULL;
	crm_buf out = CRM_BUF_INIT;
	int rc;

	if (s && crm_template_parse(&t, s, "fuzz") == CRM_OK) {
		if (crm_template_check(t, known, NULL) != CRM_OK)
			abort();
		if (crm_template_render(t, 0, get, NULL, &out) != CRM_OK ||
		    crm_template_render(t, 1, get, NULL, &out) != CRM_OK)
			abort();
		crm_buf_clear(&out);
		crm_buf_puts(&out, "kept");
		rc = crm_template_render(t, 1, get_or_stop, NULL, &out);
		/* A failed render leaves the buffer as it found it. */
		if (rc != CRM_OK && (rc != CRM_ENOTFOUND || strcmp(crm_buf_str(&out), "kept")))
			abort();
	}
	crm_template_free(t);
	crm_buf_free(&out);
	free(s);
	return 0;
}
