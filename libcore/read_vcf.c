/* read_vcf.c - vCard 2.1, 3.0 and 4.0 (RFC 2426, RFC 6350).
 *
 * Debian has no C library for vCard, and the subset a contact import needs
 * is small: unfold lines, split "GROUP.NAME;PARAMS:VALUE", undo the
 * backslash escapes, and map a dozen properties onto contact fields.  Each
 * card becomes a row named with field names, so the importer needs no
 * vCard knowledge.  Properties with no field (PHOTO, UID, X-...) are left
 * out; a second EMAIL or TEL becomes the custom field email2, phone2 ...
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "mail_impl.h"
#include "reader_impl.h"

struct vcf_state {
	crm_buf line;  /* the current logical (unfolded) line */
	crm_buf value; /* a value with its escapes undone */
	crm_buf fn;    /* FN, used for the names only when N is missing */
	crm_buf qp;    /* a quoted-printable value decoded (vCard 2.1) */
	crm_buf utf8;  /* and converted from its CHARSET */
	int emails, phones;
	bool have_n;
};

/* Reads the next logical line: physical lines starting with a space or a
 * tab continue the one before.  Returns 1, 0 at the end, or a status. */
static int logical_line(struct crm_reader *r, crm_buf *out)
{
	const char *line;
	size_t len;
	int rc;

	crm_buf_clear(out);
	if ((rc = crm_rd_line(r, &line, &len)) <= 0)
		return rc;
	do {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (crm_buf_put(out, line, len))
			return crm_error_nomem();
		if (r->pos == r->len && !crm_rd_fill(r, &rc) && rc)
			return rc;
		if (r->pos == r->len || (r->buf[r->pos] != ' ' && r->buf[r->pos] != '\t'))
			return 1;
		if ((rc = crm_rd_line(r, &line, &len)) <= 0)
			return rc < 0 ? rc : 1;
		line++, len--; /* the folding white space is not part of the value */
	} while (1);
}

/* Undoes \n \, \; \\ in s[0..len) into b. */
static int unescape(crm_buf *b, const char *s, size_t len)
{
	crm_buf_clear(b);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (c == 'n' || c == 'N')
				c = '\n';
		}
		if (crm_buf_putc(b, c))
			return crm_error_nomem();
	}
	return CRM_OK;
}

/* Stores in *out component i of a structured value (';'-separated, escapes
 * honoured) and its length in *len. */
static void component(const char *v, size_t vlen, int i, const char **out, size_t *len)
{
	const char *p = v, *end = v + vlen;

	for (; i > 0 && p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == ';')
			i--;
	}
	*out = p;
	while (p < end && *p != ';')
		p += (*p == '\\' && p + 1 < end) ? 2 : 1;
	*len = (size_t)(p > end ? end - *out : p - *out);
}

/* Adds field name with the unescaped text of raw[0..len). */
static int add(struct crm_reader *r, const char *name, const char *raw, size_t len)
{
	struct vcf_state *st = r->state;
	int rc;

	if (!len)
		return CRM_OK;
	if ((rc = unescape(&st->value, raw, len)))
		return rc;
	return crm_rd_row_add(r, name, strlen(name), crm_buf_str(&st->value), st->value.len);
}

/* Adds components of a structured value as the fields named. */
static int add_parts(struct crm_reader *r, const char *v, size_t len,
                     const char *const *names, int n)
{
	const char *p;
	size_t plen;
	int rc = CRM_OK;

	for (int i = 0; i < n && !rc; i++) {
		if (!names[i])
			continue;
		component(v, len, i, &p, &plen);
		rc = add(r, names[i], p, plen);
	}
	return rc;
}

/* A repeated EMAIL or TEL: the first is the field, the others custom. */
static int add_repeated(struct crm_reader *r, const char *field, int *count,
                        const char *v, size_t len)
{
	char name[48];

	if (++*count == 1)
		return add(r, field, v, len);
	snprintf(name, sizeof name, "custom.%s%d", field, *count);
	return add(r, name, v, len);
}

/* Where in the parameters params[0..plen) one starting with want ends
 * ("CHARSET=" of "CHARSET=ISO-8859-1"), or NULL when none does. */
static const char *param_after(const char *params, size_t plen, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = params; p + n <= params + plen; p++)
		if ((p == params || p[-1] == ';') && !strncasecmp(p, want, n))
			return p + n;
	return NULL;
}

/* Whether the parameters hold one starting with want
 * ("ENCODING=QUOTED-PRINTABLE", or 2.1's bare "QUOTED-PRINTABLE"). */
static bool has_param(const char *params, size_t plen, const char *want)
{
	return param_after(params, plen, want) != NULL;
}

