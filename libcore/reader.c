/* reader.c - the input side every format shares: decoding to UTF-8 with
 * iconv, lines, the current row, the header and the error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/error.h"
#include "reader_impl.h"

static const struct {
	const char *name;
	enum crm_format format;
	int (*open)(struct crm_reader *r);
} formats[] = {
	{ "csv", CRM_FORMAT_CSV, crm_rd_csv_open },
	{ "tsv", CRM_FORMAT_TSV, crm_rd_tsv_open },
	{ "jsonl", CRM_FORMAT_JSONL, crm_rd_jsonl_open },
	{ "ndjson", CRM_FORMAT_JSONL, crm_rd_jsonl_open },
	{ "json", CRM_FORMAT_JSON, crm_rd_json_open },
	{ "yaml", CRM_FORMAT_YAML, crm_rd_yaml_open },
	{ "yml", CRM_FORMAT_YAML, crm_rd_yaml_open },
	{ "vcf", CRM_FORMAT_VCF, crm_rd_vcf_open },
	{ "vcard", CRM_FORMAT_VCF, crm_rd_vcf_open },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int crm_reader_format(enum crm_format *out, const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(name, formats[i].name)) {
			*out = formats[i].format;
			return CRM_OK;
		}
	return crm_error_set(CRM_EUSAGE, "unknown input format '%s' (expected csv, tsv,"
	                     " jsonl, json, yaml or vcf)", name);
}

int crm_reader_guess(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot || strchr(dot, '/'))
		return -1;
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcasecmp(dot + 1, formats[i].name))
			return (int)formats[i].format;
	return -1;
}

/* ---- decoded input ---- */

static int read_error(struct crm_reader *r)
{
	return crm_error_set(CRM_EIO, "cannot read '%s': %s", r->name, strerror(errno));
}

static int make_room(struct crm_reader *r, size_t want)
{
	char *p;
	size_t cap = r->cap ? r->cap : 65536;

	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (cap < r->len + want)
		cap *= 2;
	if (cap == r->cap)
		return CRM_OK;
	if (!(p = realloc(r->buf, cap)))
		return crm_error_nomem();
	r->buf = p;
	r->cap = cap;
	return CRM_OK;
}

/* Decodes r->raw into buf; keeps an incomplete last character for later. */
static int decode(struct crm_reader *r)
{
	char *in = r->raw, *out = r->buf + r->len;
	size_t inleft = r->raw_len, outleft = r->cap - r->len;

	if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != EINVAL)
		return crm_rd_fail(r, r->line + 1, "not valid %s text (byte %lld)", r->encoding,
		                   r->offset - (long long)inleft);
	r->len = (size_t)(out - r->buf);
	memmove(r->raw, in, inleft);
	r->raw_len = inleft;
	return CRM_OK;
}

/* A file that begins with a UTF-16 byte-order mark (Excel's "Unicode
 * Text", Outlook's exports) is UTF-16 whatever no --encoding said: the
 * bytes read so far go back to be decoded as such.  Called before the
 * first fill ends, when they fit in r->raw. */
