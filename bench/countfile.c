/*
 * countfile.c: a FILE that counts the bytes written to it and keeps none
 * (glibc's fopencookie), for `bench trace`.  A file of its own because
 * fopencookie needs _GNU_SOURCE, and with it <pthread.h> would find
 * sim/engine/sched.h for <sched.h>.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "countfile.h"

static ssize_t
count_write(void *cookie, const char *buf, size_t n)
{
	(void)buf;
	*(uint64_t *)cookie += n;
	return (ssize_t)n;
}

FILE *
counting_file(uint64_t *bytes)
{
	cookie_io_functions_t io = { .write = count_write };
	FILE *fp;

	*bytes = 0;
	fp = fopencookie(bytes, "w", io);
	if (fp != NULL)
		setvbuf(fp, NULL, _IOFBF, 1 << 16);
	return fp;
}
