/* crm-dedup - find, merge and unmerge people entered more than once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crm/dedup.h"
#include "crm/merge.h"
#include "crm/reader.h"
#include "verbs.h"

static const struct cli_opt find_opts[] = {
	{ "threshold", 'p', CLI_ARG, "P", "report pairs whose match probability is at least P (0 to 1; default 0.9)" },
	{ "where", 'w', CLI_ARG, "FIELD OP VALUE", "consider only contacts matching the filter (repeatable)" },
	{ "tag", 't', CLI_ARG, "TAG", "consider only contacts with the tag (repeatable)" },
	{ "since", 's', CLI_ARG, "BATCH|DATE", "report only pairs with a contact new since: an import batch, \"last\", or a date" },
	{ "pairs", 0, CLI_NOARG, NULL, "print scored pairs instead of clusters" },
	{ "explain", 'x', CLI_NOARG, NULL, "print the full scoring of the pair of contacts given as operands" },
	{ "threads", 'j', CLI_ARG, "N", "compare on N threads (default: one per CPU)" },
	{ NULL, 0, 0, NULL, NULL }
};

enum { CLUSTER_COLS = 9, PAIR_COLS = 5 };

static const struct crm_column cluster_cols[CLUSTER_COLS] = {
	{ "cluster", CRM_COL_INT }, { "id", CRM_COL_INT }, { "score", CRM_COL_NUMBER },
	{ "first_name", CRM_COL_TEXT }, { "last_name", CRM_COL_TEXT }, { "email", CRM_COL_TEXT },
	{ "updated_at", CRM_COL_TEXT }, { "partner", CRM_COL_INT }, { "evidence", CRM_COL_TEXT },
};

static const struct crm_column pair_cols[PAIR_COLS] = {
	{ "id1", CRM_COL_INT }, { "id2", CRM_COL_INT }, { "score", CRM_COL_NUMBER },
	{ "weight", CRM_COL_NUMBER }, { "evidence", CRM_COL_TEXT },
};

static const struct crm_column explain_cols[CRM_EXPLAIN_COLUMNS] = {
	{ "field", CRM_COL_TEXT }, { "value1", CRM_COL_TEXT }, { "value2", CRM_COL_TEXT },
	{ "comparison", CRM_COL_TEXT }, { "m", CRM_COL_NUMBER }, { "u", CRM_COL_NUMBER },
	{ "weight", CRM_COL_NUMBER },
};

struct printer {
	struct cli *c;
	crm_out *w;
	long rows;
};

static int print_member(void *arg, const struct crm_dedup_member *m)
{
	struct printer *p = arg;
	char cluster[24], id[24], score[24], partner[24];
	const char *vals[CLUSTER_COLS] = {
		cluster, id, score, m->first_name, m->last_name, m->email, m->updated_at,
		partner, m->evidence,
	};

	snprintf(cluster, sizeof cluster, "%ld", m->cluster);
	snprintf(id, sizeof id, "%lld", (long long)m->id);
	snprintf(score, sizeof score, "%.*f", CRM_DEDUP_DIGITS, m->probability);
	snprintf(partner, sizeof partner, "%lld", (long long)m->partner);
	p->rows++;
	return cli_row(p->c, p->w, vals);
}

static int print_pair(void *arg, const struct crm_dedup_pair *pr)
{
	struct printer *p = arg;
	char a[24], b[24], score[24], weight[24];
	const char *vals[PAIR_COLS] = { a, b, score, weight, pr->evidence };

	snprintf(a, sizeof a, "%lld", (long long)pr->a);
	snprintf(b, sizeof b, "%lld", (long long)pr->b);
	snprintf(score, sizeof score, "%.*f", CRM_DEDUP_DIGITS, pr->probability);
	snprintf(weight, sizeof weight, "%.2f", pr->weight);
	p->rows++;
	return cli_row(p->c, p->w, vals);
}

static int print_explained(void *arg, const char *const *vals)
{
	struct printer *p = arg;

	p->rows++;
	return cli_row(p->c, p->w, vals);
}

/* Applies --where, --tag, --since and --threads; returns a libcore status. */
static int find_options(struct cli *c, crm_dedup *d)
{
	crm_query *q = NULL;
	const char *v;
	size_t pos = 0;
	int rc = CRM_OK;

	if (cli_has(c, "where") || cli_has(c, "tag")) {
		if ((rc = crm_query_new(&q, c->db, crm_entity_find("contact"))))
			return rc;
		while (!rc && (v = cli_next(c, "where", &pos)))
			rc = crm_query_where(q, v);
		for (pos = 0; !rc && (v = cli_next(c, "tag", &pos));)
			rc = crm_query_tag(q, v);
		if (!rc)
			rc = crm_dedup_restrict(d, q);
		crm_query_free(q);
	}
	if (!rc && (v = cli_get(c, "since")))
		rc = crm_dedup_since(d, v);
	if (!rc && (v = cli_get(c, "threads"))) {
		long long n;

		if (!crm_int_parse(v, 1, 64, &n))
			return crm_error_set(CRM_EUSAGE, "--threads takes a number from 1 to 64, not '%s'", v);
		crm_dedup_threads(d, (int)n);
	}
	return rc;
}

