/* pcapng reader (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng): every section, every
 * interface with its own link type, time resolution (if_tsresol) and offset (if_tsoffset), and
 * enhanced, simple and obsolete packet blocks. Reads through a caller's byte source, so it works
 * the same on plain and decompressed streams; memory is bounded (blocks up to PCAPNG_MAX_BLOCK,
 * up to PCAPNG_MAX_IFACES interfaces). */
#ifndef PCAPSTREAM_PCAPNG_H
#define PCAPSTREAM_PCAPNG_H
#include <stddef.h>
#include "capture.h"

#define PCAPNG_MAX_BLOCK  (16u * 1024 * 1024)
#define PCAPNG_MAX_IFACES 4096

struct pcapng;

/* Byte source: copy up to n next bytes into buf; returns the count, less than n only at the end. */
typedef size_t (*pcapng_read_fn)(void *ctx, void *buf, size_t n);

/* Start reading a pcapng stream whose first 4 bytes (the section header block type) have been
 * consumed already; reads up to the first interface description. Returns 0 and *out, or -1 with
 * a message in err (*out NULL). */
int pcapng_open(pcapng_read_fn rd, void *ctx, struct pcapng **out, char *err, size_t errlen);

/* Next packet into pkt (pkt->iface set). Returns an enum capture_status; END at the end of the
 * bytes, TRUNCATED if they end inside a block, CORRUPT for a malformed block (message in err). */
int pcapng_next(struct pcapng *g, struct capture_pkt *pkt, char *err, size_t errlen);

/* Link type of the first interface, or -1 if the file declares none. */
int pcapng_datalink(const struct pcapng *g);

/* Free; accepts NULL. */
void pcapng_close(struct pcapng *g);

#endif
