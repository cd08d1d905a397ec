/* memo.c - a bounded table of strings by string; see memo.h.
 *
 * Open addressing with linear probing over a power-of-two array; each
 * entry is one allocation holding key and value.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "memo.h"

struct entry {
	char *key;         /* key '\0' value '\0', one allocation */
	const char *value; /* inside key's allocation */
};

struct crm_memo {
	struct entry *e;
	size_t slots, used;
};

crm_memo *crm_memo_new(size_t slots)
{
	crm_memo *m = calloc(1, sizeof *m);

	if (m && !(m->e = calloc(slots, sizeof *m->e))) {
		free(m);
		return NULL;
	}
	if (m)
		m->slots = slots;
	return m;
}

static size_t hash(const char *key)
{
	size_t h = 2166136261u; /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/* The entry of key: where it is, or the empty one where it would go. */
static struct entry *slot(const crm_memo *m, const char *key)
{
	size_t i = hash(key) & (m->slots - 1);

	while (m->e[i].key && strcmp(m->e[i].key, key))
		i = (i + 1) & (m->slots - 1);
	return &m->e[i];
}

const char *crm_memo_get(const crm_memo *m, const char *key)
{
	return slot(m, key)->value;
}

int crm_memo_put(crm_memo *m, const char *key, const char *value)
{
	size_t k = strlen(key) + 1, v = strlen(value) + 1;
	struct entry *e;

	if (m->used >= m->slots / 4 * 3)
		crm_memo_clear(m);
	if ((e = slot(m, key))->key)
		return CRM_OK;
	if (!(e->key = malloc(k + v)))
		return crm_error_nomem();
	memcpy(e->key, key, k);
	memcpy(e->key + k, value, v);
	e->value = e->key + k;
	m->used++;
	return CRM_OK;
}

void crm_memo_clear(crm_memo *m)
{
	for (size_t i = 0; i < m->slots; i++) {
		free(m->e[i].key);
		m->e[i].key = NULL;
		m->e[i].value = NULL;
	}
	m->used = 0;
}

void crm_memo_free(crm_memo *m)
{
	if (!m)
		return;
	crm_memo_clear(m);
	free(m->e);
	free(m);
}
