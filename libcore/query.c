/* query.c - filtered, sorted selections of records for list and show.
 *
 * A query is assembled from parts (columns, full-text match, conditions,
 * order), each SQL text with its own bound parameters; no user text ever
 * enters the SQL.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/entity.h"
#include "crm/loyalty.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "crm/rates.h"
#include "internal.h"

struct param {
	int is_int;
	int64_t i;
	char *s;
};

struct part {
	crm_buf sql;
	struct param *p;
	size_t n;
};

struct crm_query {
	crm_db *db;
	const struct crm_entity *e;
	struct part cols, match, where, order; /* match: --search, ahead of where */
	struct crm_column *columns;
	char **names; /* column names owned by the query */
	size_t ncols;
	long limit;
	int archived;
	int converts; /* a filter converts amounts, which fails on a row without a rate */
};

static int part_param(struct part *pt, const char *s, int is_int, int64_t i)
{
	struct param *np = realloc(pt->p, (pt->n + 1) * sizeof *np);

	if (!np)
		return crm_error_nomem();
	pt->p = np;
	np[pt->n].is_int = is_int;
	np[pt->n].i = i;
	np[pt->n].s = s ? strdup(s) : NULL;
	if (s && !np[pt->n].s)
		return crm_error_nomem();
	pt->n++;
	return CRM_OK;
}

static void part_free(struct part *pt)
{
	for (size_t i = 0; i < pt->n; i++)
		free(pt->p[i].s);
	free(pt->p);
	crm_buf_free(&pt->sql);
}

static void part_bind(const struct part *pt, crm_stmt *st, int *next)
{
	for (size_t i = 0; i < pt->n; i++) {
		if (pt->p[i].is_int)
			crm_stmt_bind_int(st, (*next)++, pt->p[i].i);
		else
			crm_stmt_bind_text(st, (*next)++, pt->p[i].s);
	}
}

int crm_query_new(crm_query **out, crm_db *db, const struct crm_entity *e)
{
	crm_query *q = calloc(1, sizeof *q);

	*out = q;
	if (!q)
		return crm_error_nomem();
	q->db = db;
	q->e = e;
	return CRM_OK;
}

void crm_query_free(crm_query *q)
{
	if (!q)
		return;
	part_free(&q->cols);
	part_free(&q->where);
	part_free(&q->match);
	part_free(&q->order);
	for (size_t i = 0; i < q->ncols; i++)
		free(q->names[i]);
	free(q->names);
	free(q->columns);
	free(q);
}

/* Appends to pt the SQL reading field name (custom.KEY allowed) and its
 * parameter; *def receives the field definition or NULL for a custom one. */
static int field_sql(crm_query *q, struct part *pt, const char *name,
                     const struct crm_fielddef **def)
{
	const struct crm_field *f = crm_entity_field_find(q->e, name);

	*def = f ? crm_fielddef_of(f) : NULL;
	if (f)
		return crm_field_sql(&pt->sql, *def);
	if (strncmp(name, "custom.", 7) || !name[7])
		return crm_error_set(CRM_EUSAGE, "unknown %s field '%s'", q->e->name, name);
	crm_buf_printf(&pt->sql, "(SELECT value FROM %s WHERE %s = t.id AND key = ?)",
	               q->e->custom_table, q->e->custom_fk);
	return part_param(pt, name + 7, 0, 0);
}

/* Normalises a filter value the way the field stores it, so that
 * --where email=ADA@EXAMPLE.ORG finds ada@example.org. */
static int filter_value(crm_query *q, const struct crm_fielddef *d, const char *v, char **out)
{
	if (!d)
		return crm_text_nfc(out, v);
	return crm_field_value(q->db, d, v, NULL, out);
}

/* FIELD = REF and FIELD != REF on a reference compare the record it names,
 * given as any reference takes it (an id, a name, an email ...). */
