/* kb_files.c - knowledge-base articles as files: Markdown with a YAML
 * front matter (import, export, and the text crm-kb edit hands to an
 * editor), and a static help centre in HTML (crm-kb(1)).
 *
 *   ---
 *   id: 12
 *   title: "Resetting a password"
 *   category: "accounts"
 *   locale: en
 *   status: published
 *   tags: ["login"]
 *   ---
 *
 *   Markdown body ...
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "crm/config.h"
#include "crm/kb.h"
#include "crm/norm.h"
#include "kb_impl.h"
#include "registry.h"
#include "text.h"
#include "ydoc.h"

/* A file bigger than this is no article. */
#define MAX_FILE (16L << 20)

const char *const crm_kb_keys[CRM_KB_NKEYS] = {
	"id", "title", "category", "locale", "status", "tags"
};

void crm_kb_doc_free(struct crm_kb_doc *d)
{
	for (int i = 0; i < CRM_KB_NKEYS; i++)
		free(d->value[i]);
	free(d->body);
	memset(d, 0, sizeof *d);
}

/* Fails with CRM_EDATA "file:line: message". */
static int fail_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(const char *file, unsigned long line, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return crm_error_set(CRM_EDATA, "%s:%lu: %s", file, line, msg);
}

/* The line of the first byte that is not UTF-8, or 0 when all are. */
static unsigned long bad_utf8_line(const char *text)
{
	unsigned long line = 1;

	for (const char *p = text; *p; line++) {
		size_t n = strcspn(p, "\n");
		if (!crm_utf8_valid_p(p, n))
			return line;
		p += n + (p[n] == '\n');
	}
	return 0;
}

/* Whether the line at p (n bytes, without its newline) is the "---"
 * that opens or closes a front matter. */
static int fence_p(const char *p, size_t n)
{
	while (n > 3 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n == 3 && !memcmp(p, "---", 3);
}

/* Reads value node v of key k into d: a scalar, null (cleared) or, for
 * tags, a sequence of scalars. */
static int read_value(const struct crm_ydoc *yd, struct crm_kb_doc *d, int k, yaml_node_t *v)
{
	crm_buf b = CRM_BUF_INIT;
	enum crm_ykind kind = crm_ydoc_kind(v);

	d->has[k] = 1;
	d->line[k] = (unsigned long)v->start_mark.line + 1 + yd->line0;
	if (kind == CRM_Y_NULL)
		return CRM_OK;
	if (kind == CRM_Y_SCALAR && !crm_ydoc_has_nul(v))
		return (d->value[k] = strdup(crm_ydoc_text(v))) ? CRM_OK : crm_error_nomem();
	if (kind != CRM_Y_SEQUENCE || k != CRM_KB_TAGS)
		return crm_ydoc_fail(yd, v->start_mark, "%s: expected %s, found %s", crm_kb_keys[k],
		                     k == CRM_KB_TAGS ? "a list of tags" : "text",
		                     crm_ydoc_kind_name(v) ? crm_ydoc_kind_name(v) : "a NUL");
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *t = crm_ydoc_node(yd, *it);
		if (crm_ydoc_kind(t) != CRM_Y_SCALAR || crm_ydoc_has_nul(t)) {
			crm_buf_free(&b);
			return crm_ydoc_fail(yd, t->start_mark, "tags: expected a tag, found %s",
			                     crm_ydoc_kind_name(t) ? crm_ydoc_kind_name(t) : "a NUL");
		}
		crm_buf_printf(&b, "%s%s", b.len ? "," : "", crm_ydoc_text(t));
	}
	d->value[k] = crm_buf_detach(&b);
	return CRM_OK;
}

/* Reads the front matter's mapping into d. */
static int read_front(const struct crm_ydoc *yd, struct crm_kb_doc *d)
{
	yaml_node_t *root = crm_ydoc_root(yd), *k;
	int rc = CRM_OK, i;

	if (!root || crm_ydoc_kind(root) == CRM_Y_NULL)
		return CRM_OK;
	if (root->type != YAML_MAPPING_NODE)
		return crm_ydoc_fail(yd, root->start_mark, "expected the article's fields (a mapping)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(yd, root, p, &k)))
			break;
		for (i = 0; i < CRM_KB_NKEYS && strcmp(crm_kb_keys[i], crm_ydoc_text(k)); i++)
			;
		if (i == CRM_KB_NKEYS)
			rc = crm_ydoc_fail(yd, k->start_mark, "unknown field '%s' (an article has id, title,"
			                   " category, locale, status and tags)", crm_ydoc_text(k));
		else
			rc = read_value(yd, d, i, crm_ydoc_node(yd, p->value));
	}
	return rc;
}

