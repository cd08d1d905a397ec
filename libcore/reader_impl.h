/* reader_impl.h - what the format readers share: the buffered, decoded
 * input and the storage of the current row.  See reader.h. */
#ifndef CRM_READER_IMPL_H
#define CRM_READER_IMPL_H

#include <iconv.h>
#include <stdbool.h>
#include <stddef.h>

#include "crm/buf.h"
#include "crm/reader.h"

/* A single field longer than this is a malformed record, not a value. */
#define CRM_FIELD_MAX (1 << 20)

struct crm_reader {
	FILE *f;
	char *name;               /* file name for messages */
	enum crm_format format;
	char delimiter;           /* CSV: 0 until the first line shows it */
	iconv_t cd;               /* (iconv_t)-1 when the input is UTF-8 */
	char *encoding;
	/* The decoded input: buf[pos, len) is not consumed yet. */
	char *buf;
	size_t pos, len, cap;
	char raw[16384];          /* undecoded bytes waiting for iconv */
	size_t raw_len;
	bool eof, started;
	bool bom;                 /* the input began with a UTF-8 byte-order mark */
	bool cr_only;             /* its lines end in CR alone (old Macs) */
	long long offset;         /* input bytes read from f */
	long line;                /* lines consumed */
	/* The current row: names and values as offsets into text. */
	crm_buf text;
	size_t n, cap_fields;
	size_t *name_off, *value_off, *lens;
	bool *null;
	const char **names, **values;
	long row_line;            /* line the current row starts on */
	const char *error;
	char error_text[160];
	int error_col;            /* crm_row.error_col */
	/* CSV/TSV header, or --columns. */
	char **header;
	size_t nheader;
	long header_line;         /* 0 for --columns */
	size_t trailing;          /* the header's unnamed last columns */
	const char *const *each;  /* crm_reader_opts.each */
	void *state;              /* the format's own */
	int (*next)(struct crm_reader *r, struct crm_row *row);
	void (*free)(struct crm_reader *r);
};

/* Reads more decoded input into buf; false at the end (or on error, with
 * *rc set). */
bool crm_rd_fill(struct crm_reader *r, int *rc);

/* Stores in *line the next line (its '\n' included when present) and in
 * *len its length; the pointer stays valid until the next read.  Returns 1,
 * 0 at the end of input, or a negative status. */
int crm_rd_line(struct crm_reader *r, const char **line, size_t *len);

/* Starts a new row beginning on line. */
void crm_rd_row_start(struct crm_reader *r, long line);

/* Appends a field to the row; value NULL stands for null. */
int crm_rd_row_add(struct crm_reader *r, const char *name, size_t name_len,
                   const char *value, size_t len);

/* Marks the row malformed with a reason (printf-style). */
void crm_rd_row_error(struct crm_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Fills *row from the row built so far; returns 1. */
int crm_rd_row_done(struct crm_reader *r, struct crm_row *row);

/* Records a stream error "file:line: message" and returns CRM_EDATA. */
int crm_rd_fail(struct crm_reader *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the header from a row's values (CSV/TSV); CRM_EDATA for duplicate
 * or empty column names. */
int crm_rd_set_header(struct crm_reader *r, const struct crm_row *row);

/* The formats: each sets r->next (and r->free, r->state when it needs to). */
int crm_rd_csv_open(struct crm_reader *r);
int crm_rd_tsv_open(struct crm_reader *r);
int crm_rd_jsonl_open(struct crm_reader *r);
int crm_rd_json_open(struct crm_reader *r);
int crm_rd_yaml_open(struct crm_reader *r);
int crm_rd_vcf_open(struct crm_reader *r);

#endif
