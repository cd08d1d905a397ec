/* country_names.c - countries by name: "Germany", "DEU", "Deutschland"
 * and "UK" are DE, DE, DE and GB.
 *
 * Other systems' exports name countries rather than code them, in the
 * language of whoever typed them.  The names are Debian's iso-codes: the
 * standard's English names (short, official and common) and alpha-3
 * codes, read on the first name asked for, then, only when those miss,
 * their translations in every language iso-codes has a catalogue for.
 * Both are read once per process and kept.  The few everyday English
 * names the standard does not use ("Russia", "UK", "Holland") are listed
 * here, with a few in other languages.  Without iso-codes installed,
 * those alone are known.
 *
 * A name and the name asked for meet by their match key (crm_text_key)
 * with punctuation dropped, hyphens read as spaces, "&" as "and", "St" as
 * "Saint" and a leading "the" left out; each name is also known by its
 * part before a comma ("Moldova, Republic of") and without a part in
 * brackets ("Falkland Islands (Malvinas)").  A key two countries share
 * ("Korea", "Virgin Islands") names neither; an English name outranks a
 * shortened one, and both outrank every translation.
 */
#include <glob.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "internal.h"

#ifndef CRM_ISO_CODES_PREFIX
#define CRM_ISO_CODES_PREFIX "/usr"
#endif
#define ISO_JSON CRM_ISO_CODES_PREFIX "/share/iso-codes/json/iso_3166-1.json"
#define ISO_MO CRM_ISO_CODES_PREFIX "/share/locale/*/LC_MESSAGES/iso_3166-1.mo"
#define MO_MAX (4 << 20) /* a catalogue is some 30 kB; anything far larger is not one */

/* Everyday names that are not the standard's, nor its translations. */
static const struct {
	const char *name, *code;
} aliases[] = {
	{ "U.S.", "US" },
	{ "UK", "GB" },               { "Great Britain", "GB" },
	{ "Britain", "GB" },          { "England", "GB" },
	{ "Scotland", "GB" },         { "Wales", "GB" },
	{ "Northern Ireland", "GB" }, { "Holland", "NL" },
	{ "Russia", "RU" },           { "Turkey", "TR" },
	{ "North Korea", "KP" },      { "Korea, North", "KP" },
	{ "Korea, South", "KR" },     { "Laos", "LA" },
	{ "Syria", "SY" },            { "Brunei", "BN" },
	{ "Macau", "MO" },            { "Burma", "MM" },
	{ "Ivory Coast", "CI" },      { "Cape Verde", "CV" },
	{ "Swaziland", "SZ" },        { "Macedonia", "MK" },
	{ "East Timor", "TL" },       { "Vatican", "VA" },
	{ "Vatican City", "VA" },     { "UAE", "AE" },
	{ "DR Congo", "CD" },         { "Democratic Republic of the Congo", "CD" },
	{ "Republic of the Congo", "CG" },
	{ "Republic of Ireland", "IE" }, { "Eire", "IE" },
	{ "Hong Kong SAR", "HK" },    { "Macao SAR", "MO" },
	{ "Macau SAR", "MO" },
	/* XK is not in the standard, so neither are its names. */
	{ "Kosovo", "XK" },           { "Kosova", "XK" },
	{ "\xd0\x9a\xd0\xbe\xd1\x81\xd0\xbe\xd0\xb2\xd0\xbe", "XK" }, /* Косово */
	/* and the everyday names of two countries whose translations are
	 * their official ones. */
	{ "\xd0\xa0\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f", "RU" }, /* Россия */
	{ "Russland", "RU" },         { "Rusia", "RU" },
	{ "R\xc3\xbassia", "RU" },     { "Rosja", "RU" },
	{ "Gro\xc3\x9f" "britannien", "GB" }, { "Grande-Bretagne", "GB" },
	{ "Gran Breta\xc3\xb1" "a", "GB" }, { "Gran Bretagna", "GB" },
};

enum rank { EXACT, SHORTENED };

struct name {
	uint32_t key;  /* offset of its key in the table's text */
	uint8_t rank;  /* enum rank */
	char code[3];  /* "" when two countries share the key */
};

struct table {
	crm_buf text; /* the keys, each ending in a NUL */
	struct name *a;
	size_t n, cap;
	int rc;       /* what building it came to: CRM_OK or CRM_ENOMEM */
};

static struct table english, translated;
static pthread_once_t english_once = PTHREAD_ONCE_INIT, translated_once = PTHREAD_ONCE_INIT;

static int word_is(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && !memcmp(p, w, n);
}

/* Appends word p (w bytes) to b, after a space unless it is the first of
 * b's text from start on: its punctuation dropped, "st" as "saint". */
