/* batch.c - the import batches: listing them and undoing one.
 *
 * A batch's audit entries are its journal: "add" entries name the records
 * it created, "set" entries hold the old value of every field it changed,
 * "tag" and "note" entries the tags it replaced and the notes it logged.
 * Undoing walks them newest first and reverses each; a record touched
 * after the batch (any later audit entry) is a conflict, reported unless
 * forced, because restoring it would silently overwrite that later work.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/import.h"
#include "internal.h"

#define UNINDEX_CHUNK 8192
/* Records a DELETE removes in bulk: its statement journal keeps every page
 * it changes, and the ids of new records are scattered over the indexes,
 * so 8,192 of them took 150 MB of a million-record undo. */
#define REMOVE_CHUNK 1024
/* Records read at a time whose deletes act (acts_before). */
#define ACTS_CHUNK 1024

/* Stores in *lo and *hi the two numbers sql (cached; ?1, if it has one,
 * the batch) gives, or leaves them when it gives NULL: a range of ids or
 * entries. */
static int batch_range(crm_db *db, const char *sql, int64_t batch, int64_t *lo, int64_t *hi)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	if ((rc = crm_stmt_step(st)) == CRM_ROW && crm_stmt_kind(st, 0) != CRM_KIND_NULL) {
		*lo = crm_stmt_int(st, 0);
		*hi = crm_stmt_int(st, 1);
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The ids of the records of each entity a batch created, lo..hi.  Read
 * in one pass over the batch's entries: an undo needs them three times
 * for every entity, and reading an entity's range alone goes over the
 * whole batch each time, a sixth of a bulk batch's undo. */
struct added {
	size_t n;
	struct added_ids { const struct crm_entity *e; int64_t lo, hi; } *r;
};

/* The range of a's ids of entity e, made for id if a has none yet. */
static struct added_ids *added_of(struct added *a, const struct crm_entity *e, int64_t id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->r[i].e == e)
			return &a->r[i];
	a->r[a->n] = (struct added_ids){ e, id, id };
	return &a->r[a->n++];
}

/* Stores in a the range of ids of each entity the batch created.  The
 * minimum and maximum are taken here, a row at a time: in SQL, without a
 * GROUP BY that would sort every entry of the batch first (30 MB for a
 * million), they took two CASEs per entity a row, most of an undo's
 * reading. */
static int added_read(crm_db *db, int64_t batch, struct added *a)
{
	const struct crm_entity *e = NULL;
	struct added_ids *r;
	crm_stmt *st;
	size_t max = 0;
	int rc;

	while (crm_entity_at(max))
		max++;
	a->n = 0;
	if (!(a->r = calloc(max, sizeof *a->r)))
		return crm_error_nomem();
	if ((rc = crm_db_stmt(db, &st, "SELECT entity, entity_id FROM audit"
	                      " WHERE batch = ?1 AND action = 'add'")))
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *name = crm_stmt_text(st, 0);
		int64_t id = crm_stmt_int(st, 1);

		/* A batch's entries come in runs of one entity. */
		if (!e || strcmp(e->name, name))
			e = crm_entity_find(name);
		if (!e)
			continue;
		r = added_of(a, e, id);
		r->lo = id < r->lo ? id : r->lo;
		r->hi = id > r->hi ? id : r->hi;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Stores in *lo and *hi the ids of the records of entity e the batch of
 * a created; an empty range (lo > hi) when none. */
static void added_range(const struct added *a, const struct crm_entity *e, int64_t *lo,
                        int64_t *hi)
{
	*lo = 0, *hi = -1;
	for (size_t i = 0; i < a->n; i++)
		if (a->r[i].e == e)
			*lo = a->r[i].lo, *hi = a->r[i].hi;
}

int crm_import_batches(crm_db *db, int (*fn)(void *arg, const char *const *vals), void *arg)
{
	crm_stmt *st;
	const char *vals[CRM_BATCH_COLUMNS];
	int rc, stop = 0;

	if ((rc = crm_db_stmt(db, &st, "SELECT id, at, user, entity, source, read, created,"
	                      " updated, unchanged, skipped, rejected, undone_at"
	                      " FROM import_batches ORDER BY id")))
		return rc;
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < CRM_BATCH_COLUMNS; i++)
			vals[i] = crm_stmt_text(st, i);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}

/* Stores in *last the newest audit entry of the batch, after checking it
 * exists and was not undone. */
