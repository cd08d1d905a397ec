/* fuzz_tsv.c - the TSV reader of crm-import. */
#define FORMAT CRM_FORMAT_TSV
#include "reader_target.h"
