/* cli.c - the shared command-line machinery of the crm programs. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CLI_MAX_COLUMNS 64

enum kind { K_COMMON, K_OUTPUT, K_VERB, K_FIELD, K_FILTER };

static const struct cli_opt common_opts[] = {
	{ "db", 0, CLI_ARG, "PATH", "database file (default: $CRM_DB, config, ~/.local/share/crm/crm.db)" },
	{ "read-only", 0, CLI_NOARG, NULL, "open the database read-only (also $CRM_READONLY=1)" },
	{ "quiet", 'q', CLI_NOARG, NULL, "print no progress or summary on stderr" },
	{ "help", 'h', CLI_NOARG, NULL, "show this help and exit" },
	{ "version", 'V', CLI_NOARG, NULL, "show the version and exit" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt output_opts[] = {
	{ "format", 0, CLI_ARG, "FMT", "table, tsv, csv, jsonl, json or yaml (default: table on a terminal, else tsv)" },
	{ "fields", 'f', CLI_ARG, "LIST", "comma-separated fields to print (custom.KEY for custom fields; all)" },
	{ "no-header", 'H', CLI_NOARG, NULL, "omit the header line" },
	{ "null", '0', CLI_NOARG, NULL, "end records with NUL instead of newline" },
	{ "csv-safe", 0, CLI_NOARG, NULL, "neutralise csv cells starting with = + - @ (spreadsheet formulas)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt set_opt = {
	"set", 0, CLI_ARG, "KEY=VALUE", "set custom field KEY (an empty VALUE removes it)"
};

/* What a filter option's value is stored under: a name no option has. */
static const struct cli_opt filter_value = { "", 0, CLI_ARG, NULL, NULL };

/* --tag, for the verbs of entities that have tags. */
static const struct cli_opt add_tag_opt = {
	"tag", 't', CLI_ARG, "TAG", "add a tag (repeatable)"
};
static const struct cli_opt list_tag_opt = {
	"tag", 't', CLI_ARG, "TAG", "only records with this tag (repeatable, ANDed)"
};

/* One entry of the merged option table of a verb. */
struct entry {
	struct cli_opt opt;
	const struct cli_opt *orig; /* the declaration, which outlives the table */
	enum kind kind;
	const struct crm_field *field;
	char name[64], help[160], arg[32];
};

struct table {
	struct entry *e;
	size_t n;
};

static void table_add(struct table *t, const struct cli_opt *o, enum kind k,
                      const struct crm_field *f)
{
	struct entry *e = &t->e[t->n++];

	e->opt = *o;
	e->orig = o;
	e->kind = k;
	e->field = f;
	if (f) {
		/* Field first_name is option --first-name. */
		snprintf(e->name, sizeof e->name, "%s", f->name);
		for (char *p = e->name; *p; p++)
			if (*p == '_')
				*p = '-';
		e->opt.name = e->name;
	}
}

/* Adds the options list takes from the registry: --FIELD VALUE for each
 * field the entity filters on, and --tag when it has tags. */
static void add_filters(const struct cli *c, struct table *t)
{
	const char *name, *arg, *help;

	for (size_t i = 0; (name = crm_entity_filter(c->entity, i)); i++) {
		const struct crm_field *f = crm_entity_field_find(c->entity, name);
		struct cli_opt fo = { NULL, 0, CLI_ARG, "VALUE", NULL };
		struct entry *e = &t->e[t->n];

		table_add(t, &fo, K_FILTER, f);
		for (size_t k = 0; f->name[k] && k + 1 < sizeof e->arg; k++)
			e->arg[k] = (char)toupper((unsigned char)f->name[k]);
		snprintf(e->help, sizeof e->help, "only records whose %s is %s (%s)", f->name,
		         e->arg, f->help);
		e->opt.help = e->help;
		e->opt.argname = e->arg;
	}
	for (size_t i = 0; crm_entity_option(c->entity, i, &name, &arg, &help); i++) {
		struct cli_opt fo = { name, 0, arg ? CLI_ARG : CLI_NOARG, arg, help };

		table_add(t, &fo, K_FILTER, NULL);
		t->e[t->n - 1].orig = NULL;
	}
	if (crm_entity_has_tags(c->entity))
		table_add(t, &list_tag_opt, K_VERB, NULL);
}

