/* crm-deal - the sales pipeline: deals through stages to won or lost. */
#include <stdio.h>
#include <string.h>

#include "crm/deal.h"
#include "pipeline.h"
#include "verbs.h"

static const struct cli_opt lost_opts[] = {
	{ "reason", 'r', CLI_ARG, "TEXT", "why it was lost (required; one of lost_reasons when configured)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_opt snooze_opts[] = {
	{ "until", 0, CLI_ARG, "DATE", "not stale before this day (required)" },
	{ "reason", 'r', CLI_ARG, "TEXT", "why (required)" },
	{ "dry-run", 'n', CLI_NOARG, NULL, "report what would change, change nothing" },
	{ NULL, 0, 0, NULL, NULL }
};

/* Sets field to value in the verb's change set and applies it to the
 * deals named by the operands, as set does. */
static int update(struct cli *c, int argc, char **argv, const char *field, const char *value)
{
	int rc = crm_record_set(c->rec, field, value);

	return rc ? cli_error(c, rc) : verb_set(c, argc, argv);
}

/* move ID...|- STAGE */
static int deal_move(struct cli *c, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(c, "expected deal ids and a stage");
	return update(c, argc - 1, argv, "stage", argv[argc - 1]);
}

static int deal_won(struct cli *c, int argc, char **argv)
{
	return update(c, argc, argv, "status", "won");
}

static int deal_lost(struct cli *c, int argc, char **argv)
{
	const char *reason = cli_get(c, "reason");
	int rc;

	if (!reason)
		return cli_usage_error(c, "a lost deal needs --reason TEXT");
	if ((rc = crm_record_set(c->rec, "lost_reason", reason)))
		return cli_error(c, rc);
	return update(c, argc, argv, "status", "lost");
}

static int deal_reopen(struct cli *c, int argc, char **argv)
{
	return update(c, argc, argv, "status", "open");
}

static int deal_snooze(struct cli *c, int argc, char **argv)
{
	const char *until = cli_get(c, "until"), *reason = cli_get(c, "reason");
	int rc;

	if (!until || !reason)
		return cli_usage_error(c, "snooze needs --until DATE and --reason TEXT");
	if ((rc = crm_record_set(c->rec, "snooze_reason", reason)))
		return cli_error(c, rc);
	return update(c, argc, argv, "snoozed_until", until);
}

static int deal_history(struct cli *c, int argc, char **argv)
{
	static const struct crm_column cols[CRM_HISTORY_COLUMNS] = {
		{ "stage", CRM_COL_TEXT }, { "pipeline", CRM_COL_TEXT }, { "entered", CRM_COL_TEXT },
		{ "left", CRM_COL_TEXT }, { "days", CRM_COL_NUMBER }, { "user", CRM_COL_TEXT }
	};
	int64_t id;
	int status;

	if ((status = verb_only_id(c, argc, argv, &id)))
		return status;
	return cli_print_list(c, cols, CRM_HISTORY_COLUMNS, id, crm_deal_history);
}

static const struct cli_verb verbs[] = {
	{ "add", verb_add, NULL, "add a deal and print its id", CLI_FIELDS | CLI_WRITE, NULL },
	{ "show", verb_show, "ID...", "print every field of deals", CLI_OUTPUT, NULL },
	{ "list", verb_list, NULL, "list deals, filtered and sorted (--stale exits 1 when none is)",
	  CLI_OUTPUT | CLI_LIST, verb_list_opts },
	{ "set", verb_set, "ID...|-", "change fields of deals", CLI_FIELDS | CLI_WRITE, verb_set_opts },
	{ "move", deal_move, "ID...|- STAGE", "move deals to a stage of their pipeline", CLI_WRITE,
	  verb_set_opts },
	{ "won", deal_won, "ID...|-", "mark deals won", CLI_WRITE, verb_set_opts },
	{ "lost", deal_lost, "ID...|-", "mark deals lost, with --reason", CLI_WRITE, lost_opts },
	{ "reopen", deal_reopen, "ID...|-", "open won or lost deals again, in their stage", CLI_WRITE,
	  verb_set_opts },
	{ "snooze", deal_snooze, "ID...|-", "keep deals off the --stale list until a day", CLI_WRITE,
	  snooze_opts },
	{ "history", deal_history, "ID", "the stages a deal went through and the days in each",
	  CLI_OUTPUT, NULL },
	{ "board", pipeline_board, NULL, "open deals by stage: columns on a terminal, else TSV",
	  CLI_OUTPUT, pipeline_board_opts },
	{ "forecast", pipeline_forecast, NULL, "weighted open deals, won and targets by period",
	  CLI_OUTPUT, pipeline_forecast_opts },
	VERBS_ARCHIVE("deals"),
	VERB_TAG,
	{ "note", verb_note, "ID [TEXT]", "log a note, call or meeting (text from stdin without TEXT)",
	  CLI_WRITE, verb_note_opts },
	{ "timeline", verb_timeline, "ID", "notes and changes, newest first", CLI_OUTPUT, NULL },
	{ NULL, NULL, NULL, NULL, 0, NULL }
};

static const struct cli_program program = {
	"crm-deal", "the sales pipeline: deals, stages, board and forecast", "deal", verbs, NULL
};

int main(int argc, char **argv)
{
	return cli_main(&program, argc, argv);
}
