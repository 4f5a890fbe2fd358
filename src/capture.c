/* Capture files: the bytes come from cstream.c (plain, gzip, zstd, lz4); pcap records are read
 * here, pcapng blocks by pcapng.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture.h"
#include "cstream.h"
#include "pcapng.h"

#define CAPTURE_BUF (256 * 1024)
/* Largest captured length a pcap record may claim (libpcap's limit for most link types). */
#define CAPTURE_MAX_SNAPLEN 262144u

enum { LENGTHS_AS_IS, LENGTHS_SWAPPED, LENGTHS_MAYBE_SWAPPED };

struct capture {
	int fd;
	struct cstream *cs;
	unsigned char *rbuf; /* read-ahead of the (decompressed) stream */
	size_t rlen, rpos;
	unsigned char *pbuf; /* a record kept apart from the read-ahead */
	size_t pbufcap;
	struct pcapng *ng; /* pcapng, or NULL for pcap */
	/* pcap */
	int swapped;	   /* header fields in the other byte order */
	int nano;	   /* fractions are nanoseconds */
	size_t hdrsize;	   /* 16, or 24 for the modified (Kuznetzov) format */
	int lengths;	   /* LENGTHS_*: caplen and len interchanged by old writers */
	uint32_t snapshot; /* the file's snapshot length, as libpcap adjusts it */
	uint32_t maxcap;   /* larger captured lengths are damage */
	int linktype;
	int done;
};

int capture_sniff(const unsigned char *m, size_t n)
{
	static const unsigned char magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, /* pcap, microseconds */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d }, /* pcap, nanoseconds */
		{ 0x34, 0xcd, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xcd, 0x34 }, /* modified (Kuznetzov) pcap */
		{ 0x0a, 0x0d, 0x0d, 0x0a },				/* pcapng section header */
	};

	if (cstream_sniff(m, n) != CSTREAM_PLAIN)
		return 1;
	if (n < 4)
		return 0;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (memcmp(m, magics[i], 4) == 0)
			return 1;
	}
	return 0;
}

int capture_time_ns(uint64_t sec, uint64_t frac, int64_t *ns)
{
	if (sec > (uint64_t)INT64_MAX / 1000000000u)
		return 0;
	if (sec * 1000000000u > (uint64_t)INT64_MAX - frac)
		return 0;
	*ns = (int64_t)(sec * 1000000000u + frac);
	return 1;
}

/* Copy the next n bytes of the stream into dst; returns the count, less than n only at its end. */
static size_t stream_read(void *ctx, void *dst, size_t n)
{
	struct capture *c = ctx;
	unsigned char *d = dst;
	size_t got = 0, k;

	while (got < n) {
		if (c->rpos == c->rlen) {
			c->rpos = 0;
			c->rlen = cstream_read(c->cs, c->rbuf, CAPTURE_BUF);
			if (c->rlen == 0)
				break;
		}
		k = c->rlen - c->rpos < n - got ? c->rlen - c->rpos : n - got;
		memcpy(d + got, c->rbuf + c->rpos, k);
		c->rpos += k;
		got += k;
	}
	return got;
}

/* Make the next n (<= CAPTURE_BUF) bytes contiguous in the read-ahead; returns how many are
 * there (less than n only at the end of the stream). Nothing is consumed. */
static size_t stream_peek(struct capture *c, size_t n)
{
	size_t r;

	if (c->rlen - c->rpos >= n)
		return n;
	memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
	c->rlen -= c->rpos;
	c->rpos = 0;
	while (c->rlen < n) {
		r = cstream_read(c->cs, c->rbuf + c->rlen, CAPTURE_BUF - c->rlen);
		if (r == 0)
			break;
		c->rlen += r;
	}
	return c->rlen < n ? c->rlen : n;
}

