/* schema.c - the database schema, as the list of steps that build it.
 *
 * Step i takes a file from schema version i to i+1; a new version appends a
 * step and never edits an old one, so every file migrates the same way.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char step1[] =
	"CREATE TABLE companies ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL, name_key TEXT,"
	" domain TEXT, industry TEXT, size TEXT,"
	" phone TEXT, phone_e164 TEXT, website TEXT,"
	" city TEXT, country TEXT, owner TEXT,"
	" archived_at TEXT,"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX companies_name_key ON companies(name_key);"
	"CREATE INDEX companies_domain ON companies(domain);"
	"CREATE TABLE company_custom ("
	" company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (company_id, key)) WITHOUT ROWID;"
	"CREATE TABLE contacts ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" first_name TEXT, last_name TEXT, name_key TEXT,"
	" email TEXT, email_norm TEXT, email_key TEXT,"
	" phone TEXT, phone_e164 TEXT,"
	" company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,"
	" title TEXT, street TEXT, city TEXT, region TEXT, postal_code TEXT,"
	" country TEXT, birth_date TEXT, language TEXT, source TEXT, owner TEXT,"
	/* The sorted tags, kept with the row so listing reads no other table;
	 * contact_tags is the source of truth and serves --tag. */
	" tags TEXT,"
	" status TEXT NOT NULL DEFAULT 'lead'"
	"  CHECK (status IN ('lead','prospect','customer','inactive')),"
	" archived_at TEXT, erased_at TEXT,"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	/* Two live people cannot share an address; archived ones may. */
	"CREATE UNIQUE INDEX contacts_email_live ON contacts(email_norm)"
	" WHERE archived_at IS NULL;"
	"CREATE INDEX contacts_email_key ON contacts(email_key);"
	"CREATE INDEX contacts_phone ON contacts(phone_e164);"
	"CREATE INDEX contacts_name_key ON contacts(name_key);"
	"CREATE INDEX contacts_company ON contacts(company_id);"
	"CREATE INDEX contacts_created ON contacts(created_at);"
	"CREATE INDEX contacts_updated ON contacts(updated_at);"
	"CREATE TABLE contact_custom ("
	" contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (contact_id, key)) WITHOUT ROWID;"
	"CREATE TABLE contact_tags ("
	" contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (contact_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX contact_tags_tag ON contact_tags(tag, contact_id);"
	"CREATE TABLE interactions ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL"
	"  CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX interactions_contact ON interactions(contact_id, at);"
	"CREATE TABLE consents ("
	" contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	" channel TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('granted','denied','withdrawn')),"
	" source TEXT, at TEXT NOT NULL,"
	" PRIMARY KEY (contact_id, channel)) WITHOUT ROWID;"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL, user TEXT NOT NULL, program TEXT NOT NULL,"
	" entity TEXT NOT NULL, entity_id INTEGER NOT NULL,"
	" action TEXT NOT NULL, changes TEXT);"
	"CREATE INDEX audit_entity ON audit(entity, entity_id, seq);"
	"CREATE INDEX audit_at ON audit(at);"
	/* Search keys are accent- and case-free through the tokenizer. */
	"CREATE VIRTUAL TABLE contacts_fts USING fts5("
	" name, email, phone, company, notes,"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE companies_fts USING fts5("
	" name, domain, industry, city, website,"
	" tokenize = 'unicode61 remove_diacritics 2');";

/* Imports are batches: each remembers its source and counts, and the audit
 * entries it wrote carry its id, so they double as its undo journal. */
static const char step2[] =
	"CREATE TABLE import_batches ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL, user TEXT NOT NULL, entity TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" read INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,"
	" updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,"
	" skipped INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,"
	" undone_at TEXT);"
	/* Deferred: an import writes its batch row last, knowing its counts. */
	"ALTER TABLE audit ADD COLUMN batch INTEGER REFERENCES import_batches(id)"
	" DEFERRABLE INITIALLY DEFERRED;"
	"CREATE INDEX audit_batch ON audit(batch, seq) WHERE batch IS NOT NULL;";

/* Merges of duplicate people: each keeps, as JSON, everything the merge
 * changed or removed, so that unmerging restores it exactly; last_seq is
 * the newest audit entry the merge wrote, to tell later changes apart. */
static const char step3[] =
	"CREATE TABLE merges ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at TEXT NOT NULL, user TEXT NOT NULL,"
	" survivor INTEGER NOT NULL, merged TEXT NOT NULL,"
	" journal TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0,"
	" undone_at TEXT);"
	"CREATE INDEX merges_survivor ON merges(survivor);";

/* Search finds people by the cross-script fold of their names as well
 * (crm_fold, registered on every connection before migrating). */
static const char step4[] =
	"DELETE FROM contacts_fts;"
	"INSERT INTO contacts_fts(rowid, name, email, phone, company, notes)"
	" SELECT c.id, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))"
	" || ' ' || crm_fold(trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))),"
	" c.email, trim(coalesce(c.phone, '') || ' ' || coalesce(c.phone_e164, '')),"
	" (SELECT name FROM companies WHERE id = c.company_id),"
	" (SELECT group_concat(body, ' ') FROM interactions WHERE contact_id = c.id)"
	" FROM contacts c WHERE c.erased_at IS NULL;";

/* Sales: exchange rates, deals with their history, and tasks; each entity
 * with the side tables the registry names (custom fields, tags, notes)
 * and a search index.  Money is a count of minor units beside its ISO 4217
 * code; dates and times are ISO 8601 text.  Custom fields are indexed by
 * value too, so that imports can match records on an external id. */
static const char step5[] =
	"CREATE TABLE rates ("
	" currency TEXT NOT NULL, date TEXT NOT NULL, rate TEXT NOT NULL,"
	" PRIMARY KEY (currency, date)) WITHOUT ROWID;"
	"CREATE INDEX contact_custom_value ON contact_custom(key, value);"
	"CREATE INDEX company_custom_value ON company_custom(key, value);"
	"CREATE TABLE deals ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" title TEXT NOT NULL,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,"
	" owner TEXT, pipeline TEXT, stage TEXT,"
	" amount INTEGER, amount_currency TEXT,"
	" probability INTEGER CHECK (probability BETWEEN 0 AND 100),"
	" probability_source TEXT NOT NULL DEFAULT 'stage'"
	"  CHECK (probability_source IN ('stage','manual')),"
	" expected_close TEXT, source TEXT, lost_reason TEXT,"
	" status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','won','lost')),"
	" closed_at TEXT, stage_at TEXT, snoozed_until TEXT, snooze_reason TEXT, tags TEXT,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX deals_open ON deals(status, expected_close);"
	"CREATE INDEX deals_closed ON deals(status, closed_at);"
	"CREATE INDEX deals_stage ON deals(pipeline, stage);"
	"CREATE INDEX deals_contact ON deals(contact_id);"
	"CREATE INDEX deals_company ON deals(company_id);"
	"CREATE TABLE deal_custom ("
	" deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (deal_id, key)) WITHOUT ROWID;"
	"CREATE INDEX deal_custom_value ON deal_custom(key, value);"
	"CREATE TABLE deal_tags ("
	" deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (deal_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX deal_tags_tag ON deal_tags(tag, deal_id);"
	"CREATE TABLE deal_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX deal_notes_deal ON deal_notes(deal_id, at);"
	/* What a forecast reads of a deal, from entered to left: a row for
	 * each stage it was in, won and lost too, and a new one whenever its
	 * amount, probability, expected close, owner or closing time changed,
	 * so that the pipeline can be rebuilt as it stood on any past day. */
	"CREATE TABLE deal_history ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,"
	" pipeline TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL,"
	" amount INTEGER, amount_currency TEXT, probability INTEGER,"
	" expected_close TEXT, owner TEXT, closed_at TEXT,"
	" entered_at TEXT NOT NULL, left_at TEXT, user TEXT NOT NULL);"
	"CREATE INDEX deal_history_deal ON deal_history(deal_id, entered_at);"
	/* The rows in force at a time T (left_at NULL or after T), by status;
	 * won ones by when they were won. */
	"CREATE INDEX deal_history_state ON deal_history(status, left_at, closed_at);"
	"CREATE VIRTUAL TABLE deals_fts USING fts5("
	" title, contact, company, notes,"
	" tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TABLE tasks ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" title TEXT NOT NULL, due TEXT, wait TEXT,"
	" priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high')),"
	" status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),"
	" owner TEXT,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,"
	" deal_id INTEGER REFERENCES deals(id) ON DELETE SET NULL,"
	" repeat TEXT, repeat_from TEXT CHECK (repeat_from IN ('due','done')),"
	" done_at TEXT, tags TEXT,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX tasks_due ON tasks(status, due);"
	"CREATE INDEX tasks_deal ON tasks(deal_id, status);"
	"CREATE INDEX tasks_contact ON tasks(contact_id);"
	"CREATE INDEX tasks_company ON tasks(company_id);"
	"CREATE TABLE task_custom ("
	" task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (task_id, key)) WITHOUT ROWID;"
	"CREATE INDEX task_custom_value ON task_custom(key, value);"
	"CREATE TABLE task_tags ("
	" task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (task_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX task_tags_tag ON task_tags(tag, task_id);"
	"CREATE TABLE task_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX task_notes_task ON task_notes(task_id, at);"
	"CREATE VIRTUAL TABLE tasks_fts USING fts5("
	" title, contact, deal, notes, tokenize = 'unicode61 remove_diacritics 2');";

/* The service desk: tickets, their messages (the customer's mail, the
 * agents' public replies and internal comments, in one sequence), the
 * status changes the SLA clocks are computed from, and links. */
static const char step6[] =
	/* Companies get tags, for SLA policies among other things. */
	"ALTER TABLE companies ADD COLUMN tags TEXT;"
	"CREATE TABLE company_tags ("
	" company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (company_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX company_tags_tag ON company_tags(tag, company_id);"
	"CREATE TABLE tickets ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" subject TEXT NOT NULL,"
	" requester_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,"
	" queue TEXT,"
	" status TEXT NOT NULL DEFAULT 'new'"
	"  CHECK (status IN ('new','open','pending','on_hold','solved','closed')),"
	" priority TEXT NOT NULL DEFAULT 'normal'"
	"  CHECK (priority IN ('low','normal','high','urgent')),"
	" assignee TEXT,"
	" channel TEXT NOT NULL DEFAULT 'cli'"
	"  CHECK (channel IN ('email','phone','chat','web','cli')),"
	" merged_into INTEGER REFERENCES tickets(id) ON DELETE SET NULL,"
	" solved_at TEXT, closed_at TEXT, tags TEXT,"
	/* What the SLA clocks said at the last write (crm-ticket(1)): the
	 * policy, the earliest due time of a running target, and whether a
	 * target was missed; lists and breaches read them, sla recomputes. */
	" sla_policy TEXT, sla_due TEXT, sla_missed INTEGER NOT NULL DEFAULT 0,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX tickets_status ON tickets(status, queue);"
	"CREATE INDEX tickets_sla ON tickets(sla_due) WHERE sla_due IS NOT NULL;"
	"CREATE INDEX tickets_missed ON tickets(sla_missed) WHERE sla_missed = 1;"
	"CREATE INDEX tickets_requester ON tickets(requester_id);"
	"CREATE INDEX tickets_company ON tickets(company_id);"
	"CREATE INDEX tickets_assignee ON tickets(assignee, status);"
	"CREATE TABLE ticket_custom ("
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (ticket_id, key)) WITHOUT ROWID;"
	"CREATE INDEX ticket_custom_value ON ticket_custom(key, value);"
	"CREATE TABLE ticket_tags ("
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (ticket_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);"
	"CREATE TABLE ticket_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX ticket_notes_ticket ON ticket_notes(ticket_id, at);"
	/* origin: the ticket a message was written on, kept when a merge
	 * moves it, so that unmerge can move it back. */
	"CREATE TABLE ticket_messages ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" origin INTEGER NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('customer','reply','comment')),"
	" author TEXT, contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" subject TEXT, body TEXT NOT NULL,"
	" message_id TEXT, in_reply_to TEXT, date TEXT, sent INTEGER NOT NULL DEFAULT 0,"
	" at TEXT NOT NULL);"
	"CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, at);"
	"CREATE UNIQUE INDEX ticket_messages_mid ON ticket_messages(message_id)"
	" WHERE message_id IS NOT NULL;"
	"CREATE TABLE ticket_attachments ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" message INTEGER NOT NULL REFERENCES ticket_messages(id) ON DELETE CASCADE,"
	" name TEXT, type TEXT, size INTEGER NOT NULL, data BLOB);"
	"CREATE INDEX ticket_attachments_message ON ticket_attachments(message);"
	/* Every status a ticket entered, and when: the SLA clocks pause in
	 * pending and on_hold and stop in solved and closed. */
	"CREATE TABLE ticket_status ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" status TEXT NOT NULL, at TEXT NOT NULL);"
	"CREATE INDEX ticket_status_ticket ON ticket_status(ticket_id, at);"
	"CREATE TABLE ticket_links ("
	" ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('kb','deal','ticket')),"
	" target INTEGER NOT NULL,"
	" PRIMARY KEY (ticket_id, kind, target)) WITHOUT ROWID;"
	/* Message-IDs of mail read but kept on no ticket (auto-replies, bulk
	 * mail): reading a mailbox again skips them as it skips the rest. */
	"CREATE TABLE mail_seen (message_id TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE tickets_fts USING fts5("
	" subject, requester, messages, notes, tokenize = 'unicode61 remove_diacritics 2');";
