/* registry.c - the fields of each entity and what keeps their derived data.
 *
 * Adding a field is adding a row here (and a column in schema.c); programs,
 * filters, output and the importer pick it up from this table.
 */
#include <stdlib.h>
#include <string.h>

#include "crm/contact.h"
#include "crm/entity.h"
#include "crm/norm.h"
#include "registry.h"

static const char *const contact_status[] = {
	"lead", "prospect", "customer", "inactive", NULL
};

static const struct crm_fielddef contact_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("first_name", CRM_FT_NAME, 0, "given name", "first_name", NULL),
	FIELD("last_name", CRM_FT_NAME, 0, "family name", "last_name", NULL),
	FIELD("email", CRM_FT_EMAIL, 0, "email address (unique among live contacts)", "email", NULL),
	FIELD("phone", CRM_FT_PHONE, 0, "phone number, any national format", "phone", NULL),
	REF("company", 0, "company id, name or domain", "company", "company_id", "co.name"),
	FIELD("title", CRM_FT_TEXT, 0, "job title", "title", NULL),
	FIELD("street", CRM_FT_TEXT, 0, "street address", "street", NULL),
	FIELD("city", CRM_FT_TEXT, 0, "city", "city", NULL),
	FIELD("region", CRM_FT_TEXT, 0, "state, province or region", "region", NULL),
	FIELD("postal_code", CRM_FT_TEXT, 0, "postal code", "postal_code", NULL),
	FIELD("country", CRM_FT_COUNTRY, 0, "ISO 3166-1 alpha-2 country code", "country", NULL),
	FIELD("birth_date", CRM_FT_DATE, CRM_FIELD_PAST, "date of birth (YYYY-MM-DD)", "birth_date",
	      NULL),
	FIELD("language", CRM_FT_TEXT, 0, "preferred language (e.g. en, pt-BR)", "language", NULL),
	FIELD("source", CRM_FT_TEXT, 0, "where the contact came from", "source", NULL),
	FIELD("owner", CRM_FT_TEXT, 0, "responsible user (default: the acting user)", "owner", NULL),
	CHOICE("status", CRM_FIELD_NOTEMPTY, "lead, prospect, customer or inactive", contact_status,
	       "status"),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("name", CRM_FT_NAME, RO | HIDDEN, "first and last name", NULL,
	      "crm_name(t.first_name, t.last_name)"),
	FIELD("phone_e164", CRM_FT_TEXT, RO | HIDDEN, "phone number in E.164", "phone_e164", NULL),
	FIELD("company_id", CRM_FT_ID, RO | HIDDEN, "company record id", "company_id", NULL),
	DEAL_FIELDS("contact_id"),
	PURCHASE_FIELDS("contact_id"),
	LOYALTY_FIELDS,
	BOOKKEEPING,
	FIELD("erased_at", CRM_FT_TIME, RO | HIDDEN, "when the person's data was erased",
	      "erased_at", NULL),
};

static const struct crm_fielddef company_fields[] = {
	FIELD("id", CRM_FT_ID, RO, "record id", "id", NULL),
	FIELD("name", CRM_FT_NAME, CRM_FIELD_REQUIRED, "company name", "name", NULL),
	FIELD("domain", CRM_FT_DOMAIN, 0, "internet domain (example.org)", "domain", NULL),
	FIELD("industry", CRM_FT_TEXT, 0, "industry", "industry", NULL),
	FIELD("size", CRM_FT_TEXT, 0, "size (head count or band, e.g. 11-50)", "size", NULL),
	FIELD("phone", CRM_FT_PHONE, 0, "phone number, any national format", "phone", NULL),
	FIELD("website", CRM_FT_TEXT, 0, "web site address", "website", NULL),
	FIELD("city", CRM_FT_TEXT, 0, "city", "city", NULL),
	FIELD("country", CRM_FT_COUNTRY, 0, "ISO 3166-1 alpha-2 country code", "country", NULL),
	FIELD("owner", CRM_FT_TEXT, 0, "responsible user (default: the acting user)", "owner", NULL),
	FIELD("tags", CRM_FT_TAGS, RO, "tags, comma-separated", NULL, "t.tags"),
	FIELD("members", CRM_FT_ID, RO | HIDDEN, "number of live contacts", NULL,
	      "(SELECT count(*) FROM contacts WHERE company_id = t.id AND archived_at IS NULL)"),
	FIELD("phone_e164", CRM_FT_TEXT, RO | HIDDEN, "phone number in E.164", "phone_e164", NULL),
	DEAL_FIELDS("company_id"),
	BOOKKEEPING,
};

int crm_registry_reindex(crm_db *db, const char *fts, const char *table, const char *select,
                   const char *where, int64_t arg)
{
	crm_buf sql = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (db->defer_index)
		return CRM_OK;
	/* Records with no entries yet (db->index_fresh) have none to delete. */
	if (!db->index_fresh)
		rc = crm_buf_printf(&sql, "DELETE FROM %s WHERE rowid IN (SELECT id FROM %s WHERE %s)",
		                    fts, table, where) ? crm_error_nomem()
		                                       : crm_db_exec_id(db, crm_buf_str(&sql), arg);
	crm_buf_clear(&sql);
	if (!rc)
		rc = crm_buf_printf(&sql, select, where) ? crm_error_nomem()
		                                         : crm_db_exec_id(db, crm_buf_str(&sql), arg);
	crm_buf_free(&sql);
	return rc;
}

/* The company's name by a join, which costs an import's search index less
 * than a subquery a row; where stays inside a subquery of contacts alone,
 * so that its "id" cannot be the company's. */
int crm_contact_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "contacts_fts", "contacts",
		"INSERT INTO contacts_fts(rowid, name, email, phone, company, notes)"
		" SELECT c.id, " PERSON_NAME_FTS ", c.email,"
		" trim(coalesce(c.phone, '') || ' ' || coalesce(c.phone_e164, '')), co.name,"
		" (SELECT group_concat(body, ' ') FROM interactions WHERE contact_id = c.id)"
		" FROM (SELECT * FROM contacts WHERE erased_at IS NULL AND (%s)) c"
		" LEFT JOIN companies co ON co.id = c.company_id", where, arg);
}

/* The name key of a person from first_name and last_name, as SQL over
 * prefix: "" for the row's columns, ":" for the values of an INSERT. */
#define NAME_KEY(p) "crm_key(crm_name(" p "first_name, " p "last_name))"

/* Whether r gives a person a first name, a last name or an email (a
 * value, when given; else a value or a clearing). */
