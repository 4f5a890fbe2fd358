/* File registry: snapshot + append-only log, in the checkpoint folder. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fsutil.h"
#include "growbuf.h"
#include "registry.h"
#include "strmap.h"

#define REGISTRY_MAX_FILE (1024 * 1024 * 1024)

struct registry {
	char snapshot[4096];
	char log[4096];
	struct strmap *map;	/* key -> struct registry_entry */
	struct growbuf pending; /* log lines not yet written */
	size_t log_lines;	/* lines in registry.log */
	size_t log_good;	/* bytes of registry.log up to the end of its last complete line */
	int log_torn;		/* registry.log ends in a torn line: cut at log_good before the next append */
	int had_files;		/* a snapshot or a log was there when it was loaded */
	int64_t last_batch;
	int64_t last_marked; /* highest batch with a complete-marker line ("k":"-") */
};

void registry_foreach(const struct registry *reg, void (*fn)(const struct registry_entry *e, void *arg), void *arg);

static void entry_free(void *p)
{
	struct registry_entry *e = p;

	if (e == NULL)
		return;
	free(e->path);
	free(e);
}

/* One registry line. A path that is not UTF-8 (JSON text must be) is kept exactly as "ph", its
 * bytes in hex, with "p" its display form (fsutil_display_name). */
static json_t *entry_json(const struct registry_entry *e)
{
	const char *path = e->path != NULL ? e->path : "";
	char shown[4200], hex[8200];
	json_t *j = NULL;

	if (fsutil_is_utf8(path)) {
		j = json_pack("{s:s,s:s,s:I,s:I,s:i,s:I,s:I,s:I}", "k", e->key, "p", path, "s", (json_int_t)e->size,
			      "m", (json_int_t)e->mtime_ns, "st", e->state, "b", (json_int_t)e->batch, "r",
			      (json_int_t)e->rows, "g", (json_int_t)e->gone_ns);
		goto out;
	}
	if (fsutil_hex_encode(path, hex, sizeof(hex)) < 0)
		goto out;
	fsutil_display_name(path, shown, sizeof(shown));
	j = json_pack("{s:s,s:s,s:s,s:I,s:I,s:i,s:I,s:I,s:I}", "k", e->key, "p", shown, "ph", hex, "s",
		      (json_int_t)e->size, "m", (json_int_t)e->mtime_ns, "st", e->state, "b", (json_int_t)e->batch, "r",
		      (json_int_t)e->rows, "g", (json_int_t)e->gone_ns);
out:
	return j;
}

/* Store a copy of e, replacing any entry with its key. */
static int store(struct registry *reg, const struct registry_entry *e)
{
	struct registry_entry *c = malloc(sizeof(*c));
	void *old = NULL;

	if (c == NULL)
		return -1;
	*c = *e;
	c->path = strdup(e->path != NULL ? e->path : "");
	if (c->path == NULL || strmap_put(reg->map, c->key, c, &old) < 0) {
		entry_free(c);
		return -1;
	}
	entry_free(old);
	if ((int64_t)e->batch > reg->last_batch)
		reg->last_batch = (int64_t)e->batch;
	if (strcmp(e->key, "-") == 0 && (int64_t)e->batch > reg->last_marked)
		reg->last_marked = (int64_t)e->batch;
	return 0;
}

/* Parse one line into *e (e->path points into j or buf). Returns 0, or -1 if it is not an entry. */
static int parse_line(const char *line, json_t **j, struct registry_entry *e, char *buf, size_t buflen)
{
	const char *key = NULL, *path = NULL, *hex = NULL;
	json_int_t size = 0, mtime = 0, batch = 0, rows = 0, gone = 0;
	int state = 0;

	*j = json_loads(line, 0, NULL);
	if (*j == NULL)
		return -1;
	if (json_unpack(*j, "{s:s,s:s,s?s,s:I,s:I,s:i,s:I,s:I,s:I}", "k", &key, "p", &path, "ph", &hex, "s", &size, "m",
			&mtime, "st", &state, "b", &batch, "r", &rows, "g", &gone) < 0 ||
	    strlen(key) >= sizeof(e->key) || batch < 0 || (hex != NULL && fsutil_hex_decode(hex, buf, buflen) < 0))
		return -1;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->path = hex != NULL ? buf : (char *)path;
	e->size = (uint64_t)size;
	e->mtime_ns = mtime;
	e->state = state;
	e->batch = (uint64_t)batch;
	e->rows = (uint64_t)rows;
	e->gone_ns = gone;
	return 0;
}

/* Apply the JSON lines of text (len bytes) from file. A last line without its newline is a torn
 * append (a crash while writing it, even one that stopped just before the newline): it is left
 * out, *good is the length before it and *torn is set; its batch is re-applied from commits/, as
 * its marker line is missing. Any other line that does not parse is damage: -1 with err naming
 * the file and line. Returns the number of lines applied. */
