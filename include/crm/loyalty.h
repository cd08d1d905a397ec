/* loyalty.h - the loyalty programme (crm-loyalty(1)): a points ledger,
 * tiers and reward cards.
 *
 * The ledger is append-only: every change of a person's points is an
 * entry (earn, redeem, expire, adjust, reverse) and the balance is their
 * sum.  An entry that adds points opens a lot, which the entries that take
 * points consume soonest-expiring first, each use recorded; points taken
 * that no lot covers (a refund after the points were spent) are owed, and
 * the next points added settle the debt first.  So expiry only ever takes
 * what is left of a lot, never points already spent, and at all times
 *
 *     ledger sum = sum of lots' remaining - sum owed.
 *
 * Points are whole numbers.  Dates are UTC days ("YYYY-MM-DD"); a lot
 * expires at the start of its expiry day.
 */
#ifndef CRM_LOYALTY_H
#define CRM_LOYALTY_H

#include <stddef.h>
#include <stdint.h>

#include "crm/buf.h"
#include "crm/config.h"
#include "crm/db.h"

/* The most points one entry may move. */
#define CRM_POINTS_MAX 1000000000000LL

enum crm_earn_per { CRM_EARN_AMOUNT, CRM_EARN_ITEM, CRM_EARN_ORDER };

/* An earn rule: points (in thousandths, so 1.5 points per euro is 1500)
 * per unit of base currency, per item or per order, for the lines whose
 * category or sku the rule names (none: every line), when the order's
 * total is at least min_amount (minor units of the base currency), and
 * only in the person's birth month when birthday is set. */
struct crm_loyalty_rule {
	char *name;
	enum crm_earn_per per;
	int64_t milli;
	int64_t min_amount;
	char **categories, **skus; /* NULL-terminated, or NULL: any */
	int birthday;
};

/* A tier: reached with at least points earned, or spend (minor units of
 * the base currency; -1: not a spend tier), in the rolling window; its
 * multiplier (thousandths) scales every rule's points. */
struct crm_loyalty_tier {
	char *name;
	int64_t points, spend, multiplier;
};

struct crm_loyalty_reward {
	char *name;
	int64_t points;
};

/* The programme of the configuration (crm-config(5) loyalty). */
struct crm_loyalty_programme {
	struct crm_loyalty_rule *rules;
	size_t nrules;
	struct crm_loyalty_tier *tiers; /* lowest first */
	size_t ntiers;
	struct crm_loyalty_reward *rewards;
	size_t nrewards;
	int expiry_months;  /* 0: points never expire */
	int window_months;  /* the tiers' rolling window */
	char *card_prefix;  /* digits, or NULL */
	int card_length;    /* digits of a card number, the check digit included */
};

/* The configured programme, or NULL when the configuration has none (no
 * points are earned then, and the verbs that need one fail). */
const struct crm_loyalty_programme *crm_config_loyalty(const crm_config *c);

/* CRM_OK when people can be in tier name: a configured tier, one someone
 * was put in under an earlier configuration, or "" (in none); else
 * CRM_EUSAGE naming the tiers, as a filter's bad value. */
int crm_loyalty_tier_check(crm_db *db, const char *name);

/* Brings the points purchase id earned in line with what it is now: with
 * score, the rules are applied to it (at the tier they had before it)
 * and what they give beyond what it earned is earned; then what it
 * earned is reversed pro rata to what was refunded of it, wholly when it
 * is cancelled, archived or set not to earn; what it gave someone it is
 * no longer of goes back.  Nothing without a programme.  Raises the
 * person's tier when the purchase makes them qualify. */
int crm_loyalty_purchase(crm_db *db, int64_t id, int score);

/* Checks, writing nothing, that crm_loyalty_purchase can work out the
 * points of purchase id: its currency has a rate for its day.  For a
 * purchase whose lines are still coming (an import's order), so that
 * the row that made it is the one refused. */
int crm_loyalty_purchase_check(crm_db *db, int64_t id);

/* Stores in *points the balance of person as of today: the ledger's sum
 * less the points past their expiry not yet written off. */
int crm_loyalty_balance(crm_db *db, int64_t person, int64_t *points);

/* Redeems points of person (reward: what for, or NULL) at the current
 * time, after writing off what expired by today; CRM_EDATA when the
 * balance is short.  Stores the entry's id in *entry. */