int crm_kb_doc_parse(struct crm_kb_doc *d, const char *file, const char *text)
{
	const char *p = text, *yaml;
	unsigned long line = 1, bad;
	struct crm_ydoc yd;
	int rc;

	memset(d, 0, sizeof *d);
	if ((bad = bad_utf8_line(text)))
		return fail_at(file, bad, "invalid UTF-8");
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	if (!fence_p(p, strcspn(p, "\n")) || !p[strcspn(p, "\n")])
		return fail_at(file, 1, "no front matter (the first line must be '---')");
	yaml = p += strcspn(p, "\n") + 1;
	for (line = 2; *p && !fence_p(p, strcspn(p, "\n")); line++)
		p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
	if (!*p)
		return fail_at(file, 1, "the front matter has no closing '---' line");
	rc = crm_ydoc_parse(&yd, file, yaml, (size_t)(p - yaml), 1);
	if (!rc)
		rc = read_front(&yd, d);
	crm_ydoc_free(&yd);
	p += strcspn(p, "\n");
	if (!rc && !(d->body = strdup(*p ? p + 1 : "")))
		rc = crm_error_nomem();
	if (rc) {
		crm_kb_doc_free(d);
		return rc == CRM_EUSAGE ? crm_error_recode(CRM_EDATA) : rc;
	}
	return CRM_OK;
}

/* ---- writing an article's file */

/* Appends s to b as a YAML double-quoted scalar: backslash, quote, the
 * C0 controls, DEL, and what YAML reads as line breaks or a byte order
 * mark escaped, the rest as it is (UTF-8). */
static void yaml_quote(crm_buf *b, const char *s)
{
	crm_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			crm_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			crm_buf_puts(b, "\\n");
		else if (*p == '\t')
			crm_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			crm_buf_printf(b, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] == 0x85)
			crm_buf_puts(b, "\\N"), p++;
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			crm_buf_puts(b, p[2] == 0xa8 ? "\\L" : "\\P"), p += 2;
		else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			crm_buf_puts(b, "\\uFEFF"), p += 2;
		else
			crm_buf_putc(b, (char)*p);
	}
	crm_buf_putc(b, '"');
}

enum { A_ID, A_TITLE, A_CATEGORY, A_LOCALE, A_STATUS, A_TAGS, A_BODY, A_N };

#define ARTICLE_COLUMNS "id, title, category, locale, status, tags, body"

static int format_row(crm_buf *b, const char *const *v)
{
	crm_buf_printf(b, "---\nid: %s\ntitle: ", v[A_ID]);
	yaml_quote(b, v[A_TITLE]);
	if (v[A_CATEGORY]) {
		crm_buf_puts(b, "\ncategory: ");
		yaml_quote(b, v[A_CATEGORY]);
	}
	crm_buf_printf(b, "\nlocale: %s\nstatus: %s\n", v[A_LOCALE], v[A_STATUS]);
	if (v[A_TAGS] && *v[A_TAGS]) {
		const char *t = v[A_TAGS];

		crm_buf_puts(b, "tags: [");
		for (size_t n; *t; t += n + (t[n] == ',')) {
			char *one = strndup(t, n = strcspn(t, ","));
			if (!one)
				return crm_error_nomem();
			if (t != v[A_TAGS])
				crm_buf_puts(b, ", ");
			yaml_quote(b, one);
			free(one);
		}
		crm_buf_puts(b, "]\n");
	}
	crm_buf_puts(b, "---\n");
	if (v[A_BODY])
		crm_buf_printf(b, "\n%s\n", v[A_BODY]);
	return CRM_OK;
}

static int format_one(void *arg, const char *const *vals)
{
	return format_row(arg, vals) ? CRM_ENOMEM : 1;
}

int crm_kb_format(crm_db *db, int64_t id, crm_buf *out)
{
	int rc = crm_entity_exists(db, &crm_article_entity, id);

	if (!rc)
		rc = crm_db_each(db, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE id = ?1", id,
		                 format_one, out);
	return rc < 0 ? rc : CRM_OK;
}