static long apply_lines(struct registry *reg, const char *file, char *text, size_t len, size_t *good, int *torn,
			char *err, size_t errlen)
{
	char buf[4200];
	size_t off = 0, lineno = 0;
	long n = 0;

	*good = 0;
	*torn = 0;
	while (off < len) {
		char *line = text + off, *nl = memchr(line, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len;
		struct registry_entry e = { 0 };
		json_t *j = NULL;
		lineno++;
		if (nl != NULL)
			*nl = '\0';
		if (line[0] == '\0' && nl != NULL) { /* an empty line: harmless */
			off = end;
			*good = end;
			continue;
		}
		if (nl == NULL) { /* an append the crash cut before its newline, whether it parses or not */
			*torn = 1;
			break;
		}
		if (parse_line(line, &j, &e, buf, sizeof(buf)) < 0) {
			json_decref(j);
			snprintf(
			    err, errlen,
			    "the checkpoint is damaged: %s line %zu is not a registry entry (\"%.60s\"); pcapstream "
			    "stopped rather than ingest files twice or lose them. Restore the checkpoint folder from "
			    "a backup; or, if that line is garbage, delete it (sed -i '%zud' %s) and start again (a "
			    "file the line described would be ingested again)",
			    file, lineno, line, lineno, file);
			return -1;
		}
		if (store(reg, &e) < 0) {
			json_decref(j);
			snprintf(err, errlen, "out of memory loading %s", file);
			return -1;
		}
		json_decref(j);
		n++;
		off = end;
		*good = end;
	}
	return n;
}

int registry_load(const char *dir, struct registry **out, char *err, size_t errlen)
{
	struct registry *reg = calloc(1, sizeof(*reg));
	char *text = NULL;
	size_t len = 0;
	long lines;
	int rc = -1;

	*out = NULL;
	if (reg == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	reg->last_batch = -1;
	reg->last_marked = -1;
	growbuf_init(&reg->pending, REGISTRY_MAX_FILE);
	reg->map = strmap_new();
	if (reg->map == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(reg->snapshot, sizeof(reg->snapshot), "%s/registry", dir);
	snprintf(reg->log, sizeof(reg->log), "%s/registry.log", dir);
	reg->had_files = access(reg->snapshot, F_OK) == 0 || access(reg->log, F_OK) == 0;
	if (access(reg->snapshot, F_OK) == 0) {
		size_t good = 0;
		int torn = 0;
		text = fsutil_read_file(reg->snapshot, REGISTRY_MAX_FILE, &len, err, errlen);
		if (text == NULL)
			goto out;
		/* The snapshot is replaced atomically: even a torn end in it is damage. */
		if (apply_lines(reg, reg->snapshot, text, len, &good, &torn, err, errlen) < 0)
			goto out;
		if (torn) {
			snprintf(
			    err, errlen,
			    "the checkpoint is damaged: %s ends in an incomplete line, which an atomic write cannot "
			    "leave; restore the checkpoint folder from a backup",
			    reg->snapshot);
			goto out;
		}
		free(text);
		text = NULL;
	}
	if (access(reg->log, F_OK) == 0) {
		text = fsutil_read_file(reg->log, REGISTRY_MAX_FILE, &len, err, errlen);
		if (text == NULL)
			goto out;
		lines = apply_lines(reg, reg->log, text, len, &reg->log_good, &reg->log_torn, err, errlen);
		if (lines < 0)
			goto out;
		reg->log_lines = (size_t)lines;
	}
	*out = reg;
	reg = NULL;
	rc = 0;
out:
	free(text);
	registry_free(reg);
	return rc;
}

const struct registry_entry *registry_get(const struct registry *reg, const char *key)
{
	return strmap_get(reg->map, key);
}

static int append_pending(struct registry *reg, const struct registry_entry *e)
{
	json_t *j = entry_json(e);
	char *line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc = -1;

	if (line == NULL)
		goto out;
	if (growbuf_append_line(&reg->pending, line) < 0)
		goto out;
	reg->log_lines++;
	rc = 0;
out:
	free(line);
	json_decref(j);
	return rc;
}

int registry_put(struct registry *reg, const struct registry_entry *e)
{
	if (store(reg, e) < 0)
		return -1;
	return append_pending(reg, e);
}

int registry_mark_gone(struct registry *reg, const char *key, int64_t now_ns)
{
	struct registry_entry *e = strmap_get(reg->map, key);

	if (e == NULL || e->gone_ns != 0)
		return 0;
	e->gone_ns = now_ns;
	return append_pending(reg, e);
}

int registry_sync(struct registry *reg, char *err, size_t errlen)
{
	size_t off = 0;
	int fd, rc = -1;

	if (reg->pending.len == 0)
		return 0;
	fd = open(reg->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", reg->log, strerror(errno));
		goto out;
	}
	/* A torn last line (a crash during an append) is cut before anything follows it, so it can
	 * never end up in the middle of the log. */
	if (reg->log_torn && ftruncate(fd, (off_t)reg->log_good) < 0) {
		snprintf(err, errlen, "cannot cut the torn end of %s: %s", reg->log, strerror(errno));
		goto out;
	}
	while (off < reg->pending.len) {
		ssize_t n = write(fd, reg->pending.data + off, reg->pending.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot append to %s: %s", reg->log, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "cannot fsync %s: %s", reg->log, strerror(errno));
		goto out;
	}
	reg->log_good += reg->pending.len;
	reg->log_torn = 0;
	reg->pending.len = 0;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int registry_note_batch(struct registry *reg, uint64_t batch)
{
	struct registry_entry e = { .key = "-", .path = "", .batch = batch, .gone_ns = 1 };

	return registry_put(reg, &e);
}

int registry_torn(const struct registry *reg)
{
	return reg->log_torn;
}

struct compact_ctx {
	int64_t cutoff;
	struct growbuf buf; /* the snapshot */
	int failed;
	const char **drop; /* keys to forget */
	size_t ndrop, capdrop;
};

static void compact_one(const char *key, void *value, void *arg)
{
	struct compact_ctx *c = arg;
	struct registry_entry *e = value;

	if (e->gone_ns != 0 && e->gone_ns < c->cutoff) {
		if (growbuf_array((void **)&c->drop, &c->capdrop, c->ndrop + 1, sizeof(*c->drop), SIZE_MAX) < 0) {
			c->failed = 1;
			return;
		}
		c->drop[c->ndrop++] = key;
		return;
	}
	json_t *j = entry_json(e);
	char *line = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (line == NULL) {
		c->failed = 1;
		return;
	}
	if (growbuf_append_line(&c->buf, line) < 0)
		c->failed = 1;
	free(line);
}

int registry_maybe_compact(struct registry *reg, int64_t now_ns, int64_t retention_ns, char *err, size_t errlen)
{
	struct compact_ctx c = { .cutoff = now_ns - retention_ns };
	int rc = -1;

	growbuf_init(&c.buf, REGISTRY_MAX_FILE);
	if (reg->log_lines < 1000 || reg->log_lines < strmap_count(reg->map))
		return 0;
	if (registry_sync(reg, err, errlen) < 0)
		return -1;
	strmap_foreach(reg->map, compact_one, &c);
	if (c.failed) {
		snprintf(err, errlen, "out of memory compacting the registry");
		goto out;
	}
	/* The batch high-water mark must survive even if every entry is forgotten. */
	if (reg->last_batch >= 0) {
		char line[160];
		int n = snprintf(line, sizeof(line),
				 "{\"k\":\"-\",\"p\":\"\",\"s\":0,\"m\":0,\"st\":0,\"b\":%lld,\"r\":0,\"g\":1}\n",
				 (long long)reg->last_batch);
		if (growbuf_append(&c.buf, line, (size_t)n) < 0) {
			snprintf(err, errlen, "out of memory compacting the registry");
			goto out;
		}
	}
	if (fsutil_write_atomic(reg->snapshot, c.buf.data != NULL ? c.buf.data : "", c.buf.len, err, errlen) < 0)
		goto out;
	/* The snapshot holds everything the log did: the log can go. */
	if (unlink(reg->log) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", reg->log, strerror(errno));
		goto out;
	}
	fsutil_fsync_dir(reg->log);
	reg->log_lines = 0;
	reg->log_good = 0;
	reg->log_torn = 0;
	for (size_t i = 0; i < c.ndrop; i++)
		entry_free(strmap_del(reg->map, c.drop[i]));
	rc = 0;
out:
	free(c.drop);
	growbuf_free(&c.buf);
	return rc;
}

int64_t registry_last_batch(const struct registry *reg)
{
	return reg->last_batch;
}

int registry_legacy(const struct registry *reg)
{
	return reg->had_files && reg->last_marked < 0;
}

int64_t registry_resume_batch(const struct registry *reg)
{
	if (reg->last_batch < 0)
		return 0;
	return reg->last_marked >= reg->last_batch ? reg->last_batch + 1 : reg->last_batch;
}

static void count_one(const struct registry_entry *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
}

size_t registry_count(const struct registry *reg)
{
	size_t n = 0;

	registry_foreach(reg, count_one, &n);
	return n;
}

struct foreach_ctx {
	void (*fn)(const struct registry_entry *e, void *arg);
	void *arg;
};

static void foreach_one(const char *key, void *value, void *arg)
{
	struct foreach_ctx *c = arg;

	(void)key;
	if (((struct registry_entry *)value)->state != 0) /* not the batch high-water marker */
		c->fn(value, c->arg);
}

void registry_foreach(const struct registry *reg, void (*fn)(const struct registry_entry *e, void *arg), void *arg)
{
	struct foreach_ctx c = { .fn = fn, .arg = arg };

	strmap_foreach(reg->map, foreach_one, &c);
}

void registry_free(struct registry *reg)
{
	if (reg == NULL)
		return;
	strmap_free(reg->map, entry_free);
	growbuf_free(&reg->pending);
	free(reg);
}
