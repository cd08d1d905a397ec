/* dedup_block.c - candidate pairs: records that share a blocking key.
 *
 * Comparing every pair of a million records is half a trillion
 * comparisons; comparing only records that agree on something cheap is a
 * few million.  Each record gets one key per blocking rule it has the
 * fields for, so a typo in one field still leaves the others to bring the
 * pair together; a sorted-neighbourhood pass over the names catches what
 * every key misses.  A block larger than BLOCK_MAX (a common surname and
 * initial) is not compared all-pairs but as a window over its members
 * sorted by name, which keeps the work near-linear in the records.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "crm/simil.h"
#include "dedup_impl.h"

#define BLOCK_MAX 40 /* largest block compared all-pairs */
#define WINDOW 6     /* records compared ahead in a sorted run */

struct pairs {
	uint64_t *v;
	size_t n, cap;
};

static int pair_add(struct pairs *p, uint32_t i, uint32_t j)
{
	if (i == j)
		return CRM_OK;
	if (i > j) {
		uint32_t t = i;

		i = j;
		j = t;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1 << 16;
		uint64_t *v = realloc(p->v, cap * sizeof *v);

		if (!v)
			return crm_error_nomem();
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (uint64_t)i << 32 | j;
	return CRM_OK;
}

/* Sorts n 64-bit values: least significant digit first, a byte at a time,
 * skipping the bytes every value shares. */
int dd_radix_sort(uint64_t *v, size_t n)
{
	uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = v, *dst = tmp, *t;
	int shift;

	if (!tmp)
		return crm_error_nomem();
	for (shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 }, pos = 0, i;

		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xFF]++;
		if (n && count[(src[0] >> shift) & 0xFF] == n)
			continue;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = pos;
			pos += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	free(tmp);
	return CRM_OK;
}

/* The blocking keys: each is a hash of a rule number and some fields. */
struct keys {
	uint64_t *v; /* hash << bits | record index */
	size_t n, cap;
	int bits;    /* bits holding the record index */
};

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return h;
}

/* The byte length of the first n code points of s. */
static size_t prefix(const char *s, int n)
{
	size_t i = 0;

	while (s[i] && n > 0) {
		i++;
		while ((s[i] & 0xC0) == 0x80)
			i++;
		n--;
	}
	return i;
}

/* The byte length of the first n words of s (a match key: words are
 * separated by single spaces). */
static size_t prefix_words(const char *s, int n)
{
	const char *p = s;

	while (*p && (n -= *p == ' ') > 0)
		p++;
	return (size_t)(p - s);
}

/* Adds the key made of rule and the parts (string, length) to record i. */
static int key_add(struct keys *k, uint32_t i, int rule, const char *a, size_t na,
                   const char *b, size_t nb)
{
	uint64_t h = fnv(UINT64_C(14695981039346656037), (const char *)&rule, sizeof rule);

	h = fnv(h, a, na);
	h = fnv(h, "\x1f", 1);
	h = fnv(h, b, nb);
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 1 << 16;
		uint64_t *v = realloc(k->v, cap * sizeof *v);

		if (!v)
			return crm_error_nomem();
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = h << k->bits | i;
	return CRM_OK;
}

/* Whether match key s begins in a script written without spaces. */
static int unspaced(const char *s)
{
	utf8proc_int32_t c;

	return utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c) > 0 &&
	       crm_unspaced_p((unsigned)c);
}

/* Adds the key of rule 12, names a and b (b may be empty) joined. */
static int joined_key(struct keys *k, uint32_t i, const char *a, const char *b)
{
	char buf[256];
	size_t na = strlen(a), nb = strlen(b);

	if (na + nb > sizeof buf)
		return CRM_OK; /* no name is so long */
	memcpy(buf, a, na);
	memcpy(buf + na, b, nb);
	return key_add(k, i, 12, buf, na + nb, "", 0);
}

/* The keys of a whole name in one field, which the scorer takes for the
 * same name as the other record's two (dedup_score.c): split at its first
 * space ("Ada Lovelace" in first_name) it keys as the two fields would
 * (rule 3); written without one in a script without spaces (山田太郎, as
 * Japanese and Chinese exports write a name) it keys with the two names
 * of such records joined, in either order (rule 12).  Without these, the
 * record meets the other only by another key: its phone, email or birth
 * date. */
static int whole_name_keys(struct keys *k, uint32_t i, const char *first, const char *last)
{
	const char *whole = *first ? first : last, *sp = strchr(whole, ' ');
	char f[128], pf[CRM_PHONETIC_SIZE], pl[CRM_PHONETIC_SIZE];
	size_t nf;
	int rc;

	if (*first && *last) {
		if (!unspaced(first) && !unspaced(last))
			return CRM_OK;
		rc = joined_key(k, i, first, last);
		return rc ? rc : joined_key(k, i, last, first);
	}
	if (!sp)
		return *whole && unspaced(whole) ? joined_key(k, i, whole, "") : CRM_OK;
	if ((nf = (size_t)(sp - whole)) >= sizeof f)
		return CRM_OK;
	memcpy(f, whole, nf);
	f[nf] = '\0';
	crm_phonetic(pf, f);
	crm_phonetic(pl, sp + 1);
	rc = *pl ? key_add(k, i, 3, pl, strlen(pl), f, prefix(f, 1)) : CRM_OK;
	if (!rc && *pf && sp[1])
		rc = key_add(k, i, 3, pf, strlen(pf), sp + 1, prefix(sp + 1, 1));
	return rc;
}

