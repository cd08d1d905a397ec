/* contact.h - what only people have: tags, interactions, the timeline,
 * consent, and the personal-data requests (export and erasure). */
#ifndef CRM_CONTACT_H
#define CRM_CONTACT_H

#include <stdint.h>

#include "crm/db.h"

/* Adds (add=1) or removes (add=0) tag on contact id; *changed tells whether
 * the set of tags changed.  CRM_EDATA for an empty tag or one with a comma. */
int crm_contact_tag(crm_db *db, int64_t id, const char *tag, int add, int *changed);

/* Replaces the tags of contact id with the comma-separated list tags
 * (blanks around each trimmed; NULL or "" for none); *changed tells whether
 * the set changed. */
int crm_contact_tags_set(crm_db *db, int64_t id, const char *tags, int *changed);

/* Logs an interaction of kind (call, email, meeting, note, sms, chat) at
 * time at (NULL: now; any form crm_time_parse accepts) with body text, and
 * stores its id in *out.  CRM_EDATA for a bad kind, time or empty body. */
int crm_contact_note(crm_db *db, int64_t id, const char *kind, const char *at,
                     const char *body, int64_t *out);

/* Logs text as a note on contact id unless an identical note is there, so
 * that importing the same file twice notes it once; *added tells which. */
int crm_contact_note_once(crm_db *db, int64_t id, const char *text, int *added);

/* Calls fn(arg, at, kind, who, text) for each entry of the contact's
 * timeline, newest first: interactions and audited changes.  Stops early and
 * returns fn's value when it returns non-zero (a negative status). */
int crm_contact_timeline(crm_db *db, int64_t id,
                         int (*fn)(void *arg, const char *const *vals), void *arg);

/* The columns crm_contact_timeline passes: at, kind, user, text. */
#define CRM_TIMELINE_COLUMNS 4

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