static int batch_state(crm_db *db, int64_t batch, int64_t *last)
{
	crm_stmt *st;
	char *undone = NULL;
	int rc, found;

	if ((rc = crm_db_stmt(db, &st, "SELECT undone_at, (SELECT coalesce(max(seq), 0) FROM audit"
	                      " WHERE batch = ?1) FROM import_batches WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	if ((found = (crm_stmt_step(st) == CRM_ROW))) {
		if (crm_stmt_text(st, 0))
			undone = strdup(crm_stmt_text(st, 0));
		*last = crm_stmt_int(st, 1);
	}
	crm_stmt_reset(st);
	if (!found)
		return crm_error_set(CRM_ENOTFOUND, "no import batch %lld", (long long)batch);
	if (undone) {
		rc = crm_error_set(CRM_EDATA, "import batch %lld was already undone at %s",
		                   (long long)batch, undone);
		free(undone);
	}
	return rc;
}

/* Appends to sql a query for the records of entity from that came to
 * refer, through field d, to a record the batch ?1 created. */
static void referrers_sql(crm_buf *sql, const struct crm_entity *from, const struct crm_fielddef *d)
{
	/* +m.batch: the record's own entries are found by its index, not by
	 * going over the whole batch for each record (which made undo grow
	 * with the square of the batch).  The first EXISTS, on no row of the
	 * loop, is tested once before it: a table with no record (most, after
	 * a first import) is not joined with every entry of the batch. */
	crm_buf_printf(sql, " UNION ALL SELECT '%s', r.id, NULL, 'refers to %s ' || r.%s, NULL"
	               " FROM audit a JOIN %s r ON r.%s = a.entity_id"
	               " WHERE EXISTS (SELECT 1 FROM %s) AND a.batch = ?1 AND a.entity = '%s'"
	               "  AND a.action = 'add' AND NOT EXISTS (SELECT 1 FROM audit m"
	               "   WHERE +m.batch = ?1 AND m.entity = '%s' AND m.entity_id = r.id)",
	               from->name, d->f.ref, d->column, from->table, d->column, from->table,
	               d->f.ref, from->name);
}

/* Appends to b the records of the batch changed after it: later audit
 * entries, and records of any entity that came to refer to one the batch
 * created (a contact that joined a company the import made).  A person
 * erased since is none: undo leaves it as it is (reverse()); nor is a
 * later batch undone since, whose entries and its undo's (crm-import's
 * own, of no batch) cancel out: batches undo newest first; nor is a merge
 * undone since, whose unmerge put everything back, its survivor's
 * changed fields too. */
static int find_conflicts(crm_db *db, int64_t batch, int64_t last, crm_buf *b, long *n)
{
	crm_buf sql = CRM_BUF_INIT;
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	crm_stmt *st;
	int rc;

	crm_buf_puts(&sql, "SELECT l.entity, l.entity_id, min(l.seq), l.action, l.user FROM audit l"
	             " WHERE l.seq > ?2 AND EXISTS (SELECT 1 FROM audit a WHERE +a.batch = ?1"
	             "  AND a.entity = l.entity AND a.entity_id = l.entity_id)"
	             " AND NOT (l.entity = 'contact' AND EXISTS (SELECT 1 FROM contacts x"
	             "  WHERE x.id = l.entity_id AND x.erased_at IS NOT NULL))"
	             " AND NOT EXISTS (SELECT 1 FROM import_batches u WHERE u.id = l.batch"
	             "  AND u.undone_at IS NOT NULL)"
	             " AND NOT (l.batch IS NULL AND l.program = 'crm-import')"
	             " AND NOT (l.action IN ('merge', 'merged', 'unmerge') AND coalesce("
	             "  json_extract(l.changes, '$.merge') IN (SELECT id FROM merges"
	             "  WHERE undone_at IS NOT NULL), 0))"
	             /* nor what such a merge wrote into its survivor, between
	              * its first record's "merged" entry and its own last */
	             " AND NOT (l.entity = 'contact' AND EXISTS (SELECT 1 FROM merges m"
	             "  WHERE m.survivor = l.entity_id AND m.undone_at IS NOT NULL"
	             "  AND l.seq < m.last_seq AND l.seq > (SELECT max(a.seq) FROM audit a"
	             "  WHERE a.entity = 'contact' AND a.entity_id = CAST(m.merged AS INTEGER)"
	             "  AND a.action = 'merged' AND a.seq < m.last_seq)))"
	             " GROUP BY l.entity, l.entity_id");
	for (size_t k = 0; crm_entity_referrer(NULL, k, &from, &d); k++)
		referrers_sql(&sql, from, d);
	rc = crm_db_stmt(db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	crm_stmt_bind_int(st, 2, last);
	*n = 0;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if ((*n)++ >= 5)
			continue;
		crm_buf_printf(b, "%s%s %lld: %s", *n > 1 ? "; " : "", crm_stmt_text(st, 0),
		               (long long)crm_stmt_int(st, 1), crm_stmt_text(st, 3));
		if (crm_stmt_kind(st, 2) != CRM_KIND_NULL)
			crm_buf_printf(b, " by %s (audit %lld)", crm_stmt_text(st, 4),
			               (long long)crm_stmt_int(st, 2));
	}
	crm_stmt_reset(st);
	if (*n > 5)
		crm_buf_printf(b, "; and %ld more", *n - 5);
	return crm_walk_end(0, rc);
}

/* Sets every field of the "set" entry's changes back to its old value. */
static int restore_fields(crm_db *db, const struct crm_entity *e, int64_t id, json_t *changes)
{
	crm_record *r;
	const char *field;
	json_t *v;
	int rc, changed;

	if ((rc = crm_record_new(&r, e)))
		return rc;
	crm_record_restoring(r);
	json_object_foreach(changes, field, v) {
		const char *old = json_string_value(json_array_get(v, 0));
		if ((rc = crm_record_set(r, field, old ? old : "")))
			break;
	}
	if (!rc)
		rc = crm_entity_update(db, r, id, &changed);
	crm_record_free(r);
	return rc;
}

/* Logs the undo of an entry that changed changes ({"name":[old,new]}):
 * the same names, each from what the entry made it back to what it was,
 * so that the log read newest first tells what holds now. */
static int audit_undo(crm_db *db, const char *entity, int64_t id, json_t *changes)
{
	json_t *back = json_deep_copy(changes), *v;
	const char *key;
	char *j = NULL;
	int rc;

	json_object_foreach(back, key, v) {
		json_t *old = json_array_get(v, 0);

		if (json_array_size(v) == 2 && !json_array_append(v, old))
			json_array_remove(v, 0);
	}
	j = back ? json_dumps(back, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	rc = j ? crm_audit_add(db, entity, id, "undo", j) : crm_error_nomem();
	json_decref(back);
	free(j);
	return rc;
}

static int remove_note(crm_db *db, const struct crm_entity *e, int64_t id, json_t *changes)
{
	const char *nid = json_string_value(json_array_get(json_object_get(changes,
	                                                                    "interaction"), 1));
	crm_buf sql = CRM_BUF_INIT;
	int rc;

	if (!nid || !e->note_table)
		return CRM_OK;
	crm_buf_printf(&sql, "DELETE FROM %s WHERE id = ?1", e->note_table);
	rc = crm_db_exec_id(db, crm_buf_str(&sql), strtoll(nid, NULL, 10));
	crm_buf_free(&sql);
	if (!rc)
		rc = e->reindex(db, "id = ?1", id);
	return rc ? rc : audit_undo(db, e->name, id, changes);
}

/* Puts back the consent an import's "consent" entry changed: the old
 * status (none: the entry goes), with its time and source. */
static int restore_consent(crm_db *db, int64_t id, json_t *changes)
{
	const char *key, *at = json_string_value(json_array_get(json_object_get(changes, "at"), 0));
	const char *source = json_string_value(json_array_get(json_object_get(changes, "source"), 0));
	json_t *v;
	int rc = CRM_OK;

	json_object_foreach(changes, key, v) {
		if (strncmp(key, "consent.", 8))
			continue;
		rc = crm_contact_consent_restore(db, id, key + 8, json_string_value(json_array_get(v, 0)),
		                                 at, source);
		break;
	}
	return rc ? rc : audit_undo(db, "contact", id, changes);
}

static int merged_error(int64_t batch, int64_t id, int64_t merge)
{
	return crm_error_set(CRM_EDATA, "contact %lld was merged since with records import batch"
	                     " %lld did not create (merge %lld); unmerge it first", (long long)id,
	                     (long long)batch, (long long)merge);
}

/* Refuses, even forced, an entry of the batch (seq) on person id when a
 * merge since, not undone, joined it with a record the batch did not
 * create.  A merge moves the history of the records it joins to the
 * survivor, the batch's entries with it: deleting or restoring the
 * survivor would take the other records' data with it.  Unmerging first
 * gives each record its own entries back. */
static int merged_since(crm_db *db, int64_t batch, int64_t id, int64_t seq)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT id FROM merges WHERE survivor = ?2"
	                     " AND undone_at IS NULL AND last_seq > ?3 AND EXISTS (SELECT 1"
	                     " FROM audit WHERE entity = 'contact' AND entity_id = ?2"
	                     " AND action = 'add' AND batch IS NOT ?1) ORDER BY id LIMIT 1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	crm_stmt_bind_int(st, 2, id);
	crm_stmt_bind_int(st, 3, seq);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		rc = merged_error(batch, id, crm_stmt_int(st, 0));
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The first obstacle merged_since would meet, found before any other
 * change is named: a merge since, not undone, that joined a record of
 * the batch with one it did not create, which even --force cannot undo
 * through. */
static int merge_obstacle(crm_db *db, int64_t batch)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT m.survivor, m.id FROM merges m"
	                     " WHERE m.undone_at IS NULL AND EXISTS (SELECT 1 FROM audit a"
	                     "  WHERE +a.batch = ?1 AND a.entity = 'contact'"
	                     "  AND a.entity_id = m.survivor AND a.seq < m.last_seq)"
	                     " AND EXISTS (SELECT 1 FROM audit x WHERE x.entity = 'contact'"
	                     "  AND x.entity_id = m.survivor AND x.action = 'add' AND x.batch IS NOT ?1)"
	                     " ORDER BY m.id LIMIT 1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		rc = merged_error(batch, crm_stmt_int(st, 0), crm_stmt_int(st, 1));
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Reverses one audit entry of the batch, entry seq.  A record deleted or
 * erased since is left as it is: there is nothing to restore, or nothing
 * may be. */
static int reverse(crm_db *db, int64_t batch, int64_t seq, const struct crm_entity *e,
                   int64_t id, const char *action, json_t *changes, long *removed,
                   long *restored)
{
	int rc = crm_entity_editable(db, e, id);

	if (rc == CRM_ENOTFOUND || (rc == CRM_EDATA && e->erasable)) {
		crm_error_clear();
		return CRM_OK;
	}
	if (!rc && e == &crm_contact_entity)
		rc = merged_since(db, batch, id, seq);
	if (rc)
		return rc;
	if (!strcmp(action, "add")) {
		if (!(rc = crm_entity_delete(db, e, id)))
			rc = crm_audit_add(db, e->name, id, "undo", NULL);
		*removed += !rc;
	} else if (!strcmp(action, "set")) {
		rc = restore_fields(db, e, id, changes);
		*restored += !rc;
	} else if (!strcmp(action, "tag") && e->tag_table) {
		int changed;
		const char *old = json_string_value(json_array_get(json_object_get(changes, "tags"), 0));
		rc = crm_entity_tags_set(db, e, id, old, &changed);
	} else if (!strcmp(action, "note")) {
		rc = remove_note(db, e, id, changes);
	} else if (!strcmp(action, "consent")) {
		rc = restore_consent(db, id, changes);
		*restored += !rc;
	}
	return rc;
}

/* Makes e's search index again, empty: DROP TABLE, then its own CREATE
 * statement and its settings (automerge, crisismerge ...) but the
 * version, which FTS5 writes itself.  The statement's journal holds every
 * page the drop frees (secure_delete writes them over): in memory
 * (crm_db_memory_journal, as an import asks for) that was 80 MB more for
 * 200,000 people, so an undo journals to a file. */
static int index_emptied(crm_db *db, const struct crm_entity *e)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	char *again = NULL;
	int rc;

	if (crm_buf_printf(&sql, "SELECT 'DROP TABLE %s;' || sql || ';' || (SELECT"
	                   " coalesce(group_concat(printf('INSERT INTO %s(%s, rank) VALUES (%%Q, %%s);',"
	                   " k, quote(v)), ''), '') FROM %s_config WHERE k <> 'version')"
	                   " FROM sqlite_master WHERE type = 'table' AND name = '%s'",
	                   e->fts, e->fts, e->fts, e->fts, e->fts))
		return crm_error_nomem();
	if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql))) && !(rc = crm_stmt_text_of(st, 0, &again)))
		rc = again ? crm_db_exec(db, again) : crm_error_set(CRM_EFAIL, "no table %s", e->fts);
	free(again);
	crm_buf_free(&sql);
	return rc;
}

