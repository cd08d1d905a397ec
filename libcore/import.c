/* import.c - loading rows of other systems' exports into an entity; see
 * import.h.
 *
 * Each row becomes a change set (crm_record) and goes through the same
 * validating write path as `crm-contact add` and `set`, inside a savepoint
 * so a rejected row leaves nothing behind.  Rows are matched to existing
 * records on the normalised key columns the schema indexes, and a bitmap of
 * the ids this import wrote tells a key repeated inside the input.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "crm/date.h"
#include "crm/import.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "importmap.h"
#include "internal.h"
#include "memo.h"

#define MAX_KEYS 8
#define REF_SLOTS 16384
#define NAME_PARTS 4
/* Page cache of a bulk import whose indexes on random keys wait for the
 * end (defer_indexes): 32 MB wrote a million people as fast as the 56 MB
 * crm_db_bulk_cache gives for them, and the import's peak went from 92 to
 * 83 MB. */
#define ROWS_CACHE_MB 32
/* Marks the name in what the reading-ahead thread made of a row (put_name). */
#define NAME_AHEAD (-1)
#define UTF8_AHEAD (-2) /* every name and value of the row is UTF-8 */

const char *const crm_line_parts[CRM_LINE_PARTS] = { "sku", "name", "category", "quantity",
	                                             "price", "amount" };

/* What an input column means, decided once per column name. */
struct column {
	char *name;
	struct crm_target t;
	size_t field;            /* CRM_TO_FIELD: the index of t.name */
	char *custom;            /* the key of a kept unknown column */
	const char *date_format; /* from the mapping file */
	const struct crm_implied *implies; /* what its name says of a field */
	int block;               /* its address block (address_block), or 0 */
};

/* The address blocks of exports that write two whole addresses, a column
 * a part (Outlook's Business Street ... Business Country and Home Street
 * ... Home Country). */
enum { NO_BLOCK, BUSINESS_BLOCK, HOME_BLOCK, BLOCKS };

#define MADE 2 /* kinds of records an import makes for references */
#define CONSENTS 5 /* channels of consent a row may give */
#define MAX_BESIDE 8 /* columns a header keeps beside others */

/* The values of one row, by field index; pointers borrow from the row or
 * from strings the row state owns. */
struct rowstate {
	const struct crm_row *row; /* the row as read */
	const char **val;
	const char *id, *tags, *split, *currency;
	const char *refunded, *refunded_column; /* a CRM_TO_REFUNDED column's value and name */
	const char *split_column;       /* the CRM_TO_SPLIT column's name */
	const char *part, *part_column; /* a CRM_TO_PART column's value and name */
	const char *who;                /* the names column's value (find_names_column), or
	                                 * a whole name (CRM_TO_NAMED "name") */
	const char *named[2];           /* else the first and last name (CRM_TO_NAMED) */
	const struct crm_implied *implied; /* what a column's name says (read_row) */
	const char *line[CRM_LINE_PARTS]; /* the row's line item (crm_line_parts) */
	int has_line;
	const char *custom_keys[MAX_KEYS]; /* the row's values of custom keys */
	int has_tags;
	int64_t made[MADE];  /* the records this row created for its references, or 0 */
	crm_buf refs;        /* references it resolved: "key\0id\0"... */
	crm_buf note;
	char **owned;
	size_t nowned;
	struct crm_ready *ready; /* columns made ahead (crm_import_ahead), one a field */
	size_t nready;
	int utf8;                /* the reading thread found the row all UTF-8 */
	/* The payment API's object the row is (take_object): its amounts
	 * count the currency's smallest unit (minor_units). */
	enum { NO_OBJECT, PAYMENT, REFUND } object;
	const char *payment[2];  /* the service's ids of the payment it refunds */
	const char *payment_column;
	/* A person's consent the row gives, by channel: the status (NULL:
	 * none yet), when (NULL: not said), the column that said it, and
	 * when a column of its own says the status was set (Shopify's
	 * consent_updated_at; CRM_TO_CONSENT_AT), or set if it is a grant
	 * (Mailchimp's timestamp_opt; CRM_TO_GRANTED_AT). */
	struct row_consent {
		const char *channel, *status, *at, *column, *set_at, *granted_at;
	} consent[CONSENTS];
	size_t nconsent;
	/* The numbered columns of further emails and phones (CRM_TO_MORE)
	 * the row has, by field, blank ones too: on an update, what they
	 * leave unfilled of name2, name3 ... is cleared (clear_more). */
	struct row_more {
		const char *name;
		int columns;
	} more[2];
	size_t nmore;
	int block; /* the address block the row's address is read from */
};

/* A set of record ids as a bitmap: ids are dense from 1, so a million
 * records take 125 kB. */
struct idset {
	unsigned char *bits;
	size_t n;
};

/* What the reading-ahead threads know of the columns (crm_import_ahead):
 * their own table, as the import's grows on the writing thread, and
 * theirs grows as they meet columns (a JSON Lines row may bring new ones),
 * under the lock. */
struct ahead {
	pthread_mutex_t lock;
	char **names;
	int *field; /* the entity's field the column fills, or -1 */
	size_t n;
	int name_field[NAME_PARTS]; /* the entity's name_parts */
	size_t nname;
	/* Nanoseconds the threads spent on phone numbers, summed, when the
	 * import is timed: the most costly of what they do (libphonenumber's
	 * regular expressions), and apart so that a bench sees it. */
	atomic_llong phone_ns;
};

struct crm_import {
	crm_db *db;
	const struct crm_entity *e;
	struct crm_import_opts o;
	/* Match keys in turn: a field, or (field NULL) a custom field. */
	const struct crm_fielddef *keys[MAX_KEYS];
	char *custom_keys[MAX_KEYS];
	/* The field each key is unique within (key_within), or NULL. */
	const struct crm_fielddef *within[MAX_KEYS];
	/* The field of the entity's refunded_whole, or -1. */
	int whole_field;
	/* The input a consent's source names: o.source, "-" when it is no
	 * UTF-8 (a file name's bytes), which the audit cannot hold. */
	const char *consent_file;
	size_t nkeys;
	struct column *cols;
	size_t ncols, col_next;
	/* Columns kept as custom fields beside others (find_beside): the
	 * column's name and the entity's entry. */
	struct { char *column; const struct crm_beside *b; } beside[MAX_BESIDE];
	size_t nbeside;
	char *names_column;     /* Zendesk's "Requester" beside "Requester email" */
	int columns_found;      /* a header said what the columns are (find_columns) */
	int ids_theirs;         /* the id column's ids: unknown (-1), ours, theirs */
	/* The field that names a record of the entity's own kind (a refund's
	 * purchase), or -1; and whether temp.crm_import_ids, the records the
	 * rows of this toolkit's ids made or matched, has been emptied of
	 * another import's (own_ids). */
	int self_ref, ids_cleared;
	struct idset seen;      /* records written or matched by this import */
	struct idset added;     /* records created, whose search entries need adding */
	/* Records above this id were created by the import and have no search
	 * entry yet; created_since of them (index_created). */
	int64_t index_to;
	size_t created_since;
	/* Bulk, into a table that held records: their search entries wait for
	 * the end (index_created). */
	int index_late;
	struct idset written;   /* other records whose search entries need rebuilding */
	struct idset updated;   /* and whose referrers' entries name them */
	/* Records created for the references rows name, by entity: companies,
	 * and people for a purchase or ticket. */
	struct made { const struct crm_entity *e; struct idset ids; } made[MADE];
	struct idset grouped;   /* records created with a line: later rows add theirs */
	/* Keys of grouped records whose row was rejected: the rest of their
	 * rows are, so that an order never comes in without one of its lines.
	 * NUL-separated, each followed by the value the key is unique within
	 * ("" for none). */
	crm_buf dropped;
	/* The grouped record whose rows are being read (group_enter). */
	struct group {
		char *key;                   /* its key; NULL: none */
		char *within;                /* the value key is unique within, or NULL */
		long rows;                   /* its rows imported so far */
		struct crm_import_counts n;  /* the counts before them */
		int open;                    /* savepoint crm_import_group is (row mode) */
		int64_t lined;               /* the record its rows gave lines, or 0 */
		int64_t refunded;            /* the record a row said had amount refunded, or 0 */
		char *amount, *cur;          /* (take_refunded), in the row's currency cur */
		char field[128];             /* the field and the reason its rows */
		crm_buf reason;              /* were undone for */
	} group;
	crm_buf deferred;       /* indexes built after the rows (defer_indexes) */
	struct crm_import_counts n;
	struct ahead ahead;
	/* References resolved by rows that were imported, by entity and text:
	 * a file names its few companies on every row. */
	crm_memo *refs;
	crm_buf reason;
	char field[128];
	struct rowstate rs;
	/* Bulk mode: a row rejected after it wrote something; the import is
	 * to be done again row by row (CRM_IMPORT_AGAIN). */
	int spoilt;
};

/* The column an import key compares: for a name, the entity's name key. */
static int key_sql(crm_buf *b, const struct crm_fielddef *d)
{
	const char *key = crm_type_of(d)->key;

	if (d->f.type == CRM_FT_ID)
		return crm_buf_puts(b, "id");
	return strcmp(key, "name_key") ? crm_field_column(b, d, key) : crm_buf_puts(b, key);
}

/* A field can be a key when the schema indexes its normalised form: the
 * id, email, phone, domain, and the name when it is the entity's only
 * writable one (its name_key then keys that name alone). */
static int keyable(const struct crm_entity *e, const struct crm_fielddef *d)
{
	size_t names = 0;

	if (d->f.type == CRM_FT_ID)
		return !strcmp(d->f.name, "id"); /* not the ids of other records */
	if (!crm_type_of(d)->key || (d->f.flags & CRM_FIELD_RO))
		return 0;
	if (d->f.type != CRM_FT_NAME)
		return 1;
	for (size_t i = 0; i < e->nfields; i++)
		names += e->defs[i].f.type == CRM_FT_NAME && !(e->defs[i].f.flags & CRM_FIELD_RO);
	return names == 1;
}

static int key_fail(const struct crm_entity *e, const char *name)
{
	crm_buf b = CRM_BUF_INIT;
	int rc;

	for (size_t i = 0; i < e->nfields; i++)
		if (keyable(e, &e->defs[i]))
			crm_buf_printf(&b, "%s%s", b.len ? ", " : "", e->defs[i].f.name);
	rc = crm_error_set(CRM_EUSAGE, "cannot match %s on '%s' (key fields: %s, custom.KEY)",
	                   e->table, name, crm_buf_str(&b));
	crm_buf_free(&b);
	return rc;
}

/* The field key d is unique within (an entity's key_within), or NULL. */
static const struct crm_fielddef *key_within(const struct crm_entity *e,
                                             const struct crm_fielddef *d)
{
	const struct crm_field *f;

	if (!d || !e->key_within[0] || strcmp(d->f.name, e->key_within[0]))
		return NULL;
	f = crm_entity_field_find(e, e->key_within[1]);
	return f ? crm_fielddef_of(f) : NULL;
}

static int parse_keys(crm_import *imp, const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *k;
	int rc = copy ? CRM_OK : crm_error_nomem();

	for (k = copy ? strtok_r(copy, ",", &save) : NULL; k && !rc; k = strtok_r(NULL, ",", &save)) {
		const struct crm_field *f = crm_entity_field_find(imp->e, k);
		int custom = !strncmp(k, "custom.", 7) && k[7];

		if (imp->nkeys == MAX_KEYS)
			rc = crm_error_set(CRM_EUSAGE, "too many key fields in '%s'", spec);
		else if (custom && !(imp->custom_keys[imp->nkeys++] = strdup(k + 7)))
			rc = crm_error_nomem();
		else if (!custom && (!f || !keyable(imp->e, crm_fielddef_of(f))))
			rc = key_fail(imp->e, k);
		else if (!custom) {
			imp->keys[imp->nkeys] = crm_fielddef_of(f);
			imp->within[imp->nkeys] = key_within(imp->e, imp->keys[imp->nkeys]);
			imp->nkeys++;
		}
	}
	if (!rc && !imp->nkeys)
		rc = key_fail(imp->e, spec);
	free(copy);
	return rc;
}

/* The default key the registry names for the entity, else the id. */
static const char *default_key(const struct crm_entity *e)
{
	return e->default_key ? e->default_key : "id";
}

/* The batch id this import will have: ids are never reused, so it follows
 * the largest ever given out (the write lock keeps it ours). */
static int next_batch(crm_db *db, int64_t *id)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
	                     " WHERE name = 'import_batches'), 0),"
	                     " coalesce((SELECT max(id) FROM import_batches), 0)) + 1");

	if (rc)
		return rc;
	rc = crm_stmt_step(st);
	*id = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* The highest id the import's entity holds, 0 for none: the records the
 * import creates come above it.  Cached: index_created asks again after
 * every chunk. */
static int top_id(crm_import *imp, int64_t *id)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc;

	if (crm_buf_printf(&sql, "SELECT coalesce(max(id), 0) FROM %s", imp->e->table))
		return crm_error_nomem();
	if (!(rc = crm_db_stmt(imp->db, &st, crm_buf_str(&sql)))) {
		rc = crm_stmt_step(st);
		*id = crm_stmt_int(st, 0);
		crm_stmt_reset(st);
	}
	crm_buf_free(&sql);
	return rc < 0 ? rc : CRM_OK;
}

/* Whether a field of e refers to records of e itself: its rows would
 * then look records of e up by more than their keys. */
static int refers_to_itself(const struct crm_entity *e)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (e->defs[i].f.type == CRM_FT_REF && !strcmp(e->defs[i].f.ref, e->name))
			return 1;
	return 0;
}

/* The columns the import's keys look records up by, as a JSON array. */
static int key_columns(const crm_import *imp, crm_buf *json)
{
	int rc = crm_buf_putc(json, '[');

	for (size_t k = 0; k < imp->nkeys && !rc; k++)
		if (imp->keys[k])
			rc = crm_buf_puts(json, json->len > 1 ? ",\"" : "\"") ||
			     key_sql(json, imp->keys[k]) || crm_buf_putc(json, '"');
	return rc || crm_buf_putc(json, ']') ? crm_error_nomem() : CRM_OK;
}

/* Into an empty table, a bulk import builds the table's indexes that no
 * row is looked up by once, after the rows (dbindex.c): kept are the
 * unique ones (they check the rows), the partial ones (they hold few) and
 * those on a key's column.  Into a table of a million, building them
 * again costs more than it saves. */
static int defer_indexes(crm_import *imp)
{
	crm_buf keys = CRM_BUF_INIT;
	int rc = CRM_OK;

	/* index_to, the table's top id, is 0 when it holds no record. */
	if (!imp->o.bulk || !imp->db->in_tx || refers_to_itself(imp->e) || imp->index_to ||
	    (rc = key_columns(imp, &keys)))
		return rc;
	rc = crm_indexes_drop(imp->db, imp->e->table, crm_buf_str(&keys), &imp->deferred);
	crm_buf_free(&keys);
	return rc;
}

/* Builds the indexes defer_indexes dropped, timed as their phase. */
static int build_indexes(crm_import *imp)
{
	enum crm_phase was = crm_phase_enter(imp->db, CRM_PHASE_BUILD);
	int rc = crm_indexes_build(imp->db, &imp->deferred);

	crm_phase_enter(imp->db, was);
	return rc;
}

static size_t field_index(const crm_import *imp, const char *name)
{
	return (size_t)(crm_fielddef_of(crm_entity_field_find(imp->e, name)) - imp->e->defs);
}

int crm_import_begin(crm_import **out, crm_db *db, const struct crm_import_opts *o)
{
	crm_import *imp = calloc(1, sizeof *imp);
	int rc;

	*out = NULL;
	if (!imp)
		return crm_error_nomem();
	imp->db = db;
	imp->e = o->entity;
	imp->o = *o;
	imp->consent_file = o->source && crm_utf8_valid_p(o->source, strlen(o->source))
	                    ? o->source : "-";
	imp->ids_theirs = -1;
	imp->rs.val = calloc(imp->e->nfields, sizeof *imp->rs.val);
	imp->rs.ready = calloc(imp->e->nfields, sizeof *imp->rs.ready);
	imp->refs = crm_memo_new(REF_SLOTS);
	pthread_mutex_init(&imp->ahead.lock, NULL);
	atomic_init(&imp->ahead.phone_ns, 0);
	for (const char *const *p = imp->e->name_parts; p && *p && imp->ahead.nname < NAME_PARTS; p++)
		imp->ahead.name_field[imp->ahead.nname++] = (int)field_index(imp, *p);
	imp->whole_field = imp->e->refunded_whole[0] ? (int)field_index(imp, imp->e->refunded_whole[0])
	                                             : -1;
	imp->self_ref = -1;
	for (size_t i = 0; i < imp->e->nfields; i++)
		if (imp->e->defs[i].f.type == CRM_FT_REF && !strcmp(imp->e->defs[i].f.ref, imp->e->name))
			imp->self_ref = (int)i;
	db->phases = o->timed ? calloc(1, sizeof *db->phases) : NULL;
	if (!imp->rs.val || !imp->rs.ready || !imp->refs || (o->timed && !db->phases))
		rc = crm_error_nomem();
	else if (!(rc = crm_db_writable(db)) && !(rc = parse_keys(imp, o->key ? o->key : default_key(imp->e))))
		rc = next_batch(db, &db->batch);
	if (!rc)
		rc = top_id(imp, &imp->index_to);
	imp->index_late = o->bulk && imp->index_to; /* the table held records */
	if (!rc)
		rc = defer_indexes(imp);
	/* Search entries are written in chunks as records come
	 * (index_created), and for the rest at the end (crm_import_end). */
	db->defer_index = 1;
	db->bulk = o->bulk;
	/* No memory map: it made a re-import of 100,000 unchanged rows twice
	 * as slow. */
	if (!rc)
		rc = imp->deferred.len ? crm_db_cache_mb(db, ROWS_CACHE_MB) : crm_db_bulk_cache(db);
	if (rc) {
		crm_import_free(imp);
		return rc;
	}
	*out = imp;
	return CRM_OK;
}

/* A kept unknown column becomes custom field "shoe_size" from "Shoe Size",
 * "会社メモ" from "会社メモ": the match key's letters and digits, of any
 * script, other runs joined by one '_'. */