static int filter_ref(crm_query *q, const struct crm_fielddef *d, const char *op, const char *v)
{
	int64_t id;
	int rc;

	/* Unknown: nothing to list (exit 1); ambiguous: ask for the id. */
	if ((rc = crm_entity_resolve(q->db, crm_entity_find(d->f.ref), v, &id)))
		return rc == CRM_EDATA ? crm_error_recode(CRM_EUSAGE) : rc;
	crm_buf_puts(&q->where.sql, " AND ");
	crm_field_compare_sql(&q->where.sql, d);
	crm_buf_printf(&q->where.sql, " %s ?", !strcmp(op, "!=") ? "IS NOT" : "=");
	return part_param(&q->where, NULL, 1, id);
}

static int filter_int(crm_query *q, const char *field, const char *op, const char *v)
{
	long long n;

	if (!crm_int_parse(v, LLONG_MIN, LLONG_MAX, &n))
		return crm_error_set(CRM_EUSAGE, "invalid number '%s' for %s", v, field);
	crm_buf_printf(&q->where.sql, " %s ?", op);
	return part_param(&q->where, NULL, 1, n);
}

/* A decimal figure compares as a number: as text, 10.0 would sort before 5. */
static int filter_number(crm_query *q, const char *field, const char *op, const char *v)
{
	char *end;

	errno = 0;
	(void)strtod(v, &end);
	if (!*v || *end || errno || strchr(v, 'x') || strchr(v, 'X') || strpbrk(v, "nN"))
		return crm_error_set(CRM_EUSAGE, "invalid number '%s' for %s", v, field);
	crm_buf_printf(&q->where.sql, " %s CAST(? AS REAL)", op);
	return part_param(&q->where, v, 0, 0);
}

/* FIELD~TEXT: the field's match key holds the text's; names are compared
 * in their cross-script fold, so name~karimova finds Каримова. */
static int filter_contains(crm_query *q, const char *field, const char *v)
{
	const struct crm_field *f = crm_entity_field_find(q->e, field);
	int fold = f && f->type == CRM_FT_NAME;
	const struct crm_fielddef *d;
	char *key = NULL;
	int rc;

	crm_buf_puts(&q->where.sql, fold ? " AND instr(crm_fold(" : " AND instr(crm_key(");
	if ((rc = field_sql(q, &q->where, field, &d)) ||
	    (rc = fold ? crm_text_fold(&key, v) : crm_text_key(&key, v)))
		return rc;
	crm_buf_puts(&q->where.sql, "), ?) > 0");
	rc = part_param(&q->where, key, 0, 0);
	free(key);
	return rc;
}

/* An amount compares with amounts of its own currency ("amount>1000 USD";
 * no code: the base currency), exactly, in minor units. */
static int filter_money(crm_query *q, const struct crm_fielddef *d, const char *op,
                        const char *v)
{
	struct crm_money m;
	int ne = !strcmp(op, "!=");

	if (crm_money_parse(&m, v, crm_config_currency(q->db->cfg)))
		return crm_error_prefix(d->f.name), crm_error_recode(CRM_EUSAGE);
	/* != keeps the records with no amount, as it keeps empty fields. */
	crm_buf_printf(&q->where.sql, " AND %s(t.%s_currency %s ? AND t.%s %s ?)", ne ? "NOT " : "",
	               d->column, ne ? "IS" : "=", d->column, ne ? "IS" : op);
	if (part_param(&q->where, m.cur, 0, 0))
		return crm_error_nomem();
	return part_param(&q->where, NULL, 1, m.minor);
}

static const char *const ops[] = { "<=", ">=", "!=", "=", "<", ">", "~", NULL };