static uint32_t get32(const struct capture *c, const unsigned char *p)
{
	if (c->swapped)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const struct capture *c, const unsigned char *p)
{
	return c->swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Largest sane captured length for a link type (as libpcap judges it). */
static uint32_t max_snaplen(int linktype)
{
	switch (linktype) {
	case 231: /* D-Bus */
		return 128u * 1024 * 1024;
	case 249: /* USBPcap */
		return 1024u * 1024;
	case 279: /* EBHSCR */
		return 8u * 1024 * 1024;
	default:
		return CAPTURE_MAX_SNAPLEN;
	}
}

/* The 24-byte pcap file header (the file is known to start with a pcap magic, read as stored). */
static int pcap_header(struct capture *c, char *err, size_t errlen)
{
	unsigned char h[24];
	uint32_t magic, snaplen;
	unsigned major, minor;
	size_t got = stream_read(c, h, sizeof(h));

	if (got < sizeof(h)) {
		snprintf(err, errlen, "truncated pcap file header: %zu of 24 bytes", got);
		return -1;
	}
	magic = (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[1] << 8 | h[0];
	c->swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u || magic == 0x34cdb2a1u;
	magic = get32(c, h);
	c->nano = magic == 0xa1b23c4du;
	c->hdrsize = magic == 0xa1b2cd34u ? 24 : 16;
	major = get16(c, h + 4);
	minor = get16(c, h + 6);
	if (major < 2) {
		snprintf(err, errlen, "archaic pcap savefile format %u.%u", major, minor);
		return -1;
	}
	if (!((major == 2 && minor <= 4) || (major == 543 && minor == 0))) {
		snprintf(err, errlen, "unsupported pcap savefile version %u.%u", major, minor);
		return -1;
	}
	c->lengths = major == 543 || minor < 3 ? LENGTHS_SWAPPED : minor == 3 ? LENGTHS_MAYBE_SWAPPED : LENGTHS_AS_IS;
	c->linktype = (int)(get32(c, h + 20) & 0x03ffffffu); /* the upper bits describe an FCS */
	c->maxcap = max_snaplen(c->linktype);
	snaplen = get32(c, h + 16);
	c->snapshot = snaplen == 0 || snaplen > c->maxcap ? c->maxcap : snaplen;
	if (c->hdrsize == 24 && c->linktype == 1)
		c->snapshot += 14; /* cooked-mode captures add a made-up Ethernet header */
	return 0;
}

/* Skip n bytes; returns how many were there. */
static size_t stream_skip(struct capture *c, size_t n)
{
	size_t got = 0, k;

	while (got < n) {
		k = stream_peek(c, n - got < CAPTURE_BUF ? n - got : CAPTURE_BUF);
		if (k == 0)
			break;
		c->rpos += k;
		got += k;
	}
	return got;
}

static int pcap_next_record(struct capture *c, struct capture_pkt *pkt, char *err, size_t errlen)
{
	unsigned char h[24];
	uint32_t sec, frac, caplen, len, keep;
	size_t got = stream_read(c, h, c->hdrsize);

	if (got == 0)
		return CAPTURE_END;
	if (got < c->hdrsize) {
		snprintf(err, errlen, "truncated dump file; record header cut after %zu of %zu bytes", got, c->hdrsize);
		return CAPTURE_TRUNCATED;
	}
	sec = get32(c, h);
	frac = get32(c, h + 4);
	caplen = get32(c, h + 8);
	len = get32(c, h + 12);
	if (c->lengths == LENGTHS_SWAPPED || (c->lengths == LENGTHS_MAYBE_SWAPPED && caplen > len)) {
		uint32_t t = caplen;
		caplen = len;
		len = t;
	}
	if (caplen > c->maxcap) {
		snprintf(err, errlen, "invalid packet capture length %u, bigger than maximum of %u", caplen, c->maxcap);
		return CAPTURE_CORRUPT;
	}
	keep = caplen > c->snapshot ? c->snapshot : caplen;
	if (keep <= CAPTURE_BUF) {
		got = stream_peek(c, keep);
		pkt->data = c->rbuf + c->rpos;
		c->rpos += got;
	} else { /* only link types with larger limits (D-Bus, USBPcap) */
		if (keep > c->pbufcap) {
			unsigned char *nb = realloc(c->pbuf, keep);
			if (nb == NULL) {
				snprintf(err, errlen, "out of memory for a record of %u bytes", keep);
				return CAPTURE_CORRUPT;
			}
			c->pbuf = nb;
			c->pbufcap = keep;
		}
		got = stream_read(c, c->pbuf, keep);
		pkt->data = c->pbuf;
	}
	if (got < keep) {
		snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu", keep, got);
		return CAPTURE_TRUNCATED;
	}
	if (keep < caplen) { /* longer than the file's snapshot length: the rest is dropped */
		if (pkt->data != c->pbuf) {
			memcpy(c->pbuf, pkt->data, keep);
			pkt->data = c->pbuf;
		}
		got = stream_skip(c, caplen - keep);
		if (got < caplen - keep) {
			snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu",
				 caplen, keep + got);
			return CAPTURE_TRUNCATED;
		}
	}
	/* Unsigned 32-bit seconds and fraction, as written: 2038+ stays right, and a fraction of a
	 * second or more (invalid, but seen) carries into the seconds, as tshark's time does. */
	pkt->ts_ns = 0;
	pkt->ts_valid = capture_time_ns(sec, (uint64_t)frac * (c->nano ? 1u : 1000u), &pkt->ts_ns);
	pkt->ts_error = pkt->ts_valid ? NULL : CAPTURE_TIME_RANGE;
	pkt->caplen = keep;
	pkt->len = len;
	pkt->iface = NULL;
	return CAPTURE_PACKET;
}

int capture_open(const char *path, struct capture **out, struct fingerprint *fp, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	return capture_open_fd(fd, out, fp, err, errlen);
}

int capture_open_fd(int fd, struct capture **out, struct fingerprint *fp, char *err, size_t errlen)
{
	char serr[256], ferr[256] = "";
	struct capture *c = NULL;
	struct stat st;
	int rc = -1, ok = 0;
	size_t got;

	*out = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto out;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "empty file (0 bytes): not a capture");
		goto out;
	}
	if (fp != NULL && fingerprint_fd(fd, fp, err, errlen) < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c->fd = fd;
	fd = -1;
	c->rbuf = malloc(CAPTURE_BUF);
	c->pbuf = malloc(CAPTURE_BUF);
	c->pbufcap = CAPTURE_BUF;
	if (c->rbuf == NULL || c->pbuf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cstream_open(c->fd, &c->cs, err, errlen) < 0)
		goto out;
	got = stream_peek(c, 4);
	if (got == 4 && memcmp(c->rbuf + c->rpos, "\x0a\x0d\x0d\x0a", 4) == 0) {
		ok = pcapng_open(stream_read, c, &c->ng, ferr, sizeof(ferr)) == 0;
	} else if (got == 4 && capture_sniff(c->rbuf + c->rpos, 4) &&
		   cstream_sniff(c->rbuf + c->rpos, 4) == CSTREAM_PLAIN) {
		ok = pcap_header(c, ferr, sizeof(ferr)) == 0;
	} else {
		snprintf(ferr, sizeof(ferr), "unknown file format");
	}
	if (!ok) {
		if (cstream_end(c->cs, serr, sizeof(serr)) != CSTREAM_OK)
			snprintf(err, errlen, "not a readable capture: %s (%s)", serr, ferr);
		else if (cstream_kind(c->cs) != CSTREAM_PLAIN)
			snprintf(err, errlen, "not a capture inside %s (%s)", cstream_kind_name(cstream_kind(c->cs)),
				 ferr);
		else
			snprintf(err, errlen, "not a pcap/pcapng capture (%s)", ferr);
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	capture_close(c);
	if (fd >= 0)
		close(fd);
	return rc;
}

int capture_next(struct capture *c, struct capture_pkt *pkt, char *err, size_t errlen)
{
	char serr[256];
	int st;

	if (c->done)
		return CAPTURE_END;
	st = c->ng != NULL ? pcapng_next(c->ng, pkt, err, errlen) : pcap_next_record(c, pkt, err, errlen);
	if (st == CAPTURE_PACKET)
		return st;
	c->done = 1;
	/* The records end where the stream under them ends: a damaged compressed stream is the
	 * reason, whatever the records made of its end. */
	switch (cstream_end(c->cs, serr, sizeof(serr))) {
	case CSTREAM_TRUNCATED:
		snprintf(err, errlen, "%s", serr);
		return CAPTURE_TRUNCATED;
	case CSTREAM_CORRUPT:
		snprintf(err, errlen, "%s", serr);
		return CAPTURE_CORRUPT;
	default:
		return st;
	}
}

int capture_datalink(const struct capture *c)
{
	return c->ng != NULL ? pcapng_datalink(c->ng) : c->linktype;
}

uint64_t capture_offset(const struct capture *c)
{
	return cstream_offset(c->cs);
}

void capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	pcapng_close(c->ng);
	cstream_close(c->cs);
	if (c->fd >= 0)
		close(c->fd);
	free(c->rbuf);
	free(c->pbuf);
	free(c);
}