static char *custom_key_of(const char *column)
{
	char *key = NULL, *out, *p;
	const char *s;

	if (crm_text_key(&key, column))
		return NULL;
	if (!(out = p = malloc(strlen(key) + 2)))
		goto done;
	for (s = key; *s;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
		utf8proc_category_t cat = n > 0 ? utf8proc_category(c) : UTF8PROC_CATEGORY_CN;

		if (n <= 0)
			n = 1;
		if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
		    (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)) {
			memcpy(p, s, (size_t)n);
			p += n;
		} else if (p > out && p[-1] != '_') {
			*p++ = '_';
		}
		s += n;
	}
	while (p > out && p[-1] == '_')
		p--;
	if (p == out)
		*p++ = '_';
	*p = '\0';
done:
	free(key);
	return out;
}

/* Stores in *t what column name means by the mapping file, else by the
 * field names and synonyms; returns its mapping entry, if any.  Reads
 * nothing that changes: the reading-ahead thread calls it too. */
static const struct crm_map_column *target_of(const crm_import *imp, const char *name,
                                              struct crm_target *t)
{
	const struct crm_map_column *m = crm_import_map_find(imp->o.map, name);

	if (m)
		*t = m->t;
	else
		crm_column_target(imp->e, name, t);
	return m;
}

/* The entry of the beside table column name is kept by, or NULL. */
static const struct crm_beside *beside_of(const crm_import *imp, const char *name)
{
	for (size_t i = 0; i < imp->nbeside; i++)
		if (!strcmp(imp->beside[i].column, name))
			return imp->beside[i].b;
	return NULL;
}

/* The address block of column c: one that fills a part of the address
 * and whose name says whose address it is. */
static int address_block(const struct column *c)
{
	static const char *const parts[] = { "street", "city", "region", "postal_code", "country" };
	char key[64];
	size_t i = 0;

	if (c->t.kind != CRM_TO_FIELD)
		return NO_BLOCK;
	while (i < sizeof parts / sizeof parts[0] && strcmp(parts[i], c->t.name))
		i++;
	if (i == sizeof parts / sizeof parts[0] || !crm_column_key(key, sizeof key, c->name))
		return NO_BLOCK;
	return !strncmp(key, "business", 8) ? BUSINESS_BLOCK :
	       !strncmp(key, "home", 4) ? HOME_BLOCK : NO_BLOCK;
}

/* Stores in *c what column name means: the mapping file first, then the
 * field names and synonyms, then the unknown-column rule. */
static int column_of(crm_import *imp, const char *name, const struct column **c)
{
	const struct crm_map_column *m;
	const struct crm_beside *b;
	const struct crm_field *f;
	struct column *p, *col;

	/* Rows name their columns in the header's order: the one after the
	 * last is tried first. */
	if (imp->col_next < imp->ncols && !strcmp(imp->cols[imp->col_next].name, name))
		return *c = &imp->cols[imp->col_next++], CRM_OK;
	for (size_t i = 0; i < imp->ncols; i++)
		if (!strcmp(imp->cols[i].name, name))
			return imp->col_next = i + 1, *c = &imp->cols[i], CRM_OK;
	if (!(p = realloc(imp->cols, (imp->ncols + 1) * sizeof *p)))
		return crm_error_nomem();
	imp->cols = p;
	col = memset(&p[imp->ncols], 0, sizeof *col);
	if (!(col->name = strdup(name)))
		return crm_error_nomem();
	imp->col_next = ++imp->ncols;
	if ((m = target_of(imp, col->name, &col->t)))
		col->date_format = m->date_format;
	else if ((b = beside_of(imp, name)))
		crm_target_named(&col->t, b->target ? b->target : "@ignore", col->name);
	else if (imp->names_column && !strcmp(name, imp->names_column))
		col->t = (struct crm_target){ CRM_TO_IGNORE, col->name };
	if (!col->date_format && col->t.kind == CRM_TO_FIELD && (f = crm_entity_field_find(imp->e,
	    col->t.name)) && crm_field_dated(f))
		col->date_format = imp->o.date_format;
	if (col->t.kind == CRM_TO_UNKNOWN && imp->o.unknown == CRM_UNKNOWN_IGNORE)
		col->t.kind = CRM_TO_IGNORE;
	if (col->t.kind == CRM_TO_UNKNOWN && imp->o.unknown == CRM_UNKNOWN_KEEP) {
		if (!(col->custom = custom_key_of(name)))
			return crm_error_nomem();
		col->t.kind = CRM_TO_CUSTOM;
		col->t.name = col->custom;
		/* "Größe" and "Grösse" have one key: the one kept would lose the
		 * other's values without a word. */
		for (size_t i = 0; i + 1 < imp->ncols; i++)
			if (imp->cols[i].t.kind == CRM_TO_CUSTOM && !strcmp(imp->cols[i].t.name, col->custom))
				return crm_error_set(CRM_EDATA, "columns '%s' and '%s' would both be kept"
				                     " as custom.%s (map one with --map)",
				                     imp->cols[i].name, name, col->custom);
	}
	if (col->t.kind == CRM_TO_FIELD)
		col->field = field_index(imp, col->t.name);
	col->implies = crm_column_implies(imp->e, name);
	col->block = address_block(col);
	*c = col;
	return CRM_OK;
}

/* Whether a header of n names, each with its column made, has a column
 * of field. */
static int has_field_column(crm_import *imp, const char *const *names, size_t n,
                            const char *field)
{
	const struct column *c;

	for (size_t i = 0; i < n; i++)
		if (!column_of(imp, names[i], &c) && c->t.kind == CRM_TO_FIELD &&
		    !strcmp(c->t.name, field))
			return 1;
	return 0;
}

/* Fails naming the columns among names that mean no field: in a header,
 * a bare "Nom" (CRM_TO_PART) too, unless one name column beside it says
 * which part it is.  (The records of a format without a header name
 * their own columns, each its own: a record's "nom" alone is rejected
 * by itself, naming why.) */
static int check_unknown(crm_import *imp, const char *const *names, size_t n, bool header)
{
	const struct column *c;
	crm_buf b = CRM_BUF_INIT;
	size_t bad = 0;
	int rc = CRM_OK, told;

	for (size_t i = 0; i < n && !rc; i++)
		if (!(rc = column_of(imp, names[i], &c)) && c->t.kind == CRM_TO_UNKNOWN)
			crm_buf_printf(&b, "%s'%s'", bad++ ? ", " : "", names[i]);
	header = header && n > 1;
	told = !rc && header && has_field_column(imp, names, n, "first_name") !=
	                        has_field_column(imp, names, n, "last_name");
	for (size_t i = 0; i < n && !rc && header && !told; i++)
		if (!(rc = column_of(imp, names[i], &c)) && c->t.kind == CRM_TO_PART)
			crm_buf_printf(&b, "%s'%s'", bad++ ? ", " : "", names[i]);
	if (!rc && bad)
		rc = crm_error_set(CRM_EDATA, "unknown %s %s (map %s with --map, or use"
		                   " --keep-unknown or --ignore-unknown)",
		                   bad > 1 ? "columns" : "column", crm_buf_str(&b),
		                   bad > 1 ? "them" : "it");
	crm_buf_free(&b);
	return rc;
}

/* Whether a column of names[0..n) has key key (crm_column_key() form). */
static int has_column_key(const char *const *names, size_t n, const char *key)
{
	char k[64];

	for (size_t i = 0; i < n; i++)
		if (!strcmp(crm_column_key(k, sizeof k, names[i]), key))
			return 1;
	return 0;
}

/* Columns beside others whatever the entity: WooCommerce's API writes
 * each time twice, in the shop's zone without an offset (date_created)
 * and in UTC (date_created_gmt), which alone is read.  Shops' APIs
 * number their records under "id", spelt as this toolkit spells its
 * own, and in whole numbers as its own are: beside a column that only
 * the shop writes (Shopify's admin_graphql_api_id and a customer's
 * verified_email, WooCommerce's date_created_gmt) the id is the shop's,
 * kept as custom source_id like any other system's (crm_column_target),
 * and never taken for a record here.  So is HubSpot's API's, beside
 * properties.hs_object_id, which repeats it; Zendesk's API's user's,
 * beside ticket_restriction, organization's, beside shared_tickets, and
 * ticket's, beside raw_subject;
 * Pipedrive's API's person's, beside first_char, and deal's, beside
 * stage_order_nr. */
static const struct crm_beside every_beside[] = {
	{ "datecreated", "datecreatedgmt", NULL },
	{ "id", "admingraphqlapiid", SOURCE_ID },
	{ "id", "verifiedemail", SOURCE_ID },
	{ "id", "datecreatedgmt", SOURCE_ID },
	{ "id", "propertieshsobjectid", SOURCE_ID },
	{ "id", "ticketrestriction", SOURCE_ID },
	{ "id", "sharedtickets", SOURCE_ID },
	{ "id", "rawsubject", SOURCE_ID },
	{ "id", "firstchar", SOURCE_ID },
	{ "id", "stageordernr", SOURCE_ID },
	{ "propertieshsobjectid", "id", NULL },
	{ NULL, NULL, NULL }
};

/* Finds the columns of a header that mean something else beside
 * another (table: the entity's, or every_beside): Outlook's Title
 * beside Job Title. */
static int find_beside(crm_import *imp, const struct crm_beside *table,
                       const char *const *names, size_t n)
{
	char key[64];

	for (const struct crm_beside *b = table; b && b->key; b++)
		for (size_t i = 0; i < n; i++) {
			if (strcmp(crm_column_key(key, sizeof key, names[i]), b->key) ||
			    beside_of(imp, names[i]) || !has_column_key(names, n, b->beside))
				continue;
			if (imp->nbeside == MAX_BESIDE)
				return crm_error_set(CRM_EDATA, "too many columns beside others");
			if (!(imp->beside[imp->nbeside].column = strdup(names[i])))
				return crm_error_nomem();
			imp->beside[imp->nbeside++].b = b;
		}
	return CRM_OK;
}

/* Help desks write who asked twice, by name ("Requester") and by
 * address ("Requester email"): for a reference the import creates from
 * an address, the column of addresses fills it (an unknown name would
 * refuse the row) and the other names the people it creates (new_person). */
static int find_names_column(crm_import *imp, const char *const *names, size_t n)
{
	const char *plain = NULL, *field = NULL;
	int email = 0, named = 0;
	char key[64];

	/* The toolkit's own list has requester, requester_name and
	 * requester_email: the names are in the column called so. */
	for (size_t i = 0; i < n && !imp->names_column; i++) {
		const struct crm_field *f;
		struct crm_target t;

		target_of(imp, names[i], &t);
		if (t.kind != CRM_TO_FIELD || !(f = crm_entity_field_find(imp->e, t.name)) ||
		    f->type != CRM_FT_REF || !(f->flags & CRM_FIELD_CREATE) ||
		    (field && strcmp(field, f->name)))
			continue;
		field = f->name;
		if (strstr(crm_column_key(key, sizeof key, names[i]), "email"))
			email = 1;
		else if (!plain || (strstr(key, "name") && !named))
			plain = names[i], named = strstr(key, "name") != NULL;
	}
	if (!plain || !email || imp->names_column)
		return CRM_OK;
	return (imp->names_column = strdup(plain)) ? CRM_OK : crm_error_nomem();
}

/* What the names of the columns say of them: which mean something else
 * beside another, which names the people the import creates. */
static int find_columns(crm_import *imp, const char *const *names, size_t n)
{
	int rc = find_beside(imp, every_beside, names, n);

	imp->columns_found = 1;
	if (!rc)
		rc = find_beside(imp, imp->e->beside, names, n);
	return rc ? rc : find_names_column(imp, names, n);
}

int crm_import_header(crm_import *imp, const char *const *names, size_t n)
{
	int rc = find_columns(imp, names, n);

	return rc ? rc : check_unknown(imp, names, n, true);
}

/* Rejects the row: stores the field at fault and the reason. */
static int reject(crm_import *imp, struct crm_import_result *res, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int reject(crm_import *imp, struct crm_import_result *res, const char *field,
                  const char *fmt, ...)
{
	va_list ap;

	crm_buf_clear(&imp->reason);
	va_start(ap, fmt);
	crm_buf_vprintf(&imp->reason, fmt, ap);
	va_end(ap);
	snprintf(imp->field, sizeof imp->field, "%s", field ? field : "");
	res->outcome = CRM_IMPORT_REJECTED;
	res->field = field ? imp->field : NULL;
	res->reason = crm_buf_str(&imp->reason);
	imp->n.rejected++;
	return CRM_OK;
}

/* Whether v is a date of zeros alone ("0/0/00", "0000-00-00 00:00:00"):
 * Outlook and MySQL write those for no date. */
static int zero_date_p(const char *v)
{
	int zero = 0;

	for (; *v; v++)
		if (*v == '0')
			zero = 1;
		else if (!strchr("/-.: T", *v))
			return 0;
	return zero;
}

/* The number the k digits at v write. */
static int number_of(const char *v, size_t k)
{
	int n = 0;

	while (k--)
		n = n * 10 + *v++ - '0';
	return n;
}

/* Whether v is a day and month without a year, either way round:
 * Mailchimp's birthdays (03/14), vCard's (--03-14, --0314). */
static int yearless_p(const char *v)
{
	int dashes, a, b;
	size_t k;

	v += strspn(v, " ");
	dashes = !strncmp(v, "--", 2);
	v += 2 * dashes;
	k = strspn(v, "0123456789");
	if (k == 4 && dashes) {
		a = number_of(v, 2);
		b = number_of(v + 2, 2);
	} else if (k >= 1 && k <= 2 && v[k] && strchr("/.-", v[k])) {
		a = number_of(v, k);
		v += k + 1;
		if ((k = strspn(v, "0123456789")) < 1 || k > 2)
			return 0;
		b = number_of(v, k);
	} else {
		return 0;
	}
	v += k;
	return !v[strspn(v, " ")] && a >= 1 && b >= 1 &&
	       ((a <= 12 && b <= 31) || (a <= 31 && b <= 12));
}

/* Whether v starts as an ISO date does (2026-02-30). */
static int iso_date_p(const char *v)
{
	return v && strspn(v, "0123456789") == 4 && v[4] == '-';
}

/* Whether name, which a message begins with, is a part of an import's
 * line item or refund rather than a field (purchase.c's "price: ..."):
 * the field at fault all the same, for the reject file's _field. */
static int line_part_p(const crm_import *imp, const char *name)
{
	static const char *const parts[] = { "line", "lines", "sku", "quantity", "price",
	                                     "amount", "currency", "refund", "refunds", NULL };

	for (size_t i = 0; imp->e->import_line && parts[i]; i++)
		if (!strcmp(parts[i], name))
			return 1;
	return 0;
}

/* Rejects the row with the message of a failed write; "field: reason"
 * messages name their field. */
static int reject_error(crm_import *imp, struct crm_import_result *res)
{
	const char *msg = crm_error_message(), *colon = strstr(msg, ": ");
	char field[64];

	if (colon && (size_t)(colon - msg) < sizeof field) {
		const struct crm_field *f;

		snprintf(field, sizeof field, "%.*s", (int)(colon - msg), msg);
		/* A date written the local way (14.03.1985), not as an impossible
		 * ISO date (2026-02-30), has a format to name. */
		if ((f = crm_entity_field_find(imp->e, field)) && !imp->o.date_format &&
		    crm_field_dated(f) && !iso_date_p(imp->rs.val[field_index(imp, field)]))
			return reject(imp, res, field, "%s (--date-format reads dates written"
			              " another way)", colon + 2);
		/* So is an amount written with a decimal comma (19,99). */
		if (f && f->type == CRM_FT_MONEY && !imp->o.decimal_comma &&
		    imp->rs.val[field_index(imp, field)] &&
		    strchr(imp->rs.val[field_index(imp, field)], ','))
			return reject(imp, res, field, "%s (--decimal-comma reads amounts written"
			              " 1.234,56; commas between thousands are read with a"
			              " decimal point: 1,234.00)", colon + 2);
		if (f || !strncmp(field, "custom.", 7) || !strncmp(field, "consent.", 8) ||
		    line_part_p(imp, field))
			return reject(imp, res, field, "%s", colon + 2);
	}
	return reject(imp, res, NULL, "%s", msg);
}

/* Keeps s (malloc'd) until the row is done and returns it; NULL for a
 * NULL s (a value that did not convert) and when out of memory. */
static const char *own(struct rowstate *rs, char *s)
{
	char **p;

	if (!s)
		return NULL;
	if (!(p = realloc(rs->owned, (rs->nowned + 1) * sizeof *p))) {
		free(s);
		return NULL;
	}
	rs->owned = p;
	return p[rs->nowned++] = s;
}

static void rowstate_clear(struct rowstate *rs, size_t nfields)
{
	for (size_t i = 0; i < rs->nowned; i++)
		free(rs->owned[i]);
	rs->nowned = 0;
	memset(rs->val, 0, nfields * sizeof *rs->val);
	rs->id = rs->tags = rs->split = rs->currency = rs->refunded = rs->refunded_column = NULL;
	rs->split_column = rs->part = rs->part_column = rs->who = NULL;
	rs->named[0] = rs->named[1] = NULL;
	memset(rs->custom_keys, 0, sizeof rs->custom_keys);
	rs->has_tags = 0;
	rs->implied = NULL;
	memset(rs->line, 0, sizeof rs->line);
	rs->has_line = 0;
	memset(rs->made, 0, sizeof rs->made);
	rs->nready = 0;
	rs->utf8 = 0;
	rs->object = NO_OBJECT;
	rs->payment[0] = rs->payment[1] = rs->payment_column = NULL;
	rs->nconsent = 0;
	rs->nmore = 0;
	rs->block = NO_BLOCK;
	crm_buf_clear(&rs->note);
	crm_buf_clear(&rs->refs);
}

/* Reads the seconds since 1970 at the start of v (the format "%s", as
 * services' APIs and JSON exports write times) into *tm, in UTC: glibc's
 * strptime reads %s in the local zone, which would move every time by
 * the importing machine's offset.  Returns what follows, or NULL. */
static const char *epoch_in(const char *v, struct tm *tm)
{
	char *end;
	long long s;
	time_t t;

	if (!isdigit((unsigned char)v[v[0] == '-']))
		return NULL;
	errno = 0;
	s = strtoll(v, &end, 10);
	t = (time_t)s;
	return errno || t != s || !gmtime_r(&t, tm) ? NULL : end;
}

/* Reads the date at the start of v, written in format fmt, into *tm;
 * returns what follows it, or NULL when it does not fit or is no day
 * (2/29/2023, a year of two digits read with %Y). */
static const char *date_in(const char *fmt, const char *v, int64_t now, struct tm *tm)
{
	char out[16], check[CRM_DATE_LEN];
	const char *end;

	memset(tm, 0, sizeof *tm);
	end = strcmp(fmt, "%s") ? strptime(v, fmt, tm) : epoch_in(v, tm);
	if (!end || !strftime(out, sizeof out, "%Y-%m-%d", tm) ||
	    strlen(out) != 10 || crm_date_parse(check, out, now)) {
		crm_error_clear();
		return NULL;
	}
	return end;
}

/* Reads a date written in the column's own format, or already as
 * YYYY-MM-DD, which no other format can mean, as YYYY-MM-DD; NULL when it
 * fits neither or is no date (2/29/2023, a year of two digits for %Y).
 * A two-digit year (%y) that would put a date of birth (past_only) after
 * today (3/14/55 as 2055) is of the century before. */
static char *reformat_date(const char *fmt, const char *v, int past_only, int64_t now)
{
	struct tm tm;
	const char *end = date_in(fmt, v, now, &tm);
	char out[16], today[CRM_DATE_LEN];

	if (!end || end[strspn(end, " \t")])
		end = date_in("%Y-%m-%d", v, now, &tm);
	if (!end || end[strspn(end, " \t")] || !strftime(out, sizeof out, "%Y-%m-%d", &tm))
		return NULL;
	if (past_only && strstr(fmt, "%y") && !crm_date_parse(today, "today", now) &&
	    strcmp(out, today) > 0) {
		tm.tm_year -= 100;
		strftime(out, sizeof out, "%Y-%m-%d", &tm);
	}
	return strdup(out);
}

/* Reads a time whose date is written in the column's own format, its
 * time of day after it as surveys write it ("5/1/2023 14:22:05",
 * "05/01/2023 02:22:05 PM"), as "YYYY-MM-DD HH:MM:SS", which the field
 * reads as UTC; a time in ISO 8601 is left to the field.  NULL when the
 * date does not fit, or what follows it is no time of day. */
static char *reformat_time(const char *fmt, const char *v, int64_t now)
{
	static const char *const clocks[] = { " %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p" };
	struct tm tm;
	const char *end, *rest;
	char out[32];

	if (strlen(v) >= 10 && iso_date_p(v))
		return strdup(v);
	if (!(end = date_in(fmt, v, now, &tm)))
		return NULL;
	for (size_t i = 0; *(end + strspn(end, " \t")) && i < sizeof clocks / sizeof *clocks; i++) {
		struct tm t = tm;
		if ((rest = strptime(end, clocks[i], &t)) && !rest[strspn(rest, " \t")]) {
			tm = t;
			end = rest;
		}
	}
	if (end[strspn(end, " \t")] || !strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &tm))
		return NULL;
	return strdup(out);
}

