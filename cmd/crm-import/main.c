/* crm-import - bulk load of records from other systems' exports. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "crm/cpu.h"
#include "crm/import.h"
#include "crm/reader.h"
#include "crm/rowpipe.h"
#include "held.h"
#include "reject.h"

static const struct cli_opt import_opts[] = {
	{ "format", 0, CLI_ARG, "FMT", "csv, tsv, jsonl, json, yaml or vcf (default: from the file name)" },
	{ "delimiter", 'd', CLI_ARG, "CHAR", "csv field separator (default ',')" },
	{ "no-header", 0, CLI_NOARG, NULL, "csv/tsv input has no header row; name its columns with --columns" },
	{ "columns", 0, CLI_ARG, "LIST", "the comma-separated column names of a headerless input" },
	{ "encoding", 'e', CLI_ARG, "ENC", "the input's character set (latin1, cp1252, utf-16 ...; default UTF-8)" },
	{ "map", 'm', CLI_ARG, "FILE", "mapping file: columns, constants, tags, ignored columns (MAPPING FILE in crm-import(1))" },
	{ "decimal-comma", 0, CLI_NOARG, NULL, "amounts, percentages and quantities are written 1.234,56 (European spreadsheets)" },
	{ "date-format", 0, CLI_ARG, "FMT", "how the dates are written, as strptime(3) reads them (%m/%d/%Y for 3/14/1985); a mapping file's date_format of a column comes first" },
	{ "keep-unknown", 0, CLI_NOARG, NULL, "store columns that mean no field as custom fields" },
	{ "ignore-unknown", 0, CLI_NOARG, NULL, "leave out columns that mean no field" },
	{ "key", 'k', CLI_ARG, "FIELD[,FIELD...]", "match existing records on these fields or custom.KEY, in turn (default: email; companies: domain,name; deals, tasks: id,custom.source_id; tickets: id,custom.source_id,custom.case_number; responses: id,custom.response_id; purchases: order_ref,custom.source_id)" },
	{ "on-conflict", 0, CLI_ARG, "ACTION", "skip (default), update or error for records that match" },
	{ "reject", 'r', CLI_ARG, "FILE", "write rejected records to FILE, in the input's format" },
	{ "max-errors", 0, CLI_ARG, "N", "roll everything back once more than N records are rejected" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "check everything and print the summary, write nothing" },
	{ "no-earn", 0, CLI_NOARG, NULL, "purchases: the purchases created earn no loyalty points (history)" },
	{ "timings", 0, CLI_NOARG, NULL, "print the seconds each phase took on stderr" },
	{ "mode", 0, CLI_ARG, "MODE", "row (a savepoint per record), bulk (none; again by row if one is rejected half-way) or auto (default: bulk for files of 1 MiB or more)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Files of at least this many bytes are imported in bulk mode by default. */
#define BULK_BYTES (1L << 20)

/* import_stream's status when a bulk import must be done again by row. */
#define AGAIN 256

