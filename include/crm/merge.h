/* merge.h - merging the records of one person into one, and undoing it.
 *
 * A merge keeps one surviving contact, gives it the best of every record's
 * fields, unites tags, custom fields and consent, moves everything that
 * pointed at the others (interactions, audit history, and the records of
 * later entities) onto it, and deletes the others.  Everything it changed
 * or removed is kept in its journal (the merges table), so crm_unmerge
 * puts the database back as it was.
 */
#ifndef CRM_MERGE_H
#define CRM_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "crm/db.h"
#include "crm/output.h"

enum crm_survivor {
	CRM_SURVIVOR_OLDEST, /* the lowest id: the record others refer to longest */
	CRM_SURVIVOR_NEWEST  /* the highest id */
};

enum crm_field_rule {
	CRM_FIELDS_RECENT,  /* each field from the most recently updated record having it */
	CRM_FIELDS_SURVIVOR /* the survivor's own values, blanks filled as RECENT */
};

struct crm_merge_opts {
	enum crm_survivor survivor;
	enum crm_field_rule fields;
	int64_t into; /* survivor chosen by hand (one of the ids), or 0 */
};

/* Merges the n (at least 2) live contacts ids into one inside the caller's
 * write transaction; stores the merge's id in *merge and the survivor's in
 * *survivor.  A merge that fails leaves nothing of itself behind, so the
 * caller may go on with the next.  CRM_ENOTFOUND naming a missing contact;
 * CRM_EDATA for an archived or erased one, an id given twice, fewer than
 * two, or a value the survivor cannot take. */
int crm_merge(crm_db *db, const int64_t *ids, size_t n, const struct crm_merge_opts *o,
              int64_t *merge, int64_t *survivor);

/* Brackets a run of many merges: the search entries of the survivors are
 * rebuilt once, by crm_merge_run_end (given the run's first merge id, or 0
 * when none was made), instead of at every merge, and a larger page cache
 * is used (crm_db_bulk). */
int crm_merge_run_begin(crm_db *db);
int crm_merge_run_end(crm_db *db, int64_t first);

/* Undoes merge: restores the survivor as it was, brings the merged contacts
 * back with their ids, custom fields, tags and consent, and moves back what
 * was moved.  CRM_ENOTFOUND for no such merge, CRM_EFAIL for one already
 * undone, CRM_EDATA naming the changes made to the survivor since (which
 * undoing would lose) unless force. */
int crm_unmerge(crm_db *db, int64_t merge, int force);

/* Stores in *out who contact id is now: the survivor of the merge that
 * took it in (followed through later merges of that survivor), else id
 * itself, as for an id kept elsewhere, such as in a token. */
int crm_merge_survivor(crm_db *db, int64_t id, int64_t *out);

/* The columns crm_merge_history passes: merge, at, user, survivor, merged,
 * undone_at. */
#define CRM_MERGE_COLUMNS 6

/* Calls fn(arg, vals) for each merge, oldest first. */
int crm_merge_history(crm_db *db, int (*fn)(void *arg, const char *const *vals), void *arg);


/* Clusters to merge, as crm-dedup find prints them (or a person edits
 * them): records with the columns cluster and id, and optionally
 * updated_at, which must still be the contact's for the merge to go on. */
struct crm_merge_member {
	int64_t id;
	long line;
	char *updated_at; /* NULL when the input has none */
};

struct crm_merge_group {
	char *cluster;
	struct crm_merge_member *m;
	size_t n;
};

struct crm_merge_input {
	struct crm_merge_group *g;
	size_t n;
	const char *name; /* the input's name in messages */
};

/* Adds contact id of cluster (read at line, with updated_at or NULL) to in. */
int crm_merge_input_add(struct crm_merge_input *in, const char *cluster, int64_t id, long line,
                        const char *updated_at);

/* Reads every record of fp (format fmt) into in.  CRM_EDATA naming file,
 * line and value for a missing column, an id or cluster that is not one,
 * a malformed record, an id in two clusters or a cluster of one. */
int crm_merge_input_read(struct crm_merge_input *in, FILE *fp, enum crm_format fmt);

/* Checks the input as a whole once read: no id twice, no cluster of one. */
int crm_merge_input_check(const struct crm_merge_input *in);

/* Checks that each member of g is a live contact unchanged since its
 * updated_at, naming the line that fails. */
int crm_merge_group_check(crm_db *db, const struct crm_merge_input *in,
                          const struct crm_merge_group *g);

void crm_merge_input_free(struct crm_merge_input *in);

#endif