/* Writes the search index of e again, empty first, from the records it
 * holds: CRM_REINDEX_CHUNK ids a statement, as an import does. */
static int index_anew(crm_db *db, const struct crm_entity *e)
{
	crm_buf sql = CRM_BUF_INIT, where = CRM_BUF_INIT;
	int64_t lo = 0, hi = -1;
	int rc;

	if (crm_buf_printf(&sql, "SELECT min(id), max(id) FROM %s", e->table) ||
	    crm_buf_printf(&where, "id >= ?1 AND id < ?1 + %d", CRM_REINDEX_CHUNK))
		rc = crm_error_nomem();
	else if (!(rc = batch_range(db, crm_buf_str(&sql), 0, &lo, &hi)))
		rc = index_emptied(db, e);
	for (; lo <= hi && !rc; lo += CRM_REINDEX_CHUNK)
		rc = crm_entity_index_fresh(db, e, crm_buf_str(&where), lo);
	crm_buf_free(&sql);
	crm_buf_free(&where);
	return rc;
}

/* Stores in *n the number of records of e. */
static int records_of(crm_db *db, const struct crm_entity *e, int *n)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc = crm_buf_printf(&sql, "SELECT count(*) FROM %s", e->table)
	             ? crm_error_nomem() : crm_db_int(db, crm_buf_str(&sql), n);

	crm_buf_free(&sql);
	return rc;
}

