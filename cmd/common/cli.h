/* cli.h - what every crm program shares: the verb and option tables that
 * also produce --help, the common options, database opening, output, ids
 * from stdin, and turning libcore status codes into messages and exit codes.
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "crm.h"

enum cli_arg { CLI_NOARG, CLI_ARG };

/* One option of a verb.  Options are declared once, here, and getopt_long's
 * table and the --help text are both made from the declaration. */
struct cli_opt {
	const char *name;    /* long name without the dashes */
	int shortopt;        /* short letter, or 0 */
	enum cli_arg arg;
	const char *argname; /* shown in --help, e.g. "FIELD OP VALUE" */
	const char *help;
};

enum cli_verb_flags {
	CLI_OUTPUT = 1 << 0, /* prints records: takes --format, -f, -H, -0, --csv-safe */
	CLI_FIELDS = 1 << 1, /* takes one option per writable field, and --set */
	CLI_WRITE = 1 << 2,  /* writes: the command is one write transaction */
	CLI_NODB = 1 << 3,   /* does not open the database itself */
	CLI_LIST = 1 << 4,   /* takes the entity's filters (--FIELD VALUE, --tag) */
	CLI_ROWS = 1 << 5    /* writes row by row in savepoints: journals kept in memory */
};

struct cli;

struct cli_verb {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv); /* returns an exit status */
	const char *operands; /* usage after [options], e.g. "ID..." */
	const char *summary;
	unsigned flags;
	const struct cli_opt *opts; /* ends with a zeroed entry; may be NULL */
};

/* What list does when not told: the time --since and --until compare
 * (NULL: updated_at), the order (NULL: by id) and the columns (NULL: every
 * field not hidden). */
struct cli_list {
	const char *time;
	const char *sort;
	const char *fields;
};

struct cli_program {
	const char *name;    /* "crm-contact" */
	const char *summary; /* one line, shown by crm help */
	const char *entity;  /* registry entity of CLI_FIELDS verbs, or NULL */
	const struct cli_verb *verbs; /* ends with a zeroed entry */
	const struct cli_list *list;  /* list's defaults, or NULL */
};

struct cli_value {
	const struct cli_opt *opt;
	const char *arg;
	const struct crm_field *field; /* the field a filter option compares, or NULL */
	const char *option; /* the entity's list option (crm_entity_option), or NULL */
};

struct cli {
	const struct cli_program *prog;
	const struct cli_verb *verb;
	const struct crm_entity *entity;
	/* common options */
	const char *db_path;
	const char *format;
	const char *fields;
	int no_header, null_term, csv_safe, quiet, read_only;
	size_t *proj, nproj; /* -f applied by cli_output_fields: columns kept */
	int rollback; /* set by a verb: undo its writes even on success (--dry-run) */
	/* set by a verb: keep its writes when it exits 3, having rejected some
	 * input whole and written the rest (mail-in) */
	int keep;
	/* what a verb's writes did (verb_report), told once they are kept:
	 * a commit that fails (a full disk) has done nothing */
	char report[256];
	/* the verb's own options, in command-line order */
	struct cli_value *vals;
	size_t nvals;
	crm_record *rec; /* field options of CLI_FIELDS verbs */
	crm_config *cfg;
	crm_db *db;
};

/* Runs the program: parses the verb and its options, opens the database as
 * the verb asks, runs it, commits or rolls back, and returns the exit status. */
int cli_main(const struct cli_program *p, int argc, char **argv);

/* Returns the last value given for option name, or NULL. */
const char *cli_get(const struct cli *c, const char *name);

/* Returns whether option name was given. */
int cli_has(const struct cli *c, const char *name);

/* Returns the next value of option name after position *pos (start at 0),
 * or NULL when there is none. */
const char *cli_next(const struct cli *c, const char *name, size_t *pos);

/* Prints "PROG: message" for the last libcore error and returns the exit
 * status documented for code. */
int cli_error(const struct cli *c, int code);

/* Writes "PROG: " and the message to standard error, its control
 * characters escaped, and a line end (a rejected record's line). */
void cli_say(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "PROG: message" (escaped as cli_say) and returns status. */
int cli_fail(const struct cli *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints the verb's usage hint for a wrong command line and returns 2. */
int cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Opens configuration and database (read-only when asked) for verbs with
 * CLI_NODB, which open late; returns a libcore status. */
int cli_open(struct cli *c, int write);

/* Stores in *ids the ids given as operands, reading stdin for "-" (one per
 * line, first column, header line "id" skipped); "-" that reads none gives
 * none (*n 0), no operand at all is a usage error.  Returns a libcore
 * status; the caller frees *ids. */
int cli_ids(const struct cli *c, int argc, char **argv, int64_t **ids, size_t *n);

/* Parses one id operand; CRM_EUSAGE naming it when invalid. */
int cli_id(const char *s, int64_t *id);

/* Stores in *f the output format: --format, else table on a terminal, else tsv. */
int cli_format(const struct cli *c, enum crm_format *f);

/* Stores in *w a writer to stdout for the columns, honouring --format, -H,
 * -0, --csv-safe and the terminal rules (table and colour on a tty). */
int cli_output(const struct cli *c, const struct crm_column *cols, size_t n, crm_out **w);

/* Like cli_output, for verbs that print fixed columns: -f picks and orders
 * a subset of them, and rows then go through cli_row. */
int cli_output_fields(struct cli *c, const struct crm_column *cols, size_t n, crm_out **w);

/* Writes a full row of the columns given to cli_output_fields, keeping the
 * ones -f chose. */
int cli_row(const struct cli *c, crm_out *w, const char *const *vals);

/* A row callback for libcore's listing functions: arg is a struct
 * cli_printer, and the row goes through cli_row; rows counts them, for
 * the exit status 1 of a listing that printed none. */
struct cli_printer {
	const struct cli *c;
	crm_out *w;
	long rows;
};
int cli_print_row(void *printer, const char *const *vals);

/* Prints what list(db, id, cli_print_row, printer) produces under the fixed
 * columns cols, honouring the output options and -f; returns an exit status.
 * For what one record holds (its lines, its consents): none is no failure. */
int cli_print_list(struct cli *c, const struct crm_column *cols, size_t n, int64_t id,
                   int (*list)(crm_db *, int64_t, int (*)(void *, const char *const *), void *));

/* cli_print_list of a whole list (list gets id 0), which exits 1 when
 * nothing is in it, as every list does; the header is printed all the same. */
int cli_print_all(struct cli *c, const struct crm_column *cols, size_t n,
                  int (*list)(crm_db *, int64_t, int (*)(void *, const char *const *), void *));

/* Reads all of stdin into a malloc'd string in *out. */
int cli_read_stdin(char **out);

/* Reads all of file path ("-": stdin) into a malloc'd string in *out;
 * CRM_EIO "cannot open 'path': reason" when it cannot. */
int cli_read_file(const char *path, char **out);

#endif
