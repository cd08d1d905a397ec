/* db_func.c - the SQL functions libcore registers on every connection:
 * match keys and folds, domains, money as text, conversion to the base
 * currency, the command's time, what the configuration says of stages and
 * tasks, and the audit JSON of new records; and the search index's
 * tokenizer (tokenizer.c).  With db.c, stmt.c and tokenizer.c, the only
 * files that speak SQLite's API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "crm/rates.h"
#include "internal.h"
#include "memo.h"

/* Names remembered at once: an import forgets them after every chunk of
 * search entries it writes (REINDEX_CHUNK records), well below the
 * three quarters of these at which the table empties itself. */
#define NAME_SLOTS 8192

/* crm_key(text) and crm_fold(text): the match key and its cross-script
 * fold, so SQL can compare the way search and dedup do; from memo when
 * the text was worked out ahead. */
static void sql_text(sqlite3_context *ctx, sqlite3_value **argv, int (*fn)(char **, const char *),
                     const crm_memo *memo)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]), *known;
	char *k = NULL;

	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	if (memo && (known = crm_memo_get(memo, s))) {
		sqlite3_result_text(ctx, known, -1, SQLITE_TRANSIENT);
		return;
	}
	if (fn(&k, s)) {
		sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
		return;
	}
	sqlite3_result_text(ctx, k, -1, free);
}

static void sql_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const crm_db *db = sqlite3_user_data(ctx);

	(void)argc;
	sql_text(ctx, argv, crm_text_key, db->name_keys);
}

/* crm_sort_key(value): what --sort orders a value by: text by its match
 * key, a number (a computed field such as a task's urgency) as it is. */
static void sql_sort_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT)
		sql_key(ctx, argc, argv);
	else
		sqlite3_result_value(ctx, argv[0]);
}

static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const crm_db *db = sqlite3_user_data(ctx);

	(void)argc;
	sql_text(ctx, argv, crm_text_fold, db->name_folds);
}

/* crm_name(first, last): a person's whole name as it is read
 * (crm_name_join: 山田 太郎, Ada Lovelace). */
static void sql_name(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *name = NULL;

	(void)argc;
	if (crm_name_join(&name, (const char *)sqlite3_value_text(argv[0]),
	                  (const char *)sqlite3_value_text(argv[1])))
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, name, -1, free);
}

/* crm_domain(text): a company's domain as it is stored (the migration to
 * schema 16); text that is no domain stays as it is. */
static void sql_domain(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_text(ctx, argv, crm_domain_normalize, NULL);
}

int crm_db_remember_name(crm_db *db, const char *text, const char *key, const char *fold)
{
	if (!db->name_keys && !(db->name_keys = crm_memo_new(NAME_SLOTS)))
		return crm_error_nomem();
	if (!db->name_folds && !(db->name_folds = crm_memo_new(NAME_SLOTS)))
		return crm_error_nomem();
	return crm_memo_put(db->name_keys, text, key) || crm_memo_put(db->name_folds, text, fold)
	       ? crm_error_nomem() : CRM_OK;
}

void crm_db_forget_names(crm_db *db)
{
	if (db->name_keys)
		crm_memo_clear(db->name_keys);
	if (db->name_folds)
		crm_memo_clear(db->name_folds);
}

/* crm_money(minor, currency): an amount as text, "1234.50 EUR". */
static void sql_money(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct crm_money m = { 0, "" };
	char text[CRM_MONEY_TEXT];
	const char *cur = (const char *)sqlite3_value_text(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !cur) {
		sqlite3_result_null(ctx);
		return;
	}
	m.minor = sqlite3_value_int64(argv[0]);
	snprintf(m.cur, sizeof m.cur, "%s", cur);
	if (crm_money_format(text, sizeof text, &m))
		sqlite3_result_error(ctx, crm_error_message(), -1);
	else
		sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

/* Converts argv (minor, currency, date) to minor units of the base
 * currency at the rate of date (NULL: the command's day); returns 1 on
 * success, 0 for NULL input, -1 on failure with the error recorded. */
static int base_of(sqlite3_context *ctx, sqlite3_value **argv, int64_t *out)
{
	crm_db *db = sqlite3_user_data(ctx);
	const char *cur = (const char *)sqlite3_value_text(argv[1]);
	const char *date = (const char *)sqlite3_value_text(argv[2]);
	struct crm_money m = { 0, "" }, b;
	char now[CRM_TIME_LEN];

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !cur)
		return 0;
	if (!date) {
		crm_db_now(db, now);
		date = now;
	}
	m.minor = sqlite3_value_int64(argv[0]);
	snprintf(m.cur, sizeof m.cur, "%s", cur);
	if (crm_money_base(db, &m, date, &b))
		return -1;
	*out = b.minor;
	return 1;
}

/* Fails the statement with the recorded message as bad data (an amount
 * with no rate to convert it), which crm_db_fail reports as CRM_EDATA. */
static void data_error(sqlite3_context *ctx)
{
	sqlite3_result_error(ctx, crm_error_message(), -1);
	sqlite3_result_error_code(ctx, SQLITE_CONSTRAINT_FUNCTION);
}

/* crm_base(minor, currency, date): the amount in minor units of the base
 * currency; an error when no rate converts it. */
static void sql_base(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t v;
	int rc = base_of(ctx, argv, &v);

	(void)argc;
	if (rc > 0)
		sqlite3_result_int64(ctx, v);
	else if (rc < 0)
		data_error(ctx);
	else
		sqlite3_result_null(ctx);
}

/* crm_base_or_null(minor, currency, date): the same, NULL when no rate
 * converts it (for figures that only rank, such as urgency). */