/* The knowledge base: articles (an entity with custom fields, tags and
 * notes), every version of their text as a numbered revision, and a
 * search index whose tokenizer drops case and accents.  Self-contained:
 * it names no table of another step. */
static const char step7[] =
	"CREATE TABLE articles ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" title TEXT NOT NULL, body TEXT, category TEXT,"
	/* NULL only inside the write that sets the default (kb.c). */
	" locale TEXT,"
	" status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published')),"
	" owner TEXT, tags TEXT,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX articles_locale ON articles(locale, status, category);"
	"CREATE INDEX articles_title ON articles(title, locale);"
	/* What search filters the matches by, narrow: ranking thousands of
	 * matches reads it instead of the rows with their bodies. */
	"CREATE INDEX articles_search ON articles(id, status, locale, archived_at);"
	"CREATE TABLE article_custom ("
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (article_id, key)) WITHOUT ROWID;"
	"CREATE INDEX article_custom_value ON article_custom(key, value);"
	"CREATE TABLE article_tags ("
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (article_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX article_tags_tag ON article_tags(tag, article_id);"
	"CREATE TABLE article_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX article_notes_article ON article_notes(article_id, at);"
	/* The whole text of each version, so that any two can be compared
	 * and any one restored without replaying the others. */
	"CREATE TABLE article_revisions ("
	" article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
	" rev INTEGER NOT NULL,"
	" title TEXT NOT NULL, body TEXT, category TEXT, locale TEXT NOT NULL, status TEXT NOT NULL,"
	" author TEXT NOT NULL, at TEXT NOT NULL,"
	" PRIMARY KEY (article_id, rev)) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE articles_fts USING fts5("
	" title, body, tokenize = 'unicode61 remove_diacritics 2');";

/* Feedback: NPS and CSAT responses (an entity with custom fields, tags
 * and notes), and the CSAT surveys mailed about solved tickets -- one per
 * ticket ever, the unique constraint being the send log that keeps a
 * survey from going out twice. */
static const char step8[] =
	"CREATE TABLE responses ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('nps','csat')),"
	/* 0-10 for nps, 1-5 for csat: the kind's range is checked with a
	 * message naming it (feedback.c). */
	" score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),"
	" comment TEXT,"
	/* NULL only inside the write that sets the default (feedback.c). */
	" at TEXT,"
	" ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL,"
	" channel TEXT, tags TEXT,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX responses_kind_at ON responses(kind, at);"
	"CREATE INDEX responses_contact ON responses(contact_id);"
	"CREATE INDEX responses_ticket ON responses(ticket_id);"
	"CREATE TABLE response_custom ("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (response_id, key)) WITHOUT ROWID;"
	"CREATE INDEX response_custom_value ON response_custom(key, value);"
	"CREATE TABLE response_tags ("
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (response_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX response_tags_tag ON response_tags(tag, response_id);"
	"CREATE TABLE response_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX response_notes_response ON response_notes(response_id, at);"
	/* response_id: the answer that was recorded, once there is one. */
	"CREATE TABLE surveys ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" message_id TEXT NOT NULL UNIQUE, sent_at TEXT NOT NULL,"
	" response_id INTEGER REFERENCES responses(id) ON DELETE SET NULL);"
	"CREATE INDEX surveys_contact ON surveys(contact_id, sent_at);"
	"CREATE VIRTUAL TABLE responses_fts USING fts5("
	" comment, person, tokenize = 'unicode61 remove_diacritics 2');";

/* Purchases: what people bought (an entity with custom fields, tags and
 * notes) and its lines.  A refund is a purchase of its own with a
 * negative total and refund_of naming what it refunds; its lines count
 * the quantities given back as negative.  order_ref is the order number
 * of the shop it came from, one live purchase per number and source: the
 * key re-imports match on. */
static const char step9[] =
	"CREATE TABLE purchases ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,"
	/* NULL only inside the write that sets the default (purchase.c). */
	" at TEXT, order_ref TEXT, source TEXT, channel TEXT,"
	" total INTEGER, total_currency TEXT,"
	" status TEXT CHECK (status IN ('paid','refunded','cancelled')),"
	" refund_of INTEGER REFERENCES purchases(id) ON DELETE SET NULL,"
	/* 1: the total is the sum of the lines, kept so as lines are added. */
	" lines_total INTEGER NOT NULL DEFAULT 0, tags TEXT,"
	" archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX purchases_contact ON purchases(contact_id, at);"
	"CREATE INDEX purchases_company ON purchases(company_id);"
	"CREATE INDEX purchases_at ON purchases(at);"
	"CREATE INDEX purchases_order ON purchases(order_ref, source);"
	"CREATE INDEX purchases_refund ON purchases(refund_of);"
	"CREATE TABLE purchase_lines ("
	" purchase_id INTEGER NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,"
	" line INTEGER NOT NULL, sku TEXT, name TEXT, category TEXT,"
	" quantity INTEGER NOT NULL, unit_price INTEGER NOT NULL CHECK (unit_price >= 0),"
	" PRIMARY KEY (purchase_id, line)) WITHOUT ROWID;"
	"CREATE INDEX purchase_lines_sku ON purchase_lines(sku);"
	"CREATE INDEX purchase_lines_category ON purchase_lines(category);"
	"CREATE TABLE purchase_custom ("
	" purchase_id INTEGER NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (purchase_id, key)) WITHOUT ROWID;"
	"CREATE INDEX purchase_custom_value ON purchase_custom(key, value);"
	"CREATE TABLE purchase_tags ("
	" purchase_id INTEGER NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (purchase_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX purchase_tags_tag ON purchase_tags(tag, purchase_id);"
	"CREATE TABLE purchase_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" purchase_id INTEGER NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX purchase_notes_purchase ON purchase_notes(purchase_id, at);"
	"CREATE VIRTUAL TABLE purchases_fts USING fts5("
	" order_ref, person, items, tokenize = 'unicode61 remove_diacritics 2');";

/* The loyalty programme (loyalty.c).  The ledger is append-only: each
 * entry moves points (kind, signed points) for a person.  An entry that
 * adds points opens a lot, what is left of it to spend, until its expiry
 * day; entries that take points record which lots they used, and points
 * taken that no lot had are owed until the next points added.  Both lots
 * and owed are working sets: a lot is deleted once used up or expired.
 * A person's tier is their latest tier change. */
static const char step10[] =
	"ALTER TABLE purchases ADD COLUMN earns TEXT NOT NULL DEFAULT 'yes'"
	" CHECK (earns IN ('yes','no'));"
	"CREATE TABLE loyalty_ledger ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" at TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('earn','redeem','expire','adjust','reverse')),"
	" points INTEGER NOT NULL, expires TEXT,"
	" purchase_id INTEGER REFERENCES purchases(id) ON DELETE SET NULL,"
	" rule TEXT, reward TEXT, reason TEXT, user TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX loyalty_ledger_contact ON loyalty_ledger(contact_id, at, points);"
	"CREATE INDEX loyalty_ledger_purchase ON loyalty_ledger(purchase_id)"
	" WHERE purchase_id IS NOT NULL;"
	/* The working sets name entries by id without a foreign key: ledger
	 * entries are never deleted, and the nightly expiry writes hundreds of
	 * thousands of rows whose checks would double its time. */
	"CREATE TABLE loyalty_lots ("
	" entry_id INTEGER PRIMARY KEY,"
	" contact_id INTEGER, expires TEXT, remaining INTEGER NOT NULL CHECK (remaining > 0));"
	"CREATE INDEX loyalty_lots_contact ON loyalty_lots(contact_id, expires);"
	"CREATE INDEX loyalty_lots_expires ON loyalty_lots(expires) WHERE expires IS NOT NULL;"
	"CREATE TABLE loyalty_owed ("
	" entry_id INTEGER PRIMARY KEY,"
	" contact_id INTEGER, points INTEGER NOT NULL CHECK (points > 0));"
	"CREATE INDEX loyalty_owed_contact ON loyalty_owed(contact_id);"
	"CREATE TABLE loyalty_uses ("
	" entry_id INTEGER NOT NULL, lot_id INTEGER NOT NULL,"
	" points INTEGER NOT NULL CHECK (points > 0));"
	"CREATE INDEX loyalty_uses_lot ON loyalty_uses(lot_id);"
	"CREATE INDEX loyalty_uses_entry ON loyalty_uses(entry_id);"
	"CREATE TABLE loyalty_tiers ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
	" at TEXT NOT NULL, tier TEXT NOT NULL, reason TEXT NOT NULL);"
	"CREATE INDEX loyalty_tiers_contact ON loyalty_tiers(contact_id, at);"
	"CREATE TABLE loyalty_cards ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT NOT NULL UNIQUE,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
	" status TEXT NOT NULL CHECK (status IN ('active','blocked','replaced')),"
	" replaced_by TEXT, issued_at TEXT NOT NULL, changed_at TEXT NOT NULL);"
	"CREATE INDEX loyalty_cards_contact ON loyalty_cards(contact_id);";

