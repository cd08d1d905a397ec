/* error.h - status codes and the last error message of libcore.
 *
 * Every libcore function that can fail returns an int: CRM_OK (0) or one of
 * the negative codes below.  The human-readable reason is kept per thread and
 * fetched with crm_error_message(); libcore never prints or exits.
 */
#ifndef CRM_ERROR_H
#define CRM_ERROR_H

enum crm_status {
	CRM_OK = 0,
	CRM_EFAIL = -1,     /* generic failure (exit 1) */
	CRM_ENOTFOUND = -2, /* the thing asked for does not exist (exit 1) */
	CRM_EUSAGE = -3,    /* the caller asked for something malformed (exit 2) */
	CRM_EDATA = -4,     /* input data failed validation (exit 3) */
	CRM_EBUSY = -5,     /* database locked past the busy timeout (exit 4) */
	CRM_ENOMEM = -6,    /* out of memory (exit 1) */
	CRM_EIO = -7,       /* an operating-system I/O error (exit 1) */
	CRM_ESCHEMA = -8,   /* database schema newer than this build (exit 1) */
	CRM_EREADONLY = -9  /* a write on a read-only database (exit 2) */
};

/* Records a formatted message for the calling thread and returns code. */
int crm_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns the last message recorded in this thread (borrowed, never NULL). */
const char *crm_error_message(void);

/* Returns the code of the last recorded error in this thread. */
int crm_error_code(void);

/* Puts "prefix: " before the recorded message and returns its code. */
int crm_error_prefix(const char *prefix);

/* Keeps the recorded message under a new code, and returns code: the same
 * fact can be bad data in one place and a usage error in another. */
int crm_error_recode(int code);

/* Clears the recorded error. */
void crm_error_clear(void);

/* Returns the process exit status documented for a libcore status code. */
int crm_exit_status(int code);

/* Records CRM_ENOMEM with a standard message and returns CRM_ENOMEM. */
int crm_error_nomem(void);

#endif
