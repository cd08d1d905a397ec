/* verbs.c - add, show, list, set, rm, restore, tag, note and timeline for
 * any entity. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crm/merge.h"
#include "verbs.h"

/* The entity's own filters (--status, --tag ...) come from the registry
 * (CLI_LIST). */
const struct cli_opt verb_list_opts[] = {
	{ "where", 'w', CLI_ARG, "FIELD OP VALUE", "filter; OP is = != < > <= >= or ~ (contains); repeatable, ANDed" },
	{ "since", 0, CLI_ARG, "TIME", "only records whose time (updated_at, or the one the manual names) is TIME or later" },
	{ "until", 0, CLI_ARG, "TIME", "only records whose time is before TIME" },
	{ "created", 0, CLI_NOARG, NULL, "make --since/--until apply to the creation time" },
	{ "search", 's', CLI_ARG, "TEXT", "full-text search: every word, as a prefix (repeatable)" },
	{ "sort", 0, CLI_ARG, "FIELDS", "sort by fields, '-' before one for descending" },
	{ "limit", 0, CLI_ARG, "N", "print at most N records" },
	{ "archived", 0, CLI_NOARG, NULL, "list archived records instead of live ones" },
	{ "all", 'a', CLI_NOARG, NULL, "list live and archived records" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt verb_note_opts[] = {
	{ "kind", 'k', CLI_ARG, "KIND", "call, email, meeting, note (default), sms or chat" },
	{ "at", 0, CLI_ARG, "TIME", "when it happened (default: now)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt verb_set_opts[] = {
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cli_opt verb_rm_opts[] = {
	{ "purge", 0, CLI_NOARG, NULL, "delete for good instead of archiving" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

int verb_add(struct cli *c, int argc, char **argv)
{
	const char *tag;
	size_t pos = 0;
	int64_t id;
	int rc, changed;

	(void)argv;
	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (!crm_record_count(c->rec))
		return cli_usage_error(c, "no fields given");
	if ((rc = crm_entity_add(c->db, c->rec, &id)))
		return cli_error(c, rc);
	while (!rc && (tag = cli_next(c, "tag", &pos)))
		rc = crm_entity_tag(c->db, c->entity, id, tag, 1, &changed);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)id);
	return 0;
}

struct printer {
	crm_out *w;
};

static int print_row(void *arg, const char *const *vals)
{
	struct printer *p = arg;

	return crm_out_row(p->w, vals);
}

int verb_print_query(struct cli *c, crm_query *q, long *count)
{
	const struct crm_column *cols;
	struct printer p = { NULL };
	size_t n;
	int rc;

	if ((rc = crm_query_fields(q, c->fields)) || (rc = crm_query_columns(q, &cols, &n)) ||
	    (rc = cli_output(c, cols, n, &p.w)))
		return cli_error(c, rc);
	rc = crm_query_run(q, print_row, &p, count);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

/* show prints a record on a terminal as one "field value" line per field. */
struct vertical {
	crm_out *w;
	const struct crm_column *cols;
	size_t n;
};

static int print_vertical(void *arg, const char *const *vals)
{
	struct vertical *v = arg;
	int rc = CRM_OK;

	for (size_t i = 0; i < v->n && !rc; i++) {
		const char *pair[2] = { v->cols[i].name, vals[i] };
		if (vals[i])
			rc = crm_out_row(v->w, pair);
	}
	return rc;
}

static int show_one(struct cli *c, int64_t id, int vertical, crm_out **w)
{
	static const struct crm_column kv[] = { { "field", CRM_COL_TEXT }, { "value", CRM_COL_TEXT } };
	struct vertical v = { NULL, NULL, 0 };
	crm_query *q;
	long count = 0;
	int rc;

	if ((rc = crm_query_new(&q, c->db, c->entity)))
		return rc;
	crm_query_archived(q, 2);
	if (!(rc = crm_query_id(q, id)) && !(rc = crm_query_fields(q, c->fields ? c->fields : "all")))
		rc = crm_query_columns(q, &v.cols, &v.n);
	if (!rc && !*w)
		rc = vertical ? cli_output(c, kv, 2, w) : cli_output(c, v.cols, v.n, w);
	v.w = *w;
	if (!rc)
		rc = crm_query_run(q, vertical ? print_vertical : print_row, &v, &count);
	if (!rc && !count)
		rc = crm_error_set(CRM_ENOTFOUND, "no %s %lld", crm_entity_name(c->entity),
		                   (long long)id);
	crm_query_free(q);
	return rc;
}

/* show: the records of the ids given; one that does not exist is told on
 * standard error, as cat tells of a missing file, and the others are
 * printed all the same, the exit status 1. */
int verb_show(struct cli *c, int argc, char **argv)
{
	enum crm_format f;
	crm_out *w = NULL;
	int64_t *ids;
	size_t n;
	int rc, missing = 0;

	if ((rc = cli_format(c, &f)) || (rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = show_one(c, ids[i], f == CRM_FORMAT_TABLE && n == 1, &w);
		if (rc == CRM_ENOTFOUND) {
			missing = cli_error(c, rc);
			rc = CRM_OK;
		}
	}
	free(ids);
	if (!rc && w)
		rc = crm_out_finish(w);
	crm_out_free(w);
	return rc ? cli_error(c, rc) : missing;
}

/* Applies the list options to q; returns a libcore status. */
static int list_filters(struct cli *c, crm_query *q)
{
	const struct cli_list *l = c->prog->list;
	const char *on = cli_has(c, "created") ? "created_at"
	               : l && l->time ? l->time : "updated_at";
	const char *v;
	size_t pos = 0;
	int rc = CRM_OK;

	for (size_t i = 0; i < c->nvals && !rc; i++)
		if (c->vals[i].field)
			rc = crm_query_filter(q, c->vals[i].field->name, "=", c->vals[i].arg);
		else if (c->vals[i].option)
			rc = crm_query_option(q, c->vals[i].option, c->vals[i].arg);
	while (!rc && (v = cli_next(c, "where", &pos)))
		rc = crm_query_where(q, v);
	for (pos = 0; !rc && (v = cli_next(c, "tag", &pos));)
		rc = crm_query_tag(q, v);
	if (!rc && (v = cli_get(c, "since")))
		rc = crm_query_filter(q, on, ">=", v);
	if (!rc && (v = cli_get(c, "until")))
		rc = crm_query_filter(q, on, "<", v);
	for (pos = 0; !rc && (v = cli_next(c, "search", &pos));)
		rc = crm_query_search(q, v);
	if (!rc && ((v = cli_get(c, "sort")) || (l && (v = l->sort))))
		rc = crm_query_sort(q, v);
	if (!rc && (v = cli_get(c, "limit"))) {
		long long n;

		if (!crm_int_parse(v, 1, LONG_MAX, &n))
			return crm_error_set(CRM_EUSAGE, "invalid limit '%s'", v);
		crm_query_limit(q, (long)n);
	}
	crm_query_archived(q, cli_has(c, "all") ? 2 : cli_has(c, "archived"));
	return rc;
}

int verb_list_query(struct cli *c, int argc, char **argv, crm_query **q)
{
	int rc;

	*q = NULL;
	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((rc = crm_query_new(q, c->db, c->entity)) || (rc = list_filters(c, *q))) {
		crm_query_free(*q);
		*q = NULL;
		return cli_error(c, rc);
	}
	return 0;
}

int verb_list(struct cli *c, int argc, char **argv)
{
	crm_query *q;
	long count = 0;
	int status;

	if ((status = verb_list_query(c, argc, argv, &q)))
		return status;
	if (!c->fields && c->prog->list)
		c->fields = c->prog->list->fields;
	status = verb_print_query(c, q, &count);
	crm_query_free(q);
	return status ? status : count ? 0 : 1;
}

void verb_report(struct cli *c, const char *what, size_t changed, size_t total)
{
	if (c->quiet)
		return;
	snprintf(c->report, sizeof c->report, "%s: %s%s %zu of %zu %s\n", c->prog->name,
	         cli_has(c, "dry-run") ? "would have " : "", what, changed, total,
	         total == 1 ? crm_entity_name(c->entity) : crm_entity_plural(c->entity));
}

int verb_set(struct cli *c, int argc, char **argv)
{
	int64_t *ids;
	size_t n, changed = 0;
	int rc, ch;

	if (!crm_record_count(c->rec))
		return cli_usage_error(c, "no fields given");
	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = crm_entity_update(c->db, c->rec, ids[i], &ch)))
			changed += (size_t)ch;
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, "updated", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y) - (x > y);
}

static int oldest_first(const void *a, const void *b)
{
	return newest_first(b, a);
}

/* Records go newest first and come back oldest first, so that a list
 * piped in takes a record made after another, and resting on it (a
 * purchase's refund), before the other, and brings it back after. */
static int archive_verb(struct cli *c, int argc, char **argv, int archive)
{
	int purge = archive && cli_has(c, "purge");
	int64_t *ids;
	size_t n, changed = 0;
	int rc, ch = 1;

	if ((rc = cli_ids(c, argc, argv, &ids, &n)))
		return cli_error(c, rc);
	/* None piped in is none: no array to sort (qsort takes no NULL). */
	if (n > 1)
		qsort(ids, n, sizeof *ids, archive ? newest_first : oldest_first);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = purge ? crm_entity_purge(c->db, c->entity, ids[i])
		           : crm_entity_archive(c->db, c->entity, ids[i], archive, &ch);
		changed += !rc && ch;
	}
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, purge ? "deleted" : archive ? "archived" : "restored", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

int verb_rm(struct cli *c, int argc, char **argv)
{
	return archive_verb(c, argc, argv, 1);
}

int verb_restore(struct cli *c, int argc, char **argv)
{
	return archive_verb(c, argc, argv, 0);
}

int verb_merge_opts(struct cli *c, struct crm_merge_opts *o)
{
	const char *v;

	memset(o, 0, sizeof *o);
	if ((v = cli_get(c, "survivor")) && strcmp(v, "oldest")) {
		if (strcmp(v, "newest"))
			return cli_usage_error(c, "--survivor takes oldest or newest, not '%s'", v);
		o->survivor = CRM_SURVIVOR_NEWEST;
	}
	if ((v = cli_get(c, "fields")) && strcmp(v, "recent")) {
		if (strcmp(v, "survivor"))
			return cli_usage_error(c, "--fields takes recent or survivor, not '%s'", v);
		o->fields = CRM_FIELDS_SURVIVOR;
	}
	c->rollback = cli_has(c, "dry-run");
	return -1;
}

int verb_one_id(struct cli *c, int argc, char **argv, int64_t *id)
{
	int rc;

	if (argc < 1)
		return cli_usage_error(c, "missing %s id", crm_entity_name(c->entity));
	if ((rc = cli_id(argv[0], id)))
		return cli_error(c, rc);
	return 0;
}

int verb_only_id(struct cli *c, int argc, char **argv, int64_t *id)
{
	int status = verb_one_id(c, argc, argv, id);

	if (!status && argc > 1)
		status = cli_usage_error(c, "unexpected operand '%s'", argv[1]);
	return status;
}

int verb_tag(struct cli *c, int argc, char **argv)
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
		if (!(rc = crm_entity_tag(c->db, c->entity, ids[i], argv[1], add, &ch)))
			changed += (size_t)ch;
	free(ids);
	if (rc)
		return cli_error(c, rc);
	verb_report(c, add ? "tagged" : "untagged", changed, n);
	c->rollback = cli_has(c, "dry-run");
	return 0;
}

int verb_note(struct cli *c, int argc, char **argv)
{
	const char *kind = cli_get(c, "kind");
	char *body = NULL;
	int64_t id, note;
	int rc, status;

	if ((status = verb_one_id(c, argc, argv, &id)))
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
	rc = crm_entity_note(c->db, c->entity, id, kind ? kind : "note", cli_get(c, "at"), body,
	                     &note);
	free(body);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)note);
	return 0;
}

