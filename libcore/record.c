/* record.c - change sets (records) and writing them: add and update.
 *
 * Every write validates and normalises each value by its field type (see
 * field.c), keeps what the user typed beside the normalised form, and
 * audits the output values old -> new, read back through the same
 * expressions `list` uses; a bulk import's new records are audited small
 * and many at a time (crm_audit_add).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/norm.h"
#include "crm/output.h"
#include "internal.h"

struct assign {
	const struct crm_fielddef *def; /* NULL for a custom field */
	char *key;                      /* custom field key */
	char *value;                    /* NULL clears */
};

#define ORIGINS 4 /* times of origin a record may have: created, solved, closed */

struct crm_record {
	const struct crm_entity *e;
	struct assign *a;
	size_t n, cap;
	const struct crm_ready *ready; /* columns made ahead (crm_record_ready) */
	size_t nready;
	const struct crm_fielddef *absent_def; /* crm_record_absent */
	const char *absent;
	/* crm_record_set_origin: when another system made the record */
	struct origin { const struct crm_fielddef *def; char *when; } origin[ORIGINS];
	size_t norigin;
	int restoring; /* crm_record_restoring */
};

void crm_record_restoring(crm_record *r)
{
	r->restoring = 1;
}

int crm_record_is_restoring(const crm_record *r)
{
	return r->restoring;
}

void crm_record_ready(crm_record *r, const struct crm_ready *ready, size_t n)
{
	r->ready = ready;
	r->nready = n;
}

void crm_record_absent(crm_record *r, const struct crm_fielddef *d, const char *norm)
{
	r->absent_def = d;
	r->absent = norm;
}

int crm_record_new(crm_record **out, const struct crm_entity *e)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return crm_error_nomem();
	(*out)->e = e;
	return CRM_OK;
}

void crm_record_free(crm_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->a[i].key);
		free(r->a[i].value);
	}
	free(r->a);
	for (size_t i = 0; i < r->norigin; i++)
		free(r->origin[i].when);
	free(r);
}

int crm_record_set_origin(crm_record *r, const char *field, const char *when)
{
	const struct crm_field *f = crm_entity_field_find(r->e, field);
	struct origin *o = NULL;
	char *v = NULL;

	if (!f || !(f->flags & CRM_FIELD_ORIGIN))
		return crm_error_set(CRM_EUSAGE, "%s field '%s' is no time another system gives",
		                     r->e->name, field);
	for (size_t i = 0; i < r->norigin && !o; i++)
		if (&r->origin[i].def->f == f)
			o = &r->origin[i];
	if (!o && r->norigin == ORIGINS)
		return crm_error_set(CRM_EUSAGE, "too many times of origin");
	if (when && when[strspn(when, " \t\r\n")] && !(v = strdup(when)))
		return crm_error_nomem();
	if (!o) {
		o = &r->origin[r->norigin++];
		o->def = crm_fielddef_of(f);
		o->when = NULL;
	}
	free(o->when);
	o->when = v;
	return CRM_OK;
}

/* The assignment of custom field key, or NULL. */
static const struct assign *custom_assignment(const crm_record *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->a[i].def && !strcmp(r->a[i].key, key))
			return &r->a[i];
	return NULL;
}

static const struct assign *assignment(const crm_record *r, const char *field)
{
	if (!strncmp(field, "custom.", 7))
		return custom_assignment(r, field + 7);
	for (size_t i = 0; i < r->n; i++)
		if (r->a[i].def && !strcmp(r->a[i].def->f.name, field))
			return &r->a[i];
	return NULL;
}

int crm_record_has(const crm_record *r, const char *field)
{
	return assignment(r, field) != NULL;
}

const char *crm_record_value(const crm_record *r, const char *field)
{
	const struct assign *a = assignment(r, field);

	return a ? a->value : NULL;
}

const char *crm_record_custom(const crm_record *r, const char *key)
{
	const struct assign *a = custom_assignment(r, key);

	return a ? a->value : NULL;
}

size_t crm_record_count(const crm_record *r)
{
	return r->n;
}

/* Adds or replaces an assignment; the last one of a field wins.  An empty
 * or blank value clears the field. */
static int record_put(crm_record *r, const struct crm_fielddef *d, const char *key,
                      const char *value)
{
	struct assign *a = NULL, *p;
	int blank = !value || !value[strspn(value, " \t\r\n\v\f")];
	char *v = blank ? NULL : strdup(value);

	if (!blank && !v)
		return crm_error_nomem();
	for (size_t i = 0; i < r->n && !a; i++)
		if (r->a[i].def == d && (d || !strcmp(r->a[i].key, key)))
			a = &r->a[i];
	if (!a) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 8;
			p = realloc(r->a, cap * sizeof *p);
			if (!p) {
				free(v);
				return crm_error_nomem();
			}
			r->a = p;
			r->cap = cap;
		}
		a = &r->a[r->n++];
		a->def = d;
		a->key = key ? strdup(key) : NULL;
		a->value = NULL;
		if (key && !a->key) {
			r->n--;
			free(v);
			return crm_error_nomem();
		}
	}
	free(a->value);
	a->value = v;
	return CRM_OK;
}

