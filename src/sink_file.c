/* The file sink: NDJSON, one file per batch, OUTDIR/batch-<id>.ndjson, written atomically
 * (temp file, fsync, rename, fsync directory). A replayed batch rewrites the same file, so a
 * crash can never leave a row twice. Batches without rows leave no file.
 *
 * Batch numbers belong to one checkpoint: OUTDIR/.pcapstream-owner names the checkpoint (its
 * folder and identity, from CHECKPOINT/metadata) whose batches the folder holds, and a different
 * checkpoint (a second source, or the same folder deleted and made again) is refused rather
 * than overwrite batch files that hold other rows. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fsutil.h"
#include "outbuf.h"
#include "sink.h"

#define SINK_FILE_BUF (1024 * 1024)
/* Start write-back of every this many bytes while the batch is still being written, so the
 * fsync at flush() waits for the tail only and the page cache does not fill up. */
#define SINK_FILE_WRITEBACK (16 * 1024 * 1024)

struct sink_file {
	char *dir;
	char tmp[4096];
	char final[4096];
	struct outbuf ob;
	int fd;
	uint64_t rows;
	uint64_t written;   /* bytes handed to the kernel in this batch */
	uint64_t synced_to; /* write-back started up to here */
};

/* The highest N of the files in dir named prefix + N + suffix, or -1 if none. */
static long long highest(const char *dir, const char *prefix, const char *suffix)
{
	size_t np = strlen(prefix), ns = strlen(suffix);
	DIR *d = opendir(dir);
	long long hi = -1;

	if (d == NULL)
		return -1;
	for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
		size_t n = strlen(de->d_name);
		char *end;
		if (n <= np + ns || strncmp(de->d_name, prefix, np) != 0 || strcmp(de->d_name + n - ns, suffix) != 0)
			continue;
		long long v = strtoll(de->d_name + np, &end, 10);
		if (end == de->d_name + n - ns && v > hi)
			hi = v;
	}
	closedir(d);
	return hi;
}

/* Make sure outdir holds no other checkpoint's batches, and mark it as this one's (watch, replay
 * and realtime all have a checkpoint; a state folder without an identity is not checked).
 * Returns 0, SINK_ECONFLICT
 * when outdir holds batches this checkpoint would overwrite, or -1 (I/O), with err. */
static int claim(const char *outdir, const char *ck, char *err, size_t errlen)
{
	char path[4200], owner[4200], why[512], shown[4200], planned[64];
	json_t *meta = NULL, *have = NULL, *mine = NULL;
	const char *id, *was_id = NULL, *was_ck = NULL;
	long long out_hi, ck_hi;
	char *text = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/metadata", ck);
	meta = json_load_file(path, 0, NULL);
	id = json_string_value(json_object_get(meta, "id"));
	if (id == NULL) {
		rc = 0;
		goto out;
	}
	snprintf(owner, sizeof(owner), "%s/.pcapstream-owner", outdir);
	if (access(owner, F_OK) == 0) {
		have = json_load_file(owner, 0, NULL);
		was_id = json_string_value(json_object_get(have, "id"));
		was_ck = json_string_value(json_object_get(have, "checkpoint"));
		if (was_id == NULL || strcmp(was_id, id) != 0) {
			snprintf(
			    err, errlen,
			    "%s holds the batches of checkpoint %s (id %s), not of %s (id %s): this checkpoint's "
			    "batch numbers would overwrite them. If the checkpoint folder was deleted or replaced, "
			    "restore it from a backup; to start afresh, give --sink file: a new, empty folder",
			    outdir, was_ck != NULL ? was_ck : "?", was_id != NULL ? was_id : "?", ck, id);
			rc = SINK_ECONFLICT;
			goto out;
		}
	}
	/* offsets/N is written before batch N's file: a folder with a later batch than the checkpoint
	 * ever planned was written by another checkpoint, or by this one before it was deleted or
	 * replaced by an older backup. */
	snprintf(path, sizeof(path), "%s/offsets", ck);
	out_hi = highest(outdir, "batch-", ".ndjson");
	ck_hi = highest(path, "", "");
	if (out_hi > ck_hi) {
		if (ck_hi < 0)
			snprintf(planned, sizeof(planned), "none");
		else
			snprintf(planned, sizeof(planned), "only up to %lld", ck_hi);
		snprintf(err, errlen,
			 "%s holds batch %lld but checkpoint %s has planned %s: its next batches would overwrite rows "
			 "there. If the checkpoint folder was deleted, or restored from an older backup, restore its "
			 "newest state; to start afresh, give --sink file: a new, empty folder",
			 outdir, out_hi, ck, planned);
		rc = SINK_ECONFLICT;
		goto out;
	}
	if (was_id != NULL) {
		rc = 0; /* already ours */
		goto out;
	}
	fsutil_display_name(ck, shown, sizeof(shown)); /* JSON text; only the id is compared */
	mine = json_pack("{s:s,s:s}", "checkpoint", shown, "id", id);
	text = mine != NULL ? json_dumps(mine, JSON_COMPACT) : NULL;
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fsutil_write_atomic(owner, text, strlen(text), why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	rc = 0;
out:
	free(text);
	json_decref(mine);
	json_decref(have);
	json_decref(meta);
	return rc;
}

static int file_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_file *f = NULL;
	char ck[4096];
	int rc = -1;

	if (arg[0] == '\0') {
		snprintf(err, errlen, "needs a folder: file:OUTDIR");
		goto out;
	}
	if (fsutil_mkdirs(arg, err, errlen) < 0)
		goto out;
	if (access(arg, W_OK) < 0) {
		snprintf(err, errlen, "folder %s is not writable: %s", arg, strerror(errno));
		goto out;
	}
	if (env != NULL && env->state_dir != NULL) {
		if (realpath(env->state_dir, ck) == NULL)
			snprintf(ck, sizeof(ck), "%s", env->state_dir);
		int crc = claim(arg, ck, err, errlen);
		if (crc < 0) {
			rc = crc;
			goto out;
		}
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->dir = strdup(arg);
	if (f->dir == NULL || outbuf_init(&f->ob, -1, SINK_FILE_BUF) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->fd = -1;
	*state = f;
	f = NULL;
	rc = 0;
out:
	if (f != NULL) {
		outbuf_free(&f->ob);
		free(f->dir);
		free(f);
	}
	return rc;
}

static void file_abort(void *state)
{
	struct sink_file *f = state;

	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
		unlink(f->tmp);
	}
	f->ob.len = 0;
	f->ob.failed = 0;
}

static int file_begin(void *state, uint64_t batch, char *err, size_t errlen)
{
	struct sink_file *f = state;

	file_abort(f);
	snprintf(f->tmp, sizeof(f->tmp), "%s/.batch-%010llu.ndjson.tmp", f->dir, (unsigned long long)batch);
	snprintf(f->final, sizeof(f->final), "%s/batch-%010llu.ndjson", f->dir, (unsigned long long)batch);
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f->fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", f->tmp, strerror(errno));
		return -1;
	}
	f->ob.fd = f->fd;
	f->rows = 0;
	f->written = 0;
	f->synced_to = 0;
	return 0;
}

