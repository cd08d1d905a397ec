/* purchase.c - the purchase entity: its fields, list options and write
 * rules; its lines, refunds and the summary (crm-purchase(1)).
 *
 * A refund is a purchase of its own, linked by refund_of, with a negative
 * total and lines of negative quantities: what a shop's books show, and
 * what keeps every figure a plain sum.  What remains of a purchase is its
 * total plus its refunds' totals, per line its quantity plus theirs; the
 * write rules keep both at zero or above.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/date.h"
#include "crm/loyalty.h"
#include "crm/money.h"
#include "crm/norm.h"
#include "crm/purchase.h"
#include "crm/rates.h"
#include "registry.h"

static const char *const purchase_status[] = { "paid", "refunded", "cancelled", NULL };
static const char *const yes_no[] = { "yes", "no", NULL };

static const struct crm_fielddef purchase_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	REF("person", CRM_FIELD_CREATE, "who bought: id, email or name", "contact", "contact_id",
	    NULL),
	REF("company", 0, "the company bought for: id, name or domain", "company", "company_id",
	    NULL),
	FIELD("at", CRM_FT_TIME, 0, "when it was bought (default: now)", "at", NULL),
	FIELD("order_ref", CRM_FT_EXTREF, 0, "the shop's order number (one live purchase per"
	      " number and source)", "order_ref", NULL),
	FIELD("source", CRM_FT_TEXT, 0, "the store it was bought in", "source", NULL),
	FIELD("channel", CRM_FT_TEXT, 0, "how: web, shop, phone ...", "channel", NULL),
	FIELD("total", CRM_FT_MONEY, 0, "total, e.g. '59.90 EUR' (default: the sum of the lines)",
	      "total", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "paid (default), refunded or cancelled",
	       purchase_status, "status"),
	CHOICE("earns", CRM_FIELD_NOTEMPTY | HIDDEN, "yes (default): it earns loyalty points; no:"
	       " it does not, and gives back what it earned", yes_no, "earns"),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	REF("refund_of", HIDDEN, "the purchase a refund gives money back for: its id", "purchase",
	    "refund_of", "t.refund_of"),
	FIELD("lines", CRM_FT_ID, RO | HIDDEN, "number of lines", NULL,
	      "(SELECT count(*) FROM purchase_lines WHERE purchase_id = t.id)"),
	FIELD("person_name", CRM_FT_TEXT, RO | HIDDEN, "the person's name", NULL,
	      CONTACT_NAME("t.contact_id")),
	FIELD("contact_id", CRM_FT_ID, RO | HIDDEN, "contact record id", "contact_id", NULL),
	FIELD("company_id", CRM_FT_ID, RO | HIDDEN, "company record id", "company_id", NULL),
	BOOKKEEPING,
};

static const char *const purchase_filters[] = { "person", "company", "source", "channel",
	                                        "status", "order_ref", NULL };

/* The line filters and the amounts, compared in the base currency (AMOUNT
 * values are converted at today's rate, each purchase at its own day's). */
static const struct crm_option purchase_options[] = {
	{ "sku", "SKU", "only purchases with a line of SKU",
	  "EXISTS (SELECT 1 FROM purchase_lines l WHERE l.purchase_id = t.id AND l.sku = ?)" },
	{ "category", "CATEGORY", "only purchases with a line of CATEGORY",
	  "EXISTS (SELECT 1 FROM purchase_lines l WHERE l.purchase_id = t.id AND l.category = ?)" },
	{ "min", "AMOUNT", "only purchases of at least AMOUNT (base currency unless named)",
	  "crm_base(t.total, t.total_currency, t.at) >= ?" },
	{ "max", "AMOUNT", "only purchases of at most AMOUNT (base currency unless named)",
	  "crm_base(t.total, t.total_currency, t.at) <= ?" },
	{ "refunds", NULL, "only refunds", "t.refund_of IS NOT NULL" },
	{ "no-refunds", NULL, "leave refunds out", "t.refund_of IS NULL" },
	{ NULL, NULL, NULL, NULL }
};

/* Headers of Shopify's and WooCommerce's order exports (one row per
 * line item) and of Stripe's payments, crm_column_key() form. */
static const struct crm_synonym purchase_synonyms[] = {
	{ "name", "order_ref" }, { "ordernumber", "order_ref" }, { "orderid", "order_ref" },
	{ "order", "order_ref" }, { "orderref", "order_ref" },
	{ "email", "person" }, { "billingemail", "person" }, { "customeremail", "person" },
	/* Beside the address, the buyer's name: it names a buyer the import
	 * creates (find_names_column in import.c). */
	{ "billingname", "person" },
	{ "createdat", "at" }, { "orderdate", "at" }, { "date", "at" },
	/* Shopify writes Paid at before Created at: the order was placed when
	 * it was made, not when paid (a bank transfer days later). */
	{ "paidat", "custom.paid_at" },
	{ "currency", "@currency" }, { "ordercurrency", "@currency" },
	{ "ordertotal", "total" }, { "totalprice", "total" }, { "store", "source" },
	{ "shop", "source" },
	{ "lineitemsku", "@line_sku" }, { "itemsku", "@line_sku" }, { "sku", "@line_sku" },
	{ "lineitemname", "@line_name" }, { "itemname", "@line_name" },
	{ "lineitemquantity", "@line_quantity" }, { "quantity", "@line_quantity" },
	{ "lineitemprice", "@line_price" }, { "itemcost", "@line_price" },
	{ "price", "@line_price" }, { "unitprice", "@line_price" },
	{ "category", "@line_category" }, { "lineitemcategory", "@line_category" },
	{ "itemcategory", "@line_category" },
	{ "financialstatus", "status" }, { "orderstatus", "status" }, { "subtotal", "@ignore" },
	{ "ordersubtotalamount", "@ignore" }, { "shipping", "@ignore" }, { "taxes", "@ignore" },
	/* How much of the order was given back, undated: a refund (import.c). */
	{ "refundedamount", "@refunded" },
	{ "tag", "tags" }, { "labels", "tags" },
	/* Shopify's Source is how the order came (web, pos, iphone), this
	 * toolkit's source the store: its own output alone spells it so. */
	{ "source", "channel" },
	/* Stripe's payments: each a purchase, its id (ch_3MxA...) kept as
	 * custom source_id, a default key; what was given back of it, in all. */
	{ "amount", "total" }, { "createdutc", "at" }, { "createddateutc", "at" },
	{ "description", "@note" }, { "amountrefunded", "@refunded" },
	/* Stripe's API (a charge, a payment intent, an invoice, a refund as
	 * JSON): its object says the amounts are in minor units, created is
	 * seconds since 1970 (import.c); the buyer's address stands in one of
	 * three places; a refund names the payment it gives money back for. */
	{ "object", "@object" }, { "created", "at" }, { "receiptemail", "person" },
	{ "billingdetailsemail", "person" }, { "billingdetailsname", "person" },
	{ "customername", "person" }, { "charge", "@payment" }, { "paymentintent", "@payment" },
	/* Shopify's and WooCommerce's API orders (JSON): each of line_items is
	 * a row (purchase_lists), its members named after it; the buyer is
	 * named in parts beside the address; WooCommerce numbers an order
	 * and writes when in UTC beside the shop's local time (import.c's
	 * every_beside leaves that out). */
	{ "lineitemssku", "@line_sku" }, { "lineitemsname", "@line_name" },
	{ "lineitemsquantity", "@line_quantity" }, { "lineitemsprice", "@line_price" },
	{ "billingaddressname", "person" }, { "number", "order_ref" },
	{ "billingfirstname", "@named_first" }, { "billinglastname", "@named_last" },
	{ "billingaddressfirstname", "@named_first" }, { "billingaddresslastname", "@named_last" },
	{ "customerfirstname", "@named_first" }, { "customerlastname", "@named_last" },
	{ "datecreatedgmt", "at" },
	/* WooCommerce's Advanced Order Export writes its billing columns
	 * so: "Email (Billing)", "First Name (Billing)". */
	{ "emailbilling", "person" }, { "fullnamebilling", "person" },
	{ "firstnamebilling", "@named_first" }, { "lastnamebilling", "@named_last" },
	{ "ordertotalamount", "total" }, { "orderrefundamount", "@refunded" },
	/* Shopify's and WooCommerce's API orders list their refunds. */
	{ "refunds", "@refunded" },
	{ "customernote", "@note" },
	/* WooCommerce's Customer/Order/Coupon Export: an item's quantity and
	 * its amount in all; newer ones its price too. */
	{ "itemquantity", "@line_quantity" }, { "itemtotal", "@line_amount" },
	{ "itemprice", "@line_price" }, { "refundedtotal", "@refunded" },
	{ NULL, NULL }
};

