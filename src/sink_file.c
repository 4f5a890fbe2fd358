/* The file sink: NDJSON, one file per batch, OUTDIR/batch-<id>.ndjson, written atomically
 * (temp file, fsync, rename, fsync directory). A replayed batch rewrites the same file, so a
 * crash can never leave a row twice. Batches without rows leave no file. */
#include <errno.h>
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

static int file_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_file *f = NULL;
	int rc = -1;

	(void)env;
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