/* Adds record i's keys: a rule applies when all its fields are present. */
static int record_keys(struct keys *k, const crm_dedup *d, uint32_t i)
{
	const struct dd_rec *r = &d->rec[i];
	const char *first = dd_key(d, r, DF_FIRST), *last = dd_key(d, r, DF_LAST);
	const char *birth = dd_key(d, r, DF_BIRTH), *post = dd_key(d, r, DF_POSTCODE);
	const char *city = dd_key(d, r, DF_CITY), *street = dd_key(d, r, DF_STREET);
	char pf[CRM_PHONETIC_SIZE], pl[CRM_PHONETIC_SIZE];
	int rc = CRM_OK;

	crm_phonetic(pf, first);
	crm_phonetic(pl, last);
	if (r->key[DF_EMAIL])
		rc = key_add(k, i, 1, dd_key(d, r, DF_EMAIL), strlen(dd_key(d, r, DF_EMAIL)), "", 0);
	if (!rc && r->key[DF_PHONE])
		rc = key_add(k, i, 2, dd_key(d, r, DF_PHONE), strlen(dd_key(d, r, DF_PHONE)), "", 0);
	/* The surname's sound and the first initial, and the same with the
	 * names crossed, so a record with swapped names shares a key. */
	if (!rc && *pl && *first)
		rc = key_add(k, i, 3, pl, strlen(pl), first, prefix(first, 1));
	if (!rc && *pf && *last)
		rc = key_add(k, i, 3, pf, strlen(pf), last, prefix(last, 1));
	if (!rc && (*first || *last))
		rc = whole_name_keys(k, i, first, last);
	if (!rc && *birth && *last)
		rc = key_add(k, i, 4, birth, strlen(birth), last, prefix(last, 2));
	if (!rc && *birth && *first)
		rc = key_add(k, i, 5, birth, strlen(birth), first, prefix(first, 2));
	if (!rc && *post && *last)
		rc = key_add(k, i, 6, post, strlen(post), last, prefix(last, 2));
	if (!rc && *post && *first)
		rc = key_add(k, i, 7, post, strlen(post), first, prefix(first, 2));
	if (!rc && *city && *last)
		rc = key_add(k, i, 8, city, strlen(city), last, prefix(last, 3));
	/* Without the names, for records whose names were replaced or lost:
	 * birth date with the postcode or the city, and the address. */
	if (!rc && *birth && *post)
		rc = key_add(k, i, 9, birth, strlen(birth), post, strlen(post));
	if (!rc && *birth && *city)
		rc = key_add(k, i, 10, birth, strlen(birth), city, strlen(city));
	if (!rc && *street && (*post || *city))
		rc = key_add(k, i, 11, street, prefix_words(street, 2), *post ? post : city,
		             strlen(*post ? post : city));
	return rc;
}

/* The order of the sorted-neighbourhood passes and of large blocks: by
 * one name, then the other, then position. */
struct name_order {
	const crm_dedup *d;
	int f1, f2;
};

static int by_names(const void *x, const void *y, void *arg)
{
	const struct name_order *o = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	const struct dd_rec *a = &o->d->rec[i], *b = &o->d->rec[j];
	int c = strcmp(dd_key(o->d, a, o->f1), dd_key(o->d, b, o->f1));

	if (!c)
		c = strcmp(dd_key(o->d, a, o->f2), dd_key(o->d, b, o->f2));
	return c ? c : (i > j) - (i < j);
}

static void sort_by_names(const crm_dedup *d, uint32_t *idx, size_t n, int f1, int f2)
{
	struct name_order o = { d, f1, f2 };

	qsort_r(idx, n, sizeof *idx, by_names, &o);
}

/* Pairs each of the n records of idx with the next WINDOW - 1. */
static int window_pairs(struct pairs *p, const uint32_t *idx, size_t n)
{
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && j < i + WINDOW; j++)
			if ((rc = pair_add(p, idx[i], idx[j])))
				return rc;
	return CRM_OK;
}

/* Pairs the members of one block: all of them when few, else a window
 * over them sorted by name. */
