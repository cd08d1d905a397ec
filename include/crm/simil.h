/* simil.h - how alike two values are: the measures record matching uses.
 *
 * Every function works on Unicode code points, not bytes, so "Zoë" and "Zoe"
 * differ by one letter whatever their encoding; callers pass match keys
 * (crm_text_key) so that case and accents are already folded.  Strings
 * longer than CRM_SIMIL_MAX code points are compared on their first
 * CRM_SIMIL_MAX: names, dates and postcodes are far shorter.  Bytes that are
 * not UTF-8 read as U+FFFD.  No function allocates, so they are safe to call
 * from several threads and cheap enough for millions of pairs.
 */
#ifndef CRM_SIMIL_H
#define CRM_SIMIL_H

#include <stdbool.h>
#include <stddef.h>

#define CRM_SIMIL_MAX 64

/* Returns the Jaro-Winkler similarity of a and b, from 0 (nothing in
 * common) to 1 (equal), with the usual prefix scale 0.1 over at most four
 * code points, applied when the Jaro similarity exceeds 0.7.  Two empty
 * strings are equal; an empty and a non-empty one score 0. */
double crm_jaro_winkler(const char *a, const char *b);

/* Returns the optimal-string-alignment distance of a and b: the number of
 * insertions, deletions, substitutions and transpositions of adjacent code
 * points that turn one into the other, no substring edited twice. */
int crm_damerau(const char *a, const char *b);

/* Returns how alike two multi-word values are (street addresses, company
 * names), 0 to 1: the better of the symmetric Monge-Elkan score (each word
 * paired with its most similar word on the other side by Jaro-Winkler,
 * averaged both ways) and the Jaro-Winkler score of the two with the spaces
 * and punctuation removed, so "Pridham Street" and "Pridhamstreet" agree. */
double crm_token_similarity(const char *a, const char *b);

/* Returns true when the given names a and b (match keys) are different
 * forms of one name in the nickname table: "bob" and "robert", "liz" and
 * "elizabeth", "sasha" and "alexander".  Equal names are not nicknames. */
bool crm_nickname_p(const char *a, const char *b);

/* Stores in out (at least CRM_PHONETIC_SIZE bytes) a phonetic key of the
 * name key s for grouping names that sound alike: American Soundex ("R163"
 * for both "robert" and "rupert") when s starts with a Latin letter, else
 * its first two code points, so that names in other scripts still group by
 * their start.  Stores "" for a name with no letter. */
#define CRM_PHONETIC_SIZE 12
void crm_phonetic(char *out, const char *s);

#endif