static const struct cli_opt undo_opts[] = {
	{ "force", 0, CLI_NOARG, NULL, "undo even records changed since the import, overwriting those changes" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would be undone, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

/* One import run over every input file. */
struct run {
	struct cli *c;
	crm_import *imp;
	struct crm_reader_opts ropts;
	struct rejects *rej;
	struct held held;     /* the rows of the record being read */
	long max_errors;      /* -1: no limit */
	int progress;         /* stderr is a terminal and not -q */
	struct crm_import_opts o;
	const char *mode;     /* "row", "bulk", "bulk, then row" */
	long reported;        /* rows whose results were reported */
	long skip;            /* rows read again, whose results were */
	FILE *spool;          /* standard input, kept for a second reading */
	struct timespec start, shown;
	/* Seconds spent (--timings): reading and reading ahead (on the
	 * pipe's threads, summed), the rows, the search index and batch, the
	 * commit; phones, the reading ahead of phone numbers by an import
	 * since freed (import_again). */
	double read, ahead, wait, rows, end, commit, phones;
	int threads;          /* the pipe's, for the last input */
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Redraws the progress line at most every quarter second. */
static void show_progress(struct run *run, const char *name, crm_rowpipe *r, long long size)
{
	long n = crm_import_counts(run->imp)->read;
	double t;

	if (!run->progress || (n % 256) || seconds_since(&run->shown) < 0.25)
		return;
	clock_gettime(CLOCK_MONOTONIC, &run->shown);
	t = seconds_since(&run->start);
	fprintf(stderr, "\r%s: %s: %ld records, %.0f/s", run->c->prog->name, name, n,
	        t > 0 ? (double)n / t : 0.0);
	if (size > 0)
		fprintf(stderr, ", %d%%", (int)(100 * crm_rowpipe_offset(r) / size));
	fputs("\033[K", stderr);
}

/* Reports a rejected record on stderr and in the reject file. */
static int rejected(struct run *run, const char *name, const struct crm_row *row,
                    const struct crm_import_result *res)
{
	long n = crm_import_counts(run->imp)->rejected;

	if (!run->c->quiet) {
		if (run->progress)
			fputs("\r\033[K", stderr);
		cli_say(run->c, "%s:%ld: %s%s%s", name, row->line, res->field ? res->field : "",
		        res->field ? ": " : "", res->reason);
	}
	if (run->rej && rejects_add(run->rej, row, res->field, res->reason))
		return cli_error(run->c, crm_error_code());
	if (run->max_errors >= 0 && n > run->max_errors)
		return cli_fail(run->c, 3, "more than %ld records rejected; nothing imported",
		                run->max_errors);
	return 0;
}

/* Reports the rows a rejected one took back with it (res->undone, the
 * rows of its record held since it began), then the row itself. */
static int undone(struct run *run, const char *name, const struct crm_row *row,
                  const struct crm_import_result *res)
{
	struct crm_import_result r = { .outcome = CRM_IMPORT_REJECTED, .field = res->undo_field,
	                               .reason = res->undo_reason };
	int status = 0;

	for (size_t i = 0; i < run->held.n && !status; i++)
		status = rejected(run, run->held.files[i], &run->held.rows[i], &r);
	held_clear(&run->held);
	return status ? status : rejected(run, name, row, res);
}

/* Keeps the rows of the record being read, for undone. */
static int hold(struct run *run, const char *name, const struct crm_row *row,
                const struct crm_import_result *res)
{
	if (res->group_start || !res->grouped)
		held_clear(&run->held);
	if (!res->grouped || res->outcome == CRM_IMPORT_REJECTED)
		return 0;
	return held_add(&run->held, row, name) ? cli_error(run->c, CRM_ENOMEM) : 0;
}

/* Checks the columns of a CSV or TSV header, known once the first record
 * is read (or the input ends). */
static int check_header(struct run *run, crm_rowpipe *r, const char *name)
{
	const char *const *header;
	size_t n;
	long line;
	int rc;

	if (run->rej) {
		struct crm_style s;

		crm_rowpipe_style(r, &s);
		if ((rc = rejects_style(run->rej, &s)))
			return cli_error(run->c, rc);
	}
	header = crm_rowpipe_header(r, &n);
	if (header && run->rej && (rc = rejects_header(run->rej, header, n)))
		return cli_error(run->c, rc);
	if (!header || !(rc = crm_import_header(run->imp, header, n)))
		return 0;
	if (!(line = crm_rowpipe_header_line(r)))
		return cli_fail(run->c, crm_exit_status(rc), "--columns: %s", crm_error_message());
	return cli_fail(run->c, crm_exit_status(rc), "%s:%ld: %s", name, line, crm_error_message());
}

/* Imports every record of one open reader; returns an exit status. */
static int import_stream(struct run *run, crm_rowpipe *r, const char *name, long long size)
{
	struct crm_import_result res;
	struct crm_row row;
	int rc, status = 0, first = 1;

	while (!status && (rc = crm_rowpipe_next(r, &row)) > 0) {
		if (first && (status = check_header(run, r, name)))
			return status;
		first = 0;
		if ((rc = crm_import_row(run->imp, &row, &res)) == CRM_IMPORT_AGAIN)
			return AGAIN;
		if (rc < 0)
			return cli_fail(run->c, crm_exit_status(rc), "%s:%ld: %s", name, row.line,
			                crm_error_message());
		if (run->skip > 0) {
			run->skip--;
		} else {
			run->reported++;
			if (res.undone)
				status = undone(run, name, &row, &res);
			else if (res.outcome == CRM_IMPORT_REJECTED)
				status = rejected(run, name, &row, &res);
		}
		if (!status)
			status = hold(run, name, &row, &res);
		show_progress(run, name, r, size);
	}
	/* A header without records still has to name known columns. */
	if (!status && !rc && first)
		status = check_header(run, r, name);
	/* An input that cannot be read is a bad operand, like one not found. */
	if (!status && rc == CRM_EIO)
		status = cli_fail(run->c, 2, "%s", crm_error_message());
	else if (!status && rc < 0)
		status = cli_error(run->c, rc);
	return status;
}

/* Threads to read ahead with: one for each processor the program may
 * run on, up to CRM_ROWPIPE_THREADS.  All but the first help only when
 * the writes are about to wait for rows (see rowpipe.c), so they do not
 * slow the writes where those are the bottleneck.  On two processors,
 * 200,000 people, two threads against one, mean of three runs each:
 * into an empty database 7.96 s against 8.68 s, into one of 1,000,000
 * people 11.56 s against 11.98 s, re-imported unchanged 5.53 s against
 * 6.76 s. */
static int ahead_threads(void)
{
	int n = crm_processors();

	return n > CRM_ROWPIPE_THREADS ? CRM_ROWPIPE_THREADS : n;
}

/* Imports the rows of reader r, read ahead on threads of their own when
 * the input is a regular file of size bytes (one never blocks), else as
 * they come (size -1). */
static int import_reader(struct run *run, crm_reader *r, const char *name, long long size)
{
	crm_rowpipe *pipe;
	struct timespec t0;
	double read, ahead, wait;
	int status, rc;

	if ((rc = crm_rowpipe_open(&pipe, r, size >= 0 ? ahead_threads() : 0, crm_import_ahead,
	                           run->imp)))
		return cli_error(run->c, rc);
	run->threads = crm_rowpipe_threads(pipe);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = import_stream(run, pipe, name, size);
	run->rows += seconds_since(&t0);
	crm_rowpipe_times(pipe, &read, &ahead, &wait);
	run->read += read;
	run->ahead += ahead;
	run->wait += wait;
	crm_rowpipe_close(pipe);
	return status;
}

/* Standard input for a bulk import, which may have to read it twice: a
 * temporary copy, rewound; NULL when it cannot be made. */
static FILE *spooled_stdin(struct run *run)
{
	char buf[65536];
	size_t n;

	if (!run->spool && (run->spool = tmpfile())) {
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
			if (fwrite(buf, 1, n, run->spool) != n)
				break;
		if (ferror(stdin) || ferror(run->spool) || fflush(run->spool)) {
			fclose(run->spool);
			run->spool = NULL;
		}
	}
	if (run->spool)
		rewind(run->spool);
	return run->spool;
}

/* Opens one operand ("-" for stdin) and imports it. */
static int import_file(struct run *run, const char *path)
{
	struct crm_reader_opts o = run->ropts;
	int is_stdin = !strcmp(path, "-"), status, rc, guess;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *fp = !is_stdin ? fopen(path, "rb")
	         : run->o.bulk || run->spool ? spooled_stdin(run) : stdin;
	struct stat sb;
	crm_reader *r;

	if (!fp && is_stdin)
		return cli_fail(run->c, 1, "cannot keep standard input in a temporary file: %s",
		                strerror(errno));
	if (!fp)
		return cli_fail(run->c, 2, "cannot open '%s': %s", path, strerror(errno));
	if ((int)o.format < 0) {
		if ((guess = is_stdin ? -1 : crm_reader_guess(path)) < 0) {
			if (!is_stdin)
				fclose(fp);
			return cli_usage_error(run->c, "cannot tell the format of '%s'; use --format",
			                       name);
		}
		o.format = (enum crm_format)guess;
	}
	if ((rc = crm_reader_open(&r, fp, name, &o)))
		status = cli_error(run->c, rc);
	else
		status = import_reader(run, r, name, !fstat(fileno(fp), &sb) && S_ISREG(sb.st_mode)
		                                     ? sb.st_size : -1);
	crm_reader_close(r);
	if (!is_stdin)
		fclose(fp);
	return status;
}

static int import_files(struct run *run, int argc, char **argv)
{
	int status = 0;

	for (int i = 0; i < (argc ? argc : 1) && !status; i++)
		status = import_file(run, argc ? argv[i] : "-");
	return status;
}

/* A bulk import met a row rejected after it wrote something: rolls the
 * whole import back and does it again row by row, reporting only the rows
 * from that one on (those before it come out the same).  Another writer
 * may take its turn in between; the import is then of what it left. */
static int import_again(struct run *run, int argc, char **argv)
{
	int rc;

	run->phones += crm_import_ahead_phones(run->imp);
	crm_import_free(run->imp);
	run->imp = NULL;
	crm_db_rollback(run->c->db);
	run->o.bulk = 0;
	run->mode = "bulk, then row";
	run->skip = run->reported;
	held_clear(&run->held);
	if ((rc = crm_db_begin(run->c->db, true)) ||
	    (rc = crm_import_begin(&run->imp, run->c->db, &run->o)))
		return cli_error(run->c, rc);
	return import_files(run, argc, argv);
}

static void summary(const struct run *run, int64_t batch, int dry)
{
	const struct crm_import_counts *n = crm_import_counts(run->imp);

	if (run->progress)
		fputs("\r\033[K", stderr);
	if (run->c->quiet)
		return;
	fprintf(stderr, "%s: read %ld, created %ld, updated %ld, unchanged %ld, skipped %ld,"
	        " rejected %ld", run->c->prog->name, n->read, n->created, n->updated,
	        n->unchanged, n->skipped, n->rejected);
	if (n->people)
		fprintf(stderr, "; %ld new %s", n->people, n->people > 1 ? "people" : "person");
	if (n->companies)
		fprintf(stderr, "; %ld new compan%s", n->companies, n->companies > 1 ? "ies" : "y");
	if (n->refunds)
		fprintf(stderr, "; %ld refund%s", n->refunds, n->refunds > 1 ? "s" : "");
	if (dry)
		fputs("; dry run, nothing written\n", stderr);
	else if (batch)
		fprintf(stderr, "; batch %lld\n", (long long)batch);
	else
		fputs("; nothing changed\n", stderr);
}

static void print_timings(const struct run *run)
{
	double phase[CRM_PHASES], other = run->rows - run->wait;

	crm_import_phases(run->imp, phase);
	fprintf(stderr, "%s: %s mode; seconds: read %.2f, read ahead %.2f (%d thread%s; phone numbers"
	        " %.2f); rows %.2f (", run->c->prog->name, run->mode, run->read, run->ahead,
	        run->threads, run->threads == 1 ? "" : "s",
	        run->phones + crm_import_ahead_phones(run->imp), run->rows);
	for (int i = CRM_PHASE_OTHER + 1; i < CRM_PHASE_BUILD; i++) {
		fprintf(stderr, "%s %.2f, ", crm_phase_names[i], phase[i]);
		other -= phase[i];
	}
	fprintf(stderr, "waiting for rows %.2f, other %.2f), %s %.2f, search index and batch %.2f,"
	        " commit %.2f\n", run->wait, other > 0 ? other : 0, crm_phase_names[CRM_PHASE_BUILD],
	        phase[CRM_PHASE_BUILD], run->end - phase[CRM_PHASE_BUILD], run->commit);
}

/* Whether --mode auto imports the operands in bulk: when they are files
 * of BULK_BYTES or more in all.  Not standard input nor a pipe, which a
 * bulk import would first copy, in case it has to read it again. */
static int auto_bulk(int argc, char **argv)
{
	struct stat sb;
	long long size = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-"))
			return 0;
		if (stat(argv[i], &sb))
			continue; /* opening it says what is wrong */
		if (!S_ISREG(sb.st_mode))
			return 0;
		size += sb.st_size;
	}
	return size >= BULK_BYTES;
}

/* Refuses a reject file that is one of the inputs, which opening it
 * would empty before a record is read (fixing a reject file and
 * importing it again, --reject naming it again); returns an exit
 * status, -1 to go on. */
static int reject_not_input(struct cli *c, const char *path, int argc, char **argv)
{
	struct stat rej, in;

	if (stat(path, &rej) < 0)
		return -1;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") && !stat(argv[i], &in) && in.st_dev == rej.st_dev &&
		    in.st_ino == rej.st_ino)
			return cli_usage_error(c, "--reject: '%s' is the input '%s'; name another file",
			                       path, argv[i]);
	return -1;
}

/* Parses the options into the run and the import options; returns an
 * exit status, or -1 to go on. */
static int parse(struct cli *c, struct run *run, int argc, char **argv)
{
	struct crm_import_opts *o = &run->o;
	const char *v;

	run->ropts.format = (enum crm_format)-1;
	if (cli_has(c, "no-earn") && strcmp(c->verb->name, "purchases"))
		return cli_usage_error(c, "--no-earn is for purchases only");
	if ((v = cli_get(c, "format")) && crm_reader_format(&run->ropts.format, v))
		return cli_error(c, CRM_EUSAGE);
	if ((v = cli_get(c, "delimiter"))) {
		if (strlen(v) != 1 && strcmp(v, "\\t"))
			return cli_usage_error(c, "--delimiter takes one character, not '%s'", v);
		run->ropts.delimiter = strcmp(v, "\\t") ? v[0] : '\t';
	}
	run->ropts.columns = cli_get(c, "columns");
	if (cli_has(c, "no-header") != !!run->ropts.columns)
		return cli_usage_error(c, "--no-header and --columns go together");
	run->ropts.encoding = cli_get(c, "encoding");
	run->ropts.each = crm_import_each(run->o.entity);
	o->decimal_comma = cli_has(c, "decimal-comma");
	if ((o->date_format = cli_get(c, "date-format")) && !strchr(o->date_format, '%'))
		return cli_usage_error(c, "--date-format takes a strptime format such as %%d.%%m.%%Y,"
		                       " not '%s'", o->date_format);
	if (cli_has(c, "keep-unknown") && cli_has(c, "ignore-unknown"))
		return cli_usage_error(c, "--keep-unknown and --ignore-unknown exclude each other");
	o->unknown = cli_has(c, "keep-unknown") ? CRM_UNKNOWN_KEEP
	           : cli_has(c, "ignore-unknown") ? CRM_UNKNOWN_IGNORE : CRM_UNKNOWN_ERROR;
	o->key = cli_get(c, "key");
	if (!(v = cli_get(c, "on-conflict")) || !strcmp(v, "skip"))
		o->conflict = CRM_CONFLICT_SKIP;
	else if (!strcmp(v, "update"))
		o->conflict = CRM_CONFLICT_UPDATE;
	else if (!strcmp(v, "error"))
		o->conflict = CRM_CONFLICT_ERROR;
	else
		return cli_usage_error(c, "--on-conflict takes skip, update or error, not '%s'", v);
	if (!(v = cli_get(c, "mode")) || !strcmp(v, "auto"))
		o->bulk = auto_bulk(argc, argv);
	else if (!strcmp(v, "row") || !strcmp(v, "bulk"))
		o->bulk = !strcmp(v, "bulk");
	else
		return cli_usage_error(c, "--mode takes row, bulk or auto, not '%s'", v);
	run->max_errors = -1;
	if ((v = cli_get(c, "max-errors"))) {
		long long n;

		if (!crm_int_parse(v, 0, LONG_MAX, &n))
			return cli_usage_error(c, "--max-errors takes a number, not '%s'", v);
		run->max_errors = (long)n;
	}
	return (v = cli_get(c, "reject")) ? reject_not_input(c, v, argc, argv) : -1;
}

/* The operands as one string, for the batch list. */
static char *sources(int argc, char **argv)
{
	crm_buf b = CRM_BUF_INIT;

	if (!argc)
		crm_buf_puts(&b, "-");
	for (int i = 0; i < argc; i++)
		crm_buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	return crm_buf_detach(&b);
}

/* Runs the import over the operands and ends it; returns an exit status. */
static int import_all(struct run *run, int argc, char **argv)
{
	struct cli *c = run->c;
	int status = 0, dry = cli_has(c, "dry-run"), rc;
	int64_t batch = 0;
	struct timespec t;

	if ((status = import_files(run, argc, argv)) == AGAIN)
		status = import_again(run, argc, argv);
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!status && !dry && (rc = crm_import_end(run->imp, &batch)))
		status = cli_error(c, rc);
	run->end = seconds_since(&t);
	/* The reject file is whole before the records are committed: a
	 * record rejected must not be lost to a full disk. */
	rc = rejects_close(run->rej);
	run->rej = NULL;
	if (status || (status = rc ? cli_error(c, rc) : 0))
		return status;
	/* Rejections are exit 3, yet the records that were valid stay.  An
	 * import that wrote no record leaves the file as it was: a bulk one
	 * has dropped indexes and built them again.  The summary is told
	 * once the records are kept: a commit a full disk refuses kept none. */
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (run->progress)
		fputs("\r\033[K", stderr);
	if (!dry && !batch)
		crm_db_rollback(c->db);
	else if (!dry && (rc = crm_db_commit(c->db)))
		return cli_error(c, rc);
	run->commit = seconds_since(&t);
	summary(run, batch, dry);
	c->rollback = dry;
	if (cli_has(c, "timings"))
		print_timings(run);
	return crm_import_counts(run->imp)->rejected ? 3 : 0;
}

