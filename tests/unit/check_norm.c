/* check_norm.c - UTF-8, NFC, match keys, widths, emails, phones, countries,
 * integers. */
#include <check.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "../../libcore/phone_module.h"

typedef int (*norm_fn)(char **out, const char *s);

static void setup(void)
{
	crm_error_clear();
}

static void norm_is(norm_fn fn, const char *in, const char *want)
{
	char *out = NULL;
	int rc = fn(&out, in);

	ck_assert_msg(rc == CRM_OK, "'%s' rejected: %s", in, crm_error_message());
	ck_assert_str_eq(out, want);
	free(out);
}

/* Checks that fn rejects in with CRM_EDATA and a message containing part. */
static void norm_fails(norm_fn fn, const char *in, const char *part)
{
	char *out = (char *)"untouched";

	ck_assert_msg(fn(&out, in) == CRM_EDATA, "'%s' accepted", in);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
	ck_assert_msg(strstr(crm_error_message(), part), "'%s' not in \"%s\"", part,
		      crm_error_message());
}

static void phone_is(const char *in, const char *region, const char *want)
{
	char *out = NULL;
	int rc = crm_phone_e164(&out, in, region);

	ck_assert_msg(rc == CRM_OK, "'%s' rejected: %s", in, crm_error_message());
	ck_assert_str_eq(out, want);
	free(out);
}

static void phone_fails(const char *in, const char *region)
{
	char *out = (char *)"untouched";
	char want[256];

	ck_assert_msg(crm_phone_e164(&out, in, region) == CRM_EDATA, "'%s' accepted", in);
	ck_assert_ptr_null(out);
	snprintf(want, sizeof want, "invalid phone number '%s'", in);
	ck_assert_str_eq(crm_error_message(), want);
}

#define VALID(lit) crm_utf8_valid_p(lit, sizeof lit - 1)

START_TEST(test_utf8_accepts_well_formed)
{
	ck_assert(VALID(""));
	ck_assert(VALID("plain ascii"));
	ck_assert(VALID("M\xc3\xbcller"));          /* ü */
	ck_assert(VALID("\xe6\x97\xa5\xe6\x9c\xac")); /* 日本 */
	ck_assert(VALID("\xf0\x9f\x98\x80"));       /* U+1F600 */
	ck_assert(VALID("\xf4\x8f\xbf\xbf"));       /* U+10FFFF, the last one */
	ck_assert(VALID("\xef\xbb\xbf"));           /* U+FEFF */
	ck_assert(VALID("a\0b"));
}
END_TEST

START_TEST(test_utf8_rejects_malformed)
{
	ck_assert(!VALID("\x80"));                  /* lone continuation */
	ck_assert(!VALID("\xc3"));                  /* truncated */
	ck_assert(!VALID("\xe2\x82"));
	ck_assert(!VALID("\xe2\x28\xa1"));          /* bad continuation */
	ck_assert(!VALID("\xc0\xaf"));              /* overlong '/' */
	ck_assert(!VALID("\xc1\xbf"));
	ck_assert(!VALID("\xe0\x80\xaf"));
	ck_assert(!VALID("\xe0\x9f\xbf"));          /* overlong U+07FF */
	ck_assert(!VALID("\xf0\x80\x80\xaf"));
	ck_assert(!VALID("\xf0\x8f\xbf\xbf"));      /* overlong U+FFFF */
	ck_assert(!VALID("\xed\xa0\x80"));          /* surrogate U+D800 */
	ck_assert(!VALID("\xed\xbf\xbf"));          /* surrogate U+DFFF */
	ck_assert(!VALID("\xf4\x90\x80\x80"));      /* U+110000 */
	ck_assert(!VALID("\xf5\x80\x80\x80"));
	ck_assert(!VALID("\xff"));
	ck_assert(!VALID("ok\xfe"));
	/* Only len bytes count: a cut in the middle of a character is invalid. */
	ck_assert(!crm_utf8_valid_p("\xc3\xbc", 1));
	ck_assert(crm_utf8_valid_p("ab\xff", 2));
}
END_TEST

START_TEST(test_nfc_composes_and_trims)
{
	char *a = NULL, *b = NULL;

	norm_is(crm_text_nfc, "e\xcc\x81", "\xc3\xa9");       /* e + U+0301 → é */
	norm_is(crm_text_nfc, "A\xcc\x8a" "sa", "\xc3\x85sa"); /* Å */
	ck_assert_int_eq(crm_text_nfc(&a, "Jose\xcc\x81"), CRM_OK);
	ck_assert_int_eq(crm_text_nfc(&b, "Jos\xc3\xa9"), CRM_OK);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	norm_is(crm_text_nfc, "  Ada\tLovelace \n", "Ada\tLovelace");
	/* No-break and ideographic spaces are trimmed too. */
	norm_is(crm_text_nfc, "\xc2\xa0x\xe3\x80\x80", "x");
	norm_is(crm_text_nfc, "   ", "");
	norm_is(crm_text_nfc, "", "");
	/* Stored values keep what was typed: no compatibility folding. */
	norm_is(crm_text_nfc, "\xef\xac\x81le", "\xef\xac\x81le"); /* ﬁle */
	norm_is(crm_text_nfc, "\xef\xbc\xa1", "\xef\xbc\xa1");     /* Ａ */
	norm_is(crm_text_nfc, "Stra\xc3\x9f" "e", "Stra\xc3\x9f" "e");
}
END_TEST