static int sniff_utf16(struct crm_reader *r)
{
	const unsigned char *b = (const unsigned char *)r->buf + r->pos;
	size_t n = r->len - r->pos;

	if (r->started || r->cd != (iconv_t)-1 || n < 2 || n > sizeof r->raw ||
	    !((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
		return CRM_OK;
	if ((r->cd = iconv_open("UTF-8", "UTF-16")) == (iconv_t)-1)
		return crm_error_set(CRM_EFAIL, "cannot decode UTF-16: %s", strerror(errno));
	free(r->encoding);
	if (!(r->encoding = strdup("UTF-16")))
		return crm_error_nomem();
	memcpy(r->raw, r->buf + r->pos, n);
	r->raw_len = n;
	r->len = r->pos;
	return decode(r);
}

bool crm_rd_fill(struct crm_reader *r, int *rc)
{
	size_t before = r->len - r->pos, n;

	*rc = CRM_OK;
	while (!r->eof && r->len - r->pos == before) {
		/* Decoding may widen each byte to four (UTF-16 to UTF-8 at most three). */
		if ((*rc = make_room(r, 4 * sizeof r->raw)))
			return false;
		if (r->cd == (iconv_t)-1) {
			n = fread(r->buf + r->len, 1, sizeof r->raw, r->f);
			r->len += n;
		} else {
			n = fread(r->raw + r->raw_len, 1, sizeof r->raw - r->raw_len, r->f);
			r->raw_len += n;
		}
		r->offset += (long long)n;
		if (n == 0 && ferror(r->f)) {
			*rc = read_error(r);
			return false;
		}
		r->eof = n == 0;
		if ((*rc = r->cd == (iconv_t)-1 ? sniff_utf16(r) : decode(r)))
			return false;
		if (r->eof && r->raw_len) {
			*rc = crm_rd_fail(r, r->line + 1, "incomplete %s character at the end",
			                  r->encoding);
			return false;
		}
	}
	/* Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)"): the
	 * first bytes read tell, and every CR read is then a line's end. */
	if (!r->started)
		r->cr_only = memchr(r->buf + r->pos, '\r', r->len - r->pos) &&
		             !memchr(r->buf + r->pos, '\n', r->len - r->pos);
	for (char *p = r->buf + r->pos + before; r->cr_only && p < r->buf + r->len; p++)
		if (*p == '\r')
			*p = '\n';
	/* A byte-order mark is not part of the first value. */
	if (!r->started && r->len - r->pos >= 3 && !memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3)) {
		r->pos += 3;
		r->bom = true;
	}
	r->started = true;
	return r->len - r->pos > before;
}

int crm_rd_line(struct crm_reader *r, const char **line, size_t *len)
{
	size_t searched = 0;
	char *nl;
	int rc;

	for (;;) {
		nl = r->len > r->pos + searched ?
		     memchr(r->buf + r->pos + searched, '\n', r->len - r->pos - searched) : NULL;
		if (nl)
			break;
		searched = r->len - r->pos;
		if (!crm_rd_fill(r, &rc)) {
			if (rc)
				return rc;
			if (r->len == r->pos)
				return 0;
			nl = r->buf + r->len - 1; /* the last line has no newline */
			break;
		}
	}
	*line = r->buf + r->pos;
	*len = (size_t)(nl - *line) + 1;
	r->pos += *len;
	r->line++;
	return 1;
}

/* ---- the current row ---- */

void crm_rd_row_start(struct crm_reader *r, long line)
{
	crm_buf_clear(&r->text);
	r->n = 0;
	r->error = NULL;
	r->error_col = 0;
	r->row_line = line;
}

static int grow_fields(struct crm_reader *r)
{
	size_t cap = r->cap_fields ? 2 * r->cap_fields : 16;
	size_t *no = realloc(r->name_off, cap * sizeof *no);
	size_t *vo = no ? realloc(r->value_off, cap * sizeof *vo) : NULL;
	size_t *ln = vo ? realloc(r->lens, cap * sizeof *ln) : NULL;
	bool *nu = ln ? realloc(r->null, cap * sizeof *nu) : NULL;
	const char **nm = nu ? realloc(r->names, cap * sizeof *nm) : NULL;
	const char **va = nm ? realloc(r->values, cap * sizeof *va) : NULL;

	/* Whatever was moved is stored back, so nothing leaks on failure. */
	if (no)
		r->name_off = no;
	if (vo)
		r->value_off = vo;
	if (ln)
		r->lens = ln;
	if (nu)
		r->null = nu;
	if (nm)
		r->names = nm;
	if (!va)
		return crm_error_nomem();
	r->values = va;
	r->cap_fields = cap;
	return CRM_OK;
}

/* The row's error, in the column being added (name): "column 'city'
 * holds a NUL byte".  The first error is the one told. */
static void field_error(struct crm_reader *r, const char *name, size_t name_len,
                        const char *what, ...)
{
	char text[96];
	va_list ap;

	if (r->error)
		return;
	va_start(ap, what);
	vsnprintf(text, sizeof text, what, ap);
	va_end(ap);
	crm_rd_row_error(r, "column '%.*s' %s", (int)(name_len > 60 ? 60 : name_len), name, text);
	r->error_col = (int)r->n + 1;
}

int crm_rd_row_add(struct crm_reader *r, const char *name, size_t name_len,
                   const char *value, size_t len)
{
	int rc;

	if (r->n == r->cap_fields && (rc = grow_fields(r)))
		return rc;
	if (len > CRM_FIELD_MAX) {
		field_error(r, name, name_len, "is longer than %d bytes", CRM_FIELD_MAX);
		len = 0;
	}
	r->name_off[r->n] = r->text.len;
	if ((rc = crm_buf_put(&r->text, name, name_len)) || (rc = crm_buf_putc(&r->text, '\0')))
		return rc;
	r->value_off[r->n] = r->text.len;
	if ((rc = crm_buf_put(&r->text, value ? value : "", value ? len : 0)) ||
	    (rc = crm_buf_putc(&r->text, '\0')))
		return rc;
	r->lens[r->n] = value ? len : 0;
	r->null[r->n] = !value;
	if (value && !r->error && memchr(value, '\0', len))
		field_error(r, name, name_len, "holds a NUL byte");
	r->n++;
	return CRM_OK;
}

void crm_rd_row_error(struct crm_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error)
		return; /* the first reason is the one worth telling */
	va_start(ap, fmt);
	vsnprintf(r->error_text, sizeof r->error_text, fmt, ap);
	va_end(ap);
	r->error = r->error_text;
}

int crm_rd_row_done(struct crm_reader *r, struct crm_row *row)
{
	/* Offsets become pointers only now: the text may have moved while
	 * the row grew. */
	for (size_t i = 0; i < r->n; i++) {
		r->names[i] = r->text.ptr + r->name_off[i];
		r->values[i] = r->null[i] ? NULL : r->text.ptr + r->value_off[i];
	}
	row->n = r->n;
	row->names = r->names;
	row->values = r->values;
	row->lens = r->lens;
	row->line = r->row_line;
	row->error = r->error;
	row->error_col = r->error_col;
	row->ahead = NULL;
	row->nahead = 0;
	return 1;
}

int crm_rd_fail(struct crm_reader *r, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return crm_error_set(CRM_EDATA, "%s:%ld: %s", r->name, line, msg);
}

static void free_header(struct crm_reader *r)
{
	for (size_t i = 0; i < r->nheader; i++)
		free(r->header[i]);
	free(r->header);
	r->header = NULL;
	r->nheader = 0;
}

/* Stores names[0..n) as the header; CRM_EDATA for an empty or repeated one. */
static int store_header(struct crm_reader *r, const char *const *names, size_t n, long line)
{
	free_header(r);
	if (!(r->header = calloc(n ? n : 1, sizeof *r->header)))
		return crm_error_nomem();
	r->header_line = line;
	/* A header ending in delimiters (the ECB's rates, spreadsheets whose
	 * empty columns were once used) names no last columns: its rows end
	 * in empty fields too (read_csv.c). */
	for (r->trailing = 0; n - r->trailing > 1 && !*names[n - r->trailing - 1];)
		r->trailing++;
	n -= r->trailing;
	for (size_t i = 0; i < n; i++) {
		if (!*names[i])
			return crm_rd_fail(r, line, "column %zu of the header has no name", i + 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[i], r->header[j]))
				return crm_rd_fail(r, line, "column '%s' appears twice in the header",
				                   names[i]);
		if (!(r->header[i] = strdup(names[i])))
			return crm_error_nomem();
		r->nheader = i + 1;
	}
	return CRM_OK;
}