static int build_table(const struct cli *c, struct table *t)
{
	const struct cli_verb *v = c->verb;
	size_t max = 18 + (c->entity ? 2 * crm_entity_nfields(c->entity) : 0);
	const struct cli_opt *o;
	const char *name, *arg, *help;

	for (size_t i = 0; c->entity && crm_entity_option(c->entity, i, &name, &arg, &help); i++)
		max++;

	for (o = v->opts; o && o->name; o++)
		max++;
	if (!(t->e = calloc(max, sizeof *t->e)))
		return -1;
	t->n = 0;
	if ((v->flags & CLI_LIST) && c->entity)
		add_filters(c, t);
	for (o = v->opts; o && o->name; o++)
		table_add(t, o, K_VERB, NULL);
	if ((v->flags & CLI_FIELDS) && c->entity) {
		for (size_t i = 0; i < crm_entity_nfields(c->entity); i++) {
			const struct crm_field *f = crm_entity_field(c->entity, i);
			struct cli_opt fo = { NULL, 0, CLI_ARG, "VALUE", f->help };
			if (!(f->flags & CRM_FIELD_RO))
				table_add(t, &fo, K_FIELD, f);
		}
		table_add(t, &set_opt, K_VERB, NULL);
		if (crm_entity_has_tags(c->entity) && !strcmp(v->name, "add"))
			table_add(t, &add_tag_opt, K_VERB, NULL);
	}
	if (v->flags & CLI_OUTPUT)
		for (o = output_opts; o->name; o++)
			table_add(t, o, K_OUTPUT, NULL);
	for (o = common_opts; o->name; o++)
		table_add(t, o, K_COMMON, NULL);
	return 0;
}

static void print_opt(FILE *fp, const struct cli_opt *o)
{
	char head[64];

	if (o->shortopt)
		snprintf(head, sizeof head, "-%c, --%s%s%s", o->shortopt, o->name,
		         o->arg ? " " : "", o->arg ? o->argname : "");
	else
		snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->argname : "");
	if (strlen(head) > 26)
		fprintf(fp, "  %s\n  %-26s  %s\n", head, "", o->help);
	else
		fprintf(fp, "  %-26s  %s\n", head, o->help);
}

static void verb_help(const struct cli *c, const struct table *t)
{
	static const char *const titles[] = { "Common options", "Output options", "Options",
	                                      "Fields", "Filters" };
	static const enum kind order[] = { K_FILTER, K_VERB, K_FIELD, K_OUTPUT, K_COMMON };

	printf("usage: %s %s [options]%s%s\n%s\n", c->prog->name, c->verb->name,
	       c->verb->operands ? " " : "", c->verb->operands ? c->verb->operands : "",
	       c->verb->summary);
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		int shown = 0;
		for (size_t i = 0; i < t->n; i++) {
			if (t->e[i].kind != order[k])
				continue;
			if (!shown++)
				printf("\n%s:\n", titles[order[k]]);
			print_opt(stdout, &t->e[i].opt);
		}
	}
	printf("\nSee %s(1).\n", c->prog->name);
}

static void program_help(const struct cli_program *p, FILE *fp)
{
	fprintf(fp, "usage: %s COMMAND [options] [operands]\n%s\n\nCommands:\n", p->name,
	        p->summary);
	for (const struct cli_verb *v = p->verbs; v->name; v++)
		fprintf(fp, "  %-14s %s\n", v->name, v->summary);
	fprintf(fp, "\nRun '%s COMMAND --help' for a command's options; see %s(1).\n",
	        p->name, p->name);
}

/* Writes "PROG: " and the message fmt makes to standard error, its
 * control characters escaped (\r, \n, \t, \xNN): a value quoted in it
 * keeps one message one line for syslog and cron's mail. */
static void put_message(const struct cli *c, const char *fmt, va_list ap)
{
	crm_buf b = CRM_BUF_INIT;

	fprintf(stderr, "%s: ", c->prog->name);
	if (crm_buf_vprintf(&b, fmt, ap)) {
		fputs("out of memory", stderr);
		crm_buf_free(&b);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)crm_buf_str(&b); *p; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			fputc(*p, stderr);
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			fprintf(stderr, "\\%c", *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
		else
			fprintf(stderr, "\\x%02x", *p);
	}
	crm_buf_free(&b);
}

