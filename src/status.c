/* Collecting what a checkpoint says (see status.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "checkpoint.h"
#include "source_file.h"
#include "fsutil.h"
#include "jsonpath.h"
#include "registry.h"
#include "scan.h"
#include "statekeys.h"
#include "status.h"
#include "strmap.h"

struct pending_ctx {
	struct strmap *live; /* path -> registry entry of the files the registry says are in the folder */
	unsigned long long files, bytes;
};

/* Index the entries of files still in the folder by path. A relative path (written by a watch
 * that was given a relative folder, before paths were made absolute) is indexed as "rel:" path
 * and matched against the ends of the scanned paths. */
static void index_entry(const struct registry_entry *e, void *arg)
{
	char key[4200];

	if (e->gone_ns != 0)
		return;
	snprintf(key, sizeof(key), "%s%s", e->path[0] == '/' ? "" : "rel:", e->path);
	strmap_put(arg, key, (void *)e, NULL);
}

/* A file of the folder: is it the one the registry remembers at that path (same mtime)? The
 * registry holds the capture's size, which for .gz is not the size on disk. */
static void count_pending(const char *path, const struct stat *st, void *arg)
{
	struct pending_ctx *c = arg;
	int64_t mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	const struct registry_entry *e = strmap_get(c->live, path);
	char key[4200];

	for (const char *p = strchr(path, '/'); (e == NULL || e->mtime_ns != mtime) && p != NULL;
	     p = strchr(p + 1, '/')) {
		snprintf(key, sizeof(key), "rel:%s", p + 1);
		e = strmap_get(c->live, key);
	}
	if (e == NULL || e->mtime_ns != mtime) {
		c->files++;
		c->bytes += (unsigned long long)st->st_size;
	}
}

json_t *status_collect(const char *dir, char *err, size_t errlen)
{
	json_t *out = NULL;

	status_read(dir, &out, err, errlen);
	return out;
}

int status_read(const char *dir, json_t **result, char *err, size_t errlen)
{
	struct checkpoint *ck = NULL;
	struct registry *reg = NULL;
	json_t *out = NULL, *commit = NULL, *quarantined = NULL, *res = NULL;
	int rc = -2;

	*result = NULL;
	struct stat st;
	char meta[4096];
	snprintf(meta, sizeof(meta), "%s/metadata", dir);
	if (stat(meta, &st) < 0) {
		snprintf(err, errlen, "%s is not a pcapstream checkpoint (no metadata file)", dir);
		return -1;
	}
	/* the same checks, and so the same errors, as watch and replay make before they start */
	if (checkpoint_open(dir, NULL, &ck, err, errlen) < 0 || registry_load(dir, &reg, err, errlen) < 0 ||
	    source_file_check(ck, reg, err, errlen) < 0)
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
		if (commit == NULL)
			goto out;
		json_object_set(out, SK_COMMITTED_AT, json_object_get(commit, SK_COMMITTED_AT));
		json_object_set(out, SK_TOTALS, json_object_get(commit, SK_TOTALS));
		json_object_set(out, "rows_per_sink", json_object_get(json_object_get(commit, SK_TOTALS), SK_SINKS));
	}
	json_object_set_new(out, "registry_files", json_integer((json_int_t)registry_count(reg)));
	char sbuf[4096], qbuf[4096];
	const char *source = jsonpath_get(md, "source", sbuf, sizeof(sbuf));
	const char *qdir = jsonpath_get(md, "quarantine_dir", qbuf, sizeof(qbuf));
	if (source != NULL && source[0] == '/') {
		const char *excl[] = { qdir, NULL };
		struct pending_ctx pc = { .live = strmap_new() };
		if (pc.live == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		registry_foreach(reg, index_entry, pc.live);
		scan_tree(source, 0, excl, count_pending, &pc);
		strmap_free(pc.live, NULL);
		json_object_set_new(out, "pending_files", json_integer((json_int_t)pc.files));
		json_object_set_new(out, "pending_bytes", json_integer((json_int_t)pc.bytes));
	}
	quarantined = json_array();
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
		char name[1024], shown[1100], why[1100];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 7), de->d_name);
		fsutil_display_name(name, shown, sizeof(shown)); /* JSON text: a name need not be UTF-8 */
		fsutil_display_name(line[0] ? line + 8 : "?", why, sizeof(why));
		json_array_append_new(quarantined, json_pack("{s:s,s:s}", "file", shown, "reason", why));
	}
	if (d != NULL)
		closedir(d);
	json_object_set(out, "quarantine_dir", json_object_get(md, "quarantine_dir"));
	json_object_set(out, "quarantined", quarantined);
	res = out;
	out = NULL;
	rc = 0;
out:
	json_decref(quarantined);
	json_decref(commit);
	json_decref(out);
	registry_free(reg);
	checkpoint_close(ck);
	*result = res;
	return rc;
}
