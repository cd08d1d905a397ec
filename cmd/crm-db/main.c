/* crm-db - create, migrate, inspect, check and back up the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rates.h"

static int db_init(struct cli *c, int argc, char **argv)
{
	int version, rc;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = crm_db_schema_version(c->db, &version)))
		return cli_error(c, rc);
	printf("%s\n", crm_db_path(c->db));
	return 0;
}

/* Opens the database as it is, never creating it: migrate and check
 * look at a file that must be there, and a missing one is an error. */
static int open_existing(struct cli *c, unsigned flags)
{
	char *path = NULL;
	int rc;

	if (!(rc = crm_config_load(&c->cfg, NULL)) &&
	    !(rc = crm_db_resolve_path(&path, c->db_path, c->cfg)))
		rc = crm_db_open(&c->db, path, CRM_DB_NOCREATE | CRM_DB_NOMIGRATE | flags, c->cfg);
	free(path);
	return rc;
}

static int db_migrate(struct cli *c, int argc, char **argv)
{
	int rc, from = 0;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (c->read_only)
		return cli_usage_error(c, "migrate writes the database; drop --read-only");
	if ((rc = open_existing(c, 0)) || (rc = crm_db_migrate(c->db, &from)))
		return cli_error(c, rc);
	if (!c->quiet && from == CRM_SCHEMA_VERSION)
		fprintf(stderr, "%s: schema version %d is current\n", c->prog->name, from);
	else if (!c->quiet)
		fprintf(stderr, "%s: migrated schema version %d to %d\n", c->prog->name, from,
		        CRM_SCHEMA_VERSION);
	return 0;
}

static int put_pair(void *arg, const char *name, const char *value)
{
	const char *v[2] = { name, value };

	return cli_print_row(arg, v);
}

static int db_info(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = { { "name", CRM_COL_TEXT }, { "value", CRM_COL_TEXT } };
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = cli_output_fields(c, cols, 2, &p.w)))
		return cli_error(c, rc);
	rc = crm_db_info(c->db, put_pair, &p);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

static int print_problem(void *arg, const char *problem)
{
	(void)arg;
	printf("%s\n", problem);
	return 0;
}

static int db_check(struct cli *c, int argc, char **argv)
{
	long n;
	int rc, more;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	/* A check of last night's backup must fail when the backup is not
	 * there, not pass on an empty database made for it; and it checks the
	 * file as it is, an older schema unmigrated, its journal mode and
	 * bytes left alone (a backup's checksum stays). */
	if ((rc = open_existing(c, CRM_DB_READONLY)) ||
	    (rc = crm_db_check(c->db, print_problem, c, &n, &more)))
		return cli_error(c, rc);
	if (n)
		return cli_fail(c, 1, "%s%ld problem%s in '%s'", more ? "at least " : "", n,
		                n == 1 ? "" : "s", crm_db_path(c->db));
	if (!c->quiet)
		printf("ok\n");
	return 0;
}

static int db_backup(struct cli *c, int argc, char **argv)
{
	int rc;

	if (argc != 1)
		return cli_usage_error(c, "expected one backup file name");
	if ((rc = crm_db_backup(c->db, argv[0])))
		return cli_error(c, rc);
	return 0;
}

static const struct cli_opt audit_opts[] = {
	{ "entity", 'e', CLI_ARG, "ENTITY", "only entries about this entity (contact, company)" },
	{ "id", 'i', CLI_ARG, "ID", "only entries about this record id" },
	{ "since", 0, CLI_ARG, "TIME", "only entries at or after TIME" },
	{ NULL, 0, 0, NULL, NULL }
};

/* audit: the entries that pass the filters, oldest first; exit 1 when
 * none does, as a list that matches nothing. */
static int db_audit(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_AUDIT_COLUMNS] = {
		{ "seq", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "user", CRM_COL_TEXT },
		{ "program", CRM_COL_TEXT }, { "entity", CRM_COL_TEXT }, { "id", CRM_COL_INT },
		{ "action", CRM_COL_TEXT }, { "changes", CRM_COL_TEXT }
	};
	struct crm_audit_filter f = { cli_get(c, "entity"), 0, cli_get(c, "since") };
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	(void)argv;
	if (argc)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (cli_get(c, "id") && (rc = cli_id(cli_get(c, "id"), &f.id)))
		return cli_error(c, rc);
	if ((rc = cli_output_fields(c, cols, CRM_AUDIT_COLUMNS, &p.w)))
		return cli_error(c, rc);
	rc = crm_audit_list(c->db, &f, cli_print_row, &p);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : !p.rows;
}

static const struct cli_verb verbs[] = {
	{ "init", db_init, NULL, "create the database (if missing) and print its path", CLI_WRITE, NULL },
	{ "migrate", db_migrate, NULL, "bring an older schema up to date", CLI_NODB, NULL },
	{ "info", db_info, NULL, "path, schema version, size and row counts", CLI_OUTPUT, NULL },
	{ "check", db_check, NULL, "integrity and foreign-key check (exit 1 on problems)", CLI_NODB,
	  NULL },
	{ "backup", db_backup, "FILE", "copy the live database to FILE (mode 0600)", 0, NULL },
	{ "audit", db_audit, NULL, "who changed what, old -> new", CLI_OUTPUT, audit_opts },
	{ "rates", db_rates, "import FILE|- | set DATE CUR RATE | list",
	  "exchange rates: units of CUR per one of the base currency", CLI_OUTPUT | CLI_NODB,
	  db_rates_opts },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-db", "create, migrate, inspect, check and back up the database", NULL, verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
