/* fuzz.h - what the fuzz targets share.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput, the libFuzzer entry
 * point.  `make fuzz` links it with libFuzzer (clang, ASan, UBSan); `make
 * check` links it with replay.c, which feeds it every file of
 * tests/fuzz/corpus/NAME, so the corpora run as plain tests on any
 * compiler.  A target must never crash, leak or trip a sanitizer, whatever
 * the bytes; what it returns or reports is not its business.
 */
#ifndef CRM_FUZZ_H
#define CRM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd NUL-terminated copy of the input (cut at an embedded NUL,
 * as any C string argument would be). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* The input as a stream (an empty input reads as an empty file). */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	return size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
}

/* The input as a file with a path, for APIs that open files themselves:
 * an anonymous memory file named through /proc.  Returns its descriptor
 * (close it after), or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