START_TEST(test_nfc_rejects_invalid_utf8)
{
	norm_fails(crm_text_nfc, "a\xc0\xaf", "invalid UTF-8 at byte 2");
	norm_fails(crm_text_nfc, "\xed\xa0\x80", "invalid UTF-8 at byte 1");
	norm_fails(crm_text_key, "ok\xff", "invalid UTF-8 at byte 3");
}
END_TEST

START_TEST(test_key_folds_case_and_accents)
{
	norm_is(crm_text_key, "M\xc3\xbcller", "muller");
	norm_is(crm_text_key, "MULLER", "muller");
	norm_is(crm_text_key, "Mu\xcc\x88ller", "muller");
	norm_is(crm_text_key, "\xc3\x85SA  Str\xc3\xb6m ", "asa strom");
	norm_is(crm_text_key, "Stra\xc3\x9f" "e", "strasse");
	norm_is(crm_text_key, "STRASSE", "strasse");
	norm_is(crm_text_key, "\xe1\xba\x9e", "ss");                 /* ẞ */
	norm_is(crm_text_key, "Fran\xc3\xa7ois", "francois");
	norm_is(crm_text_key, "\xc3\x89MILE Zola", "emile zola");
}
END_TEST

/* ASCII text takes a shorter way to its key: every byte, alone and
 * between letters, keys as it does beside a letter that needs utf8proc. */
START_TEST(test_key_of_ascii_is_utf8procs)
{
	static const char *const shapes[] = { "%c", "a%cb", "%c%cX", " %c a%c" };

	for (int c = 1; c < 0x80; c++)
		for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
			char ascii[16], mixed[24], *fast = NULL, *slow = NULL;

			snprintf(ascii, sizeof ascii, shapes[i], c, c);
			/* é keys as e, and takes the text through utf8proc. */
			snprintf(mixed, sizeof mixed, "%s z\xc3\xa9", ascii);
			ck_assert_int_eq(crm_text_key(&fast, ascii), CRM_OK);
			ck_assert_int_eq(crm_text_key(&slow, mixed), CRM_OK);
			ck_assert_msg(!strncmp(slow, fast, strlen(fast)) &&
			              !strcmp(slow + strlen(fast), *fast ? " ze" : "ze"),
			              "byte 0x%02x in '%s': '%s' alone, '%s' beside a letter", c,
			              shapes[i], fast, slow);
			free(fast);
			free(slow);
		}
}
END_TEST

START_TEST(test_key_folds_letters_without_decomposition)
{
	norm_is(crm_text_key, "\xc3\x98ster", "oster");              /* Øster */
	norm_is(crm_text_key, "s\xc3\xb8ren", "soren");              /* søren */
	norm_is(crm_text_key, "\xc3\x86" "ble", "aeble");            /* Æble */
	norm_is(crm_text_key, "\xc5\x92uvre", "oeuvre");             /* Œuvre */
	norm_is(crm_text_key, "\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz"); /* Łódź */
	norm_is(crm_text_key, "\xc4\x90or\xc4\x91" "e", "dorde");    /* Đorđe */
	norm_is(crm_text_key, "\xc3\x9e\xc3\xb3r", "thor");          /* Þór */
	norm_is(crm_text_key, "Gu\xc3\xb0r\xc3\xban", "gudrun");     /* Guðrún */
	norm_is(crm_text_key, "Y\xc4\xb1lmaz", "yilmaz");            /* Yılmaz */
	norm_is(crm_text_key, "\xc4\xb0stanbul", "istanbul");        /* İstanbul */
}
END_TEST

