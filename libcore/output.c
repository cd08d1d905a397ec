/* output.c - the record writer: a table of formats and one writer.
 *
 * The line-based formats (tsv, csv, jsonl, json) differ only in the strings
 * around records and values and in how one value is quoted, so they are rows
 * of the modes[] table run by one line writer; yaml hands its events to
 * libyaml's emitter and table keeps every row to size its columns.  A record
 * is escaped into a fixed buffer inside the writer and handed to the stream
 * in one fwrite, with no allocation per value: listing millions of records
 * must cost little more than copying their bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "crm/output.h"

/* Records are assembled here and handed to stdio in one call each: one
 * fwrite per record instead of several per value. */
#define OBUF_SIZE 8192

struct mode {
	const char *name;
	const char *open;  /* before the first record */
	const char *rsep;  /* between records */
	const char *close; /* after the last record */
	const char *empty; /* the whole output when there is no record */
	char sep;          /* between the values of a record */
	const char *eol;   /* after each record; a NUL instead with null_term */
	const char *null;  /* what a NULL value becomes */
	bool header;       /* a header record of column names when opts.header */
	bool keys;         /* records are objects: {"name":value,...} */
	/* Writes one non-NULL value. */
	void (*value)(crm_out *w, const char *v, enum crm_coltype type);
	int (*row)(crm_out *w, const char *const *vals);
	int (*finish)(crm_out *w);
};

/* One table cell: offset of its escaped text in table.text, display width. */
struct cell {
	size_t off;
	size_t width;
};

struct table {
	crm_buf text;       /* every cell's text, each NUL-terminated */
	struct cell *cells; /* ncols cells per line, the header line first */
	size_t ncells, cap;
	size_t *width;      /* widest cell of each column */
};

struct crm_out {
	FILE *fp;
	const struct mode *m;
	struct crm_out_opts opts;
	char sep;                /* between values: the format's, or csv's own delimiter */
	struct crm_column *cols; /* names point into namebuf */
	const char **names;
	char *namebuf;
	size_t ncols;
	crm_buf keys;            /* json: "name": of each column, back to back */
	size_t *keyoff;          /* ncols + 1 offsets into keys */
	size_t rows;
	bool started, finished;
	int err;                 /* errno of the first failed write, 0 while none */
	struct table table;
	bool yaml_open;
	yaml_emitter_t yaml;
	size_t olen;
	char obuf[OBUF_SIZE];    /* bytes of the current record not yet handed to fp */
};

/* ---- stream primitives ---- */

/* Hands the buffered bytes to the stream; called at the end of every
 * record so that nothing waits in the writer between calls. */
static void flush_buf(crm_out *w)
{
	if (w->olen)
		fwrite(w->obuf, 1, w->olen, w->fp);
	w->olen = 0;
}

static void put(crm_out *w, const void *s, size_t n)
{
	if (n > OBUF_SIZE - w->olen) {
		flush_buf(w);
		if (n > OBUF_SIZE) {
			fwrite(s, 1, n, w->fp);
			return;
		}
	}
	memcpy(w->obuf + w->olen, s, n);
	w->olen += n;
}

static void put_c(crm_out *w, char c)
{
	if (w->olen == OBUF_SIZE)
		flush_buf(w);
	w->obuf[w->olen++] = c;
}