/* Rejects are written in the input's format: --format, else the first
 * file's. */
static enum crm_format reject_format(const struct run *run, int argc, char **argv)
{
	int guess = argc ? crm_reader_guess(argv[0]) : -1;

	if ((int)run->ropts.format >= 0)
		return run->ropts.format;
	return guess >= 0 ? (enum crm_format)guess : CRM_FORMAT_CSV;
}

/* contacts, companies, deals, tasks, tickets, responses, purchases: the entity is the one the verb is
 * the plural of. */
static const struct crm_entity *entity_of(const char *plural)
{
	const struct crm_entity *e;

	for (size_t k = 0; (e = crm_entity_at(k)); k++)
		if (!strcmp(crm_entity_plural(e), plural))
			return e;
	return NULL;
}

static int import_entity(struct cli *c, int argc, char **argv)
{
	struct run run = { .c = c, .o = { .entity = entity_of(c->verb->name) } };
	crm_import_map *map = NULL;
	const char *v;
	char *src = NULL;
	int status, rc;

	if ((status = parse(c, &run, argc, argv)) >= 0)
		return status;
	if ((v = cli_get(c, "map")) && (rc = crm_import_map_load(&map, v, run.o.entity)))
		return cli_error(c, rc);
	run.o.map = map;
	run.o.source = src = sources(argc, argv);
	run.o.no_earn = cli_has(c, "no-earn");
	run.o.timed = cli_has(c, "timings");
	run.mode = run.o.bulk ? "bulk" : "row";
	run.progress = !c->quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &run.start);
	/* The first line is drawn at once. */
	run.shown = run.start;
	run.shown.tv_sec--;
	if ((rc = crm_import_begin(&run.imp, c->db, &run.o)))
		status = cli_error(c, rc);
	else if ((v = cli_get(c, "reject")) &&
	         (rc = rejects_open(&run.rej, v, reject_format(&run, argc, argv))))
		status = cli_error(c, rc);
	else
		status = import_all(&run, argc, argv);
	if ((rc = rejects_close(run.rej)) && !status)
		status = cli_error(c, rc);
	crm_import_free(run.imp);
	held_free(&run.held);
	if (run.spool)
		fclose(run.spool);
	crm_import_map_free(map);
	free(src);
	return status;
}

