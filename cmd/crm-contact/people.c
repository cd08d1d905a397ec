/* people.c - tag, note, timeline, consent, export-data and erase. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/merge.h"
#include "people.h"

const struct cli_opt people_note_opts[] = {
	{ "kind", 'k', CLI_ARG, "KIND", "call, email, meeting, note (default), sms or chat" },
	{ "at", 0, CLI_ARG, "TIME", "when it happened (default: now)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt people_consent_opts[] = {
	{ "source", 0, CLI_ARG, "SOURCE", "where the consent was given (form, call, ...)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Parses the single ID operand of a verb. */
static int one_id(struct cli *c, int argc, char **argv, int64_t *id)
{
	int rc;

	if (argc < 1)
		return cli_usage_error(c, "missing contact id");
	if ((rc = cli_id(argv[0], id)))
		return cli_error(c, rc);
	return 0;
}

int people_tag(struct cli *c, int argc, char **argv)
{
	int64_t *ids;
	size_t n, changed = 0;
	int rc, add, ch;

	if (argc < 3 || (strcmp(argv[0], "add") && strcmp(argv[0], "rm")))
		return cli_usage_error(c, "expected 'add' or 'rm', a tag and ids");
	add = !strcmp(argv[0], "add");
	if ((rc = cli_ids(c, argc - 2, argv + 2, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = crm_contact_tag(c->db, ids[i], argv[1], add, &ch)))
			changed += (size_t)ch;
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, add ? "tagged" : "untagged", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

int people_note(struct cli *c, int argc, char **argv)
{
	const char *kind = cli_get(c, "kind");
	char *body = NULL;
	int64_t id, note;
	int rc, status;

	if ((status = one_id(c, argc, argv, &id)))
		return status;
	if (argc > 2)
		return cli_usage_error(c, "quote the note text as one operand");
	if (argc == 2 && strcmp(argv[1], "-"))
		body = strdup(argv[1]);
	else if ((rc = cli_read_stdin(&body)))
		return cli_error(c, rc);
	if (!body)
		return cli_fail(c, 1, "out of memory");
	/* A note piped in ends with the newline of its last line. */
	while (*body && strchr("\n\r", body[strlen(body) - 1]))
		body[strlen(body) - 1] = '\0';
	rc = crm_contact_note(c->db, id, kind ? kind : "note", cli_get(c, "at"), body, &note);
	free(body);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)note);
	return 0;
}

int people_timeline(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_TIMELINE_COLUMNS] = {
		{ "at", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "user", CRM_COL_TEXT }, { "text", CRM_COL_TEXT }
	};
	int64_t id;
	int status;

	if ((status = one_id(c, argc, argv, &id)))
		return status;
	return cli_print_list(c, cols, CRM_TIMELINE_COLUMNS, id, crm_contact_timeline);
}

static int consent_set(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int rc, status;

	if (argc != 3)
		return cli_usage_error(c, "expected: consent set ID CHANNEL STATUS");
	if ((status = one_id(c, argc, argv, &id)))
		return status;
	if ((rc = cli_open(c, 1)) ||
	    (rc = crm_contact_consent_set(c->db, id, argv[1], argv[2], cli_get(c, "source"))))
		return cli_error(c, rc);
	return 0;
}

int people_consent(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "channel", CRM_COL_TEXT }, { "status", CRM_COL_TEXT },
		{ "source", CRM_COL_TEXT }, { "at", CRM_COL_TEXT }
	};
	int64_t id;
	int rc, status;

	if (argc >= 1 && !strcmp(argv[0], "set"))
		return consent_set(c, argc - 1, argv + 1);
	if (argc != 2 || strcmp(argv[0], "show"))
		return cli_usage_error(c, "expected 'set ID CHANNEL STATUS' or 'show ID'");
	if ((status = one_id(c, argc - 1, argv + 1, &id)))
		return status;
	if ((rc = cli_open(c, 0)))
		return cli_error(c, rc);
	return cli_print_list(c, cols, 4, id, crm_contact_consent_list);
}

int people_export(struct cli *c, int argc, char **argv)
{
	char *json;
	int64_t id;
	int rc, status;

	if ((status = one_id(c, argc, argv, &id)))
		return status;
	if ((rc = crm_contact_export(c->db, id, &json)))
		return cli_error(c, rc);
	fputs(json, stdout);
	fputc('\n', stdout);
	free(json);
	return 0;
}

int people_erase(struct cli *c, int argc, char **argv)
{
	int64_t id;
	int rc, status;

	if ((status = one_id(c, argc, argv, &id)))
		return status;
	if ((rc = cli_open(c, 1)))
		return cli_error(c, rc);
	/* Erasure runs its own transaction, then truncates the WAL. */
	crm_db_rollback(c->db);
	if ((rc = crm_contact_erase(c->db, id)))
		return cli_error(c, rc);
	if (!c->quiet)
		fprintf(stderr, "%s: erased the personal data of contact %lld\n", c->prog->name,
		        (long long)id);
	return 0;
}

const struct cli_opt people_merge_opts[] = {
	{ "into", 0, CLI_ARG, "ID", "the contact that survives (default: by --survivor)" },
	VERB_MERGE_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

int people_merge(struct cli *c, int argc, char **argv)
{
	struct crm_merge_opts o;
	int64_t *ids = NULL, merge, survivor;
	const char *into = cli_get(c, "into");
	size_t n = 0;
	int status, rc;

	if ((status = verb_merge_opts(c, &o)) >= 0)
		return status;
	if (into && (rc = cli_id(into, &o.into)))
		return cli_error(c, rc);
	if ((rc = cli_ids(c, argc, argv, &ids, &n)) ||
	    (rc = crm_merge(c->db, ids, n, &o, &merge, &survivor))) {
		free(ids);
		return cli_error(c, rc);
	}
	free(ids);
	printf("%lld\n", (long long)merge);
	return 0;
}
