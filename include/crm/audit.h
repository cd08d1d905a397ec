/* audit.h - reading the audit log: who changed what, old -> new. */
#ifndef CRM_AUDIT_H
#define CRM_AUDIT_H

#include <stdint.h>

#include "crm/db.h"

struct crm_audit_filter {
	const char *entity; /* "contact", or NULL for all */
	int64_t id;         /* 0 for all */
	const char *since;  /* a time crm_time_parse accepts, or NULL */
};

/* The columns crm_audit_list passes: seq, at, user, program, entity, id,
 * action, changes (rendered as "field: old → new; ..."). */
#define CRM_AUDIT_COLUMNS 8

/* Calls fn for each audit entry matching f, oldest first; stops and returns
 * fn's value when it returns non-zero.  CRM_EDATA for a bad since time,
 * CRM_EUSAGE for an entity no entry can be about. */
int crm_audit_list(crm_db *db, const struct crm_audit_filter *f,
                   int (*fn)(void *arg, const char *const *vals), void *arg);

#endif