static const struct crm_column batch_cols[CRM_BATCH_COLUMNS] = {
	{ "batch", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "user", CRM_COL_TEXT },
	{ "entity", CRM_COL_TEXT }, { "source", CRM_COL_TEXT }, { "read", CRM_COL_INT },
	{ "created", CRM_COL_INT }, { "updated", CRM_COL_INT }, { "unchanged", CRM_COL_INT },
	{ "skipped", CRM_COL_INT }, { "rejected", CRM_COL_INT }, { "undone_at", CRM_COL_TEXT },
};

static int batches_of(crm_db *db, int64_t id, int (*fn)(void *, const char *const *), void *arg)
{
	(void)id;
	return crm_import_batches(db, fn, arg);
}

/* list: the import batches, oldest first. */
static int import_list(struct cli *c, int argc, char **argv)
{
	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	return cli_print_all(c, batch_cols, CRM_BATCH_COLUMNS, batches_of);
}

/* undo BATCH: remove what the batch created, restore what it updated. */
static int import_undo(struct cli *c, int argc, char **argv)
{
	int64_t batch;
	long removed, restored;
	int rc, setwise = 0, force = cli_has(c, "force");

	if (argc != 1)
		return cli_usage_error(c, "expected one batch id");
	/* A batch of new records is undone in a transaction of its own with
	 * foreign keys off: the undo does the referring tables' actions a
	 * table at a time, which SQLite does a row at a time. */
	if ((rc = cli_id(argv[0], &batch)) ||
	    (rc = crm_import_undo_setwise(c->db, batch, force, &setwise)))
		return cli_error(c, rc);
	if (setwise) {
		crm_db_rollback(c->db);
		if ((rc = crm_db_foreign_keys(c->db, false)) || (rc = crm_db_begin(c->db, true)))
			return cli_error(c, rc);
	}
	if ((rc = crm_import_undo(c->db, batch, force, &removed, &restored)))
		return cli_error(c, rc);
	c->rollback = cli_has(c, "dry-run");
	if (!c->quiet)
		fprintf(stderr, "%s: batch %lld: removed %ld, restored %ld%s\n", c->prog->name,
		        (long long)batch, removed, restored, c->rollback ? "; dry run, nothing written" : "");
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "contacts", import_entity, "[FILE...]", "import people (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "companies", import_entity, "[FILE...]", "import companies (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "deals", import_entity, "[FILE...]", "import deals (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "tasks", import_entity, "[FILE...]", "import tasks (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "tickets", import_entity, "[FILE...]", "import tickets from help desks' exports (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "responses", import_entity, "[FILE...]", "import NPS and CSAT survey responses (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "purchases", import_entity, "[FILE...]", "import purchases from shops' order exports, one row per line item (no FILE or -: stdin)", CLI_WRITE | CLI_ROWS, import_opts },
	{ "list", import_list, NULL, "list the import batches", CLI_OUTPUT, NULL },
	{ "undo", import_undo, "BATCH", "remove what a batch created, restore what it updated", CLI_WRITE, undo_opts },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-import", "bulk load of records from other systems' exports", NULL, verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