int crm_record_set(crm_record *r, const char *field, const char *value)
{
	const struct crm_field *f = crm_entity_field_find(r->e, field);

	if (!strncmp(field, "custom.", 7))
		return crm_record_set_custom(r, field + 7, value);
	if (!f)
		return crm_error_set(CRM_EUSAGE, "unknown %s field '%s'", r->e->name, field);
	return crm_record_set_def(r, crm_fielddef_of(f), value);
}

int crm_record_set_def(crm_record *r, const struct crm_fielddef *d, const char *value)
{
	if (d->f.flags & CRM_FIELD_RO)
		return crm_error_set(CRM_EUSAGE, "field '%s' cannot be set", d->f.name);
	return record_put(r, d, NULL, value);
}

/* Custom keys become output column names: keep them to a safe alphabet,
 * letters of other scripts (valid UTF-8) included. */
static int custom_key_ok(const char *k)
{
	if (!*k || !crm_utf8_valid_p(k, strlen(k)))
		return 0;
	for (; *k; k++)
		if (!((unsigned char)*k & 0x80) && !isalnum((unsigned char)*k) && !strchr("_-.", *k))
			return 0;
	return 1;
}

int crm_record_set_custom(crm_record *r, const char *key, const char *value)
{
	if (!custom_key_ok(key))
		return crm_error_set(CRM_EUSAGE, "invalid custom field name '%s'", key);
	return record_put(r, NULL, key, value);
}

int crm_record_set_pair(crm_record *r, const char *pair)
{
	const char *eq = strchr(pair, '=');
	char *key;
	int rc;

	if (!eq)
		return crm_error_set(CRM_EUSAGE, "expected key=value, not '%s'", pair);
	key = strndup(pair, (size_t)(eq - pair));
	if (!key)
		return crm_error_nomem();
	rc = crm_record_set_custom(r, key, eq + 1);
	free(key);
	return rc;
}

/* The text of a statement the write path built for records of one shape:
 * their entity and the fields they assign, in order (a custom field as
 * NULL: its key is bound, not written in); or, for the statements a
 * write runs beside (a uniqueness check, a key lookup), the function
 * that built it, an entity and one field.  An import's rows all have the
 * file's columns, so each text is built once for the import, not once a
 * row: building it again took 8% of a bulk import's time. */
enum shape_use { SHAPE_INSERT, SHAPE_READ_NEW, SHAPE_READ_OLD, SHAPE_HELD, SHAPE_UPDATE,
                 SHAPE_BUILT };

#define SHAPES 32 /* a person's, a company's made for it, their checks, and room */

struct crm_shape {
	const struct crm_entity *e;
	enum shape_use use;
	crm_sql_build *build; /* SHAPE_BUILT's */
	size_t n;
	const struct crm_fielddef **defs;
	char *sql;
};

/* What a text is kept by: a record's shape (r), or a builder and d. */
struct shape_key {
	const struct crm_entity *e;
	enum shape_use use;
	const crm_record *r;
	crm_sql_build *build;
	const struct crm_fielddef *d;
};

static size_t key_fields(const struct shape_key *k)
{
	return k->r ? k->r->n : 1;
}

static const struct crm_fielddef *key_field(const struct shape_key *k, size_t i)
{
	return k->r ? k->r->a[i].def : k->d;
}

static int shape_of(const struct crm_shape *s, const struct shape_key *k)
{
	if (!s->sql || s->e != k->e || s->use != k->use || s->build != k->build ||
	    s->n != key_fields(k))
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->defs[i] != key_field(k, i))
			return 0;
	return 1;
}

/* The text kept for k, or NULL. */
static const char *shape_find(crm_db *db, const struct shape_key *k)
{
	for (size_t i = 0; db->shapes && i < SHAPES; i++)
		if (shape_of(&db->shapes[i], k))
			return db->shapes[i].sql;
	return NULL;
}

static void shape_clear(struct crm_shape *s)
{
	free(s->defs);
	free(s->sql);
	memset(s, 0, sizeof *s);
}

/* Keeps sql for k in place of the oldest kept, and returns the copy
 * kept, or sql itself when out of memory (which only loses the
 * shortcut). */
