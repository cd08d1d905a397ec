/* config.c - the YAML configuration file (crm-config(5)).
 *
 * The file is loaded as a libyaml document rather than consumed as events so
 * that every node keeps its position for messages, and nested values (lists,
 * maps) can be validated after the whole file is known to be well-formed.
 * A table maps each top-level key to the node kind it accepts and to a setter
 * that validates the value and stores it inside struct crm_config; a new key
 * is a new row.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "crm/buf.h"
#include "crm/config.h"
#include "crm/error.h"

/* A build may relocate the system-wide file (e.g. under a PREFIX). */
#ifndef CRM_SYSTEM_CONFIG
#define CRM_SYSTEM_CONFIG "/etc/crm/config.yaml"
#endif

#define DEFAULT_REGION "US"
#define DEFAULT_CURRENCY "EUR"

struct crm_config {
	char *path;
	char *database;
	char region[3];
	char currency[4];
	long busy_timeout;
};

/* The length of a fixed letter code is tied to the array that stores it. */
#define CODE_LEN(field) (sizeof(((struct crm_config *)0)->field) - 1)

/* Null is a kind of its own so that "key:" with nothing after it is reported
 * instead of silently meaning the default. */
enum cfg_kind { KIND_NULL, KIND_SCALAR, KIND_SEQUENCE, KIND_MAPPING };

struct loader {
	const char *file; /* the name messages report */
	yaml_document_t *doc;
	crm_config *cfg;
};

struct cfg_key;

/* Validates node (already known to be of key->kind) and stores it at dst. */
typedef int cfg_setter(const struct loader *ld, const struct cfg_key *key,
		       yaml_node_t *node, void *dst);

struct cfg_key {
	const char *name;
	enum cfg_kind kind;
	cfg_setter *set;
	size_t offset;    /* where the value lives inside struct crm_config */
	size_t arg;       /* setter-specific, e.g. the length of a letter code */
	const char *what; /* the expected value as messages describe it */
};

static int set_path(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst);
static int set_code(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst);
static int set_millis(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst);

static const struct cfg_key keys[] = {
	{ "database", KIND_SCALAR, set_path,
	  offsetof(struct crm_config, database), 0, "a path" },
	{ "default_region", KIND_SCALAR, set_code,
	  offsetof(struct crm_config, region), CODE_LEN(region),
	  "a 2-letter region code" },
	{ "base_currency", KIND_SCALAR, set_code,
	  offsetof(struct crm_config, currency), CODE_LEN(currency),
	  "a 3-letter currency code" },
	{ "busy_timeout", KIND_SCALAR, set_millis,
	  offsetof(struct crm_config, busy_timeout), 0,
	  "a non-negative integer" },
};

static unsigned long line_of(yaml_mark_t m)
{
	return (unsigned long)m.line + 1;
}

static unsigned long column_of(yaml_mark_t m)
{
	return (unsigned long)m.column + 1;
}

static int fail_at(const struct loader *ld, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(const struct loader *ld, yaml_mark_t m, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s", ld->file,
			     line_of(m), column_of(m), reason);
}

static const char *scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static int is_null(const yaml_node_t *node)
{
	static const char *const words[] = { "", "~", "null", "Null", "NULL" };
	const char *s = scalar_text(node);
	size_t i;

	if (node->tag && strcmp((const char *)node->tag, YAML_NULL_TAG) == 0)
		return 1;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static enum cfg_kind kind_of(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return KIND_SEQUENCE;
	case YAML_MAPPING_NODE:
		return KIND_MAPPING;
	default:
		return is_null(node) ? KIND_NULL : KIND_SCALAR;
	}
}

/* Describes a node that was not what a key expects; NULL for a scalar,
 * whose own text describes it better. */
static const char *kind_name(const yaml_node_t *node)
{
	switch (kind_of(node)) {
	case KIND_NULL:
		return "null";
	case KIND_SEQUENCE:
		return "a sequence";
	case KIND_MAPPING:
		return "a mapping";
	default:
		return NULL;
	}
}

static int wrong_value(const struct loader *ld, const struct cfg_key *key,
		       const yaml_node_t *node)
{
	const char *kind = kind_name(node);

	if (kind)
		return fail_at(ld, node->start_mark, "expected %s for '%s', found %s",
			       key->what, key->name, kind);
	return fail_at(ld, node->start_mark, "expected %s for '%s', found '%s'",
		       key->what, key->name, scalar_text(node));
}

/* A scalar with an embedded NUL (from a "\0" escape) cannot become a C
 * string without silently losing its tail. */
