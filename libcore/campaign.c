/* campaign.c - the campaign entity, saved segments of people and the
 * templates campaigns send (crm-campaign(1)).
 *
 * A segment keeps its filters as typed, as JSON, and is evaluated when
 * used (a relative date stays relative); a snapshot keeps its members.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "crm/campaign.h"
#include "crm/date.h"
#include "crm/norm.h"
#include "crm/rfm.h"
#include "crm/template.h"
#include "campaign_impl.h"
#include "registry.h"

static const char *const campaign_kinds[] = { "campaign", "trigger", NULL };
static const char *const campaign_status[] = {
	"draft", "sending", "sent", "active", "paused", NULL
};

static const struct crm_fielddef campaign_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("name", CRM_FT_TEXT, REQUIRED, "what the campaign is called", "name", NULL),
	CHOICE("kind", RO, "campaign, or trigger (crm-campaign trigger add)", campaign_kinds,
	       "kind"),
	FIELD("segment", CRM_FT_TEXT, 0, "the saved segment it goes to", "segment", NULL),
	FIELD("template", CRM_FT_TEXT, REQUIRED, "the template it sends", "template", NULL),
	FIELD("from", CRM_FT_TEXT, 0, "the From address (default: mail.from)", "from_addr", NULL),
	FIELD("from_name", CRM_FT_TEXT, 0, "the From name, a template (default: the template's)",
	      "from_name", NULL),
	FIELD("subject", CRM_FT_TEXT, 0, "the subject, a template (default: the template's)",
	      "subject", NULL),
	FIELD("deliver", CRM_FT_TEXT, 0, "where send delivers: mbox:FILE or maildir:DIR"
	      " (default: the mail.send command)", "deliver", NULL),
	FIELD("on", CRM_FT_TEXT, RO, "a trigger's date: birthday, anniversary or"
	      " date-field:FIELD", "trigger_on", NULL),
	FIELD("days_before", CRM_FT_ID, RO | HIDDEN, "a trigger's days ahead of the date",
	      "days_before", NULL),
	FIELD("points", CRM_FT_ID, RO | HIDDEN, "loyalty points a trigger gives", "points", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "draft, sending or sent; a trigger: active or"
	       " paused", campaign_status, "status"),
	FIELD("sent", CRM_FT_ID, RO, "messages sent", NULL, "(SELECT count(*) FROM campaign_sends"
	      " WHERE campaign_id = t.id AND state = 'sent')"),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	BOOKKEEPING,
};

static const char *const campaign_filters[] = { "kind", "status", "segment", "template", NULL };

int crm_campaign_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "campaigns_fts", "campaigns",
		"INSERT INTO campaigns_fts(rowid, name, subject) SELECT id, name, subject"
		" FROM campaigns WHERE %s", where, arg);
}

/* Whether sql (?1 = text) finds a row. */
static int exists(crm_db *db, const char *sql, const char *text, int *yes)
{
	int64_t id;

	return crm_registry_lookup(db, sql, text, &id, yes);
}

/* Refuses to let go of what a live campaign uses: sql (?1 = name) finds
 * the campaigns that name it, what says what it is. */
static int in_use(crm_db *db, const char *sql, const char *what, const char *name)
{
	int64_t id;
	int n, rc = crm_registry_lookup(db, sql, name, &id, &n);

	return rc ? rc : n ? crm_error_set(CRM_EDATA, "%s '%s' is used by campaign %lld", what,
	                                   name, (long long)id) : CRM_OK;
}

/* An address as a From: local@domain.tld, as a person's email. */
static int good_address(const char *a)
{
	char *norm = NULL;
	int rc = crm_email_normalize(&norm, a);

	free(norm);
	if (rc == CRM_EDATA)
		crm_error_clear();
	return rc == CRM_OK;
}

/* Parses one part of a template and checks its variables. */
static int check_part(const char *text, const char *label)
{
	crm_template *t = NULL;
	int rc;

	if (!text)
		return CRM_OK;
	if (!(rc = crm_template_parse(&t, text, label)))
		rc = crm_template_check(t, crm_template_known, NULL);
	crm_template_free(t);
	return rc;
}

/* The segment and template named exist; the From parses; the subject and
 * From name are templates that parse and name known variables. */
