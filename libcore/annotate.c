/* annotate.c - what any record may carry beside its fields: tags, notes
 * (interactions) and the timeline of both with its audited changes.
 *
 * The registry names each entity's tag and note tables; they hold the
 * record's id in the column every side table of the entity uses (custom_fk),
 * so one piece of code serves people, deals and whatever comes next.  The
 * sorted tags are also kept in the record's own row (its tags column), so
 * listing reads no other table.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/entity.h"
#include "crm/norm.h"
#include "crm/output.h"
#include "internal.h"

static const char *const note_kinds[] = { "call", "email", "meeting", "note", "sms", "chat", NULL };

static int one_of(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (!strcmp(*words, w))
			return 1;
	return 0;
}

int crm_entity_has_tags(const struct crm_entity *e)
{
	return e->tag_table != NULL;
}

int crm_entity_has_notes(const struct crm_entity *e)
{
	return e->note_table != NULL;
}

static int no_tags(const struct crm_entity *e)
{
	return crm_error_set(CRM_EUSAGE, "a %s has no tags", e->name);
}

/* The statements of tags and notes, built once for each entity
 * (crm_db_stmt_built): an import runs them for every row. */
static int tags_read_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT group_concat(tag, ',') FROM (SELECT tag FROM %s"
	                      " WHERE %s = ?1 ORDER BY tag)", e->tag_table, e->custom_fk);
}

static int tags_store_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "UPDATE %s SET updated_at = ?2, tags = ?3 WHERE id = ?1",
	                      e->table);
}

static int tag_add_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "INSERT OR IGNORE INTO %s(%s, tag) VALUES (?1, ?2)",
	                      e->tag_table, e->custom_fk);
}

static int tag_del_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "DELETE FROM %s WHERE %s = ?1 AND tag = ?2", e->tag_table,
	                      e->custom_fk);
}

static int tags_clear_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "DELETE FROM %s WHERE %s = ?1", e->tag_table, e->custom_fk);
}

static int note_add_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "INSERT INTO %s(%s, kind, at, body, owner, created_at)"
	                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", e->note_table, e->custom_fk);
}

static int note_same_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT 1 FROM %s WHERE %s = ?1 AND kind = 'note' AND body = ?2",
	                      e->note_table, e->custom_fk);
}

/* Reads the record's tags as one comma-separated malloc'd string or NULL. */
static char *tags_of(crm_db *db, const struct crm_entity *e, int64_t id)
{
	crm_stmt *st;
	char *v = NULL;

	if (crm_db_stmt_built(db, &st, tags_read_sql, e, NULL) || crm_stmt_text_of(st, id, &v))
		v = NULL;
	return v;
}

/* Stores the record's new tags (sorted, comma-separated, NULL for none)
 * in its row and marks it changed now. */
static int store_tags(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags)
{
	crm_stmt *st;
	char now[CRM_TIME_LEN];
	int rc = crm_db_stmt_built(db, &st, tags_store_sql, e, NULL);

	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, now);
	crm_stmt_bind_text(st, 3, tags);
	return crm_stmt_done(st);
}

static int tag_write(crm_db *db, const struct crm_entity *e, int64_t id, const char *tag, int add,
                     int *changed)
{
	crm_stmt *st;
	int rc = crm_db_stmt_built(db, &st, add ? tag_add_sql : tag_del_sql, e, NULL);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, tag);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*changed = crm_db_changes(db) > 0;
	return CRM_OK;
}

int crm_entity_tag(crm_db *db, const struct crm_entity *e, int64_t id, const char *tag, int add,
                   int *changed)
{
	char *t = NULL, *before = NULL, *after = NULL;
	int rc;

	*changed = 0;
	if (!e->tag_table)
		return no_tags(e);
	if ((rc = crm_entity_editable(db, e, id)) || (rc = crm_text_nfc(&t, tag)))
		return rc;
	if (!*t || strchr(t, ','))
		rc = crm_error_set(CRM_EDATA, "invalid tag '%s' (empty or with a comma)", tag);
	if (!rc) {
		before = tags_of(db, e, id);
		rc = tag_write(db, e, id, t, add, changed);
	}
	if (!rc && *changed) {
		after = tags_of(db, e, id);
		rc = crm_audit_change(db, e->name, id, "tag", "tags", before, after);
		if (!rc)
			rc = store_tags(db, e, id, after);
		if (!rc && e->after_tags)
			rc = e->after_tags(db, id, 0);
	}
	free(t);
	free(before);
	free(after);
	return rc;
}

static int tag_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Stores in *out the canonical form of a tag list: each tag trimmed and
 * NFC, empty ones dropped, sorted and without repeats, comma-joined; NULL
 * for none.  It is the form tags_of() reads back. */