static void put_str(crm_out *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_spaces(crm_out *w, size_t n)
{
	static const char spaces[] = "                                ";

	for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
		put(w, spaces, sizeof spaces - 1);
	put(w, spaces, n);
}

/* Returns CRM_OK, or CRM_EIO naming the first error the stream reported. */
static int stream_status(crm_out *w)
{
	if (!w->err && ferror(w->fp))
		w->err = errno ? errno : EIO;
	if (w->err)
		return crm_error_set(CRM_EIO, "write error: %s", strerror(w->err));
	return CRM_OK;
}

/* ---- numbers ---- */

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* True when s is -?(0|[1-9][0-9]*)(.[0-9]+)? followed by an exponent only
 * when exponent allows one: the shape every JSON and YAML reader takes as a
 * number and writes back the same. */
static bool number_p(const char *s, bool exponent)
{
	const char *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		s = skip_digits(s);
	else
		return false;
	if (*s == '.') {
		p = ++s;
		if ((s = skip_digits(s)) == p)
			return false;
	}
	if (exponent && (*s == 'e' || *s == 'E')) {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		p = s;
		if ((s = skip_digits(s)) == p)
			return false;
	}
	return *s == '\0';
}

/* The number a figure of a numeric column v is, as JSON and YAML write
 * it (a change written +5.50 for people is 5.50), or NULL when v is none. */
static const char *bare_number(const char *v, enum crm_coltype type, bool exponent)
{
	if (type == CRM_COL_TEXT)
		return NULL;
	if (*v == '+' && v[1] != '-')
		v++;
	return number_p(v, exponent) ? v : NULL;
}

/* ---- tsv ---- */

/* The letter after the backslash for bytes TSV escapes; 0 for the others. */
static const char tsv_esc[256] = { ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r', ['\\'] = '\\' };

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* True when none of the n bytes at s needs a TSV escape.  Eight bytes at a
 * time: most values need no escape and then cost one pass and one copy. */
static bool tsv_plain_p(const unsigned char *s, size_t n)
{
	uint64_t x, y;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		y = x ^ (ONES * '\\');
		/* Some byte below 0x0e (TAB, LF, CR), or some byte zero in y. */
		if (((x - ONES * 0x0e) & ~x & HIGHS) | ((y - ONES) & ~y & HIGHS))
			return false;
	}
	for (; i < n; i++)
		if (s[i] <= '\r' || s[i] == '\\')
			return false;
	return true;
}

static void tsv_value(crm_out *w, const char *v, enum crm_coltype type)
{
	size_t len = strlen(v);
	unsigned char c;

	(void)type;
	if (tsv_plain_p((const unsigned char *)v, len)) {
		put(w, v, len);
		return;
	}
	while ((c = (unsigned char)*v++)) {
		if (tsv_esc[c]) {
			put_c(w, '\\');
			c = (unsigned char)tsv_esc[c];
		}
		put_c(w, (char)c);
	}
}

/* ---- csv ---- */

/* Bytes that force RFC 4180 quotes anywhere in a field. */
static const char csv_special[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

static bool csv_blank_p(char c)
{
	return c == ' ' || c == '\t';
}

/* Spreadsheets run cells starting with these as formulas. */
static bool csv_formula_p(const char *v, enum crm_coltype type)
{
	if (!v[0] || !strchr("=+-@\t\r", v[0]))
		return false;
	/* A number is no formula, and "-12.50" and a change's "+3" must stay
	 * numbers, as JSON writes them. */
	return !bare_number(v, type, true);
}

bool crm_csv_marked_p(const char *v, size_t len)
{
	size_t i = 1;

	if (len < 2 || v[0] != '\'' || !v[1])
		return false;
	if (strchr("=+-@'", v[1]))
		return true;
	if (v[1] < '0' || v[1] > '9')
		return false;
	while (i < len && v[i] && strchr("0123456789 +-()./,", v[i]))
		i++;
	return i == len;
}

/* A cell is written with an apostrophe before it when a spreadsheet
 * would run it (--csv-safe), and when it begins with what a CSV import
 * takes for such an apostrophe, so that it reads back as it was. */
static void csv_value(crm_out *w, const char *v, enum crm_coltype type)
{
	const unsigned char *s = (const unsigned char *)v, *run = s;
	size_t len = strlen(v);
	bool quote, prefix = (w->opts.csv_safe && csv_formula_p(v, type)) ||
	                     crm_csv_marked_p(v, len);

	quote = len && (csv_blank_p(v[0]) || csv_blank_p(v[len - 1]));
	for (size_t i = 0; i < len && !quote; i++)
		quote = csv_special[s[i]] || s[i] == (unsigned char)w->sep;
	if (!quote) {
		if (prefix)
			put_c(w, '\'');
		put(w, v, len);
		return;
	}
	put_c(w, '"');
	if (prefix)
		put_c(w, '\'');
	for (; *s; s++) {
		if (*s != '"')
			continue;
		put(w, run, (size_t)(s - run + 1));
		run = s;
	}
	put(w, run, (size_t)(s - run));
	put_c(w, '"');
}

/* ---- json ---- */

/* True at U+2028 and U+2029: valid in JSON strings but line ends to
 * JavaScript, so escaped. */
static bool json_line_sep_p(const unsigned char *s)
{
	return s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9);
}

/* Returns the length of the prefix of s that a JSON string holds as it is. */
static size_t json_plain_len(const unsigned char *s)
{
	const unsigned char *p = s;

	while (*p >= 0x20 && *p != '"' && *p != '\\' && !json_line_sep_p(p))
		p++;
	return (size_t)(p - s);
}

/* The letter after the backslash for the short JSON escapes. */
static const char json_esc[256] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'
};