int crm_query_filter(crm_query *q, const char *field, const char *op, const char *value)
{
	const struct crm_fielddef *d;
	char *v = NULL;
	int rc, i, equal;

	for (i = 0; ops[i] && strcmp(ops[i], op); i++)
		;
	if (!ops[i])
		return crm_error_set(CRM_EUSAGE, "unknown operator '%s'", op);
	if (!strcmp(op, "~"))
		return filter_contains(q, field, value);
	d = (const struct crm_fielddef *)crm_entity_field_find(q->e, field);
	equal = !strcmp(op, "=") || !strcmp(op, "!=");
	if (*value && equal && q->e->filter_check && (rc = q->e->filter_check(q->db, field, value)))
		return rc;
	if (*value && equal && d && d->f.type == CRM_FT_REF)
		return filter_ref(q, d, op, value);
	if (*value && d && d->f.type == CRM_FT_MONEY && d->column)
		return filter_money(q, d, op, value);
	crm_buf_puts(&q->where.sql, " AND ");
	if (!*value && equal) {
		/* "field=" asks for records where the field is empty. */
		if ((rc = field_sql(q, &q->where, field, &d)))
			return rc;
		return crm_buf_printf(&q->where.sql, " IS %sNULL", *op == '=' ? "" : "NOT ");
	}
	if (d && d->f.type != CRM_FT_REF)
		rc = crm_field_compare_sql(&q->where.sql, d);
	else
		rc = field_sql(q, &q->where, field, &d);
	if (rc)
		return rc;
	if (d && d->f.type == CRM_FT_ID)
		return filter_int(q, field, !strcmp(op, "!=") ? "IS NOT" : op, value);
	if (d && d->f.type == CRM_FT_NUMBER)
		return filter_number(q, field, !strcmp(op, "!=") ? "IS NOT" : op, value);
	if (d && d->f.type == CRM_FT_REF)
		rc = crm_text_nfc(&v, value); /* < and > compare what the field prints */
	else
		rc = filter_value(q, d, value, &v);
	if (rc)
		/* A value no record could hold is a command-line mistake. */
		return rc == CRM_EDATA ? (crm_error_prefix(field), crm_error_recode(CRM_EUSAGE)) : rc;
	crm_buf_printf(&q->where.sql, " %s ?", !strcmp(op, "!=") ? "IS NOT" : op);
	rc = part_param(&q->where, v, 0, 0);
	free(v);
	return rc;
}

int crm_query_where(crm_query *q, const char *text)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_.-"
	                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = 0;
	const char *p;

	/* A custom key may be in any script: its bytes past ASCII count too. */
	while (text[n] && (((unsigned char)text[n] & 0x80) || strchr(name_chars, text[n])))
		n++;
	p = text + n;
	char *field, op[3] = "";
	int rc, i;

	while (*p == ' ')
		p++;
	for (i = 0; ops[i]; i++)
		if (!strncmp(p, ops[i], strlen(ops[i])))
			break;
	if (!n || !ops[i])
		return crm_error_set(CRM_EUSAGE, "invalid filter '%s' (expected FIELD OP VALUE)", text);
	memcpy(op, ops[i], strlen(ops[i]));
	p += strlen(ops[i]);
	while (*p == ' ')
		p++;
	if (!(field = strndup(text, n)))
		return crm_error_nomem();
	rc = crm_query_filter(q, field, op, p);
	free(field);
	return rc;
}

/* Whether value is one of the words of choices ("a|b|c"). */
static int choice_of(const char *choices, const char *value)
{
	size_t n = value ? strlen(value) : 0;

	for (const char *p = choices; n && *p; p += strcspn(p, "|"), p += *p == '|')
		if (strcspn(p, "|") == n && !strncmp(p, value, n))
			return 1;
	return 0;
}

int crm_query_sql(crm_query *q, const char *sql)
{
	return crm_buf_printf(&q->where.sql, " AND (%s)", sql);
}