void cli_say(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(c, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail(const struct cli *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(c, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int cli_error(const struct cli *c, int code)
{
	return cli_fail(c, crm_exit_status(code), "%s", crm_error_message());
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(c, fmt, ap);
	va_end(ap);
	if (c->verb)
		fprintf(stderr, "\nusage: %s %s [options]%s%s\nTry '%s %s --help'.\n",
		        c->prog->name, c->verb->name, c->verb->operands ? " " : "",
		        c->verb->operands ? c->verb->operands : "", c->prog->name, c->verb->name);
	else
		fprintf(stderr, "\nTry '%s --help'.\n", c->prog->name);
	return 2;
}

const char *cli_next(const struct cli *c, const char *name, size_t *pos)
{
	for (; *pos < c->nvals; (*pos)++)
		if (!strcmp(c->vals[*pos].opt->name, name))
			return c->vals[(*pos)++].arg ? c->vals[*pos - 1].arg : "";
	return NULL;
}

const char *cli_get(const struct cli *c, const char *name)
{
	const char *last = NULL, *v;
	size_t pos = 0;

	while ((v = cli_next(c, name, &pos)))
		last = v;
	return last;
}

int cli_has(const struct cli *c, const char *name)
{
	return cli_get(c, name) != NULL;
}

/* Applies a common or output option; returns -1 when it asks to exit 0. */
static int common_option(struct cli *c, const struct entry *e, const char *arg)
{
	const char *n = e->opt.name;

	if (!strcmp(n, "help"))
		return -1;
	if (!strcmp(n, "version")) {
		printf("%s %s\n", c->prog->name, CRM_VERSION);
		return -2;
	}
	if (!strcmp(n, "db")) c->db_path = arg;
	else if (!strcmp(n, "read-only")) c->read_only = 1;
	else if (!strcmp(n, "quiet")) c->quiet = 1;
	else if (!strcmp(n, "format")) c->format = arg;
	else if (!strcmp(n, "fields")) c->fields = arg;
	else if (!strcmp(n, "no-header")) c->no_header = 1;
	else if (!strcmp(n, "null")) c->null_term = 1;
	else if (!strcmp(n, "csv-safe")) c->csv_safe = 1;
	return 0;
}

/* Stores one parsed option; returns an exit status, or -1/-2 for help and
 * version, or 0 to go on. */
static int take_option(struct cli *c, const struct table *t, const struct entry *e,
                       const char *arg)
{
	int rc;

	if (e->kind == K_COMMON || e->kind == K_OUTPUT)
		return common_option(c, e, arg);
	if (e->kind == K_FIELD)
		rc = crm_record_set(c->rec, e->field->name, arg);
	else if (e->kind == K_FILTER) {
		c->vals[c->nvals].opt = &filter_value;
		c->vals[c->nvals].field = e->field;
		c->vals[c->nvals].option = e->field ? NULL : e->opt.name;
		c->vals[c->nvals++].arg = arg;
		return 0;
	}
	else if (!strcmp(e->opt.name, "set") && (c->verb->flags & CLI_FIELDS))
		rc = crm_record_set_pair(c->rec, arg);
	else {
		c->vals[c->nvals].opt = e->orig;
		c->vals[c->nvals++].arg = arg;
		return 0;
	}
	(void)t;
	return rc ? cli_error(c, rc) : 0;
}

static const struct entry *find_short(const struct table *t, int ch)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].opt.shortopt == ch)
			return &t->e[i];
	return NULL;
}

/* Builds getopt_long's tables from ours: long options carry 256 + index. */
static int getopt_tables(const struct table *t, struct option **lo, char *shortopts, size_t len)
{
	size_t k = 0;

	*lo = calloc(t->n + 1, sizeof **lo);
	if (!*lo)
		return -1;
	shortopts[k++] = ':';
	for (size_t i = 0; i < t->n; i++) {
		(*lo)[i].name = t->e[i].opt.name;
		(*lo)[i].has_arg = t->e[i].opt.arg ? required_argument : no_argument;
		(*lo)[i].val = 256 + (int)i;
		if (t->e[i].opt.shortopt && k + 3 < len) {
			shortopts[k++] = (char)t->e[i].opt.shortopt;
			if (t->e[i].opt.arg)
				shortopts[k++] = ':';
		}
	}
	shortopts[k] = '\0';
	return 0;
}

/* Whether arg is an option whose value is the next argument. */
static int wants_value(const struct table *t, const char *arg)
{
	size_t n = strlen(arg);
	const struct entry *e = NULL;

	if (arg[0] != '-' || n < 2)
		return 0;
	if (arg[1] != '-')
		e = find_short(t, (unsigned char)arg[n - 1]);
	for (size_t i = 0; arg[1] == '-' && !strchr(arg, '=') && i < t->n && !e; i++)
		if (!strcmp(t->e[i].opt.name, arg + 2))
			e = &t->e[i];
	return e && e->opt.arg;
}

/* A negative number ("-4", "-2.5") is an operand, not options: its dash
 * is swapped for a byte getopt takes for text while it parses, and back.
 * "-0" stays the option it is; an option's value is left as it is. */
static void hide_negatives(const struct table *t, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] >= '1' && argv[i][1] <= '9' &&
		    strspn(argv[i] + 1, "0123456789.") == strlen(argv[i] + 1) &&
		    !wants_value(t, argv[i - 1]))
			argv[i][0] = '\001';
}