static const char *shape_put(crm_db *db, const struct shape_key *k, const char *sql)
{
	struct crm_shape *s;

	if (!db->shapes && !(db->shapes = calloc(SHAPES, sizeof *db->shapes)))
		return sql;
	db->composed++;
	s = &db->shapes[db->shapes_next++ % SHAPES];
	shape_clear(s);
	s->n = key_fields(k);
	s->defs = malloc((s->n ? s->n : 1) * sizeof *s->defs);
	s->sql = strdup(sql);
	if (!s->defs || !s->sql) {
		shape_clear(s);
		return sql;
	}
	for (size_t i = 0; i < s->n; i++)
		s->defs[i] = key_field(k, i);
	s->e = k->e;
	s->use = k->use;
	s->build = k->build;
	return s->sql;
}

/* The text kept for records shaped as r, or NULL. */
static const char *shape_sql(crm_db *db, const crm_record *r, enum shape_use use)
{
	struct shape_key k = { r->e, use, r, NULL, NULL };

	return shape_find(db, &k);
}

/* Keeps sql for records shaped as r (shape_put). */
static const char *shape_keep(crm_db *db, const crm_record *r, enum shape_use use,
                              const char *sql)
{
	struct shape_key k = { r->e, use, r, NULL, NULL };

	return shape_put(db, &k, sql);
}

int crm_db_stmt_built(crm_db *db, crm_stmt **st, crm_sql_build *build,
                      const struct crm_entity *e, const struct crm_fielddef *d)
{
	struct shape_key k = { e, SHAPE_BUILT, NULL, build, d };
	const char *text = shape_find(db, &k);
	crm_buf sql = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (!text && !(rc = build(&sql, e, d) ? crm_error_nomem() : CRM_OK))
		text = shape_put(db, &k, crm_buf_str(&sql));
	if (!rc)
		rc = crm_db_stmt(db, st, text);
	crm_buf_free(&sql);
	return rc;
}

void crm_shapes_free(crm_db *db)
{
	for (size_t i = 0; db->shapes && i < SHAPES; i++)
		shape_clear(&db->shapes[i]);
	free(db->shapes);
	db->shapes = NULL;
}

/* The column assignments of a whole record; standard fields only. */
struct rowvals {
	struct crm_colvals *cv;
	size_t n;
};

static void rowvals_free(struct rowvals *rv)
{
	for (size_t i = 0; i < rv->n; i++)
		crm_colvals_free(&rv->cv[i]);
	free(rv->cv);
}

/* The SELECT of a record's country, field d. */
static int country_sql(crm_buf *sql, const struct crm_entity *e, const struct crm_fielddef *d)
{
	return crm_buf_printf(sql, "SELECT %s FROM %s WHERE id = ?1", d->column, e->table);
}

/* The columns of r's assignment i: those made ahead, if any, else made. */
static int field_columns(crm_db *db, const crm_record *r, size_t i, const char *country,
                         struct crm_colvals *cv)
{
	const struct assign *a = &r->a[i];
	const struct crm_ready *rd = crm_ready_find(r->ready, r->nready, a->def, a->value);
	int rc = rd ? crm_field_columns_ready(rd, country, cv) : CRM_EDATA;

	return rc == CRM_EDATA ? crm_field_columns(db, a->def, a->value, country, cv) : rc;
}

/* Stores in *out the country a record has or is given (NULL if none), so
 * that its national phone numbers are read as that country's. */
static int record_country(crm_db *db, const crm_record *r, int64_t self, char **out)
{
	const struct crm_fielddef *d = NULL;
	crm_stmt *st;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < r->e->nfields && !d; i++)
		if (r->e->defs[i].f.type == CRM_FT_COUNTRY)
			d = &r->e->defs[i];
	for (size_t i = 0; d && i < r->n; i++) {
		struct crm_colvals cv = { 0 };

		if (r->a[i].def != d)
			continue;
		if (!r->a[i].value)
			return CRM_OK;
		/* Made ahead by an import.  An invalid country is the row's fault
		 * before its phone number, which cannot be read without it. */
		rc = field_columns(db, r, i, NULL, &cv);
		if (!rc && cv.n && cv.val[0] && !(*out = strdup(cv.val[0])))
			rc = crm_error_nomem();
		crm_colvals_free(&cv);
		return rc;
	}
	if (!d || !self)
		return CRM_OK;
	if ((rc = crm_db_stmt_built(db, &st, country_sql, r->e, d)))
		return rc;
	crm_stmt_bind_int(st, 1, self);
	if (crm_stmt_step(st) == CRM_ROW && crm_stmt_text(st, 0) &&
	    !(*out = strdup(crm_stmt_text(st, 0))))
		rc = crm_error_nomem();
	crm_stmt_reset(st);
	return rc;
}