static int canonical_tags(const char *list, char **out)
{
	char *copy = strdup(list ? list : ""), **v = NULL, *save = NULL, *t;
	size_t n = 0;
	crm_buf b = CRM_BUF_INIT;
	int rc = copy ? CRM_OK : crm_error_nomem();

	for (t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc; t = strtok_r(NULL, ",", &save)) {
		char **p = realloc(v, (n + 1) * sizeof *v);
		t += strspn(t, " \t");
		for (size_t len = strlen(t); len && strchr(" \t", t[len - 1]); len--)
			t[len - 1] = '\0';
		if (!*t)
			continue;
		if (!p)
			rc = crm_error_nomem();
		else if (!(rc = crm_text_nfc(&(v = p)[n], t)))
			n++;
	}
	if (!rc && n)
		qsort(v, n, sizeof *v, tag_cmp);
	for (size_t i = 0; i < n && !rc; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			rc = crm_buf_printf(&b, "%s%s", b.len ? "," : "", v[i]);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(copy);
	*out = !rc && b.len ? crm_buf_detach(&b) : NULL;
	crm_buf_free(&b);
	return rc;
}

/* Replaces the record's rows of the tag table (none when !held) with the
 * canonical list. */
static int tags_replace(crm_db *db, const struct crm_entity *e, int64_t id, int held,
                        const char *tags)
{
	char *copy = strdup(tags ? tags : ""), *save = NULL, *t;
	crm_stmt *st;
	int rc = CRM_OK, dummy;

	if (!copy)
		return crm_error_nomem();
	if (held && !(rc = crm_db_stmt_built(db, &st, tags_clear_sql, e, NULL))) {
		crm_stmt_bind_int(st, 1, id);
		rc = crm_stmt_done(st);
	}
	for (t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
		rc = tag_write(db, e, id, t, 1, &dummy);
	free(copy);
	return rc;
}

/* crm_entity_tags_set, and crm_entity_tags_fresh when fresh: then the
 * record is known to be there and not erased. */
static int tags_set(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags,
                    int fresh, int *changed)
{
	char *before = NULL, *after = NULL;
	int rc;

	*changed = 0;
	if (!e->tag_table)
		return no_tags(e);
	if ((rc = crm_db_writable(db)) || (!fresh && (rc = crm_entity_exists(db, e, id))) ||
	    (rc = canonical_tags(tags, &after)))
		return rc;
	/* A record the caller has just made has no tags yet. */
	before = fresh ? NULL : tags_of(db, e, id);
	if ((before || after) && (!before || !after || strcmp(before, after))) {
		*changed = 1;
		if (!fresh)
			rc = crm_entity_not_erased(db, e, id);
		if (!rc)
			rc = tags_replace(db, e, id, before != NULL, after);
		if (!rc)
			rc = crm_audit_change(db, e->name, id, "tag", "tags", before, after);
		if (!rc)
			rc = store_tags(db, e, id, after);
		if (!rc && e->after_tags)
			rc = e->after_tags(db, id, fresh);
	}
	free(before);
	free(after);
	return rc;
}

int crm_entity_tags_set(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags,
                        int *changed)
{
	return tags_set(db, e, id, tags, 0, changed);
}

int crm_entity_tags_fresh(crm_db *db, const struct crm_entity *e, int64_t id, const char *tags,
                          int *changed)
{
	return tags_set(db, e, id, tags, 1, changed);
}

static int insert_note(crm_db *db, const struct crm_entity *e, int64_t id, const char *kind,
                       const char *at, const char *body, int64_t *out)
{
	crm_stmt *st;
	char now[CRM_TIME_LEN];
	int rc = crm_db_stmt_built(db, &st, note_add_sql, e, NULL);

	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, kind);
	crm_stmt_bind_text(st, 3, at);
	crm_stmt_bind_text(st, 4, body);
	crm_stmt_bind_text(st, 5, db->user);
	crm_stmt_bind_text(st, 6, now);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*out = crm_db_last_id(db);
	return CRM_OK;
}

/* crm_entity_note, on a record known to be there and not erased when
 * fresh. */
static int note_add(crm_db *db, const struct crm_entity *e, int64_t id, const char *kind,
                    const char *at, const char *body, int fresh, int64_t *out)
{
	char when[CRM_TIME_LEN], *text = NULL, num[24];
	int rc;

	*out = 0;
	if (!e->note_table)
		return crm_error_set(CRM_EUSAGE, "a %s takes no notes", e->name);
	if ((rc = fresh ? crm_db_writable(db) : crm_entity_editable(db, e, id)))
		return rc;
	if (!one_of(note_kinds, kind))
		return crm_error_set(CRM_EDATA, "invalid kind '%s' (expected call, email, meeting,"
		                     " note, sms or chat)", kind);
	if (at && crm_time_parse(when, at, db->now))
		return crm_error_set(CRM_EDATA, "at: invalid time '%s'", at);
	if (!at)
		crm_db_now(db, when);
	if ((rc = crm_text_nfc(&text, body)))
		return rc;
	if (!*text)
		rc = crm_error_set(CRM_EDATA, "empty note");
	if (!rc)
		rc = insert_note(db, e, id, kind, when, text, out);
	free(text);
	snprintf(num, sizeof num, "%lld", (long long)*out);
	if (!rc)
		rc = crm_audit_change(db, e->name, id, "note", "interaction", NULL, num);
	/* Notes are found by search. */
	if (!rc)
		rc = e->reindex(db, "id = ?1", id);
	return rc;
}

int crm_entity_note(crm_db *db, const struct crm_entity *e, int64_t id, const char *kind,
                    const char *at, const char *body, int64_t *out)
{
	return note_add(db, e, id, kind, at, body, 0, out);
}

/* Whether record id holds a note of text body already. */
static int note_held(crm_db *db, const struct crm_entity *e, int64_t id, const char *body,
                     int *found)
{
	crm_stmt *st;
	int rc = crm_db_stmt_built(db, &st, note_same_sql, e, NULL);

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, body);
	*found = crm_stmt_step(st) == CRM_ROW;
	crm_stmt_reset(st);
	return CRM_OK;
}

