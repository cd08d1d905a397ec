/* crm-contact - people: fields, tags, notes, timeline, consent, personal data. */
#include "people.h"

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "add a contact and print its id", CLI_FIELDS | CLI_WRITE, NULL },
	{ "show", verb_show, "ID...", "print every field of contacts", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list contacts, filtered and sorted", CLI_OUTPUT | CLI_LIST, verb_list_opts },
	{ "set", verb_set, "ID...|-", "change fields of contacts", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	{ "rm", verb_rm, "ID...|-", "archive contacts (--purge deletes)", CLI_WRITE, verb_rm_opts },
	{ "restore", verb_restore, "ID...|-", "bring archived contacts back", CLI_WRITE, verb_set_opts },
	{ "tag", verb_tag, "add|rm TAG ID...|-", "add or remove a tag", CLI_WRITE, verb_set_opts },
	{ "note", verb_note, "ID [TEXT]", "log an interaction (text from stdin without TEXT)", CLI_WRITE, verb_note_opts },
	{ "timeline", verb_timeline, "ID", "interactions and changes, newest first", CLI_OUTPUT, NULL },
	{ "consent", people_consent, "set ID|- CHANNEL STATUS | show ID", "record or show consent per channel", CLI_OUTPUT | CLI_NODB, people_consent_opts },
	{ "export-data", people_export, "ID", "print everything stored about a person as JSON", 0, NULL },
	{ "merge", people_merge, "ID ID...|-", "merge records of one person into one (crm-dedup unmerge undoes)", CLI_WRITE, people_merge_opts },
	{ "erase", people_erase, "ID", "erase a person's personal data (GDPR)", CLI_NODB, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-contact", "people: fields, tags, notes, timeline, consent, personal data",
	"contact", verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
