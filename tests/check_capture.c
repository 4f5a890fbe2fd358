/* capture.c: every capture format it must read, and every way a file can be bad. The files are
 * built byte by byte here, so each test states exactly what is on disk. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>
#include "capture.h"
#include "hash.h"
#include "pcaprow.h"
#include "suites.h"

struct bytes {
	uint8_t data[4096];
	size_t len;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	ck_assert(b->len + n <= sizeof(b->data));
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put32(struct bytes *b, uint32_t v, int be)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
	put(b, x, 4);
}

static void put16(struct bytes *b, uint16_t v, int be)
{
	uint8_t x[2] = { be ? v >> 8 : v & 0xff, be ? v & 0xff : v >> 8 };
	put(b, x, 2);
}

/* An Ethernet/ARP frame of 42 bytes. */
static const uint8_t frame42[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x66, 0x77, 0x88, 0x99, 0xaa,
				     0xbb, 0x08, 0x06, 0,    1,	   8,	 0,    6,    4,	   0,	 1 };

/* A pcap file: header (magic per byte order and resolution, version 2.4, snaplen 65535,
 * Ethernet) and two records of frame42: at 1573106901.807555(000) and 2039-01-01 (seconds
 * above 2^31). The second record is cut to cut_second bytes of its data if >= 0. */
static void pcap_file(struct bytes *b, int be, int nano, long cut_second)
{
	b->len = 0;
	put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
	put16(b, 2, be);
	put16(b, 4, be);
	put32(b, 0, be);
	put32(b, 0, be);
	put32(b, 65535, be);
	put32(b, 1, be);
	put32(b, 1573106901, be);
	put32(b, nano ? 807555123 : 807555, be);
	put32(b, sizeof(frame42), be);
	put32(b, 60, be);
	put(b, frame42, sizeof(frame42));
	put32(b, 2177452800u, be);
	put32(b, 0, be);
	put32(b, sizeof(frame42), be);
	put32(b, 42, be);
	put(b, frame42, cut_second >= 0 ? (size_t)cut_second : sizeof(frame42));
}

/* pcapng: section header, interface (Ethernet, default microsecond resolution), two enhanced
 * packet blocks with frame42 at the same times as pcap_file. */
static void pcapng_file(struct bytes *b)
{
	uint64_t ts[2] = { 1573106901807555ULL, 2177452800000000ULL };

	b->len = 0;
	put32(b, 0x0a0d0d0a, 0);
	put32(b, 28, 0);
	put32(b, 0x1a2b3c4d, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 0xffffffff, 0);
	put32(b, 28, 0);
	put32(b, 1, 0);
	put32(b, 20, 0);
	put16(b, 1, 0);
	put16(b, 0, 0);
	put32(b, 65535, 0);
	put32(b, 20, 0);
	for (int i = 0; i < 2; i++) {
		uint32_t total = 32 + 44; /* 42 bytes padded to 44 */
		put32(b, 6, 0);
		put32(b, total, 0);
		put32(b, 0, 0);
		put32(b, (uint32_t)(ts[i] >> 32), 0);
		put32(b, (uint32_t)ts[i], 0);
		put32(b, 42, 0);
		put32(b, i == 0 ? 60 : 42, 0);
		put(b, frame42, 42);
		put16(b, 0, 0);
		put32(b, total, 0);
	}
}

static void write_file(const char *path, const struct bytes *b, int gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(gzwrite(g, b->data, (unsigned)b->len), (int)b->len);
		ck_assert_int_eq(gzclose(g), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(b->data, 1, b->len, f), b->len);
		fclose(f);
	}
}

/* How a compressed test file is made and damaged. */
enum damage {
	D_NONE,
	D_CUT_AT_SPLIT, /* cut at the flush point */
	D_CUT_MID2,	/* cut in the middle of the second part */
	D_BAD_CRC,	/* gzip: one bit of the CRC-32 trailer flipped */
	D_BAD_BLOCK,	/* gzip: the deflate block after the flush point gets the invalid type 3 */
};

/* Write b compressed with kind ('g' gzip, 'z' zstd, 'l' lz4) to path as one stream (gzip
 * member, zstd or lz4 frame) flushed after its first split bytes, so that the compressed bytes
 * before that flush point decompress to exactly those; then damage it. */