/* Reads v, written in format fmt, as field f takes it: a date, a time,
 * or for a date-or-time field (a task's due) a time when the format or
 * the value brings a time of day, else a date. */
static char *reformat(const char *fmt, const struct crm_field *f, const char *v, int64_t now)
{
	char *d;

	if (f->type == CRM_FT_TIME ||
	    (f->type == CRM_FT_WHEN && (strstr(fmt, "%H") || strstr(fmt, "%I") ||
	                                strstr(fmt, "%R") || strstr(fmt, "%T") ||
	                                !strcmp(fmt, "%s"))))
		return reformat_time(fmt, v, now);
	if (f->type == CRM_FT_WHEN)
		return (d = reformat_date(fmt, v, 0, now)) ? d : reformat_time(fmt, v, now);
	return reformat_date(fmt, v, !strcmp(f->name, "birth_date"), now);
}

static int is_blank(const char *v)
{
	return !v || !v[strspn(v, " \t\r\n")];
}

#define MORE_VALUES " ::: "

/* Keeps v, another value of field name, as the first of the custom
 * fields name2, name3 ... that r has not got: the names a merge keeps a
 * person's other emails and phones by. */
static int add_more(crm_record *r, const char *name, const char *v)
{
	char key[72];

	for (int k = 2; k < 100; k++) {
		snprintf(key, sizeof key, "custom.%s%d", name, k);
		if (!crm_record_value(r, key))
			return crm_record_set_custom(r, key + 7, v);
	}
	return CRM_OK; /* a hundred values of one field: the rest go */
}

/* Keeps the values after the first of field name's column as custom
 * fields (add_more): "b ::: c" as name2 and name3. */
static int keep_more(crm_record *r, const char *name, const char *more)
{
	const char *end;
	int rc = CRM_OK;

	for (; more && !rc; more = end ? end + strlen(MORE_VALUES) : NULL) {
		char *v;

		end = strstr(more, MORE_VALUES);
		if (!(v = strndup(more, end ? (size_t)(end - more) : strlen(more))))
			rc = crm_error_nomem();
		else if (!is_blank(v))
			rc = add_more(r, name, v);
		free(v);
	}
	return rc;
}

/* Counts a numbered column of field name's further values in the row. */
static void count_more(struct rowstate *rs, const char *name)
{
	size_t i = 0;

	while (i < rs->nmore && strcmp(rs->more[i].name, name))
		i++;
	if (i == sizeof rs->more / sizeof rs->more[0])
		return;
	if (i == rs->nmore)
		rs->more[rs->nmore++] = (struct row_more){ name, 0 };
	rs->more[i].columns++;
}

/* The numbered columns of a field say how many further values the row
 * has: those its values left unfilled are empty, so that an update
 * clears a second address deleted at the source, as a blank column
 * clears its field. */
static int clear_more(const struct rowstate *rs, crm_record *r)
{
	char key[72];
	int rc = CRM_OK;

	for (size_t i = 0; i < rs->nmore && !rc; i++)
		for (int k = 2; k <= rs->more[i].columns + 1 && k < 100 && !rc; k++) {
			snprintf(key, sizeof key, "custom.%s%d", rs->more[i].name, k);
			if (!crm_record_value(r, key))
				rc = crm_record_set_custom(r, key + 7, "");
		}
	return rc;
}

/* Google Contacts writes a field's several values in one column, "a :::
 * b": *v becomes the first, the others custom fields (keep_more). */
static int first_value(crm_import *imp, crm_record *r, const struct crm_field *f, const char **v)
{
	const char *more = *v ? strstr(*v, MORE_VALUES) : NULL;
	int rc;

	if (!more || f->type == CRM_FT_TAGS || f->type == CRM_FT_ID)
		return CRM_OK;
	if ((rc = keep_more(r, f->name, more + strlen(MORE_VALUES))))
		return rc;
	*v = own(&imp->rs, strndup(*v, (size_t)(more - *v)));
	return *v ? CRM_OK : crm_error_nomem();
}

/* Rewrites a tags cell as other systems write it into the toolkit's
 * comma-separated list: Outlook separates categories with ';', Google
 * labels with " ::: " and marks its own ("* starred") with "* ", dropping
 * "* myContacts", which every contact has; Mailchimp quotes each tag;
 * Zendesk separates them by spaces (words: the entity's tag_words).  The
 * toolkit's own column (own: spelt "tags") is its list as it is, whose
 * tags may hold any of those but a comma. */
static char *import_tags(const char *v, int words, int own)
{
	crm_buf b = CRM_BUF_INIT;
	const char *p = v;
	const char *seps = own ? "," : words && !strpbrk(v, ",;") ? ",; \t" : ",;";

	while (*p) {
		const char *more = strstr(p, MORE_VALUES);
		size_t n = strcspn(p, seps), m;
		int google;

		if (more && (size_t)(more - p) < n)
			n = (size_t)(more - p);
		m = n;
		while (m && isspace((unsigned char)p[m - 1]))
			m--;
		for (; m && isspace((unsigned char)*p); m--, n--)
			p++;
		if (!own && m >= 2 && p[0] == '"' && p[m - 1] == '"')
			p++, n--, m -= 2;
		google = !own && m >= 2 && p[0] == '*' && p[1] == ' ';
		if (google)
			p += 2, n -= 2, m -= 2;
		if (m && !(google && m == 10 && !strncmp(p, "myContacts", 10)))
			crm_buf_printf(&b, "%s%.*s", b.len ? "," : "", (int)m, p);
		p += n;
		p += !strncmp(p, MORE_VALUES, strlen(MORE_VALUES)) ? strlen(MORE_VALUES) : *p != '\0';
	}
	if (!b.len && crm_buf_puts(&b, ""))
		return NULL;
	return crm_buf_detach(&b);
}

/* A percentage as HubSpot writes a deal's probability, a fraction of one
 * ("0.2", "1.0"), as the whole percent it is ("20"); v itself when it has
 * no decimal point or is no number from 0 to 1 (its field judges it). */
static const char *fraction_percent(crm_import *imp, const struct crm_field *f, const char *v)
{
	char *end, buf[8];
	double x;

	if (f->type != CRM_FT_PERCENT || !strchr(v, '.'))
		return v;
	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || end[strspn(end, " \t")] || !(x >= 0 && x <= 1))
		return v;
	snprintf(buf, sizeof buf, "%ld", lround(x * 100));
	return own(&imp->rs, strdup(buf));
}

/* Whether p starts a group separator of a number: a point, a space, or a
 * no-break space (U+00A0, U+202F) followed by exactly three digits; its
 * length, else 0. */
static size_t group_separator(const char *p)
{
	size_t n = *p == '.' || *p == ' ' ? 1 : !strncmp(p, "\xc2\xa0", 2) ? 2
	         : !strncmp(p, "\xe2\x80\xaf", 3) ? 3 : 0;

	for (size_t i = n; n && i < n + 3; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return n && !isdigit((unsigned char)p[n + 3]) ? n : 0;
}

/* A number written with a decimal comma (--decimal-comma) as the
 * toolkit reads numbers: "1.234,56 EUR" becomes "1234.56 EUR", "19,5 %"
 * "19.5 %".  The first number in v is rewritten: its separators of
 * digit groups go and its comma becomes the point.  A point that
 * separates no group of three ("0.5") leaves v as it is, to be read
 * (or refused) as written. */
static const char *decimal_comma(crm_import *imp, const char *v)
{
	crm_buf b = CRM_BUF_INIT;
	const char *p;
	size_t n;
	int frac = 0;

	if (!v || !(p = strpbrk(v, "0123456789")))
		return v;
	crm_buf_put(&b, v, (size_t)(p - v));
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			crm_buf_putc(&b, *p);
		} else if (!frac && *p == ',' && isdigit((unsigned char)p[1])) {
			crm_buf_putc(&b, '.');
			frac = 1;
		} else if (!frac && (n = group_separator(p))) {
			p += n - 1;
		} else if (*p == '.') {
			crm_buf_free(&b);
			return v;
		} else {
			break;
		}
	}
	crm_buf_puts(&b, p);
	return own(&imp->rs, crm_buf_detach(&b));
}

/* A number written with commas between its groups of digits and a
 * decimal point, as American and British spreadsheets write them:
 * "12,500.00 USD" becomes "12500.00 USD", "1,234,567" "1234567".  A
 * single group without a point ("1,200") is left as it is, to be
 * refused: with a decimal comma it is 1.2. */
static const char *comma_groups(crm_import *imp, const char *v)
{
	const char *p = v ? strpbrk(v, "0123456789") : NULL, *q;
	crm_buf b = CRM_BUF_INIT;
	int groups = 0;

	if (!p)
		return v;
	for (q = p + strspn(p, "0123456789"); *q == ',' && strspn(q + 1, "0123456789") == 3;
	     q += 4)
		groups++;
	if (!groups || (groups < 2 && !(*q == '.' && isdigit((unsigned char)q[1]))))
		return v;
	crm_buf_put(&b, v, (size_t)(p - v));
	for (; p < q; p++)
		if (*p != ',')
			crm_buf_putc(&b, *p);
	crm_buf_puts(&b, q);
	return own(&imp->rs, crm_buf_detach(&b));
}

/* A number as the toolkit reads numbers, from the way the file writes
 * them: with a decimal comma (--decimal-comma), else with commas between
 * groups of digits. */
static const char *local_number(crm_import *imp, const char *v)
{
	return imp->o.decimal_comma ? decimal_comma(imp, v) : comma_groups(imp, v);
}

/* A choice field's value as another system writes it ("In Progress",
 * "voided"), in this toolkit's words; v itself when it has none, NULL
 * when it says the record is not one yet (the entity's not_yet). */
static const char *choice_value(const crm_import *imp, const struct crm_field *f, const char *v)
{
	char key[64];

	if (f->type != CRM_FT_ENUM || !imp->e->value_synonyms || is_blank(v))
		return v;
	/* Most rows give the toolkit's own words: no key to fold. */
	for (const char *const *c = f->choices; *c; c++)
		if (!strcasecmp(*c, v))
			return v;
	crm_column_key(key, sizeof key, v);
	for (const struct crm_value_synonym *s = imp->e->value_synonyms; s->field; s++)
		if (!strcmp(s->field, f->name) && !strcmp(s->key, key))
			return s->value || imp->e->not_yet[0] ? s->value : v;
	return v;
}

/* Keeps value v of column c as a custom field named after the column. */
static int keep_as_custom(crm_record *r, const struct column *c, const char *v)
{
	char *key = custom_key_of(c->name);
	int rc = key ? crm_record_set_custom(r, key, v) : crm_error_nomem();

	free(key);
	return rc;
}

/* An address written with its owner's name, as mail programs copy it
 * ("Ann Lee <ann@example.org>"): *v becomes the address, and the name
 * fills the names the row lacks, as a column of full names would (one
 * the row has wins). */
static int mailbox(crm_import *imp, const struct column *c, const char **v)
{
	struct rowstate *rs = &imp->rs;
	char *addr, *name;
	int rc = crm_mailbox_parse(*v, &addr, &name);

	if (rc || !addr)
		return rc;
	if (!(*v = own(rs, addr))) {
		free(name);
		return crm_error_nomem();
	}
	/* Mail programs write the address again where they know no name. */
	if (!name || strchr(name, '@') || !is_blank(rs->split) ||
	    !crm_entity_field_find(imp->e, "first_name")) {
		free(name);
		return CRM_OK;
	}
	rs->split_column = c->name;
	return (rs->split = own(rs, name)) ? CRM_OK : crm_error_nomem();
}

/* Value v of column c as custom field key, and as the row's value of an
 * import key custom.key.  As with a field, the first column with a value
 * fills it (a blank one never empties it), and another's different value
 * is kept under its own column's name: a file of both "ID" and "Record
 * ID", or of "id" and "ID", loses neither. */
static int take_custom(crm_import *imp, crm_record *r, const struct column *c, const char *key,
                       const char *v, struct crm_import_result *res)
{
	const char *had = crm_record_custom(r, key);
	int rc;

	if (had && !is_blank(had))
		return is_blank(v) || !strcmp(had, v) ? CRM_OK : keep_as_custom(r, c, v);
	for (size_t k = 0; k < imp->nkeys; k++)
		if (imp->custom_keys[k] && !strcmp(imp->custom_keys[k], key))
			imp->rs.custom_keys[k] = v;
	rc = crm_record_set_custom(r, key, v ? v : "");
	return rc == CRM_EUSAGE ? reject(imp, res, c->name, "%s", crm_error_message()) : rc;
}

/* Whether v looks like one of this toolkit's ids, whole numbers, written
 * well or not (" 7", "7.0", "-3"): the id column then holds them. */
static int ours_p(const char *v)
{
	v += strspn(v, " \t");
	v += *v == '+' || *v == '-';
	if (!isdigit((unsigned char)*v))
		return 0;
	v += strspn(v, "0123456789");
	if (*v == '.')
		v += 1 + strspn(v + 1, "0");
	return !v[strspn(v, " \t")];
}

/* Whether the id column holds another system's ids (Stripe's
 * cus_NffrFeUf, Airtable's recX2f), which are kept as custom source_id as
 * a column of another system's ids is.  Its first value decides for the
 * whole import, so that a column of hex ids with a few all digits is
 * read alike on every run: a first value that looks like one of this
 * toolkit's ids says the column holds them, and a later value that is
 * none is then rejected as an invalid id.  So is every value of an
 * import that matches on this toolkit's id and not on source_id. */
static int foreign_id(crm_import *imp, const char *v)
{
	int ours = 0, theirs = 0;

	if (is_blank(v))
		return 0;
	if (imp->ids_theirs < 0) {
		for (size_t k = 0; k < imp->nkeys; k++) {
			ours |= imp->keys[k] && imp->keys[k]->f.type == CRM_FT_ID;
			theirs |= imp->custom_keys[k] && !strcmp(imp->custom_keys[k], CRM_SOURCE_ID);
		}
		imp->ids_theirs = !ours_p(v) && (!ours || theirs);
	}
	return imp->ids_theirs;
}

/* A whole number where a date or time belongs, of nine or ten digits,
 * is seconds since 1970, and of thirteen, milliseconds: services' APIs
 * write times so (Stripe's created, Intercom's created_at, HubSpot's in
 * milliseconds), and no date is written otherwise in so many bare digits
 * (20231114 has eight).  Returns the time or date v means, else v. */
static const char *api_time(crm_import *imp, const struct crm_field *f, const char *v)
{
	size_t n = strspn(v, "0123456789");
	char secs[11], *d;

	if (v[n] || (n != 9 && n != 10 && n != 13))
		return v;
	n = n == 13 ? 10 : n;
	memcpy(secs, v, n);
	secs[n] = '\0';
	d = reformat("%s", f, secs, imp->db->now);
	return d ? own(&imp->rs, d) : v;
}

/* Splits s at runs of two spaces or more into part and len; 0 for more
 * than 8 parts. */
static size_t split_parts(const char *s, const char *part[8], size_t len[8])
{
	size_t n = 0;

	while (*s) {
		size_t k = 0;

		while (s[k] && !(s[k] == ' ' && s[k + 1] == ' '))
			k++;
		if (k && n == 8)
			return 0;
		if (k)
			part[n] = s, len[n++] = k;
		s += k + strspn(s + k, " ");
	}
	return n;
}

/* The country code of the len bytes at s when they name a country (a zip
 * code does not), owned by the row; else NULL. */
static const char *country_part(struct rowstate *rs, const char *s, size_t len)
{
	char *name = strndup(s, len), *cc = NULL;

	if (name && name[strspn(name, "0123456789 -")] && crm_country_normalize(&cc, name)) {
		crm_error_clear();
		cc = NULL;
	}
	free(name);
	return own(rs, cc);
}

/* Fills field name (a custom field too) with v unless the row has one. */
static int fill_blank(crm_import *imp, crm_record *r, const char *name, const char *v)
{
	size_t k;

	if (!strncmp(name, "custom.", 7))
		return crm_record_value(r, name) ? CRM_OK : crm_record_set_custom(r, name + 7, v);
	if (crm_entity_field_find(imp->e, name) && is_blank(imp->rs.val[k = field_index(imp, name)]))
		imp->rs.val[k] = v;
	return CRM_OK;
}