/* Shopify's Name is its order number; beside WooCommerce's Order Number,
 * the Advanced Order Export's Name is the item's, and an order's id the
 * shop's own count, which no one else knows it by.  A charge of Stripe's
 * API (its object) is refunded by the API's refund objects, which carry
 * their dates: its amount_refunded would give the money back twice. */
static const struct crm_beside purchase_beside[] = {
	{ "name", "ordernumber", "@line_name" }, { "orderid", "ordernumber", NULL },
	{ "amountrefunded", "object", NULL },
	/* Shopify's Created at is when it sold; beside an at column, as in
	 * this toolkit's own listing, created_at is when the record was made. */
	{ "createdat", "at", "created_at" },
	{ NULL, NULL, NULL }
};

static const char *const purchase_lists[] = { "line_items", NULL };

static const char *const purchase_spelt[] = { "source", NULL };

/* Shopify's financial statuses, WooCommerce's order statuses and
 * Stripe's payments' (a disputed payment was paid).  An order not paid
 * yet (pending, on hold, uncaptured) has none (NULL): it is rejected,
 * saying so, not counted as revenue. */
static const struct crm_value_synonym purchase_values[] = {
	{ "status", "pending", NULL }, { "status", "pendingpayment", NULL },
	{ "status", "onhold", NULL }, { "status", "unpaid", NULL },
	{ "status", "checkoutdraft", NULL }, { "status", "draft", NULL },
	{ "status", "uncaptured", NULL }, { "status", "requirespaymentmethod", NULL },
	{ "status", "requiresconfirmation", NULL }, { "status", "requiresaction", NULL },
	{ "status", "requirescapture", NULL }, { "status", "open", NULL },
	{ "status", "zahlungausstehend", NULL }, { "status", "inwartestellung", NULL },
	{ "status", "attentepaiement", NULL }, { "status", "enattente", NULL },
	{ "status", "pendientedepago", NULL }, { "status", "enespera", NULL },
	{ "status", "inattesadipagamento", NULL }, { "status", "insospeso", NULL },
	{ "status", "wachtendopbetaling", NULL }, { "status", "indewacht", NULL },
	{ "status", "pagamentopendente", NULL }, { "status", "aguardando", NULL },
	{ "status", "authorized", "paid" }, { "status", "partiallypaid", "paid" },
	{ "status", "partiallyrefunded", "paid" }, { "status", "completed", "paid" },
	{ "status", "processing", "paid" }, { "status", "voided", "cancelled" },
	{ "status", "expired", "cancelled" }, { "status", "failed", "cancelled" },
	{ "status", "canceled", "cancelled" }, { "status", "disputed", "paid" },
	{ "status", "succeeded", "paid" }, { "status", "void", "cancelled" },
	/* WooCommerce writes them in the shop's language: German, French,
	 * Spanish, Italian, Dutch, Portuguese (completed, processing,
	 * cancelled, refunded, failed; pending and on hold stay rejected). */
	{ "status", "fertiggestellt", "paid" }, { "status", "abgeschlossen", "paid" },
	{ "status", "inbearbeitung", "paid" }, { "status", "storniert", "cancelled" },
	{ "status", "ruckerstattet", "refunded" }, { "status", "zuruckerstattet", "refunded" },
	{ "status", "erstattet", "refunded" }, { "status", "fehlgeschlagen", "cancelled" },
	{ "status", "terminee", "paid" }, { "status", "encours", "paid" },
	{ "status", "annulee", "cancelled" }, { "status", "remboursee", "refunded" },
	{ "status", "echouee", "cancelled" },
	{ "status", "completado", "paid" }, { "status", "procesando", "paid" },
	{ "status", "cancelado", "cancelled" }, { "status", "reembolsado", "refunded" },
	{ "status", "fallido", "cancelled" },
	{ "status", "completato", "paid" }, { "status", "inlavorazione", "paid" },
	{ "status", "cancellato", "cancelled" }, { "status", "annullato", "cancelled" },
	{ "status", "rimborsato", "refunded" }, { "status", "fallito", "cancelled" },
	{ "status", "afgerond", "paid" }, { "status", "voltooid", "paid" },
	{ "status", "inbehandeling", "paid" },
	{ "status", "geannuleerd", "cancelled" }, { "status", "terugbetaald", "refunded" },
	{ "status", "mislukt", "cancelled" },
	{ "status", "concluido", "paid" }, { "status", "concluida", "paid" },
	{ "status", "processando", "paid" }, { "status", "emprocessamento", "paid" },
	{ "status", "cancelada", "cancelled" }, { "status", "reembolsada", "refunded" },
	{ "status", "malsucedido", "cancelled" }, { "status", "falhada", "cancelled" },
	{ NULL, NULL, NULL }
};

int crm_purchase_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "purchases_fts", "purchases",
		"INSERT INTO purchases_fts(rowid, order_ref, person, items)"
		" SELECT p.id, p.order_ref,"
		" " PERSON_FTS("p.contact_id") ","
		" (SELECT group_concat(coalesce(sku, '') || ' ' || coalesce(name, ''), ' ')"
		" FROM purchase_lines WHERE purchase_id = p.id)"
		" FROM purchases p WHERE %s", where, arg);
}

/* What the write rules read of one purchase. */
struct state {
	int found, has_total;
	int64_t total, refund_of, refunded; /* refunded: its refunds' totals, <= 0 */
	char cur[4], status[16], at[40];
	int archived;
};

static int load_state(crm_db *db, int64_t id, struct state *s)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT total, coalesce(total_currency, ''),"
	                     " coalesce(refund_of, 0), coalesce(status, 'paid'),"
	                     " archived_at IS NOT NULL, (SELECT coalesce(sum(r.total), 0)"
	                     " FROM purchases r WHERE r.refund_of = p.id AND r.archived_at IS NULL),"
	                     " coalesce(at, '') FROM purchases p WHERE id = ?1");

	memset(s, 0, sizeof *s);
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		s->found = 1;
		s->has_total = crm_stmt_kind(st, 0) != CRM_KIND_NULL;
		s->total = crm_stmt_int(st, 0);
		snprintf(s->cur, sizeof s->cur, "%s", crm_stmt_text(st, 1));
		s->refund_of = crm_stmt_int(st, 2);
		snprintf(s->status, sizeof s->status, "%s", crm_stmt_text(st, 3));
		s->archived = (int)crm_stmt_int(st, 4);
		s->refunded = crm_stmt_int(st, 5);
		snprintf(s->at, sizeof s->at, "%s", crm_stmt_text(st, 6));
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

static void money_text(char *out, size_t n, int64_t minor, const char *cur)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", cur);
	if (crm_money_format(out, n, &m))
		snprintf(out, n, "%lld %s", (long long)minor, cur);
	crm_error_clear();
}

/* A purchase refunded wholly is refunded; one refunded in part, or whose
 * refund was taken back, is paid again; cancelled stays cancelled. */
static int settle_status(crm_db *db, int64_t id)
{
	return crm_db_exec_id(db, "UPDATE purchases SET status = CASE WHEN total + (SELECT"
	                      " coalesce(sum(r.total), 0) FROM purchases r WHERE r.refund_of = purchases.id"
	                      " AND r.archived_at IS NULL) = 0 AND EXISTS (SELECT 1 FROM purchases r"
	                      " WHERE r.refund_of = purchases.id AND r.archived_at IS NULL)"
	                      " THEN 'refunded' ELSE 'paid' END"
	                      " WHERE id = ?1 AND status <> 'cancelled' AND refund_of IS NULL", id);
}

/* Settles the status of purchase id after a write of one of its refunds,
 * and audits the change: it is the purchase's own, made by another
 * record's write, and its history reads its values back through it. */
