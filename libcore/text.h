/* text.h - what libcore's text modules share (norm.c, fold.c, simil.c):
 * no database, no storage types. */
#ifndef CRM_TEXT_H
#define CRM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the UTF-8 code point at s, which has len (> 0) bytes left, into
 * *cp and returns its length; a byte that does not start a well-formed
 * sequence reads as one U+FFFD, so a scan never stops on bad input. */
size_t crm_utf8_decode_lax(const char *s, size_t len, int32_t *cp);

/* Stores in *out the malloc'd NFC, case-folded form of s (nothing
 * trimmed or stripped); CRM_EDATA for invalid UTF-8. */
int crm_text_casefold(char **out, const char *s);

/* Whether code point c is a mark a name is written with or without and
 * stays the same name, which match keys and search leave out: an accent
 * on a Latin, Greek or Cyrillic letter, Hebrew's points, Arabic's harakat
 * and hamza.  Other scripts' marks are parts of their letters (an Indic
 * vowel sign or virama, Thai's vowels and tones, the kana's voicing
 * marks) and stay: राम (Ram) is not रीमा (Reema), nor バン (ban) ハン (han). */
bool crm_accent_p(int32_t c);

#endif
