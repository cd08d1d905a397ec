/* reader.h - records from other systems' exports, one at a time.
 *
 * A reader turns a stream in one of the formats below into rows of
 * (name, value) pairs with the line each row starts on.  It holds one row in
 * memory at a time, so files of any size import in constant space.
 *
 * Two kinds of trouble are told apart.  A malformed record (too many fields,
 * a NUL byte) comes back as a row with error set: the importer rejects that
 * record and reads on.  A malformed stream (a quote never closed, broken
 * JSON or YAML, an I/O error) ends the reading with CRM_EDATA or CRM_EIO and
 * a message naming file and line.
 */
#ifndef CRM_READER_H
#define CRM_READER_H

#include <stdio.h>

#include "crm/output.h"

/* Stores in *out the input format named name: csv, tsv, jsonl, json, yaml
 * or vcf (also "ndjson", "yml", "vcard").  CRM_EUSAGE otherwise. */
int crm_reader_format(enum crm_format *out, const char *name);

/* The fields a vCard's ADR components become, in their order: post
 * office box, extended address (a flat), street, city, region, postal
 * code, country. */
#define CRM_VCF_ADR_PARTS 7
extern const char *const crm_vcf_adr_fields[CRM_VCF_ADR_PARTS];

/* Returns the input format a file name's extension implies, or -1. */
int crm_reader_guess(const char *path);

struct crm_reader_opts {
	enum crm_format format;
	char delimiter;          /* CSV field separator; 0 means ',' */
	const char *columns;     /* CSV/TSV without a header row: "a,b,c" */
	const char *encoding;    /* iconv name of the input's encoding, NULL: UTF-8 */
	/* JSON: the members whose array of objects makes a row of each of
	 * them, the record's other members repeated on every one (an order's
	 * line_items); NULL-terminated, or NULL. */
	const char *const *each;
};

struct crm_row {
	size_t n;                  /* number of fields */
	const char *const *names;  /* field names */
	const char *const *values; /* values; NULL where the input has null */
	const size_t *lens;        /* byte length of each value (NULs included) */
	long line;                 /* line the record starts on, from 1 */
	const char *error;         /* set when the record itself is malformed */
	int error_col;             /* with error: 1 + the column it is in, or 0 */
	const void *ahead;         /* what a row pipe's preparation made of it, or NULL */
	size_t nahead;             /* its size in bytes */
};

typedef struct crm_reader crm_reader;

/* Starts reading in (not closed by the reader) named name in messages.
 * CRM_EUSAGE for a bad option (unknown encoding, --columns with a format
 * that has its own names). */
int crm_reader_open(crm_reader **out, FILE *in, const char *name,
                    const struct crm_reader_opts *o);

/* Stores the next record in *row, valid until the next call: returns 1, or
 * 0 at the end of the input, or a negative status. */
int crm_reader_next(crm_reader *r, struct crm_row *row);

/* Returns how many bytes of the input have been consumed so far. */
long long crm_reader_offset(const crm_reader *r);

/* Returns the column names of a CSV/TSV header (NULL for other formats)
 * and stores their number in *n; valid until the reader is closed. */
const char *const *crm_reader_header(const crm_reader *r, size_t *n);

/* Returns the line the header was read from (0 when --columns gave it). */
long crm_reader_header_line(const crm_reader *r);

/* How an input is written -- what a file written back for its user (the
 * reject file) should keep. */
struct crm_style {
	char delimiter;       /* a CSV's field separator; 0 for other formats */
	bool bom;             /* whether it began with a UTF-8 byte-order mark */
	const char *encoding; /* iconv name of its character set (--encoding,
	                       * or UTF-16 a byte-order mark said); NULL: UTF-8.
	                       * Valid while the reader is open. */
};

/* Stores in s how the input is written, once its header is read. */
void crm_reader_style(const crm_reader *r, struct crm_style *s);

/* Frees the reader; NULL-safe. */
void crm_reader_close(crm_reader *r);

#endif
