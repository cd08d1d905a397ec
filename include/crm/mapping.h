/* mapping.h - what an input column means: which field of an entity it
 * fills.  Used by the importer to read other systems' exports.
 *
 * Column names match case-, accent- and punctuation-insensitively, so
 * "E-mail Address", "email_address" and "EMAIL ADDRESS" are one name, and
 * each entity has synonyms for the headers of common exports (Google
 * Contacts, Outlook, HubSpot, Salesforce).
 */
#ifndef CRM_MAPPING_H
#define CRM_MAPPING_H

#include "crm/entity.h"

enum crm_target_kind {
	CRM_TO_UNKNOWN, /* no field: an error unless the caller keeps or ignores it */
	CRM_TO_FIELD,   /* a field of the entity (name) */
	CRM_TO_CUSTOM,  /* a custom field (name is the key) */
	CRM_TO_SPLIT,   /* a full name, split into first_name and last_name */
	CRM_TO_PART,    /* the part of a name the row's other name column lacks
	                 * (a bare "Nom" beside "Prénom", "Nombre" beside "Apellidos") */
	CRM_TO_NOTE,    /* text logged as a note on the record */
	CRM_TO_CURRENCY, /* the currency of the row's amounts that name none */
	CRM_TO_IGNORE,  /* bookkeeping of the toolkit's own output (created_at ...) */
	CRM_TO_LINE,    /* a part of the row's line item (name: sku, name, category,
	                 * quantity, price or amount), for entities with lines */
	CRM_TO_MORE,    /* another value of field name, kept as the next custom
	                 * field name2, name3 ... the row has not filled (Google's
	                 * "E-mail 2 - Value", Outlook's "E-mail 2 Address") */
	CRM_TO_CONSENT, /* a person's consent on channel name: granted, denied,
	                 * withdrawn, yes or no, or the time it was given
	                 * (Mailchimp's CONFIRM_TIME) */
	CRM_TO_WITHDRAWN, /* the time consent on channel name was withdrawn
	                 * (Mailchimp's UNSUB_TIME), or yes */
	CRM_TO_CONSENT_AT, /* the time the consent on channel name another column
	                 * states was set (Shopify's consent_updated_at) */
	CRM_TO_GRANTED_AT, /* the same, when that consent is a grant alone
	                 * (Mailchimp's API's timestamp_opt, when the member
	                 * opted in, beside a status that may be unsubscribed) */
	CRM_TO_OBJECT,  /* the kind of a payment service's API object the row is
	                 * (Stripe's object: charge): its amounts are counts of the
	                 * currency's smallest unit */
	CRM_TO_PAYMENT, /* the service's id of the payment a refund row gives
	                 * money back for (Stripe's charge, payment_intent) */
	CRM_TO_NAMED,   /* the first or last name (name: first, last) of the
	                 * person the row's reference makes, when no column holds
	                 * the whole name (WooCommerce's billing.first_name), or
	                 * that whole name (name: name; a survey's Name) */
	CRM_TO_REFUNDED /* how much of the record's amount was given back, in
	                 * all, without a date (Shopify's Refunded Amount) */
};

struct crm_target {
	enum crm_target_kind kind;
	const char *name; /* field name or custom key; points into column or static */
};

/* Stores in *t what column means for entity e. */
void crm_column_target(const struct crm_entity *e, const char *column, struct crm_target *t);

/* Stores in *t the target a synonym table names ("first_name",
 * "custom.KEY", "@ignore", "@consent_email" ...) for column. */
void crm_target_named(struct crm_target *t, const char *target, const char *column);

/* Writes the comparison form of a column name into out (size bytes):
 * casefolded, accents and everything but letters and digits removed
 * ("E-mail Address" → "emailaddress").  Returns out. */
char *crm_column_key(char *out, size_t size, const char *column);

#endif
