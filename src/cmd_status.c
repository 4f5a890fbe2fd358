/* `pcapstream status --checkpoint DIR`: what a checkpoint says. */
#include <stdio.h>
#include <stdlib.h>
#include "cmd.h"
#include "config.h"
#include "statekeys.h"
#include "status.h"

struct status_opts {
	const char *checkpoint;
	int json;
};

static const struct config_opt status_opts[] = {
	{ .flag = "checkpoint",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  .required = 1,
	  CONFIG_AT(struct status_opts, checkpoint),
	  .help = "the checkpoint folder (watch default: WATCHED_DIR/.pcapstream)" },
	{ .flag = "json",
	  .type = CONFIG_BOOL,
	  CONFIG_AT(struct status_opts, json),
	  .help = "one JSON object instead of text" },
	{ .flag = NULL },
};

static const struct config_cmd status_cmd = {
	.name = "status",
	.usage = "usage: pcapstream status --checkpoint DIR [--json]\n\n"
		 "Show what a watch or replay checkpoint holds: the last committed batch, a batch in flight\n"
		 "(planned, not committed: it is replayed at the next start), totals, rows per sink, the files\n"
		 "waiting in the watched folder and the quarantined files with their reasons.\n",
	.after = "Exit status: 0 shown, 2 bad usage or DIR is not a checkpoint, 3 the checkpoint is damaged (the\n"
		 "message says what is wrong and what to do; watch and replay refuse it the same way).\n",
	.opts = status_opts,
	.max_operands = 0,
	.variant = 0,
};

/* Print the checkpoint's state (status_read's object) as text. */
static void print_text(const char *dir, json_t *out)
{
	json_t *quarantined = json_object_get(out, "quarantined");
	const char *source = json_string_value(json_object_get(out, "source"));
	int64_t last_commit = json_is_integer(json_object_get(out, "last_committed_batch"))
				  ? json_integer_value(json_object_get(out, "last_committed_batch"))
				  : -1;
	json_t *in_flight = json_object_get(out, "batch_in_flight");
	const char *qdir = json_string_value(json_object_get(out, "quarantine_dir"));
	printf("checkpoint:        %s (source %s)\n", dir, source ? source : "?");
	if (last_commit >= 0)
		printf("last committed:    batch %lld at %s\n", (long long)last_commit,
		       json_string_value(json_object_get(out, SK_COMMITTED_AT)) ?: "?");
	else
		printf("last committed:    none yet\n");
	if (json_is_integer(in_flight))
		printf("in flight:         batch %lld (planned, not committed: replayed at the next start)\n",
		       (long long)json_integer_value(in_flight));
	json_t *t = json_object_get(out, SK_TOTALS);
	printf("ingested:          %lld files, %lld rows\n",
	       (long long)json_integer_value(json_object_get(t, SK_FILES)),
	       (long long)json_integer_value(json_object_get(t, SK_ROWS)));
	if (json_object_get(t, SK_FLOWS) != NULL)
		printf("flows:             %lld records (%lld evicted early: the table was full), %lld open\n",
		       (long long)json_integer_value(json_object_get(t, SK_FLOWS)),
		       (long long)json_integer_value(json_object_get(t, SK_FLOWS_EVICTED)),
		       (long long)json_integer_value(json_object_get(t, SK_FLOWS_OPEN)));
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
	json_array_foreach(quarantined, i, v) printf("  %s: %s\n", json_string_value(json_object_get(v, "file")),
						     json_string_value(json_object_get(v, "reason")));
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o = { 0 };
	struct config_args *args = NULL;
	json_t *out = NULL;
	char err[1024];
	int rc = 0;

	if (config_parse_main(&status_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	rc = status_read(o.checkpoint, &out, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pcapstream status: %s\n", err);
		rc = rc == -1 ? 2 : 3; /* a damaged checkpoint: refused like watch and replay do */
		goto out;
	}
	if (o.json) {
		char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else {
		print_text(o.checkpoint, out);
	}
out:
	json_decref(out);
	config_args_free(args);
	return rc;
}