static int names(const crm_record *r, int given)
{
	static const char *const fields[] = { "first_name", "last_name", "email" };

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (given ? crm_record_value(r, fields[i]) != NULL : crm_record_has(r, fields[i]))
			return 1;
	return 0;
}

static int contact_after_write(crm_db *db, int64_t id, const crm_record *r, int adding)
{
	crm_stmt *st;
	int rc = CRM_OK, empty = 0;

	/* A new person's name key came with the INSERT (derive_sql), and what
	 * it was given says whether it has a name.  An update that touches
	 * none of the three changes neither. */
	if (adding)
		empty = !names(r, 1);
	else if (names(r, 0)) {
		rc = crm_db_exec_id(db, "UPDATE contacts SET name_key = " NAME_KEY("")
		                    " WHERE id = ?1", id);
		/* An erased contact is nameless by law; only writes that change
		 * it are refused (crm_entity_editable). */
		if (rc || (rc = crm_db_stmt(db, &st, "SELECT coalesce(first_name, last_name, email)"
		                            " IS NULL AND erased_at IS NULL FROM contacts WHERE id = ?1")))
			return rc;
		crm_stmt_bind_int(st, 1, id);
		empty = crm_stmt_step(st) == CRM_ROW && (int)crm_stmt_int(st, 0);
		crm_stmt_reset(st);
	}
	if (empty)
		return crm_error_set(CRM_EDATA, "a contact needs a first name, a last name or an email");
	return crm_contact_reindex(db, "id = ?1", id);
}

int crm_company_reindex(crm_db *db, const char *where, int64_t arg)
{
	return crm_registry_reindex(db, "companies_fts", "companies",
		"INSERT INTO companies_fts(rowid, name, domain, industry, city, website)"
		" SELECT id, name, domain, industry, city, website FROM companies WHERE %s",
		where, arg);
}

static int company_after_write(crm_db *db, int64_t id, const crm_record *r, int adding)
{
	int rc = CRM_OK;

	/* A new company's name key came with the INSERT (derive_sql). */
	if (!adding && crm_record_has(r, "name"))
		rc = crm_db_exec_id(db, "UPDATE companies SET name_key = crm_key(name) WHERE id = ?1", id);
	if (!rc)
		rc = crm_company_reindex(db, "id = ?1", id);
	return rc;
}

/* Headers seen in exports of Google Contacts ("E-mail 1 - Value"), Outlook
 * ("Business Postal Code"), HubSpot ("Company Name") and Salesforce
 * ("Mailing Zip/Postal Code", "Account Name"), in crm_column_key() form.
 * A field's own name always matches and is not repeated here. */
