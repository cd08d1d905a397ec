/* deal.c - the deal entity: its fields and list options, and the rules a
 * write must keep (crm-deal(1)).
 *
 * A deal is in a pipeline and one of its stages, both from the
 * configuration; won and lost are outcomes (status), not stages, and a
 * closed deal keeps the stage it was closed from, so reopening puts it
 * back there.  Its probability is its stage's unless set by hand.  Each
 * write that changes what a forecast reads of a deal closes the deal's
 * open history row and starts another (deal_history, schema.c), except
 * that a closing time moves the history to it (align_closing).
 */
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/deal.h"
#include "crm/mapping.h"
#include "crm/norm.h"
#include "registry.h"

static const char *const deal_status[] = { "open", "won", "lost", NULL };
static const char *const probability_sources[] = { "stage", "manual", NULL };

static const struct crm_fielddef deal_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("title", CRM_FT_TEXT, REQUIRED, "what is being sold", "title", NULL),
	REF("contact", 0, "the person: id, email or name", "contact", "contact_id", NULL),
	REF("company", 0, "the company: id, name or domain", "company", "company_id", NULL),
	FIELD("owner", CRM_FT_TEXT, 0, "responsible user (default: the acting user)", "owner", NULL),
	FIELD("pipeline", CRM_FT_WORD, 0, "pipeline (default: the first configured)", "pipeline",
	      NULL),
	FIELD("stage", CRM_FT_WORD, 0, "stage of its pipeline (default: the first)", "stage", NULL),
	FIELD("amount", CRM_FT_MONEY, 0, "amount, e.g. '1234.50 EUR' (no code: the base currency)",
	      "amount", NULL),
	FIELD("probability", CRM_FT_PERCENT, 0, "chance of winning, 0-100 (default: the stage's)",
	      "probability", NULL),
	CHOICE("probability_source", CRM_FIELD_NOTEMPTY, "stage (the stage's probability) or manual",
	       probability_sources, "probability_source"),
	FIELD("expected_close", CRM_FT_DATE, 0, "when it should close (YYYY-MM-DD)",
	      "expected_close", NULL),
	FIELD("source", CRM_FT_TEXT, 0, "where the deal came from", "source", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "open, won or lost", deal_status, "status"),
	FIELD("lost_reason", CRM_FT_TEXT, 0, "why it was lost", "lost_reason", NULL),
	FIELD("closed_at", CRM_FT_TIME, 0, "when it was won or lost (default: when marked so)",
	      "closed_at", NULL),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("stage_since", CRM_FT_TIME, RO | HIDDEN, "when it entered its stage or outcome",
	      "stage_at", NULL),
	FIELD("snoozed_until", CRM_FT_DATE, HIDDEN, "not stale before this day", "snoozed_until",
	      NULL),
	FIELD("snooze_reason", CRM_FT_TEXT, HIDDEN, "why it is snoozed", "snooze_reason", NULL),
	FIELD("contact_name", CRM_FT_TEXT, RO | HIDDEN, "the person's name", NULL,
	      CONTACT_NAME("t.contact_id")),
	FIELD("contact_id", CRM_FT_ID, RO | HIDDEN, "contact record id", "contact_id", NULL),
	FIELD("company_id", CRM_FT_ID, RO | HIDDEN, "company record id", "company_id", NULL),
	BOOKKEEPING,
};

/* The last sign of life of a deal: entering its stage, a note, a task
 * finished. */
#define LAST_ACTIVITY \
	"max(coalesce(t.stage_at, t.created_at)," \
	" coalesce((SELECT max(at) FROM deal_notes WHERE deal_id = t.id), '')," \
	" coalesce((SELECT max(done_at) FROM tasks WHERE deal_id = t.id AND status = 'done'), ''))"

static const struct crm_option deal_options[] = {
	{ "open", NULL, "only open deals", "t.status = 'open'" },
	{ "won", NULL, "only won deals", "t.status = 'won'" },
	{ "lost", NULL, "only lost deals", "t.status = 'lost'" },
	{ "closing-before", "DATE", "only open deals expected to close before DATE",
	  "t.status = 'open' AND t.expected_close < ?" },
	{ "stale", NULL, "only open deals idle longer than their stage's rot_days (no stage"
	  " change, note or finished task), snoozed ones left out",
	  "t.status = 'open' AND coalesce(t.snoozed_until, '') <= substr(crm_now(), 1, 10)"
	  " AND crm_stage(t.pipeline, t.stage, 'rot_days') > 0"
	  " AND julianday(crm_now()) - julianday(" LAST_ACTIVITY ")"
	  " > crm_stage(t.pipeline, t.stage, 'rot_days')" },
	{ "no-next-step", NULL, "only open deals without an open task",
	  "t.status = 'open' AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.deal_id = t.id"
	  " AND k.status = 'open' AND k.archived_at IS NULL)" },
	{ NULL, NULL, NULL, NULL }
};

