/* memo.h - a bounded table of strings by string, for results worth
 * remembering within one run (a phone number read, a company found).
 *
 * The table never grows past its slots: when three quarters are used it
 * is emptied, so memory stays flat however long the run.  Not locked: a
 * caller sharing one between threads locks around it.
 */
#ifndef CRM_MEMO_H
#define CRM_MEMO_H

#include <stddef.h>

typedef struct crm_memo crm_memo;

/* Makes a table of slots entries (a power of two); NULL when out of memory. */
crm_memo *crm_memo_new(size_t slots);

/* The value kept for key, or NULL; valid until the next crm_memo_put. */
const char *crm_memo_get(const crm_memo *m, const char *key);

/* Keeps value for key unless it is there already; CRM_ENOMEM. */
int crm_memo_put(crm_memo *m, const char *key, const char *value);

/* Forgets everything. */
void crm_memo_clear(crm_memo *m);

/* Frees the table; NULL-safe. */
void crm_memo_free(crm_memo *m);

#endif
