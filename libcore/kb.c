/* kb.c - the article entity of the knowledge base: its fields, the rules
 * of a write (a configured locale; a revision for each change of text),
 * the revisions' log, diff and revert, ranked search, and suggestions
 * for a ticket's text (crm-kb(1)).
 *
 * FTS5 (MATCH, bm25, snippet) is SQLite's own: it is confined to this
 * file's search and suggest statements and the index's reindex.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/diff.h"
#include "crm/kb.h"
#include "crm/norm.h"
#include "registry.h"

static const char *const article_status[] = { "draft", "published", NULL };

static const struct crm_fielddef article_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("title", CRM_FT_TEXT, REQUIRED, "the article's title", "title", NULL),
	FIELD("category", CRM_FT_TEXT, 0, "category, e.g. billing", "category", NULL),
	FIELD("locale", CRM_FT_WORD, 0, "language: a configured locale (default: the first)",
	      "locale", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "draft or published", article_status, "status"),
	FIELD("owner", CRM_FT_TEXT, 0, "responsible user (default: the acting user)", "owner", NULL),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("rev", CRM_FT_ID, RO, "number of the latest revision", NULL,
	      "(SELECT max(rev) FROM article_revisions WHERE article_id = t.id)"),
	FIELD("body", CRM_FT_TEXT, HIDDEN, "the text, in Markdown", "body", NULL),
	BOOKKEEPING,
};

static const char *const article_filters[] = { "category", "locale", "status", "owner", NULL };

static const struct crm_option article_options[] = {
	{ "published", NULL, "only published articles", "t.status = 'published'" },
	{ "drafts", NULL, "only drafts", "t.status = 'draft'" },
	{ NULL, NULL, NULL, NULL }
};

/* Headers of help-desk exports (Zendesk, Freshdesk, Intercom articles). */
static const struct crm_synonym article_synonyms[] = {
	{ "name", "title" }, { "subject", "title" }, { "articletitle", "title" },
	{ "content", "body" }, { "text", "body" }, { "description", "body" },
	{ "articlebody", "body" }, { "markdown", "body" },
	{ "section", "category" }, { "folder", "category" }, { "categoryname", "category" },
	{ "language", "locale" }, { "lang", "locale" },
	{ "state", "status" }, { "author", "owner" },
	{ "label", "tags" }, { "labels", "tags" }, { "tag", "tags" },
	{ "note", "@note" }, { "notes", "@note" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "archivedat", "@ignore" },
	{ NULL, NULL }
};

int crm_article_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "articles_fts", "articles",
		"INSERT INTO articles_fts(rowid, title, body) SELECT id, title, body FROM articles"
		" WHERE %s", where, arg);
}

/* Lists the configured locales ("uz, ru, en") into b. */
static void locale_names(crm_db *db, crm_buf *b)
{
	const char *const *l;
	size_t n = crm_config_locales(db->cfg, &l);

	for (size_t i = 0; i < n; i++)
		crm_buf_printf(b, "%s%s", i ? ", " : "", l[i]);
}

/* Stores in *out the configured spelling of locale name (NULL: the
 * default); code is the status when it is not configured. */
static int find_locale(crm_db *db, const char *name, int code, const char **out)
{
	crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((*out = crm_config_locale(db->cfg, name)))
		return CRM_OK;
	locale_names(db, &b);
	rc = crm_error_set(code, "locale: unknown locale '%s' (locales: %s)", name,
	                   crm_buf_str(&b));
	crm_buf_free(&b);
	return rc;
}

/* A new article's locale is the default; one written must be configured
 * and takes the configured spelling.  An article whose locale the
 * configuration no longer names keeps it until the locale is written. */
static int settle_locale(crm_db *db, int64_t id, const crm_record *r)
{
	const char *given = crm_record_value(r, "locale"), *canon = NULL;
	char *now = NULL;
	crm_stmt *st;
	int rc = crm_db_text_of(db, "SELECT locale FROM articles WHERE id = ?1", id, &now);

	if (!rc && (given || !now))
		rc = find_locale(db, given ? now : NULL, CRM_EDATA, &canon);
	if (!rc && (given || !now) && (!now || strcmp(now, canon)) &&
	    !(rc = crm_db_stmt(db, &st, "UPDATE articles SET locale = ?2 WHERE id = ?1"))) {
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, canon);
		rc = crm_stmt_done(st);
	}
	free(now);
	return rc;
}