START_TEST(test_key_other_scripts)
{
	/* ПЁТР Иванов: Cyrillic folds case, and ё loses its diaeresis. */
	norm_is(crm_text_key,
		"\xd0\x9f\xd0\x81\xd0\xa2\xd0\xa0 \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xb2",
		"\xd0\xbf\xd0\xb5\xd1\x82\xd1\x80 \xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xb2");
	/* ΟΔΥΣΣΕΥΣ and Οδυσσεύς meet at οδυσσευσ: final sigma folds to σ. */
	norm_is(crm_text_key,
		"\xce\x9f\xce\x94\xce\xa5\xce\xa3\xce\xa3\xce\x95\xce\xa5\xce\xa3",
		"\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x83");
	norm_is(crm_text_key,
		"\xce\x9f\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xad\xcf\x8d\xcf\x82",
		"\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x83");
	/* 東京 has no case and stays as it is. */
	norm_is(crm_text_key, "\xe6\x9d\xb1\xe4\xba\xac", "\xe6\x9d\xb1\xe4\xba\xac");
	/* Full-width ＡＢＣ and the ideographic space fold to ASCII. */
	norm_is(crm_text_key, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xe3\x80\x80x", "abc x");
}
END_TEST

/* The key leaves out accents, the marks a name is written with or
 * without, and keeps the marks that are parts of letters: an Indic vowel
 * sign or virama, Thai's vowels and tones, the kana's voicing marks.
 * Without them Ram, Reema and Rama (राम, रीमा, रमा) were one name. */
START_TEST(test_key_keeps_marks_that_are_letters)
{
	norm_is(crm_text_key, "राम", "राम");
	norm_is(crm_text_key, "रीमा", "रीमा");
	norm_is(crm_text_key, "प्रिया", "प्रिया");                /* virama */
	norm_is(crm_text_key, "தமிழ்", "தமிழ்");                  /* Tamil */
	norm_is(crm_text_key, "สมชัย", "สมชัย");                  /* Thai vowel */
	norm_is(crm_text_key, "บุญชู", "บุญชู");
	norm_is(crm_text_key, "バン", "バン");
	norm_is(crm_text_key, "パン", "パン");
	norm_is(crm_text_key, "ﾊﾞﾝ", "バン");                      /* half-width */
	norm_is(crm_text_key, "ハ\xe3\x82\x99ン", "バン");          /* decomposed */
	norm_is(crm_text_fold, "バン", "バン");
	/* Accents go, in every script that writes them. */
	norm_is(crm_text_key, "أَحْمَد", "احمد");                  /* harakat, hamza */
	norm_is(crm_text_key, "שָׁלוֹם", "שלום");                  /* niqqud */
	norm_is(crm_text_key, "Nguyễn Thị", "nguyen thi");
	norm_is(crm_text_key, "Αθήνα", "αθηνα");
	norm_is(crm_text_key, "Йо\xcc\x81ко", "иоко");            /* stress mark */
}
END_TEST

START_TEST(test_key_collapses_space_and_invisibles)
{
	norm_is(crm_text_key, "  Ada \t\n Lovelace  ", "ada lovelace");
	norm_is(crm_text_key, "Ada\xc2\xa0\xe2\x80\x83Lovelace", "ada lovelace");
	norm_is(crm_text_key, "\xef\xac\x81nance", "finance");       /* ﬁ ligature */
	norm_is(crm_text_key, "Soft\xc2\xadware", "software");       /* soft hyphen */
	norm_is(crm_text_key, "Jean\xe2\x80\x90Luc", "jean-luc");    /* U+2010 */
	norm_is(crm_text_key, " \t ", "");
	norm_is(crm_text_key, "", "");
}
END_TEST

START_TEST(test_width_counts_columns)
{
	ck_assert_uint_eq(crm_text_width(""), 0);
	ck_assert_uint_eq(crm_text_width("abc"), 3);
	ck_assert_uint_eq(crm_text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);     /* 日本 */
	ck_assert_uint_eq(crm_text_width("Str\xc3\xb6m"), 5);
	ck_assert_uint_eq(crm_text_width("e\xcc\x81"), 1);                    /* e + U+0301 */
	ck_assert_uint_eq(crm_text_width("\xef\xbc\xa1" "b"), 3);             /* Ａb */
	ck_assert_uint_eq(crm_text_width("a\xff" "b"), 3);
	ck_assert_uint_eq(crm_text_width("\xc0\xaf"), 2);
}
END_TEST

/* Renders crm_name_split(full) as "first|last". */
static const char *split(const char *full)
{
	static char out[256];
	char *first, *last;

	ck_assert_int_eq(crm_name_split(full, &first, &last), CRM_OK);
	snprintf(out, sizeof out, "%s|%s", first, last);
	free(first);
	free(last);
	return out;
}

/* Renders crm_name_join(first, last). */
static const char *join(const char *first, const char *last)
{
	static char out[256];
	char *name;

	ck_assert_int_eq(crm_name_join(&name, first, last), CRM_OK);
	snprintf(out, sizeof out, "%s", name);
	free(name);
	return out;
}

START_TEST(test_name_split)
{
	ck_assert_str_eq(split("Ada Lovelace"), "Ada|Lovelace");
	ck_assert_str_eq(split("  Grace Brewster Hopper "), "Grace Brewster|Hopper");
	ck_assert_str_eq(split("Lovelace, Ada"), "Ada|Lovelace");
	ck_assert_str_eq(split("Madonna"), "Madonna|");
	ck_assert_str_eq(split(""), "|");
	/* Salutations go; suffixes stay with the family name. */
	ck_assert_str_eq(split("Dr. Jane Smith"), "Jane|Smith");
	ck_assert_str_eq(split("Mr Smith"), "|Smith");
	ck_assert_str_eq(split("Martin Luther King, Jr."), "Martin Luther|King Jr.");
	ck_assert_str_eq(split("John Smith Jr."), "John|Smith Jr.");
	ck_assert_str_eq(split("Henry Ford III"), "Henry|Ford III");
	/* A family name's particle opens it, from the second word on. */
	ck_assert_str_eq(split("Ludwig van Beethoven"), "Ludwig|van Beethoven");
	ck_assert_str_eq(split("Ursula von der Leyen"), "Ursula|von der Leyen");
	ck_assert_str_eq(split("Ana Maria da Silva"), "Ana Maria|da Silva");
	ck_assert_str_eq(split("Charles De Gaulle"), "Charles|De Gaulle");
	ck_assert_str_eq(split("Mohammed bin Rashid"), "Mohammed|bin Rashid");
	ck_assert_str_eq(split("محمد بن سلمان"), "محمد|بن سلمان");
	ck_assert_str_eq(split("فيصل آل سعود"), "فيصل|آل سعود");
	ck_assert_str_eq(split("דוד בן גוריון"), "דוד|בן גוריון");
	/* Joined again as people read them: family name first in Han,
	 * kana and Hangul. */
	ck_assert_str_eq(join("太郎", "山田"), "山田 太郎");
	ck_assert_str_eq(join("민준", "김"), "김 민준");
	ck_assert_str_eq(join("Ada", "Lovelace"), "Ada Lovelace");
	ck_assert_str_eq(join("Taro", "山田"), "Taro 山田");
	ck_assert_str_eq(join(NULL, "山田"), "山田");
	ck_assert_str_eq(join(" Ada ", NULL), "Ada");
	ck_assert_str_eq(join(NULL, NULL), "");
	ck_assert_str_eq(split("O\xc3\xads\xc3\xadn \xc3\x93 Briain"), "O\xc3\xads\xc3\xadn|\xc3\x93 Briain");
	ck_assert_str_eq(split("Van Morrison"), "Van|Morrison");
	ck_assert_str_eq(split("Dr. Jan van Dijk Jr."), "Jan|van Dijk Jr.");
	ck_assert_str_eq(split("van Dijk, Jan"), "Jan|van Dijk");
	/* An address after the name is no part of it. */
	ck_assert_str_eq(split("\"Ann Lee\" <ann2@example.com>"), "Ann|Lee");
	/* Chinese, Japanese and Korean names put the family name first. */
	ck_assert_str_eq(split("\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"),
	                 "\xe5\xa4\xaa\xe9\x83\x8e|\xe5\xb1\xb1\xe7\x94\xb0"); /* 山田 太郎 */
	ck_assert_str_eq(split("\xea\xb9\x80 \xeb\xaf\xbc\xec\xa4\x80"),
	                 "\xeb\xaf\xbc\xec\xa4\x80|\xea\xb9\x80"); /* 김 민준 */
	ck_assert_str_eq(split("\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0 \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2\xd0\xb0"),
	                 "\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0|\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2\xd0\xb0");
}
END_TEST

/* addr|name of text, "-" for none. */
static const char *mailbox(const char *text)
{
	static char out[256];
	char *addr, *name;

	ck_assert_int_eq(crm_mailbox_parse(text, &addr, &name), CRM_OK);
	snprintf(out, sizeof out, "%s|%s", addr ? addr : "-", name ? name : "-");
	free(addr);
	free(name);
	return out;
}

START_TEST(test_mailbox_parse)
{
	ck_assert_str_eq(mailbox("Ann Lee <ann@example.org>"), "ann@example.org|Ann Lee");
	ck_assert_str_eq(mailbox(" \"Lee, Kim\" <kim@example.org> "), "kim@example.org|Lee, Kim");
	ck_assert_str_eq(mailbox("'Hal Moe' <hal@example.org>"), "hal@example.org|Hal Moe");
	ck_assert_str_eq(mailbox("Bo Ng (bo@example.org)"), "bo@example.org|Bo Ng");
	ck_assert_str_eq(mailbox("<cy@example.org>"), "cy@example.org|-");
	ck_assert_str_eq(mailbox("Ed <not-an-address>"), "-|-");
	ck_assert_str_eq(mailbox("ann@example.org"), "-|-");
	ck_assert_str_eq(mailbox("Ann <ann@example.org"), "-|-");
	/* One quote alone is a name's own. */
	ck_assert_str_eq(split("'Ali Khan <ali@example.org>"), "'Ali|Khan");
	ck_assert_str_eq(split("'Hal Moe' <hal@example.org>"), "Hal|Moe");
}
END_TEST

START_TEST(test_email_normalize)
{
	norm_is(crm_email_normalize, " Ada.Lovelace@Example.ORG ", "ada.lovelace@example.org");
	norm_is(crm_email_normalize, "x+tag@example.org", "x+tag@example.org");
	norm_is(crm_email_normalize, "o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk");
	norm_is(crm_email_normalize, "J\xc3\x96RG@B\xc3\x9c" "CHER.DE", "j\xc3\xb6rg@b\xc3\xbc" "cher.de");
	norm_is(crm_email_normalize, "jo\xcc\x88rg@example.de", "j\xc3\xb6rg@example.de");
	norm_is(crm_email_normalize, "a@xn--bcher-kva.example", "a@xn--bcher-kva.example");
	/* A right-to-left mark, a zero-width space and a BOM are dropped. */
	norm_is(crm_email_normalize, "\xe2\x80\x8f" "david@example.co.il", "david@example.co.il");
	norm_is(crm_email_normalize, "da\xe2\x80\x8bvid@example.co.il\xef\xbb\xbf",
	        "david@example.co.il");
}
END_TEST

/* An address in ASCII is lowered as Unicode lowers each of its
 * characters (utf8proc_tolower), whatever the printable character in it. */
START_TEST(test_email_ascii_lowered_as_unicode)
{
	char in[32], want[32], *out;

	for (int c = 0x21; c < 0x7F; c++) {
		snprintf(in, sizeof in, "Ab%cZ@Mail.Example.ORG", c);
		if (crm_email_normalize(&out, in) != CRM_OK) {
			crm_error_clear();
			continue;
		}
		for (size_t i = 0; i <= strlen(in); i++)
			want[i] = (char)utf8proc_tolower((unsigned char)in[i]);
		ck_assert_str_eq(out, want);
		free(out);
	}
}
END_TEST

START_TEST(test_email_rejects_malformed)
{
	char local[80];

	norm_fails(crm_email_normalize, "a@b", "'a@b'");
	norm_fails(crm_email_normalize, "@x.org", "'@x.org'");
	norm_fails(crm_email_normalize, "a b@x.org", "'a b@x.org'");
	norm_fails(crm_email_normalize, "a@@x.org", "'a@@x.org'");
	norm_fails(crm_email_normalize, "ada.example.org", "invalid email address 'ada.example.org'");
	norm_fails(crm_email_normalize, "", "invalid email address ''");
	norm_fails(crm_email_normalize, "a@", "'a@'");
	norm_fails(crm_email_normalize, ".a@x.org", "'.a@x.org'");
	norm_fails(crm_email_normalize, "a.@x.org", "'a.@x.org'");
	norm_fails(crm_email_normalize, "a..b@x.org", "'a..b@x.org'");
	norm_fails(crm_email_normalize, "a@x..org", "'a@x..org'");
	norm_fails(crm_email_normalize, "a@x.org.", "'a@x.org.'");
	norm_fails(crm_email_normalize, "a@.x.org", "'a@.x.org'");
	norm_fails(crm_email_normalize, "a@-x.org", "'a@-x.org'");
	norm_fails(crm_email_normalize, "a@x_y.org", "'a@x_y.org'");
	norm_fails(crm_email_normalize, "a@x.o", "'a@x.o'");
	norm_fails(crm_email_normalize, "a@10.0.0.1", "'a@10.0.0.1'");
	norm_fails(crm_email_normalize, "<a@x.org>", "'<a@x.org>'");
	norm_fails(crm_email_normalize, "\"a\"@x.org", "'\"a\"@x.org'");
	norm_fails(crm_email_normalize, "a\xc2\xa0" "b@x.org", "invalid email address");
	norm_fails(crm_email_normalize, "a@x\xc0\xaf.org", "invalid UTF-8 at byte 4");
	memset(local, 'a', 65);
	memcpy(local + 65, "@x.org", 7);
	norm_fails(crm_email_normalize, local, "longer than 64");
	local[1] = '@';
	norm_fails(crm_email_normalize, local, "more than one '@'");
}
END_TEST

START_TEST(test_email_key)
{
	norm_is(crm_email_key, "A.B.C+news@googlemail.com", "abc@gmail.com");
	norm_is(crm_email_key, "first.last+a+b@Gmail.COM", "firstlast@gmail.com");
	norm_is(crm_email_key, "firstlast@gmail.com", "firstlast@gmail.com");
	norm_is(crm_email_key, "x+tag@example.org", "x@example.org");
	norm_is(crm_email_key, " Ada.Lovelace@Example.ORG ", "ada.lovelace@example.org");
	norm_is(crm_email_key, "a.b@gmail.com.au", "a.b@gmail.com.au");
	/* A local part that is all tag keeps it: nothing else is left. */
	norm_is(crm_email_key, "+news@example.org", "+news@example.org");
	norm_fails(crm_email_key, "a@b", "invalid email address 'a@b'");
}
END_TEST

START_TEST(test_phone_e164)
{
	phone_is("020 7946 0018", "GB", "+442079460018");
	phone_is("020 7946 0018", "gb", "+442079460018");
	phone_is("+33 1 42 68 53 00", "GB", "+33142685300");
	phone_is("+33 1 42 68 53 00", NULL, "+33142685300");
	phone_is("+33 1 42 68 53 00", "", "+33142685300");
	phone_is("01 42 68 53 00", "FR", "+33142685300");
	phone_is("(212) 555-2368", "US", "+12125552368");
	phone_is("+1 (650) 253-0000", NULL, "+16502530000");
	phone_is("030 12345678", "DE", "+493012345678");
	phone_is("00 49 30 12345678", "FR", "+493012345678");
}
END_TEST

/* A calling code several regions share: numbers of the main region and
 * of the others are valid whatever region they are read in, and numbers
 * of none are refused (the answers are libphonenumber's own). */
START_TEST(test_phone_shared_calling_codes)
{
	phone_is("(201) 555-0123", "US", "+12015550123");
	phone_is("(506) 234-5678", "CA", "+15062345678");
	phone_is("(506) 234-5678", "US", "+15062345678");
	phone_is("+1 876 523 0123", "US", "+18765230123");
	phone_is("01534 456789", "GB", "+441534456789");
	phone_is("01534 456789", "JE", "+441534456789");
	phone_is("+7 712 345 6789", "RU", "+77123456789");
	phone_is("8 (71234) 5 67 89", "KZ", "+77123456789");
	phone_is("018 1234567", "AX", "+358181234567");
	phone_is("+358 18 1234567", "FI", "+358181234567");
	phone_fails("+1 506 034 5678", "US");
	phone_fails("+7 012 345 6789", "RU");
	phone_fails("+358 18 123", "FI");
	phone_fails("+44 1534 45678", "GB");
}
END_TEST

/* Numbers written with separators, read as their digits alone, and
 * numbers that must be read as they are written. */
START_TEST(test_phone_separators)
{
	phone_is("(11) 91006-0006", "BR", "+5511910060006");
	phone_is("030/12345678", "DE", "+493012345678");
	phone_is("01.42.68.53.00", "FR", "+33142685300");
	phone_is("+44 (0)20 7946 0018", "GB", "+442079460018");
	phone_is("12 101 00 01", "PL", "+48121010001");
	phone_is("020 7946 0018 ext. 12", "GB", "+442079460018");
	phone_is("+1-650-253-0000 x123", "US", "+16502530000");
	phone_is("1-800-FLOWERS", "US", "+18003569377");
	phone_is("\xef\xbc\x90\xef\xbc\x92\xef\xbc\x90 7946 0018", "GB", "+442079460018"); /* ０２０ */
	phone_is(" +44 20 7946 0018", NULL, "+442079460018");
	phone_is("tel:+44-20-7946-0018", NULL, "+442079460018");
	phone_fails("(12)", "GB");
	phone_fails("+44 (0)20 7946 001", "GB");
}
END_TEST

/* What libphonenumber makes of the text as written, through the module
 * itself: crm_phone_e164 must give the same for text it reads as its
 * digits alone. */
static void as_written(crm_phone_module_e164_fn *fn, const char *in, const char *region)
{
	char want[CRM_PHONE_E164_SIZE];
	int status = fn(in, region, want, sizeof want);

	if (status == CRM_PHONE_OK) {
		phone_is(in, region, want);
	} else {
		ck_assert_int_eq(status, CRM_PHONE_INVALID);
		phone_fails(in, region);
	}
}

START_TEST(test_phone_digits_read_as_written)
{
	static const char *const regions[] = { "GB", "US", "DE", "FR", "BR", "IT", "AR", "JP",
	                                       "IN", "RU", "AU", "NG", "PL", NULL };
	static const char *const numbers[] = {
		"020 7946 0018", "(020) 7946-0018", "020.7946.0018", "+44 (0)20 7946 0018",
		"0044 20 7946 0018", "00 44 (0) 20 7946 0018", "011 44 20 7946 0018",
		"(212) 555-2368", "1 (212) 555-2368", "+1 212 555 2368", "212/555/2368",
		"030 / 12345678", "+49 (30) 123-456-78", "0151 2345 6789", "01 42 68 53 00",
		"(11) 91006-0006", "+55 (11) 9 1006-0006", "06 6981 2345", "+39 06 6981 2345",
		"011 15-2345-6789", "+54 9 11 2345-6789", "03-1234-5678", "(0)90 1234 5678",
		"98765 43210", "+91 (987) 654-3210", "8 (495) 123-45-67", "+7 495 123 45 67",
		"(02) 9876 5432", "0412 345 678", "0803 123 4567", "12 101 00 01", "+48 12 101 00 01",
		"", "+", "()", "-", "0", "12", "(12)", "1-2", "000000", "+0", "00", "+44 (0)",
		"123456789012345678", "+1 (555)", "0044", "(+44) 20 7946 0018",
		NULL,
	};
	void *h = dlopen(getenv("CRM_PHONE_MODULE"), RTLD_NOW | RTLD_LOCAL);
	crm_phone_module_e164_fn *fn;

	ck_assert_msg(h, "cannot load $CRM_PHONE_MODULE: %s", dlerror());
	fn = (crm_phone_module_e164_fn *)dlsym(h, "crm_phone_module_e164");
	ck_assert_ptr_nonnull(fn);
	for (size_t i = 0; numbers[i]; i++)
		for (size_t j = 0; regions[j]; j++)
			as_written(fn, numbers[i], regions[j]);
	dlclose(h);
}
END_TEST

START_TEST(test_phone_rejects_invalid)
{
	phone_fails("12", "GB");
	phone_fails("12", NULL);
	phone_fails("", "US");
	phone_fails("abc", "US");
	phone_fails("+999 1234", NULL);
	/* Without a region only numbers with a country code can be read. */
	phone_fails("030 12345678", NULL);
	phone_fails("030 12345678", "");
	phone_fails("650 253 0000", "XX");
}
END_TEST

/* libcore never prints: run bad input with both streams going to a file. */
START_TEST(test_phone_is_silent)
{
	FILE *f = tmpfile();
	int saved_out = dup(1), saved_err = dup(2);
	char *out = NULL;

	ck_assert_ptr_nonnull(f);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(f), 1);
	dup2(fileno(f), 2);
	crm_phone_e164(&out, "\xff\xfe", "US");
	crm_phone_e164(&out, "+", NULL);
	crm_phone_e164(&out, "++++44", "ZZ");
	crm_phone_e164(&out, "1234567890123456789012345678901234567890", "GB");
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_eq(ftell(f), 0);
	ck_assert_ptr_null(out);
	fclose(f);
}
END_TEST

