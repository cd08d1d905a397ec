/* contact.h - what only people have: consent, and the personal-data
 * requests (export and erasure). */
#ifndef CRM_CONTACT_H
#define CRM_CONTACT_H

#include <stdint.h>

#include "crm/db.h"

/* Records consent status (granted, denied, withdrawn) for channel (email,
 * phone, sms, post, chat) with its source.  CRM_EDATA for bad words. */
int crm_contact_consent_set(crm_db *db, int64_t id, const char *channel,
                            const char *status, const char *source);

/* Calls fn(arg, vals) with channel, status, source, at for each channel of
 * the contact with a recorded consent, sorted by channel. */
int crm_contact_consent_list(crm_db *db, int64_t id,
                             int (*fn)(void *arg, const char *const *vals), void *arg);

/* Stores in *out a malloc'd JSON document holding everything stored about
 * the contact: fields, custom fields, tags, company, interactions, consent
 * and audit history.  The caller frees *out. */
int crm_contact_export(crm_db *db, int64_t id, char **out);

/* Erases the personal data of the contact (GDPR art. 17): names, email,
 * phone, address, birth date, custom fields, tags, interactions, consent
 * details and the values of its audit entries are removed, its search entry
 * deleted; status, dates and ids stay so counts and money add up.  The
 * freed pages are zeroed and the WAL truncated so the data is gone from the
 * files.  Must run outside any transaction. */
int crm_contact_erase(crm_db *db, int64_t id);

#endif