static const struct crm_synonym contact_synonyms[] = {
	{ "givenname", "first_name" }, { "forename", "first_name" }, { "first", "first_name" },
	{ "fname", "first_name" },
	{ "familyname", "last_name" }, { "surname", "last_name" }, { "last", "last_name" },
	{ "lname", "last_name" },
	{ "emailaddress", "email" }, { "email1value", "email" }, { "email1", "email" },
	{ "mail", "email" }, { "primaryemail", "email" },
	{ "email2value", "@more_email" }, { "email3value", "@more_email" },
	{ "email4value", "@more_email" }, { "email2address", "@more_email" },
	{ "email3address", "@more_email" }, { "email2", "@more_email" },
	{ "email3", "@more_email" }, { "secondaryemail", "@more_email" },
	{ "phonenumber", "phone" }, { "telephone", "phone" }, { "tel", "phone" },
	{ "mobile", "phone" }, { "mobilephone", "phone" }, { "mobilephonenumber", "phone" },
	{ "cellphone", "phone" }, { "businessphone", "phone" }, { "homephone", "phone" },
	{ "workphone", "phone" }, { "phone1value", "phone" }, { "primaryphone", "phone" },
	{ "phone2value", "@more_phone" }, { "phone3value", "@more_phone" },
	{ "phone4value", "@more_phone" }, { "phone2", "@more_phone" },
	/* Consent, as the toolkit names it (consent.email), as shops ask for
	 * it (Shopify's Accepts Email Marketing) and as Mailchimp's exports
	 * date it: confirmed (double opt-in), else opted in; unsubscribed. */
	{ "consentemail", "@consent_email" }, { "consentphone", "@consent_phone" },
	{ "consentsms", "@consent_sms" }, { "consentpost", "@consent_post" },
	{ "consentchat", "@consent_chat" }, { "emailconsent", "@consent_email" },
	{ "smsconsent", "@consent_sms" }, { "emailoptin", "@consent_email" },
	{ "acceptsemailmarketing", "@consent_email" },
	{ "acceptssmsmarketing", "@consent_sms" },
	{ "optintime", "@consent_email" }, { "confirmtime", "@consent_email" },
	{ "unsubtime", "@withdrawn_email" }, { "emailoptout", "@withdrawn_email" },
	{ "donotcall", "@withdrawn_phone" },
	{ "companyname", "company" }, { "organization", "company" },
	{ "organisation", "company" }, { "organizationname", "company" },
	{ "organization1name", "company" }, { "accountname", "company" },
	{ "account", "company" }, { "employer", "company" },
	{ "jobtitle", "title" }, { "position", "title" }, { "organizationtitle", "title" },
	{ "organization1title", "title" },
	{ "streetaddress", "street" }, { "address", "street" }, { "addressline1", "street" },
	{ "businessstreet", "street" }, { "homestreet", "street" },
	{ "mailingstreet", "street" }, { "address1street", "street" },
	{ "town", "city" }, { "locality", "city" }, { "businesscity", "city" },
	{ "homecity", "city" }, { "mailingcity", "city" }, { "address1city", "city" },
	{ "state", "region" }, { "province", "region" }, { "stateprovince", "region" },
	{ "stateregion", "region" }, { "county", "region" }, { "businessstate", "region" },
	{ "homestate", "region" }, { "mailingstate", "region" },
	{ "mailingstateprovince", "region" }, { "address1region", "region" },
	{ "postcode", "postal_code" }, { "zip", "postal_code" }, { "zipcode", "postal_code" },
	{ "zippostalcode", "postal_code" }, { "businesspostalcode", "postal_code" },
	{ "homepostalcode", "postal_code" }, { "mailingpostalcode", "postal_code" },
	{ "mailingzippostalcode", "postal_code" }, { "address1postalcode", "postal_code" },
	{ "countrycode", "country" }, { "countryregion", "country" },
	{ "countryregioncode", "country" }, { "isocountrycode", "country" },
	{ "countryisocode", "country" }, { "countryiso", "country" },
	{ "businesscountryregion", "country" }, { "homecountryregion", "country" },
	{ "mailingcountry", "country" }, { "address1country", "country" },
	{ "birthdate", "birth_date" }, { "birthday", "birth_date" },
	{ "dateofbirth", "birth_date" }, { "dob", "birth_date" },
	{ "preferredlanguage", "language" }, { "leadsource", "source" },
	{ "contactowner", "owner" }, { "leadowner", "owner" }, { "leadstatus", "status" },
	{ "lifecyclestage", "status" },
	{ "tag", "tags" }, { "labels", "tags" }, { "categories", "tags" },
	{ "name", "@split" }, { "fullname", "@split" }, { "displayname", "@split" },
	{ "contactname", "@split" },
	{ "note", "@note" }, { "notes", "@note" }, { "description", "@note" },
	{ "comments", "@note" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "archivedat", "@ignore" },
	/* Pipedrive's people ("Person - Email - Work"), Zoho's and older
	 * Outlooks' addresses. */
	{ "personname", "@split" }, { "personfirstname", "first_name" },
	{ "personlastname", "last_name" }, { "personemail", "email" },
	{ "personemailwork", "email" }, { "personemailhome", "email" },
	{ "personemailother", "email" }, { "personphone", "phone" },
	{ "personphonework", "phone" }, { "personphonemobile", "phone" },
	{ "personphonehome", "phone" }, { "personphoneother", "phone" },
	{ "personorganization", "company" }, { "personjobtitle", "title" },
	{ "personlabel", "tags" }, { "personowner", "owner" },
	{ "mailingzip", "postal_code" }, { "otherzip", "postal_code" },
	{ "homecountry", "country" }, { "businesscountry", "country" },
	/* Shops' customers: Shopify's default address ("Default Address
	 * City"; Address1, Province Code and Country Code in older exports),
	 * WooCommerce's billing address ("Billing Postcode").  Shopify's
	 * Default Address Phone is the address's: its Phone is the person's. */
	{ "defaultaddresscompany", "company" }, { "defaultaddressaddress1", "street" },
	{ "defaultaddresscity", "city" }, { "defaultaddressprovince", "region" },
	{ "defaultaddressprovincecode", "region" }, { "defaultaddresszip", "postal_code" },
	{ "defaultaddresscountry", "country" }, { "defaultaddresscountrycode", "country" },
	{ "address1", "street" },
	{ "provincecode", "region" },
	/* Dynamics 365's addresses ("Address 1: ZIP/Postal Code"). */
	{ "address1street1", "street" }, { "address1street2", "custom.address_line2" },
	{ "address1stateprovince", "region" }, { "address1zippostalcode", "postal_code" },
	{ "address1countryregion", "country" },
	DYNAMICS_SYNONYMS, { "donotmodifycontact", SOURCE_ID }, { "donotmodifylead", SOURCE_ID },
	/* An address's second line, as shops, Stripe and Square name it
	 * (Shopify's Default Address Address2, WooCommerce's Billing Address
	 * 2, Stripe's Address Line2, Square's Street Address 2): kept as
	 * Dynamics 365's is. */
	{ "addressline2", "custom.address_line2" }, { "address2", "custom.address_line2" },
	{ "streetaddress2", "custom.address_line2" },
	{ "defaultaddressaddress2", "custom.address_line2" },
	{ "billingaddress2", "custom.address_line2" },
	/* Square's customers: the first line, the seller's memo, Square's id
	 * and the seller's own reference, consent as Subscribed, Unsubscribed
	 * or Unknown (older exports: Email Unsubscribed, true or false). */
	{ "streetaddress1", "street" }, { "memo", "@note" },
	{ "squarecustomerid", SOURCE_ID }, { "referenceid", "custom.reference_id" },
	{ "emailsubscriptionstatus", "@consent_email" },
	{ "emailunsubscribed", "@withdrawn_email" },
	/* Brevo's contacts: its mobile (SMS), landline and WhatsApp numbers,
	 * the first a row has its phone and the others kept beside it; the
	 * id the seller gave them (EXT_ID), when they were added (its
	 * MODIFIED_TIME is Zoho's Modified Time: UPDATED_SYNONYMS). */
	{ "sms", "phone" }, { "landlinenumber", "phone" }, { "whatsapp", "phone" },
	{ "extid", SOURCE_ID }, { "addedtime", "created_at" },
	/* Pipedrive's people: when made, under "Person - " as the rest; its
	 * API's persons, the organization's and owner's names (their ids
	 * are objects, org_id.name ...). */
	{ "personpersoncreated", "created_at" }, { "personcreated", "created_at" },
	{ "personupdatetime", "@ignore" },
	{ "orgname", "company" }, { "ownername", "owner" }, { "deletetime", "@ignore" },
	/* Intercom's people: when they signed up, and whether they
	 * unsubscribed from its mail; its API's location object, whose
	 * country_code repeats the country. */
	{ "signedup", "created_at" }, { "unsubscribedfromemails", "@withdrawn_email" },
	{ "locationcity", "city" }, { "locationregion", "region" },
	{ "locationcountry", "country" }, { "locationcountrycode", "@ignore" },
	/* Mailchimp's API's members: when they opted in, the time of the
	 * consent their status gives (contact_beside) if a grant; the
	 * address's lines under merge_fields.ADDRESS (its city, state, zip
	 * and country read as Stripe's address.* do). */
	{ "timestampopt", "@grantedat_email" }, { "addressaddr1", "street" },
	{ "addressaddr2", "custom.address_line2" },
	/* Klaviyo's API's profiles (their attributes: mapping.c): the rest of
	 * the location object, and consent on email and SMS as an object of
	 * a state (SUBSCRIBED ...) and when it was set. */
	{ "locationaddress1", "street" }, { "locationaddress2", "custom.address_line2" },
	{ "locationzip", "postal_code" },
	{ "subscriptionsemailmarketingconsent", "@consent_email" },
	{ "subscriptionsemailmarketingconsenttimestamp", "@consentat_email" },
	{ "subscriptionssmsmarketingconsent", "@consent_sms" },
	{ "subscriptionssmsmarketingconsenttimestamp", "@consentat_sms" },
	/* Klaviyo's profiles: consent as SUBSCRIBED, UNSUBSCRIBED or
	 * NEVER_SUBSCRIBED. */
	{ "emailmarketingconsent", "@consent_email" }, { "smsmarketingconsent", "@consent_sms" },
	/* Shopify's API's customers: the same as objects of a state and when
	 * it was set. */
	{ "emailmarketingconsentstate", "@consent_email" },
	{ "smsmarketingconsentstate", "@consent_sms" },
	{ "emailmarketingconsentconsentupdatedat", "@consentat_email" },
	{ "smsmarketingconsentconsentupdatedat", "@consentat_sms" },
	{ "emailmarketingconsentoptinlevel", "@ignore" },
	{ "smsmarketingconsentoptinlevel", "@ignore" },
	{ "smsmarketingconsentconsentcollectedfrom", "@ignore" },
	/* Mailchimp's audience export: its member id, the evidence of each
	 * opt-in (the addresses it was given from, kept beside the consent
	 * its times make), its rating; why and when an unsubscribed or
	 * cleaned (bounced) member left.  Where it placed the person by the
	 * network address its mail was opened from is read beside its LEID
	 * (contact_beside). */
	{ "leid", SOURCE_ID }, { "optinip", "custom.optin_ip" },
	{ "confirmip", "custom.confirm_ip" }, { "memberrating", "custom.member_rating" },
	{ "unsubcampaigntitle", "custom.unsub_campaign" },
	{ "unsubcampaignid", "@ignore" }, { "unsubreason", "custom.unsub_reason" },
	{ "unsubreasonother", "custom.unsub_reason_other" }, { "cleantime", "custom.cleaned_at" },
	{ "cleancampaigntitle", "custom.clean_campaign" }, { "cleancampaignid", "@ignore" },
	{ "euid", "@ignore" },
	/* Stripe's customers ("Address City"; its API's created, seconds
	 * since 1970). */
	{ "created", "created_at" }, { "addresscity", "city" }, { "addressstate", "region" },
	{ "addresszip", "postal_code" }, { "addresspostalcode", "postal_code" },
	{ "addresscountry", "country" },
	{ "billingfirstname", "first_name" }, { "billinglastname", "last_name" },
	{ "billingemail", "email" }, { "billingphone", "phone" },
	{ "billingcompany", "company" }, { "billingaddress1", "street" },
	{ "billingcity", "city" }, { "billingstate", "region" },
	{ "billingpostcode", "postal_code" }, { "billingcountry", "country" },
	{ "dateregistered", "created_at" },
	/* Google Contacts' export: what has no field is kept (the name's other
	 * parts, as Outlook's salutation is), what repeats others goes (the
	 * kind of each address and number, the address formatted, File As,
	 * the photo's address). */
	{ "middlename", "custom.middle_name" }, { "nameprefix", "custom.salutation" },
	{ "namesuffix", "custom.name_suffix" }, { "suffix", "custom.name_suffix" },
	{ "nickname", "custom.nickname" },
	{ "phoneticfirstname", "custom.phonetic_first_name" },
	{ "phoneticmiddlename", "custom.phonetic_middle_name" },
	{ "phoneticlastname", "custom.phonetic_last_name" },
	{ "organizationdepartment", "custom.department" }, { "department", "custom.department" },
	{ "website1value", "custom.website" }, { "website", "custom.website" },
	{ "salutation", "custom.salutation" }, { "address1pobox", "custom.po_box" },
	{ "address1extendedaddress", "custom.address_extended" },
	{ "fileas", "@ignore" }, { "photo", "@ignore" }, { "address1formatted", "@ignore" },
	{ "email1label", "@ignore" }, { "email2label", "@ignore" }, { "email3label", "@ignore" },
	{ "email4label", "@ignore" }, { "phone1label", "@ignore" }, { "phone2label", "@ignore" },
	{ "phone3label", "@ignore" }, { "phone4label", "@ignore" },
	{ "address1label", "@ignore" }, { "website1label", "@ignore" },
	/* Outlook's export (desktop and Outlook.com write the same columns):
	 * its other numbers go to phone, the first with one filling it and
	 * the rest kept as custom fields named after their columns; what has
	 * no field is kept under its own name.  What repeats the address
	 * (E-mail Type SMTP, Display Name) goes; so do, beside the Display
	 * Name (contact_beside), the columns it writes for every contact
	 * whatever was entered. */
	{ "businessphone2", "phone" }, { "homephone2", "phone" },
	{ "companymainphone", "phone" }, { "otherphone", "phone" }, { "carphone", "phone" },
	{ "assistantsphone", "custom.assistant_phone" }, { "callback", "custom.callback" },
	{ "radiophone", "custom.radio_phone" }, { "isdn", "custom.isdn" },
	{ "ttytddphone", "custom.tty_tdd_phone" }, { "pager", "custom.pager" },
	{ "telex", "custom.telex" }, { "businessfax", "custom.business_fax" },
	{ "homefax", "custom.home_fax" }, { "otherfax", "custom.other_fax" },
	{ "businessstreet2", "custom.address_line2" },
	{ "businessstreet3", "custom.address_line3" },
	{ "homestreet2", "custom.home_street_2" }, { "homestreet3", "custom.home_street_3" },
	{ "otherstreet", "custom.other_street" }, { "otherstreet2", "custom.other_street_2" },
	{ "otherstreet3", "custom.other_street_3" }, { "othercity", "custom.other_city" },
	{ "otherstate", "custom.other_state" },
	{ "otherpostalcode", "custom.other_postal_code" },
	{ "othercountryregion", "custom.other_country" },
	{ "businessaddresspobox", "custom.po_box" },
	{ "homeaddresspobox", "custom.home_po_box" },
	{ "otheraddresspobox", "custom.other_po_box" },
	{ "anniversary", "custom.anniversary" }, { "assistantsname", "custom.assistant" },
	{ "billinginformation", "custom.billing_information" },
	{ "children", "custom.children" }, { "spouse", "custom.spouse" },
	{ "hobby", "custom.hobby" }, { "initials", "custom.initials" },
	{ "keywords", "custom.keywords" }, { "location", "custom.location" },
	{ "managersname", "custom.manager" }, { "mileage", "custom.mileage" },
	{ "officelocation", "custom.office" },
	{ "organizationalidnumber", "custom.organizational_id" },
	{ "profession", "custom.profession" }, { "referredby", "custom.referred_by" },
	{ "user1", "custom.user_1" }, { "user2", "custom.user_2" }, { "user3", "custom.user_3" },
	{ "user4", "custom.user_4" }, { "webpage", "custom.website" },
	/* Outlook.com's own: the Japanese readings of the names, as Google's
	 * phonetic names, and what desktop Outlook does not write. */
	{ "givenyomi", "custom.phonetic_first_name" },
	{ "surnameyomi", "custom.phonetic_last_name" },
	{ "companyyomi", "custom.phonetic_company" }, { "imaddress", "custom.im_address" },
	{ "personalwebpage", "custom.personal_website" }, { "schools", "custom.schools" },
	{ "emailtype", "@ignore" }, { "email2type", "@ignore" }, { "email3type", "@ignore" },
	{ "emaildisplayname", "@ignore" }, { "email2displayname", "@ignore" },
	{ "email3displayname", "@ignore" }, { "internetfreebusy", "@ignore" },
	{ "directoryserver", "@ignore" },
	/* Other systems' ids of the person (see CRM_SOURCE_ID). */
	{ "recordid", SOURCE_ID }, { "contactid", SOURCE_ID }, { "customerid", SOURCE_ID },
	{ "personid", SOURCE_ID }, { "leadid", SOURCE_ID }, { "userid", SOURCE_ID },
	/* The headers of exports in German, French, Spanish, Portuguese,
	 * Italian, Dutch, Polish and Russian (Outlook's and Bitrix24's among
	 * them), as crm_column_key folds them.  A bare "name" in another
	 * language (Nom, Nombre, Nome, Naam) means the given name in some and
	 * the family name in others: it is the part the row's other name
	 * column lacks, and a column to map when there is no such column. */
	{ "nom", "@part" }, { "nombre", "@part" }, { "nome", "@part" }, { "naam", "@part" },
	{ "vorname", "first_name" }, { "prenom", "first_name" },
	{ "nombredepila", "first_name" }, { "primeironome", "first_name" },
	{ "voornaam", "first_name" }, { "imie", "first_name" }, { "имя", "first_name" },
	{ "nachname", "last_name" }, { "familienname", "last_name" },
	{ "nomdefamille", "last_name" }, { "apellido", "last_name" },
	{ "apellidos", "last_name" }, { "sobrenome", "last_name" }, { "apelido", "last_name" },
	{ "cognome", "last_name" }, { "achternaam", "last_name" }, { "nazwisko", "last_name" },
	{ "фамилия", "last_name" },
	{ "emailadresse", "email" }, { "courriel", "email" },
	{ "adressedemessagerie", "email" }, { "adresseemail", "email" },
	{ "correoelectronico", "email" }, { "direcciondecorreoelectronico", "email" },
	{ "enderecodeemail", "email" }, { "indirizzoemail", "email" },
	{ "emailadres", "email" }, { "adresemail", "email" },
	{ "электроннаяпочта", "email" },
	{ "telefon", "phone" }, { "telefonnummer", "phone" }, { "mobiltelefon", "phone" },
	{ "handy", "phone" }, { "telefongeschaftlich", "phone" }, { "telefonprivat", "phone" },
	{ "telephonemobile", "phone" }, { "portable", "phone" }, { "telefono", "phone" },
	{ "telefonomovil", "phone" }, { "movil", "phone" }, { "celular", "phone" },
	{ "telefone", "phone" }, { "telemovel", "phone" }, { "cellulare", "phone" },
	{ "telefoon", "phone" }, { "telefoonnummer", "phone" }, { "mobiel", "phone" },
	{ "telefonkomorkowy", "phone" }, { "телефон", "phone" },
	{ "мобильныйтелефон", "phone" },
	{ "firma", "company" }, { "unternehmen", "company" }, { "societe", "company" },
	{ "entreprise", "company" }, { "empresa", "company" }, { "organizacion", "company" },
	{ "azienda", "company" }, { "societa", "company" }, { "bedrijf", "company" },
	{ "организация", "company" }, { "компания", "company" },
	{ "berufsbezeichnung", "title" }, { "fonction", "title" },
	{ "cargo", "title" }, { "puesto", "title" }, { "ruolo", "title" },
	{ "functie", "title" }, { "stanowisko", "title" }, { "должность", "title" },
	{ "strasse", "street" }, { "strassegeschaftlich", "street" },
	{ "strasseprivat", "street" }, { "adresse", "street" }, { "rue", "street" },
	{ "calle", "street" }, { "direccion", "street" }, { "rua", "street" },
	{ "endereco", "street" }, { "indirizzo", "street" }, { "straat", "street" },
	{ "adres", "street" }, { "ulica", "street" }, { "улица", "street" }, { "адрес", "street" },
	{ "ort", "city" }, { "ortgeschaftlich", "city" }, { "ortprivat", "city" },
	{ "stadt", "city" }, { "ville", "city" }, { "ciudad", "city" },
	{ "localidad", "city" }, { "cidade", "city" }, { "citta", "city" },
	{ "plaats", "city" }, { "woonplaats", "city" }, { "miasto", "city" },
	{ "miejscowosc", "city" }, { "город", "city" },
	{ "bundesland", "region" }, { "provincia", "region" }, { "regione", "region" },
	{ "provincie", "region" }, { "wojewodztwo", "region" }, { "регион", "region" },
	{ "область", "region" },
	{ "plz", "postal_code" }, { "postleitzahl", "postal_code" },
	{ "postleitzahlgeschaftlich", "postal_code" }, { "postleitzahlprivat", "postal_code" },
	{ "codepostal", "postal_code" }, { "codigopostal", "postal_code" },
	{ "cep", "postal_code" }, { "cap", "postal_code" }, { "kodpocztowy", "postal_code" },
	{ "почтовыйиндекс", "postal_code" }, { "индекс", "postal_code" },
	{ "land", "country" }, { "landregion", "country" }, { "landregiongeschaftlich", "country" },
	{ "landregionprivat", "country" }, { "pays", "country" }, { "paysregion", "country" },
	{ "pais", "country" }, { "paese", "country" }, { "kraj", "country" },
	{ "страна", "country" },
	{ "geburtstag", "birth_date" }, { "geburtsdatum", "birth_date" },
	{ "datedenaissance", "birth_date" }, { "fechadenacimiento", "birth_date" },
	{ "cumpleanos", "birth_date" }, { "datadenascimento", "birth_date" },
	{ "datadinascita", "birth_date" }, { "compleanno", "birth_date" },
	{ "geboortedatum", "birth_date" }, { "verjaardag", "birth_date" },
	{ "dataurodzenia", "birth_date" }, { "датарождения", "birth_date" },
	{ "anniversaire", "birth_date" }, { "деньрождения", "birth_date" },
	{ "notizen", "@note" }, { "bemerkungen", "@note" }, { "kommentar", "@note" },
	{ "remarques", "@note" }, { "commentaires", "@note" }, { "notas", "@note" },
	{ "comentarios", "@note" }, { "observacoes", "@note" }, { "opmerkingen", "@note" },
	{ "notatki", "@note" }, { "uwagi", "@note" }, { "комментарий", "@note" },
	{ "примечание", "@note" },
	{ "kategorien", "tags" }, { "categorias", "tags" }, { "categorie", "tags" },
	{ "categorieen", "tags" }, { "kategorie", "tags" }, { "etiquettes", "tags" },
	{ "etiquetas", "tags" }, { "теги", "tags" },
	{ "nomcomplet", "@split" }, { "nombrecompleto", "@split" },
	{ "nomecompleto", "@split" }, { "volledigenaam", "@split" },
	{ "imieinazwisko", "@split" }, { "фио", "@split" },
	{ NULL, NULL }
};

