/* The file source: captures from a watched folder (watch) or from files and folders (replay).
 *
 * Its state is the registry (what content was ingested or quarantined, under which path) and the
 * queue of files discovered and not yet planned. A plan is a list of files with their content
 * keys; reading it decodes each file into rows (ids = content hash + frame number, so a replay of
 * the plan gives the same rows); the acknowledgement records the files in the registry, moves bad
 * ones to quarantine and applies cleanSource. Which files are complete is discover.c's business. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "checkpoint.h"
#include "discover.h"
#include "driver.h"
#include "engine.h"
#include "fault.h"
#include "fingerprint.h"
#include "fileflows.h"
#include "fsutil.h"
#include "growbuf.h"
#include "jsonpath.h"
#include "log.h"
#include "pcaprow.h"
#include "pending.h"
#include "quarantine.h"
#include "registry.h"
#include "rowfmt.h"
#include "source.h"
#include "source_file.h"
#include "statekeys.h"
#include "strmap.h"
#include "upgrade.h"

#define FILESRC_CHUNK 512 /* rows handed to the sinks at a time */

/* A file whose inode was last changed at least this long before it was fingerprinted is trusted
 * to hold that content at batch time while device, inode, size and ctime are the same (any
 * write changes ctime), so it is not hashed a second time. A more recent change may share its
 * ctime with a write made while it was hashed (file systems stamp ctime from a coarse clock, some
 * to the second): such a file is hashed again before it is read. */
#define FILESRC_RACY_NS 2000000000LL

struct filesrc {
	const struct engine_config *cfg;
	const struct source_env *env;
	struct engine_summary *sum;
	struct registry *reg;
	struct discover *d;
	struct pending *pending; /* discovered, not yet planned */
	struct strmap *waiting;	 /* path -> key: a copy of content queued under another name */
	int overflowed;		 /* more files than max_pending: rescan once the queue drains */
	int scanned;		 /* the first full scan is done */
	const char *exclude[4];
	const char *const *paths; /* what is scanned: watch, the folder as an absolute path */
	int npaths;
	char root[4096];		/* watch: the folder, absolute */
	const char *rootv[1];		/* watch: paths = { root } */
	char excl[3][4096];		/* watch: the excluded folders, absolute */
	uint64_t total_files;		/* over the checkpoint's life */
	uint64_t batch_ok;		/* files of the batch read, ingested whole (counted in the commit's totals) */
	const struct source_emit *emit; /* while a batch is read */
	struct row *rows;
	size_t nrows;
	struct fileflows *ff;  /* --emit flows or both: the open flows, kept with the checkpoint */
	int flush_wanted;      /* the next plan reports every open flow */
	int draining;	       /* replay, once, available-now: the run ends when nothing is left */
	int64_t last_files_ns; /* monotonic time of the last batch with files */
	/* progress */
	uint64_t bytes_total, bytes_done, files_total, files_done, cur_offset;
};

static void iso_now(char *out)
{
	rowfmt_time_text(out, fsutil_now_ns());
}

/* Quarantine a bad file (see quarantine.h); watch moves it, and forgets it. 0 or -1 (logged). */
static int quarantine(struct filesrc *e, const char *path, const char *reason, uint64_t rows)
{
	int move = e->cfg->mode == ENGINE_WATCH;

	if (quarantine_file(e->cfg->quarantine_dir, move, path, reason, rows) < 0)
		return -1;
	if (move)
		discover_forget(e->d, path);
	e->sum->quarantined++;
	return 0;
}

static void clean_source(struct filesrc *e, const char *path, const char *key);

/* A copy of content queued under another name waits for that file's outcome (see
 * recheck_waiting): a copy of a file found bad must be quarantined too, a copy of an ingested one
 * is cleaned like it. At most max_pending wait; more are found again by a rescan. */
static void wait_for(struct filesrc *e, const char *path, uint64_t size, int64_t mtime_ns, const char *key)
{
	char *k;
	void *old = NULL;

	if (strmap_count(e->waiting) >= e->cfg->max_pending) {
		e->overflowed = 1;
		return;
	}
	k = strdup(key);
	if (k == NULL || strmap_put(e->waiting, path, k, &old) < 0) {
		free(k);
		e->overflowed = 1;
		return;
	}
	free(old);
	discover_remember(e->d, path, size, mtime_ns, key);
}

