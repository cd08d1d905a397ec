/* field.c - what each type of field accepts, how it is stored, and how it
 * is compared, found and matched: one descriptor per type.
 *
 * A field keeps in its own column what the user typed (NFC) or its
 * canonical form; some types keep derived columns beside it, named after
 * the field's column with a suffix (email_norm, email_key, phone_e164),
 * which = filters, import keys and uniqueness compare instead.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm/date.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "internal.h"

/* Prefixes the recorded message with the field name ("email: ..."). */
static int field_error(const struct crm_fielddef *d, int rc)
{
	return rc == CRM_EDATA ? crm_error_prefix(d->f.name) : rc;
}

static int text_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	(void)db, (void)d, (void)region;
	return crm_text_nfc(out, v);
}

static int enum_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	(void)db, (void)region;
	for (const char *const *c = d->f.choices; *c; c++) {
		if (!strcasecmp(*c, v)) {
			*out = strdup(*c);
			return *out ? CRM_OK : crm_error_nomem();
		}
	}
	return crm_error_set(CRM_EDATA, "invalid %s '%s' (expected %s)", d->f.name, v, d->f.help);
}

static int domain_value(crm_db *db, const struct crm_fielddef *d, const char *v,
                        const char *region, char **out)
{
	(void)db, (void)d, (void)region;
	return crm_domain_normalize(out, v);
}

/* Parses a date or a time with parse, relative to the command's clock. */
static int when_value(crm_db *db, char **out, const char *v,
                      int (*parse)(char *, const char *, int64_t))
{
	char t[CRM_TIME_LEN];
	int rc = parse(t, v, db->now);

	if (rc)
		return rc;
	*out = strdup(t);
	return *out ? CRM_OK : crm_error_nomem();
}

/* A date; one of the past (CRM_FIELD_PAST) no later than today where
 * the day begins first, a day past today in UTC. */
static int date_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	char limit[CRM_TIME_LEN];
	int rc = when_value(db, out, v, crm_date_parse);

	(void)region;
	if (rc || !(d->f.flags & CRM_FIELD_PAST))
		return rc;
	crm_time_format(limit, db->now + 86400);
	if (strncmp(*out, limit, 10) <= 0)
		return CRM_OK;
	free(*out);
	*out = NULL;
	return crm_error_set(CRM_EDATA, "'%s' is later than today", v);
}

static int time_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	(void)d, (void)region;
	return when_value(db, out, v, crm_time_parse);
}

static int country_value(crm_db *db, const struct crm_fielddef *d, const char *v,
                         const char *region, char **out)
{
	(void)db, (void)d, (void)region;
	return crm_country_normalize(out, v);
}

static int email_norm(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	(void)db, (void)d, (void)region;
	return crm_email_normalize(out, v);
}

static int email_key(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                     char **out)
{
	(void)db, (void)d, (void)region;
	return crm_email_key(out, v);
}

static int phone_e164(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	(void)d;
	return crm_phone_e164(out, v, region ? region : crm_config_region(db->cfg));
}

static int id_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                    char **out)
{
	long long n;

	(void)db, (void)region;
	if (!crm_int_parse(v, 1, INT64_MAX, &n))
		return crm_error_set(CRM_EDATA, "invalid %s '%s'", d->f.name, v);
	return (*out = strdup(v)) ? CRM_OK : crm_error_nomem();
}

/* A reference stores the id of the record it names: given as an id or by
 * the target's natural key (an email, a company's name or domain ...). */
static int ref_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                     char **out)
{
	const struct crm_entity *target = crm_entity_find(d->f.ref);
	crm_buf b = CRM_BUF_INIT;
	int64_t id;
	int rc;

	(void)region;
	rc = crm_entity_resolve(db, target, v, &id);
	/* A record naming another that is not there is bad input. */
	if (rc == CRM_ENOTFOUND)
		rc = crm_error_recode(CRM_EDATA);
	if (!rc)
		rc = crm_entity_referable(db, target, id);
	if (rc)
		return rc;
	if (crm_buf_printf(&b, "%lld", (long long)id))
		return crm_error_nomem();
	*out = crm_buf_detach(&b);
	return CRM_OK;
}