int crm_loyalty_redeem(crm_db *db, int64_t person, int64_t points, const char *reward,
                       int64_t *entry);

/* Adds (points > 0, expiring like earned points) or takes (points < 0)
 * points of person with a reason. */
int crm_loyalty_adjust(crm_db *db, int64_t person, int64_t points, const char *reason,
                       int64_t *entry);

/* Writes off every lot expired by date ("YYYY-MM-DD": its expiry day is
 * date or earlier), one expire entry dated its expiry day each, calling fn
 * with entry, person, points, at.  Running it again writes nothing. */
int crm_loyalty_expire(crm_db *db, const char *date,
                       int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *n);

#define CRM_STATEMENT_COLUMNS 7 /* entry, at, kind, points, balance, expires, detail */

/* Calls fn for each entry of person dated on or after since (a date; NULL:
 * all), oldest first, with the running balance. */
int crm_loyalty_statement(crm_db *db, int64_t person, const char *since,
                          int (*fn)(void *arg, const char *const *vals), void *arg);

#define CRM_POINTS_EXPLAIN_COLUMNS 10 /* entry, at, kind, rule, purchase, points, spent, expired, left, expires */

/* Calls fn for each entry that gave person points: the rule (or the
 * adjustment's reason), and what became of the points. */
int crm_loyalty_explain(crm_db *db, int64_t person,
                        int (*fn)(void *arg, const char *const *vals), void *arg);

/* Where a person stands in the tiers as of a date. */
struct crm_loyalty_standing {
	char tier[64];      /* "" below every tier */
	char since[21];     /* when they reached it */
	int64_t points;     /* earned in the window ending at the date */
	int64_t spend;      /* spent in it, minor units of the base currency */
	char qualifies[64]; /* the tier those figures reach */
	char next[64];      /* the next tier up, "" at the top */
};

int crm_loyalty_standing(crm_db *db, int64_t person, const char *date,
                         struct crm_loyalty_standing *out);

#define CRM_REVIEW_COLUMNS 6 /* person, name, from, to, points, spend */

/* Sets every member's tier to the one their window ending at date
 * qualifies for (up or down), calling fn for each change. */
int crm_loyalty_review(crm_db *db, const char *date,
                       int (*fn)(void *arg, const char *const *vals), void *arg, int64_t *n);

#define CRM_MEMBER_COLUMNS 6 /* id (the person's), name, email, tier, balance, card */

/* Calls fn for each person with points, a tier or a card (tier: only
 * those in it). */
int crm_loyalty_members(crm_db *db, const char *tier,
                        int (*fn)(void *arg, const char *const *vals), void *arg);

#define CRM_REMIND_COLUMNS 5 /* id (the person's), name, email, points, expires */

/* Calls fn for each person with points expiring after date and no later
 * than days after it: how many and the first day they go. */
int crm_loyalty_remind(crm_db *db, const char *date, int days,
                       int (*fn)(void *arg, const char *const *vals), void *arg);

/* Cards */

#define CRM_CARD_LEN 32 /* buffer size for a card number */

/* The Luhn check digit ('0'..'9') of the digits of s, or 0 when s is
 * not all digits. */
char crm_luhn_digit(const char *s);

/* Whether s is all digits with a correct Luhn check digit last. */
int crm_luhn_valid(const char *s);

/* Issues person a new card, its number into out. */
int crm_card_issue(crm_db *db, int64_t person, char out[CRM_CARD_LEN]);

struct crm_card {
	char number[CRM_CARD_LEN];
	int64_t person;
	char name[256]; /* the person's */
	char status[16]; /* active, blocked, replaced */
	char replaced_by[CRM_CARD_LEN];
};

/* Finds card number: CRM_ENOTFOUND for an unknown number (saying when
 * its check digit is wrong), CRM_EDATA for a blocked or replaced card
 * (*out filled in both of the last cases). */
int crm_card_find(crm_db *db, const char *number, struct crm_card *out);

/* Blocks an active card. */
int crm_card_block(crm_db *db, const char *number);

/* Replaces card number (active or blocked) with a new one for the same
 * person, its number into out. */
int crm_card_replace(crm_db *db, const char *number, char out[CRM_CARD_LEN]);

/* Appends to out an SVG image of a QR code of text. */
int crm_card_svg(const char *text, crm_buf *out);

#endif