/* Mailchimp writes its address as one cell, the parts two spaces apart:
 * street, line 2 (left out when empty), city, state, zip and country
 * ("1701 Bristol Ave.  Barrington  RI  02806  US").  Reads such a street
 * value into its parts: *v becomes the street, line 2 custom.address_line2,
 * and the others fill the fields the row has not.  A value of other
 * shapes stays whole. */
static int composite_address(crm_import *imp, crm_record *r, const char **v)
{
	static const char *const fields[][5] = {
		[3] = { "street", "city", "postal_code" },
		[4] = { "street", "city", "region", "postal_code" },
		[5] = { "street", "custom.address_line2", "city", "region", "postal_code" },
	};
	const char *part[8], *cc;
	size_t len[8], n = split_parts(*v, part, len), m;
	int rc = CRM_OK;

	if (n < 4)
		return CRM_OK;
	cc = country_part(&imp->rs, part[n - 1], len[n - 1]);
	m = cc ? n - 1 : n;
	if (m < 3 || m > 5 || (m == 3 && !cc))
		return CRM_OK;
	if (cc)
		rc = fill_blank(imp, r, "country", cc);
	for (size_t i = 0; i < m && !rc; i++) {
		const char *val = own(&imp->rs, strndup(part[i], len[i]));

		if (!val)
			rc = crm_error_nomem();
		else if (!i)
			*v = val;
		else
			rc = fill_blank(imp, r, fields[m][i], val);
	}
	return rc;
}

/* Puts one column's value where its meaning says. */
static int take_field(crm_import *imp, crm_record *r, const struct column *c, const char *v,
                      struct crm_import_result *res)
{
	struct rowstate *rs = &imp->rs;
	size_t i = c->field;
	const struct crm_field *f = &imp->e->defs[i].f;
	const char *named;
	int rc = first_value(imp, r, f, &v);

	if (!rc && f->type == CRM_FT_EMAIL && v)
		rc = mailbox(imp, c, &v);
	if (!rc && v && !strcmp(f->name, "street"))
		rc = composite_address(imp, r, &v);
	if (rc)
		return rc;
	if (crm_field_dated(f) && v && zero_date_p(v))
		v = "";
	/* A birthday without its year is no date of birth: it stays, as a
	 * custom field named after its column, and the row comes in. */
	if (f->type == CRM_FT_DATE && v && yearless_p(v))
		return keep_as_custom(r, c, v);
	if (v && !(v = choice_value(imp, f, named = v)))
		return reject(imp, res, f->name, "%s '%s' %s", imp->e->not_yet[0], named,
		              imp->e->not_yet[1]);
	if ((f->type == CRM_FT_MONEY || f->type == CRM_FT_PERCENT) && v &&
	    !(v = local_number(imp, v)))
		return crm_error_nomem();
	if (v && !(v = fraction_percent(imp, f, v)))
		return crm_error_nomem();
	if (c->date_format && !is_blank(v)) {
		const char *d = own(rs, reformat(c->date_format, f, v, imp->db->now));

		if (!d)
			return reject(imp, res, f->name, "'%s' is not a date in format '%s'", v,
			              c->date_format);
		v = d;
	} else if (crm_field_dated(f) && v && !(v = api_time(imp, f, v))) {
		return crm_error_nomem();
	}
	if (f->type == CRM_FT_ID && foreign_id(imp, v))
		return take_custom(imp, r, c, CRM_SOURCE_ID, v, res);
	if (f->type == CRM_FT_ID)
		rs->id = v;
	else if (f->type == CRM_FT_TAGS) {
		rs->has_tags = 1;
		if (v && !(rs->tags = own(rs, import_tags(v, imp->e->tag_words,
		                                          !strcmp(c->name, "tags")))))
			return crm_error_nomem();
		if (!v)
			rs->tags = NULL;
	}
	/* Several columns for one field (Outlook's home, business and mobile
	 * phones): the first value fills it, the others stay as custom fields,
	 * but for one that repeats it (WooCommerce's Billing Email beside the
	 * Email). */
	else if (!is_blank(rs->val[i]) && !is_blank(v))
		return strcmp(rs->val[i], v) ? keep_as_custom(r, c, v) : CRM_OK;
	else if (!rs->val[i] || !is_blank(v)) {
		rs->val[i] = v ? v : "";
		/* What its name says goes with the column that fills the field,
		 * and with a blank one that no other did, so that a blank under
		 * "How likely ...?" is a response missing its score. */
		if (c->implies && (!is_blank(v) || !rs->implied))
			rs->implied = c->implies;
	}
	return CRM_OK;
}

/* Reads v, when consent was given, withdrawn or set, into *at, kept with
 * the row: 0, or 1 when it is no time, 2 when it is later than now (no
 * one consents in the future), -1 out of memory. */
static int consent_time(crm_import *imp, const char *v, const char **at)
{
	char when[CRM_TIME_LEN];
	int64_t t;

	if (crm_time_parse_epoch(&t, v, imp->db->now))
		return 1;
	if (t > imp->db->now)
		return 2;
	crm_time_format(when, t);
	return (*at = own(&imp->rs, strdup(when))) ? 0 : -1;
}

/* Reads a consent column's value v (take_consent): a word, or a time,
 * which means given then, or withdrawn then for a column of withdrawals;
 * *status NULL for a value that says nothing (no, in such a column). */
static int consent_value(crm_import *imp, const struct column *c, const char *v,
                         const char **status, const char **at)
{
	static const char *const words[][2] = {
		{ "granted", "granted" }, { "denied", "denied" }, { "withdrawn", "withdrawn" },
		{ "yes", "granted" }, { "y", "granted" }, { "true", "granted" }, { "1", "granted" },
		{ "no", "denied" }, { "n", "denied" }, { "false", "denied" }, { "0", "denied" },
		{ "subscribed", "granted" }, { "unsubscribed", "withdrawn" },
		/* Klaviyo's and Shopify's: asked never, so neither given nor
		 * refused; Shopify's: a double opt-in not confirmed yet, and
		 * states that say nothing of the person's wish; Square's
		 * Unknown; Mailchimp's members whose address bounced (cleaned),
		 * who get its receipts alone or were archived. */
		{ "never_subscribed", NULL }, { "not_subscribed", NULL }, { "pending", NULL },
		{ "redacted", NULL }, { "invalid", NULL }, { "unknown", NULL },
		{ "cleaned", NULL }, { "transactional", NULL }, { "archived", NULL },
	};
	int withdrawal = c->t.kind == CRM_TO_WITHDRAWN, bad;

	*status = *at = NULL;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcasecmp(v, words[i][0])) {
			if (!withdrawal)
				*status = words[i][1];
			else if (words[i][1] && !strcmp(words[i][1], "granted"))
				*status = "withdrawn";
			return CRM_OK;
		}
	if ((bad = consent_time(imp, v, at)) == 1)
		return crm_error_set(CRM_EDATA, "consent.%s: '%s' is not %s or a time", c->t.name, v,
		                     withdrawal ? "yes, no" : "granted, denied, withdrawn, yes, no");
	if (bad == 2)
		return crm_error_set(CRM_EDATA, "consent.%s: '%s' is later than now", c->t.name, v);
	*status = withdrawal ? "withdrawn" : "granted";
	return bad ? crm_error_nomem() : CRM_OK;
}

/* The row's consent on channel, made empty when it has none yet; NULL
 * when it gives as many channels as it may. */
static struct row_consent *row_consent(struct rowstate *rs, const char *channel)
{
	size_t i = 0;

	while (i < rs->nconsent && strcmp(rs->consent[i].channel, channel))
		i++;
	if (i == CONSENTS)
		return NULL;
	if (i == rs->nconsent)
		rs->consent[rs->nconsent++] = (struct row_consent){ .channel = channel };
	return &rs->consent[i];
}

/* Takes a column of consent on a channel: a later column of the same
 * channel says more (Mailchimp's CONFIRM_TIME after its OPTIN_TIME). */
static int take_consent(crm_import *imp, const struct column *c, const char *v,
                        struct crm_import_result *res)
{
	struct row_consent *k;
	const char *status, *at;

	if (is_blank(v))
		return CRM_OK;
	if (consent_value(imp, c, v, &status, &at))
		return crm_error_code() == CRM_EDATA ? reject_error(imp, res) : crm_error_code();
	if (status && (k = row_consent(&imp->rs, c->t.name)))
		k->status = status, k->at = at, k->column = c->name;
	return CRM_OK;
}

/* Takes a column saying when a channel's consent was set as another
 * column states it (Shopify's email_marketing_consent.consent_updated_at
 * beside its state), or when it was given, if it was (Mailchimp's
 * timestamp_opt beside a member's status). */
static int take_consent_at(crm_import *imp, const struct column *c, const char *v,
                           struct crm_import_result *res)
{
	struct row_consent *k;
	const char *at = NULL;
	int bad;

	if (is_blank(v))
		return CRM_OK;
	if ((bad = consent_time(imp, v, &at)) > 0)
		return reject(imp, res, c->name, bad == 1 ? "'%s' is no time"
		                                          : "'%s' is later than now", v);
	if (bad)
		return crm_error_nomem();
	if (!(k = row_consent(&imp->rs, c->t.name)))
		return CRM_OK;
	if (c->t.kind == CRM_TO_GRANTED_AT)
		k->granted_at = at;
	else
		k->set_at = at;
	return CRM_OK;
}

/* Reads the kind of API object a row is (Stripe's "object"): a payment,
 * or a refund of one, whose amounts are then counts of the currency's
 * smallest unit (minor_units), or a row refused, naming what it is. */
static int take_object(crm_import *imp, const struct column *c, const char *v,
                       struct crm_import_result *res)
{
	static const char *const payments[] = { "charge", "payment_intent", "invoice", NULL };

	if (is_blank(v))
		return CRM_OK;
	for (size_t i = 0; payments[i]; i++)
		if (!strcmp(v, payments[i]))
			return imp->rs.object = PAYMENT, CRM_OK;
	if (!strcmp(v, "refund") && imp->e->import_refund)
		return imp->rs.object = REFUND, CRM_OK;
	if (!strcmp(v, "list"))
		return reject(imp, res, c->name, "a list of API objects: import its data"
		              " (jq -c '.data[]')");
	return reject(imp, res, c->name, "'%s' is no payment (expected charge, payment_intent,"
	              " invoice or refund)", v);
}

/* Keeps the ids a refund row gives of the payment it refunds (Stripe's
 * charge and payment_intent), read only when the row is a refund. */
static void take_payment(crm_import *imp, const struct column *c, const char *v)
{
	struct rowstate *rs = &imp->rs;

	if (is_blank(v) || rs->payment[1])
		return;
	rs->payment[rs->payment[0] != NULL] = v;
	if (!rs->payment_column)
		rs->payment_column = c->name;
}

static int take_column(crm_import *imp, crm_record *r, const char *name, const char *v,
                       struct crm_import_result *res)
{
	const struct column *c;
	int rc = column_of(imp, name, &c);

	if (rc)
		return rc;
	switch (c->t.kind) {
	case CRM_TO_FIELD:
		/* The other address is kept whole, beside the one read. */
		if (c->block && imp->rs.block && c->block != imp->rs.block)
			return v ? keep_as_custom(r, c, v) : CRM_OK;
		return take_field(imp, r, c, v, res);
	case CRM_TO_CUSTOM:
		/* Outlook's 0/0/00 under a date it keeps no field for
		 * (Anniversary) is a blank cell too. */
		if (v && strpbrk(v, "/-") && zero_date_p(v))
			v = "";
		return take_custom(imp, r, c, c->t.name, v, res);
	case CRM_TO_SPLIT:
		/* A blank one leaves the name an address came with (mailbox). */
		if (is_blank(v) && imp->rs.split)
			return CRM_OK;
		imp->rs.split = v;
		imp->rs.split_column = c->name;
		return CRM_OK;
	case CRM_TO_PART:
		imp->rs.part = v;
		imp->rs.part_column = c->name;
		return CRM_OK;
	case CRM_TO_CURRENCY:
		imp->rs.currency = is_blank(v) ? NULL : v;
		return CRM_OK;
	case CRM_TO_REFUNDED:
		/* An API's list of the refunds ([{"total": "-10.00"}]) is the
		 * entity's to read; an empty one says nothing. */
		if (is_blank(v) || !strcmp(v, "[]"))
			v = NULL;
		imp->rs.refunded = !v || *v == '[' ? v : local_number(imp, v);
		imp->rs.refunded_column = c->name;
		return imp->rs.refunded || !v ? CRM_OK : crm_error_nomem();
	case CRM_TO_NOTE:
		if (!is_blank(v))
			crm_buf_printf(&imp->rs.note, "%s%s", imp->rs.note.len ? "\n" : "", v);
		return CRM_OK;
	case CRM_TO_IGNORE:
		if (imp->names_column && !strcmp(c->name, imp->names_column))
			imp->rs.who = is_blank(v) ? NULL : v;
		return CRM_OK;
	case CRM_TO_MORE:
		count_more(&imp->rs, c->t.name);
		return is_blank(v) ? CRM_OK : keep_more(r, c->t.name, v);
	case CRM_TO_CONSENT:
	case CRM_TO_WITHDRAWN:
		return take_consent(imp, c, v, res);
	case CRM_TO_CONSENT_AT:
	case CRM_TO_GRANTED_AT:
		return take_consent_at(imp, c, v, res);
	case CRM_TO_OBJECT:
		return take_object(imp, c, v, res);
	case CRM_TO_PAYMENT:
		take_payment(imp, c, v);
		return CRM_OK;
	case CRM_TO_NAMED:
		if (!strcmp(c->t.name, "name"))
			imp->rs.who = is_blank(v) ? NULL : v;
		else
			imp->rs.named[strcmp(c->t.name, "first") != 0] = is_blank(v) ? NULL : v;
		return CRM_OK;
	case CRM_TO_LINE:
		for (size_t k = 0; k < CRM_LINE_PARTS; k++)
			if (!strcmp(crm_line_parts[k], c->t.name) && !is_blank(v)) {
				/* the quantity, the price and the amount */
				if (k >= 3 && !(v = local_number(imp, v)))
					return crm_error_nomem();
				imp->rs.line[k] = v;
				imp->rs.has_line = imp->e->import_line != NULL;
			}
		return CRM_OK;
	default:
		/* Formats without a header show new columns row by row. */
		return check_unknown(imp, &name, 1, false);
	}
}

/* What is left of full around the word part ("Lovelace" of "Ada Lovelace"
 * around "Ada"): the text after it, or when there is none the text before
 * it (prefer_before the other way round), without the spaces and comma
 * between; NULL when part is not a word of full. */
static char *name_rest(const char *full, const char *part, int prefer_before)
{
	static const char sep[] = " \t,";
	size_t n = strlen(part);
	const char *at = full, *a, *b;

	while ((at = n ? strstr(at, part) : NULL) &&
	       ((at > full && !strchr(sep, at[-1])) || (at[n] && !strchr(sep, at[n]))))
		at++;
	if (!at)
		return NULL;
	if ((prefer_before && at > full) || !at[n + strspn(at + n, sep)])
		a = full, b = at;
	else
		a = at + n, b = full + strlen(full);
	a += strspn(a, sep);
	while (b > a && strchr(sep, b[-1]))
		b--;
	return strndup(a, (size_t)(b - a));
}

/* The part of full a row lacks (the family name when has_first) beside
 * the part it gives: what is left around that part; else, from a column
 * called just "name" (a German "Name" beside "Vorname"), all of it; else
 * the part a split gives ("Gates" of "William Gates" beside "Bill"). */
static char *name_other(const char *column, const char *full, const char *given, int has_first)
{
	char key[16], *rest = name_rest(full, given, !has_first), *first, *last;

	if (rest || !strcmp(crm_column_key(key, sizeof key, column), "name"))
		return rest ? rest : strdup(full);
	if (crm_name_split(full, &first, &last))
		return NULL;
	free(has_first ? first : last);
	return has_first ? last : first;
}

/* A full name written as mail programs write a mailbox ("Ana Souza
 * <ana@example.com>"): *full becomes the name, and the address fills
 * the row's email when it has none (one it has wins). */
static int name_mailbox(crm_import *imp, const char **full)
{
	struct rowstate *rs = &imp->rs;
	char *addr = NULL, *name = NULL;
	size_t ei;

	if (!strchr(*full, '<') || !strchr(*full, '@') ||
	    !crm_entity_field_find(imp->e, "email"))
		return CRM_OK;
	if (crm_mailbox_parse(*full, &addr, &name) || !addr) {
		crm_error_clear(); /* no mailbox: a name with a '<' in it */
		free(addr), free(name);
		return CRM_OK;
	}
	ei = field_index(imp, "email");
	if (!is_blank(rs->val[ei]))
		free(addr);
	else if (!(rs->val[ei] = own(rs, addr)))
		return free(name), crm_error_nomem();
	if (!name || strchr(name, '@')) {
		free(name);
		*full = "";
		return CRM_OK;
	}
	return (*full = own(rs, name)) ? CRM_OK : crm_error_nomem();
}

/* Fills the first and last name the row lacks from a full name; when
 * the row gives one of them, the full name supplies the other
 * (name_other), unless the file has a column of its own for it, left
 * blank: that person has none, and the full name's other words are a
 * title or a suffix (Google's "Dr. Maria" beside a given name "Maria"
 * and an empty family name). */
static int split_name(crm_import *imp, const char *full)
{
	struct rowstate *rs = &imp->rs;
	size_t fi = field_index(imp, "first_name"), li = field_index(imp, "last_name");
	int has_first = !is_blank(rs->val[fi]), has_last = !is_blank(rs->val[li]);
	char *first, *last;
	int rc;

	if ((rc = name_mailbox(imp, &full)))
		return rc;
	if ((has_first && has_last) || is_blank(full))
		return CRM_OK;
	if (has_first || has_last) {
		size_t to = has_first ? li : fi;
		char *rest;

		if (rs->val[to])
			return CRM_OK;
		rest = name_other(rs->split_column, full, rs->val[has_first ? fi : li], has_first);
		if (rest && *rest)
			rs->val[to] = own(rs, rest);
		else
			free(rest);
		return rest ? CRM_OK : crm_error_nomem();
	}
	if ((rc = crm_name_split(full, &first, &last)))
		return rc;
	rs->val[fi] = own(rs, first);
	rs->val[li] = own(rs, last);
	return rs->val[fi] && rs->val[li] ? CRM_OK : crm_error_nomem();
}

