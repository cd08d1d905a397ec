/* merge.c - merging duplicate contacts and undoing merges (see merge.h).
 *
 * The journal of a merge is JSON: for the survivor and each merged contact
 * its row of contacts and its rows of the side tables the registry names
 * (contact_custom, contact_tags, consents) exactly as stored, and for each
 * merged contact the keys of the rows of other tables that were re-pointed
 * at the survivor: its notes, its audit history, and the records of every
 * entity whose reference fields name people, and the tables (not
 * entities) that do, among them the send log.  Of rows a person has once
 * per something, such as a send log's per campaign, the one kept is
 * moved and the others are deleted: the journal keeps them whole under
 * "dropped".  Unmerging writes those rows back as they were, so nothing
 * is recomputed and the result is byte for byte the state before.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/contact.h"
#include "crm/merge.h"
#include "crm/norm.h"
#include "internal.h"
#include "registry.h"

#define TABLES_MAX 48

/* A table holding a contact's own rows (fk: the column with its id),
 * snapshot by a merge and restored whole by an unmerge. */
struct owned {
	const char *table, *fk;
};

/* Rows of other tables that point at a contact: a merge moves them to the
 * survivor and journals their keys under name.  Where a person has one
 * row per the columns unique (with column), rank orders the rows of the
 * people merged: the first is kept (see drop_clashes); the column link of
 * the table linked names the rows kept or dropped. */
struct ref {
	char name[128], where[64];
	const char *table, *key, *column, *unique, *rank, *linked, *link;
};

/* Fills o with the tables of a record of e: its row, custom fields, tags,
 * and the side tables the registry names; returns how many. */
static size_t owned_tables(const struct crm_entity *e, struct owned *o)
{
	size_t n = 0;

	o[n++] = (struct owned){ e->table, "id" };
	o[n++] = (struct owned){ e->custom_table, e->custom_fk };
	if (e->tag_table)
		o[n++] = (struct owned){ e->tag_table, e->custom_fk };
	for (const char *const *t = e->side_tables; t && *t && n < TABLES_MAX; t++)
		o[n++] = (struct owned){ *t, e->custom_fk };
	return n;
}

static void ref_add(struct ref *r, const char *name, const char *table, const char *key,
                    const char *column, const char *where)
{
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->where, sizeof r->where, "%s", where);
	r->table = table;
	r->key = key;
	r->column = column;
	r->unique = r->rank = r->linked = r->link = NULL;
}

/* The tables (not entities) whose rows name a person in contact_id: their
 * keys, and for those with one row per person and something, what that
 * is and which row a merge keeps. */
static const struct {
	const char *table, *key, *unique, *rank, *linked, *link;
} person_rows[] = {
	/* A person's loyalty points, tiers and cards go with them: the
	 * survivor's balance is the sum of both. */
	{ "loyalty_ledger", "id", NULL, NULL, NULL, NULL },
	{ "loyalty_lots", "entry_id", NULL, NULL, NULL, NULL },
	{ "loyalty_owed", "entry_id", NULL, NULL, NULL, NULL },
	{ "loyalty_tiers", "id", NULL, NULL, NULL, NULL },
	{ "loyalty_cards", "id", NULL, NULL, NULL, NULL },
	/* The send log: the survivor got a campaign when any of them did,
	 * and is never sent it again.  A message sent counts over one in
	 * doubt, and that over an exclusion.  A bounce names its send. */
	{ "campaign_sends", "id", "campaign_id, occurrence",
	  "state <> 'sent', state <> 'sending'", "mail_bounces", "send_id" },
	/* What the person wrote on any ticket, and the surveys sent them:
	 * theirs to export and to erase, whichever record survives. */
	{ "ticket_messages", "id", NULL, NULL, NULL, NULL },
	{ "surveys", "id", NULL, NULL, NULL, NULL },
};

/* Fills r with what points at a record of e: its notes, its audit history,
 * and every reference field of the registry naming an e; returns how
 * many.  The journal keys of the first two are their table names. */
static size_t ref_tables(const struct crm_entity *e, struct ref *r)
{
	const struct crm_entity *from;
	const struct crm_fielddef *d;
	char name[128], where[64];
	size_t n = 0;

	if (e->note_table)
		ref_add(&r[n++], e->note_table, e->note_table, "id", e->custom_fk, "1");
	snprintf(where, sizeof where, "entity = '%s'", e->name);
	ref_add(&r[n++], "audit", "audit", "seq", "entity_id", where);
	for (size_t k = 0; n < TABLES_MAX && crm_entity_referrer(e, k, &from, &d); k++) {
		snprintf(name, sizeof name, "%s.%s", from->table, d->column);
		ref_add(&r[n++], name, from->table, "id", d->column, "1");
	}
	for (size_t k = 0; e == &crm_contact_entity &&
	                   k < sizeof person_rows / sizeof person_rows[0] && n < TABLES_MAX; k++) {
		ref_add(&r[n], person_rows[k].table, person_rows[k].table, person_rows[k].key,
		        "contact_id", "1");
		r[n].unique = person_rows[k].unique;
		r[n].rank = person_rows[k].rank;
		r[n].linked = person_rows[k].linked;
		r[n++].link = person_rows[k].link;
	}
	return n;
}

static json_t *column_json(crm_stmt *st, int i)
{
	switch (crm_stmt_kind(st, i)) {
	case CRM_KIND_INT:
		return json_integer(crm_stmt_int(st, i));
	case CRM_KIND_REAL:
		return json_real(crm_stmt_double(st, i));
	case CRM_KIND_NULL:
		return json_null();
	default:
		return json_stringn_nocheck(crm_stmt_text(st, i),
		                            crm_stmt_bytes(st, i));
	}
}

/* Stores in *out the rows that sql (?1 bound to id) returns, as an array
 * of objects keyed by column name. */
static int rows_json(crm_db *db, const char *sql, int64_t id, json_t **out)
{
	crm_stmt *st;
	json_t *rows = json_array(), *row;
	int rc, i, bad = !rows;

	*out = NULL;
	if (bad || (rc = crm_db_stmt(db, &st, sql))) {
		json_decref(rows);
		return bad ? crm_error_nomem() : rc;
	}
	crm_stmt_bind_int(st, 1, id);
	while (!bad && (rc = crm_stmt_step(st)) == CRM_ROW) {
		bad = !(row = json_object()) || json_array_append_new(rows, row);
		for (i = 0; !bad && i < crm_stmt_columns(st); i++)
			bad = json_object_set_new(row, crm_stmt_name(st, i), column_json(st, i));
	}
	crm_stmt_reset(st);
	if (bad || rc < 0) {
		json_decref(rows);
		return bad ? crm_error_nomem() : rc;
	}
	*out = rows;
	return CRM_OK;
}

