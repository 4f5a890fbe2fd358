/* Content fingerprint of a capture file, plain or gzip-compressed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "fingerprint.h"
#include "hash.h"

/* Inflate the head of the gzip stream in fd (read with pread, so the offset stays) into out.
 * Returns the bytes produced; a corrupt stream yields what came before the damage. */
static size_t inflate_head(int fd, unsigned char *out, size_t outcap)
{
	unsigned char in[16384];
	z_stream z;
	off_t off = 0;
	size_t outlen = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return 0;
	while (outlen < outcap) {
		if (z.avail_in == 0) {
			ssize_t n = pread(fd, in, sizeof(in), off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += n;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		z.next_out = out + outlen;
		z.avail_out = (uInt)(outcap - outlen);
		int rc = inflate(&z, Z_NO_FLUSH);
		outlen = outcap - z.avail_out;
		if (rc != Z_OK)
			break; /* end of the stream, or damage */
	}
	inflateEnd(&z);
	return outlen;
}

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
	fp->content_size = fp->size;
	if (got >= 18 && buf[0] == 0x1f && buf[1] == 0x8b) {
		unsigned char isize[4];
		if (pread(fd, isize, sizeof(isize), st.st_size - 4) == (ssize_t)sizeof(isize)) {
			fp->content_size = (uint64_t)isize[0] | (uint64_t)isize[1] << 8 | (uint64_t)isize[2] << 16 |
					   (uint64_t)isize[3] << 24;
			got = inflate_head(fd, buf, sizeof(buf));
		}
	}
	fp->hash = hash64(buf, got, fp->content_size);
	hash_hex(fp->hash, fp->hex);
	rc = 0;
out:
	return rc;
}

void fingerprint_key(const struct fingerprint *fp, char out[40])
{
	snprintf(out, 40, "%s:%llu", fp->hex, (unsigned long long)fp->content_size);
}
