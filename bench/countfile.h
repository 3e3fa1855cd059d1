/* countfile.h: a FILE that only counts what is written (countfile.c). */
#ifndef SOSIM_COUNTFILE_H
#define SOSIM_COUNTFILE_H

#include <stdint.h>
#include <stdio.h>

FILE *counting_file(uint64_t *bytes);

#endif
