/* fuzz_json.c - the JSON reader of crm-import. */
#define FORMAT CRM_FORMAT_JSON
#include "reader_target.h"
