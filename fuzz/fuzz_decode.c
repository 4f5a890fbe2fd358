/* libFuzzer target: an input is a capture file. It is read through capture.c (so the pcap and
 * pcapng readers and the gzip/zstd/lz4 streams are exercised, and the fingerprint of the whole
 * input), every frame becomes a row serialized to NDJSON and BSON (its Community ID and application
 * names included), the whole input is also decoded as one raw frame under every link type, and read
 * as a transport payload by each application-name parser (DNS over UDP and TCP, HTTP, TLS).
 *
 * The capture's rows also go through two flow tables (issue 15), as `decode --flows` does: a small
 * one (8 flows, 1 s idle, 10 s active: eviction, both timeouts and the TCP close are reached) and
 * one with the defaults; every record is serialized. The small table is then saved and loaded
 * into a third: flushed, the two must report the same records byte for byte; the saved bytes with
 * one byte changed must be refused; and the input itself is loaded as a saved table. */
#include <bson/bson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "capture.h"
#include "communityid.h"
#include "decode.h"
#include "dns.h"
#include "flow.h"
#include "flowstate.h"
#include "http.h"
#include "pcaprow.h"
#include "row.h"
#include "tls.h"

#define FUZZ_MAX_FRAMES 4096

static const int dlts[] = {
	DECODE_DLT_NULL,      DECODE_DLT_EN10MB,	   DECODE_DLT_PPP,
	DECODE_DLT_RAW,	      DECODE_DLT_PPP_SERIAL,	   DECODE_DLT_PPP_ETHER,
	DECODE_DLT_C_HDLC,    DECODE_DLT_IEEE802_11,	   DECODE_DLT_LOOP,
	DECODE_DLT_LINUX_SLL, DECODE_DLT_IEEE802_11_RADIO, DECODE_DLT_IPV4,
	DECODE_DLT_IPV6,      DECODE_DLT_LINUX_SLL2,	   DECODE_DLT_SUNATM,
};

/* The row to NDJSON (into json; its length returned) and to BSON (dropped). */
static size_t serialize(const struct row *r, char *json)
{
	bson_t *b = bson_new();
	size_t n = row_to_json(r, json, 1);

	if (row_to_bson(r, b) < 0)
		abort();
	bson_destroy(b);
	return n;
}

/* What a flow table reported: how many records and a hash of their JSON (FNV-1a). */
struct flow_seen {
	char *json;
	uint64_t n;
	uint64_t hash;
};

/* flow_emit_fn: serialize the record and fold it into the flow_seen arg. */
static int flow_seen_add(void *arg, const struct row *r, char *err, size_t errlen)
{
	struct flow_seen *s = arg;
	size_t n = serialize(r, s->json);

	(void)err;
	(void)errlen;
	s->n++;
	for (size_t i = 0; i < n; i++)
		s->hash = (s->hash ^ (uint8_t)s->json[i]) * 0x100000001b3ULL;
	return 0;
}

/* The flow checks of one input, once its rows are in small and big (see the top of the file): f is
 * the scratch file of saved tables; every table is empty afterwards. Aborts on a broken promise. */