/* Whether a new record's unique value cv is known to be free
 * (crm_record_absent). */
static int known_absent(const crm_record *r, int64_t self, const struct crm_colvals *cv)
{
	return !self && r->absent && cv->def == r->absent_def && cv->val[0] &&
	       !strcmp(cv->val[0], r->absent);
}

/* "a" or "an" before an entity's name: an article, a deal. */
static const char *an(const char *name)
{
	return strchr("aeiou", name[0]) ? "an" : "a";
}

static int record_columns(crm_db *db, const crm_record *r, int64_t self, struct rowvals *rv)
{
	char *country = NULL;
	int rc;

	rv->n = 0;
	rv->cv = calloc(r->n ? r->n : 1, sizeof *rv->cv);
	if (!rv->cv)
		return crm_error_nomem();
	rc = record_country(db, r, self, &country);
	for (size_t i = 0; i < r->n && !rc; i++) {
		const struct crm_fielddef *d = r->a[i].def;
		if (!d)
			continue;
		if (!r->a[i].value && (d->f.flags & CRM_FIELD_REQUIRED))
			rc = crm_error_set(CRM_EDATA, "%s: %s %s needs a %s", d->f.name,
			                   an(r->e->name), r->e->name, d->f.name);
		else if (!r->a[i].value && (d->f.flags & CRM_FIELD_NOTEMPTY))
			rc = crm_error_set(CRM_EDATA, "%s: cannot be empty (%s)", d->f.name,
			                   d->f.help);
		else
			rc = field_columns(db, r, i, country, &rv->cv[rv->n++]);
		if (!rc && crm_type_of(d)->unique && r->a[i].value &&
		    !known_absent(r, self, &rv->cv[rv->n - 1]))
			rc = crm_entity_check_unique(db, r->e, d, rv->cv[rv->n - 1].val[0], self);
	}
	free(country);
	return rc;
}

/* Binds every column value of rv from parameter *next on, without copies:
 * rv outlives the statement's step. */
static void bind_rowvals(crm_stmt *st, const struct rowvals *rv, int *next)
{
	for (size_t i = 0; i < rv->n; i++)
		for (int j = 0; j < rv->cv[i].n; j++)
			crm_stmt_bind_kept(st, (*next)++, rv->cv[i].val[j]);
}

/* Appends to sql the INSERT of a record r of columns rv; CRM_ENOMEM when
 * it could not. */
static int insert_sql(crm_buf *sql, const crm_record *r, const struct rowvals *rv, int owner)
{
	crm_buf vals = CRM_BUF_INIT;
	int bad = 0;

	bad |= crm_buf_printf(sql, "INSERT INTO %s (created_at, updated_at%s", r->e->table,
	                      owner ? ", owner" : "");
	bad |= crm_buf_printf(&vals, "?, ?%s", owner ? ", ?" : "");
	/* Named, so that the derived column's SQL can use them too; numbered
	 * in order all the same. */
	for (size_t i = 0; i < rv->n; i++)
		for (int j = 0; j < rv->cv[i].n; j++) {
			bad |= crm_buf_puts(sql, ", ");
			bad |= crm_colvals_column(sql, &rv->cv[i], j);
			bad |= crm_buf_puts(&vals, ", :");
			bad |= crm_colvals_column(&vals, &rv->cv[i], j);
		}
	if (r->e->derive_column) {
		bad |= crm_buf_printf(sql, ", %s", r->e->derive_column);
		bad |= crm_buf_printf(&vals, ", %s", r->e->derive_sql);
	}
	bad |= crm_buf_printf(sql, ") VALUES (%s)", crm_buf_str(&vals));
	crm_buf_free(&vals);
	return bad ? crm_error_nomem() : CRM_OK;
}

/* Reads the times another system gives for record r
 * (crm_record_set_origin) into when[i]: none can be later than now.
 * *created, unless created is NULL (an update), is when r was made, now
 * when the system gives no time. */
static int origin_times(crm_db *db, const crm_record *r, char when[][CRM_TIME_LEN],
                        const char **created)
{
	int64_t t;

	for (size_t i = 0; i < r->norigin; i++) {
		const char *name = r->origin[i].def->f.name, *v = r->origin[i].when;

		when[i][0] = '\0';
		if (!v)
			continue;
		if (crm_time_parse_epoch(&t, v, db->now))
			return crm_error_prefix(name);
		if (t > db->now)
			return crm_error_set(CRM_EDATA, "%s: '%s' is later than now", name, v);
		crm_time_format(when[i], t);
		if (created && !strcmp(r->origin[i].def->column, "created_at"))
			*created = when[i];
	}
	return CRM_OK;
}

