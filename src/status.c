/* Collecting what a checkpoint says (see status.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "checkpoint.h"
#include "registry.h"
#include "scan.h"
#include "status.h"

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

json_t *status_collect(const char *dir, char *err, size_t errlen)
{
	struct checkpoint *ck = NULL;
	struct registry *reg = NULL;
	json_t *out = NULL, *commit = NULL, *quarantined = NULL, *res = NULL;

	struct stat st;
	char meta[4096];
	snprintf(meta, sizeof(meta), "%s/metadata", dir);
	if (stat(meta, &st) < 0) {
		snprintf(err, errlen, "%s is not a pcapstream checkpoint (no metadata file)", dir);
		return NULL;
	}
	if (checkpoint_open(dir, NULL, &ck, err, errlen) < 0 || registry_load(dir, &reg, err, errlen) < 0)
		goto out;
	json_t *md = checkpoint_metadata(ck);
	int64_t last_commit = checkpoint_last_commit(ck), last_offsets = checkpoint_last_offsets(ck);
	out = json_object();
	json_object_set(out, "source", json_object_get(md, "source"));
	json_object_set_new(out, "checkpoint", json_string(dir));
	json_object_set_new(out, "last_committed_batch", last_commit >= 0 ? json_integer(last_commit) : json_null());
	json_object_set_new(out, "batch_in_flight",
			    last_offsets > last_commit ? json_integer(last_offsets) : json_null());
	if (last_commit >= 0) {
		commit = checkpoint_read_commit(ck, (uint64_t)last_commit, err, errlen);
		if (commit != NULL) {
			json_object_set(out, "committed_at", json_object_get(commit, "committed_at"));
			json_object_set(out, "totals", json_object_get(commit, "totals"));
			json_object_set(out, "rows_per_sink",
					json_object_get(json_object_get(commit, "totals"), "sinks"));
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
	json_object_set_new(out, "quarantine_dir", qdir != NULL ? json_string(qdir) : json_null());
	json_object_set(out, "quarantined", quarantined);
	res = out;
	out = NULL;
out:
	json_decref(quarantined);
	json_decref(commit);
	json_decref(out);
	registry_free(reg);
	checkpoint_close(ck);
	return res;
}
