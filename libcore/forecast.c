/* forecast.c - the sales pipeline in figures: the board (open deals by
 * stage) and the forecast (open deals by expected close, won deals and
 * targets by period, owner or pipeline); see deal.h.
 *
 * Amounts are converted one by one in C from the rates held in memory
 * (rates.c) rather than in SQL, so that a missing rate can be counted and
 * left out instead of failing the whole statement, and weighted sums are
 * kept exact (crm_money_weighted) until each is rounded once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/deal.h"
#include "crm/feedback.h"
#include "crm/money.h"
#include "crm/rates.h"
#include "internal.h"

static const char *base_currency(crm_db *db)
{
	return crm_config_currency(db->cfg);
}

/* Converts minor units of cur to the base currency at the rate of date
 * into *out; with skip, a missing rate sets *skipped instead of failing. */
static int to_base(crm_db *db, int64_t minor, const char *cur, const char *date, int skip,
                   int64_t *out, int *skipped)
{
	struct crm_money m = { minor, "" }, b;
	int rc;

	*skipped = 0;
	snprintf(m.cur, sizeof m.cur, "%s", cur ? cur : base_currency(db));
	rc = crm_money_base(db, &m, date, &b);
	if (rc == CRM_EDATA && skip) {
		crm_error_clear();
		*skipped = 1;
		return CRM_OK;
	}
	*out = rc ? 0 : b.minor;
	return rc;
}

/* Adds b to *a in the base currency; CRM_EDATA on overflow. */
static int add(crm_db *db, int64_t *a, int64_t b)
{
	struct crm_money x = { *a, "" }, y = { b, "" }, s;
	int rc;

	snprintf(x.cur, sizeof x.cur, "%s", base_currency(db));
	memcpy(y.cur, x.cur, sizeof y.cur);
	if ((rc = crm_money_add(&s, &x, &y)))
		return rc;
	*a = s.minor;
	return CRM_OK;
}

/* --- the board --- */

void crm_board_free(struct crm_board *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nstages; i++) {
		for (size_t k = 0; k < b->stages[i].ndeals; k++)
			free(b->stages[i].deals[k].title);
		free(b->stages[i].deals);
		free(b->stages[i].name);
	}
	free(b->stages);
	free(b);
}

/* The board's column for a stage name; stages the configuration no longer
 * names get columns of their own at the end, so no open deal is hidden. */
static struct crm_board_stage *board_stage(struct crm_board *b, const char *name,
                                           struct crm_money_weighted **w, const char *cur)
{
	struct crm_board_stage *s;
	struct crm_money_weighted *nw;
	char *copy;

	for (size_t i = 0; i < b->nstages; i++)
		if (!strcmp(b->stages[i].name, name))
			return &b->stages[i];
	if (!(s = realloc(b->stages, (b->nstages + 1) * sizeof *s)))
		return NULL;
	b->stages = s;
	if (!(nw = realloc(*w, (b->nstages + 1) * sizeof *nw)))
		return NULL;
	*w = nw;
	if (!(copy = strdup(name)))
		return NULL;
	s = memset(&b->stages[b->nstages], 0, sizeof *s);
	s->name = copy;
	crm_money_weighted_init(&nw[b->nstages++], cur, 100);
	return s;
}

static int keep_deal(struct crm_board_stage *s, int64_t id, const char *title, int64_t amount)
{
	struct crm_board_deal *d = realloc(s->deals, (s->ndeals + 1) * sizeof *d);

	if (!d)
		return crm_error_nomem();
	s->deals = d;
	d[s->ndeals].id = id;
	d[s->ndeals].amount = amount;
	if (!(d[s->ndeals].title = strdup(title ? title : "")))
		return crm_error_nomem();
	s->ndeals++;
	return CRM_OK;
}

static int by_amount(const void *a, const void *b)
{
	const struct crm_board_deal *x = a, *y = b;

	return x->amount < y->amount ? 1 : x->amount > y->amount ? -1 : x->id < y->id ? -1 : 1;
}

/* Sorts each stage's deals, largest first, and keeps the first keep. */
static void trim_deals(struct crm_board *b, size_t keep)
{
	for (size_t i = 0; i < b->nstages; i++) {
		struct crm_board_stage *s = &b->stages[i];

		if (s->ndeals)
			qsort(s->deals, s->ndeals, sizeof *s->deals, by_amount);
		for (size_t k = keep; k < s->ndeals; k++)
			free(s->deals[k].title);
		if (s->ndeals > keep)
			s->ndeals = keep;
	}
}

