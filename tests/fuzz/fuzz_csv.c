/* fuzz_csv.c - the CSV reader of crm-import. */
#define FORMAT CRM_FORMAT_CSV
#include "reader_target.h"
