/* read_csv.c - CSV (RFC 4180, through libcsv) and the toolkit's own TSV.
 *
 * Both name their columns in a header row (or --columns).  libcsv is fed
 * one line at a time, so every record knows the line it starts on even when
 * quoted fields run over several lines.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "reader_impl.h"

struct csv_state {
	struct csv_parser p;
	bool in_record, done;
	bool open_quote; /* a line ended inside the record: in a quoted field */
	bool preamble;   /* in the notes above the header (notes_line) */
	int rc; /* an allocation failure inside a callback */
};

/* libcsv trims spaces and tabs around unquoted fields by default; values
 * are kept exactly as written. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Returns the name of column i: the header's, else "" (a surplus field). */
static const char *column(struct crm_reader *r, size_t i)
{
	return i < r->nheader ? r->header[i] : "";
}

/* A cell of a record (not of the header) without the apostrophe that
 * marked it as text for a spreadsheet (crm_csv_marked_p). */
static void on_field(void *s, size_t len, void *data)
{
	struct crm_reader *r = data;
	struct csv_state *st = r->state;
	const char *name = column(r, r->n), *v = s ? s : "";
	int rc;

	if (r->header && crm_csv_marked_p(v, len)) {
		v++;
		len--;
	}
	rc = crm_rd_row_add(r, name, strlen(name), v, len);

	if (rc && !st->rc)
		st->rc = rc;
}

static void on_record(int c, void *data)
{
	struct crm_reader *r = data;

	(void)c;
	((struct csv_state *)r->state)->done = true;
}

/* The separator of a CSV input that gives none: Excel's "sep=;" line, in
 * which case the line is no record (*skip), else the first line's commas,
 * then semicolons (Excel's own in the many countries where the comma is
 * the decimal mark), then tabs; else a comma. */
static char sniff(const char *line, size_t len, bool *skip)
{
	size_t n[3] = { 0, 0, 0 };
	bool quoted = false;

	*skip = len >= 5 && !memcmp(line, "sep=", 4) && !strchr("\"\r\n", line[4]) &&
	        (len == 5 || line[5] == '\n' || (line[5] == '\r' && len >= 7 && line[6] == '\n'));
	if (*skip)
		return line[4];
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted && line[i] == ',')
			n[0]++;
		else if (!quoted && line[i] == ';')
			n[1]++;
		else if (!quoted && line[i] == '\t')
			n[2]++;
	}
	return n[0] ? ',' : n[1] ? ';' : n[2] ? '\t' : ',';
}

/* Whether line, with its end, is exactly text. */
static bool line_is(const char *line, size_t len, const char *text)
{
	size_t n = strlen(text);

	if (len < n || memcmp(line, text, n))
		return false;
	line += n, len -= n;
	return len == 0 || (len == 1 && line[0] == '\n') ||
	       (len == 2 && line[0] == '\r' && line[1] == '\n');
}

static bool blank(const char *line, size_t len)
{
	return line_is(line, len, "");
}

/* LinkedIn's Connections.csv opens with a line "Notes:", a paragraph of
 * them and a blank line above its header: a line "Notes:" above the
 * header and the lines to the next blank one are no records (csv_next). */
static bool notes_line(const char *line, size_t len)
{
	return line_is(line, len, "Notes:");
}

/* The first field from i on that is not empty, or r->n. */
static size_t first_value(const struct crm_reader *r, size_t i)
{
	while (i < r->n && !r->lens[i])
		i++;
	return i;
}

/* The start of field i of the row being read, as %.*s's arguments: what
 * a message shows of a value the header has no column for, so that the
 * record can be mended from the reject file. */
#define SHOWN(r, i) (int)crm_text_fit((r)->text.ptr + (r)->value_off[i], 40), \
	(r)->text.ptr + (r)->value_off[i]

/* Hands out a finished row (1), or takes it as the header (0), or drops
 * a row of separators alone (0): the empty rows a spreadsheet leaves
 * under its data are blank lines, not records. */
static int finish_row(struct crm_reader *r, struct crm_row *row)
{
	size_t extra;

	if (!r->header) {
		crm_rd_row_done(r, row);
		return crm_rd_set_header(r, row);
	}
	if (first_value(r, 0) == r->n && !r->error)
		return 0;
	while (r->n > r->nheader && r->n <= r->nheader + r->trailing && r->lens[r->n - 1] == 0)
		r->n--;
	if (r->n > r->nheader && r->n <= r->nheader + r->trailing)
		crm_rd_row_error(r, "a value under column %zu, which the header does not name: '%.*s'",
		                 r->n, SHOWN(r, r->n - 1));
	else if (r->n > r->nheader && (extra = first_value(r, r->nheader)) < r->n)
		crm_rd_row_error(r, "%zu fields where the header has %zu: '%.*s' has no column",
		                 r->n, r->nheader, SHOWN(r, extra));
	else if (r->n != r->nheader)
		crm_rd_row_error(r, "%zu field%s where the header has %zu", r->n, r->n == 1 ? "" : "s",
		                 r->nheader);
	return crm_rd_row_done(r, row);
}