int crm_query_option(crm_query *q, const char *name, const char *value)
{
	const struct crm_option *o = q->e->options;
	char date[CRM_DATE_LEN];

	while (o && o->name && strcmp(o->name, name))
		o++;
	if (!o || !o->name)
		return crm_error_set(CRM_EUSAGE, "a %s has no option '%s'", q->e->name, name);
	if (o->arg && strchr(o->arg, '|') && !choice_of(o->arg, value))
		return crm_error_set(CRM_EUSAGE, "--%s: expected %s, not '%s'", name, o->arg,
		                     value ? value : "");
	crm_buf_printf(&q->where.sql, " AND (%s)", o->sql);
	if (!o->arg)
		return CRM_OK;
	if (!strcmp(o->arg, "DATE")) {
		if (!value || crm_date_parse(date, value, q->db->now))
			return crm_error_set(CRM_EUSAGE, "--%s: invalid date '%s'", name,
			                     value ? value : "");
		value = date;
	} else if (!strcmp(o->arg, "AMOUNT")) {
		/* An amount in the base currency (or converted to it at today's
		 * rate), compared as minor units. */
		struct crm_money m, b;
		char now[CRM_TIME_LEN];

		if (!value || crm_money_parse(&m, value, crm_config_currency(q->db->cfg)))
			return crm_error_set(CRM_EUSAGE, "--%s: invalid amount '%s'", name,
			                     value ? value : "");
		crm_db_now(q->db, now);
		if (crm_money_base(q->db, &m, now, &b))
			return crm_error_code();
		q->converts = 1;
		return part_param(&q->where, NULL, 1, b.minor);
	} else if (!strcmp(o->arg, "TIER")) {
		int rc = crm_loyalty_tier_check(q->db, value ? value : "");

		/* '' is no tier: the person's latest tier is none. */
		return rc ? rc : part_param(&q->where, value && *value ? value : NULL, 0, 0);
	} else if (!strcmp(o->arg, "SPAN")) {
		char stamp[CRM_TIME_LEN];
		int64_t secs;

		if (!value || crm_span_parse(value, &secs))
			return crm_error_set(CRM_EUSAGE, "--%s: invalid span '%s' (e.g. 30m, 2h, 1d)",
			                     name, value ? value : "");
		crm_time_format(stamp, q->db->now + secs);
		return part_param(&q->where, stamp, 0, 0);
	}
	return part_param(&q->where, value, 0, 0);
}

int crm_query_tag(crm_query *q, const char *tag)
{
	char *t = NULL;
	int rc;

	if (!q->e->tag_table)
		return crm_error_set(CRM_EUSAGE, "a %s has no tags", q->e->name);
	if ((rc = crm_text_nfc(&t, tag)))
		return rc;
	crm_buf_printf(&q->where.sql, " AND EXISTS (SELECT 1 FROM %s WHERE %s = t.id AND tag = ?)",
	               q->e->tag_table, q->e->custom_fk);
	rc = part_param(&q->where, t, 0, 0);
	free(t);
	return rc;
}

/* Appends the n bytes of word w to b as an FTS5 string, a prefix unless
 * whole. */
static void fts_string(crm_buf *b, const char *w, size_t n, int whole)
{
	crm_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '"')
			crm_buf_putc(b, '"');
		crm_buf_putc(b, w[i]);
	}
	crm_buf_puts(b, whole ? "\"" : "\"*");
}

/* Appends word w (n bytes) as an FTS5 term: the word, or its cross-script
 * fold, which the search entries hold beside a person's names. */
static int fts_word(crm_buf *b, const char *w, size_t n, int whole)
{
	char *word = strndup(w, n), *fold = NULL;
	int rc = word ? crm_text_fold(&fold, word) : crm_error_nomem();

	if (rc == CRM_EDATA)
		rc = crm_error_set(CRM_EUSAGE, "search text is not valid UTF-8");
	if (!rc && *fold && !whole && strcmp(fold, word)) {
		crm_buf_putc(b, '(');
		fts_string(b, w, n, whole);
		crm_buf_puts(b, " OR ");
		fts_string(b, fold, strlen(fold), whole);
		crm_buf_putc(b, ')');
	} else if (!rc) {
		fts_string(b, w, n, whole);
	}
	free(word);
	free(fold);
	return rc;
}

/* Turns free text into an FTS5 query in which every word must match, as
 * quoted strings so that no user text acts as an operator.  A word is a
 * prefix ("gra" finds Grace), except one with '@', '.', '/' or ':' in it:
 * an address, domain or URL matches whole tokens, because a prefix on its
 * last token ("org", "com") would gather half the database first. */