/* Stores in *out everything of contact id that a merge may change. */
static int snapshot(crm_db *db, int64_t id, json_t **out)
{
	crm_buf sql = CRM_BUF_INIT;
	json_t *snap = json_pack("{sI}", "id", (json_int_t)id), *rows;
	struct owned owned[TABLES_MAX];
	size_t i, n = owned_tables(&crm_contact_entity, owned);
	int rc = snap ? CRM_OK : crm_error_nomem();

	for (i = 0; !rc && i < n; i++) {
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "SELECT * FROM %s WHERE %s = ?1", owned[i].table,
		               owned[i].fk);
		if (!(rc = rows_json(db, crm_buf_str(&sql), id, &rows)) &&
		    json_object_set_new(snap, owned[i].table, rows))
			rc = crm_error_nomem();
	}
	crm_buf_free(&sql);
	if (rc)
		json_decref(snap);
	*out = rc ? NULL : snap;
	return rc;
}

/* The journal's column names go into SQL: only plain identifiers pass. */
static int identifier_p(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void bind_json(crm_stmt *st, int i, json_t *v)
{
	if (json_is_integer(v))
		crm_stmt_bind_int(st, i, json_integer_value(v));
	else if (json_is_real(v))
		crm_stmt_bind_double(st, i, json_real_value(v));
	else if (json_is_string(v))
		crm_stmt_bind_textn(st, i, json_string_value(v), json_string_length(v));
	else
		crm_stmt_bind_null(st, i);
}

/* Writes a journal row back: inserted, or (update) written over the row
 * with the same id. */
static int write_row(crm_db *db, const char *table, json_t *row, int update)
{
	crm_buf sql = CRM_BUF_INIT, vals = CRM_BUF_INIT;
	crm_stmt *st;
	const char *col;
	json_t *v;
	int rc, n = 0;

	crm_buf_printf(&sql, update ? "UPDATE %s SET " : "INSERT INTO %s(", table);
	json_object_foreach(row, col, v) {
		if (!identifier_p(col)) {
			rc = crm_error_set(CRM_EDATA, "merge journal: bad column name '%s'", col);
			goto out;
		}
		n++;
		if (update)
			crm_buf_printf(&sql, "%s%s = ?%d", n > 1 ? ", " : "", col, n);
		else
			crm_buf_printf(&sql, "%s%s", n > 1 ? ", " : "", col);
		crm_buf_printf(&vals, "%s?%d", n > 1 ? ", " : "", n);
	}
	if (update)
		crm_buf_printf(&sql, " WHERE id = ?%d", n + 1);
	else
		crm_buf_printf(&sql, ") VALUES (%s)", crm_buf_str(&vals));
	if ((rc = crm_db_stmt(db, &st, crm_buf_str(&sql))))
		goto out;
	n = 0;
	json_object_foreach(row, col, v)
		bind_json(st, ++n, v);
	if (update)
		bind_json(st, n + 1, json_object_get(row, "id"));
	rc = crm_stmt_done(st);
out:
	crm_buf_free(&sql);
	crm_buf_free(&vals);
	return rc;
}

/* Puts a contact's own rows back as the snapshot holds them. */
static int restore(crm_db *db, json_t *snap, int exists)
{
	crm_buf sql = CRM_BUF_INIT;
	int64_t id = json_integer_value(json_object_get(snap, "id"));
	struct owned owned[TABLES_MAX];
	size_t i, k, n = owned_tables(&crm_contact_entity, owned);
	json_t *row;
	int rc = CRM_OK;

	for (i = 0; !rc && i < n; i++) {
		json_t *rows = json_object_get(snap, owned[i].table);

		if (i > 0) {
			crm_buf_clear(&sql);
			crm_buf_printf(&sql, "DELETE FROM %s WHERE %s = ?1", owned[i].table,
			               owned[i].fk);
			rc = crm_db_exec_id(db, crm_buf_str(&sql), id);
		}
		json_array_foreach(rows, k, row) {
			if (!rc)
				rc = write_row(db, owned[i].table, row, i == 0 && exists);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* Moves the rows pointing at contact from onto contact to, and records
 * their keys in moved (an object: table -> array of keys). */
static int move_refs(crm_db *db, int64_t from, int64_t to, json_t *moved)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	struct ref refs[TABLES_MAX];
	size_t i, n = ref_tables(&crm_contact_entity, refs);
	int rc = CRM_OK;

	for (i = 0; !rc && i < n; i++) {
		json_t *keys = json_array();

		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "SELECT %s FROM %s WHERE %s = ?1 AND %s ORDER BY 1", refs[i].key,
		               refs[i].table, refs[i].column, refs[i].where);
		if (!keys || json_object_set_new(moved, refs[i].name, keys))
			rc = crm_error_nomem();
		if (!rc && !(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, from);
			while ((rc = crm_stmt_step(st)) == CRM_ROW)
				json_array_append_new(keys, json_integer(crm_stmt_int(st, 0)));
			crm_stmt_reset(st);
			rc = rc < 0 ? rc : CRM_OK;
		}
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "UPDATE %s SET %s = ?2 WHERE %s = ?1 AND %s", refs[i].table,
		               refs[i].column, refs[i].column, refs[i].where);
		if (!rc && !(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, from);
			crm_stmt_bind_int(st, 2, to);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* Moves the journaled rows back onto contact id. */
static int unmove_refs(crm_db *db, int64_t id, json_t *moved)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	struct ref refs[TABLES_MAX];
	size_t i, k, n = ref_tables(&crm_contact_entity, refs);
	json_t *key;
	int rc = CRM_OK;

	for (i = 0; !rc && i < n; i++) {
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "UPDATE %s SET %s = ?2 WHERE %s = ?1", refs[i].table,
		               refs[i].column, refs[i].key);
		json_array_foreach(json_object_get(moved, refs[i].name), k, key) {
			if (rc || (rc = crm_db_stmt(db, &st, crm_buf_str(&sql))))
				break;
			crm_stmt_bind_int(st, 1, json_integer_value(key));
			crm_stmt_bind_int(st, 2, id);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

/* The records of one merge: their snapshots, which survives, and the
 * order from most to least recently updated. */
struct group {
	json_t **snap;
	size_t *order;
	size_t n, surv;
	size_t email_from, phone_from; /* whose email and phone the survivor keeps */
	const char *country; /* the survivor's country after the merge, or NULL */
	json_t *dropped; /* table -> the rows drop_clashes deleted */
};

static json_t *row_of(json_t *snap)
{
	return json_array_get(json_object_get(snap, "contacts"), 0);
}

static const char *row_text(json_t *snap, const char *col)
{
	const char *s = json_string_value(json_object_get(row_of(snap), col));

	return s ? s : "";
}

static int empty_p(json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
}

/* Sorts the group's records by updated_at, newest first (then higher id). */
static void order_by_recency(struct group *g)
{
	size_t i, j;

	for (i = 0; i < g->n; i++)
		g->order[i] = i;
	for (i = 1; i < g->n; i++) {
		for (j = i; j > 0; j--) {
			json_t *a = g->snap[g->order[j - 1]], *b = g->snap[g->order[j]];
			int c = strcmp(row_text(a, "updated_at"), row_text(b, "updated_at"));

			if (c > 0 || (c == 0 && json_integer_value(json_object_get(a, "id")) >
			                            json_integer_value(json_object_get(b, "id"))))
				break;
			size_t t = g->order[j];
			g->order[j] = g->order[j - 1];
			g->order[j - 1] = t;
		}
	}
}

/* The value the survivor ends up with in column col: what r sets, else
 * its own (borrowed from the snapshot; NULL when empty). */
static const char *final_text(struct group *g, const char *col, const char *set)
{
	const char *own = row_text(g->snap[g->surv], col);

	return set ? set : *own ? own : NULL;
}

/* Stores in *out (malloc'd) how a phone number of another record is kept
 * on the survivor: as typed when it still reads as the same number in the
 * survivor's country (region), else as its E.164 form, valid anywhere --
 * "020 7946 0001" from a British record is not a number in the US. */
static int phone_kept(crm_db *db, const char *typed, const char *e164, const char *region,
                      char **out)
{
	const struct crm_fielddef *d = crm_fielddef_of(crm_entity_field_find(&crm_contact_entity,
	                                                                     "phone"));
	char *read = NULL;
	int same = crm_field_value(db, d, typed, region, &read) == CRM_OK && !strcmp(read, e164);

	free(read);
	crm_error_clear();
	*out = strdup(same || !*e164 ? typed : e164);
	return *out ? CRM_OK : crm_error_nomem();
}

/* Sets in r the survivor's phone as it keeps it (see phone_kept): that of
 * the record whose phone it takes, or its own when the country changes
 * under it. */
static int keep_phone(crm_db *db, struct group *g, crm_record *r)
{
	const char *typed = row_text(g->snap[g->phone_from], "phone");
	char *kept;
	int rc;

	if (!*typed)
		return CRM_OK;
	if ((rc = phone_kept(db, typed, row_text(g->snap[g->phone_from], "phone_e164"), g->country,
	                     &kept)))
		return rc;
	if (g->phone_from != g->surv || strcmp(kept, typed))
		rc = crm_record_set(r, "phone", kept);
	free(kept);
	return rc;
}

/* Sets in r each field the survivor takes from another record: the most
 * recently updated non-empty value (with CRM_FIELDS_SURVIVOR, only where
 * the survivor has none).  The phone is set last (keep_phone), once the
 * country is known: it may come from yet another record. */
static int choose_fields(crm_db *db, struct group *g, const struct crm_merge_opts *o,
                         crm_record *r)
{
	const struct crm_entity *e = &crm_contact_entity;
	json_t *srow = row_of(g->snap[g->surv]);
	const char *country = NULL;
	char buf[32];
	size_t i, k;
	int rc;

	g->email_from = g->phone_from = g->surv;
	for (i = 0; i < e->nfields; i++) {
		const struct crm_fielddef *d = &e->defs[i];
		json_t *cur, *best = NULL;
		size_t from = g->surv;

		if ((d->f.flags & CRM_FIELD_RO) || !d->column)
			continue;
		cur = json_object_get(srow, d->column);
		if (o->fields == CRM_FIELDS_SURVIVOR && !empty_p(cur))
			continue;
		for (k = 0; k < g->n && !best; k++) {
			json_t *v = json_object_get(row_of(g->snap[g->order[k]]), d->column);

			if (!empty_p(v)) {
				best = v;
				from = g->order[k];
			}
		}
		if (!strcmp(d->column, "email"))
			g->email_from = from;
		if (!strcmp(d->column, "phone"))
			g->phone_from = from;
		if (!best || json_equal(best, cur))
			continue;
		if (json_is_integer(best))
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(best));
		if (!strcmp(d->column, "country"))
			country = json_string_value(best);
		if (strcmp(d->column, "phone") &&
		    (rc = crm_record_set(r, d->f.name, json_is_integer(best) ? buf
		                                                              : json_string_value(best))))
			return rc;
	}
	g->country = final_text(g, "country", country);
	return keep_phone(db, g, r);
}

/* Whether key is base followed by a number from 2 (email2, phone3): one
 * of a person's other addresses or numbers. */
static int numbered(const char *key, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(key, base, n) && key[n] >= '1' && key[n] <= '9' &&
	       key[n + strspn(key + n, "0123456789")] == '\0' && strcmp(key + n, "1");
}

/* The form two addresses or numbers are compared in: an email in lower
 * case as stored, a phone in E.164 read in region (the country of the
 * record that has it); as typed when it reads as neither. */
static char *compared(crm_db *db, const char *col, const char *typed, const char *region)
{
	const struct crm_fielddef *d = crm_fielddef_of(crm_entity_field_find(&crm_contact_entity,
	                                                                     col));
	char *out = NULL;

	if (!strcmp(col, "email") ? crm_email_normalize(&out, typed)
	                          : crm_field_value(db, d, typed, *region ? region : NULL, &out)) {
		crm_error_clear();
		free(out);
		out = strdup(typed);
	}
	return out;
}

/* Adds value typed of column col, of record snap, to u as the next
 * custom field base2, base3 ..., unless seen (a JSON array of the
 * compared forms kept so far) holds it.  A phone is kept as phone_kept
 * says. */
static int keep_other(crm_db *db, struct group *g, json_t *u, json_t *seen, const char *col,
                      const char *base, json_t *snap, const char *typed, int *next)
{
	char key[32], *v = NULL, *cmp = compared(db, col, typed, row_text(snap, "country"));
	json_t *s;
	size_t i;
	int rc = cmp ? CRM_OK : crm_error_nomem();

	json_array_foreach(seen, i, s)
		if (!rc && !strcmp(json_string_value(s), cmp))
			goto done;
	if (rc || (rc = json_array_append_new(seen, json_string(cmp)) ? crm_error_nomem() : CRM_OK))
		goto done;
	if (!strcmp(col, "phone"))
		rc = phone_kept(db, typed, cmp, g->country, &v);
	else if (!(v = strdup(typed)))
		rc = crm_error_nomem();
	if (!rc) {
		do
			snprintf(key, sizeof key, "%s%d", base, (*next)++);
		while (json_object_get(u, key));
		if (json_object_set_new(u, key, json_string(v)))
			rc = crm_error_nomem();
	}
done:
	free(v);
	free(cmp);
	return rc;
}

/* Adds to u, as custom fields base2, base3 ..., every value of column col
 * of the group that the survivor does not keep, and every other one they
 * held as such custom fields (most recently updated record first), each
 * once: a person's other addresses and numbers stay findable, none lost
 * when people merged before merge again. */
static int keep_others(crm_db *db, struct group *g, json_t *u, size_t kept, const char *col,
                       const char *base)
{
	json_t *seen = json_array(), *row;
	const char *keep = row_text(g->snap[kept], col);
	int next = 2, rc = seen ? CRM_OK : crm_error_nomem();
	size_t k, i;

	if (!rc && *keep) {
		char *cmp = compared(db, col, keep, row_text(g->snap[kept], "country"));

		rc = !cmp || json_array_append_new(seen, json_string(cmp)) ? crm_error_nomem() : CRM_OK;
		free(cmp);
	}
	for (k = 0; k < g->n && !rc; k++) {
		const char *typed = row_text(g->snap[g->order[k]], col);

		if (*typed)
			rc = keep_other(db, g, u, seen, col, base, g->snap[g->order[k]], typed, &next);
	}
	for (k = 0; k < g->n && !rc; k++)
		json_array_foreach(json_object_get(g->snap[g->order[k]], "contact_custom"), i, row)
			if (!rc && numbered(json_string_value(json_object_get(row, "key")), base))
				rc = keep_other(db, g, u, seen, col, base, g->snap[g->order[k]],
				                json_string_value(json_object_get(row, "value")), &next);
	json_decref(seen);
	return rc;
}

/* Sets in r the union of the custom fields (on a clash the most recently
 * updated record's value) with the other emails and phones added, in
 * place of the numbered ones each record had; the survivor's numbered
 * ones left over go. */
static int unite_custom(crm_db *db, struct group *g, crm_record *r)
{
	json_t *u = json_object(), *row, *cur;
	const char *key;
	size_t i, k;
	int rc = u ? CRM_OK : crm_error_nomem();

	for (i = g->n; !rc && i-- > 0;)
		json_array_foreach(json_object_get(g->snap[g->order[i]], "contact_custom"), k, row) {
			key = json_string_value(json_object_get(row, "key"));
			if (!numbered(key, "email") && !numbered(key, "phone") &&
			    json_object_set(u, key, json_object_get(row, "value")))
				rc = crm_error_nomem();
		}
	if (!rc)
		rc = keep_others(db, g, u, g->email_from, "email", "email");
	if (!rc)
		rc = keep_others(db, g, u, g->phone_from, "phone", "phone");
	json_object_foreach(u, key, cur) {
		const char *had = NULL;

		json_array_foreach(json_object_get(g->snap[g->surv], "contact_custom"), k, row)
			if (!strcmp(json_string_value(json_object_get(row, "key")), key))
				had = json_string_value(json_object_get(row, "value"));
		if (!rc && (!had || strcmp(had, json_string_value(cur))))
			rc = crm_record_set_custom(r, key, json_string_value(cur));
	}
	json_array_foreach(json_object_get(g->snap[g->surv], "contact_custom"), k, row) {
		key = json_string_value(json_object_get(row, "key"));
		if (!rc && (numbered(key, "email") || numbered(key, "phone")) && !json_object_get(u, key))
			rc = crm_record_set_custom(r, key, "");
	}
	json_decref(u);
	return rc;
}

/* The union of the group's tags, comma-separated, into b. */
static int unite_tags(struct group *g, crm_buf *b)
{
	json_t *seen = json_object(), *row;
	size_t i, k;
	int rc = seen ? CRM_OK : crm_error_nomem();

	for (i = 0; !rc && i < g->n; i++) {
		json_array_foreach(json_object_get(g->snap[i], "contact_tags"), k, row) {
			const char *tag = json_string_value(json_object_get(row, "tag"));

			if (rc || json_object_get(seen, tag))
				continue;
			if (json_object_set_new(seen, tag, json_true()) ||
			    crm_buf_printf(b, "%s%s", b->len ? "," : "", tag))
				rc = crm_error_nomem();
		}
	}
	json_decref(seen);
	return rc;
}

/* Gives the survivor the merged contact's consents where they are newer;
 * of two decisions made at one time a refusal wins over a grant, as no
 * consent is the safe reading, whichever of the two records survives. */
static int unite_consents(crm_db *db, int64_t from, int64_t to)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st,
		"INSERT INTO consents(contact_id, channel, status, source, at)"
		" SELECT ?2, channel, status, source, at FROM consents WHERE contact_id = ?1 AND 1"
		" ON CONFLICT(contact_id, channel) DO UPDATE SET status = excluded.status,"
		" source = excluded.source, at = excluded.at WHERE excluded.at > consents.at"
		" OR (excluded.at = consents.at AND consents.status = 'granted'"
		"  AND excluded.status <> 'granted')");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, from);
	crm_stmt_bind_int(st, 2, to);
	return crm_stmt_done(st);
}

/* Puts the survivor in every snapshot segment the merged contact was in
 * (segment_members is a side table: the journal keeps both contacts'
 * memberships, and unmerge puts them back as they were). */
static int unite_segments(crm_db *db, int64_t from, int64_t to)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st,
		"INSERT OR IGNORE INTO segment_members(segment_id, contact_id)"
		" SELECT segment_id, ?2 FROM segment_members WHERE contact_id = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, from);
	crm_stmt_bind_int(st, 2, to);
	return crm_stmt_done(st);
}