static const char *const deal_filters[] = { "pipeline", "stage", "owner", "contact", "company",
	                                    NULL };

/* Headers of Pipedrive's and HubSpot's deal exports, crm_column_key()
 * form. */
static const struct crm_synonym deal_synonyms[] = {
	{ "dealname", "title" }, { "name", "title" }, { "deal", "title" }, { "dealtitle", "title" },
	{ "dealstage", "stage" }, { "stagename", "stage" },
	{ "value", "amount" }, { "dealvalue", "amount" }, { "dealamount", "amount" },
	{ "amountincompanycurrency", "@ignore" },
	{ "currency", "@currency" }, { "dealcurrency", "@currency" },
	{ "currencyofvalue", "@currency" }, { "dealcurrencycode", "@currency" },
	{ "dealcurrencyofvalue", "@currency" }, { "dealorganization", "company" },
	{ "dealcontactperson", "contact" }, { "dealexpectedclosedate", "expected_close" },
	{ "deallostreason", "lost_reason" },
	{ "closedate", "expected_close" }, { "expectedclosedate", "expected_close" },
	{ "expectedclose", "expected_close" },
	{ "dealowner", "owner" }, { "owneruser", "owner" }, { "dealpipeline", "pipeline" },
	{ "contactperson", "contact" }, { "person", "contact" }, { "associatedcontact", "contact" },
	{ "contactemail", "contact" }, { "personemail", "contact" },
	{ "organization", "company" }, { "organisation", "company" },
	{ "organizationname", "company" }, { "associatedcompany", "company" },
	{ "companyname", "company" }, { "account", "company" }, { "accountname", "company" },
	{ "dealprobability", "probability" }, { "winprobability", "probability" },
	{ "dealstatus", "status" }, { "lostreason", "lost_reason" },
	{ "closedlostreason", "lost_reason" }, { "wontime", "closed_at" },
	{ "losttime", "closed_at" }, { "closedtime", "closed_at" }, { "closedat", "closed_at" },
	{ "dealsource", "source" }, { "originalsource", "source" }, { "leadsource", "source" },
	{ "label", "tags" }, { "labels", "tags" }, { "tag", "tags" },
	{ "note", "@note" }, { "notes", "@note" }, { "description", "@note" },
	{ "dealdescription", "@note" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "archivedat", "@ignore" },
	{ "dealcreated", "created_at" }, { "dealdealcreated", "created_at" },
	{ "dealupdatetime", "@ignore" },
	/* Pipedrive's closing times under "Deal - "; Salesforce's and
	 * Zoho's opportunities and deals ("Opportunity Name", "Closing
	 * Date"). */
	{ "dealwontime", "closed_at" }, { "deallosttime", "closed_at" },
	{ "dealclosetime", "closed_at" }, { "opportunityname", "title" },
	{ "opportunityowner", "owner" }, { "amountcurrency", "@currency" },
	{ "opportunitycurrency", "@currency" }, { "closingdate", "expected_close" },
	{ "contactname", "contact" }, { "lossreason", "lost_reason" },
	{ "probabilitypercent", "probability" },
	{ "recordid", SOURCE_ID }, { "dealid", SOURCE_ID }, { "opportunityid", SOURCE_ID },
	/* Pipedrive's API's deals: the person an object (person_id.email,
	 * one primary), the organization's and owner's names beside their
	 * ids, when closed. */
	{ "personidemail", "contact" }, { "orgname", "company" }, { "ownername", "owner" },
	{ "closetime", "closed_at" },
	/* Dynamics 365's opportunities ("Est. Revenue"). */
	DYNAMICS_SYNONYMS, { "donotmodifyopportunity", SOURCE_ID }, { "topic", "title" },
	{ "estrevenue", "amount" }, { "estclosedate", "expected_close" },
	{ "estimatedrevenue", "amount" }, { "estimatedclosedate", "expected_close" },
	{ NULL, NULL }
};