static void write_compressed(const char *path, const struct bytes *b, int kind, size_t split, enum damage dmg)
{
	static uint8_t out[16384];
	size_t len = 0, at;
	struct bytes w = { .len = 0 };

	if (kind == 'g') {
		z_stream z;
		memset(&z, 0, sizeof(z));
		ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (Bytef *)b->data;
		z.avail_in = (uInt)split;
		z.next_out = out;
		z.avail_out = sizeof(out);
		ck_assert_int_eq(deflate(&z, Z_FULL_FLUSH), Z_OK);
		at = sizeof(out) - z.avail_out;
		z.avail_in = (uInt)(b->len - split);
		ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
		len = sizeof(out) - z.avail_out;
		deflateEnd(&z);
	} else if (kind == 'z') { /* one frame, flushed after the first part */
		ZSTD_CCtx *zc = ZSTD_createCCtx();
		ZSTD_inBuffer in = { .src = b->data, .size = split, .pos = 0 };
		ZSTD_outBuffer o = { .dst = out, .size = sizeof(out), .pos = 0 };
		ck_assert_ptr_nonnull(zc);
		ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 1)));
		ck_assert_uint_eq(ZSTD_compressStream2(zc, &o, &in, ZSTD_e_flush), 0);
		at = o.pos;
		in.size = b->len;
		ck_assert_uint_eq(ZSTD_compressStream2(zc, &o, &in, ZSTD_e_end), 0);
		len = o.pos;
		ZSTD_freeCCtx(zc);
	} else { /* one frame, flushed after the first part */
		LZ4F_cctx *lc = NULL;
		size_t r;
		ck_assert(!LZ4F_isError(LZ4F_createCompressionContext(&lc, LZ4F_VERSION)));
		r = LZ4F_compressBegin(lc, out, sizeof(out), NULL);
		ck_assert(!LZ4F_isError(r));
		len = r;
		r = LZ4F_compressUpdate(lc, out + len, sizeof(out) - len, b->data, split, NULL);
		ck_assert(!LZ4F_isError(r));
		len += r;
		r = LZ4F_flush(lc, out + len, sizeof(out) - len, NULL);
		ck_assert(!LZ4F_isError(r));
		len += r;
		at = len;
		r = LZ4F_compressUpdate(lc, out + len, sizeof(out) - len, b->data + split, b->len - split, NULL);
		ck_assert(!LZ4F_isError(r));
		len += r;
		r = LZ4F_compressEnd(lc, out + len, sizeof(out) - len, NULL);
		ck_assert(!LZ4F_isError(r));
		len += r;
		LZ4F_freeCompressionContext(lc);
	}
	if (dmg == D_CUT_AT_SPLIT)
		len = at;
	else if (dmg == D_CUT_MID2)
		len = at + (len - at) / 2;
	else if (dmg == D_BAD_CRC)
		out[len - 8] ^= 0x01;
	else if (dmg == D_BAD_BLOCK)
		out[at] |= 0x06;
	put(&w, out, len);
	write_file(path, &w, 0);
}

enum fmt {
	F_PCAP_US_LE,
	F_PCAP_US_BE,
	F_PCAP_NS_LE,
	F_PCAP_NS_BE,
	F_PCAPNG,
	F_PCAP_GZ,
	F_PCAPNG_GZ,
	F_TRUNC_DATA,
	F_TRUNC_HDR,
	F_PCAP_ZST,
	F_PCAP_LZ4,
	F_PCAPNG_ZST,
	F_PCAPNG_LZ4,
	F_GZ_CUT_FLUSH,
	F_GZ_CUT_MID,
	F_GZ_BAD_CRC,
	F_GZ_BAD_BLOCK,
	F_ZST_CUT_FRAME,
	F_ZST_CUT_MID,
	F_LZ4_CUT_FRAME,
	F_LZ4_CUT_MID,
};

struct capture_case {
	const char *name;
	enum fmt fmt;
	int frames;	     /* packets read */
	int status;	     /* what capture_next returns after them */
	int64_t first_ns;    /* time of the first packet */
	const char *errpart; /* a word the error message must hold, or NULL */
};

