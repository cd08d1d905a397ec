/* error.c - per-thread last error message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crm/error.h"

static _Thread_local char message[1024];
static _Thread_local int last_code;

/* Formats into a buffer of its own, then copies: a caller may pass the
 * recorded message itself (crm_error_message()) as an argument, and
 * vsnprintf from a buffer into the same buffer is undefined. */
int crm_error_set(int code, const char *fmt, ...)
{
	char text[sizeof message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	memcpy(message, text, strlen(text) + 1);
	last_code = code;
	return code;
}

const char *crm_error_message(void)
{
	return message[0] ? message : "unknown error";
}

int crm_error_code(void)
{
	return last_code;
}

void crm_error_clear(void)
{
	message[0] = '\0';
	last_code = CRM_OK;
}

int crm_error_prefix(const char *prefix)
{
	return crm_error_set(last_code, "%s: %s", prefix, message);
}

int crm_error_recode(int code)
{
	return last_code = code;
}

int crm_error_nomem(void)
{
	return crm_error_set(CRM_ENOMEM, "out of memory");
}

int crm_exit_status(int code)
{
	switch (code) {
	case CRM_OK:
		return 0;
	case CRM_EUSAGE:
	case CRM_EREADONLY:
		return 2;
	case CRM_EDATA:
		return 3;
	case CRM_EBUSY:
		return 4;
	default:
		return 1;
	}
}