static int settle_refunded(crm_db *db, int64_t id)
{
	static const char status[] = "SELECT status FROM purchases WHERE id = ?1";
	char *old = NULL, *new = NULL;
	int rc;

	if (!(rc = crm_db_text_of(db, status, id, &old)) && !(rc = settle_status(db, id)) &&
	    !(rc = crm_db_text_of(db, status, id, &new)) && old && new && strcmp(old, new))
		rc = crm_audit_change(db, "purchase", id, "set", "status", old, new);
	free(old);
	free(new);
	return rc;
}

/* The rules of a live refund: of a purchase that is none, in its
 * currency, never more than remains of it, and never cancelled: a refund
 * that failed gives nothing back, and one cancelled would still count
 * against what remains (load_state sums every live refund).  A refund
 * made, restored or moved (fresh) is of a live purchase: one archived
 * has left every figure, and its refunds with it. */
static int check_refund(crm_db *db, const struct state *s, int fresh)
{
	struct state o;
	char left[CRM_MONEY_TEXT];
	int rc = load_state(db, s->refund_of, &o);

	if (rc)
		return rc;
	if (!strcmp(s->status, "cancelled"))
		return crm_error_set(CRM_EDATA, "status: a refund that failed or was canceled gives"
		                     " nothing back");
	if (!o.found)
		return crm_error_set(CRM_EDATA, "refund_of: no purchase %lld", (long long)s->refund_of);
	if (fresh && o.archived)
		return crm_error_set(CRM_EDATA, "refund_of: purchase %lld is archived (restore it"
		                     " first)", (long long)s->refund_of);
	if (o.refund_of)
		return crm_error_set(CRM_EDATA, "refund_of: purchase %lld is itself a refund",
		                     (long long)s->refund_of);
	if (!strcmp(o.status, "cancelled"))
		return crm_error_set(CRM_EDATA, "refund_of: purchase %lld was cancelled",
		                     (long long)s->refund_of);
	if (s->total > 0)
		return crm_error_set(CRM_EDATA, "total: a refund's total is negative");
	if (strcmp(s->cur, o.cur))
		return crm_error_set(CRM_EDATA, "total: a refund of purchase %lld is in %s, not %s",
		                     (long long)s->refund_of, o.cur, s->cur);
	if (o.total + o.refunded < 0) {
		money_text(left, sizeof left, o.total + o.refunded - s->total, o.cur);
		return crm_error_set(CRM_EDATA, "refund: more than was bought: %s remains of"
		                     " purchase %lld", left, (long long)s->refund_of);
	}
	return settle_refunded(db, s->refund_of);
}

/* One live purchase per order number and source. */
static int check_order(crm_db *db, int64_t id)
{
	char *other = NULL;
	int rc = crm_db_text_of(db, "SELECT o.id FROM purchases p JOIN purchases o"
	                        " ON o.order_ref = p.order_ref AND o.source IS p.source"
	                        " AND o.id <> p.id AND o.archived_at IS NULL"
	                        " WHERE p.id = ?1 AND p.archived_at IS NULL", id, &other);

	if (!rc && other)
		rc = crm_error_set(CRM_EDATA, "order_ref: another purchase (%s) has this order"
		                   " number from this source", other);
	free(other);
	return rc;
}

/* Whether a write changes what a purchase earns by the rules: earning
 * again, a new amount or buyer.  Other writes only settle refunds. */
static int scored(const crm_record *r)
{
	static const char *const fields[] = { "earns", "total", "person", "at" };

	for (size_t i = 0; r && i < sizeof fields / sizeof fields[0]; i++)
		if (crm_record_value(r, fields[i]))
			return 1;
	return 0;
}

/* Fails when purchase id has live refunds: a purchase that leaves every
 * figure (cancelled or archived) would leave them counting against no
 * purchase, and it cannot take them with it, since a restore could not
 * tell them from those archived on their own.  field prefixes the
 * message; doing is what the caller was to do. */
static int no_refunds(crm_db *db, int64_t id, const char *field, const char *doing)
{
	char *ids = NULL;
	int rc = crm_db_text_of(db, "SELECT group_concat(id, ' ') FROM (SELECT id FROM purchases"
	                        " WHERE refund_of = ?1 AND archived_at IS NULL ORDER BY id)", id,
	                        &ids);

	if (!rc && ids)
		rc = crm_error_set(CRM_EDATA, "%spurchase %lld has live refunds (%s): archive them"
		                   " first (crm-purchase rm %s), then %s it", field, (long long)id,
		                   ids, ids, doing);
	free(ids);
	return rc;
}

/* A refund is its purchase's buyer's, and its company's: one written
 * names no other, and takes theirs (a refund added with refund_of alone,
 * one whose person a purge cleared). */
static int refund_buyer(crm_db *db, int64_t id, const crm_record *r)
{
	static const char *const fields[][3] = {
		{ "person", "contact_id", "person" }, { "company", "company_id", "company" },
	};
	char sql[192], *differs = NULL;
	int rc = CRM_OK;

	for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !rc; i++) {
		const char *v = r ? crm_record_value(r, fields[i][0]) : NULL;

		if (!v || !*v)
			continue;
		snprintf(sql, sizeof sql, "SELECT p.id FROM purchases t JOIN purchases p ON p.id ="
		         " t.refund_of WHERE t.id = ?1 AND t.%s IS NOT p.%s", fields[i][1],
		         fields[i][1]);
		if (!(rc = crm_db_text_of(db, sql, id, &differs)) && differs)
			rc = crm_error_set(CRM_EDATA, "%s: purchase %s, which it refunds, is another"
			                   " %s's (a refund's is its purchase's)", fields[i][0],
			                   differs, fields[i][2]);
		free(differs);
		differs = NULL;
	}
	return rc ? rc : crm_db_exec_id(db, "UPDATE purchases SET contact_id = (SELECT p.contact_id"
	                                " FROM purchases p WHERE p.id = purchases.refund_of),"
	                                " company_id = (SELECT p.company_id FROM purchases p"
	                                " WHERE p.id = purchases.refund_of) WHERE id = ?1", id);
}

/* Moves the refunds of purchase id, archived ones too, to its buyer and
 * company, each an audited write of its own. */
static int follow_refunds(crm_db *db, int64_t id)
{
	crm_record *r = NULL;
	char *person = NULL, *company = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = crm_db_ids(db, "SELECT t.id FROM purchases t JOIN purchases p ON p.id = t.refund_of"
	                    " WHERE p.id = ?1 AND (t.contact_id IS NOT p.contact_id"
	                    " OR t.company_id IS NOT p.company_id) ORDER BY t.id", id, &ids, &n);

	if (!rc && n &&
	    !(rc = crm_db_text_of(db, "SELECT contact_id FROM purchases WHERE id = ?1", id, &person)) &&
	    !(rc = crm_db_text_of(db, "SELECT company_id FROM purchases WHERE id = ?1", id, &company)) &&
	    !(rc = crm_record_new(&r, &crm_purchase_entity)) &&
	    !(rc = crm_record_set(r, "person", person ? person : "")))
		rc = crm_record_set(r, "company", company ? company : "");
	for (size_t i = 0; i < n && !rc; i++)
		rc = crm_entity_update(db, r, ids[i], NULL);
	crm_record_free(r);
	free(person);
	free(company);
	free(ids);
	return rc;
}

/* The rules of a refund written: its buyer's, and, while it is live, the
 * money rules (check_refund). */
static int refund_written(crm_db *db, int64_t id, const struct state *s, const crm_record *r,
                          int adding)
{
	int rc = refund_buyer(db, id, r);

	if (rc || s->archived)
		return rc;
	return check_refund(db, s, adding || (r && crm_record_value(r, "refund_of")));
}

/* The rules of a purchase (no refund) written: a total not negative, and
 * not below what its refunds gave back; cancelled only without live
 * refunds; its refunds go where it goes. */
static int purchase_written(crm_db *db, int64_t id, const struct state *s, const crm_record *r,
                            int adding)
{
	char left[CRM_MONEY_TEXT];
	int rc;

	if (s->total < 0)
		return crm_error_set(CRM_EDATA, "total: a purchase's total is not negative"
		                     " (crm-purchase refund gives money back)");
	if (s->total + s->refunded < 0) {
		money_text(left, sizeof left, -s->refunded, s->cur);
		return crm_error_set(CRM_EDATA, "total: %s of it was refunded already", left);
	}
	if (!adding && r && crm_record_value(r, "status") && !strcmp(s->status, "cancelled") &&
	    (rc = no_refunds(db, id, "status: ", "cancel")))
		return rc;
	if ((rc = settle_status(db, id)) || adding || !r)
		return rc;
	/* Set or cleared: a value cleared is no value, but a change all the same. */
	if (crm_record_has(r, "person") || crm_record_has(r, "company"))
		rc = follow_refunds(db, id);
	return rc;
}

