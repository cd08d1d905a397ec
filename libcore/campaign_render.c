/* campaign_render.c - a campaign's messages: the template variant of each
 * person's language, the values its variables read, the unsubscribe
 * token and link, and the message composed (crm-campaign(1)). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "crm/date.h"
#include "crm/mail.h"
#include "campaign_impl.h"
#include "registry.h"

/* ---- the campaign ---- */

static char *dup_col(crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);

	return s ? strdup(s) : NULL;
}

/* The From of mail.from ("Name <addr>" or addr) when the campaign names
 * none: its address, and its name for messages whose template has none. */
static int default_from(crm_db *db, struct campaign *c)
{
	const char *from = crm_config_mail(db->cfg)->from, *lt, *gt, *start, *end;

	if (!from)
		return crm_error_set(CRM_EDATA, "campaign %lld has no From address and mail.from is"
		                     " not configured (crm-config(5))", (long long)c->id);
	lt = strrchr(from, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt)
		return (c->from = strdup(from)) ? CRM_OK : crm_error_nomem();
	start = from + strspn(from, " \t\"");
	for (end = lt; end > start && strchr(" \t\"", end[-1]); end--)
		;
	if (!(c->from = strndup(lt + 1, (size_t)(gt - lt - 1))) ||
	    (end > start && !(c->mail_name = strndup(start, (size_t)(end - start)))))
		return crm_error_nomem();
	return CRM_OK;
}

int campaign_read(crm_db *db, int64_t id, struct campaign *c)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT name, kind, segment, template, from_addr, from_name,"
	                     " subject, deliver, trigger_on, coalesce(days_before, 0),"
	                     " coalesce(points, 0) FROM campaigns WHERE id = ?1 AND archived_at IS NULL");

	memset(c, 0, sizeof *c);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		c->id = id;
		c->name = dup_col(st, 0);
		c->kind = dup_col(st, 1);
		c->segment = dup_col(st, 2);
		c->template = dup_col(st, 3);
		c->from = dup_col(st, 4);
		c->from_name = dup_col(st, 5);
		c->subject = dup_col(st, 6);
		c->deliver = dup_col(st, 7);
		c->on = dup_col(st, 8);
		c->days_before = (long)crm_stmt_int(st, 9);
		c->points = crm_stmt_int(st, 10);
		rc = c->name && c->kind && c->template ? CRM_OK : crm_error_nomem();
	} else if (rc == CRM_DONE) {
		rc = crm_error_set(CRM_ENOTFOUND, "no campaign %lld", (long long)id);
	}
	crm_stmt_reset(st);
	if (!rc && !c->from)
		rc = default_from(db, c);
	return rc;
}

void campaign_free(struct campaign *c)
{
	free(c->name);
	free(c->kind);
	free(c->segment);
	free(c->template);
	free(c->from);
	free(c->from_name);
	free(c->subject);
	free(c->deliver);
	free(c->on);
	free(c->mail_name);
}

/* ---- the unsubscribe key and tokens ---- */

int campaign_key(crm_db *db, unsigned char key[64], size_t *len)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT value FROM secrets WHERE name = 'unsubscribe'");

	*len = 0;
	if (rc)
		return rc;
	if ((rc = crm_stmt_step(st)) == CRM_ROW && crm_stmt_bytes(st, 0) >= 16 &&
	    crm_stmt_bytes(st, 0) <= 64) {
		*len = crm_stmt_bytes(st, 0);
		memcpy(key, crm_stmt_text(st, 0), *len);
		rc = CRM_OK;
	} else if (rc >= 0) {
		rc = crm_error_set(CRM_EDATA, "the database holds no unsubscribe key");
	}
	crm_stmt_reset(st);
	return rc;
}

void campaign_sign(const unsigned char *key, size_t keylen, int64_t campaign, int64_t person,
                   char out[CRM_TOKEN_MAX])
{
	char data[48];
	int n = snprintf(data, sizeof data, "%lld.%lld", (long long)campaign, (long long)person);
	gchar *mac = g_compute_hmac_for_data(G_CHECKSUM_SHA256, key, keylen,
	                                     (const guchar *)data, (gsize)n);

	/* 96 bits of the MAC: out of reach of guessing, short in a URL. */
	snprintf(out, CRM_TOKEN_MAX, "%s.%.24s", data, mac ? mac : "");
	g_free(mac);
}

int crm_campaign_token(crm_db *db, int64_t campaign, int64_t person, char out[CRM_TOKEN_MAX])
{
	unsigned char key[64];
	size_t len;
	int rc = campaign_key(db, key, &len);

	if (!rc)
		campaign_sign(key, len, campaign, person, out);
	return rc;
}

/* ---- variables ---- */

struct names {
	char **v;
	size_t n;
};