static int board_rows(crm_db *db, struct crm_board *b, const char *owner, size_t keep,
                      int skip, struct crm_money_weighted **w)
{
	char today[CRM_TIME_LEN];
	crm_stmt *st;
	int rc, skipped;

	crm_db_now(db, today);
	if ((rc = crm_db_prepare(db, &st, "SELECT id, title, stage, amount, amount_currency,"
	                         " probability FROM deals WHERE status = 'open'"
	                         " AND archived_at IS NULL AND pipeline = ?1"
	                         " AND (?2 IS NULL OR owner = ?2)")))
		return rc;
	crm_stmt_bind_text(st, 1, b->pipeline);
	crm_stmt_bind_text(st, 2, owner);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		struct crm_board_stage *s = board_stage(b, crm_stmt_text(st, 2), w, b->currency);
		struct crm_money m = { 0, "" };
		int64_t amount = 0;

		if (!s) {
			rc = crm_error_nomem();
			break;
		}
		snprintf(m.cur, sizeof m.cur, "%s", b->currency);
		if (crm_stmt_kind(st, 3) != CRM_KIND_NULL &&
		    (rc = to_base(db, crm_stmt_int(st, 3), crm_stmt_text(st, 4), today, skip, &amount,
		                  &skipped)))
			break;
		if (crm_stmt_kind(st, 3) != CRM_KIND_NULL && skipped) {
			b->unconverted++;
			continue;
		}
		m.minor = amount;
		s->count++;
		if ((rc = add(db, &s->amount, amount)) ||
		    (rc = crm_money_weighted_add(&(*w)[s - b->stages], &m, crm_stmt_int(st, 5))) ||
		    (keep && (rc = keep_deal(s, crm_stmt_int(st, 0), crm_stmt_text(st, 1), amount))))
			break;
	}
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_deal_board(crm_db *db, const char *pipeline, const char *owner, size_t keep,
                   int skip_missing, struct crm_board **out)
{
	const struct crm_pipeline *p = crm_config_pipeline(db->cfg, pipeline);
	struct crm_money_weighted *w = NULL;
	struct crm_board *b;
	int rc = CRM_OK;

	*out = NULL;
	if (!p)
		return crm_error_set(CRM_EUSAGE, "no pipeline '%s'", pipeline);
	if (!(b = calloc(1, sizeof *b)))
		return crm_error_nomem();
	b->pipeline = p->name;
	snprintf(b->currency, sizeof b->currency, "%s", base_currency(db));
	for (size_t i = 0; i < p->nstages && !rc; i++)
		if (!board_stage(b, p->stages[i].name, &w, b->currency))
			rc = crm_error_nomem();
	if (!rc)
		rc = board_rows(db, b, owner, keep, skip_missing, &w);
	for (size_t i = 0; i < b->nstages && !rc; i++) {
		struct crm_money m;
		if (!(rc = crm_money_weighted_result(&m, &w[i])))
			b->stages[i].weighted = m.minor;
	}
	free(w);
	if (rc) {
		crm_board_free(b);
		return rc;
	}
	trim_deals(b, keep);
	*out = b;
	return CRM_OK;
}

/* --- the forecast --- */

/* One row of the forecast. */
struct group {
	char *key;
	long open;
	int64_t amount, won, target;
	int has_target, team; /* team: a target set for everyone */
	struct crm_money_weighted weighted;
};

struct forecast {
	crm_db *db;
	const struct crm_forecast_opts *o;
	char from[CRM_DATE_LEN], to[CRM_DATE_LEN];
	char as_of[CRM_DATE_LEN]; /* the rates' day for open amounts */
	char until[CRM_TIME_LEN]; /* the end of the as-of day, or "" for now */
	struct group *g;
	size_t n;
	struct crm_money_weighted weighted; /* of every group: rounded once too */
	const struct crm_pipeline *pipeline; /* the one asked for, or NULL */
	long unconverted;
};

static void groups_free(struct forecast *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->g[i].key);
	free(f->g);
}

/* The group key belongs to, made when it is new. */
static int group_of(struct forecast *f, const char *key, struct group **out)
{
	struct group *g;

	for (size_t i = f->n; i-- > 0;)
		if (!strcmp(f->g[i].key, key))
			return *out = &f->g[i], CRM_OK;
	if (!(g = realloc(f->g, (f->n + 1) * sizeof *g)))
		return crm_error_nomem();
	f->g = g;
	g = memset(&g[f->n], 0, sizeof *g);
	if (!(g->key = strdup(key)))
		return crm_error_nomem();
	f->n++;
	*out = g;
	return crm_money_weighted_init(&g->weighted, base_currency(f->db), 100);
}

