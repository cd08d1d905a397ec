/* edit.c - crm-kb edit: an article in the user's editor.
 *
 * The database is not locked while the editor runs, which may be for
 * minutes: the article is read in a read transaction, edited, and
 * written in a write transaction that first checks that nobody saved a
 * revision in between.  When the text cannot be saved, the file is kept
 * and named, so no typing is lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crm/kb.h"
#include "kb.h"
#include "verbs.h"

/* Writes text to a new temporary file whose name goes to path. */
static int write_temp(struct cli *c, int64_t id, const crm_buf *text, char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, len, "%s/crm-kb-%lld-XXXXXX.md", tmp && *tmp ? tmp : "/tmp", (long long)id);
	if ((fd = mkstemps(path, 3)) < 0)
		return cli_fail(c, 1, "cannot create a temporary file: %s", strerror(errno));
	if (!(f = fdopen(fd, "w")) || fputs(crm_buf_str(text), f) == EOF || fclose(f) == EOF) {
		unlink(path);
		return cli_fail(c, 1, "cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}

/* Runs $VISUAL, else $EDITOR, else vi on path through /bin/sh, so that
 * an editor given with options ("emacs -nw", "sed -i s/a/b/") works. */
static int run_editor(struct cli *c, const char *path)
{
	const char *ed = getenv("VISUAL");
	crm_buf cmd = CRM_BUF_INIT;
	int status;
	pid_t pid;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	crm_buf_printf(&cmd, "%s \"$@\"", ed);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", crm_buf_str(&cmd), "sh", path, (char *)NULL);
		_exit(127);
	}
	crm_buf_free(&cmd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return cli_fail(c, 1, "cannot run the editor '%s': %s", ed, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cli_fail(c, 1, "the editor '%s' failed; article unchanged", ed);
	return 0;
}

/* Saves the edited text unless a revision was saved since rev. */
static int save(struct cli *c, int64_t id, int64_t rev, const char *path, const char *text)
{
	struct crm_kb_counts n = { 0, 0, 0, 0 };
	int64_t now;
	int rc;

	if ((rc = crm_db_begin(c->db, 1)) || (rc = crm_kb_rev(c->db, id, &now)))
		return cli_error(c, rc);
	if (now != rev)
		return cli_fail(c, 1, "article %lld changed while it was edited (revision %lld);"
		                " the text is kept in '%s'", (long long)id, (long long)now, path);
	if ((rc = crm_kb_apply(c->db, id, path, text, &n))) {
		cli_error(c, rc);
		return cli_fail(c, crm_exit_status(rc), "the text is kept in '%s'", path);
	}
	if (!c->quiet)
		fprintf(stderr, "%s: %s article %lld\n", c->prog->name,
		        n.unchanged ? "unchanged" : "updated", (long long)id);
	unlink(path);
	return 0;
}

int kb_edit(struct cli *c, int argc, char **argv)
{
	crm_buf text = CRM_BUF_INIT;
	char path[4096], *edited = NULL;
	int64_t id, rev;
	int rc, status;

	if ((status = verb_one_id(c, argc, argv, &id)))
		return status;
	if (argc > 1)
		return cli_usage_error(c, "unexpected operand '%s'", argv[1]);
	if ((rc = cli_open(c, 1)) || (rc = crm_kb_format(c->db, id, &text)) ||
	    (rc = crm_kb_rev(c->db, id, &rev)) || (rc = crm_db_commit(c->db))) {
		crm_buf_free(&text);
		return cli_error(c, rc);
	}
	if ((status = write_temp(c, id, &text, path, sizeof path)))
		goto done;
	if ((status = run_editor(c, path)) || (status = kb_read(c, path, &edited))) {
		unlink(path);
		goto done;
	}
	if (!strcmp(edited, crm_buf_str(&text))) {
		unlink(path);
		if (!c->quiet)
			fprintf(stderr, "%s: unchanged article %lld\n", c->prog->name, (long long)id);
	} else {
		status = save(c, id, rev, path, edited);
	}
done:
	free(edited);
	crm_buf_free(&text);
	return status;
}