/* Checks that every id names a distinct live contact. */
static int check_ids(crm_db *db, const int64_t *ids, size_t n)
{
	crm_stmt *st;
	size_t i, j;
	int rc, found, archived = 0, erased = 0;

	if (n < 2)
		return crm_error_set(CRM_EDATA, "a merge needs at least two contacts");
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (ids[i] == ids[j])
				return crm_error_set(CRM_EDATA, "contact %lld is given twice",
				                     (long long)ids[i]);
		if ((rc = crm_db_stmt(db, &st, "SELECT archived_at IS NOT NULL, erased_at IS NOT NULL"
		                      " FROM contacts WHERE id = ?1")))
			return rc;
		crm_stmt_bind_int(st, 1, ids[i]);
		if ((found = (crm_stmt_step(st) == CRM_ROW))) {
			archived = (int)crm_stmt_int(st, 0);
			erased = (int)crm_stmt_int(st, 1);
		}
		crm_stmt_reset(st);
		if (!found)
			return crm_error_set(CRM_ENOTFOUND, "no contact %lld", (long long)ids[i]);
		if (erased || archived)
			return crm_error_set(CRM_EDATA, "contact %lld is %s", (long long)ids[i],
			                     erased ? "erased" : "archived");
	}
	return CRM_OK;
}

