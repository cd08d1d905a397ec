/* rates.c - crm-db rates: import the European Central Bank's reference
 * rates, set one by hand, list them (crm(7), "Money"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crm/rates.h"
#include "rates.h"

const struct cli_opt db_rates_opts[] = {
	{ "currency", 'c', CLI_ARG, "CODE", "list: only this currency's rates" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "import, set: report what would be stored, store nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static int rates_import(struct cli *c, int argc, char **argv)
{
	struct crm_rates_counts n = { 0, 0, 0 };
	const char *name = argc == 1 && strcmp(argv[0], "-") ? argv[0] : "stdin";
	FILE *in = stdin;
	int rc;

	if (argc != 1)
		return cli_usage_error(c, "expected one file (or - for stdin)");
	if (strcmp(name, "stdin") && !(in = fopen(name, "r")))
		return cli_fail(c, 2, "cannot open '%s': %s", name, strerror(errno));
	rc = crm_rates_import(c->db, in, name, &n);
	if (in != stdin)
		fclose(in);
	if (rc)
		return cli_error(c, rc);
	if (!c->quiet)
		fprintf(stderr, "%s: %ld day%s read, %ld rate%s %s, %ld cell%s without a rate\n",
		        c->prog->name, n.rows, n.rows == 1 ? "" : "s", n.stored,
		        n.stored == 1 ? "" : "s", c->rollback ? "would be stored" : "stored",
		        n.skipped, n.skipped == 1 ? "" : "s");
	return 0;
}

static int rates_list(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "date", CRM_COL_TEXT }, { "currency", CRM_COL_TEXT }, { "rate", CRM_COL_TEXT }
	};
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = cli_output_fields(c, cols, 3, &p.w)))
		return cli_error(c, rc);
	rc = crm_rates_list(c->db, cli_get(c, "currency"), cli_print_row, &p);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	return p.rows ? 0 : 1;
}

int db_rates(struct cli *c, int argc, char **argv)
{
	const char *what = argc ? argv[0] : "";
	int write = !strcmp(what, "import") || !strcmp(what, "set"), rc;

	if (!write && strcmp(what, "list"))
		return cli_usage_error(c, "expected import, set or list");
	if (!strcmp(what, "set") && argc != 4)
		return cli_usage_error(c, "expected set DATE CURRENCY RATE");
	if ((rc = cli_open(c, write)))
		return cli_error(c, rc);
	c->rollback = write && cli_has(c, "dry-run");
	if (!strcmp(what, "import"))
		return rates_import(c, argc - 1, argv + 1);
	if (!strcmp(what, "list"))
		return rates_list(c, argc - 1, argv + 1);
	rc = crm_rates_set(c->db, argv[1], argv[2], argv[3]);
	return rc ? cli_error(c, rc) : 0;
}
