/* name.c - a full name split into the given and the family name
 * (crm_name_split, norm.h), as exports write them: "Ada Lovelace",
 * "Lovelace, Ada", "Dr. Jane Smith", "Martin Luther King, Jr.",
 * "Ann Lee <ann@example.org>", and the family-name-first order of
 * Chinese, Japanese and Korean names ("山田 太郎").
 *
 * Hand-written: the word lists are short and the rules few; the name
 * libraries in Debian parse Western names only.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "crm/record.h"

#define MAX_WORDS 32

/* Words a salutation opens a name with: dropped from the split. */
static const char *const honorifics[] = {
	"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau",
	"mme", "mlle", "sr", "sra", "srta", "dott", NULL
};

/* Words a family name opens with, never a given name: Dutch, German,
 * Romance, Arabic and Hebrew particles, and the Irish and Scottish
 * patronymic prefixes written apart ("Ludwig van Beethoven", "Ursula von
 * der Leyen", "Maria da Silva", "Oisín Ó Briain", "محمد بن سلمان").
 * Matched from the second word on: "Van Morrison" keeps Van as his given
 * name. */
static const char *const particles[] = {
	"van", "von", "vom", "der", "den", "ter", "ten", "zu", "de", "del", "della", "dei",
	"degli", "di", "da", "das", "do", "dos", "du", "des", "la", "le", "af", "av",
	"bin", "binti", "bint", "ibn", "al", "el", "\xc3\xb3", "\xc3\x93", "n\xc3\xad",
	"N\xc3\xad", "nic", "mac", "u\xc3\xad", "U\xc3\xad", "ua",
	/* The same written in Arabic (bin, bint, ibn, Al) and Hebrew (ben, bat). */
	"\xd8\xa8\xd9\x86", "\xd8\xa8\xd9\x86\xd8\xaa", "\xd8\xa7\xd8\xa8\xd9\x86",
	"\xd8\xa5\xd8\xa8\xd9\x86", "\xd8\xa2\xd9\x84", "\xd7\x91\xd7\x9f",
	"\xd7\x91\xd7\xaa", NULL
};

/* Words that close a name: they stay with the family name. */
static const char *const suffixes[] = { "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", NULL };

struct word {
	const char *s;
	size_t n;
};

/* Whether word w, without a final '.', is one of list. */
static bool word_in(const struct word *w, const char *const *list)
{
	size_t n = w->n - (w->n > 1 && w->s[w->n - 1] == '.');

	for (; *list; list++)
		if (strlen(*list) == n && !strncasecmp(w->s, *list, n))
			return true;
	return false;
}

/* Whether every letter of s (n bytes) is Han, kana or Hangul: a name
 * written family name first. */