/* A revision when the text differs from the latest one (or there is
 * none): its number, the whole text, who and when. */
static int add_revision(crm_db *db, int64_t id)
{
	char now[CRM_TIME_LEN];
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st,
		"INSERT INTO article_revisions(article_id, rev, title, body, category, locale,"
		" status, author, at)"
		" SELECT a.id, coalesce(p.rev, 0) + 1, a.title, a.body, a.category, a.locale,"
		" a.status, ?2, ?3 FROM articles a LEFT JOIN article_revisions p"
		" ON p.article_id = a.id AND p.rev = (SELECT max(rev) FROM article_revisions"
		" WHERE article_id = a.id)"
		" WHERE a.id = ?1 AND (p.rev IS NULL OR p.title IS NOT a.title OR p.body IS NOT a.body"
		" OR p.category IS NOT a.category OR p.locale IS NOT a.locale"
		" OR p.status IS NOT a.status)");

	if (rc)
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, crm_db_user(db));
	crm_stmt_bind_text(st, 3, now);
	return crm_stmt_done(st);
}

static int article_after_write(crm_db *db, int64_t id, const crm_record *r,
                               int adding)
{
	int rc = settle_locale(db, id, r);

	(void)adding;
	if (!rc)
		rc = add_revision(db, id);
	if (!rc)
		rc = crm_article_reindex(db, "id = ?1", id);
	return rc;
}

/* An article is named by its id only. */
const struct crm_entity crm_article_entity = {
	.name = "article", .table = "articles", .custom_table = "article_custom",
	.custom_fk = "article_id", .fts = "articles_fts", .join = "",
	.defs = article_fields, .nfields = NFIELDS(article_fields),
	.after_write = article_after_write, .synonyms = article_synonyms,
	.reindex = crm_article_reindex,
	.tag_table = "article_tags", .note_table = "article_notes",
	.default_key = "id", .filters = article_filters, .options = article_options,
	.label = "r.title",
};

/* ---- revisions */

enum { R_REV, R_AT, R_AUTHOR, R_TITLE, R_BODY, R_CATEGORY, R_LOCALE, R_STATUS, R_N };

#define REV_COLUMNS "rev, at, author, title, body, category, locale, status"

struct rev {
	char *v[R_N];
};

static void rev_free(struct rev *r)
{
	for (int i = 0; i < R_N; i++)
		free(r->v[i]);
	memset(r, 0, sizeof *r);
}

static int rev_copy(struct rev *r, const char *const *vals)
{
	for (int i = 0; i < R_N; i++)
		if (vals[i] && !(r->v[i] = strdup(vals[i]))) {
			rev_free(r);
			return crm_error_nomem();
		}
	return CRM_OK;
}

static int keep_one(void *arg, const char *const *vals)
{
	return rev_copy(arg, vals) ? -1 : 1;
}

/* Reads revision rev of article id (0: the latest) into *r. */
static int read_rev(crm_db *db, int64_t id, int64_t rev, struct rev *r)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = crm_entity_exists(db, &crm_article_entity, id)))
		return rc;
	crm_buf_printf(&sql, "SELECT " REV_COLUMNS " FROM article_revisions WHERE article_id = ?1"
	               " AND rev = %s", rev ? "" : "(SELECT max(rev) FROM article_revisions"
	               " WHERE article_id = ?1)");
	if (rev)
		crm_buf_printf(&sql, "%lld", (long long)rev);
	rc = crm_db_each(db, crm_buf_str(&sql), id, keep_one, r);
	crm_buf_free(&sql);
	if (rc < 0)
		return rc == -1 ? CRM_ENOMEM : rc;
	if (!r->v[R_REV])
		return crm_error_set(CRM_ENOTFOUND, "no revision %lld of article %lld",
		                     (long long)rev, (long long)id);
	return CRM_OK;
}

