/* Decompressing byte stream over a capture file: plain, gzip (zlib), zstd, lz4 frames. */
#include <errno.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "cstream.h"

#define CSTREAM_IN (256 * 1024)
/* Largest zstd window accepted (2^25 = 32 MiB): memory stays bounded whatever the file says. */
#define CSTREAM_ZSTD_WINDOW_LOG 25

struct cstream {
	int fd;
	enum cstream_kind kind;
	uint64_t off; /* file offset of the next pread */
	uint64_t pos; /* decompressed bytes delivered */
	unsigned char *in;
	size_t in_len, in_pos;
	int in_eof;
	int ended;
	int status; /* enum cstream_end_status, once ended */
	char msg[200];
	z_stream z;
	int z_init;
	int member_done; /* gzip: the last member ended with its trailer */
	ZSTD_DCtx *zd;
	LZ4F_dctx *lz;
	size_t hint; /* zstd/lz4: 0 when the last frame is complete */
};

enum cstream_kind cstream_sniff(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return CSTREAM_GZIP;
	if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return CSTREAM_ZSTD;
	if (n >= 4 && (m[0] & 0xf0) == 0x50 && m[1] == 0x2a && m[2] == 0x4d && m[3] == 0x18)
		return CSTREAM_ZSTD; /* a skippable frame first, as pzstd writes */
	if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18)
		return CSTREAM_LZ4;
	return CSTREAM_PLAIN;
}

const char *cstream_kind_name(enum cstream_kind kind)
{
	switch (kind) {
	case CSTREAM_GZIP:
		return "gzip";
	case CSTREAM_ZSTD:
		return "zstd";
	case CSTREAM_LZ4:
		return "lz4";
	default:
		return "plain";
	}
}

/* End the stream with status and a message naming the kind and where it happened. */
static void finish(struct cstream *s, int status, const char *what)
{
	s->ended = 1;
	s->status = status;
	if (status == CSTREAM_OK)
		return;
	snprintf(s->msg, sizeof(s->msg), "%s stream %s after %llu bytes of capture (file offset %llu)",
		 cstream_kind_name(s->kind), what, (unsigned long long)s->pos, (unsigned long long)cstream_offset(s));
}

/* Refill the input buffer once it is used up. Returns 0 (data, or in_eof set), -1 on a read
 * error (the stream ended). */
static int fill(struct cstream *s)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	do {
		n = pread(s->fd, s->in, CSTREAM_IN, (off_t)s->off);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		char what[120];
		snprintf(what, sizeof(what), "unreadable (%s)", strerror(errno));
		finish(s, CSTREAM_CORRUPT, what);
		return -1;
	}
	s->in_pos = 0;
	s->in_len = (size_t)n;
	s->off += (uint64_t)n;
	if (n == 0)
		s->in_eof = 1;
	return 0;
}

static size_t read_plain(struct cstream *s, unsigned char *buf, size_t n)
{
	ssize_t got;

	do {
		got = pread(s->fd, buf, n, (off_t)s->off);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		char what[120];
		snprintf(what, sizeof(what), "unreadable (%s)", strerror(errno));
		finish(s, CSTREAM_CORRUPT, what);
		return 0;
	}
	if (got == 0) {
		finish(s, CSTREAM_OK, NULL);
		return 0;
	}
	s->off += (uint64_t)got;
	s->pos += (uint64_t)got;
	return (size_t)got;
}

static size_t read_gzip(struct cstream *s, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n && !s->ended) {
		if (fill(s) < 0)
			break;
		if (s->in_pos == s->in_len) { /* end of the file */
			if (s->member_done)
				finish(s, CSTREAM_OK, NULL);
			else
				finish(s, CSTREAM_TRUNCATED, "cut short");
			break;
		}
		if (s->member_done) { /* between members: another member, zero padding, or garbage */
			if (s->in[s->in_pos] == 0) {
				s->in_pos++;
				continue;
			}
			if (s->in[s->in_pos] != 0x1f) {
				finish(s, CSTREAM_CORRUPT, "followed by data that is not gzip");
				break;
			}
			inflateReset(&s->z);
			s->member_done = 0;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		s->z.next_out = buf + got;
		s->z.avail_out = (uInt)(n - got);
		int rc = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		s->pos += (n - s->z.avail_out) - got;
		got = n - s->z.avail_out;
		if (rc == Z_STREAM_END) {
			s->member_done = 1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			char what[120];
			snprintf(what, sizeof(what), "corrupt (%s)", s->z.msg != NULL ? s->z.msg : zError(rc));
			finish(s, CSTREAM_CORRUPT, what);
		}
	}
	return got;
}

