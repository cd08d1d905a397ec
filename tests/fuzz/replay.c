/* replay.c - runs a fuzz target over files, without libFuzzer: the corpus
 * of every target is replayed by `make check` this way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int replay(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!fp) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	do {
		if (n == cap) {
			uint8_t *p = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (!p) {
				fprintf(stderr, "replay: out of memory\n");
				free(buf);
				fclose(fp);
				return 1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		bad |= replay(argv[i]);
	return bad;
}