static int parse_threshold(struct cli *c, double *p)
{
	const char *v = cli_get(c, "threshold");
	char *end;

	*p = CRM_DEDUP_THRESHOLD;
	if (!v)
		return 0;
	errno = 0;
	*p = strtod(v, &end);
	if (!*v || *end || errno || !(*p >= 0.0 && *p <= 1.0))
		return cli_usage_error(c, "--threshold takes a probability from 0 to 1, not '%s'", v);
	return 0;
}

/* Prints the explanation of the pair a, b. */
static int explain(struct cli *c, crm_dedup *d, int64_t a, int64_t b, struct printer *p)
{
	int rc;

	if ((rc = cli_output_fields(c, explain_cols, CRM_EXPLAIN_COLUMNS, &p->w)))
		return rc;
	return crm_dedup_explain(d, a, b, print_explained, p);
}

/* The progress line, on a terminal only. */
static void show_step(void *arg, const char *step)
{
	const struct cli *c = arg;

	fprintf(stderr, "\r%s: %s...\033[K", c->prog->name, step);
}

/* Runs the matching, with its steps on the progress line. */
static int run(struct cli *c, crm_dedup *d)
{
	int shown = !c->quiet && isatty(STDERR_FILENO), rc;

	if (shown)
		crm_dedup_on_step(d, show_step, c);
	rc = crm_dedup_run(d);
	if (shown)
		fputs("\r\033[K", stderr);
	return rc;
}

static void summary(const struct cli *c, const crm_dedup *d, long rows, int pairs)
{
	struct crm_dedup_stats st;

	if (c->quiet)
		return;
	crm_dedup_stats(d, &st);
	fprintf(stderr, "%s: %zu contacts, %zu candidate pairs compared, %zu random pairs sampled,"
	        " %d EM iterations; %ld %s\n", c->prog->name, st.records, st.candidates,
	        st.sampled, st.iterations, rows, pairs ? "pairs" : "contacts in clusters");
}

/* find: candidate duplicates as clusters, pairs, or one pair explained. */
static int dedup_find(struct cli *c, int argc, char **argv)
{
	struct printer p = { .c = c };
	crm_dedup *d = NULL;
	double threshold;
	int64_t a = 0, b = 0;
	int status, rc, pairs = cli_has(c, "pairs");

	if (cli_has(c, "explain") ? argc != 2 : argc != 0)
		return cli_has(c, "explain") ? cli_usage_error(c, "--explain takes two contact ids")
		                             : cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	/* The pair checked before the run, which reads and scores every contact. */
	if (cli_has(c, "explain") && ((rc = cli_id(argv[0], &a)) || (rc = cli_id(argv[1], &b))))
		return cli_error(c, rc);
	if (cli_has(c, "explain") && a == b)
		return cli_usage_error(c, "--explain takes two different contact ids, not %lld twice",
		                       (long long)a);
	if ((status = parse_threshold(c, &threshold)))
		return status;
	if ((rc = crm_dedup_new(&d, c->db)) || (rc = find_options(c, d)) || (rc = run(c, d)))
		goto out;
	if (cli_has(c, "explain"))
		rc = explain(c, d, a, b, &p);
	else if ((rc = pairs ? cli_output_fields(c, pair_cols, PAIR_COLS, &p.w)
	                     : cli_output_fields(c, cluster_cols, CLUSTER_COLS, &p.w)))
		;
	else if (pairs)
		rc = crm_dedup_pairs(d, threshold, print_pair, &p);
	else
		rc = crm_dedup_clusters(d, threshold, print_member, &p);
	if (!rc && p.w)
		rc = crm_out_finish(p.w);
	if (!rc && !cli_has(c, "explain"))
		summary(c, d, p.rows, pairs);
out:
	crm_out_free(p.w);
	crm_dedup_free(d);
	if (rc)
		return cli_error(c, rc);
	return p.rows ? 0 : 1;
}

