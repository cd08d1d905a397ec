/* read_json.c - JSON Lines and JSON arrays of objects, alone or as an
 * API's page holds them, through jansson.
 *
 * An array is read one element at a time (jansson stops after a value when
 * told not to look for the end of input), so a file of a million objects
 * never sits in memory whole.  A record may make several rows, one for
 * each object of a member the reader is told of (an order's line items,
 * as a shop's CSV export writes them, a row each).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
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

/* Appends array a's members as a comma-separated list (tags): a scalar
 * as its text, an object that names itself (Mailchimp's tags, each
 * {"id": 9, "name": "vip"}) by its name; false when one is neither. */
static bool list_text(crm_buf *b, json_t *a)
{
	size_t i;
	json_t *e, *name;

	json_array_foreach(a, i, e) {
		if (json_is_object(e) && json_is_string(name = json_object_get(e, "name")))
			e = name;
		if ((i && crm_buf_putc(b, ',')) || !scalar_text(b, e))
			return false;
	}
	return true;
}

/* The value of the primary one of an array of objects that each have a
 * "value" and a "primary" (Pipedrive's email and phone, each {"label":
 * "work", "value": "ann@example.org", "primary": true}), else of the
 * first; NULL when a is no such array.  One, as a field holds one. */
static json_t *primary_value(json_t *a)
{
	json_t *e, *first = NULL;
	size_t i;

	json_array_foreach(a, i, e) {
		json_t *v = json_object_get(e, "value"), *primary = json_object_get(e, "primary");

		if (!v || !json_is_boolean(primary))
			return NULL;
		if (json_is_true(primary))
			return v;
		if (!first)
			first = v;
	}
	return first;
}

/* Adds member v under the name in *name: a scalar as text, null as null,
 * an array of values one of which is primary as that one, an array of
 * scalars or of named objects as a list (list_text), an
 * object as its members named "name.member", as services' APIs nest them
 * (Stripe's billing_details.email) and as this toolkit's own output
 * names a custom field (custom.KEY); any other array, which no column
 * can mean, as its JSON text. */
static int add_member(struct crm_reader *r, crm_buf *name, json_t *v)
{
	crm_buf b = CRM_BUF_INIT;
	size_t len = name->len;
	const char *key;
	json_t *m;
	char *text;
	int rc = CRM_OK;

	if (json_is_array(v) && (m = primary_value(v)))
		v = m;
	if (json_is_null(v))
		return crm_rd_row_add(r, crm_buf_str(name), name->len, NULL, 0);
	if (json_is_object(v)) {
		json_object_foreach(v, key, m) {
			name->len = len;
			if ((rc = crm_buf_putc(name, '.')) || (rc = crm_buf_puts(name, key)) ||
			    (rc = add_member(r, name, m)))
				break;
		}
		name->len = len;
		return rc;
	}
	if (json_is_array(v) && !list_text(&b, v)) {
		crm_buf_clear(&b);
		if (!(text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)))
			return crm_error_nomem();
		rc = crm_buf_puts(&b, text);
		free(text);
	} else if (!json_is_array(v) && !scalar_text(&b, v)) {
		rc = crm_error_nomem();
	}
	if (!rc)
		rc = crm_rd_row_add(r, crm_buf_str(name), name->len, crm_buf_str(&b), b.len);
	crm_buf_free(&b);
	return rc;
}

/* What both formats keep between rows: a record that makes several
 * (crm_reader_opts.each) and which of them comes next. */
struct json_state {
	bool begun, need_comma, ended; /* a JSON array's progress */
	bool page;                     /* the array is a member of an API's page */
	json_t *record;                /* the record whose rows are being read */
	const char *each;              /* its member each of whose objects is a row */
	size_t next;                   /* the index of that row's object */
	long line;                     /* the line the record starts on */
};

/* The member of o that makes a row of each of its objects: one the reader
 * was told of whose value is an array of objects alone; NULL for none. */
