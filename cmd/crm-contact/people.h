/* people.h - the verbs only crm-contact has. */
#ifndef CRM_PEOPLE_H
#define CRM_PEOPLE_H

#include "verbs.h"

extern const struct cli_opt people_consent_opts[];

int people_consent(struct cli *c, int argc, char **argv);
int people_export(struct cli *c, int argc, char **argv);
int people_erase(struct cli *c, int argc, char **argv);

extern const struct cli_opt people_merge_opts[];

/* merge ID ID...: merges a hand-picked group into one contact and prints
 * the merge's id (crm-dedup unmerge undoes it). */
int people_merge(struct cli *c, int argc, char **argv);

#endif
