/* Reading capture files: pcap (micro/nanosecond, either byte order), pcapng, and either of them
 * compressed with gzip, zstd or lz4 (streamed, never unpacked to disk). Knows nothing about
 * rows. */
#ifndef PCAPSTREAM_CAPTURE_H
#define PCAPSTREAM_CAPTURE_H
#include <stddef.h>
#include <stdint.h>
#include "fingerprint.h"

struct capture;

/* A pcapng interface (Interface Description Block), as packets refer to it. */
struct capture_iface {
	uint32_t id;	  /* 0-based interface number within the file */
	int dlt;	  /* link type of the interface's packets */
	const char *name; /* if_name, or NULL when the file does not name it */
};

struct capture_pkt {
	int64_t ts_ns;	      /* capture time, nanoseconds since the epoch (UTC); 0 if !ts_valid */
	int ts_valid;	      /* 0: no time a row can hold (see ts_error) */
	const char *ts_error; /* when !ts_valid, why (static text): out of range, or none in the file */
	uint32_t caplen;      /* bytes captured */
	uint32_t len;	      /* bytes on the wire */
	const uint8_t *data;  /* valid until the next capture_next() */
	/* The interface the packet came from (pcapng), valid until capture_close(); NULL for a
	 * pcap file, whose one link type is capture_datalink(). */
	const struct capture_iface *iface;
};

/* What capture_next() returns. */
enum capture_status {
	CAPTURE_PACKET = 1,	/* *pkt filled */
	CAPTURE_END = 0,	/* clean end of file */
	CAPTURE_TRUNCATED = -1, /* the file (or its compressed stream) is cut short: it ends there (message in err) */
	CAPTURE_CORRUPT = -2,	/* unreadable or damaged data after some packets (message in err) */
};

/* Whether the n first bytes at m may start a capture file pcapstream reads: a pcap or pcapng
 * magic number, or a gzip, zstd or lz4 header (what is inside is checked when it is read). */
int capture_sniff(const unsigned char *m, size_t n);

/* Open path for reading. On success returns 0 and *out, which the caller frees with
 * capture_close(); fp (if not NULL) receives the file's content fingerprint. On failure
 * returns -1 with a message naming the reason (not the path) in err, and *out is NULL. */
int capture_open(const char *path, struct capture **out, struct fingerprint *fp, char *err, size_t errlen);

/* The same for a file already open: the capture takes fd over (it is closed on failure too). */
int capture_open_fd(int fd, struct capture **out, struct fingerprint *fp, char *err, size_t errlen);

/* Read the next packet. Returns an enum capture_status; after END, TRUNCATED or CORRUPT the
 * capture yields nothing more. A compressed stream that is cut short or damaged gives every
 * packet before the damage, then TRUNCATED or CORRUPT, as a cut plain file does. */
int capture_next(struct capture *c, struct capture_pkt *pkt, char *err, size_t errlen);

/* Link type of the capture (LINKTYPE_ value, the same as libpcap's DLT_ value for every type
 * decode.c handles); for pcapng, of its first interface (-1 if it declares none), while each
 * packet's own is pkt->iface->dlt. */
int capture_datalink(const struct capture *c);

/* Bytes of the file consumed so far (compressed bytes for a compressed file), for progress
 * reports. */
uint64_t capture_offset(const struct capture *c);

/* capture_pkt.ts_error of a time outside what a row holds. */
#define CAPTURE_TIME_RANGE "capture time outside 1970-01-01T00:00:00Z .. 2262-04-11T23:47:16Z: no @timestamp"
/* capture_pkt.ts_error of a packet without a time (pcapng simple packet block). */
#define CAPTURE_TIME_NONE "no capture time in the file (pcapng simple packet block): no @timestamp"

/* sec seconds and frac nanoseconds (frac may exceed a second) since the epoch into *ns, if an
 * int64 of nanoseconds holds the sum (up to 2262-04-11T23:47:16.854775807Z). Returns 1 if it
 * does, 0 if not (*ns untouched). */
int capture_time_ns(uint64_t sec, uint64_t frac, int64_t *ns);

/* Close and free; accepts NULL. */
void capture_close(struct capture *c);

#endif