/* The group a deal falls in: the period of date, or its owner or
 * pipeline. */
static int key_of(const struct forecast *f, const char *date, const char *owner,
                  const char *pipeline, char *out, size_t size)
{
	const char *by = f->o->by ? f->o->by : "month";
	char period[CRM_PERIOD_LEN];
	int rc;

	if (!strcmp(by, "owner"))
		return snprintf(out, size, "%s", owner ? owner : "(none)"), CRM_OK;
	if (!strcmp(by, "pipeline"))
		return snprintf(out, size, "%s", pipeline ? pipeline : "(none)"), CRM_OK;
	if ((rc = crm_period_of(period, date, by)))
		return rc;
	snprintf(out, size, "%s", period);
	return CRM_OK;
}

/* The open deals expected to close in [from, to): now, or as they stood
 * at the end of the as-of day in their history. */
static const char open_now[] =
	"SELECT expected_close, owner, pipeline, amount, amount_currency, probability"
	" FROM deals WHERE status = 'open' AND archived_at IS NULL"
	" AND expected_close >= ?1 AND expected_close < ?2"
	" AND (?3 IS NULL OR owner = ?3) AND (?4 IS NULL OR pipeline = ?4)";
static const char open_then[] =
	"SELECT h.expected_close, h.owner, h.pipeline, h.amount, h.amount_currency, h.probability"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id"
	" WHERE h.status = 'open' AND h.left_at IS NULL AND h.entered_at <= ?5"
	" AND d.archived_at IS NULL AND h.expected_close >= ?1 AND h.expected_close < ?2"
	" AND (?3 IS NULL OR h.owner = ?3) AND (?4 IS NULL OR h.pipeline = ?4)"
	" UNION ALL"
	" SELECT h.expected_close, h.owner, h.pipeline, h.amount, h.amount_currency, h.probability"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id"
	" WHERE h.status = 'open' AND h.left_at > ?5 AND h.entered_at <= ?5"
	" AND d.archived_at IS NULL AND h.expected_close >= ?1 AND h.expected_close < ?2"
	" AND (?3 IS NULL OR h.owner = ?3) AND (?4 IS NULL OR h.pipeline = ?4)";
/* The deals won in [from, to): now, or those won by the as-of day. */
static const char won_now[] =
	"SELECT closed_at, owner, pipeline, amount, amount_currency, 100"
	" FROM deals WHERE status = 'won' AND archived_at IS NULL"
	" AND closed_at >= ?1 AND closed_at < ?2"
	" AND (?3 IS NULL OR owner = ?3) AND (?4 IS NULL OR pipeline = ?4)";
/* As of a past day, a deal is won when the history row it was in then
 * says so, on the day that row says it was won. */
static const char won_then[] =
	"SELECT h.closed_at, h.owner, h.pipeline, h.amount, h.amount_currency, 100"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id"
	" WHERE h.status = 'won' AND h.left_at IS NULL AND h.closed_at >= ?1"
	" AND h.closed_at < ?2 AND h.entered_at <= ?5 AND d.archived_at IS NULL"
	" AND (?3 IS NULL OR h.owner = ?3) AND (?4 IS NULL OR h.pipeline = ?4)"
	" UNION ALL"
	" SELECT h.closed_at, h.owner, h.pipeline, h.amount, h.amount_currency, 100"
	" FROM deal_history h JOIN deals d ON d.id = h.deal_id"
	" WHERE h.status = 'won' AND h.left_at > ?5 AND h.closed_at >= ?1"
	" AND h.closed_at < ?2 AND h.entered_at <= ?5 AND d.archived_at IS NULL"
	" AND (?3 IS NULL OR h.owner = ?3) AND (?4 IS NULL OR h.pipeline = ?4)";

/* Adds one deal of a query row to its group. */
static int add_deal(struct forecast *f, crm_stmt *st, int won)
{
	const char *date = crm_stmt_text(st, 0);
	char key[256];
	struct group *g;
	struct crm_money m = { 0, "" };
	int rc, skipped = 0;

	if ((rc = key_of(f, date, crm_stmt_text(st, 1), crm_stmt_text(st, 2), key, sizeof key)) ||
	    (rc = group_of(f, key, &g)))
		return rc;
	snprintf(m.cur, sizeof m.cur, "%s", base_currency(f->db));
	/* Won money at its own day's rate, open money at the as-of day's. */
	if (crm_stmt_kind(st, 3) != CRM_KIND_NULL &&
	    (rc = to_base(f->db, crm_stmt_int(st, 3), crm_stmt_text(st, 4), won ? date : f->as_of,
	                  f->o->skip_missing, &m.minor, &skipped)))
		return rc;
	if (skipped) {
		f->unconverted++;
		return CRM_OK;
	}
	if (won)
		return add(f->db, &g->won, m.minor);
	g->open++;
	if ((rc = add(f->db, &g->amount, m.minor)) ||
	    (rc = crm_money_weighted_add(&f->weighted, &m, crm_stmt_int(st, 5))))
		return rc;
	return crm_money_weighted_add(&g->weighted, &m, crm_stmt_int(st, 5));
}

