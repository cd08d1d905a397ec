/* campaign_trigger.c - birthday, anniversary and date-field triggers: the
 * people whose date falls on a day, greeted once a year through the send
 * log (the occurrence is the year of the day greeted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/entity.h"
#include "campaign_impl.h"
#include "registry.h"

/* Stores in *key the custom field or "birth_date" a trigger's on names
 * ("birthday", "anniversary", "date-field:KEY"); CRM_EUSAGE otherwise. */
static int trigger_kind(const char *on, const char **key)
{
	*key = NULL;
	if (!strcmp(on, "birthday") || !strcmp(on, "anniversary"))
		return CRM_OK;
	if (!strncmp(on, "date-field:", 11) && on[11]) {
		*key = on + 11;
		if (!strncmp(*key, "custom.", 7) && (*key)[7])
			*key += 7;
		if (strlen(*key) < 64 && !(*key)[strcspn(*key, " \t\r\n'\"")])
			return CRM_OK;
	}
	return crm_error_set(CRM_EUSAGE, "invalid trigger '%s' (birthday, anniversary or"
	                     " date-field FIELD)", on);
}

int crm_trigger_add(crm_db *db, const char *on, int days_before, int64_t points,
                    const struct crm_record *r, int64_t *id)
{
	const char *key;
	char stored[96];
	crm_stmt *st;
	int rc;

	if ((rc = trigger_kind(on, &key)))
		return rc;
	if (days_before < 0 || days_before > 365)
		return crm_error_set(CRM_EUSAGE, "--days-before: expected 0 to 365, not %d",
		                     days_before);
	if (points < 0)
		return crm_error_set(CRM_EUSAGE, "--points: expected a positive number");
	/* A date field of the person is birth_date; any other is custom. */
	snprintf(stored, sizeof stored, "%s%s", key ? "date-field:" : on, key ? key : "");
	if ((rc = crm_entity_add(db, r, id)) ||
	    (rc = crm_db_stmt(db, &st, "UPDATE campaigns SET kind = 'trigger', trigger_on = ?2,"
	                      " days_before = ?3, points = ?4, status = 'active' WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, *id);
	crm_stmt_bind_text(st, 2, stored);
	crm_stmt_bind_int(st, 3, days_before);
	if (points)
		crm_stmt_bind_int(st, 4, points);
	else
		crm_stmt_bind_null(st, 4);
	if ((rc = crm_stmt_done(st)))
		return rc;
	return crm_audit_change(db, "campaign", *id, "set", "on", NULL, stored);
}

/* ---- the people of a day ---- */

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Where each kind of date is read: (id, d) rows. */
static const char birthdays[] =
	"SELECT id, birth_date d FROM contacts WHERE birth_date IS NOT NULL AND archived_at IS NULL";
static const char first_purchases[] =
	"SELECT contact_id id, min(at) d FROM purchases WHERE contact_id IS NOT NULL"
	" AND refund_of IS NULL AND archived_at IS NULL AND status <> 'cancelled'"
	" GROUP BY contact_id";
static const char custom_dates[] =
	"SELECT contact_id id, value d FROM contact_custom WHERE key = ?5";

/* Fills temp.crm_trigger_day with the people whose date falls on day:
 * the same month and day in an earlier year, and on 28 February of a
 * year without a 29th, those born on the 29th. */
static int day_people(crm_db *db, const char *on, const char *day)
{
	const char *key, *src;
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc, year = (int)strtol(day, NULL, 10);

	if ((rc = trigger_kind(on, &key)))
		return rc;
	src = !strcmp(on, "birthday") || (key && !strcmp(key, "birth_date")) ? birthdays
	    : key ? custom_dates : first_purchases;
	if ((rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_trigger_day (id INTEGER"
	                      " PRIMARY KEY, occasion TEXT, years INTEGER);"
	                      " DELETE FROM temp.crm_trigger_day")))
		return rc;
	crm_buf_printf(&sql, "INSERT OR IGNORE INTO temp.crm_trigger_day(id, occasion, years)"
	               " SELECT id, ?1, ?2 - CAST(substr(d, 1, 4) AS INTEGER) FROM (%s)"
	               " WHERE d GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
	               " AND substr(d, 1, 4) < ?3"
	               " AND (substr(d, 6, 5) = ?4 OR (?6 AND substr(d, 6, 5) = '02-29'))", src);
	if (!(rc = crm_db_prepare(db, &st, crm_buf_str(&sql)))) {
		crm_stmt_bind_text(st, 1, day);
		crm_stmt_bind_int(st, 2, year);
		crm_stmt_bind_textn(st, 3, day, 4);
		crm_stmt_bind_text(st, 4, day + 5);
		if (key && src == custom_dates)
			crm_stmt_bind_text(st, 5, key);
		crm_stmt_bind_int(st, 6, !strcmp(day + 5, "02-28") && !leap(year));
		rc = crm_stmt_done(st);
		crm_stmt_finalize(st);
	}
	crm_buf_free(&sql);
	return rc;
}

/* Stores each row's occasion and years from the day's table. */
static int day_values(crm_db *db, struct people *p)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT occasion, years FROM temp.crm_trigger_day"
	                     " WHERE id = ?1");

	if (rc)
		return rc;
	if (!(p->occasion = calloc(p->n + 1, sizeof *p->occasion)) ||
	    !(p->years = calloc(p->n + 1, sizeof *p->years)))
		return crm_error_nomem();
	for (size_t i = 0; i < p->n && !rc; i++) {
		crm_stmt_bind_int(st, 1, strtoll(people_value(p, i, "id"), NULL, 10));
		if ((rc = crm_stmt_step(st)) == CRM_ROW) {
			p->years[i] = crm_stmt_int(st, 1);
			rc = (p->occasion[i] = strdup(crm_stmt_text(st, 0))) ? CRM_OK : crm_error_nomem();
		}
		crm_stmt_reset(st);
	}
	return rc < 0 ? rc : CRM_OK;
}

/* Reads trigger id and the people it greets on day (the occasion is
 * days_before after it) into r; *occ gets the occasion's year. */
static int load_trigger(crm_db *db, int64_t id, const char *day, struct campaign *c,
                        struct renderer *r, char occ[8])
{
	char target[CRM_DATE_LEN], *fields = NULL;
	crm_query *q = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = crm_db_begin(db, false)))
		return rc;
	if (!(rc = campaign_read(db, id, c)) &&
	    !(rc = crm_date_add_days(target, day, c->days_before)) &&
	    !(rc = day_people(db, c->on, target)) && !(rc = renderer_open(r, db, c, &fields)))
		rc = c->segment ? crm_segment_query(db, c->segment, &q)
		                : crm_query_new(&q, db, &crm_contact_entity);
	if (!rc && !(rc = crm_query_sql(q, "t.id IN (SELECT id FROM temp.crm_trigger_day)")) &&
	    !(rc = crm_query_fields(q, fields)) && !(rc = renderer_collect(r, q)))
		rc = day_values(db, &r->ppl);
	snprintf(occ, 8, "%.4s", target);
	crm_query_free(q);
	free(fields);
	crm_db_rollback(db);
	return rc;
}

int crm_triggers_run(crm_db *db, const char *date, const struct crm_send_opts *o,
                     int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                     struct crm_send_tally *t)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	memset(t, 0, sizeof *t);
	if ((rc = crm_db_begin(db, false)))
		return rc;
	rc = crm_db_ids(db, "SELECT id FROM campaigns WHERE kind = 'trigger' AND status = 'active'"
	                " AND archived_at IS NULL AND id > ?1 ORDER BY id", 0, &ids, &n);
	crm_db_rollback(db);
	for (size_t i = 0; i < n && !rc; i++) {
		struct campaign c;
		struct renderer r;
		char occ[8];

		if (!(rc = load_trigger(db, ids[i], date, &c, &r, occ)))
			rc = campaign_run(&r, occ, o, fn, arg, t);
		renderer_close(&r);
		campaign_free(&c);
	}
	free(ids);
	return rc;
}