/* Takes out the search entries of the records of batch with ids lo..hi
 * that are gone: UNINDEX_CHUNK ids a statement, as one statement over all
 * of them would keep every page it changes in its journal. */
static int unindex_each(crm_db *db, const struct crm_entity *e, int64_t batch, int64_t lo,
                        int64_t hi)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = CRM_OK;

	crm_buf_printf(&sql, "DELETE FROM %s WHERE rowid IN (SELECT entity_id FROM audit"
	               " WHERE batch = ?1 AND action = 'add' AND entity = '%s'"
	               " AND entity_id BETWEEN ?2 AND ?3"
	               " AND entity_id NOT IN (SELECT id FROM %s WHERE id = entity_id))",
	               e->fts, e->name, e->table);
	for (; lo <= hi && !rc; lo += UNINDEX_CHUNK) {
		if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, batch);
			crm_stmt_bind_int(st, 2, lo);
			crm_stmt_bind_int(st, 3, lo + UNINDEX_CHUNK - 1);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* Removes the search entries of the records of batch that are gone, after
 * the undo deleted them all.  Taking an entry out costs about what
 * putting it in does (FTS5 reads the record's text again to find its
 * terms), so where fewer records are left than went, the index is written
 * again from them instead. */
static int unindex_removed(crm_db *db, const struct crm_entity *e, int64_t batch,
                           const struct added *a)
{
	int64_t lo, hi;
	int rc, left = 0;

	added_range(a, e, &lo, &hi);
	if (lo > hi)
		return CRM_OK;
	if ((rc = records_of(db, e, &left)))
		return rc;
	return left < hi - lo + 1 ? index_anew(db, e) : unindex_each(db, e, batch, lo, hi);
}