static const char *each_member(const struct crm_reader *r, json_t *o)
{
	size_t i;
	json_t *a, *e;

	for (const char *const *name = r->each; name && *name; name++) {
		if (!json_is_array(a = json_object_get(o, *name)) || !json_array_size(a))
			continue;
		json_array_foreach(a, i, e)
			if (!json_is_object(e))
				break;
		if (i == json_array_size(a))
			return *name;
	}
	return NULL;
}

/* Makes the next row of the record: its members, the one each names
 * giving the members of its next object instead of its whole array. */
static int record_row(struct crm_reader *r, struct crm_row *row)
{
	struct json_state *st = r->state;
	json_t *o = st->record, *v;
	crm_buf name = CRM_BUF_INIT;
	const char *key;
	int rc = CRM_OK;

	crm_rd_row_start(r, st->line);
	if (!json_is_object(o)) {
		char *text = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);

		crm_rd_row_error(r, "a JSON object expected, not '%.*s'",
		                 (int)crm_text_fit(text ? text : "", 40), text ? text : "");
		free(text);
	}
	json_object_foreach(o, key, v) {
		if (st->each && !strcmp(key, st->each))
			v = json_array_get(v, st->next);
		crm_buf_clear(&name);
		if ((rc = crm_buf_puts(&name, key)) || (rc = add_member(r, &name, v)))
			break;
	}
	crm_buf_free(&name);
	if (!st->each || ++st->next == json_array_size(json_object_get(o, st->each))) {
		json_decref(st->record);
		st->record = NULL;
	}
	return rc ? rc : crm_rd_row_done(r, row);
}

/* Takes record o, which began on line, and makes its first row. */
static int record_begin(struct crm_reader *r, json_t *o, long line, struct crm_row *row)
{
	struct json_state *st = r->state;

	st->record = o;
	st->each = json_is_object(o) ? each_member(r, o) : NULL;
	st->next = 0;
	st->line = line;
	return record_row(r, row);
}

static int jsonl_next(struct crm_reader *r, struct crm_row *row)
{
	struct json_state *st = r->state;
	json_error_t err;
	const char *line;
	size_t len;
	json_t *o;
	int rc;

	if (st->record)
		return record_row(r, row);
	do
		if ((rc = crm_rd_line(r, &line, &len)) <= 0)
			return rc;
	while (strspn(line, " \t\r\n") >= len);
	o = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (o)
		return record_begin(r, o, r->line, row);
	crm_rd_row_start(r, r->line);
	crm_rd_row_error(r, "invalid JSON at column %d: %s", err.column, err.text);
	return crm_rd_row_done(r, row);
}

static void json_free(struct crm_reader *r)
{
	struct json_state *st = r->state;

	if (st)
		json_decref(st->record);
	free(st);
}

static int json_state_open(struct crm_reader *r)
{
	if (!(r->state = calloc(1, sizeof(struct json_state))))
		return crm_error_nomem();
	r->free = json_free;
	return CRM_OK;
}

int crm_rd_jsonl_open(struct crm_reader *r)
{
	r->next = jsonl_next;
	return json_state_open(r);
}

/* ---- a JSON array ---- */

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

/* Decodes the value at pos and forgets it. */
static int skip_value(struct crm_reader *r)
{
	json_t *v = NULL;
	int rc = element(r, &v);

	json_decref(v);
	return rc;
}

/* Takes the byte at pos (after white space) if it is c: 1 if it was, 0
 * if not, -1 on a read error (*rc set). */
static int take(struct crm_reader *r, int c, int *rc)
{
	if (peek(r, rc) != c)
		return *rc ? -1 : 0;
	r->pos++;
	return 1;
}

/* Reads the next member of the JSON object at pos up to its value: ','
 * (but for the first), its name, ':'.  *more is false at the closing '}',
 * which is taken. */