static int block_pairs(struct pairs *p, const crm_dedup *d, uint32_t *idx, size_t n)
{
	size_t i, j;
	int rc;

	if (n > BLOCK_MAX) {
		sort_by_names(d, idx, n, DF_LAST, DF_FIRST);
		return window_pairs(p, idx, n);
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if ((rc = pair_add(p, idx[i], idx[j])))
				return rc;
	return CRM_OK;
}

static int blocked_pairs(struct pairs *p, const crm_dedup *d, struct keys *k)
{
	uint64_t mask = (UINT64_C(1) << k->bits) - 1;
	uint32_t *idx = malloc((d->nrec ? d->nrec : 1) * sizeof *idx);
	size_t s = 0, e;
	int rc = CRM_OK;

	if (!idx)
		return crm_error_nomem();
	if ((rc = dd_radix_sort(k->v, k->n)))
		goto out;
	for (s = 0; s < k->n && !rc; s = e) {
		size_t n = 0;

		for (e = s; e < k->n && k->v[e] >> k->bits == k->v[s] >> k->bits; e++)
			if (n < d->nrec)
				idx[n++] = (uint32_t)(k->v[e] & mask);
		if (n > 1)
			rc = block_pairs(p, d, idx, n);
	}
out:
	free(idx);
	return rc;
}

static int neighbourhood_pairs(struct pairs *p, const crm_dedup *d)
{
	uint32_t *idx = malloc((d->nrec ? d->nrec : 1) * sizeof *idx);
	size_t i;
	int rc;

	if (!idx)
		return crm_error_nomem();
	for (i = 0; i < d->nrec; i++)
		idx[i] = (uint32_t)i;
	sort_by_names(d, idx, d->nrec, DF_LAST, DF_FIRST);
	rc = window_pairs(p, idx, d->nrec);
	if (!rc) {
		sort_by_names(d, idx, d->nrec, DF_FIRST, DF_LAST);
		rc = window_pairs(p, idx, d->nrec);
	}
	free(idx);
	return rc;
}

/* Sorts the pairs and drops repeats (found by several rules). */
static int unique_pairs(struct pairs *p)
{
	size_t i, n = 0;
	int rc = dd_radix_sort(p->v, p->n);

	if (rc)
		return rc;
	for (i = 0; i < p->n; i++)
		if (n == 0 || p->v[i] != p->v[n - 1])
			p->v[n++] = p->v[i];
	p->n = n;
	return CRM_OK;
}

int dd_block(crm_dedup *d)
{
	struct keys k = { 0 };
	struct pairs p = { 0 };
	size_t i;
	int rc = CRM_OK;

	if (d->nrec >= UINT32_MAX)
		return crm_error_set(CRM_EDATA, "too many contacts to compare (%zu)", d->nrec);
	while ((UINT64_C(1) << k.bits) < d->nrec)
		k.bits++;
	for (i = 0; i < d->nrec && !rc; i++)
		rc = record_keys(&k, d, (uint32_t)i);
	if (!rc)
		rc = blocked_pairs(&p, d, &k);
	free(k.v);
	if (!rc)
		rc = neighbourhood_pairs(&p, d);
	if (!rc)
		rc = unique_pairs(&p);
	if (rc) {
		free(p.v);
		return rc;
	}
	d->pair = p.v;
	d->npair = p.n;
	return CRM_OK;
}

/* Training pairs for the fields of rule (a set of 1 << field bits): pairs
 * of records agreeing exactly on all of them, chosen without looking at
 * any other field, so that the other fields of the non-matches among them
 * look like those of random pairs.  Candidate pairs cannot serve: the
 * blocking rules made them agree on cities, dates and postcodes too.  A
 * group of equal values gives pairs of neighbours in record order, at most
 * max pairs in all. */
int dd_rule_pairs(const crm_dedup *d, unsigned rule, size_t max, uint64_t **out, size_t *n)
{
	struct keys k = { 0 };
	struct pairs p = { 0 };
	uint64_t mask;
	size_t i, s, e, j;
	int f, rc = CRM_OK;

	while ((UINT64_C(1) << k.bits) < d->nrec)
		k.bits++;
	mask = (UINT64_C(1) << k.bits) - 1;
	for (i = 0; i < d->nrec && !rc; i++) {
		uint64_t h = UINT64_C(14695981039346656037);

		for (f = 0; f < DF_N; f++) {
			if (!(rule & (1u << f)))
				continue;
			if (!d->rec[i].key[f])
				break;
			h = fnv(h, dd_key(d, &d->rec[i], f), strlen(dd_key(d, &d->rec[i], f)) + 1);
		}
		if (f == DF_N)
			rc = key_add(&k, (uint32_t)i, 0, (const char *)&h, sizeof h, "", 0);
	}
	if (!rc)
		rc = dd_radix_sort(k.v, k.n);
	for (s = 0; !rc && s < k.n && p.n < max; s = e) {
		for (e = s + 1; e < k.n && k.v[e] >> k.bits == k.v[s] >> k.bits; e++)
			;
		/* Each record with the next two of its group. */
		for (i = s; i < e && !rc; i++)
			for (j = i + 1; j < e && j <= i + 2 && !rc; j++)
				rc = pair_add(&p, (uint32_t)(k.v[i] & mask), (uint32_t)(k.v[j] & mask));
	}
	free(k.v);
	if (rc) {
		free(p.v);
		return rc;
	}
	*out = p.v;
	*n = p.n;
	return CRM_OK;
}