/* Writes into esc the escape of the character at *s and moves *s past it;
 * returns the escape's length. */
static size_t json_escape(char esc[8], const unsigned char **s)
{
	unsigned char c = **s;

	if (json_line_sep_p(*s)) {
		memcpy(esc, (*s)[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		*s += 3;
		return 6;
	}
	(*s)++;
	if (!json_esc[c])
		return (size_t)snprintf(esc, 8, "\\u%04x", c);
	esc[0] = '\\';
	esc[1] = json_esc[c];
	return 2;
}

static void json_put_string(crm_out *w, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	char esc[8];
	size_t n;

	put_c(w, '"');
	while (*s) {
		n = json_plain_len(s);
		put(w, s, n);
		s += n;
		if (*s)
			put(w, esc, json_escape(esc, &s));
	}
	put_c(w, '"');
}

/* An empty value is null, as crm(7) writes an empty field, whether the
 * record holds NULL or a computed column an empty string (a figure that
 * could not be had, a group of a report without --by): jq would tell ""
 * from null, and compare "" beside numbers as a string. */
static void json_value(crm_out *w, const char *v, enum crm_coltype type)
{
	const char *n = bare_number(v, type, true);

	if (!*v)
		put_str(w, "null");
	else if (n)
		put_str(w, n);
	else
		json_put_string(w, v);
}

int crm_json_quote(crm_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t n;
	int rc = crm_buf_putc(b, '"');

	while (!rc && *p) {
		n = json_plain_len(p);
		rc = crm_buf_put(b, (const char *)p, n);
		p += n;
		if (!rc && *p)
			rc = crm_buf_put(b, esc, json_escape(esc, &p));
	}
	return rc ? rc : crm_buf_putc(b, '"');
}

/* Precomputes the quoted "name": of every column, written before each value. */
static int json_keys(crm_out *w)
{
	int rc = CRM_OK;

	w->keyoff = calloc(w->ncols + 1, sizeof *w->keyoff);
	if (!w->keyoff)
		return crm_error_nomem();
	for (size_t i = 0; i < w->ncols && !rc; i++) {
		w->keyoff[i] = w->keys.len;
		if (!(rc = crm_json_quote(&w->keys, w->names[i])))
			rc = crm_buf_putc(&w->keys, ':');
	}
	w->keyoff[w->ncols] = w->keys.len;
	return rc;
}

/* ---- the line writer: tsv, csv, jsonl, json ---- */

static void line_record(crm_out *w, const char *const *vals, bool header)
{
	const struct mode *m = w->m;

	if (m->keys)
		put_c(w, '{');
	for (size_t i = 0; i < w->ncols; i++) {
		if (i)
			put_c(w, w->sep);
		if (m->keys)
			put(w, w->keys.ptr + w->keyoff[i], w->keyoff[i + 1] - w->keyoff[i]);
		if (!vals[i])
			put_str(w, m->null);
		else
			m->value(w, vals[i], header ? CRM_COL_TEXT : w->cols[i].type);
	}
	if (m->keys)
		put_c(w, '}');
	if (w->opts.null_term && *m->eol)
		put_c(w, '\0');
	else
		put_str(w, m->eol);
}

static void line_start(crm_out *w)
{
	w->started = true;
	if (w->m->header && w->opts.header)
		line_record(w, w->names, true);
}

static int line_row(crm_out *w, const char *const *vals)
{
	if (!w->started)
		line_start(w);
	put_str(w, w->rows ? w->m->rsep : w->m->open);
	line_record(w, vals, false);
	flush_buf(w);
	w->rows++;
	return stream_status(w);
}

static int line_finish(crm_out *w)
{
	if (!w->started)
		line_start(w);
	put_str(w, w->rows ? w->m->close : w->m->empty);
	flush_buf(w);
	return CRM_OK;
}

/* ---- yaml ---- */

/* True when s, written plain, would read back as something other than this
 * string under YAML 1.1 or 1.2: null, a boolean, a number, a date, a merge
 * key.  Anything starting like a number counts, which quotes a few strings
 * needlessly ("3 Main St") but never misses one ("0x1F", "1:30", "2026-11-22"). */
static bool yaml_ambiguous_p(const char *s)
{
	static const char *const words[] = {
		"~", "null", "true", "false", "yes", "no", "y", "n", "on", "off",
		".inf", "+.inf", "-.inf", ".nan", "<<", "="
	};
	bool word = strlen(s) <= 5 && strchr("~nNtTfFyYoO.+-<=", *s);

	if (!*s)
		return true;
	for (size_t i = 0; word && i < sizeof words / sizeof words[0]; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.')
		s++;
	return *s >= '0' && *s <= '9';
}

/* True when s holds a line break other than LF (CR, NEL, LS, PS), which a
 * reader would turn into LF inside plain, single-quoted or block scalars. */
static bool yaml_odd_break_p(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\r' || (p[0] == 0xc2 && p[1] == 0x85) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
			return true;
	}
	return false;
}

/* Picks the style that reads back as exactly the string s; libyaml itself
 * moves on to a safer style when the one asked for cannot hold s. */
static yaml_scalar_style_t yaml_text_style(const char *s)
{
	size_t len = strlen(s);

	if (yaml_odd_break_p(s))
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (memchr(s, '\n', len)) {
		/* A block scalar is always a string, but keeping several final
		 * breaks ("|+") makes libyaml end the document with "...". */
		if (s[len - 1] == '\n' && (len == 1 || s[len - 2] == '\n'))
			return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return YAML_LITERAL_SCALAR_STYLE;
	}
	if (yaml_ambiguous_p(s))
		return YAML_SINGLE_QUOTED_SCALAR_STYLE;
	return YAML_ANY_SCALAR_STYLE;
}

static int yaml_write(void *data, unsigned char *buf, size_t size)
{
	crm_out *w = data;

	return fwrite(buf, 1, size, w->fp) == size;
}

static int yaml_fail(crm_out *w)
{
	if (w->err || ferror(w->fp))
		return stream_status(w);
	if (w->yaml.error == YAML_MEMORY_ERROR)
		return crm_error_nomem();
	return crm_error_set(CRM_EFAIL, "yaml: %s",
	                     w->yaml.problem ? w->yaml.problem : "emitter error");
}

static int yaml_emit(crm_out *w, yaml_event_t *ev)
{
	return yaml_emitter_emit(&w->yaml, ev) ? CRM_OK : yaml_fail(w);
}

/* Emits s as a scalar of the given style; col names the column in errors. */
static int yaml_scalar(crm_out *w, const char *s, yaml_scalar_style_t style, const char *col)
{
	yaml_event_t ev;
	size_t len = strlen(s);

	if (len > INT_MAX)
		return crm_error_set(CRM_EDATA, "value of '%s' too long for yaml", col);
	/* libyaml refuses only invalid UTF-8 here, or memory. */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)len,
	                                  1, 1, style))
		return crm_error_set(CRM_EDATA, "invalid UTF-8 in '%s'", col);
	return yaml_emit(w, &ev);
}