/* Reports (crm-report(1)): who bought what when, read person by person
 * without the table; the few people gone; tickets by when they were
 * opened, changed status and were first answered. */
static const char step11[] =
	"CREATE INDEX purchases_paid ON purchases(contact_id, at, status, total, total_currency)"
	" WHERE refund_of IS NULL AND archived_at IS NULL AND status <> 'cancelled';"
	"CREATE INDEX contacts_gone ON contacts(id, archived_at, erased_at)"
	" WHERE archived_at IS NOT NULL OR erased_at IS NOT NULL;"
	"CREATE INDEX tickets_created ON tickets(created_at);"
	"CREATE INDEX purchases_refunds ON purchases(refund_of, at)"
	" WHERE refund_of IS NOT NULL AND archived_at IS NULL;"
	"CREATE INDEX ticket_status_at ON ticket_status(at, status, ticket_id);"
	"CREATE INDEX ticket_messages_replies ON ticket_messages(at) WHERE kind = 'reply';";

/* Marketing (crm-campaign(1)): saved segments of people (a snapshot keeps
 * its members), mail templates in language variants, campaigns and
 * triggers (an entity with custom fields, tags and notes), and the send
 * log: one row per campaign, person and occurrence (a trigger's year)
 * under a unique constraint, written before each hand-off, so that no
 * run -- repeated, resumed or concurrent -- mails anyone twice.  Bounced
 * addresses are kept apart from people: an address is what bounces. */
