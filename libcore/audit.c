/* audit.c - the audit log: who changed what, when, through which program. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/audit.h"
#include "crm/date.h"
#include "crm/field.h"
#include "crm/output.h"
#include "internal.h"

#define AUDIT_RUN 8192 /* entries a statement: its journal stays small */

void crm_audit_forget(crm_db *db)
{
	crm_buf_free(&db->added.made);
	db->added.n = 0;
}

int crm_audit_flush(crm_db *db)
{
	/* One statement for the whole run, whatever it mixes: a row that
	 * makes a company, a person, their tags and a note would otherwise
	 * cost a statement an entry, each keeping the sequence again. */
	static const char sql[] = CRM_AUDIT_INSERT
		" SELECT ?1, ?2, ?3, CASE n % 4 WHEN 0 THEN ?4 WHEN 1 THEN ?5 WHEN 2 THEN ?6"
		" ELSE ?7 END, n / 4, action, changes, ?8"
		" FROM (SELECT key, iif(type = 'integer', value, value ->> 0) AS n,"
		"  iif(type = 'integer', 'add', value ->> 1) AS action,"
		"  iif(type = 'integer', NULL, value ->> 2) AS changes FROM json_each(?9))"
		" ORDER BY key";
	struct crm_audit_run *run = &db->added;
	crm_stmt *st;
	char now[21];
	int rc;

	_Static_assert(CRM_AUDIT_KINDS == 4, "the statement names four kinds");
	if (!run->n)
		return CRM_OK;
	if (crm_buf_putc(&run->made, ']'))
		rc = crm_error_nomem();
	else if (!(rc = crm_db_stmt(db, &st, sql))) {
		crm_db_now(db, now);
		crm_stmt_bind_text(st, 1, now);
		crm_stmt_bind_kept(st, 2, db->user);
		crm_stmt_bind_kept(st, 3, db->program);
		for (int k = 0; k < CRM_AUDIT_KINDS && run->kind[k]; k++)
			crm_stmt_bind_kept(st, 4 + k, run->kind[k]->name);
		crm_stmt_bind_int(st, 8, run->batch);
		crm_stmt_bind_kept(st, 9, crm_buf_str(&run->made));
		rc = crm_stmt_done(st);
	}
	crm_buf_clear(&run->made);
	memset(run->kind, 0, sizeof run->kind);
	run->n = 0;
	/* Whatever write it comes before, the failure is not that write's
	 * bad data: an import must not take it for a row to reject. */
	if (rc == CRM_EDATA)
		rc = crm_error_set(CRM_EFAIL, "cannot write the audit log: %s", crm_error_message());
	return rc;
}

/* Whether the audit log has given a seq yet: its first entry is written
 * at once, so that sqlite_sequence lists the tables in the order a row
 * at a time fills them. */
static int audit_begun(crm_db *db, int *begun)
{
	char *name;
	int rc = crm_db_text_of(db, "SELECT name FROM sqlite_sequence WHERE name = 'audit' AND ?1",
	                        1, &name);

	*begun = name != NULL;
	free(name);
	return rc;
}

/* The slot of entity e in the run, given one if it has none; -1 when all
 * are taken by others. */
static int run_kind(struct crm_audit_run *run, const struct crm_entity *e)
{
	for (int k = 0; k < CRM_AUDIT_KINDS; k++) {
		if (!run->kind[k])
			run->kind[k] = e;
		if (run->kind[k] == e)
			return k;
	}
	return -1;
}

/* Appends entry n (id * CRM_AUDIT_KINDS + kind) to the run's JSON: a
 * small add as its number alone, any other entry as [n, action, changes]. */
static int run_entry(crm_buf *b, int first, long long n, const char *action,
                     const char *changes)
{
	char num[24];
	int bad = crm_buf_putc(b, first ? '[' : ',');

	snprintf(num, sizeof num, "%lld", n);
	if (!strcmp(action, "add") && !changes)
		return bad | crm_buf_puts(b, num);
	bad |= crm_buf_putc(b, '[') | crm_buf_puts(b, num) | crm_buf_putc(b, ',');
	bad |= crm_json_quote(b, action) | crm_buf_putc(b, ',');
	bad |= changes ? crm_json_quote(b, changes) : crm_buf_puts(b, "null");
	return bad | crm_buf_putc(b, ']');
}

/* Adds an entry to the run (*later 1), or says to write it now: entries
 * wait only in a bulk import's transaction, where nothing reads the log
 * before the run is written (at a savepoint, the import's end, the
 * commit), and only once the log has its first entry. */