static void show_negatives(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '\001')
			argv[i][0] = '-';
}

/* Parses the verb's command line; returns -1 to go on, else an exit status. */
static int parse_options(struct cli *c, const struct table *t, int argc, char **argv)
{
	struct option *lo;
	char shortopts[64];
	int ch, rc = 0;

	if (getopt_tables(t, &lo, shortopts, sizeof shortopts))
		return cli_fail(c, 1, "out of memory");
	opterr = 0;
	optind = 1;
	hide_negatives(t, argc, argv);
	while (!rc && (ch = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		const struct entry *e = ch >= 256 ? &t->e[ch - 256] : find_short(t, ch);
		if (ch == '?' || ch == ':' || !e) {
			const char *what = argv[optind - 1];
			rc = cli_usage_error(c, ch == ':' ? "option '%s' needs a value"
			                     : "unknown option '%s'", what);
			break;
		}
		rc = take_option(c, t, e, optarg);
	}
	free(lo);
	show_negatives(argc, argv);
	if (rc == -1) {
		verb_help(c, t);
		return 0;
	}
	return rc == -2 ? 0 : rc ? rc : -1;
}

static int env_true(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

int cli_open(struct cli *c, int write)
{
	char *path = NULL;
	unsigned flags = 0;
	int rc;

	if (c->read_only || env_true("CRM_READONLY")) {
		if (write)
			return crm_error_set(CRM_EREADONLY, "the database is open read-only;"
			                     " '%s' writes", c->verb->name);
		flags |= CRM_DB_READONLY;
	}
	/* A dry run writes nothing, not even the file a first write creates:
	 * against a database not there yet it checks on an empty one. */
	if (write && cli_has(c, "dry-run"))
		flags |= CRM_DB_SCRATCH;
	if ((rc = crm_config_load(&c->cfg, NULL)))
		return rc;
	if ((rc = crm_db_resolve_path(&path, c->db_path, c->cfg)))
		return rc;
	rc = crm_db_open(&c->db, path, flags, c->cfg);
	free(path);
	if (!rc)
		rc = crm_db_set_actor(c->db, c->prog->name, NULL);
	if (!rc && write && (c->verb->flags & CLI_ROWS))
		rc = crm_db_memory_journal(c->db);
	if (!rc)
		rc = crm_db_begin(c->db, write);
	return rc;
}

int cli_id(const char *s, int64_t *id)
{
	long long v;

	if (!crm_int_parse(s, 1, INT64_MAX, &v))
		return crm_error_set(CRM_EUSAGE, "invalid id '%s'", s);
	*id = v;
	return CRM_OK;
}

static int push_id(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		int64_t *p = realloc(*ids, nc * sizeof *p);
		if (!p)
			return crm_error_nomem();
		*ids = p;
		*cap = nc;
	}
	(*ids)[(*n)++] = id;
	return CRM_OK;
}

/* Reads ids from stdin: first column of each line, a header "id" skipped.
 * Leading blanks are the padding of a table's right-aligned ids; a line
 * with something in it but nothing in its first column is an error, not
 * a line to pass over, lest set or rm act on a part of the list. */
static int stdin_ids(int64_t **ids, size_t *n, size_t *cap)
{
	char *line = NULL, *p;
	size_t len = 0;
	long lineno = 0;
	int rc = CRM_OK;
	int64_t id = 0;

	while (!rc && getline(&line, &len, stdin) != -1) {
		lineno++;
		p = line + strspn(line, " ");
		if (!p[strspn(p, " \t\r\n")])
			continue;
		p[strcspn(p, "\t,; \r\n")] = '\0';
		if (lineno == 1 && !strcmp(p, "id"))
			continue;
		if (!*p)
			rc = crm_error_set(CRM_EUSAGE, "no id in the first column of line %ld of stdin",
			                   lineno);
		else if (cli_id(p, &id))
			rc = crm_error_set(CRM_EUSAGE, "invalid id '%s' on line %ld of stdin", p,
			                   lineno);
		else
			rc = push_id(ids, n, cap, id);
	}
	free(line);
	return rc;
}

int cli_ids(const struct cli *c, int argc, char **argv, int64_t **ids, size_t *n)
{
	size_t cap = 0;
	int64_t id = 0;
	int rc = CRM_OK, piped = 0;

	(void)c;
	*ids = NULL;
	*n = 0;
	for (int i = 0; i < argc && !rc; i++) {
		if (!strcmp(argv[i], "-"))
			piped = 1, rc = stdin_ids(ids, n, &cap);
		else if (!(rc = cli_id(argv[i], &id)))
			rc = push_id(ids, n, &cap, id);
	}
	/* A list that found nothing pipes in no ids: nothing to do, as on a
	 * quiet night for cron, not a mistake. */
	if (!rc && !*n && !piped)
		rc = crm_error_set(CRM_EUSAGE, "no ids given");
	if (rc) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

int cli_format(const struct cli *c, enum crm_format *f)
{
	if (c->format)
		return crm_format_parse(f, c->format);
	*f = isatty(STDOUT_FILENO) ? CRM_FORMAT_TABLE : CRM_FORMAT_TSV;
	return CRM_OK;
}

int cli_output(const struct cli *c, const struct crm_column *cols, size_t n, crm_out **w)
{
	struct crm_out_opts o = { .format = CRM_FORMAT_TSV, .header = !c->no_header,
	                          .null_term = c->null_term, .csv_safe = c->csv_safe };
	int tty = isatty(STDOUT_FILENO);
	int rc;

	if ((rc = cli_format(c, &o.format)))
		return rc;
	/* no-color.org: set and not empty disables colour. */
	o.color = tty && o.format == CRM_FORMAT_TABLE && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	return crm_out_new(w, stdout, &o, cols, n);
}

/* Finds the -f field name of length len among cols; returns its index. */
static int column_index(const struct crm_column *cols, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(cols[i].name) == len && !strncmp(cols[i].name, name, len))
			return (int)i;
	return -1;
}

int cli_output_fields(struct cli *c, const struct crm_column *cols, size_t n, crm_out **w)
{
	struct crm_column *pick;
	const char *p = c->fields;
	int rc, i;

	if (!p || !strcmp(p, "all"))
		return cli_output(c, cols, n, w);
	if (!(c->proj = calloc(n + strlen(p), sizeof *c->proj)) ||
	    !(pick = calloc(n + strlen(p), sizeof *pick)))
		return crm_error_nomem();
	for (c->nproj = 0; *p && c->nproj < CLI_MAX_COLUMNS; p += *p == ',') {
		size_t len = strcspn(p, ",");
		if ((i = column_index(cols, n, p, len)) < 0) {
			free(pick);
			return crm_error_set(CRM_EUSAGE, "unknown field '%.*s'", (int)len, p);
		}
		pick[c->nproj] = cols[i];
		c->proj[c->nproj++] = (size_t)i;
		p += len;
	}
	rc = c->nproj ? cli_output(c, pick, c->nproj, w)
	              : crm_error_set(CRM_EUSAGE, "no fields chosen");
	free(pick);
	return rc;
}

int cli_row(const struct cli *c, crm_out *w, const char *const *vals)
{
	const char *row[CLI_MAX_COLUMNS];

	if (!c->proj)
		return crm_out_row(w, vals);
	for (size_t i = 0; i < c->nproj; i++)
		row[i] = vals[c->proj[i]];
	return crm_out_row(w, row);
}

int cli_print_row(void *printer, const char *const *vals)
{
	struct cli_printer *p = printer;

	p->rows++;
	return cli_row(p->c, p->w, vals);
}

/* cli_print_list, storing in *rows how many rows it printed. */
static int print_list(struct cli *c, const struct crm_column *cols, size_t n, int64_t id,
                      int (*list)(crm_db *, int64_t, int (*)(void *, const char *const *), void *),
                      long *rows)
{
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	if ((rc = cli_output_fields(c, cols, n, &p.w)))
		return cli_error(c, rc);
	rc = list(c->db, id, cli_print_row, &p);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	*rows = p.rows;
	return rc ? cli_error(c, rc) : 0;
}

int cli_print_list(struct cli *c, const struct crm_column *cols, size_t n, int64_t id,
                   int (*list)(crm_db *, int64_t, int (*)(void *, const char *const *), void *))
{
	long rows;

	return print_list(c, cols, n, id, list, &rows);
}

int cli_print_all(struct cli *c, const struct crm_column *cols, size_t n,
                  int (*list)(crm_db *, int64_t, int (*)(void *, const char *const *), void *))
{
	long rows = 0;
	int status = print_list(c, cols, n, 0, list, &rows);

	return status ? status : rows ? 0 : 1;
}

int cli_read_file(const char *path, char **out)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_buf_read_file(&b, path, 0);

	*out = NULL;
	if (!rc && !(*out = crm_buf_detach(&b)))
		rc = crm_error_nomem();
	crm_buf_free(&b);
	return rc;
}