static const struct capture_case capture_cases[] = {
	{ "pcap us little-endian", F_PCAP_US_LE, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap us big-endian", F_PCAP_US_BE, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap ns little-endian", F_PCAP_NS_LE, 2, CAPTURE_END, 1573106901807555123LL, NULL },
	{ "pcap ns big-endian", F_PCAP_NS_BE, 2, CAPTURE_END, 1573106901807555123LL, NULL },
	{ "pcapng", F_PCAPNG, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap.gz", F_PCAP_GZ, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcapng.gz", F_PCAPNG_GZ, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "last record data cut", F_TRUNC_DATA, 1, CAPTURE_TRUNCATED, 1573106901807555000LL, "truncated" },
	{ "last record header cut", F_TRUNC_HDR, 1, CAPTURE_TRUNCATED, 1573106901807555000LL, "truncated" },
	{ "pcap.zst", F_PCAP_ZST, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcap.lz4", F_PCAP_LZ4, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcapng.zst", F_PCAPNG_ZST, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	{ "pcapng.lz4", F_PCAPNG_LZ4, 2, CAPTURE_END, 1573106901807555000LL, NULL },
	/* Damaged compressed streams: the rows before the damage, then the damage is reported. */
	{ "pcap.gz cut at a flush point", F_GZ_CUT_FLUSH, 1, CAPTURE_TRUNCATED, 1573106901807555000LL,
	  "gzip stream cut short" },
	{ "pcap.gz cut after the flush point", F_GZ_CUT_MID, 1, CAPTURE_TRUNCATED, 1573106901807555000LL, "cut short" },
	{ "pcap.gz bad crc", F_GZ_BAD_CRC, 2, CAPTURE_CORRUPT, 1573106901807555000LL, "incorrect data check" },
	{ "pcap.gz corrupt block", F_GZ_BAD_BLOCK, 1, CAPTURE_CORRUPT, 1573106901807555000LL, "invalid block type" },
	{ "pcap.zst cut at a flush point", F_ZST_CUT_FRAME, 1, CAPTURE_TRUNCATED, 1573106901807555000LL,
	  "zstd stream cut short" },
	{ "pcap.zst cut after the flush point", F_ZST_CUT_MID, 1, CAPTURE_TRUNCATED, 1573106901807555000LL,
	  "cut short" },
	{ "pcap.lz4 cut at a flush point", F_LZ4_CUT_FRAME, 1, CAPTURE_TRUNCATED, 1573106901807555000LL,
	  "lz4 stream cut short" },
	{ "pcap.lz4 cut after the flush point", F_LZ4_CUT_MID, 1, CAPTURE_TRUNCATED, 1573106901807555000LL,
	  "cut short" },
	{ NULL, 0, 0, 0, 0, NULL },
};

START_TEST(test_capture_formats)
{
	const struct capture_case *c = &capture_cases[_i];
	struct bytes b;
	char path[128], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;
	struct fingerprint fp;
	int n = 0, st, gz = 0;

	switch (c->fmt) {
	case F_PCAP_US_LE:
	case F_PCAP_GZ:
		pcap_file(&b, 0, 0, -1);
		gz = c->fmt == F_PCAP_GZ;
		break;
	case F_PCAP_US_BE:
		pcap_file(&b, 1, 0, -1);
		break;
	case F_PCAP_NS_LE:
		pcap_file(&b, 0, 1, -1);
		break;
	case F_PCAP_NS_BE:
		pcap_file(&b, 1, 1, -1);
		break;
	case F_PCAPNG:
	case F_PCAPNG_GZ:
		pcapng_file(&b);
		gz = c->fmt == F_PCAPNG_GZ;
		break;
	case F_TRUNC_DATA:
		pcap_file(&b, 0, 0, 20);
		break;
	case F_TRUNC_HDR:
		pcap_file(&b, 0, 0, 0);
		b.len -= 9; /* 7 of the second record's 16 header bytes remain */
		break;
	case F_PCAP_ZST:
	case F_PCAP_LZ4:
	case F_GZ_CUT_FLUSH:
	case F_GZ_CUT_MID:
	case F_GZ_BAD_CRC:
	case F_GZ_BAD_BLOCK:
	case F_ZST_CUT_FRAME:
	case F_ZST_CUT_MID:
	case F_LZ4_CUT_FRAME:
	case F_LZ4_CUT_MID:
		pcap_file(&b, 0, 0, -1);
		break;
	case F_PCAPNG_ZST:
	case F_PCAPNG_LZ4:
		pcapng_file(&b);
		break;
	}
	snprintf(path, sizeof(path), "%s/case%d%s", testutil_tmp, _i, gz ? ".gz" : "");
	switch (c->fmt) {
	case F_PCAP_ZST:
	case F_PCAPNG_ZST:
		write_compressed(path, &b, 'z', 82, D_NONE);
		break;
	case F_PCAP_LZ4:
	case F_PCAPNG_LZ4:
		write_compressed(path, &b, 'l', 82, D_NONE);
		break;
	case F_GZ_CUT_FLUSH:
	case F_GZ_CUT_MID:
	case F_GZ_BAD_CRC:
	case F_GZ_BAD_BLOCK:
		/* 82 bytes: the file header and the first record */
		write_compressed(path, &b, 'g', 82,
				 c->fmt == F_GZ_CUT_FLUSH ? D_CUT_AT_SPLIT
				 : c->fmt == F_GZ_CUT_MID ? D_CUT_MID2
				 : c->fmt == F_GZ_BAD_CRC ? D_BAD_CRC
							  : D_BAD_BLOCK);
		break;
	case F_ZST_CUT_FRAME:
	case F_ZST_CUT_MID:
		write_compressed(path, &b, 'z', 82, c->fmt == F_ZST_CUT_FRAME ? D_CUT_AT_SPLIT : D_CUT_MID2);
		break;
	case F_LZ4_CUT_FRAME:
	case F_LZ4_CUT_MID:
		write_compressed(path, &b, 'l', 82, c->fmt == F_LZ4_CUT_FRAME ? D_CUT_AT_SPLIT : D_CUT_MID2);
		break;
	default:
		write_file(path, &b, gz);
		break;
	}
	ck_assert_msg(capture_open(path, &cap, &fp, err, sizeof(err)) == 0, "%s: %s", c->name, err);
	ck_assert_int_eq(capture_datalink(cap), 1);
	if (c->fmt < F_PCAP_GZ || c->fmt == F_TRUNC_DATA || c->fmt == F_TRUNC_HDR)
		ck_assert_uint_eq(fp.size, b.len);
	if (c->status == CAPTURE_END) /* the capture inside, whatever the compression */
		ck_assert_uint_eq(fp.content_size, b.len);
	for (;;) {
		st = capture_next(cap, &pkt, err, sizeof(err));
		if (st != CAPTURE_PACKET)
			break;
		if (n == 0) {
			ck_assert_int_eq(pkt.ts_ns, c->first_ns);
			ck_assert_uint_eq(pkt.len, 60);
		} else {
			ck_assert_int_eq(pkt.ts_ns, 2177452800000000000LL); /* 2039: unsigned seconds */
			ck_assert_uint_eq(pkt.len, 42);
		}
		ck_assert_uint_eq(pkt.caplen, 42);
		ck_assert(memcmp(pkt.data, frame42, 42) == 0);
		n++;
	}
	ck_assert_msg(n == c->frames, "%s: %d frames, expected %d", c->name, n, c->frames);
	ck_assert_msg(st == c->status, "%s: status %d, expected %d (%s)", c->name, st, c->status, err);
	if (c->errpart != NULL)
		ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: error '%s' lacks '%s'", c->name, err, c->errpart);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_END);
	capture_close(cap);
}
END_TEST

struct bad_case {
	const char *name;
	const char *content; /* NULL: no such file; "" with len 0: empty file */
	size_t len;
	int dir;
	const char *errpart;
};

static const struct bad_case bad_cases[] = {
	{ "missing", NULL, 0, 0, "No such file" },
	{ "empty", "", 0, 0, "empty file" },
	{ "text named .pcap", "hello, this is not a capture\n", 29, 0, "not a pcap/pcapng capture" },
	{ "short garbage", "\xd4\xc3", 2, 0, "not a pcap/pcapng capture" },
	{ "gzip of text",
	  "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\xe7\x02\x00\x20\x30\x3a\x36"
	  "\x06\x00\x00\x00",
	  26, 0, "not a capture inside gzip" },
	{ "directory", NULL, 0, 1, "not a regular file" },
	{ NULL, NULL, 0, 0, NULL },
};

START_TEST(test_capture_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	char path[128], err[256] = "";
	struct capture *cap = (struct capture *)&err; /* must be reset to NULL */
	struct bytes b = { .len = 0 };

	snprintf(path, sizeof(path), "%s/bad%d.pcap", testutil_tmp, _i);
	if (c->dir) {
		ck_assert_int_eq(mkdir(path, 0700), 0);
	} else if (c->content != NULL) {
		put(&b, c->content, c->len);
		write_file(path, &b, 0);
	}
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_null(cap);
	ck_assert_msg(strstr(err, c->errpart) != NULL, "%s: error '%s' lacks '%s'", c->name, err, c->errpart);
	capture_close(NULL);
}
END_TEST

/* Without read permission (when not running as root, which ignores permissions). */
START_TEST(test_capture_unreadable)
{
	char path[128], err[256] = "";
	struct capture *cap = NULL;
	struct bytes b;

	if (geteuid() == 0)
		return; /* root reads anything: tests/cli-test covers this case as an unprivileged user */
	pcap_file(&b, 0, 0, -1);
	snprintf(path, sizeof(path), "%s/noperm.pcap", testutil_tmp);
	write_file(path, &b, 0);
	ck_assert_int_eq(chmod(path, 0), 0);
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Permission denied"));
}
END_TEST

/* A pcap file of n records (frame42 with the record number in its last two bytes): over
 * FINGERPRINT_BYTES for n = 2500. Returns a malloc'd buffer and its length in *len. */
static uint8_t *big_pcap(int n, size_t *len)
{
	size_t cap = 24 + (size_t)n * (16 + 42);
	uint8_t *p = malloc(cap), *q = p;
	static const uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
					 0,    0,    0,	   0,	 0xff, 0xff, 0, 0, 1, 0, 0, 0 };

	ck_assert_ptr_nonnull(p);
	memcpy(q, hdr, sizeof(hdr));
	q += sizeof(hdr);
	for (int i = 0; i < n; i++) {
		const uint8_t rec[16] = { 0x55, 0xc4, 0xc3, 0x5d, (uint8_t)i, 0, 0, 0, 42, 0, 0, 0, 42, 0, 0, 0 };
		memcpy(q, rec, 16);
		memcpy(q + 16, frame42, 42);
		q[16 + 40] = (uint8_t)(i >> 8);
		q[16 + 41] = (uint8_t)i;
		q += 16 + 42;
	}
	*len = cap;
	return p;
}

