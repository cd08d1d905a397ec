/* fuzz_yaml.c - the YAML reader of crm-import. */
#define FORMAT CRM_FORMAT_YAML
#include "reader_target.h"