int crm_purchase_moved(crm_db *db, int64_t id)
{
	int rc = follow_refunds(db, id);

	return rc ? rc : crm_loyalty_purchase(db, id, 0);
}

static int purchase_after_write(crm_db *db, int64_t id, const crm_record *r,
                                int adding)
{
	struct state s;
	int rc;

	if ((rc = crm_db_exec_id(db, "UPDATE purchases SET at = coalesce(at, crm_now()),"
	                         " status = coalesce(status, 'paid') WHERE id = ?1", id)) ||
	    (rc = load_state(db, id, &s)))
		return rc;
	if (!s.has_total)
		return crm_error_set(CRM_EDATA, "total: a purchase needs a total or lines");
	rc = s.refund_of ? refund_written(db, id, &s, r, adding)
	                 : purchase_written(db, id, &s, r, adding);
	if (!rc)
		rc = check_order(db, id);
	if (!rc)
		rc = crm_purchase_reindex(db, "id = ?1", id);
	if (!rc && !db->lines_follow)
		rc = crm_loyalty_purchase(db, s.refund_of ? s.refund_of : id, !s.refund_of && scored(r));
	else if (!rc)
		rc = crm_loyalty_purchase_check(db, id);
	db->lines_follow = 0;
	return rc;
}

/* A purchase archived or restored earns or gives back its points; a
 * refund archived or restored gives its money back or takes it again.
 * A purchase archived has no live refunds (no_refunds); a refund
 * restored is of a live purchase. */
static int purchase_after_archive(crm_db *db, int64_t id)
{
	struct state s;
	int rc;

	if ((rc = load_state(db, id, &s)))
		return rc;
	if (!s.refund_of && s.archived && (rc = no_refunds(db, id, "", "archive")))
		return rc;
	if (s.refund_of && !s.archived && (rc = check_refund(db, &s, 1)))
		return rc;
	if (s.refund_of && (rc = settle_refunded(db, s.refund_of)))
		return rc;
	return crm_loyalty_purchase(db, s.refund_of ? s.refund_of : id, 0);
}

/* Only a loyalty programme makes a purchase's delete more than SQL to
 * an undo set by set: the refunds of its purchases are of the batch too,
 * and go with the rest. */
static bool purchase_delete_acts(crm_db *db)
{
	return crm_config_loyalty(crm_db_config(db)) != NULL;
}

/* A purchase deleted one by one (an import undone with --force) takes
 * the refunds made of it since with it, purged: a refund of no purchase
 * would be a negative purchase.  (With foreign keys off, an undo set by
 * set, there are none but the batch's own, which it deletes itself.) */
static int purge_refunds(crm_db *db, int64_t id)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = db->fk_off ? CRM_OK
	                    : crm_db_ids(db, "SELECT id FROM purchases WHERE refund_of = ?1"
	                                 " ORDER BY id", id, &ids, &n);

	for (size_t i = 0; i < n && !rc; i++)
		rc = crm_entity_purge(db, &crm_purchase_entity, ids[i]);
	free(ids);
	return rc;
}

/* A purchase deleted (an import undone) gives back the points it earned,
 * as one archived does: the ledger keeps both entries, as it keeps every
 * one.  Marked archived first, which is what the settling reads; the row
 * goes next.  (A refund's purchase is not settled again here.) */
static int purchase_before_delete(crm_db *db, int64_t id)
{
	char now[CRM_TIME_LEN];
	struct state s;
	crm_stmt *st;
	int rc = purge_refunds(db, id);

	if (rc || !purchase_delete_acts(db) || (rc = load_state(db, id, &s)) || s.refund_of)
		return rc;
	if ((rc = crm_db_stmt(db, &st, "UPDATE purchases SET archived_at = coalesce(archived_at, ?2)"
	                      " WHERE id = ?1")))
		return rc;
	crm_db_now(db, now);
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, now);
	return (rc = crm_stmt_done(st)) ? rc : crm_loyalty_purchase(db, id, 0);
}

/* Lines */

void crm_purchase_lines_free(struct crm_purchase_lines *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->v[i].sku);
		free(ls->v[i].name);
		free(ls->v[i].category);
	}
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

static struct crm_purchase_line *line_new(struct crm_purchase_lines *ls)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 8;
		struct crm_purchase_line *v = realloc(ls->v, cap * sizeof *v);

		if (!v)
			return NULL;
		ls->v = v;
		ls->cap = cap;
	}
	memset(&ls->v[ls->n], 0, sizeof ls->v[0]);
	return &ls->v[ls->n++];
}

/* Stores in *out the NFC form of the n bytes at s (NULL when blank). */
static int text_part(char **out, const char *s, size_t n, const char *what)
{
	char *t;
	int rc;

	*out = NULL;
	while (n && strchr(" \t", s[n - 1]))
		n--;
	if (!n)
		return CRM_OK;
	if (!(t = strndup(s, n)))
		return crm_error_nomem();
	rc = crm_text_nfc(out, t);
	free(t);
	if (rc == CRM_EDATA)
		return crm_error_set(CRM_EDATA, "%s: invalid text (not UTF-8)", what);
	return rc;
}

/* Reads s, a line's price (or what else, its amount): digits, optionally
 * '.' and digits, in cur's minor units. */
/* An amount in cur: a decimal, or one with a currency code after it, as
 * crm-purchase lines prints it ("9.95 EUR"); another currency than cur
 * is refused, not read as cur. */
static int amount_parse(const char *what, const char *s, const char *cur, int64_t *out)
{
	const char *sp = strchr(s, ' ');
	struct crm_money m;
	int rc = *s < '0' || *s > '9' || strpbrk(s, "\t\r\n") || (sp && strchr(sp + 1, ' '))
	         ? CRM_EDATA : crm_money_parse(&m, s, cur);

	if (rc == CRM_OK && strcmp(m.cur, cur))
		return crm_error_set(CRM_EDATA, "%s: '%s' is in %s, not %s (give --currency %s)",
		                     what, s, m.cur, cur, m.cur);
	if (rc != CRM_OK) {
		crm_error_clear();
		if (*s == '-')
			return crm_error_set(CRM_EDATA, "%s: '%s' is negative", what, s);
		return crm_error_set(CRM_EDATA, "%s: invalid %s '%s' (a decimal in %s,"
		                     " e.g. 9.90)", what, what, s, cur);
	}
	*out = m.minor;
	return CRM_OK;
}

static int price_parse(const char *s, const char *cur, int64_t *out)
{
	return amount_parse("price", s, cur, out);
}

static int quantity_parse(const char *s, int64_t *out)
{
	long long q;

	if (!crm_int_parse(s, 1, CRM_QUANTITY_MAX, &q))
		return crm_error_set(CRM_EDATA, "quantity: invalid quantity '%s' (a whole number"
		                     " from 1 to %lld)", s, CRM_QUANTITY_MAX);
	*out = q;
	return CRM_OK;
}

/* Copies the next blank-separated word of *p into w (size n). */
static int word(const char **p, char *w, size_t n)
{
	size_t len;

	*p += strspn(*p, " \t");
	len = strcspn(*p, " \t");
	if (!len || len >= n)
		return len ? -1 : 0;
	memcpy(w, *p, len);
	w[len] = '\0';
	*p += len;
	return 1;
}

int crm_purchase_line_parse(struct crm_purchase_lines *ls, const char *text, const char *cur)
{
	char sku[256], qty[64], price[64];
	struct crm_purchase_line l = { 0 }, *slot;
	const char *p = text;
	int rc;

	if (word(&p, sku, sizeof sku) <= 0 || word(&p, qty, sizeof qty) <= 0 ||
	    word(&p, price, sizeof price) <= 0)
		return crm_error_set(CRM_EDATA, "line: '%s' is not 'SKU QTY PRICE [NAME]'", text);
	p += strspn(p, " \t");
	if ((rc = quantity_parse(qty, &l.quantity)) || (rc = price_parse(price, cur, &l.price)))
		return rc;
	if ((rc = text_part(&l.sku, sku, strlen(sku), "sku")) ||
	    (rc = text_part(&l.name, p, strlen(p), "name"))) {
		free(l.sku);
		return rc;
	}
	if (!(slot = line_new(ls))) {
		free(l.sku), free(l.name);
		return crm_error_nomem();
	}
	*slot = l;
	return CRM_OK;
}