static void fingerprint_path(const char *path, struct fingerprint *fp)
{
	char err[256] = "";
	struct capture *cap = NULL;

	ck_assert_msg(capture_open(path, &cap, fp, err, sizeof(err)) == 0, "%s: %s", path, err);
	capture_close(cap);
}

/* Identity covers the whole capture: two captures of the same size and the same first 64 KiB
 * that differ further on are two captures (issue 11, item 6). */
START_TEST(test_fingerprint_whole_content)
{
	size_t n;
	uint8_t *p = big_pcap(2500, &n);
	char a[160], b[160];
	struct fingerprint fa, fb;

	ck_assert_uint_gt(n, 2 * FINGERPRINT_BYTES);
	snprintf(a, sizeof(a), "%s/a.pcap", testutil_tmp);
	snprintf(b, sizeof(b), "%s/b.pcap", testutil_tmp);
	testutil_write(a, p, n);
	p[n - 1] ^= 0xff; /* the last frame's last byte */
	testutil_write(b, p, n);
	fingerprint_path(a, &fa);
	fingerprint_path(b, &fb);
	ck_assert_uint_eq(fa.content_size, fb.content_size);
	ck_assert_msg(strcmp(fa.hex, fb.hex) != 0, "same fingerprint %s for different captures", fa.hex);
	free(p);
}
END_TEST

