/* crm-campaign - marketing mail: segments, templates, campaigns and
 * birthday or anniversary triggers, unsubscribing, bounces, replies and
 * results.  Sending and what comes back are in send.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "send.h"
#include "verbs.h"

/* ---- segments ---- */

/* The options that are a segment's filters, as crm-contact list takes
 * them, and the ones only segments have. */
static const char *const filter_opts[] = {
	"where", "tag", "search", "status", "company", "purchased-since", "rfm", "tier", "nps",
	NULL
};

static const struct cli_opt segment_opts[] = {
	{ "where", 'w', CLI_ARG, "FIELD OP VALUE", "segment add: people whose field compares so (repeatable, ANDed)" },
	{ "tag", 't', CLI_ARG, "TAG", "segment add: people carrying TAG (repeatable)" },
	{ "search", 's', CLI_ARG, "TEXT", "segment add: full-text search (repeatable)" },
	{ "status", 0, CLI_ARG, "STATUS", "segment add: lead, prospect, customer or inactive" },
	{ "company", 0, CLI_ARG, "COMPANY", "segment add: people of the company (id, name or domain)" },
	{ "purchased-since", 0, CLI_ARG, "DATE", "segment add: people who bought on or after DATE (a relative DATE stays relative)" },
	{ "rfm", 0, CLI_ARG, "SEGMENT", "segment add: people of an RFM segment today (crm-report rfm)" },
	{ "tier", 0, CLI_ARG, "TIER", "segment add: people in a loyalty tier" },
	{ "nps", 0, CLI_ARG, "BAND", "segment add: promoter, passive or detractor by their latest NPS answer" },
	{ "snapshot", 0, CLI_NOARG, NULL, "segment add: keep the members now, instead of evaluating the filters when used" },
	{ NULL, 0, 0, NULL, NULL }
};

static int is_filter(const char *name)
{
	for (size_t i = 0; filter_opts[i]; i++)
		if (!strcmp(filter_opts[i], name))
			return 1;
	return 0;
}

static int segment_add(struct cli *c, const char *name)
{
	struct crm_segment_filter *f = calloc(c->nvals + 1, sizeof *f);
	size_t n = 0;
	int64_t id;
	int rc;

	if (!f)
		return cli_error(c, crm_error_nomem());
	for (size_t i = 0; i < c->nvals; i++)
		if (is_filter(c->vals[i].opt->name))
			f[n++] = (struct crm_segment_filter){ c->vals[i].opt->name, c->vals[i].arg };
	rc = crm_segment_add(c->db, name, f, n, cli_has(c, "snapshot"), &id);
	free(f);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)id);
	return 0;
}

/* A listing of fixed columns: run calls the libcore lister for name
 * (NULL: every one), printing through p and counting the rows. */
struct listing {
	const char *what; /* "segment": what a name that finds nothing was */
	const char *name;
	int (*run)(struct cli *c, const char *name, struct cli_printer *p, int64_t *count);
};

/* Prints a listing; exit 1 when it has no row. */
static int print_listing(struct cli *c, const struct crm_column *cols, size_t n,
                         const struct listing *l)
{
	struct cli_printer p = { c, NULL, 0 };
	int64_t count = 0;
	int rc;

	if ((rc = cli_output_fields(c, cols, n, &p.w)) || (rc = l->run(c, l->name, &p, &count)) ||
	    (rc = crm_out_finish(p.w))) {
		crm_out_free(p.w);
		return cli_error(c, rc);
	}
	crm_out_free(p.w);
	if (!count && l->name)
		return cli_fail(c, 1, "no %s '%s'", l->what, l->name);
	return count ? 0 : 1;
}

static int list_segments(struct cli *c, const char *name, struct cli_printer *p,
                         int64_t *count)
{
	return crm_segment_list(c->db, name, cli_print_row, p, count);
}

