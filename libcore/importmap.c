/* importmap.c - the import mapping file (--map); syntax in crm-config(5).
 *
 *   columns:                       # column name: what it means
 *     Full name: split             # field | custom.KEY | split | note | ignore
 *     Signed up: { field: birth_date, date_format: "%d/%m/%Y" }
 *   set: { source: webshop }       # values for fields a record leaves empty
 *   tags: [webshop]                # added to every record
 *   ignore: [Row, Internal ID]     # columns left out
 *
 * Column names match the way headers do (crm_column_key), so the file may
 * spell them as loosely as the automatic mapping accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "importmap.h"
#include "internal.h"
#include "ydoc.h"

struct maploader {
	const struct crm_ydoc *yd;
	const struct crm_entity *e;
	crm_import_map *m;
};

static int push_str(char ***v, size_t n, const char *s)
{
	char **p = realloc(*v, (n + 1) * sizeof **v);

	if (!p)
		return crm_error_nomem();
	*v = p;
	return (p[n] = strdup(s)) ? CRM_OK : crm_error_nomem();
}

/* Adds an entry for column with target kind k and name (copied). */
static int add_column(crm_import_map *m, const char *column, enum crm_target_kind k,
                      const char *name, const char *date_format)
{
	struct crm_map_column *p = realloc(m->cols, (m->ncols + 1) * sizeof *p), *c;
	char key[128];

	if (!p)
		return crm_error_nomem();
	m->cols = p;
	c = memset(&p[m->ncols], 0, sizeof *c);
	c->key = strdup(crm_column_key(key, sizeof key, column));
	c->name = strdup(name);
	c->date_format = date_format ? strdup(date_format) : NULL;
	m->ncols++;
	if (!c->key || !c->name || (date_format && !c->date_format))
		return crm_error_nomem();
	c->t.kind = k;
	c->t.name = c->name;
	return CRM_OK;
}

/* Resolves what a column is mapped to: a settable field, id, tags,
 * custom.KEY, line.PART of a line item, or one of the words split,
 * note, ignore. */
static int parse_target(const struct maploader *ld, const yaml_node_t *node, const char *text,
                        enum crm_target_kind *k, const struct crm_field **f)
{
	const struct crm_entity *e = ld->e;

	*f = NULL;
	if (!strcmp(text, "ignore"))
		return *k = CRM_TO_IGNORE, CRM_OK;
	if (!strcmp(text, "split") && crm_entity_field_find(e, "first_name") &&
	    crm_entity_field_find(e, "last_name"))
		return *k = CRM_TO_SPLIT, CRM_OK;
	if (!strcmp(text, "note") && e->note_table)
		return *k = CRM_TO_NOTE, CRM_OK;
	if (!strcmp(text, "currency") && crm_entity_has_money(e))
		return *k = CRM_TO_CURRENCY, CRM_OK;
	if (e == &crm_contact_entity && !strncmp(text, "consent.", 8)) {
		if (!crm_contact_channel_p(text + 8))
			return crm_ydoc_fail(ld->yd, node->start_mark, "unknown channel '%s' (expected"
			                     " email, phone, sms, post or chat)", text + 8);
		return *k = CRM_TO_CONSENT, CRM_OK;
	}
	if (!strncmp(text, "line.", 5) && e->import_line) {
		for (size_t i = 0; i < CRM_LINE_PARTS; i++)
			if (!strcmp(text + 5, crm_line_parts[i]))
				return *k = CRM_TO_LINE, CRM_OK;
		return crm_ydoc_fail(ld->yd, node->start_mark, "unknown part of a line item '%s'"
		                     " (expected line.sku, line.name, line.category, line.quantity,"
		                     " line.price or line.amount)", text + 5);
	}
	if (!strncmp(text, "custom.", 7)) {
		crm_record *r;
		int rc = crm_record_new(&r, e);
		if (!rc)
			rc = crm_record_set_custom(r, text + 7, "x");
		crm_record_free(r);
		if (rc)
			return crm_ydoc_fail(ld->yd, node->start_mark, "%s", crm_error_message());
		return *k = CRM_TO_CUSTOM, CRM_OK;
	}
	*f = crm_entity_field_find(e, text);
	if (*f && (!((*f)->flags & CRM_FIELD_RO) || !strcmp(text, "id") ||
	           ((*f)->flags & CRM_FIELD_ORIGIN) ||
	           ((*f)->type == CRM_FT_TAGS && e->tag_table)))
		return *k = CRM_TO_FIELD, CRM_OK;
	return crm_ydoc_fail(ld->yd, node->start_mark, "unknown %s field '%s'", e->name, text);
}

/* A column entry: "Column: target" or "Column: {field: F, date_format: FMT}". */
static int load_column(const struct maploader *ld, const char *column, const yaml_node_t *v)
{
	const yaml_node_t *fnode = v, *dnode = NULL;
	const char *text, *fmt = NULL;
	const struct crm_field *f;
	enum crm_target_kind k;
	int rc;

	if (crm_ydoc_kind(v) == CRM_Y_MAPPING) {
		fnode = NULL;
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *key;
			if ((rc = crm_ydoc_key(ld->yd, v, p, &key)))
				return rc;
			if (!strcmp(crm_ydoc_text(key), "field"))
				fnode = crm_ydoc_node(ld->yd, p->value);
			else if (!strcmp(crm_ydoc_text(key), "date_format"))
				dnode = crm_ydoc_node(ld->yd, p->value);
			else
				return crm_ydoc_fail(ld->yd, key->start_mark, "unknown key '%s'"
				                     " (expected field or date_format)", crm_ydoc_text(key));
		}
		if (!fnode)
			return crm_ydoc_fail(ld->yd, v->start_mark, "column '%s' needs a field", column);
	}
	if ((rc = crm_ydoc_string(ld->yd, fnode, column, "a field name", &text)) ||
	    (rc = parse_target(ld, fnode, text, &k, &f)))
		return rc;
	if (dnode && (rc = crm_ydoc_string(ld->yd, dnode, "date_format", "a strptime format", &fmt)))
		return rc;
	if (fmt && (!f || !crm_field_dated(f)))
		return crm_ydoc_fail(ld->yd, dnode->start_mark, "date_format needs a date or time"
		                     " field, not '%s'", text);
	return add_column(ld->m, column, k, k == CRM_TO_CUSTOM ? text + 7
	                                    : k == CRM_TO_CONSENT ? text + 8
	                                    : k == CRM_TO_LINE ? text + 5 : text, fmt);
}