/* An amount, in the base currency when no code is given: the column
 * keeps its minor units, the column _currency its code. */
static int parse_money(crm_db *db, const struct crm_fielddef *d, const char *v,
                       struct crm_money *m)
{
	(void)d;
	return crm_money_parse(m, v, crm_config_currency(db->cfg));
}

static int money_minor(crm_db *db, const struct crm_fielddef *d, const char *v,
                       const char *region, char **out)
{
	struct crm_money m;
	crm_buf b = CRM_BUF_INIT;
	int rc = parse_money(db, d, v, &m);

	(void)region;
	if (rc)
		return rc;
	if (crm_buf_printf(&b, "%lld", (long long)m.minor))
		return crm_error_nomem();
	*out = crm_buf_detach(&b);
	return CRM_OK;
}

static int money_currency(crm_db *db, const struct crm_fielddef *d, const char *v,
                          const char *region, char **out)
{
	struct crm_money m;
	int rc = parse_money(db, d, v, &m);

	(void)region;
	if (rc)
		return rc;
	*out = strdup(m.cur);
	return *out ? CRM_OK : crm_error_nomem();
}

/* A whole number from 0 to 100, its sign written or not (Salesforce's
 * Probability (%) column says 90%). */
static int percent_value(crm_db *db, const struct crm_fielddef *d, const char *v,
                         const char *region, char **out)
{
	char num[24];
	size_t len = strlen(v);
	long long n;

	(void)db, (void)region;
	while (len && strchr(" \t", v[len - 1]))
		len--;
	if (len && v[len - 1] == '%')
		len--;
	while (len && strchr(" \t", v[len - 1]))
		len--;
	if (len < sizeof num) {
		memcpy(num, v, len);
		num[len] = '\0';
	}
	if (len >= sizeof num || !crm_int_parse(num, 0, 100, &n))
		return crm_error_set(CRM_EDATA, "invalid %s '%s' (expected a whole number from 0"
		                     " to 100)", d->f.name, v);
	snprintf(num, sizeof num, "%lld", n);
	return (*out = strdup(num)) ? CRM_OK : crm_error_nomem();
}

/* What a survey asks for, whatever its scale: 0-10 (an NPS question)
 * holds every narrower one (CSAT's 1-5), which its entity checks. */
static int score_value(crm_db *db, const struct crm_fielddef *d, const char *v,
                       const char *region, char **out)
{
	long long n;

	(void)db, (void)region;
	if (!crm_int_parse(v, 0, 10, &n))
		return crm_error_set(CRM_EDATA, "invalid %s '%s' (expected a whole number from 0"
		                     " to 10)", d->f.name, v);
	return (*out = strdup(v + strspn(v, " \t"))) ? CRM_OK : crm_error_nomem();
}

/* A date ("2026-12-01", "tomorrow", "+3d"), or a date and time when the
 * text gives a time ("2026-12-01T09:30", "2026-12-01 09:30"). */
static int when_either(crm_db *db, const struct crm_fielddef *d, const char *v,
                       const char *region, char **out)
{
	(void)d, (void)region;
	if (strchr(v, ':'))
		return when_value(db, out, v, crm_time_parse);
	return when_value(db, out, v, crm_date_parse);
}

/* A name the configuration gives (a pipeline, a stage) compares in any
 * case: the filter's value in lower case against lower(column). */