static int has_nul(const yaml_node_t *node)
{
	return memchr(node->data.scalar.value, '\0', node->data.scalar.length) != NULL;
}

static int expand_home(const struct loader *ld, const yaml_node_t *node, char **out)
{
	const char *s = scalar_text(node);
	const char *home;
	crm_buf b = CRM_BUF_INIT;
	size_t n;

	if (strncmp(s, "~/", 2) != 0) {
		*out = strdup(s);
		return *out ? CRM_OK : crm_error_nomem();
	}
	home = getenv("HOME");
	if (!home || !*home)
		return fail_at(ld, node->start_mark, "cannot expand '%s': HOME is not set", s);
	n = strlen(home);
	while (n > 0 && home[n - 1] == '/')
		n--;
	if (crm_buf_put(&b, home, n) || crm_buf_puts(&b, s + 1)) {
		crm_buf_free(&b);
		return CRM_ENOMEM;
	}
	*out = crm_buf_detach(&b);
	return CRM_OK;
}

static int set_path(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst)
{
	char **slot = dst;
	char *p;
	int rc;

	if (node->data.scalar.length == 0 || has_nul(node))
		return wrong_value(ld, key, node);
	rc = expand_home(ld, node, &p);
	if (rc)
		return rc;
	free(*slot);
	*slot = p;
	return CRM_OK;
}

/* Only ASCII letters count: a locale's isalpha() would admit letters that
 * no ISO code contains. */
static int set_code(const struct loader *ld, const struct cfg_key *key,
		    yaml_node_t *node, void *dst)
{
	const char *s = scalar_text(node);
	char *code = dst;
	size_t i;

	if (node->data.scalar.length != key->arg)
		return wrong_value(ld, key, node);
	for (i = 0; i < key->arg; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c < 'A' || c > 'Z')
			return wrong_value(ld, key, node);
		code[i] = c;
	}
	code[key->arg] = '\0';
	return CRM_OK;
}

/* Digits only: strtol alone would accept signs, blanks and a 0x prefix. */
static int set_millis(const struct loader *ld, const struct cfg_key *key,
		      yaml_node_t *node, void *dst)
{
	const char *s = scalar_text(node);
	size_t len = node->data.scalar.length;
	long *slot = dst;
	long v;

	if (len == 0 || strspn(s, "0123456789") != len)
		return wrong_value(ld, key, node);
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE)
		return fail_at(ld, node->start_mark, "value '%s' for '%s' is too large",
			       s, key->name);
	*slot = v;
	return CRM_OK;
}

static int same_scalar(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* Stores in *key the key node of pair after checking that it is a name not
 * seen earlier in map; shared by every mapping the file may hold. */
static int mapping_key(const struct loader *ld, const yaml_node_t *map,
		       const yaml_node_pair_t *pair, yaml_node_t **key)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);

	if (kind_of(k) != KIND_SCALAR || has_nul(k))
		return fail_at(ld, k->start_mark, "expected a key name, found %s",
			       kind_name(k) ? kind_name(k) : "an invalid name");
	for (p = map->data.mapping.pairs.start; p < pair; p++) {
		if (same_scalar(yaml_document_get_node(ld->doc, p->key), k))
			return fail_at(ld, k->start_mark, "duplicate key '%s'",
				       scalar_text(k));
	}
	*key = k;
	return CRM_OK;
}

static const struct cfg_key *find_key(const yaml_node_t *k)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].name, scalar_text(k)) == 0)
			return &keys[i];
	return NULL;
}

static int apply_pair(const struct loader *ld, const yaml_node_t *map,
		      const yaml_node_pair_t *pair)
{
	const struct cfg_key *key;
	yaml_node_t *k = NULL, *v;
	int rc;

	rc = mapping_key(ld, map, pair, &k);
	if (rc)
		return rc;
	key = find_key(k);
	if (!key)
		return fail_at(ld, k->start_mark, "unknown key '%s'", scalar_text(k));
	v = yaml_document_get_node(ld->doc, pair->value);
	if (kind_of(v) != key->kind)
		return wrong_value(ld, key, v);
	return key->set(ld, key, v, (char *)ld->cfg + key->offset);
}

