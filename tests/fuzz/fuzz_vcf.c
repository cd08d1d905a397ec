/* fuzz_vcf.c - the VCF reader of crm-import. */
#define FORMAT CRM_FORMAT_VCF
#include "reader_target.h"