int crm_deal_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "deals_fts", "deals",
		"INSERT INTO deals_fts(rowid, title, contact, company, notes)"
		" SELECT d.id, d.title,"
		" " PERSON_FTS("d.contact_id") ","
		" (SELECT name FROM companies WHERE id = d.company_id),"
		" (SELECT group_concat(body, ' ') FROM deal_notes WHERE deal_id = d.id)"
		" FROM deals d WHERE %s", where, arg);
}

/* A deal is named by its id, or by a title no other live deal has. */
static int deal_resolve(crm_db *db, const char *ref, int64_t *id)
{
	int n, rc = crm_registry_lookup(db, "SELECT id FROM deals WHERE title = ?1"
	                                " AND archived_at IS NULL", ref, id, &n);

	if (!rc && n == 0)
		rc = crm_error_set(CRM_ENOTFOUND, "no deal '%s' (give its id or exact title)", ref);
	if (!rc && n > 1)
		rc = crm_error_set(CRM_EDATA, "deal title '%s' is ambiguous; use its id", ref);
	return rc;
}

/* What the rules of a write read and settle of a deal; strings owned. */
struct deal {
	char *pipeline, *stage, *status, *source, *reason, *closed_at, *stage_at, *expected;
	char *created;
	int64_t probability; /* -1: none */
};

/* The deal's history row still open: where it stood before this write. */
struct was {
	char *pipeline, *stage, *status, *closed_at;
	int found;
};

static void deal_free(struct deal *d, struct was *w)
{
	free(d->pipeline), free(d->stage), free(d->status), free(d->source);
	free(d->reason), free(d->closed_at), free(d->stage_at), free(d->expected);
	free(d->created);
	free(w->pipeline), free(w->stage), free(w->status), free(w->closed_at);
}

static char *dup_col(crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);

	return s ? strdup(s) : NULL;
}

/* What a forecast reads of a deal, as one text to compare rows by. */
#define STATE_SQL(a) \
	"json_array(" a "pipeline, " a "stage, " a "status, " a "amount, " a "amount_currency, " \
	a "probability, " a "expected_close, " a "owner, " a "closed_at)"

