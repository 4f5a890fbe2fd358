/* pcapng block reader: sections, interfaces (link type, if_name, if_tsresol, if_tsoffset), and
 * the enhanced, simple and obsolete packet blocks; every other block is skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcapng.h"

#define NG_SHB	    0x0a0d0d0au
#define NG_IDB	    1u
#define NG_PB	    2u /* obsolete packet block */
#define NG_SPB	    3u
#define NG_EPB	    6u
#define NG_BOM	    0x1a2b3c4du
#define NG_NAME_MAX 256

struct ng_iface {
	struct capture_iface pub;
	char *name;
	uint32_t snaplen;
	int64_t tsoffset; /* seconds added to every time (if_tsoffset) */
	int binary;	  /* if_tsresol: 2^-exp (1) or 10^-exp (0) seconds */
	unsigned exp;
};

struct pcapng {
	pcapng_read_fn rd;
	void *ctx;
	int be; /* the section's byte order */
	struct ng_iface *ifs;
	size_t nifs, capifs;
	size_t base; /* index of the current section's first interface */
	unsigned char *blk;
	size_t blkcap;
};

static uint16_t get16(const struct pcapng *g, const unsigned char *p)
{
	return g->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32(const struct pcapng *g, const unsigned char *p)
{
	if (g->be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const struct pcapng *g, const unsigned char *p)
{
	uint64_t a = get32(g, p), b = get32(g, p + 4);

	return g->be ? a << 32 | b : b << 32 | a;
}

/* Read the next block into g->blk. Returns 1 with *type, *body and *bodylen (the block between
 * its length fields), or an enum capture_status (END, TRUNCATED, CORRUPT) with a message. */
static int read_block(struct pcapng *g, uint32_t *type, const unsigned char **body, size_t *bodylen, char *err,
		      size_t errlen)
{
	unsigned char h[12];
	size_t got, have = 8;
	uint32_t total;

	got = g->rd(g->ctx, h, 8);
	if (got == 0)
		return CAPTURE_END;
	if (got < 8) {
		snprintf(err, errlen, "truncated pcapng file: block header cut after %zu of 8 bytes", got);
		return CAPTURE_TRUNCATED;
	}
	*type = get32(g, h);
	if (*type == NG_SHB) { /* a new section: its byte order follows */
		got = g->rd(g->ctx, h + 8, 4);
		if (got < 4) {
			snprintf(err, errlen, "truncated pcapng file: section header cut");
			return CAPTURE_TRUNCATED;
		}
		if (memcmp(h + 8, "\x1a\x2b\x3c\x4d", 4) == 0) {
			g->be = 1;
		} else if (memcmp(h + 8, "\x4d\x3c\x2b\x1a", 4) == 0) {
			g->be = 0;
		} else {
			snprintf(err, errlen, "pcapng section header with a bad byte-order magic");
			return CAPTURE_CORRUPT;
		}
		have = 12;
	}
	total = get32(g, h + 4);
	if (total < (*type == NG_SHB ? 28u : 12u) || total % 4 != 0 || total > PCAPNG_MAX_BLOCK) {
		snprintf(err, errlen, "pcapng block of type 0x%08x has an invalid length %u", *type, total);
		return CAPTURE_CORRUPT;
	}
	if (total > g->blkcap) {
		size_t cap = g->blkcap ? g->blkcap : 4096;
		while (cap < total)
			cap *= 2;
		unsigned char *nb = realloc(g->blk, cap);
		if (nb == NULL) {
			snprintf(err, errlen, "out of memory");
			return CAPTURE_CORRUPT;
		}
		g->blk = nb;
		g->blkcap = cap;
	}
	memcpy(g->blk, h, have);
	got = g->rd(g->ctx, g->blk + have, total - have);
	if (got < total - have) {
		snprintf(err, errlen, "truncated pcapng file: block of %u bytes cut after %zu", total, have + got);
		return CAPTURE_TRUNCATED;
	}
	if (get32(g, g->blk + total - 4) != total) {
		snprintf(err, errlen, "pcapng block of type 0x%08x: trailing length differs from %u", *type, total);
		return CAPTURE_CORRUPT;
	}
	*body = g->blk + 8;
	*bodylen = total - 12;
	return 1;
}

/* An interface description block: link type, snap length, options. */
static int add_iface(struct pcapng *g, const unsigned char *b, size_t n, char *err, size_t errlen)
{
	struct ng_iface *f;
	size_t off = 8;

	if (n < 8) {
		snprintf(err, errlen, "pcapng interface description block too short (%zu bytes)", n);
		return CAPTURE_CORRUPT;
	}
	if (g->nifs == PCAPNG_MAX_IFACES) {
		snprintf(err, errlen, "more than %d pcapng interfaces", PCAPNG_MAX_IFACES);
		return CAPTURE_CORRUPT;
	}
	if (g->nifs == g->capifs) {
		size_t cap = g->capifs ? 2 * g->capifs : 8;
		struct ng_iface *ni = realloc(g->ifs, cap * sizeof(*ni));
		if (ni == NULL) {
			snprintf(err, errlen, "out of memory");
			return CAPTURE_CORRUPT;
		}
		g->ifs = ni;
		g->capifs = cap;
	}
	f = &g->ifs[g->nifs];
	memset(f, 0, sizeof(*f));
	f->pub.id = (uint32_t)(g->nifs - g->base);
	f->pub.dlt = get16(g, b);
	f->snaplen = get32(g, b + 4);
	f->exp = 6;
	while (off + 4 <= n) {
		unsigned code = get16(g, b + off), olen = get16(g, b + off + 2);
		const unsigned char *v = b + off + 4;
		if (code == 0 || off + 4 + olen > n)
			break;
		if (code == 2 && f->name == NULL) { /* if_name */
			size_t len = strnlen((const char *)v, olen < NG_NAME_MAX ? olen : NG_NAME_MAX);
			f->name = malloc(len + 1);
			if (f->name != NULL) {
				memcpy(f->name, v, len);
				f->name[len] = '\0';
			}
		} else if (code == 9 && olen >= 1) { /* if_tsresol */
			f->binary = (v[0] & 0x80) != 0;
			f->exp = v[0] & 0x7f;
		} else if (code == 14 && olen >= 8) { /* if_tsoffset */
			f->tsoffset = (int64_t)get64(g, v);
		}
		off += 4 + ((olen + 3u) & ~3u);
	}
	if ((f->binary && f->exp > 63) || (!f->binary && f->exp > 19)) {
		snprintf(err, errlen, "pcapng interface %u: unsupported time resolution (if_tsresol 0x%02x)", f->pub.id,
			 (f->binary ? 0x80 : 0) | f->exp);
		free(f->name);
		return CAPTURE_CORRUPT;
	}
	f->pub.name = f->name;
	g->nifs++;
	return 1;
}

static uint64_t pow10u(unsigned e)
{
	uint64_t v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

/* A packet's time in the interface's units into pkt. */
static void set_time(const struct ng_iface *f, uint64_t ts, struct capture_pkt *pkt)
{
	uint64_t units = f->binary ? (uint64_t)1 << f->exp : pow10u(f->exp);
	uint64_t sec = ts / units, rem = ts % units, frac;

	if (f->binary)
		frac = (uint64_t)(((unsigned __int128)rem * 1000000000u) >> f->exp);
	else if (f->exp <= 9)
		frac = rem * pow10u(9 - f->exp);
	else
		frac = rem / pow10u(f->exp - 9);
	pkt->ts_ns = 0;
	pkt->ts_valid = 0;
	pkt->ts_error = CAPTURE_TIME_RANGE;
	if (f->tsoffset < 0 && sec < (uint64_t)0 - (uint64_t)f->tsoffset)
		return; /* before 1970 */
	if (f->tsoffset > 0 && sec > UINT64_MAX - (uint64_t)f->tsoffset)
		return;
	sec += (uint64_t)f->tsoffset;
	pkt->ts_valid = capture_time_ns(sec, frac, &pkt->ts_ns);
	if (pkt->ts_valid)
		pkt->ts_error = NULL;
}

/* The interface a packet block names, or NULL (message in err). */
static const struct ng_iface *iface_of(const struct pcapng *g, uint32_t id, char *err, size_t errlen)
{
	if (id >= g->nifs - g->base) {
		snprintf(err, errlen, "pcapng packet for interface %u, which the section does not declare", id);
		return NULL;
	}
	return &g->ifs[g->base + id];
}

/* Handle one block: 1 = a packet in pkt, 0 = nothing to report, or an enum capture_status. */
static int handle(struct pcapng *g, uint32_t type, const unsigned char *b, size_t n, struct capture_pkt *pkt, char *err,
		  size_t errlen)
{
	const struct ng_iface *f;
	uint32_t caplen, len;
	uint64_t ts;
	size_t hdr;

	switch (type) {
	case NG_SHB:
		if (get16(g, b + 4) != 1) {
			snprintf(err, errlen, "unsupported pcapng version %u.%u", get16(g, b + 4), get16(g, b + 6));
			return CAPTURE_CORRUPT;
		}
		g->base = g->nifs;
		return 0;
	case NG_IDB:
		return add_iface(g, b, n, err, errlen) == 1 ? 0 : CAPTURE_CORRUPT;
	case NG_EPB:
	case NG_PB:
		if (n < 20) {
			snprintf(err, errlen, "pcapng packet block too short (%zu bytes)", n);
			return CAPTURE_CORRUPT;
		}
		f = iface_of(g, type == NG_EPB ? get32(g, b) : get16(g, b), err, errlen);
		if (f == NULL)
			return CAPTURE_CORRUPT;
		ts = (uint64_t)get32(g, b + 4) << 32 | get32(g, b + 8);
		caplen = get32(g, b + 12);
		len = get32(g, b + 16);
		hdr = 20;
		if (caplen > n - hdr) {
			snprintf(err, errlen, "pcapng packet of %u captured bytes in a block of %zu", caplen, n);
			return CAPTURE_CORRUPT;
		}
		set_time(f, ts, pkt);
		break;
	case NG_SPB:
		if (n < 4) {
			snprintf(err, errlen, "pcapng simple packet block too short (%zu bytes)", n);
			return CAPTURE_CORRUPT;
		}
		f = iface_of(g, 0, err, errlen);
		if (f == NULL)
			return CAPTURE_CORRUPT;
		len = get32(g, b);
		hdr = 4;
		caplen = len;
		if (caplen > n - hdr)
			caplen = (uint32_t)(n - hdr);
		if (f->snaplen != 0 && caplen > f->snaplen)
			caplen = f->snaplen;
		pkt->ts_ns = 0; /* a simple packet block has no time (tshark shows none) */
		pkt->ts_valid = 0;
		pkt->ts_error = CAPTURE_TIME_NONE;
		break;
	default:
		return 0;
	}
	pkt->caplen = caplen;
	pkt->len = len;
	pkt->data = b + hdr;
	pkt->iface = &f->pub;
	return 1;
}

int pcapng_next(struct pcapng *g, struct capture_pkt *pkt, char *err, size_t errlen)
{
	const unsigned char *body;
	size_t n;
	uint32_t type;
	int st;

	for (;;) {
		st = read_block(g, &type, &body, &n, err, errlen);
		if (st != 1)
			return st;
		st = handle(g, type, body, n, pkt, err, errlen);
		if (st == 1)
			return CAPTURE_PACKET;
		if (st != 0)
			return st;
	}
}

int pcapng_open(pcapng_read_fn rd, void *ctx, struct pcapng **out, char *err, size_t errlen)
{
	struct pcapng *g = calloc(1, sizeof(*g));
	const unsigned char *body;
	struct capture_pkt pkt;
	uint32_t type;
	size_t n;
	int st, rc = -1;

	*out = NULL;
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	g->rd = rd;
	g->ctx = ctx;
	/* Up to the first interface: a packet before it would name an undeclared interface. */
	while (g->nifs == 0) {
		st = read_block(g, &type, &body, &n, err, errlen);
		if (st == CAPTURE_END)
			break;
		if (st != 1)
			goto out;
		st = handle(g, type, body, n, &pkt, err, errlen);
		if (st != 0) {
			if (st == 1)
				snprintf(err, errlen, "pcapng packet before any interface description");
			goto out;
		}
	}
	*out = g;
	g = NULL;
	rc = 0;
out:
	pcapng_close(g);
	return rc;
}

int pcapng_datalink(const struct pcapng *g)
{
	return g->nifs > 0 ? g->ifs[0].pub.dlt : -1;
}

void pcapng_close(struct pcapng *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nifs; i++)
		free(g->ifs[i].name);
	free(g->ifs);
	free(g->blk);
	free(g);
}