static size_t read_zstd(struct cstream *s, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n && !s->ended) {
		if (fill(s) < 0)
			break;
		ZSTD_inBuffer in = { .src = s->in, .size = s->in_len, .pos = s->in_pos };
		ZSTD_outBuffer out = { .dst = buf, .size = n, .pos = got };
		size_t r = ZSTD_decompressStream(s->zd, &out, &in);
		int progress = in.pos != s->in_pos || out.pos != got;
		s->in_pos = in.pos;
		s->pos += out.pos - got;
		got = out.pos;
		if (ZSTD_isError(r)) {
			char what[160];
			snprintf(what, sizeof(what), "corrupt (%s)", ZSTD_getErrorName(r));
			finish(s, CSTREAM_CORRUPT, what);
			break;
		}
		if (progress)
			s->hint = r; /* called again without input, a finished frame asks for the next one */
		if (!progress && s->in_pos == s->in_len && s->in_eof)
			finish(s, s->hint == 0 ? CSTREAM_OK : CSTREAM_TRUNCATED, "cut short");
	}
	return got;
}

static size_t read_lz4(struct cstream *s, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n && !s->ended) {
		if (fill(s) < 0)
			break;
		size_t src = s->in_len - s->in_pos, dst = n - got;
		size_t r = LZ4F_decompress(s->lz, buf + got, &dst, s->in + s->in_pos, &src, NULL);
		s->in_pos += src;
		s->pos += dst;
		got += dst;
		if (LZ4F_isError(r)) {
			char what[160];
			snprintf(what, sizeof(what), "corrupt (%s)", LZ4F_getErrorName(r));
			finish(s, CSTREAM_CORRUPT, what);
			break;
		}
		if (src != 0 || dst != 0)
			s->hint = r; /* called again without input, a finished frame asks for the next one */
		if (src == 0 && dst == 0 && s->in_pos == s->in_len && s->in_eof)
			finish(s, s->hint == 0 ? CSTREAM_OK : CSTREAM_TRUNCATED, "cut short");
	}
	return got;
}

size_t cstream_read(struct cstream *s, void *buf, size_t n)
{
	size_t got = 0;

	if (s->ended || n == 0)
		return 0;
	switch (s->kind) {
	case CSTREAM_GZIP:
		got = read_gzip(s, buf, n);
		break;
	case CSTREAM_ZSTD:
		got = read_zstd(s, buf, n);
		break;
	case CSTREAM_LZ4:
		got = read_lz4(s, buf, n);
		break;
	default:
		got = read_plain(s, buf, n);
		break;
	}
	return got;
}

int cstream_open(int fd, struct cstream **out, char *err, size_t errlen)
{
	unsigned char magic[4];
	struct cstream *s = NULL;
	ssize_t got;
	int rc = -1;

	*out = NULL;
	do {
		got = pread(fd, magic, sizeof(magic), 0);
	} while (got < 0 && errno == EINTR);
	if (got < 0) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s->fd = fd;
	s->kind = cstream_sniff(magic, (size_t)got);
	s->hint = 1;
	if (s->kind != CSTREAM_PLAIN) {
		s->in = malloc(CSTREAM_IN);
		if (s->in == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (s->kind == CSTREAM_GZIP) {
		if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "cannot start zlib");
			goto out;
		}
		s->z_init = 1;
	} else if (s->kind == CSTREAM_ZSTD) {
		s->zd = ZSTD_createDCtx();
		if (s->zd == NULL ||
		    ZSTD_isError(ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax, CSTREAM_ZSTD_WINDOW_LOG))) {
			snprintf(err, errlen, "cannot start zstd");
			goto out;
		}
	} else if (s->kind == CSTREAM_LZ4) {
		if (LZ4F_isError(LZ4F_createDecompressionContext(&s->lz, LZ4F_VERSION))) {
			s->lz = NULL;
			snprintf(err, errlen, "cannot start lz4");
			goto out;
		}
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	cstream_close(s);
	return rc;
}

int cstream_end(const struct cstream *s, char *err, size_t errlen)
{
	if (!s->ended || s->status == CSTREAM_OK)
		return CSTREAM_OK;
	snprintf(err, errlen, "%s", s->msg);
	return s->status;
}

enum cstream_kind cstream_kind(const struct cstream *s)
{
	return s->kind;
}

uint64_t cstream_offset(const struct cstream *s)
{
	return s->off - (s->in_len - s->in_pos);
}

uint64_t cstream_position(const struct cstream *s)
{
	return s->pos;
}

void cstream_close(struct cstream *s)
{
	if (s == NULL)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	if (s->zd != NULL)
		ZSTD_freeDCtx(s->zd);
	if (s->lz != NULL)
		LZ4F_freeDecompressionContext(s->lz);
	free(s->in);
	free(s);
}
