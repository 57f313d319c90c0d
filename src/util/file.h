/*
 * file.h - reading a whole (configuration) file into memory, bounded; and
 * replacing one atomically.
 */
#ifndef SP_UTIL_FILE_H
#define SP_UTIL_FILE_H

#include <stddef.h>

/* Reads path into a malloc'ed buffer (NUL-terminated, *len without it).
 * Returns 0, or -1 with errno set (EFBIG past max bytes). */
int sp_file_read(const char *path, size_t max, char **data, size_t *len);

/* Writes all of p[0..n), retrying short writes and EINTR. Returns 0, or
 * -1 with errno set. */
int sp_file_write_all(int fd, const void *p, size_t n);

/* Replaces path with data[0..len): written to a temporary file in the same
 * directory, fsync'ed, renamed over path, and the directory fsync'ed, so
 * that a reader sees the old or the new file, never a part. The new file
 * keeps the old one's mode and owner; a new one gets mode. Returns 0, or
 * -1 with errno set (path unchanged). */
int sp_file_replace(const char *path, const char *data, size_t len, unsigned mode);

#endif
