/* loyalty_impl.h - what the loyalty files share (loyalty.c the ledger,
 * loyalty_earn.c points from purchases, loyalty_tier.c the tiers,
 * loyalty_card.c the cards).  Internal to libcore. */
#ifndef CRM_LOYALTY_IMPL_H
#define CRM_LOYALTY_IMPL_H

#include "crm/date.h"
#include "crm/loyalty.h"
#include "internal.h"

/* An entry to write (strings may be NULL; at NULL: now). */
struct crm_loyalty_entry {
	int64_t person;
	const char *at, *kind;
	int64_t points; /* > 0 adds, < 0 takes */
	const char *expires;
	int64_t purchase; /* 0: none */
	const char *rule, *reward, *reason;
};

/* Writes entry e and its lot, uses or debt; its id into *id. */
int crm_loyalty_entry(crm_db *db, const struct crm_loyalty_entry *e, int64_t *id);

/* What entry does to the lots: give points (settling debt first), or
 * take them (purchase's rule's lots first when purchase is not 0). */
int crm_loyalty_give(crm_db *db, int64_t person, int64_t entry, int64_t points,
                     const char *expires);
int crm_loyalty_take(crm_db *db, int64_t person, int64_t entry, int64_t points,
                     int64_t purchase, const char *rule);

/* crm_loyalty_expire for one person (0: everyone); fn may be NULL. */
int crm_loyalty_expire_where(crm_db *db, const char *date, int64_t person,
                             int (*fn)(void *arg, const char *const *vals), void *arg,
                             int64_t *count);

/* Stores in *out the number sql returns, with ?1, ?2 and ?3 (those sql
 * has) bound to person, a and b; 0 when it returns no row. */
int crm_loyalty_number(crm_db *db, const char *sql, int64_t person, const char *a,
                       const char *b, int64_t *out);

/* Writes off person's lots expired by today. */
int crm_loyalty_expire_person(crm_db *db, int64_t person);

/* Calls fn with each row of st (bound), NULL for NULL columns. */
int crm_loyalty_rows(crm_stmt *st, int (*fn)(void *arg, const char *const *vals), void *arg);

void crm_loyalty_add_months(char out[CRM_DATE_LEN], const char *date, int months);
void crm_loyalty_today(crm_db *db, char out[CRM_DATE_LEN]);

/* Minor units of the base currency as text, "1234.50 EUR". */
void crm_loyalty_money_text(crm_db *db, int64_t minor, char *out, size_t n);

/* The tier of person as of at (a date or time; "" below every tier), and
 * just before it. */
int crm_loyalty_tier_at(crm_db *db, int64_t person, const char *at, char out[64]);
int crm_loyalty_tier_before(crm_db *db, int64_t person, const char *at, char out[64]);

/* Raises person's tier, as of at (a time), to what their window ending
 * that day qualifies for, when that is above their tier now. */
int crm_loyalty_upgrade(crm_db *db, int64_t person, const char *at);

#endif