static void sql_base_or_null(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t v;

	(void)argc;
	if (base_of(ctx, argv, &v) > 0)
		sqlite3_result_int64(ctx, v);
	else
		sqlite3_result_null(ctx);
	crm_error_clear();
}

/* crm_base_money(minor): minor units of the base currency as text,
 * "1234.50 EUR"; NULL stays NULL. */
static void sql_base_money(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	crm_db *db = sqlite3_user_data(ctx);
	struct crm_money m = { 0, "" };
	char text[CRM_MONEY_TEXT];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	m.minor = sqlite3_value_int64(argv[0]);
	snprintf(m.cur, sizeof m.cur, "%s", crm_config_currency(db->cfg));
	if (crm_money_format(text, sizeof text, &m))
		sqlite3_result_error(ctx, crm_error_message(), -1);
	else
		sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

/* crm_urgency(due, priority, open): how urgent a task is, with the
 * coefficients of the configuration (crm-config(5)): per day overdue,
 * for its priority, and per 1,000 units of the base currency open in its
 * deal (open: minor units, or NULL). */
static void sql_urgency(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	crm_db *db = sqlite3_user_data(ctx);
	const struct crm_urgency *u = crm_config_urgency(db->cfg);
	const char *due = (const char *)sqlite3_value_text(argv[0]);
	const char *prio = (const char *)sqlite3_value_text(argv[1]);
	char today[CRM_TIME_LEN], day[CRM_DATE_LEN];
	int64_t t0, t1;
	double v = 0;

	(void)argc;
	crm_db_now(db, today);
	today[10] = '\0';
	if (due && !crm_date_parse(day, due, db->now) && !crm_time_parse_epoch(&t0, day, 0) &&
	    !crm_time_parse_epoch(&t1, today, 0) && t1 > t0)
		v += u->overdue * (double)((t1 - t0) / 86400);
	if (prio)
		v += !strcmp(prio, "high") ? u->high : !strcmp(prio, "low") ? u->low : u->normal;
	if (sqlite3_value_type(argv[2]) != SQLITE_NULL) {
		int exp = crm_currency_exponent(crm_config_currency(db->cfg));
		v += u->deal * (double)sqlite3_value_int64(argv[2]) / pow(10, exp > 0 ? exp : 0) / 1000;
	}
	crm_error_clear();
	sqlite3_result_double(ctx, round(v * 100) / 100);
}

/* crm_now(): the command's time, so that one command has one time. */
static void sql_now(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char now[CRM_TIME_LEN];

	(void)argc, (void)argv;
	crm_db_now(sqlite3_user_data(ctx), now);
	sqlite3_result_text(ctx, now, -1, SQLITE_TRANSIENT);
}

/* crm_stage(pipeline, stage, what): a stage's probability or rot_days from
 * the configuration; NULL for a stage it does not name. */
static void sql_stage(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	crm_db *db = sqlite3_user_data(ctx);
	const char *pipeline = (const char *)sqlite3_value_text(argv[0]);
	const char *stage = (const char *)sqlite3_value_text(argv[1]);
	const char *what = (const char *)sqlite3_value_text(argv[2]);
	const struct crm_pipeline *p = pipeline ? crm_config_pipeline(db->cfg, pipeline) : NULL;
	const struct crm_stage *st = p && stage ? crm_pipeline_stage(p, stage) : NULL;

	(void)argc;
	if (!st || !what)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int(ctx, !strcmp(what, "rot_days") ? st->rot_days : st->probability);
}

/* crm_created(entity, id, seq): what an import's small "add" entry stands
 * for (crm_audit_created), or NULL. */
static void sql_created(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *json;

	(void)argc;
	if (crm_audit_created(sqlite3_user_data(ctx), (const char *)sqlite3_value_text(argv[0]),
	                      sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[2]), &json))
		sqlite3_result_error(ctx, crm_error_message(), -1);
	else if (json)
		sqlite3_result_text(ctx, json, -1, free);
	else
		sqlite3_result_null(ctx);
}

/* crm_check_lists(sql): crm_schema_check_lists, for schema step 14. */
static void sql_check_lists(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *sql = (const char *)sqlite3_value_text(argv[0]);
	char *out;

	(void)argc;
	if (!sql)
		sqlite3_result_null(ctx);
	else if (!(out = crm_schema_check_lists(sql)))
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, out, -1, free);
}

int crm_db_register_functions(crm_db *db)
{
	static const struct {
		const char *name;
		int args, flags;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "crm_key", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_key },
		{ "crm_fold", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_fold },
		{ "crm_name", 2, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_name },
		{ "crm_sort_key", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_sort_key },
		{ "crm_domain", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_domain },
		{ "crm_money", 2, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_money },
		{ "crm_base", 3, 0, sql_base },
		{ "crm_base_or_null", 3, 0, sql_base_or_null },
		{ "crm_base_money", 1, 0, sql_base_money },
		{ "crm_urgency", 3, 0, sql_urgency },
		{ "crm_now", 0, 0, sql_now },
		{ "crm_stage", 3, 0, sql_stage },
		{ "crm_created", 3, 0, sql_created },
		{ "crm_check_lists", 1, SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, sql_check_lists },
	};
	int rc = SQLITE_OK;

	for (size_t i = 0; i < sizeof fns / sizeof fns[0] && rc == SQLITE_OK; i++)
		rc = sqlite3_create_function(db->h, fns[i].name, fns[i].args,
		                             SQLITE_UTF8 | fns[i].flags, db, fns[i].fn, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = crm_tokenizer_register(db->h);
	return rc == SQLITE_OK ? CRM_OK : crm_db_fail(db, rc, "cannot register functions");
}