int crm_kb_rev(crm_db *db, int64_t id, int64_t *rev)
{
	struct rev r;
	int rc = read_rev(db, id, 0, &r);

	if (!rc)
		*rev = strtoll(r.v[R_REV], NULL, 10);
	rev_free(&r);
	return rc;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* What changed from revision p to r, as the log prints it. */
static int summary(crm_buf *b, const struct rev *p, const struct rev *r)
{
	static const struct { int col; const char *name; int values; } what[] = {
		{ R_TITLE, "title", 0 }, { R_BODY, "body", 0 }, { R_CATEGORY, "category", 1 },
		{ R_LOCALE, "locale", 1 }, { R_STATUS, "status", 1 },
	};
	size_t added, removed;
	int rc = CRM_OK;

	if (!p)
		return crm_buf_printf(b, "created (%s, %s)", r->v[R_LOCALE], r->v[R_STATUS]);
	for (size_t i = 0; i < sizeof what / sizeof what[0] && !rc; i++) {
		int c = what[i].col;

		if (same(p->v[c], r->v[c]))
			continue;
		crm_buf_printf(b, "%s%s", b->len ? "; " : "", what[i].name);
		if (what[i].values)
			crm_buf_printf(b, ": %s → %s", p->v[c] ? p->v[c] : "", r->v[c] ? r->v[c] : "");
		else if (c == R_BODY && !(rc = crm_diff_stat(p->v[c], r->v[c], &added, &removed)))
			crm_buf_printf(b, " +%zu -%zu", added, removed);
	}
	return rc;
}

struct revs {
	struct rev *r;
	size_t n, cap;
};

static int collect(void *arg, const char *const *vals)
{
	struct revs *rs = arg;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 8;
		struct rev *p = realloc(rs->r, cap * sizeof *p);
		if (!p)
			return crm_error_nomem();
		rs->r = p;
		rs->cap = cap;
	}
	memset(&rs->r[rs->n], 0, sizeof rs->r[rs->n]);
	if (rev_copy(&rs->r[rs->n], vals))
		return CRM_ENOMEM;
	rs->n++;
	return 0;
}

int crm_kb_log(crm_db *db, int64_t id, crm_kb_row_fn fn, void *arg)
{
	struct revs rs = { NULL, 0, 0 };
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_entity_exists(db, &crm_article_entity, id);

	if (!rc)
		rc = crm_db_each(db, "SELECT " REV_COLUMNS " FROM article_revisions"
		                 " WHERE article_id = ?1 ORDER BY rev", id, collect, &rs);
	for (size_t i = rs.n; i > 0 && !rc; i--) {
		const struct rev *r = &rs.r[i - 1];
		const char *row[CRM_KB_LOG_COLUMNS];

		crm_buf_clear(&b);
		if ((rc = summary(&b, i > 1 ? &rs.r[i - 2] : NULL, r)))
			break;
		row[0] = r->v[R_REV], row[1] = r->v[R_AT], row[2] = r->v[R_AUTHOR];
		row[3] = crm_buf_str(&b);
		rc = fn(arg, row);
	}
	for (size_t i = 0; i < rs.n; i++)
		rev_free(&rs.r[i]);
	free(rs.r);
	crm_buf_free(&b);
	return rc;
}

int crm_kb_diff(crm_db *db, int64_t id, int64_t rev, int64_t rev2, crm_buf *out)
{
	struct rev a, b;
	crm_buf la = CRM_BUF_INIT, lb = CRM_BUF_INIT;
	int rc = read_rev(db, id, rev, &a);

	if (!rc && !(rc = read_rev(db, id, rev2, &b))) {
		crm_buf_printf(&la, "article %lld revision %s", (long long)id, a.v[R_REV]);
		crm_buf_printf(&lb, "article %lld revision %s", (long long)id, b.v[R_REV]);
		rc = crm_diff_unified(out, a.v[R_BODY], b.v[R_BODY], crm_buf_str(&la),
		                      crm_buf_str(&lb), 3);
		rev_free(&b);
	}
	rev_free(&a);
	crm_buf_free(&la);
	crm_buf_free(&lb);
	return rc;
}