static bool cjk_p(const char *s, size_t n)
{
	utf8proc_int32_t c;
	bool any = false;

	for (size_t i = 0; i < n;) {
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                                      (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0)
			return false;
		i += (size_t)k;
		if (c == ' ' || c == 0x3000)
			continue;
		if (!((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
		      (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
		      (c >= 0x1100 && c <= 0x11FF) || (c >= 0x20000 && c <= 0x2FFFF)))
			return false;
		any = true;
	}
	return any;
}

/* Splits s (n bytes) into words at blanks; a word's trailing comma is
 * not part of it.  Returns the number of words (at most MAX_WORDS, the
 * last one taking the rest). */
static size_t words_of(const char *s, size_t n, struct word *w)
{
	size_t k = 0, i = 0;

	while (i < n) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		w[k].s = s + i;
		while (i < n && (k == MAX_WORDS - 1 || !isspace((unsigned char)s[i])))
			i++;
		w[k].n = (size_t)(s + i - w[k].s);
		while (w[k].n && w[k].s[w[k].n - 1] == ',')
			w[k].n--;
		k += w[k].n > 0;
	}
	return k;
}

static int join(crm_buf *b, const struct word *w, size_t from, size_t to)
{
	int bad = 0;

	for (size_t i = from; i < to; i++)
		bad |= crm_buf_printf(b, "%s%.*s", i > from ? " " : "", (int)w[i].n, w[i].s);
	return bad;
}

/* The part of s (n bytes) before an address in angle brackets, and
 * without the quotes round it ("\"Ann Lee\" <ann@example.org>", 'Ann
 * Lee' as a pair: one alone may be a name's own, 'Ali). */
static size_t name_part(const char **s, size_t n)
{
	const char *lt = memchr(*s, '<', n);

	if (lt && lt > *s)
		n = (size_t)(lt - *s);
	while (n && (isspace((unsigned char)**s) || **s == '"'))
		(*s)++, n--;
	while (n && (isspace((unsigned char)(*s)[n - 1]) || (*s)[n - 1] == '"'))
		n--;
	if (n >= 2 && **s == '\'' && (*s)[n - 1] == '\'')
		(*s)++, n -= 2;
	return n;
}

int crm_mailbox_parse(const char *text, char **addr, char **name)
{
	const char *open = strrchr(text, '<'), *end, *s = text;
	size_t n;

	*addr = NULL;
	if (name)
		*name = NULL;
	if (!open)
		open = strrchr(text, '(');
	if (!open || !(end = strchr(open, *open == '<' ? '>' : ')')) ||
	    !memchr(open, '@', (size_t)(end - open)))
		return CRM_OK;
	if (!(*addr = strndup(open + 1, (size_t)(end - open - 1))))
		return crm_error_nomem();
	if (name && (n = name_part(&s, (size_t)(open - text))) && !(*name = strndup(s, n))) {
		free(*addr);
		*addr = NULL;
		return crm_error_nomem();
	}
	return CRM_OK;
}

int crm_name_split(const char *full, char **first, char **last)
{
	crm_buf f = CRM_BUF_INIT, l = CRM_BUF_INIT;
	struct word w[MAX_WORDS];
	size_t n = name_part(&full, strlen(full)), nw, from = 0, to;
	const char *comma = memchr(full, ',', n);
	struct word after = { comma ? comma + 1 : NULL, comma ? n - (size_t)(comma + 1 - full) : 0 };
	int bad = 0;

	*first = *last = NULL;
	/* "Lovelace, Ada" -- but "King, Jr." closes the name, not inverts it. */
	if (comma && (words_of(after.s, after.n, w) != 1 || !word_in(&w[0], suffixes))) {
		nw = words_of(full, (size_t)(comma - full), w);
		bad |= join(&l, w, 0, nw);
		nw = words_of(after.s, after.n, w);
		bad |= join(&f, w, 0, nw);
		goto done;
	}
	if (!(nw = words_of(full, n, w)))
		goto done;
	while (from + 1 < nw && word_in(&w[from], honorifics))
		from++;
	for (to = nw; to > from + 1 && word_in(&w[to - 1], suffixes); to--)
		;
	if (to - from == 1 && from) {
		/* After a salutation it is the family name ("Mr Smith"). */
		bad |= join(&l, w, from, nw);
	} else if (to - from == 1) {
		/* A single word is a given name ("Madonna"). */
		bad |= join(&f, w, from, to);
		bad |= join(&l, w, to, nw);
	} else if (cjk_p(w[from].s, (size_t)(w[to - 1].s + w[to - 1].n - w[from].s))) {
		bad |= join(&l, w, from, from + 1);
		bad |= join(&f, w, from + 1, to);
	} else {
		size_t k = from + 1;

		while (k < to - 1 && !word_in(&w[k], particles))
			k++;
		bad |= join(&f, w, from, k);
		bad |= join(&l, w, k, nw);
	}
done:
	bad |= crm_buf_puts(&f, "") | crm_buf_puts(&l, "");
	if (!bad) {
		*first = crm_buf_detach(&f);
		*last = crm_buf_detach(&l);
	}
	crm_buf_free(&f);
	crm_buf_free(&l);
	if (*first && *last)
		return CRM_OK;
	free(*first);
	free(*last);
	*first = *last = NULL;
	return crm_error_nomem();
}

int crm_record_set_name(crm_record *r, const char *full)
{
	char *first = NULL, *last = NULL;
	int rc = crm_name_split(full, &first, &last);

	if (!rc && first && *first)
		rc = crm_record_set(r, "first_name", first);
	if (!rc && last && *last)
		rc = crm_record_set(r, "last_name", last);
	free(first);
	free(last);
	return rc;
}

int crm_name_join(char **out, const char *first, const char *last)
{
	const char *a = first ? first : "", *b = last ? last : "";
	crm_buf j = CRM_BUF_INIT;
	size_t start, end;

	if (*a && *b && cjk_p(a, strlen(a)) && cjk_p(b, strlen(b))) {
		const char *t = a;

		a = b;
		b = t;
	}
	if ((crm_buf_puts(&j, a) | crm_buf_putc(&j, ' ') | crm_buf_puts(&j, b)) ||
	    !(*out = crm_buf_detach(&j))) {
		crm_buf_free(&j);
		return crm_error_nomem();
	}
	/* As SQL's trim() of the two joined by a space, spaces only. */
	start = strspn(*out, " ");
	end = strlen(*out);
	while (end > start && (*out)[end - 1] == ' ')
		end--;
	memmove(*out, *out + start, end - start);
	(*out)[end - start] = '\0';
	return CRM_OK;
}
