/* diff.c - line differences by Myers' O(ND) algorithm ("An O(ND)
 * Difference Algorithm and Its Variations", 1986), and unified output.
 *
 * Our own code rather than a library or diff(1): Debian packages no C
 * library for text differences (libxdiff is bundled inside git, not
 * shipped), and running diff -u would mean temporary files holding an
 * article's text and a program outside the dependency list; the
 * algorithm is a hundred lines.  The common head and tail are skipped
 * first; past MAX_D edits the search stops and the middle is reported
 * as replaced wholesale, a correct if not minimal diff, so memory stays
 * bounded (the trace grows with the square of the edits).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm/diff.h"
#include "crm/error.h"

#define MAX_D 1000

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

/* One step of the edit script: ' ' keeps a[i] (= b[j]), '-' deletes
 * a[i], '+' inserts b[j]. */
struct op {
	char kind;
	size_t i, j;
};

struct script {
	struct op *ops;
	size_t n;
};

static void lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

/* Splits text at newlines (a last line without one counts; no line for
 * an empty text); the lines point into text. */
static int split(struct lines *l, const char *text)
{
	size_t cap = 1;

	memset(l, 0, sizeof *l);
	text = text ? text : "";
	for (const char *s = text; *s; s++)
		cap += *s == '\n';
	if (!(l->p = malloc(cap * sizeof *l->p)) || !(l->len = malloc(cap * sizeof *l->len))) {
		lines_free(l);
		return crm_error_nomem();
	}
	while (*text) {
		size_t n = strcspn(text, "\n");
		l->p[l->n] = text;
		l->len[l->n++] = n;
		text += n + (text[n] == '\n');
	}
	return CRM_OK;
}

static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

static void push(struct script *s, char kind, size_t i, size_t j)
{
	s->ops[s->n++] = (struct op){ kind, i, j };
}

/* Walks the trace back from the end of the middle (a[a0..a1), b[b0..b1))
 * and appends its edit script, in reverse, to s.  trace[d] holds V[-d..d]
 * after step d. */
static void backtrack(struct script *s, long *const *trace, long dmax, size_t a0, size_t b0,
                      long n, long m)
{
	long x = n, y = m;

	for (long d = dmax; d > 0; d--) {
		const long *v = trace[d - 1] + (d - 1); /* index by k in [-(d-1), d-1] */
		long k = x - y, pk, px, py;

		pk = (k == -d || (k != d && v[k - 1] < v[k + 1])) ? k + 1 : k - 1;
		px = v[pk];
		py = px - pk;
		for (; x > px && y > py; x--, y--)
			push(s, ' ', a0 + (size_t)x - 1, b0 + (size_t)y - 1);
		if (pk == k + 1)
			push(s, '+', a0 + (size_t)x, b0 + (size_t)y - 1);
		else
			push(s, '-', a0 + (size_t)x - 1, b0 + (size_t)y);
		x = px, y = py;
	}
	for (; x > 0; x--, y--)
		push(s, ' ', a0 + (size_t)x - 1, b0 + (size_t)y - 1);
}

/* The whole middle deleted, then the new one inserted (reverse order). */
static void replace_all(struct script *s, size_t a0, size_t b0, long n, long m)
{
	for (long j = m; j > 0; j--)
		push(s, '+', a0 + (size_t)n, b0 + (size_t)j - 1);
	for (long i = n; i > 0; i--)
		push(s, '-', a0 + (size_t)i - 1, b0);
}

/* Finds the shortest edit script of the middle by Myers' greedy search,
 * appending it reversed to s. */
static int middle(struct script *s, const struct lines *a, const struct lines *b, size_t a0,
                  size_t b0, long n, long m)
{
	long max = n + m, dmax = -1, lim = max < MAX_D ? max : MAX_D;
	long *v = calloc((size_t)(2 * max + 3), sizeof *v), **trace = NULL;
	int rc = CRM_OK;

	if (!v || !(trace = calloc((size_t)lim + 1, sizeof *trace))) {
		free(v);
		return crm_error_nomem();
	}
	v += max + 1;
	for (long d = 0; d <= lim && dmax < 0 && !rc; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[k - 1] < v[k + 1])) ? v[k + 1] : v[k - 1] + 1;
			long y = x - k;

			while (x < n && y < m && same(a, a0 + (size_t)x, b, b0 + (size_t)y))
				x++, y++;
			v[k] = x;
			if (x >= n && y >= m)
				dmax = d;
		}
		if (!(trace[d] = malloc((size_t)(2 * d + 1) * sizeof **trace)))
			rc = crm_error_nomem();
		else
			memcpy(trace[d], v - d, (size_t)(2 * d + 1) * sizeof **trace);
	}
	if (!rc && dmax >= 0)
		backtrack(s, trace, dmax, a0, b0, n, m);
	else if (!rc)
		replace_all(s, a0, b0, n, m);
	for (long d = 0; d <= lim; d++)
		free(trace[d]);
	free(trace);
	free(v - max - 1);
	return rc;
}