static int campaign_after_write(crm_db *db, int64_t id, const crm_record *r,
                                int adding)
{
	const char *v;
	int rc = CRM_OK, yes;

	(void)adding;
	if ((v = crm_record_value(r, "segment")) && *v &&
	    !(rc = exists(db, "SELECT 1 FROM segments WHERE name = ?1", v, &yes)) && !yes)
		rc = crm_error_set(CRM_EDATA, "segment: no segment '%s'", v);
	if (!rc && (v = crm_record_value(r, "template")) &&
	    !(rc = exists(db, "SELECT 1 FROM templates WHERE name = ?1", v, &yes)) && !yes)
		rc = crm_error_set(CRM_EDATA, "template: no template '%s'", v);
	if (!rc && (v = crm_record_value(r, "from")) && *v && !good_address(v))
		rc = crm_error_set(CRM_EDATA, "from: invalid address '%s'", v);
	/* Told now, not by the send cron runs. */
	if (!rc && (v = crm_record_value(r, "deliver")) && *v && campaign_target_check(v))
		rc = crm_error_set(CRM_EDATA, "deliver: invalid delivery '%s' (mbox:FILE or"
		                   " maildir:DIR)", v);
	if (!rc && !(rc = check_part(crm_record_value(r, "subject"), "subject")))
		rc = check_part(crm_record_value(r, "from_name"), "from_name");
	return rc ? rc : crm_campaign_reindex(db, "id = ?1", id);
}

const struct crm_entity crm_campaign_entity = {
	.name = "campaign", .table = "campaigns", .custom_table = "campaign_custom",
	.custom_fk = "campaign_id", .fts = "campaigns_fts", .join = "",
	.defs = campaign_fields, .nfields = NFIELDS(campaign_fields),
	.after_write = campaign_after_write, .reindex = crm_campaign_reindex,
	.tag_table = "campaign_tags", .note_table = "campaign_notes", .default_key = "name",
	.filters = campaign_filters, .label = "r.name",
};

/* ---- segments ---- */

/* A segment's name: a word people type, never an id. */
static int good_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 64 || strspn(name, "0123456789") == n)
		return 0;
	for (const char *p = name; *p; p++)
		if (!strchr("._-", *p) && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !((unsigned char)*p & 0x80))
			return 0;
	return 1;
}

/* Keeps the people of RFM segment name today (temp.crm_segment_rfm). */
static int rfm_insert(void *arg, const char *const *vals)
{
	crm_db *db = arg;

	return crm_db_exec_id(db, "INSERT OR IGNORE INTO temp.crm_segment_rfm(id) VALUES (?1)",
	                      strtoll(vals[0], NULL, 10));
}

static int rfm_filter(crm_db *db, crm_query *q, const char *name)
{
	char today[CRM_TIME_LEN];
	int64_t people, rows;
	int seg, rc;

	if ((rc = crm_rfm_segment_parse(name, &seg)))
		return rc;
	crm_db_now(db, today);
	today[10] = '\0';
	if ((rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_segment_rfm"
	                      " (id INTEGER PRIMARY KEY); DELETE FROM temp.crm_segment_rfm")) ||
	    (rc = crm_rfm_each(db, today, seg, rfm_insert, db, &people, &rows)))
		return rc;
	return crm_query_sql(q, "t.id IN (SELECT id FROM temp.crm_segment_rfm)");
}

/* Applies filter name value to a query over people. */
static int apply(crm_db *db, crm_query *q, const char *name, const char *value)
{
	if (!strcmp(name, "where"))
		return crm_query_where(q, value);
	if (!strcmp(name, "tag"))
		return crm_query_tag(q, value);
	if (!strcmp(name, "search"))
		return crm_query_search(q, value);
	if (!strcmp(name, "status") || !strcmp(name, "company"))
		return crm_query_filter(q, name, "=", value);
	if (!strcmp(name, "purchased-since") || !strcmp(name, "tier") || !strcmp(name, "nps"))
		return crm_query_option(q, name, value);
	if (!strcmp(name, "rfm"))
		return rfm_filter(db, q, value);
	return crm_error_set(CRM_EUSAGE, "unknown segment filter '%s'", name);
}

/* Builds the live query of filters doc (an array of [name, value]). */
static int filter_query(crm_db *db, json_t *doc, crm_query **q)
{
	size_t i;
	json_t *f;
	int rc = crm_query_new(q, db, &crm_contact_entity);

	json_array_foreach(doc, i, f) {
		if (rc)
			break;
		rc = apply(db, *q, json_string_value(json_array_get(f, 0)),
		           json_string_value(json_array_get(f, 1)));
	}
	if (rc) {
		crm_query_free(*q);
		*q = NULL;
	}
	return rc;
}

