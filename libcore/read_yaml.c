/* read_yaml.c - a YAML sequence of mappings, through libyaml's event
 * parser, one mapping at a time. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "reader_impl.h"

struct yaml_state {
	yaml_parser_t p;
	bool in_seq, done;
	int rc; /* a read error met inside the input handler */
};

/* libyaml pulls its input through here: the decoded bytes of the reader. */
static int feed(void *data, unsigned char *buf, size_t size, size_t *got)
{
	struct crm_reader *r = data;
	struct yaml_state *st = r->state;
	size_t n;

	if (r->pos == r->len && !crm_rd_fill(r, &st->rc) && st->rc)
		return 0;
	n = r->len - r->pos < size ? r->len - r->pos : size;
	memcpy(buf, r->buf + r->pos, n);
	r->pos += n;
	*got = n;
	return 1;
}

static int parse_error(struct crm_reader *r)
{
	struct yaml_state *st = r->state;

	if (st->rc)
		return st->rc;
	return crm_rd_fail(r, (long)st->p.problem_mark.line + 1, "%s (column %zu)",
	                   st->p.problem ? st->p.problem : "invalid YAML",
	                   st->p.problem_mark.column + 1);
}

static int event(struct crm_reader *r, yaml_event_t *ev)
{
	struct yaml_state *st = r->state;

	return yaml_parser_parse(&st->p, ev) ? CRM_OK : parse_error(r);
}

/* A plain ~, null or empty scalar is YAML's null; quoted, it is text. */
static bool null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	        !strcmp(v, "NULL"));
}

/* Reads the value of key: a scalar, or a sequence of scalars joined with
 * commas (tags); a mapping or deeper nesting makes the record malformed. */
static int value(struct crm_reader *r, const char *key, yaml_event_t *ev)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = CRM_OK, depth = 0;

	if (ev->type == YAML_SCALAR_EVENT)
		return crm_rd_row_add(r, key, strlen(key),
		                      null_scalar(ev) ? NULL : (const char *)ev->data.scalar.value,
		                      ev->data.scalar.length);
	/* A collection: walk it whole, keeping only a flat list of scalars. */
	do {
		if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT) {
			if (depth++ || ev->type == YAML_MAPPING_START_EVENT)
				crm_rd_row_error(r, "field '%s' holds a nested collection", key);
		} else if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) {
			depth--;
		} else if (ev->type == YAML_SCALAR_EVENT) {
			if ((b.len && crm_buf_putc(&b, ',')) ||
			    crm_buf_put(&b, (const char *)ev->data.scalar.value, ev->data.scalar.length))
				rc = crm_error_nomem();
		}
		yaml_event_delete(ev);
		if (depth && !rc)
			rc = event(r, ev);
	} while (depth && !rc);
	if (!rc)
		rc = crm_rd_row_add(r, key, strlen(key), b.ptr ? b.ptr : "", b.len);
	crm_buf_free(&b);
	/* The caller deletes ev: give it an empty event to delete. */
	memset(ev, 0, sizeof *ev);
	return rc;
}

/* Reads the pairs of a mapping whose start event was just consumed. */
static int mapping(struct crm_reader *r, struct crm_row *row)
{
	yaml_event_t k, v;
	int rc;

	for (;;) {
		if ((rc = event(r, &k)))
			return rc;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return crm_rd_row_done(r, row);
		}
		if ((rc = event(r, &v))) {
			yaml_event_delete(&k);
			return rc;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			rc = crm_rd_fail(r, (long)k.start_mark.line + 1, "a mapping key must be text");
		} else {
			rc = value(r, (const char *)k.data.scalar.value, &v);
		}
		yaml_event_delete(&k);
		yaml_event_delete(&v);
		if (rc)
			return rc;
	}
}

static int yaml_next(struct crm_reader *r, struct crm_row *row)
{
	struct yaml_state *st = r->state;
	yaml_event_t ev;
	int rc;

	while (!st->done) {
		if ((rc = event(r, &ev)))
			return rc;
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
			if (st->in_seq)
				rc = crm_rd_fail(r, (long)ev.start_mark.line + 1,
				                 "a mapping expected, not a sequence");
			st->in_seq = true;
			break;
		case YAML_MAPPING_START_EVENT:
			if (!st->in_seq) {
				rc = crm_rd_fail(r, (long)ev.start_mark.line + 1,
				                 "a sequence of mappings expected");
				break;
			}
			crm_rd_row_start(r, (long)ev.start_mark.line + 1);
			yaml_event_delete(&ev);
			return mapping(r, row);
		case YAML_SCALAR_EVENT:
			rc = crm_rd_fail(r, (long)ev.start_mark.line + 1, st->in_seq ?
			                 "a mapping expected, not a scalar" :
			                 "a sequence of mappings expected");
			break;
		case YAML_SEQUENCE_END_EVENT:
			st->in_seq = false;
			break;
		case YAML_STREAM_END_EVENT:
			st->done = true;
			break;
		default: /* stream and document starts and ends */
			break;
		}
		yaml_event_delete(&ev);
		if (rc)
			return rc;
	}
	return 0;
}

static void yaml_state_free(struct crm_reader *r)
{
	struct yaml_state *st = r->state;

	yaml_parser_delete(&st->p);
	free(st);
}

int crm_rd_yaml_open(struct crm_reader *r)
{
	struct yaml_state *st = calloc(1, sizeof *st);

	if (!st)
		return crm_error_nomem();
	if (!yaml_parser_initialize(&st->p)) {
		free(st);
		return crm_error_nomem();
	}
	yaml_parser_set_input(&st->p, feed, r);
	yaml_parser_set_encoding(&st->p, YAML_UTF8_ENCODING);
	r->state = st;
	r->free = yaml_state_free;
	r->next = yaml_next;
	return CRM_OK;
}
