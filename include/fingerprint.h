/* File identity by content: a hash of the first FINGERPRINT_BYTES bytes of the capture and its
 * size. Not the path, not the inode: a copy under a new name has the same fingerprint, a new
 * capture written to an old path has a different one. For a gzip file the capture is the
 * decompressed stream: its head is inflated and its size read from gzip's ISIZE trailer, so
 * dump.pcap and dump.pcap.gz have the same fingerprint (for captures under 4 GiB, single-member
 * gzip). */
#ifndef PCAPSTREAM_FINGERPRINT_H
#define PCAPSTREAM_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

#define FINGERPRINT_BYTES 65536

struct fingerprint {
	uint64_t size;	       /* bytes on disk */
	uint64_t content_size; /* bytes of the capture (decompressed size for gzip) */
	uint64_t hash;
	char hex[17]; /* hash as 16 hex digits: the document id prefix of the file's rows */
};

/* The identity key "<hex>:<content size>" (what the file registry is keyed by) into out. */
void fingerprint_key(const struct fingerprint *fp, char out[40]);

/* Fingerprint the open regular file fd (its offset is not moved). Returns 0, or -1 with a
 * message in err. */
int fingerprint_fd(int fd, struct fingerprint *fp, char *err, size_t errlen);

#endif
