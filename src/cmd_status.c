/* `pcapstream status --checkpoint DIR`: what a checkpoint says. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "cmd.h"
#include "status.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream status --checkpoint DIR [--json]\n\n"
		   "Show what a watch or replay checkpoint holds: the last committed batch, a batch in flight\n"
		   "(planned, not committed: it is replayed at the next start), totals, rows per sink, the files\n"
		   "waiting in the watched folder and the quarantined files with their reasons.\n\n"
		   "  --checkpoint DIR  the checkpoint folder (watch default: WATCHED_DIR/.pcapstream)\n"
		   "  --json            one JSON object instead of text\n\n"
		   "Exit status: 0 shown, 2 bad usage or DIR is not a checkpoint, 3 the checkpoint is damaged (the\n"
		   "message says what is wrong and what to do; watch and replay refuse it the same way).\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	json_t *out = NULL;
	char err[1024];
	int as_json = 0;

	for (;;) {
		int c = getopt_long(argc, argv, "h", lopts, NULL);
		if (c == -1)
			break;
		if (c == 'c') {
			dir = optarg;
		} else if (c == 'j') {
			as_json = 1;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcapstream status: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (dir == NULL) {
		fprintf(stderr, "pcapstream status: --checkpoint DIR is required (see --help)\n");
		return 2;
	}
	int rc = status_read(dir, &out, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pcapstream status: %s\n", err);
		return rc == -1 ? 2 : 3; /* a damaged checkpoint: refused like watch and replay do */
	}
	json_t *quarantined = json_object_get(out, "quarantined");
	const char *source = json_string_value(json_object_get(out, "source"));
	int64_t last_commit = json_is_integer(json_object_get(out, "last_committed_batch"))
				  ? json_integer_value(json_object_get(out, "last_committed_batch"))
				  : -1;
	json_t *in_flight = json_object_get(out, "batch_in_flight");
	const char *qdir = json_string_value(json_object_get(out, "quarantine_dir"));
	if (as_json) {
		char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else {
		printf("checkpoint:        %s (source %s)\n", dir, source ? source : "?");
		if (last_commit >= 0)
			printf("last committed:    batch %lld at %s\n", (long long)last_commit,
			       json_string_value(json_object_get(out, "committed_at")) ?: "?");
		else
			printf("last committed:    none yet\n");
		if (json_is_integer(in_flight))
			printf("in flight:         batch %lld (planned, not committed: replayed at the next start)\n",
			       (long long)json_integer_value(in_flight));
		json_t *t = json_object_get(out, "totals");
		printf("ingested:          %lld files, %lld rows\n",
		       (long long)json_integer_value(json_object_get(t, "files")),
		       (long long)json_integer_value(json_object_get(t, "rows")));
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(out, "rows_per_sink"), k, v)
		    printf("  sink %-12s %lld rows\n", k, (long long)json_integer_value(v));
		if (json_object_get(out, "pending_files") != NULL)
			printf("pending:           %lld files (%lld bytes) waiting in %s\n",
			       (long long)json_integer_value(json_object_get(out, "pending_files")),
			       (long long)json_integer_value(json_object_get(out, "pending_bytes")), source);
		printf("registry:          %lld files remembered\n",
		       (long long)json_integer_value(json_object_get(out, "registry_files")));
		printf("quarantined:       %zu files in %s\n", json_array_size(quarantined), qdir ? qdir : "?");
		size_t i;
		json_array_foreach(quarantined, i, v)
		    printf("  %s: %s\n", json_string_value(json_object_get(v, "file")),
			   json_string_value(json_object_get(v, "reason")));
	}
	json_decref(out);
	return 0;
}
