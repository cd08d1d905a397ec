/* fuzz_jsonl.c - the JSONL reader of crm-import. */
#define FORMAT CRM_FORMAT_JSONL
#include "reader_target.h"