int crm_kb_revert(crm_db *db, int64_t id, int64_t rev, int *changed)
{
	static const struct { int col; const char *field; } text[] = {
		{ R_TITLE, "title" }, { R_BODY, "body" }, { R_CATEGORY, "category" },
		{ R_LOCALE, "locale" }, { R_STATUS, "status" },
	};
	crm_record *r = NULL;
	struct rev v;
	int rc = read_rev(db, id, rev, &v);

	*changed = 0;
	if (!rc)
		rc = crm_record_new(&r, &crm_article_entity);
	for (size_t i = 0; !rc && i < sizeof text / sizeof text[0]; i++)
		rc = crm_record_set(r, text[i].field, v.v[text[i].col] ? v.v[text[i].col] : "");
	if (!rc)
		rc = crm_entity_update(db, r, id, changed);
	crm_record_free(r);
	rev_free(&v);
	return rc;
}

/* ---- search */

/* Runs a search statement (?1 the MATCH query, ?2 the locale or NULL,
 * ?3 whether drafts count, ?4 the limit, ?5 and ?6 the marks) and calls
 * fn with its rows of ncols columns. */
static int run_search(crm_db *db, const char *sql, const char *match, const char *locale,
                      int all, long limit, const char *const *mark, int ncols,
                      crm_kb_row_fn fn, void *arg, long *count)
{
	const char *vals[CRM_KB_SEARCH_COLUMNS];
	crm_stmt *st;
	int rc, stop = 0;

	*count = 0;
	if ((rc = crm_db_stmt(db, &st, sql)))
		return rc;
	crm_stmt_bind_text(st, 1, match);
	crm_stmt_bind_text(st, 2, locale);
	crm_stmt_bind_int(st, 3, all);
	crm_stmt_bind_int(st, 4, limit > 0 ? limit : -1);
	if (mark) {
		crm_stmt_bind_text(st, 5, mark[0]);
		crm_stmt_bind_text(st, 6, mark[1]);
	}
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < ncols; i++)
			vals[i] = crm_stmt_text(st, i);
		(*count)++;
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}

/* Appends word (n bytes) to the FTS5 query in b as a quoted string, its
 * quotes doubled, so that no word is read as query syntax. */
static void fts_string(crm_buf *b, const char *word, size_t n)
{
	crm_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (word[i] == '"')
			crm_buf_putc(b, '"');
		crm_buf_putc(b, word[i]);
	}
	crm_buf_putc(b, '"');
}

/* Every blank-separated word of text as a prefix, ANDed. */
static int search_query(crm_buf *b, const char *text)
{
	if (!crm_utf8_valid_p(text, strlen(text)))
		return crm_error_set(CRM_EUSAGE, "search text is not valid UTF-8");
	for (const char *p = text; *p;) {
		size_t n;

		p += strspn(p, " \t\r\n");
		if (!(n = strcspn(p, " \t\r\n")))
			break;
		crm_buf_puts(b, b->len ? " AND " : "");
		fts_string(b, p, n);
		crm_buf_putc(b, '*');
		p += n;
	}
	return b->len ? CRM_OK : crm_error_set(CRM_EUSAGE, "empty search text");
}

/* A snippet's length in tokens: sixteen words, or in the languages
 * written without spaces, whose characters are tokens one by one
 * (tokenizer.c), 48 characters, which read about as long. */
#define SNIPPET_TOKENS \
	"CASE WHEN substr(lower(a.locale), 1, 2) IN ('zh', 'ja', 'ko', 'th', 'lo', 'km', 'my')" \
	" THEN 48 ELSE 16 END"

/* The best matches of ?1 (ids and BM25, the title weighing ten times the
 * body), in locale ?2 or any, drafts too when ?3, at most ?4: filtered
 * through the narrow index, so that ranking many matches does not read
 * their rows; titles and snippets are read for the few kept. */
#define BEST(extra) \
	"WITH best AS (SELECT f.rowid AS id, bm25(articles_fts, 10.0, 1.0) AS r" extra \
	" FROM articles_fts f JOIN articles s INDEXED BY articles_search ON s.id = f.rowid" \
	" WHERE articles_fts MATCH ?1 AND s.archived_at IS NULL" \
	" AND (?2 IS NULL OR s.locale = ?2) AND (?3 OR s.status = 'published')" \
	" ORDER BY r, f.rowid LIMIT ?4) "

