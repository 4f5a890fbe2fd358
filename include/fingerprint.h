/* File identity by content: a hash of the file's first FINGERPRINT_BYTES bytes and its size.
 * Not the path, not the inode: a copy under a new name has the same fingerprint, a new capture
 * written to an old path has a different one. */
#ifndef PCAPSTREAM_FINGERPRINT_H
#define PCAPSTREAM_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

#define FINGERPRINT_BYTES 65536

struct fingerprint {
	uint64_t size;
	uint64_t hash;
	char hex[17]; /* hash as 16 hex digits: the document id prefix of the file's rows */
};

/* Fingerprint the open regular file fd (its offset is not moved). Returns 0, or -1 with a
 * message in err. */
int fingerprint_fd(int fd, struct fingerprint *fp, char *err, size_t errlen);

#endif