struct member_sink {
	crm_db *db;
	int64_t segment;
};

static int keep_member(void *arg, const char *const *vals)
{
	struct member_sink *m = arg;
	crm_stmt *st;
	int rc = crm_db_stmt(m->db, &st, "INSERT INTO segment_members(segment_id, contact_id)"
	                     " VALUES (?1, ?2)");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, m->segment);
	crm_stmt_bind_int(st, 2, strtoll(vals[0], NULL, 10));
	return crm_stmt_done(st);
}

/* Writes the members of q as the snapshot of segment id. */
static int snapshot(crm_db *db, crm_query *q, int64_t id)
{
	struct member_sink m = { db, id };

	return crm_query_run(q, keep_member, &m, NULL);
}

static json_t *filters_json(const struct crm_segment_filter *f, size_t n)
{
	json_t *doc = json_array();

	for (size_t i = 0; doc && i < n; i++)
		if (json_array_append_new(doc, json_pack("[ss]", f[i].name, f[i].value))) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}

int crm_segment_add(crm_db *db, const char *name, const struct crm_segment_filter *f,
                    size_t n, int snap, int64_t *id)
{
	json_t *doc;
	char *text = NULL;
	crm_query *q = NULL;
	crm_stmt *st;
	int rc, taken;

	if (!good_name(name))
		return crm_error_set(CRM_EDATA, "invalid segment name '%s' (letters, digits, '.',"
		                     " '_' and '-'; not a number)", name);
	if ((rc = exists(db, "SELECT 1 FROM segments WHERE name = ?1", name, &taken)))
		return rc;
	if (taken)
		return crm_error_set(CRM_EDATA, "segment '%s' exists", name);
	if (!(doc = filters_json(f, n)) || !(text = json_dumps(doc, JSON_COMPACT))) {
		json_decref(doc);
		return crm_error_nomem();
	}
	if (!(rc = filter_query(db, doc, &q)) &&
	    !(rc = crm_db_stmt(db, &st, "INSERT INTO segments(name, filter, snapshot_at,"
	                       " created_at, updated_at) VALUES (?1, ?2, ?3, crm_now(), crm_now())"))) {
		char now[CRM_TIME_LEN];

		crm_db_now(db, now);
		crm_stmt_bind_text(st, 1, name);
		crm_stmt_bind_text(st, 2, text);
		crm_stmt_bind_text(st, 3, snap ? now : NULL);
		if (!(rc = crm_stmt_done(st)))
			*id = crm_db_last_id(db);
	}
	if (!rc)
		rc = crm_query_fields(q, "id");
	if (!rc && snap)
		rc = snapshot(db, q, *id);
	if (!rc)
		rc = crm_audit_change(db, "segment", *id, "add", "filter", NULL, text);
	crm_query_free(q);
	json_decref(doc);
	free(text);
	return rc;
}

/* Reads the filters and snapshot id of segment name. */
static int segment_read(crm_db *db, const char *name, json_t **doc, int64_t *snap)
{
	crm_stmt *st;
	json_error_t err;
	int rc = crm_db_stmt(db, &st, "SELECT id, filter, snapshot_at IS NOT NULL FROM segments"
	                     " WHERE name = ?1");

	*doc = NULL;
	*snap = 0;
	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, name);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		*doc = json_loads(crm_stmt_text(st, 1), 0, &err);
		*snap = crm_stmt_int(st, 2) ? crm_stmt_int(st, 0) : 0;
		rc = *doc ? CRM_OK : crm_error_set(CRM_EDATA, "segment '%s': unreadable filter", name);
	} else if (rc == CRM_DONE) {
		rc = crm_error_set(CRM_ENOTFOUND, "no segment '%s'", name);
	}
	crm_stmt_reset(st);
	return rc;
}