static int add_name(struct names *ns, const char *name)
{
	char **v;

	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return CRM_OK;
	if (!(v = realloc(ns->v, (ns->n + 1) * sizeof *v)) || !(v[ns->n] = strdup(name))) {
		if (v)
			ns->v = v;
		return crm_error_nomem();
	}
	ns->v = v;
	ns->n++;
	return CRM_OK;
}

/* crm_template_check's callback: notes each name a template reads. */
static int note_name(void *arg, const char *name)
{
	return crm_template_known(NULL, name) && !add_name(arg, name);
}

static int parse_part(crm_template **t, const char *text, const char *label, struct names *ns)
{
	int rc;

	*t = NULL;
	if (!text || !*text)
		return CRM_OK;
	if (!(rc = crm_template_parse(t, text, label)))
		rc = crm_template_check(*t, note_name, ns);
	return rc;
}

static void variant_free(struct variant *v)
{
	free(v->language);
	crm_template_free(v->subject);
	crm_template_free(v->from_name);
	crm_template_free(v->text);
	crm_template_free(v->html);
}

/* Parses the variant of the current row of st (language, subject,
 * from_name, text, html), the campaign's subject and From name standing
 * in for the template's when it has them. */
static int load_variant(struct renderer *r, crm_stmt *st, struct names *ns)
{
	struct variant *v = realloc(r->v, (r->nv + 1) * sizeof *v);
	const char *subject = r->c->subject ? r->c->subject : crm_stmt_text(st, 1);
	const char *from_name = r->c->from_name ? r->c->from_name : crm_stmt_text(st, 2);
	int rc;

	if (!v)
		return crm_error_nomem();
	r->v = v;
	v = &r->v[r->nv++];
	memset(v, 0, sizeof *v);
	if (!(v->language = strdup(crm_stmt_text(st, 0))))
		return crm_error_nomem();
	if ((rc = parse_part(&v->subject, subject, "subject", ns)) ||
	    (rc = parse_part(&v->from_name, from_name, "from_name", ns)) ||
	    (rc = parse_part(&v->text, crm_stmt_text(st, 3), "text", ns)))
		return rc;
	return parse_part(&v->html, crm_stmt_text(st, 4), "html", ns);
}

static int load_variants(struct renderer *r, struct names *ns)
{
	crm_stmt *st;
	int rc = crm_db_stmt(r->db, &st, "SELECT language, subject, from_name, text, html"
	                     " FROM templates WHERE name = ?1 ORDER BY language");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, r->c->template);
	while ((rc = crm_stmt_step(st)) == CRM_ROW && !(rc = load_variant(r, st, ns)))
		;
	crm_stmt_reset(st);
	if (!rc && !r->nv)
		rc = crm_error_set(CRM_EDATA, "campaign %lld: no template '%s'", (long long)r->c->id,
		                   r->c->template);
	return rc < 0 ? rc : CRM_OK;
}

/* The fields the query reads: what every message needs, then each
 * variable that is a field of the person or a custom one. */
static int fields_of(struct renderer *r, const struct names *ns, char **fields)
{
	crm_buf b = CRM_BUF_INIT;

	crm_buf_puts(&b, "id,name,email,language,company_id");
	for (size_t i = 0; i < ns->n; i++) {
		const char *n = ns->v[i];

		if (!strncmp(n, "company.", 8))
			r->has_company = 1;
		else if (crm_entity_field_find(&crm_contact_entity, n) || !strncmp(n, "custom.", 7))
			if (strcmp(n, "id") && strcmp(n, "name") && strcmp(n, "email") &&
			    strcmp(n, "language") && strcmp(n, "company_id"))
				crm_buf_printf(&b, ",%s", n);
	}
	if (!(*fields = crm_buf_detach(&b)))
		return crm_error_nomem();
	return CRM_OK;
}