static int put_word(crm_buf *b, size_t start, const char *p, size_t w)
{
	size_t before = b->len, word;
	int bad = b->len > start ? crm_buf_putc(b, ' ') : 0;

	word = b->len;
	if (word_is(p, w, "st") || word_is(p, w, "st."))
		return bad | crm_buf_puts(b, "saint");
	for (size_t j = 0; j < w; j++)
		if (!strchr(".,'()\"", p[j]))
			bad |= crm_buf_putc(b, p[j]);
	/* A word of punctuation alone is none. */
	if (!bad && b->len == word && word > before)
		b->ptr[b->len = before] = '\0';
	return bad;
}

/* Appends to b the words of key k's first n bytes as names are compared:
 * hyphens are spaces, "&" the word "and", "the" at the start left out. */
static int clean(crm_buf *b, const char *k, size_t n)
{
	size_t start = b->len, i = 0, w;
	int bad = 0;

	while (i < n && !bad) {
		if (k[i] == ' ' || k[i] == '-') {
			i++;
		} else if (k[i] == '&') {
			bad = put_word(b, start, "and", 3);
			i++;
		} else {
			for (w = 0; i + w < n && !strchr(" -&", k[i + w]); w++)
				;
			if (b->len > start || !word_is(k + i, w, "the") || i + w == n)
				bad = put_word(b, start, k + i, w);
			i += w;
		}
	}
	return bad ? crm_error_nomem() : CRM_OK;
}

static int add(struct table *t, const char *k, size_t n, enum rank rank, const char *code)
{
	size_t at = t->text.len;
	int rc;

	if ((rc = clean(&t->text, k, n)))
		return rc;
	if (t->text.len == at)
		return CRM_OK;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		struct name *a = realloc(t->a, cap * sizeof *a);
		if (!a)
			return crm_error_nomem();
		t->a = a;
		t->cap = cap;
	}
	if (crm_buf_putc(&t->text, '\0'))
		return crm_error_nomem();
	t->a[t->n].key = (uint32_t)at;
	t->a[t->n].rank = (uint8_t)rank;
	memcpy(t->a[t->n].code, code, 3);
	t->n++;
	return CRM_OK;
}

/* Adds name s of the country code: whole, before its first comma, and
 * without its part in brackets. */
static int add_name(struct table *t, const char *s, enum rank rank, const char *code)
{
	char *k, *comma, *open, *close;
	int rc;

	if (!s)
		return CRM_OK;
	if ((rc = crm_text_key(&k, s)))
		return rc == CRM_EDATA ? CRM_OK : rc; /* not text: no name to know it by */
	rc = add(t, k, strlen(k), rank, code);
	if (!rc && (comma = strchr(k, ',')))
		rc = add(t, k, (size_t)(comma - k), rank + SHORTENED, code);
	if (!rc && (open = strchr(k, '(')) && (close = strchr(open, ')')) && !close[1])
		rc = add(t, k, (size_t)(open - k), rank + SHORTENED, code);
	free(k);
	return rc;
}

static const char *key_of(const struct table *t, const struct name *m)
{
	return t->text.ptr + m->key;
}

static int by_key_rank(const void *a, const void *b, void *table)
{
	const struct name *x = a, *y = b;
	int c = strcmp(key_of(table, x), key_of(table, y));

	return c ? c : x->rank - y->rank;
}

/* Sorts t by key and keeps one name a key: the best ranked, coded "" when
 * names of that rank disagree. */
static void settle(struct table *t)
{
	size_t out = 0;

	if (t->n)
		qsort_r(t->a, t->n, sizeof *t->a, by_key_rank, t);
	for (size_t i = 0; i < t->n; i++) {
		struct name *last = out ? &t->a[out - 1] : NULL;

		if (last && !strcmp(key_of(t, last), key_of(t, &t->a[i]))) {
			if (t->a[i].rank == last->rank && strcmp(t->a[i].code, last->code))
				last->code[0] = '\0';
			continue;
		}
		t->a[out++] = t->a[i];
	}
	t->n = out;
}

/* The country of key k in t: its code, "" for a shared name, NULL for
 * none. */
static const char *find(const struct table *t, const char *k)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(k, key_of(t, &t->a[mid]));

		if (!c)
			return t->a[mid].code;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void load_english(void)
{
	struct table *t = &english;
	json_t *root = json_load_file(ISO_JSON, 0, NULL);
	json_t *list = json_object_get(root, "3166-1"), *c;
	size_t i;
	int rc = CRM_OK;

	for (size_t j = 0; j < sizeof aliases / sizeof aliases[0] && !rc; j++)
		rc = add_name(t, aliases[j].name, EXACT, aliases[j].code);
	json_array_foreach(list, i, c) {
		const char *code = json_string_value(json_object_get(c, "alpha_2"));

		if (rc || !code || !crm_country_valid_p(code))
			continue;
		rc = add_name(t, json_string_value(json_object_get(c, "alpha_3")), EXACT, code);
		if (!rc)
			rc = add_name(t, json_string_value(json_object_get(c, "name")), EXACT, code);
		if (!rc)
			rc = add_name(t, json_string_value(json_object_get(c, "official_name")), EXACT, code);
		if (!rc)
			rc = add_name(t, json_string_value(json_object_get(c, "common_name")), EXACT, code);
	}
	json_decref(root);
	settle(t);
	t->rc = rc;
}

