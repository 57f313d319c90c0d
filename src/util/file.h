/*
 * file.h - reading a whole (configuration) file into memory, bounded.
 */
#ifndef SP_UTIL_FILE_H
#define SP_UTIL_FILE_H

#include <stddef.h>

/* Reads path into a malloc'ed buffer (NUL-terminated, *len without it).
 * Returns 0, or -1 with errno set (EFBIG past max bytes). */
int sp_file_read(const char *path, size_t max, char **data, size_t *len);

#endif
