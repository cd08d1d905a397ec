/* crm-kb - the knowledge base: articles, their revisions, search,
 * suggestions for tickets, and Markdown files or a help centre. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/kb.h"
#include "crm/ticket.h"
#include "kb.h"
#include "verbs.h"

static const struct cli_opt add_opts[] = {
	{ "file", 0, CLI_ARG, "FILE", "read the body from FILE ('-': standard input)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt set_opts[] = {
	{ "file", 0, CLI_ARG, "FILE", "read the body from FILE ('-': standard input)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt search_opts[] = {
	{ "locale", 'l', CLI_ARG, "LOCALE", "only articles in this locale" },
	{ "all", 'a', CLI_NOARG, NULL, "drafts too, not only published articles" },
	{ "limit", 0, CLI_ARG, "N", "print at most N articles (default 20)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt suggest_opts[] = {
	{ "text", 0, CLI_ARG, "TEXT", "the text to match (default: standard input)" },
	{ "locale", 'l', CLI_ARG, "LOCALE", "only articles in this locale" },
	{ "limit", 0, CLI_ARG, "N", "print at most N articles (default 5)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt import_opts[] = {
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt export_opts[] = {
	{ "html", 0, CLI_NOARG, NULL, "write a static help centre of the published articles" },
	{ NULL, 0, 0, NULL, NULL }
};

int kb_read(const struct cli *c, const char *path, char **out)
{
	int rc = cli_read_file(path, out);

	return rc ? cli_error(c, rc) : 0;
}

/* The body of add and set: --file, else for add standard input when it
 * is not a terminal and --body is not given. */
static int take_body(struct cli *c, int from_stdin)
{
	const char *file = cli_get(c, "file");
	char *body = NULL;
	int status, rc;

	if (file && crm_record_has(c->rec, "body"))
		return cli_usage_error(c, "give the body by --body or --file, not both");
	if (!file && (!from_stdin || crm_record_has(c->rec, "body") || isatty(STDIN_FILENO)))
		return 0;
	if ((status = kb_read(c, file ? file : "-", &body)))
		return status;
	rc = *body || file ? crm_record_set(c->rec, "body", body) : CRM_OK;
	free(body);
	return rc ? cli_error(c, rc) : 0;
}

static int kb_add(struct cli *c, int argc, char **argv)
{
	int status = take_body(c, 1);

	return status ? status : verb_add(c, argc, argv);
}

static int kb_set(struct cli *c, int argc, char **argv)
{
	int status = take_body(c, 0);

	return status ? status : verb_set(c, argc, argv);
}

/* Parses operand s as a revision number. */
static int rev_arg(struct cli *c, const char *s, int64_t *rev)
{
	long long v;

	if (!crm_int_parse(s, 1, INT64_MAX, &v))
		return cli_usage_error(c, "invalid revision '%s'", s);
	*rev = v;
	return 0;
}

static int log_rows(crm_db *db, int64_t id, int (*fn)(void *, const char *const *), void *arg)
{
	return crm_kb_log(db, id, fn, arg);
}

static int kb_log(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_KB_LOG_COLUMNS] = {
		{ "rev", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "author", CRM_COL_TEXT },
		{ "summary", CRM_COL_TEXT }
	};
	int64_t id;
	int status;

	if ((status = verb_one_id(c, argc, argv, &id)))
		return status;
	if (argc > 1)
		return cli_usage_error(c, "unexpected operand '%s'", argv[1]);
	return cli_print_list(c, cols, CRM_KB_LOG_COLUMNS, id, log_rows);
}

static int kb_diff(struct cli *c, int argc, char **argv)
{
	crm_buf out = CRM_BUF_INIT;
	int64_t id, rev = 0, rev2 = 0;
	int status, rc;

	if ((status = verb_one_id(c, argc, argv, &id)))
		return status;
	if (argc < 2 || argc > 3)
		return cli_usage_error(c, "expected an id, a revision and maybe a second revision");
	if ((status = rev_arg(c, argv[1], &rev)) || (argc == 3 && (status = rev_arg(c, argv[2], &rev2))))
		return status;
	if (!(rc = crm_kb_diff(c->db, id, rev, rev2, &out)))
		fputs(crm_buf_str(&out), stdout);
	crm_buf_free(&out);
	return rc ? cli_error(c, rc) : 0;
}

static int kb_revert(struct cli *c, int argc, char **argv)
{
	int64_t id, rev = 0, now;
	int status, rc, changed;

	if ((status = verb_one_id(c, argc, argv, &id)))
		return status;
	if (argc != 2)
		return cli_usage_error(c, "expected an id and a revision");
	if ((status = rev_arg(c, argv[1], &rev)))
		return status;
	if ((rc = crm_kb_revert(c->db, id, rev, &changed)) || (rc = crm_kb_rev(c->db, id, &now)))
		return cli_error(c, rc);
	if (!c->quiet)
		fprintf(stderr, changed ? "%s: article %lld is revision %lld again, as revision %lld\n"
		                        : "%s: article %lld is revision %lld already (revision %lld)\n",
		        c->prog->name, (long long)id, (long long)rev, (long long)now);
	return 0;
}

/* The number of --limit, or 0; an exit status in *status when invalid. */
static long limit_of(struct cli *c, int *status)
{
	const char *v = cli_get(c, "limit");
	long long n = 0;

	*status = 0;
	if (v && !crm_int_parse(v, 1, LONG_MAX, &n))
		*status = cli_usage_error(c, "invalid limit '%s'", v);
	return (long)n;
}

