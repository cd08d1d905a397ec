/* simil.c - string similarity measures on code points (see simil.h).
 *
 * Written here rather than taken from a library: Debian packages no C
 * library of record-linkage comparators, and these are a few dozen lines
 * each whose exact definitions (code points, length cap, no allocation) the
 * dedup scorer depends on.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "crm/simil.h"
#include "text.h"

/* Decodes at most CRM_SIMIL_MAX code points of s into out; returns how many. */
static int decode(const char *s, int32_t out[CRM_SIMIL_MAX])
{
	size_t len = strlen(s), i = 0;
	int n = 0;

	while (i < len && n < CRM_SIMIL_MAX)
		i += crm_utf8_decode_lax(s + i, len - i, &out[n++]);
	return n;
}

/* The positions in b (at most 64 code points) of each code point, as bit
 * masks: a table for ASCII, a scan of b for the rest. */
struct positions {
	uint64_t ascii[128];
	const int32_t *b;
	int lb;
};

static void positions_set(struct positions *p, const int32_t *b, int lb, int on)
{
	int j;

	p->b = b;
	p->lb = lb;
	for (j = 0; j < lb; j++)
		if (b[j] < 128)
			p->ascii[b[j]] = on ? p->ascii[b[j]] | UINT64_C(1) << j : 0;
}

static uint64_t positions_of(const struct positions *p, int32_t c)
{
	uint64_t mask = 0;
	int j;

	if (c >= 0 && c < 128)
		return p->ascii[c];
	for (j = 0; j < p->lb; j++)
		if (p->b[j] == c)
			mask |= UINT64_C(1) << j;
	return mask;
}

/* The bits below position n (n <= 64). */
static uint64_t below(int n)
{
	return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

/* The Jaro similarity of code point strings a (la) and b (lb), both > 0,
 * bit-parallel: each code point of a takes the first unused equal code
 * point of b within the match window, found with one mask operation. */
static double jaro(const int32_t *a, int la, const int32_t *b, int lb)
{
	static _Thread_local struct positions pos; /* all zero between calls */
	uint64_t used_a = 0, used_b = 0, ma, mb;
	int window = (la > lb ? la : lb) / 2 - 1, m = 0, t = 0, i;

	if (window < 0)
		window = 0;
	positions_set(&pos, b, lb, 1);
	for (i = 0; i < la; i++) {
		int lo = i - window > 0 ? i - window : 0;
		uint64_t cand = positions_of(&pos, a[i]) & below(i + window + 1) & ~below(lo) & ~used_b;

		if (cand) {
			used_b |= cand & -cand;
			used_a |= UINT64_C(1) << i;
			m++;
		}
	}
	positions_set(&pos, b, lb, 0);
	if (m == 0)
		return 0.0;
	/* Matched code points taken in order on both sides; each position
	 * where they differ is half a transposition. */
	for (ma = used_a, mb = used_b; ma; ma &= ma - 1, mb &= mb - 1)
		t += a[__builtin_ctzll(ma)] != b[__builtin_ctzll(mb)];
	return ((double)m / la + (double)m / lb + (m - t / 2.0) / m) / 3.0;
}

static double jaro_winkler(const int32_t *a, int la, const int32_t *b, int lb)
{
	double j;
	int p = 0;

	if (la == 0 || lb == 0)
		return la == lb ? 1.0 : 0.0;
	j = jaro(a, la, b, lb);
	if (j <= 0.7)
		return j;
	while (p < 4 && p < la && p < lb && a[p] == b[p])
		p++;
	return j + p * 0.1 * (1.0 - j);
}

double crm_jaro_winkler(const char *a, const char *b)
{
	int32_t ca[CRM_SIMIL_MAX], cb[CRM_SIMIL_MAX];
	int la = decode(a, ca), lb = decode(b, cb);

	return jaro_winkler(ca, la, cb, lb);
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

int crm_damerau(const char *a, const char *b)
{
	int32_t ca[CRM_SIMIL_MAX], cb[CRM_SIMIL_MAX];
	int la = decode(a, ca), lb = decode(b, cb);
	/* Three rows of the edit matrix: two back (for transpositions), the
	 * previous one and the one being filled. */
	int rows[3][CRM_SIMIL_MAX + 1];
	int *back = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	int i, j;

	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int cost = ca[i - 1] != cb[j - 1];

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] &&
			    back[j - 2] + 1 < cur[j])
				cur[j] = back[j - 2] + 1;
		}
		tmp = back;
		back = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/* Words of a value: runs of letters and digits; the rest separates. */
