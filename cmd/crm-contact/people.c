/* people.c - tag, note, timeline, consent, export-data and erase. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/merge.h"
#include "people.h"

const struct cli_opt people_consent_opts[] = {
	{ "source", 0, CLI_ARG, "SOURCE", "where the consent was given (form, call, ...)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* consent set ID|- CHANNEL STATUS: "-" records it for every id on
 * stdin (a list piped from crm-contact list -f id), all or none. */
static int consent_set(struct cli *c, int argc, char **argv)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	if (argc != 3)
		return cli_usage_error(c, "expected: consent set ID|- CHANNEL STATUS");
	if ((rc = cli_ids(c, 1, argv, &ids, &n)) || (rc = cli_open(c, 1))) {
		free(ids);
		return cli_error(c, rc);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = crm_contact_consent_set(c->db, ids[i], argv[1], argv[2], cli_get(c, "source"));
	free(ids);
	return rc ? cli_error(c, rc) : 0;
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
	if ((status = verb_one_id(c, argc - 1, argv + 1, &id)))
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

	if ((status = verb_only_id(c, argc, argv, &id)))
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

	if ((status = verb_only_id(c, argc, argv, &id)))
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