static int apply_root(const struct loader *ld)
{
	yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	yaml_node_pair_t *pair;
	int rc;

	/* An empty file, comments only or a bare "---" all mean defaults. */
	if (!root || kind_of(root) == KIND_NULL)
		return CRM_OK;
	if (root->type != YAML_MAPPING_NODE)
		return fail_at(ld, root->start_mark,
			       "expected a mapping at the top level, found %s",
			       kind_name(root) ? kind_name(root) : "a scalar");
	for (pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		rc = apply_pair(ld, root, pair);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

/* libyaml reports reader errors (bad encoding) as a byte offset only; the
 * column counts characters like the parser's own marks do. */
static yaml_mark_t mark_at(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = { offset, 0, 0 };
	size_t i;

	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

static int syntax_error(const char *file, const yaml_parser_t *p, const crm_buf *text)
{
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return crm_error_nomem();
	if (p->error == YAML_READER_ERROR)
		m = mark_at(crm_buf_str(text), text->len, p->problem_offset);
	if (p->context)
		return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s (%s at line %lu column %lu)",
				     file, line_of(m), column_of(m), problem, p->context,
				     line_of(p->context_mark), column_of(p->context_mark));
	return crm_error_set(CRM_EUSAGE, "%s:%lu:%lu: %s", file, line_of(m),
			     column_of(m), problem);
}

/* A second document would be ignored without a word; refuse it instead. */
static int check_single(const struct loader *ld, yaml_parser_t *parser,
			const crm_buf *text)
{
	yaml_document_t next;
	int rc = CRM_OK;

	if (!yaml_document_get_root_node(ld->doc))
		return CRM_OK;
	if (!yaml_parser_load(parser, &next))
		return syntax_error(ld->file, parser, text);
	if (yaml_document_get_root_node(&next))
		rc = fail_at(ld, next.start_mark, "expected a single document");
	yaml_document_delete(&next);
	return rc;
}

static int parse_text(crm_config *cfg, const char *file, const crm_buf *text)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct loader ld = { file, &doc, cfg };
	int rc;

	if (!yaml_parser_initialize(&parser))
		return crm_error_nomem();
	yaml_parser_set_input_string(&parser, (const unsigned char *)crm_buf_str(text),
				     text->len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = syntax_error(file, &parser, text);
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = check_single(&ld, &parser, text);
	if (!rc)
		rc = apply_root(&ld);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
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

static int load_path(crm_config *cfg, const char *path, int optional)
{
	crm_buf text = CRM_BUF_INIT;
	int rc;

	rc = read_all(path, &text, optional);
	if (!rc)
		rc = parse_text(cfg, path, &text);
	crm_buf_free(&text);
	if (rc)
		return rc;
	cfg->path = strdup(path);
	return cfg->path ? CRM_OK : crm_error_nomem();
}

/* The XDG base directory spec says to ignore a relative $XDG_CONFIG_HOME;
 * leaves b empty when neither it nor $HOME gives a place to look. */
static int user_path(crm_buf *b)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return crm_buf_printf(b, "%s/crm/config.yaml", xdg);
	if (home && *home)
		return crm_buf_printf(b, "%s/.config/crm/config.yaml", home);
	return CRM_OK;
}

static int load_default(crm_config *cfg)
{
	const char *env = getenv("CRM_CONFIG");
	crm_buf user = CRM_BUF_INIT;
	int rc;

	if (env && *env)
		return load_path(cfg, env, 0);
	rc = user_path(&user);
	if (!rc)
		rc = user.len ? load_path(cfg, user.ptr, 1) : CRM_ENOTFOUND;
	crm_buf_free(&user);
	if (rc != CRM_ENOTFOUND)
		return rc;
	rc = load_path(cfg, CRM_SYSTEM_CONFIG, 1);
	return rc == CRM_ENOTFOUND ? CRM_OK : rc;
}

int crm_config_load(crm_config **out, const char *path)
{
	crm_config *cfg = calloc(1, sizeof *cfg);
	int rc;

	*out = NULL;
	if (!cfg)
		return crm_error_nomem();
	memcpy(cfg->region, DEFAULT_REGION, sizeof cfg->region);
	memcpy(cfg->currency, DEFAULT_CURRENCY, sizeof cfg->currency);
	cfg->busy_timeout = -1;
	rc = path ? load_path(cfg, path, 0) : load_default(cfg);
	if (rc) {
		crm_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return CRM_OK;
}

const char *crm_config_path(const crm_config *c)
{
	return c ? c->path : NULL;
}

const char *crm_config_database(const crm_config *c)
{
	return c ? c->database : NULL;
}

const char *crm_config_region(const crm_config *c)
{
	return c ? c->region : DEFAULT_REGION;
}

const char *crm_config_currency(const crm_config *c)
{
	return c ? c->currency : DEFAULT_CURRENCY;
}

long crm_config_busy_timeout(const crm_config *c)
{
	return c ? c->busy_timeout : -1;
}

void crm_config_free(crm_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->database);
	free(c);
}