/* The condition that audit entry t (of batch ?1) is a tag or note entry
 * of a record the batch created: the record goes, and its tags and notes
 * with it, so there is nothing of its own to reverse. */
#define OF_CREATED(t) "(" t ".action IN ('tag', 'note', 'consent') AND EXISTS (SELECT 1 FROM audit a" \
	" WHERE a.entity = " t ".entity AND a.entity_id = " t ".entity_id AND +a.batch = ?1" \
	" AND a.action = 'add'))"

/* Whether the batch only created records, with their tags and notes (no
 * update, nor a tag or note of a record it did not create, to reverse):
 * such a batch, unless forced over records changed since (whose
 * referrers must be detached one by one), is undone set by set
 * (remove_all). */
static int adds_only(crm_db *db, int64_t batch, int *only)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT NOT EXISTS (SELECT 1 FROM audit t"
	                     " WHERE t.batch = ?1 AND t.action <> 'add' AND NOT " OF_CREATED("t") ")");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	rc = crm_stmt_step(st);
	*only = rc == CRM_ROW && (int)crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Appends to sql the condition that the record audit entry a names is
 * there to be removed: not deleted since, nor erased (reverse()). */
static void removable_sql(crm_buf *sql)
{
	const struct crm_entity *e;

	crm_buf_puts(sql, "(0");
	for (size_t k = 0; (e = crm_entity_at(k)); k++)
		crm_buf_printf(sql, " OR (a.entity = '%s' AND EXISTS (SELECT 1 FROM %s r"
		               " WHERE r.id = a.entity_id%s))", e->name, e->table,
		               e->erasable ? " AND r.erased_at IS NULL" : "");
	crm_buf_putc(sql, ')');
}

/* A table whose rows refer to the records of another: its column, and
 * whether deleting a record deletes them (CASCADE) or empties the column
 * (SET NULL, or anything else, which set-wise undo refuses). */
struct referrer {
	char table[64], column[64];
	int cascade, set_null;
};

#define MAX_REFERRERS 32

/* Copies s into a name buffer of size bytes; 0 when it does not fit. */
static int name_fits(char *buf, size_t size, const char *s)
{
	return s && (size_t)snprintf(buf, size, "%s", s) < size;
}

/* Stores in r the tables that refer to table, and their number in *n:
 * MAX_REFERRERS + 1 for more, or for a name too long to keep. */
static int referrers(crm_db *db, const char *table, struct referrer *r, size_t *n)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT m.name, p.\"from\", p.on_delete FROM sqlite_master m,"
	                     " pragma_foreign_key_list(m.name) p WHERE m.type = 'table'"
	                     " AND p.\"table\" = ?1");

	*n = 0;
	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, table);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		struct referrer *f = &r[*n];
		const char *action = crm_stmt_text(st, 2);

		if (*n == MAX_REFERRERS || !name_fits(f->table, sizeof f->table, crm_stmt_text(st, 0)) ||
		    !name_fits(f->column, sizeof f->column, crm_stmt_text(st, 1)) || !action) {
			*n = MAX_REFERRERS + 1;
			break;
		}
		f->cascade = !strcmp(action, "CASCADE");
		f->set_null = !strcmp(action, "SET NULL");
		(*n)++;
	}
	crm_stmt_reset(st);
	return crm_walk_end(0, rc);
}