static int fts_query(crm_buf *b, const char *text)
{
	const char *p = text;
	size_t start = b->len;
	int rc = CRM_OK;

	while (*p && !rc) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (!n)
			break;
		if (b->len)
			crm_buf_puts(b, " AND ");
		rc = fts_word(b, p, n, memchr(p, '@', n) || memchr(p, '.', n) || memchr(p, '/', n) ||
		                           memchr(p, ':', n));
		p += n;
	}
	if (rc)
		return rc;
	return b->len > start ? CRM_OK : crm_error_set(CRM_EUSAGE, "empty search text");
}

/* The digits of the E.164 form of text when all of it reads as one
 * phone number in the configured region (six digits or more, with
 * nothing but spaces and + - ( ) . among them), else NULL.  The search
 * entries hold a number's E.164 form beside it as typed, so +81 3 1234
 * 5678 finds the 03-1234-5678 of a person in Japan. */
static char *phone_digits(crm_db *db, const char *text)
{
	size_t digits = 0;
	char *e164 = NULL;

	for (const char *p = text; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" \t+-().", *p))
			return NULL;
	}
	if (digits < 6)
		return NULL;
	if (crm_phone_e164(&e164, text, crm_config_region(db->cfg))) {
		crm_error_clear();
		return NULL;
	}
	memmove(e164, e164 + 1, strlen(e164)); /* without its '+', as it is a token */
	return e164;
}

int crm_query_search(crm_query *q, const char *text)
{
	crm_buf m = CRM_BUF_INIT, w = CRM_BUF_INIT;
	char *digits;
	int rc;

	if (!crm_utf8_valid_p(text, strlen(text)))
		return crm_error_set(CRM_EUSAGE, "search text is not valid UTF-8");
	if ((rc = fts_query(&w, text))) {
		crm_buf_free(&w);
		return rc;
	}
	/* FTS5 serves one MATCH per scan: several searches become one
	 * expression, whose words are ANDed. */
	if (q->match.n)
		crm_buf_printf(&m, "%s AND ", q->match.p[0].s);
	if ((digits = phone_digits(q->db, text)))
		crm_buf_printf(&m, "((%s) OR \"%s\")", crm_buf_str(&w), digits);
	else
		crm_buf_puts(&m, crm_buf_str(&w));
	free(digits);
	crm_buf_free(&w);
	if (q->match.n) {
		free(q->match.p[0].s);
		q->match.p[0].s = crm_buf_detach(&m);
		return q->match.p[0].s ? CRM_OK : crm_error_nomem();
	}
	crm_buf_printf(&q->match.sql, "%s MATCH ?", q->e->fts);
	rc = part_param(&q->match, crm_buf_str(&m), 0, 0);
	crm_buf_free(&m);
	return rc;
}

int crm_query_id(crm_query *q, int64_t id)
{
	crm_buf_puts(&q->where.sql, " AND t.id = ?");
	return part_param(&q->where, NULL, 1, id);
}

void crm_query_archived(crm_query *q, int which)
{
	q->archived = which;
}

void crm_query_limit(crm_query *q, long n)
{
	q->limit = n;
}

/* Appends the ORDER BY terms of field name.  Amounts sort by what they
 * are worth in the base currency today.  Text sorts as people read a
 * list, by its match key (case and accents aside: Émile beside emile,
 * not after Zeta), then as stored, so that equal keys keep one order;
 * a text field computed as a number (a task's urgency) as a number. */