static const char step12[] =
	"CREATE TABLE segments ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
	" filter TEXT NOT NULL, snapshot_at TEXT,"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE TABLE segment_members ("
	" segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,"
	" contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	" PRIMARY KEY (segment_id, contact_id)) WITHOUT ROWID;"
	/* Deleting or erasing a person finds their memberships by it. */
	"CREATE INDEX segment_members_contact ON segment_members(contact_id);"
	"CREATE TABLE templates ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
	" language TEXT NOT NULL DEFAULT '',"
	" subject TEXT NOT NULL, from_name TEXT, text TEXT NOT NULL, html TEXT,"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" UNIQUE (name, language));"
	"CREATE TABLE campaigns ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'campaign' CHECK (kind IN ('campaign','trigger')),"
	" segment TEXT, template TEXT NOT NULL,"
	" from_addr TEXT, from_name TEXT, subject TEXT, deliver TEXT,"
	" trigger_on TEXT, days_before INTEGER, points INTEGER,"
	" status TEXT NOT NULL DEFAULT 'draft'"
	"  CHECK (status IN ('draft','sending','sent','active','paused')),"
	" tags TEXT, archived_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE TABLE campaign_custom ("
	" campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (campaign_id, key)) WITHOUT ROWID;"
	"CREATE INDEX campaign_custom_value ON campaign_custom(key, value);"
	"CREATE TABLE campaign_tags ("
	" campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL,"
	" PRIMARY KEY (campaign_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX campaign_tags_tag ON campaign_tags(tag, campaign_id);"
	"CREATE TABLE campaign_notes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('call','email','meeting','note','sms','chat')),"
	" at TEXT NOT NULL, body TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX campaign_notes_campaign ON campaign_notes(campaign_id, at);"
	"CREATE VIRTUAL TABLE campaigns_fts USING fts5("
	" name, subject, tokenize = 'unicode61 remove_diacritics 2');"
	/* state: excluded (reason says why), sending (committed before the
	 * hand-off), sent (after it).  A row left sending is in doubt. */
	"CREATE TABLE campaign_sends ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	" occurrence TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK (state IN ('excluded','sending','sent')),"
	" reason TEXT, email TEXT, message_id TEXT UNIQUE,"
	" at TEXT NOT NULL, sent_at TEXT,"
	" bounced_at TEXT, bounce TEXT, replied_at TEXT, unsubscribed_at TEXT,"
	" UNIQUE (campaign_id, contact_id, occurrence));"
	"CREATE INDEX campaign_sends_contact ON campaign_sends(contact_id, sent_at);"
	/* Every bounce read, once per report and address; addresses that are
	 * not to be written to again. */
	"CREATE TABLE mail_bounces ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('hard','soft')), status TEXT, diagnostic TEXT,"
	" at TEXT NOT NULL, report TEXT NOT NULL,"
	" send_id INTEGER REFERENCES campaign_sends(id) ON DELETE SET NULL,"
	" UNIQUE (report, email));"
	"CREATE INDEX mail_bounces_email ON mail_bounces(email, at);"
	"CREATE INDEX mail_bounces_send ON mail_bounces(send_id) WHERE send_id IS NOT NULL;"
	"CREATE TABLE mail_bounced ("
	" email TEXT PRIMARY KEY, at TEXT NOT NULL, status TEXT, reason TEXT) WITHOUT ROWID;"
	/* A reference that had no index, so that deleting a person (one
	 * undone with an import batch) went through every message. */
	"CREATE INDEX ticket_messages_contact ON ticket_messages(contact_id)"
	" WHERE contact_id IS NOT NULL;"
	/* The key unsubscribe tokens are signed with, made here once. */
	"CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
	"INSERT INTO secrets(name, value) VALUES ('unsubscribe', randomblob(32));";