int crm_kb_search(crm_db *db, const char *text, const struct crm_kb_search *o,
                  crm_kb_row_fn fn, void *arg, long *count)
{
	crm_buf q = CRM_BUF_INIT;
	const char *locale = NULL;
	int rc = search_query(&q, text);

	*count = 0;
	if (!rc && o->locale)
		rc = find_locale(db, o->locale, CRM_EUSAGE, &locale);
	if (!rc)
		rc = run_search(db, BEST("") "SELECT a.id, printf('%.3f', -b.r), a.title,"
			" (SELECT replace(replace(snippet(articles_fts, 1, ?5, ?6, '…', " SNIPPET_TOKENS "),"
			" char(13), ''), char(10), ' ') FROM articles_fts WHERE articles_fts MATCH ?1"
			" AND rowid = b.id)"
			" FROM best b JOIN articles a ON a.id = b.id ORDER BY b.r, b.id",
			crm_buf_str(&q), locale, o->all, o->limit, o->mark, CRM_KB_SEARCH_COLUMNS,
			fn, arg, count);
	crm_buf_free(&q);
	return rc;
}

/* ---- suggestions */

#define SUGGEST_MAX_TERMS 32

/* Words too common to tell articles apart, casefolded and accent-free
 * (crm_text_key form), sorted for bsearch. */
static const char *const stop_words[] = {
	"about", "after", "again", "all", "also", "and", "any", "are", "bir", "bizga", "bo'lsa",
	"but", "can", "cannot", "could", "did", "does", "dont", "for", "from", "get", "got",
	"had", "has", "have", "hello", "help", "her", "here", "his", "how", "ili", "ishlamayapti",
	"its", "just", "kak", "menga", "meni", "mening", "not", "now", "our", "please", "she",
	"should", "still", "than", "thank", "thanks", "that", "the", "their", "them", "then",
	"there", "they", "this", "uchun", "very", "was", "way", "were", "what", "when",
	"where", "which", "who", "why", "will", "with", "would", "yes", "you", "your",
	"bez", "chto", "eto", "joq", "kogda", "ham", "lekin", "yoki", "emas", "nima",
	"все", "для", "его", "если", "есть", "как", "мне", "меня", "мой", "нас", "нет",
	"она", "они", "при", "так", "там", "что", "это", "уже", "вас", "вот", "где",
};

static int cmp_word(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int stop_word_p(const char *w)
{
	static int sorted;
	static const char *words[sizeof stop_words / sizeof stop_words[0]];
	size_t n = sizeof stop_words / sizeof stop_words[0];

	if (!sorted) {
		memcpy(words, stop_words, sizeof words);
		qsort(words, n, sizeof *words, cmp_word);
		sorted = 1;
	}
	return bsearch(&w, words, n, sizeof *words, cmp_word) != NULL;
}

/* Whether code point c is part of a word: a letter, a mark, a digit, or
 * the apostrophe of Uzbek's o' and g'. */
static int word_char_p(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
		return 1;
	default:
		return c == '\'' || c == 0x2bb || c == 0x2bc || c == 0x2019;
	}
}

/* Adds the word of n bytes at p to the query in b unless it is short, a
 * stop word or there already (seen holds the words added, each followed
 * by a space, after a first space).  A pair of characters of an unspaced
 * script goes as written: the match key strips marks, which would make
 * パ ハ, and the search index keeps them apart. */
static int add_term(crm_buf *b, crm_buf *seen, const char *p, size_t n, int pair, int *terms)
{
	char *word = strndup(p, n), *key = NULL;
	crm_buf framed = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (!word)
		return crm_error_nomem();
	if (pair) {
		key = word;
		word = NULL;
	} else {
		rc = crm_text_key(&key, word);
	}
	free(word);
	if (rc || utf8proc_decompose((const utf8proc_uint8_t *)key, (utf8proc_ssize_t)strlen(key),
	                             NULL, 0, 0) < (pair ? 2 : 3) ||
	    stop_word_p(key) || strspn(key, "'") == strlen(key)) {
		free(key);
		return rc;
	}
	crm_buf_printf(&framed, " %s ", key);
	if (!strstr(crm_buf_str(seen), crm_buf_str(&framed))) {
		crm_buf_printf(seen, "%s ", key);
		crm_buf_puts(b, b->len ? " OR " : "");
		fts_string(b, key, strlen(key));
		/* As search matches: the start of a word, so that a ticket's
		 * refund finds an article's Refunds. */
		if (!pair)
			crm_buf_putc(b, '*');
		(*terms)++;
	}
	crm_buf_free(&framed);
	free(key);
	return CRM_OK;
}

