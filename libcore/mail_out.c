/* mail_out.c - replies composed through GMime and handed to a
 * sendmail-like command (see mail.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "crm/buf.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/mail.h"
#include "mail_impl.h"

extern char **environ;

/* ---- composing and sending ---- */

/* An id as it goes between brackets: printable ASCII, no blanks or
 * brackets. */
static int good_id(const char *id)
{
	if (!id || !*id)
		return 0;
	for (; *id; id++)
		if (*id <= ' ' || *id >= 127 || *id == '<' || *id == '>')
			return 0;
	return 1;
}

static int bad_field(const char *what, const char *value)
{
	return crm_error_set(CRM_EDATA, "invalid %s '%s'", what, value ? value : "");
}

/* Adds the mailboxes of text to the list of kind; CRM_EDATA unless it
 * holds a mailbox with an address. */
static int add_address(GMimeMessage *msg, GMimeAddressType kind, const char *what,
                       const char *text)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;

	if (!text || !g_utf8_validate(text, -1, NULL) || strpbrk(text, "\r\n"))
		return bad_field(what, text);
	list = internet_address_list_parse(crm_mail_options(), text);
	mb = crm_mail_first_mailbox(list);
	if (!mb || !strchr(internet_address_mailbox_get_addr(mb), '@')) {
		if (list)
			g_object_unref(list);
		return bad_field(what, text);
	}
	/* Names are encoded as UTF-8, not in the smallest charset that fits. */
	for (int i = 0; i < internet_address_list_length(list); i++)
		internet_address_set_charset(internet_address_list_get_address(list, i), "utf-8");
	internet_address_list_append(g_mime_message_get_addresses(msg, kind), list);
	g_object_unref(list);
	return CRM_OK;
}

/* "<a> <b>" of the ids in the space-separated list s. */
static int bracket_ids(crm_buf *b, const char *s, const char *what)
{
	gchar **ids = g_strsplit_set(s, " \t\r\n", -1);
	int rc = CRM_OK;

	for (gchar **id = ids; !rc && *id; id++) {
		if (!**id)
			continue;
		if (!good_id(*id))
			rc = bad_field(what, *id);
		else
			crm_buf_printf(b, "%s<%s>", b->len ? " " : "", *id);
	}
	g_strfreev(ids);
	return rc;
}

static int set_threading(GMimeMessage *msg, const struct crm_mail_out *o)
{
	crm_buf b = CRM_BUF_INIT;
	int rc = CRM_OK;

	if (!good_id(o->message_id))
		return bad_field("Message-ID", o->message_id);
	g_mime_message_set_message_id(msg, o->message_id);
	if (o->in_reply_to && !(rc = bracket_ids(&b, o->in_reply_to, "In-Reply-To")) && b.len)
		g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", b.ptr, NULL);
	crm_buf_clear(&b);
	if (!rc && o->references && !(rc = bracket_ids(&b, o->references, "References")) && b.len)
		g_mime_object_set_header(GMIME_OBJECT(msg), "References", b.ptr, NULL);
	crm_buf_free(&b);
	return rc;
}

static int set_date(GMimeMessage *msg, const char *date)
{
	int64_t t;
	GDateTime *d;

	if (date ? crm_time_parse_epoch(&t, date, 0) : crm_now(&t))
		return date ? bad_field("date", date) : crm_error_code();
	d = g_date_time_new_from_unix_utc(t);
	g_mime_message_set_date(msg, d);
	g_date_time_unref(d);
	return CRM_OK;
}

/* The subject on one line: a line break in it would end the header. */
static int set_subject(GMimeMessage *msg, const char *subject)
{
	char *s;

	if (!subject)
		return CRM_OK;
	if (!g_utf8_validate(subject, -1, NULL))
		return crm_error_set(CRM_EDATA, "the subject is not UTF-8");
	if (!(s = strdup(subject)))
		return crm_error_nomem();
	for (char *p = s; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	g_mime_message_set_subject(msg, s, "utf-8");
	free(s);
	return CRM_OK;
}

static int set_body(GMimeMessage *msg, const char *body)
{
	GMimeTextPart *part;
	GMimeStream *st;
	GMimeDataWrapper *w;

	if (!body)
		body = "";
	if (!g_utf8_validate(body, -1, NULL))
		return crm_error_set(CRM_EDATA, "the message text is not UTF-8");
	/* Not g_mime_text_part_set_text: it would pick Latin-1 for text
	 * that fits, and replies are UTF-8 throughout. */
	part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_charset(part, "utf-8");
	st = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	w = g_mime_data_wrapper_new_with_stream(st, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), w);
	g_mime_part_set_content_encoding(GMIME_PART(part),
		g_mime_part_get_best_content_encoding(GMIME_PART(part),
		                                      GMIME_ENCODING_CONSTRAINT_7BIT));
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(w);
	g_object_unref(st);
	g_object_unref(part);
	return CRM_OK;
}

