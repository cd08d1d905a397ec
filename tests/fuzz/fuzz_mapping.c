/* fuzz_mapping.c - the mapping file of crm-import --map. */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	crm_import_map *m = NULL;
	char path[64];
	int fd = fuzz_file(data, size, path);

	if (fd < 0)
		return 0;
	if (crm_import_map_load(&m, path, crm_entity_find("contact")) == CRM_OK)
		crm_import_map_free(m);
	close(fd);
	return 0;
}
