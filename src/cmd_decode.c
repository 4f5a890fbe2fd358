/* `pcapstream decode FILE...`: the rows of captures as NDJSON on standard output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "cmd.h"
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

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream decode [options] FILE...\n"
		   "\n"
		   "Print the rows of capture files as NDJSON, one row per frame, in frame order: the same\n"
		   "documents the sinks receive, with their _id. FILE may be pcap (micro- or nanosecond, either\n"
		   "byte order), pcapng (every interface, each with its own link type), or either of them\n"
		   "compressed with gzip, zstd or lz4 (read streamed). A name that is not UTF-8 is shown in\n"
		   "pcap.file with each odd byte as \\xHH, as watch and replay show it.\n"
		   "\n"
		   "options:\n"
		   "  -o, --output FILE  write rows to FILE instead of standard output\n"
		   "  -h, --help         show this help\n"
		   "\n"
		   "exit status:\n"
		   "  0  every file decoded to its end\n"
		   "  1  a file ends in a truncated record or corrupt data: the rows before it were printed\n"
		   "  2  a file could not be read as a capture (missing, unreadable, empty, not pcap/pcapng),\n"
		   "     or bad usage; the other files were still decoded\n"
		   "  3  the rows could not all be written (the output file could not be created, the disk\n"
		   "     is full, standard output was closed): decoding stopped there\n"
		   "\n"
		   "example:\n"
		   "  pcapstream decode dump.pcap.gz | jq -c 'select(.network.transport==\"udp\")'\n");
}

/* Decode one file into ob. Returns 0, EXIT_PARTIAL or EXIT_UNREADABLE (message printed). */
static int decode_file(const char *path, struct outbuf *ob)
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
		char *p = outbuf_reserve(ob, ROW_JSON_MAX + 1);
		size_t n = row_to_json(&r, p, 1);
		p[n] = '\n';
		ob->len += n + 1;
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
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct outbuf ob = { 0 };
	const char *output = NULL;
	int fd = STDOUT_FILENO, rc = 0;

	for (;;) {
		int c = getopt_long(argc, argv, "o:h", opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			goto out;
		default:
			usage(stderr);
			rc = EXIT_UNREADABLE;
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pcapstream: decode: no capture file given (try --help)\n");
		rc = EXIT_UNREADABLE;
		goto out;
	}
	if (output != NULL) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "pcapstream: decode: cannot create %s: %s\n", output, strerror(errno));
			rc = EXIT_OUTPUT;
			goto out;
		}
	}
	if (outbuf_init(&ob, fd, DECODE_OUTBUF) < 0) {
		fprintf(stderr, "pcapstream: decode: out of memory\n");
		rc = EXIT_UNREADABLE;
		goto out;
	}
	for (int i = optind; i < argc && !ob.failed; i++) {
		int frc = decode_file(argv[i], &ob);
		if (frc > rc)
			rc = frc;
	}
	if (outbuf_flush(&ob) < 0) {
		if (ob.failed != EPIPE)
			fprintf(stderr, "pcapstream: decode: write failed: %s\n", strerror(ob.failed));
		rc = EXIT_OUTPUT;
	}
out:
	outbuf_free(&ob);
	if (fd != STDOUT_FILENO && fd >= 0)
		close(fd);
	return rc;
}