static size_t pick_survivor(const int64_t *ids, size_t n, const struct crm_merge_opts *o)
{
	size_t i, s = 0;

	for (i = 0; i < n; i++) {
		if (o->into ? ids[i] == o->into
		            : o->survivor == CRM_SURVIVOR_NEWEST ? ids[i] > ids[s] : ids[i] < ids[s])
			s = i;
	}
	return s;
}

static void group_free(struct group *g)
{
	size_t i;

	for (i = 0; g->snap && i < g->n; i++)
		json_decref(g->snap[i]);
	free(g->snap);
	free(g->order);
	json_decref(g->dropped);
}

static int group_load(crm_db *db, struct group *g, const int64_t *ids, size_t n,
                      const struct crm_merge_opts *o)
{
	size_t i;
	int rc = CRM_OK;

	g->n = n;
	g->snap = calloc(n, sizeof *g->snap);
	g->order = calloc(n, sizeof *g->order);
	if (!g->snap || !g->order)
		return crm_error_nomem();
	g->surv = pick_survivor(ids, n, o);
	if (o->into && ids[g->surv] != o->into)
		return crm_error_set(CRM_EUSAGE, "the survivor %lld is not among the contacts merged",
		                     (long long)o->into);
	for (i = 0; !rc && i < n; i++)
		rc = snapshot(db, ids[i], &g->snap[i]);
	if (!rc)
		order_by_recency(g);
	return rc;
}