int renderer_open(struct renderer *r, crm_db *db, const struct campaign *c, char **fields)
{
	struct names ns = { NULL, 0 };
	int rc;

	memset(r, 0, sizeof *r);
	r->db = db;
	r->c = c;
	*fields = NULL;
	if (!(rc = load_variants(r, &ns)) && !(rc = campaign_key(db, r->key, &r->keylen)))
		rc = fields_of(r, &ns, fields);
	for (size_t i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	return rc;
}

void renderer_close(struct renderer *r)
{
	for (size_t i = 0; i < r->nv; i++)
		variant_free(&r->v[i]);
	free(r->v);
	for (size_t i = 0; i < r->ppl.n * r->ppl.ncols; i++)
		free(r->ppl.vals[i]);
	for (size_t i = 0; r->ppl.occasion && i < r->ppl.n; i++)
		free(r->ppl.occasion[i]);
	for (size_t i = 0; i < r->ppl.ncols; i++)
		free(r->ppl.names[i]);
	free(r->ppl.names);
	free(r->ppl.vals);
	free(r->ppl.occasion);
	free(r->ppl.years);
	free(r->url);
	free(r->mailto);
	crm_buf_free(&r->company);
}

/* ---- the people ---- */

static int grow(struct people *p)
{
	size_t cap = p->cap ? 2 * p->cap : 256;
	char **v = realloc(p->vals, cap * p->ncols * sizeof *v);

	if (!v)
		return crm_error_nomem();
	p->vals = v;
	p->cap = cap;
	return CRM_OK;
}

static int keep_row(void *arg, const char *const *vals)
{
	struct people *p = arg;
	char **row;
	int rc;

	if (p->n == p->cap && (rc = grow(p)))
		return rc;
	row = &p->vals[p->n * p->ncols];
	for (size_t i = 0; i < p->ncols; i++)
		if (vals[i] && !(row[i] = strdup(vals[i]))) {
			while (i--)
				free(row[i]);
			return crm_error_nomem();
		} else if (!vals[i]) {
			row[i] = NULL;
		}
	p->n++;
	return CRM_OK;
}

int renderer_collect(struct renderer *r, crm_query *q)
{
	const struct crm_column *cols;
	size_t n;
	int rc = crm_query_columns(q, &cols, &n);

	if (rc)
		return rc;
	if (!(r->ppl.names = calloc(n, sizeof *r->ppl.names)))
		return crm_error_nomem();
	r->ppl.ncols = n;
	for (size_t i = 0; i < n; i++)
		if (!(r->ppl.names[i] = strdup(cols[i].name)))
			return crm_error_nomem();
	return crm_query_run(q, keep_row, &r->ppl, NULL);
}

const char *people_value(const struct people *p, size_t i, const char *name)
{
	for (size_t k = 0; k < p->ncols; k++)
		if (!strcmp(p->names[k], name))
			return p->vals[i * p->ncols + k];
	return NULL;
}

/* ---- rendering ---- */

/* Whether language tags a and b are one, in any case and with '_' for
 * '-', as other systems write them (pt_BR). */
static int same_language(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b) &&
		    !(strchr("-_", *a) && strchr("-_", *b)))
			return 0;
	return !*a && !*b;
}

/* The variant for a language: the same tag, else its primary language
 * ("pt" for "pt-BR"), else the default, else the first there is. */
static const struct variant *variant_for(const struct renderer *r, const char *lang)
{
	size_t primary = lang ? strcspn(lang, "-_") : 0;
	const struct variant *def = &r->v[0];

	for (size_t i = 0; lang && *lang && i < r->nv; i++)
		if (same_language(r->v[i].language, lang))
			return &r->v[i];
	for (size_t i = 0; primary && i < r->nv; i++)
		if (strlen(r->v[i].language) == primary &&
		    !strncasecmp(r->v[i].language, lang, primary))
			return &r->v[i];
	for (size_t i = 0; i < r->nv; i++)
		if (!*r->v[i].language)
			def = &r->v[i];
	return def;
}

struct company_sink {
	crm_buf *b;
	const struct crm_column *cols;
	size_t n;
};

static int keep_company(void *arg, const char *const *vals)
{
	struct company_sink *s = arg;

	for (size_t i = 0; i < s->n; i++)
		if (vals[i]) {
			crm_buf_printf(s->b, "%s=%s", s->cols[i].name, vals[i]);
			crm_buf_put(s->b, "", 1);
		}
	return CRM_OK;
}

/* Reads the fields of the row's company into r->company as NAME=VALUE
 * strings one after the other (kept while the next row has the same). */
static int load_company(struct renderer *r, const char *company_id, char last[24])
{
	struct company_sink s = { &r->company, NULL, 0 };
	crm_query *q = NULL;
	int rc;

	if (!r->has_company || !strcmp(last, company_id ? company_id : ""))
		return CRM_OK;
	crm_buf_clear(&r->company);
	snprintf(last, 24, "%s", company_id ? company_id : "");
	if (!company_id)
		return CRM_OK;
	if (!(rc = crm_query_new(&q, r->db, &crm_company_entity)) &&
	    !(rc = crm_query_id(q, strtoll(company_id, NULL, 10))) &&
	    !(rc = crm_query_fields(q, "all")) && !(rc = crm_query_columns(q, &s.cols, &s.n)))
		rc = crm_query_run(q, keep_company, &s, NULL);
	crm_query_free(q);
	return rc;
}

