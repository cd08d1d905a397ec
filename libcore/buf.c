/* buf.c - growable byte buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/buf.h"
#include "crm/error.h"

int crm_buf_grow(crm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > (size_t)-1 / 2 - b->len)
		return crm_error_nomem();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return CRM_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->ptr, cap);
	if (!p)
		return crm_error_nomem();
	if (!b->ptr)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return CRM_OK;
}

int crm_buf_put(crm_buf *b, const char *s, size_t len)
{
	if (crm_buf_grow(b, len))
		return CRM_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, s, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return CRM_OK;
}

int crm_buf_puts(crm_buf *b, const char *s)
{
	return crm_buf_put(b, s, strlen(s));
}

int crm_buf_putc(crm_buf *b, char c)
{
	return crm_buf_put(b, &c, 1);
}

int crm_buf_vprintf(crm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return crm_error_set(CRM_EFAIL, "bad format string");
	if (crm_buf_grow(b, (size_t)n))
		return CRM_ENOMEM;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CRM_OK;
}

int crm_buf_printf(crm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = crm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *crm_buf_str(const crm_buf *b)
{
	return b->ptr ? b->ptr : "";
}

void crm_buf_clear(crm_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void crm_buf_free(crm_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *crm_buf_detach(crm_buf *b)
{
	char *p = b->ptr ? b->ptr : calloc(1, 1);

	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

int crm_buf_read_fd(crm_buf *b, int fd, const char *name, size_t max)
{
	for (;;) {
		ssize_t got;

		if (crm_buf_grow(b, 65536))
			return CRM_ENOMEM;
		got = read(fd, b->ptr + b->len, b->cap - b->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return crm_error_set(CRM_EIO, "cannot read '%s': %s", name, strerror(errno));
		if (!got)
			return CRM_OK;
		b->len += (size_t)got;
		b->ptr[b->len] = '\0';
		if (max && b->len > max)
			return crm_error_set(CRM_EDATA, "'%s' is larger than %zu bytes", name, max);
	}
}

int crm_buf_read_file(crm_buf *b, const char *path, size_t max)
{
	int is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return crm_error_set(CRM_EIO, "cannot open '%s': %s", path, strerror(errno));
	rc = crm_buf_read_fd(b, fd, is_stdin ? "stdin" : path, max);
	if (!is_stdin)
		close(fd);
	return rc;
}
