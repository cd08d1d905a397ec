/* crm - the dispatcher: "crm contact list" runs "crm-contact list".
 *
 * Programs are looked up first beside crm itself (so a build tree works
 * without installing), then on $PATH, the way git finds its commands.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm.h"

static char self_dir[PATH_MAX];

static void find_self_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof self_dir - 1);
	char *slash;

	self_dir[n > 0 ? n : 0] = '\0';
	slash = strrchr(self_dir, '/');
	if (slash)
		*slash = '\0';
	else
		self_dir[0] = '\0';
}

static int executable(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && S_ISREG(sb.st_mode) && !access(path, X_OK);
}

/* Stores in out the path of crm-NAME, or returns 0 when there is none. */
static int find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found = 0;

	/* A name that does not fit is no program of ours. */
	if (snprintf(out, len, "%s/crm-%s", self_dir, name) >= (int)len)
		return 0;
	if (*self_dir && executable(out))
		return 1;
	if (!path || !(copy = strdup(path)))
		return 0;
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		if (snprintf(out, len, "%s/crm-%s", *dir ? dir : ".", name) < (int)len)
			found = executable(out);
	}
	free(copy);
	return found;
}

/* Whether path is a program of this installation, beside crm itself. */
static int own(const char *path)
{
	size_t n = strlen(self_dir);

	return n && !strncmp(path, self_dir, n) && path[n] == '/' && !strchr(path + n + 1, '/');
}

/* Prints the second line of "crm-NAME --help": the program's summary. */
static void print_summary(const char *name, const char *path)
{
	char cmd[PATH_MAX + 32], line[256] = "", *q;
	FILE *p;

	if (snprintf(cmd, sizeof cmd, "'%s' --help 2>/dev/null", path) >= (int)sizeof cmd ||
	    strchr(path, '\'') || !(p = popen(cmd, "r")))
		return;
	if (fgets(line, sizeof line, p))
		fgets(line, sizeof line, p);
	pclose(p);
	if ((q = strchr(line, '\n')))
		*q = '\0';
	printf("  %-10s %s\n", name, line);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the names of crm-* programs found in dir into names. */
static void scan_dir(const char *dir, char **names, size_t *n, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	while (d && (e = readdir(d)) && *n < max) {
		int dup = 0;
		if (strncmp(e->d_name, "crm-", 4) || !e->d_name[4])
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		for (size_t i = 0; i < *n; i++)
			dup |= !strcmp(names[i], e->d_name + 4);
		if (!dup && executable(path))
			names[(*n)++] = strdup(e->d_name + 4);
	}
	if (d)
		closedir(d);
}

/* Flushes stdout, reporting a failed write (a full disk, /dev/full). */
static int flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "crm: write error: %s\n", strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

static int help(void)
{
	char *names[128], *path = getenv("PATH"), *copy, *dir, *save = NULL, prog[PATH_MAX];
	size_t n = 0;

	printf("usage: crm COMMAND [options] [operands]\n"
	       "Runs crm-COMMAND; every command has --help and a man page.\n\nCommands:\n");
	if (*self_dir)
		scan_dir(self_dir, names, &n, 128);
	copy = path ? strdup(path) : NULL;
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save))
		scan_dir(dir, names, &n, 128);
	free(copy);
	qsort(names, n, sizeof *names, cmp_str);
	/* Another crm-* on PATH is named, not run: --help may not be help to it. */
	for (size_t i = 0; i < n; i++) {
		if (names[i] && find_program(names[i], prog, sizeof prog) && own(prog))
			print_summary(names[i], prog);
		else if (names[i])
			printf("  %-10s (%s)\n", names[i], prog);
		free(names[i]);
	}
	printf("\nSee crm(7) for the conventions all commands share.\n");
	return flush_stdout();
}

/* Finds the program of command name into prog; says so when there is none. */
static int command(const char *name, char *prog, size_t len)
{
	if (name[0] != '-' && !strchr(name, '/') && find_program(name, prog, len))
		return 1;
	fprintf(stderr, "crm: '%s' is not a crm command\nTry 'crm help'.\n", name);
	return 0;
}

/* Runs prog with the operands argv[1...]; returns only when it cannot. */
static int run(char *prog, char **argv)
{
	argv[0] = prog;
	execv(prog, argv);
	fprintf(stderr, "crm: cannot run '%s': %s\n", prog, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char prog[PATH_MAX];

	find_self_dir();
	if (argc < 2) {
		fprintf(stderr, "usage: crm COMMAND [options] [operands]\nTry 'crm help'.\n");
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 3)
			return help();
		if (!command(argv[2], prog, sizeof prog))
			return 2;
		/* crm help deal list: crm-deal help list, which is list's --help. */
		argv[2] = argc > 3 ? "help" : "--help";
		return run(prog, argv + 1);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("crm %s\n", CRM_VERSION);
		return flush_stdout();
	}
	if (!command(argv[1], prog, sizeof prog))
		return 2;
	return run(prog, argv + 1);
}
