/* `pcapstream decode FILE...`: the rows of captures as NDJSON on standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "cmd.h"
#include "communityid.h"
#include "config.h"
#include "flow.h"
#include "fsutil.h"
#include "outbuf.h"
#include "pcaprow.h"
#include "row.h"

#define DECODE_OUTBUF (1024 * 1024)

enum {
	EXIT_PARTIAL = 1,    /* a file was cut short or corrupt; its earlier rows were printed */
	EXIT_UNREADABLE = 2, /* a file could not be read as a capture at all; or bad usage */
	EXIT_OUTPUT = 3,     /* the rows could not all be written (output not created, disk full, ...) */
};

struct decode_opts {
	const char *output;
	uint16_t community_id_seed;
	int flows;
	struct flow_config flow;
};

static const struct config_opt decode_opts[] = {
	{ .flag = "output",
	  .short_flag = 'o',
	  .type = CONFIG_STRING,
	  .arg = "FILE",
	  CONFIG_AT(struct decode_opts, output),
	  .help = "write rows to FILE instead of standard output" },
	CONFIG_COMMUNITY_ID_SEED(struct decode_opts, community_id_seed),
	{ .flag = "flows",
	  .type = CONFIG_BOOL,
	  CONFIG_AT(struct decode_opts, flows),
	  .help = "print flow records (event.dataset pcap.flow) instead of packets: the files are one stream, "
		  "flows carry from one file to the next in the order given, and what is still open at the end "
		  "is reported" },
	CONFIG_FLOW_OPTS(struct decode_opts, flow, 0),
	{ .flag = NULL },
};

static const struct config_cmd decode_cmd = {
	.name = "decode",
	.usage = "usage: pcapstream decode [options] FILE...\n"
		 "\n"
		 "Print the rows of capture files as NDJSON, one row per frame, in frame order: the same\n"
		 "documents the sinks receive, with their _id. FILE may be pcap (micro- or nanosecond, either\n"
		 "byte order), pcapng (every interface, each with its own link type), or either of them\n"
		 "compressed with gzip, zstd or lz4 (read streamed). A name that is not UTF-8 is shown in\n"
		 "pcap.file with each odd byte as \\xHH, as watch and replay show it.\n",
	.after = "exit status:\n"
		 "  0  every file decoded to its end\n"
		 "  1  a file ends in a truncated record or corrupt data: the rows before it were printed\n"
		 "  2  a file could not be read as a capture (missing, unreadable, empty, not pcap/pcapng),\n"
		 "     or bad usage; the other files were still decoded\n"
		 "  3  the rows could not all be written (the output file could not be created, the disk\n"
		 "     is full, standard output was closed, the flow table ran out of memory): decoding\n"
		 "     stopped there\n"
		 "\n"
		 "example:\n"
		 "  pcapstream decode dump.pcap.gz | jq -c 'select(.network.transport==\"udp\")'\n"
		 "  pcapstream decode --flows dump.pcap dump.pcap1 dump.pcap2 | jq -c '[.source.ip, .network.bytes]'\n",
	.opts = decode_opts,
	.max_operands = -1,
	.variant = 0,
};

/* Write one row to ob as an NDJSON line. */
static void put_row(struct outbuf *ob, const struct row *r)
{
	char *p = outbuf_reserve(ob, ROW_JSON_MAX + 1);
	size_t n = row_to_json(r, p, 1);

	p[n] = '\n';
	ob->len += n + 1;
}

/* flow_emit_fn: a flow record to the output. */
static int put_flow(void *arg, const struct row *r, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	put_row(arg, r);
	return 0;
}

/* Decode one file into ob: its packet rows, or (flows not NULL) its packets into the flow table
 * and the records that end into ob. Returns 0, EXIT_PARTIAL or EXIT_UNREADABLE (message
 * printed), or EXIT_OUTPUT when the flow table ran out of memory. */
static int decode_file(const char *path, struct outbuf *ob, struct flow_table *flows)
{
	char err[512];
	struct capture *c = NULL;
	struct capture_pkt pkt;
	struct fingerprint fp;
	struct row r;
	char name[1024];
	uint64_t frame = 0;
	int dlt, st, rc = 0;

	if (capture_open(path, &c, &fp, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream: decode: %s: %s; skipped (check the path and that it is a capture)\n", path,
			err);
		rc = EXIT_UNREADABLE;
		goto out;
	}
	dlt = capture_datalink(c);
	fsutil_display_name(fsutil_basename(path), name, sizeof(name)); /* as watch and replay name it */
	for (;;) {
		st = capture_next(c, &pkt, err, sizeof(err));
		if (st != CAPTURE_PACKET)
			break;
		frame++;
		pcaprow_make(&r, &pkt, dlt, name, fp.hex, frame);
		if (flows == NULL) {
			put_row(ob, &r);
		} else if (flow_table_add(flows, &r, put_flow, ob, err, sizeof(err)) < 0) {
			fprintf(stderr, "pcapstream: decode: %s: %s\n", path, err);
			rc = EXIT_OUTPUT;
			goto out;
		}
	}
	if (st == CAPTURE_TRUNCATED || st == CAPTURE_CORRUPT) {
		fprintf(stderr,
			"pcapstream: decode: %s: %s after frame %llu (%s); the %llu rows before it were printed\n",
			path, st == CAPTURE_TRUNCATED ? "truncated" : "corrupt", (unsigned long long)frame, err,
			(unsigned long long)frame);
		rc = EXIT_PARTIAL;
	}
out:
	capture_close(c);
	return rc;
}

int cmd_decode(int argc, char **argv)
{
	struct decode_opts o = { 0 };
	struct config_args *args = NULL;
	struct outbuf ob = { 0 };
	struct flow_table *flows = NULL;
	char err[256];
	int fd = STDOUT_FILENO, rc = 0;

	if (config_parse_main(&decode_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	communityid_set_seed(o.community_id_seed);
	if (config_args_count(args) == 0) {
		fprintf(stderr, "pcapstream decode: no capture file given (try --help)\n");
		rc = EXIT_UNREADABLE;
		goto out;
	}
	if (o.output != NULL) {
		fd = open(o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "pcapstream decode: cannot create %s: %s\n", o.output, strerror(errno));
			rc = EXIT_OUTPUT;
			goto out;
		}
	}
	if (o.flows && flow_table_new(&o.flow, &flows, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream decode: %s\n", err);
		rc = EXIT_UNREADABLE;
		goto out;
	}
	if (outbuf_init(&ob, fd, DECODE_OUTBUF) < 0) {
		fprintf(stderr, "pcapstream decode: out of memory\n");
		rc = EXIT_UNREADABLE;
		goto out;
	}
	for (int i = 0; i < config_args_count(args) && !ob.failed; i++) {
		int frc = decode_file(config_args_get(args, i), &ob, flows);
		if (frc > rc)
			rc = frc;
	}
	if (flows != NULL && !ob.failed && flow_table_flush(flows, put_flow, &ob, err, sizeof(err)) < 0)
		rc = EXIT_OUTPUT;
	if (outbuf_flush(&ob) < 0) {
		if (ob.failed != EPIPE)
			fprintf(stderr, "pcapstream decode: write failed: %s\n", strerror(ob.failed));
		rc = EXIT_OUTPUT;
	}
out:
	outbuf_free(&ob);
	flow_table_free(flows);
	if (fd != STDOUT_FILENO && fd >= 0)
		close(fd);
	config_args_free(args);
	return rc;
}