static int scan(struct forecast *f, const char *sql, int won)
{
	crm_stmt *st;
	int rc = crm_db_prepare(f->db, &st, sql);

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, f->from);
	crm_stmt_bind_text(st, 2, f->to);
	crm_stmt_bind_text(st, 3, f->o->owner);
	crm_stmt_bind_text(st, 4, f->pipeline ? f->pipeline->name : NULL);
	crm_stmt_bind_text(st, 5, f->until);
	while ((rc = crm_stmt_step(st)) == CRM_ROW && !(rc = add_deal(f, st, won)))
		;
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Adds target t, in the base currency, to group key; team marks a
 * target set for everyone. */
static int add_target(struct forecast *f, const struct crm_sales_target *t, const char *key,
                      int team)
{
	struct group *g;
	char what[160];
	int64_t v;
	int rc, skipped;

	if ((rc = group_of(f, key, &g)))
		return rc;
	/* A rate missing for a target is the configuration's to mend: say
	 * which target, as no deal names its currency. */
	if ((rc = to_base(f->db, t->amount, t->currency, f->as_of, 0, &v, &skipped))) {
		snprintf(what, sizeof what, "the sales target of %s%s%s in crm-config(5)", t->period,
		         t->owner ? " for " : "", t->owner ? t->owner : "");
		return crm_error_prefix(what);
	}
	if ((rc = add(f->db, &g->target, v)))
		return rc;
	g->has_target = 1;
	g->team |= team;
	return CRM_OK;
}

/* Whether target t lies within [from, to); with by, whether it is also
 * the target of exactly one period group (a month's for --by month),
 * whose name goes to period. */
static int target_fits(const struct forecast *f, const struct crm_sales_target *t,
                       const char *by, char period[CRM_PERIOD_LEN])
{
	char a[CRM_DATE_LEN], b[CRM_DATE_LEN];

	if (crm_period_parse(a, b, t->period, 0) || strcmp(a, f->from) < 0 || strcmp(b, f->to) > 0)
		return 0;
	return !by || (!crm_period_of(period, a, by) && !strcmp(period, t->period));
}

static struct group *find_group(struct forecast *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->g[i].key, key))
			return &f->g[i];
	return NULL;
}

/* Puts the targets into the groups.  An owner's is the sum of that
 * owner's targets within the range; a period's is the target set for
 * exactly that period -- the team's (no owner), or with --owner that
 * owner's; a period with no team target takes the sum of its owners'.
 * Pipelines have none. */