static int get_value(void *arg, const char *name, const char **val)
{
	struct renderer *r = arg;

	*val = NULL;
	if (!strcmp(name, "campaign"))
		*val = r->c->name;
	else if (!strcmp(name, "unsubscribe_url"))
		*val = r->url;
	else if (!strcmp(name, "occasion"))
		*val = r->ppl.occasion ? r->ppl.occasion[r->row] : NULL;
	else if (!strcmp(name, "years") && r->ppl.years && r->ppl.years[r->row] > 0) {
		snprintf(r->years, sizeof r->years, "%lld", (long long)r->ppl.years[r->row]);
		*val = r->years;
	} else if (!strncmp(name, "company.", 8)) {
		size_t n = strlen(name + 8);

		for (const char *p = r->company.ptr; p && p < r->company.ptr + r->company.len;
		     p += strlen(p) + 1)
			if (!strncmp(p, name + 8, n) && p[n] == '=')
				*val = p + n + 1;
	} else {
		*val = people_value(&r->ppl, r->row, name);
	}
	return CRM_OK;
}

/* The unsubscribe link of the row's person: the configured URL with the
 * token, else a mailto: address with it in the subject. */
static int make_url(struct renderer *r, int64_t person, crm_buf *header)
{
	const struct crm_campaign_config *cc = crm_config_campaign(r->db->cfg);
	crm_buf url = CRM_BUF_INIT;
	const char *at;

	/* A URI is ASCII: a domain such as bücher.example in its xn-- form,
	 * worked out for the first message only. */
	if (!r->mailto && crm_mail_ascii_address(&r->mailto, cc->unsubscribe_mailto
	                                         ? cc->unsubscribe_mailto : r->c->from))
		return crm_error_prefix("unsubscribe address");
	campaign_sign(r->key, r->keylen, r->c->id, person, r->token);
	if (cc->unsubscribe_url && (at = strstr(cc->unsubscribe_url, "{token}"))) {
		crm_buf_printf(&url, "%.*s%s%s", (int)(at - cc->unsubscribe_url),
		               cc->unsubscribe_url, r->token, at + 7);
		crm_buf_printf(header, "<%s>, ", crm_buf_str(&url));
	}
	crm_buf_printf(header, "<mailto:%s?subject=unsubscribe%%20%s>", r->mailto, r->token);
	if (!url.len)
		crm_buf_printf(&url, "mailto:%s?subject=unsubscribe%%20%s", r->mailto, r->token);
	free(r->url);
	if (!(r->url = crm_buf_detach(&url)))
		return crm_error_nomem();
	return CRM_OK;
}

/* Renders template t of the row (NULL: empty) into b. */
static int render(struct renderer *r, const crm_template *t, int html, crm_buf *b)
{
	crm_buf_clear(b);
	if (!t)
		return crm_buf_puts(b, "") < 0 ? crm_error_nomem() : CRM_OK;
	return crm_template_render(t, html, get_value, r, b);
}

int renderer_message(struct renderer *r, size_t i, const char *email, const char *mid,
                     char **raw, size_t *len)
{
	const struct variant *v = variant_for(r, people_value(&r->ppl, i, "language"));
	const struct crm_campaign_config *cc = crm_config_campaign(r->db->cfg);
	crm_buf subject = CRM_BUF_INIT, from_name = CRM_BUF_INIT, text = CRM_BUF_INIT;
	crm_buf html = CRM_BUF_INIT, unsub = CRM_BUF_INIT;
	struct crm_mail_out o = { 0 };
	char now[CRM_TIME_LEN], id[24];
	int rc;

	r->row = i;
	snprintf(id, sizeof id, "%lld", (long long)r->c->id);
	crm_db_now(r->db, now);
	if (!(rc = load_company(r, people_value(&r->ppl, i, "company_id"), r->last_company)) &&
	    !(rc = make_url(r, strtoll(people_value(&r->ppl, i, "id"), NULL, 10), &unsub)) &&
	    !(rc = render(r, v->subject, 0, &subject)) &&
	    !(rc = render(r, v->from_name, 0, &from_name)) && !(rc = render(r, v->text, 0, &text)) &&
	    !(rc = v->html ? render(r, v->html, 1, &html) : CRM_OK)) {
		o.from = r->c->from;
		o.from_name = from_name.len ? crm_buf_str(&from_name) : r->c->mail_name;
		o.to = email;
		o.to_name = people_value(&r->ppl, i, "name");
		o.subject = crm_buf_str(&subject);
		o.message_id = mid;
		o.date = now;
		o.body = crm_buf_str(&text);
		o.html = v->html ? crm_buf_str(&html) : NULL;
		o.list_unsubscribe = crm_buf_str(&unsub);
		o.one_click = cc->unsubscribe_url && !strncmp(cc->unsubscribe_url, "https:", 6);
		o.precedence = "bulk";
		o.extra_name = "X-CRM-Campaign";
		o.extra_value = id;
		o.auto_submitted = strcmp(r->c->kind, "trigger") ? NULL : "auto-generated";
		rc = crm_mail_compose(raw, len, &o);
	}
	crm_buf_free(&subject);
	crm_buf_free(&from_name);
	crm_buf_free(&text);
	crm_buf_free(&html);
	crm_buf_free(&unsub);
	return rc;
}