/* A .mo catalogue's 32-bit word at byte off, in its byte order. */
static uint32_t word_at(const unsigned char *p, size_t off, int swap)
{
	uint32_t w;

	memcpy(&w, p + off, 4);
	return swap ? __builtin_bswap32(w) : w;
}

/* The string of entry i of the table at byte tab of catalogue p (size
 * n), or NULL when it lies outside. */
static const char *mo_string(const unsigned char *p, size_t n, uint32_t tab, uint32_t i, int swap)
{
	uint64_t at = (uint64_t)tab + 8 * (uint64_t)i;
	uint32_t len, off;

	if (at + 8 > n)
		return NULL;
	len = word_at(p, at, swap);
	off = word_at(p, at + 4, swap);
	if ((uint64_t)off + len >= n || p[off + len] != '\0')
		return NULL;
	return (const char *)p + off;
}

/* The code of name s as found in t, "" for a shared name, NULL for none;
 * *rc is CRM_ENOMEM when it could not look. */
static const char *lookup(const struct table *t, const char *s, int *rc)
{
	crm_buf b = CRM_BUF_INIT;
	const char *code = NULL;
	char *k;

	*rc = crm_text_key(&k, s);
	if (*rc == CRM_EDATA)
		*rc = CRM_OK; /* not text: no country's name */
	else if (!*rc && !(*rc = clean(&b, k, strlen(k))))
		code = find(t, crm_buf_str(&b));
	free(k);
	crm_buf_free(&b);
	return code;
}

/* Adds the translations in catalogue p (n bytes) of the English names;
 * anything that is not a catalogue adds nothing (GNU gettext's format:
 * magic, revision, count, the offsets of the two string tables). */
static int add_catalogue(struct table *t, const unsigned char *p, size_t n)
{
	uint32_t magic, count, orig, trans;
	int swap, rc = CRM_OK;

	if (n < 20)
		return CRM_OK;
	memcpy(&magic, p, 4);
	if (magic != 0x950412de && magic != 0xde120495)
		return CRM_OK;
	swap = magic == 0xde120495;
	count = word_at(p, 8, swap);
	orig = word_at(p, 12, swap);
	trans = word_at(p, 16, swap);
	/* No more entries than both tables hold: a count gone wrong ends. */
	if (orig > n || trans > n)
		return CRM_OK;
	if (count > (n - orig) / 8 || count > (n - trans) / 8)
		count = (uint32_t)((n - (orig > trans ? orig : trans)) / 8);
	for (uint32_t i = 0; i < count && !rc; i++) {
		const char *id = mo_string(p, n, orig, i, swap);
		const char *str = mo_string(p, n, trans, i, swap);
		const char *code;

		/* The header has an empty id; a context, a \004 in it. */
		if (!id || !str || !*id || !*str || strchr(id, '\004'))
			continue;
		code = lookup(&english, id, &rc);
		if (!rc && code && *code)
			rc = add_name(t, str, EXACT, code);
	}
	return rc;
}

/* Reads file path whole into *p (malloc'd), *n bytes; nothing for a file
 * that cannot be read or is too large to be a catalogue. */
static void slurp(const char *path, unsigned char **p, size_t *n)
{
	FILE *f = fopen(path, "rb");
	long size;

	*p = NULL;
	*n = 0;
	if (!f)
		return;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && size <= MO_MAX &&
	    !fseek(f, 0, SEEK_SET) && (*p = malloc((size_t)size))) {
		*n = fread(*p, 1, (size_t)size, f);
		if (*n != (size_t)size) {
			free(*p);
			*p = NULL;
			*n = 0;
		}
	}
	fclose(f);
}

static void load_translated(void)
{
	struct table *t = &translated;
	glob_t g;
	int rc = CRM_OK;

	if (glob(ISO_MO, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
			unsigned char *p;
			size_t n;

			slurp(g.gl_pathv[i], &p, &n);
			if (p)
				rc = add_catalogue(t, p, n);
			free(p);
		}
		globfree(&g);
	}
	settle(t);
	t->rc = rc;
}

int crm_country_by_name(char code[3], const char *s)
{
	const char *c;
	int rc;

	pthread_once(&english_once, load_english);
	if (english.rc)
		return crm_error_nomem();
	c = lookup(&english, s, &rc);
	if (!rc && !c) {
		pthread_once(&translated_once, load_translated);
		if (translated.rc)
			return crm_error_nomem();
		c = lookup(&translated, s, &rc);
	}
	if (rc)
		return rc;
	if (c && !*c)
		return crm_error_set(CRM_EDATA, "'%s' names more than one country: give its"
		                     " two-letter code", s);
	if (!c)
		return CRM_ENOTFOUND;
	memcpy(code, c, 3);
	return CRM_OK;
}
