/* entity.c - the life of a record: whether it exists and may change,
 * archiving and restoring, deleting, and finding one from a reference.
 *
 * What refers to a record comes from the registry: deleting one detaches
 * every record whose reference fields name it.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/norm.h"
#include "internal.h"

static int unique_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	return crm_buf_printf(sql, "SELECT id FROM %s WHERE ", e->table) ||
	       crm_field_column(sql, d, crm_type_of(d)->derived[0].suffix) ||
	       crm_buf_puts(sql, " = ?1 AND archived_at IS NULL AND id <> ?2");
}

int crm_entity_check_unique(crm_db *db, const struct crm_entity *e,
                            const struct crm_fielddef *d, const char *norm, int64_t self)
{
	crm_stmt *st;
	int rc;
	long long other = 0;

	if ((rc = crm_db_stmt_built(db, &st, unique_sql, e, d)))
		return rc;
	crm_stmt_bind_text(st, 1, norm);
	crm_stmt_bind_int(st, 2, self);
	if (crm_stmt_step(st) == CRM_ROW)
		other = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	if (other)
		return crm_error_set(CRM_EDATA, "%s: '%s' already belongs to %s %lld", d->f.name,
		                     norm, e->name, other);
	return CRM_OK;
}

static int exists_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT 1 FROM %s WHERE id = ?1", e->table);
}

int crm_entity_exists(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_stmt *st;
	int rc, found;

	if ((rc = crm_db_stmt_built(db, &st, exists_sql, e, NULL)))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	found = crm_stmt_step(st) == CRM_ROW;
	crm_stmt_reset(st);
	return found ? CRM_OK : crm_error_set(CRM_ENOTFOUND, "no %s %lld", e->name, (long long)id);
}

static int erased_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT erased_at IS NOT NULL FROM %s WHERE id = ?1", e->table);
}

int crm_entity_not_erased(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_stmt *st;
	int rc, erased;

	if (!e->erasable)
		return CRM_OK;
	if ((rc = crm_db_stmt_built(db, &st, erased_sql, e, NULL)))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	erased = crm_stmt_step(st) == CRM_ROW && (int)crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return erased ? crm_error_set(CRM_EDATA, "%s %lld was erased and cannot be changed",
	                              e->name, (long long)id) : CRM_OK;
}

int crm_entity_referable(crm_db *db, const struct crm_entity *e, int64_t id)
{
	int rc = crm_entity_not_erased(db, e, id);

	return rc == CRM_EDATA ? crm_error_set(CRM_EDATA, "%s %lld was erased", e->name,
	                                       (long long)id) : rc;
}

int crm_entity_editable(crm_db *db, const struct crm_entity *e, int64_t id)
{
	int rc;

	if ((rc = crm_db_writable(db)) || (rc = crm_entity_exists(db, e, id)))
		return rc;
	return crm_entity_not_erased(db, e, id);
}

static int archived_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT archived_at IS NOT NULL FROM %s WHERE id = ?1", e->table);
}

int crm_entity_live(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_stmt *st;
	int rc, archived;

	if ((rc = crm_entity_editable(db, e, id)) ||
	    (rc = crm_db_stmt_built(db, &st, archived_sql, e, NULL)))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	archived = crm_stmt_step(st) == CRM_ROW && (int)crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return archived ? crm_error_set(CRM_EDATA, "%s %lld is archived (restore it first)",
	                                e->name, (long long)id) : CRM_OK;
}

/* Reads the normalised value of unique field d of record id (malloc'd,
 * or NULL), for the restore uniqueness check. */
static char *unique_of(crm_db *db, const struct crm_entity *e, const struct crm_fielddef *d,
                       int64_t id)
{
	crm_buf sql = CRM_BUF_INIT;
	char *v = NULL;

	crm_buf_puts(&sql, "SELECT ");
	crm_field_column(&sql, d, crm_type_of(d)->derived[0].suffix);
	crm_buf_printf(&sql, " FROM %s WHERE id = ?1", e->table);
	if (crm_db_text_of(db, crm_buf_str(&sql), id, &v))
		v = NULL;
	crm_buf_free(&sql);
	return v;
}

/* Fails when a live record now holds a unique value of record id, which
 * restoring it would duplicate. */
static int check_restorable(crm_db *db, const struct crm_entity *e, int64_t id)
{
	char *v;
	int rc = CRM_OK;

	for (size_t i = 0; i < e->nfields && !rc; i++) {
		if (!crm_type_of(&e->defs[i])->unique || !(v = unique_of(db, e, &e->defs[i], id)))
			continue;
		rc = crm_entity_check_unique(db, e, &e->defs[i], v, id);
		free(v);
	}
	return rc;
}

