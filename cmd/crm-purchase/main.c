/* crm-purchase - purchase history: what people bought, its lines, refunds
 * and the revenue summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "crm/purchase.h"
#include "verbs.h"

static const struct cli_opt add_opts[] = {
	{ "line", 'l', CLI_ARG, "'SKU QTY PRICE [NAME]'", "a line: what, how many, the price of one (repeatable)" },
	{ "lines-json", 0, CLI_ARG, "FILE|-", "lines as a JSON array of objects: sku, name, category, quantity, price" },
	{ "currency", 0, CLI_ARG, "CODE", "the currency of the lines' prices when no --total names it (default: the base currency)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt refund_opts[] = {
	{ "line", 'l', CLI_ARG, "SKU", "refund only the line of SKU" },
	{ "qty", 0, CLI_ARG, "N", "how many of the line (default: all not refunded yet)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt summary_opts[] = {
	{ "period", 'p', CLI_ARG, "PERIOD", "only purchases in PERIOD: 2026, 2026-Q4, 2026-11, this-month, last-quarter, ytd ... (default: all)" },
	{ "by", 0, CLI_ARG, "GROUP", "one row per person, month, category (of the lines) or store" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The currency of the lines: the total's, else --currency, else the
 * base currency. */
static int lines_currency(struct cli *c, char cur[4])
{
	const char *base = crm_config_currency(c->cfg), *total = crm_record_value(c->rec, "total");
	const char *given = cli_get(c, "currency");
	struct crm_money m;

	int rc;

	snprintf(cur, 4, "%s", base);
	if (given && (rc = crm_currency_normalize(cur, given)))
		return rc;
	if (total && crm_money_parse(&m, total, cur) == CRM_OK) {
		if (given && strcmp(m.cur, cur))
			return crm_error_set(CRM_EDATA, "currency: the total is in %s, not %s", m.cur,
			                     cur);
		snprintf(cur, 4, "%s", m.cur);
	}
	crm_error_clear();
	return CRM_OK;
}

static int read_lines(struct cli *c, const char *cur, struct crm_purchase_lines *ls)
{
	const char *v, *json = cli_get(c, "lines-json");
	size_t pos = 0;
	char *text = NULL;
	int rc = CRM_OK;

	while (!rc && (v = cli_next(c, "line", &pos)))
		rc = crm_purchase_line_parse(ls, v, cur);
	if (!rc && json && !(rc = cli_read_file(json, &text)))
		rc = crm_purchase_lines_json(ls, text ? text : "", text ? strlen(text) : 0, cur);
	free(text);
	return rc;
}

static int purchase_add(struct cli *c, int argc, char **argv)
{
	struct crm_purchase_lines ls = { 0 };
	const char *tag;
	char cur[4];
	size_t pos = 0;
	int64_t id;
	int rc, changed;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (!(rc = lines_currency(c, cur)) && !(rc = read_lines(c, cur, &ls)))
		rc = crm_purchase_add(c->db, c->rec, &ls, cur, &id);
	crm_purchase_lines_free(&ls);
	while (!rc && (tag = cli_next(c, "tag", &pos)))
		rc = crm_entity_tag(c->db, c->entity, id, tag, 1, &changed);
	if (rc)
		return cli_error(c, rc);
	printf("%lld\n", (long long)id);
	return 0;
}

static int purchase_lines(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_LINE_COLUMNS] = {
		{ "line", CRM_COL_INT }, { "sku", CRM_COL_TEXT }, { "name", CRM_COL_TEXT },
		{ "category", CRM_COL_TEXT }, { "quantity", CRM_COL_INT },
		{ "unit_price", CRM_COL_TEXT }, { "amount", CRM_COL_TEXT },
	};
	int64_t id;
	int status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	return cli_print_list(c, cols, CRM_LINE_COLUMNS, id, crm_purchase_lines_each);
}

static int purchase_refund(struct cli *c, int argc, char **argv)
{
	const char *sku = cli_get(c, "line"), *q = cli_get(c, "qty");
	long long qty = 0;
	int64_t id, refund;
	int rc, status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	if (q && !sku)
		return cli_usage_error(c, "--qty needs --line SKU");
	if (q && !crm_int_parse(q, 1, CRM_QUANTITY_MAX, &qty))
		return cli_fail(c, 3, "qty: invalid quantity '%s' (a whole number from 1 to %lld)", q,
		                CRM_QUANTITY_MAX);
	if ((rc = crm_purchase_refund(c->db, id, sku, qty, &refund)))
		return cli_error(c, rc);
	printf("%lld\n", (long long)refund);
	return 0;
}

/* summary: count, revenue, average order value, first and last purchase
 * per group and in total; exit 1 when there are none. */
static int purchase_summary(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_SUMMARY_COLUMNS] = {
		{ "group", CRM_COL_TEXT }, { "purchases", CRM_COL_INT }, { "revenue", CRM_COL_TEXT },
		{ "average", CRM_COL_TEXT }, { "first", CRM_COL_TEXT }, { "last", CRM_COL_TEXT },
	};
	const char *period = cli_get(c, "period"), *by = cli_get(c, "by");
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	struct cli_printer p = { c, NULL, 0 };
	int64_t now, n;
	int rc;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (by && strcmp(by, "person") && strcmp(by, "month") && strcmp(by, "category") &&
	    strcmp(by, "store"))
		return cli_usage_error(c, "--by takes person, month, category or store, not '%s'", by);
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if (period && crm_period_parse(from, to, period, now))
		return cli_usage_error(c, "--period: invalid period '%s'", period);
	if (!(rc = cli_output_fields(c, cols, CRM_SUMMARY_COLUMNS, &p.w)))
		rc = crm_purchase_summary(c->db, by, period ? from : NULL, period ? to : NULL,
		                          cli_print_row, &p, &n);
	if (!rc && n)
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	if (rc)
		return cli_error(c, rc);
	if (!n)
		return cli_fail(c, 1, "no purchases%s%s", period ? " in " : "", period ? period : "");
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "add", purchase_add, NULL, "record a purchase with its lines and print its id",
	  CLI_FIELDS | CLI_WRITE, add_opts },
	{ "show", verb_show, "ID...", "print every field of purchases", CLI_OUTPUT, NULL },
	{ "lines", purchase_lines, "ID", "print the lines of a purchase", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list purchases, oldest first (--since/--until: when bought)",
	  CLI_OUTPUT | CLI_LIST, verb_list_opts },
	{ "refund", purchase_refund, "ID", "give money back for a purchase, wholly or a line's;"
	  " print the refund's id", CLI_WRITE, refund_opts },
	{ "summary", purchase_summary, NULL, "purchases, revenue net of refunds, average order,"
	  " first and last, per group and in total (exit 1: none)", CLI_OUTPUT, summary_opts },
	{ "set", verb_set, "ID...|-", "change fields of purchases", CLI_FIELDS | CLI_WRITE,
	  verb_set_opts },
	VERBS_ARCHIVE("purchases"),
	VERB_TAG,
	VERBS_NOTES,
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

/* Oldest purchase first; --since and --until on when it was made. */
static const struct cli_list list = {
	"at", "at,id", "id,at,person,order_ref,source,total,status"
};

static const struct cli_program program = {
	"crm-purchase", "purchase history: purchases, lines, refunds and revenue", "purchase", verbs,
	&list
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
