/* tokenizer.c - the search index's tokenizer, "crm": FTS5's unicode61,
 * except that a word is folded as the match key folds it, combining marks
 * are part of a word (its accents left out of its token), and every
 * character of a script written without spaces between words is a token
 * of its own.
 *
 * unicode61 ends a token only at a space or punctuation, so a Japanese or
 * Chinese name, a Thai company or a sentence of a Japanese article is one
 * token, and a search finds it only by its first characters: 太郎 did not
 * find 山田太郎, nor トヨタ 株式会社トヨタ自動車.  Here such characters
 * (Han, kana, Hangul, Thai, Lao, Khmer, Myanmar) are tokens one by one;
 * a word searched for is tokenized alike, and FTS5 makes a word of several
 * tokens a phrase, so 太郎 is 太 followed by 郎: found anywhere in a name,
 * in order, as a substring is.  Single characters rather than pairs
 * (bigrams) because a name of two characters searched by one of them, or
 * a one-character family name (金, 李), must be found too.
 *
 * unicode61 takes the accents off Latin letters alone, and keeps the
 * letters that have no decomposition: Łódź was not found by lodz, Ørsted
 * by orsted, Straße by strasse, Αθήνα by αθηνα, ёлка by елка, which is
 * how most people type them.  The other words are folded by the match
 * key (crm_text_key), so a search finds what dedup and the import's
 * keys would match, and kb suggest, whose terms are match keys, finds
 * the words it reads.  Marks other than accents stay, as in the key:
 * パ is not ハ, nor राम रीमा.
 *
 * Written here because neither of SQLite's other tokenizers will do: the
 * trigram tokenizer finds nothing shorter than three characters (most
 * Japanese family names are two), and ICU's is not in Debian's SQLite.
 *
 * Built into libcore, and on its own (with CRM_FTS_EXTENSION, beside
 * norm.c for the fold) as crm-fts.so, which the sqlite3 shell loads
 * (.load) to read or check the search tables. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "crm/norm.h"
#include "text.h"

#ifdef CRM_FTS_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
int crm_tokenizer_register(sqlite3 *h);
int crm_unspaced_p(unsigned cp);
#else
#include <sqlite3.h>
#include "internal.h"
#endif

struct crm_tokenizer {
	fts5_tokenizer base;     /* unicode61's methods */
	Fts5Tokenizer *inner;    /* an instance of it, with this one's arguments */
};

/* What one call of xTokenize hands to the callback of unicode61. */
struct run {
	void *ctx;
	int (*token)(void *ctx, int flags, const char *tok, int n, int start, int end);
	const char *text;
};

/* Scripts written without spaces between words, as code point ranges. */
static const struct {
	unsigned lo, hi;
} unspaced[] = {
	{ 0x0E00, 0x0EFF },   /* Thai, Lao */
	{ 0x1000, 0x109F },   /* Myanmar */
	{ 0x1100, 0x11FF },   /* Hangul Jamo */
	{ 0x1780, 0x17FF },   /* Khmer */
	{ 0x2E80, 0x2FDF },   /* CJK radicals, Kangxi radicals */
	{ 0x3005, 0x3007 },   /* 々 〆 〇 */
	{ 0x3021, 0x3029 },   /* Hangzhou numerals */
	{ 0x3031, 0x3035 },   /* kana repeat marks */
	{ 0x303B, 0x303C },   /* 〻 〼 */
	{ 0x3040, 0x318F },   /* Hiragana, Katakana, Bopomofo, Hangul Jamo */
	{ 0x31A0, 0x31FF },   /* Bopomofo and Katakana extensions */
	{ 0x3400, 0x4DBF },   /* CJK extension A */
	{ 0x4E00, 0x9FFF },   /* CJK unified ideographs */
	{ 0xA960, 0xA97F },   /* Hangul Jamo extended A */
	{ 0xAC00, 0xD7FF },   /* Hangul syllables, Jamo extended B */
	{ 0xF900, 0xFAFF },   /* CJK compatibility ideographs */
	{ 0xFF66, 0xFFDC },   /* half-width Katakana and Hangul */
	{ 0x20000, 0x3FFFF }, /* CJK extensions B onwards */
};

int crm_unspaced_p(unsigned cp)
{
	for (size_t i = 0; i < sizeof unspaced / sizeof unspaced[0] && cp >= unspaced[i].lo; i++)
		if (cp <= unspaced[i].hi)
			return 1;
	return 0;
}

/* The code point at s (at most n bytes) and its length in *len; a byte
 * that starts no valid sequence stands for itself. */
static unsigned decode(const char *s, int n, int *len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, n, &cp);

	*len = k > 0 ? (int)k : 1;
	return k > 0 ? (unsigned)cp : (unsigned char)s[0];
}

/* Hands the caller's callback the part [tok, tok + n) of a token, found
 * at [from, to) of the text; the flags go with the first part alone. */
static int emit(const struct run *r, int *flags, const char *tok, long n, const char *from,
                const char *to)
{
	int f = *flags;

	*flags = 0;
	return r->token(r->ctx, f, tok, (int)n, (int)(from - r->text), (int)(to - r->text));
}

/* Whether the n bytes at s are ASCII, as most tokens are. */
static int ascii_p(const char *s, long n)
{
	long i = 0;

	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i == n;
}

/* Hands on the word of n bytes at w, which stands at [from, to) of the
 * text, as the match key spells it; a word in ASCII, folded already by
 * unicode61, as it is.  A word the key leaves empty (ignorable characters
 * alone) is no token; one it cannot fold goes as unicode61 left it. */