static int file_write(void *state, const struct row *rows, size_t n, char *err, size_t errlen)
{
	struct sink_file *f = state;

	for (size_t i = 0; i < n; i++) {
		if (f->ob.cap - f->ob.len < ROW_JSON_MAX + 1) {
			f->written += f->ob.len;
			outbuf_flush(&f->ob);
			if (f->written - f->synced_to >= SINK_FILE_WRITEBACK) {
				sync_file_range(f->fd, (off_t)f->synced_to, (off_t)(f->written - f->synced_to),
						SYNC_FILE_RANGE_WRITE);
				f->synced_to = f->written;
			}
		}
		char *p = outbuf_reserve(&f->ob, ROW_JSON_MAX + 1);
		size_t len = row_to_json(&rows[i], p, 1);
		p[len] = '\n';
		f->ob.len += len + 1;
	}
	f->rows += n;
	if (f->ob.failed) {
		snprintf(err, errlen, "cannot write %s: %s", f->tmp, strerror(f->ob.failed));
		return -1;
	}
	return 0;
}

static int file_flush(void *state, char *err, size_t errlen)
{
	struct sink_file *f = state;
	int rc = -1;

	if (outbuf_flush(&f->ob) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", f->tmp, strerror(f->ob.failed));
		goto out;
	}
	if (f->rows == 0) {
		file_abort(f); /* nothing to keep */
		rc = 0;
		goto out;
	}
	if (fsync(f->fd) < 0) {
		snprintf(err, errlen, "cannot fsync %s: %s", f->tmp, strerror(errno));
		goto out;
	}
	close(f->fd);
	f->fd = -1;
	if (rename(f->tmp, f->final) < 0) {
		snprintf(err, errlen, "cannot rename %s: %s", f->tmp, strerror(errno));
		unlink(f->tmp);
		goto out;
	}
	if (fsutil_fsync_dir(f->final) < 0) {
		snprintf(err, errlen, "cannot fsync folder %s: %s", f->dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		file_abort(f);
	return rc;
}

static void file_stats(void *state, struct sink_stats *out)
{
	(void)state;
	(void)out; /* nothing is refused or retried by a file */
}

static void file_close(void *state)
{
	struct sink_file *f = state;

	if (f == NULL)
		return;
	file_abort(f);
	outbuf_free(&f->ob);
	free(f->dir);
	free(f);
}

const struct sink_ops sink_file_ops = {
	.name = "file",
	.help = "file:OUTDIR  NDJSON, one file per batch (OUTDIR/batch-<id>.ndjson), written atomically",
	.open = file_open,
	.begin = file_begin,
	.write = file_write,
	.flush = file_flush,
	.abort = file_abort,
	.stats = file_stats,
	.close = file_close,
};
