/* mail_impl.h - what the files of the mail module share (mail.c,
 * mail_dsn.c, mail_html.c, mail_out.c).  Internal to libcore. */
#ifndef CRM_MAIL_IMPL_H
#define CRM_MAIL_IMPL_H

#include <stddef.h>

#include <gmime/gmime.h>

/* Starts GMime once per process (thread-safe). */
void crm_mail_init(void);

/* Returns the parser options every message is read with. */
GMimeParserOptions *crm_mail_options(void);

/* Returns the first mailbox of list (groups opened), or NULL. */
InternetAddressMailbox *crm_mail_first_mailbox(InternetAddressList *list);

/* Returns a malloc'd copy of the n bytes at s that is valid UTF-8 without
 * NULs (each byte that is not part of a well-formed sequence becomes
 * U+FFFD), or NULL when out of memory. */
char *crm_mail_utf8(const char *s, size_t n);

/* The converter to read text labelled charset with: the label mail
 * programs write for a Windows code page names that code page, as mail
 * readers take it (ISO-8859-1 is read as Windows-1252, Shift_JIS as
 * CP932, ks_c_5601-1987 as CP949, GB2312 as GB18030); any other label
 * as it is. */
const char *crm_mail_charset(const char *charset);

/* Returns the decoded content of part as a byte array the caller frees
 * with g_byte_array_free(bytes, TRUE). */
GByteArray *crm_mail_content(GMimePart *part);

/* Writes the len bytes of s to fd whole; CRM_EIO otherwise. */
int crm_mail_write_all(int fd, const char *s, size_t len);

/* Returns the readable text of an HTML document (malloc'd), or NULL when
 * out of memory. */
char *crm_mail_html_text(const char *s);

/* Stores in out the charset a <meta> of the first n bytes of HTML s
 * declares, or "" when none does. */
void crm_mail_html_charset(char out[40], const char *s, size_t n);

/* Returns the text of an unstructured header's raw value with its
 * RFC 2047 encoded-words decoded to UTF-8 (malloc'd), or NULL when out
 * of memory.  Bytes no charset converter reads are left as they are. */
char *crm_mail_decode_words(const char *raw);

#endif
