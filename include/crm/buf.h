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

/* Appends what is left to read of fd to b; name is the file for
 * messages.  As crm_buf_read_file. */
int crm_buf_read_fd(crm_buf *b, int fd, const char *name, size_t max);

/* Appends the whole of file path ("-": standard input) to b.  CRM_EIO
 * "cannot open 'path': reason" (or read); CRM_EDATA when it holds more than
 * max bytes (0: no limit), as a device such as /dev/zero would. */
int crm_buf_read_file(crm_buf *b, const char *path, size_t max);

#endif