/* ---- reading one */

static const char *val(const struct crm_kb_doc *d, int k)
{
	return d->value[k];
}

/* Checks each value the front matter gives against its field, so that
 * a message names the line. */
static int check_values(crm_db *db, const char *file, const struct crm_kb_doc *d)
{
	const struct crm_entity *e = &crm_article_entity;
	char *out = NULL;
	int rc = CRM_OK;

	for (int k = CRM_KB_TITLE; k < CRM_KB_TAGS && !rc; k++) {
		const struct crm_field *f = crm_entity_field_find(e, crm_kb_keys[k]);

		if (!val(d, k) || !val(d, k)[strspn(val(d, k), " \t")])
			continue;
		if (k == CRM_KB_LOCALE && !crm_config_locale(db->cfg, val(d, k)))
			rc = crm_error_set(CRM_EDATA, "unknown locale '%s'", val(d, k));
		else if (!(rc = crm_field_value(db, crm_fielddef_of(f), val(d, k), NULL, &out)))
			free(out);
		if (rc == CRM_EDATA)
			rc = fail_at(file, d->line[k], "%s: %s", crm_kb_keys[k], crm_error_message());
	}
	return rc;
}

/* The live article of the title and locale, or 0. */
static int by_title(crm_db *db, const char *title, const char *locale, int64_t *id)
{
	char *t = NULL;
	crm_stmt *st;
	int rc = crm_text_nfc(&t, title);

	*id = 0;
	if (!rc && !(rc = crm_db_stmt(db, &st, "SELECT id FROM articles WHERE title = ?1"
	                             " AND lower(locale) = lower(?2) AND archived_at IS NULL"
	                             " ORDER BY id LIMIT 1"))) {
		crm_stmt_bind_text(st, 1, t);
		crm_stmt_bind_text(st, 2, locale);
		if ((rc = crm_stmt_step(st)) == CRM_ROW)
			*id = crm_stmt_int(st, 0);
		crm_stmt_reset(st);
		rc = rc < 0 ? rc : CRM_OK;
	}
	free(t);
	return rc;
}

/* Decides which article the file writes: *id (0 for a new one). */
static int target(crm_db *db, const char *file, const struct crm_kb_doc *d, int64_t *id)
{
	long long v;
	const char *locale = val(d, CRM_KB_LOCALE) ? val(d, CRM_KB_LOCALE)
	                                            : crm_config_locale(db->cfg, NULL);

	if (val(d, CRM_KB_ID)) {
		if (!crm_int_parse(val(d, CRM_KB_ID), 1, INT64_MAX, &v))
			return fail_at(file, d->line[CRM_KB_ID], "id: invalid id '%s'", val(d, CRM_KB_ID));
		if (*id && v != *id)
			return fail_at(file, d->line[CRM_KB_ID], "id: the file is of article %s, not %lld",
			               val(d, CRM_KB_ID), (long long)*id);
		if (crm_entity_exists(db, &crm_article_entity, v))
			return fail_at(file, d->line[CRM_KB_ID], "id: no article %s", val(d, CRM_KB_ID));
		*id = v;
		return CRM_OK;
	}
	if (*id || !val(d, CRM_KB_TITLE))
		return CRM_OK;
	return by_title(db, val(d, CRM_KB_TITLE), locale, id);
}

/* The change set of the file: the fields it gives, and its body. */
static int change_set(const struct crm_kb_doc *d, crm_record **r)
{
	int rc = crm_record_new(r, &crm_article_entity);

	for (int k = CRM_KB_TITLE; k < CRM_KB_TAGS && !rc; k++)
		if (d->has[k])
			rc = crm_record_set(*r, crm_kb_keys[k], val(d, k) ? val(d, k) : "");
	if (!rc)
		rc = crm_record_set(*r, "body", d->body);
	return rc;
}

int crm_kb_apply(crm_db *db, int64_t id, const char *file, const char *text,
                 struct crm_kb_counts *n)
{
	struct crm_kb_doc d;
	crm_record *r = NULL;
	int rc = crm_kb_doc_parse(&d, file, text), changed = 0, tags = 0;