/* Whether set-wise undo can delete records of table itself: every table
 * referring to it cascades or sets NULL, and those that cascade have no
 * referrers of their own, so one statement per referring table does all
 * SQLite would. */
static int plain_parent(crm_db *db, const char *table, int *plain)
{
	struct referrer r[MAX_REFERRERS], below[MAX_REFERRERS];
	size_t n, m = 0;
	int rc = referrers(db, table, r, &n);

	*plain = !rc && n <= MAX_REFERRERS;
	for (size_t i = 0; *plain && i < n && !rc; i++)
		if (!(rc = referrers(db, r[i].table, below, &m)))
			*plain = r[i].set_null || (r[i].cascade && m == 0);
	return rc;
}

/* Whether the batch created records of an entity whose deletes do more
 * than SQL can (before_delete: a purchase gives back its points). */
static int deletes_act(crm_db *db, const struct added *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->r[i].lo <= a->r[i].hi && a->r[i].e->delete_acts && a->r[i].e->delete_acts(db))
			return 1;
	return 0;
}

/* Whether every entity the batch created records of is a plain_parent. */
static int plain_batch(crm_db *db, const struct added *a, int *plain)
{
	int rc = CRM_OK;

	*plain = 1;
	for (size_t i = 0; *plain && !rc && i < a->n; i++)
		if (a->r[i].lo <= a->r[i].hi)
			rc = plain_parent(db, a->r[i].e->table, plain);
	return rc;
}

int crm_import_undo_setwise(crm_db *db, int64_t batch, int force, int *setwise)
{
	struct added a = { 0, NULL };
	int64_t last = 0;
	int rc, only = 0;

	*setwise = 0;
	if (force)
		return CRM_OK;
	if ((rc = batch_state(db, batch, &last)) || (rc = adds_only(db, batch, &only)) || !only)
		return rc;
	if (!(rc = added_read(db, batch, &a)))
		rc = plain_batch(db, &a, setwise);
	free(a.r);
	return rc;
}

/* Does to the rows referring to the records of e the batch created with
 * ids lo..hi, now deleted, what SQLite does with foreign keys on: one
 * statement a referring table instead of one action a row.  The rows are
 * found through the referring column's index, and are few. */
static int referrers_act(crm_db *db, const struct crm_entity *e, const struct referrer *r,
                         size_t n, int64_t batch, int64_t lo, int64_t hi)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = CRM_OK;

	for (size_t i = 0; i < n && !rc; i++) {
		crm_buf_clear(&sql);
		if (r[i].cascade)
			crm_buf_printf(&sql, "DELETE FROM %s WHERE", r[i].table);
		else
			crm_buf_printf(&sql, "UPDATE %s SET %s = NULL WHERE", r[i].table, r[i].column);
		/* +a.batch: the record's own entries, found by its index, not
		 * the whole batch's for each referring row. */
		crm_buf_printf(&sql, " %s BETWEEN ?2 AND ?3 AND EXISTS (SELECT 1 FROM audit a"
		               " WHERE a.entity = '%s' AND a.entity_id = %s.%s AND +a.batch = ?1"
		               " AND a.action = 'add') AND NOT EXISTS (SELECT 1 FROM %s p"
		               " WHERE p.id = %s.%s)", r[i].column, e->name, r[i].table, r[i].column,
		               e->table, r[i].table, r[i].column);
		if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, batch);
			crm_stmt_bind_int(st, 2, lo);
			crm_stmt_bind_int(st, 3, hi);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* Deletes the rows of e's loose tables that named its records of ids
 * lo..hi deleted: found through the naming column's index, and few. */
static int loose_gone(crm_db *db, const struct crm_entity *e, int64_t lo, int64_t hi)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = CRM_OK;

	for (const struct crm_loose *l = e->loose; l && l->table && !rc; l++) {
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "DELETE FROM %s WHERE %s BETWEEN ?1 AND ?2 AND NOT EXISTS"
		               " (SELECT 1 FROM %s p WHERE p.id = %s.%s)", l->table, l->column,
		               e->table, l->table, l->column);
		if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, lo);
			crm_stmt_bind_int(st, 2, hi);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* Deletes the records of entity e the batch created and are removable,
 * REMOVE_CHUNK ids a statement, and with foreign keys off does the
 * referring tables' actions after each. */