/* crm_entity_note_once; a fresh record has no note to be the same. */
static int note_once(crm_db *db, const struct crm_entity *e, int64_t id, const char *text,
                     int fresh, int *added)
{
	char *body = NULL;
	int64_t nid;
	int rc, found = 0;

	*added = 0;
	if (!e->note_table)
		return crm_error_set(CRM_EUSAGE, "a %s takes no notes", e->name);
	if (!(rc = crm_text_nfc(&body, text)) && !fresh)
		rc = note_held(db, e, id, body, &found);
	if (!rc && !found && !(rc = note_add(db, e, id, "note", NULL, body, fresh, &nid)))
		*added = 1;
	free(body);
	return rc;
}

int crm_entity_note_once(crm_db *db, const struct crm_entity *e, int64_t id, const char *text,
                         int *added)
{
	return note_once(db, e, id, text, 0, added);
}

int crm_entity_note_fresh(crm_db *db, const struct crm_entity *e, int64_t id, const char *text,
                          int *added)
{
	return note_once(db, e, id, text, 1, added);
}

/* The timeline's statement: the record's notes and audit entries, and the
 * audit entries of the records that refer to it (a person's deals and
 * tasks), newest first; entries at the same time keep the order they were
 * written in (a note sorts by the sequence number of its audit entry).
 * The last column names the referring record. */
static int timeline_sql(crm_buf *b, const struct crm_entity *e)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;

	if (e->note_table)
		crm_buf_printf(b, "SELECT at, kind, owner, body, NULL, (SELECT seq FROM audit"
		               " WHERE entity = ?2 AND entity_id = ?1 AND action = 'note'"
		               " AND json_extract(changes, '$.interaction[1]') = CAST(i.id AS TEXT)),"
		               " NULL FROM %s i WHERE %s = ?1 UNION ALL ", e->note_table, e->custom_fk);
	for (size_t k = 0; crm_entity_referrer(e, k, &from, &d); k++)
		if (from != e)
			crm_buf_printf(b, "SELECT at, action, user, NULL, " CRM_AUDIT_CHANGES ", seq,"
			               " '%s ' || entity_id"
			               " FROM audit WHERE entity = '%s' AND entity_id IN (SELECT id FROM %s"
			               " WHERE %s = ?1) UNION ALL ", from->name, from->name, from->table,
			               d->column);
	return crm_buf_puts(b, "SELECT at, action, user, NULL, " CRM_AUDIT_CHANGES ", seq, NULL"
	                    " FROM audit"
	                    " WHERE entity = ?2 AND entity_id = ?1 AND action <> 'note'"
	                    " ORDER BY 1 DESC, 6 DESC");
}

int crm_entity_timeline(crm_db *db, const struct crm_entity *e, int64_t id,
                        int (*fn)(void *arg, const char *const *vals), void *arg)
{
	crm_buf sql = CRM_BUF_INIT, text = CRM_BUF_INIT;
	crm_stmt *st;
	const char *vals[CRM_TIMELINE_COLUMNS];
	int rc, stop = 0;

	timeline_sql(&sql, e);
	if (!(rc = crm_entity_exists(db, e, id)))
		rc = crm_db_stmt(db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, e->name);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < 3; i++)
			vals[i] = crm_stmt_text(st, i);
		crm_buf_clear(&text);
		if (crm_stmt_kind(st, 6) != CRM_KIND_NULL)
			crm_buf_printf(&text, "%s: ", crm_stmt_text(st, 6));
		if (crm_stmt_kind(st, 3) != CRM_KIND_NULL)
			crm_buf_puts(&text, crm_stmt_text(st, 3));
		else
			crm_audit_render(&text, vals[1], crm_stmt_text(st, 4));
		vals[3] = crm_buf_str(&text);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	crm_buf_free(&text);
	return crm_walk_end(stop, rc);
}