START_TEST(test_country_valid)
{
	int n = 0;
	char code[3] = "AA";

	ck_assert(crm_country_valid_p("FR"));
	ck_assert(crm_country_valid_p("AD"));
	ck_assert(crm_country_valid_p("ZW"));
	ck_assert(crm_country_valid_p("SS"));
	ck_assert(crm_country_valid_p("BQ"));
	ck_assert(!crm_country_valid_p("fr"));
	ck_assert(!crm_country_valid_p("UK"));
	ck_assert(!crm_country_valid_p("EU"));
	ck_assert(crm_country_valid_p("XK"));
	ck_assert(!crm_country_valid_p("FRA"));
	ck_assert(!crm_country_valid_p(""));
	ck_assert(!crm_country_valid_p(NULL));
	/* The table holds all 249 assigned codes and XK, sorted, or bsearch misses some. */
	for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
		for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
			n += crm_country_valid_p(code);
	ck_assert_int_eq(n, 250);
}
END_TEST

START_TEST(test_country_normalize)
{
	norm_is(crm_country_normalize, "fr", "FR");
	norm_is(crm_country_normalize, " de ", "DE");
	norm_is(crm_country_normalize, "Gb", "GB");
	norm_is(crm_country_normalize, "\tus\n", "US");
	norm_fails(crm_country_normalize, "XX", "unknown country 'XX'");
	norm_fails(crm_country_normalize, " EU ", "unknown country 'EU'");
	norm_fails(crm_country_normalize, "", "unknown country ''");
	norm_fails(crm_country_normalize, "f", "'f'");
}
END_TEST