	if (rc)
		return rc;
	n->files++;
	if (!(rc = check_values(db, file, &d)) && !(rc = target(db, file, &d, &id)) &&
	    !(rc = change_set(&d, &r))) {
		if (!id && !(val(&d, CRM_KB_TITLE) && *val(&d, CRM_KB_TITLE)))
			rc = fail_at(file, 1, "title: a new article needs a title");
		else if (!id && !(rc = crm_entity_add(db, r, &id)))
			changed = 2;
		else if (!rc)
			rc = crm_entity_update(db, r, id, &changed);
		if (!rc && d.has[CRM_KB_TAGS])
			rc = crm_entity_tags_set(db, &crm_article_entity, id, val(&d, CRM_KB_TAGS), &tags);
		if (rc == CRM_EDATA && strncmp(crm_error_message(), file, strlen(file)))
			rc = fail_at(file, 1, "%s", crm_error_message());
	}
	if (!rc) {
		n->created += changed == 2;
		n->updated += changed == 1 || (changed != 2 && tags);
		n->unchanged += !changed && !tags;
	}
	crm_record_free(r);
	crm_kb_doc_free(&d);
	return rc;
}

/* ---- import */

static int read_file(const char *path, char **out)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_buf_read_file(&b, path, MAX_FILE);

	*out = NULL;
	if (rc == CRM_EDATA)
		rc = crm_error_set(CRM_EDATA, "%s: larger than %ld bytes", path, MAX_FILE);
	if (!rc && memchr(crm_buf_str(&b), '\0', b.len))
		rc = crm_error_set(CRM_EDATA, "%s: a NUL byte: not a text file", path);
	if (!rc && !(*out = crm_buf_detach(&b)))
		rc = crm_error_nomem();
	crm_buf_free(&b);
	return rc;
}

struct paths {
	char **p;
	size_t n, cap;
};

static int paths_add(struct paths *ps, const char *path)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 64;
		char **p = realloc(ps->p, cap * sizeof *p);
		if (!p)
			return crm_error_nomem();
		ps->p = p;
		ps->cap = cap;
	}
	return (ps->p[ps->n++] = strdup(path)) ? CRM_OK : crm_error_nomem();
}

/* Gathers the *.md files under dir; hidden entries (.git) and symbolic
 * links are passed over. */
static int walk(const char *dir, struct paths *ps)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	crm_buf path = CRM_BUF_INIT;
	struct stat sb;
	int rc = CRM_OK;

	if (!d)
		return crm_error_set(CRM_EIO, "cannot open '%s': %s", dir, strerror(errno));
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		crm_buf_clear(&path);
		crm_buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(crm_buf_str(&path), &sb))
			rc = crm_error_set(CRM_EIO, "cannot read '%s': %s", crm_buf_str(&path),
			                   strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			rc = walk(crm_buf_str(&path), ps);
		else if (S_ISREG(sb.st_mode) && n > 3 && !strcmp(de->d_name + n - 3, ".md"))
			rc = paths_add(ps, crm_buf_str(&path));
	}
	closedir(d);
	crm_buf_free(&path);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int crm_kb_import(crm_db *db, const char *dir, struct crm_kb_counts *n)
{
	struct paths ps = { NULL, 0, 0 };
	char *text = NULL;
	int rc = crm_db_writable(db);

	if (!rc)
		rc = walk(dir, &ps);
	if (!rc)
		qsort(ps.p, ps.n, sizeof *ps.p, cmp_path);
	for (size_t i = 0; i < ps.n && !rc; i++) {
		if (!(rc = read_file(ps.p[i], &text)))
			rc = crm_kb_apply(db, 0, ps.p[i], text, n);
		free(text);
		text = NULL;
	}
	for (size_t i = 0; i < ps.n; i++)
		free(ps.p[i]);
	free(ps.p);
	return rc;
}

/* ---- export */

/* Whether code point c goes into a slug as it is: a letter, a mark that
 * is part of one (an Indic vowel sign, a kana's voicing mark) or a digit.
 * The modifier letters of the Latin alphabet (Uzbek's ʻ) are punctuation
 * here; the kana's length mark ー is not. */
static int slug_char_p(int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LM:
		return c < 0x2B0 || c > 0x2FF;
	case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
		return 1;
	default:
		return 0;
	}
}

/* Appends to b the letters, marks and digits of the match key f, other
 * runs as one '-', at most 60 bytes and never half a character. */
