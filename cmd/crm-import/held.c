/* held.c - the rows of the record being read; see held.h. */
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "held.h"

static void row_free(struct crm_row *row)
{
	for (size_t i = 0; i < row->n; i++) {
		free((char *)row->names[i]);
		free((char *)row->values[i]);
	}
	free((void *)row->names);
	free((void *)row->values);
	free((void *)row->lens);
}

/* Copies the cells of from into to: values may hold NULs, so by length. */
static int row_copy(struct crm_row *to, const struct crm_row *from)
{
	const char **names = calloc(from->n + 1, sizeof *names);
	const char **values = calloc(from->n + 1, sizeof *values);
	size_t *lens = calloc(from->n + 1, sizeof *lens);
	char *v;

	*to = (struct crm_row){ .n = 0, .names = names, .values = values, .lens = lens,
	                        .line = from->line };
	if (!names || !values || !lens) {
		row_free(to);
		return crm_error_nomem();
	}
	for (size_t i = 0; i < from->n; i++, to->n++) {
		names[i] = strdup(from->names[i]);
		lens[i] = from->lens[i];
		if (from->values[i] && (v = malloc(lens[i] + 1))) {
			memcpy(v, from->values[i], lens[i]);
			v[lens[i]] = '\0';
			values[i] = v;
		}
		if (!names[i] || (from->values[i] && !values[i])) {
			to->n++;
			row_free(to);
			return crm_error_nomem();
		}
	}
	return CRM_OK;
}

int held_add(struct held *h, const struct crm_row *row, const char *file)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 8;
		struct crm_row *p = realloc(h->rows, cap * sizeof *p);
		const char **f = p ? realloc(h->files, cap * sizeof *f) : NULL;

		if (p)
			h->rows = p;
		if (!f)
			return crm_error_nomem();
		h->files = f;
		h->cap = cap;
	}
	if (row_copy(&h->rows[h->n], row))
		return CRM_ENOMEM;
	h->files[h->n++] = file;
	return CRM_OK;
}

void held_clear(struct held *h)
{
	for (size_t i = 0; i < h->n; i++)
		row_free(&h->rows[i]);
	h->n = 0;
}

void held_free(struct held *h)
{
	held_clear(h);
	free(h->rows);
	free(h->files);
	h->rows = NULL;
	h->files = NULL;
	h->cap = 0;
}