int crm_rd_set_header(struct crm_reader *r, const struct crm_row *row)
{
	if (row->error)
		return crm_rd_fail(r, row->line, "header: %s", row->error);
	return store_header(r, row->values, row->n, row->line);
}

/* Splits --columns "a,b,c" into the header. */
static int columns_header(struct crm_reader *r, const char *columns)
{
	char *copy = strdup(columns), *save = NULL;
	const char *names[256];
	size_t n = 0;
	int rc;

	if (!copy)
		return crm_error_nomem();
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == sizeof names / sizeof names[0]) {
			free(copy);
			return crm_error_set(CRM_EUSAGE, "--columns: more than %zu columns", n);
		}
		names[n++] = t;
	}
	rc = store_header(r, names, n, 0);
	free(copy);
	return rc ? crm_error_set(CRM_EUSAGE, "--columns: invalid list '%s'", columns) : CRM_OK;
}

/* The character set iconv reads a file of encoding enc in.  Latin-1 is
 * read as Windows-1252, as web browsers read it (the WHATWG Encoding
 * Standard): a file Windows saved as Latin-1 holds its curly quotes,
 * dashes and euro sign in 0x80-0x9F, where Latin-1 has control
 * characters no text holds, so that O\x92Brien is O'Brien, not a name
 * with a control character in it. */