int crm_segment_query(crm_db *db, const char *name, crm_query **q)
{
	json_t *doc;
	int64_t snap;
	char sql[128];
	int rc;

	*q = NULL;
	if ((rc = segment_read(db, name, &doc, &snap)))
		return rc;
	if (!snap) {
		rc = filter_query(db, doc, q);
	} else if (!(rc = crm_query_new(q, db, &crm_contact_entity))) {
		crm_query_archived(*q, 2);
		snprintf(sql, sizeof sql, "t.id IN (SELECT contact_id FROM segment_members"
		         " WHERE segment_id = %lld)", (long long)snap);
		rc = crm_query_sql(*q, sql);
	}
	json_decref(doc);
	return rc;
}

static int count_only(void *arg, const char *const *vals)
{
	(void)arg, (void)vals;
	return CRM_OK;
}

int crm_segment_count(crm_db *db, const char *name, int64_t *n)
{
	crm_query *q;
	long count = 0;
	int rc = crm_segment_query(db, name, &q);

	if (!rc && !(rc = crm_query_fields(q, "id")))
		rc = crm_query_run(q, count_only, NULL, &count);
	crm_query_free(q);
	*n = count;
	return rc;
}

int crm_segment_rm(crm_db *db, const char *name)
{
	int64_t id = 0;
	int n, rc = crm_registry_lookup(db, "SELECT id FROM segments WHERE name = ?1", name, &id, &n);

	if (!rc && !n)
		rc = crm_error_set(CRM_ENOTFOUND, "no segment '%s'", name);
	if (!rc)
		rc = in_use(db, "SELECT id FROM campaigns WHERE segment = ?1 AND archived_at IS NULL"
		            " ORDER BY id DESC", "segment", name);
	if (!rc)
		rc = crm_db_exec_id(db, "DELETE FROM segments WHERE id = ?1", id);
	return rc ? rc : crm_audit_add(db, "segment", id, "delete", NULL);
}

/* The filters of doc as a command line would give them. */
static void filters_text(json_t *doc, crm_buf *b)
{
	size_t i;
	json_t *f;

	json_array_foreach(doc, i, f) {
		const char *v = json_string_value(json_array_get(f, 1));

		crm_buf_printf(b, "%s--%s ", i ? " " : "", json_string_value(json_array_get(f, 0)));
		if (v && !v[strcspn(v, " \t'\"\\$`")] && *v)
			crm_buf_puts(b, v);
		else {
			crm_buf_putc(b, '\'');
			for (; v && *v; v++)
				if (*v == '\'')
					crm_buf_puts(b, "'\\''");
				else
					crm_buf_putc(b, *v);
			crm_buf_putc(b, '\'');
		}
	}
}

int crm_segment_list(crm_db *db, const char *name,
                     int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *count)
{
	crm_stmt *st;
	crm_buf b = CRM_BUF_INIT;
	int rc, stop = 0;

	*count = 0;
	if ((rc = crm_db_stmt(db, &st, "SELECT id, name, filter, snapshot_at, CASE WHEN"
	                      " snapshot_at IS NOT NULL THEN (SELECT count(*) FROM segment_members"
	                      " WHERE segment_id = s.id) END, created_at FROM segments s"
	                      " WHERE ?1 IS NULL OR name = ?1 ORDER BY name")))
		return rc;
	crm_stmt_bind_text(st, 1, name);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		json_error_t err;
		json_t *doc = json_loads(crm_stmt_text(st, 2), 0, &err);
		const char *vals[CRM_SEGMENT_COLUMNS];

		crm_buf_clear(&b);
		filters_text(doc, &b);
		json_decref(doc);
		for (int i = 0; i < CRM_SEGMENT_COLUMNS; i++)
			vals[i] = crm_stmt_text(st, i);
		vals[2] = crm_buf_str(&b);
		++*count;
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	crm_buf_free(&b);
	return crm_walk_end(stop, rc);
}

/* ---- a campaign's own recipients ---- */

/* Stores in *seg the id of snapshot segment name campaign id sends to;
 * CRM_EDATA when it is a live one, whose members its filters decide. */
static int snapshot_of(crm_db *db, int64_t id, const char *name, int64_t *seg)
{
	int n, rc = crm_registry_lookup(db, "SELECT id FROM segments WHERE name = ?1"
	                                " AND snapshot_at IS NOT NULL", name, seg, &n);

	return rc ? rc : n ? CRM_OK : crm_error_set(CRM_EDATA, "campaign %lld goes to the live"
	                                            " segment '%s': its filters choose its people",
	                                            (long long)id, name);
}

