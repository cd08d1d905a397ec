/* diff.h - line-based differences between two texts, for the revisions of
 * knowledge-base articles (crm-kb(1) log and diff). */
#ifndef CRM_DIFF_H
#define CRM_DIFF_H

#include <stddef.h>

#include "crm/buf.h"

/* Appends to out the unified diff (diff -u) that turns text a into text
 * b, compared line by line (NULL is empty text), under the header lines
 * "--- label_a" and "+++ label_b", with context unchanged lines around
 * each change; appends nothing when the texts have the same lines.
 * Returns CRM_OK or CRM_ENOMEM. */
int crm_diff_unified(crm_buf *out, const char *a, const char *b, const char *label_a,
                     const char *label_b, int context);

/* Stores in *added and *removed how many lines the shortest edit from a
 * to b inserts and deletes.  Returns CRM_OK or CRM_ENOMEM. */
int crm_diff_stat(const char *a, const char *b, size_t *added, size_t *removed);

#endif
