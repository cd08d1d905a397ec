/* fuzz_config.c - the YAML configuration file (crm-config(5)). */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crm_config *c = NULL;
	char path[64];
	int fd = fuzz_file(data, size, path);

	if (fd < 0)
		return 0;
	if (crm_config_load(&c, path) == CRM_OK) {
		crm_config_database(c);
		crm_config_region(c);
		crm_config_currency(c);
	}
	crm_config_free(c);
	close(fd);
	return 0;
}