static int audit_later(crm_db *db, const char *entity, int64_t id, const char *action,
                       const char *changes, int *later)
{
	struct crm_audit_run *run = &db->added;
	const struct crm_entity *e = crm_entity_find(entity);
	int rc, k;

	*later = 0;
	if (!db->bulk || !db->in_tx || !db->batch || !e)
		return CRM_OK;
	if (run->n && (run->batch != db->batch || run->n >= AUDIT_RUN) && (rc = crm_audit_flush(db)))
		return rc;
	if (!run->n && ((rc = audit_begun(db, later)) || !*later))
		return rc;
	if ((k = run_kind(run, e)) < 0) {
		if ((rc = crm_audit_flush(db)))
			return rc;
		k = run_kind(run, e);
	}
	if (run_entry(&run->made, !run->n, (long long)id * CRM_AUDIT_KINDS + k, action, changes))
		return crm_error_nomem();
	run->batch = db->batch;
	run->n++;
	*later = 1;
	return CRM_OK;
}

int crm_audit_add(crm_db *db, const char *entity, int64_t id, const char *action,
                  const char *changes)
{
	static const char sql[] = CRM_AUDIT_INSERT " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	crm_stmt *st;
	char now[21];
	int rc, later;

	if ((rc = audit_later(db, entity, id, action, changes, &later)) || later)
		return rc;
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

/* What audit entries are about beside the entities' records: exchange
 * rates, campaign segments and templates. */
static const char *const audit_others[] = { "rate", "segment", "template", NULL };

/* CRM_OK when entries may be about name, else CRM_EUSAGE naming all. */
static int audit_subject(const char *name)
{
	const struct crm_entity *e;
	crm_buf all = CRM_BUF_INIT;
	int rc;

	for (size_t i = 0; audit_others[i]; i++)
		if (!strcmp(name, audit_others[i]))
			return CRM_OK;
	if (crm_entity_find(name))
		return CRM_OK;
	for (size_t k = 0; (e = crm_entity_at(k)); k++)
		crm_buf_printf(&all, "%s, ", crm_entity_name(e));
	for (size_t i = 0; audit_others[i]; i++)
		crm_buf_printf(&all, "%s%s", audit_others[i], audit_others[i + 1] ? ", " : "");
	rc = crm_error_set(CRM_EUSAGE, "unknown entity '%s' (entries are about: %s)", name,
	                   crm_buf_str(&all));
	crm_buf_free(&all);
	return rc;
}

int crm_audit_list(crm_db *db, const struct crm_audit_filter *f,
                   int (*fn)(void *arg, const char *const *vals), void *arg)
{
	static const char sql[] =
		"SELECT seq, at, user, program, entity, entity_id, action, " CRM_AUDIT_CHANGES " FROM audit"
		" WHERE (?1 IS NULL OR entity = ?1) AND (?2 = 0 OR entity_id = ?2)"
		" AND (?3 IS NULL OR at >= ?3) ORDER BY seq";
	char since[CRM_TIME_LEN];
	crm_buf text = CRM_BUF_INIT;
	const char *vals[CRM_AUDIT_COLUMNS];
	crm_stmt *st;
	int rc, stop = 0;

	if (f->since && crm_time_parse(since, f->since, db->now))
		return crm_error_set(CRM_EDATA, "invalid time '%s'", f->since);
	if ((f->entity && (rc = audit_subject(f->entity))) || (rc = crm_db_stmt(db, &st, sql)))
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

/* The fields an import's small "add" entry stands for: those a user sets,
 * which a record's "add" entry lists when written with its values. */
static bool created_field(const struct crm_fielddef *d)
{
	return !(d->f.flags & CRM_FIELD_RO);
}

void crm_audit_reads_free(crm_db *db)
{
	struct crm_audit_reads *r = &db->reads;

	crm_stmt_finalize(r->rec);
	crm_stmt_finalize(r->custom);
	crm_stmt_finalize(r->later);
	memset(r, 0, sizeof *r);
}

/* Prepares the reads of a record of entity e, unless they are e's. */
static int reads_prepare(crm_db *db, const struct crm_entity *e)
{
	struct crm_audit_reads *r = &db->reads;
	crm_buf sql = CRM_BUF_INIT;
	int rc = CRM_OK, bad = 0;

	if (r->e == e)
		return CRM_OK;
	crm_stmt_finalize(r->rec);
	crm_stmt_finalize(r->custom);
	*r = (struct crm_audit_reads){ .later = r->later };
	bad |= crm_buf_puts(&sql, "SELECT 0");
	for (size_t i = 0; i < e->nfields; i++)
		if (created_field(&e->defs[i])) {
			bad |= crm_buf_puts(&sql, ", ");
			bad |= crm_field_sql(&sql, &e->defs[i]);
		}
	bad |= crm_buf_printf(&sql, " FROM %s t %s WHERE t.id = ?1%s", e->table, e->join,
	                      e->erasable ? " AND t.erased_at IS NULL" : "");
	if (bad)
		rc = crm_error_nomem();
	if (!rc)
		rc = crm_db_prepare(db, &r->rec, crm_buf_str(&sql));
	crm_buf_clear(&sql);
	if (!rc && crm_buf_printf(&sql, "SELECT 'custom.' || key, value FROM %s WHERE %s = ?1"
	                          " ORDER BY key", e->custom_table, e->custom_fk))
		rc = crm_error_nomem();
	if (!rc)
		rc = crm_db_prepare(db, &r->custom, crm_buf_str(&sql));
	if (!rc && !r->later)
		rc = crm_db_prepare(db, &r->later, "SELECT changes FROM audit WHERE entity = ?1"
		                    " AND entity_id = ?2 AND seq > ?3 AND action <> 'add' ORDER BY seq");
	crm_buf_free(&sql);
	if (rc)
		crm_audit_reads_free(db);
	else
		r->e = e;
	return rc;
}

/* Sets field name of vals to the text v (JSON null for NULL). */
static int put(json_t *vals, const char *name, const char *v)
{
	return json_object_set_new(vals, name, v ? json_string(v) : json_null()) ? crm_error_nomem()
	                                                                        : CRM_OK;
}

/* Reads record id's created fields as they are now into *vals, an object
 * of name to value; NULL when the record is gone or erased. */
static int read_now(crm_db *db, int64_t id, json_t **vals)
{
	const struct crm_audit_reads *r = &db->reads;
	int rc, k = 1;

	*vals = NULL;
	crm_stmt_bind_int(r->rec, 1, id);
	if ((rc = crm_stmt_step(r->rec)) == CRM_ROW) {
		rc = (*vals = json_object()) ? CRM_OK : crm_error_nomem();
		for (size_t i = 0; !rc && i < r->e->nfields; i++)
			if (created_field(&r->e->defs[i]))
				rc = put(*vals, r->e->defs[i].f.name, crm_stmt_text(r->rec, k++));
	}
	crm_stmt_reset(r->rec);
	if (rc || !*vals)
		return rc < 0 ? rc : CRM_OK;
	crm_stmt_bind_int(r->custom, 1, id);
	while ((rc = crm_stmt_step(r->custom)) == CRM_ROW &&
	       !(rc = put(*vals, crm_stmt_text(r->custom, 0), crm_stmt_text(r->custom, 1))))
		;
	crm_stmt_reset(r->custom);
	return rc < 0 ? rc : CRM_OK;
}

/* Takes each field of vals back to the old value of the first entry after
 * seq that changed it. */
static int roll_back(crm_db *db, int64_t id, int64_t seq, json_t *vals)
{
	const struct crm_audit_reads *r = &db->reads;
	json_t *seen = json_object(), *changes, *v;
	const char *key;
	int rc;

	if (!seen)
		return crm_error_nomem();
	crm_stmt_bind_text(r->later, 1, r->e->name);
	crm_stmt_bind_int(r->later, 2, id);
	crm_stmt_bind_int(r->later, 3, seq);
	while ((rc = crm_stmt_step(r->later)) == CRM_ROW) {
		const char *text = crm_stmt_text(r->later, 0);

		changes = text ? json_loads(text, 0, NULL) : NULL;
		json_object_foreach(changes, key, v) {
			const struct crm_fielddef *d = crm_fielddef_of(crm_entity_field_find(r->e, key));
			bool custom = !strncmp(key, "custom.", 7);

			if (!change_p(v) || json_object_get(seen, key) ||
			    (!custom && (!d || !created_field(d))))
				continue;
			json_object_set(seen, key, json_true());
			json_object_set(vals, key, json_array_get(v, 0));
		}
		json_decref(changes);
	}
	crm_stmt_reset(r->later);
	json_decref(seen);
	return rc < 0 ? rc : CRM_OK;
}

int crm_audit_created(crm_db *db, const char *entity, int64_t id, int64_t seq, char **json)
{
	const struct crm_entity *e = crm_entity_find(entity);
	crm_buf b = CRM_BUF_INIT;
	json_t *vals = NULL, *v;
	const char *key;
	int rc = CRM_OK, bad, n = 0;

	*json = NULL;
	if (!e || (rc = reads_prepare(db, e)) || (rc = read_now(db, id, &vals)) || !vals ||
	    (rc = roll_back(db, id, seq, vals))) {
		json_decref(vals);
		return rc;
	}
	bad = crm_buf_putc(&b, '{');
	json_object_foreach(vals, key, v) {
		if (!json_is_string(v))
			continue;
		bad |= n++ ? crm_buf_putc(&b, ',') : 0;
		bad |= crm_audit_json_change(&b, key, NULL, json_string_value(v));
	}
	bad |= crm_buf_putc(&b, '}');
	json_decref(vals);
	if (bad) {
		crm_buf_free(&b);
		return crm_error_nomem();
	}
	*json = crm_buf_detach(&b);
	return CRM_OK;
}