static int sort_sql(crm_query *q, const char *name, int desc)
{
	const struct crm_field *f = crm_entity_field_find(q->e, name);
	const struct crm_fielddef *d;
	int rc = CRM_OK;

	if (f && f->type == CRM_FT_MONEY && (d = crm_fielddef_of(f))->column)
		rc = crm_buf_printf(&q->order.sql, "crm_base_or_null(t.%s, t.%s_currency, NULL)",
		                    d->column, d->column);
	else if (!f || f->type == CRM_FT_TEXT || f->type == CRM_FT_NAME) {
		crm_buf_puts(&q->order.sql, "crm_sort_key(");
		if (!(rc = field_sql(q, &q->order, name, &d))) {
			crm_buf_puts(&q->order.sql, desc ? ") DESC, " : "), ");
			rc = field_sql(q, &q->order, name, &d);
		}
	} else
		rc = field_sql(q, &q->order, name, &d);
	if (!rc && desc)
		crm_buf_puts(&q->order.sql, " DESC");
	return rc;
}

int crm_query_sort(crm_query *q, const char *spec)
{
	char *copy = strdup(spec), *tok, *save = NULL;
	int rc = copy ? CRM_OK : crm_error_nomem();

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		crm_buf_puts(&q->order.sql, q->order.sql.len ? ", " : " ORDER BY ");
		rc = sort_sql(q, tok + (*tok == '-'), *tok == '-');
	}
	free(copy);
	return rc;
}

/* Whether reference d prints the id it holds (a response's ticket, a
 * refund's purchase), which is then a number, as ids are. */
static int ref_by_id_p(const struct crm_fielddef *d)
{
	return d->f.type == CRM_FT_REF && d->expr && d->column && !strncmp(d->expr, "t.", 2) &&
	       !strcmp(d->expr + 2, d->column);
}

static int add_column(crm_query *q, const char *name)
{
	const struct crm_fielddef *d;
	struct crm_column *nc;
	char **nn;
	int rc;

	nc = realloc(q->columns, (q->ncols + 1) * sizeof *nc);
	if (nc)
		q->columns = nc;
	nn = nc ? realloc(q->names, (q->ncols + 1) * sizeof *nn) : NULL;
	if (!nn)
		return crm_error_nomem();
	q->names = nn;
	crm_buf_puts(&q->cols.sql, q->ncols ? ", " : "");
	if ((rc = field_sql(q, &q->cols, name, &d)))
		return rc;
	if (!(nn[q->ncols] = strdup(name)))
		return crm_error_nomem();
	nc[q->ncols].name = nn[q->ncols];
	nc[q->ncols].type = d && (d->f.type == CRM_FT_ID || d->f.type == CRM_FT_PERCENT ||
	                         d->f.type == CRM_FT_SCORE || ref_by_id_p(d)) ? CRM_COL_INT
	                    : d && d->f.type == CRM_FT_NUMBER ? CRM_COL_NUMBER : CRM_COL_TEXT;
	q->ncols++;
	return CRM_OK;
}