int crm_entity_archive(crm_db *db, const struct crm_entity *e, int64_t id, int archive,
                       int *changed)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	char now[CRM_TIME_LEN];
	int rc;

	if ((rc = archive ? crm_db_writable(db) : crm_entity_editable(db, e, id)) ||
	    (rc = crm_entity_exists(db, e, id)) || (!archive && (rc = check_restorable(db, e, id))))
		return rc;
	crm_buf_printf(&sql, "UPDATE %s SET archived_at = ?1, updated_at = ?2 WHERE id = ?3"
	               " AND archived_at IS %s NULL", e->table, archive ? "" : "NOT");
	rc = crm_db_stmt(db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_text(st, 1, archive ? now : NULL);
	crm_stmt_bind_text(st, 2, now);
	crm_stmt_bind_int(st, 3, id);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*changed = crm_db_changes(db) > 0;
	if (!*changed)
		return CRM_OK;
	if (e->after_archive && (rc = e->after_archive(db, id)))
		return rc;
	return crm_audit_add(db, e->name, id, archive ? "archive" : "restore", NULL);
}

/* Reads into *ids and *n the records of table whose column holds id. */
static int referrers(crm_db *db, const char *table, const char *column, int64_t id,
                     int64_t **ids, size_t *n)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc;

	crm_buf_printf(&sql, "SELECT id FROM %s WHERE %s = ?1", table, column);
	rc = crm_db_ids_cached(db, crm_buf_str(&sql), id, ids, n);
	crm_buf_free(&sql);
	return rc;
}

/* Clears reference field d of entity from in every record naming id,
 * through the audited update path. */
static int detach(crm_db *db, const struct crm_entity *from, const struct crm_fielddef *d,
                  int64_t id)
{
	crm_record *r;
	int64_t *ids;
	size_t n;
	int rc = referrers(db, from->table, d->column, id, &ids, &n);

	if (!rc && !(rc = crm_record_new(&r, from))) {
		rc = crm_record_set(r, d->f.name, "");
		for (size_t i = 0; i < n && !rc; i++)
			rc = crm_entity_update(db, r, ids[i], NULL);
		crm_record_free(r);
	}
	free(ids);
	return rc;
}

int crm_entity_index_fresh(crm_db *db, const struct crm_entity *e, const char *where, int64_t arg)
{
	int deferred = db->defer_index, fresh = db->index_fresh, rc;

	db->defer_index = 0;
	db->index_fresh = 1;
	rc = e->reindex(db, where, arg);
	db->index_fresh = fresh;
	db->defer_index = deferred;
	return rc;
}

int crm_entity_reindex_referrers(crm_db *db, const struct crm_entity *e, const char *ids,
                                 int64_t arg)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	crm_buf where = CRM_BUF_INIT;
	int rc = CRM_OK;

	/* Their writer rebuilds them at its end (crm_import_end, a merge's). */
	if (db->defer_index)
		return CRM_OK;
	for (size_t k = 0; !rc && crm_entity_referrer(e, k, &from, &d); k++) {
		crm_buf_clear(&where);
		crm_buf_printf(&where, "%s %s", d->column, ids);
		rc = from->reindex(db, crm_buf_str(&where), arg);
	}
	crm_buf_free(&where);
	return rc;
}

/* Detaches every record of any entity that refers to record id of e (a
 * company's members, a person's deals ...). */
static int detach_referrers(crm_db *db, const struct crm_entity *e, int64_t id)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	int rc = CRM_OK;

	for (size_t k = 0; !rc && crm_entity_referrer(e, k, &from, &d); k++)
		rc = detach(db, from, d, id);
	return rc;
}

int crm_entity_delete(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc;

	if ((rc = crm_db_writable(db)) || (rc = crm_entity_exists(db, e, id)))
		return rc;
	if (e->before_delete && (rc = e->before_delete(db, id)))
		return rc;
	if ((rc = detach_referrers(db, e, id)))
		return rc;
	if (!db->defer_unindex) {
		crm_buf_printf(&sql, "DELETE FROM %s WHERE rowid = ?1", e->fts);
		rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
		crm_buf_clear(&sql);
	}
	for (const struct crm_loose *l = e->loose; l && l->table && !rc; l++) {
		crm_buf_printf(&sql, "DELETE FROM %s WHERE %s = ?1", l->table, l->column);
		rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
		crm_buf_clear(&sql);
	}
	crm_buf_printf(&sql, "DELETE FROM %s WHERE id = ?1", e->table);
	if (!rc)
		rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
	crm_buf_free(&sql);
	return rc;
}

int crm_entity_purge(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc;

	if ((rc = crm_entity_delete(db, e, id)))
		return rc;
	/* A purged record leaves who-did-what behind, but none of its values. */
	crm_buf_printf(&sql, "UPDATE audit SET changes = NULL WHERE entity = '%s'"
	               " AND entity_id = ?1", e->name);
	rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
	crm_buf_free(&sql);
	if (!rc)
		rc = crm_audit_add(db, e->name, id, "purge", NULL);
	return rc;
}

int crm_entity_resolve(crm_db *db, const struct crm_entity *e, const char *ref, int64_t *id)
{
	long long v;

	if (crm_int_parse(ref, 1, INT64_MAX, &v)) {
		*id = v;
		return crm_entity_exists(db, e, v);
	}
	if (e->resolve)
		return e->resolve(db, ref, id);
	return crm_error_set(CRM_ENOTFOUND, "no %s '%s' (give its id)", e->name, ref);
}