/* Puts a bare "Nom" or "Nombre" (CRM_TO_PART) where the row's other name
 * column says: the family name beside a given-name column, the given name
 * beside a family-name column.  With neither, or both, it cannot be told. */
static int name_part(crm_import *imp, struct crm_import_result *res)
{
	struct rowstate *rs = &imp->rs;
	size_t fi = field_index(imp, "first_name"), li = field_index(imp, "last_name");
	size_t to = rs->val[fi] ? li : fi;

	if (!rs->val[fi] == !rs->val[li])
		return reject(imp, res, rs->part_column, "'%s' is the given name in some languages"
		              " and the family name in others: map it with --map", rs->part_column);
	if (is_blank(rs->val[to]))
		rs->val[to] = rs->part;
	return CRM_OK;
}

/* The first column of row whose value (*name 0) or name (*name 1) is not
 * UTF-8, or row->n when all are: the reading thread's check of a row and
 * the writing thread's are this one. */
static size_t bad_utf8(const struct crm_row *row, int *name)
{
	size_t i;

	for (i = 0; i < row->n; i++) {
		*name = 0;
		if (row->values[i] && !crm_utf8_valid_p(row->values[i], row->lens[i]))
			break;
		*name = 1;
		if (!crm_utf8_valid_p(row->names[i], strlen(row->names[i])))
			break;
	}
	return i;
}

/* Bytes that are no UTF-8 are most often a file in a Windows code page. */
#define ENCODING_HINT " (--encoding names the input's character set: cp1252 ...)"

/* Reads the row into the record and the row state; rejects what cannot
 * be read. */
/* Of a row with two addresses (address_block), the one it fills most,
 * the first of them on a tie: street, city, postal code and country
 * come from one address, never a business city with a home street. */
static int choose_block(crm_import *imp, const struct crm_row *row)
{
	int filled[BLOCKS] = { 0 }, first[BLOCKS] = { 0 }, rc = CRM_OK;
	const struct column *c;

	for (size_t i = 0; i < row->n && !rc; i++)
		if (!(rc = column_of(imp, row->names[i], &c)) && c->block &&
		    !is_blank(row->values[i]) && !filled[c->block]++)
			first[c->block] = (int)i;
	if (filled[BUSINESS_BLOCK] && filled[HOME_BLOCK])
		imp->rs.block = filled[BUSINESS_BLOCK] != filled[HOME_BLOCK] ?
		                (filled[BUSINESS_BLOCK] > filled[HOME_BLOCK] ? BUSINESS_BLOCK : HOME_BLOCK) :
		                (first[BUSINESS_BLOCK] < first[HOME_BLOCK] ? BUSINESS_BLOCK : HOME_BLOCK);
	return rc;
}

static int read_row(crm_import *imp, const struct crm_row *row, crm_record *r,
                    struct crm_import_result *res)
{
	const crm_import_map *m = imp->o.map;
	int rc = CRM_OK, name;
	size_t bad = imp->rs.utf8 ? row->n : bad_utf8(row, &name);

	if (bad < row->n)
		return name ? reject(imp, res, NULL, "invalid UTF-8 in a column name" ENCODING_HINT)
		            : reject(imp, res, row->names[bad], "invalid UTF-8 in column '%s'"
		                     ENCODING_HINT, row->names[bad]);
	if ((rc = choose_block(imp, row)))
		return rc;
	for (size_t i = 0; i < row->n && !rc && res->outcome != CRM_IMPORT_REJECTED; i++)
		rc = take_column(imp, r, row->names[i], row->values[i], res);
	if (!rc && res->outcome != CRM_IMPORT_REJECTED)
		rc = clear_more(&imp->rs, r);
	if (rc || res->outcome == CRM_IMPORT_REJECTED)
		return rc;
	if (imp->rs.part && ((rc = name_part(imp, res)) || res->outcome == CRM_IMPORT_REJECTED))
		return rc;
	if (imp->rs.split)
		rc = split_name(imp, imp->rs.split);
	for (size_t i = 0; m && i < m->nset && !rc; i++) {
		size_t k = field_index(imp, m->set_field[i]);
		if (is_blank(imp->rs.val[k]))
			imp->rs.val[k] = m->set_value[i];
	}
	/* What a column's name says comes last: the row's and the mapping's
	 * own values say more. */
	if (imp->rs.implied) {
		size_t k = field_index(imp, imp->rs.implied->field);

		if (is_blank(imp->rs.val[k]))
			imp->rs.val[k] = imp->rs.implied->value;
	}
	return rc;
}

static int idset_add(struct idset *s, int64_t id)
{
	size_t byte = (size_t)id / 8;

	if (byte >= s->n) {
		size_t n = byte * 2 + 1024;
		unsigned char *p = realloc(s->bits, n);
		if (!p)
			return crm_error_nomem();
		memset(p + s->n, 0, n - s->n);
		s->bits = p;
		s->n = n;
	}
	s->bits[byte] |= (unsigned char)(1u << (id % 8));
	return CRM_OK;
}

/* Takes every id up to id out of s. */
static void idset_clear_upto(struct idset *s, int64_t id)
{
	size_t byte = (size_t)id / 8;

	if (byte >= s->n) {
		memset(s->bits, 0, s->n);
		return;
	}
	memset(s->bits, 0, byte);
	s->bits[byte] &= (unsigned char)(0xffu << (id % 8 + 1));
}

static int idset_has(const struct idset *s, int64_t id)
{
	size_t byte = (size_t)id / 8;

	return byte < s->n && (s->bits[byte] >> (id % 8) & 1);
}

/* Rebuilds the search entries of the records in temp.crm_reindex, or
 * those of the records that refer to them (a person's deals hold the
 * person's name). */
typedef int reindex_fn(crm_db *db, const struct crm_entity *e);

static int reindex_listed(crm_db *db, const struct crm_entity *e)
{
	return e->reindex(db, "id IN (SELECT id FROM temp.crm_reindex) AND ?1", 1);
}

/* The same as reindex_listed for records this import created. */
static int fresh_listed(crm_db *db, const struct crm_entity *e)
{
	return crm_entity_index_fresh(db, e, "id IN (SELECT id FROM temp.crm_reindex) AND ?1", 1);
}

static int referrers_listed(crm_db *db, const struct crm_entity *e)
{
	return crm_entity_reindex_referrers(db, e, "IN (SELECT id FROM temp.crm_reindex) AND ?1", 1);
}

/* Rebuilds what fn rebuilds for every record in s, CRM_REINDEX_CHUNK records
 * a statement: FTS5 indexes the rows of one statement in bulk, many times
 * faster than one statement per record, while a statement over all of
 * them would hold every page it changes in its journal (in memory for an
 * import): at 8,192 records that journal reached 24 MB adding 1,000,000
 * people to a database of as many, and 2,048 index them as fast.  The ids go
 * through a temporary table, made only now: creating it earlier would make
 * every later ROLLBACK TO (one per unchanged or rejected row) discard all
 * prepared statements. */
static int idset_reindex(crm_db *db, const struct crm_entity *e, const struct idset *s,
                         reindex_fn *fn)
{
	crm_stmt *st;
	size_t listed = 0;
	int rc;

	if ((rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_reindex"
	                      " (id INTEGER PRIMARY KEY); DELETE FROM temp.crm_reindex")))
		return rc;
	for (size_t i = 0; i < s->n && !rc; i++)
		for (int b = 0; b < 8 && s->bits[i] && !rc; b++) {
			if (!(s->bits[i] >> b & 1))
				continue;
			if (!(rc = crm_db_stmt(db, &st, "INSERT INTO temp.crm_reindex(id) VALUES (?1)"))) {
				crm_stmt_bind_int(st, 1, (int64_t)(i * 8 + (size_t)b));
				rc = crm_stmt_done(st);
			}
			if (!rc && ++listed % CRM_REINDEX_CHUNK == 0 && !(rc = fn(db, e)))
				rc = crm_db_exec(db, "DELETE FROM temp.crm_reindex");
		}
	return rc ? rc : fn(db, e);
}

/* The region national phone numbers of the row are read in: its country. */
static char *row_region(crm_import *imp)
{
	char *cc = NULL;

	for (size_t i = 0; i < imp->e->nfields; i++)
		if (imp->e->defs[i].f.type == CRM_FT_COUNTRY && !is_blank(imp->rs.val[i]) &&
		    crm_country_normalize(&cc, imp->rs.val[i]) != CRM_OK)
			cc = NULL;
	return cc;
}

/* Stores in *norm the form key field d is stored in, or NULL when value
 * cannot be normalised (the write then rejects it with the field's rule). */
static int key_value(crm_import *imp, const struct crm_fielddef *d, const char *value,
                     char **norm)
{
	const struct crm_ready *rd;
	char *region = NULL;
	int rc;

	*norm = NULL;
	if (d->f.type == CRM_FT_ID) {
		long long id;

		if (!crm_int_parse(value, 1, INT64_MAX, &id))
			return crm_error_set(CRM_EDATA, "invalid id '%s'", value);
		return (*norm = strdup(value)) ? CRM_OK : crm_error_nomem();
	}
	rd = crm_ready_find(imp->rs.ready, imp->rs.nready, d, value);
	region = d->f.type == CRM_FT_PHONE ? row_region(imp) : NULL;
	if (d->f.type == CRM_FT_NAME)
		rc = crm_text_key(norm, value);
	else if (rd && crm_ready_normal(rd, region))
		rc = (*norm = strdup(crm_ready_normal(rd, region))) ? CRM_OK : crm_error_nomem();
	else
		rc = crm_field_value(imp->db, d, value, region, norm);
	free(region);
	if (rc == CRM_EDATA) {
		crm_error_clear();
		return CRM_OK;
	}
	return rc;
}

static int key_lookup_sql(crm_buf *sql, const struct crm_entity *e,
                          const struct crm_fielddef *d)
{
	return crm_buf_printf(sql, "SELECT id FROM %s WHERE ", e->table) || key_sql(sql, d) ||
	       crm_buf_printf(sql, " = ?1%s LIMIT 2",
	                      d->f.type == CRM_FT_ID ? "" : " AND archived_at IS NULL");
}

/* key_lookup_sql within the value ?2 of the field d is unique within. */
static int key_within_sql(crm_buf *sql, const struct crm_entity *e,
                          const struct crm_fielddef *d)
{
	return crm_buf_printf(sql, "SELECT id FROM %s WHERE %s = ?2 AND ", e->table,
	                      key_within(e, d)->column) || key_sql(sql, d) ||
	       crm_buf_puts(sql, " = ?1 AND archived_at IS NULL LIMIT 2");
}

/* Looks up the live records whose key d equals the row's value (within
 * the value of the field it is unique within, when not NULL); stores the
 * match in *id and their number (0, 1 or 2 for several) in *n. */