static int add_targets(struct forecast *f)
{
	const struct crm_sales_target *t;
	size_t n = crm_config_targets(f->db->cfg, &t);
	const char *by = f->o->by ? f->o->by : "month", *who = f->o->owner;
	char period[CRM_PERIOD_LEN];
	int rc = CRM_OK;

	/* Targets are the team's or an owner's, never a pipeline's. */
	if (!strcmp(by, "pipeline") || f->pipeline)
		return CRM_OK;
	if (!strcmp(by, "owner")) {
		for (size_t i = 0; i < n && !rc; i++)
			if (t[i].owner && (!who || !strcmp(t[i].owner, who)) &&
			    target_fits(f, &t[i], NULL, period))
				rc = add_target(f, &t[i], t[i].owner, 0);
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if ((who ? t[i].owner && !strcmp(t[i].owner, who) : !t[i].owner) &&
		    target_fits(f, &t[i], by, period))
			rc = add_target(f, &t[i], period, 1);
	for (size_t i = 0; i < n && !rc && !who; i++) {
		struct group *g;

		if (!t[i].owner || !target_fits(f, &t[i], by, period))
			continue;
		if (!(g = find_group(f, period)) || !g->team)
			rc = add_target(f, &t[i], period, 0);
	}
	return rc;
}

/* Passes one row: the group's figures as text. */
static int emit(struct forecast *f, const struct group *g, int64_t weighted,
                int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char open[24], amount[CRM_MONEY_TEXT], w[CRM_MONEY_TEXT], won[CRM_MONEY_TEXT];
	char target[CRM_MONEY_TEXT], att[32], cov[32];
	struct crm_money m = { 0, "" };
	const char *vals[CRM_FORECAST_COLUMNS] = { g->key, open, amount, w, won, target, att, cov };
	int64_t covered = g->won;

	snprintf(m.cur, sizeof m.cur, "%s", base_currency(f->db));
	snprintf(open, sizeof open, "%ld", g->open);
	m.minor = g->amount, crm_money_format_amount(amount, sizeof amount, &m);
	m.minor = weighted, crm_money_format_amount(w, sizeof w, &m);
	m.minor = g->won, crm_money_format_amount(won, sizeof won, &m);
	m.minor = g->target, crm_money_format_amount(target, sizeof target, &m);
	if (!g->has_target)
		target[0] = '\0';
	crm_feedback_percent(att, sizeof att, g->won, g->has_target ? g->target : 0);
	/* Coverage: what is won and what the open deals are worth, weighted. */
	if (add(f->db, &covered, weighted))
		covered = INT64_MAX;
	crm_feedback_percent(cov, sizeof cov, covered, g->has_target ? g->target : 0);
	return fn(arg, vals);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* Sorts the groups and passes them, then their total. */
static int report(struct forecast *f, int (*fn)(void *arg, const char *const *vals), void *arg)
{
	struct group total = { (char *)"total", 0, 0, 0, 0, 0, 0, { 0, 0, 0, "" } };
	struct crm_money m;
	int rc = CRM_OK, stop = 0;

	if (f->n)
		qsort(f->g, f->n, sizeof *f->g, by_key);
	for (size_t i = 0; i < f->n && !rc && !stop; i++) {
		struct group *g = &f->g[i];

		if ((rc = crm_money_weighted_result(&m, &g->weighted)))
			break;
		total.open += g->open;
		total.has_target |= g->has_target;
		if ((rc = add(f->db, &total.amount, g->amount)) ||
		    (rc = add(f->db, &total.won, g->won)) || (rc = add(f->db, &total.target, g->target)))
			break;
		stop = emit(f, g, m.minor, fn, arg);
	}
	/* The total's weighted figure is the exact sum rounded once, so it may
	 * differ by a cent from the sum of the rows'. */
	if (!rc && !stop && !(rc = crm_money_weighted_result(&m, &f->weighted)))
		stop = emit(f, &total, m.minor, fn, arg);
	return rc ? rc : stop;
}

static int forecast_range(struct forecast *f)
{
	const struct crm_forecast_opts *o = f->o;
	const char *by = o->by ? o->by : "month";
	char now[CRM_TIME_LEN];

	if (strcmp(by, "month") && strcmp(by, "quarter") && strcmp(by, "year") &&
	    strcmp(by, "owner") && strcmp(by, "pipeline"))
		return crm_error_set(CRM_EUSAGE, "--by takes month, quarter, year, owner or pipeline,"
		                     " not '%s'", by);
	if (!o->from || !o->to || crm_date_parse(f->from, o->from, 0) ||
	    crm_date_parse(f->to, o->to, 0))
		return crm_error_set(CRM_EUSAGE, "a forecast needs a range of days");
	if (o->pipeline && !(f->pipeline = crm_config_pipeline(f->db->cfg, o->pipeline)))
		return crm_error_set(CRM_EUSAGE, "no pipeline '%s'", o->pipeline);
	crm_db_now(f->db, now);
	snprintf(f->as_of, sizeof f->as_of, "%.10s", o->as_of ? o->as_of : now);
	if (o->as_of)
		snprintf(f->until, sizeof f->until, "%.10sT23:59:59Z", o->as_of);
	return CRM_OK;
}

int crm_deal_forecast(crm_db *db, const struct crm_forecast_opts *o,
                      int (*fn)(void *arg, const char *const *vals), void *arg,
                      long *unconverted)
{
	struct forecast f = { .db = db, .o = o };
	int rc = forecast_range(&f);

	*unconverted = 0;
	if (!rc)
		rc = crm_money_weighted_init(&f.weighted, base_currency(db), 100);
	if (!rc)
		rc = scan(&f, o->as_of ? open_then : open_now, 0);
	if (!rc)
		rc = scan(&f, o->as_of ? won_then : won_now, 1);
	if (!rc)
		rc = add_targets(&f);
	if (!rc)
		rc = report(&f, fn, arg);
	*unconverted = f.unconverted;
	groups_free(&f);
	return rc;
}