static void slug_of(crm_buf *b, const char *f)
{
	size_t len = strlen(f), n = 0, k;
	int32_t c;

	for (size_t i = 0; i < len; i += k) {
		k = crm_utf8_decode_lax(f + i, len - i, &c);
		if (slug_char_p(c) && n + k <= 60) {
			crm_buf_put(b, f + i, k);
			n += k;
		} else if (slug_char_p(c)) {
			break;
		} else if (n && b->ptr[b->len - 1] != '-') {
			crm_buf_putc(b, '-');
			n++;
		}
	}
	while (n && b->ptr[b->len - 1] == '-')
		b->ptr[--b->len] = '\0', n--;
}

/* Whether s holds a Greek or Cyrillic letter, which crm_text_fold writes
 * in Latin. */
static int romanised_p(const char *s)
{
	size_t len = strlen(s), k;
	int32_t c;

	for (size_t i = 0; i < len; i += k) {
		k = crm_utf8_decode_lax(s + i, len - i, &c);
		if (c >= 0x370 && c <= 0x52F)
			return 1;
	}
	return 0;
}

/* Appends to b a file name made of s: its case- and accent-free form, in
 * Latin for Greek and Cyrillic (crm_text_fold, as a Russian help centre's
 * addresses are usually written), the letters of other scripts as they
 * are (nothing in the toolkit writes Japanese or Arabic in Latin, and
 * two categories must not become one folder); fallback when nothing is
 * left. */
static int slug(crm_buf *b, const char *s, const char *fallback)
{
	size_t start = b->len;
	char *f = NULL;
	int rc = crm_text_key(&f, s ? s : "");

	if (!rc && romanised_p(f)) {
		free(f);
		f = NULL;
		rc = crm_text_fold(&f, s);
	}
	if (!rc)
		slug_of(b, f);
	free(f);
	if (rc)
		return rc;
	return b->len > start ? CRM_OK : crm_buf_puts(b, fallback);
}

/* Makes the folders of path (the part before its last '/'). */
static int make_parents(const char *path)
{
	char *p = strdup(path), *s;
	int rc = p ? CRM_OK : crm_error_nomem();

	for (s = p ? strchr(p + 1, '/') : NULL; s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST)
			rc = crm_error_set(CRM_EIO, "cannot create '%s': %s", p, strerror(errno));
		*s = '/';
	}
	free(p);
	return rc;
}

int crm_kb_write_file(const char *path, const char *data, size_t len)
{
	int fd, rc = make_parents(path);
	ssize_t w = 0;

	if (rc)
		return rc;
	/* A symbolic link planted where an article goes is not followed. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return crm_error_set(CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
	for (size_t off = 0; off < len && w >= 0; off += (size_t)w)
		w = write(fd, data + off, len - off);
	if (w < 0 || close(fd))
		return crm_error_set(CRM_EIO, "cannot write '%s': %s", path, strerror(errno));
	return CRM_OK;
}

int crm_kb_article_path(crm_buf *b, const char *id, const char *title)
{
	crm_buf_printf(b, "%s-", id);
	return slug(b, title, "article");
}

struct export {
	crm_db *db;
	const char *dir;
	long *n;
};

static int export_one(void *arg, const char *const *v)
{
	struct export *x = arg;
	crm_buf path = CRM_BUF_INIT, text = CRM_BUF_INIT;
	int rc;

	crm_buf_printf(&path, "%s/", x->dir);
	if (!(rc = slug(&path, v[A_CATEGORY], "uncategorized")) && !(rc = crm_buf_putc(&path, '/')) &&
	    !(rc = crm_kb_article_path(&path, v[A_ID], v[A_TITLE])) &&
	    !(rc = crm_buf_printf(&path, ".%s.md", v[A_LOCALE])) && !(rc = format_row(&text, v)))
		rc = crm_kb_write_file(crm_buf_str(&path), crm_buf_str(&text), text.len);
	(*x->n) += !rc;
	crm_buf_free(&path);
	crm_buf_free(&text);
	return rc;
}

int crm_kb_export(crm_db *db, const char *dir, long *n)
{
	struct export x = { db, dir, n };

	*n = 0;
	return crm_db_each(db, "SELECT " ARTICLE_COLUMNS " FROM articles"
	                   " WHERE archived_at IS NULL AND ?1 ORDER BY id", 1, export_one, &x);
}