/* A capture has one identity whether it is stored plain or compressed (gzip, zstd, lz4), and
 * one of at most FINGERPRINT_BYTES keeps the identity earlier versions gave it. */
START_TEST(test_fingerprint_compressed_same)
{
	static const char *const exts[] = { "pcap.gz", "pcap.zst", "pcap.lz4" };
	static const int kinds[] = { 'g', 'z', 'l' };
	struct bytes small;
	struct fingerprint plain, fp;
	char path[160];
	size_t n;
	uint8_t *p = big_pcap(2500, &n);

	for (int big = 0; big < 2; big++) {
		struct bytes *b = &small;
		if (big) {
			/* the 4 KiB test buffer cannot hold it: files written directly */
			snprintf(path, sizeof(path), "%s/big.pcap", testutil_tmp);
			testutil_write(path, p, n);
			fingerprint_path(path, &plain);
			ck_assert_uint_eq(plain.content_size, n);
			gzFile g;
			snprintf(path, sizeof(path), "%s/big.pcap.gz", testutil_tmp);
			g = gzopen(path, "wb");
			ck_assert_int_eq(gzwrite(g, p, (unsigned)n), (int)n);
			gzclose(g);
			fingerprint_path(path, &fp);
			ck_assert_str_eq(fp.hex, plain.hex);
			ck_assert_uint_eq(fp.content_size, n);
			continue;
		}
		pcap_file(b, 0, 0, -1);
		snprintf(path, sizeof(path), "%s/small.pcap", testutil_tmp);
		write_file(path, b, 0);
		fingerprint_path(path, &plain);
		ck_assert_uint_eq(plain.hash, hash64(b->data, b->len, b->len));
		for (int i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/small.%s", testutil_tmp, exts[i]);
			write_compressed(path, b, kinds[i], 82, D_NONE);
			fingerprint_path(path, &fp);
			ck_assert_msg(strcmp(fp.hex, plain.hex) == 0, "%s: %s, plain %s", exts[i], fp.hex, plain.hex);
			ck_assert_uint_eq(fp.content_size, b->len);
		}
	}
	free(p);
}
END_TEST

/* A zstd stream that starts with a skippable frame (pzstd writes one first) is zstd. */
START_TEST(test_capture_zstd_skippable)
{
	struct bytes b, w = { .len = 0 };
	static uint8_t out[8192];
	char path[160], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;
	size_t n;
	int frames = 0;

	pcap_file(&b, 0, 0, -1);
	put32(&w, 0x184d2a50, 0); /* skippable frame: magic, 4 bytes of user data */
	put32(&w, 4, 0);
	put32(&w, 0xdeadbeef, 0);
	n = ZSTD_compress(out, sizeof(out), b.data, b.len, 3);
	ck_assert(!ZSTD_isError(n));
	put(&w, out, n);
	snprintf(path, sizeof(path), "%s/skippable.pcap.zst", testutil_tmp);
	write_file(path, &w, 0);
	ck_assert_msg(capture_open(path, &cap, NULL, err, sizeof(err)) == 0, "%s", err);
	while (capture_next(cap, &pkt, err, sizeof(err)) == CAPTURE_PACKET)
		frames++;
	ck_assert_int_eq(frames, 2);
	capture_close(cap);
}
END_TEST

