/* crm-company - organisations and who works there. */
#include <stdlib.h>

#include "verbs.h"

/* members ID|NAME: the live contacts of a company. */
static int company_members(struct cli *c, int argc, char **argv)
{
	const struct crm_entity *contact = crm_entity_find("contact");
	crm_query *q;
	long count = 0;
	int rc, status;

	if (argc != 1)
		return cli_usage_error(c, "expected one company id or name");
	if ((rc = crm_query_new(&q, c->db, contact)) || (rc = crm_query_filter(q, "company", "=", argv[0]))) {
		crm_query_free(q);
		return cli_error(c, rc);
	}
	if (!c->fields)
		c->fields = "id,first_name,last_name,email,phone,title";
	status = verb_print_query(c, q, &count);
	crm_query_free(q);
	return status ? status : count ? 0 : 1;
}

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "add a company and print its id", CLI_FIELDS | CLI_WRITE, NULL },
	{ "show", verb_show, "ID...", "print every field of companies", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list companies, filtered and sorted", CLI_OUTPUT | CLI_LIST,
	  verb_list_opts },
	{ "set", verb_set, "ID...|-", "change fields of companies", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	VERBS_ARCHIVE("companies"),
	VERB_TAG,
	{ "members", company_members, "ID|NAME", "list the contacts of a company", CLI_OUTPUT, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-company", "organisations and who works there", "company", verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