/* Feeds lines to libcsv until it reports a whole record. */
static int csv_next(struct crm_reader *r, struct crm_row *row)
{
	struct csv_state *st = r->state;
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		if ((rc = crm_rd_line(r, &line, &len)) < 0)
			return rc;
		if (rc == 0) {
			if (!st->in_record)
				return 0;
			/* A newline outside quotes ends a record, so a record still
			 * open after one is inside a quoted field. */
			if (st->open_quote || csv_fini(&st->p, on_field, on_record, r) || !st->done)
				return crm_rd_fail(r, r->row_line, "quoted field never closed");
		} else {
			if (!st->in_record) {
				if (st->preamble) {
					st->preamble = !blank(line, len);
					continue;
				}
				if (blank(line, len))
					continue;
				if (!r->header && notes_line(line, len)) {
					st->preamble = true;
					continue;
				}
				if (!r->delimiter) {
					bool skip;
					r->delimiter = sniff(line, len, &skip);
					csv_set_delim(&st->p, (unsigned char)r->delimiter);
					if (skip)
						continue;
				}
				crm_rd_row_start(r, r->line);
				st->in_record = true;
			}
			if (csv_parse(&st->p, line, len, on_field, on_record, r) != len)
				return crm_rd_fail(r, r->line, "%s", csv_strerror(csv_error(&st->p)));
			st->open_quote = !st->done && line[len - 1] == '\n';
		}
		if (st->rc)
			return st->rc;
		if (st->done) {
			st->done = st->in_record = false;
			if ((rc = finish_row(r, row)))
				return rc;
		}
	}
}

static void csv_state_free(struct crm_reader *r)
{
	struct csv_state *st = r->state;

	csv_free(&st->p);
	free(st);
}

int crm_rd_csv_open(struct crm_reader *r)
{
	struct csv_state *st = calloc(1, sizeof *st);

	if (!st)
		return crm_error_nomem();
	/* Not strict: a stray quote inside a field is taken as written. */
	if (csv_init(&st->p, 0)) {
		free(st);
		return crm_error_nomem();
	}
	/* libcsv grows a field's buffer by this much at a time (128 bytes by
	 * default): big steps keep a megabyte-long field from costing
	 * thousands of copies. */
	csv_set_blk_size(&st->p, 256 * 1024);
	if (r->delimiter)
		csv_set_delim(&st->p, (unsigned char)r->delimiter);
	csv_set_space_func(&st->p, no_space);
	r->state = st;
	r->free = csv_state_free;
	r->next = csv_next;
	return CRM_OK;
}

/* ---- tsv ---- */

/* Appends one TSV field, undoing the \t \n \r \\ escapes of the writer. */
static int tsv_field(struct crm_reader *r, crm_buf *tmp, const char *s, size_t len)
{
	const char *name = column(r, r->n);

	crm_buf_clear(tmp);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			switch (s[++i]) {
			case 't': c = '\t'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case '\\': c = '\\'; break;
			default: c = s[--i]; break; /* not an escape: keep the backslash */
			}
		}
		if (crm_buf_putc(tmp, c))
			return crm_error_nomem();
	}
	return crm_rd_row_add(r, name, strlen(name), tmp->ptr ? tmp->ptr : "", tmp->len);
}

static int tsv_split(struct crm_reader *r, const char *line, size_t len)
{
	crm_buf tmp = CRM_BUF_INIT;
	const char *end = line + len, *tab;
	int rc = CRM_OK;

	while (len && (end[-1] == '\n' || end[-1] == '\r'))
		end--, len--;
	for (const char *p = line; !rc; p = tab + 1) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		rc = tsv_field(r, &tmp, p, (size_t)(tab - p));
		if (tab == end)
			break;
	}
	crm_buf_free(&tmp);
	return rc;
}

static int tsv_next(struct crm_reader *r, struct crm_row *row)
{
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		if ((rc = crm_rd_line(r, &line, &len)) <= 0)
			return rc;
		if (blank(line, len))
			continue;
		crm_rd_row_start(r, r->line);
		if ((rc = tsv_split(r, line, len)) || (rc = finish_row(r, row)))
			return rc;
	}
}

int crm_rd_tsv_open(struct crm_reader *r)
{
	r->next = tsv_next;
	return CRM_OK;
}
