/* File identity by content: a hash of the whole capture and its size. Not the path, not the
 * inode: a copy under a new name has the same fingerprint, a new capture written to an old path
 * has a different one, and two captures that differ anywhere (even past their first 64 KiB, with
 * the same size) differ. For a compressed file (gzip, zstd, lz4) the capture is the decompressed
 * stream, so dump.pcap, dump.pcap.gz, dump.pcap.zst and dump.pcap.lz4 have the same fingerprint.
 * Fingerprinting reads (and decompresses) the whole file once. */
#ifndef PCAPSTREAM_FINGERPRINT_H
#define PCAPSTREAM_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

/* The head of the capture hashed on its own (with the size as seed): a capture of at most this
 * many bytes keeps the fingerprint that earlier versions, which hashed only the head, gave it. */
#define FINGERPRINT_BYTES 65536

struct fingerprint {
	uint64_t size;	       /* bytes on disk */
	uint64_t content_size; /* bytes of the capture (decompressed size for a compressed file) */
	uint64_t hash;
	char hex[17]; /* hash as 16 hex digits: the document id prefix of the file's rows */
	/* the identity versions before 0.2 gave the file (see fingerprint_legacy_key) */
	int has_legacy;
	uint64_t legacy_hash, legacy_size;
	/* the file as fstat saw it just before it was read, and the clock then: while dev, ino, size
	 * and ctime stay the same, so does the content (see engine.c's trust of a planned key) */
	uint64_t dev, ino;
	int64_t ctime_ns, taken_ns;
};

/* The identity key "<hex>:<content size>" (what the file registry is keyed by) into out. */
void fingerprint_key(const struct fingerprint *fp, char out[40]);

/* The key versions before 0.2 gave the file, what a checkpoint written by them knows it by, into
 * out: the hash of its first FINGERPRINT_BYTES (of a gzip file: of its first member's
 * decompressed bytes, with the gzip trailer's size field as the size). Returns 0, or -1 (out
 * untouched) when that key is the file's current one or those versions could not read it
 * (zstd, lz4). */
int fingerprint_legacy_key(const struct fingerprint *fp, char out[40]);

/* Fingerprint the open regular file fd (its offset is not moved): every byte of the capture is
 * hashed. A compressed stream that is cut short or damaged is fingerprinted by the bytes it
 * yields before the damage. Returns 0, or -1 with a message in err. */
int fingerprint_fd(int fd, struct fingerprint *fp, char *err, size_t errlen);

#endif
