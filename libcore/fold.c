/* fold.c - one spelling of a name across scripts and romanisations.
 *
 * People write their names in Cyrillic and in Latin (Uzbek has both
 * alphabets), and Russian names reach Latin by several romanisations:
 * Хасанов is Khasanov, Xasanov or Hasanov; Евгений is Yevgeny, Evgeniy or
 * Evgenii.  The fold writes Cyrillic and Greek letters in Latin, takes the
 * match key (case and accents folded), then reduces the spellings that
 * romanisations disagree on to one: kh, x, ks and h; sh and s (š); ch and
 * c (č); zh and j; q and k; y and i; apostrophes (Uzbek gʻ, oʻ) dropped.
 * Latin names pass through the same reduction, so both sides of any
 * comparison are folded alike.
 *
 * Written here rather than taken from ICU's Any-Latin: that gives one
 * standard transliteration per script (ISO 9: х→h, ш→š, ю→û), not the
 * spellings people type, so equating them would need rules of our own on
 * top; and it would put ICU's start-up into every program.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "text.h"

/* Lower-case Cyrillic and Greek letters in their usual English-style
 * romanisation; the reduction below merges the variants.  Where languages
 * differ, the one this toolkit's users write most wins: ў is Uzbek o', not
 * Belarusian u; г is Russian g, not Ukrainian h. */
static const struct letter {
	int32_t cp;
	const char *latin;
} letters[] = {
	{ 0x0390, "i" }, { 0x03AC, "a" }, { 0x03AD, "e" }, { 0x03AE, "i" },
	{ 0x03AF, "i" }, { 0x03B0, "y" }, { 0x03B1, "a" }, { 0x03B2, "v" },
	{ 0x03B3, "g" }, { 0x03B4, "d" }, { 0x03B5, "e" }, { 0x03B6, "z" },
	{ 0x03B7, "i" }, { 0x03B8, "th" }, { 0x03B9, "i" }, { 0x03BA, "k" },
	{ 0x03BB, "l" }, { 0x03BC, "m" }, { 0x03BD, "n" }, { 0x03BE, "x" },
	{ 0x03BF, "o" }, { 0x03C0, "p" }, { 0x03C1, "r" }, { 0x03C2, "s" },
	{ 0x03C3, "s" }, { 0x03C4, "t" }, { 0x03C5, "y" }, { 0x03C6, "f" },
	{ 0x03C7, "ch" }, { 0x03C8, "ps" }, { 0x03C9, "o" }, { 0x03CA, "i" },
	{ 0x03CB, "y" }, { 0x03CC, "o" }, { 0x03CD, "y" }, { 0x03CE, "o" },
	{ 0x0430, "a" }, { 0x0431, "b" }, { 0x0432, "v" }, { 0x0433, "g" },
	{ 0x0434, "d" }, { 0x0435, "e" }, { 0x0436, "zh" }, { 0x0437, "z" },
	{ 0x0438, "i" }, { 0x0439, "y" }, { 0x043A, "k" }, { 0x043B, "l" },
	{ 0x043C, "m" }, { 0x043D, "n" }, { 0x043E, "o" }, { 0x043F, "p" },
	{ 0x0440, "r" }, { 0x0441, "s" }, { 0x0442, "t" }, { 0x0443, "u" },
	{ 0x0444, "f" }, { 0x0445, "kh" }, { 0x0446, "ts" }, { 0x0447, "ch" },
	{ 0x0448, "sh" }, { 0x0449, "shch" }, { 0x044A, "" }, { 0x044B, "y" },
	{ 0x044C, "" }, { 0x044D, "e" }, { 0x044E, "yu" }, { 0x044F, "ya" },
	{ 0x0450, "e" }, { 0x0451, "yo" }, { 0x0452, "dj" }, { 0x0453, "gj" },
	{ 0x0454, "ye" }, { 0x0455, "dz" }, { 0x0456, "i" }, { 0x0457, "yi" },
	{ 0x0458, "j" }, { 0x0459, "lj" }, { 0x045A, "nj" }, { 0x045B, "c" },
	{ 0x045C, "kj" }, { 0x045D, "i" }, { 0x045E, "o" }, { 0x045F, "dz" },
	{ 0x0491, "g" }, { 0x0493, "g" }, { 0x0495, "g" }, { 0x0497, "zh" },
	{ 0x0499, "z" }, { 0x049B, "q" }, { 0x049D, "k" }, { 0x049F, "k" },
	{ 0x04A1, "q" }, { 0x04A3, "ng" }, { 0x04A5, "ng" }, { 0x04AB, "s" },
	{ 0x04AF, "u" }, { 0x04B1, "u" }, { 0x04B3, "h" }, { 0x04B5, "ts" },
	{ 0x04B7, "j" }, { 0x04B9, "ch" }, { 0x04BB, "h" }, { 0x04BD, "ch" },
	{ 0x04BF, "ch" }, { 0x04C2, "zh" }, { 0x04C4, "q" }, { 0x04C8, "ng" },
	{ 0x04D1, "a" }, { 0x04D3, "a" }, { 0x04D5, "ae" }, { 0x04D7, "e" },
	{ 0x04D9, "a" }, { 0x04DB, "a" }, { 0x04DD, "zh" }, { 0x04DF, "z" },
	{ 0x04E1, "dz" }, { 0x04E3, "i" }, { 0x04E5, "i" }, { 0x04E7, "o" },
	{ 0x04E9, "o" }, { 0x04EB, "o" }, { 0x04ED, "e" }, { 0x04EF, "u" },
	{ 0x04F1, "u" }, { 0x04F3, "u" }, { 0x04F5, "ch" }, { 0x04F9, "y" },
};