/* Starts the merge's journal row and stores its id in *merge. */
static int merge_row(crm_db *db, struct group *g, int64_t *merge)
{
	crm_buf merged = CRM_BUF_INIT;
	crm_stmt *st;
	char now[21];
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++)
		if (i != g->surv)
			crm_buf_printf(&merged, "%s%lld", merged.len ? "," : "",
			               (long long)json_integer_value(json_object_get(g->snap[i], "id")));
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO merges(at, user, survivor, merged, journal)"
	                      " VALUES (?1, ?2, ?3, ?4, '{}')"))) {
		crm_buf_free(&merged);
		return rc;
	}
	crm_db_now(db, now);
	crm_stmt_bind_text(st, 1, now);
	crm_stmt_bind_text(st, 2, db->user);
	crm_stmt_bind_int(st, 3, json_integer_value(json_object_get(g->snap[g->surv], "id")));
	crm_stmt_bind_text(st, 4, crm_buf_str(&merged));
	rc = crm_stmt_done(st);
	*merge = crm_db_last_id(db);
	crm_buf_free(&merged);
	return rc;
}

/* An import's "add" entry keeps no values: they are read from the record
 * it names, back through the changes after it (crm_audit_created).  A
 * merge mixes two histories, so first each entry of the people it joins
 * takes the values it stands for: a merged person's would show the
 * survivor's, and the survivor's would be taken back through the merged
 * person's changes. */
static int keep_created(crm_db *db, int64_t id)
{
	return crm_db_exec_id(db, "UPDATE audit SET changes = crm_created(entity, entity_id, seq)"
	                      " WHERE entity = 'contact' AND entity_id = ?1 AND action = 'add'"
	                      " AND changes IS NULL", id);
}

/* Keeps in dropped, under the name of the table linked, the rows that
 * link to those of r that where (?1 bound to s) selects, as id and
 * target: deleting those sets the link NULL, and undrop sets it back. */
static int drop_links(crm_db *db, const struct ref *r, const char *where, int64_t s,
                      json_t *dropped)
{
	crm_buf sql = CRM_BUF_INIT;
	json_t *rows = NULL;
	int rc = crm_buf_printf(&sql, "SELECT id, %s AS target FROM %s WHERE %s IN (SELECT %s"
	                        " FROM %s WHERE %s)", r->link, r->linked, r->link, r->key,
	                        r->table, where);

	if (!rc && !(rc = rows_json(db, crm_buf_str(&sql), s, &rows)) &&
	    json_object_set_new(dropped, r->linked, rows))
		rc = crm_error_nomem();
	crm_buf_free(&sql);
	return rc;
}

/* Of the rows that the people merged have once each per something (a
 * send log's row per campaign), keeps one: the first by rank, the
 * survivor's of equals.  The others are deleted, whole in g->dropped for
 * an unmerge to put back, so that the rest can be moved. */