static int build(GMimeMessage *msg, const struct crm_mail_out *o)
{
	const char *as = o->auto_submitted;
	int rc;

	if ((rc = add_address(msg, GMIME_ADDRESS_TYPE_FROM, "From address", o->from)) ||
	    (rc = add_address(msg, GMIME_ADDRESS_TYPE_TO, "To address", o->to)) ||
	    (rc = set_subject(msg, o->subject)) || (rc = set_date(msg, o->date)) ||
	    (rc = set_threading(msg, o)))
		return rc;
	if (as && (!*as || as[strcspn(as, "\r\n")] || !g_str_is_ascii(as)))
		return bad_field("Auto-Submitted", as);
	if (as)
		g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", as, NULL);
	return set_body(msg, o->body);
}

int crm_mail_compose(char **out, size_t *len, const struct crm_mail_out *o)
{
	GMimeMessage *msg;
	gchar *text;
	int rc;

	*out = NULL;
	*len = 0;
	crm_mail_init();
	msg = g_mime_message_new(TRUE);
	rc = build(msg, o);
	if (!rc) {
		text = g_mime_object_to_string(GMIME_OBJECT(msg), NULL);
		*len = strlen(text);
		if (!(*out = strdup(text)))
			rc = crm_error_nomem();
		g_free(text);
	}
	g_object_unref(msg);
	return rc;
}

int crm_mail_new_id(char **out, const char *from)
{
	InternetAddressList *list;
	InternetAddressMailbox *mb;
	const char *addr, *at = NULL;
	unsigned char r[8];
	int64_t now;
	crm_buf b = CRM_BUF_INIT;
	int rc;

	*out = NULL;
	crm_mail_init();
	list = from ? internet_address_list_parse(crm_mail_options(), from) : NULL;
	/* The IDN form: an id is ASCII. */
	if ((mb = crm_mail_first_mailbox(list)) && (addr = internet_address_mailbox_get_idn_addr(mb)))
		at = strrchr(addr, '@');
	if (!at || !good_id(at + 1))
		rc = crm_error_set(CRM_EDATA, "no domain in From address '%s'", from ? from : "");
	else if (!(rc = crm_now(&now)) && getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		rc = crm_error_set(CRM_EIO, "cannot get random bytes: %s", strerror(errno));
	if (!rc) {
		crm_buf_printf(&b, "%lld.", (long long)now);
		for (size_t i = 0; i < sizeof r; i++)
			crm_buf_printf(&b, "%02x", r[i]);
		crm_buf_puts(&b, at);
		for (size_t i = b.len - strlen(at); i < b.len; i++)
			b.ptr[i] = (char)tolower((unsigned char)b.ptr[i]);
		if (!(*out = crm_buf_detach(&b)))
			rc = crm_error_nomem();
	}
	if (list)
		g_object_unref(list);
	return rc;
}

/* Writes msg to fd with SIGPIPE held back: a command that exits without
 * reading is its exit status's business, not a reason to kill the
 * caller.  Returns 0 or an errno. */
static int feed(int fd, const char *msg, size_t len)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int err = 0, was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	if (crm_mail_write_all(fd, msg, len))
		err = errno;
	/* Take the SIGPIPE this write raised, and only that one. */
	if (err == EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int spawn(pid_t *pid, const char *command, int in)
{
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def, none;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawnattr_init(&attr);
	/* The command starts as any program does: SIGPIPE not ignored, no
	 * signals blocked, whatever the caller did to its own. */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return err;
}

static int ended(const char *command, int status, int err)
{
	if (WIFSIGNALED(status))
		return crm_error_set(CRM_EIO, "mail command '%s' was killed by signal %d", command,
		                     WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return crm_error_set(CRM_EIO, "mail command '%s' failed with exit status %d",
		                     command, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (err)
		return crm_error_set(CRM_EIO, "mail command '%s' did not read the message: %s",
		                     command, strerror(err));
	return CRM_OK;
}

int crm_mail_send(const char *command, const char *msg, size_t len)
{
	int fds[2], err, status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return crm_error_set(CRM_EIO, "cannot make a pipe: %s", strerror(errno));
	err = spawn(&pid, command, fds[0]);
	close(fds[0]);
	if (err) {
		close(fds[1]);
		return crm_error_set(CRM_EIO, "cannot run mail command '%s': %s", command,
		                     strerror(err));
	}
	err = feed(fds[1], msg, len);
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return crm_error_set(CRM_EIO, "cannot wait for mail command '%s': %s", command,
			                     strerror(errno));
	return ended(command, status, err);
}