/* What users put in a domain column: a bare domain, a web address, the
 * web server's name; each the same company's domain. */
START_TEST(test_domain_normalize)
{
	norm_is(crm_domain_normalize, "Example.ORG", "example.org");
	norm_is(crm_domain_normalize, "https://Example.org/about", "example.org");
	norm_is(crm_domain_normalize, " http://www.Example.org./ ", "example.org");
	norm_is(crm_domain_normalize, "WWW.example.co.uk", "example.co.uk");
	norm_is(crm_domain_normalize, "www-shop.example", "www-shop.example");
	norm_is(crm_domain_normalize, "wwwexample.org", "wwwexample.org");
	norm_is(crm_domain_normalize, "www.com", "www.com");
	norm_is(crm_domain_normalize, "www.com.", "www.com");
	/* Twice is once: what it gives, it gives again. */
	norm_is(crm_domain_normalize, "www.www.example.org", "example.org");
	norm_is(crm_domain_normalize, "example.org..", "example.org");
	norm_fails(crm_domain_normalize, "www..example", "invalid domain 'www..example'");
	norm_fails(crm_domain_normalize, "example", "invalid domain 'example'");
	norm_fails(crm_domain_normalize, "exa mple.org", "invalid domain 'exa mple.org'");
	norm_fails(crm_domain_normalize, "-example.org", "invalid domain '-example.org'");
	norm_fails(crm_domain_normalize, "example..com", "empty label in domain");
	norm_fails(crm_domain_normalize, "1.2.3.4", "bad top-level domain");
	norm_fails(crm_domain_normalize, "example.org_", "character not allowed");
	/* A name in another script is kept as an address's domain is. */
	norm_is(crm_domain_normalize, "https://WWW.Bücher.DE/shop", "bücher.de");
	norm_is(crm_domain_normalize, "МОСКВА.рф", "москва.рф");
	norm_is(crm_domain_normalize, "xn--bcher-kva.de", "xn--bcher-kva.de");
}
END_TEST

