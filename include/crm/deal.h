/* deal.h - the sales pipeline: a deal's history, the board, the forecast
 * (crm-deal(1)).  Deals are an entity of the registry (field.h): add, set,
 * list and the rest work on them as on any record; moving, winning, losing
 * and reopening are writes of their stage and status fields.
 *
 * Every figure is in the base currency (crm-config(5)): open amounts at
 * the rate of the day asked for (today unless --as-of), won amounts at the
 * rate of the day they were won, each amount rounded half to even to
 * minor units and weighted sums rounded once at the end (rates.h).
 */
#ifndef CRM_DEAL_H
#define CRM_DEAL_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"

/* The columns crm_deal_history passes: stage (or won, lost), pipeline,
 * entered, left (empty while it is there), days, user. */
#define CRM_HISTORY_COLUMNS 6

/* Calls fn(arg, vals) for each stretch deal id spent in one stage or
 * outcome, oldest first. */
int crm_deal_history(crm_db *db, int64_t id, int (*fn)(void *arg, const char *const *vals),
                     void *arg);

/* One deal on the board. */
struct crm_board_deal {
	int64_t id;
	char *title;
	int64_t amount; /* minor units of the base currency */
};

/* A stage of the board: its open deals, largest first. */
struct crm_board_stage {
	char *name;
	long count;
	int64_t amount, weighted; /* minor units of the base currency */
	struct crm_board_deal *deals;
	size_t ndeals; /* at most the limit asked for */
};

struct crm_board {
	const char *pipeline;
	char currency[4];
	struct crm_board_stage *stages;
	size_t nstages;
	long unconverted; /* deals left out for want of a rate (skip_missing) */
};

/* Fills *out with the open deals of pipeline (NULL: the first configured)
 * by stage, keeping up to `keep` deals of each for display; owner (NULL:
 * all) narrows it to one owner's.  A missing rate is an error naming
 * currency and date, unless skip_missing, which leaves such deals out and
 * counts them.  Free with crm_board_free. */
int crm_deal_board(crm_db *db, const char *pipeline, const char *owner, size_t keep,
                   int skip_missing, struct crm_board **out);
void crm_board_free(struct crm_board *b);

struct crm_forecast_opts {
	const char *by;       /* month (default), quarter, year, owner or pipeline */
	const char *from, *to; /* the days [from, to), "YYYY-MM-DD" */
	const char *as_of;    /* the day the pipeline is taken as it stood; NULL: today */
	const char *owner;    /* only this owner's deals and targets; NULL: everyone's */
	const char *pipeline; /* only this pipeline (and no targets); NULL: all */
	int skip_missing;     /* leave out and count amounts no rate converts */
};

/* The columns crm_deal_forecast passes: the group (period, owner or
 * pipeline), open (count), amount and weighted (open deals expected to
 * close in the group), won, target, attainment and coverage (percent;
 * empty without a target). */
#define CRM_FORECAST_COLUMNS 8

/* Calls fn(arg, vals) for each group, in order, then for a "total" row;
 * stores in *unconverted the number of amounts left out for want of a
 * rate.  CRM_EUSAGE for a bad option, CRM_EDATA for a missing rate. */
int crm_deal_forecast(crm_db *db, const struct crm_forecast_opts *o,
                      int (*fn)(void *arg, const char *const *vals), void *arg,
                      long *unconverted);

#endif