/* Whether a property's parameters say its value is quoted-printable. */
static bool quoted_printable_p(const char *params, size_t plen)
{
	return has_param(params, plen, "ENCODING=QUOTED-PRINTABLE") ||
	       has_param(params, plen, "QUOTED-PRINTABLE");
}

/* BDAY as 19850412 or 1985-04-12 becomes a date; other forms pass as
 * written for validation to judge.  A birthday without its year (the
 * standard --05-20, or Apple's year 1604, which its X-APPLE-OMIT-YEAR
 * names and which no card's person was born in, so it is read the same
 * without the parameter) has no date to be: it is kept as the custom
 * field birthday, --MM-DD. */
static int add_bday(struct crm_reader *r, const char *params, size_t plen, const char *v,
                    size_t len)
{
	char d[11];
	int dashed = len >= 10 && v[4] == '-';

	if ((has_param(params, plen, "X-APPLE-OMIT-YEAR") || !strncmp(v, "1604", 4)) &&
	    (dashed || (len >= 8 && strspn(v, "0123456789") >= 8))) {
		snprintf(d, sizeof d, "--%.2s-%.2s", v + 4 + dashed, v + 6 + 2 * dashed);
		return add(r, "custom.birthday", d, 7);
	}
	if (len >= 6 && v[0] == '-' && v[1] == '-') {
		const char *md = v + 2 + (v[2] == '-');
		if (strspn(md, "0123456789") == 4 || (md[2] == '-' && strspn(md + 3, "0123456789") >= 2)) {
			snprintf(d, sizeof d, "--%.2s-%.2s", md, md + (md[2] == '-' ? 3 : 2));
			return add(r, "custom.birthday", d, 7);
		}
	}

	if (len >= 8 && strspn(v, "0123456789") >= 8 && (len == 8 || v[8] == 'T')) {
		snprintf(d, sizeof d, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
		return add(r, "birth_date", d, 10);
	}
	return add(r, "birth_date", v, len > 10 && v[10] == 'T' ? 10 : len);
}

/* Splits FN (unescaped) into first and last name as a column of full
 * names is split (crm_name_split: "Smith, John", "Dr. Jane Smith",
 * "Maria da Silva"), when the card has no N to say which is which. */
static int add_fn(struct crm_reader *r, const char *v, size_t len)
{
	char *full = strndup(v, len), *first = NULL, *last = NULL;
	int rc;

	if (!full)
		return crm_error_nomem();
	rc = crm_name_split(full, &first, &last);
	free(full);
	if (!rc && *first)
		rc = crm_rd_row_add(r, "first_name", strlen("first_name"), first, strlen(first));
	if (!rc && *last)
		rc = crm_rd_row_add(r, "last_name", strlen("last_name"), last, strlen(last));
	free(first);
	free(last);
	return rc;
}

/* A TEL as a URI (tel:+1-418-656-9254;ext=102) is its number, the
 * extension written the way numbers are typed. */
static int add_tel(struct crm_reader *r, const char *v, size_t len)
{
	struct vcf_state *st = r->state;
	crm_buf b = CRM_BUF_INIT;
	const char *ext;
	int rc;

	if (len < 4 || strncasecmp(v, "tel:", 4))
		return add_repeated(r, "phone", &st->phones, v, len);
	v += 4, len -= 4;
	ext = memchr(v, ';', len);
	if (crm_buf_put(&b, v, ext ? (size_t)(ext - v) : len))
		return crm_error_nomem();
	if (ext && (size_t)(v + len - ext) > 5 && !strncasecmp(ext, ";ext=", 5) &&
	    crm_buf_printf(&b, " ext. %.*s", (int)(v + len - ext - 5), ext + 5))
		rc = crm_error_nomem();
	else
		rc = add_repeated(r, "phone", &st->phones, b.ptr, b.len);
	crm_buf_free(&b);
	return rc;
}

const char *const crm_vcf_adr_fields[CRM_VCF_ADR_PARTS] = {
	"custom.po_box", "custom.address_extended", "street", "city", "region", "postal_code",
	"country"
};

static int property(struct crm_reader *r, const char *name, const char *params,
                    size_t nparams, const char *v, size_t len)
{
	static const char *const n_parts[] = { "last_name", "first_name" };
	struct vcf_state *st = r->state;
	const char *p;
	size_t plen;

	if (!strcasecmp(name, "N")) {
		/* Apple writes N:;;;; for a card named by FN alone. */
		for (int i = 0; i < 2 && !st->have_n; i++) {
			component(v, len, i, &p, &plen);
			st->have_n = plen > 0;
		}
		return add_parts(r, v, len, n_parts, 2);
	}
	if (!strcasecmp(name, "FN"))
		return unescape(&st->fn, v, len);
	if (!strcasecmp(name, "EMAIL"))
		return add_repeated(r, "email", &st->emails, v, len);
	if (!strcasecmp(name, "TEL"))
		return add_tel(r, v, len);
	if (!strcasecmp(name, "ORG")) {
		component(v, len, 0, &p, &plen);
		return add(r, "company", p, plen);
	}
	if (!strcasecmp(name, "TITLE"))
		return add(r, "title", v, len);
	if (!strcasecmp(name, "ADR"))
		return add_parts(r, v, len, crm_vcf_adr_fields, CRM_VCF_ADR_PARTS);
	if (!strcasecmp(name, "BDAY"))
		return add_bday(r, params, nparams, v, len);
	if (!strcasecmp(name, "NOTE"))
		return add(r, "note", v, len);
	if (!strcasecmp(name, "CATEGORIES"))
		return add(r, "tags", v, len);
	return CRM_OK;
}

/* Decodes the quoted-printable v[0..len) (=C3=BC) into b. */
static int unquote_printable(crm_buf *b, const char *v, size_t len)
{
	crm_buf_clear(b);
	for (size_t i = 0; i < len; i++) {
		unsigned hi, lo;
		char c = v[i];

		if (c == '=' && i + 2 < len && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			hi = (unsigned)(isdigit((unsigned char)v[i + 1]) ? v[i + 1] - '0'
			                                                  : (tolower(v[i + 1]) - 'a' + 10));
			lo = (unsigned)(isdigit((unsigned char)v[i + 2]) ? v[i + 2] - '0'
			                                                  : (tolower(v[i + 2]) - 'a' + 10));
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (crm_buf_putc(b, c))
			return crm_error_nomem();
	}
	return CRM_OK;
}

/* The value of a property whose CHARSET nothing here reads, for the card
 * it rejects, so that the fixed card still has it: its bytes into
 * st->utf8, each that is not UTF-8 as U+FFFD (crm_mail_utf8: the person
 * sees where letters were lost). */
static int unknown_charset(struct vcf_state *st)
{
	char *text = crm_mail_utf8(st->qp.ptr, st->qp.len);
	int rc;

	crm_buf_clear(&st->utf8);
	rc = !text || crm_buf_puts(&st->utf8, text);
	free(text);
	return rc ? crm_error_nomem() : 2;
}

/* Converts the decoded quoted-printable value in st->qp from the
 * character set its CHARSET parameter names (2.1 phones wrote
 * CHARSET=ISO-8859-1 or windows-1252) into st->utf8.  Bytes that are not
 * of that set stay as they are, for the row's UTF-8 check to refuse;
 * a set iconv does not know rejects the card. */
static int from_charset(struct crm_reader *r, const char *key, const char *params, size_t plen)
{
	struct vcf_state *st = r->state;
	const char *p = param_after(params, plen, "CHARSET=");
	char name[40], *in, *out;
	size_t n, inleft, outleft;
	iconv_t cd;

	n = p ? strcspn(p, ";:") : 0;
	if (!p || n >= sizeof name || (n == 5 && !strncasecmp(p, "UTF-8", 5)) || !st->qp.len)
		return 1;
	memcpy(name, p, n);
	name[n] = '\0';
	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1) {
		crm_rd_row_error(r, "%s: unknown CHARSET '%s' (line %ld)", key, name, r->line);
		return unknown_charset(st);
	}
	crm_buf_clear(&st->utf8);
	if (crm_buf_grow(&st->utf8, st->qp.len * 4 + 1)) {
		iconv_close(cd);
		return crm_error_nomem();
	}
	in = st->qp.ptr, inleft = st->qp.len;
	out = st->utf8.ptr, outleft = st->qp.len * 4;
	n = iconv(cd, &in, &inleft, &out, &outleft);
	iconv_close(cd);
	if (n == (size_t)-1)
		return 1; /* left as it was */
	st->utf8.len = (size_t)(out - st->utf8.ptr);
	st->utf8.ptr[st->utf8.len] = '\0';
	return 2;
}

/* Splits "group.NAME;params:value" and handles the property. */
static int content_line(struct crm_reader *r, const char *s, size_t len)
{
	struct vcf_state *st = r->state;
	const char *colon = memchr(s, ':', len), *name = s, *end, *dot, *v;
	size_t vlen, plen;
	char key[32];
	int rc;

	if (!colon) {
		crm_rd_row_error(r, "line %ld is not NAME:VALUE", r->line);
		return CRM_OK;
	}
	for (end = s; end < colon && *end != ';'; end++)
		;
	if ((dot = memchr(s, '.', (size_t)(end - s))))
		name = dot + 1;
	if ((size_t)(end - name) >= sizeof key)
		return CRM_OK; /* no property we know has so long a name */
	memcpy(key, name, (size_t)(end - name));
	key[end - name] = '\0';
	v = colon + 1;
	vlen = len - (size_t)(colon + 1 - s);
	plen = end < colon ? (size_t)(colon - end - 1) : 0;
	if (quoted_printable_p(end + 1, plen)) {
		if ((rc = unquote_printable(&st->qp, v, vlen)))
			return rc;
		if ((rc = from_charset(r, key, end + 1, plen)) <= 0)
			return rc;
		v = rc == 2 ? st->utf8.ptr : st->qp.ptr ? st->qp.ptr : "";
		vlen = rc == 2 ? st->utf8.len : st->qp.len;
	}
	return property(r, key, end + 1, plen, v, vlen);
}

/* A quoted-printable value (vCard 2.1) continues on the next line when
 * its line ends in '=' (a soft line break): joins them into line. */
static int qp_join(struct crm_reader *r, crm_buf *line)
{
	const char *colon = line->len ? memchr(line->ptr, ':', line->len) : NULL;
	crm_buf next = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (!colon || !quoted_printable_p(line->ptr, (size_t)(colon - line->ptr)))
		return CRM_OK;
	while (line->len && line->ptr[line->len - 1] == '=' && (rc = logical_line(r, &next)) > 0) {
		line->len--;
		if (crm_buf_put(line, next.ptr ? next.ptr : "", next.len)) {
			rc = crm_error_nomem();
			break;
		}
	}
	crm_buf_free(&next);
	return rc < 0 ? rc : CRM_OK;
}

/* True when the logical line is want, case-insensitively, blanks after it
 * aside ("BEGIN:VCARD " as some exporters write it). */
static bool is_line(const crm_buf *b, const char *want)
{
	size_t n = strlen(want);

	if (b->len < n || strncasecmp(b->ptr, want, n))
		return false;
	while (n < b->len && (b->ptr[n] == ' ' || b->ptr[n] == '\t'))
		n++;
	return n == b->len;
}

/* Reads the lines of a card up to END:VCARD.  FN is split into names only
 * at the end, when the card turned out to have no N. */
static int vcf_card(struct crm_reader *r, struct crm_row *row)
{
	struct vcf_state *st = r->state;
	int rc;

	st->emails = st->phones = 0;
	st->have_n = false;
	crm_buf_clear(&st->fn);
	for (;;) {
		if ((rc = logical_line(r, &st->line)) < 0)
			return rc;
		if (rc == 0)
			return crm_rd_fail(r, r->row_line, "vCard never ends (no END:VCARD)");
		if (is_line(&st->line, "END:VCARD")) {
			if (!st->have_n && st->fn.len && (rc = add_fn(r, st->fn.ptr, st->fn.len)))
				return rc;
			return crm_rd_row_done(r, row);
		}
		/* Read on, the next card's lines would be this one's. */
		if (is_line(&st->line, "BEGIN:VCARD"))
			return crm_rd_fail(r, r->line, "BEGIN:VCARD inside the card begun at line %ld"
			                   " (no END:VCARD before it)", r->row_line);
		if ((rc = qp_join(r, &st->line)))
			return rc;
		if (st->line.len && (rc = content_line(r, st->line.ptr, st->line.len)))
			return rc;
	}
}

static int vcf_next(struct crm_reader *r, struct crm_row *row)
{
	struct vcf_state *st = r->state;
	int rc;

	for (;;) {
		if ((rc = logical_line(r, &st->line)) <= 0)
			return rc;
		if (is_line(&st->line, "BEGIN:VCARD"))
			break;
		if (st->line.len)
			return crm_rd_fail(r, r->line, "BEGIN:VCARD expected");
	}
	crm_rd_row_start(r, r->line);
	return vcf_card(r, row);
}

static void vcf_state_free(struct crm_reader *r)
{
	struct vcf_state *st = r->state;

	crm_buf_free(&st->line);
	crm_buf_free(&st->value);
	crm_buf_free(&st->fn);
	crm_buf_free(&st->qp);
	crm_buf_free(&st->utf8);
	free(st);
}

int crm_rd_vcf_open(struct crm_reader *r)
{
	if (!(r->state = calloc(1, sizeof(struct vcf_state))))
		return crm_error_nomem();
	r->free = vcf_state_free;
	r->next = vcf_next;
	return CRM_OK;
}
