/* purchase.h - purchase history (crm-purchase(1)).  Purchases are an
 * entity of the registry (field.h), called "purchase": show, list, set
 * and the rest work on them as on any record.  Here are their lines, the
 * writes that keep lines and total in agreement, refunds and the
 * summary.
 *
 * Prices and totals are minor units of the purchase's currency; figures
 * of several purchases are in the base currency, each purchase converted
 * at the rate of its own day (rates.h), never in floating point.
 */
#ifndef CRM_PURCHASE_H
#define CRM_PURCHASE_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"
#include "crm/entity.h"

/* The largest quantity a line may have. */
#define CRM_QUANTITY_MAX 1000000000LL

/* One line of a purchase: strings malloc'd (NULL: none). */
struct crm_purchase_line {
	char *sku, *name, *category;
	int64_t quantity; /* > 0; negative only in a refund's lines */
	int64_t price;    /* minor units of the purchase's currency, >= 0 */
};

/* The lines of one purchase; start it zeroed. */
struct crm_purchase_lines {
	struct crm_purchase_line *v;
	size_t n, cap;
};

/* Frees the lines of ls and zeroes it; NULL-safe. */
void crm_purchase_lines_free(struct crm_purchase_lines *ls);

/* Parses "SKU QTY PRICE [NAME]" (blanks between the words, NAME the rest
 * of the text) with PRICE a decimal in currency cur (no code, not
 * negative, no more decimals than cur has) and QTY a whole number from 1
 * to CRM_QUANTITY_MAX, and appends the line to ls.  CRM_EDATA naming the
 * part at fault otherwise. */
int crm_purchase_line_parse(struct crm_purchase_lines *ls, const char *text, const char *cur);

/* Parses len bytes of JSON, an array of objects with "sku", "name",
 * "category" (strings, optional), "quantity" (a whole number) and
 * "price" or "unit_price" (a decimal string or a number), and appends the
 * lines to ls, prices in currency cur.  CRM_EDATA naming the line (from 1)
 * and the key at fault. */
int crm_purchase_lines_json(struct crm_purchase_lines *ls, const char *json, size_t len,
                            const char *cur);

/* Stores in *sum the sum of quantity x price over ls; CRM_EDATA when it
 * does not fit int64_t. */
int crm_purchase_lines_sum(const struct crm_purchase_lines *ls, int64_t *sum);

/* Creates the purchase r describes with lines ls (may be empty) and
 * stores its id in *id.  Without a total in r the total is the sum of the
 * lines, in currency cur (NULL: the base currency); with both, they must
 * be equal and of the same currency (CRM_EDATA otherwise).  Lines'
 * prices are in the total's currency.  Sets r's total when it derives it. */
int crm_purchase_add(crm_db *db, crm_record *r, const struct crm_purchase_lines *ls,
                     const char *cur, int64_t *id);

/* Appends line l to purchase id, whose total follows its lines when it
 * was made from them (import of exports with one row per line). */
int crm_purchase_add_line(crm_db *db, int64_t id, const struct crm_purchase_line *l);

/* The columns crm_purchase_lines_each passes: line, sku, name, category,
 * quantity, unit_price, amount (prices as decimals of the currency). */
#define CRM_LINE_COLUMNS 7

/* Calls fn for each line of purchase id in order; CRM_ENOTFOUND when
 * there is no such purchase. */
int crm_purchase_lines_each(crm_db *db, int64_t id,
                            int (*fn)(void *arg, const char *const *vals), void *arg);

/* What remains refundable of one line (or of the total): bought less
 * refunded.  Stores in *out the refund of qty (0: all that remains) of
 * the line, as a negative quantity; CRM_EDATA when qty is more than
 * remains or not above 0. */
int crm_purchase_refund_qty(int64_t bought, int64_t refunded, int64_t qty, int64_t *out);

/* Refunds purchase id: wholly (sku NULL: every line's remaining quantity
 * and the remaining total), or qty (0: all that remains) of the line of
 * sku.  The refund is a purchase of its own with a negative total and
 * lines, linked to id; id becomes refunded once nothing remains.  Stores
 * the refund's id in *refund.  CRM_EDATA, nothing written, for more than
 * was bought, a cancelled purchase or a refund. */
int crm_purchase_refund(crm_db *db, int64_t id, const char *sku, int64_t qty, int64_t *refund);

/* The columns crm_purchase_summary passes: group, purchases, revenue,
 * average, first, last (amounts as decimals of the base currency). */
#define CRM_SUMMARY_COLUMNS 6

/* Calls fn with one row per group of live, uncancelled purchases with at
 * in [from, to) (dates; NULL: unbounded): by "person", "month",
 * "category" (of the lines) or "store" (the source), NULL: no groups;
 * then a row "total".  Revenue is net of refunds, converted at each
 * purchase's date; CRM_EDATA naming the currency when one has no rate.
 * Stores the number of purchases and refunds in *count (no row when 0). */
int crm_purchase_summary(crm_db *db, const char *by, const char *from, const char *to,
                         int (*fn)(void *arg, const char *const *vals), void *arg,
                         int64_t *count);

/* Divides sum by n, rounding half to even (n > 0). */
int64_t crm_purchase_average(int64_t sum, int64_t n);

#endif
