/*
 * file.c - bounded whole-file reads.
 */
#include "file.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int sp_file_read(const char *path, size_t max, char **data, size_t *len)
{
	size_t cap = max < 4096 ? max + 1 : 4096, n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	buf = sp_xmalloc(cap + 1);
	for (;;) {
		ssize_t r;
		if (n == cap) {
			/* Room for one byte past max, so that exactly max bytes fit. */
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = sp_xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}