/* A JSON number as a price: exact when it prints back the same at cur's
 * decimals (9.9 as 9.90), so no binary fraction slips in. */
static int json_price(json_t *v, const char *cur, int64_t *out)
{
	char buf[64];
	int exp = crm_currency_exponent(cur);
	double d;

	if (json_is_string(v))
		return price_parse(json_string_value(v), cur, out);
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
		return price_parse(buf, cur, out);
	}
	if (!json_is_real(v) || exp < 0)
		return crm_error_set(CRM_EDATA, "price: not a number");
	d = json_real_value(v);
	if (!isfinite(d) || fabs(d) > 1e15)
		return crm_error_set(CRM_EDATA, "price: out of range");
	snprintf(buf, sizeof buf, "%.*f", exp, d);
	if (strtod(buf, NULL) != d)
		return crm_error_set(CRM_EDATA, "price: more decimals than %s has", cur);
	return price_parse(buf, cur, out);
}

static int json_quantity(json_t *v, int64_t *out)
{
	char buf[32];

	if (json_is_string(v))
		return quantity_parse(json_string_value(v), out);
	if (!json_is_integer(v))
		return crm_error_set(CRM_EDATA, "quantity: not a whole number");
	snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
	return quantity_parse(buf, out);
}

static int json_text(json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return CRM_OK;
	if (!json_is_string(v))
		return crm_error_set(CRM_EDATA, "%s: not a string", key);
	return text_part(out, json_string_value(v), json_string_length(v), key);
}

static int json_line(json_t *o, const char *cur, struct crm_purchase_line *l)
{
	json_t *price = json_object_get(o, "unit_price");
	json_t *qty = json_object_get(o, "quantity");
	int rc;

	if (!price)
		price = json_object_get(o, "price");
	if (!json_is_object(o))
		return crm_error_set(CRM_EDATA, "not an object");
	if (!qty)
		return crm_error_set(CRM_EDATA, "quantity: missing");
	if (!price)
		return crm_error_set(CRM_EDATA, "price: missing");
	if ((rc = json_quantity(qty, &l->quantity)) || (rc = json_price(price, cur, &l->price)))
		return rc;
	if ((rc = json_text(o, "sku", &l->sku)) || (rc = json_text(o, "name", &l->name)))
		return rc;
	return json_text(o, "category", &l->category);
}

int crm_purchase_lines_json(struct crm_purchase_lines *ls, const char *json, size_t len,
                            const char *cur)
{
	json_error_t err;
	json_t *a = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err), *o;
	size_t i;
	int rc = CRM_OK;

	if (!a)
		return crm_error_set(CRM_EDATA, "lines: invalid JSON at line %d: %s", err.line,
		                     err.text);
	if (!json_is_array(a)) {
		json_decref(a);
		return crm_error_set(CRM_EDATA, "lines: expected a JSON array of line objects");
	}
	json_array_foreach(a, i, o) {
		struct crm_purchase_line l = { 0 }, *slot;

		if ((rc = json_line(o, cur, &l))) {
			char msg[512];

			snprintf(msg, sizeof msg, "%s", crm_error_message());
			rc = crm_error_set(rc, "lines: line %zu: %s", i + 1, msg);
		} else if (!(slot = line_new(ls)))
			rc = crm_error_nomem();
		else {
			*slot = l;
			continue;
		}
		free(l.sku), free(l.name), free(l.category);
		break;
	}
	json_decref(a);
	return rc;
}

int crm_purchase_lines_sum(const struct crm_purchase_lines *ls, int64_t *sum)
{
	int64_t s = 0, a;

	for (size_t i = 0; i < ls->n; i++)
		if (__builtin_mul_overflow(ls->v[i].quantity, ls->v[i].price, &a) ||
		    __builtin_add_overflow(s, a, &s))
			return crm_error_set(CRM_EDATA, "lines: the sum of the lines is out of range");
	*sum = s;
	return CRM_OK;
}

static int insert_line(crm_db *db, int64_t id, const struct crm_purchase_line *l)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO purchase_lines(purchase_id, line, sku, name,"
	                     " category, quantity, unit_price) VALUES (?1, (SELECT coalesce(max(line),"
	                     " 0) + 1 FROM purchase_lines WHERE purchase_id = ?1), ?2, ?3, ?4, ?5, ?6)");

	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	crm_stmt_bind_text(st, 2, l->sku);
	crm_stmt_bind_text(st, 3, l->name);
	crm_stmt_bind_text(st, 4, l->category);
	crm_stmt_bind_int(st, 5, l->quantity);
	crm_stmt_bind_int(st, 6, l->price);
	return crm_stmt_done(st);
}

static int insert_lines(crm_db *db, int64_t id, const struct crm_purchase_lines *ls)
{
	int rc = CRM_OK;

	for (size_t i = 0; i < ls->n && !rc; i++)
		rc = insert_line(db, id, &ls->v[i]);
	if (!rc && ls->n)
		rc = crm_purchase_reindex(db, "id = ?1", id);
	return rc;
}

/* The total r gives, or the lines' sum as one: checked against each
 * other when both are there.  *derived tells the second case. */
static int settle_total(crm_db *db, crm_record *r, const struct crm_purchase_lines *ls,
                        const char *cur, int *derived)
{
	const char *base = crm_config_currency(db->cfg);
	const char *given = crm_record_value(r, "total");
	struct crm_money t, sum = { 0, "" };
	char a[CRM_MONEY_TEXT], b[CRM_MONEY_TEXT];
	int rc;

	*derived = 0;
	snprintf(sum.cur, sizeof sum.cur, "%s", cur ? cur : base);
	if (!ls->n)
		return CRM_OK;
	if ((rc = crm_purchase_lines_sum(ls, &sum.minor)))
		return rc;
	if (given && *given) {
		if (crm_money_parse(&t, given, sum.cur))
			return crm_error_set(CRM_EDATA, "total: %s", crm_error_message());
		if (t.minor != sum.minor || strcmp(t.cur, sum.cur)) {
			money_text(a, sizeof a, t.minor, t.cur);
			money_text(b, sizeof b, sum.minor, sum.cur);
			return crm_error_set(CRM_EDATA, "total: %s is not the sum of the lines, %s", a,
			                     b);
		}
		return CRM_OK;
	}
	*derived = 1;
	money_text(a, sizeof a, sum.minor, sum.cur);
	return crm_record_set(r, "total", a);
}

int crm_purchase_add(crm_db *db, crm_record *r, const struct crm_purchase_lines *ls,
                     const char *cur, int64_t *id)
{
	int rc, derived = 0;

	db->lines_follow = ls->n > 0;
	if (!(rc = settle_total(db, r, ls, cur, &derived)))
		rc = crm_entity_add(db, r, id);
	db->lines_follow = 0;
	if (!rc && derived)
		rc = crm_db_exec_id(db, "UPDATE purchases SET lines_total = 1 WHERE id = ?1", *id);
	if (!rc)
		rc = insert_lines(db, *id, ls);
	if (!rc)
		rc = crm_loyalty_purchase(db, *id, 1);
	return rc;
}

/* Stores in *sum what purchase id's lines come to with l added; an error
 * when that is past the range of an amount, which SQLite would carry on
 * as a floating-point number. */
