/* `pcapstream status --checkpoint DIR`: what a checkpoint says. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "checkpoint.h"
#include "cmd.h"
#include "registry.h"
#include "scan.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream status --checkpoint DIR [--json]\n\n"
		   "Show what a watch or replay checkpoint holds: the last committed batch, a batch in flight\n"
		   "(planned, not committed: it is replayed at the next start), totals, rows per sink, the files\n"
		   "waiting in the watched folder and the quarantined files with their reasons.\n\n"
		   "  --checkpoint DIR  the checkpoint folder (watch default: WATCHED_DIR/.pcapstream)\n"
		   "  --json            one JSON object instead of text\n");
}

struct pending_ctx {
	const struct registry *reg;
	unsigned long long files, bytes;
};

/* A file of the folder: is it the one the registry remembers at that path (same mtime)? The
 * registry holds the capture's size, which for .gz is not the size on disk. */
struct path_mtime {
	const char *path;
	int64_t mtime_ns;
	int found;
};

static void match_entry(const struct registry_entry *e, void *arg)
{
	struct path_mtime *pm = arg;

	if (e->gone_ns == 0 && e->mtime_ns == pm->mtime_ns && strcmp(e->path, pm->path) == 0)
		pm->found = 1;
}

static void count_pending(const char *path, const struct stat *st, void *arg)
{
	struct pending_ctx *c = arg;
	struct path_mtime pm = {
		.path = path,
		.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
		.found = 0,
	};

	registry_foreach(c->reg, match_entry, &pm);
	if (!pm.found) {
		c->files++;
		c->bytes += (unsigned long long)st->st_size;
	}
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
	struct checkpoint *ck = NULL;
	struct registry *reg = NULL;
	json_t *out = NULL, *commit = NULL, *quarantined = NULL;
	char err[1024];
	int as_json = 0, rc = 2;

	for (;;) {
		int c = getopt_long(argc, argv, "+h", lopts, NULL);
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
	if (dir == NULL) {
		fprintf(stderr, "pcapstream status: --checkpoint DIR is required (see --help)\n");
		return 2;
	}
	struct stat st;
	char meta[4096];
	snprintf(meta, sizeof(meta), "%s/metadata", dir);
	if (stat(meta, &st) < 0) {
		fprintf(stderr, "pcapstream status: %s is not a pcapstream checkpoint (no metadata file)\n", dir);
		return 2;
	}
	if (checkpoint_open(dir, NULL, &ck, err, sizeof(err)) < 0 || registry_load(dir, &reg, err, sizeof(err)) < 0) {
		fprintf(stderr, "pcapstream status: %s\n", err);
		goto out;
	}
	json_t *md = checkpoint_metadata(ck);
	int64_t last_commit = checkpoint_last_commit(ck), last_offsets = checkpoint_last_offsets(ck);
	out = json_object();
	json_object_set(out, "source", json_object_get(md, "source"));
	json_object_set_new(out, "checkpoint", json_string(dir));
	json_object_set_new(out, "last_committed_batch", last_commit >= 0 ? json_integer(last_commit) : json_null());
	json_object_set_new(out, "batch_in_flight",
			    last_offsets > last_commit ? json_integer(last_offsets) : json_null());
	if (last_commit >= 0) {
		commit = checkpoint_read_commit(ck, (uint64_t)last_commit, err, sizeof(err));
		if (commit != NULL) {
			json_object_set(out, "committed_at", json_object_get(commit, "committed_at"));
			json_object_set(out, "totals", json_object_get(commit, "totals"));
			json_object_set(out, "rows_per_sink", json_object_get(commit, "sinks"));
		}
	}
	json_object_set_new(out, "registry_files", json_integer((json_int_t)registry_count(reg)));
	const char *source = json_string_value(json_object_get(md, "source"));
	if (source != NULL && source[0] == '/') {
		const char *excl[] = { json_string_value(json_object_get(md, "quarantine_dir")), NULL };
		struct pending_ctx pc = { .reg = reg };
		scan_tree(source, 0, excl, count_pending, &pc);
		json_object_set_new(out, "pending_files", json_integer((json_int_t)pc.files));
		json_object_set_new(out, "pending_bytes", json_integer((json_int_t)pc.bytes));
	}
	quarantined = json_array();
	const char *qdir = json_string_value(json_object_get(md, "quarantine_dir"));
	DIR *d = qdir != NULL ? opendir(qdir) : NULL;
	for (struct dirent *de = d != NULL ? readdir(d) : NULL; de != NULL; de = readdir(d)) {
		size_t n = strlen(de->d_name);
		if (n <= 7 || strcmp(de->d_name + n - 7, ".reason") != 0)
			continue;
		char rp[4400], line[1024] = "";
		snprintf(rp, sizeof(rp), "%s/%s", qdir, de->d_name);
		FILE *f = fopen(rp, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "reason: ", 8) == 0)
				break;
			line[0] = '\0';
		}
		if (f != NULL)
			fclose(f);
		line[strcspn(line, "\n")] = '\0';
		json_array_append_new(quarantined, json_pack("{s:s%,s:s}", "file", de->d_name, n - 7, "reason",
							     line[0] ? line + 8 : "?"));
	}
	if (d != NULL)
		closedir(d);
	json_object_set(out, "quarantined", quarantined);
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
		if (last_offsets > last_commit)
			printf("in flight:         batch %lld (planned, not committed: replayed at the next start)\n",
			       (long long)last_offsets);
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
		printf("registry:          %zu files remembered\n", registry_count(reg));
		printf("quarantined:       %zu files in %s\n", json_array_size(quarantined), qdir ? qdir : "?");
		size_t i;
		json_array_foreach(quarantined, i, v)
		    printf("  %s: %s\n", json_string_value(json_object_get(v, "file")),
			   json_string_value(json_object_get(v, "reason")));
	}
	rc = 0;
out:
	json_decref(quarantined);
	json_decref(commit);
	json_decref(out);
	registry_free(reg);
	checkpoint_close(ck);
	return rc;
}