/* The lead statuses of HubSpot (New, In Progress, ...) and Salesforce
 * ("Working - Contacted"), as this toolkit's four. */
static const struct crm_value_synonym contact_values[] = {
	{ "status", "new", "lead" }, { "status", "open", "lead" },
	{ "status", "attemptedtocontact", "lead" }, { "status", "opennotcontacted", "lead" },
	{ "status", "inprogress", "prospect" }, { "status", "connected", "prospect" },
	{ "status", "opendeal", "prospect" }, { "status", "workingcontacted", "prospect" },
	{ "status", "closedconverted", "prospect" }, { "status", "qualified", "prospect" },
	{ "status", "unqualified", "inactive" }, { "status", "badtiming", "inactive" },
	{ "status", "closednotconverted", "inactive" },
	/* HubSpot's lifecycle stages: a customer is one, whatever came before. */
	{ "status", "subscriber", "lead" }, { "status", "marketingqualifiedlead", "lead" },
	{ "status", "salesqualifiedlead", "prospect" }, { "status", "opportunity", "prospect" },
	{ "status", "evangelist", "customer" }, { "status", "other", "lead" },
	{ NULL, NULL, NULL }
};

/* Outlook writes a person's salutation (Mr., Dr.) under Title and their
 * position under Job Title; HubSpot's Lead Status says how far a sale
 * to someone is, its Lifecycle Stage whether they bought (the status);
 * a Shopify customer's state, beside verified_email, is of their
 * account (enabled, disabled), not of their address (the id beside it
 * is Shopify's: import.c's every_beside); a Mailchimp API member's
 * status, beside timestamp_opt, is their consent to its mail
 * (subscribed, unsubscribed ...), not how far a sale went. */