/* Adds a custom.KEY column for every custom key in use, sorted. */
static int add_custom_columns(crm_query *q)
{
	crm_buf sql = CRM_BUF_INIT, name = CRM_BUF_INIT;
	crm_stmt *st;
	int rc;

	crm_buf_printf(&sql, "SELECT DISTINCT key FROM %s ORDER BY key", q->e->custom_table);
	rc = crm_db_prepare(q->db, &st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	while (!rc && crm_stmt_step(st) == CRM_ROW) {
		crm_buf_clear(&name);
		crm_buf_printf(&name, "custom.%s", crm_stmt_text(st, 0));
		rc = add_column(q, crm_buf_str(&name));
	}
	crm_stmt_finalize(st);
	crm_buf_free(&name);
	return rc;
}

static int default_columns(crm_query *q, int all)
{
	int rc = CRM_OK;

	for (size_t i = 0; i < q->e->nfields && !rc; i++)
		if (all || !(q->e->defs[i].f.flags & CRM_FIELD_HIDDEN))
			rc = add_column(q, q->e->defs[i].f.name);
	return rc ? rc : add_custom_columns(q);
}

int crm_query_fields(crm_query *q, const char *spec)
{
	char *copy, *tok, *save = NULL;
	int rc = CRM_OK;

	if (!spec || !strcmp(spec, "all"))
		return default_columns(q, spec != NULL);
	if (!(copy = strdup(spec)))
		return crm_error_nomem();
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = add_column(q, tok);
	free(copy);
	if (!rc && !q->ncols)
		rc = crm_error_set(CRM_EUSAGE, "no fields chosen");
	return rc;
}

int crm_query_columns(crm_query *q, const struct crm_column **cols, size_t *n)
{
	int rc = q->ncols ? CRM_OK : crm_query_fields(q, NULL);

	*cols = q->columns;
	*n = q->ncols;
	return rc;
}

/* The query's SQL, selecting cols. */
static int build_sql(crm_query *q, crm_buf *sql, const char *cols)
{
	static const char *const archived[] = {
		"t.archived_at IS NULL", "t.archived_at IS NOT NULL", "1"
	};
	const char *fts = q->e->fts;

	crm_buf_printf(sql, "SELECT %s FROM ", cols);
	/* A search walks the index, whose rowids come in id order: with the
	 * default order and a limit it stops after the first matches instead
	 * of collecting them all. */
	if (q->match.sql.len)
		crm_buf_printf(sql, "%s CROSS JOIN %s t ON t.id = %s.rowid %s WHERE %s AND ", fts,
		               q->e->table, fts, q->e->join, crm_buf_str(&q->match.sql));
	else
		crm_buf_printf(sql, "%s t %s WHERE ", q->e->table, q->e->join);
	crm_buf_printf(sql, "%s%s", archived[q->archived], crm_buf_str(&q->where.sql));
	if (q->order.sql.len)
		crm_buf_printf(sql, "%s, t.id", crm_buf_str(&q->order.sql));
	else if (q->match.sql.len)
		crm_buf_printf(sql, " ORDER BY %s.rowid", fts);
	else
		crm_buf_puts(sql, " ORDER BY t.id");
	if (q->limit > 0)
		crm_buf_printf(sql, " LIMIT %ld", q->limit);
	return CRM_OK;
}

/* Prepares in *st q's statement selecting what (q's columns when cols,
 * else a constant) and binds its parameters. */
static int query_stmt(crm_query *q, const char *what, int cols, crm_stmt **st)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc = build_sql(q, &sql, what), next = 1;

	if (!rc)
		rc = crm_db_prepare(q->db, st, crm_buf_str(&sql));
	crm_buf_free(&sql);
	if (rc)
		return rc;
	if (cols)
		part_bind(&q->cols, *st, &next);
	part_bind(&q->match, *st, &next);
	part_bind(&q->where, *st, &next);
	part_bind(&q->order, *st, &next);
	return CRM_OK;
}

/* Walks the rows of a query whose filters convert amounts once, handing
 * none out: a row in a currency without a rate for its day fails the
 * conversion, and a listing that fails must not have printed the rows
 * before it (a pipeline would act on part of the list). */
static int check_rows(crm_query *q)
{
	crm_stmt *st;
	int rc = query_stmt(q, "1", 0, &st);

	if (rc)
		return rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		;
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_query_run(crm_query *q, int (*fn)(void *arg, const char *const *vals), void *arg,
                  long *count)
{
	crm_stmt *st;
	const char **vals;
	const struct crm_column *cols;
	size_t n;
	int rc, stop = 0;
	long seen = 0;

	if ((rc = crm_query_columns(q, &cols, &n)) || (q->converts && (rc = check_rows(q))) ||
	    (rc = query_stmt(q, crm_buf_str(&q->cols.sql), 1, &st)))
		return rc;
	if (!(vals = calloc(n, sizeof *vals))) {
		crm_stmt_finalize(st);
		return crm_error_nomem();
	}
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		for (size_t i = 0; i < n; i++)
			vals[i] = crm_stmt_text(st, (int)i);
		seen++;
		stop = fn(arg, vals);
	}
	rc = crm_walk_end(stop, rc);
	crm_stmt_finalize(st);
	free(vals);
	if (count)
		*count = seen;
	return rc;
}