/* Names as other systems' exports hold them: the standard's English
 * names, short, official and common, and alpha-3 codes (Debian's
 * iso-codes), everyday English names, and translations. */
START_TEST(test_country_names)
{
	norm_is(crm_country_normalize, "France", "FR");
	norm_is(crm_country_normalize, " fra ", "FR");
	norm_is(crm_country_normalize, "DEU", "DE");
	norm_is(crm_country_normalize, "GERMANY", "DE");
	norm_is(crm_country_normalize, "Federal Republic of Germany", "DE");
	norm_is(crm_country_normalize, "Viet Nam", "VN");
	norm_is(crm_country_normalize, "Vietnam", "VN");
	norm_is(crm_country_normalize, "United States of America", "US");
	norm_is(crm_country_normalize, "U.S.A.", "US");
	norm_is(crm_country_normalize, "UK", "GB");
	norm_is(crm_country_normalize, "Russia", "RU");
	norm_is(crm_country_normalize, "Turkey", "TR");
	norm_is(crm_country_normalize, "Ivory Coast", "CI");
	norm_is(crm_country_normalize, "Republic of Ireland", "IE");
	norm_is(crm_country_normalize, "Kosovo", "XK");
	norm_is(crm_country_normalize, "xk", "XK");
	norm_is(crm_country_normalize, "Hong Kong SAR", "HK");
	/* Accents, punctuation, "the", "St", "&" and hyphens as people type. */
	norm_is(crm_country_normalize, "Cote d'Ivoire", "CI");
	norm_is(crm_country_normalize, "C\xc3\xb4te d\xe2\x80\x99Ivoire", "CI");
	norm_is(crm_country_normalize, "the Netherlands", "NL");
	norm_is(crm_country_normalize, "St. Lucia", "LC");
	norm_is(crm_country_normalize, "Bosnia & Herzegovina", "BA");
	norm_is(crm_country_normalize, "Guinea Bissau", "GW");
	norm_is(crm_country_normalize, "Curacao", "CW");
	/* "Moldova, Republic of" and "Falkland Islands (Malvinas)" shortened. */
	norm_is(crm_country_normalize, "Moldova", "MD");
	norm_is(crm_country_normalize, "Falkland Islands", "FK");
	/* A short name outranks another country's name shortened. */
	norm_is(crm_country_normalize, "Congo", "CG");
	/* Translations: German, French, Spanish, Polish, Russian, Chinese,
	 * Japanese. */
	norm_is(crm_country_normalize, "Deutschland", "DE");
	norm_is(crm_country_normalize, "Allemagne", "DE");
	norm_is(crm_country_normalize, "Espa\xc3\xb1" "a", "ES");
	norm_is(crm_country_normalize, "Niemcy", "DE");
	norm_is(crm_country_normalize, "\xd0\xa0\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd0\xb9\xd1\x81\xd0\xba"
	        "\xd0\xb0\xd1\x8f \xd0\xa4\xd0\xb5\xd0\xb4\xd0\xb5\xd1\x80\xd0\xb0\xd1\x86\xd0\xb8\xd1\x8f",
	        "RU"); /* Российская Федерация */
	norm_is(crm_country_normalize, "\xe5\xbe\xb7\xe5\x9b\xbd", "DE");             /* 德国 */
	norm_is(crm_country_normalize, "\xe3\x83\x89\xe3\x82\xa4\xe3\x83\x84", "DE"); /* ドイツ */
	/* A name of two countries names neither. */
	norm_fails(crm_country_normalize, "Korea", "'Korea' names more than one country");
	norm_fails(crm_country_normalize, "Virgin Islands", "'Virgin Islands' names more than one country");
	norm_fails(crm_country_normalize, "Atlantis", "unknown country 'Atlantis'");
	norm_fails(crm_country_normalize, "the", "unknown country 'the'");
	norm_fails(crm_country_normalize, "...", "unknown country '...'");
	norm_fails(crm_country_normalize, "\xff", "unknown country");
}
END_TEST