static const struct crm_beside contact_beside[] = {
	{ "title", "jobtitle", "custom.salutation" },
	{ "leadstatus", "lifecyclestage", "custom.lead_status" },
	{ "state", "verifiedemail", NULL },
	{ "status", "timestampopt", "@consent_email" },
	/* Outlook's Priority Normal, Private False, Sensitivity Normal and
	 * Gender Unspecified, written for every contact, and the Government
	 * ID Number, which a CRM has no business keeping. */
	{ "priority", "emaildisplayname", NULL }, { "private", "emaildisplayname", NULL },
	{ "sensitivity", "emaildisplayname", NULL }, { "gender", "emaildisplayname", NULL },
	{ "governmentidnumber", "emaildisplayname", NULL },
	/* Mailchimp's guesses from the network address its mail was opened
	 * from: the country, region and time zone kept as such, not as the
	 * person's address (a country there would also read their phone
	 * numbers), the rest left out. */
	{ "cc", "leid", "custom.location_country" }, { "region", "leid", "custom.location_region" },
	{ "timezone", "leid", "custom.timezone" }, { "latitude", "leid", NULL },
	{ "longitude", "leid", NULL }, { "gmtoff", "leid", NULL }, { "dstoff", "leid", NULL },
	{ NULL, NULL, NULL }
};

