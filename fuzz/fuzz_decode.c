/* libFuzzer target: an input is a capture file. It is read through capture.c (so the pcap and
 * pcapng readers and the gzip/zstd/lz4 streams are exercised, and the fingerprint of the whole
 * input), every frame becomes a row serialized to NDJSON and BSON (its Community ID and application
 * names included), the whole input is also decoded as one raw frame under every link type, and read
 * as a transport payload by each application-name parser (DNS over UDP and TCP, HTTP, TLS). */
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

static void serialize(const struct row *r, char *json)
{
	bson_t *b = bson_new();

	row_to_json(r, json, 1);
	if (row_to_bson(r, b) < 0)
		abort();
	bson_destroy(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (capture_open(path, &c, &fp, err, sizeof(err)) == 0) {
		int dlt = capture_datalink(c);
		for (uint64_t frame = 1; frame <= FUZZ_MAX_FRAMES; frame++) {
			if (capture_next(c, &pkt, err, sizeof(err)) != CAPTURE_PACKET)
				break;
			pcaprow_make(&r, &pkt, dlt, "fuzz.pcap", fp.hex, frame);
			serialize(&r, json);
		}
		capture_close(c);
	}
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
