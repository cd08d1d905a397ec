/* registry.h - what the files declaring entities share (registry.c for
 * people and companies, deal.c, task.c): the shorthand of field tables
 * and the helpers of their resolve and reindex hooks. */
#ifndef CRM_REGISTRY_H
#define CRM_REGISTRY_H

#include "internal.h"

#define RO CRM_FIELD_RO
#define HIDDEN CRM_FIELD_HIDDEN
#define REQUIRED CRM_FIELD_REQUIRED

/* A field: its name, type, flags and --help line; the column it is stored
 * in (NULL when computed) and the SQL reading it from row alias t (NULL:
 * the column).  CHOICE is one of fixed words, REF a reference to a record
 * of entity target. */
#define FIELD(n, t, fl, h, col, ex) { { .name = n, .type = t, .flags = fl, .help = h }, col, ex }
#define CHOICE(n, fl, h, ch, col) \
	{ { .name = n, .type = CRM_FT_ENUM, .flags = fl, .help = h, .choices = ch }, col, NULL }
#define REF(n, fl, h, target, col, ex) \
	{ { .name = n, .type = CRM_FT_REF, .flags = fl, .help = h, .ref = target }, col, ex }

/* The bookkeeping fields every entity ends with. */
#define BOOKKEEPING \
	FIELD("created_at", CRM_FT_TIME, RO | CRM_FIELD_ORIGIN, "when the record was created", \
	      "created_at", NULL), \
	FIELD("updated_at", CRM_FT_TIME, RO, "when the record last changed", "updated_at", NULL), \
	FIELD("archived_at", CRM_FT_TIME, RO | HIDDEN, "when the record was archived", \
	      "archived_at", NULL)

/* Other systems' names for when they made a record (HubSpot's Create
 * Date, Salesforce's Created Date, Zoho's Created Time, Stripe's Created
 * (UTC), Copper's Date Added, WooCommerce's date_created_gmt, its UTC
 * time, read alone beside its local date_created: import.c's
 * every_beside; Pipedrive's API's add_time): its created_at, kept by an
 * import that creates it.  A
 * bare "Created" is not among them: Jira's and Stripe's API's are times
 * in forms of their own. */
#define CREATED_SYNONYMS \
	{ "createdat", "created_at" }, { "createdate", "created_at" }, \
	{ "createddate", "created_at" }, { "createdtime", "created_at" }, \
	{ "datecreated", "created_at" }, { "createdon", "created_at" }, \
	{ "creationdate", "created_at" }, { "createdutc", "created_at" }, \
	{ "dateadded", "created_at" }, { "datecreatedgmt", "created_at" }, \
	{ "addtime", "created_at" }

/* When another system last changed a record (HubSpot's and Salesforce's
 * Last Modified Date, Zoho's Modified Time, Asana's Last Modified,
 * WooCommerce's date_modified, Pipedrive's Update time, Mailchimp's
 * LAST_CHANGED): its own bookkeeping, as this toolkit's updated_at is. */
#define UPDATED_SYNONYMS \
	{ "updatedat", "@ignore" }, { "lastmodified", "@ignore" }, \
	{ "lastmodifieddate", "@ignore" }, { "lastmodifiedtime", "@ignore" }, \
	{ "modifiedtime", "@ignore" }, { "modifiedon", "@ignore" }, \
	{ "modifieddate", "@ignore" }, { "datemodified", "@ignore" }, \
	{ "datemodifiedgmt", "@ignore" }, { "updatetime", "@ignore" }, \
	{ "lastchanged", "@ignore" }

/* Microsoft Dynamics 365 exports to spreadsheets with columns for its
 * own way back ("(Do Not Modify) Row Checksum"); the one of the record's
 * id ("(Do Not Modify) Contact") each entity names. */
#define DYNAMICS_SYNONYMS \
	{ "donotmodifyrowchecksum", "@ignore" }, { "donotmodifymodifiedon", "@ignore" }

/* SQL reading the name of the person whose id the SQL id gives. */
#define CONTACT_NAME(id) \
	"(SELECT crm_name(first_name, last_name) FROM contacts WHERE id = " id ")"

/* A person's names as search finds them: as typed, then in their
 * cross-script fold, so "karimova" finds Каримова and "Xasanov" Хасанов. */
#define PERSON_NAME "crm_name(c.first_name, c.last_name)"
#define PERSON_NAME_FTS PERSON_NAME " || ' ' || crm_fold(" PERSON_NAME ")"

/* The search entry of the person a record refers to (SQL col gives the
 * id): names, their fold and email, so that a deal or ticket is found
 * by its person as the person is. */
#define PERSON_FTS(col) \
	"(SELECT trim(" PERSON_NAME_FTS " || ' ' || coalesce(c.email, '')) FROM contacts c" \
	" WHERE c.id = " col ")"

