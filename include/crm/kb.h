/* kb.h - the knowledge base (crm-kb(1)): articles and their revisions,
 * ranked search, suggestions for a ticket's text, and articles as
 * Markdown files (import, export) or a static help centre.
 *
 * Articles are an entity of the registry (field.h): add, set, list and
 * the rest work on them as on any record; every write that changes an
 * article's title, body, category, locale or status keeps a revision.
 */
#ifndef CRM_KB_H
#define CRM_KB_H

#include <stdint.h>

#include "crm/buf.h"
#include "crm/db.h"

/* The callbacks of the listing functions below: vals holds a row's
 * columns (borrowed until it returns); non-zero stops the walk. */
typedef int (*crm_kb_row_fn)(void *arg, const char *const *vals);

/* crm_kb_log's columns: rev, at, author, summary. */
#define CRM_KB_LOG_COLUMNS 4

/* Calls fn with each revision of article id, newest first; the summary
 * says what changed from the revision before ("title; body +3 -1;
 * status: draft → published", "created").  CRM_ENOTFOUND for no article. */
int crm_kb_log(crm_db *db, int64_t id, crm_kb_row_fn fn, void *arg);

/* Appends to out the unified diff of the body of article id from
 * revision rev to revision rev2 (0: the latest), with three lines of
 * context; nothing when the bodies are the same.  CRM_ENOTFOUND naming
 * the article or revision that does not exist. */
int crm_kb_diff(crm_db *db, int64_t id, int64_t rev, int64_t rev2, crm_buf *out);

/* Gives article id the title, body, category, locale and status of its
 * revision rev, which makes a new revision unless they are the current
 * ones; *changed tells which.  CRM_ENOTFOUND as for crm_kb_diff. */
int crm_kb_revert(crm_db *db, int64_t id, int64_t rev, int *changed);

/* Stores in *rev the number of the latest revision of article id. */
int crm_kb_rev(crm_db *db, int64_t id, int64_t *rev);

struct crm_kb_search {
	const char *locale; /* only this locale (any case), or NULL for all */
	int all;            /* drafts too, not only published articles */
	long limit;         /* at most this many, or 0 for every match */
	const char *mark[2]; /* put around the matched words of the snippet */
};

/* crm_kb_search's columns: id, score, title, snippet. */
#define CRM_KB_SEARCH_COLUMNS 4

/* Calls fn with the live articles matching every word of text (each as
 * a prefix, in any case and accents), best first: BM25 with the title
 * weighing ten times the body; the score is BM25 negated (higher is
 * better) and the snippet is a passage of the body around the matches.
 * Stores their number in *count.  CRM_EUSAGE for empty or invalid text,
 * or a locale not configured. */
int crm_kb_search(crm_db *db, const char *text, const struct crm_kb_search *o,
                  crm_kb_row_fn fn, void *arg, long *count);

/* Stores in *out (malloc'd; NULL when text has no significant word) the
 * FTS5 query that matches any significant word of text: words of three
 * letters or more that are not stop words (English, Russian, Uzbek),
 * case- and accent-folded, each once, at most 32, each quoted, joined by
 * OR.  CRM_EDATA for invalid UTF-8. */
int crm_kb_suggest_query(char **out, const char *text);

/* crm_kb_suggest's columns: id, score, title. */
#define CRM_KB_SUGGEST_COLUMNS 3

/* Calls fn with the (at most limit; 5 when limit <= 0) published live
 * articles that best match any significant word of text (a ticket's
 * subject and body), in locale (any case; NULL for all), best first;
 * stores their number in *count. */
int crm_kb_suggest(crm_db *db, const char *text, const char *locale, int limit,
                   crm_kb_row_fn fn, void *arg, long *count);

/* The fields of an article's front matter, in the order files write them. */
enum { CRM_KB_ID, CRM_KB_TITLE, CRM_KB_CATEGORY, CRM_KB_LOCALE, CRM_KB_STATUS, CRM_KB_TAGS,
       CRM_KB_NKEYS };
extern const char *const crm_kb_keys[CRM_KB_NKEYS];

/* An article file as read: each field's text (NULL when absent or null;
 * tags comma-joined), whether it was there, the line of its value, and
 * the body after the front matter. */
struct crm_kb_doc {
	char *value[CRM_KB_NKEYS];
	int has[CRM_KB_NKEYS];
	unsigned long line[CRM_KB_NKEYS];
	char *body;
};

/* Reads text, the contents of file, as an article: "---", a YAML mapping
 * of the fields above, "---", the body.  CRM_EDATA "file:line: reason"
 * for invalid UTF-8, a missing fence, bad YAML, an unknown field or a
 * value of the wrong kind.  Free d with crm_kb_doc_free (also on error). */
int crm_kb_doc_parse(struct crm_kb_doc *d, const char *file, const char *text);
void crm_kb_doc_free(struct crm_kb_doc *d);

/* Appends to out article id as a Markdown file: a YAML front matter of
 * id, title, category, locale, status and tags between "---" lines, then
 * the body. */
int crm_kb_format(crm_db *db, int64_t id, crm_buf *out);

/* What crm_kb_import did. */
struct crm_kb_counts {
	long files, created, updated, unchanged;
};

/* Reads text, an article as crm_kb_format writes it (file names it in
 * messages), and writes it: to article id when id > 0 (the front
 * matter's id must then be id or absent), else to the article its id
 * names, else to the live article of the same title and locale, else to
 * a new one.  Counts what happened in *n.  CRM_EDATA "file:line: field:
 * reason" for bad front matter or values. */
int crm_kb_apply(crm_db *db, int64_t id, const char *file, const char *text,
                 struct crm_kb_counts *n);

/* Applies every *.md file under dir (recursively, in name order) as
 * crm_kb_apply does, inside the caller's transaction. */
int crm_kb_import(crm_db *db, const char *dir, struct crm_kb_counts *n);

/* Writes each live article as dir/CATEGORY/ID-SLUG.LOCALE.md (crm-kb(1))
 * in crm_kb_format's form, making folders as needed; *n counts them. */
int crm_kb_export(crm_db *db, const char *dir, long *n);

/* Writes a static help centre to dir: index.html listing the published
 * articles by locale and category, and LOCALE/ID-SLUG.html for each, its
 * Markdown rendered without raw HTML; *n counts the articles. */
int crm_kb_export_html(crm_db *db, const char *dir, long *n);

#endif
