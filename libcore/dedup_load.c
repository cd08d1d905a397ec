/* dedup_load.c - reading the contacts a dedup run considers, as match keys.
 *
 * Every string lives in one arena addressed by 32-bit offsets, so a million
 * records cost one allocation that grows, not ten million small ones.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm/norm.h"
#include "dedup_impl.h"

static const char load_sql[] =
	"SELECT c.id, c.first_name, c.last_name, c.email_key, c.phone_e164, c.birth_date,"
	" c.street, c.city, c.postal_code, c.region, co.name, c.email, c.updated_at"
	" FROM contacts c LEFT JOIN companies co ON co.id = c.company_id"
	" WHERE c.archived_at IS NULL AND c.erased_at IS NULL ORDER BY c.id";

/* Result columns: 1 + field for the keys, then the shown-only values. */
#define COL_EMAIL_SHOWN 11
#define COL_UPDATED 12

static int arena_put(crm_dedup *d, const char *s, size_t n, uint32_t *off)
{
	if (d->alen + n + 1 > UINT32_MAX)
		return crm_error_set(CRM_ENOMEM, "too much text to compare (over 4 GiB)");
	if (d->alen + n + 1 > d->acap) {
		size_t cap = d->acap ? d->acap : 1 << 20;
		char *p;

		while (cap < d->alen + n + 1)
			cap *= 2;
		if (!(p = realloc(d->arena, cap)))
			return crm_error_nomem();
		d->arena = p;
		d->acap = cap;
	}
	memcpy(d->arena + d->alen, s, n);
	d->arena[d->alen + n] = '\0';
	*off = (uint32_t)d->alen;
	d->alen += n + 1;
	return CRM_OK;
}

/* Keeps only the letters and digits of s (postcodes, dates), lower-cased. */
static int put_alnum(crm_dedup *d, const char *s, uint32_t *off)
{
	char tmp[64];
	size_t n = 0;

	for (; *s && n < sizeof tmp; s++)
		if (isalnum((unsigned char)*s))
			tmp[n++] = (char)tolower((unsigned char)*s);
	if (n == 0) {
		*off = 0;
		return CRM_OK;
	}
	return arena_put(d, tmp, n, off);
}

/* Stores the match key of text s; empty keys are "missing" (offset 0).
 * Names, addresses and companies are compared in their cross-script fold,
 * so Каримова meets Karimova and Ташкент meets Tashkent. */
static int put_key(crm_dedup *d, int f, const char *s, uint32_t *off)
{
	char *key;
	int rc;

	*off = 0;
	if (!s || !*s)
		return CRM_OK;
	switch (f) {
	case DF_EMAIL:
	case DF_PHONE:
		return arena_put(d, s, strlen(s), off);
	case DF_BIRTH:
	case DF_POSTCODE:
		return put_alnum(d, s, off);
	default:
		if ((rc = crm_text_fold(&key, s)))
			return rc;
		rc = *key ? arena_put(d, key, strlen(key), off) : CRM_OK;
		free(key);
		return rc;
	}
}

static int put_shown(crm_dedup *d, const char *s, uint32_t *off)
{
	*off = 0;
	return s && *s ? arena_put(d, s, strlen(s), off) : CRM_OK;
}

static int ids_has(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ids[mid] == id)
			return 1;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int add_row(crm_dedup *d, crm_stmt *st)
{
	struct dd_rec *r;
	int f, rc;

	if (d->nrec == d->caprec) {
		size_t cap = d->caprec ? d->caprec * 2 : 1024;
		struct dd_rec *p = realloc(d->rec, cap * sizeof *p);

		if (!p)
			return crm_error_nomem();
		d->rec = p;
		d->caprec = cap;
	}
	r = &d->rec[d->nrec];
	memset(r, 0, sizeof *r);
	r->id = crm_stmt_int(st, 0);
	r->fresh = !d->since || ids_has(d->fresh, d->nfresh, r->id);
	for (f = 0; f < DF_N; f++)
		if ((rc = put_key(d, f, crm_stmt_text(st, 1 + f), &r->key[f])))
			return rc;
	if ((rc = put_shown(d, crm_stmt_text(st, 1), &r->show[DS_FIRST])) ||
	    (rc = put_shown(d, crm_stmt_text(st, 2), &r->show[DS_LAST])) ||
	    (rc = put_shown(d, crm_stmt_text(st, COL_EMAIL_SHOWN), &r->show[DS_EMAIL])) ||
	    (rc = put_shown(d, crm_stmt_text(st, COL_UPDATED), &r->show[DS_UPDATED])))
		return rc;
	d->nrec++;
	return CRM_OK;
}

/* FNV-1a: a fast hash of a short key, for counting equal values. */
static uint64_t hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h | 1; /* never 0: 0 marks an empty slot */
}

/* Counts, for field f, how many records share each record's value, in an
 * open-addressing table of 64-bit hashes (a collision would only merge
 * two values' counts, a negligible error in a frequency). */
static int count_terms(crm_dedup *d, int f)
{
	size_t cap = 16, i, j;
	struct slot {
		uint64_t h;
		uint32_t n;
	} *t;

	while (cap < 2 * d->nrec)
		cap *= 2;
	if (!(t = calloc(cap, sizeof *t)))
		return crm_error_nomem();
	d->model.present[f] = 0;
	for (i = 0; i < d->nrec; i++) {
		uint64_t h;

		if (!d->rec[i].key[f])
			continue;
		d->model.present[f]++;
		h = hash(dd_key(d, &d->rec[i], f));
		for (j = h & (cap - 1); t[j].h && t[j].h != h; j = (j + 1) & (cap - 1))
			;
		t[j].h = h;
		t[j].n++;
	}
	for (i = 0; i < d->nrec; i++) {
		uint64_t h;

		if (!d->rec[i].key[f])
			continue;
		h = hash(dd_key(d, &d->rec[i], f));
		for (j = h & (cap - 1); t[j].h != h; j = (j + 1) & (cap - 1))
			;
		d->rec[i].tf[f] = t[j].n;
	}
	free(t);
	return CRM_OK;
}

int dd_load(crm_dedup *d)
{
	crm_stmt *st;
	int rc, f;
	uint32_t zero;

	if (!d->alen && (rc = arena_put(d, "", 0, &zero)))
		return rc;
	if ((rc = crm_db_prepare(d->db, &st, load_sql)))
		return rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if (d->restricted && !ids_has(d->only, d->nonly, crm_stmt_int(st, 0)))
			continue;
		if (add_row(d, st)) {
			crm_stmt_finalize(st);
			return crm_error_code();
		}
	}
	crm_stmt_finalize(st);
	if (rc < 0)
		return rc;
	for (f = 0; f < DF_N; f++)
		if ((rc = count_terms(d, f)))
			return rc;
	return CRM_OK;
}