static const struct crm_synonym company_synonyms[] = {
	{ "companyname", "name" }, { "company", "name" }, { "organization", "name" },
	{ "organisation", "name" }, { "accountname", "name" }, { "account", "name" },
	{ "companydomainname", "domain" }, { "domainname", "domain" },
	{ "sector", "industry" },
	{ "companysize", "size" }, { "employees", "size" }, { "numberofemployees", "size" },
	{ "headcount", "size" },
	{ "phonenumber", "phone" }, { "telephone", "phone" }, { "tel", "phone" },
	{ "url", "website" }, { "web", "website" }, { "homepage", "website" },
	{ "websiteurl", "website" },
	{ "town", "city" }, { "countrycode", "country" }, { "countryregion", "country" },
	{ "countryregioncode", "country" }, { "isocountrycode", "country" },
	{ "countryisocode", "country" }, { "countryiso", "country" },
	{ "companyowner", "owner" },
	CREATED_SYNONYMS, UPDATED_SYNONYMS, { "archivedat", "@ignore" },
	/* Salesforce's and Zoho's accounts, Pipedrive's organizations. */
	{ "organizationname", "name" }, { "accountowner", "owner" },
	{ "organizationowner", "owner" }, { "billingcity", "city" },
	{ "billingcountry", "country" }, { "companyphone", "phone" }, { "mainphone", "phone" },
	{ "companywebsite", "website" }, { "noofemployees", "size" },
	{ "employeecount", "size" },
	{ "recordid", SOURCE_ID }, { "accountid", SOURCE_ID }, { "organizationid", SOURCE_ID },
	{ "companyid", SOURCE_ID }, { "organizationorganizationcreated", "created_at" },
	{ "organizationcreated", "created_at" }, { "organizationupdatetime", "@ignore" },
	/* Dynamics 365's accounts. */
	DYNAMICS_SYNONYMS, { "donotmodifyaccount", SOURCE_ID }, { "address1city", "city" },
	{ "address1countryregion", "country" },
	/* The same in German, French, Spanish, Portuguese, Italian, Dutch,
	 * Polish and Russian (HubSpot's and Bitrix24's among them).  In a
	 * file of companies a bare "name" can only be the company's. */
	{ "firma", "name" }, { "firmenname", "name" }, { "unternehmen", "name" },
	{ "unternehmensname", "name" }, { "societe", "name" }, { "entreprise", "name" },
	{ "nomdelentreprise", "name" }, { "nomdelasociete", "name" },
	{ "raisonsociale", "name" }, { "empresa", "name" }, { "nombredelaempresa", "name" },
	{ "razonsocial", "name" }, { "nomedaempresa", "name" }, { "razaosocial", "name" },
	{ "azienda", "name" }, { "nomeazienda", "name" }, { "ragionesociale", "name" },
	{ "societa", "name" }, { "bedrijf", "name" }, { "bedrijfsnaam", "name" },
	{ "nazwafirmy", "name" }, { "компания", "name" }, { "организация", "name" },
	{ "названиекомпании", "name" }, { "названиеорганизации", "name" },
	{ "nom", "name" }, { "nombre", "name" }, { "nome", "name" }, { "naam", "name" },
	{ "nazwa", "name" }, { "название", "name" }, { "наименование", "name" },
	{ "domaine", "domain" }, { "dominio", "domain" }, { "domena", "domain" },
	{ "домен", "domain" },
	{ "branche", "industry" }, { "industrie", "industry" }, { "secteur", "industry" },
	{ "secteurdactivite", "industry" }, { "setor", "industry" }, { "settore", "industry" },
	{ "branza", "industry" }, { "отрасль", "industry" }, { "сферадеятельности", "industry" },
	{ "mitarbeiter", "size" }, { "anzahlmitarbeiter", "size" },
	{ "anzahldermitarbeiter", "size" }, { "mitarbeiterzahl", "size" },
	{ "effectif", "size" }, { "effectifs", "size" }, { "nombredemployes", "size" },
	{ "empleados", "size" }, { "numerodeempleados", "size" }, { "funcionarios", "size" },
	{ "numerodefuncionarios", "size" }, { "dipendenti", "size" },
	{ "numerodipendenti", "size" }, { "medewerkers", "size" },
	{ "aantalmedewerkers", "size" }, { "pracownicy", "size" },
	{ "liczbapracownikow", "size" }, { "сотрудники", "size" },
	{ "колвосотрудников", "size" }, { "количествосотрудников", "size" },
	{ "telefon", "phone" }, { "telefonnummer", "phone" }, { "telefono", "phone" },
	{ "telefone", "phone" }, { "telefoon", "phone" }, { "telefoonnummer", "phone" },
	{ "телефон", "phone" }, { "рабочийтелефон", "phone" },
	{ "webseite", "website" }, { "internetseite", "website" }, { "siteweb", "website" },
	{ "siteinternet", "website" }, { "sitioweb", "website" }, { "paginaweb", "website" },
	{ "sitoweb", "website" }, { "sitointernet", "website" }, { "stronawww", "website" },
	{ "stronainternetowa", "website" }, { "сайт", "website" },
	{ "корпоративныйсайт", "website" }, { "вебсайт", "website" },
	{ "ort", "city" }, { "stadt", "city" }, { "ville", "city" }, { "ciudad", "city" },
	{ "localidad", "city" }, { "cidade", "city" }, { "citta", "city" }, { "plaats", "city" },
	{ "vestigingsplaats", "city" }, { "miasto", "city" }, { "miejscowosc", "city" },
	{ "город", "city" },
	{ "land", "country" }, { "landregion", "country" }, { "pays", "country" },
	{ "paysregion", "country" }, { "pais", "country" }, { "paese", "country" },
	{ "kraj", "country" }, { "страна", "country" },
	{ "firmeninhaber", "owner" }, { "proprietairedelentreprise", "owner" },
	{ "propietariodelaempresa", "owner" }, { "ответственный", "owner" },
	{ NULL, NULL }
};

