/* Content fingerprint of a capture file, plain or compressed: the whole decompressed stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cstream.h"
#include "fingerprint.h"
#include "hash.h"

/* Bytes read at a time after the head; hashed in FINGERPRINT_BYTES pieces. */
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
	uint64_t tail = 0;
	size_t head, got;
	struct stat st;
	int more = 0, rc = -1;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		goto out;
	}
	buf = malloc(FINGERPRINT_BYTES + FINGERPRINT_READ);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cstream_open(fd, &s, err, errlen) < 0)
		goto out;
	head = read_full(s, buf, FINGERPRINT_BYTES);
	do {
		got = read_full(s, buf + FINGERPRINT_BYTES, FINGERPRINT_READ);
		for (size_t off = 0; off < got; off += FINGERPRINT_BYTES) {
			size_t n = got - off < FINGERPRINT_BYTES ? got - off : FINGERPRINT_BYTES;
			tail = hash64(buf + FINGERPRINT_BYTES + off, n, tail);
			more = 1;
		}
	} while (got == FINGERPRINT_READ);
	fp->size = (uint64_t)st.st_size;
	fp->content_size = cstream_position(s);
	fp->hash = hash64(buf, head, fp->content_size);
	if (more) {
		put_le64(pair, fp->hash);
		put_le64(pair + 8, tail);
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