static const char *charset_of(const char *enc)
{
	static const char *const latin1[] = { "latin1", "latin-1", "iso-8859-1", "iso8859-1",
	                                      "iso_8859-1", "iso88591", "l1", "cp819", "ibm819",
	                                      NULL };

	for (size_t i = 0; latin1[i]; i++)
		if (!strcasecmp(enc, latin1[i]))
			return "WINDOWS-1252";
	return enc;
}

static int open_format(struct crm_reader *r, const struct crm_reader_opts *o)
{
	int rc;

	if (o->encoding && strcasecmp(o->encoding, "utf-8") && strcasecmp(o->encoding, "utf8")) {
		r->cd = iconv_open("UTF-8", charset_of(o->encoding));
		if (r->cd == (iconv_t)-1)
			return crm_error_set(CRM_EUSAGE, "unknown encoding '%s'", o->encoding);
		/* The reject file is written back in the same character set. */
		if (!(r->encoding = strdup(charset_of(o->encoding))))
			return crm_error_nomem();
	}
	if (o->columns) {
		if (o->format != CRM_FORMAT_CSV && o->format != CRM_FORMAT_TSV)
			return crm_error_set(CRM_EUSAGE, "--columns applies to csv and tsv only");
		if ((rc = columns_header(r, o->columns)))
			return rc;
	}
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].format == o->format)
			return formats[i].open(r);
	return crm_error_set(CRM_EUSAGE, "cannot read format '%s'", crm_format_name(o->format));
}

int crm_reader_open(crm_reader **out, FILE *in, const char *name,
                    const struct crm_reader_opts *o)
{
	struct crm_reader *r = calloc(1, sizeof *r);
	int rc;

	*out = NULL;
	if (!r)
		return crm_error_nomem();
	r->f = in;
	r->cd = (iconv_t)-1;
	r->format = o->format;
	r->delimiter = o->delimiter;
	r->each = o->each;
	if (!(r->name = strdup(name)))
		rc = crm_error_nomem();
	else
		rc = open_format(r, o);
	if (rc) {
		crm_reader_close(r);
		return rc;
	}
	*out = r;
	return CRM_OK;
}

int crm_reader_next(crm_reader *r, struct crm_row *row)
{
	return r->next(r, row);
}

long long crm_reader_offset(const crm_reader *r)
{
	return r->offset;
}

const char *const *crm_reader_header(const crm_reader *r, size_t *n)
{
	*n = r->nheader;
	return (const char *const *)r->header;
}

long crm_reader_header_line(const crm_reader *r)
{
	return r->header_line;
}

void crm_reader_style(const crm_reader *r, struct crm_style *s)
{
	s->delimiter = r->format == CRM_FORMAT_CSV ? (r->delimiter ? r->delimiter : ',') : 0;
	s->bom = r->bom;
	s->encoding = r->encoding;
}

void crm_reader_close(crm_reader *r)
{
	if (!r)
		return;
	if (r->free)
		r->free(r);
	else
		free(r->state);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free_header(r);
	crm_buf_free(&r->text);
	free(r->name_off);
	free(r->value_off);
	free(r->lens);
	free(r->null);
	free(r->names);
	free(r->values);
	free(r->buf);
	free(r->encoding);
	free(r->name);
	free(r);
}