/* Spellings of one sound that romanisations disagree on, reduced to one;
 * the longer ones are tried first at each place. */
static const struct spelling {
	const char *from, *to;
} spellings[] = {
	{ "kh", "h" }, { "ks", "h" }, { "sh", "s" }, { "ch", "c" }, { "zh", "j" },
	{ "gh", "g" }, { "ph", "f" }, { "th", "t" },
	{ "x", "h" }, { "q", "k" }, { "w", "v" }, { "y", "i" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int letter_cmp(const void *key, const void *elem)
{
	int32_t a = *(const int32_t *)key, b = ((const struct letter *)elem)->cp;

	return (a > b) - (a < b);
}

static const char *latin_of(int32_t c)
{
	const struct letter *l = bsearch(&c, letters, COUNT(letters), sizeof letters[0],
	                                 letter_cmp);
	utf8proc_int32_t base[4];
	utf8proc_ssize_t n;
	int last;

	if (l || c < 0x0370 || (c > 0x052F && c < 0x1F00) || c > 0x1FFF)
		return l ? l->latin : NULL;
	/* Polytonic Greek and rarer accented Cyrillic: the base letter's. */
	n = utf8proc_decompose_char(c, base, 4, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
	                            UTF8PROC_CASEFOLD, &last);
	if (n < 1 || n > 4 || base[0] == c)
		return NULL;
	l = bsearch(&base[0], letters, COUNT(letters), sizeof letters[0], letter_cmp);
	return l ? l->latin : NULL;
}

/* Apostrophes and the modifier letters Uzbek and transliterations use as
 * them (gʻ, oʻ, the soft sign's ʹ): a name has the same letters without. */
static int apostrophe_p(int32_t c)
{
	return c == '\'' || c == '`' || c == 0xB4 || (c >= 0x02B9 && c <= 0x02BD) ||
	       c == 0x02C8 || c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x2032;
}

/* Whether Greek letter c is a voiceless consonant. */
static int voiceless_p(int32_t c)
{
	switch (c) {
	case 0x03B8: case 0x03BA: case 0x03BE: case 0x03C0: case 0x03C2: case 0x03C3:
	case 0x03C4: case 0x03C6: case 0x03C7: case 0x03C8:
		return 1; /* θ κ ξ π ς σ τ φ χ ψ */
	default:
		return 0;
	}
}

/* The romanisation of Greek letter c when it depends on its neighbours:
 * υ after α, ε or ο (αυ av, ευ ev, but af and ef before a voiceless
 * consonant; ου ou), and γ before γ, κ, ξ or χ (ng); else NULL. */
static const char *greek_pair(int32_t prev, int32_t c, int32_t next)
{
	if (c == 0x03C5 || c == 0x03CD) {
		if (prev == 0x03BF || prev == 0x03CC)
			return "u";
		if (prev == 0x03B1 || prev == 0x03AC || prev == 0x03B5 || prev == 0x03AD)
			return voiceless_p(next) ? "f" : "v";
	}
	if (c == 0x03B3 && (next == 0x03B3 || next == 0x03BA || next == 0x03BE || next == 0x03C7))
		return "n";
	return NULL;
}

/* Appends the lower-case NFC text s with its Cyrillic and Greek letters
 * written in Latin and apostrophes left out. */
static int romanise(crm_buf *b, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	const char *latin;
	int32_t c, prev = 0, next;
	int rc = CRM_OK;

	for (; i < len && !rc; i += n, prev = c) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		if (apostrophe_p(c))
			continue;
		next = 0;
		if (i + n < len)
			crm_utf8_decode_lax(s + i + n, len - i - n, &next);
		if (!(latin = greek_pair(prev, c, next)))
			latin = latin_of(c);
		rc = latin ? crm_buf_puts(b, latin) : crm_buf_put(b, s + i, n);
	}
	return rc;
}

/* Tidies the end of b after a letter was added: "ий", "iy" and "ii" end
 * Евгений as Evgeniy and Evgenii, so a run of i is one i; "е" after a
 * vowel or at the start of a word is "ye" or "e" (Aliyev, Aliev; Yelena,
 * Elena), so an i between a vowel and e, or starting a word before e,
 * goes.  word is where the current word starts in b. */
static void tidy(crm_buf *b, size_t word)
{
	char *p = b->ptr;
	size_t n = b->len;

	if (n >= 2 && p[n - 1] == 'i' && p[n - 2] == 'i') {
		p[--b->len] = '\0';
	} else if (n >= 2 && p[n - 1] == 'e' && p[n - 2] == 'i' &&
	           (n - 2 == word || (n >= 3 && n - 3 >= word && strchr("aeou", p[n - 3])))) {
		p[n - 2] = 'e';
		p[--b->len] = '\0';
	}
}

/* Appends the match key k with the variant spellings reduced. */
static int reduce(crm_buf *b, const char *k)
{
	const char *p = k;
	size_t i, n, word = b->len;
	int rc = CRM_OK;

	while (*p && !rc) {
		i = COUNT(spellings);
		/* Most letters start no variant spelling. */
		if (strchr("ksczgptxqwy", *p))
			for (i = 0; i < COUNT(spellings); i++)
				if (!strncmp(p, spellings[i].from, n = strlen(spellings[i].from)))
					break;
		if (i == COUNT(spellings)) {
			n = 1;
			if (*p == ' ')
				word = b->len + 1;
			rc = crm_buf_putc(b, *p);
		} else {
			rc = crm_buf_puts(b, spellings[i].to);
		}
		p += n;
		if (!rc)
			tidy(b, word);
	}
	return rc;
}

/* Whether s has a byte outside ASCII: only then can it hold another
 * script, and only then is the case folding before romanising needed. */
static int ascii_p(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int crm_text_fold(char **out, const char *s)
{
	crm_buf latin = CRM_BUF_INIT, b = CRM_BUF_INIT;
	char *lower = NULL, *key = NULL;
	int ascii = ascii_p(s), rc = ascii ? CRM_OK : crm_text_casefold(&lower, s);
	/* ASCII without apostrophes is what romanising would make of it. */
	int latin_already = ascii && !strpbrk(s, "'`");

	*out = NULL;
	if (!rc && !latin_already && romanise(&latin, lower ? lower : s))
		rc = crm_error_nomem();
	free(lower);
	if (!rc)
		rc = crm_text_key(&key, latin_already ? s : crm_buf_str(&latin));
	crm_buf_free(&latin);
	if (!rc && reduce(&b, key))
		rc = crm_error_nomem();
	free(key);
	if (!rc && !(*out = crm_buf_detach(&b)))
		rc = crm_error_nomem();
	crm_buf_free(&b);
	return rc;
}