static int key_lookup(crm_import *imp, const struct crm_fielddef *d, const char *norm,
                      const char *within, int64_t *id, int *n)
{
	crm_stmt *st;
	int rc = crm_db_stmt_built(imp->db, &st, within ? key_within_sql : key_lookup_sql,
	                           imp->e, d);

	if (rc)
		return rc;
	if (d->f.type == CRM_FT_ID)
		crm_stmt_bind_int(st, 1, strtoll(norm, NULL, 10));
	else
		crm_stmt_bind_text(st, 1, norm);
	if (within)
		crm_stmt_bind_text(st, 2, within);
	*n = 0;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		*id = crm_stmt_int(st, 0);
		(*n)++;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Writes the name of key k into buf: the field's, or "custom.KEY". */
static const char *key_name(const crm_import *imp, size_t k, char *buf, size_t size)
{
	if (imp->keys[k])
		return imp->keys[k]->f.name;
	snprintf(buf, size, "custom.%s", imp->custom_keys[k]);
	return buf;
}

/* The row's value of key k. */
static const char *row_key(const crm_import *imp, size_t k)
{
	const struct crm_fielddef *d = imp->keys[k];

	if (!d)
		return imp->rs.custom_keys[k];
	return d->f.type == CRM_FT_ID ? imp->rs.id : imp->rs.val[d - imp->e->defs];
}

static int custom_lookup_sql(crm_buf *sql, const struct crm_entity *e,
                             const struct crm_fielddef *d)
{
	(void)d;
	return crm_buf_printf(sql, "SELECT t.id FROM %s t JOIN %s c ON c.%s = t.id"
	                      " WHERE c.key = ?1 AND c.value = ?2 AND t.archived_at IS NULL LIMIT 2",
	                      e->table, e->custom_table, e->custom_fk);
}

/* Stores in *out the row's value of the field key k is unique within, as
 * stored; NULL when the key has none, or the row gives none (or one the
 * write will reject). */
static int row_within(crm_import *imp, size_t k, char **out)
{
	const struct crm_fielddef *w = imp->within[k];
	const char *v = w ? imp->rs.val[w - imp->e->defs] : NULL;
	int rc;

	*out = NULL;
	if (is_blank(v))
		return CRM_OK;
	if ((rc = crm_field_value(imp->db, w, v, NULL, out)) == CRM_EDATA) {
		crm_error_clear();
		rc = CRM_OK;
	}
	return rc;
}

/* Rejects a row whose key k, value v, matched several records: within no
 * value of the field the key is unique within, that field tells them
 * apart. */
static int several(crm_import *imp, struct crm_import_result *res, size_t k, const char *v,
                   const char *within)
{
	char buf[160];
	const char *name = key_name(imp, k, buf, sizeof buf);

	if (imp->within[k] && !within)
		return reject(imp, res, name, "%s '%s' matches several %s of different %s;"
		              " give the %s column", name, v, imp->e->table,
		              imp->within[k]->f.name, imp->within[k]->f.name);
	return reject(imp, res, name, "%s '%s' matches several %s; choose another --key",
	              name, v, imp->e->table);
}

/* Looks up the live records whose custom field key holds value (NFC, as
 * custom fields are stored). */
static int custom_lookup(crm_import *imp, const char *key, const char *value, int64_t *id,
                         int *n)
{
	crm_stmt *st;
	char *v = NULL;
	int rc = crm_text_nfc(&v, value);

	if (!rc)
		rc = crm_db_stmt_built(imp->db, &st, custom_lookup_sql, imp->e, NULL);
	*n = 0;
	if (!rc) {
		crm_stmt_bind_text(st, 1, key);
		crm_stmt_bind_text(st, 2, v);
		while ((rc = crm_stmt_step(st)) == CRM_ROW) {
			*id = crm_stmt_int(st, 0);
			(*n)++;
		}
		crm_stmt_reset(st);
	}
	free(v);
	return rc < 0 ? rc : CRM_OK;
}

/* Whether key d compares the column uniqueness is kept on (an email's
 * normal form), so that a lookup finding no record is the check a new
 * record's write would make.  The answer holds until that write: what a
 * row creates on the way is for its references (companies; people for a
 * purchase), never a record of its own entity. */
static int unique_key(const struct crm_fielddef *d)
{
	const struct crm_type *t = crm_type_of(d);

	return t->unique && t->key && !strcmp(t->key, t->derived[0].suffix);
}

/* Finds the existing record the row means: the keys in turn, the first
 * one the row has a value for and that matches decides.  *key receives
 * the index of the key that matched; r, the row's record, learns of a
 * unique key found nowhere (crm_record_absent). */
static int match_keys(crm_import *imp, crm_record *r, struct crm_import_result *res,
                      int64_t *id, size_t *key)
{
	int rc = CRM_OK, n = 0;

	*id = 0;
	for (size_t k = 0; k < imp->nkeys && !*id && !rc; k++) {
		const struct crm_fielddef *d = imp->keys[k];
		const char *v = row_key(imp, k);
		char *norm = NULL, *within = NULL;

		if (is_blank(v))
			continue;
		if (!d)
			rc = custom_lookup(imp, imp->custom_keys[k], v, id, &n);
		else if ((rc = key_value(imp, d, v, &norm)) == CRM_EDATA)
			return reject(imp, res, d->f.name, "%s", crm_error_message());
		else if (!rc && norm && !(rc = row_within(imp, k, &within)))
			rc = key_lookup(imp, d, norm, within, id, &n);
		if (!rc && n > 1)
			rc = several(imp, res, k, v, within);
		if (!rc && norm && !n && unique_key(d)) {
			crm_record_absent(r, d, own(&imp->rs, norm));
			norm = NULL;
		}
		free(norm);
		free(within);
		*key = k;
	}
	if (res->outcome == CRM_IMPORT_REJECTED)
		*id = 0;
	return rc;
}

/* match_keys, timed as the match phase. */
static int find_match(crm_import *imp, crm_record *r, struct crm_import_result *res,
                      int64_t *id, size_t *key)
{
	enum crm_phase was = crm_phase_enter(imp->db, CRM_PHASE_MATCH);
	int rc = match_keys(imp, r, res, id, key);

	crm_phase_enter(imp->db, was);
	return rc;
}

/* Counts record id of entity e, made for a reference of the row. */
static int made_one(crm_import *imp, const struct crm_entity *e, int64_t id)
{
	size_t i = 0;

	while (i < MADE && imp->made[i].e && imp->made[i].e != e)
		i++;
	if (i == MADE)
		return crm_error_set(CRM_EFAIL, "a row made records of more than %d kinds", MADE);
	imp->made[i].e = e;
	imp->rs.made[i] = id;
	if (e == &crm_contact_entity)
		imp->n.people++;
	else
		imp->n.companies++;
	return CRM_OK;
}

/* Names a person a reference creates by the row's column of names
 * (find_names_column), when it has one. */
static int new_person(const crm_import *imp, const struct crm_entity *e, crm_record *r,
                      const char *named)
{
	const char *who = is_blank(imp->rs.who) ? named : imp->rs.who;
	const char *const *part = imp->rs.named;
	int rc = CRM_OK;

	if (!crm_entity_field_find(e, "first_name"))
		return CRM_OK;
	if (!who && (part[0] || part[1])) {
		if (part[0])
			rc = crm_record_set(r, "first_name", part[0]);
		return !rc && part[1] ? crm_record_set(r, "last_name", part[1]) : rc;
	}
	/* An address where a name should be names no one. */
	return !who || strchr(who, '@') ? CRM_OK : crm_record_set_name(r, who);
}

/* Makes the record of target that v names by its field from (a new
 * person by email, a company by name) and stores its id in *id.  A person
 * written as mail programs and HubSpot write one, "Ola Nordmann
 * (ola@example.no)", is the address, named by the name beside it when
 * the row has no column of names. */
static int make_target(crm_import *imp, const struct crm_entity *target, const char *from,
                       const char *v, int64_t *id)
{
	const struct crm_field *f = crm_entity_field_find(target, from);
	char *addr = NULL, *name = NULL;
	crm_record *r = NULL;
	int rc = f && f->type == CRM_FT_EMAIL ? crm_mailbox_parse(v, &addr, &name) : CRM_OK;

	if (!rc && !(rc = crm_record_new(&r, target)) &&
	    !(rc = crm_record_set(r, from, addr ? addr : v)) &&
	    !(rc = new_person(imp, target, r, name)) && !(rc = crm_entity_add(imp->db, r, id)))
		rc = made_one(imp, target, *id);
	crm_record_free(r);
	free(addr);
	free(name);
	return rc;
}

/* Whether v, which names no record of target, can make one by its field
 * from: not a number (an id nobody has), and an address where the field
 * is one (a name nobody has names no one to add). */
static int creatable(const struct crm_entity *target, const char *from, const char *v)
{
	const struct crm_field *f = from ? crm_entity_field_find(target, from) : NULL;

	if (!from || strspn(v, "0123456789") == strlen(v))
		return 0;
	return !f || f->type != CRM_FT_EMAIL || strchr(v, '@');
}

/* Whether the row, updating record id, lists under the reference's own
 * column (spelt as this toolkit's listings spell it: company_id) the
 * record it refers to now: a name two records share then keeps its link,
 * as the toolkit's own listing imported again must. */
static int keeps_link(crm_import *imp, const struct crm_fielddef *d, int64_t id)
{
	const struct crm_row *row = imp->rs.row;
	crm_buf sql = CRM_BUF_INIT;
	long long listed;
	crm_stmt *st;
	int same = 0;

	for (size_t i = 0; id && row && i < row->n; i++) {
		if (strcmp(row->names[i], d->column) || !row->values[i] ||
		    !crm_int_parse(row->values[i], 1, INT64_MAX, &listed))
			continue;
		crm_buf_printf(&sql, "SELECT %s FROM %s WHERE id = ?1", d->column, imp->e->table);
		if (crm_db_stmt(imp->db, &st, crm_buf_str(&sql)))
			break;
		crm_stmt_bind_int(st, 1, id);
		same = crm_stmt_step(st) == CRM_ROW && crm_stmt_int(st, 0) == listed;
		crm_stmt_reset(st);
		break;
	}
	crm_buf_free(&sql);
	return same;
}

/* Resolves the record reference field d names, creating it when none has
 * that name and its entity can be made from one: exports name companies,
 * and the importer builds them.  *out is the record's id, or v itself
 * when there is none (the write then says so), or NULL when the record
 * the row updates (updating, else 0) keeps the link it has (keeps_link). */
static int ref_target(crm_import *imp, const struct crm_fielddef *d, const char *v,
                      int64_t updating, const char **out)
{
	const struct crm_entity *target = crm_entity_find(d->f.ref);
	int64_t id;
	char num[24];
	const char *known;
	int rc;
	/* A buyer named by an email nobody has is a new person. */
	const char *from = target->create_from ? target->create_from
	                 : (d->f.flags & CRM_FIELD_CREATE) ? target->default_key : NULL;
	size_t mark = imp->rs.refs.len;

	*out = v;
	/* Put together piece by piece: a format for every row costs. */
	if (crm_buf_puts(&imp->rs.refs, target->name) || crm_buf_putc(&imp->rs.refs, '\x1f') ||
	    crm_buf_put(&imp->rs.refs, v, strlen(v) + 1))
		return crm_error_nomem();
	if ((known = crm_memo_get(imp->refs, imp->rs.refs.ptr + mark))) {
		imp->rs.refs.len = mark;
		return (*out = own(&imp->rs, strdup(known))) ? CRM_OK : crm_error_nomem();
	}
	rc = crm_entity_resolve(imp->db, target, v, &id);
	if (rc == CRM_EDATA && keeps_link(imp, d, updating)) {
		crm_error_clear();
		imp->rs.refs.len = mark; /* the row's own answer: not for others */
		*out = NULL;
		return CRM_OK;
	}
	/* Nothing new refers to an erased person, as for crm-*-add. */
	if (!rc && (rc = crm_entity_referable(imp->db, target, id)) == CRM_EDATA)
		rc = crm_error_prefix(d->f.name);
	if (rc == CRM_ENOTFOUND && creatable(target, from, v)) {
		crm_error_clear();
		rc = make_target(imp, target, from, v, &id);
	}
	if (rc)
		imp->rs.refs.len = mark;
	if (rc == CRM_ENOTFOUND) {
		crm_error_clear();
		return CRM_OK; /* a missing record: the write names it */
	}
	if (rc)
		return rc;
	snprintf(num, sizeof num, "%lld", (long long)id);
	if (crm_buf_put(&imp->rs.refs, num, strlen(num) + 1))
		return crm_error_nomem();
	*out = own(&imp->rs, strdup(num));
	return *out ? CRM_OK : crm_error_nomem();
}

/* Remembers the references of a row that was imported; those of a row
 * rolled back may name records no longer there. */
static int keep_refs(crm_import *imp)
{
	const char *p = imp->rs.refs.ptr, *end = p + imp->rs.refs.len;
	int rc = CRM_OK;

	while (p && p < end && !rc) {
		const char *id = p + strlen(p) + 1;

		rc = crm_memo_put(imp->refs, p, id);
		p = id + strlen(id) + 1;
	}
	return rc;
}

/* The decimals Stripe's API counts an amount of currency cur in: none
 * for its zero-decimal currencies, three for the five that have three,
 * else two, even where ISO 4217 has none (ISK: two for the integrations
 * written before it had none), so its own table, not ISO's exponents. */
static int stripe_decimals(const char *cur)
{
	static const char zero[] = "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF",
	                  three[] = "BHD JOD KWD OMR TND";

	return strstr(zero, cur) ? 0 : strstr(three, cur) ? 3 : 2;
}

/* An amount of a payment API's object (rs.object), a whole count of the
 * currency's smallest unit, as an amount in that currency: Stripe's
 * 1000 in usd is 10.00 USD, 1000 in jpy 1000 JPY. */
static int minor_units(crm_import *imp, const struct crm_field *f, const char *v,
                       const char **out)
{
	long long n, unit = 1;
	crm_buf b = CRM_BUF_INIT;
	char cur[4];
	int dec;

	if (!imp->rs.currency)
		return crm_error_set(CRM_EDATA, "%s: '%s' counts the smallest unit of a currency the"
		                     " row does not name", f->name, v);
	if (crm_currency_normalize(cur, imp->rs.currency))
		return crm_error_set(CRM_EDATA, "%s: '%s' counts the smallest unit of '%s', no"
		                     " currency", f->name, v, imp->rs.currency);
	if (!crm_int_parse(v, -LLONG_MAX, LLONG_MAX, &n))
		return crm_error_set(CRM_EDATA, "%s: '%s' is no whole number of the currency's"
		                     " smallest unit", f->name, v);
	/* A refund's amount is what it gives back: a negative total. */
	n = imp->rs.object == REFUND ? -n : n;
	dec = stripe_decimals(cur);
	for (int i = 0; i < dec; i++)
		unit *= 10;
	if (dec)
		crm_buf_printf(&b, "%s%lld.%0*lld %s", n < 0 ? "-" : "", llabs(n) / unit, dec,
		               llabs(n) % unit, cur);
	else
		crm_buf_printf(&b, "%lld %s", n, cur);
	*out = own(&imp->rs, crm_buf_detach(&b));
	return *out ? CRM_OK : crm_error_nomem();
}

/* An amount in a row whose currency stands in a column of its own
 * (Pipedrive's Value and Currency): the amount with that code, unless it
 * names one itself. */
static int with_currency(crm_import *imp, const struct crm_field *f, const char *v,
                         const char **out)
{
	struct crm_money m;
	crm_buf b = CRM_BUF_INIT;

	*out = v;
	if (imp->rs.object != NO_OBJECT && !is_blank(v))
		return minor_units(imp, f, v, out);
	if (!imp->rs.currency || is_blank(v))
		return CRM_OK;
	if (crm_money_parse(&m, v, NULL) == CRM_OK) {
		char cur[4];

		if (crm_currency_normalize(cur, imp->rs.currency) == CRM_OK && strcmp(cur, m.cur))
			return crm_error_set(CRM_EDATA, "%s: '%s' is not in the row's currency %s",
			                     f->name, v, cur);
		crm_error_clear();
		return CRM_OK;
	}
	crm_error_clear();
	crm_buf_printf(&b, "%s %s", v, imp->rs.currency);
	*out = own(&imp->rs, crm_buf_detach(&b));
	return *out ? CRM_OK : crm_error_nomem();
}

/* Lends the write of r the id ref_target found for reference d, so that
 * it does not look for the record again (struct crm_ready). */
static void ref_found(crm_import *imp, crm_record *r, const struct crm_fielddef *d,
                      const char *id)
{
	if (imp->rs.nready == imp->e->nfields)
		return;
	imp->rs.ready[imp->rs.nready++] = (struct crm_ready){ .d = d, .src = id, .val = { id },
	                                                      .n = 1 };
	crm_record_ready(r, imp->rs.ready, imp->rs.nready);
}

/* Makes r, a refund row's record (rs.object), the refund of the purchase
 * an earlier import kept the refunded payment's id of (Stripe's charge or
 * payment intent) as its source_id. */
static int refund_target(crm_import *imp, crm_record *r)
{
	const char *const *pay = imp->rs.payment;
	int64_t id = 0;
	int n = 0, rc = CRM_OK;

	if (!pay[0])
		return crm_error_set(CRM_EDATA, "object: a refund that names no payment (charge"
		                     " or payment_intent)");
	for (size_t i = 0; i < 2 && pay[i] && !rc && !n; i++)
		rc = custom_lookup(imp, CRM_SOURCE_ID, pay[i], &id, &n);
	if (!rc && n > 1)
		rc = crm_error_set(CRM_EDATA, "%s: '%s' is the payment of several purchases",
		                   imp->rs.payment_column, pay[0]);
	else if (!rc && !n)
		rc = crm_error_set(CRM_EDATA, "%s: '%s' is the payment of no purchase here (import"
		                   " the payments before their refunds)", imp->rs.payment_column,
		                   pay[0]);
	return rc ? rc : imp->e->import_refund(imp->db, r, id);
}

/* A reference to a record of the entity's own kind (a refund's
 * purchase) in an input of this toolkit's ids (its own listing, into
 * another database or this one) names the record by the input's id:
 * the record made or matched by the row that had that id, earlier in
 * the input, whatever id it has here.  Such rows are kept in
 * temp.crm_import_ids, under the rows' savepoints, so that a row taken
 * back takes its entry with it. */

/* Whether the row's references of the entity's own kind are to the
 * input's ids (the input has this toolkit's, and the row one). */
static int own_ids(const crm_import *imp)
{
	return imp->self_ref >= 0 && imp->ids_theirs == 0 && !is_blank(imp->rs.id);
}

/* Makes temp.crm_import_ids, each time: a row, or a group of line rows,
 * taken back takes the table with it when it was made under its
 * savepoint, and the entries it held are then gone with it.  Another
 * import's entries are cleared once. */
static int ids_table(crm_import *imp)
{
	int rc = crm_db_exec(imp->db, "CREATE TEMP TABLE IF NOT EXISTS crm_import_ids"
	                     " (file_id INTEGER PRIMARY KEY, id INTEGER NOT NULL,"
	                     " created INTEGER NOT NULL)");

	if (!rc && !imp->ids_cleared && !(rc = crm_db_exec(imp->db, "DELETE FROM"
	                                                 " temp.crm_import_ids")))
		imp->ids_cleared = 1;
	return rc;
}

/* Keeps what the row with the input's id made or matched: record id,
 * created or not. */
static int keep_own_id(crm_import *imp, int64_t id, int created)
{
	crm_stmt *st;
	int rc = CRM_OK;

	if ((rc = ids_table(imp)) || (rc = crm_db_stmt(imp->db, &st, "INSERT OR REPLACE INTO"
	                                               " temp.crm_import_ids VALUES (?1, ?2, ?3)")))
		return rc;
	crm_stmt_bind_int(st, 1, strtoll(imp->rs.id, NULL, 10));
	crm_stmt_bind_int(st, 2, id);
	crm_stmt_bind_int(st, 3, created);
	return crm_stmt_done(st);
}

/* Looks up the record the row with the input's id file_id made or
 * matched: *id (0: none) and whether it was made. */
static int find_own_id(crm_import *imp, int64_t file_id, int64_t *id, int *created)
{
	crm_stmt *st;
	int rc;

	*id = 0;
	if ((rc = ids_table(imp)) ||
	    (rc = crm_db_stmt(imp->db, &st, "SELECT id, created FROM temp.crm_import_ids"
	                      " WHERE file_id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, file_id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		*id = crm_stmt_int(st, 0);
		*created = (int)crm_stmt_int(st, 1);
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Whether the import matches on this toolkit's ids: they are then this
 * database's, and a reference to none in the input is to one here. */
static int keyed_by_id(const crm_import *imp)
{
	for (size_t k = 0; k < imp->nkeys; k++)
		if (imp->keys[k] && imp->keys[k]->f.type == CRM_FT_ID)
			return 1;
	return 0;
}

/* Makes the row's reference of the entity's own kind name the record
 * the input's id it gives stands for.  One that stands for none here is
 * rejected, as the input's ids are another database's; a row of a record
 * the import matched rather than made is skipped, as that record's
 * lines are: it has its own (a purchase, its refunds). */
static int own_reference(crm_import *imp, struct crm_import_result *res)
{
	const struct crm_fielddef *d = &imp->e->defs[imp->self_ref];
	const char *v = imp->rs.val[imp->self_ref];
	char num[24];
	int64_t id;
	int created = 0, rc;

	if (!own_ids(imp) || is_blank(v) || !ours_p(v))
		return CRM_OK;
	if ((rc = find_own_id(imp, strtoll(v + strspn(v, " \t"), NULL, 10), &id, &created)))
		return rc;
	if (!id && keyed_by_id(imp))
		return CRM_OK;
	if (!id)
		return reject(imp, res, d->f.name, "no %s earlier in this input has id %s (the"
		              " input's ids are those of the database it was listed from)",
		              d->f.ref, v);
	if (!created) {
		res->outcome = CRM_IMPORT_SKIPPED;
		return CRM_OK;
	}
	snprintf(num, sizeof num, "%lld", (long long)id);
	imp->rs.val[imp->self_ref] = own(&imp->rs, strdup(num));
	return imp->rs.val[imp->self_ref] ? CRM_OK : crm_error_nomem();
}

/* Copies the row's field values into the record, a new one (id 0) or
 * record id, which exists. */
static int fill_record(crm_import *imp, crm_record *r, int64_t id)
{
	int adding = !id;
	int rc = CRM_OK;

	for (size_t i = 0; i < imp->e->nfields && !rc; i++) {
		const struct crm_fielddef *d = &imp->e->defs[i];
		const char *v = imp->rs.val[i];
		/* A blank cell leaves a field that has a default alone: a new
		 * record's owner is the acting user's. */
		if (!v || (is_blank(v) && ((d->f.flags & CRM_FIELD_NOTEMPTY) ||
		                           (adding && !strcmp(d->f.name, "owner")))))
			continue;
		/* When another system made the record (one that exists keeps its
		 * own), and solved or closed it, news to an update too. */
		if (d->f.flags & CRM_FIELD_ORIGIN) {
			if (adding || strcmp(d->column, "created_at"))
				rc = crm_record_set_origin(r, d->f.name, v);
			continue;
		}
		if (d->f.type == CRM_FT_REF && !is_blank(v)) {
			enum crm_phase was = crm_phase_enter(imp->db, CRM_PHASE_REFS);
			const char *named = v;

			if (!(rc = ref_target(imp, d, named, id, &v)) && v && v != named)
				ref_found(imp, r, d, v);
			crm_phase_enter(imp->db, was);
			if (!rc && !v)
				continue; /* the link the record has stays */
		}
		if (!rc && d->f.type == CRM_FT_MONEY)
			rc = with_currency(imp, &d->f, v, &v);
		if (!rc)
			rc = crm_record_set_def(r, d, v);
	}
	return !rc && imp->rs.object == REFUND ? refund_target(imp, r) : rc;
}

/* Writes the tags and the note of the row to record id, which it has
 * just made when adding. */
static int write_extras(crm_import *imp, int64_t id, int adding, int *changed)
{
	const crm_import_map *m = imp->o.map;
	enum crm_phase was = crm_phase_enter(imp->db, CRM_PHASE_EXTRAS);
	int rc = CRM_OK, c = 0;

	for (size_t i = 0; i < imp->rs.nconsent && !rc; i++) {
		const struct row_consent *k = &imp->rs.consent[i];
		crm_buf source = CRM_BUF_INIT;
		const char *at = k->at ? k->at : k->set_at;

		if (!k->status)
			continue; /* only when, of nothing the row says */
		if (!at && !strcmp(k->status, "granted"))
			at = k->granted_at;
		if (crm_buf_printf(&source, "import of %s (%s)", imp->consent_file, k->column))
			rc = crm_error_nomem();
		else
			rc = crm_contact_consent_import(imp->db, id, k->channel, k->status, at,
			                                crm_buf_str(&source), &c);
		crm_buf_free(&source);
		*changed |= c;
	}
	if (!rc && imp->rs.has_tags && imp->e->tag_table)
		rc = (adding ? crm_entity_tags_fresh : crm_entity_tags_set)(imp->db, imp->e, id,
		                                                            imp->rs.tags, &c);
	*changed |= c;
	for (size_t i = 0; m && i < m->ntags && !rc; i++) {
		rc = crm_entity_tag(imp->db, imp->e, id, m->tags[i], 1, &c);
		*changed |= c;
	}
	if (!rc && imp->rs.note.len && imp->e->import_note) {
		rc = imp->e->import_note(imp->db, id, crm_buf_str(&imp->rs.note), &c);
		*changed |= c;
	} else if (!rc && imp->rs.note.len && imp->e->note_table) {
		rc = (adding ? crm_entity_note_fresh : crm_entity_note_once)(imp->db, imp->e, id,
		                                                             crm_buf_str(&imp->rs.note),
		                                                             &c);
		*changed |= c;
	}
	crm_phase_enter(imp->db, was);
	return rc;
}

/* Counts refund, made by import_refunded; its search entry is written
 * with the records the import creates. */
static int refund_made(crm_import *imp, int64_t refund)
{
	if (!refund)
		return CRM_OK;
	imp->n.refunds++;
	return idset_add(&imp->added, refund);
}

/* Makes the refund of record id that the amount (in currency cur when it
 * names none) lacks. */
static int refund_now(crm_import *imp, int64_t id, const char *amount, const char *cur)
{
	int64_t due, refund;
	int rc = imp->e->import_refunded(imp->db, id, amount, cur, &due, &refund);

	return rc ? rc : refund_made(imp, refund);
}

/* Forgets the refund the open group's record waits for. */
static void refund_drop(crm_import *imp)
{
	free(imp->group.amount);
	free(imp->group.cur);
	imp->group.amount = imp->group.cur = NULL;
	imp->group.refunded = 0;
}

/* Whether the input lists refunds as rows of their own, a column naming
 * the record each refunds (this toolkit's listing of purchases, whose
 * refunded ones say so in their status too). */
static int lists_refunds(const crm_import *imp)
{
	for (size_t i = 0; imp->self_ref >= 0 && i < imp->ncols; i++)
		if (imp->cols[i].t.kind == CRM_TO_FIELD && imp->cols[i].field == (size_t)imp->self_ref)
			return 1;
	return 0;
}

/* Whether the row says its record was refunded, in part (an amount) or
 * whole (the entity's refunded_whole, a shop's order status; not in an
 * input that lists the refunds themselves). */
static int says_refunded(const crm_import *imp)
{
	const char *v;

	if (imp->rs.refunded)
		return 1;
	if (imp->whole_field < 0 || lists_refunds(imp))
		return 0;
	v = imp->rs.val[imp->whole_field];
	return v && !strcasecmp(v, imp->e->refunded_whole[1]);
}

/* Takes the amount the row says record id had refunded in all (NULL: all
 * of it): a row of an order (a group) leaves the refund for when the
 * order has all its lines (group_close), any other makes it now.  A
 * refund due is a change. */
static int take_refunded(crm_import *imp, int64_t id, int *changed)
{
	const char *v = imp->rs.refunded, *cur = imp->rs.currency;
	int64_t due, refund = 0;
	int rc = imp->e->import_refunded(imp->db, id, v, cur, &due,
	                                 imp->group.key ? NULL : &refund);

	if (rc == CRM_EDATA)
		return crm_error_set(CRM_EDATA, "%s: %s", v ? imp->rs.refunded_column
		                                            : imp->e->refunded_whole[0],
		                     crm_error_message());
	if (rc || !due)
		return rc;
	*changed = 1;
	if (!imp->group.key)
		return refund_made(imp, refund);
	refund_drop(imp);
	if ((v && !(imp->group.amount = strdup(v))) || (cur && !(imp->group.cur = strdup(cur))))
		return crm_error_nomem();
	imp->group.refunded = id;
	return CRM_OK;
}

/* A row gave record id a line: the record has them all now when the row
 * is no group's (it has no key), else when its group ends (group_close). */
static int lined(crm_import *imp, int64_t id)
{
	if (imp->group.key) {
		imp->group.lined = id;
		return CRM_OK;
	}
	return imp->e->import_done(imp->db, id);
}

/* Creates or updates (id != 0) the record; a CRM_EDATA from the write
 * path rejects the row. */
static int write_row(crm_import *imp, crm_record *r, int64_t id, struct crm_import_result *res)
{
	int rc, changed = 0, adding = !id, derived = 0;
	int line = adding && imp->rs.has_line;

	rc = fill_record(imp, r, id);
	/* History loaded with --no-earn never earns loyalty points. */
	if (!rc && adding && imp->o.no_earn && crm_entity_field_find(imp->e, "earns"))
		rc = crm_record_set(r, "earns", "no");
	if (!rc && line && (derived = imp->e->import_line(imp->db, r, 0, imp->rs.line,
	                                                  imp->rs.currency, 0)) < 0)
		rc = derived;
	if (!rc)
		rc = adding ? crm_entity_add(imp->db, r, &id)
		            : crm_entity_update(imp->db, r, id, &changed);
	if (!rc && line && !(rc = imp->e->import_line(imp->db, NULL, id, imp->rs.line,
	                                             imp->rs.currency, derived)) &&
	    !(rc = idset_add(&imp->grouped, id)))
		rc = lined(imp, id);
	if (!rc)
		rc = write_extras(imp, id, adding, &changed);
	if (!rc && imp->e->import_refunded && says_refunded(imp))
		rc = take_refunded(imp, id, &changed);
	if (rc == CRM_EDATA || rc == CRM_ENOTFOUND)
		return reject_error(imp, res);
	if (rc)
		return rc;
	res->id = id;
	res->outcome = adding ? CRM_IMPORT_CREATED : changed ? CRM_IMPORT_UPDATED
	                                                       : CRM_IMPORT_UNCHANGED;
	if ((rc = idset_add(&imp->seen, id)) || res->outcome == CRM_IMPORT_UNCHANGED)
		return rc;
	if (!adding && (rc = idset_add(&imp->updated, id)))
		return rc;
	for (size_t i = 0; i < MADE && !rc; i++)
		if (imp->rs.made[i])
			rc = idset_add(&imp->made[i].ids, imp->rs.made[i]);
	if (rc)
		return rc;
	imp->created_since += adding;
	return idset_add(adding ? &imp->added : &imp->written, id);
}

/* Decides what a row that matched record id by key does. */
static int on_match(crm_import *imp, crm_record *r, int64_t id, size_t key,
                    struct crm_import_result *res)
{
	const char *v = row_key(imp, key);
	char buf[160];
	const char *name = key_name(imp, key, buf, sizeof buf);

	if (idset_has(&imp->seen, id))
		return reject(imp, res, name, "duplicate key: %s '%s' repeats an earlier"
		              " record of this input (%s %lld)", name, v, imp->e->name,
		              (long long)id);
	res->id = id;
	if (imp->o.conflict == CRM_CONFLICT_ERROR)
		return reject(imp, res, name, "'%s' already belongs to %s %lld", v,
		              imp->e->name, (long long)id);
	if (imp->o.conflict == CRM_CONFLICT_SKIP) {
		res->outcome = CRM_IMPORT_SKIPPED;
		return idset_add(&imp->seen, id);
	}
	return write_row(imp, r, id, res);
}

/* A row of a record an earlier row of this import matched: its line goes
 * to the record when this import created it, else (a re-run) it is left
 * alone like the record. */
static int group_row(crm_import *imp, int64_t id, struct crm_import_result *res)
{
	int rc = CRM_OK;

	res->id = id;
	res->outcome = CRM_IMPORT_SKIPPED;
	if (!idset_has(&imp->grouped, id))
		return CRM_OK;
	rc = imp->e->import_line(imp->db, NULL, id, imp->rs.line, imp->rs.currency, 0);
	if (!rc)
		rc = lined(imp, id);
	if (rc == CRM_EDATA || rc == CRM_ENOTFOUND)
		return reject_error(imp, res);
	/* The record is among those the import created: its search entry is
	 * made with its lines at the end, or made again if it has one. */
	res->outcome = CRM_IMPORT_UPDATED;
	return !rc && id <= imp->index_to ? idset_add(&imp->written, id) : rc;
}

static void count(crm_import *imp, enum crm_outcome o)
{
	switch (o) {
	case CRM_IMPORT_CREATED: imp->n.created++; break;
	case CRM_IMPORT_UPDATED: imp->n.updated++; break;
	case CRM_IMPORT_UNCHANGED: imp->n.unchanged++; break;
	case CRM_IMPORT_SKIPPED: imp->n.skipped++; break;
	default: break; /* rejections count as they happen */
	}
}

/* Whether a and b, values a key is unique within, are the same: none
 * (NULL or blank) is one value. */
static int same_within(const char *a, const char *b)
{
	return is_blank(a) ? is_blank(b) : !is_blank(b) && !strcmp(a, b);
}

/* Whether the grouped record that key v names (within value w) had a row
 * rejected. */
static int dropped(const crm_import *imp, const char *v, const char *w)
{
	const char *p = crm_buf_str(&imp->dropped), *end = p + imp->dropped.len;

	for (; p < end; p += strlen(p) + 1) {
		const char *pw = p + strlen(p) + 1;

		/* A row that names no store is its number's order in any. */
		if (!strcmp(p, v) && (is_blank(w) || same_within(pw, w)))
			return 1;
		p = pw;
	}
	return 0;
}

/* The rows of one record (an order's line items, given together as
 * shops export them) stand or fall together: in row mode they share a
 * savepoint, crm_import_group, and a row rejected takes the rows of its
 * record before it back with it and rejects those after it (dropped).
 * In bulk mode, where nothing has a savepoint, the import is then done
 * again row by row.  The rows of a record apart in the input are
 * records apart here. */

/* Whether column c fills field d. */
static int fills(const struct column *c, const struct crm_import *imp,
                 const struct crm_fielddef *d)
{
	return d && c->t.kind == CRM_TO_FIELD && &imp->e->defs[c->field] == d;
}

/* The constant the mapping sets field d to, or NULL. */
static const char *set_value(const crm_import *imp, const struct crm_fielddef *d)
{
	const crm_import_map *m = imp->o.map;

	for (size_t i = 0; m && d && i < m->nset; i++)
		if (field_index(imp, m->set_field[i]) == (size_t)(d - imp->e->defs))
			return m->set_value[i];
	return NULL;
}

/* Whether the row, read, gives a line item and nothing of its record:
 * a later row of the order open, as WooCommerce's Advanced Order Export
 * writes them, its order's columns left blank.  What the mapping sets on
 * every row (the store's source) is no column of the row. */
static int lone_line(const crm_import *imp)
{
	const struct rowstate *rs = &imp->rs;

	if (!imp->group.key || !rs->has_line || rs->id || rs->refunded || rs->custom_keys[0])
		return 0;
	for (size_t i = 0; i < imp->e->nfields; i++)
		if (!is_blank(rs->val[i]) && !set_value(imp, &imp->e->defs[i]))
			return 0;
	return 1;
}

/* Makes the row name the open order, as Shopify repeats it on each of
 * its rows. */
static void join_group(crm_import *imp)
{
	const struct crm_fielddef *d = imp->keys[0], *w = imp->within[0];

	if (!d)
		imp->rs.custom_keys[0] = imp->group.key;
	else
		imp->rs.val[d - imp->e->defs] = imp->group.key;
	if (w)
		imp->rs.val[w - imp->e->defs] = imp->group.within;
}

/* The key of the grouped record row belongs to, NULL for none: of a row
 * with a line item, with a key, or with nothing else (lone_line); and in
 * *within the value the key is unique within (an order's source), NULL
 * for none.  A row rejected before its cells were all taken is read
 * again for them, so it still names its record. */
static int group_key(crm_import *imp, const struct crm_row *row,
                     const struct crm_import_result *res, const char **key,
                     const char **within)
{
	const struct crm_fielddef *w = imp->within[0];
	const struct column *c;
	size_t hint = imp->col_next;
	int lines = 0, others = 0, rc = CRM_OK;

	*key = *within = NULL;
	if (!imp->e->import_line || !imp->nkeys)
		return CRM_OK;
	if (res->outcome != CRM_IMPORT_REJECTED) {
		if (lone_line(imp))
			join_group(imp);
		*key = imp->rs.has_line && !is_blank(row_key(imp, 0)) ? row_key(imp, 0) : NULL;
		*within = w ? imp->rs.val[w - imp->e->defs] : NULL;
		return CRM_OK;
	}
	for (size_t i = 0; i < row->n && !rc; i++) {
		if (is_blank(row->values[i]) || (rc = column_of(imp, row->names[i], &c)))
			continue;
		if (c->t.kind == CRM_TO_LINE)
			lines = 1;
		else if (!*key && (imp->keys[0] ? fills(c, imp, imp->keys[0])
		                                : c->t.kind == CRM_TO_CUSTOM &&
		                                  !strcmp(c->t.name, imp->custom_keys[0])))
			*key = row->values[i];
		else if (!*within && fills(c, imp, w))
			*within = row->values[i];
		else if (c->t.kind != CRM_TO_IGNORE && c->t.kind != CRM_TO_CUSTOM)
			others = 1;
	}
	imp->col_next = hint;
	if (lines && !*key && !*within && !others && imp->group.key) {
		*key = imp->group.key;
		*within = imp->group.within;
	}
	if (!lines)
		*key = NULL;
	if (!*within)
		*within = set_value(imp, w);
	return rc;
}

/* Ends the record whose rows were being read: what they did stays, and
 * the record they gave lines has them all. */
static int group_close(crm_import *imp)
{
	int rc = imp->group.lined ? imp->e->import_done(imp->db, imp->group.lined) : CRM_OK;

	/* Refunded once the order has all its lines and has earned its points,
	 * which the refund takes back in part. */
	if (!rc && imp->group.refunded)
		rc = refund_now(imp, imp->group.refunded, imp->group.amount, imp->group.cur);
	refund_drop(imp);
	imp->group.lined = 0;
	if (imp->group.open)
		rc = crm_db_savepoint_end(imp->db, "crm_import_group", 0, rc);
	imp->group.open = 0;
	free(imp->group.key);
	free(imp->group.within);
	imp->group.key = imp->group.within = NULL;
	return rc;
}

static int index_created(crm_import *imp);

/* A row of the open grouped record that names no value its key is
 * unique within takes the record's, as it matches and is dropped by. */
static void group_within(crm_import *imp)
{
	const struct crm_fielddef *w = imp->within[0];

	if (w && imp->group.within && is_blank(imp->rs.val[w - imp->e->defs]))
		imp->rs.val[w - imp->e->defs] = imp->group.within;
}

/* Called for each row before it writes, with the key of its record (or
 * NULL): a row of another record ends the last (whose search entries can
 * now be written), and the first row of a record begins it.  A row of a
 * record dropped is rejected. */
static int group_enter(crm_import *imp, const char *key, const char *within,
                       struct crm_import_result *res)
{
	char name[160];
	int rc;

	/* Shops give an order's store on its first row only (Shopify): a
	 * later row that names none is the open order's. */
	if (key && imp->group.key && !strcmp(key, imp->group.key) &&
	    (is_blank(within) || same_within(within, imp->group.within))) {
		group_within(imp);
		return CRM_OK;
	}
	if (imp->group.key && ((rc = group_close(imp)) || (rc = index_created(imp))))
		return rc;
	if (!key)
		return CRM_OK;
	res->group_start = 1;
	/* A row rejected already keeps its own reason. */
	if (dropped(imp, key, within))
		return res->outcome == CRM_IMPORT_REJECTED ? CRM_OK
		       : reject(imp, res, key_name(imp, 0, name, sizeof name), "%s '%s': an earlier"
		                " row of it was rejected", key_name(imp, 0, name, sizeof name), key);
	if (!(imp->group.key = strdup(key)) ||
	    (!is_blank(within) && !(imp->group.within = strdup(within))))
		return crm_error_nomem();
	imp->group.rows = 0;
	imp->group.n = imp->n;
	if (imp->o.bulk || res->outcome == CRM_IMPORT_REJECTED)
		return CRM_OK;
	imp->group.open = 1;
	return crm_db_savepoint(imp->db, "crm_import_group");
}

/* Takes back the rows of the record before row, rejected: their writes
 * and counts, and the references they resolved, which may name records
 * no longer there. */
static int group_undo(crm_import *imp, const struct crm_row *row, struct crm_import_result *res)
{
	struct crm_import_counts now = imp->n;
	int rc;

	if (imp->o.bulk) {
		imp->spoilt = 1;
		return CRM_OK;
	}
	imp->group.open = 0;
	if ((rc = crm_db_savepoint_end(imp->db, "crm_import_group", 1, CRM_OK)))
		return rc;
	imp->n = imp->group.n;
	imp->n.read = now.read;
	imp->n.rejected = now.rejected + imp->group.rows;
	crm_memo_clear(imp->refs);
	res->undone = imp->group.rows;
	res->undo_field = key_name(imp, 0, imp->group.field, sizeof imp->group.field);
	crm_buf_clear(&imp->group.reason);
	if (crm_buf_printf(&imp->group.reason, "%s '%s': rejected with the row on line %ld:"
	                   " the rows of one %s stand or fall together", res->undo_field,
	                   imp->group.key, row->line, imp->e->name))
		return crm_error_nomem();
	res->undo_reason = crm_buf_str(&imp->group.reason);
	return CRM_OK;
}

/* Called for each row of a grouped record once it is done: a row
 * rejected drops its record. */
static int group_leave(crm_import *imp, const struct crm_row *row, struct crm_import_result *res)
{
	int rc = CRM_OK;

	if (!imp->group.key)
		return CRM_OK;
	res->grouped = 1;
	if (res->outcome != CRM_IMPORT_REJECTED) {
		imp->group.rows++;
		return CRM_OK;
	}
	imp->group.lined = 0; /* its rows are undone, or all done again */
	refund_drop(imp);
	if (crm_buf_put(&imp->dropped, imp->group.key, strlen(imp->group.key) + 1) ||
	    crm_buf_puts(&imp->dropped, imp->group.within ? imp->group.within : "") ||
	    crm_buf_put(&imp->dropped, "", 1))
		return crm_error_nomem();
	if (imp->group.rows && (rc = group_undo(imp, row, res)))
		return rc;
	return group_close(imp);
}

/* Writes the row's record, or the line of one an earlier row made, or
 * not, as the key it matches on says. */
static int match_write(crm_import *imp, crm_record *r, struct crm_import_result *res)
{
	size_t key = 0;
	int64_t id;
	int rc = find_match(imp, r, res, &id, &key);

	if (!rc && res->outcome != CRM_IMPORT_REJECTED && id && imp->rs.has_line &&
	    idset_has(&imp->seen, id))
		rc = group_row(imp, id, res);
	else if (!rc && res->outcome != CRM_IMPORT_REJECTED)
		rc = id ? on_match(imp, r, id, key, res) : write_row(imp, r, 0, res);
	if (!rc && res->outcome != CRM_IMPORT_REJECTED && res->id && own_ids(imp))
		rc = keep_own_id(imp, res->id, res->outcome == CRM_IMPORT_CREATED);
	return rc;
}

/* Everything a row does happens inside one savepoint, so that a row
 * rejected half-way (its company created, its tags not) leaves nothing.
 * In bulk mode a row has none, nor has a record it adds (db->bulk): the
 * import is done again row by row if a row is rejected after it wrote
 * something.  (An update still has its own, which undoes it when it
 * changes nothing.) */
static int import_record(crm_import *imp, crm_record *r, struct crm_import_result *res)
{
	long companies = imp->n.companies, people = imp->n.people;
	int rc;

	if (!imp->o.bulk && (rc = crm_db_savepoint(imp->db, "crm_import_row")))
		return rc;
	rc = imp->self_ref >= 0 ? own_reference(imp, res) : CRM_OK;
	/* Unless that rejected or skipped the row already. */
	if (!rc && res->outcome == CRM_IMPORT_UNCHANGED)
		rc = match_write(imp, r, res);
	if (rc || res->outcome == CRM_IMPORT_REJECTED)
		imp->n.companies = companies, imp->n.people = people;
	if (!imp->o.bulk)
		rc = crm_db_savepoint_end(imp->db, "crm_import_row",
		                          res->outcome == CRM_IMPORT_REJECTED, rc);
	if (!rc && res->outcome != CRM_IMPORT_REJECTED)
		rc = keep_refs(imp);
	if (!rc)
		count(imp, res->outcome);
	return rc;
}

/* The columns made ahead of a row (crm_import_ahead) travel with it as
 * bytes: put_ahead writes a field's, take_ahead lists them for the
 * write (struct crm_ready), pointing into those bytes. */

/* Appends s to out, after a byte saying whether there is one. */
static void put_maybe(crm_buf *out, const char *s)
{
	crm_buf_putc(out, s != NULL);
	if (s)
		crm_buf_put(out, s, strlen(s) + 1);
}

/* Appends to out the columns field f stores for value v with region, when
 * they need no database: the field's number, v, region, the number of
 * columns, then each column's value.  Returns where in out the stored
 * value (the last column) is, 0 when there is none. */
static size_t put_ahead(crm_import *imp, crm_buf *out, int f, const char *v, const char *region)
{
	const struct crm_fielddef *d = &imp->e->defs[f];
	enum crm_made_from from = crm_type_of(d)->made_from;
	struct crm_colvals cv = { 0 };
	size_t stored = 0;

	if (from == CRM_FROM_DATABASE)
		return 0;
	/* The handle for the default region only, which is configuration. */
	if (crm_field_columns(from == CRM_FROM_REGION ? imp->db : NULL, d, v, region, &cv)) {
		crm_error_clear(); /* the write says what is wrong with it */
		return 0;
	}
	crm_buf_put(out, (const char *)&f, sizeof f);
	crm_buf_put(out, v, strlen(v) + 1);
	put_maybe(out, from == CRM_FROM_REGION ? region : NULL);
	crm_buf_putc(out, (char)cv.n);
	for (int j = 0; j < cv.n; j++) {
		size_t at = out->len + 1;

		put_maybe(out, cv.val[j]);
		if (j == cv.n - 1 && cv.val[j] && out->len > at)
			stored = at;
	}
	crm_colvals_free(&cv);
	return stored;
}

/* Appends to out the row's name as the entity's derive_sql and search
 * entry see it (name_parts), with its match key and its fold: NAME_AHEAD,
 * then the three texts.  at[i] is where put_ahead wrote name part i (0:
 * nowhere).  A name taken apart from another column is not known here: the
 * text is then not the one SQL asks for, and is worked out again there. */
static void put_name(const crm_import *imp, crm_buf *out, const size_t *at)
{
	crm_buf b = CRM_BUF_INIT;
	const char *text;
	char *key = NULL, *fold = NULL, *name = NULL;
	const int f = NAME_AHEAD;

	if (imp->ahead.nname == 2) {
		/* A person's two parts as crm_name() joins them (山田 太郎). */
		if (crm_name_join(&name, at[0] ? out->ptr + at[0] : NULL,
		                  at[1] ? out->ptr + at[1] : NULL))
			return;
		crm_buf_puts(&b, name);
		free(name);
	} else {
		for (size_t i = 0; i < imp->ahead.nname; i++) {
			if (i)
				crm_buf_putc(&b, ' ');
			if (at[i])
				crm_buf_puts(&b, out->ptr + at[i]);
		}
	}
	/* As SQL's trim(): spaces only. */
	while (b.len && b.ptr[b.len - 1] == ' ')
		b.ptr[--b.len] = '\0';
	for (text = crm_buf_str(&b); *text == ' '; text++)
		;
	if (*text && !crm_text_key(&key, text) && !crm_text_fold(&fold, text)) {
		crm_buf_put(out, (const char *)&f, sizeof f);
		crm_buf_put(out, text, strlen(text) + 1);
		crm_buf_put(out, key, strlen(key) + 1);
		crm_buf_put(out, fold, strlen(fold) + 1);
	}
	crm_error_clear();
	free(key);
	free(fold);
	crm_buf_free(&b);
}

/* Reads the NUL-terminated string at *p, before end, and moves past it;
 * NULL when there is none. */
static const char *ahead_text(const char **p, const char *end)
{
	const char *s = *p, *nul = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;

	*p = nul ? nul + 1 : end;
	return nul ? s : NULL;
}

/* Reads what put_maybe wrote at *p into *s; 0 when cut short. */
static int ahead_maybe(const char **p, const char *end, const char **s)
{
	if (*p >= end)
		return 0;
	*s = NULL;
	return !*(*p)++ || (*s = ahead_text(p, end));
}

/* Hands the name put_name wrote at *p to the database's SQL functions;
 * 0 when cut short. */
static int take_name(crm_import *imp, const char **p, const char *end)
{
	const char *text = ahead_text(p, end), *key = ahead_text(p, end);
	const char *fold = ahead_text(p, end);

	if (!fold)
		return 0;
	if (crm_db_remember_name(imp->db, text, key, fold))
		crm_error_clear(); /* then SQL works it out */
	return 1;
}

/* Lists in the row state the columns put_ahead made for row, one entry
 * a field, remembers its name (put_name) and whether it is all UTF-8; an
 * entry cut short ends the list. */
static void take_ahead(crm_import *imp, const struct crm_row *row)
{
	const char *p = row->ahead, *end = p + row->nahead;
	int f;

	while (p && end - p >= (ptrdiff_t)sizeof f && imp->rs.nready < imp->e->nfields) {
		struct crm_ready *rd = &imp->rs.ready[imp->rs.nready];

		memcpy(&f, p, sizeof f);
		p += sizeof f;
		if (f == UTF8_AHEAD) {
			imp->rs.utf8 = 1;
			continue;
		}
		if (f == NAME_AHEAD) {
			if (!take_name(imp, &p, end))
				return;
			continue;
		}
		if (f < 0 || (size_t)f >= imp->e->nfields || !(rd->src = ahead_text(&p, end)) ||
		    !ahead_maybe(&p, end, &rd->region) || p >= end ||
		    (rd->n = (unsigned char)*p++) > CRM_DERIVED_MAX + 1)
			return;
		rd->d = &imp->e->defs[f];
		for (int j = 0; j < rd->n; j++)
			if (!ahead_maybe(&p, end, &rd->val[j]))
				return;
		imp->rs.nready++;
	}
}

static int import_one(crm_import *imp, const struct crm_row *row, struct crm_import_result *res)
{
	crm_record *r = NULL;
	const char *key, *within;
	int rc;

	memset(res, 0, sizeof *res);
	res->outcome = CRM_IMPORT_UNCHANGED;
	imp->n.read++;
	rowstate_clear(&imp->rs, imp->e->nfields);
	/* JSON names the columns in each row: without a header, the first
	 * row's names say what a header's would, and its unknown columns
	 * are named together, as a header's are. */
	if (imp->n.read == 1 && !imp->columns_found && !row->error &&
	    ((rc = find_columns(imp, row->names, row->n)) ||
	     (rc = check_unknown(imp, row->names, row->n, false))))
		return rc;
	if (row->error)
		rc = reject(imp, res, row->error_col ? row->names[row->error_col - 1] : NULL, "%s",
		            row->error);
	else if (!(rc = crm_record_new(&r, imp->e))) {
		imp->rs.row = row;
		take_ahead(imp, row);
		crm_record_ready(r, imp->rs.ready, imp->rs.nready);
		rc = read_row(imp, row, r, res);
	}
	if (!rc && !(rc = group_key(imp, row, res, &key, &within)))
		rc = group_enter(imp, key, within, res);
	if (!rc && res->outcome != CRM_IMPORT_REJECTED)
		rc = import_record(imp, r, res);
	if (!rc)
		rc = group_leave(imp, row, res);
	crm_record_free(r);
	return rc;
}

/* Writes the search entries of the records created since the last time,
 * CRM_REINDEX_CHUNK at a time while the rows still come.  The main thread
 * waits for the reading-ahead one now and then; the index done here fills
 * that time, where at the end it would run alone.  Not into a table that
 * held records (index_late): there the writes are what the import waits
 * for, and the search entries' pages, written between them, pushed the
 * indexes' out of the page cache (200,000 people into 1,000,000: writes
 * 3.3 s, against 3.0 s with the entries all at the end).  Called outside
 * every row's savepoint, so that a row rolled back takes no entries with
 * it.
 * Their ids are those above index_to: no one else writes while the import
 * does, and ids only grow.  Records made for references of the entity's
 * own kind would be among them, so then all are left to the end. */
static int index_created(crm_import *imp)
{
	crm_db *db = imp->db;
	int64_t from = imp->index_to;
	enum crm_phase was;
	int rc;

	if (imp->created_since < CRM_REINDEX_CHUNK || imp->index_late)
		return CRM_OK;
	for (size_t i = 0; i < MADE; i++)
		if (imp->made[i].e == imp->e)
			return CRM_OK;
	was = crm_phase_enter(db, CRM_PHASE_INDEX);
	if (!(rc = top_id(imp, &imp->index_to)) &&
	    !(rc = crm_entity_index_fresh(db, imp->e, "id > ?1", from))) {
		idset_clear_upto(&imp->added, imp->index_to);
		imp->created_since = 0;
		crm_db_forget_names(db); /* their records are written and indexed */
	}
	crm_phase_enter(db, was);
	return rc;
}

int crm_import_row(crm_import *imp, const struct crm_row *row, struct crm_import_result *res)
{
	int64_t before = crm_db_total_changes(imp->db);
	int rc;

	if (imp->spoilt)
		return crm_error_set(CRM_EFAIL, "a bulk import was continued after CRM_IMPORT_AGAIN");
	if ((rc = import_one(imp, row, res)))
		return rc;
	/* A row that has no savepoint of its own cannot be undone alone. */
	if (imp->o.bulk && res->outcome == CRM_IMPORT_REJECTED &&
	    crm_db_total_changes(imp->db) != before)
		imp->spoilt = 1;
	if (imp->spoilt)
		return CRM_IMPORT_AGAIN;
	/* Not while a later row may roll the record back (group_enter). */
	return imp->group.key ? CRM_OK : index_created(imp);
}

/* The field column name fills, as the reading-ahead threads see it
 * (a->lock held): the mapping file, else the names and synonyms; -1 for
 * none. */
static int find_ahead_field(crm_import *imp, const char *name)
{
	struct ahead *a = &imp->ahead;
	struct crm_target t;
	char **names;
	int *field;

	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->names[i], name))
			return a->field[i];
	names = realloc(a->names, (a->n + 1) * sizeof *names);
	a->names = names ? names : a->names;
	field = realloc(a->field, (a->n + 1) * sizeof *field);
	a->field = field ? field : a->field;
	if (!names || !field || !(a->names[a->n] = strdup(name)))
		return -1;
	target_of(imp, name, &t);
	a->field[a->n] = t.kind == CRM_TO_FIELD ? (int)field_index(imp, t.name) : -1;
	return a->field[a->n++];
}

static int ahead_field(crm_import *imp, const char *name)
{
	int f;

	pthread_mutex_lock(&imp->ahead.lock);
	f = find_ahead_field(imp, name);
	pthread_mutex_unlock(&imp->ahead.lock);
	return f;
}

void crm_import_ahead(void *arg, const struct crm_row *row, crm_buf *out)
{
	crm_import *imp = arg;
	const struct crm_fielddef *defs = imp->e->defs;
	const char *number[4];
	int phone[4];
	size_t nphone = 0, at[NAME_PARTS] = { 0 };
	char *cc = NULL;
	int name;
	/* All UTF-8: the writing thread need not check again (UTF8_AHEAD). */
	const int utf8 = !row->error && bad_utf8(row, &name) == row->n, mark = UTF8_AHEAD;

	if (utf8)
		crm_buf_put(out, (const char *)&mark, sizeof mark);
	for (size_t i = 0; i < row->n && !row->error; i++) {
		int f = ahead_field(imp, row->names[i]);
		const char *v = row->values[i];

		if (f < 0 || is_blank(v) || (!utf8 && !crm_utf8_valid_p(v, row->lens[i])))
			continue;
		if (defs[f].f.type == CRM_FT_COUNTRY && !cc && crm_country_normalize(&cc, v))
			cc = NULL;
		if (defs[f].f.type == CRM_FT_PHONE && nphone < 4) {
			phone[nphone] = f;
			number[nphone++] = v;
		} else {
			size_t stored = put_ahead(imp, out, f, v, NULL);

			for (size_t j = 0; j < imp->ahead.nname; j++)
				if (imp->ahead.name_field[j] == f)
					at[j] = stored;
		}
	}
	/* As the write will read them: the row's country, else the default. */
	if (nphone) {
		double t0 = imp->o.timed ? crm_clock() : 0;

		for (size_t i = 0; i < nphone; i++)
			put_ahead(imp, out, phone[i], number[i], cc);
		if (imp->o.timed)
			atomic_fetch_add(&imp->ahead.phone_ns, (long long)((crm_clock() - t0) * 1e9));
	}
	free(cc);
	if (imp->ahead.nname)
		put_name(imp, out, at);
}

const char *const crm_phase_names[CRM_PHASES] = { "other", "match", "references",
                                                   "normalise", "write", "audit",
                                                   "tags and notes", "search index",
                                                   "indexes" };

void crm_import_phases(const crm_import *imp, double secs[CRM_PHASES])
{
	const struct crm_phases *p = imp->db->phases;

	for (int i = 0; i < CRM_PHASES; i++)
		secs[i] = p ? p->sum[i] : 0;
}

double crm_import_ahead_phones(const crm_import *imp)
{
	return (double)atomic_load(&imp->ahead.phone_ns) / 1e9;
}

const char *const *crm_import_each(const struct crm_entity *e)
{
	return e->line_lists;
}

const struct crm_import_counts *crm_import_counts(const crm_import *imp)
{
	return &imp->n;
}

int crm_import_end(crm_import *imp, int64_t *batch)
{
	const struct crm_import_counts *n = &imp->n;
	crm_stmt *st;
	char now[CRM_TIME_LEN];
	int rc;

	*batch = 0;
	if (imp->spoilt)
		return crm_error_set(CRM_EFAIL, "a bulk import was ended after CRM_IMPORT_AGAIN");
	if ((rc = group_close(imp)))
		return rc;
	imp->db->defer_index = 0;
	if ((rc = build_indexes(imp)))
		return rc;
	/* Records created first, then those updated: a record made for a
	 * reference that a later row updated is in both. */
	if (!(rc = crm_audit_flush(imp->db)))
		rc = idset_reindex(imp->db, imp->e, &imp->added, fresh_listed);
	for (size_t i = 0; i < MADE && !rc; i++)
		if (imp->made[i].e)
			rc = idset_reindex(imp->db, imp->made[i].e, &imp->made[i].ids, fresh_listed);
	if (rc || (rc = idset_reindex(imp->db, imp->e, &imp->written, reindex_listed)) ||
	    (rc = idset_reindex(imp->db, imp->e, &imp->updated, referrers_listed)))
		return rc;
	/* A batch that wrote nothing has nothing to undo, and recording it
	 * would make a no-op import change the file. */
	if (!n->created && !n->updated && !n->companies && !n->people)
		return CRM_OK;
	rc = crm_db_stmt(imp->db, &st, "INSERT INTO import_batches(id, at, user, entity, source,"
	                 " read, created, updated, unchanged, skipped, rejected)"
	                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (rc)
		return rc;
	crm_db_now(imp->db, now);
	crm_stmt_bind_int(st, 1, imp->db->batch);
	crm_stmt_bind_text(st, 2, now);
	crm_stmt_bind_text(st, 3, imp->db->user);
	crm_stmt_bind_text(st, 4, imp->e->name);
	crm_stmt_bind_text(st, 5, imp->o.source ? imp->o.source : "-");
	crm_stmt_bind_int(st, 6, n->read);
	crm_stmt_bind_int(st, 7, n->created);
	crm_stmt_bind_int(st, 8, n->updated);
	crm_stmt_bind_int(st, 9, n->unchanged);
	crm_stmt_bind_int(st, 10, n->skipped);
	crm_stmt_bind_int(st, 11, n->rejected);
	if (!(rc = crm_stmt_done(st)))
		*batch = imp->db->batch;
	return rc;
}

void crm_import_free(crm_import *imp)
{
	if (!imp)
		return;
	imp->db->batch = 0;
	imp->db->defer_index = 0;
	imp->db->bulk = 0;
	crm_db_forget_names(imp->db);
	free(imp->db->phases);
	imp->db->phases = NULL;
	for (size_t i = 0; i < imp->ncols; i++) {
		free(imp->cols[i].name);
		free(imp->cols[i].custom);
	}
	free(imp->cols);
	for (size_t k = 0; k < imp->nkeys; k++)
		free(imp->custom_keys[k]);
	rowstate_clear(&imp->rs, imp->rs.val ? imp->e->nfields : 0);
	free(imp->rs.val);
	free(imp->rs.ready);
	free(imp->rs.owned);
	crm_buf_free(&imp->rs.note);
	crm_buf_free(&imp->rs.refs);
	crm_memo_free(imp->refs);
	crm_buf_free(&imp->reason);
	free(imp->seen.bits);
	for (size_t i = 0; i < imp->nbeside; i++)
		free(imp->beside[i].column);
	free(imp->names_column);
	free(imp->added.bits);
	free(imp->written.bits);
	free(imp->updated.bits);
	for (size_t i = 0; i < MADE; i++)
		free(imp->made[i].ids.bits);
	free(imp->grouped.bits);
	crm_buf_free(&imp->dropped);
	free(imp->group.key);
	free(imp->group.within);
	refund_drop(imp);
	crm_buf_free(&imp->group.reason);
	crm_buf_free(&imp->deferred);
	for (size_t i = 0; i < imp->ahead.n; i++)
		free(imp->ahead.names[i]);
	free(imp->ahead.names);
	free(imp->ahead.field);
	pthread_mutex_destroy(&imp->ahead.lock);
	free(imp);
}
