/* phone.c - phone numbers, read by the phone-number module on first use.
 *
 * The module (crm-phone.so, built from phone_module.cc) holds libphonenumber
 * and everything it pulls in; loading it only when a number has to be read
 * keeps the start-up of every other command as light as the sqlite3 shell's.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "memo.h"
#include "phone_module.h"

#ifndef CRM_MODULE_DIR
#define CRM_MODULE_DIR "/usr/local/lib/crm"
#endif
#define MODULE_NAME "crm-phone.so"

/* Numbers already read, by region and number ("" for an invalid one).
 * Exports repeat numbers (a company's switchboard on every employee), and
 * an import reads each row's numbers ahead on a second thread
 * (crm_rowpipe) so that its write path finds them here. */
#define MEMO_SLOTS 65536

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static crm_memo *memo;
static crm_phone_module_e164_fn *e164_fn;
static char load_error[512];

/* Loads the module at path; on failure keeps the loader's reason. */
static int try_load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h && (e164_fn = (crm_phone_module_e164_fn *)dlsym(h, "crm_phone_module_e164")))
		return 1;
	snprintf(load_error, sizeof load_error, "%s", dlerror());
	if (h)
		dlclose(h);
	return 0;
}

/* The module lives in ../lib/crm beside the program's bin directory, so a
 * build tree and an install under any prefix work alike; $CRM_PHONE_MODULE
 * names another, and the configured install directory is the last resort. */
static void load(void)
{
	const char *env = getenv("CRM_PHONE_MODULE");
	char exe[PATH_MAX], path[PATH_MAX + sizeof "/../lib/crm/" MODULE_NAME];
	ssize_t n;
	char *slash;

	if (env && *env) {
		try_load(env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/../lib/crm/" MODULE_NAME, exe);
			if (try_load(path))
				return;
		}
	}
	try_load(CRM_MODULE_DIR "/" MODULE_NAME);
}

/* The longest text read as its digits alone (plain_digits); a longer
 * one reads the same the long way. */
#define PLAIN_MAX 64

/* Copies into out (PLAIN_MAX + 1 bytes) the digits of s, after its '+'
 * if it begins with one, when s is written with nothing else than ASCII
 * digits and the separators people type between them; returns 0, and
 * leaves s to be read as it is written, for any other text.
 *
 * libphonenumber spends about a third of its time in the regular
 * expressions that step over such separators; every later step reads the
 * digits alone, and with none of those characters there is no extension
 * to find.  Checked against the text as written on each region's example
 * numbers in every format, with separators dropped, added and changed
 * (over a million numbers, half of them valid): the same E.164 number or
 * the same refusal for every one.  Letters (a vanity number, "ext"),
 * other scripts' digits, a second '+' or "tel:" go the long way. */
static int plain_digits(const char *s, char *out)
{
	size_t n = 0;

	if (strlen(s) > PLAIN_MAX)
		return 0;
	if (*s == '+')
		out[n++] = *s++;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
		else if (!strchr(" -.()/", *s))
			return 0;
	out[n] = '\0';
	return 1;
}

/* Reads number s in region through the table: the module only for a pair
 * not seen yet, and outside the lock (libphonenumber is thread-safe).
 * Failures other than an invalid number are not kept. */
static int e164_memo(const char *s, const char *region, char *buf, size_t size)
{
	char *key = NULL, digits[PLAIN_MAX + 1];
	const char *v = NULL;
	int status;

	if (plain_digits(s, digits))
		s = digits;
	/* The key is made outside the lock: several threads read ahead. */
	if (asprintf(&key, "%s\x1f%s", region ? region : "", s) < 0)
		key = NULL;
	pthread_mutex_lock(&lock);
	if (!memo)
		memo = crm_memo_new(MEMO_SLOTS);
	if (key && memo && (v = crm_memo_get(memo, key)))
		snprintf(buf, size, "%s", v);
	pthread_mutex_unlock(&lock);
	if (v) {
		free(key);
		return *buf ? CRM_PHONE_OK : CRM_PHONE_INVALID;
	}
	status = e164_fn(s, region, buf, size);
	if (key && (status == CRM_PHONE_OK || status == CRM_PHONE_INVALID)) {
		pthread_mutex_lock(&lock);
		/* Out of memory only loses the shortcut. */
		if (memo)
			crm_memo_put(memo, key, status == CRM_PHONE_OK ? buf : "");
		pthread_mutex_unlock(&lock);
	}
	free(key);
	return status;
}

int crm_phone_e164(char **out, const char *s, const char *region)
{
	char buf[CRM_PHONE_E164_SIZE];

	*out = NULL;
	pthread_once(&once, load);
	if (!e164_fn)
		return crm_error_set(CRM_EFAIL, "cannot load the phone-number module: %s", load_error);
	switch (e164_memo(s, region, buf, sizeof buf)) {
	case CRM_PHONE_OK:
		*out = strdup(buf);
		return *out ? CRM_OK : crm_error_nomem();
	case CRM_PHONE_INVALID:
		return crm_error_set(CRM_EDATA, "invalid phone number '%s'", s);
	case CRM_PHONE_NOMEM:
		return crm_error_nomem();
	default:
		return crm_error_set(CRM_EFAIL, "cannot read phone number '%s'", s);
	}
}