static int load(crm_db *db, int64_t id, struct deal *d, struct was *w)
{
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_stmt(db, &st, "SELECT pipeline, stage, status, probability_source,"
	                      " lost_reason, closed_at, stage_at, probability, expected_close,"
	                      " created_at FROM deals"
	                      " WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		d->pipeline = dup_col(st, 0), d->stage = dup_col(st, 1), d->status = dup_col(st, 2);
		d->source = dup_col(st, 3), d->reason = dup_col(st, 4), d->closed_at = dup_col(st, 5);
		d->stage_at = dup_col(st, 6), d->expected = dup_col(st, 8);
		d->created = dup_col(st, 9);
		d->probability = crm_stmt_kind(st, 7) == CRM_KIND_NULL ? -1 : crm_stmt_int(st, 7);
	}
	crm_stmt_reset(st);
	if (rc < 0 || (rc = crm_db_stmt(db, &st, "SELECT pipeline, stage, status, closed_at"
	                                " FROM deal_history WHERE deal_id = ?1 AND left_at IS NULL")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		w->found = 1;
		w->pipeline = dup_col(st, 0), w->stage = dup_col(st, 1), w->status = dup_col(st, 2);
		w->closed_at = dup_col(st, 3);
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Replaces *slot with a copy of s (NULL allowed). */
static int put(char **slot, const char *s)
{
	char *c = s ? strdup(s) : NULL;

	if (s && !c)
		return crm_error_nomem();
	free(*slot);
	*slot = c;
	return CRM_OK;
}

/* Lists the names of the n items of size `size` at base (name first) as
 * "a, b, c" into b. */
static void names_of(crm_buf *b, const void *base, size_t n, size_t size)
{
	for (size_t i = 0; i < n; i++)
		crm_buf_printf(b, "%s%s", i ? ", " : "",
		               *(const char *const *)(const void *)((const char *)base + i * size));
}

static int find_pipeline(crm_db *db, const char *name, const struct crm_pipeline **out)
{
	const struct crm_pipeline *p;
	size_t n = crm_config_pipelines(db->cfg, &p);
	crm_buf b = CRM_BUF_INIT;
	int rc;

	if ((*out = crm_config_pipeline(db->cfg, name)))
		return CRM_OK;
	names_of(&b, p, n, sizeof *p);
	rc = crm_error_set(CRM_EDATA, "pipeline: no pipeline '%s' (pipelines: %s)", name,
	                   crm_buf_str(&b));
	crm_buf_free(&b);
	return rc;
}

/* Exports write outcomes as stages ("Closed Won"): returns the status a
 * stage name means, or NULL for a real stage. */
static const char *outcome_of(const char *stage)
{
	static const char *const words[][2] = {
		{ "won", "won" }, { "closedwon", "won" }, { "lost", "lost" }, { "closedlost", "lost" }
	};
	char key[64];

	crm_column_key(key, sizeof key, stage);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(key, words[i][0]))
			return words[i][1];
	return NULL;
}

/* The stage outcome names a deal closed from: the stage it was in. */
static int close_from_stage(struct deal *d, const struct was *w, const crm_record *r,
                            const struct crm_pipeline *p, const char *outcome)
{
	int rc = CRM_OK;

	if (!crm_record_has(r, "status"))
		rc = put(&d->status, outcome);
	if (!rc)
		rc = put(&d->stage, w->found && !strcmp(w->pipeline, p->name) ? w->stage
		                    : p->stages[p->nstages - 1].name);
	return rc;
}

/* Settles pipeline and stage: defaults, the configured spelling, and
 * outcomes written as stages.  A deal whose pipeline or stage the
 * configuration no longer names keeps it until either is written; *pp
 * is then NULL, or the stage's pipeline. */
static int settle_stage(crm_db *db, struct deal *d, const struct was *w, const crm_record *r,
                        const struct crm_pipeline **pp)
{
	const struct crm_pipeline *p = NULL;
	const struct crm_stage *s;
	const char *outcome = d->stage ? outcome_of(d->stage) : NULL;
	int moved = crm_record_has(r, "pipeline") || crm_record_has(r, "stage");
	crm_buf b = CRM_BUF_INIT;
	int rc;

	*pp = NULL;
	if (!moved && d->pipeline && !crm_config_pipeline(db->cfg, d->pipeline))
		return CRM_OK;
	if ((rc = find_pipeline(db, d->pipeline, &p)) || (rc = put(&d->pipeline, p->name)))
		return rc;
	*pp = p;
	if (outcome && (rc = close_from_stage(d, w, r, p, outcome)))
		return rc;
	if (!d->stage)
		return put(&d->stage, p->stages[0].name);
	if ((s = crm_pipeline_stage(p, d->stage)))
		return put(&d->stage, s->name);
	if (!crm_record_has(r, "stage") && crm_record_has(r, "pipeline"))
		return put(&d->stage, p->stages[0].name);
	if (!moved)
		return CRM_OK;
	names_of(&b, p->stages, p->nstages, sizeof *p->stages);
	rc = crm_error_set(CRM_EDATA, "stage: no stage '%s' in pipeline '%s' (stages: %s)",
	                   d->stage, p->name, crm_buf_str(&b));
	crm_buf_free(&b);
	return rc;
}

/* A lost deal needs a reason, one of the configured ones when there are. */
static int settle_reason(crm_db *db, struct deal *d)
{
	const char *const *reasons = crm_config_lost_reasons(db->cfg);
	const char *reason;
	crm_buf b = CRM_BUF_INIT;
	size_t n;
	int rc;

	if (strcmp(d->status, "lost"))
		return put(&d->reason, NULL);
	if (!d->reason || !d->reason[strspn(d->reason, " \t")])
		return crm_error_set(CRM_EDATA, "lost_reason: a lost deal needs a reason"
		                     " (crm-deal lost ID --reason TEXT)");
	if (!reasons)
		return CRM_OK;
	if ((reason = crm_config_lost_reason(db->cfg, d->reason)))
		return put(&d->reason, reason);
	for (n = 0; reasons[n]; n++)
		;
	names_of(&b, reasons, n, sizeof *reasons);
	rc = crm_error_set(CRM_EDATA, "lost_reason: '%s' is not one of the reasons configured"
	                   " (%s)", d->reason, crm_buf_str(&b));
	crm_buf_free(&b);
	return rc;
}

/* When a closed deal closed, unless given: a deal still closed the same
 * way keeps its time (an import that clears it changes nothing); one
 * imported closed closed when it was expected to, if that has passed
 * (HubSpot's close date is both); otherwise now.  It is kept as a time,
 * a day's at midnight UTC, as every time is.  A deal closed at an
 * earlier time (an import) entered its outcome then, so *entered moves
 * back. */
/* dated: the write is another system's record of the deal (an import)
 * giving its close date, which a closing with no time takes. */
static int settle_closed(struct deal *d, const struct was *w, int closed, int dated,
                         char entered[CRM_TIME_LEN])
{
	const char *when = entered;
	char t[CRM_TIME_LEN];
	int rc;

	if (!closed)
		return put(&d->closed_at, NULL);
	/* Won turned lost, or lost won, without a time given: closed now, as
	 * marked; the earlier outcome keeps its stretch of the history. */
	if (w->found && w->closed_at && d->closed_at && strcmp(w->status, d->status) &&
	    !strcmp(w->closed_at, d->closed_at) && (rc = put(&d->closed_at, NULL)))
		return rc;
	if (!d->closed_at) {
		if (w->found && w->closed_at && !strcmp(w->status, d->status))
			when = w->closed_at;
		else if ((!w->found || dated) && d->expected && strcmp(d->expected, entered) < 0)
			when = d->expected;
		if ((rc = put(&d->closed_at, when)))
			return rc;
	}
	if (!crm_time_parse(t, d->closed_at, 0) && (rc = put(&d->closed_at, t)))
		return rc;
	if ((!w->found || strcmp(w->status, d->status)) && strcmp(d->closed_at, entered) < 0)
		snprintf(entered, CRM_TIME_LEN, "%s", d->closed_at);
	return CRM_OK;
}

/* Settles the outcome, the probability and when the deal entered its
 * stage; *entered receives the time the new state began. */
/* Whether the deal is new or in another pipeline, stage or status now. */
static int moved_p(const struct deal *d, const struct was *w)
{
	return !w->found || strcmp(w->pipeline, d->pipeline) || strcmp(w->stage, d->stage) ||
	       strcmp(w->status, d->status);
}

static int settle(crm_db *db, struct deal *d, const struct was *w, const crm_record *r,
                  const struct crm_pipeline *p, char entered[CRM_TIME_LEN])
{
	const struct crm_stage *st;
	int closed = strcmp(d->status, "open") != 0;
	int rc = settle_reason(db, d);

	crm_db_now(db, entered);
	if (!rc)
		rc = settle_closed(d, w, closed, db->batch && crm_record_value(r, "expected_close"),
		                   entered);
	if (rc)
		return rc;
	/* A deal another system made earlier (an import) was open since. */
	if (!closed && !w->found && d->created && strcmp(d->created, entered) < 0)
		snprintf(entered, CRM_TIME_LEN, "%s", d->created);
	/* A probability given makes it manual, unless the source is given too
	 * (as in the toolkit's own output, imported back) or it is put back
	 * (an undo, whose source, unchanged, is not among the changes). */
	if (crm_record_has(r, "probability") && !crm_record_has(r, "probability_source") &&
	    !crm_record_is_restoring(r))
		rc = put(&d->source, crm_record_value(r, "probability") ? "manual" : "stage");
	/* A stage the configuration no longer names keeps its probability. */
	if (!rc && !strcmp(d->source, "stage") && p && (st = crm_pipeline_stage(p, d->stage)))
		d->probability = st->probability;
	if (!rc && moved_p(d, w))
		rc = put(&d->stage_at, entered);
	return rc;
}

static int store(crm_db *db, int64_t id, const struct deal *d)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "UPDATE deals SET pipeline = ?2, stage = ?3, status = ?4,"
	                     " probability_source = ?5, lost_reason = ?6, closed_at = ?7,"
	                     " stage_at = ?8, probability = ?9 WHERE id = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, d->pipeline);
	crm_stmt_bind_text(st, 3, d->stage);
	crm_stmt_bind_text(st, 4, d->status);
	crm_stmt_bind_text(st, 5, d->source);
	crm_stmt_bind_text(st, 6, d->reason);
	crm_stmt_bind_text(st, 7, d->closed_at);
	crm_stmt_bind_text(st, 8, d->stage_at);
	if (d->probability >= 0)
		crm_stmt_bind_int(st, 9, d->probability);
	else
		crm_stmt_bind_null(st, 9);
	return crm_stmt_done(st);
}

/* Ends the open history row and starts another when what a forecast
 * reads of the deal changed (or it has none yet). */
static int record_history(crm_db *db, int64_t id, const char *entered)
{
	crm_stmt *st;
	int rc;

	if ((rc = crm_db_stmt(db, &st, "UPDATE deal_history SET left_at = ?2"
	                      " WHERE deal_id = ?1 AND left_at IS NULL AND " STATE_SQL("")
	                      " IS NOT (SELECT " STATE_SQL("d.") " FROM deals d WHERE d.id = ?1)")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, entered);
	if ((rc = crm_stmt_done(st)) ||
	    (rc = crm_db_stmt(db, &st, "INSERT INTO deal_history(deal_id, pipeline, stage, status,"
	                      " amount, amount_currency, probability, expected_close, owner,"
	                      " closed_at, entered_at, user) SELECT id, pipeline, stage, status,"
	                      " amount, amount_currency, probability, expected_close, owner,"
	                      " closed_at, ?2, ?3 FROM deals WHERE id = ?1 AND NOT EXISTS"
	                      " (SELECT 1 FROM deal_history WHERE deal_id = ?1 AND left_at IS NULL)")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, entered);
	crm_stmt_bind_text(st, 3, crm_db_user(db));
	return crm_stmt_done(st);
}

/* A deal another system made and brings here closed (an import of its
 * history) was open from its creation until it closed: a row of that,
 * before the outcome's, so that a pipeline as of a day between has it. */
static int open_before(crm_db *db, int64_t id, const char *created, const char *closed)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO deal_history(deal_id, pipeline, stage, status,"
	                     " amount, amount_currency, probability, expected_close, owner,"
	                     " closed_at, entered_at, left_at, user) SELECT id, pipeline, stage, 'open',"
	                     " amount, amount_currency, probability, expected_close, owner,"
	                     " NULL, ?2, ?3, ?4 FROM deals WHERE id = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, created);
	crm_stmt_bind_text(st, 3, closed);
	crm_stmt_bind_text(st, 4, crm_db_user(db));
	return crm_stmt_done(st);
}

/* A closed deal entered its outcome when it closed, and reports read
 * the history at a period's end: so when a write closes a deal at an
 * earlier time, or moves its closing time, the history moves with it.
 * Its stretch in the outcome begins at at (the closing time, or now for
 * one still to come), its rows taking the closing time; the rows before
 * end no later than at, the last of them then.  What the history held
 * on the wrong side of at shrinks to nothing there. */
static int align_closing(crm_db *db, int64_t id, const struct deal *d, const char *at)
{
	static const char *const sql[] = {
		"UPDATE deal_history SET closed_at = ?2, entered_at = CASE WHEN id = (SELECT min(id)"
		" FROM deal_history WHERE deal_id = ?1 AND id > ?4) THEN ?3"
		" ELSE max(entered_at, ?3) END, left_at = max(left_at, ?3)"
		" WHERE deal_id = ?1 AND id > ?4",
		/* An open row left is the one the write closes, at at. */
		"UPDATE deal_history SET entered_at = min(entered_at, ?3),"
		" left_at = CASE WHEN id = ?4 AND left_at IS NOT NULL THEN ?3 ELSE min(left_at, ?3) END"
		" WHERE deal_id = ?1 AND id <= ?4",
	};
	crm_stmt *st;
	int64_t before = 0;
	int rc = crm_db_stmt(db, &st, "SELECT coalesce(max(id), 0) FROM deal_history"
	                     " WHERE deal_id = ?1 AND status IS NOT ?2");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, d->status);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		before = crm_stmt_int(st, 0);
	crm_stmt_reset(st);
	for (size_t i = 0; rc >= 0 && i < sizeof sql / sizeof *sql; i++) {
		if ((rc = crm_db_stmt(db, &st, sql[i])))
			return rc;
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_text(st, 2, d->closed_at);
		crm_stmt_bind_text(st, 3, at);
		crm_stmt_bind_int(st, 4, before);
		rc = crm_stmt_done(st);
	}
	return rc < 0 ? rc : CRM_OK;
}

/* Whether the write closed the deal at an earlier time than now, or
 * moved its closing time; at receives when its outcome began (so did
 * its stage_since). */
static int closing_moved(crm_db *db, const struct deal *d, const struct was *w,
                         const char *entered, char at[CRM_TIME_LEN])
{
	crm_db_now(db, at);
	if (!w->found || !strcmp(d->status, "open"))
		return 0;
	if (strcmp(w->status, d->status))
		return strcmp(entered, at) < 0 ? (snprintf(at, CRM_TIME_LEN, "%s", entered), 1) : 0;
	if (w->closed_at && !strcmp(w->closed_at, d->closed_at))
		return 0;
	if (strcmp(d->closed_at, at) < 0)
		snprintf(at, CRM_TIME_LEN, "%s", d->closed_at);
	return 1;
}

/* An undo putting back what an import's update changed: the history row
 * the update opened goes and the one it closed is open again, when that
 * one's state is the deal's again; a move undone puts stage_at back to
 * when the deal entered that stage.  *done says whether it did (else
 * the history goes on as for any change). */
static int unwind_history(crm_db *db, int64_t id, int moved, int *done)
{
	crm_stmt *st;
	int64_t open = 0, before = 0;
	int rc = crm_db_stmt(db, &st, "SELECT l.id, p.id FROM deal_history l JOIN deal_history p"
	                     " ON p.id = (SELECT max(id) FROM deal_history WHERE deal_id = ?1"
	                     " AND id < l.id) WHERE l.deal_id = ?1 AND l.left_at IS NULL"
	                     " AND p.left_at = l.entered_at AND " STATE_SQL("p.")
	                     " = (SELECT " STATE_SQL("d.") " FROM deals d WHERE d.id = ?1)");

	*done = 0;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW)
		open = crm_stmt_int(st, 0), before = crm_stmt_int(st, 1);
	crm_stmt_reset(st);
	if (rc < 0 || !open)
		return rc < 0 ? rc : CRM_OK;
	if ((rc = crm_db_exec_id(db, "DELETE FROM deal_history WHERE id = ?1", open)) ||
	    (rc = crm_db_exec_id(db, "UPDATE deal_history SET left_at = NULL WHERE id = ?1", before)))
		return rc;
	*done = 1;
	/* The first row of the stretch in this pipeline, stage and status. */
	if (!moved || (rc = crm_db_stmt(db, &st, "UPDATE deals SET stage_at = (SELECT"
	                                " min(h.entered_at) FROM deal_history h, deal_history p"
	                                " WHERE p.id = ?2 AND h.deal_id = ?1 AND h.id <= p.id"
	                                " AND h.id > coalesce((SELECT max(x.id) FROM deal_history x"
	                                " WHERE x.deal_id = ?1 AND x.id < p.id AND (x.pipeline,"
	                                " x.stage, x.status) IS NOT (p.pipeline, p.stage, p.status)),"
	                                " 0)) WHERE id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_int(st, 2, before);
	return crm_stmt_done(st);
}

/* What a deal's state refuses: a move of a deal that was closed and
 * stays so, which keeps the stage it closed from for reopen to put it
 * back in (an undo may put one back); and a closing time for one left
 * open, which would be dropped without a word. */
static int check_write(const struct deal *d, const struct was *w, const crm_record *r,
                       int64_t id, int adding)
{
	const char *v = crm_record_value(r, "closed_at");

	if (!adding && w->found && strcmp(w->status, "open") && strcmp(d->status, "open") &&
	    (strcmp(w->pipeline, d->pipeline) || strcmp(w->stage, d->stage)) &&
	    !crm_record_is_restoring(r))
		return crm_error_set(CRM_EDATA, "deal %lld is %s; reopen it first", (long long)id,
		                     w->status);
	if (strcmp(d->status, "open") || !v || !v[strspn(v, " \t")])
		return CRM_OK;
	if (adding)
		return crm_error_set(CRM_EDATA, "closed_at: the deal is open; only a won or lost deal"
		                     " has a closing time");
	return crm_error_set(CRM_EDATA, "closed_at: deal %lld is open; only a won or lost deal"
	                     " has a closing time", (long long)id);
}

static int deal_after_write(crm_db *db, int64_t id, const crm_record *r,
                            int adding)
{
	struct deal d = { 0 };
	struct was w = { 0 };
	const struct crm_pipeline *p = NULL;
	char entered[CRM_TIME_LEN] = "", at[CRM_TIME_LEN];
	int rc = load(db, id, &d, &w), unwound = 0, closing = 0;

	if (!rc && (!d.status || !d.source))
		rc = crm_error_nomem();
	if (!rc)
		rc = settle_stage(db, &d, &w, r, &p);
	if (!rc)
		rc = check_write(&d, &w, r, id, adding);
	if (!rc)
		rc = settle(db, &d, &w, r, p, entered);
	if (!rc && (closing = closing_moved(db, &d, &w, entered, at)))
		rc = put(&d.stage_at, at);
	if (!rc)
		rc = store(db, id, &d);
	if (!rc && !adding && crm_record_is_restoring(r))
		rc = unwind_history(db, id, moved_p(&d, &w), &unwound);
	if (!rc && closing)
		rc = align_closing(db, id, &d, at);
	if (!rc && adding && strcmp(d.status, "open") && d.created && strcmp(d.created, entered) < 0)
		rc = open_before(db, id, d.created, entered);
	if (!rc && !unwound)
		rc = record_history(db, id, entered);
	if (!rc)
		rc = crm_deal_reindex(db, "id = ?1", id);
	deal_free(&d, &w);
	return rc;
}

/* Zoho's Contact Name is the deal's person; beside a contact column, as
 * in this toolkit's own listing, contact_name is that person's name,
 * which the contact column already gives. */
static const struct crm_beside deal_beside[] = {
	{ "contactname", "contact", NULL },
	{ NULL, NULL, NULL }
};

const struct crm_entity crm_deal_entity = {
	.name = "deal", .table = "deals", .custom_table = "deal_custom", .custom_fk = "deal_id",
	.fts = "deals_fts", .join = "",
	.defs = deal_fields, .nfields = NFIELDS(deal_fields),
	.after_write = deal_after_write, .synonyms = deal_synonyms, .reindex = crm_deal_reindex,
	.tag_table = "deal_tags", .note_table = "deal_notes",
	.default_key = "id," SOURCE_ID, .filters = deal_filters, .options = deal_options,
	.resolve = deal_resolve, .label = "r.title", .beside = deal_beside,
};

/* One stretch of the history: rows in a row with one stage or outcome. */
struct stretch {
	crm_buf what, pipeline, entered, left, user;
	int open; /* still there */
};

static int emit_stretch(crm_db *db, struct stretch *s,
                        int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char now[CRM_TIME_LEN], days[32];
	int64_t a, b;
	const char *vals[CRM_HISTORY_COLUMNS];

	crm_db_now(db, now);
	if (crm_time_parse_epoch(&a, crm_buf_str(&s->entered), 0) ||
	    crm_time_parse_epoch(&b, s->open ? now : crm_buf_str(&s->left), 0))
		days[0] = '\0';
	else
		snprintf(days, sizeof days, "%.1f", (double)(b - a) / 86400.0);
	vals[0] = crm_buf_str(&s->what);
	vals[1] = crm_buf_str(&s->pipeline);
	vals[2] = crm_buf_str(&s->entered);
	vals[3] = s->open ? "" : crm_buf_str(&s->left);
	vals[4] = days;
	vals[5] = crm_buf_str(&s->user);
	return fn(arg, vals);
}

int crm_deal_history(crm_db *db, int64_t id, int (*fn)(void *arg, const char *const *vals),
                     void *arg)
{
	struct stretch s = { CRM_BUF_INIT, CRM_BUF_INIT, CRM_BUF_INIT, CRM_BUF_INIT, CRM_BUF_INIT, 0 };
	crm_stmt *st;
	int rc, stop = 0, have = 0;

	if ((rc = crm_entity_exists(db, &crm_deal_entity, id)) ||
	    (rc = crm_db_stmt(db, &st, "SELECT CASE status WHEN 'open' THEN stage ELSE status END,"
	                      " pipeline, entered_at, left_at, user FROM deal_history"
	                      " WHERE deal_id = ?1 ORDER BY entered_at, id")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *what = crm_stmt_text(st, 0), *pipeline = crm_stmt_text(st, 1);

		if (have && (strcmp(what, crm_buf_str(&s.what)) ||
		             strcmp(pipeline, crm_buf_str(&s.pipeline)))) {
			stop = emit_stretch(db, &s, fn, arg);
			have = 0;
		}
		if (!have) {
			crm_buf_clear(&s.what), crm_buf_puts(&s.what, what);
			crm_buf_clear(&s.pipeline), crm_buf_puts(&s.pipeline, pipeline);
			crm_buf_clear(&s.entered), crm_buf_puts(&s.entered, crm_stmt_text(st, 2));
			crm_buf_clear(&s.user), crm_buf_puts(&s.user, crm_stmt_text(st, 4));
			have = 1;
		}
		s.open = crm_stmt_kind(st, 3) == CRM_KIND_NULL;
		crm_buf_clear(&s.left);
		crm_buf_puts(&s.left, s.open ? "" : crm_stmt_text(st, 3));
	}
	crm_stmt_reset(st);
	if (!stop && rc == CRM_DONE && have)
		stop = emit_stretch(db, &s, fn, arg);
	crm_buf_free(&s.what), crm_buf_free(&s.pipeline), crm_buf_free(&s.entered);
	crm_buf_free(&s.left), crm_buf_free(&s.user);
	return crm_walk_end(stop, rc);
}
