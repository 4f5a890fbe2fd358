/* Content fingerprint of a capture file, plain or compressed: the whole decompressed stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>
#include "cstream.h"
#include "fingerprint.h"
#include "fsutil.h"
#include "hash.h"

/* The head of the capture (FINGERPRINT_BYTES) is hashed with MurmurHash64A, seeded with the
 * capture's size: a capture no longer than that keeps the identity 0.1 gave it. The rest is hashed
 * with XXH3-64 (libxxhash, a frozen and widely used format, about 20 GB/s here: the whole capture
 * is hashed, so its speed is the cost of identity), and the two are combined. */

/* Bytes read at a time after the head. */
#define FINGERPRINT_READ (16 * FINGERPRINT_BYTES)

/* Inflate the head of the first gzip member of fd (read with pread) into out, as versions before
 * 0.2 did. Returns the bytes produced; damage ends it with what came before. */
static size_t legacy_gzip_head(int fd, unsigned char *out, size_t outcap)
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
			break; /* the end of the first member, or damage */
	}
	inflateEnd(&z);
	return outlen;
}

/* The identity versions before 0.2 gave the file (fd, stat st, read as kind; its first
 * FINGERPRINT_BYTES decompressed bytes are head, headlen, already hashed with fp->content_size as
 * seed into head_hash) into fp; work is FINGERPRINT_BYTES of scratch. */
static void legacy_identity(int fd, const struct stat *st, enum cstream_kind kind, const unsigned char *head,
			    size_t headlen, uint64_t head_hash, unsigned char *work, struct fingerprint *fp)
{
	unsigned char raw[18], isize[4];

	fp->has_legacy = 0;
	if (kind == CSTREAM_PLAIN) {
		fp->legacy_size = (uint64_t)st->st_size;
		fp->legacy_hash =
		    fp->legacy_size == fp->content_size ? head_hash : hash64(head, headlen, fp->legacy_size);
		fp->has_legacy = 1;
	} else if (kind == CSTREAM_GZIP && pread(fd, raw, sizeof(raw), 0) == (ssize_t)sizeof(raw) &&
		   pread(fd, isize, sizeof(isize), st->st_size - 4) == (ssize_t)sizeof(isize)) {
		fp->legacy_size =
		    (uint64_t)isize[0] | (uint64_t)isize[1] << 8 | (uint64_t)isize[2] << 16 | (uint64_t)isize[3] << 24;
		fp->legacy_hash = hash64(work, legacy_gzip_head(fd, work, FINGERPRINT_BYTES), fp->legacy_size);
		fp->has_legacy = 1;
	}
}

/* Read from s until buf holds n bytes or the stream ends; returns the count. The same content
 * always gives the same pieces, however the stream splits its reads. */
static size_t read_full(struct cstream *s, unsigned char *buf, size_t n)
{
	size_t got = 0, r;

	while (got < n) {
		r = cstream_read(s, buf + got, n - got);
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int fingerprint_fd(int fd, struct fingerprint *fp, char *err, size_t errlen)
{
	struct cstream *s = NULL;
	unsigned char *buf = NULL, pair[16];
	XXH3_state_t *rest = NULL;
	uint64_t rest_n = 0;
	size_t head, got;
	struct stat st;
	int rc = -1;

	fp->taken_ns = fsutil_now_ns();
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto out;
	}
	fp->dev = (uint64_t)st.st_dev;
	fp->ino = (uint64_t)st.st_ino;
	fp->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
	buf = malloc(FINGERPRINT_BYTES + FINGERPRINT_READ);
	rest = XXH3_createState();
	if (buf == NULL || rest == NULL || XXH3_64bits_reset(rest) != XXH_OK) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cstream_open(fd, &s, err, errlen) < 0)
		goto out;
	head = read_full(s, buf, FINGERPRINT_BYTES);
	do {
		got = read_full(s, buf + FINGERPRINT_BYTES, FINGERPRINT_READ);
		XXH3_64bits_update(rest, buf + FINGERPRINT_BYTES, got);
		rest_n += got;
	} while (got == FINGERPRINT_READ);
	fp->size = (uint64_t)st.st_size;
	fp->content_size = cstream_position(s);
	fp->hash = hash64(buf, head, fp->content_size);
	legacy_identity(fd, &st, cstream_kind(s), buf, head, fp->hash, buf + FINGERPRINT_BYTES, fp);
	if (rest_n > 0) {
		put_le64(pair, fp->hash);
		put_le64(pair + 8, XXH3_64bits_digest(rest));
		fp->hash = hash64(pair, sizeof(pair), fp->content_size);
	}
	hash_hex(fp->hash, fp->hex);
	rc = 0;
out:
	cstream_close(s);
	XXH3_freeState(rest);
	free(buf);
	return rc;
}

void fingerprint_key(const struct fingerprint *fp, char out[40])
{
	snprintf(out, 40, "%s:%llu", fp->hex, (unsigned long long)fp->content_size);
}

int fingerprint_legacy_key(const struct fingerprint *fp, char out[40])
{
	char hex[17], key[40];

	if (!fp->has_legacy)
		return -1;
	hash_hex(fp->legacy_hash, hex);
	fingerprint_key(fp, key);
	snprintf(out, 40, "%s:%llu", hex, (unsigned long long)fp->legacy_size);
	if (strcmp(out, key) == 0)
		return -1;
	return 0;
}