static int next_member(struct crm_reader *r, bool first, bool *more)
{
	json_t *name = NULL;
	int rc, t = take(r, '}', &rc);

	*more = false;
	if (t)
		return rc;
	if (peek(r, &rc) == -1)
		return rc ? rc : crm_rd_fail(r, r->line + 1, "the JSON object is never closed");
	if (!first && (t = take(r, ',', &rc)) <= 0)
		return t ? rc : crm_rd_fail(r, r->line + 1, "',' or '}' expected in the JSON object");
	if ((rc = element(r, &name)))
		return rc;
	t = json_is_string(name);
	json_decref(name);
	if (!t)
		return crm_rd_fail(r, r->line + 1, "a name expected in the JSON object");
	if ((t = take(r, ':', &rc)) <= 0)
		return t ? rc : crm_rd_fail(r, r->line + 1, "':' expected in the JSON object");
	*more = true;
	return CRM_OK;
}

/* Skips what is left of an array whose '[' is taken. */
static int skip_array(struct crm_reader *r)
{
	int rc, t;

	for (bool first = true;; first = false) {
		if ((t = take(r, ']', &rc)))
			return rc;
		if (!first && (t = take(r, ',', &rc)) <= 0)
			return t ? rc : crm_rd_fail(r, r->line + 1, "',' or ']' expected in a JSON array");
		if ((rc = skip_value(r)))
			return rc;
	}
}

/* An API's page of records ({"users": [...], "next_page": null}, Stripe's
 * {"object": "list", "data": [...]}) is read as its first member that is
 * an array of objects: *found is set with that array's '[' taken, the
 * members before it skipped.  A page whose arrays are all empty has no
 * records; one with none of objects is an error. */
static int page_enter(struct crm_reader *r, bool *found)
{
	bool more, empty = false;
	int rc, t;

	*found = false;
	r->pos++;
	for (bool first = true;; first = false) {
		if ((rc = next_member(r, first, &more)) || !more)
			break;
		if ((t = take(r, '[', &rc)) <= 0) {
			rc = t ? rc : skip_value(r);
		} else if (peek(r, &rc) == '{') {
			*found = true;
			return CRM_OK;
		} else if (!rc && (t = take(r, ']', &rc)) > 0) {
			empty = true;
		} else if (!rc) {
			rc = skip_array(r);
		}
		if (rc)
			return rc;
	}
	return rc || empty ? rc : crm_rd_fail(r, r->line + 1, "no array of objects in the JSON object");
}

/* Skips the members of the page after its array, to its closing '}'. */
static int page_leave(struct crm_reader *r)
{
	bool more;
	int rc;

	while (!(rc = next_member(r, false, &more)) && more)
		if ((rc = skip_value(r)))
			break;
	return rc;
}

static int json_next(struct crm_reader *r, struct crm_row *row)
{
	struct json_state *st = r->state;
	json_t *o;
	long line;
	int c, rc;

	if (st->record)
		return record_row(r, row);
	while (!st->ended) {
		c = peek(r, &rc);
		if (rc)
			return rc;
		if (!st->begun && c == '{') {
			if ((rc = page_enter(r, &st->page)))
				return rc;
			st->begun = true;
			st->ended = !st->page;
			continue;
		}
		if (!st->begun && c != '[')
			return crm_rd_fail(r, r->line + 1,
			                   "a JSON array of objects, or an object holding one, expected");
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
		line = r->line + 1;
		if ((rc = element(r, &o)))
			return rc;
		st->need_comma = true;
		return record_begin(r, o, line, row);
	}
	if (st->page) {
		st->page = false;
		if ((rc = page_leave(r)))
			return rc;
	}
	c = peek(r, &rc);
	if (rc)
		return rc;
	return c == -1 ? 0 : crm_rd_fail(r, r->line + 1, "text after the end of the JSON array");
}

int crm_rd_json_open(struct crm_reader *r)
{
	r->next = json_next;
	return json_state_open(r);
}