static int remove_records(crm_db *db, const struct crm_entity *e, int64_t batch,
                          const struct added *a, long *removed)
{
	struct referrer r[MAX_REFERRERS];
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int64_t lo, hi;
	size_t n = 0;
	int rc = CRM_OK;

	added_range(a, e, &lo, &hi);
	if (lo <= hi && db->fk_off && (rc = referrers(db, e->table, r, &n)))
		return rc;
	crm_buf_printf(&sql, "DELETE FROM %s WHERE id IN (SELECT entity_id FROM audit WHERE"
	               " batch = ?1 AND entity = '%s' AND action = 'add' AND entity_id BETWEEN"
	               " ?2 AND ?3)%s", e->table, e->name,
	               e->erasable ? " AND erased_at IS NULL" : "");
	for (; lo <= hi && !rc; lo += REMOVE_CHUNK) {
		if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, batch);
			crm_stmt_bind_int(st, 2, lo);
			crm_stmt_bind_int(st, 3, lo + REMOVE_CHUNK - 1);
			if (!(rc = crm_stmt_done(st)))
				*removed += crm_db_changes(db);
		}
		if (!rc && db->fk_off)
			rc = referrers_act(db, e, r, n, batch, lo, lo + REMOVE_CHUNK - 1);
		if (!rc)
			rc = loose_gone(db, e, lo, lo + REMOVE_CHUNK - 1);
	}
	crm_buf_free(&sql);
	return rc;
}

/* Logs the "undo" entries reverse_all would, newest first, for the
 * removable records of the batch's "add" entries with seq in (lo, hi]. */
static int log_undone(crm_db *db, int64_t batch, int64_t lo, int64_t hi)
{
	crm_buf sql = CRM_BUF_INIT;
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int rc;

	crm_buf_puts(&sql, "INSERT INTO audit(at, user, program, entity, entity_id, action)"
	             " SELECT ?2, ?3, ?4, a.entity, a.entity_id, 'undo' FROM audit a"
	             " WHERE a.batch = ?1 AND a.action = 'add' AND a.seq > ?5 AND a.seq <= ?6 AND ");
	removable_sql(&sql);
	crm_buf_puts(&sql, " ORDER BY a.seq DESC");
	rc = crm_db_stmt(db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, batch);
	crm_stmt_bind_text(st, 2, now);
	crm_stmt_bind_text(st, 3, db->user);
	crm_stmt_bind_text(st, 4, db->program);
	crm_stmt_bind_int(st, 5, lo);
	crm_stmt_bind_int(st, 6, hi);
	return crm_stmt_done(st);
}

/* An entity and record id, of an "add" entry before_delete is called for. */
struct acting {
	const struct crm_entity *e;
	int64_t id;
};

/* Reads into v up to ACTS_CHUNK records the batch created whose entity
 * acts on its deletes, removable, newest first from below entry seq
 * *below (then set to the last one's); *n of them. */