static int drop_clashes(crm_db *db, struct group *g)
{
	crm_buf ids = CRM_BUF_INIT, where = CRM_BUF_INIT, sql = CRM_BUF_INIT;
	struct ref refs[TABLES_MAX];
	size_t i, n = ref_tables(&crm_contact_entity, refs);
	int64_t s = json_integer_value(json_object_get(g->snap[g->surv], "id"));
	json_t *rows;
	int rc = (g->dropped = json_object()) ? CRM_OK : crm_error_nomem();

	for (i = 0; i < g->n; i++)
		crm_buf_printf(&ids, "%s%lld", i ? "," : "",
		               (long long)json_integer_value(json_object_get(g->snap[i], "id")));
	for (i = 0; !rc && i < n; i++) {
		const struct ref *r = &refs[i];

		if (!r->unique)
			continue;
		crm_buf_clear(&where);
		crm_buf_printf(&where, "%s IN (SELECT %s FROM (SELECT %s, row_number() OVER"
		               " (PARTITION BY %s ORDER BY %s, %s <> ?1, %s) AS n FROM %s"
		               " WHERE %s IN (%s)) WHERE n > 1)", r->key, r->key, r->key, r->unique,
		               r->rank, r->column, r->key, r->table, r->column, crm_buf_str(&ids));
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "SELECT * FROM %s WHERE %s ORDER BY %s", r->table,
		               crm_buf_str(&where), r->key);
		if ((rc = rows_json(db, crm_buf_str(&sql), s, &rows)))
			break;
		if (json_object_set_new(g->dropped, r->table, rows))
			rc = crm_error_nomem();
		if (!rc && r->linked)
			rc = drop_links(db, r, crm_buf_str(&where), s, g->dropped);
		crm_buf_clear(&sql);
		crm_buf_printf(&sql, "DELETE FROM %s WHERE %s", r->table, crm_buf_str(&where));
		if (!rc)
			rc = crm_db_exec_id(db, crm_buf_str(&sql), s);
	}
	crm_buf_free(&ids);
	crm_buf_free(&where);
	crm_buf_free(&sql);
	return rc;
}

/* Sets back the links drop_links kept. */
static int undrop_links(crm_db *db, const struct ref *r, json_t *links)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	json_t *row;
	size_t k;
	int rc = crm_buf_printf(&sql, "UPDATE %s SET %s = ?2 WHERE id = ?1", r->linked, r->link);

	json_array_foreach(links, k, row) {
		if (rc || (rc = crm_db_stmt(db, &st, crm_buf_str(&sql))))
			break;
		crm_stmt_bind_int(st, 1, json_integer_value(json_object_get(row, "id")));
		crm_stmt_bind_int(st, 2, json_integer_value(json_object_get(row, "target")));
		rc = crm_stmt_done(st);
	}
	crm_buf_free(&sql);
	return rc;
}

/* Puts back the rows drop_clashes deleted, once their people are back. */
static int undrop(crm_db *db, json_t *dropped)
{
	struct ref refs[TABLES_MAX];
	size_t i, k, n = ref_tables(&crm_contact_entity, refs);
	json_t *row;
	int rc = CRM_OK;

	for (i = 0; !rc && i < n; i++) {
		if (!refs[i].unique)
			continue;
		json_array_foreach(json_object_get(dropped, refs[i].table), k, row) {
			if (!rc)
				rc = write_row(db, refs[i].table, row, 0);
		}
		if (!rc && refs[i].linked)
			rc = undrop_links(db, &refs[i], json_object_get(dropped, refs[i].linked));
	}
	return rc;
}

/* Moves, audits and deletes each merged contact. */
static int absorb(crm_db *db, struct group *g, int64_t merge)
{
	int64_t s = json_integer_value(json_object_get(g->snap[g->surv], "id"));
	char changes[96];
	size_t i;
	int rc = keep_created(db, s);

	for (i = 0; !rc && i < g->n; i++) {
		int64_t m = json_integer_value(json_object_get(g->snap[i], "id"));
		json_t *moved;

		if (i == g->surv)
			continue;
		if (!(moved = json_object()) || json_object_set_new(g->snap[i], "moved", moved))
			return crm_error_nomem();
		snprintf(changes, sizeof changes, "{\"into\":%lld,\"merge\":%lld}", (long long)s,
		         (long long)merge);
		if (!(rc = unite_consents(db, m, s)) && !(rc = unite_segments(db, m, s)) &&
		    !(rc = keep_created(db, m)) &&
		    !(rc = move_refs(db, m, s, moved)) &&
		    !(rc = crm_audit_add(db, "contact", m, "merged", changes)))
			rc = crm_entity_delete(db, &crm_contact_entity, m);
	}
	return rc;
}

/* Writes the journal and the audit entry of the survivor. */
static int finish_merge(crm_db *db, struct group *g, int64_t merge)
{
	json_t *journal = json_pack("{sOs[]sO}", "survivor", g->snap[g->surv], "merged",
	                            "dropped", g->dropped);
	json_t *audit = json_pack("{sIs[]}", "merge", (json_int_t)merge, "merged");
	crm_stmt *st;
	char *text = NULL, *changes = NULL;
	size_t i;
	int rc;

	for (i = 0; journal && audit && i < g->n; i++) {
		if (i == g->surv)
			continue;
		json_array_append(json_object_get(journal, "merged"), g->snap[i]);
		json_array_append(json_object_get(audit, "merged"), json_object_get(g->snap[i], "id"));
	}
	if (journal && audit) {
		text = json_dumps(journal, JSON_COMPACT);
		changes = json_dumps(audit, JSON_COMPACT);
	}
	json_decref(journal);
	json_decref(audit);
	if (!text || !changes) {
		free(text);
		free(changes);
		return crm_error_nomem();
	}
	rc = crm_audit_add(db, "contact", json_integer_value(json_object_get(g->snap[g->surv], "id")),
	                   "merge", changes);
	if (!rc && !(rc = crm_db_stmt(db, &st, "UPDATE merges SET journal = ?2,"
	                              " last_seq = (SELECT max(seq) FROM audit) WHERE id = ?1"))) {
		crm_stmt_bind_int(st, 1, merge);
		crm_stmt_bind_text(st, 2, text);
		rc = crm_stmt_done(st);
	}
	free(text);
	free(changes);
	return rc;
}

