/* output.h - the record writer behind every program's --format.
 *
 * One writer, a table of formats (like the sqlite shell's modes): callers
 * declare the columns once, then hand over rows of strings.  NULL values are
 * written as empty (tsv, csv, table), null (json, jsonl) or null (yaml).
 */
#ifndef CRM_OUTPUT_H
#define CRM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum crm_format {
	CRM_FORMAT_TABLE,
	CRM_FORMAT_TSV,
	CRM_FORMAT_CSV,
	CRM_FORMAT_JSONL,
	CRM_FORMAT_JSON,
	CRM_FORMAT_YAML,
	CRM_FORMAT_VCF   /* vCard: read by the importer, never written */
};

/* Column types only change how JSON and YAML print a value. */
enum crm_coltype {
	CRM_COL_TEXT,   /* a string */
	CRM_COL_INT,    /* an integer: printed bare in JSON and YAML */
	CRM_COL_NUMBER  /* a decimal number: printed bare in JSON and YAML */
};

struct crm_column {
	const char *name;
	enum crm_coltype type;
};

struct crm_out_opts {
	enum crm_format format;
	bool header;    /* print the header line (tsv, csv, table) */
	bool null_term; /* end records with NUL instead of newline (tsv, csv, jsonl) */
	bool color;     /* bold table header; callers decide from isatty/NO_COLOR */
	bool csv_safe;  /* prefix csv cells starting with = + - @ with a quote (') */
	char delimiter; /* csv: the field separator, 0 for ',' */
	bool bom;       /* csv: begin with a UTF-8 byte-order mark, as Excel reads */
};

typedef struct crm_out crm_out;

/* Stores in *out the format named name ("table", "tsv", "csv", "jsonl",
 * "json", "yaml"); CRM_EUSAGE naming the value otherwise. */
int crm_format_parse(enum crm_format *out, const char *name);

/* Whether the CSV cell v (len bytes) begins with the apostrophe that
 * marks it as text for a spreadsheet, which a CSV import leaves out: one
 * before =, +, - or @ (a formula's start, as --csv-safe writes), before a
 * number (Shopify's '+1 613 555 0123, '02108), or before another
 * apostrophe (what a CSV writes for a value that begins with a marked
 * one).  Text that merely begins with one ('90s) is not marked. */
bool crm_csv_marked_p(const char *v, size_t len);

/* Returns the name of format f (static). */
const char *crm_format_name(enum crm_format f);

/* Creates in *out a writer to fp for ncols columns (copied).  The caller
 * frees it with crm_out_free. */
int crm_out_new(crm_out **out, FILE *fp, const struct crm_out_opts *opts,
                const struct crm_column *cols, size_t ncols);

/* Writes one record of ncols values (NULL for a missing value).  The table
 * format keeps rows until crm_out_finish to size its columns.  CRM_EIO when
 * the stream reports an error, CRM_ENOMEM. */
int crm_out_row(crm_out *w, const char *const *vals);

/* Ends the output (closes a JSON array, prints the table) and flushes.
 * CRM_EIO naming the error when writing failed at any point. */
int crm_out_finish(crm_out *w);

/* Frees the writer; NULL-safe.  Does not close the stream. */
void crm_out_free(crm_out *w);

/* Appends s to the malloc'd growing JSON string in b, quoted and escaped per
 * RFC 8259 (control characters as \n \t ... or \u00XX); declared here as several
 * modules emit JSON by hand. */
struct crm_buf;
int crm_json_quote(struct crm_buf *b, const char *s);

#endif
