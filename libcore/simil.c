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
#include "internal.h"

/* Decodes at most CRM_SIMIL_MAX code points of s into out; returns how many. */
static int decode(const char *s, int32_t out[CRM_SIMIL_MAX])
{
	size_t len = strlen(s), i = 0;
	int n = 0;

	while (i < len && n < CRM_SIMIL_MAX)
		i += crm_utf8_decode_lax(s + i, len - i, &out[n++]);
	return n;
}

/* The Jaro similarity of code point strings a (la) and b (lb), both > 0. */
static double jaro(const int32_t *a, int la, const int32_t *b, int lb)
{
	char used_a[CRM_SIMIL_MAX] = { 0 }, used_b[CRM_SIMIL_MAX] = { 0 };
	int window = (la > lb ? la : lb) / 2 - 1, m = 0, t = 0, i, j, k;

	if (window < 0)
		window = 0;
	for (i = 0; i < la; i++) {
		int lo = i - window > 0 ? i - window : 0;
		int hi = i + window + 1 < lb ? i + window + 1 : lb;

		for (j = lo; j < hi; j++) {
			if (!used_b[j] && a[i] == b[j]) {
				used_a[i] = used_b[j] = 1;
				m++;
				break;
			}
		}
	}
	if (m == 0)
		return 0.0;
	/* Matched code points taken in order on both sides; each position
	 * where they differ is half a transposition. */
	for (i = 0, k = 0; i < la; i++) {
		if (!used_a[i])
			continue;
		while (!used_b[k])
			k++;
		t += a[i] != b[k++];
	}
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

/* Monge-Elkan: the mean over a's words of the best match among b's. */
static double monge_elkan(const struct words *a, const struct words *b)
{
	double sum = 0.0;
	int i, j;

	for (i = 0; i < a->n; i++) {
		double best = 0.0;

		for (j = 0; j < b->n; j++) {
			double s = jaro_winkler(a->cp + a->start[i], a->len[i],
						b->cp + b->start[j], b->len[j]);
			if (s > best)
				best = s;
		}
		sum += best;
	}
	return sum / a->n;
}

double crm_token_similarity(const char *a, const char *b)
{
	struct words wa, wb;
	double me, joined;

	split_words(a, &wa);
	split_words(b, &wb);
	if (wa.n == 0 || wb.n == 0)
		return wa.n == wb.n ? 1.0 : 0.0;
	me = (monge_elkan(&wa, &wb) + monge_elkan(&wb, &wa)) / 2.0;
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
