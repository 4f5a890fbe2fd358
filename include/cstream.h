/* The bytes of a capture file, decompressed if it is gzip, zstd or lz4 (frame format), read in a
 * stream with bounded memory. A compressed stream that is cut short or damaged yields every byte
 * it held before the damage, then ends; cstream_end() then says what went wrong. Knows nothing
 * about capture formats. */
#ifndef PCAPSTREAM_CSTREAM_H
#define PCAPSTREAM_CSTREAM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cstream;

/* Compression of a file, from its first bytes. */
enum cstream_kind {
	CSTREAM_PLAIN = 0,
	CSTREAM_GZIP = 1,
	CSTREAM_ZSTD = 2,
	CSTREAM_LZ4 = 3,
};

/* How a stream ended (cstream_end()). */
enum cstream_end_status {
	CSTREAM_OK = 0,		/* not ended, or ended where the compressed stream says it ends */
	CSTREAM_TRUNCATED = -1, /* the compressed stream is cut short */
	CSTREAM_CORRUPT = -2,	/* damaged compressed data, a checksum mismatch, or a read error */
};

/* The compression the n first bytes at m announce (CSTREAM_PLAIN if none). */
enum cstream_kind cstream_sniff(const unsigned char *m, size_t n);

/* Lowercase name of a kind: "plain", "gzip", "zstd", "lz4". */
const char *cstream_kind_name(enum cstream_kind kind);

/* Open a stream over the regular file fd, from its first byte. fd is borrowed (read with pread:
 * its offset never moves) and must stay open until cstream_close(). Returns 0 and *out, or -1
 * with a message in err. */
int cstream_open(int fd, struct cstream **out, char *err, size_t errlen);

/* Read up to n decompressed bytes into buf. Returns the count (> 0), or 0 once the stream has
 * ended, cleanly or not (see cstream_end()). Never returns fewer bytes than are available
 * before the end, and never a negative value. */
size_t cstream_read(struct cstream *s, void *buf, size_t n);

/* How the stream ended: an enum cstream_end_status, with a message in err for the failures.
 * CSTREAM_OK while the stream has not yet ended. */
int cstream_end(const struct cstream *s, char *err, size_t errlen);

/* The compression of the stream. */
enum cstream_kind cstream_kind(const struct cstream *s);

/* Bytes of the file consumed so far (compressed bytes for a compressed file). */
uint64_t cstream_offset(const struct cstream *s);

/* Decompressed bytes delivered so far. */
uint64_t cstream_position(const struct cstream *s);

/* Free; accepts NULL. Does not close the fd. */
void cstream_close(struct cstream *s);

#endif