static int acting_next(crm_db *db, int64_t batch, int64_t *below, struct acting *v, size_t *n)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc;

	crm_buf_puts(&sql, "SELECT a.entity, a.entity_id, a.seq FROM audit a WHERE a.batch = ?1"
	             " AND a.action = 'add' AND a.seq < ?2 AND ");
	removable_sql(&sql);
	crm_buf_printf(&sql, " ORDER BY a.seq DESC LIMIT %d", ACTS_CHUNK);
	rc = crm_db_stmt(db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	crm_stmt_bind_int(st, 2, *below);
	for (*n = 0; (rc = crm_stmt_step(st)) == CRM_ROW;) {
		const struct crm_entity *e = crm_entity_find(crm_stmt_text(st, 0));

		*below = crm_stmt_int(st, 2);
		if (e && e->before_delete && e->delete_acts && e->delete_acts(db))
			v[(*n)++] = (struct acting){ e, crm_stmt_int(st, 1) };
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Does for each removable record the batch created whose entity acts on
 * its deletes what reverse_all does before deleting it (a purchase gives
 * back its points), newest first as there, so that remove_all deletes
 * them with the rest.  Nothing of the batch is gone yet, as in
 * reverse_all when it reaches the record: what a record refers to was
 * created before it, and goes after it.  The records are read a chunk at
 * a time, and no read is left open while before_delete runs (a person's
 * first expiry makes its temporary table, and SQLite then aborted the
 * read). */
static int acts_before(crm_db *db, int64_t batch, const struct added *a)
{
	struct acting v[ACTS_CHUNK];
	int64_t below = INT64_MAX, was;
	size_t n = 0;
	int rc = CRM_OK;

	if (!deletes_act(db, a))
		return CRM_OK;
	do {
		was = below;
		rc = acting_next(db, batch, &below, v, &n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = v[i].e->before_delete(db, v[i].id);
	} while (!rc && below != was);
	return rc;
}

/* Undoes a batch of "add" entries only, nothing outside it referring to
 * its records: the "undo" entries reverse_all would log, then each
 * entity's records deleted, a chunk at a time (one statement over the
 * whole batch would hold every page it changes in its journal).  With
 * foreign keys off (crm_import_undo_setwise), each chunk's referring rows
 * are dealt with a table at a time: SQLite runs the action of each of the
 * sixteen tables that can refer to a person for every person deleted,
 * which was four fifths of the deletes' time.  The order of the deletes
 * does not matter: what refers to a record of the batch is of the batch
 * too, and goes as well. */
static int remove_all(crm_db *db, int64_t batch, const struct added *a, long *removed)
{
	const struct crm_entity *e;
	int64_t first = 0, last = -1;
	int rc = batch_range(db, "SELECT min(seq), max(seq) FROM audit WHERE batch = ?1", batch,
	                     &first, &last);

	if (!rc)
		rc = acts_before(db, batch, a);
	for (int64_t hi = last; hi >= first && !rc; hi -= UNINDEX_CHUNK)
		rc = log_undone(db, batch, hi - UNINDEX_CHUNK, hi);
	for (size_t k = 0; !rc && (e = crm_entity_at(k)); k++)
		rc = remove_records(db, e, batch, a, removed);
	return rc;
}

static int reverse_all(crm_db *db, int64_t batch, long *removed, long *restored)
{
	const struct crm_entity *last_e = NULL;
	int64_t last_id = 0;
	crm_stmt *st;
	int rc, step;

	/* Not a cached statement: reversing runs other statements meanwhile.
	 * The tags and notes of a record the batch created go with it, as in
	 * remove_all, and log nothing of their own. */
	if ((rc = crm_db_prepare(db, &st, "SELECT t.entity, t.entity_id, t.action, t.changes, t.seq"
	                         " FROM audit t WHERE t.batch = ?1 AND NOT " OF_CREATED("t")
	                         " ORDER BY t.seq DESC")))
		return rc;
	crm_stmt_bind_int(st, 1, batch);
	while (!rc && (step = crm_stmt_step(st)) == CRM_ROW) {
		const struct crm_entity *e = crm_entity_find(crm_stmt_text(st, 0));
		const char *text = crm_stmt_text(st, 3);
		json_t *changes = text ? json_loads(text, 0, NULL) : NULL;
		int64_t id = crm_stmt_int(st, 1);
		long before = *restored;

		if (e)
			rc = reverse(db, batch, crm_stmt_int(st, 4), e, id, crm_stmt_text(st, 2), changes,
			             removed, restored);
		/* A record's entries of one row are together: a record whose
		 * fields and consent were both put back is restored once. */
		if (*restored > before && e == last_e && id == last_id)
			*restored = before;
		else if (*restored > before)
			last_e = e, last_id = id;
		json_decref(changes);
	}
	if (!rc && step < 0)
		rc = step;
	crm_stmt_finalize(st);
	return rc;
}

int crm_import_undo(crm_db *db, int64_t batch, int force, long *removed, long *restored)
{
	crm_buf why = CRM_BUF_INIT;
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int64_t last = 0;
	const struct crm_entity *e;
	struct added a = { 0, NULL };
	long conflicts = 0;
	int rc, only, setwise = 0;

	*removed = *restored = 0;
	if ((rc = crm_db_writable(db)) || (rc = crm_db_bulk_cache(db)) ||
	    (rc = batch_state(db, batch, &last)) || (rc = merge_obstacle(db, batch)) ||
	    (rc = find_conflicts(db, batch, last, &why, &conflicts)))
		goto out;
	if (conflicts && !force) {
		rc = crm_error_set(CRM_EDATA, "%ld record%s changed since import batch %lld (%s);"
		                   " --force undoes it anyway, overwriting those changes",
		                   conflicts, conflicts > 1 ? "s" : "", (long long)batch,
		                   crm_buf_str(&why));
		goto out;
	}
	if ((rc = adds_only(db, batch, &only)) || (rc = added_read(db, batch, &a)))
		goto out;
	/* With foreign keys off, only a batch that still qualifies. */
	setwise = only && !force;
	if (db->fk_off && setwise && (rc = plain_batch(db, &a, &setwise)))
		goto out;
	if (db->fk_off && !setwise) {
		rc = crm_error_set(CRM_EFAIL, "import batch %lld changed while it was being undone;"
		                   " undo it again", (long long)batch);
		goto out;
	}
	db->defer_unindex = 1;
	rc = setwise ? remove_all(db, batch, &a, removed) : reverse_all(db, batch, removed, restored);
	db->defer_unindex = 0;
	for (size_t k = 0; !rc && (e = crm_entity_at(k)); k++)
		rc = e->fts ? unindex_removed(db, e, batch, &a) : CRM_OK;
	if (rc || (rc = crm_db_stmt(db, &st, "UPDATE import_batches SET undone_at = ?2 WHERE id = ?1")))
		goto out;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, batch);
	crm_stmt_bind_text(st, 2, now);
	rc = crm_stmt_done(st);
out:
	free(a.r);
	crm_buf_free(&why);
	return rc;
}
