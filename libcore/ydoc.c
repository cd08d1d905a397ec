/* ydoc.c - YAML files loaded as documents; see ydoc.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "ydoc.h"

/* Lines count from the first of the file, which is d->line0 lines before
 * the text parsed when that is a part of it (front matter). */
static unsigned long line_of(const struct crm_ydoc *d, yaml_mark_t m)
{
	return (unsigned long)m.line + 1 + (d ? d->line0 : 0);
}

static unsigned long column_of(yaml_mark_t m)
{
	return (unsigned long)m.column + 1;
}

int crm_ydoc_fail(const struct crm_ydoc *d, yaml_mark_t m, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s", d->file, line_of(d, m), column_of(m),
	                     reason);
}

const char *crm_ydoc_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static int is_null(const yaml_node_t *node)
{
	static const char *const words[] = { "", "~", "null", "Null", "NULL" };
	const char *s = crm_ydoc_text(node);

	if (node->tag && strcmp((const char *)node->tag, YAML_NULL_TAG) == 0)
		return 1;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

enum crm_ykind crm_ydoc_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return CRM_Y_SEQUENCE;
	case YAML_MAPPING_NODE:
		return CRM_Y_MAPPING;
	default:
		return is_null(node) ? CRM_Y_NULL : CRM_Y_SCALAR;
	}
}

const char *crm_ydoc_kind_name(const yaml_node_t *node)
{
	switch (crm_ydoc_kind(node)) {
	case CRM_Y_NULL:
		return "null";
	case CRM_Y_SEQUENCE:
		return "a sequence";
	case CRM_Y_MAPPING:
		return "a mapping";
	default:
		return NULL;
	}
}

int crm_ydoc_has_nul(const yaml_node_t *node)
{
	return memchr(node->data.scalar.value, '\0', node->data.scalar.length) != NULL;
}

yaml_node_t *crm_ydoc_root(const struct crm_ydoc *d)
{
	return yaml_document_get_root_node((yaml_document_t *)&d->doc);
}

yaml_node_t *crm_ydoc_node(const struct crm_ydoc *d, int i)
{
	return yaml_document_get_node((yaml_document_t *)&d->doc, i);
}

static int same_scalar(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0;
}

int crm_ydoc_key(const struct crm_ydoc *d, const yaml_node_t *map,
                 const yaml_node_pair_t *pair, yaml_node_t **key)
{
	yaml_node_t *k = crm_ydoc_node(d, pair->key);

	if (crm_ydoc_kind(k) != CRM_Y_SCALAR || crm_ydoc_has_nul(k))
		return crm_ydoc_fail(d, k->start_mark, "expected a key name, found %s",
		                     crm_ydoc_kind_name(k) ? crm_ydoc_kind_name(k) : "an invalid name");
	for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++)
		if (same_scalar(crm_ydoc_node(d, p->key), k))
			return crm_ydoc_fail(d, k->start_mark, "duplicate key '%s'", crm_ydoc_text(k));
	*key = k;
	return CRM_OK;
}

int crm_ydoc_string(const struct crm_ydoc *d, const yaml_node_t *node, const char *name,
                    const char *what, const char **out)
{
	const char *kind = crm_ydoc_kind_name(node);

	if (kind)
		return crm_ydoc_fail(d, node->start_mark, "expected %s for '%s', found %s", what,
		                     name, kind);
	if (!node->data.scalar.length || crm_ydoc_has_nul(node))
		return crm_ydoc_fail(d, node->start_mark, "expected %s for '%s', found '%s'", what,
		                     name, crm_ydoc_text(node));
	*out = crm_ydoc_text(node);
	return CRM_OK;
}

/* libyaml reports reader errors (bad encoding) as a byte offset only; the
 * column counts characters like the parser's own marks do. */
static yaml_mark_t mark_at(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };

	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int syntax_error(const struct crm_ydoc *d, const yaml_parser_t *p, const char *text,
                        size_t len)
{
	const char *file = d->file;
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return crm_error_nomem();
	if (p->error == YAML_READER_ERROR)
		m = mark_at(text, len, p->problem_offset);
	if (p->context)
		return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s (%s at line %lu column %lu)",
		                     file, line_of(d, m), column_of(m), problem, p->context,
		                     line_of(d, p->context_mark), column_of(p->context_mark));
	return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s", file, line_of(d, m), column_of(m),
	                     problem);
}

/* A second document would be ignored without a word; refuse it instead. */
static int check_single(const struct crm_ydoc *d, yaml_parser_t *parser, const char *text,
                        size_t len)
{
	yaml_document_t next;
	int rc = CRM_OK;

	if (!crm_ydoc_root(d))
		return CRM_OK;
	if (!yaml_parser_load(parser, &next))
		return syntax_error(d, parser, text, len);
	if (yaml_document_get_root_node(&next))
		rc = crm_ydoc_fail(d, next.start_mark, "expected a single document");
	yaml_document_delete(&next);
	return rc;
}

/* Returns CRM_ENOTFOUND, recording nothing, when an optional file is absent
 * so that the caller can try the next place. */
static int read_all(const char *path, crm_buf *b, int optional)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	int e;

	if (!f) {
		if (optional && (errno == ENOENT || errno == ENOTDIR))
			return CRM_ENOTFOUND;
		return crm_error_set(CRM_EIO, "cannot open '%s': %s", path, strerror(errno));
	}
	do {
		if (crm_buf_grow(b, 4096)) {
			fclose(f);
			return CRM_ENOMEM;
		}
		n = fread(b->ptr + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		b->ptr[b->len] = '\0';
	} while (n > 0);
	e = errno;
	if (ferror(f)) {
		fclose(f);
		return crm_error_set(CRM_EIO, "cannot read '%s': %s", path, strerror(e));
	}
	fclose(f);
	return CRM_OK;
}

int crm_ydoc_parse(struct crm_ydoc *d, const char *file, const char *text, size_t len,
                   unsigned long line0)
{
	yaml_parser_t parser;
	int rc;

	d->file = file;
	d->loaded = 0;
	d->line0 = line0;
	if (!yaml_parser_initialize(&parser))
		return crm_error_nomem();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		rc = syntax_error(d, &parser, text, len);
	} else {
		d->loaded = 1;
		rc = check_single(d, &parser, text, len);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int crm_ydoc_load(struct crm_ydoc *d, const char *path, int optional)
{
	crm_buf text = CRM_BUF_INIT;
	int rc;

	d->file = path;
	d->loaded = 0;
	d->line0 = 0;
	if (!(rc = read_all(path, &text, optional)))
		rc = crm_ydoc_parse(d, path, crm_buf_str(&text), text.len, 0);
	crm_buf_free(&text);
	return rc;
}

void crm_ydoc_free(struct crm_ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
}
