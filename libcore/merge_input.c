/* merge_input.c - reading and checking the clusters a merge is given. */
#include <stdlib.h>
#include <string.h>

#include "crm/merge.h"
#include "crm/norm.h"
#include "crm/reader.h"
#include "internal.h"

static struct crm_merge_group *group_of(struct crm_merge_input *in, const char *cluster)
{
	struct crm_merge_group *g;
	size_t i;

	/* find prints clusters together: the last one is the usual match. */
	for (i = in->n; i-- > 0;)
		if (!strcmp(in->g[i].cluster, cluster))
			return &in->g[i];
	if (!(g = realloc(in->g, (in->n + 1) * sizeof *g)))
		return NULL;
	in->g = g;
	g = &in->g[in->n];
	memset(g, 0, sizeof *g);
	if (!(g->cluster = strdup(cluster)))
		return NULL;
	in->n++;
	return g;
}

int crm_merge_input_add(struct crm_merge_input *in, const char *cluster, int64_t id, long line,
                        const char *updated_at)
{
	struct crm_merge_group *g = group_of(in, cluster);
	struct crm_merge_member *m;

	if (!g || !(m = realloc(g->m, (g->n + 1) * sizeof *m)))
		return crm_error_nomem();
	g->m = m;
	m = &g->m[g->n];
	m->id = id;
	m->line = line;
	m->updated_at = updated_at && *updated_at ? strdup(updated_at) : NULL;
	if (updated_at && *updated_at && !m->updated_at)
		return crm_error_nomem();
	g->n++;
	return CRM_OK;
}

static const char *value_of(const struct crm_row *row, const char *name)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		if (!strcmp(row->names[i], name))
			return row->values[i] ? row->values[i] : "";
	return NULL;
}

static int add_row(struct crm_merge_input *in, const struct crm_row *row)
{
	const char *cluster = value_of(row, "cluster"), *id = value_of(row, "id");
	long long n;

	if (row->error)
		return crm_error_set(CRM_EDATA, "%s:%ld: %s", in->name, row->line, row->error);
	/* A header of one column holding commas is CSV read as TSV. */
	if (!cluster || !id)
		return crm_error_set(CRM_EDATA, "%s: a merge needs the columns cluster and id, which"
		                     " its header does not name%s", in->name, row->n == 1 &&
		                     strchr(row->names[0], ',') ? " (--input-format csv reads CSV)" : "");
	if (!*cluster)
		return crm_error_set(CRM_EDATA, "%s:%ld: cluster: empty", in->name, row->line);
	if (!crm_int_parse(id, 1, INT64_MAX, &n))
		return crm_error_set(CRM_EDATA, "%s:%ld: id: '%s' is not a contact id", in->name,
		                     row->line, id);
	return crm_merge_input_add(in, cluster, n, row->line, value_of(row, "updated_at"));
}

int crm_merge_input_read(struct crm_merge_input *in, FILE *fp, enum crm_format fmt)
{
	struct crm_reader_opts o = { .format = fmt };
	struct crm_row row;
	crm_reader *r;
	int rc;

	if ((rc = crm_reader_open(&r, fp, in->name, &o)))
		return rc;
	while ((rc = crm_reader_next(r, &row)) == 1)
		if ((rc = add_row(in, &row)))
			break;
	crm_reader_close(r);
	return rc < 0 ? rc : crm_merge_input_check(in);
}

struct where {
	int64_t id;
	long line;
};

static int where_cmp(const void *a, const void *b)
{
	const struct where *x = a, *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->line > y->line) - (x->line < y->line);
}

int crm_merge_input_check(const struct crm_merge_input *in)
{
	struct where *w;
	size_t i, k, n = 0;
	int rc = CRM_OK;

	for (i = 0; i < in->n; i++) {
		if (in->g[i].n < 2)
			return crm_error_set(CRM_EDATA, "%s:%ld: cluster %s has only contact %lld",
			                     in->name, in->g[i].m[0].line, in->g[i].cluster,
			                     (long long)in->g[i].m[0].id);
		n += in->g[i].n;
	}
	if (!(w = malloc((n ? n : 1) * sizeof *w)))
		return crm_error_nomem();
	for (i = 0, n = 0; i < in->n; i++)
		for (k = 0; k < in->g[i].n; k++)
			w[n++] = (struct where){ in->g[i].m[k].id, in->g[i].m[k].line };
	qsort(w, n, sizeof *w, where_cmp);
	for (i = 1; i < n && !rc; i++)
		if (w[i].id == w[i - 1].id)
			rc = crm_error_set(CRM_EDATA, "%s:%ld: contact %lld is already in a cluster"
			                   " (line %ld)", in->name, w[i].line, (long long)w[i].id,
			                   w[i - 1].line);
	free(w);
	return rc;
}

int crm_merge_group_check(crm_db *db, const struct crm_merge_input *in,
                          const struct crm_merge_group *g)
{
	crm_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++) {
		const struct crm_merge_member *m = &g->m[i];
		const char *problem = NULL;
		char *at = NULL;

		if ((rc = crm_db_stmt(db, &st, "SELECT archived_at IS NOT NULL, erased_at IS NOT NULL,"
		                      " updated_at FROM contacts WHERE id = ?1")))
			return rc;
		crm_stmt_bind_int(st, 1, m->id);
		if (crm_stmt_step(st) != CRM_ROW)
			problem = "does not exist";
		else if ((int)crm_stmt_int(st, 1))
			problem = "is erased";
		else if ((int)crm_stmt_int(st, 0))
			problem = "is archived";
		else if (m->updated_at && strcmp(m->updated_at, crm_stmt_text(st, 2)))
			at = strdup(crm_stmt_text(st, 2));
		crm_stmt_reset(st);
		if (problem)
			return crm_error_set(CRM_EDATA, "%s:%ld: contact %lld %s", in->name, m->line,
			                     (long long)m->id, problem);
		if (at) {
			rc = crm_error_set(CRM_EDATA, "%s:%ld: contact %lld changed since it was found"
			                   " (updated_at %s, now %s)", in->name, m->line,
			                   (long long)m->id, m->updated_at, at);
			free(at);
			return rc;
		}
	}
	return CRM_OK;
}

void crm_merge_input_free(struct crm_merge_input *in)
{
	size_t i, k;

	for (i = 0; i < in->n; i++) {
		for (k = 0; k < in->g[i].n; k++)
			free(in->g[i].m[k].updated_at);
		free(in->g[i].m);
		free(in->g[i].cluster);
	}
	free(in->g);
	in->g = NULL;
	in->n = 0;
}
