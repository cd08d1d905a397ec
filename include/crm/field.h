/* field.h - the registry of entities and their fields.
 *
 * Each kind of record (contact, company, deal, task ...) is an entity: a
 * table of fields with a type that decides how input is validated and
 * normalised.  Programs build their options, --help, filters and output
 * columns from this registry, and the importer maps columns onto it, so a
 * new entity plugs in without new code in either.
 */
#ifndef CRM_FIELD_H
#define CRM_FIELD_H

#include <stddef.h>

enum crm_ftype {
	CRM_FT_ID,      /* integer id (read-only) */
	CRM_FT_TEXT,    /* free text, stored NFC */
	CRM_FT_NAME,    /* text that also feeds the entity's name match key */
	CRM_FT_EMAIL,   /* email address: stored as typed, normalised beside it */
	CRM_FT_PHONE,   /* phone number: stored as typed, E.164 beside it */
	CRM_FT_COUNTRY, /* ISO 3166-1 alpha-2 */
	CRM_FT_DATE,    /* calendar date */
	CRM_FT_TIME,    /* timestamp (read-only bookkeeping) */
	CRM_FT_ENUM,    /* one of a fixed list of words */
	CRM_FT_REF,     /* another record (field ref names its entity), by id or natural key */
	CRM_FT_DOMAIN,  /* internet domain name, stored lower-case */
	CRM_FT_TAGS,    /* comma-separated tags (read-only; see tag verbs) */
	CRM_FT_MONEY,   /* an amount: minor units, its ISO 4217 code beside it */
	CRM_FT_PERCENT, /* a whole number from 0 to 100 */
	CRM_FT_WHEN,    /* a date, or a date and time when a time is given */
	CRM_FT_WORD,    /* a name from the configuration, matched in any case */
	CRM_FT_SCORE,   /* a survey score: a whole number from 0 to 10 */
	CRM_FT_EXTREF,  /* another system's identifier (an order number): text, matched exactly */
	CRM_FT_NUMBER   /* a decimal figure computed from others (read-only) */
};

enum crm_field_flags {
	CRM_FIELD_RO = 1 << 0,       /* not settable by add/set */
	CRM_FIELD_HIDDEN = 1 << 1,   /* not among the default list columns */
	CRM_FIELD_REQUIRED = 1 << 2,
	CRM_FIELD_NOTEMPTY = 1 << 3, /* has a default and cannot be cleared */
	/* a reference an import fills by creating the record it names when
	 * none matches, from the target's import key (a buyer's email) */
	CRM_FIELD_CREATE = 1 << 4,
	/* a read-only time an import gives for the records it creates: when
	 * another system made them, or solved them (crm_record_set_origin) */
	CRM_FIELD_ORIGIN = 1 << 5,
	/* a date that cannot be later than today (a date of birth) */
	CRM_FIELD_PAST = 1 << 6
};

struct crm_field {
	const char *name;           /* field and output column name */
	enum crm_ftype type;
	unsigned flags;
	const char *help;           /* one line for --help */
	const char *const *choices; /* CRM_FT_ENUM: NULL-terminated words */
	const char *ref;            /* CRM_FT_REF: the entity referred to ("company") */
};

struct crm_entity;

/* Returns the k-th entity of the registry, or NULL past the last. */
const struct crm_entity *crm_entity_at(size_t k);

/* Returns the entity called name ("contact", "company"), or NULL. */
const struct crm_entity *crm_entity_find(const char *name);

/* Returns the entity's singular name ("contact"); static. */
const char *crm_entity_name(const struct crm_entity *e);

/* Returns the entity's plural name ("companies"); static. */
const char *crm_entity_plural(const struct crm_entity *e);

/* Returns the number of fields of e. */
size_t crm_entity_nfields(const struct crm_entity *e);

/* Returns field i of e (static), or NULL past the end. */
const struct crm_field *crm_entity_field(const struct crm_entity *e, size_t i);

/* Returns the field of e called name, or NULL. */
const struct crm_field *crm_entity_field_find(const struct crm_entity *e, const char *name);

/* Whether f holds a date or a time (CRM_FT_DATE, _TIME, _WHEN): the fields
 * an import reads in a --date-format. */
int crm_field_dated(const struct crm_field *f);

/* Returns the name of the i-th field list filters on (--status VALUE ...),
 * or NULL past the last. */
const char *crm_entity_filter(const struct crm_entity *e, size_t i);

/* Describes the i-th list option of e beyond its field filters (--stale,
 * --closing-before DATE): stores its name, the name of its value (NULL for
 * a flag) and its help line; returns 0 past the last, else 1. */
int crm_entity_option(const struct crm_entity *e, size_t i, const char **name, const char **arg,
                      const char **help);

/* Returns whether records of e carry tags (notes). */
int crm_entity_has_tags(const struct crm_entity *e);
int crm_entity_has_notes(const struct crm_entity *e);

/* Returns whether e has a field holding money. */
int crm_entity_has_money(const struct crm_entity *e);

#endif
