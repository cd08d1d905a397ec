/* mapping.c - what an input column means; see mapping.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/mapping.h"
#include "crm/norm.h"
#include "internal.h"

char *crm_column_key(char *out, size_t size, const char *column)
{
	char *key = NULL;
	const char *s;
	size_t n = 0;

	/* The match key folds case and accents ("Prénom" → "prenom"); then
	 * only letters and digits count. */
	s = crm_text_key(&key, column) ? column : key;
	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80 || isalnum(c))
			out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	free(key);
	return out;
}

/* The meaning a table's field names: a field, "@word" for the column
 * itself (split, note ...), or a prefix before what it names (a line
 * item's part, a custom key, a channel of consent). */
void crm_target_named(struct crm_target *t, const char *field, const char *column)
{
	static const struct { const char *word; enum crm_target_kind kind; } whole[] = {
		{ "@split", CRM_TO_SPLIT }, { "@part", CRM_TO_PART }, { "@note", CRM_TO_NOTE },
		{ "@ignore", CRM_TO_IGNORE }, { "@currency", CRM_TO_CURRENCY },
		{ "@object", CRM_TO_OBJECT }, { "@payment", CRM_TO_PAYMENT },
		{ "@refunded", CRM_TO_REFUNDED },
	}, prefixed[] = {
		{ "@line_", CRM_TO_LINE }, { "@more_", CRM_TO_MORE }, { "@consent_", CRM_TO_CONSENT },
		{ "@withdrawn_", CRM_TO_WITHDRAWN }, { "@consentat_", CRM_TO_CONSENT_AT },
		{ "@grantedat_", CRM_TO_GRANTED_AT },
		{ "@named_", CRM_TO_NAMED },
		{ "custom.", CRM_TO_CUSTOM },
	};

	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		if (!strcmp(field, whole[i].word)) {
			*t = (struct crm_target){ whole[i].kind, column };
			return;
		}
	for (size_t i = 0; i < sizeof prefixed / sizeof prefixed[0]; i++) {
		size_t n = strlen(prefixed[i].word);

		if (!strncmp(field, prefixed[i].word, n)) {
			*t = (struct crm_target){ prefixed[i].kind, field + n };
			return;
		}
	}
	*t = (struct crm_target){ CRM_TO_FIELD, field };
}

/* A synonym in a table is written in key form, but the words of other
 * scripts as they are spelt: the key folds them further ("Мобильный"
 * loses the breve of its й), so they are folded here the same way.  The
 * "*" of a question's start goes with the folding; the caller keeps it. */
static const char *synonym_key(char *buf, size_t size, const char *syn)
{
	for (const char *p = syn; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return crm_column_key(buf, size, syn);
	if (syn[0] && syn[strlen(syn) - 1] == '*') {
		snprintf(buf, size, "%.*s", (int)(strlen(syn) - 1), syn);
		return buf;
	}
	return syn;
}

/* Whether key, a column name's crm_column_key() form, is what a table's
 * key names (buf: size bytes to fold it in): that key, or with "*" at its
 * end, a name it starts. */
static bool key_matches(char *buf, size_t size, const char *entry, const char *key)
{
	const char *skey = synonym_key(buf, size, entry);
	size_t n = strlen(skey);

	return n && entry[strlen(entry) - 1] == '*' ? !strncmp(skey, key, n) : !strcmp(skey, key);
}

const struct crm_implied *crm_column_implies(const struct crm_entity *e, const char *column)
{
	char key[128], buf[128];

	crm_column_key(key, sizeof key, column);
	for (const struct crm_implied *m = e->implied; m && m->key; m++)
		if (key_matches(buf, sizeof buf, m->key, key))
			return m;
	return NULL;
}

/* Whether column is name, as the toolkit writes it, but for blanks around
 * it ("email, id"). */
static bool spelt(const char *column, const char *name)
{
	size_t n = strlen(name);

	column += strspn(column, " \t");
	return !strncmp(column, name, n) && !column[n + strspn(column + n, " \t")];
}

/* Whether field name of e, which column's key names, is meant by it: a
 * field e keeps to its own spelling only when spelt so. */
static bool field_meant(const struct crm_entity *e, const char *name, const char *column)
{
	for (const char *const *s = e->spelt; s && *s; s++)
		if (!strcmp(*s, name))
			return spelt(column, name);
	return true;
}

/* HubSpot's API writes a record's fields under "properties"
 * (properties.email), Mailchimp's a member's under "merge_fields"
 * (merge_fields.FNAME), Klaviyo's a profile's under "attributes": so
 * named, a column means what its name alone does. */
static void in_fields(const struct crm_entity *e, const char *column, struct crm_target *t)
{
	static const char *const fields[] = { "properties.", "merge_fields.", "attributes." };

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		size_t n = strlen(fields[i]);

		if (!strncmp(column, fields[i], n) && column[n]) {
			crm_column_target(e, column + n, t);
			return;
		}
	}
}

void crm_column_target(const struct crm_entity *e, const char *column, struct crm_target *t)
{
	char key[128], fkey[128];
	const char *origin = NULL;

	t->kind = CRM_TO_UNKNOWN;
	t->name = column;
	/* A reject file (crm-import --reject) adds these: it is imported
	 * again once fixed. */
	if (!strcmp(column, "_line") || !strcmp(column, "_field") || !strcmp(column, "_error")) {
		t->kind = CRM_TO_IGNORE;
		return;
	}
	/* The toolkit's own output names custom fields "custom.KEY". */
	if (!strncmp(column, "custom.", 7) && column[7]) {
		t->kind = CRM_TO_CUSTOM;
		t->name = column + 7;
		return;
	}
	crm_column_key(key, sizeof key, column);
	/* The toolkit's own output spells its id "id"; another system's
	 * export names its own ids "ID" or "Id" (Zendesk, Pipedrive), which
	 * must never match a record of this one.  They are kept as custom
	 * field source_id, a key like the entities' synonyms of it (HubSpot's
	 * Record ID).  A value under "id" that is no id of this toolkit's is
	 * another system's too; the import tells it by the value (foreign_id). */
	if (!strcmp(key, "id") && !spelt(column, "id")) {
		crm_target_named(t, SOURCE_ID, column);
		return;
	}
	for (size_t i = 0; i < e->nfields; i++) {
		const struct crm_field *f = &e->defs[i].f;
		if (strcmp(crm_column_key(fkey, sizeof fkey, f->name), key) ||
		    !field_meant(e, f->name, column))
			continue;
		/* Read-only fields other than the id and the tags are the
		 * toolkit's bookkeeping: accepted, never written -- unless
		 * other systems' exports mean something by the name too (a
		 * contact's "Name" is a full name to split, a shop's "Created
		 * at" is when it sold), or it is when a record was made. */
		if (f->flags & CRM_FIELD_ORIGIN)
			origin = f->name;
		else if ((f->flags & CRM_FIELD_RO) && strcmp(f->name, "id") && f->type != CRM_FT_TAGS)
			crm_target_named(t, "@ignore", column);
		else {
			crm_target_named(t, f->name, column);
			return;
		}
		break;
	}
	/* A synonym ending in "*" is a question's start ("howlikely*"). */
	for (const struct crm_synonym *s = e->synonyms; s && s->key; s++)
		if (key_matches(fkey, sizeof fkey, s->key, key)) {
			crm_target_named(t, s->field, column);
			return;
		}
	if (origin)
		crm_target_named(t, origin, column);
	else if (t->kind == CRM_TO_UNKNOWN)
		in_fields(e, column, t);
}