/* pcap record times as written, unsigned: 2038+ seconds, and fractions of a second or more
 * (invalid but seen: microsecond fields of 1,000,000 and up) carried into the seconds, as
 * tshark's time is, up to the largest 32-bit microsecond field (issue 11, item 11). */
struct time_case {
	const char *name;
	int nano;
	uint32_t sec, frac;
	int64_t expect_ns;
};

static const struct time_case time_cases[] = {
	{ "us 1,500,000", 0, 1573106901, 1500000, 1573106902500000000LL },
	{ "us 2,147,484 (libpcap's int overflow)", 0, 1573106901, 2147484, 1573106903147484000LL },
	{ "us 0xffffffff", 0, 1573106901, 0xffffffffu, 1573106901000000000LL + 4294967295000LL },
	{ "ns 10^9", 1, 1418145370, 1000000000u, 1418145371000000000LL },
	{ "ns 2^31", 1, 1418145370, 0x80000000u, 1418145372147483648LL },
	{ "2106 (unsigned seconds)", 0, 0xffffffffu, 999999, 4294967295999999000LL },
	{ NULL, 0, 0, 0, 0 },
};

START_TEST(test_capture_pcap_times)
{
	const struct time_case *c = &time_cases[_i];
	struct bytes b = { .len = 0 };
	char path[160], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;

	put32(&b, c->nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
	put16(&b, 2, 0);
	put16(&b, 4, 0);
	put32(&b, 0, 0);
	put32(&b, 0, 0);
	put32(&b, 65535, 0);
	put32(&b, 1, 0);
	put32(&b, c->sec, 0);
	put32(&b, c->frac, 0);
	put32(&b, 42, 0);
	put32(&b, 42, 0);
	put(&b, frame42, 42);
	snprintf(path, sizeof(path), "%s/t%d.pcap", testutil_tmp, _i);
	write_file(path, &b, 0);
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_PACKET);
	ck_assert_msg(pkt.ts_valid && pkt.ts_ns == c->expect_ns, "%s: %lld, expected %lld", c->name,
		      (long long)pkt.ts_ns, (long long)c->expect_ns);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* pcapng writer pieces (little-endian). */
static void ng_shb(struct bytes *b, int be)
{
	put32(b, 0x0a0d0d0a, be);
	put32(b, 28, be);
	put32(b, 0x1a2b3c4d, be);
	put16(b, 1, be);
	put16(b, 0, be);
	put32(b, 0xffffffff, be);
	put32(b, 0xffffffff, be);
	put32(b, 28, be);
}

/* Interface description: link type, optional if_name, if_tsresol (< 0: none), if_tsoffset
 * (0: none). */
static void ng_idb(struct bytes *b, int be, uint16_t linktype, const char *name, int tsresol, int64_t tsoffset)
{
	size_t start = b->len, nlen = name != NULL ? strlen(name) : 0;
	uint32_t total = 20 + (name != NULL ? 4 + ((nlen + 3) & ~3u) : 0) + (tsresol >= 0 ? 8 : 0) +
			 (tsoffset != 0 ? 12 : 0) + (name != NULL || tsresol >= 0 || tsoffset != 0 ? 4 : 0);
	static const uint8_t zero[4];

	put32(b, 1, be);
	put32(b, total, be);
	put16(b, linktype, be);
	put16(b, 0, be);
	put32(b, 0, be); /* snaplen: none */
	if (name != NULL) {
		put16(b, 2, be);
		put16(b, (uint16_t)nlen, be);
		put(b, name, nlen);
		put(b, zero, ((nlen + 3) & ~3u) - nlen);
	}
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		put16(b, 9, be);
		put16(b, 1, be);
		put(b, &r, 1);
		put(b, zero, 3);
	}
	if (tsoffset != 0) {
		put16(b, 14, be);
		put16(b, 8, be);
		if (be) {
			put32(b, (uint32_t)((uint64_t)tsoffset >> 32), be);
			put32(b, (uint32_t)tsoffset, be);
		} else {
			put32(b, (uint32_t)tsoffset, be);
			put32(b, (uint32_t)((uint64_t)tsoffset >> 32), be);
		}
	}
	if (name != NULL || tsresol >= 0 || tsoffset != 0)
		put32(b, 0, be); /* opt_endofopt */
	put32(b, total, be);
	ck_assert_uint_eq(b->len - start, total);
}

/* Enhanced packet block: interface, 64-bit time in the interface's units, the bytes. */
static void ng_epb(struct bytes *b, int be, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t n)
{
	static const uint8_t zero[4];
	uint32_t total = 32 + ((n + 3) & ~3u);

	put32(b, 6, be);
	put32(b, total, be);
	put32(b, ifid, be);
	put32(b, (uint32_t)(ts >> 32), be);
	put32(b, (uint32_t)ts, be);
	put32(b, n, be);
	put32(b, n, be);
	put(b, data, n);
	put(b, zero, ((n + 3) & ~3u) - n);
	put32(b, total, be);
}