/* Makes an empty snapshot segment, campaign-ID, campaign id's own. */
static int new_snapshot(crm_db *db, int64_t id, int64_t *seg)
{
	char name[40];
	crm_stmt *st;
	int rc;

	snprintf(name, sizeof name, "campaign-%lld", (long long)id);
	if ((rc = crm_db_stmt(db, &st, "INSERT INTO segments(name, filter, snapshot_at, created_at,"
	                      " updated_at) VALUES (?1, '[]', crm_now(), crm_now(), crm_now())")))
		return rc;
	crm_stmt_bind_text(st, 1, name);
	if ((rc = crm_stmt_done(st)))
		return rc;
	*seg = crm_db_last_id(db);
	if ((rc = crm_db_stmt(db, &st, "UPDATE campaigns SET segment = ?2, updated_at = crm_now()"
	                      " WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, name);
	if ((rc = crm_stmt_done(st)))
		return rc;
	return crm_audit_change(db, "campaign", id, "set", "segment", NULL, name);
}

/* Stores in *seg the snapshot segment campaign id sends to, made when it
 * names none.  A trigger's people are those of its day: it takes none. */
static int own_snapshot(crm_db *db, int64_t id, int64_t *seg)
{
	char *kind = NULL, *segment = NULL;
	int rc;

	*seg = 0;
	if (!(rc = crm_entity_exists(db, &crm_campaign_entity, id)) &&
	    !(rc = crm_db_text_of(db, "SELECT kind FROM campaigns WHERE id = ?1", id, &kind)) &&
	    !(rc = crm_db_text_of(db, "SELECT segment FROM campaigns WHERE id = ?1", id, &segment)))
		rc = kind && !strcmp(kind, "trigger")
		   ? crm_error_set(CRM_EDATA, "campaign %lld is a trigger: the people of its day are"
		                   " its recipients", (long long)id)
		   : segment ? snapshot_of(db, id, segment, seg) : new_snapshot(db, id, seg);
	free(kind);
	free(segment);
	return rc;
}

int crm_campaign_add_recipients(crm_db *db, int64_t id, const int64_t *people, size_t n,
                                int64_t *added)
{
	int64_t seg;
	crm_stmt *st;
	int rc = own_snapshot(db, id, &seg);

	*added = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if ((rc = crm_entity_exists(db, &crm_contact_entity, people[i])) ||
		    (rc = crm_db_stmt(db, &st, "INSERT OR IGNORE INTO segment_members(segment_id,"
		                      " contact_id) VALUES (?1, ?2)")))
			break;
		crm_stmt_bind_int(st, 1, seg);
		crm_stmt_bind_int(st, 2, people[i]);
		if (!(rc = crm_stmt_done(st)))
			*added += crm_db_changes(db);
	}
	return rc;
}

/* ---- templates ---- */

static const char *const specials[] = { "campaign", "unsubscribe_url", "occasion", "years", ".",
                                        NULL };

int crm_template_known(void *unused, const char *name)
{
	(void)unused;
	for (size_t i = 0; specials[i]; i++)
		if (!strcmp(name, specials[i]))
			return 1;
	if (!strncmp(name, "custom.", 7))
		return name[7] != '\0';
	if (!strncmp(name, "company.", 8))
		return crm_entity_field_find(&crm_company_entity, name + 8) != NULL;
	return crm_entity_field_find(&crm_contact_entity, name) != NULL;
}

/* SQL: whether column col and parameter p name one language, as a
 * person's is matched (in any case, '_' for '-'). */
#define SAME_LANGUAGE(col, p) \
	"replace(lower(" col "), '_', '-') = replace(lower(" p "), '_', '-')"

/* Stores in *had (malloc'd) the spelling of template name's variant in
 * language lang however spelt (pt_BR, PT-br), or NULL when it has none;
 * one there is refused unless replace. */
static int variant_of(crm_db *db, const char *name, const char *lang, int replace, char **had)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT language FROM templates WHERE name = ?1"
	                     " AND " SAME_LANGUAGE("language", "?2"));

	*had = NULL;
	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, name);
	crm_stmt_bind_text(st, 2, lang);
	if ((rc = crm_stmt_step(st)) == CRM_ROW && !(*had = strdup(crm_stmt_text(st, 0))))
		rc = crm_error_nomem();
	crm_stmt_reset(st);
	if (rc >= 0 && *had && !replace)
		rc = crm_error_set(CRM_EDATA, "template '%s'%s%s exists (--replace replaces it)",
		                   name, **had ? " in " : "", *had);
	return rc < 0 ? rc : CRM_OK;
}