static int sum_with(crm_db *db, int64_t id, const struct crm_purchase_line *l, int64_t *sum)
{
	crm_stmt *st;
	int64_t a;
	int rc;

	if (__builtin_mul_overflow(l->quantity, l->price, sum))
		return crm_error_set(CRM_EDATA, "line: the amount is out of range");
	if ((rc = crm_db_stmt(db, &st, "SELECT quantity, unit_price FROM purchase_lines"
	                      " WHERE purchase_id = ?1")))
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		if (__builtin_mul_overflow(crm_stmt_int(st, 0), crm_stmt_int(st, 1), &a) ||
		    __builtin_add_overflow(*sum, a, sum)) {
			rc = crm_error_set(CRM_EDATA, "lines: the sum of the lines is out of range");
			break;
		}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Adds line l to purchase id, and to its total when the lines make it;
 * the points are the caller's. */
static int add_line(crm_db *db, int64_t id, const struct crm_purchase_line *l)
{
	crm_stmt *st;
	int64_t sum;
	int rc = sum_with(db, id, l, &sum);

	if (!rc)
		rc = insert_line(db, id, l);
	if (!rc && !(rc = crm_db_stmt(db, &st, "UPDATE purchases SET total = ?2 WHERE id = ?1"
	                              " AND lines_total = 1"))) {
		crm_stmt_bind_int(st, 1, id);
		crm_stmt_bind_int(st, 2, sum);
		rc = crm_stmt_done(st);
	}
	return rc ? rc : crm_purchase_reindex(db, "id = ?1", id);
}

int crm_purchase_add_line(crm_db *db, int64_t id, const struct crm_purchase_line *l)
{
	int rc = add_line(db, id, l);

	return rc ? rc : crm_loyalty_purchase(db, id, 1);
}

/* One line as text, its prices in currency cur. */
static int line_row(const char *cur, const char *const *vals,
                    int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char price[CRM_MONEY_TEXT], amount[CRM_MONEY_TEXT];
	struct crm_money m = { 0, "" };
	const char *out[CRM_LINE_COLUMNS] = { vals[0], vals[1], vals[2], vals[3], vals[4], price,
	                                      amount };

	snprintf(m.cur, sizeof m.cur, "%s", cur);
	m.minor = strtoll(vals[5], NULL, 10);
	if (crm_money_format(price, sizeof price, &m))
		return crm_error_code();
	m.minor = strtoll(vals[6], NULL, 10);
	if (crm_money_format(amount, sizeof amount, &m))
		return crm_error_code();
	return fn(arg, out);
}

int crm_purchase_lines_each(crm_db *db, int64_t id,
                            int (*fn)(void *arg, const char *const *vals), void *arg)
{
	char *cur = NULL;
	crm_stmt *st;
	int rc = crm_db_text_of(db, "SELECT coalesce(total_currency, '') FROM purchases WHERE id = ?1",
	                        id, &cur), stop = 0;

	if (!rc && !cur)
		rc = crm_error_set(CRM_ENOTFOUND, "no purchase %lld", (long long)id);
	if (!rc)
		rc = crm_db_stmt(db, &st, "SELECT line, sku, name, category, quantity, unit_price,"
		                 " quantity * unit_price FROM purchase_lines WHERE purchase_id = ?1"
		                 " ORDER BY line");
	if (!rc) {
		crm_stmt_bind_int(st, 1, id);
		while (!stop && (rc = crm_stmt_step(st)) == CRM_ROW) {
			const char *vals[CRM_LINE_COLUMNS];

			for (int i = 0; i < CRM_LINE_COLUMNS; i++)
				vals[i] = crm_stmt_text(st, i);
			stop = line_row(cur, vals, fn, arg);
		}
		crm_stmt_reset(st);
		rc = crm_walk_end(stop, rc);
	}
	free(cur);
	return rc;
}

/* Refunds */

int crm_purchase_refund_qty(int64_t bought, int64_t refunded, int64_t qty, int64_t *out)
{
	int64_t left = bought - refunded;

	if (qty < 0)
		return crm_error_set(CRM_EDATA, "qty: %lld is not above 0", (long long)qty);
	if (left <= 0)
		return crm_error_set(CRM_EDATA, "qty: all %lld bought were refunded already",
		                     (long long)bought);
	if (qty > left)
		return crm_error_set(CRM_EDATA, "qty: %lld is more than the %lld left to refund"
		                     " of %lld bought", (long long)qty, (long long)left,
		                     (long long)bought);
	*out = -(qty ? qty : left);
	return CRM_OK;
}

/* The lines of a purchase by what they sell, with what was bought and
 * what its refunds gave back of each. */
#define GROUPS_SQL \
	"SELECT l.sku, l.name, min(l.category), l.unit_price, sum(l.quantity)," \
	" coalesce((SELECT -sum(x.quantity) FROM purchase_lines x JOIN purchases r" \
	" ON r.id = x.purchase_id WHERE r.refund_of = ?1 AND r.archived_at IS NULL" \
	" AND x.sku IS l.sku AND x.name IS l.name AND x.unit_price = l.unit_price), 0)" \
	" FROM purchase_lines l WHERE l.purchase_id = ?1" \
	" GROUP BY l.sku, l.name, l.unit_price ORDER BY min(l.line)"

static int dup_line(struct crm_purchase_line *l, crm_stmt *st)
{
	const char *s[3] = { crm_stmt_text(st, 0), crm_stmt_text(st, 1), crm_stmt_text(st, 2) };

	l->sku = s[0] ? strdup(s[0]) : NULL;
	l->name = s[1] ? strdup(s[1]) : NULL;
	l->category = s[2] ? strdup(s[2]) : NULL;
	l->price = crm_stmt_int(st, 3);
	if ((s[0] && !l->sku) || (s[1] && !l->name) || (s[2] && !l->category))
		return crm_error_nomem();
	return CRM_OK;
}

/* Stores in ls the refund lines: every line's remainder (sku NULL), or
 * qty of sku's; *found tells whether sku has a line. */
static int refund_lines(crm_db *db, int64_t id, const char *sku, int64_t qty,
                        struct crm_purchase_lines *ls, int *found)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, GROUPS_SQL);

	*found = 0;
	if (rc)
		return rc;
	crm_stmt_bind_int(st, 1, id);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *s = crm_stmt_text(st, 0);
		int64_t bought = crm_stmt_int(st, 4), back = crm_stmt_int(st, 5), q;
		struct crm_purchase_line *l;

		if (sku && (!s || strcmp(s, sku) || *found))
			continue;
		if (!sku && bought - back <= 0)
			continue;
		*found = 1;
		if ((rc = crm_purchase_refund_qty(bought, back, sku ? qty : 0, &q)))
			break;
		if (!(l = line_new(ls))) {
			rc = crm_error_nomem();
			break;
		}
		l->quantity = q;
		if ((rc = dup_line(l, st)))
			break;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* Makes r the refund of purchase id, with its buyer, company, store and
 * channel, as crm-purchase refund and an import's refund rows make one
 * (import_refund). */
static int refund_of(crm_db *db, crm_record *r, int64_t id)
{
	static const char *const copied[][2] = {
		{ "person", "contact_id" }, { "company", "company_id" }, { "source", "source" },
		{ "channel", "channel" },
	};
	char num[24], sql[96];
	int rc;

	snprintf(num, sizeof num, "%lld", (long long)id);
	rc = crm_record_set(r, "refund_of", num);
	for (size_t i = 0; i < sizeof copied / sizeof copied[0] && !rc; i++) {
		char *v = NULL;

		snprintf(sql, sizeof sql, "SELECT %s FROM purchases WHERE id = ?1", copied[i][1]);
		if (!(rc = crm_db_text_of(db, sql, id, &v)) && v)
			rc = crm_record_set(r, copied[i][0], v);
		free(v);
	}
	return rc;
}

/* The refund's record: its total, and what refund_of gives it. */
static int refund_record(crm_db *db, int64_t id, const char *total, crm_record **r)
{
	int rc;

	if ((rc = crm_record_new(r, &crm_purchase_entity)) || (rc = crm_record_set(*r, "total", total)))
		return rc;
	return refund_of(db, *r, id);
}