int crm_registry_lookup(crm_db *db, const char *sql, const char *ref, int64_t *id, int *n)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, sql);

	*n = 0;
	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, ref);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		*id = crm_stmt_int(st, 0);
		(*n)++;
	}
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* A company by name -- exact, else a unique case- and accent-insensitive
 * match -- or by its domain. */
static int company_resolve(crm_db *db, const char *ref, int64_t *id)
{
	char *key = NULL, *domain = NULL;
	int rc, n;

	/* Equal names have equal keys: the key finds them through its index. */
	rc = crm_registry_lookup(db, "SELECT id FROM companies WHERE name_key = crm_key(?1)"
	            " AND name = ?1 AND archived_at IS NULL", ref, id, &n);
	/* Not typed exactly: accept a case- and accent-insensitive unique match. */
	if (!rc && n == 0 && !(rc = crm_text_key(&key, ref)))
		rc = crm_registry_lookup(db, "SELECT id FROM companies WHERE name_key = ?1"
		            " AND archived_at IS NULL", key, id, &n);
	/* A domain as it is stored: www.Example.org is example.org. */
	if (!rc && n == 0 && strchr(ref, '.')) {
		if (crm_domain_normalize(&domain, ref) == CRM_OK)
			rc = crm_registry_lookup(db, "SELECT id FROM companies WHERE domain = ?1"
			            " AND archived_at IS NULL", domain, id, &n);
		else
			crm_error_clear(); /* a name with a dot in it */
	}
	free(key);
	free(domain);
	if (rc)
		return rc;
	if (n == 0)
		return crm_error_set(CRM_ENOTFOUND, "no company '%s'", ref);
	if (n > 1)
		return crm_error_set(CRM_EDATA, "company name '%s' is ambiguous; use its id", ref);
	return CRM_OK;
}

/* A person by email address, alone or beside a name, else by a name no
 * one else has (the name as a whole, in any case and accents). */
static int contact_resolve(crm_db *db, const char *ref, int64_t *id)
{
	char *addr = NULL, *norm = NULL, *key = NULL;
	int rc = crm_mailbox_parse(ref, &addr, NULL), n = 0;

	/* An address beside a name, else ref as it is. */
	if (!rc && !addr && !(addr = strdup(ref)))
		rc = crm_error_nomem();

	if (!rc && strchr(addr, '@')) {
		if (crm_email_normalize(&norm, addr) == CRM_OK)
			rc = crm_registry_lookup(db, "SELECT id FROM contacts WHERE email_norm = ?1"
			                         " AND archived_at IS NULL", norm, id, &n);
		crm_error_clear();
	} else if (!rc && !(rc = crm_text_key(&key, ref)) && *key) {
		rc = crm_registry_lookup(db, "SELECT id FROM contacts WHERE name_key = ?1"
		                         " AND archived_at IS NULL", key, id, &n);
	}
	free(addr);
	free(norm);
	free(key);
	if (!rc && n == 0)
		rc = crm_error_set(CRM_ENOTFOUND, "no contact '%s' (give an id, an email or a name)",
		                   ref);
	if (!rc && n > 1)
		rc = crm_error_set(CRM_EDATA, "contact name '%s' is ambiguous; use an id or an email",
		                   ref);
	return rc;
}

static const char *const contact_filters[] = { "company", "status", NULL };