/* Checks that no time of origin in when[] (a solving, a closing) is
 * earlier than the record's creation: created, or for an update (NULL)
 * record id's stored one.  Times are all written alike, so they compare
 * as text. */
static int origins_after_creation(crm_db *db, const crm_record *r, char when[][CRM_TIME_LEN],
                                  const char *created, int64_t id)
{
	char *stored = NULL, sql[160];
	int rc = CRM_OK;

	for (size_t i = 0; i < r->norigin && !rc; i++) {
		if (!when[i][0] || !strcmp(r->origin[i].def->column, "created_at"))
			continue;
		if (!created) {
			snprintf(sql, sizeof sql, "SELECT created_at FROM %s WHERE id = ?1", r->e->table);
			if ((rc = crm_db_text_of(db, sql, id, &stored)))
				break;
			created = stored ? stored : "";
		}
		if (strcmp(when[i], created) < 0)
			rc = crm_error_set(CRM_EDATA, "%s: '%s' is earlier than the %s's creation (%s)",
			                   r->origin[i].def->f.name, r->origin[i].when, r->e->name,
			                   created);
	}
	free(stored);
	return rc;
}

/* Stores the times of origin of record id but its creation, which an
 * INSERT wrote and an update keeps. */
static int write_origins(crm_db *db, const crm_record *r, char when[][CRM_TIME_LEN], int64_t id)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = CRM_OK;

	for (size_t i = 0; i < r->norigin && !rc; i++) {
		const char *col = r->origin[i].def->column;

		if (!when[i][0] || !strcmp(col, "created_at"))
			continue;
		crm_buf_clear(&sql);
		if (crm_buf_printf(&sql, "UPDATE %s SET %s = ?2 WHERE id = ?1", r->e->table, col))
			rc = crm_error_nomem();
		else if (!(rc = crm_db_stmt(db, &st, crm_buf_str(&sql)))) {
			crm_stmt_bind_int(st, 1, id);
			crm_stmt_bind_text(st, 2, when[i]);
			rc = crm_stmt_done(st);
		}
	}
	crm_buf_free(&sql);
	return rc;
}

static int insert_row(crm_db *db, const crm_record *r, const struct rowvals *rv, int64_t *id)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	char now[CRM_TIME_LEN], when[ORIGINS][CRM_TIME_LEN];
	const char *text = shape_sql(db, r, SHAPE_INSERT), *created = now;
	int rc, next = 1;
	/* Records of entities with an owner are the acting user's by default. */
	int owner = crm_entity_field_find(r->e, "owner") && !crm_record_has(r, "owner");

	crm_db_now(db, now);
	/* Without a creation time given, the record's is unknown (now is only
	 * when it is written), so there is nothing to compare with. */
	if (!(rc = origin_times(db, r, when, &created)) && created != now)
		rc = origins_after_creation(db, r, when, created, 0);
	if (!rc && !text && !(rc = insert_sql(&sql, r, rv, owner)))
		text = shape_keep(db, r, SHAPE_INSERT, crm_buf_str(&sql));
	if (!rc)
		rc = crm_db_stmt(db, &st, text);
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_stmt_bind_text(st, next++, created);
	crm_stmt_bind_text(st, next++, now);
	if (owner)
		crm_stmt_bind_text(st, next++, db->user);
	bind_rowvals(st, rv, &next);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*id = crm_db_last_id(db);
	return write_origins(db, r, when, *id);
}

/* Appends to sql the UPDATE of record r's columns rv. */
static int update_sql(crm_buf *sql, const crm_record *r, const struct rowvals *rv)
{
	int bad = 0;

	bad |= crm_buf_printf(sql, "UPDATE %s SET updated_at = ?", r->e->table);
	for (size_t i = 0; i < rv->n; i++)
		for (int j = 0; j < rv->cv[i].n; j++) {
			bad |= crm_buf_puts(sql, ", ");
			bad |= crm_colvals_column(sql, &rv->cv[i], j);
			bad |= crm_buf_puts(sql, " = ?");
		}
	bad |= crm_buf_puts(sql, " WHERE id = ?");
	return bad ? crm_error_nomem() : CRM_OK;
}

/* Updates record id with r's values, and the times another system gives
 * for it but its creation (when it was solved, as an export says), which
 * the entity's rules then keep or clear (after_write). */
