/* spawn N COMMAND - the baseline of a sendmail-style hand-off: starts
 * "/bin/sh -c COMMAND" N times one after another, as crm-campaign hands
 * off messages, each given 2 KB on its standard input, and prints the
 * seconds it took.  Built by bench/campaign. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	char msg[2048], *av[] = { "/bin/sh", "-c", argv[2], NULL };
	struct timespec a, b;
	long n = argc == 3 ? atol(argv[1]) : 0;

	if (n <= 0)
		return fprintf(stderr, "usage: spawn N COMMAND\n"), 2;
	memset(msg, 'x', sizeof msg);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		posix_spawn_file_actions_t fa;
		int p[2], st;
		pid_t pid;

		if (pipe(p) || posix_spawn_file_actions_init(&fa) ||
		    posix_spawn_file_actions_adddup2(&fa, p[0], 0) ||
		    posix_spawn_file_actions_addclose(&fa, p[1]) ||
		    posix_spawn(&pid, av[0], &fa, NULL, av, environ))
			return perror("spawn"), 1;
		close(p[0]);
		if (write(p[1], msg, sizeof msg) != (ssize_t)sizeof msg)
			return perror("write"), 1;
		close(p[1]);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return fprintf(stderr, "spawn: '%s' failed\n", argv[2]), 1;
		posix_spawn_file_actions_destroy(&fa);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