static int print_segments(struct cli *c, const char *name)
{
	static const struct crm_column cols[CRM_SEGMENT_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "filter", CRM_COL_TEXT },
		{ "snapshot_at", CRM_COL_TEXT }, { "members", CRM_COL_INT },
		{ "created_at", CRM_COL_TEXT },
	};
	struct listing l = { "segment", name, list_segments };

	return print_listing(c, cols, CRM_SEGMENT_COLUMNS, &l);
}

static int segment_members(struct cli *c, const char *name)
{
	crm_query *q;
	long count = 0;
	int rc, status;

	c->entity = crm_entity_find("contact");
	if ((rc = crm_segment_query(c->db, name, &q)))
		return cli_error(c, rc);
	status = verb_print_query(c, q, &count);
	crm_query_free(q);
	return status ? status : count ? 0 : 1;
}

static int segment_count(struct cli *c, const char *name)
{
	int64_t n;
	int rc = crm_segment_count(c->db, name, &n);

	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)n);
	return n ? 0 : 1;
}

/* segment add|list|show|members|count|rm [NAME] */
static int campaign_segment(struct cli *c, int argc, char **argv)
{
	const char *what = argc ? argv[0] : "", *name = argc > 1 ? argv[1] : NULL;
	int write = !strcmp(what, "add") || !strcmp(what, "rm"), rc;

	if (strcmp(what, "list") && !write && strcmp(what, "show") && strcmp(what, "members") &&
	    strcmp(what, "count"))
		return cli_usage_error(c, "expected 'segment add|show|members|count|rm NAME' or"
		                       " 'segment list'");
	if (argc > 2 || (!name && strcmp(what, "list")))
		return cli_usage_error(c, argc > 2 ? "unexpected operand '%s'" : "missing segment"
		                       " name%s", argc > 2 ? argv[2] : "");
	for (size_t i = 0; strcmp(what, "add") && i < c->nvals; i++)
		if (is_filter(c->vals[i].opt->name) || !strcmp(c->vals[i].opt->name, "snapshot"))
			return cli_usage_error(c, "--%s belongs to segment add", c->vals[i].opt->name);
	if ((rc = cli_open(c, write)))
		return cli_error(c, rc);
	if (!strcmp(what, "add"))
		return segment_add(c, name);
	if (!strcmp(what, "rm"))
		return (rc = crm_segment_rm(c->db, name)) ? cli_error(c, rc) : 0;
	if (!strcmp(what, "members"))
		return segment_members(c, name);
	if (!strcmp(what, "count"))
		return segment_count(c, name);
	return print_segments(c, name);
}

/* ---- templates ---- */

static const struct cli_opt template_opts[] = {
	{ "language", 'l', CLI_ARG, "LANG", "the variant for people of language LANG (uz, ru, pt-BR ...); without it, the default" },
	{ "subject", 0, CLI_ARG, "TEXT", "template add: the subject (a template)" },
	{ "text", 0, CLI_ARG, "FILE", "template add: the plain-text body (a template; - for stdin)" },
	{ "html", 0, CLI_ARG, "FILE", "template add: an HTML body (a template) sent beside the text" },
	{ "from-name", 0, CLI_ARG, "TEXT", "template add: the From name (a template)" },
	{ "replace", 0, CLI_NOARG, NULL, "template add: replace the variant when it exists" },
	{ NULL, 0, 0, NULL, NULL }
};

static int template_add(struct cli *c, const char *name)
{
	struct crm_template_text t = { name, cli_get(c, "language"), cli_get(c, "subject"),
		                       cli_get(c, "from-name"), NULL, cli_get(c, "text"), NULL,
		                       cli_get(c, "html") };
	char *text = NULL, *html = NULL;
	int rc;

	if (!t.subject || !t.text_label)
		return cli_usage_error(c, "template add needs --subject and --text");
	if (!(rc = cli_read_file(t.text_label, &text)) &&
	    !(rc = t.html_label ? cli_read_file(t.html_label, &html) : CRM_OK)) {
		t.text = text;
		t.html = html;
		rc = crm_template_store(c->db, &t, cli_has(c, "replace"));
	}
	free(text);
	free(html);
	return rc ? cli_error(c, rc) : 0;
}