/* Raw IPv4/UDP (20 + 8 bytes), 192.0.2.1 -> 198.51.100.2, 12345 -> 53. */
static const uint8_t raw_udp[28] = { 0x45, 0, 0,   28, 0,   1, 0,    0,	   64,	 17,   0, 0, 192, 0,
				     2,	   1, 198, 51, 100, 2, 0x30, 0x39, 0x00, 0x35, 0, 8, 0,	  0 };

struct ng_expect {
	int dlt;
	uint32_t id;
	const char *name;
	int64_t ts_ns;
	int ts_valid;
};

/* pcapng with interfaces of different link types, names, resolutions and offsets, and a second
 * section (big-endian) whose interface numbers start again at 0: every packet, each with its own
 * interface (issue 11, items 8 and 9). */
START_TEST(test_pcapng_interfaces)
{
	static const struct ng_expect expect[] = {
		{ 1, 0, "eth0", 1573106901807555000LL, 1 },		      /* microseconds (default) */
		{ 101, 1, NULL, 1573106901807555123LL, 1 },		      /* if_tsresol 9 */
		{ 1, 0, "eth0", 1573106901500000000LL, 1 },		      /* back on the first interface */
		{ 276, 2, "any", 1573106901250000000LL + 100000000000LL, 1 }, /* 2^-2 s, if_tsoffset +100 */
		{ 101, 1, NULL, INT64_MAX, 1 },				      /* the last representable ns */
		{ 101, 1, NULL, 0, 0 },					      /* 2286: out of range */
		{ 1, 3, "lo", 0, 0 },					      /* if_tsoffset before 1970 */
		{ 1, 0, "eth0", 0, 0 },					      /* simple packet block: no time */
		{ 228, 0, "tun0", 1000000000LL, 1 },			      /* second section, big-endian */
	};
	struct bytes b = { .len = 0 };
	char path[160], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;
	size_t i = 0;
	int st;

	ng_shb(&b, 0);
	ng_idb(&b, 0, 1, "eth0", -1, 0);
	ng_idb(&b, 0, 101, NULL, 9, 0);
	ng_idb(&b, 0, 276, "any", 0x82, 100);
	ng_idb(&b, 0, 1, "lo", -1, -2000000000LL);
	ng_epb(&b, 0, 0, 1573106901807555ULL, frame42, 42);
	ng_epb(&b, 0, 1, 1573106901807555123ULL, raw_udp, 28);
	ng_epb(&b, 0, 0, 1573106901500000ULL, frame42, 42);
	ng_epb(&b, 0, 2, 1573106901ULL * 4 + 1, frame42, 20);
	ng_epb(&b, 0, 1, (uint64_t)INT64_MAX, raw_udp, 28);
	ng_epb(&b, 0, 1, 9990000000ULL * 1000000000ULL, raw_udp, 28); /* 2286-07-29 */
	ng_epb(&b, 0, 3, 1000000ULL, frame42, 42);
	put32(&b, 3, 0); /* simple packet block: original length, the bytes */
	put32(&b, 16 + 44, 0);
	put32(&b, 42, 0);
	put(&b, frame42, 42);
	put16(&b, 0, 0);
	put32(&b, 16 + 44, 0);
	ng_shb(&b, 1);
	ng_idb(&b, 1, 228, "tun0", -1, 0);
	ng_epb(&b, 1, 0, 1000000ULL, raw_udp, 28);
	snprintf(path, sizeof(path), "%s/multi.pcapng", testutil_tmp);
	write_file(path, &b, 0);
	ck_assert_msg(capture_open(path, &cap, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(capture_datalink(cap), 1);
	while ((st = capture_next(cap, &pkt, err, sizeof(err))) == CAPTURE_PACKET) {
		const struct ng_expect *e = &expect[i];
		ck_assert_uint_lt(i, sizeof(expect) / sizeof(expect[0]));
		ck_assert_ptr_nonnull(pkt.iface);
		ck_assert_int_eq(pkt.iface->dlt, e->dlt);
		ck_assert_uint_eq(pkt.iface->id, e->id);
		if (e->name == NULL)
			ck_assert_ptr_null(pkt.iface->name);
		else
			ck_assert_str_eq(pkt.iface->name, e->name);
		ck_assert_msg(pkt.ts_valid == e->ts_valid && pkt.ts_ns == e->ts_ns, "packet %zu: %d %lld", i,
			      pkt.ts_valid, (long long)pkt.ts_ns);
		if (!e->ts_valid)
			ck_assert_str_eq(pkt.ts_error,
					 e->id == 0 && e->dlt == 1 ? CAPTURE_TIME_NONE : CAPTURE_TIME_RANGE);
		i++;
	}
	ck_assert_msg(st == CAPTURE_END, "%d: %s", st, err);
	ck_assert_uint_eq(i, sizeof(expect) / sizeof(expect[0]));
	capture_close(cap);
}
END_TEST

/* Bad pcapng: a packet for an interface the section does not declare, a block cut short. */
START_TEST(test_pcapng_bad)
{
	struct bytes b = { .len = 0 };
	char path[160], err[256] = "";
	struct capture *cap = NULL;
	struct capture_pkt pkt;

	ng_shb(&b, 0);
	ng_idb(&b, 0, 1, NULL, -1, 0);
	ng_epb(&b, 0, 0, 1, frame42, 42);
	ng_epb(&b, 0, 1, 1, frame42, 42);
	snprintf(path, sizeof(path), "%s/undeclared.pcapng", testutil_tmp);
	write_file(path, &b, 0);
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_PACKET);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_CORRUPT);
	ck_assert_ptr_nonnull(strstr(err, "does not declare"));
	capture_close(cap);

	b.len -= 20; /* the second packet block cut */
	snprintf(path, sizeof(path), "%s/cut.pcapng", testutil_tmp);
	write_file(path, &b, 0);
	ck_assert_int_eq(capture_open(path, &cap, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_PACKET);
	ck_assert_int_eq(capture_next(cap, &pkt, err, sizeof(err)), CAPTURE_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	capture_close(cap);
}
END_TEST

/* The row of a packet: the interface it came from, and no wrong date for a time a row cannot
 * hold (issue 11, items 8 and 9). */
START_TEST(test_pcaprow_iface_and_time)
{
	static const struct capture_iface any = { .id = 2, .dlt = 101, .name = "any" };
	struct capture_pkt pkt = { .ts_ns = 0,
				   .ts_valid = 0,
				   .ts_error = CAPTURE_TIME_RANGE,
				   .caplen = 28,
				   .len = 28,
				   .data = raw_udp,
				   .iface = &any };
	char *json = malloc(ROW_JSON_MAX + 1);
	struct row r;

	ck_assert_ptr_nonnull(json);
	/* the capture's link type (Ethernet) is overridden by the interface's (raw IP) */
	pcaprow_make(&r, &pkt, 1, "x.pcapng", "0123456789abcdef", 6);
	json[row_to_json(&r, json, 1)] = '\0';
	ck_assert_msg(strstr(json, "\"@timestamp\"") == NULL, "%s", json);
	ck_assert_msg(strstr(json, "\"error\":{\"message\":\"capture time outside") != NULL, "%s", json);
	ck_assert_msg(strstr(json, "\"observer\":{\"ingress\":{\"interface\":{\"id\":\"2\",\"name\":\"any\"}}}") !=
			  NULL,
		      "%s", json);
	ck_assert_msg(strstr(json, "\"source\":{\"ip\":\"192.0.2.1\",\"port\":12345}") != NULL, "%s", json);
	pkt.ts_valid = 1;
	pkt.ts_ns = 1573106901807555123LL;
	pkt.iface = NULL;
	pkt.data = frame42;
	pkt.caplen = pkt.len = 42;
	pcaprow_make(&r, &pkt, 1, "x.pcap", "0123456789abcdef", 1);
	json[row_to_json(&r, json, 1)] = '\0';
	ck_assert_msg(strstr(json, "\"@timestamp\":\"2019-11-07T06:08:21.807555123Z\"") != NULL, "%s", json);
	ck_assert_msg(strstr(json, "observer") == NULL && strstr(json, "error") == NULL, "%s", json);
	ck_assert_msg(strstr(json, "\"type\":\"arp\"") != NULL, "%s", json);
	free(json);
}
END_TEST

Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	int n = 0, m = 0, t = 0;

	while (capture_cases[n].name != NULL)
		n++;
	while (bad_cases[m].name != NULL)
		m++;
	testutil_add_loop(s, test_capture_formats, 0, n, 1);
	testutil_add_loop(s, test_capture_bad, 0, m, 1);
	testutil_add(s, test_capture_unreadable, 1);
	testutil_add(s, test_fingerprint_whole_content, 1);
	testutil_add(s, test_fingerprint_compressed_same, 1);
	testutil_add(s, test_capture_zstd_skippable, 1);
	while (time_cases[t].name != NULL)
		t++;
	testutil_add_loop(s, test_capture_pcap_times, 0, t, 1);
	testutil_add(s, test_pcapng_interfaces, 1);
	testutil_add(s, test_pcapng_bad, 1);
	testutil_add(s, test_pcaprow_iface_and_time, 1);
	return s;
}