static int update_row(crm_db *db, const crm_record *r, const struct rowvals *rv, int64_t id)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	char now[CRM_TIME_LEN], when[ORIGINS][CRM_TIME_LEN];
	const char *text = shape_sql(db, r, SHAPE_UPDATE);
	int rc = origin_times(db, r, when, NULL), next = 1;

	if (!rc)
		rc = origins_after_creation(db, r, when, NULL, id);
	if (!rc && !text && !(rc = update_sql(&sql, r, rv)))
		text = shape_keep(db, r, SHAPE_UPDATE, crm_buf_str(&sql));
	if (!rc)
		rc = crm_db_stmt(db, &st, text);
	crm_buf_free(&sql);
	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_text(st, next++, now);
	bind_rowvals(st, rv, &next);
	crm_stmt_bind_int(st, next, id);
	return (rc = crm_stmt_done(st)) ? rc : write_origins(db, r, when, id);
}

/* What an update compares before and after: the fields r assigns (custom
 * ones too), then, since the entity's rules may change others (a deal
 * closed by naming an outcome as its stage), its other writable fields. */
struct watch {
	const crm_record *r;
	const struct crm_fielddef **extra;
	size_t nextra;
	int adding; /* no extra fields: a new record's are all r's */
};

static int watch_init(struct watch *w, const crm_record *r, int adding)
{
	w->r = r;
	w->nextra = 0;
	w->adding = adding;
	if (!(w->extra = calloc(r->e->nfields + 1, sizeof *w->extra)))
		return crm_error_nomem();
	for (size_t i = 0; i < r->e->nfields && !adding; i++) {
		const struct crm_fielddef *d = &r->e->defs[i];

		if (d->column && !(d->f.flags & CRM_FIELD_RO) && !crm_record_has(r, d->f.name))
			w->extra[w->nextra++] = d;
	}
	return CRM_OK;
}

static size_t watch_count(const struct watch *w)
{
	return w->r->n + w->nextra;
}

/* The field watched at i, or NULL for a custom one. */
static const struct crm_fielddef *watch_def(const struct watch *w, size_t i)
{
	return i < w->r->n ? w->r->a[i].def : w->extra[i - w->r->n];
}

/* Appends to sql the output value of w's field i; a custom field's key is
 * parameter *param, which moves on. */
static int watch_sql(crm_buf *sql, const struct watch *w, size_t i, int *param)
{
	const struct crm_entity *e = w->r->e;

	if (watch_def(w, i))
		return crm_field_sql(sql, watch_def(w, i));
	return crm_buf_printf(sql, "(SELECT value FROM %s WHERE %s = t.id AND key = ?%d)",
	                      e->custom_table, e->custom_fk, (*param)++);
}

/* Appends to sql the SELECT of the output values of w's fields. */
static int read_sql(crm_buf *sql, const struct watch *w)
{
	const struct crm_entity *e = w->r->e;
	int bad = 0, param = 1;

	bad |= crm_buf_puts(sql, "SELECT 0");
	for (size_t i = 0; i < watch_count(w); i++) {
		bad |= crm_buf_puts(sql, ", ");
		bad |= watch_sql(sql, w, i, &param);
	}
	bad |= crm_buf_printf(sql, " FROM %s t %s WHERE t.id = ?%d", e->table, e->join, param);
	return bad ? crm_error_nomem() : CRM_OK;
}

/* Reads the output value of every watched field into vals, malloc'd
 * strings or NULL. */
static int read_values(crm_db *db, const struct watch *w, int64_t id, char **vals)
{
	const crm_record *r = w->r;
	enum shape_use use = w->adding ? SHAPE_READ_NEW : SHAPE_READ_OLD;
	const char *text = shape_sql(db, r, use);
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc = CRM_OK, param;

	if (!text && !(rc = read_sql(&sql, w)))
		text = shape_keep(db, r, use, crm_buf_str(&sql));
	if (!rc)
		rc = crm_db_stmt(db, &st, text);
	crm_buf_free(&sql);
	if (rc)
		return rc;
	param = 1;
	for (size_t i = 0; i < r->n; i++)
		if (!r->a[i].def)
			crm_stmt_bind_text(st, param++, r->a[i].key);
	crm_stmt_bind_int(st, param, id);
	if ((rc = crm_stmt_step(st)) != CRM_ROW) {
		crm_stmt_reset(st);
		return rc == CRM_DONE ? crm_error_set(CRM_ENOTFOUND, "no %s %lld", r->e->name,
		                                         (long long)id) : rc;
	}
	for (size_t i = 0; i < watch_count(w); i++) {
		const char *v = crm_stmt_text(st, (int)i + 1);
		vals[i] = v ? strdup(v) : NULL;
	}
	crm_stmt_reset(st);
	return CRM_OK;
}

static int custom_put_sql(crm_buf *sql, const struct crm_entity *e,
                          const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "INSERT OR REPLACE INTO %s (%s, key, value) VALUES (?1, ?2, ?3)",
	                      e->custom_table, e->custom_fk);
}

