/* Checkpoint folder: metadata, offsets/N, commits/N. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checkpoint.h"
#include "fsutil.h"

#define CHECKPOINT_MAX_FILE (64 * 1024 * 1024)

struct checkpoint {
	char *dir;
	int lock_fd; /* DIR/lock, held (flock) by the process that writes the checkpoint; -1 if none */
	json_t *metadata;
	int64_t last_offsets;
	int64_t last_commit;
	int64_t oldest; /* lowest batch id possibly still on disk */
};

/* Highest numeric file name in dir/sub (ignoring temp files), and the lowest through *low. */
static int64_t scan_ids(const char *dir, const char *sub, int64_t *low)
{
	char path[4096];
	struct dirent *de;
	int64_t hi = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	d = opendir(path);
	if (d == NULL)
		return -1;
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		char *end;
		long long v = strtoll(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || v < 0)
			continue;
		if (v > hi)
			hi = v;
		if (low != NULL && (*low < 0 || v < *low))
			*low = v;
	}
	closedir(d);
	return hi;
}

static int write_json(const char *path, json_t *j, char *err, size_t errlen)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (text == NULL) {
		snprintf(err, errlen, "cannot serialize %s", path);
		return -1;
	}
	size_t n = strlen(text);
	text[n] = '\n';
	rc = fsutil_write_atomic(path, text, n + 1, err, errlen);
	free(text);
	return rc;
}

static json_t *read_json(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j;
	char *text = fsutil_read_file(path, CHECKPOINT_MAX_FILE, NULL, err, errlen);

	if (text == NULL)
		return NULL;
	j = json_loads(text, 0, &jerr);
	if (j == NULL)
		snprintf(err, errlen, "%s is not valid JSON (line %d: %s): the checkpoint is damaged", path, jerr.line,
			 jerr.text);
	free(text);
	return j;
}

