/* phone_module.h - the C interface of the phone-number module (crm-phone.so),
 * shared by the module and the libcore code that loads it. */
#ifndef CRM_PHONE_MODULE_H
#define CRM_PHONE_MODULE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	CRM_PHONE_OK = 0,
	CRM_PHONE_INVALID = 1, /* not a valid number */
	CRM_PHONE_NOMEM = 2,
	CRM_PHONE_FAILED = 3   /* anything else the library threw */
};

/* E.164 numbers have at most 15 digits after the '+'. */
#define CRM_PHONE_E164_SIZE 17

/* Writes the E.164 form of s, read with default region (ISO 3166-1
 * alpha-2, or NULL for none), into out of size bytes; returns a status
 * above. */
int crm_phone_module_e164(const char *s, const char *region, char *out, size_t size);
typedef int crm_phone_module_e164_fn(const char *, const char *, char *, size_t);

#ifdef __cplusplus
}
#endif

#endif
