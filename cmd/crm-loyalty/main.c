/* crm-loyalty - the loyalty programme: points balances and statements,
 * redemptions and adjustments, tiers, the nightly expiry and review, and
 * reward cards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/loyalty.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "verbs.h"

static const struct cli_opt since_opts[] = {
	{ "since", 0, CLI_ARG, "DATE", "only entries on or after DATE (the balance runs from the start)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt redeem_opts[] = {
	{ "reward", 'r', CLI_ARG, "NAME", "redeem a reward of the programme, at its cost" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt adjust_opts[] = {
	{ "reason", 0, CLI_ARG, "TEXT", "why (required)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt as_of_opts[] = {
	{ "as-of", 0, CLI_ARG, "DATE", "as on DATE (default: today)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The nightly jobs: a dry run prints what they would do (crm(7)). */
static const struct cli_opt job_opts[] = {
	{ "as-of", 0, CLI_ARG, "DATE", "as on DATE (default: today)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "print what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt members_opts[] = {
	{ "tier", 't', CLI_ARG, "NAME", "only members in tier NAME ('' for none)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt remind_opts[] = {
	{ "expiring-within", 0, CLI_ARG, "SPAN", "points expiring within SPAN after the day: 30d, 2w (required)" },
	{ "as-of", 0, CLI_ARG, "DATE", "as on DATE (default: today)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt card_opts[] = {
	{ "svg", 0, CLI_NOARG, NULL, "card print: draw the QR code as SVG (the only kind)" },
	{ NULL, 0, 0, NULL, NULL }
};

/* The person named by the verb's first operand, the only one unless more. */
static int person_arg(struct cli *c, int argc, char **argv, int more, int64_t *id)
{
	int rc;

	if (argc < 1)
		return cli_usage_error(c, "missing person (an id or an email)");
	if (!more && argc > 1)
		return cli_usage_error(c, "unexpected operand '%s'", argv[1]);
	if ((rc = crm_entity_resolve(c->db, crm_entity_find("contact"), argv[0], id)))
		return cli_error(c, rc);
	return 0;
}

static int need_programme(struct cli *c)
{
	if (crm_config_loyalty(c->cfg))
		return 0;
	return cli_usage_error(c, "no loyalty programme is configured (see crm-config(5), loyalty)");
}

/* --as-of as a date, or today; for a job that writes (past_only), a
 * missed day caught up, never a day to come, whose points are not gone
 * yet. */
static int as_of_day(struct cli *c, char out[CRM_DATE_LEN], int past_only)
{
	const char *v = cli_get(c, "as-of");
	char today[CRM_DATE_LEN];
	int64_t now;
	int rc;

	if ((rc = crm_now(&now)) || (rc = crm_date_parse(today, "today", now)))
		return cli_error(c, rc);
	if (crm_date_parse(out, v ? v : "today", now))
		return cli_usage_error(c, "--as-of: invalid date '%s'", v);
	if (past_only && strcmp(out, today) > 0)
		return cli_usage_error(c, "--as-of: %s is after today, %s", out, today);
	return 0;
}

/* What a listing verb passes to the libcore call that makes its rows,
 * and the printer that prints (and counts) them. */
struct job {
	int64_t person, count;
	char date[CRM_DATE_LEN];
	int days;
	struct cli_printer p;
};

/* Prints what run makes; exit 1 when that is nothing, as grep does. */
static int print_rows(struct cli *c, const struct crm_column *cols, size_t n,
                      int (*run)(struct cli *c, struct job *j), struct job *j)
{
	int rc;

	j->p.c = c;
	if ((rc = cli_output_fields(c, cols, n, &j->p.w)) || (rc = run(c, j)) ||
	    (rc = crm_out_finish(j->p.w))) {
		crm_out_free(j->p.w);
		return cli_error(c, rc);
	}
	crm_out_free(j->p.w);
	return j->p.rows ? 0 : 1;
}

static int loyalty_balance(struct cli *c, int argc, char **argv)
{
	int64_t id, points;
	int rc, status;

	if ((status = person_arg(c, argc, argv, 0, &id)))
		return status;
	if ((rc = crm_loyalty_balance(c->db, id, &points)))
		return cli_error(c, rc);
	printf("%lld\n", (long long)points);
	return 0;
}

static int run_statement(struct cli *c, struct job *j)
{
	return crm_loyalty_statement(c->db, j->person, cli_get(c, "since") ? j->date : NULL,
	                             cli_print_row, &j->p);
}

static int loyalty_statement(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_STATEMENT_COLUMNS] = {
		{ "entry", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "points", CRM_COL_INT }, { "balance", CRM_COL_INT }, { "expires", CRM_COL_TEXT },
		{ "detail", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	const char *since = cli_get(c, "since");
	int64_t now;
	int status, rc;

	if ((status = person_arg(c, argc, argv, 0, &j.person)))
		return status;
	if ((rc = crm_now(&now)))
		return cli_error(c, rc);
	if (since && crm_date_parse(j.date, since, now))
		return cli_usage_error(c, "--since: invalid date '%s'", since);
	return print_rows(c, cols, CRM_STATEMENT_COLUMNS, run_statement, &j);
}

static int loyalty_redeem(struct cli *c, int argc, char **argv)
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(c->cfg);
	const char *reward = cli_get(c, "reward");
	long long points = 0;
	int64_t id, entry;
	int rc, status;

	if ((status = need_programme(c)) || (status = person_arg(c, argc, argv, 1, &id)))
		return status;
	if (reward ? argc > 1 : argc != 2)
		return cli_usage_error(c, "expected PERSON POINTS or PERSON --reward NAME");
	for (size_t i = 0; reward && i < p->nrewards; i++)
		if (!strcmp(p->rewards[i].name, reward))
			points = p->rewards[i].points;
	if (reward && !points)
		return cli_fail(c, 3, "reward: no reward '%s' in the programme", reward);
	if (!reward && !crm_int_parse(argv[1], 1, CRM_POINTS_MAX, &points))
		return cli_fail(c, 3, "points: invalid number of points '%s' (a whole number from 1)",
		                argv[1]);
	if ((rc = crm_loyalty_redeem(c->db, id, points, reward, &entry)))
		return cli_error(c, rc);
	printf("%lld\n", (long long)entry);
	return 0;
}

static int loyalty_adjust(struct cli *c, int argc, char **argv)
{
	const char *reason = cli_get(c, "reason");
	long long points;
	int64_t id, entry;
	int rc, status;

	if ((status = person_arg(c, argc, argv, 1, &id)))
		return status;
	if (argc != 2)
		return cli_usage_error(c, "expected PERSON POINTS (+N adds, -N takes)");
	if (!reason || !*reason)
		return cli_usage_error(c, "an adjustment needs --reason");
	if (!crm_int_parse(argv[1], -CRM_POINTS_MAX, CRM_POINTS_MAX, &points) || !points)
		return cli_fail(c, 3, "points: invalid adjustment '%s' (+N or -N, not 0, at most %lld)",
		                argv[1], CRM_POINTS_MAX);
	if ((rc = crm_loyalty_adjust(c->db, id, points, reason, &entry)))
		return cli_error(c, rc);
	printf("%lld\n", (long long)entry);
	return 0;
}

static int run_explain(struct cli *c, struct job *j)
{
	return crm_loyalty_explain(c->db, j->person, cli_print_row, &j->p);
}

static int loyalty_explain(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_POINTS_EXPLAIN_COLUMNS] = {
		{ "entry", CRM_COL_INT }, { "at", CRM_COL_TEXT }, { "kind", CRM_COL_TEXT },
		{ "rule", CRM_COL_TEXT }, { "purchase", CRM_COL_INT }, { "points", CRM_COL_INT },
		{ "spent", CRM_COL_INT }, { "expired", CRM_COL_INT }, { "left", CRM_COL_INT },
		{ "expires", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	int status = person_arg(c, argc, argv, 0, &j.person);

	return status ? status : print_rows(c, cols, CRM_POINTS_EXPLAIN_COLUMNS, run_explain, &j);
}

static int loyalty_tier(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "person", CRM_COL_INT }, { "tier", CRM_COL_TEXT }, { "since", CRM_COL_TEXT },
		{ "points", CRM_COL_INT }, { "spend", CRM_COL_TEXT }, { "qualifies", CRM_COL_TEXT },
		{ "next", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	struct crm_loyalty_standing s;
	struct crm_money money;
	char who[24], pts[24], spend[40];
	struct cli_printer p = { c, NULL, 0 };
	int64_t id;
	int rc, status;

	if ((status = need_programme(c)) || (status = person_arg(c, argc, argv, 0, &id)) ||
	    (status = as_of_day(c, j.date, 0)))
		return status;
	if ((rc = crm_loyalty_standing(c->db, id, j.date, &s)))
		return cli_error(c, rc);
	snprintf(who, sizeof who, "%lld", (long long)id);
	snprintf(pts, sizeof pts, "%lld", (long long)s.points);
	money.minor = s.spend;
	snprintf(money.cur, sizeof money.cur, "%s", crm_config_currency(c->cfg));
	if (crm_money_format(spend, sizeof spend, &money))
		snprintf(spend, sizeof spend, "%lld", (long long)s.spend);
	if (!(rc = cli_output_fields(c, cols, 7, &p.w)) &&
	    !(rc = cli_print_row(&p, (const char *const[]){ who, s.tier, s.since, pts, spend,
	                                                     s.qualifies, s.next })))
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

static int run_members(struct cli *c, struct job *j)
{
	return crm_loyalty_members(c->db, cli_get(c, "tier"), cli_print_row, &j->p);
}

static int loyalty_members(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_MEMBER_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "email", CRM_COL_TEXT },
		{ "tier", CRM_COL_TEXT }, { "balance", CRM_COL_INT }, { "card", CRM_COL_TEXT },
	};
	struct job j = { 0 };

	(void)argv;
	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	return print_rows(c, cols, CRM_MEMBER_COLUMNS, run_members, &j);
}

static int run_expire(struct cli *c, struct job *j)
{
	return crm_loyalty_expire(c->db, j->date, cli_print_row, &j->p, &j->count);
}

static int loyalty_expire(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[] = {
		{ "entry", CRM_COL_INT }, { "person", CRM_COL_INT }, { "points", CRM_COL_INT },
		{ "at", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	int status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((status = as_of_day(c, j.date, 1)))
		return status;
	c->rollback = cli_has(c, "dry-run");
	return print_rows(c, cols, 4, run_expire, &j);
}

static int run_review(struct cli *c, struct job *j)
{
	return crm_loyalty_review(c->db, j->date, cli_print_row, &j->p, &j->count);
}

static int loyalty_review(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_REVIEW_COLUMNS] = {
		{ "person", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "from", CRM_COL_TEXT },
		{ "to", CRM_COL_TEXT }, { "points", CRM_COL_INT }, { "spend", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	int status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if ((status = need_programme(c)) || (status = as_of_day(c, j.date, 1)))
		return status;
	c->rollback = cli_has(c, "dry-run");
	return print_rows(c, cols, CRM_REVIEW_COLUMNS, run_review, &j);
}

static int run_remind(struct cli *c, struct job *j)
{
	return crm_loyalty_remind(c->db, j->date, j->days, cli_print_row, &j->p);
}

static int loyalty_remind(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_REMIND_COLUMNS] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "email", CRM_COL_TEXT },
		{ "points", CRM_COL_INT }, { "expires", CRM_COL_TEXT },
	};
	struct job j = { 0 };
	const char *within = cli_get(c, "expiring-within");
	int64_t secs;
	int status;

	if (argc > 0)
		return cli_usage_error(c, "unexpected operand '%s'", argv[0]);
	if (!within)
		return cli_usage_error(c, "remind needs --expiring-within SPAN (e.g. 30d)");
	if (crm_span_parse(within, &secs) || secs < 86400 || secs % 86400 || secs > 36600 * 86400LL)
		return cli_usage_error(c, "--expiring-within: invalid span '%s' (whole days: 30d, 2w)",
		                       within);
	j.days = (int)(secs / 86400);
	if ((status = as_of_day(c, j.date, 0)))
		return status;
	return print_rows(c, cols, CRM_REMIND_COLUMNS, run_remind, &j);
}

/* Cards */

static int card_show(struct cli *c, const char *number)
{
	static const struct crm_column cols[] = {
		{ "card", CRM_COL_TEXT }, { "person", CRM_COL_INT }, { "name", CRM_COL_TEXT },
		{ "balance", CRM_COL_INT }, { "tier", CRM_COL_TEXT },
	};
	struct crm_card card;
	struct crm_loyalty_standing s = { 0 };
	char who[24], bal[24], today[CRM_DATE_LEN];
	int64_t points;
	struct cli_printer p = { c, NULL, 0 };
	int rc;

	if ((rc = as_of_day(c, today, 0)))
		return rc;
	if ((rc = crm_card_find(c->db, number, &card)) ||
	    (rc = crm_loyalty_balance(c->db, card.person, &points)) ||
	    (crm_config_loyalty(c->cfg) && (rc = crm_loyalty_standing(c->db, card.person, today, &s))))
		return cli_error(c, rc);
	snprintf(who, sizeof who, "%lld", (long long)card.person);
	snprintf(bal, sizeof bal, "%lld", (long long)points);
	if (!(rc = cli_output_fields(c, cols, 5, &p.w)) &&
	    !(rc = cli_print_row(&p, (const char *const[]){ card.number, who, card.name, bal,
	                                                     s.tier })))
		rc = crm_out_finish(p.w);
	crm_out_free(p.w);
	return rc ? cli_error(c, rc) : 0;
}

static int card_print(struct cli *c, const char *number)
{
	struct crm_card card;
	crm_buf svg = CRM_BUF_INIT;
	int rc;

	if (!cli_has(c, "svg"))
		return cli_usage_error(c, "card print draws SVG only: add --svg");
	if (!(rc = crm_card_find(c->db, number, &card)) && !(rc = crm_card_svg(number, &svg)))
		fwrite(svg.ptr, 1, svg.len, stdout);
	crm_buf_free(&svg);
	return rc ? cli_error(c, rc) : 0;
}

static int loyalty_card(struct cli *c, int argc, char **argv)
{
	static const char *const writes[] = { "issue", "block", "replace" };
	char number[CRM_CARD_LEN];
	int64_t id;
	int rc = CRM_OK, status, write = 0;

	if (argc != 2)
		return cli_usage_error(c, "expected 'card issue PERSON' or 'card show|block|replace|print"
		                       " NUMBER'");
	for (size_t i = 0; i < 3; i++)
		write |= !strcmp(argv[0], writes[i]);
	if (!write && strcmp(argv[0], "show") && strcmp(argv[0], "print"))
		return cli_usage_error(c, "unknown card command '%s' (issue, show, block, replace,"
		                       " print)", argv[0]);
	if ((rc = cli_open(c, write)))
		return cli_error(c, rc);
	if (!strcmp(argv[0], "show"))
		return card_show(c, argv[1]);
	if (!strcmp(argv[0], "print"))
		return card_print(c, argv[1]);
	if (!strcmp(argv[0], "block"))
		return (rc = crm_card_block(c->db, argv[1])) ? cli_error(c, rc) : 0;
	if (!strcmp(argv[0], "issue") && (status = person_arg(c, 1, argv + 1, 0, &id)))
		return status;
	rc = !strcmp(argv[0], "issue") ? crm_card_issue(c->db, id, number)
	                               : crm_card_replace(c->db, argv[1], number);
	if (rc)
		return cli_error(c, rc);
	printf("%s\n", number);
	return 0;
}

static const struct cli_verb verbs[] = {
	{ "balance", loyalty_balance, "PERSON", "print a person's points", 0, NULL },
	{ "statement", loyalty_statement, "PERSON", "list a person's entries with the running"
	  " balance", CLI_OUTPUT, since_opts },
	{ "redeem", loyalty_redeem, "PERSON POINTS|--reward NAME", "spend points, soonest-expiring"
	  " first; print the entry's id (exit 3: balance short)", CLI_WRITE, redeem_opts },
	{ "adjust", loyalty_adjust, "PERSON +N|-N", "add or take points with --reason; print the"
	  " entry's id", CLI_WRITE, adjust_opts },
	{ "explain", loyalty_explain, "PERSON", "list what gave a person points, by which rule,"
	  " and what became of them", CLI_OUTPUT, NULL },
	{ "tier", loyalty_tier, "PERSON", "print a person's tier and the window's figures",
	  CLI_OUTPUT, as_of_opts },
	{ "members", loyalty_members, NULL, "list the people with points, a tier or a card",
	  CLI_OUTPUT, members_opts },
	{ "expire", loyalty_expire, NULL, "write off the points past their expiry (cron; twice"
	  " changes nothing)", CLI_OUTPUT | CLI_WRITE, job_opts },
	{ "review", loyalty_review, NULL, "move members to the tier their window reaches, up or"
	  " down (cron); print the changes", CLI_OUTPUT | CLI_WRITE, job_opts },
	{ "remind", loyalty_remind, NULL, "list who has points expiring soon", CLI_OUTPUT,
	  remind_opts },
	{ "card", loyalty_card, "issue PERSON | show|block|replace|print NUMBER", "reward cards:"
	  " issue, look up (exit 1: unknown, 3: blocked), block, replace, print a QR code",
	  CLI_OUTPUT | CLI_NODB, card_opts },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-loyalty", "the loyalty programme: points, tiers and reward cards", NULL, verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
