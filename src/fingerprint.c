/* Content fingerprint of a capture file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fingerprint.h"
#include "hash.h"

int fingerprint_fd(int fd, struct fingerprint *fp, char *err, size_t errlen)
{
	unsigned char buf[FINGERPRINT_BYTES];
	struct stat st;
	size_t got = 0;
	int rc = -1;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto out;
	}
	while (got < sizeof(buf)) {
		ssize_t n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	fp->size = (uint64_t)st.st_size;
	fp->hash = hash64(buf, got, fp->size);
	hash_hex(fp->hash, fp->hex);
	rc = 0;
out:
	return rc;
}
