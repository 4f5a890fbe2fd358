/* Content fingerprint of a capture file, plain or compressed: the whole decompressed stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>
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
	fp->head_hash = fp->hash;
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

void fingerprint_legacy_key(const struct fingerprint *fp, char out[40])
{
	char hex[17];

	hash_hex(fp->head_hash, hex);
	snprintf(out, 40, "%s:%llu", hex, (unsigned long long)fp->content_size);
}