static int custom_del_sql(crm_buf *sql, const struct crm_entity *e,
                          const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "DELETE FROM %s WHERE %s = ?1 AND key = ?2", e->custom_table,
	                      e->custom_fk);
}

static int write_custom(crm_db *db, const crm_record *r, int64_t id)
{
	crm_stmt *st;
	int rc = CRM_OK;

	for (size_t i = 0; i < r->n && !rc; i++) {
		char *v = NULL;
		if (r->a[i].def)
			continue;
		if (r->a[i].value && (rc = crm_text_nfc(&v, r->a[i].value)))
			break;
		rc = crm_db_stmt_built(db, &st, v ? custom_put_sql : custom_del_sql, r->e, NULL);
		if (!rc) {
			crm_stmt_bind_int(st, 1, id);
			crm_stmt_bind_text(st, 2, r->a[i].key);
			if (v)
				crm_stmt_bind_text(st, 3, v);
			rc = crm_stmt_done(st);
		}
		free(v);
	}
	return rc;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Builds the audit JSON {"field":[old,new],...} of the fields that changed;
 * *n receives their number. */
static int changes_json(crm_buf *b, const struct watch *w, char **old, char **new, int *n)
{
	int bad = crm_buf_putc(b, '{');

	*n = 0;
	for (size_t i = 0; i < watch_count(w); i++) {
		if (same(old[i], new[i]))
			continue;
		if ((*n)++)
			bad |= crm_buf_putc(b, ',');
		if (watch_def(w, i)) {
			bad |= crm_audit_json_change(b, watch_def(w, i)->f.name, old[i], new[i]);
		} else {
			crm_buf custom = CRM_BUF_INIT;
			bad |= crm_buf_printf(&custom, "custom.%s", w->r->a[i].key);
			bad |= crm_audit_json_change(b, crm_buf_str(&custom), old[i], new[i]);
			crm_buf_free(&custom);
		}
	}
	bad |= crm_buf_putc(b, '}');
	return bad ? crm_error_nomem() : CRM_OK;
}

static void free_values(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Appends to sql the SELECT of whether a record holds rv's columns and
 * r's custom fields, byte for byte (the parameters: rv's values, then a
 * key and a value for each custom field, then the id). */
static int held_sql(crm_buf *sql, const crm_record *r, const struct rowvals *rv)
{
	int bad = 0, next = 1;

	bad |= crm_buf_puts(sql, "SELECT 1");
	for (size_t i = 0; i < rv->n; i++)
		for (int j = 0; j < rv->cv[i].n; j++) {
			bad |= crm_buf_puts(sql, " AND ");
			bad |= crm_colvals_column(sql, &rv->cv[i], j);
			bad |= crm_buf_printf(sql, " IS ?%d COLLATE BINARY", next++);
		}
	for (size_t i = 0; i < r->n; i++) {
		if (r->a[i].def)
			continue;
		bad |= crm_buf_printf(sql, " AND (SELECT value FROM %s WHERE %s = t.id AND key = ?%d)"
		                      " IS ?%d COLLATE BINARY", r->e->custom_table, r->e->custom_fk,
		                      next, next + 1);
		next += 2;
	}
	bad |= crm_buf_printf(sql, " FROM %s t WHERE t.id = ?%d", r->e->table, next);
	return bad ? crm_error_nomem() : CRM_OK;
}

/* Whether record id already holds every value r assigns (held_sql).
 * Stored and bound values meet under the column's affinity, as the
 * UPDATE would store them; custom values are compared as write_custom
 * stores them, in NFC. */
static int holds_already(crm_db *db, const crm_record *r, const struct rowvals *rv, int64_t id,
                         int *same)
{
	const char *text = shape_sql(db, r, SHAPE_HELD);
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	char *nfc = NULL;
	int rc = CRM_OK, next = 1;

	*same = 0;
	if (!text && !(rc = held_sql(&sql, r, rv)))
		text = shape_keep(db, r, SHAPE_HELD, crm_buf_str(&sql));
	if (!rc)
		rc = crm_db_stmt(db, &st, text);
	crm_buf_free(&sql);
	if (rc)
		return rc;
	bind_rowvals(st, rv, &next);
	for (size_t i = 0; i < r->n && !rc; i++) {
		if (r->a[i].def)
			continue;
		if (r->a[i].value && (rc = crm_text_nfc(&nfc, r->a[i].value)))
			break;
		crm_stmt_bind_text(st, next++, r->a[i].key);
		crm_stmt_bind_text(st, next++, nfc);
		free(nfc);
		nfc = NULL;
	}
	crm_stmt_bind_int(st, next, id);
	if (!rc && (rc = crm_stmt_step(st)) == CRM_ROW)
		*same = crm_stmt_int(st, 0) == 1;
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Stores the record's columns, then audits what changed.  An update that
 * changes nothing is undone, so updated_at and the audit log stay quiet. */
static int write_steps(crm_db *db, const struct watch *w, const struct rowvals *rv, int64_t *id,
                       int adding, char **old, char **new, int *n)
{
	const crm_record *r = w->r;
	crm_buf json = CRM_BUF_INIT;
	enum crm_phase was = crm_phase_enter(db, CRM_PHASE_WRITE);
	int rc;

	rc = adding ? insert_row(db, r, rv, id) : update_row(db, r, rv, *id);
	if (!rc)
		rc = write_custom(db, r, *id);
	if (!rc)
		rc = r->e->after_write(db, *id, r, adding);
	/* A new record has no referrers yet. */
	if (!rc && !adding)
		rc = crm_entity_reindex_referrers(db, r->e, "= ?1", *id);
	crm_phase_enter(db, CRM_PHASE_AUDIT);
	/* An import's new records are audited small (crm_audit_created). */
	if (!rc && adding && db->batch)
		rc = crm_audit_add(db, r->e->name, *id, "add", NULL);
	else if (!rc && !(rc = read_values(db, w, *id, new)) &&
	         !(rc = changes_json(&json, w, old, new, n)) && (*n || adding))
		rc = crm_audit_add(db, r->e->name, *id, adding ? "add" : "set", crm_buf_str(&json));
	crm_buf_free(&json);
	crm_phase_enter(db, was);
	return rc;
}

/* Validates and normalises r's values into rv; for an update of an entity
 * whose rules derive only from its own columns, *same tells whether the
 * record holds them already, so that nothing needs writing (a re-import
 * of rows that did not change). */
static int prepare(crm_db *db, const crm_record *r, int64_t id, struct rowvals *rv, int *same)
{
	enum crm_phase was = crm_phase_enter(db, CRM_PHASE_NORMALISE);
	int rc = record_columns(db, r, id, rv);

	*same = 0;
	crm_phase_enter(db, CRM_PHASE_WRITE);
	if (!rc && id && r->e->self_derived)
		rc = holds_already(db, r, rv, id, same);
	crm_phase_enter(db, was);
	return rc;
}

static int write_record(crm_db *db, const crm_record *r, int64_t *id, int adding, int *changed)
{
	struct watch w = { r, NULL, 0, adding };
	struct rowvals rv = { NULL, 0 };
	size_t nw = r->n + r->e->nfields + 1;
	char **old = calloc(nw, sizeof *old), **new = calloc(nw, sizeof *new);
	int rc, n = 0, held = 0, own = !(adding && db->bulk); /* a savepoint of its own */

	if (!old || !new)
		rc = crm_error_nomem();
	else if (!(rc = watch_init(&w, r, adding)) && !(rc = crm_db_writable(db)) &&
	         (adding || !(rc = crm_entity_exists(db, r->e, *id))) &&
	         !(rc = prepare(db, r, adding ? 0 : *id, &rv, &held)) && !held &&
	         (adding || !(rc = read_values(db, &w, *id, old))) && own)
		rc = crm_db_savepoint(db, "crm_write");
	if (!rc && !held) {
		rc = write_steps(db, &w, &rv, id, adding, old, new, &n);
		/* Setting an erased record to what it holds changes nothing, so a
		 * round trip of a list passes; any real change is refused.  That it
		 * exists and may be written was checked above. */
		if (!rc && n && !adding)
			rc = crm_entity_not_erased(db, r->e, *id);
		if (own)
			rc = crm_db_savepoint_end(db, "crm_write", !n && !adding, rc);
	}
	if (changed)
		*changed = !rc && (adding || n > 0);
	rowvals_free(&rv);
	free_values(old, nw);
	free_values(new, nw);
	free(w.extra);
	return rc;
}

int crm_entity_add(crm_db *db, const crm_record *r, int64_t *id)
{
	for (size_t i = 0; i < r->e->nfields; i++) {
		const struct crm_fielddef *d = &r->e->defs[i];
		if ((d->f.flags & CRM_FIELD_REQUIRED) && !crm_record_has(r, d->f.name))
			return crm_error_set(CRM_EDATA, "%s: %s %s needs a %s", d->f.name,
			                     an(r->e->name), r->e->name, d->f.name);
	}
	return write_record(db, r, id, 1, NULL);
}

int crm_entity_update(crm_db *db, const crm_record *r, int64_t id, int *changed)
{
	return write_record(db, r, &id, 0, changed);
}