/* Two references without an index, so that deleting a ticket (one undone
 * with an import batch) went through every ticket for those merged into
 * it, and deleting a response through every survey: undoing an import of
 * 50,000 tickets took minutes. */
static const char step13[] =
	"CREATE INDEX tickets_merged ON tickets(merged_into) WHERE merged_into IS NOT NULL;"
	"CREATE INDEX surveys_response ON surveys(response_id) WHERE response_id IS NOT NULL;";

/* A CHECK that a column holds one of a list of words made SQLite build a
 * temporary b-tree of the list for every row it wrote (an IN list of more
 * than two values is looked up, not compared): 0.3 s of the 2.4 s an
 * import of 200,000 people spent writing them.  The same rules, as
 * comparisons joined by OR (crm_schema_check_lists); the schema text is
 * edited in place, as SQLite's documentation describes for a CHECK.
 * RESET has this connection read it again; the migration then moves the
 * schema cookie on for every other. */
static const char step14[] =
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = crm_check_lists(sql)"
	" WHERE type = 'table' AND sql LIKE '% IN (''%';"
	"PRAGMA writable_schema = RESET;";

/* Appends the IN list at *q ("'a','b')") as "col = 'a' OR col = 'b'" and
 * moves *q past its ")": 1, or 0 when *q is not such a list, or -1 when
 * out of memory. */