static int load_columns(const struct maploader *ld, const yaml_node_t *map)
{
	int rc;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *key;
		if ((rc = crm_ydoc_key(ld->yd, map, p, &key)) ||
		    (rc = load_column(ld, crm_ydoc_text(key), crm_ydoc_node(ld->yd, p->value))))
			return rc;
	}
	return CRM_OK;
}

static int load_set(const struct maploader *ld, const yaml_node_t *map)
{
	crm_import_map *m = ld->m;
	int rc;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *key, *v = crm_ydoc_node(ld->yd, p->value);
		const struct crm_field *f;
		const char *value;
		if ((rc = crm_ydoc_key(ld->yd, map, p, &key)))
			return rc;
		f = crm_entity_field_find(ld->e, crm_ydoc_text(key));
		if (!f || (f->flags & CRM_FIELD_RO))
			return crm_ydoc_fail(ld->yd, key->start_mark, "unknown %s field '%s'",
			                     ld->e->name, crm_ydoc_text(key));
		if ((rc = crm_ydoc_string(ld->yd, v, f->name, "a value", &value)) ||
		    (rc = push_str(&m->set_field, m->nset, f->name)) ||
		    (rc = push_str(&m->set_value, m->nset, value)))
			return rc;
		m->nset++;
	}
	return CRM_OK;
}

/* A list of names: the tags to add, or the columns to ignore. */
static int load_list(const struct maploader *ld, const yaml_node_t *seq, const char *what)
{
	crm_import_map *m = ld->m;
	int rc;

	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
		const char *s;
		if ((rc = crm_ydoc_string(ld->yd, crm_ydoc_node(ld->yd, *i), what, "a name", &s)))
			return rc;
		if (!strcmp(what, "tags") && !(rc = push_str(&m->tags, m->ntags, s)))
			m->ntags++;
		else if (strcmp(what, "tags"))
			rc = add_column(m, s, CRM_TO_IGNORE, s, NULL);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

static int load_root(const struct maploader *ld)
{
	yaml_node_t *root = crm_ydoc_root(ld->yd);
	int rc;

	if (!root || crm_ydoc_kind(root) == CRM_Y_NULL)
		return CRM_OK;
	if (root->type != YAML_MAPPING_NODE)
		return crm_ydoc_fail(ld->yd, root->start_mark, "expected a mapping at the top level");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *key, *v = crm_ydoc_node(ld->yd, p->value);
		const char *name;
		enum crm_ykind want;
		if ((rc = crm_ydoc_key(ld->yd, root, p, &key)))
			return rc;
		name = crm_ydoc_text(key);
		if (!strcmp(name, "columns") || !strcmp(name, "set"))
			want = CRM_Y_MAPPING;
		else if (!strcmp(name, "tags") || !strcmp(name, "ignore"))
			want = CRM_Y_SEQUENCE;
		else
			return crm_ydoc_fail(ld->yd, key->start_mark, "unknown key '%s' (expected"
			                     " columns, set, tags or ignore)", name);
		if (crm_ydoc_kind(v) != want)
			return crm_ydoc_fail(ld->yd, v->start_mark, "expected %s for '%s'",
			                     want == CRM_Y_MAPPING ? "a mapping" : "a sequence", name);
		if (!strcmp(name, "tags") && !ld->e->tag_table)
			return crm_ydoc_fail(ld->yd, key->start_mark, "%s records have no tags",
			                     ld->e->name);
		rc = !strcmp(name, "columns") ? load_columns(ld, v)
		   : !strcmp(name, "set") ? load_set(ld, v) : load_list(ld, v, name);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

int crm_import_map_load(crm_import_map **out, const char *path, const struct crm_entity *e)
{
	struct crm_ydoc yd;
	struct maploader ld = { &yd, e, calloc(1, sizeof *ld.m) };
	int rc;

	*out = NULL;
	if (!ld.m)
		return crm_error_nomem();
	rc = crm_ydoc_load(&yd, path, 0);
	if (!rc)
		rc = load_root(&ld);
	crm_ydoc_free(&yd);
	if (rc) {
		crm_import_map_free(ld.m);
		return rc;
	}
	*out = ld.m;
	return CRM_OK;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void crm_import_map_free(crm_import_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ncols; i++) {
		free(m->cols[i].key);
		free(m->cols[i].name);
		free(m->cols[i].date_format);
	}
	free(m->cols);
	free_strs(m->set_field, m->nset);
	free_strs(m->set_value, m->nset);
	free_strs(m->tags, m->ntags);
	free(m);
}

const struct crm_map_column *crm_import_map_find(const crm_import_map *m, const char *column)
{
	char key[128];

	if (!m)
		return NULL;
	crm_column_key(key, sizeof key, column);
	/* The last entry for a column wins, as later lines override earlier. */
	for (size_t i = m->ncols; i-- > 0;)
		if (!strcmp(m->cols[i].key, key))
			return &m->cols[i];
	return NULL;
}
