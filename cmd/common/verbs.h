/* verbs.h - the verbs every entity program shares (add, show, list, set,
 * rm, restore, and tag, note and timeline for entities that have them),
 * written once over the field registry. */
#ifndef CRM_VERBS_H
#define CRM_VERBS_H

#include "cli.h"
#include "crm/mail.h"

extern const struct cli_opt verb_list_opts[];
extern const struct cli_opt verb_set_opts[];
extern const struct cli_opt verb_rm_opts[];

/* add [--FIELD VALUE...]: creates a record and prints its id. */
int verb_add(struct cli *c, int argc, char **argv);

/* show ID...: prints every field of each record. */
int verb_show(struct cli *c, int argc, char **argv);

/* list [filters]: prints the matching records; exit 1 when none. */
int verb_list(struct cli *c, int argc, char **argv);

/* Stores in *q the query list's options select (free it with
 * crm_query_free); returns an exit status, 0 to go on. */
int verb_list_query(struct cli *c, int argc, char **argv, crm_query **q);

/* set ID...|- --FIELD VALUE...: changes fields of records. */
int verb_set(struct cli *c, int argc, char **argv);

/* rm ID...|- [--purge]: archives (or deletes) records. */
int verb_rm(struct cli *c, int argc, char **argv);

/* restore ID...|-: brings archived records back. */
int verb_restore(struct cli *c, int argc, char **argv);

extern const struct cli_opt verb_note_opts[];

/* Parses the single id operand of a verb into *id; returns an exit status
 * (0 to go on). */
int verb_one_id(struct cli *c, int argc, char **argv, int64_t *id);

/* Like verb_one_id, for verbs whose only operand is the id. */
int verb_only_id(struct cli *c, int argc, char **argv, int64_t *id);

/* tag add|rm TAG ID...|-: adds or removes a tag. */
int verb_tag(struct cli *c, int argc, char **argv);

/* note ID [TEXT|-]: logs a note (from stdin without TEXT) and prints its id. */
int verb_note(struct cli *c, int argc, char **argv);

/* timeline ID: notes and changes, newest first. */
int verb_timeline(struct cli *c, int argc, char **argv);

/* Prints the records a query selects with the common output options and
 * stores their number in *count; returns an exit status. */
int verb_print_query(struct cli *c, crm_query *q, long *count);

/* Keeps what a verb did to many records, "crm-contact: updated 2 of 3
 * contacts", to be told on stderr (unless -q) once its writes are kept. */
void verb_report(struct cli *c, const char *what, size_t changed, size_t total);

/* The rows of a program's verb table for the verbs above that every
 * entity program has: archiving (plural names the records: "tasks"),
 * tags, and notes with the timeline. */
#define VERBS_ARCHIVE(plural) \
	{ "rm", verb_rm, "ID...|-", "archive " plural " (--purge deletes)", CLI_WRITE, \
	  verb_rm_opts }, \
	{ "restore", verb_restore, "ID...|-", "bring archived " plural " back", CLI_WRITE, \
	  verb_set_opts }
#define VERB_TAG \
	{ "tag", verb_tag, "add|rm TAG ID...|-", "add or remove a tag", CLI_WRITE, verb_set_opts }
#define VERBS_NOTES \
	{ "note", verb_note, "ID [TEXT]", "log a note (text from stdin without TEXT)", CLI_WRITE, \
	  verb_note_opts }, \
	{ "timeline", verb_timeline, "ID", "notes and changes, newest first", CLI_OUTPUT, NULL }

/* The survivorship options of merges (--survivor, --fields), shared by
 * crm-dedup merge and crm-contact merge. */
#define VERB_MERGE_OPTS \
	{ "survivor", 0, CLI_ARG, "RULE", "which record survives: oldest (lowest id, default) or newest" }, \
	{ "fields", 0, CLI_ARG, "RULE", "recent (default): each field from the most recently updated record having it; survivor: keep the survivor's, fill its blanks" }, \
	{ "dry-run", 'n', CLI_NOARG, NULL, "print what would be merged, change nothing" }

struct crm_merge_opts;

/* Reads --survivor and --fields into o; returns -1, or an exit status. */
int verb_merge_opts(struct cli *c, struct crm_merge_opts *o);

/* The options of verbs that read mail (mail-in, bounces): --mbox, --maildir. */
#define VERB_MAILBOX_OPTS \
	{ "mbox", 0, CLI_ARG, "FILE", "read the messages of an mbox file" }, \
	{ "maildir", 0, CLI_ARG, "DIR", "read the messages in DIR/new and DIR/cur" }

/* What verb_read_mail reads messages into. */
struct verb_mail {
	crm_mail_fn fn;
	void *arg;
	int maildir;  /* set while --maildir is read: its files are the user's to move */
	long missing; /* paths named that were not there */
};

/* Hands fn every message of the files named (standard input when none
 * is, nor --mbox nor --maildir), of --mbox and of --maildir.  A path that
 * is not there is told and counted in m->missing, and the others are
 * read all the same, so that one message moved away under a cron job
 * costs only itself.  Returns a crm error code. */
int verb_read_mail(struct cli *c, int argc, char **argv, struct verb_mail *m);

#endif