/* A new random identity for a checkpoint: 32 hex digits. Returns 0 or -1. */
static int new_id(char *out, size_t outlen)
{
	unsigned char b[16];
	ssize_t got = -1;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		got = read(fd, b, sizeof(b));
		close(fd);
	}
	if (got != (ssize_t)sizeof(b) || outlen < 2 * sizeof(b) + 1)
		return -1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int checkpoint_open(const char *dir, json_t *metadata, struct checkpoint **out, char *err, size_t errlen)
{
	struct checkpoint *ck = NULL;
	char path[4096];
	int rc = -1;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/offsets", dir);
	if (fsutil_mkdirs(path, err, errlen) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/commits", dir);
	if (fsutil_mkdirs(path, err, errlen) < 0)
		goto out;
	ck = calloc(1, sizeof(*ck));
	if (ck == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ck->lock_fd = -1;
	ck->dir = strdup(dir);
	if (ck->dir == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (metadata != NULL) {
		/* One writer per checkpoint: a second process would plan the same batches. */
		snprintf(path, sizeof(path), "%s/lock", dir);
		ck->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (ck->lock_fd < 0 || flock(ck->lock_fd, LOCK_EX | LOCK_NB) < 0) {
			snprintf(
			    err, errlen,
			    "checkpoint %s is in use by another pcapstream process (%s): give each process its own "
			    "--checkpoint / --state-dir folder",
			    dir, ck->lock_fd < 0 ? strerror(errno) : "it holds the folder's lock");
			goto out;
		}
	}
	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (access(path, F_OK) == 0) {
		ck->metadata = read_json(path, err, errlen);
		if (ck->metadata == NULL)
			goto out;
		const char *was = json_string_value(json_object_get(ck->metadata, "source"));
		const char *now = metadata != NULL ? json_string_value(json_object_get(metadata, "source")) : NULL;
		if (was != NULL && now != NULL && strcmp(was, now) != 0) {
			snprintf(err, errlen,
				 "checkpoint %s belongs to %s, not %s: give this source its own --checkpoint folder",
				 dir, was, now);
			goto out;
		}
	}
	if (metadata != NULL) {
		/* The identity is made once, when the folder is first used, and kept for its life: a
		 * checkpoint deleted and made again gets a new one (see sink_file.c). */
		const char *id = json_string_value(json_object_get(ck->metadata, "id"));
		char fresh[40];
		if (id == NULL) {
			if (new_id(fresh, sizeof(fresh)) < 0) {
				snprintf(err, errlen, "cannot read /dev/urandom for the checkpoint's identity");
				goto out;
			}
			id = fresh;
		}
		if (json_object_set_new(metadata, "id", json_string(id)) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (write_json(path, metadata, err, errlen) < 0)
			goto out;
		json_decref(ck->metadata);
		ck->metadata = json_incref(metadata);
	}
	ck->oldest = -1;
	ck->last_offsets = scan_ids(dir, "offsets", &ck->oldest);
	ck->last_commit = scan_ids(dir, "commits", NULL);
	*out = ck;
	ck = NULL;
	rc = 0;
out:
	checkpoint_close(ck);
	return rc;
}

int64_t checkpoint_last_offsets(const struct checkpoint *ck)
{
	return ck->last_offsets;
}

int64_t checkpoint_last_commit(const struct checkpoint *ck)
{
	return ck->last_commit;
}

/* The path of offsets/N or commits/N. */
static void batch_path(const struct checkpoint *ck, const char *kind, uint64_t batch, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s/%llu", ck->dir, kind, (unsigned long long)batch);
}

int checkpoint_write_offsets(struct checkpoint *ck, uint64_t batch, json_t *plan, char *err, size_t errlen)
{
	char path[4096];

	batch_path(ck, "offsets", batch, path, sizeof(path));
	if (write_json(path, plan, err, errlen) < 0)
		return -1;
	if ((int64_t)batch > ck->last_offsets)
		ck->last_offsets = (int64_t)batch;
	if (ck->oldest < 0)
		ck->oldest = (int64_t)batch;
	return 0;
}

int checkpoint_write_commit(struct checkpoint *ck, uint64_t batch, json_t *commit, char *err, size_t errlen)
{
	char path[4096];

	batch_path(ck, "commits", batch, path, sizeof(path));
	if (write_json(path, commit, err, errlen) < 0)
		return -1;
	if ((int64_t)batch > ck->last_commit)
		ck->last_commit = (int64_t)batch;
	return 0;
}

static json_t *read_batch(const struct checkpoint *ck, const char *kind, uint64_t batch, char *err, size_t errlen)
{
	char path[4096];

	batch_path(ck, kind, batch, path, sizeof(path));
	return read_json(path, err, errlen);
}

json_t *checkpoint_read_offsets(const struct checkpoint *ck, uint64_t batch, char *err, size_t errlen)
{
	return read_batch(ck, "offsets", batch, err, errlen);
}

json_t *checkpoint_read_commit(const struct checkpoint *ck, uint64_t batch, char *err, size_t errlen)
{
	return read_batch(ck, "commits", batch, err, errlen);
}

json_t *checkpoint_metadata(const struct checkpoint *ck)
{
	return ck->metadata;
}

void checkpoint_purge(struct checkpoint *ck)
{
	char path[4096];
	int64_t keep_from = ck->last_commit - CHECKPOINT_RETAIN + 1;

	if (ck->oldest < 0 || keep_from <= ck->oldest)
		return;
	for (int64_t b = ck->oldest; b < keep_from; b++) {
		batch_path(ck, "commits", (uint64_t)b, path, sizeof(path));
		unlink(path);
		batch_path(ck, "offsets", (uint64_t)b, path, sizeof(path));
		unlink(path);
	}
	ck->oldest = keep_from;
}

int checkpoint_has(const struct checkpoint *ck, const char *kind, uint64_t batch)
{
	char path[4096];

	batch_path(ck, kind, batch, path, sizeof(path));
	return access(path, F_OK) == 0;
}

const char *checkpoint_dir(const struct checkpoint *ck)
{
	return ck->dir;
}

void checkpoint_close(struct checkpoint *ck)
{
	if (ck == NULL)
		return;
	if (ck->lock_fd >= 0)
		close(ck->lock_fd);
	json_decref(ck->metadata);
	free(ck->dir);
	free(ck);
}