static void flow_checks(struct flow_table *small, struct flow_table *big, struct flow_table *other, FILE *f,
			const uint8_t *data, size_t size, char *json)
{
	struct flow_seen a = { .json = json, .hash = 0xcbf29ce484222325ULL };
	struct flow_seen b = a, scratch = a;
	char err[512];
	long len;
	FILE *in;

	if (flow_table_flush(big, flow_seen_add, &scratch, err, sizeof(err)) < 0)
		abort();
	if (ftruncate(fileno(f), 0) < 0 || fseek(f, 0, SEEK_SET) != 0)
		abort();
	if (flowstate_write(small, f, err, sizeof(err)) < 0 || fflush(f) != 0 || (len = ftell(f)) <= 0)
		abort();
	rewind(f);
	if (flowstate_read(other, f, err, sizeof(err)) < 0)
		abort(); /* what save wrote, load must read */
	if (flow_table_flush(small, flow_seen_add, &a, err, sizeof(err)) < 0 ||
	    flow_table_flush(other, flow_seen_add, &b, err, sizeof(err)) < 0)
		abort();
	if (a.n != b.n || a.hash != b.hash)
		abort(); /* a loaded table reports what the saved one would have */
	/* one byte changed, at a place the input picks: refused */
	{
		long at = (long)((size > 0 ? data[size - 1] * 257u + data[0] : 0) % (unsigned long)len);
		int c;
		if (fseek(f, at, SEEK_SET) != 0 || (c = fgetc(f)) == EOF || fseek(f, at, SEEK_SET) != 0 ||
		    fputc(c ^ 0x5a, f) == EOF || fflush(f) != 0)
			abort();
		rewind(f);
		if (flowstate_read(other, f, err, sizeof(err)) == 0)
			abort();
	}
	/* the input as a saved table: refused or read, never a crash */
	if (size > 0) {
		in = fmemopen((void *)data, size, "rb");
		if (in == NULL)
			abort();
		if (flowstate_read(other, in, err, sizeof(err)) == 0 &&
		    flow_table_flush(other, flow_seen_add, &scratch, err, sizeof(err)) < 0)
			abort();
		fclose(in);
	}
	flow_table_clear(other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct flow_table *small, *big, *other;
	static FILE *saved;
	static struct flow_seen seen;
	static int fd = -1;
	static char path[64];
	static char *json;
	char err[512];
	struct capture *c = NULL;
	struct capture_pkt pkt;
	struct fingerprint fp;
	struct row r;

	if (fd < 0) {
		fd = memfd_create("fuzz-capture", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		json = malloc(ROW_JSON_MAX);
		if (json == NULL)
			abort();
		const struct flow_config tiny = { .idle_ns = 1000000000LL, .active_ns = 10000000000LL, .max_flows = 8 };
		const struct flow_config dflt = { .idle_ns = 60000000000LL,
						  .active_ns = 600000000000LL,
						  .max_flows = 1000000 };
		int sfd = memfd_create("fuzz-flows", 0);
		if (sfd < 0 || (saved = fdopen(sfd, "w+b")) == NULL ||
		    flow_table_new(&tiny, &small, err, sizeof(err)) < 0 ||
		    flow_table_new(&dflt, &big, err, sizeof(err)) < 0 ||
		    flow_table_new(&tiny, &other, err, sizeof(err)) < 0)
			abort();
		seen.json = json;
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	flow_table_clear(small); /* each input from an empty table and clock: reproducible */
	flow_table_clear(big);
	if (capture_open(path, &c, &fp, err, sizeof(err)) == 0) {
		int dlt = capture_datalink(c);
		for (uint64_t frame = 1; frame <= FUZZ_MAX_FRAMES; frame++) {
			if (capture_next(c, &pkt, err, sizeof(err)) != CAPTURE_PACKET)
				break;
			pcaprow_make(&r, &pkt, dlt, "fuzz.pcap", fp.hex, frame);
			serialize(&r, json);
			if (flow_table_add(small, &r, flow_seen_add, &seen, err, sizeof(err)) < 0 ||
			    flow_table_add(big, &r, flow_seen_add, &seen, err, sizeof(err)) < 0)
				abort();
		}
		capture_close(c);
	}
	flow_checks(small, big, other, saved, data, size, json);
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		r.has = 0;
		r.id_prefix = "0000000000000000";
		r.id_seq = 1;
		decode_frame(dlts[i], data, (uint32_t)size, &r);
		communityid_fill_row(&r);
		serialize(&r, json);
	}
	/* the input as a payload: the parsers reached directly, not only behind a valid frame */
	for (int i = 0; i < 4; i++) {
		r.has = 0;
		if (i == 0)
			dns_parse(data, size, &r);
		else if (i == 1)
			dns_parse_tcp(data, size, &r);
		else if (i == 2)
			http_parse(data, size, &r);
		else
			tls_parse(data, size, &r);
		serialize(&r, json);
	}
	return 0;
}