/* Adds the terms of a word of n bytes at p: the word, or where it is
 * written in a script without spaces (a Japanese sentence is one "word"),
 * every pair of neighbouring characters of that script, and the words of
 * other scripts between them ("iPhone" in "iPhoneの画面").  Pairs, because
 * the tokenizer (tokenizer.c) makes each such character a token, and one
 * character alone would match nearly every article. */
static int add_word(crm_buf *b, crm_buf *seen, const char *p, size_t n, int *terms)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)p;
	utf8proc_ssize_t i = 0, start = 0, prev = -1;
	int rc = CRM_OK;

	while (!rc && *terms < SUGGEST_MAX_TERMS && i < (utf8proc_ssize_t)n) {
		utf8proc_int32_t c;
		utf8proc_ssize_t len = utf8proc_iterate(s + i, (utf8proc_ssize_t)n - i, &c);

		if (len <= 0)
			len = 1, c = -1;
		if (c >= 0 && crm_unspaced_p((unsigned)c)) {
			if (start < i)
				rc = add_term(b, seen, p + start, (size_t)(i - start), 0, terms);
			if (!rc && prev >= 0)
				rc = add_term(b, seen, p + prev, (size_t)(i + len - prev), 1, terms);
			prev = i;
			start = i + len;
		} else {
			prev = -1;
		}
		i += len;
	}
	if (!rc && start < (utf8proc_ssize_t)n && *terms < SUGGEST_MAX_TERMS)
		rc = add_term(b, seen, p + start, n - (size_t)start, 0, terms);
	return rc;
}

int crm_kb_suggest_query(char **out, const char *text)
{
	crm_buf b = CRM_BUF_INIT, seen = CRM_BUF_INIT;
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(text), i = 0, start = -1;
	int rc = CRM_OK, terms = 0;

	*out = NULL;
	if (!crm_utf8_valid_p(text, (size_t)len))
		return crm_error_set(CRM_EDATA, "the text is not valid UTF-8");
	if (crm_buf_putc(&seen, ' '))
		return CRM_ENOMEM;
	while (!rc && terms < SUGGEST_MAX_TERMS && i <= len) {
		utf8proc_int32_t c = 0;
		utf8proc_ssize_t n = i < len ? utf8proc_iterate(s + i, len - i, &c) : 1;
		int in = i < len && word_char_p(c);

		if (in && start < 0)
			start = i;
		else if (!in && start >= 0) {
			rc = add_word(&b, &seen, text + start, (size_t)(i - start), &terms);
			start = -1;
		}
		i += n > 0 ? n : 1;
	}
	crm_buf_free(&seen);
	if (rc || !b.len) {
		crm_buf_free(&b);
		return rc;
	}
	*out = crm_buf_detach(&b);
	return *out ? CRM_OK : crm_error_nomem();
}

int crm_kb_suggest(crm_db *db, const char *text, const char *locale, int limit,
                   crm_kb_row_fn fn, void *arg, long *count)
{
	const char *canon = NULL;
	char *q = NULL;
	int rc = crm_kb_suggest_query(&q, text);

	*count = 0;
	if (!rc && locale)
		rc = find_locale(db, locale, CRM_EUSAGE, &canon);
	if (!rc && q)
		rc = run_search(db, BEST("") "SELECT a.id, printf('%.3f', -b.r), a.title"
			" FROM best b JOIN articles a ON a.id = b.id ORDER BY b.r, b.id",
			q, canon, 0, limit > 0 ? limit : 5, NULL, CRM_KB_SUGGEST_COLUMNS, fn, arg,
			count);
	free(q);
	return rc;
}