int verb_timeline(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_TIMELINE_COLUMNS] = {
		{ "at", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "user", CRM_COL_TEXT }, { "text", CRM_COL_TEXT }
	};
	struct cli_printer p = { c, NULL, 0 };
	int64_t id;
	int rc, status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if ((rc = cli_output_fields(c, cols, CRM_TIMELINE_COLUMNS, &p.w)))
		return cli_error(c, rc);
	rc = crm_entity_timeline(c->db, c->entity, id, cli_print_row, &p);
	if (!rc)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

/* Whether the file or folder path is there to read; one that is not is
 * told and counted. */
static int there(const struct cli *c, struct verb_mail *m, const char *path)
{
	struct stat sb;

	if (!strcmp(path, "-") || !stat(path, &sb))
		return 1;
	fprintf(stderr, "%s: cannot open '%s': %s\n", c->prog->name, path, strerror(errno));
	m->missing++;
	return 0;
}

int verb_read_mail(struct cli *c, int argc, char **argv, struct verb_mail *m)
{
	const char *mbox = cli_get(c, "mbox"), *dir = cli_get(c, "maildir");
	int rc = CRM_OK;

	if (!argc && !mbox && !dir)
		rc = crm_mail_each_file("-", m->fn, m->arg);
	for (int i = 0; i < argc && !rc; i++)
		if (there(c, m, argv[i]))
			rc = crm_mail_each_file(argv[i], m->fn, m->arg);
	if (!rc && mbox && there(c, m, mbox))
		rc = crm_mail_each_mbox(mbox, m->fn, m->arg);
	m->maildir = 1;
	if (!rc && dir && there(c, m, dir))
		rc = crm_mail_each_maildir(dir, m->fn, m->arg);
	return rc;
}