static int yaml_value(crm_out *w, size_t i, const char *v)
{
	const char *col = w->names[i], *n;

	if (!v || !*v)
		return yaml_scalar(w, "null", YAML_PLAIN_SCALAR_STYLE, col);
	/* No exponent: YAML 1.1 readers take 1e3 for a string. */
	if ((n = bare_number(v, w->cols[i].type, false)))
		return yaml_scalar(w, n, YAML_PLAIN_SCALAR_STYLE, col);
	return yaml_scalar(w, v, yaml_text_style(v), col);
}

static int yaml_begin(crm_out *w)
{
	yaml_event_t ev;
	int rc;

	if (!yaml_emitter_initialize(&w->yaml))
		return crm_error_nomem();
	w->yaml_open = true;
	yaml_emitter_set_output(&w->yaml, yaml_write, w);
	yaml_emitter_set_unicode(&w->yaml, 1);
	yaml_emitter_set_width(&w->yaml, -1);
	yaml_emitter_set_break(&w->yaml, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if ((rc = yaml_emit(w, &ev)))
		return rc;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if ((rc = yaml_emit(w, &ev)))
		return rc;
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	return yaml_emit(w, &ev);
}

/* Each row goes to the emitter at once, which holds only a few events. */
static int yaml_row(crm_out *w, const char *const *vals)
{
	yaml_event_t ev;
	int rc = w->yaml_open ? CRM_OK : yaml_begin(w);

	if (!rc) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		rc = yaml_emit(w, &ev);
	}
	for (size_t i = 0; i < w->ncols && !rc; i++) {
		rc = yaml_scalar(w, w->names[i], yaml_text_style(w->names[i]), w->names[i]);
		if (!rc)
			rc = yaml_value(w, i, vals[i]);
	}
	if (!rc) {
		yaml_mapping_end_event_initialize(&ev);
		rc = yaml_emit(w, &ev);
	}
	w->rows++;
	return rc ? rc : stream_status(w);
}

