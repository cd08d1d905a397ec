/* audit.c - the audit log: who changed what, when, through which program. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crm/audit.h"
#include "crm/date.h"
#include "internal.h"

void crm_audit_forget(crm_db *db)
{
	struct crm_audit_run *run = &db->added;

	for (size_t i = 0; i < run->nkeys; i++)
		free(run->keys[i]);
	free(run->keys);
	free(run->defs);
	free(run->sql);
	memset(run, 0, sizeof *run);
}

int crm_audit_flush(crm_db *db)
{
	const struct crm_audit_run *run = &db->added;
	crm_stmt *st;
	char now[21];
	int rc, p = 1;

	if (!run->sql)
		return CRM_OK;
	if (!(rc = crm_db_stmt(db, &st, run->sql))) {
		for (size_t i = 0; i < run->nkeys; i++)
			crm_stmt_bind_text(st, p++, run->keys[i]);
		crm_stmt_bind_int(st, p++, run->lo);
		crm_stmt_bind_int(st, p++, run->hi);
		crm_db_now(db, now);
		crm_stmt_bind_text(st, p++, now);
		crm_stmt_bind_text(st, p++, db->user);
		crm_stmt_bind_text(st, p++, db->program);
		crm_stmt_bind_text(st, p++, run->e->name);
		if (run->batch)
			crm_stmt_bind_int(st, p, run->batch);
		rc = crm_stmt_done(st);
	}
	crm_audit_forget(db);
	/* Whatever write it comes before, the failure is not that write's
	 * bad data: an import must not take it for a row to reject. */
	if (rc == CRM_EDATA)
		rc = crm_error_set(CRM_EFAIL, "cannot write the audit log: %s", crm_error_message());
	return rc;
}

int crm_audit_add(crm_db *db, const char *entity, int64_t id, const char *action,
                  const char *changes)
{
	static const char sql[] = CRM_AUDIT_INSERT " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	crm_stmt *st;
	char now[21];
	int rc;

	if ((rc = crm_audit_flush(db)) || (rc = crm_db_stmt(db, &st, sql)))
		return rc;
	crm_db_now(db, now);
	/* Bound without copies: all of them outlive the statement's step. */
	crm_stmt_bind_kept(st, 1, now);
	crm_stmt_bind_kept(st, 2, db->user);
	crm_stmt_bind_kept(st, 3, db->program);
	crm_stmt_bind_kept(st, 4, entity);
	crm_stmt_bind_int(st, 5, id);
	crm_stmt_bind_kept(st, 6, action);
	crm_stmt_bind_kept(st, 7, changes);
	if (db->batch)
		crm_stmt_bind_int(st, 8, db->batch);
	return crm_stmt_done(st);
}

int crm_audit_json_change(crm_buf *b, const char *name, const char *old, const char *new)
{
	int bad = crm_json_quote(b, name);

	bad |= crm_buf_puts(b, ":[");
	bad |= old ? crm_json_quote(b, old) : crm_buf_puts(b, "null");
	bad |= crm_buf_putc(b, ',');
	bad |= new ? crm_json_quote(b, new) : crm_buf_puts(b, "null");
	bad |= crm_buf_putc(b, ']');
	return bad ? CRM_ENOMEM : CRM_OK;
}

int crm_audit_change(crm_db *db, const char *entity, int64_t id, const char *action,
                     const char *name, const char *old, const char *new)
{
	crm_buf j = CRM_BUF_INIT;
	int rc;

	if (crm_buf_putc(&j, '{') || crm_audit_json_change(&j, name, old, new) ||
	    crm_buf_putc(&j, '}'))
		rc = crm_error_nomem();
	else
		rc = crm_audit_add(db, entity, id, action, crm_buf_str(&j));
	crm_buf_free(&j);
	return rc;
}

/* Renders one change as "field: old → new"; an empty side is left out
 * rather than shown as a gap ("city: → Oslo", "city: Oslo →"). */
static void render_change(crm_buf *b, const char *field, const char *old, const char *new)
{
	crm_buf_printf(b, "%s:", field);
	if (old && *old)
		crm_buf_printf(b, " %s", old);
	crm_buf_puts(b, " \xe2\x86\x92");
	if (new && *new)
		crm_buf_printf(b, " %s", new);
}

/* Renders an audit entry's changes as "field: old → new; ...". */
/* Whether v is an old -> new change: [old, new], each a string or null. */
static bool change_p(json_t *v)
{
	return json_is_array(v) && json_array_size(v) == 2 &&
	       (json_is_string(json_array_get(v, 0)) || json_is_null(json_array_get(v, 0))) &&
	       (json_is_string(json_array_get(v, 1)) || json_is_null(json_array_get(v, 1)));
}

void crm_audit_render(crm_buf *b, const char *action, const char *changes)
{
	json_t *root = changes ? json_loads(changes, 0, NULL) : NULL;
	bool add = !strcmp(action, "add"), first = true;
	const char *key;
	json_t *v;

	json_object_foreach(root, key, v) {
		const char *o = json_string_value(json_array_get(v, 0));
		const char *n = json_string_value(json_array_get(v, 1));
		crm_buf_puts(b, !first ? "; " : add ? "created: " : "");
		first = false;
		if (add) {
			crm_buf_printf(b, "%s=%s", key, n ? n : "");
		} else if (change_p(v)) {
			render_change(b, key, o, n);
		} else {
			/* Facts such as a merge's ids: "merged: [2,5]". */
			char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			crm_buf_printf(b, "%s: %s", key, t ? t : "");
			free(t);
		}
	}
	json_decref(root);
	/* Entries without values (a purge, or values purged) show the action. */
	if (first)
		crm_buf_puts(b, action);
}

int crm_audit_list(crm_db *db, const struct crm_audit_filter *f,
                   int (*fn)(void *arg, const char *const *vals), void *arg)
{
	static const char sql[] =
		"SELECT seq, at, user, program, entity, entity_id, action, changes FROM audit"
		" WHERE (?1 IS NULL OR entity = ?1) AND (?2 = 0 OR entity_id = ?2)"
		" AND (?3 IS NULL OR at >= ?3) ORDER BY seq";
	char since[CRM_TIME_LEN];
	crm_buf text = CRM_BUF_INIT;
	const char *vals[CRM_AUDIT_COLUMNS];
	crm_stmt *st;
	int rc, stop = 0;

	if (f->since && crm_time_parse(since, f->since, db->now))
		return crm_error_set(CRM_EDATA, "invalid time '%s'", f->since);
	if ((rc = crm_db_stmt(db, &st, sql)))
		return rc;
	crm_stmt_bind_text(st, 1, f->entity);
	crm_stmt_bind_int(st, 2, f->id);
	crm_stmt_bind_text(st, 3, f->since ? since : NULL);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < CRM_AUDIT_COLUMNS - 1; i++)
			vals[i] = crm_stmt_text(st, i);
		crm_buf_clear(&text);
		crm_audit_render(&text, vals[6], crm_stmt_text(st, 7));
		vals[7] = crm_buf_str(&text);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	crm_buf_free(&text);
	return crm_walk_end(stop, rc);
}