static int emit_word(const struct run *r, int *flags, const char *w, long n, const char *from,
                     const char *to)
{
	char buf[256], *s = buf, *key = NULL;
	int rc;

	if (ascii_p(w, n))
		return emit(r, flags, w, n, from, to);
	if (n >= (long)sizeof buf && !(s = malloc((size_t)n + 1)))
		return SQLITE_NOMEM;
	memcpy(s, w, (size_t)n);
	s[n] = '\0';
	if (crm_text_key(&key, s) != 0)
		rc = emit(r, flags, w, n, from, to);
	else
		rc = *key ? emit(r, flags, key, (long)strlen(key), from, to) : SQLITE_OK;
	free(key);
	if (s != buf)
		free(s);
	return rc;
}

/* Hands on token tok (n bytes, folded), which unicode61 found at [start,
 * end) of the text, split at every character of an unspaced script.
 * Folding leaves those characters as they are, so each is found in the
 * original text for its offsets, and the letters between them (the fold
 * of "iPhone" in "iPhone用") span what lies between. */
static int split(const struct run *r, int flags, const char *tok, int n, int start, int end)
{
	const char *at = r->text + start, *stop = r->text + end, *word = NULL, *word_at = at;
	int rc = 0;

	for (int i = 0, len; i < n && !rc; i += len) {
		unsigned cp = decode(tok + i, n - i, &len);
		const char *o;

		if (!crm_unspaced_p(cp)) {
			if (!word)
				word = tok + i, word_at = at;
			continue;
		}
		o = memmem(at, (size_t)(stop - at), tok + i, (size_t)len);
		if (word)
			rc = emit_word(r, &flags, word, tok + i - word, word_at, o ? o : stop);
		word = NULL;
		if (!rc)
			rc = emit(r, &flags, tok + i, len, o ? o : at, o ? o + len : stop);
		if (o)
			at = o + len;
	}
	if (word && !rc)
		rc = emit_word(r, &flags, word, tok + n - word, word_at, stop);
	return rc;
}

/* Hands on token tok without its accents (crm_accent_p), split.
 * unicode61 takes marks for separators, so मीना was three tokens and
 * مُحَمَّد four, none of them محمد; here marks are part of the word, and
 * the accents left out, as the match key leaves them out.  A token in
 * ASCII, as most are, passes as it is. */
static int token(void *p, int flags, const char *tok, int n, int start, int end)
{
	const struct run *r = p;
	char buf[256], *own = NULL, *out = buf;
	int i, len, m = 0, rc;

	if (ascii_p(tok, n))
		return r->token(r->ctx, flags, tok, n, start, end);
	if (n > (int)sizeof buf && !(out = own = sqlite3_malloc(n)))
		return SQLITE_NOMEM;
	for (i = 0; i < n; i += len) {
		unsigned cp = decode(tok + i, n - i, &len);

		if (!crm_accent_p((int32_t)cp))
			memcpy(out + m, tok + i, (size_t)len), m += len;
	}
	rc = m ? split(r, flags, out, m, start, end) : SQLITE_OK;
	sqlite3_free(own);
	return rc;
}

static int tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                    int (*cb)(void *, int, const char *, int, int, int))
{
	struct crm_tokenizer *self = (struct crm_tokenizer *)t;
	struct run r = { ctx, cb, text };

	return self->base.xTokenize(self->inner, &r, flags, text, n, token);
}

static void destroy(Fts5Tokenizer *t)
{
	struct crm_tokenizer *self = (struct crm_tokenizer *)t;

	if (self) {
		self->base.xDelete(self->inner);
		sqlite3_free(self);
	}
}

/* The arguments are unicode61's (remove_diacritics 2, as the schema has),
 * to which marks are added as characters of a token. */
static int create(void *api, const char **argv, int argc, Fts5Tokenizer **out)
{
	fts5_api *fts = api;
	struct crm_tokenizer *self = sqlite3_malloc(sizeof *self);
	const char **args = sqlite3_malloc((int)sizeof *args * (argc + 2));
	void *data;
	int rc = self && args ? SQLITE_OK : SQLITE_NOMEM;

	*out = NULL;
	if (rc == SQLITE_OK) {
		memset(self, 0, sizeof *self);
		memcpy(args, argv, sizeof *args * (size_t)argc);
		args[argc] = "categories";
		args[argc + 1] = "L* N* Co M*";
		rc = fts->xFindTokenizer(fts, "unicode61", &data, &self->base);
	}
	if (rc == SQLITE_OK)
		rc = self->base.xCreate(data, args, argc + 2, &self->inner);
	sqlite3_free(args);
	if (rc != SQLITE_OK) {
		sqlite3_free(self);
		return rc;
	}
	*out = (Fts5Tokenizer *)self;
	return SQLITE_OK;
}

int crm_tokenizer_register(sqlite3 *h)
{
	static fts5_tokenizer methods = { create, destroy, tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	if ((rc = sqlite3_finalize(st)) == SQLITE_OK && (!api || api->iVersion < 2))
		rc = SQLITE_ERROR;
	return rc == SQLITE_OK ? api->xCreateTokenizer(api, "crm", api, &methods, NULL) : rc;
}

#ifdef CRM_FTS_EXTENSION
/* The entry point sqlite3's .load finds for crm-fts.so by its name. */
int sqlite3_crmfts_init(sqlite3 *h, char **err, const sqlite3_api_routines *api);

int sqlite3_crmfts_init(sqlite3 *h, char **err, const sqlite3_api_routines *api)
{
	SQLITE_EXTENSION_INIT2(api);
	(void)err;
	return crm_tokenizer_register(h);
}
#endif