static int yaml_finish(crm_out *w)
{
	yaml_event_t ev;
	int rc;

	if (!w->yaml_open) {
		put_str(w, "[]\n");
		flush_buf(w);
		return CRM_OK;
	}
	yaml_sequence_end_event_initialize(&ev);
	if ((rc = yaml_emit(w, &ev)))
		return rc;
	yaml_document_end_event_initialize(&ev, 1);
	if ((rc = yaml_emit(w, &ev)))
		return rc;
	yaml_stream_end_event_initialize(&ev);
	if ((rc = yaml_emit(w, &ev)))
		return rc;
	return yaml_emitter_flush(&w->yaml) ? CRM_OK : yaml_fail(w);
}

/* ---- table ---- */

/* Appends v to b with control characters spelled out, so that one record
 * stays one line and no value can send commands to the terminal. */
static int table_escape(crm_buf *b, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, run = 0;
	char esc[8];
	int rc = CRM_OK, n;

	while (s[i] && !rc) {
		unsigned char c = s[i];
		bool c1 = c == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f;

		if (c >= 0x20 && c != 0x7f && !c1) {
			i++;
			continue;
		}
		rc = crm_buf_put(b, v + run, i - run);
		if (c1)
			n = snprintf(esc, sizeof esc, "\\u%04x", s[++i]);
		else if (tsv_esc[c])
			n = snprintf(esc, sizeof esc, "\\%c", tsv_esc[c]);
		else
			n = snprintf(esc, sizeof esc, "\\x%02x", c);
		if (!rc)
			rc = crm_buf_put(b, esc, (size_t)n);
		run = ++i;
	}
	return rc ? rc : crm_buf_put(b, v + run, i - run + 1);
}

/* Adds the cells of one line, widening the columns as needed. */
static int table_add(crm_out *w, const char *const *vals)
{
	struct table *t = &w->table;
	struct cell *c;
	int rc = CRM_OK;

	if (t->ncells + w->ncols > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64 * (w->ncols ? w->ncols : 1);

		if (cap < t->ncells + w->ncols || !(c = realloc(t->cells, cap * sizeof *c)))
			return crm_error_nomem();
		t->cells = c;
		t->cap = cap;
	}
	for (size_t i = 0; i < w->ncols && !rc; i++) {
		c = &t->cells[t->ncells + i];
		c->off = t->text.len;
		if (!(rc = table_escape(&t->text, vals[i] ? vals[i] : "")))
			c->width = crm_text_width(t->text.ptr + c->off);
		if (!rc && c->width > t->width[i])
			t->width[i] = c->width;
	}
	t->ncells += w->ncols;
	return rc;
}

static int table_init(crm_out *w)
{
	w->table.width = calloc(w->ncols ? w->ncols : 1, sizeof *w->table.width);
	if (!w->table.width)
		return crm_error_nomem();
	return w->opts.header ? table_add(w, w->names) : CRM_OK;
}

static int table_row(crm_out *w, const char *const *vals)
{
	int rc = table_add(w, vals);

	w->rows++;
	return rc;
}

static bool table_right_p(const crm_out *w, size_t i)
{
	return w->cols[i].type != CRM_COL_TEXT;
}

/* Prints one line of cells; cells after the last non-empty one are left
 * out, so that no line ends in spaces. */
static void table_line(crm_out *w, const struct cell *c, bool bold)
{
	const struct table *t = &w->table;
	size_t n = w->ncols, pad;

	while (n && !t->text.ptr[c[n - 1].off])
		n--;
	if (bold)
		put_str(w, "\033[1m");
	for (size_t i = 0; i < n; i++) {
		pad = t->width[i] - c[i].width;
		if (i)
			put(w, "  ", 2);
		if (table_right_p(w, i))
			put_spaces(w, pad);
		put_str(w, t->text.ptr + c[i].off);
		if (!table_right_p(w, i) && i + 1 < n)
			put_spaces(w, pad);
	}
	if (bold)
		put_str(w, "\033[0m");
	put_c(w, '\n');
}

static int table_finish(crm_out *w)
{
	const struct table *t = &w->table;
	bool bold = w->opts.header && w->opts.color;

	/* Without columns there is nothing to show, not even empty lines. */
	for (size_t c = 0; c < t->ncells; c += w->ncols)
		table_line(w, t->cells + c, bold && !c);
	flush_buf(w);
	return CRM_OK;
}

/* ---- the table of formats ---- */

