/* reject.c - the reject file; see reject.h.
 *
 * CSV and TSV keep the input's header and add the columns _line, _field and
 * _error; JSON, JSON Lines and YAML add them as keys of each record; vCard
 * adds them as the properties X-CRM-LINE, X-CRM-FIELD and X-CRM-ERROR.
 * CSV and TSV are written in the input's character set; the others are
 * UTF-8, as JSON, YAML and vCard 4.0 have it.
 */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/reader.h"
#include "reject.h"

#define EXTRA 3 /* _line, _field, _error */

struct rejects {
	FILE *fp;
	char *path;
	enum crm_format f;
	long n;
	crm_out *w;                /* csv, tsv: one writer for the whole file */
	char delimiter;            /* csv: the input's separator and byte-order mark */
	bool bom;
	char *encoding;            /* csv, tsv: the input's character set; NULL: UTF-8 */
	struct crm_column *cols;   /* its columns: the input's header (until the
	                            * first reject, that of the input being read),
	                            * else the first rejected row's names; then
	                            * _line, _field and _error */
	size_t ncols;
};

int rejects_open(struct rejects **out, const char *path, enum crm_format f)
{
	struct rejects *rj = calloc(1, sizeof *rj);
	int fd;

	*out = NULL;
	if (!rj || !(rj->path = strdup(path))) {
		free(rj);
		return crm_error_nomem();
	}
	rj->f = f;
	/* Rejected records are personal data: readable by their owner only.
	 * A symbolic link planted where the file goes is not followed, so the
	 * import cannot be made to overwrite some other file. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(rj->fp = fdopen(fd, "w"))) {
		int rc = crm_error_set(CRM_EIO, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(rj->path);
		free(rj);
		return rc;
	}
	if (f == CRM_FORMAT_JSON)
		fputs("[", rj->fp);
	*out = rj;
	return CRM_OK;
}

int rejects_style(struct rejects *rj, const struct crm_style *s)
{
	if (rj->w || (rj->f != CRM_FORMAT_CSV && rj->f != CRM_FORMAT_TSV))
		return CRM_OK;
	if (rj->f == CRM_FORMAT_CSV) {
		rj->delimiter = s->delimiter;
		rj->bom = s->bom;
	}
	free(rj->encoding);
	rj->encoding = NULL;
	if (s->encoding && !(rj->encoding = strdup(s->encoding)))
		return crm_error_nomem();
	return CRM_OK;
}

/* A stream that writes UTF-8 text to another in a character set of
 * iconv's: what a reject file in the input's uses. */
struct recode {
	FILE *to;
	iconv_t cd;
	char held[8];  /* the start of a character the last write split */
	size_t nheld;
};

static ssize_t recode_write(void *cookie, const char *buf, size_t size)
{
	struct recode *rc = cookie;
	size_t n = rc->nheld + size, left = n;
	char *text = malloc(n + 1), *in = text, out[4096];

	if (!text)
		return -1;
	memcpy(text, rc->held, rc->nheld);
	memcpy(text + rc->nheld, buf, size);
	rc->nheld = 0;
	while (left) {
		char *o = out;
		size_t room = sizeof out;
		int bad = iconv(rc->cd, &in, &left, &o, &room) == (size_t)-1 ? errno : 0;

		if (fwrite(out, 1, (size_t)(o - out), rc->to) != (size_t)(o - out) ||
		    (bad && bad != E2BIG && (bad != EINVAL || left > sizeof rc->held))) {
			free(text);
			return -1;
		}
		if (bad == EINVAL) {
			memcpy(rc->held, in, left);
			rc->nheld = left;
			break;
		}
	}
	free(text);
	return (ssize_t)size;
}

static int recode_close(void *cookie)
{
	struct recode *rc = cookie;
	char out[64], *o = out;
	size_t room = sizeof out;
	int bad;

	/* A character set with shift states (ISO-2022-JP) ends in its first. */
	if (iconv(rc->cd, NULL, NULL, &o, &room) != (size_t)-1)
		fwrite(out, 1, (size_t)(o - out), rc->to);
	bad = ferror(rc->to) | fclose(rc->to);

	iconv_close(rc->cd);
	free(rc);
	return bad ? EOF : 0;
}

/* Makes rj write in encoding from now on.  Unlike the input, where an
 * invalid byte rejects its record, a character the character set lacks
 * (in a reason, say) is written as near as iconv can. */
static int recode_to(struct rejects *rj, const char *encoding)
{
	cookie_io_functions_t io = { .write = recode_write, .close = recode_close };
	struct recode *rc = calloc(1, sizeof *rc);
	char name[128];
	FILE *fp;

	snprintf(name, sizeof name, "%s//TRANSLIT", encoding);
	if (!rc)
		return crm_error_nomem();
	if ((rc->cd = iconv_open(name, "UTF-8")) == (iconv_t)-1) {
		free(rc);
		return crm_error_set(CRM_EUSAGE, "--reject: cannot write '%s' text", encoding);
	}
	rc->to = rj->fp;
	if (!(fp = fopencookie(rc, "w", io))) {
		iconv_close(rc->cd);
		free(rc);
		return crm_error_nomem();
	}
	rj->fp = fp;
	return CRM_OK;
}

static void free_columns(struct rejects *rj)
{
	for (size_t i = 0; i + EXTRA < rj->ncols; i++)
		free((char *)rj->cols[i].name);
	free(rj->cols);
	rj->cols = NULL;
	rj->ncols = 0;
}

/* Makes the table's columns: names (copied), then the three added. */
static int table_columns(struct rejects *rj, const char *const *names, size_t n)
{
	free_columns(rj);
	if (!(rj->cols = calloc(n + EXTRA, sizeof *rj->cols)))
		return crm_error_nomem();
	rj->ncols = n + EXTRA;
	rj->cols[n] = (struct crm_column){ "_line", CRM_COL_INT };
	rj->cols[n + 1] = (struct crm_column){ "_field", CRM_COL_TEXT };
	rj->cols[n + 2] = (struct crm_column){ "_error", CRM_COL_TEXT };
	for (size_t i = 0; i < n; i++)
		if (!(rj->cols[i].name = strdup(names[i])))
			return crm_error_nomem();
	return CRM_OK;
}

int rejects_header(struct rejects *rj, const char *const *names, size_t n)
{
	if (rj->w || (rj->f != CRM_FORMAT_CSV && rj->f != CRM_FORMAT_TSV))
		return CRM_OK;
	return table_columns(rj, names, n);
}

static const char *value_of(const struct crm_row *row, const char *name)
{
	for (size_t i = 0; i < row->n; i++)
		if (!strcmp(row->names[i], name))
			return row->values[i];
	return NULL;
}

/* A column of row that the reject file's header lacks, or NULL.  Values
 * past the input's header (a row of too many fields) have no column: the
 * row's line finds them in the input. */
static const char *column_lacking(const struct rejects *rj, const struct crm_row *row)
{
	for (size_t i = 0; i < row->n; i++) {
		size_t j = 0;

		if (!*row->names[i])
			continue;
		while (j + EXTRA < rj->ncols && (!rj->cols[j].name ||
		                                 strcmp(rj->cols[j].name, row->names[i])))
			j++;
		if (j + EXTRA == rj->ncols)
			return row->names[i];
	}
	return NULL;
}

/* CSV and TSV: the header is that of the input the first rejected row
 * came from (a row of too few fields names only those it has), else the
 * row's own names; later rows are written under it by column name.  A row
 * of another input with a column the header lacks would lose its value
 * there: the import stops. */
static int add_table(struct rejects *rj, const struct crm_row *row, const char *const *extra)
{
	/* A cell a spreadsheet would run keeps the apostrophe that stops it
	 * (an input's '=... or '+1 613 ... lost it on the way in); the
	 * import takes it off again. */
	struct crm_out_opts o = { .format = rj->f, .header = true, .delimiter = rj->delimiter,
	                          .bom = rj->bom, .csv_safe = true };
	const char **vals, *lacking;
	int rc;

	if (!rj->w && ((!rj->cols && (rc = table_columns(rj, row->names, row->n))) ||
	               (rj->encoding && (rc = recode_to(rj, rj->encoding))) ||
	               (rc = crm_out_new(&rj->w, rj->fp, &o, rj->cols, rj->ncols))))
		return rc;
	if ((lacking = column_lacking(rj, row)))
		return crm_error_set(CRM_EUSAGE, "--reject: a rejected row has column '%s', which"
		                     " the header it took from the first input's lacks: import"
		                     " inputs of other columns apart", lacking);
	if (!(vals = calloc(rj->ncols, sizeof *vals)))
		return crm_error_nomem();
	for (size_t i = 0; i + EXTRA < rj->ncols; i++)
		vals[i] = rj->cols[i].name ? value_of(row, rj->cols[i].name) : NULL;
	memcpy(vals + rj->ncols - EXTRA, extra, EXTRA * sizeof *vals);
	rc = crm_out_row(rj->w, vals);
	free(vals);
	return rc;
}

/* JSON and JSON Lines: the record's own keys plus the three. */
static int add_json(struct rejects *rj, const struct crm_row *row, long line, const char *field,
                    const char *reason)
{
	json_t *o = json_object();
	char *text;
	int rc = CRM_OK;

	for (size_t i = 0; o && i < row->n; i++)
		json_object_set_new(o, row->names[i], row->values[i] ?
		                    json_stringn(row->values[i], row->lens[i]) : json_null());
	json_object_set_new(o, "_line", json_integer(line));
	json_object_set_new(o, "_field", field ? json_string(field) : json_null());
	json_object_set_new(o, "_error", json_string(reason));
	if (!(text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		rc = crm_error_nomem();
	else if (rj->f == CRM_FORMAT_JSON)
		fprintf(rj->fp, "%s\n%s", rj->n ? "," : "", text);
	else
		fprintf(rj->fp, "%s\n", text);
	free(text);
	json_decref(o);
	return rc;
}

/* YAML: each record is one item of the file's sequence. */
static int add_yaml(struct rejects *rj, const struct crm_row *row, const char *const *extra)
{
	struct crm_out_opts o = { .format = CRM_FORMAT_YAML };
	struct crm_column *cols = calloc(row->n + EXTRA, sizeof *cols);
	const char **vals = calloc(row->n + EXTRA, sizeof *vals);
	crm_out *w = NULL;
	int rc;

	if (!cols || !vals) {
		rc = crm_error_nomem();
		goto out;
	}
	for (size_t i = 0; i < row->n; i++) {
		cols[i].name = row->names[i];
		vals[i] = row->values[i];
	}
	cols[row->n] = (struct crm_column){ "_line", CRM_COL_INT };
	cols[row->n + 1] = (struct crm_column){ "_field", CRM_COL_TEXT };
	cols[row->n + 2] = (struct crm_column){ "_error", CRM_COL_TEXT };
	memcpy(vals + row->n, extra, EXTRA * sizeof *vals);
	if (!(rc = crm_out_new(&w, rj->fp, &o, cols, row->n + EXTRA)) &&
	    !(rc = crm_out_row(w, vals)))
		rc = crm_out_finish(w);
out:
	crm_out_free(w);
	free(cols);
	free(vals);
	return rc;
}

/* Writes a vCard value, escaped (RFC 6350 3.4). */
static void vcf_text(FILE *fp, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\n')
			fputs("\\n", fp);
		else if (*v == '\r')
			continue;
		else {
			if (strchr(",;\\", *v))
				fputc('\\', fp);
			fputc(*v, fp);
		}
	}
}

/* Writes one vCard property, when it has a value. */
static void vcf_prop(FILE *fp, const char *name, const char *v)
{
	if (!v || !*v)
		return;
	fprintf(fp, "%s:", name);
	vcf_text(fp, v);
	fputs("\r\n", fp);
}

static int any_of(const struct crm_row *row, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (value_of(row, names[i]))
			return 1;
	return 0;
}

/* vCard: the card rebuilt from the fields the reader named. */
static int add_vcf(struct rejects *rj, const struct crm_row *row, const char *const *extra)
{
	static const char *const simple[][2] = {
		{ "email", "EMAIL" }, { "phone", "TEL" }, { "company", "ORG" }, { "title", "TITLE" },
		{ "birth_date", "BDAY" }, { "note", "NOTE" }, { "tags", "CATEGORIES" },
	};
	const char *first = value_of(row, "first_name"), *last = value_of(row, "last_name");
	FILE *fp = rj->fp;

	fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", fp);
	fprintf(fp, "FN:%s%s%s\r\n", first ? first : "", first && last ? " " : "", last ? last : "");
	fprintf(fp, "N:%s;%s;;;\r\n", last ? last : "", first ? first : "");
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		vcf_prop(fp, simple[i][1], value_of(row, simple[i][0]));
	/* The card's other addresses and numbers, as the reader names them. */
	for (size_t i = 0; i < row->n; i++) {
		int k;
		char end;

		if (sscanf(row->names[i], "custom.email%d%c", &k, &end) == 1)
			vcf_prop(fp, "EMAIL", row->values[i]);
		else if (sscanf(row->names[i], "custom.phone%d%c", &k, &end) == 1)
			vcf_prop(fp, "TEL", row->values[i]);
	}
	/* A birthday without its year, as the reader keeps it. */
	if (!value_of(row, "birth_date"))
		vcf_prop(fp, "BDAY", value_of(row, "custom.birthday"));
	if (any_of(row, crm_vcf_adr_fields, CRM_VCF_ADR_PARTS)) {
		fputs("ADR:", fp);
		for (size_t i = 0; i < CRM_VCF_ADR_PARTS; i++) {
			if (i)
				fputc(';', fp);
			vcf_text(fp, value_of(row, crm_vcf_adr_fields[i]));
		}
		fputs("\r\n", fp);
	}
	vcf_prop(fp, "X-CRM-LINE", extra[0]);
	vcf_prop(fp, "X-CRM-FIELD", extra[1]);
	vcf_prop(fp, "X-CRM-ERROR", extra[2]);
	fputs("END:VCARD\r\n", fp);
	return CRM_OK;
}

int rejects_add(struct rejects *rj, const struct crm_row *row, const char *field,
                const char *reason)
{
	char line[24];
	const char *extra[EXTRA] = { line, field, reason };
	int rc;

	snprintf(line, sizeof line, "%ld", row->line);
	switch (rj->f) {
	case CRM_FORMAT_CSV:
	case CRM_FORMAT_TSV:
		rc = add_table(rj, row, extra);
		break;
	case CRM_FORMAT_JSON:
	case CRM_FORMAT_JSONL:
		rc = add_json(rj, row, row->line, field, reason);
		break;
	case CRM_FORMAT_YAML:
		rc = add_yaml(rj, row, extra);
		break;
	default:
		rc = add_vcf(rj, row, extra);
		break;
	}
	rj->n++;
	/* A write that failed names the file: the input is named by its line. */
	return rc == CRM_EIO ? crm_error_prefix(rj->path) : rc;
}

int rejects_close(struct rejects *rj)
{
	int rc = CRM_OK;

	if (!rj)
		return CRM_OK;
	if (rj->w && (rc = crm_out_finish(rj->w)) == CRM_EIO)
		rc = crm_error_prefix(rj->path);
	if (rj->f == CRM_FORMAT_JSON)
		fputs(rj->n ? "\n]\n" : "]\n", rj->fp);
	if ((ferror(rj->fp) | fclose(rj->fp)) && !rc)
		rc = crm_error_set(CRM_EIO, "cannot write '%s': %s", rj->path,
		                   strerror(errno ? errno : EIO));
	crm_out_free(rj->w);
	free_columns(rj);
	free(rj->encoding);
	free(rj->path);
	free(rj);
	return rc;
}