/* The latest NPS answer of a person, as the word of its band. */
#define NPS_BAND \
	"(SELECT CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive'" \
	" ELSE 'detractor' END FROM responses WHERE contact_id = t.id AND kind = 'nps'" \
	" AND archived_at IS NULL ORDER BY at DESC, id DESC LIMIT 1)"

static const struct crm_option contact_options[] = {
	{ "purchased-since", "DATE", "only people with a purchase (not cancelled or a refund)"
	  " on or after DATE", "EXISTS (SELECT 1 FROM purchases p WHERE p.contact_id = t.id"
	  " AND p.refund_of IS NULL AND p.archived_at IS NULL AND p.status <> 'cancelled'"
	  " AND p.at >= ?)" },
	{ "tier", "TIER", "only people in loyalty tier TIER ('' for none)", "(SELECT nullif(tier, '')"
	  " FROM loyalty_tiers WHERE contact_id = t.id ORDER BY at DESC, id DESC LIMIT 1) IS ?" },
	{ "nps", "promoter|passive|detractor", "only people whose latest NPS answer was in"
	  " that band (9-10, 7-8, 0-6)", NPS_BAND " = ?" },
	{ NULL, NULL, NULL, NULL }
};
/* A requester's or company's tag may choose their open tickets' SLA
 * policy; a record just made has no tickets. */
static int contact_after_tags(crm_db *db, int64_t id, int fresh)
{
	return fresh ? CRM_OK : crm_ticket_sla_refresh_by(db, "requester_id", id);
}

static int company_after_tags(crm_db *db, int64_t id, int fresh)
{
	return fresh ? CRM_OK : crm_ticket_sla_refresh_by(db, "company_id", id);
}

static const char *const contact_sides[] = { "consents", "segment_members", NULL };
/* What NAME_KEY and PERSON_NAME join. */
static const char *const contact_name[] = { "first_name", "last_name", NULL };
static const char *const company_name[] = { "name", NULL };

/* A person's loyalty points left to spend and points owed. */
static const struct crm_loose contact_loose[] = {
	{ "loyalty_lots", "contact_id" }, { "loyalty_owed", "contact_id" }, { NULL, NULL },
};

const struct crm_entity crm_contact_entity = {
	.name = "contact", .table = "contacts", .custom_table = "contact_custom",
	.custom_fk = "contact_id", .fts = "contacts_fts",
	/* A join on a unique key that no column uses costs nothing: SQLite drops it. */
	.join = "LEFT JOIN companies co ON co.id = t.company_id",
	.defs = contact_fields, .nfields = NFIELDS(contact_fields),
	.after_write = contact_after_write, .erasable = 1, .self_derived = 1,
	.after_tags = contact_after_tags,
	.derive_column = "name_key", .derive_sql = NAME_KEY(":"), .name_parts = contact_name,
	.synonyms = contact_synonyms,
	.value_synonyms = contact_values, .beside = contact_beside,
	.reindex = crm_contact_reindex, .loose = contact_loose,
	.tag_table = "contact_tags", .note_table = "interactions", .side_tables = contact_sides,
	.default_key = "email", .filters = contact_filters, .options = contact_options,
	.resolve = contact_resolve,
	.label = "coalesce(r.email, r.id)",
};

const struct crm_entity crm_company_entity = {
	.name = "company", .table = "companies", .custom_table = "company_custom",
	.custom_fk = "company_id", .fts = "companies_fts", .join = "",
	.defs = company_fields, .nfields = NFIELDS(company_fields),
	.after_write = company_after_write, .self_derived = 1,
	.after_tags = company_after_tags,
	.derive_column = "name_key", .derive_sql = "crm_key(:name)", .name_parts = company_name,
	.synonyms = company_synonyms,
	.reindex = crm_company_reindex, .tag_table = "company_tags",
	.default_key = "domain,name", .resolve = company_resolve, .create_from = "name",
	.label = "r.name",
};

static const struct crm_entity *const entities[] = {
	&crm_contact_entity, &crm_company_entity, &crm_deal_entity, &crm_task_entity,
	&crm_ticket_entity,
	&crm_article_entity, &crm_response_entity, &crm_purchase_entity, &crm_campaign_entity
};

const char *crm_entity_filter(const struct crm_entity *e, size_t i)
{
	size_t k = 0;

	while (e->filters && e->filters[k] && k < i)
		k++;
	return e->filters && k == i ? e->filters[k] : NULL;
}

int crm_entity_option(const struct crm_entity *e, size_t i, const char **name, const char **arg,
                      const char **help)
{
	size_t k = 0;

	while (e->options && e->options[k].name && k < i)
		k++;
	if (!e->options || !e->options[k].name)
		return 0;
	*name = e->options[k].name;
	*arg = e->options[k].arg;
	*help = e->options[k].help;
	return 1;
}

int crm_entity_referrer(const struct crm_entity *e, size_t k, const struct crm_entity **from,
                        const struct crm_fielddef **d)
{
	for (size_t j = 0; j < NFIELDS(entities); j++)
		for (size_t i = 0; i < entities[j]->nfields; i++) {
			const struct crm_fielddef *f = &entities[j]->defs[i];

			if (f->f.type != CRM_FT_REF || !f->column || (e && strcmp(f->f.ref, e->name)))
				continue;
			if (k-- == 0) {
				*from = entities[j];
				*d = f;
				return 1;
			}
		}
	return 0;
}

int crm_entity_has_money(const struct crm_entity *e)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (e->defs[i].f.type == CRM_FT_MONEY)
			return 1;
	return 0;
}

const struct crm_entity *crm_entity_at(size_t k)
{
	return k < NFIELDS(entities) ? entities[k] : NULL;
}

const struct crm_entity *crm_entity_find(const char *name)
{
	for (size_t i = 0; i < NFIELDS(entities); i++)
		if (!strcmp(entities[i]->name, name))
			return entities[i];
	return NULL;
}

const char *crm_entity_name(const struct crm_entity *e)
{
	return e->name;
}

const char *crm_entity_plural(const struct crm_entity *e)
{
	return e->table; /* tables are named by the plural */
}

size_t crm_entity_nfields(const struct crm_entity *e)
{
	return e->nfields;
}

const struct crm_field *crm_entity_field(const struct crm_entity *e, size_t i)
{
	return i < e->nfields ? &e->defs[i].f : NULL;
}

const struct crm_field *crm_entity_field_find(const struct crm_entity *e, const char *name)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (!strcmp(e->defs[i].f.name, name))
			return &e->defs[i].f;
	return NULL;
}