static const struct mode modes[] = {
	[CRM_FORMAT_TABLE] = { "table", "", "", "", "", ' ', "\n", "", true, false,
	                       NULL, table_row, table_finish },
	[CRM_FORMAT_TSV] = { "tsv", "", "", "", "", '\t', "\n", "", true, false,
	                     tsv_value, line_row, line_finish },
	[CRM_FORMAT_CSV] = { "csv", "", "", "", "", ',', "\r\n", "", true, false,
	                     csv_value, line_row, line_finish },
	[CRM_FORMAT_JSONL] = { "jsonl", "", "", "", "", ',', "\n", "null", false, true,
	                       json_value, line_row, line_finish },
	[CRM_FORMAT_JSON] = { "json", "[\n", ",\n", "\n]\n", "[]\n", ',', "", "null", false, true,
	                      json_value, line_row, line_finish },
	[CRM_FORMAT_YAML] = { "yaml", "", "", "", "[]\n", ' ', "\n", "null", false, false,
	                      NULL, yaml_row, yaml_finish },
};

#define NMODES (sizeof modes / sizeof modes[0])

int crm_format_parse(enum crm_format *out, const char *name)
{
	for (size_t i = 0; i < NMODES; i++) {
		if (!strcmp(name, modes[i].name)) {
			*out = (enum crm_format)i;
			return CRM_OK;
		}
	}
	return crm_error_set(CRM_EUSAGE, "unknown format '%s'", name);
}

const char *crm_format_name(enum crm_format f)
{
	return (size_t)f < NMODES ? modes[f].name : "unknown";
}

/* Copies the columns and their names into memory the writer owns. */
static int copy_columns(crm_out *w, const struct crm_column *cols, size_t ncols)
{
	size_t total = 0, n = ncols ? ncols : 1;
	char *p;

	for (size_t i = 0; i < ncols; i++)
		total += strlen(cols[i].name) + 1;
	w->cols = calloc(n, sizeof *w->cols);
	w->names = calloc(n, sizeof *w->names);
	w->namebuf = p = malloc(total ? total : 1);
	if (!w->cols || !w->names || !p)
		return crm_error_nomem();
	for (size_t i = 0; i < ncols; i++) {
		size_t len = strlen(cols[i].name) + 1;

		memcpy(p, cols[i].name, len);
		w->cols[i].name = w->names[i] = p;
		w->cols[i].type = cols[i].type;
		p += len;
	}
	w->ncols = ncols;
	return CRM_OK;
}

int crm_out_new(crm_out **out, FILE *fp, const struct crm_out_opts *opts,
                const struct crm_column *cols, size_t ncols)
{
	crm_out *w;
	int rc;

	*out = NULL;
	if ((size_t)opts->format >= NMODES)
		return crm_error_set(CRM_EUSAGE, "unknown format %d", (int)opts->format);
	if (!(w = calloc(1, sizeof *w)))
		return crm_error_nomem();
	w->fp = fp;
	w->m = &modes[opts->format];
	w->opts = *opts;
	w->sep = opts->delimiter && opts->format == CRM_FORMAT_CSV ? opts->delimiter : w->m->sep;
	rc = copy_columns(w, cols, ncols);
	if (!rc && w->m->keys)
		rc = json_keys(w);
	if (!rc && opts->format == CRM_FORMAT_TABLE)
		rc = table_init(w);
	if (rc) {
		crm_out_free(w);
		return rc;
	}
	if (opts->bom && opts->format == CRM_FORMAT_CSV)
		put_str(w, "\xef\xbb\xbf");
	*out = w;
	return CRM_OK;
}

int crm_out_row(crm_out *w, const char *const *vals)
{
	if (w->err)
		return stream_status(w);
	return w->m->row(w, vals);
}

int crm_out_finish(crm_out *w)
{
	int rc = CRM_OK;

	if (!w->finished && !w->err)
		rc = w->m->finish(w);
	w->finished = true;
	if (fflush(w->fp) == EOF && !w->err)
		w->err = errno ? errno : EIO;
	return rc ? rc : stream_status(w);
}

void crm_out_free(crm_out *w)
{
	if (!w)
		return;
	if (w->yaml_open)
		yaml_emitter_delete(&w->yaml);
	crm_buf_free(&w->table.text);
	free(w->table.cells);
	free(w->table.width);
	crm_buf_free(&w->keys);
	free(w->keyoff);
	free(w->cols);
	free(w->names);
	free(w->namebuf);
	free(w);
}
