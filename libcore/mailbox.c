/* mailbox.c - the places mail is kept, read as raw bytes so that a
 * message nobody can read is still there to set aside: a file, an mbox, a
 * Maildir; and delivery into a Maildir (see mail.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/mail.h"
#include "mail_impl.h"

/* ---- sources of messages ---- */

static int io_error(const char *what, const char *path)
{
	return crm_error_set(CRM_EIO, "cannot %s '%s': %s", what, path, strerror(errno));
}

int crm_mail_each_file(const char *path, crm_mail_fn fn, void *arg)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = crm_buf_read_file(&b, path, 0);

	if (!rc)
		rc = fn(arg, strcmp(path, "-") ? path : "stdin", crm_buf_str(&b), b.len);
	crm_buf_free(&b);
	return rc;
}

/* Whether the line at i of s starts a message: "From " at the top of the
 * file or after an empty line, so that a "From " a writer failed to quote
 * in the middle of a paragraph does not cut a message in two. */
static int mbox_from(const char *s, size_t len, size_t i)
{
	if (len - i < 5 || memcmp(s + i, "From ", 5))
		return 0;
	if (i == 0)
		return 1;
	return i >= 2 && s[i - 1] == '\n' &&
	       (s[i - 2] == '\n' || (i >= 3 && s[i - 2] == '\r' && s[i - 3] == '\n'));
}

/* The message in [from, to) of an mbox into b: the blank line the mbox
 * puts after it dropped, ">From " lines unquoted once (mboxrd). */
static void mbox_message(crm_buf *b, const char *s, size_t from, size_t to)
{
	if (to > from && s[to - 1] == '\n' && to - from > 1 && s[to - 2] == '\n')
		to--;
	else if (to - from > 2 && s[to - 1] == '\n' && s[to - 2] == '\r' && s[to - 3] == '\n')
		to -= 2;
	crm_buf_clear(b);
	while (from < to) {
		const char *eol = memchr(s + from, '\n', to - from);
		size_t end = eol ? (size_t)(eol - s) + 1 : to, q = 0;

		while (from + q < end && s[from + q] == '>')
			q++;
		if (q && end - from - q >= 5 && !memcmp(s + from + q, "From ", 5))
			from++;
		crm_buf_put(b, s + from, end - from);
		from = end;
	}
}

static int mbox_walk(const char *path, const char *s, size_t len, crm_mail_fn fn, void *arg)
{
	crm_buf msg = CRM_BUF_INIT, label = CRM_BUF_INIT;
	size_t pos = 0, n = 0;
	int rc = CRM_OK;

	if (len && !mbox_from(s, len, 0))
		return crm_error_set(CRM_EDATA, "'%s' is not an mbox (it does not start with"
		                     " a \"From \" line)", path);
	while (!rc && pos < len) {
		const char *eol = memchr(s + pos, '\n', len - pos);
		size_t start = eol ? (size_t)(eol - s) + 1 : len, end = start;

		while (end < len && !mbox_from(s, len, end)) {
			eol = memchr(s + end, '\n', len - end);
			end = eol ? (size_t)(eol - s) + 1 : len;
		}
		mbox_message(&msg, s, start, end);
		crm_buf_clear(&label);
		crm_buf_printf(&label, "%s:message %zu", path, ++n);
		rc = fn(arg, crm_buf_str(&label), crm_buf_str(&msg), msg.len);
		pos = end;
	}
	crm_buf_free(&msg);
	crm_buf_free(&label);
	return rc;
}

int crm_mail_each_mbox(const char *path, crm_mail_fn fn, void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	crm_buf b = CRM_BUF_INIT;
	void *map = MAP_FAILED;
	int rc;

	if (fd < 0)
		return io_error("open", path);
	/* A mailbox can be bigger than memory wants to hold twice: mapped. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		rc = mbox_walk(path, map, (size_t)st.st_size, fn, arg);
		munmap(map, (size_t)st.st_size);
	} else if (!(rc = crm_buf_read_fd(&b, fd, path, 0))) {
		rc = mbox_walk(path, crm_buf_str(&b), b.len, fn, arg);
	}
	crm_buf_free(&b);
	close(fd);
	return rc;
}

struct entry {
	const char *sub; /* "new" or "cur" */
	char *name;
};

static int by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->sub, y->sub);
}

/* Adds the message files of dir/sub to *list; 1 when there is no such
 * folder. */