int crm_purchase_refund(crm_db *db, int64_t id, const char *sku, int64_t qty, int64_t *refund)
{
	struct crm_purchase_lines ls = { 0 };
	struct state s;
	crm_record *r = NULL;
	char total[CRM_MONEY_TEXT];
	int64_t amount = 0;
	int rc, found;

	if ((rc = load_state(db, id, &s)))
		return rc;
	if (!s.found || s.archived)
		return crm_error_set(CRM_ENOTFOUND, "no purchase %lld", (long long)id);
	if (s.refund_of)
		return crm_error_set(CRM_EDATA, "purchase %lld is a refund", (long long)id);
	if (!strcmp(s.status, "cancelled"))
		return crm_error_set(CRM_EDATA, "purchase %lld was cancelled", (long long)id);
	if (s.total <= 0)
		return crm_error_set(CRM_EDATA, "purchase %lld has nothing to refund (its total is 0)",
		                     (long long)id);
	if (s.total + s.refunded <= 0)
		return crm_error_set(CRM_EDATA, "purchase %lld was refunded wholly already",
		                     (long long)id);
	rc = refund_lines(db, id, sku, qty, &ls, &found);
	if (!rc && sku && !found)
		rc = crm_error_set(CRM_EDATA, "line: purchase %lld has no line of sku '%s'",
		                   (long long)id, sku);
	if (!rc && sku)
		rc = crm_purchase_lines_sum(&ls, &amount);
	if (!rc) {
		money_text(total, sizeof total, sku ? amount : -(s.total + s.refunded), s.cur);
		rc = refund_record(db, id, total, &r);
	}
	if (!rc)
		rc = crm_entity_add(db, r, refund);
	if (!rc)
		rc = insert_lines(db, *refund, &ls);
	crm_record_free(r);
	crm_purchase_lines_free(&ls);
	return rc;
}

/* Reads amount, which an import's row says was refunded of purchase s in
 * all, in currency cur when it names none, into *minor. */
static int refunded_amount(const char *amount, const char *cur, const struct state *s,
                           int64_t *minor)
{
	struct crm_money m;

	if (crm_money_parse(&m, amount, cur))
		return crm_error_set(CRM_EDATA, "%s", crm_error_message());
	if (m.minor < 0)
		return crm_error_set(CRM_EDATA, "'%s': an amount refunded is not negative", amount);
	if (strcmp(m.cur, s->cur))
		return crm_error_set(CRM_EDATA, "'%s' is in %s, the purchase in %s", amount, m.cur,
		                     s->cur);
	*minor = m.minor;
	return CRM_OK;
}

/* Adds s, the decimal text of an amount refunded (WooCommerce writes it
 * negative), in currency cur, to *sum. */
static int add_refunded(const char *s, const char *cur, int64_t *sum)
{
	int64_t one;
	int rc;

	if (!s)
		return crm_error_set(CRM_EDATA, "refund: an amount that is no decimal text");
	if ((rc = amount_parse("refund", s + (*s == '-'), cur, &one)))
		return rc;
	if (__builtin_add_overflow(*sum, one, sum))
		return crm_error_set(CRM_EDATA, "refund: the amount is out of range");
	return CRM_OK;
}

/* Adds to *sum what r, a refund an API lists with its order, gave back:
 * WooCommerce's total, or else Shopify's transactions of kind refund that
 * succeeded (a failed one gave nothing). */
static int add_listed_refund(json_t *r, const char *cur, int64_t *sum)
{
	json_t *total = json_object_get(r, "total"), *tx;
	size_t i;
	int rc = CRM_OK;

	if (total)
		return add_refunded(json_string_value(total), cur, sum);
	json_array_foreach(json_object_get(r, "transactions"), i, tx) {
		const char *kind = json_string_value(json_object_get(tx, "kind"));
		const char *status = json_string_value(json_object_get(tx, "status"));

		if (kind && !strcmp(kind, "refund") && (!status || !strcmp(status, "success")) &&
		    (rc = add_refunded(json_string_value(json_object_get(tx, "amount")), cur, sum)))
			break;
	}
	return rc;
}

/* Reads list, the refunds an API lists with an order (JSON), into *minor:
 * what they gave back in all, in currency cur. */
static int listed_refunds(const char *list, const char *cur, int64_t *minor)
{
	json_t *a = json_loads(list, 0, NULL), *r;
	size_t i;
	int rc = json_is_array(a) ? CRM_OK : crm_error_set(CRM_EDATA, "not a list of refunds");

	*minor = 0;
	json_array_foreach(a, i, r)
		if (rc || (rc = add_listed_refund(r, cur, minor)))
			break;
	json_decref(a);
	return rc;
}

/* The amount an import's row says was refunded of purchase id in all (a
 * shop's export gives it without a date, an API lists its refunds with
 * the order; NULL: its whole total, as an order's status "refunded"
 * says): the refund of what its refunds lack of it, dated as the
 * purchase, so that its month's revenue is net of it as the export's
 * sums are.  An amount above the total gives back what remains, as no
 * refund gives back more than was bought. */
static int import_refunded(crm_db *db, int64_t id, const char *amount, const char *cur,
                           int64_t *due, int64_t *refund)
{
	struct state s;
	crm_record *r = NULL;
	char total[CRM_MONEY_TEXT];
	int64_t asked;
	int rc;

	*due = 0;
	if (refund)
		*refund = 0;
	/* Shopify writes 0.00 on every order refunded nothing: no purchase to read. */
	if (amount && strchr(amount, '0') && !amount[strspn(amount, "0.")])
		return CRM_OK;
	if ((rc = load_state(db, id, &s)) || !s.found || s.refund_of || !strcmp(s.status, "cancelled"))
		return rc;
	asked = s.total;
	if (amount && *amount == '[')
		rc = listed_refunds(amount, s.cur, &asked);
	else if (amount)
		rc = refunded_amount(amount, cur ? cur : s.cur, &s, &asked);
	if (rc)
		return rc;
	*due = (asked < s.total ? asked : s.total) + s.refunded;
	if (*due < 0)
		*due = 0;
	if (!*due || !refund)
		return CRM_OK;
	money_text(total, sizeof total, -*due, s.cur);
	if (!(rc = refund_record(db, id, total, &r)) &&
	    !(rc = crm_record_set(r, "at", *s.at ? s.at : NULL)))
		rc = crm_entity_add(db, r, refund);
	crm_record_free(r);
	return rc;
}

/* Summary */

int64_t crm_purchase_average(int64_t sum, int64_t n)
{
	int64_t q = sum / n, rem = sum % n;
	int64_t twice = rem < 0 ? -2 * rem : 2 * rem; /* |rem| < n, no overflow for n < 2^62 */

	if (twice > n || (twice == n && q % 2))
		q += sum < 0 ? -1 : 1;
	return q;
}

/* One group under way. */
struct group {
	char *name;
	int started;
	int64_t count, revenue, last_id;
	int64_t rows; /* purchases and refunds, or their lines */
	char first[CRM_TIME_LEN], last[CRM_TIME_LEN];
};

struct summary {
	crm_db *db;
	const char *base;
	int (*fn)(void *arg, const char *const *vals);
	void *arg;
	struct group g;
};

static int emit(struct summary *sm, const char *name)
{
	struct crm_money m = { 0, "" };
	char n[24], revenue[CRM_MONEY_TEXT], avg[CRM_MONEY_TEXT] = "";
	const char *vals[CRM_SUMMARY_COLUMNS] = { name ? name : "", n, revenue, avg,
	                                          sm->g.first, sm->g.last };

	snprintf(m.cur, sizeof m.cur, "%s", sm->base);
	snprintf(n, sizeof n, "%lld", (long long)sm->g.count);
	m.minor = sm->g.revenue;
	if (crm_money_format_amount(revenue, sizeof revenue, &m))
		return crm_error_code();
	m.minor = sm->g.count ? crm_purchase_average(sm->g.revenue, sm->g.count) : 0;
	if (sm->g.count && crm_money_format_amount(avg, sizeof avg, &m))
		return crm_error_code();
	return sm->fn(sm->arg, vals);
}

/* Adds one row (group, purchase id, amount, currency, at, is a refund) to
 * the group under way, emitting the one before when the group changes. */
static int summary_row(struct summary *sm, crm_stmt *st)
{
	const char *name = crm_stmt_text(st, 0), *at = crm_stmt_text(st, 4);
	struct crm_money m = { crm_stmt_int(st, 2), "" }, b;
	int64_t id = crm_stmt_int(st, 1);
	int rc = CRM_OK;

	if (sm->g.started && (name ? !sm->g.name || strcmp(name, sm->g.name) : !!sm->g.name)) {
		rc = emit(sm, sm->g.name);
		free(sm->g.name);
		memset(&sm->g, 0, sizeof sm->g);
	}
	if (!rc && !sm->g.started) {
		sm->g.started = 1;
		if (name && !(sm->g.name = strdup(name)))
			return crm_error_nomem();
	}
	snprintf(m.cur, sizeof m.cur, "%s", crm_stmt_text(st, 3));
	if (rc || (rc = crm_money_base(sm->db, &m, at, &b)))
		return rc;
	if (__builtin_add_overflow(sm->g.revenue, b.minor, &sm->g.revenue))
		return crm_error_set(CRM_EDATA, "revenue out of range");
	sm->g.rows++;
	if (!crm_stmt_int(st, 5) && id != sm->g.last_id) {
		sm->g.count++;
		sm->g.last_id = id;
		if (!*sm->g.first || strcmp(at, sm->g.first) < 0)
			snprintf(sm->g.first, sizeof sm->g.first, "%s", at);
		if (strcmp(at, sm->g.last) > 0)
			snprintf(sm->g.last, sizeof sm->g.last, "%s", at);
	}
	return rc;
}