START_TEST(test_int_parse)
{
	long long v = 7;

	ck_assert(crm_int_parse("42", 1, 100, &v) && v == 42);
	ck_assert(crm_int_parse("-5", -10, 10, &v) && v == -5);
	ck_assert(crm_int_parse("9223372036854775807", 1, LLONG_MAX, &v) && v == LLONG_MAX);
	ck_assert(crm_int_parse("0", 0, 0, &v) && v == 0);
	v = 7;
	/* Out of range, overflowing, empty, trailing text: refused, *out untouched. */
	ck_assert(!crm_int_parse("0", 1, 100, &v));
	ck_assert(!crm_int_parse("101", 1, 100, &v));
	ck_assert(!crm_int_parse("9223372036854775808", 1, LLONG_MAX, &v));
	ck_assert(!crm_int_parse("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v));
	ck_assert(!crm_int_parse("", 0, 100, &v));
	ck_assert(!crm_int_parse(" ", 0, 100, &v));
	ck_assert(!crm_int_parse("12abc", 0, 100, &v));
	ck_assert(!crm_int_parse("1.5", 0, 100, &v));
	ck_assert(!crm_int_parse("x", 0, 100, &v));
	ck_assert_int_eq(v, 7);
}
END_TEST

Suite *norm_suite(void)
{
	Suite *s = suite_create("norm");
	TCase *text = tcase_create("text");
	TCase *email = tcase_create("email");
	TCase *phone = tcase_create("phone");
	TCase *country = tcase_create("country");
	TCase *number = tcase_create("number");

	tcase_add_checked_fixture(text, setup, NULL);
	tcase_add_test(text, test_utf8_accepts_well_formed);
	tcase_add_test(text, test_utf8_rejects_malformed);
	tcase_add_test(text, test_nfc_composes_and_trims);
	tcase_add_test(text, test_nfc_rejects_invalid_utf8);
	tcase_add_test(text, test_name_split);
	tcase_add_test(text, test_mailbox_parse);
	tcase_add_test(text, test_key_folds_case_and_accents);
	tcase_add_test(text, test_key_keeps_marks_that_are_letters);
	tcase_add_test(text, test_key_of_ascii_is_utf8procs);
	tcase_add_test(text, test_key_folds_letters_without_decomposition);
	tcase_add_test(text, test_key_other_scripts);
	tcase_add_test(text, test_key_collapses_space_and_invisibles);
	tcase_add_test(text, test_width_counts_columns);
	suite_add_tcase(s, text);
	tcase_add_checked_fixture(email, setup, NULL);
	tcase_add_test(email, test_email_normalize);
	tcase_add_test(email, test_email_ascii_lowered_as_unicode);
	tcase_add_test(email, test_email_rejects_malformed);
	tcase_add_test(email, test_email_key);
	suite_add_tcase(s, email);
	tcase_add_checked_fixture(phone, setup, NULL);
	tcase_add_test(phone, test_phone_e164);
	tcase_add_test(phone, test_phone_separators);
	tcase_add_test(phone, test_phone_shared_calling_codes);
	tcase_add_test(phone, test_phone_digits_read_as_written);
	tcase_add_test(phone, test_phone_rejects_invalid);
	tcase_add_test(phone, test_phone_is_silent);
	suite_add_tcase(s, phone);
	tcase_add_checked_fixture(country, setup, NULL);
	tcase_add_test(country, test_country_valid);
	tcase_add_test(country, test_country_normalize);
	tcase_add_test(country, test_domain_normalize);
	tcase_add_test(country, test_country_names);
	suite_add_tcase(s, country);
	tcase_add_test(number, test_int_parse);
	suite_add_tcase(s, number);
	return s;
}
