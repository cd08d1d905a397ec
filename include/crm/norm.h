/* norm.h - normalisation of text, email addresses, phone numbers, countries,
 * and the reading of integers given as text.
 *
 * Stored values keep what the user typed (NFC); match keys are the
 * casefolded, accent-free forms used for search and dedup.
 */
#ifndef CRM_NORM_H
#define CRM_NORM_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when the len bytes at s are valid UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF). */
bool crm_utf8_valid_p(const char *s, size_t len);

/* Stores in *out a malloc'd NFC copy of s with leading and trailing white
 * space removed; CRM_EDATA for invalid UTF-8.  The caller frees *out. */
int crm_text_nfc(char **out, const char *s);

/* Stores in *out the malloc'd match key of s: NFKC, casefolded, accents
 * stripped (the marks a name is written with or without: Latin, Greek and
 * Cyrillic accents, Hebrew's points, Arabic's harakat; the marks other
 * scripts' letters are made with stay, so राम is not रीमा nor バン ハン),
 * runs of white space collapsed to one space, trimmed, and
 * special letters folded as well (ß→ss, ø→o, æ→ae, ł→l, đ→d ...) so that
 * "Müller", "MULLER" and "muller" share one key.  CRM_EDATA for invalid
 * UTF-8.  The caller frees *out. */
int crm_text_key(char **out, const char *s);

/* Stores in *out the malloc'd cross-script match key of a name: its match
 * key with Cyrillic and Greek letters written in Latin and the spellings
 * romanisations disagree on made one (kh, x and h; sh and s; ch and c; zh
 * and j; q and k; y and i; ph and f; th and t; w and v; apostrophes
 * dropped), so that "Хасанов", "Xasanov" and "Khasanov" share one key, as
 * do "Евгений", "Yevgeny" and "Evgenii".  Search and dedup compare names
 * by it; stored names stay as typed.  CRM_EDATA for invalid UTF-8.  The
 * caller frees *out. */
int crm_text_fold(char **out, const char *s);

/* Returns the number of terminal columns s occupies (wide East Asian
 * characters count 2, combining marks 0); invalid UTF-8 bytes count 1. */
size_t crm_text_width(const char *s);

/* Returns the length in bytes of the longest start of s that fits in cols
 * terminal columns, ending between characters. */
size_t crm_text_fit(const char *s, size_t cols);

/* Stores in *out the normalised form of an email address: trimmed, NFC,
 * domain lowercased and local part lowercased.  CRM_EDATA (with a message
 * naming the value) when it is not of the form local@domain.tld.  The caller
 * frees *out. */
int crm_email_normalize(char **out, const char *s);

/* Stores in *out the dedup match key of an email address: the normalised form
 * with, for gmail.com and googlemail.com, dots removed from the local part,
 * anything after '+' dropped, and googlemail.com folded to gmail.com; for
 * other domains only the "+tag" suffix is dropped.  CRM_EDATA when invalid.
 * The caller frees *out. */
int crm_email_key(char **out, const char *s);

/* Stores in *out the internet domain s names, in lower case: the host of
 * a web address (https://Example.org/about is example.org), without
 * blanks around it, the root's dots after it or a "www." before it (unless
 * what follows is no domain, as in www.com); normalising *out again
 * gives *out.  CRM_EDATA (naming the value) when it is not ASCII letters,
 * digits, dots and hyphens with a dot.  The caller frees *out. */
int crm_domain_normalize(char **out, const char *s);

/* Stores in *out the E.164 form ("+33142685300") of phone number s, read
 * with region (ISO 3166-1 alpha-2, e.g. "GB") as the default when s has no
 * leading '+' or international prefix.  CRM_EDATA when s is not a valid
 * number.  The caller frees *out. */
int crm_phone_e164(char **out, const char *s, const char *region);

/* Returns true when code is an assigned ISO 3166-1 alpha-2 code (upper case). */
bool crm_country_valid_p(const char *code);

/* Stores in *out the upper-case ISO 3166-1 alpha-2 code for s (accepts any
 * case and surrounding space); CRM_EDATA when it is not an assigned code.
 * The caller frees *out. */
int crm_country_normalize(char **out, const char *s);

/* Reads all of s as a decimal integer from min to max (strtoll's syntax:
 * leading blanks and a sign allowed).  Returns true with *out set, or false
 * for an empty string, trailing text, or a value out of range -- including
 * one too large for long long, which strtoll alone would clamp. */
bool crm_int_parse(const char *s, long long min, long long max, long long *out);

/* Splits a full name into *first and *last (malloc'd; name.c): "Last,
 * First" at the comma, else the last word is the family name, with the
 * suffixes after it ("King Jr."); a salutation before it goes ("Dr.");
 * a name in Han, kana or Hangul alone puts the family name first; an
 * address in angle brackets is no part of it.  A single word is a given
 * name ("Madonna"), the family name then "" -- unless a salutation came
 * before it ("Mr Smith"). */
int crm_name_split(const char *full, char **first, char **last);

/* Stores in *out (malloc'd; name.c) a person's whole name from its parts
 * (either NULL), as people read and write it: the given name first, but
 * for a name in Han, kana or Hangul, whose family name comes first
 * (山田 太郎); without the spaces at either end. */
int crm_name_join(char **out, const char *first, const char *last);

/* A person as mail programs and exports write one: "Ann Lee
 * <ann@example.org>", "Ann Lee (ann@example.org)".  Stores in *addr a
 * copy of the address in brackets, NULL when text has none; and, when
 * name is not NULL, in *name a copy of what comes before the brackets
 * without blanks and quotes, NULL when nothing does.  CRM_ENOMEM or
 * CRM_OK. */
int crm_mailbox_parse(const char *text, char **addr, char **name);

#endif