static int kb_search(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_KB_SEARCH_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "score", CRM_COL_NUMBER }, { "title", CRM_COL_TEXT },
		{ "snippet", CRM_COL_TEXT }
	};
	struct crm_kb_search o = { cli_get(c, "locale"), cli_has(c, "all"), 0, { "**", "**" } };
	struct cli_printer p = { c, NULL, 0 };
	const char *nc = getenv("NO_COLOR");
	crm_buf text = CRM_BUF_INIT;
	long count = 0;
	int rc, status;

	if (argc < 1)
		return cli_usage_error(c, "missing search text");
	/* The snippets of the best twenty are what a person reads; more is
	 * for --limit to ask. */
	o.limit = limit_of(c, &status);
	if (status)
		return status;
	if (!o.limit)
		o.limit = 20;
	/* Bold on a terminal; elsewhere the Markdown of bold, which reads as
	 * emphasis wherever the snippet is pasted. */
	if (isatty(STDOUT_FILENO) && !(nc && *nc))
		o.mark[0] = "\033[1m", o.mark[1] = "\033[0m";
	for (int i = 0; i < argc; i++)
		crm_buf_printf(&text, "%s%s", i ? " " : "", argv[i]);
	if (!(rc = cli_output_fields(c, cols, CRM_KB_SEARCH_COLUMNS, &p.w)) &&
	    !(rc = crm_kb_search(c->db, crm_buf_str(&text), &o, cli_print_row, &p, &count)))
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	crm_buf_free(&text);
	return rc ? cli_error(c, rc) : count ? 0 : 1;
}

static int kb_suggest(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_KB_SUGGEST_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "score", CRM_COL_NUMBER }, { "title", CRM_COL_TEXT }
	};
	struct cli_printer p = { c, NULL, 0 };
	char *text = NULL;
	long count = 0, limit;
	int rc, status;

	int64_t ticket;

	if (argc > 1 || (argc == 1 && cli_has(c, "text")))
		return cli_usage_error(c, "give one ticket, or the text by --text or on standard"
		                       " input");
	limit = limit_of(c, &status);
	if (status)
		return status;
	if (argc == 1) {
		if ((rc = cli_id(argv[0], &ticket)) || (rc = crm_ticket_text(c->db, ticket, &text)))
			return cli_error(c, rc);
	} else if (cli_has(c, "text") ? !(text = strdup(cli_get(c, "text")))
	                              : !!cli_read_stdin(&text)) {
		return cli_error(c, crm_error_code());
	}
	if (!(rc = cli_output_fields(c, cols, CRM_KB_SUGGEST_COLUMNS, &p.w)) &&
	    !(rc = crm_kb_suggest(c->db, text, cli_get(c, "locale"), (int)(limit > INT_MAX ? INT_MAX : limit),
	                          cli_print_row, &p, &count)))
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	free(text);
	return rc ? cli_error(c, rc) : count ? 0 : 1;
}

static int kb_import(struct cli *c, int argc, char **argv)
{
	struct crm_kb_counts n = { 0, 0, 0, 0 };
	int rc;

	if (argc != 1)
		return cli_usage_error(c, "expected one folder");
	if ((rc = crm_kb_import(c->db, argv[0], &n)))
		return cli_error(c, rc);
	c->rollback = cli_has(c, "dry-run");
	if (!c->quiet)
		fprintf(stderr, "%s: %sread %ld files: %ld created, %ld updated, %ld unchanged\n",
		        c->prog->name, c->rollback ? "would have " : "", n.files, n.created,
		        n.updated, n.unchanged);
	return 0;
}

static int kb_export(struct cli *c, int argc, char **argv)
{
	int html = cli_has(c, "html");
	long n = 0;
	int rc;

	if (argc != 1)
		return cli_usage_error(c, "expected one folder");
	rc = html ? crm_kb_export_html(c->db, argv[0], &n) : crm_kb_export(c->db, argv[0], &n);
	if (rc)
		return cli_error(c, rc);
	if (!c->quiet)
		fprintf(stderr, "%s: wrote %ld %s to %s\n", c->prog->name, n,
		        html ? (n == 1 ? "page" : "pages") : (n == 1 ? "article" : "articles"), argv[0]);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", kb_add, NULL, "add an article and print its id (body: --body, --file or stdin)",
	  CLI_FIELDS | CLI_WRITE, add_opts },
	{ "show", verb_show, "ID...", "print every field of articles", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list articles, filtered and sorted", CLI_OUTPUT | CLI_LIST,
	  verb_list_opts },
	{ "set", kb_set, "ID...|-", "change fields of articles (a revision each)",
	  CLI_FIELDS | CLI_WRITE, set_opts },
	{ "edit", kb_edit, "ID", "edit an article in $VISUAL or $EDITOR", CLI_NODB, NULL },
	{ "log", kb_log, "ID", "the revisions of an article, newest first", CLI_OUTPUT, NULL },
	{ "diff", kb_diff, "ID REV [REV2]", "unified diff of the body from REV to the latest (or REV2)",
	  0, NULL },
	{ "revert", kb_revert, "ID REV", "make a new revision equal to REV", CLI_WRITE, NULL },
	{ "search", kb_search, "TEXT...", "ranked full-text search (exit 1 when nothing matches)",
	  CLI_OUTPUT, search_opts },
	{ "suggest", kb_suggest, "[TICKET]", "articles that answer a ticket, or a text (--text or"
	  " stdin)",
	  CLI_OUTPUT, suggest_opts },
	{ "import", kb_import, "DIR", "read *.md files with front matter (one transaction)",
	  CLI_WRITE, import_opts },
	{ "export", kb_export, "DIR", "write articles as Markdown files (--html: a help centre)",
	  0, export_opts },
	VERBS_ARCHIVE("articles"),
	VERB_TAG,
	VERBS_NOTES,
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-kb", "knowledge base: articles, revisions, search, help centre", "article", verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