int crm_template_store(crm_db *db, const struct crm_template_text *t, int replace)
{
	const char *lang = t->language ? t->language : "";
	char *had = NULL;
	crm_stmt *st;
	int rc;

	if (!good_name(t->name))
		return crm_error_set(CRM_EDATA, "invalid template name '%s' (letters, digits, '.',"
		                     " '_' and '-'; not a number)", t->name);
	if (*lang && (strlen(lang) > 35 || strspn(lang, "abcdefghijklmnopqrstuvwxyz"
	                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
	                                       != strlen(lang)))
		return crm_error_set(CRM_EUSAGE, "invalid language '%s' (a tag such as uz, ru,"
		                     " pt-BR)", lang);
	if ((rc = check_part(t->subject, "subject")) || (rc = check_part(t->from_name, "from_name")) ||
	    (rc = check_part(t->text, t->text_label)) || (rc = check_part(t->html, t->html_label)) ||
	    (rc = variant_of(db, t->name, lang, replace, &had)))
		goto done;
	/* A variant replaced takes the spelling given now. */
	if ((rc = crm_db_stmt(db, &st, had ? "UPDATE templates SET language = ?2, subject = ?3,"
	                                     " from_name = ?4, text = ?5, html = ?6,"
	                                     " updated_at = crm_now() WHERE name = ?1 AND language = ?7"
	                                   : "INSERT INTO templates(name, language, subject,"
	                                     " from_name, text, html, created_at, updated_at)"
	                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, crm_now(), crm_now())")))
		goto done;
	crm_stmt_bind_text(st, 1, t->name);
	crm_stmt_bind_text(st, 2, lang);
	crm_stmt_bind_text(st, 3, t->subject);
	crm_stmt_bind_text(st, 4, t->from_name);
	crm_stmt_bind_text(st, 5, t->text);
	crm_stmt_bind_text(st, 6, t->html);
	if (had)
		crm_stmt_bind_text(st, 7, had);
	if (!(rc = crm_stmt_done(st)))
		rc = crm_audit_change(db, "template", 0, had ? "set" : "add", "template", NULL,
		                      t->name);
done:
	free(had);
	return rc;
}

int crm_template_rm(crm_db *db, const char *name, const char *language)
{
	crm_stmt *st;
	int rc;

	/* A campaign's template goes only with its last variant kept. */
	if (!language && (rc = in_use(db, "SELECT id FROM campaigns WHERE template = ?1"
	                              " AND archived_at IS NULL ORDER BY id DESC", "template", name)))
		return rc;
	if ((rc = crm_db_stmt(db, &st, "DELETE FROM templates WHERE name = ?1"
	                      " AND (?2 IS NULL OR " SAME_LANGUAGE("language", "?2") ")")))
		return rc;
	crm_stmt_bind_text(st, 1, name);
	crm_stmt_bind_text(st, 2, language);
	if ((rc = crm_stmt_done(st)))
		return rc;
	if (!crm_db_changes(db))
		return crm_error_set(CRM_ENOTFOUND, "no template '%s'%s%s", name,
		                     language ? " in " : "", language ? language : "");
	return crm_audit_change(db, "template", 0, "delete", "template", name, NULL);
}

int crm_template_list(crm_db *db, const char *name, const char *language,
                      int (*fn)(void *arg, const char *const *vals), void *arg,
                      int64_t *count)
{
	crm_stmt *st;
	int rc, stop = 0;

	*count = 0;
	if ((rc = crm_db_stmt(db, &st, "SELECT name, language, subject, from_name, text, html,"
	                      " updated_at FROM templates WHERE (?1 IS NULL OR name = ?1)"
	                      " AND (?2 IS NULL OR " SAME_LANGUAGE("language", "?2") ")"
	                      " ORDER BY name, language")))
		return rc;
	crm_stmt_bind_text(st, 1, name);
	crm_stmt_bind_text(st, 2, language);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *vals[CRM_TEMPLATE_COLUMNS];

		for (int i = 0; i < CRM_TEMPLATE_COLUMNS; i++)
			vals[i] = crm_stmt_text(st, i);
		++*count;
		stop = fn(arg, vals);
	}
	crm_stmt_reset(st);
	return crm_walk_end(stop, rc);
}