static int word_lower(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      char **out)
{
	int rc = text_value(db, d, v, region, out);

	for (char *p = rc ? NULL : *out; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return rc;
}

/* Fields not named are zero: no derived column, no import key, no
 * uniqueness, no fold; compare NULL means the output expression.  ~
 * compares match keys, and a name's folds scripts too. */
#define TYPE(n, fn, cmp) .name = n, .value = fn, .compare = cmp, .match = crm_text_key

static const struct crm_type types[] = {
	[CRM_FT_ID] = { TYPE("id", id_value, "") },
	[CRM_FT_TEXT] = { TYPE("text", text_value, NULL), .made_from = CRM_FROM_VALUE },
	[CRM_FT_NAME] = { .name = "name", .value = text_value, .key = "name_key",
			  .match = crm_text_fold, .made_from = CRM_FROM_VALUE },
	[CRM_FT_EMAIL] = { TYPE("email", text_value, "_norm"), .key = "_norm", .unique = 1,
			   .derived = { { "_norm", email_norm }, { "_key", email_key } }, .made_from = CRM_FROM_VALUE },
	[CRM_FT_PHONE] = { TYPE("phone", text_value, "_e164"), .key = "_e164",
			   .derived = { { "_e164", phone_e164 } }, .made_from = CRM_FROM_REGION },
	[CRM_FT_COUNTRY] = { TYPE("country", country_value, ""), .made_from = CRM_FROM_VALUE },
	[CRM_FT_DATE] = { TYPE("date", date_value, "") },
	[CRM_FT_TIME] = { TYPE("time", time_value, "") },
	[CRM_FT_ENUM] = { TYPE("enum", enum_value, "") },
	[CRM_FT_REF] = { TYPE("reference", ref_value, "") },
	[CRM_FT_DOMAIN] = { TYPE("domain", domain_value, ""), .key = "" },
	[CRM_FT_TAGS] = { TYPE("tags", text_value, NULL) },
	[CRM_FT_MONEY] = { TYPE("money", money_minor, ""), .normal = money_minor,
			   .derived = { { "_currency", money_currency } } },
	[CRM_FT_PERCENT] = { TYPE("percent", percent_value, "") },
	[CRM_FT_WHEN] = { TYPE("date or time", when_either, "") },
	[CRM_FT_WORD] = { TYPE("word", text_value, ""), .normal = word_lower, .fold = "lower" },
	[CRM_FT_SCORE] = { TYPE("score", score_value, "") },
	/* Imports match on it as typed: re-running a shop's export finds its orders. */
	[CRM_FT_EXTREF] = { TYPE("text", text_value, ""), .key = "", .made_from = CRM_FROM_VALUE },
	[CRM_FT_NUMBER] = { TYPE("number", text_value, NULL) },
};

int crm_field_dated(const struct crm_field *f)
{
	return f->type == CRM_FT_DATE || f->type == CRM_FT_TIME || f->type == CRM_FT_WHEN;
}

const struct crm_type *crm_type_of(const struct crm_fielddef *d)
{
	return &types[d->f.type];
}

int crm_field_value(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                    char **out)
{
	const struct crm_type *t = crm_type_of(d);

	*out = NULL;
	/* The normalised form is the first derived column's, where there is one. */
	if (t->normal)
		return t->normal(db, d, v, region, out);
	return t->derived[0].suffix ? t->derived[0].make(db, d, v, region, out)
	                            : t->value(db, d, v, region, out);
}

int crm_field_column(crm_buf *b, const struct crm_fielddef *d, const char *suffix)
{
	/* Not printf: an import builds several column names per record. */
	return crm_buf_puts(b, d->column) || crm_buf_puts(b, suffix) ? crm_error_nomem() : CRM_OK;
}

int crm_field_compare_sql(crm_buf *b, const struct crm_fielddef *d)
{
	const struct crm_type *t = crm_type_of(d);

	if (!t->compare || !d->column)
		return crm_field_sql(b, d);
	if (t->fold)
		return crm_buf_printf(b, "%s(t.%s%s)", t->fold, d->column, t->compare);
	return crm_buf_printf(b, "t.%s%s", d->column, t->compare);
}

int crm_field_sql(crm_buf *b, const struct crm_fielddef *d)
{
	const struct crm_entity *target;

	if (d->expr)
		return crm_buf_puts(b, d->expr);
	if (d->f.type == CRM_FT_MONEY)
		return crm_buf_printf(b, "crm_money(t.%s, t.%s_currency)", d->column, d->column);
	/* A reference prints as its target's label, which it can be given as. */
	if (d->f.type == CRM_FT_REF && (target = crm_entity_find(d->f.ref)) && target->label)
		return crm_buf_printf(b, "(SELECT %s FROM %s r WHERE r.id = t.%s)", target->label,
		                      target->table, d->column);
	return crm_buf_printf(b, "t.%s", d->column);
}

void crm_colvals_free(struct crm_colvals *cv)
{
	for (int i = 0; i < cv->n; i++)
		if (!(cv->lent >> i & 1))
			free((char *)cv->val[i]);
	cv->n = 0;
	cv->lent = 0;
}

int crm_colvals_column(crm_buf *b, const struct crm_colvals *cv, int j)
{
	return crm_field_column(b, cv->def, cv->suffix[j]);
}

/* Adds column d->column + suffix with value val, lent (borrowed) or
 * taken over. */
static void colvals_put(struct crm_colvals *cv, const char *suffix, const char *val, int lent)
{
	cv->suffix[cv->n] = suffix;
	if (lent)
		cv->lent |= 1u << cv->n;
	else
		cv->lent &= ~(1u << cv->n);
	cv->val[cv->n++] = val;
}

const struct crm_ready *crm_ready_find(const struct crm_ready *list, size_t n,
                                       const struct crm_fielddef *d, const char *src)
{
	for (size_t i = 0; src && i < n; i++)
		if (list[i].d == d && !strcmp(list[i].src, src))
			return &list[i];
	return NULL;
}

/* The number of columns field d writes: its derived ones, then its own. */
static int column_count(const struct crm_type *t)
{
	int n = 0;

	while (n < CRM_DERIVED_MAX && t->derived[n].suffix)
		n++;
	return n + 1;
}

/* Whether rd holds what crm_field_columns makes for its field with region. */
static int ready_for(const struct crm_ready *rd, const char *region)
{
	const struct crm_type *t = crm_type_of(rd->d);

	if (rd->n != column_count(t))
		return 0;
	if (t->made_from == CRM_FROM_REGION)
		return rd->region && region ? !strcmp(rd->region, region) : rd->region == region;
	/* A reference's entry is its caller's, who has just found the record
	 * it names (the reading-ahead thread has no handle to look with). */
	return t->made_from == CRM_FROM_VALUE || rd->d->f.type == CRM_FT_REF;
}

int crm_field_columns_ready(const struct crm_ready *rd, const char *region,
                            struct crm_colvals *cv)
{
	const struct crm_type *t = crm_type_of(rd->d);
	int last = column_count(t) - 1;

	if (!ready_for(rd, region))
		return CRM_EDATA;
	/* Lent, not copied: the ready list outlives the write that reads cv,
	 * and a copy of every value of every row costs the write path. */
	cv->def = rd->d;
	cv->n = 0;
	for (int i = 0; i <= last; i++)
		colvals_put(cv, i < last ? t->derived[i].suffix : "", rd->val[i], 1);
	return CRM_OK;
}

const char *crm_ready_normal(const struct crm_ready *rd, const char *region)
{
	/* Derived columns come first, and the first is the normal form. */
	return ready_for(rd, region) && !crm_type_of(rd->d)->normal ? rd->val[0] : NULL;
}

int crm_field_columns(crm_db *db, const struct crm_fielddef *d, const char *v, const char *region,
                      struct crm_colvals *cv)
{
	const struct crm_type *t = crm_type_of(d);
	char *val;
	int rc = CRM_OK, i;

	cv->def = d;
	/* Derived columns come first: the uniqueness check reads the first. */
	for (i = 0; i < CRM_DERIVED_MAX && t->derived[i].suffix && !rc; i++) {
		val = NULL;
		if (v && (rc = t->derived[i].make(db, d, v, region, &val)))
			break;
		colvals_put(cv, t->derived[i].suffix, val, 0);
	}
	val = NULL;
	if (!rc && v)
		rc = t->value(db, d, v, region, &val);
	if (!rc)
		colvals_put(cv, "", val, 0);
	return field_error(d, rc);
}