static const struct cli_opt merge_opts[] = {
	{ "auto", 0, CLI_NOARG, NULL, "merge the clusters find reports, without reading input" },
	{ "threshold", 'p', CLI_ARG, "P", "with --auto: the match probability of find (default 0.9)" },
	{ "input-format", 'i', CLI_ARG, "FMT", "the input's format: tsv (default), csv, jsonl or json" },
	{ "all-or-nothing", 0, CLI_NOARG, NULL, "merge nothing when one cluster cannot be merged" },
	VERB_MERGE_OPTS,
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt unmerge_opts[] = {
	{ "force", 0, CLI_NOARG, NULL, "undo even when the survivor changed since, losing those changes" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "check and report, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

enum { MERGE_COLS = 4 };

static const struct crm_column merge_cols[MERGE_COLS] = {
	{ "merge", CRM_COL_INT }, { "cluster", CRM_COL_TEXT }, { "survivor", CRM_COL_INT },
	{ "merged", CRM_COL_TEXT },
};

/* Collects find's clusters as merge input (--auto). */
static int add_member(void *arg, const struct crm_dedup_member *m)
{
	char cluster[24];

	snprintf(cluster, sizeof cluster, "%ld", m->cluster);
	return crm_merge_input_add(arg, cluster, m->id, 0, m->updated_at);
}

static int auto_input(struct cli *c, struct crm_merge_input *in)
{
	crm_dedup *d = NULL;
	double threshold;
	int rc, status;

	if ((status = parse_threshold(c, &threshold)))
		return status;
	in->name = "find";
	if (!(rc = crm_dedup_new(&d, c->db)) && !(rc = run(c, d)))
		rc = crm_dedup_clusters(d, threshold, add_member, in);
	crm_dedup_free(d);
	return rc ? cli_error(c, rc) : 0;
}

static int read_input(struct cli *c, int argc, char **argv, struct crm_merge_input *in)
{
	const char *v = cli_get(c, "input-format");
	enum crm_format fmt = CRM_FORMAT_TSV;
	FILE *fp = stdin;
	int rc;

	if (argc > 1)
		return cli_usage_error(c, "expected at most one input file");
	if (v && crm_reader_format(&fmt, v))
		return cli_error(c, CRM_EUSAGE);
	in->name = argc && strcmp(argv[0], "-") ? argv[0] : "<stdin>";
	if (argc && strcmp(argv[0], "-") && !(fp = fopen(argv[0], "r")))
		return cli_fail(c, 2, "cannot open '%s': %s", argv[0], strerror(errno));
	rc = crm_merge_input_read(in, fp, fmt);
	if (fp != stdin)
		fclose(fp);
	return rc ? cli_error(c, rc) : 0;
}

static int print_merge(struct cli *c, crm_out *w, int64_t merge, const struct crm_merge_group *g,
                       int64_t survivor)
{
	crm_buf merged = CRM_BUF_INIT;
	char id[24], surv[24];
	const char *vals[MERGE_COLS] = { id, g->cluster, surv, NULL };
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++)
		if (g->m[i].id != survivor)
			crm_buf_printf(&merged, "%s%lld", merged.len ? "," : "", (long long)g->m[i].id);
	snprintf(id, sizeof id, "%lld", (long long)merge);
	snprintf(surv, sizeof surv, "%lld", (long long)survivor);
	vals[3] = crm_buf_str(&merged);
	rc = cli_row(c, w, vals);
	crm_buf_free(&merged);
	return rc;
}

/* Says why cluster g was not merged. */
static void refuse(struct cli *c, const struct crm_merge_group *g)
{
	crm_buf ids = CRM_BUF_INIT;
	size_t k;

	for (k = 0; k < g->n; k++)
		crm_buf_printf(&ids, "%s%lld", k ? ", " : "", (long long)g->m[k].id);
	cli_fail(c, 3, "cluster %s (contacts %s) not merged: %s", g->cluster, crm_buf_str(&ids),
	         crm_error_message());
	crm_buf_free(&ids);
}

/* Merges group g: checks it is as found, then merges it. */
static int merge_one(struct cli *c, const struct crm_merge_input *in,
                     const struct crm_merge_group *g, const struct crm_merge_opts *o,
                     int64_t *merge, int64_t *survivor)
{
	int64_t *ids = malloc(g->n * sizeof *ids);
	size_t k;
	int rc;

	if (!ids)
		return crm_error_nomem();
	for (k = 0; k < g->n; k++)
		ids[k] = g->m[k].id;
	if (!(rc = crm_merge_group_check(c->db, in, g)))
		rc = crm_merge(c->db, ids, g->n, o, merge, survivor);
	free(ids);
	return rc;
}

/* A merge made: its id, the group and the survivor, printed at the end
 * so that a run that merges nothing after all prints nothing. */
struct done {
	int64_t merge, survivor;
	size_t group;
};

/* Prints the merges made, in the order of the input. */
static int print_done(struct cli *c, const struct crm_merge_input *in, const struct done *d,
                      size_t n)
{
	crm_out *w = NULL;
	size_t i;
	int rc = cli_output_fields(c, merge_cols, MERGE_COLS, &w);

	for (i = 0; !rc && i < n; i++)
		rc = print_merge(c, w, d[i].merge, &in->g[d[i].group], d[i].survivor);
	if (!rc)
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc;
}

/* Merges each group of the input in one transaction.  A group that cannot
 * be merged (a contact gone or changed since, a value the survivor cannot
 * take) is named and left as it is, and the others go on, unless
 * --all-or-nothing; then, or on any other error, nothing is merged. */
static int merge_all(struct cli *c, const struct crm_merge_input *in,
                     const struct crm_merge_opts *o)
{
	struct done *done = calloc(in->n ? in->n : 1, sizeof *done);
	size_t i, merged = 0, refused = 0;
	int rc = done ? crm_merge_run_begin(c->db) : crm_error_nomem();
	int strict = cli_has(c, "all-or-nothing");

	for (i = 0; !rc && i < in->n; i++) {
		struct done *d = &done[merged];

		if (!(rc = merge_one(c, in, &in->g[i], o, &d->merge, &d->survivor))) {
			d->group = i;
			merged++;
		} else if (rc == CRM_EDATA || rc == CRM_ENOTFOUND) {
			refuse(c, &in->g[i]);
			refused++;
			rc = strict ? CRM_EDATA : CRM_OK;
		}
	}
	if (!rc)
		rc = crm_merge_run_end(c->db, merged ? done[0].merge : 0);
	if (!rc)
		rc = print_done(c, in, done, merged);
	free(done);
	if (rc && refused && strict)
		return cli_fail(c, 3, "nothing merged (--all-or-nothing)");
	if (rc)
		return cli_error(c, rc);
	if (!c->quiet || refused)
		fprintf(stderr, "%s: merged %zu cluster%s, %zu not merged%s\n", c->prog->name, merged,
		        merged == 1 ? "" : "s", refused, c->rollback ? "; dry run, nothing written" : "");
	if (!refused)
		return 0;
	/* The clusters merged stay merged; the exit status tells of the rest. */
	if (!c->rollback && (rc = crm_db_commit(c->db)))
		return cli_error(c, rc);
	return 3;
}

/* merge [FILE]: merge the clusters of the input (or of find, --auto). */
static int dedup_merge(struct cli *c, int argc, char **argv)
{
	struct crm_merge_input in = { 0 };
	struct crm_merge_opts o;
	int status;

	if ((status = verb_merge_opts(c, &o)) >= 0)
		return status;
	if (cli_has(c, "auto") && argc)
		return cli_usage_error(c, "--auto reads no input, yet '%s' was given", argv[0]);
	if (!cli_has(c, "auto") && cli_has(c, "threshold"))
		return cli_usage_error(c, "--threshold goes with --auto");
	status = cli_has(c, "auto") ? auto_input(c, &in) : read_input(c, argc, argv, &in);
	if (!status)
		status = merge_all(c, &in, &o);
	crm_merge_input_free(&in);
	return status;
}

/* unmerge MERGE: restore what a merge changed. */
static int dedup_unmerge(struct cli *c, int argc, char **argv)
{
	int64_t merge;
	int rc;

	if (argc != 1)
		return cli_usage_error(c, "expected one merge id");
	if ((rc = cli_id(argv[0], &merge)) || (rc = crm_unmerge(c->db, merge, cli_has(c, "force"))))
		return cli_error(c, rc);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static const struct crm_column history_cols[CRM_MERGE_COLUMNS] = {
	{ "merge", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "user", CRM_COL_TEXT },
	{ "survivor", CRM_COL_INT }, { "merged", CRM_COL_TEXT }, { "undone_at", CRM_COL_TEXT },
};

static int merges_of(crm_db *db, int64_t id, int (*fn)(void *, const char *const *), void *arg)
{
	(void)id;
	return crm_merge_history(db, fn, arg);
}

/* history: the merges, oldest first. */
static int dedup_history(struct cli *c, int argc, char **argv)
{
	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	return cli_print_all(c, history_cols, CRM_MERGE_COLUMNS, merges_of);
}

static const struct cli_verb verbs[] = {
	{ "find", dedup_find, "[--explain ID ID]", "print candidate duplicate contacts, scored", CLI_OUTPUT, find_opts },
	{ "merge", dedup_merge, "[FILE|--auto]", "merge clusters of contacts into one each", CLI_OUTPUT | CLI_WRITE, merge_opts },
	{ "unmerge", dedup_unmerge, "MERGE", "undo a merge, restoring every record and reference", CLI_WRITE, unmerge_opts },
	{ "history", dedup_history, NULL, "list the merges", CLI_OUTPUT, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-dedup", "find, merge and unmerge duplicate people", NULL, verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