/* One pass over the purchases, grouped by the SQL key; the last group is
 * left in sm->g for the caller (the total's pass emits it later). */
static int summary_pass(struct summary *sm, const char *key, int lines, const char *from,
                        const char *to)
{
	crm_buf sql = CRM_BUF_INIT;
	crm_stmt *st;
	int rc;

	crm_buf_printf(&sql, "SELECT %s AS g, p.id, %s, p.total_currency, p.at,"
	               " p.refund_of IS NOT NULL FROM purchases p%s"
	               " WHERE p.archived_at IS NULL AND p.status <> 'cancelled'"
	               " AND (?1 IS NULL OR p.at >= ?1) AND (?2 IS NULL OR p.at < ?2)"
	               " ORDER BY g IS NULL, g, p.id", key,
	               lines ? "l.quantity * l.unit_price" : "p.total",
	               lines ? " JOIN purchase_lines l ON l.purchase_id = p.id" : "");
	memset(&sm->g, 0, sizeof sm->g);
	if (!(rc = crm_db_stmt(sm->db, &st, crm_buf_str(&sql)))) {
		crm_stmt_bind_text(st, 1, from);
		crm_stmt_bind_text(st, 2, to);
		while ((rc = crm_stmt_step(st)) == CRM_ROW && !(rc = summary_row(sm, st)))
			;
		crm_stmt_reset(st);
	}
	crm_buf_free(&sql);
	return rc < 0 ? rc : CRM_OK;
}

int crm_purchase_summary(crm_db *db, const char *by, const char *from, const char *to,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *count)
{
	static const struct { const char *by, *key; } keys[] = {
		{ "person", "(SELECT coalesce(c.email, c.id) FROM contacts c WHERE c.id = p.contact_id)" },
		{ "month", "substr(p.at, 1, 7)" },
		{ "category", "l.category" },
		{ "store", "p.source" },
	};
	struct summary sm = { db, crm_config_currency(db->cfg), fn, arg, { 0 } };
	struct group total;
	const char *key = NULL;
	int rc;

	*count = 0;
	for (size_t i = 0; by && i < sizeof keys / sizeof keys[0]; i++)
		if (!strcmp(by, keys[i].by))
			key = keys[i].key;
	if (by && !key)
		return crm_error_set(CRM_EUSAGE, "cannot group by '%s' (person, month, category or"
		                     " store)", by);
	/* The total first, in a pass of its own: a purchase in two categories
	 * counts once there, and it says whether there is anything at all (a
	 * month of refunds alone is a month of negative revenue). */
	rc = summary_pass(&sm, "'total'", 0, from, to);
	free(sm.g.name);
	sm.g.name = NULL;
	total = sm.g;
	if (rc || !(*count = total.rows))
		return rc;
	if (key && !(rc = summary_pass(&sm, key, !strcmp(by, "category"), from, to)) &&
	    sm.g.started)
		rc = emit(&sm, sm.g.name);
	free(sm.g.name);
	sm.g = total;
	return rc ? rc : emit(&sm, "total");
}

/* Reads the quantity and the price of an import's line item: its price,
 * or its amount in all over its quantity (WooCommerce's item_total),
 * the price of one to the cent, half to even. */
static int line_price(const char *const *parts, const char *cur, struct crm_purchase_line *l)
{
	int64_t amount;
	int rc;

	if (!parts[3] || (!parts[4] && !parts[5]))
		return crm_error_set(CRM_EDATA, "line: a line item needs a quantity and a price");
	if ((rc = quantity_parse(parts[3], &l->quantity)))
		return rc;
	if (parts[4])
		return price_parse(parts[4], cur, &l->price);
	if ((rc = amount_parse("amount", parts[5], cur, &amount)))
		return rc;
	l->price = crm_purchase_average(amount, l->quantity);
	return CRM_OK;
}

/* The grouping step of imports (see import_line in internal.h): the
 * first row's line gives the total when the row has none. */
static int purchase_import_line(crm_db *db, crm_record *r, int64_t id, const char *const *parts,
                                const char *cur, int derived)
{
	const char *base = crm_config_currency(db->cfg);
	struct crm_purchase_line l = { 0 };
	char code[4], *stored = NULL, total[CRM_MONEY_TEXT];
	int64_t amount;
	int rc = CRM_OK;

	/* Called before the record of a new order is written (id 0), whose
	 * line comes next; and for each line of it. */
	db->lines_follow = !id;

	snprintf(code, sizeof code, "%s", base);
	if (cur && crm_currency_normalize(code, cur))
		return crm_error_set(CRM_EDATA, "currency: %s", crm_error_message());
	if (id && (rc = crm_db_text_of(db, "SELECT total_currency FROM purchases WHERE id = ?1",
	                               id, &stored)))
		return rc;
	/* An order is in one currency: a line in another is no part of it
	 * (two shops' orders of one number, a mistyped cell). */
	if (stored && cur && *cur && strcmp(code, stored))
		rc = crm_error_set(CRM_EDATA, "currency: the line is in %s, its order in %s", code,
		                   stored);
	else if (stored)
		snprintf(code, sizeof code, "%s", stored);
	free(stored);
	if (rc)
		return rc;
	if ((rc = line_price(parts, code, &l)))
		return rc;
	if (!id) {
		const char *given = crm_record_value(r, "total");

		if (given && *given)
			return 0;
		if (__builtin_mul_overflow(l.quantity, l.price, &amount))
			return crm_error_set(CRM_EDATA, "line: the amount is out of range");
		money_text(total, sizeof total, amount, code);
		return (rc = crm_record_set(r, "total", total)) ? rc : 1;
	}
	if (derived && (rc = crm_db_exec_id(db, "UPDATE purchases SET lines_total = 1 WHERE id = ?1",
	                                    id)))
		return rc;
	if (!(rc = text_part(&l.sku, parts[0], parts[0] ? strlen(parts[0]) : 0, "sku")) &&
	    !(rc = text_part(&l.name, parts[1], parts[1] ? strlen(parts[1]) : 0, "name")) &&
	    !(rc = text_part(&l.category, parts[2], parts[2] ? strlen(parts[2]) : 0, "category")))
		rc = add_line(db, id, &l);
	free(l.sku), free(l.name), free(l.category);
	return rc;
}

/* An imported order earns once all its lines are in. */
static int purchase_import_done(crm_db *db, int64_t id)
{
	return crm_loyalty_purchase(db, id, 1);
}

/* A purchase is named by its id only. */
const struct crm_entity crm_purchase_entity = {
	.name = "purchase", .table = "purchases", .custom_table = "purchase_custom",
	.custom_fk = "purchase_id", .fts = "purchases_fts", .join = "",
	.defs = purchase_fields, .nfields = NFIELDS(purchase_fields),
	.after_write = purchase_after_write, .after_archive = purchase_after_archive,
	.before_delete = purchase_before_delete, .delete_acts = purchase_delete_acts,
	.synonyms = purchase_synonyms,
	.value_synonyms = purchase_values,
	.not_yet = { "order status", "is not paid yet: an order comes in once it is paid,"
	             " refunded or cancelled" },
	.beside = purchase_beside,
	.reindex = crm_purchase_reindex, .tag_table = "purchase_tags",
	.note_table = "purchase_notes", .default_key = "order_ref," SOURCE_ID,
	.key_within = { "order_ref", "source" }, .spelt = purchase_spelt, .filters = purchase_filters,
	.options = purchase_options, .label = "r.id", .import_line = purchase_import_line,
	.import_done = purchase_import_done, .import_refund = refund_of,
	.import_refunded = import_refunded, .refunded_whole = { "status", "refunded" },
	.line_lists = purchase_lists,
};
