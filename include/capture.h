/* Reading capture files: pcap (micro/nanosecond, either byte order), pcapng, and either of them
 * gzip-compressed (streamed through zlib, never unpacked to disk). Knows nothing about rows. */
#ifndef PCAPSTREAM_CAPTURE_H
#define PCAPSTREAM_CAPTURE_H
#include <stddef.h>
#include <stdint.h>
#include "fingerprint.h"

struct capture;

struct capture_pkt {
	int64_t ts_ns;	     /* capture time, nanoseconds since the epoch (UTC) */
	uint32_t caplen;     /* bytes captured */
	uint32_t len;	     /* bytes on the wire */
	const uint8_t *data; /* valid until the next capture_next() */
};

/* What capture_next() returns. */
enum capture_status {
	CAPTURE_PACKET = 1,	/* *pkt filled */
	CAPTURE_END = 0,	/* clean end of file */
	CAPTURE_TRUNCATED = -1, /* the last record is cut short: the file ends there (message in err) */
	CAPTURE_CORRUPT = -2,	/* unreadable data after some packets (message in err) */
};

/* Open path for reading. On success returns 0 and *out, which the caller frees with
 * capture_close(); fp (if not NULL) receives the file's content fingerprint. On failure
 * returns -1 with a message naming the reason (not the path) in err, and *out is NULL. */
int capture_open(const char *path, struct capture **out, struct fingerprint *fp, char *err, size_t errlen);

/* Read the next packet. Returns an enum capture_status; after END, TRUNCATED or CORRUPT the
 * capture yields nothing more. */
int capture_next(struct capture *c, struct capture_pkt *pkt, char *err, size_t errlen);

/* libpcap DLT_ link type of the capture. */
int capture_datalink(const struct capture *c);

/* Bytes of the file consumed so far (compressed bytes for .gz), for progress reports. */
uint64_t capture_offset(const struct capture *c);

/* Close and free; accepts NULL. */
void capture_close(struct capture *c);

#endif
