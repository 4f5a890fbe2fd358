/* Content fingerprint of a capture file, plain or compressed: the whole decompressed stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cstream.h"
#include "fingerprint.h"
#include "fsutil.h"
#include "hash.h"

/* Bytes read at a time after the head (a multiple of 32: see lanes_add()). */
#define FINGERPRINT_READ (16 * FINGERPRINT_BYTES)

/* Multiply-rotate hash over four independent 64-bit lanes (32 bytes a round), about four times
 * as fast as MurmurHash64A on one lane: the whole capture is hashed, so its speed is the cost of
 * identity. n is a multiple of 32 except for the last piece of a capture. */
#define LANE_P1 0x9e3779b185ebca87ULL
#define LANE_P2 0xc2b2ae3d27d4eb4fULL

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint64_t lane(uint64_t acc, uint64_t v)
{
	acc ^= v * LANE_P2;
	acc = (acc << 31) | (acc >> 33);
	return acc * LANE_P1;
}

struct lanes {
	uint64_t v[4];
	uint64_t n; /* bytes hashed */
	uint64_t tail;
};

static void lanes_init(struct lanes *l)
{
	l->v[0] = LANE_P1 + LANE_P2;
	l->v[1] = LANE_P2;
	l->v[2] = 0;
	l->v[3] = 0 - LANE_P1;
	l->n = 0;
	l->tail = 0;
}

static void lanes_add(struct lanes *l, const unsigned char *p, size_t n)
{
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		l->v[0] = lane(l->v[0], le64(p + i));
		l->v[1] = lane(l->v[1], le64(p + i + 8));
		l->v[2] = lane(l->v[2], le64(p + i + 16));
		l->v[3] = lane(l->v[3], le64(p + i + 24));
	}
	if (i < n) /* only the capture's last piece has a tail */
		l->tail = hash64(p + i, n - i, l->tail);
	l->n += n;
}

static uint64_t lanes_end(const struct lanes *l)
{
	unsigned char b[48];

	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 8; k++)
			b[8 * i + k] = (unsigned char)(l->v[i] >> (8 * k));
	for (int k = 0; k < 8; k++) {
		b[32 + k] = (unsigned char)(l->tail >> (8 * k));
		b[40 + k] = (unsigned char)(l->n >> (8 * k));
	}
	return hash64(b, sizeof(b), 0);
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
	struct lanes rest;
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
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cstream_open(fd, &s, err, errlen) < 0)
		goto out;
	head = read_full(s, buf, FINGERPRINT_BYTES);
	lanes_init(&rest);
	do {
		got = read_full(s, buf + FINGERPRINT_BYTES, FINGERPRINT_READ);
		lanes_add(&rest, buf + FINGERPRINT_BYTES, got);
	} while (got == FINGERPRINT_READ);
	fp->size = (uint64_t)st.st_size;
	fp->content_size = cstream_position(s);
	fp->hash = hash64(buf, head, fp->content_size);
	fp->head_hash = fp->hash;
	if (rest.n > 0) {
		put_le64(pair, fp->hash);
		put_le64(pair + 8, lanes_end(&rest));
		fp->hash = hash64(pair, sizeof(pair), fp->content_size);
	}
	hash_hex(fp->hash, fp->hex);
	rc = 0;
out:
	cstream_close(s);
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