static void take(struct filesrc *e, const char *path, const struct stat *st, int again)
{
	unsigned char magic[4];
	struct fingerprint fp;
	struct pending_file *c;
	char err[512], key[40];
	const struct registry_entry *re;
	ssize_t got;
	int fd;

	if (pending_count(e->pending) >= e->cfg->max_pending) {
		struct pending_file *last = pending_last(e->pending);
		e->overflowed = 1; /* it, or the file it pushes out, waits on disk for a rescan */
		if (last == NULL || !pending_before(e->pending, path, discover_mtime(st), last))
			return;
		discover_forget(e->d, last->path); /* looked at again by that rescan */
		pending_remove(e->pending, last);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return; /* gone meanwhile */
		snprintf(err, sizeof(err), "cannot open: %s", strerror(errno));
		quarantine(e, path, err, 0);
		return;
	}
	if (fingerprint_fd(fd, &fp, err, sizeof(err)) < 0) {
		close(fd);
		quarantine(e, path, err, 0);
		return;
	}
	got = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	if (fp.size == 0) {
		quarantine(e, path, "empty file (0 bytes): not a capture", 0);
		return;
	}
	if (got <= 0 || !capture_sniff(magic, (size_t)got)) {
		snprintf(
		    err, sizeof(err),
		    "not a pcap or pcapng capture, plain or gzip/zstd/lz4-compressed (first bytes %02x %02x %02x %02x)",
		    got > 0 ? magic[0] : 0, got > 1 ? magic[1] : 0, got > 2 ? magic[2] : 0, got > 3 ? magic[3] : 0);
		quarantine(e, path, err, 0);
		return;
	}
	fingerprint_key(&fp, key);
	re = registry_get(e->reg, key);
	if (re == NULL)
		re = upgrade_legacy_entry(e->reg, &fp, path, discover_mtime(st), key);
	if (re != NULL && re->state == REGISTRY_QUARANTINED && !upgrade_same_path(re->path, path) &&
	    e->cfg->mode == ENGINE_WATCH) {
		/* the same bad content under another name: it goes where the first copy went */
		char why[4400];
		snprintf(why, sizeof(why), "same content as %s, quarantined in batch %llu", re->path,
			 (unsigned long long)re->batch);
		quarantine(e, path, why, 0);
		return;
	}
	if (re != NULL && re->state != 0) {
		discover_remember(e->d, path, fp.size, discover_mtime(st), key);
		if (!upgrade_same_path(re->path, path) && !again) {
			log_line(LOG_INFO,
				 re->state == REGISTRY_INGESTED ? "skipped: same content already ingested"
								: "skipped: same content already quarantined",
				 (struct log_field[]){ LOG_S("file", path), LOG_S("ingested_as", re->path),
						       LOG_I("batch", re->batch) },
				 3);
			e->sum->duplicates++;
		}
		if (e->cfg->clean != CLEAN_OFF && re->state == REGISTRY_INGESTED)
			clean_source(e, path, key);
		return;
	}
	c = pending_get(e->pending, key);
	if (c != NULL) {
		if (strcmp(c->path, path) != 0) {
			if (!again) {
				log_line(LOG_INFO, "skipped: same content already queued",
					 (struct log_field[]){ LOG_S("file", path), LOG_S("queued_as", c->path) }, 2);
				e->sum->duplicates++;
			}
			wait_for(e, path, fp.size, discover_mtime(st), key);
		} else {
			discover_remember(e->d, path, fp.size, discover_mtime(st), key);
		}
		return;
	}
	if (e->cfg->max_file_age_ns > 0 && fsutil_now_ns() - discover_mtime(st) > e->cfg->max_file_age_ns) {
		discover_remember(e->d, path, fp.size, discover_mtime(st), key);
		log_line(LOG_INFO, "skipped: older than --max-file-age", (struct log_field[]){ LOG_S("file", path) },
			 1);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return;
	c->path = strdup(path);
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->size = fp.size;
	c->mtime_ns = discover_mtime(st);
	c->sig_ok = fp.ctime_ns < fp.taken_ns - FILESRC_RACY_NS;
	c->dev = fp.dev;
	c->ino = fp.ino;
	c->ctime_ns = fp.ctime_ns;
	if (c->path == NULL) {
		free(c);
		return;
	}
	if (pending_add(e->pending, c) < 0)
		return;
	discover_remember(e->d, path, fp.size, discover_mtime(st), key);
}

static void collect_decided(const char *path, void *value, void *arg)
{
	struct growbuf_strv *r = ((void **)arg)[0];
	struct filesrc *e = ((void **)arg)[1];

	if (pending_get(e->pending, value) == NULL)
		growbuf_strv_push(r, path, e->cfg->max_pending);
}

/* Copies whose content is no longer queued (its batch committed, or it vanished): look at them
 * again, now that the registry knows what became of that content. */
static void recheck_waiting(struct filesrc *e)
{
	struct growbuf_strv r = { 0 };
	void *ctx[2] = { &r, e };

	strmap_foreach(e->waiting, collect_decided, ctx);
	for (size_t i = 0; i < r.n; i++) {
		struct stat st;
		free(strmap_del(e->waiting, r.v[i]));
		discover_forget(e->d, r.v[i]);
		if (lstat(r.v[i], &st) == 0 && S_ISREG(st.st_mode))
			take(e, r.v[i], &st, 1);
	}
	growbuf_strv_free(&r);
}

struct sweep_ctx {
	struct filesrc *e;
	struct strmap *seen;	  /* keys of files present */
	struct growbuf_strv gone; /* registry keys no longer present */
};

static void sweep_seen(const char *key, void *arg)
{
	strmap_put(((struct sweep_ctx *)arg)->seen, key, (void *)1, NULL);
}

static void sweep_registry(const struct registry_entry *re, void *arg)
{
	struct sweep_ctx *c = arg;

	if (re->gone_ns == 0 && strmap_get(c->seen, re->key) == NULL && pending_get(c->e->pending, re->key) == NULL)
		growbuf_strv_push(&c->gone, re->key, SIZE_MAX);
}

/* After a full scan of the watched folder: registry entries whose content is no longer in the
 * folder are marked gone (so compaction can drop them after the retention): the registry follows
 * the live files. */
static void sweep(struct filesrc *e)
{
	struct sweep_ctx c = { .e = e, .seen = strmap_new() };
	char err[512];

	if (c.seen == NULL)
		return;
	discover_foreach_key(e->d, sweep_seen, &c);
	registry_foreach(e->reg, sweep_registry, &c);
	for (size_t i = 0; i < c.gone.n; i++)
		registry_mark_gone(e->reg, c.gone.v[i], fsutil_now_ns());
	if (c.gone.n > 0 &&
	    (registry_sync(e->reg, err, sizeof(err)) < 0 ||
	     registry_maybe_compact(e->reg, fsutil_now_ns(), e->cfg->forget_after_ns, err, sizeof(err)) < 0))
		log_line(LOG_WARN, "cannot write the registry", (struct log_field[]){ LOG_S("error", err) }, 1);
	growbuf_strv_free(&c.gone);
	strmap_free(c.seen, NULL);
}

static void add_pending_bytes(const struct pending_file *f, void *arg);

static void scan_all(struct filesrc *e)
{
	/* Cleared before the walk, not after: a queue that fills up during it sets it again, and the
	 * files left on disk are found by the next scan once the queue drains. */
	e->overflowed = 0;
	discover_scan(e->d);
	if (e->cfg->mode == ENGINE_WATCH)
		sweep(e);
	/* progress: what is queued now is what is left */
	e->bytes_total = e->bytes_done;
	e->files_total = e->files_done;
	pending_foreach(e->pending, add_pending_bytes, e);
}

static void take_found(void *arg, const char *path, const struct stat *st)
{
	take(arg, path, st, 0);
}

/* The next batch's plan from the pending files (removed from pending), honouring the limits
 * unless unlimited. NULL if nothing is pending. */
/* A plan for batch without files yet: {"batch", "planned_at", "files": []}. NULL if out of memory. */
static json_t *plan_new(uint64_t batch)
{
	char when[40];

	iso_now(when);
	return json_pack("{s:I,s:s,s:[]}", SK_BATCH, (json_int_t)batch, SK_PLANNED_AT, when, SK_FILES);
}

static json_t *plan_batch(struct filesrc *e, uint64_t batch, int unlimited)
{
	size_t count = 0, n = 0;
	struct pending_file **v = pending_sorted(e->pending, &count);
	json_t *plan = NULL, *files;
	uint64_t bytes = 0;

	if (v == NULL)
		goto out;
	plan = plan_new(batch);
	if (plan == NULL)
		goto out; /* out of memory: the files stay pending */
	files = json_object_get(plan, SK_FILES);
	for (; n < count; n++) {
		struct pending_file *f = v[n];
		if (!unlimited && e->cfg->max_files > 0 && n >= e->cfg->max_files)
			break;
		if (!unlimited && e->cfg->max_bytes > 0 && n > 0 && bytes + f->size > e->cfg->max_bytes)
			break;
		bytes += f->size;
		json_t *o = json_pack("{s:s,s:I,s:I}", "key", f->key, "size", (json_int_t)f->size, "mtime_ns",
				      (json_int_t)f->mtime_ns);
		char sig[80];
		snprintf(sig, sizeof(sig), "%llu:%llu:%lld", (unsigned long long)f->dev, (unsigned long long)f->ino,
			 (long long)f->ctime_ns);
		if (o == NULL || (f->sig_ok && json_object_set_new(o, "sig", json_string(sig)) < 0) ||
		    jsonpath_set(o, "path", f->path) < 0 || json_array_append_new(files, o) < 0) {
			json_decref(plan); /* out of memory: the files stay pending */
			plan = NULL;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		pending_remove(e->pending, v[i]);
out:
	free(v);
	return plan;
}

/* The packet rows made so far: into the flow table (its records go to the sinks their own way),
 * then, when packets are emitted, to the driver (every sink). 0, or -1 with err (a sink failed, or
 * the flow table ran out of memory). */
static int deliver(struct filesrc *e, char *err, size_t errlen)
{
	int rc = 0;

	if (e->ff != NULL)
		rc = fileflows_add(e->ff, e->rows, e->nrows, err, errlen);
	if (rc == 0 && (e->cfg->emit & ENGINE_EMIT_PACKETS))
		rc = e->emit->rows(e->emit->drv, e->rows, e->nrows, err, errlen);
	e->nrows = 0;
	return rc;
}

enum file_status { FILE_OK, FILE_TRUNCATED, FILE_CORRUPT, FILE_UNREADABLE, FILE_CHANGED };
static const char *const file_status_names[] = { "ok", "truncated", "corrupt", "unreadable", "changed" };

/* Whether the open file fd is still what was fingerprinted for the plan (sig, "dev:ino:ctime_ns"
 * as plan_batch() wrote it, or NULL when the key must be checked) at size bytes. */
static int trusted(int fd, const char *sig, uint64_t size)
{
	unsigned long long dev, ino;
	long long ctime_ns;
	struct stat st;

	if (sig == NULL || sscanf(sig, "%llu:%llu:%lld", &dev, &ino, &ctime_ns) != 3 || fstat(fd, &st) < 0)
		return 0;
	return (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino && (uint64_t)st.st_size == size &&
	       (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec == ctime_ns;
}

/* Read one planned file (sig and size as planned) into the sinks. Returns 0 with *status,
 * *frames and (for problems) a message in why; -1 if a sink failed (message in err); 1 if a stop
 * was requested. */
static int process_file(struct filesrc *e, const char *path, const char *key, const char *sig, uint64_t size,
			enum file_status *status, uint64_t *frames, char *why, size_t whylen, char *err, size_t errlen)
{
	struct capture *cap = NULL;
	struct capture_pkt pkt;
	struct fingerprint fp;
	char fkey[40], lkey[40], name[1024], hex[17];
	int dlt, st, fd, rc = 0;

	*frames = 0;
	why[0] = '\0';
	/* pcap.file is JSON text: a name that is not UTF-8 shows its other bytes as \xHH */
	fsutil_display_name(fsutil_basename(path), name, sizeof(name));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		*status = errno == ENOENT ? FILE_CHANGED : FILE_UNREADABLE;
		goto out;
	}
	/* The planned key's hash (the part before ':') is what the rows' ids are made of. */
	snprintf(hex, sizeof(hex), "%.16s", key);
	if (trusted(fd, sig, size)) {
		if (capture_open_fd(fd, &cap, NULL, why, whylen) < 0) {
			*status = FILE_UNREADABLE;
			goto out;
		}
	} else {
		if (capture_open_fd(fd, &cap, &fp, why, whylen) < 0) {
			*status = access(path, F_OK) == 0 ? FILE_UNREADABLE : FILE_CHANGED;
			goto out;
		}
		fingerprint_key(&fp, fkey);
		/* a plan written before 0.2 names the file by the key that version gave it */
		if (strcmp(fkey, key) != 0 && (fingerprint_legacy_key(&fp, lkey) < 0 || strcmp(lkey, key) != 0)) {
			snprintf(why, whylen, "content changed since it was planned (now %s)", fkey);
			*status = FILE_CHANGED;
			goto out;
		}
	}
	dlt = capture_datalink(cap);
	for (;;) {
		st = capture_next(cap, &pkt, why, whylen);
		if (st != CAPTURE_PACKET)
			break;
		(*frames)++;
		pcaprow_make(&e->rows[e->nrows++], &pkt, dlt, name, hex, *frames);
		if (e->nrows == FILESRC_CHUNK) {
			e->cur_offset = capture_offset(cap);
			if (deliver(e, err, errlen) < 0) {
				rc = -1;
				goto out;
			}
			fault_point("mid-batch");
			if (*e->env->stop) {
				rc = 1;
				goto out;
			}
		}
	}
	if (e->nrows > 0 && deliver(e, err, errlen) < 0) {
		rc = -1;
		goto out;
	}
	*status = st == CAPTURE_END ? FILE_OK : st == CAPTURE_TRUNCATED ? FILE_TRUNCATED : FILE_CORRUPT;
	if (*status == FILE_OK)
		why[0] = '\0';
out:
	e->nrows = 0;
	e->cur_offset = 0;
	capture_close(cap);
	return rc;
}

/* Whether path still holds the content key (so it is safe to move or delete). */
static int same_content(const char *path, const char *key)
{
	struct fingerprint fp;
	char err[256], k[40];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ok = 0;

	if (fd < 0)
		return 0;
	if (fingerprint_fd(fd, &fp, err, sizeof(err)) == 0) {
		fingerprint_key(&fp, k);
		ok = strcmp(k, key) == 0;
	}
	close(fd);
	return ok;
}

/* cleanSource for an ingested file: archive (move) or delete, if it still is that content. */
static void clean_source(struct filesrc *e, const char *path, const char *key)
{
	char dst[4096], err[512];

	if (e->cfg->clean == CLEAN_OFF || !same_content(path, key))
		return;
	if (e->cfg->clean == CLEAN_DELETE) {
		if (unlink(path) < 0) {
			log_line(LOG_ERROR, "cannot delete ingested file",
				 (struct log_field[]){ LOG_S("file", path), LOG_S("error", strerror(errno)) }, 2);
			return;
		}
		fsutil_fsync_dir(path);
	} else {
		if (fsutil_mkdirs(e->cfg->archive_dir, err, sizeof(err)) < 0 ||
		    fsutil_free_name(e->cfg->archive_dir, fsutil_basename(path), dst, sizeof(dst)) < 0 ||
		    fsutil_move(path, dst, err, sizeof(err)) < 0) {
			log_line(LOG_ERROR, "cannot archive ingested file",
				 (struct log_field[]){ LOG_S("file", path), LOG_S("error", err) }, 2);
			return;
		}
	}
	discover_forget(e->d, path);
	registry_mark_gone(e->reg, key, fsutil_now_ns());
}

/* Registry, quarantine and cleanSource for a committed batch. Idempotent: it runs again after
 * a crash until the registry is synced. Returns 0 or -1 (registry not durable) with err. */
static int post_commit(struct filesrc *e, uint64_t batch, json_t *results, char *err, size_t errlen)
{
	size_t i;
	json_t *r;

	json_array_foreach(results, i, r)
	{
		char pbuf[4096];
		const char *path = jsonpath_get(r, "path", pbuf, sizeof(pbuf));
		const char *key = json_string_value(json_object_get(r, "key"));
		const char *status = json_string_value(json_object_get(r, "status"));
		const char *why = json_string_value(json_object_get(r, "error"));
		struct registry_entry re = { 0 };
		char reason[1200];
		struct stat st;
		if (path == NULL || key == NULL || status == NULL)
			continue;
		if (strcmp(status, "changed") == 0)
			continue; /* not what was planned: whatever is there now is discovered anew */
		snprintf(reason, sizeof(reason), "%s%s%s (batch %llu)", status, why ? ": " : "", why ? why : "",
			 (unsigned long long)batch);
		if (strcmp(status, "unreadable") == 0) {
			/* Says nothing about the content: no registry entry, so the same content made
			 * readable again (chmod, a copy dropped in) is ingested. The file itself goes to
			 * quarantine with its reason, if it is still the one planned (same mtime). */
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    discover_mtime(&st) == json_integer_value(json_object_get(r, "mtime_ns")))
				quarantine(e, path, reason, 0);
			continue;
		}
		snprintf(re.key, sizeof(re.key), "%s", key);
		re.path = (char *)path;
		re.size = strtoull(strchr(key, ':') != NULL ? strchr(key, ':') + 1 : "0", NULL, 10);
		re.mtime_ns = json_integer_value(json_object_get(r, "mtime_ns"));
		re.batch = batch;
		re.rows = (uint64_t)json_integer_value(json_object_get(r, "frames"));
		re.state = strcmp(status, "ok") == 0 ? REGISTRY_INGESTED : REGISTRY_QUARANTINED;
		if (registry_put(e->reg, &re) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (re.state == REGISTRY_INGESTED) {
			clean_source(e, path, key);
		} else if (same_content(path, key)) {
			if (quarantine(e, path, reason, re.rows) == 0 && e->cfg->mode == ENGINE_WATCH)
				registry_mark_gone(e->reg, key, fsutil_now_ns());
		}
	}
	if (registry_note_batch(e->reg, batch) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fault_point("before-registry-sync");
	if (registry_sync(e->reg, err, errlen) < 0)
		return -1;
	if (registry_maybe_compact(e->reg, fsutil_now_ns(), e->cfg->forget_after_ns, err, errlen) < 0)
		log_line(LOG_WARN, "registry compaction failed (will retry)",
			 (struct log_field[]){ LOG_S("error", err) }, 1);
	return 0;
}

static void add_pending_bytes(const struct pending_file *f, void *arg)
{
	struct filesrc *e = arg;

	e->bytes_total += f->size;
	e->files_total++;
}

/* path as an absolute path into out: realpath if it exists, else its folder's realpath joined with
 * its name, else the current folder joined with it (a folder not made yet). */
static void absolute(const char *path, char *out, size_t outlen)
{
	char buf[4096], dir[4096];
	const char *base = fsutil_basename(path);

	if (realpath(path, buf) != NULL) {
		snprintf(out, outlen, "%s", buf);
		return;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	if (realpath(dir[0] != '\0' ? dir : ".", buf) != NULL) {
		if ((size_t)snprintf(out, outlen, "%s/%s", strcmp(buf, "/") == 0 ? "" : buf, base) >= outlen)
			snprintf(out, outlen, "%s", path);
		return;
	}
	if (path[0] == '/' || getcwd(buf, sizeof(buf)) == NULL)
		snprintf(out, outlen, "%s", path);
	else if ((size_t)snprintf(out, outlen, "%s/%s", buf, path) >= outlen)
		snprintf(out, outlen, "%s", path);
}

int source_file_check(const struct checkpoint *ck, const struct registry *reg, char *err, size_t errlen)
{
	int64_t last_commit = checkpoint_last_commit(ck);
	int64_t reg_last = registry_last_batch(reg), resume = upgrade_first_to_reapply(ck, reg);

	if (reg_last > last_commit) {
		snprintf(err, errlen,
			 "the checkpoint is damaged: its registry records batch %lld but the last commit is %s%lld "
			 "(commits/ deleted or replaced?). " DRIVER_DAMAGE_HINT,
			 (long long)reg_last, last_commit < 0 ? "none, " : "", (long long)last_commit);
		return -1;
	}
	/* Every commit the registry may lack must be there to be re-applied, and readable. */
	for (int64_t b = resume; b <= last_commit; b++) {
		if (!checkpoint_has(ck, "commits", (uint64_t)b)) {
			snprintf(err, errlen,
				 "the checkpoint is damaged: commits/%lld is missing, and the registry (which knows "
				 "batches up to %lld) needs it (registry or commits/ deleted?). " DRIVER_DAMAGE_HINT,
				 (long long)b, (long long)reg_last);
			return -1;
		}
	}
	return driver_check_checkpoint(ck, resume < last_commit ? resume : last_commit, err, errlen);
}

/* --- the source ops ----------------------------------------------------------------------------- */

/* Bring the registry up to the commits (re-apply what a crash kept from it), then look at the
 * files. */
static int fs_check(void *st, const struct checkpoint *ck, char *err, size_t errlen)
{
	return source_file_check(ck, ((struct filesrc *)st)->reg, err, errlen);
}

static int fs_recover(void *st, struct checkpoint *ck, char *err, size_t errlen)
{
	struct filesrc *e = st;
	int64_t last_commit = checkpoint_last_commit(ck);

	if (registry_torn(e->reg))
		log_msg(LOG_WARN, "registry.log ends in a torn line (a crash while appending): it is cut off and its "
				  "batch re-applied from commits/");
	if (last_commit >= 0) {
		json_t *c = checkpoint_read_commit(ck, (uint64_t)last_commit, err, errlen);
		if (c == NULL)
			return -1;
		json_t *tot = json_object_get(c, SK_TOTALS);
		e->total_files = (uint64_t)json_integer_value(json_object_get(tot, SK_FILES));
		json_int_t open = json_integer_value(json_object_get(tot, SK_FLOWS_OPEN));
		int rc = e->ff != NULL ? fileflows_recover(e->ff, last_commit, tot, err, errlen) : 0;
		json_decref(c);
		if (rc < 0)
			return -1;
		if (open > 0 && e->ff == NULL)
			log_line(LOG_WARN, "the last run left open flows; with --emit packets they are not reported",
				 (struct log_field[]){ LOG_I("flows_open", open) }, 1);
	}
	for (int64_t b = upgrade_first_to_reapply(ck, e->reg); b <= last_commit; b++) {
		json_t *c = checkpoint_read_commit(ck, (uint64_t)b, err, errlen);
		if (c == NULL)
			return -1; /* checked above: only a change since then gets here */
		log_line(LOG_INFO, "re-applying committed batch to the registry",
			 (struct log_field[]){ LOG_I("batch", b) }, 1);
		int rc = post_commit(e, (uint64_t)b, json_object_get(c, SK_FILES), err, errlen);
		json_decref(c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Whether flows are open (as the last commit left them, or as a batch read since). */
static int has_open_flows(const struct filesrc *e)
{
	return e->ff != NULL && fileflows_any_open(e->ff);
}

static enum source_state fs_poll(void *st, int64_t wait_ns, int draining)
{
	struct filesrc *e = st;
	int once = e->cfg->trigger == TRIGGER_ONCE;

	if (!e->scanned) {
		/* the first look, once the driver has replayed a batch left uncommitted */
		e->scanned = 1;
		scan_all(e);
	}
	e->draining = draining;
	if (!draining) {
		if (wait_ns > 0 && discover_wait(e->d, wait_ns))
			scan_all(e);
		else if (wait_ns == 0 && pending_count(e->pending) == 0 && e->overflowed)
			scan_all(e);
		if (pending_count(e->pending) > 0)
			return SOURCE_READY;
		/* no new file for the idle timeout (wall time): what is open is reported */
		if (has_open_flows(e) && fsutil_mono_ns() - e->last_files_ns >= e->cfg->flow.idle_ns) {
			e->flush_wanted = 1;
			return SOURCE_READY;
		}
		return SOURCE_IDLE;
	}
	/* Draining: files that may still be written (found by a scan, size not yet stable) are
	 * waited for, so none is skipped without a word; a backlog larger than the queue is taken in
	 * turns (rescan whenever the queue drains). once waits for them even with files queued. */
	if (pending_count(e->pending) == 0 && e->overflowed) {
		scan_all(e);
		return SOURCE_IDLE;
	}
	if (discover_unstable(e->d) > 0 && (pending_count(e->pending) == 0 || once)) {
		int64_t quiet = e->cfg->quiet_ns / 4 + 1000000;
		for (int64_t end = fsutil_mono_ns() + quiet; !*e->env->stop && fsutil_mono_ns() < end;) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
			nanosleep(&ts, NULL);
		}
		discover_recheck(e->d);
		return SOURCE_IDLE;
	}
	if (pending_count(e->pending) > 0)
		return SOURCE_READY;
	if (has_open_flows(e)) {
		e->flush_wanted = 1; /* the end of the input: what is still open is reported */
		return SOURCE_READY;
	}
	return SOURCE_DONE;
}

static int fs_plan(void *st, uint64_t batch, int unlimited, json_t **plan, char *err, size_t errlen)
{
	struct filesrc *e = st;

	int flush = e->ff != NULL && e->flush_wanted && has_open_flows(e);

	e->flush_wanted = 0;
	*plan = plan_batch(e, batch, unlimited);
	if (*plan == NULL && pending_count(e->pending) > 0)
		goto oom;
	/* the run's last batch (once: its one batch) also reports what is still open at its end, rather
	 * than a batch of its own after it (which would first save the open flows) */
	if (*plan != NULL)
		flush = e->ff != NULL &&
			(e->cfg->trigger == TRIGGER_ONCE || (e->draining && pending_count(e->pending) == 0 &&
							     !e->overflowed && discover_unstable(e->d) == 0));
	else if (flush)
		*plan = plan_new(batch); /* no file: a batch that only reports the open flows */
	if (flush && (*plan == NULL || json_object_set_new(*plan, SK_FLUSH_FLOWS, json_true()) < 0))
		goto oom;
	return 0;
oom:
	json_decref(*plan);
	*plan = NULL;
	snprintf(err, errlen, "out of memory planning batch %llu", (unsigned long long)batch);
	return -1;
}

static int fs_read(void *st, uint64_t batch, json_t *plan, const struct source_emit *emit, json_t **outcome,
		   struct source_batch *b, char *err, size_t errlen)
{
	struct filesrc *e = st;
	json_t *files = json_object_get(plan, SK_FILES), *res = json_array(), *f;
	uint64_t bytes_before = e->bytes_done, files_before = e->files_done;
	uint64_t ok = 0;
	char why[1024];
	size_t i;
	int rc = 0;

	e->emit = emit;
	e->batch_ok = 0;
	if (e->ff != NULL && fileflows_begin(e->ff, emit, err, errlen) < 0) {
		e->emit = NULL;
		json_decref(res);
		return -2; /* the last commit's flows cannot be read back */
	}
	if (json_array_size(files) > 0)
		e->last_files_ns = fsutil_mono_ns();
	json_array_foreach(files, i, f)
	{
		char pbuf[4096];
		const char *path = jsonpath_get(f, "path", pbuf, sizeof(pbuf));
		const char *key = json_string_value(json_object_get(f, "key"));
		enum file_status status = FILE_OK;
		uint64_t frames = 0;
		if (path == NULL || key == NULL) {
			snprintf(err, errlen, "offsets/%llu: a file without path or key", (unsigned long long)batch);
			rc = -2;
			break;
		}
		rc = process_file(e, path, key, json_string_value(json_object_get(f, "sig")),
				  (uint64_t)json_integer_value(json_object_get(f, "size")), &status, &frames, why,
				  sizeof(why), err, errlen);
		if (rc != 0)
			break;
		if (e->cfg->emit & ENGINE_EMIT_PACKETS)
			b->rows += frames;
		b->units++;
		e->bytes_done += (uint64_t)json_integer_value(json_object_get(f, "size"));
		e->files_done++;
		json_t *r =
		    json_pack("{s:s,s:I,s:I,s:s}", "key", key, "frames", (json_int_t)frames, "mtime_ns",
			      json_integer_value(json_object_get(f, "mtime_ns")), "status", file_status_names[status]);
		jsonpath_set(r, "path", path);
		if (why[0] != '\0')
			json_object_set_new(r, "error", json_string(why));
		json_array_append_new(res, r);
		if (status == FILE_OK)
			ok++;
		else if (status != FILE_CHANGED)
			b->bad++;
	}
	if (rc == 0 && e->ff != NULL)
		rc = fileflows_end(e->ff, batch, json_is_true(json_object_get(plan, SK_FLUSH_FLOWS)), err, errlen);
	e->emit = NULL;
	if (rc != 0) {
		e->bytes_done = bytes_before; /* a retry reads the batch's files again */
		e->files_done = files_before;
		json_decref(res);
		return rc;
	}
	*outcome = res;
	e->batch_ok = ok;
	b->extra[0] = (struct log_field)LOG_I("files", b->units);
	b->extra[1] = (struct log_field)LOG_I("bad_files", b->bad);
	b->nextra = 2;
	if (e->ff != NULL) {
		struct fileflows_batch fb;
		fileflows_batch(e->ff, &fb);
		b->rows += fb.records;
		b->extra[2] = (struct log_field)LOG_I("flows", fb.records);
		b->extra[3] = (struct log_field)LOG_I("flows_open", fb.open);
		b->nextra = 4;
		if (fb.evicted > 0)
			log_line(LOG_WARN,
				 "flow table full: least recently seen flows reported early (raise --max-flows)",
				 (struct log_field[]){ LOG_I("batch", batch), LOG_I("flows_evicted", fb.evicted),
						       LOG_I("max_flows", e->cfg->flow.max_flows) },
				 3);
	}
	return 0;
}

static int fs_ack(void *st, uint64_t batch, json_t *outcome, char *err, size_t errlen)
{
	struct filesrc *e = st;
	size_t i;
	json_t *r;

	json_array_foreach(outcome, i, r)
	{
		const char *status = json_string_value(json_object_get(r, "status"));
		if (status == NULL)
			continue;
		if (strcmp(status, "ok") == 0) {
			e->sum->files++;
		} else if (strcmp(status, "changed") == 0) {
			e->sum->vanished++;
			log_line(LOG_WARN, "planned file vanished or changed before it was read",
				 (struct log_field[]){ LOG_S("file", json_string_value(json_object_get(r, "path"))),
						       LOG_I("batch", batch) },
				 2);
		}
	}
	e->total_files += e->batch_ok;
	e->batch_ok = 0;
	if (e->ff != NULL)
		fileflows_ack(e->ff, batch);
	if (post_commit(e, batch, outcome, err, errlen) < 0)
		return -1;
	if (strmap_count(e->waiting) > 0)
		recheck_waiting(e);
	return 0;
}

static void fs_totals(void *st, json_t *totals)
{
	struct filesrc *e = st;

	/* the commit's totals are made before ack: they count the batch's files already */
	json_object_set_new(totals, SK_FILES, json_integer((json_int_t)(e->total_files + e->batch_ok)));
	if (e->ff != NULL)
		fileflows_totals(e->ff, totals);
}

static void fs_stats(void *st, json_t *stats)
{
	(void)st;
	(void)stats;
}

static void fs_progress(void *st, struct source_progress *p)
{
	struct filesrc *e = st;

	p->units_done = e->files_done;
	p->units_total = e->files_total;
	p->bytes_done = e->bytes_done + e->cur_offset;
	p->bytes_total = e->bytes_total;
}

static void fs_finish(void *st, int drained)
{
	struct filesrc *e = st;

	if (drained && e->cfg->trigger == TRIGGER_ONCE && (pending_count(e->pending) > 0 || e->overflowed))
		log_line(LOG_WARN, "trigger once: more files than --max-pending-files; the rest wait for the next run",
			 (struct log_field[]){ LOG_I("max_pending_files", e->cfg->max_pending) }, 1);
}

static void fs_close(void *st)
{
	struct filesrc *e = st;

	if (e == NULL)
		return;
	discover_close(e->d);
	registry_free(e->reg);
	pending_free(e->pending);
	strmap_free(e->waiting, free);
	fileflows_free(e->ff);
	free(e->rows);
	free(e);
}

const struct source_ops source_file_ops = {
	.name = SK_FILES,
	.check = fs_check,
	.recover = fs_recover,
	.poll = fs_poll,
	.plan = fs_plan,
	.read = fs_read,
	.ack = fs_ack,
	.totals = fs_totals,
	.stats = fs_stats,
	.progress = fs_progress,
	.finish = fs_finish,
	.close = fs_close,
};

int source_file_metadata(const struct engine_config *cfg, json_t **out, char *err, size_t errlen)
{
	char root[4096], qabs[4096], aabs[4096];
	json_t *meta = json_pack("{s:i}", "version", 1);

	*out = NULL;
	if (cfg->mode == ENGINE_WATCH && realpath(cfg->paths[0], root) == NULL) {
		snprintf(err, errlen, "cannot watch %s: %s", cfg->paths[0], strerror(errno));
		json_decref(meta);
		return -1;
	}
	/* Folders recorded absolute, so `status` finds them from any current folder. */
	absolute(cfg->quarantine_dir, qabs, sizeof(qabs));
	if (cfg->archive_dir != NULL)
		absolute(cfg->archive_dir, aabs, sizeof(aabs));
	if (meta == NULL || jsonpath_set(meta, "source", cfg->mode == ENGINE_WATCH ? root : "replay") < 0 ||
	    jsonpath_set(meta, "quarantine_dir", qabs) < 0 ||
	    (cfg->archive_dir != NULL && jsonpath_set(meta, "archive_dir", aabs) < 0)) {
		snprintf(err, errlen, "out of memory");
		json_decref(meta);
		return -1;
	}
	*out = meta;
	return 0;
}

int source_file_open(const struct engine_config *cfg, const struct source_env *env, struct engine_summary *sum,
		     void **out, char *err, size_t errlen)
{
	struct filesrc *e = calloc(1, sizeof(*e));
	int rc = -1, n = 0;

	*out = NULL;
	memset(sum, 0, sizeof(*sum));
	if (e != NULL) {
		e->cfg = cfg;
		e->env = env;
		e->sum = sum;
		e->pending = pending_new(cfg->latest_first);
		e->waiting = strmap_new();
		e->rows = calloc(FILESRC_CHUNK, sizeof(*e->rows));
	}
	if (e == NULL || e->pending == NULL || e->waiting == NULL || e->rows == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	e->paths = cfg->paths;
	e->npaths = cfg->npaths;
	e->exclude[n++] = cfg->quarantine_dir;
	if (cfg->archive_dir != NULL)
		e->exclude[n++] = cfg->archive_dir;
	e->exclude[n++] = cfg->checkpoint;
	e->exclude[n] = NULL;
	e->last_files_ns = fsutil_mono_ns();
	if ((cfg->emit & ENGINE_EMIT_FLOWS) && fileflows_open(&cfg->flow, cfg->checkpoint, &e->ff, err, errlen) < 0)
		goto out;
	if (cfg->mode == ENGINE_WATCH) {
		/* The folder is scanned, watched and recorded by its absolute path, whatever the current
		 * folder: the registry's paths then mean the same to `status` and to the next run. */
		if (realpath(cfg->paths[0], e->root) == NULL) {
			snprintf(err, errlen, "cannot watch %s: %s", cfg->paths[0], strerror(errno));
			goto out;
		}
		e->rootv[0] = e->root;
		e->paths = e->rootv;
		e->npaths = 1;
		for (int i = 0; i < n; i++) {
			absolute(e->exclude[i], e->excl[i], sizeof(e->excl[i]));
			e->exclude[i] = e->excl[i];
		}
	}
	if (registry_load(cfg->checkpoint, &e->reg, err, errlen) < 0)
		goto out;
	struct discover_config dc = {
		.watch = cfg->mode == ENGINE_WATCH,
		.paths = e->paths,
		.npaths = e->npaths,
		.exclude = e->exclude,
		.recursive = cfg->recursive,
		.wait_for_writers = cfg->trigger == TRIGGER_INTERVAL,
		.quiet_ns = cfg->quiet_ns,
	};
	if (discover_open(&dc, take_found, e, &e->d, err, errlen) < 0)
		goto out;
	*out = e;
	e = NULL;
	rc = 0;
out:
	fs_close(e);
	return rc;
}