/* The edit script from a to b, in order. */
static int edit_script(struct script *s, const struct lines *a, const struct lines *b)
{
	size_t pre = 0, suf = 0;
	int rc;

	s->n = 0;
	if (!(s->ops = malloc((a->n + b->n + 1) * sizeof *s->ops)))
		return crm_error_nomem();
	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre && same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	/* Built back to front, then turned round. */
	for (size_t k = 1; k <= suf; k++)
		push(s, ' ', a->n - k, b->n - k);
	rc = middle(s, a, b, pre, pre, (long)(a->n - pre - suf), (long)(b->n - pre - suf));
	for (size_t k = pre; k > 0 && !rc; k--)
		push(s, ' ', k - 1, k - 1);
	for (size_t l = 0, r = s->n; !rc && l + 1 < r; l++, r--) {
		struct op t = s->ops[l];
		s->ops[l] = s->ops[r - 1];
		s->ops[r - 1] = t;
	}
	return rc;
}

/* Runs fn over the edit script of texts a and b. */
static int with_script(const char *a, const char *b,
                       int (*fn)(void *arg, const struct script *s, const struct lines *la,
                                 const struct lines *lb), void *arg)
{
	struct lines la, lb;
	struct script s = { NULL, 0 };
	int rc = split(&la, a);

	if (rc)
		return rc;
	if (!(rc = split(&lb, b)) && !(rc = edit_script(&s, &la, &lb)))
		rc = fn(arg, &s, &la, &lb);
	free(s.ops);
	lines_free(&la);
	lines_free(&lb);
	return rc;
}

struct stat_arg {
	size_t *added, *removed;
};

static int count(void *arg, const struct script *s, const struct lines *la,
                 const struct lines *lb)
{
	struct stat_arg *st = arg;

	(void)la, (void)lb;
	*st->added = *st->removed = 0;
	for (size_t i = 0; i < s->n; i++) {
		*st->added += s->ops[i].kind == '+';
		*st->removed += s->ops[i].kind == '-';
	}
	return CRM_OK;
}

int crm_diff_stat(const char *a, const char *b, size_t *added, size_t *removed)
{
	struct stat_arg st = { added, removed };

	return with_script(a, b, count, &st);
}

struct unified_arg {
	crm_buf *out;
	const char *label_a, *label_b;
	size_t context;
};

/* "@@ -1,3 +1,4 @@" (",1" left out, and an empty side starts at the line
 * before, as diff -u writes them). */
static void range(crm_buf *out, char sign, size_t start, size_t len)
{
	crm_buf_printf(out, " %c%zu", sign, len ? start + 1 : start);
	if (len != 1)
		crm_buf_printf(out, ",%zu", len);
}

/* Writes the hunk of ops [from, to). */
static void hunk(crm_buf *out, const struct script *s, size_t from, size_t to,
                 const struct lines *la, const struct lines *lb)
{
	size_t na = 0, nb = 0, sa = s->ops[from].i, sb = s->ops[from].j;

	for (size_t k = from; k < to; k++) {
		na += s->ops[k].kind != '+';
		nb += s->ops[k].kind != '-';
	}
	crm_buf_puts(out, "@@");
	range(out, '-', sa, na);
	range(out, '+', sb, nb);
	crm_buf_puts(out, " @@\n");
	for (size_t k = from; k < to; k++) {
		const struct op *o = &s->ops[k];
		const struct lines *l = o->kind == '+' ? lb : la;
		size_t i = o->kind == '+' ? o->j : o->i;

		crm_buf_putc(out, o->kind);
		crm_buf_put(out, l->p[i], l->len[i]);
		crm_buf_putc(out, '\n');
	}
}

static int unified(void *arg, const struct script *s, const struct lines *la,
                   const struct lines *lb)
{
	struct unified_arg *u = arg;
	size_t k = 0, c = u->context;
	int header = 0;

	while (k < s->n) {
		size_t first, last, end;

		while (k < s->n && s->ops[k].kind == ' ')
			k++;
		if (k == s->n)
			break;
		first = last = k;
		/* A hunk runs on while the next change is within two contexts. */
		for (size_t q = k + 1; q < s->n && q <= last + 2 * c + 1; q++)
			if (s->ops[q].kind != ' ')
				last = q;
		end = last + 1 + c < s->n ? last + 1 + c : s->n;
		if (!header++)
			crm_buf_printf(u->out, "--- %s\n+++ %s\n", u->label_a, u->label_b);
		hunk(u->out, s, first > c ? first - c : 0, end, la, lb);
		k = end;
	}
	return CRM_OK;
}

int crm_diff_unified(crm_buf *out, const char *a, const char *b, const char *label_a,
                     const char *label_b, int context)
{
	struct unified_arg u = { out, label_a, label_b, context > 0 ? (size_t)context : 0 };

	return with_script(a, b, unified, &u);
}