static int merge_group(crm_db *db, const int64_t *ids, size_t n, const struct crm_merge_opts *o,
                       int64_t *merge, int64_t *survivor)
{
	struct group g = { 0 };
	crm_record *r = NULL;
	crm_buf tags = CRM_BUF_INIT;
	int rc, changed;

	if ((rc = check_ids(db, ids, n)) ||
	    (rc = group_load(db, &g, ids, n, o)) ||
	    (rc = crm_record_new(&r, &crm_contact_entity)) || (rc = choose_fields(db, &g, o, r)) ||
	    (rc = unite_custom(db, &g, r)) || (rc = unite_tags(&g, &tags)))
		goto out;
	*survivor = ids[g.surv];
	if ((rc = merge_row(db, &g, merge)) || (rc = drop_clashes(db, &g)) ||
	    (rc = absorb(db, &g, *merge)))
		goto out;
	if (crm_record_count(r) && (rc = crm_entity_update(db, r, *survivor, &changed)))
		goto out;
	if ((rc = crm_entity_tags_set(db, &crm_contact_entity, *survivor, crm_buf_str(&tags), &changed)))
		goto out;
	rc = finish_merge(db, &g, *merge);
out:
	crm_buf_free(&tags);
	crm_record_free(r);
	group_free(&g);
	return rc;
}

int crm_merge(crm_db *db, const int64_t *ids, size_t n, const struct crm_merge_opts *o,
              int64_t *merge, int64_t *survivor)
{
	int rc;

	if ((rc = crm_db_writable(db)) || (rc = crm_db_savepoint(db, "crm_merge")))
		return rc;
	rc = merge_group(db, ids, n, o, merge, survivor);
	return crm_db_savepoint_end(db, "crm_merge", 0, rc);
}

int crm_merge_run_begin(crm_db *db)
{
	int rc = crm_db_bulk(db);

	/* FTS5 flushes its pending terms whenever an entry is rewritten
	 * inside a new statement; one statement at the end writes them all. */
	if (!rc)
		db->defer_index = 1;
	return rc;
}

/* Rebuilds the search entries of the people ids names (?1 = arg) and of
 * the records that refer to them, whose entries hold their names. */
static int reindex_people(crm_db *db, const char *ids, int64_t arg)
{
	crm_buf where = CRM_BUF_INIT;
	int rc;

	crm_buf_printf(&where, "id %s", ids);
	rc = crm_contact_reindex(db, crm_buf_str(&where), arg);
	crm_buf_free(&where);
	return rc ? rc : crm_entity_reindex_referrers(db, &crm_contact_entity, ids, arg);
}

int crm_merge_run_end(crm_db *db, int64_t first)
{
	db->defer_index = 0;
	if (!first)
		return CRM_OK;
	return reindex_people(db, "IN (SELECT survivor FROM merges WHERE id >= ?1)", first);
}

/* Reads merge's survivor, journal and last audit entry, checking it can
 * be undone. */