/* The deals of a person or company (column col names it): how many are
 * live, and what the open ones add up to, per currency ("12000.00 EUR,
 * 300.00 USD"): exact, needing no rate. */
#define DEAL_FIELDS(col) \
	FIELD("deals", CRM_FT_ID, RO | HIDDEN, "number of live deals", NULL, \
	      "(SELECT count(*) FROM deals WHERE " col " = t.id AND archived_at IS NULL)"), \
	FIELD("open_deals", CRM_FT_TEXT, RO | HIDDEN, "open amount of its deals, per currency", \
	      NULL, "(SELECT group_concat(crm_money(s, c), ', ') FROM (SELECT sum(amount) s," \
	      " amount_currency c FROM deals WHERE " col " = t.id AND status = 'open'" \
	      " AND archived_at IS NULL AND amount IS NOT NULL GROUP BY c ORDER BY c))")

/* The purchases of a person (column col names them): how many were made
 * (refunds and cancelled ones left out), the revenue net of refunds in
 * the base currency (each at its day's rate; one without a rate is left
 * out), and the time of the last. */
#define PURCHASE_FIELDS(col) \
	FIELD("purchases", CRM_FT_ID, RO | HIDDEN, "number of purchases", NULL, \
	      "(SELECT count(*) FROM purchases WHERE " col " = t.id AND archived_at IS NULL" \
	      " AND refund_of IS NULL AND status <> 'cancelled')"), \
	FIELD("revenue", CRM_FT_TEXT, RO | HIDDEN, "what their purchases brought, net of refunds," \
	      " in the base currency", NULL, "(SELECT crm_base_money(sum(crm_base_or_null(total," \
	      " total_currency, at))) FROM purchases WHERE " col " = t.id AND archived_at IS NULL" \
	      " AND status <> 'cancelled')"), \
	FIELD("last_purchase", CRM_FT_TIME, RO | HIDDEN, "when they last bought", NULL, \
	      "(SELECT max(at) FROM purchases WHERE " col " = t.id AND archived_at IS NULL" \
	      " AND refund_of IS NULL AND status <> 'cancelled')")

/* A person's loyalty points (the ledger's sum; crm-loyalty balance also
 * leaves out points past their expiry not yet written off) and tier. */
#define LOYALTY_FIELDS \
	FIELD("points", CRM_FT_ID, RO | HIDDEN, "loyalty points (crm-loyalty(1))", NULL, \
	      "(SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE contact_id = t.id)"), \
	FIELD("tier", CRM_FT_TEXT, RO | HIDDEN, "loyalty tier", NULL, \
	      "(SELECT nullif(tier, '') FROM loyalty_tiers WHERE contact_id = t.id" \
	      " ORDER BY at DESC, id DESC LIMIT 1)")

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Runs sql (?1 = ref) and counts the rows it returns in *n, keeping the
 * last one's id in *id: a natural key's lookup. */
int crm_registry_lookup(crm_db *db, const char *sql, const char *ref, int64_t *id, int *n);

/* Replaces the search entries in fts of the rows of table matching where
 * (?1 is arg): select reads the new entries, with %s standing for where.
 * Does nothing while a bulk write defers indexing. */
int crm_registry_reindex(crm_db *db, const char *fts, const char *table, const char *select,
                         const char *where, int64_t arg);

extern const struct crm_entity crm_deal_entity;
extern const struct crm_entity crm_task_entity;
extern const struct crm_entity crm_ticket_entity;

int crm_ticket_reindex(crm_db *db, const char *where, int64_t arg);
/* Refreshes the SLA state of the open live tickets whose column
 * ("id", "requester_id" or "company_id") is id: a tag chooses their
 * policy. */
int crm_ticket_sla_refresh_by(crm_db *db, const char *column, int64_t id);
/* 1 when ticket t missed an SLA target or a running one is past due,
 * else 0: the breached field, its filter and the service report's. */
#define CRM_TICKET_BREACHED_SQL "(t.sla_missed OR coalesce(t.sla_due < crm_now(), 0))"
extern const struct crm_entity crm_article_entity;
extern const struct crm_entity crm_response_entity;
extern const struct crm_entity crm_purchase_entity;
extern const struct crm_entity crm_campaign_entity;

int crm_campaign_reindex(crm_db *db, const char *where, int64_t arg);

int crm_purchase_reindex(crm_db *db, const char *where, int64_t arg);

/* After purchase id was moved to another person outside the write path
 * (an unmerge moving it back): its refunds follow it, and its points are
 * settled again. */
int crm_purchase_moved(crm_db *db, int64_t id);

int crm_response_reindex(crm_db *db, const char *where, int64_t arg);

#endif