static int list_templates(struct cli *c, const char *name, struct cli_printer *p,
                          int64_t *count)
{
	return crm_template_list(c->db, name, cli_get(c, "language"), cli_print_row, p, count);
}

static int print_templates(struct cli *c, const char *name, int full)
{
	static const struct crm_column cols[CRM_TEMPLATE_COLUMNS] = {
		{ "name", CRM_COL_TEXT }, { "language", CRM_COL_TEXT }, { "subject", CRM_COL_TEXT },
		{ "from_name", CRM_COL_TEXT }, { "text", CRM_COL_TEXT }, { "html", CRM_COL_TEXT },
		{ "updated_at", CRM_COL_TEXT },
	};
	struct listing l = { "template", name, list_templates };

	/* A list shows the variants; show, what they say. */
	if (!full && !c->fields)
		c->fields = "name,language,subject,updated_at";
	return print_listing(c, cols, CRM_TEMPLATE_COLUMNS, &l);
}

/* template add|list|show|rm [NAME] */
static int campaign_template(struct cli *c, int argc, char **argv)
{
	const char *what = argc ? argv[0] : "", *name = argc > 1 ? argv[1] : NULL;
	int write = !strcmp(what, "add") || !strcmp(what, "rm"), rc;

	if (strcmp(what, "list") && !write && strcmp(what, "show"))
		return cli_usage_error(c, "expected 'template add|show|rm NAME' or 'template list'");
	if (argc > 2 || (!name && strcmp(what, "list")))
		return cli_usage_error(c, argc > 2 ? "unexpected operand '%s'" : "missing template"
		                       " name%s", argc > 2 ? argv[2] : "");
	if ((rc = cli_open(c, write)))
		return cli_error(c, rc);
	if (!strcmp(what, "add"))
		return template_add(c, name);
	if (!strcmp(what, "rm"))
		return (rc = crm_template_rm(c->db, name, cli_get(c, "language"))) ? cli_error(c, rc)
		                                                                   : 0;
	return print_templates(c, name, !strcmp(what, "show"));
}

/* ---- preview and results ---- */

static const struct cli_opt preview_opts[] = {
	{ "person", 'p', CLI_ARG, "PERSON", "whose message to show: an id or an email" },
	{ NULL, 0, 0, NULL, NULL }
};

static int campaign_preview(struct cli *c, int argc, char **argv)
{
	const char *who = cli_get(c, "person");
	int64_t id, person;
	char *raw = NULL;
	size_t len = 0;
	int rc, status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if (!who)
		return cli_usage_error(c, "preview needs --person");
	if ((rc = crm_entity_resolve(c->db, crm_entity_find("contact"), who, &person)) ||
	    (rc = crm_campaign_preview(c->db, id, person, &raw, &len)))
		return cli_error(c, rc);
	fwrite(raw, 1, len, stdout);
	free(raw);
	return 0;
}

