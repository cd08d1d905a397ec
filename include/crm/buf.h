/* buf.h - a growable, always NUL-terminated byte buffer. */
#ifndef CRM_BUF_H
#define CRM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct crm_buf {
	char *ptr;  /* NUL-terminated contents, or NULL while empty and unallocated */
	size_t len; /* bytes used, not counting the terminating NUL */
	size_t cap; /* bytes allocated */
} crm_buf;

#define CRM_BUF_INIT { NULL, 0, 0 }

/* Makes room for extra more bytes; returns CRM_OK or CRM_ENOMEM. */
int crm_buf_grow(crm_buf *b, size_t extra);

/* Appends len bytes of s; returns CRM_OK or CRM_ENOMEM. */
int crm_buf_put(crm_buf *b, const char *s, size_t len);

/* Appends the C string s; returns CRM_OK or CRM_ENOMEM. */
int crm_buf_puts(crm_buf *b, const char *s);

/* Appends one byte; returns CRM_OK or CRM_ENOMEM. */
int crm_buf_putc(crm_buf *b, char c);

/* Appends formatted text; returns CRM_OK or CRM_ENOMEM. */
int crm_buf_printf(crm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like crm_buf_printf with a va_list. */
int crm_buf_vprintf(crm_buf *b, const char *fmt, va_list ap);

/* Returns the contents as a C string ("" when empty); borrowed. */
const char *crm_buf_str(const crm_buf *b);

/* Empties the buffer, keeping its memory. */
void crm_buf_clear(crm_buf *b);

/* Releases the memory; the buffer is empty and reusable afterwards. */
void crm_buf_free(crm_buf *b);

/* Returns the contents as a malloc'd string the caller frees, and empties b. */
char *crm_buf_detach(crm_buf *b);

#endif