static int list_sub(const char *dir, const char *sub, struct entry **list, size_t *n)
{
	char path[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (!(d = opendir(path)))
		return errno == ENOENT ? 1 : io_error("open", path);
	while ((e = readdir(d))) {
		struct stat st;
		struct entry *grown;

		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		if (!(grown = realloc(*list, (*n + 1) * sizeof **list)) ||
		    !(grown[*n].name = strdup(e->d_name))) {
			if (grown)
				*list = grown;
			closedir(d);
			return crm_error_nomem();
		}
		*list = grown;
		grown[(*n)++].sub = sub;
	}
	closedir(d);
	return CRM_OK;
}

static int maildir_walk(const char *dir, struct entry *list, size_t n, crm_mail_fn fn, void *arg)
{
	crm_buf path = CRM_BUF_INIT, b = CRM_BUF_INIT;
	int rc = CRM_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		crm_buf_clear(&path);
		crm_buf_printf(&path, "%s/%s/%s", dir, list[i].sub, list[i].name);
		crm_buf_clear(&b);
		rc = crm_buf_read_file(&b, crm_buf_str(&path), 0);
		/* Another reader of the Maildir took it meanwhile. */
		if (rc == CRM_EIO && errno == ENOENT) {
			rc = CRM_OK;
			continue;
		}
		if (!rc)
			rc = fn(arg, crm_buf_str(&path), crm_buf_str(&b), b.len);
	}
	crm_buf_free(&path);
	crm_buf_free(&b);
	return rc;
}

int crm_mail_each_maildir(const char *dir, crm_mail_fn fn, void *arg)
{
	struct entry *list = NULL;
	size_t n = 0;
	int rc, missing = 0;

	rc = list_sub(dir, "new", &list, &n);
	if (rc == 1)
		missing++, rc = list_sub(dir, "cur", &list, &n);
	else if (!rc)
		rc = list_sub(dir, "cur", &list, &n);
	if (rc == 1 && ++missing == 2)
		rc = crm_error_set(CRM_EIO, "'%s' is not a Maildir (it has no new/ or cur/)", dir);
	else if (rc == 1)
		rc = CRM_OK;
	if (!rc) {
		qsort(list, n, sizeof *list, by_name);
		rc = maildir_walk(dir, list, n, fn, arg);
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].name);
	free(list);
	return rc;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return io_error("create", path);
	return CRM_OK;
}

int crm_mail_write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A name no other delivery uses (the Maildir convention: the time, the
 * microseconds, the process, a counter, the host with "/" and ":"
 * escaped as Maildir readers expect).  The microseconds take six digits
 * so that names sort in the order of delivery. */
static void unique_name(char *out, size_t size)
{
	static atomic_uint counter;
	char host[256] = "localhost";
	struct timespec ts;
	crm_buf h = CRM_BUF_INIT;

	clock_gettime(CLOCK_REALTIME, &ts);
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	for (const char *p = host; *p; p++)
		if (*p == '/')
			crm_buf_puts(&h, "\\057");
		else if (*p == ':')
			crm_buf_puts(&h, "\\072");
		else
			crm_buf_putc(&h, *p);
	snprintf(out, size, "%lld.M%06ldP%dQ%u.%s", (long long)ts.tv_sec, ts.tv_nsec / 1000,
	         (int)getpid(), atomic_fetch_add(&counter, 1) + 1, crm_buf_str(&h));
	crm_buf_free(&h);
}

static int deliver(const char *dir, const char *name, const char *raw, size_t len)
{
	char tmp[4096], dst[4096];
	int fd, rc = CRM_OK;

	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/new/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return io_error("create", tmp);
	if (crm_mail_write_all(fd, raw, len) || fsync(fd))
		rc = io_error("write", tmp);
	if (close(fd) && !rc)
		rc = io_error("write", tmp);
	if (!rc && rename(tmp, dst))
		rc = io_error("move a message into", dst);
	if (rc)
		unlink(tmp);
	return rc;
}

int crm_maildir_deliver(const char *dir, const char *raw, size_t len, char **name)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	char path[4096], file[512];
	int rc, fd;

	*name = NULL;
	if ((rc = make_dir(dir)))
		return rc;
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, subs[i]);
		if ((rc = make_dir(path)))
			return rc;
	}
	unique_name(file, sizeof file);
	if ((rc = deliver(dir, file, raw, len)))
		return rc;
	/* The new name lasts a crash only once its folder is synced. */
	snprintf(path, sizeof path, "%s/new", dir);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return (*name = strdup(file)) ? CRM_OK : crm_error_nomem();
}


/* ---- writing an mbox ---- */

/* Whether the line at p (n bytes) is ">*From ": quoted on the way in. */
static int from_line(const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && p[k] == '>')
		k++;
	return n - k >= 5 && !memcmp(p + k, "From ", 5);
}

int crm_mail_mbox_entry(struct crm_buf *b, const char *raw, size_t len, const char *now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		                              "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm = { 0 };
	int rc;

	/* The asctime form mbox readers expect, from the UTC timestamp. */
	if (sscanf(now, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		timegm(&tm);
	}
	rc = crm_buf_printf(b, "From MAILER-DAEMON %s %s %2d %02d:%02d:%02d %d\n",
	                    days[tm.tm_wday % 7], months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
	                    tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	for (size_t i = 0; !rc && i < len;) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (raw + i)) + 1 : len - i;

		if (from_line(raw + i, n))
			rc = crm_buf_putc(b, '>');
		if (!rc)
			rc = crm_buf_put(b, raw + i, n);
		i += n;
	}
	if (!rc && len && raw[len - 1] != '\n')
		rc = crm_buf_putc(b, '\n');
	return rc ? rc : crm_buf_putc(b, '\n');
}