struct words {
	int32_t cp[CRM_SIMIL_MAX];
	int start[CRM_SIMIL_MAX], len[CRM_SIMIL_MAX];
	int n, total;
};

static int word_char_p(int32_t c)
{
	return c >= 0x80 || isalnum(c);
}

static void split_words(const char *s, struct words *w)
{
	int32_t all[CRM_SIMIL_MAX];
	int n = decode(s, all), i;

	w->n = w->total = 0;
	for (i = 0; i < n; i++) {
		if (!word_char_p(all[i]))
			continue;
		if (i == 0 || !word_char_p(all[i - 1])) {
			w->start[w->n] = w->total;
			w->len[w->n++] = 0;
		}
		w->cp[w->total++] = all[i];
		w->len[w->n - 1]++;
	}
}

/* Symmetric Monge-Elkan: each word's best Jaro-Winkler score against the
 * other side's words, averaged over a's words and over b's, then the two
 * means averaged.  One pass over the word pairs serves both directions. */
static double monge_elkan(const struct words *a, const struct words *b)
{
	double best_a[CRM_SIMIL_MAX] = { 0 }, best_b[CRM_SIMIL_MAX] = { 0 };
	double sum_a = 0.0, sum_b = 0.0;
	int i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++) {
			double s = jaro_winkler(a->cp + a->start[i], a->len[i],
						b->cp + b->start[j], b->len[j]);

			best_a[i] = s > best_a[i] ? s : best_a[i];
			best_b[j] = s > best_b[j] ? s : best_b[j];
		}
	}
	for (i = 0; i < a->n; i++)
		sum_a += best_a[i];
	for (j = 0; j < b->n; j++)
		sum_b += best_b[j];
	return (sum_a / a->n + sum_b / b->n) / 2.0;
}

double crm_token_similarity(const char *a, const char *b)
{
	struct words wa, wb;
	double me, joined;

	split_words(a, &wa);
	split_words(b, &wb);
	if (wa.n == 0 || wb.n == 0)
		return wa.n == wb.n ? 1.0 : 0.0;
	me = monge_elkan(&wa, &wb);
	/* Words run together or split apart change the count of words. */
	if (wa.n == wb.n)
		return me;
	joined = jaro_winkler(wa.cp, wa.total, wb.cp, wb.total);
	return me > joined ? me : joined;
}

/* The Soundex digit of an ASCII lower-case letter; 0 for vowels and y,
 * -1 for h and w (which do not separate equal digits). */
static int soundex_digit(int c)
{
	static const char code[] = "01230120022455012623010202";

	if (c == 'h' || c == 'w')
		return -1;
	return code[c - 'a'] - '0';
}

static void soundex(char *out, const char *s)
{
	int n = 1, last = soundex_digit(*s);

	out[0] = (char)toupper((unsigned char)*s);
	for (s++; *s && n < 4; s++) {
		int d;

		if (*s < 'a' || *s > 'z')
			continue;
		d = soundex_digit(*s);
		if (d > 0 && d != last)
			out[n++] = (char)('0' + d);
		if (d >= 0)
			last = d;
	}
	while (n < 4)
		out[n++] = '0';
	out[n] = '\0';
}

void crm_phonetic(char *out, const char *s)
{
	size_t len, i = 0, n;
	int32_t c;
	int k;

	while (*s && !word_char_p((unsigned char)*s))
		s++;
	if (*s >= 'a' && *s <= 'z') {
		soundex(out, s);
		return;
	}
	/* Not a Latin letter: the first two code points stand for the name. */
	len = strlen(s);
	for (k = 0; k < 2 && i < len; k++) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		if (!word_char_p(c))
			break;
		i += n;
	}
	memcpy(out, s, i);
	out[i] = '\0';
}