static const struct cli_opt results_opts[] = {
	{ "days", 0, CLI_ARG, "N", "count purchases and won deals within N days of each message (default: results_window, 30)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The results of campaign name (its id as text), within --days. */
static int list_results(struct cli *c, const char *name, struct cli_printer *p, int64_t *count)
{
	const char *v = cli_get(c, "days");
	long long days = 0;
	int64_t id;
	int rc;

	if ((rc = cli_id(name, &id)))
		return rc;
	if (v)
		crm_int_parse(v, 1, 3650, &days); /* checked by campaign_results */
	*count = 1; /* a campaign there has every measure */
	return crm_campaign_results(c->db, id, (long)days, cli_print_row, p);
}

static int campaign_results(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_RESULTS_COLUMNS] = {
		{ "campaign", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "measure", CRM_COL_TEXT },
		{ "value", CRM_COL_NUMBER }, { "note", CRM_COL_TEXT },
	};
	struct listing l = { "campaign", argc ? argv[0] : NULL, list_results };
	const char *v = cli_get(c, "days");
	long long days;
	int64_t id;
	int status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if (v && !crm_int_parse(v, 1, 3650, &days))
		return cli_usage_error(c, "--days: expected 1 to 3650, not '%s'", v);
	return print_listing(c, cols, CRM_RESULTS_COLUMNS, &l);
}

/* add-recipients ID PERSON...|-: people chosen elsewhere, piped in. */
static int campaign_add_recipients(struct cli *c, int argc, char **argv)
{
	int64_t id, *ids = NULL, added = 0;
	size_t n = 0;
	int rc;

	if (argc < 2)
		return cli_usage_error(c, "expected a campaign id and people (ids, or - for stdin)");
	if ((rc = cli_id(argv[0], &id)) || (rc = cli_ids(c, argc - 1, argv + 1, &ids, &n)) ||
	    (rc = crm_campaign_add_recipients(c->db, id, ids, n, &added))) {
		free(ids);
		return cli_error(c, rc);
	}
	free(ids);
	c->rollback = cli_has(c, "dry-run");
	if (!c->quiet)
		fprintf(stderr, "%s: %sadded %lld of %zu people to campaign %lld\n", c->prog->name,
		        c->rollback ? "would have " : "", (long long)added, n, (long long)id);
	return 0;
}

static const struct cli_opt add_recipients_opts[] = {
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

/* ---- the program ---- */

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "create a campaign (--name, --segment, --template, --from ...);"
	  " print its id", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	{ "show", verb_show, "ID...|-", "print every field of campaigns", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list campaigns and triggers", CLI_OUTPUT | CLI_LIST,
	  verb_list_opts },
	{ "set", verb_set, "ID...|-", "change fields of campaigns (--status paused stops a"
	  " trigger)", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	VERBS_ARCHIVE("campaigns"),
	VERB_TAG,
	VERBS_NOTES,
	{ "segment", campaign_segment, "add|list|show|members|count|rm [NAME]", "saved segments"
	  " of people: their filters (as crm-contact list), or a snapshot", CLI_OUTPUT | CLI_NODB,
	  segment_opts },
	{ "template", campaign_template, "add|list|show|rm [NAME]", "message templates and their"
	  " language variants", CLI_OUTPUT | CLI_NODB, template_opts },
	{ "add-recipients", campaign_add_recipients, "ID PERSON...|-", "add people (ids; - reads"
	  " them from stdin) to a campaign's own list of recipients", CLI_WRITE,
	  add_recipients_opts },
	{ "preview", campaign_preview, "ID", "print the message a person would get", 0,
	  preview_opts },
	{ "send", campaign_send, "ID", "mail a campaign to its segment's eligible members;"
	  " resumes an interrupted run", CLI_OUTPUT | CLI_NODB, send_opts },
	{ "trigger", campaign_trigger, "add [FIELD]", "create a birthday, anniversary or"
	  " date-field trigger (--on, --template ...); print its id", CLI_FIELDS | CLI_WRITE,
	  trigger_opts },
	{ "triggers", campaign_triggers, "run", "send the day's greetings (cron; twice sends"
	  " nothing)", CLI_OUTPUT | CLI_NODB, triggers_opts },
	{ "unsubscribe", campaign_unsubscribe, "TOKEN|--mail FILE", "withdraw the email consent"
	  " a token names", CLI_WRITE, unsubscribe_opts },
	{ "bounces", campaign_bounces, "[FILE...|-]", "read delivery status reports (--mbox,"
	  " --maildir) and mark bounced addresses", CLI_WRITE, mailbox_opts },
	{ "mail-in", campaign_mail_in, "[FILE...|-]", "read replies and reports to campaign mail"
	  " (--mbox, --maildir)", CLI_WRITE, mailbox_opts },
	{ "results", campaign_results, "ID", "what a campaign did: sent, excluded, bounced,"
	  " replied, bought", CLI_OUTPUT, results_opts },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_list list_defaults = { NULL, NULL, NULL };

static const struct cli_program program = {
	"crm-campaign", "marketing mail: segments, templates, campaigns, triggers, results",
	"campaign", verbs, &list_defaults
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