static int list_as_or(crm_buf *b, const char *col, int len, const char **q)
{
	const char *p = *q, *end;
	int n = 0, bad = 0;

	while (*p == '\'' && (end = strchr(p + 1, '\'')) && end[1] != '\'') {
		bad |= crm_buf_printf(b, "%s%.*s = %.*s", n++ ? " OR " : "", len, col,
		                      (int)(end + 1 - p), p);
		p = end + 1;
		if (*p == ',')
			for (p++; *p == ' '; p++)
				;
		else if (*p == ')')
			break;
	}
	if (bad)
		return -1;
	if (!n || *p != ')')
		return 0;
	*q = p + 1;
	return 1;
}

char *crm_schema_check_lists(const char *sql)
{
	crm_buf b = CRM_BUF_INIT, or = CRM_BUF_INIT;
	const char *p = sql, *in, *col, *q;
	int bad = 0, list;

	while (!bad && (in = strstr(p, " IN ('"))) {
		for (col = in; col > p && (isalnum((unsigned char)col[-1]) || col[-1] == '_'); col--)
			;
		q = in + 5;
		crm_buf_clear(&or);
		list = col == in ? 0 : list_as_or(&or, col, (int)(in - col), &q);
		bad |= list < 0;
		if (!list) {
			bad |= crm_buf_put(&b, p, (size_t)(in + 5 - p));
			p = in + 5;
		} else if (list > 0) {
			bad |= crm_buf_put(&b, p, (size_t)(col - p));
			bad |= crm_buf_printf(&b, "(%s)", crm_buf_str(&or));
			p = q;
		}
	}
	bad |= crm_buf_puts(&b, p);
	crm_buf_free(&or);
	if (bad) {
		crm_buf_free(&b);
		return NULL;
	}
	return crm_buf_detach(&b);
}