static int merge_state(crm_db *db, int64_t merge, int64_t *survivor, json_t **journal,
                       int64_t *last)
{
	crm_stmt *st;
	json_error_t err;
	char *undone = NULL;
	int rc, found;

	*journal = NULL;
	if ((rc = crm_db_stmt(db, &st, "SELECT survivor, journal, last_seq, undone_at"
	                      " FROM merges WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, merge);
	if ((found = (crm_stmt_step(st) == CRM_ROW))) {
		*survivor = crm_stmt_int(st, 0);
		*journal = json_loads(crm_stmt_text(st, 1), 0, &err);
		*last = crm_stmt_int(st, 2);
		if (crm_stmt_text(st, 3))
			undone = strdup(crm_stmt_text(st, 3));
	}
	crm_stmt_reset(st);
	if (!found)
		return crm_error_set(CRM_ENOTFOUND, "no merge %lld", (long long)merge);
	if (undone) {
		rc = crm_error_set(CRM_EFAIL, "merge %lld was already undone at %s", (long long)merge,
		                   undone);
		free(undone);
		return rc;
	}
	if (!*journal)
		return crm_error_set(CRM_EFAIL, "merge %lld: unreadable journal: %s", (long long)merge,
		                     err.text);
	if (json_object_get(*journal, "erased"))
		return crm_error_set(CRM_EFAIL, "merge %lld cannot be undone: contact %lld was erased"
		                     " since", (long long)merge,
		                     (long long)json_integer_value(json_object_get(*journal, "erased")));
	return CRM_OK;
}

/* Fails, even forced, when the survivor was deleted since (purged, or
 * its import undone, forced): the merged records alone would come back. */
static int check_survivor(crm_db *db, int64_t merge, int64_t survivor)
{
	int rc = crm_entity_exists(db, &crm_contact_entity, survivor);

	if (rc == CRM_ENOTFOUND)
		return crm_error_set(CRM_EFAIL, "merge %lld cannot be undone: contact %lld was deleted"
		                     " since", (long long)merge, (long long)survivor);
	return rc;
}

/* Fails, even forced, when the survivor was merged into another since:
 * its rows are that merge's now, and only undoing it first gives them
 * back whole. */
static int check_merged_away(crm_db *db, int64_t merge, int64_t survivor)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT id, survivor FROM merges WHERE id > ?1"
	                     " AND undone_at IS NULL"
	                     " AND instr(',' || merged || ',', ',' || ?2 || ',') > 0"
	                     " ORDER BY id LIMIT 1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, merge);
	crm_stmt_bind_int(st, 2, survivor);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		rc = crm_error_set(CRM_EDATA, "contact %lld was merged into contact %lld since"
		                   " (merge %lld): unmerge that first", (long long)survivor,
		                   (long long)crm_stmt_int(st, 1), (long long)crm_stmt_int(st, 0));
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Fails naming the changes made to the survivor after the merge.  A later
 * merge undone since changed nothing: its entries, and its unmerge's,
 * are left out, so that a chain of merges comes apart newest first. */
static int check_later(crm_db *db, int64_t merge, int64_t survivor, int64_t last)
{
	crm_stmt *st;
	char *what = NULL;
	int rc, n = 0;

	if ((rc = crm_db_stmt(db, &st, "SELECT count(*), group_concat(action || ' by ' || user"
	                      " || ' at ' || at, '; ') FROM audit WHERE entity = 'contact'"
	                      " AND entity_id = ?1 AND seq > ?2 AND NOT (action IN ('merge',"
	                      " 'merged', 'unmerge') AND json_extract(changes, '$.merge') IN"
	                      " (SELECT id FROM merges WHERE undone_at IS NOT NULL))")))
		return rc;
	crm_stmt_bind_int(st, 1, survivor);
	crm_stmt_bind_int(st, 2, last);
	if (crm_stmt_step(st) == CRM_ROW && (n = (int)crm_stmt_int(st, 0)) > 0)
		what = strdup(crm_stmt_text(st, 1));
	crm_stmt_reset(st);
	if (n > 0) {
		rc = crm_error_set(CRM_EDATA, "contact %lld changed since merge %lld (%s);"
		                   " undoing would lose that (--force to undo anyway)",
		                   (long long)survivor, (long long)merge, what ? what : "?");
		free(what);
	}
	return rc;
}

static int audit_unmerge(crm_db *db, int64_t id, int64_t merge)
{
	char changes[48];

	snprintf(changes, sizeof changes, "{\"merge\":%lld}", (long long)merge);
	return crm_audit_add(db, "contact", id, "unmerge", changes);
}

static int mark_undone(crm_db *db, int64_t merge)
{
	crm_stmt *st;
	char now[21];
	int rc = crm_db_stmt(db, &st, "UPDATE merges SET undone_at = ?2 WHERE id = ?1");

	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, merge);
	crm_stmt_bind_text(st, 2, now);
	return crm_stmt_done(st);
}

/* The purchases moved back take the refunds made for them since the
 * merge, and their points, with them. */
static int purchases_back(crm_db *db, json_t *moved)
{
	json_t *key;
	size_t k;
	int rc = CRM_OK;

	json_array_foreach(json_object_get(moved, "purchases.contact_id"), k, key) {
		if (rc || (rc = crm_purchase_moved(db, json_integer_value(key))))
			break;
	}
	return rc;
}

/* Whether the id of a contact of the journal is id. */
static int in_journal(json_t *journal, int64_t id)
{
	json_t *snap;
	size_t i;

	if (json_integer_value(json_object_get(json_object_get(journal, "survivor"), "id")) == id)
		return 1;
	json_array_foreach(json_object_get(journal, "merged"), i, snap)
		if (json_integer_value(json_object_get(snap, "id")) == id)
			return 1;
	return 0;
}

/* Refuses an unmerge that would give back an email a live contact
 * outside the merge took since (the merged record's, free once it was
 * gone), naming both, as restore refuses one. */
static int check_email(crm_db *db, json_t *journal, json_t *snap)
{
	json_t *row = json_array_get(json_object_get(snap, crm_contact_entity.table), 0);
	const char *norm = json_string_value(json_object_get(row, "email_norm"));
	crm_stmt *st;
	int rc;

	if (!norm || json_is_string(json_object_get(row, "archived_at")))
		return CRM_OK;
	if ((rc = crm_db_stmt(db, &st, "SELECT id FROM contacts WHERE email_norm = ?1"
	                      " AND archived_at IS NULL")))
		return rc;
	crm_stmt_bind_text(st, 1, norm);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		if (!in_journal(journal, crm_stmt_int(st, 0)))
			break;
	if (rc == CRM_ROW)
		rc = crm_error_set(CRM_EDATA, "contact %lld's email %s belongs to contact %lld now;"
		                   " change one of them first",
		                   (long long)json_integer_value(json_object_get(snap, "id")),
		                   json_string_value(json_object_get(row, "email")),
		                   (long long)crm_stmt_int(st, 0));
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_unmerge(crm_db *db, int64_t merge, int force)
{
	json_t *journal = NULL, *snap;
	int64_t survivor = 0, last = 0, id;
	size_t i;
	int rc;

	if ((rc = crm_db_writable(db)) || (rc = merge_state(db, merge, &survivor, &journal, &last)) ||
	    (rc = check_merged_away(db, merge, survivor)) ||
	    (rc = check_survivor(db, merge, survivor)) ||
	    (!force && (rc = check_later(db, merge, survivor, last))) ||
	    (rc = check_email(db, journal, json_object_get(journal, "survivor"))))
		goto out;
	json_array_foreach(json_object_get(journal, "merged"), i, snap)
		if ((rc = check_email(db, journal, snap)))
			goto out;
	if ((rc = restore(db, json_object_get(journal, "survivor"), 1)) ||
	    (rc = audit_unmerge(db, survivor, merge)))
		goto out;
	json_array_foreach(json_object_get(journal, "merged"), i, snap) {
		id = json_integer_value(json_object_get(snap, "id"));
		if ((rc = restore(db, snap, 0)) ||
		    (rc = unmove_refs(db, id, json_object_get(snap, "moved"))) ||
		    (rc = purchases_back(db, json_object_get(snap, "moved"))) ||
		    (rc = reindex_people(db, "= ?1", id)) || (rc = audit_unmerge(db, id, merge)))
			goto out;
	}
	if ((rc = undrop(db, json_object_get(journal, "dropped"))))
		goto out;
	/* The survivor's search entry last: its notes have moved back. */
	if (!(rc = reindex_people(db, "= ?1", survivor)))
		rc = mark_undone(db, merge);
out:
	json_decref(journal);
	return rc;
}

int crm_merge_survivor(crm_db *db, int64_t id, int64_t *out)
{
	crm_stmt *st;
	int rc;

	*out = id;
	/* A contact merged away is deleted: one that is there is itself.
	 * The bound only guards against a journal edited into a loop. */
	if ((rc = crm_db_stmt(db, &st, "WITH RECURSIVE chain(id, n) AS (SELECT ?1, 0 UNION ALL"
	                      " SELECT m.survivor, c.n + 1 FROM chain c JOIN merges m"
	                      " ON m.undone_at IS NULL"
	                      " AND instr(',' || m.merged || ',', ',' || c.id || ',') > 0"
	                      " WHERE c.n < 64 AND NOT EXISTS (SELECT 1 FROM contacts"
	                      " WHERE id = c.id)) SELECT id FROM chain ORDER BY n DESC LIMIT 1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		*out = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_merge_history(crm_db *db, int (*fn)(void *arg, const char *const *vals), void *arg)
{
	crm_stmt *st;
	const char *vals[CRM_MERGE_COLUMNS];
	int rc, stop = 0, i;

	if ((rc = crm_db_stmt(db, &st, "SELECT id, at, user, survivor, merged, undone_at"
	                      " FROM merges ORDER BY id")))
		return rc;
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (i = 0; i < CRM_MERGE_COLUMNS; i++)
			vals[i] = crm_stmt_text(st, i);
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}
