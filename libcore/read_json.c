/* read_json.c - JSON Lines and JSON arrays of objects, through jansson.
 *
 * An array is read one element at a time (jansson stops after a value when
 * told not to look for the end of input), so a file of a million objects
 * never sits in memory whole.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "reader_impl.h"

/* Writes x in the fewest digits that read back as x: 19.99 as "19.99",
 * not the "19.989999999999998" all seventeen give, which an amount's
 * decimals would refuse.  A number written with up to 15 significant
 * digits comes back as written. */
static void shortest_real(char *out, size_t size, double x)
{
	/* Decimals, not significant digits: "100", never "1e+02". */
	for (int decimals = 0; decimals <= 17; decimals++)
		if ((size_t)snprintf(out, size, "%.*f", decimals, x) < size &&
		    strtod(out, NULL) == x)
			return;
	snprintf(out, size, "%.17g", x);
}

/* Appends the text of a scalar; false for an object or an array. */
static bool scalar_text(crm_buf *b, json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return !crm_buf_put(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return !crm_buf_puts(b, num);
	case JSON_REAL:
		shortest_real(num, sizeof num, json_real_value(v));
		return !crm_buf_puts(b, num);
	case JSON_TRUE:
		return !crm_buf_puts(b, "true");
	case JSON_FALSE:
		return !crm_buf_puts(b, "false");
	default:
		return false;
	}
}

/* Adds one member: scalars as text, null as null, an array of scalars as a
 * comma-separated list (tags); anything deeper makes the record malformed. */
static int add_member(struct crm_reader *r, const char *key, json_t *v)
{
	crm_buf b = CRM_BUF_INIT;
	size_t i;
	json_t *e = NULL;
	int rc, ok = 1;

	if (json_is_null(v))
		return crm_rd_row_add(r, key, strlen(key), NULL, 0);
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!(ok = (!i || !crm_buf_putc(&b, ',')) && scalar_text(&b, e)))
				break;
	} else {
		ok = scalar_text(&b, v);
	}
	if (!ok)
		crm_rd_row_error(r, "field '%s' holds a nested %s", key,
		                 json_is_object(v) || json_is_object(e) ? "object" : "array");
	rc = crm_rd_row_add(r, key, strlen(key), b.ptr ? b.ptr : "", ok ? b.len : 0);
	crm_buf_free(&b);
	return rc;
}

static int object_row(struct crm_reader *r, json_t *o, struct crm_row *row)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(o))
		crm_rd_row_error(r, "a JSON object expected");
	json_object_foreach(o, key, v)
		if ((rc = add_member(r, key, v)))
			return rc;
	return crm_rd_row_done(r, row);
}

static int jsonl_next(struct crm_reader *r, struct crm_row *row)
{
	json_error_t err;
	const char *line;
	size_t len;
	json_t *o;
	int rc;

	do
		if ((rc = crm_rd_line(r, &line, &len)) <= 0)
			return rc;
	while (strspn(line, " \t\r\n") >= len);
	crm_rd_row_start(r, r->line);
	o = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!o) {
		crm_rd_row_error(r, "invalid JSON at column %d: %s", err.column, err.text);
		return crm_rd_row_done(r, row);
	}
	rc = object_row(r, o, row);
	json_decref(o);
	return rc;
}

int crm_rd_jsonl_open(struct crm_reader *r)
{
	r->next = jsonl_next;
	return CRM_OK;
}

/* ---- a JSON array ---- */

struct json_state {
	bool begun, need_comma, ended;
};

/* Skips white space, counting lines; returns the next byte or -1 at the end
 * (*rc set on a read error). */
static int peek(struct crm_reader *r, int *rc)
{
	*rc = CRM_OK;
	for (;;) {
		while (r->pos < r->len) {
			char c = r->buf[r->pos];
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
				return (unsigned char)c;
			r->line += c == '\n';
			r->pos++;
		}
		if (!crm_rd_fill(r, rc))
			return -1;
	}
}

/* Decodes the element at pos, reading more input while it is incomplete. */
static int element(struct crm_reader *r, json_t **out)
{
	json_error_t err;
	int rc;

	for (;;) {
		*out = json_loadb(r->buf + r->pos, r->len - r->pos,
		                  JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (*out)
			break;
		if (json_error_code(&err) != json_error_premature_end_of_input || r->eof)
			return crm_rd_fail(r, r->line + (err.line > 0 ? err.line : 1),
			                   "invalid JSON: %s", err.text);
		if (!crm_rd_fill(r, &rc) && rc)
			return rc;
	}
	for (int i = 0; i < err.position; i++)
		r->line += r->buf[r->pos + (size_t)i] == '\n';
	r->pos += (size_t)err.position;
	return CRM_OK;
}

static int json_next(struct crm_reader *r, struct crm_row *row)
{
	struct json_state *st = r->state;
	json_t *o;
	int c, rc;

	while (!st->ended) {
		c = peek(r, &rc);
		if (rc)
			return rc;
		if (!st->begun && c != '[')
			return crm_rd_fail(r, r->line + 1, "a JSON array of objects expected");
		if (c == -1)
			return crm_rd_fail(r, r->line + 1, "the JSON array is never closed");
		if (!st->begun || (c == ',' && st->need_comma)) {
			st->begun = true;
			st->need_comma = false;
			r->pos++;
			continue;
		}
		if (c == ']') {
			st->ended = true;
			r->pos++;
			break;
		}
		if (st->need_comma)
			return crm_rd_fail(r, r->line + 1, "',' or ']' expected in the JSON array");
		crm_rd_row_start(r, r->line + 1);
		if ((rc = element(r, &o)))
			return rc;
		st->need_comma = true;
		rc = object_row(r, o, row);
		json_decref(o);
		return rc;
	}
	c = peek(r, &rc);
	if (rc)
		return rc;
	return c == -1 ? 0 : crm_rd_fail(r, r->line + 1, "text after the end of the JSON array");
}

int crm_rd_json_open(struct crm_reader *r)
{
	if (!(r->state = calloc(1, sizeof(struct json_state))))
		return crm_error_nomem();
	r->next = json_next;
	return CRM_OK;
}