/* FTS5 merges the segments of a search index four at a time by default,
 * and all of a level at once (crisismerge) when it holds sixteen.  An
 * import writes its entries a chunk of 2,048 records at a time, each chunk
 * a segment: writing 200,000 people's entries so took 12.5 billion
 * instructions (callgrind), and 9.4 billion merging sixteen at a time
 * (FTS5's most), all at once only at 64.  With all at once at 16, every
 * merge was whole, inside the statement that set it off: 9.6 billion, but
 * an undo of a million people, whose statement journals are kept in
 * memory, peaked at 166 MB rather than 84.  A search reads more segments
 * (at most fifteen a level, as a rule): among a million people, still
 * under 10 ms.  FTS5 takes these settings only after its table is made,
 * so a search index a later step makes sets them too (t3000 checks that
 * every one has them). */
static const char step15[] =
	"INSERT INTO contacts_fts(contacts_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO contacts_fts(contacts_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO companies_fts(companies_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO companies_fts(companies_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO deals_fts(deals_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO deals_fts(deals_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO tickets_fts(tickets_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO articles_fts(articles_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO responses_fts(responses_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO responses_fts(responses_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO purchases_fts(purchases_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO purchases_fts(purchases_fts, rank) VALUES ('crisismerge', 64);"
	"INSERT INTO campaigns_fts(campaigns_fts, rank) VALUES ('automerge', 16);"
	"INSERT INTO campaigns_fts(campaigns_fts, rank) VALUES ('crisismerge', 64);";

/* A company's domain is stored without the "www." of its web server's
 * name (crm_domain_normalize), so that www.example.org and example.org
 * find one company.  The domains stored before are spelt so too, in the
 * search index as well -- but for one whose new spelling another live
 * company has: made the same, the two would be one ambiguous domain, and
 * references and imports that found each would find neither (the manual
 * tells how to list them).  The same domain spelt anew is no change to a
 * record: neither its time nor the audit log moves. */
#define RESPELT "SELECT id FROM companies c WHERE crm_domain(domain) <> domain" \
	" AND NOT EXISTS (SELECT 1 FROM companies o WHERE o.domain = crm_domain(c.domain)" \
	" AND o.archived_at IS NULL)"
static const char step16[] =
	"UPDATE companies_fts SET domain = crm_domain(domain) WHERE rowid IN (" RESPELT ");"
	"UPDATE companies SET domain = crm_domain(domain) WHERE id IN (" RESPELT ");";
#undef RESPELT

/* The search indexes tokenize with "crm" (tokenizer.c), which makes each
 * character of Chinese, Japanese, Korean, Thai and the like a token, so
 * that a word is found inside a name or text written without spaces.  An
 * index is made anew from the text it holds, kept in a table meanwhile
 * (ALTER TABLE ... RENAME would open the temporary database, after which
 * an import in the same connection could not move it into memory); FTS5's
 * settings go with it (step15). */
#define RETOKENIZE(t, cols) \
	"CREATE TABLE " t "_keep AS SELECT rowid AS id, " cols " FROM " t ";" \
	"DROP TABLE " t ";" \
	"CREATE VIRTUAL TABLE " t " USING fts5(" cols ", tokenize = 'crm remove_diacritics 2');" \
	"INSERT INTO " t "(rowid, " cols ") SELECT id, " cols " FROM " t "_keep;" \
	"DROP TABLE " t "_keep;" \
	"INSERT INTO " t "(" t ", rank) VALUES ('automerge', 16);" \
	"INSERT INTO " t "(" t ", rank) VALUES ('crisismerge', 64);"
static const char step17[] =
	RETOKENIZE("contacts_fts", "name, email, phone, company, notes")
	RETOKENIZE("companies_fts", "name, domain, industry, city, website")
	RETOKENIZE("deals_fts", "title, contact, company, notes")
	RETOKENIZE("tasks_fts", "title, contact, deal, notes")
	RETOKENIZE("tickets_fts", "subject, requester, messages, notes")
	RETOKENIZE("articles_fts", "title, body")
	RETOKENIZE("responses_fts", "comment, person")
	RETOKENIZE("purchases_fts", "order_ref, person, items")
	RETOKENIZE("campaigns_fts", "name, subject");
#undef RETOKENIZE

/* The tokenizer folds a word as the match key does (ø as o, ß as ss, ё as
 * е, Greek without its accents), so that Łódź is found by lodz; every
 * index is made again from the text it holds, under the same tokenizer's
 * name. */
#define REBUILD(t) "INSERT INTO " t "(" t ") VALUES ('rebuild');"
static const char step18[] =
	REBUILD("contacts_fts") REBUILD("companies_fts") REBUILD("deals_fts")
	REBUILD("tasks_fts") REBUILD("tickets_fts") REBUILD("articles_fts")
	REBUILD("responses_fts") REBUILD("purchases_fts") REBUILD("campaigns_fts");
#undef REBUILD