int cli_read_stdin(char **out)
{
	return cli_read_file("-", out);
}

/* Ends the command: commits on success, tells what the writes did once
 * they are kept, and turns a failed write of stdout (a full disk,
 * /dev/full) into an error. */
static int finish(struct cli *c, int status)
{
	int rc, told = 0;

	if (c->db) {
		int keep = status == 0 || (c->keep && status == 3);

		if (status == 0 && c->rollback) {
			crm_db_rollback(c->db);
			told = 1;
		} else if (keep) {
			if ((rc = crm_db_commit(c->db)))
				status = cli_error(c, rc);
			else
				told = 1;
		} else {
			crm_db_rollback(c->db);
		}
	}
	if (told)
		fputs(c->report, stderr);
	if ((fflush(stdout) == EOF || ferror(stdout)) && status == 0)
		status = cli_fail(c, 1, "write error: %s", strerror(errno ? errno : EIO));
	crm_db_close(c->db);
	crm_config_free(c->cfg);
	crm_record_free(c->rec);
	free(c->vals);
	free(c->proj);
	return status;
}

static const struct cli_verb *find_verb(const struct cli_program *p, const char *name)
{
	for (const struct cli_verb *v = p->verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

/* Handles the program-level words: no verb, --help, --version. */
static int program_level(struct cli *c, int argc, char **argv)
{
	const struct cli_program *p = c->prog;

	if (argc < 2) {
		program_help(p, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		program_help(p, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("%s %s\n", p->name, CRM_VERSION);
		return 0;
	}
	if (argv[1][0] == '-')
		return cli_usage_error(c, "unknown option '%s'", argv[1]);
	if (!(c->verb = find_verb(p, argv[1])))
		return cli_usage_error(c, "unknown command '%s'", argv[1]);
	return -1;
}

int cli_main(const struct cli_program *p, int argc, char **argv)
{
	struct cli c = { 0 };
	struct table t = { NULL, 0 };
	int status;

	c.prog = p;
	/* "help VERB" is "VERB --help", as "crm help PROGRAM" is "PROGRAM --help". */
	if (argc > 2 && !strcmp(argv[1], "help")) {
		argv[1] = argv[2];
		argv[2] = "--help";
	}
	if ((status = program_level(&c, argc, argv)) >= 0)
		return fflush(stdout) == EOF ? cli_fail(&c, 1, "write error: %s", strerror(errno))
		                             : status;
	c.entity = p->entity ? crm_entity_find(p->entity) : NULL;
	if (build_table(&c, &t) || !(c.vals = calloc((size_t)argc, sizeof *c.vals)) ||
	    (c.entity && crm_record_new(&c.rec, c.entity))) {
		free(t.e);
		return finish(&c, cli_fail(&c, 1, "out of memory"));
	}
	status = parse_options(&c, &t, argc - 1, argv + 1);
	free(t.e);
	if (status >= 0)
		return finish(&c, status);
	if (!(c.verb->flags & CLI_NODB) && (status = cli_open(&c, !!(c.verb->flags & CLI_WRITE))))
		return finish(&c, cli_error(&c, status));
	status = c.verb->run(&c, argc - 1 - optind, argv + 1 + optind);
	return finish(&c, status);
}