/* The match key and the search tokenizer leave out only the marks a
 * name is written with or without (crm_accent_p); they left out every
 * mark, so राम (Ram), रीमा (Reema) and रमा (Rama) had one key and found
 * each other, as バン, ハン and パン did.  And a name in Han, kana or
 * Hangul reads family name first (crm_name: 山田 太郎), in its key and
 * search entry as on the screen.  Every index is made again from
 * the text it holds under the tokenizer as it is now; then the names of
 * the people whose key changes are written again, with their fold, which
 * the index holds beside them, and the keys themselves.  Nothing a user
 * typed changes: no record's time moves, the audit log stays. */
#define REBUILD(t) "INSERT INTO " t "(" t ") VALUES ('rebuild');"
#define NAME "crm_name(c.first_name, c.last_name)"
static const char step19[] =
	REBUILD("contacts_fts") REBUILD("companies_fts") REBUILD("deals_fts")
	REBUILD("tasks_fts") REBUILD("tickets_fts") REBUILD("articles_fts")
	REBUILD("responses_fts") REBUILD("purchases_fts") REBUILD("campaigns_fts")
	"UPDATE contacts_fts SET name = (SELECT " NAME " || ' ' || crm_fold(" NAME ")"
	" FROM contacts c WHERE c.id = contacts_fts.rowid) WHERE rowid IN"
	" (SELECT id FROM contacts c WHERE name_key IS NOT crm_key(" NAME ") AND erased_at IS NULL);"
	"UPDATE contacts AS c SET name_key = crm_key(" NAME ") WHERE name_key IS NOT"
	" crm_key(" NAME ") AND erased_at IS NULL;"
	"UPDATE companies SET name_key = crm_key(name) WHERE name_key IS NOT crm_key(name);";
#undef NAME
#undef REBUILD

/* A deal's closing time and a task's done time given as a date were
 * stored as the date alone, and a deal's history took it so; they are
 * times, a date its midnight UTC (crm(7)), and a deal written again
 * would otherwise look as if its closing time had moved. */
#define MIDNIGHT(t, c) "UPDATE " t " SET " c " = " c " || 'T00:00:00Z' WHERE length(" c ") = 10;"
static const char step20[] =
	MIDNIGHT("deals", "closed_at") MIDNIGHT("deal_history", "closed_at")
	MIDNIGHT("deal_history", "entered_at") MIDNIGHT("deal_history", "left_at")
	MIDNIGHT("tasks", "done_at");
#undef MIDNIGHT

/* The loyalty working sets name their person without a foreign key
 * (step10), so a person deleted by a purge or an undone import left
 * their lots and owed points behind: counted in the points outstanding,
 * and written off by the nightly expiry as an entry for no one, which
 * the ledger's foreign key refused, failing the whole run.  They go with
 * the person now (the contact entity's loose tables); those left go. */
static const char step21[] =
	"DELETE FROM loyalty_lots WHERE contact_id IS NOT NULL"
	" AND contact_id NOT IN (SELECT id FROM contacts);"
	"DELETE FROM loyalty_owed WHERE contact_id IS NOT NULL"
	" AND contact_id NOT IN (SELECT id FROM contacts);";

/* A record's search entry holds its person's names in their cross-script
 * fold too, as the person's own does, so that a ticket of Хасанов is found
 * by khasanov; the entries of the records of people whose fold is more
 * than their names in small letters are written again. */
#define NAME "crm_name(c.first_name, c.last_name)"
#define WITH_FOLD NAME " || ' ' || crm_fold(" NAME ")"
#define FOLDS "crm_fold(" NAME ") <> lower(" NAME ")"
#define REPERSON(fts, column, table, ref, value) \
	"UPDATE " fts " SET " column " = (SELECT (SELECT " value " FROM contacts c" \
	" WHERE c.id = t." ref ") FROM " table " t WHERE t.id = " fts ".rowid) WHERE rowid IN" \
	" (SELECT t.id FROM " table " t JOIN contacts c ON c.id = t." ref " WHERE " FOLDS ");"
#define WITH_EMAIL "trim(" WITH_FOLD " || ' ' || coalesce(c.email, ''))"
static const char step22[] =
	REPERSON("deals_fts", "contact", "deals", "contact_id", WITH_EMAIL)
	REPERSON("tasks_fts", "contact", "tasks", "contact_id", WITH_FOLD)
	REPERSON("tickets_fts", "requester", "tickets", "requester_id", WITH_EMAIL)
	REPERSON("responses_fts", "person", "responses", "contact_id", WITH_EMAIL)
	REPERSON("purchases_fts", "person", "purchases", "contact_id", WITH_EMAIL);
#undef WITH_EMAIL
#undef REPERSON
#undef FOLDS
#undef WITH_FOLD
#undef NAME

/* The messages merged away from a ticket are found by the ticket they
 * were written on: to move them back, and to erase or export those a
 * person's ticket held. */
static const char step23[] =
	"CREATE INDEX IF NOT EXISTS ticket_messages_origin ON ticket_messages(origin);";

const char *const crm_schema_steps[CRM_SCHEMA_VERSION] = {
	step1,
	step2,
	step3,
	step4,
	step5,
	step6,
	step7,
	step8,
	step9,
	step10,
	step11,
	step12,
	step13,
	step14,
	step15,
	step16,
	step17,
	step18,
	step19,
	step20,
	step21,
	step22,
	step23,
};
