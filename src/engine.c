/* The engine: discovery, batch planning, the checkpoint protocol, retries, quarantine and
 * cleanSource. One batch at a time:
 *
 *   plan -> offsets/N (durable) -> sinks begin/write/flush -> commits/N (durable)
 *        -> registry + quarantine + cleanSource -> registry fsync
 *
 * A crash anywhere replays from the last durable step: an offsets/N without commits/N is run
 * again with exactly its plan (sinks absorb the repeat by file name or document id); a commit
 * whose registry changes were not synced has them re-applied from commits/N. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "capture.h"
#include "checkpoint.h"
#include "engine.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "pcaprow.h"
#include "registry.h"
#include "rowfmt.h"
#include "scan.h"
#include "sink.h"
#include "strmap.h"
#include "watch.h"

#define ENGINE_CHUNK	      512	     /* rows handed to the sinks at a time */
#define ENGINE_BACKOFF_MIN_NS 500000000LL    /* first retry after 0.5 s */
#define ENGINE_BACKOFF_MAX_NS 30000000000LL  /* then doubling up to 30 s */
#define ENGINE_RESCAN_NS      300000000000LL /* full rescan every 5 minutes */

/* What to do about a damaged checkpoint, the end of every such error. */
#define ENGINE_DAMAGE_HINT                                                                                             \
	"pcapstream stopped rather than ingest files twice or lose them. Restore the checkpoint folder from a "        \
	"backup; or start afresh with a new, empty --checkpoint folder (and, for a file: sink, a new output "          \
	"folder: Elasticsearch and MongoDB drop repeated rows by id)"

struct candidate {
	char *path;
	char key[40];
	uint64_t size;
	int64_t mtime_ns;
	size_t heap_i; /* its place in engine.last */
	/* the file as it was fingerprinted, when its key can be trusted at batch time (see trusted()) */
	int sig_ok;
	uint64_t dev, ino;
	int64_t ctime_ns;
};

/* A file whose inode was last changed at least this long before it was fingerprinted is trusted
 * to hold that content at batch time while device, inode, size and ctime are the same (any
 * write changes ctime), so it is not hashed a second time. A more recent change may share its
 * ctime with a write made while it was hashed (file systems stamp ctime from a coarse clock, some
 * to the second): such a file is hashed again before it is read. */
#define ENGINE_RACY_NS 2000000000LL

struct known {
	uint64_t size;
	int64_t mtime_ns;
	uint64_t gen; /* scan generation it was last seen in */
	char key[40]; /* its content key ("" if it never got one) */
};

struct unstable {
	uint64_t size;
	int64_t since_ns; /* monotonic time this size was first seen */
};

struct engine {
	const struct engine_config *cfg;
	volatile sig_atomic_t *stop;
	struct engine_summary *sum;
	struct checkpoint *ck;
	struct registry *reg;
	struct sink **sinks;
	uint64_t *sink_rows; /* cumulative rows per sink */
	struct watch *w;
	struct strmap *pending;	 /* key -> struct candidate: discovered, not yet planned */
	struct strmap *known;	 /* path -> struct known: already looked at, unchanged since */
	struct strmap *unstable; /* path -> struct unstable: maybe still being written */
	struct strmap *waiting;	 /* path -> key: a copy of content queued under another name */
	struct candidate **last; /* the pending files as a heap, the last in batch order on top */
	size_t nlast, caplast;
	int overflowed;	      /* more files than max_pending: rescan once the queue drains */
	uint64_t gen;	      /* full scans so far */
	int64_t last_scan_ns; /* monotonic time of the last full scan */
	const char *exclude[4];
	const char *const *paths; /* what is scanned: watch, the folder as an absolute path */
	int npaths;
	char root[4096];    /* watch: the folder, absolute */
	char excl[3][4096]; /* watch: the excluded folders, absolute */
	uint64_t next_batch;
	uint64_t total_rows, total_files; /* over the checkpoint's life */
	uint64_t total_batches, total_dead, total_retries;
	struct row *rows;
	size_t nrows;
	/* progress (replay on a TTY) */
	uint64_t prog_bytes_total, prog_bytes_done, prog_files_total, prog_files_done, prog_rows;
	int64_t prog_start, prog_last;
};

static int64_t mtime_of(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void candidate_free(void *p)
{
	struct candidate *c = p;

	if (c == NULL)
		return;
	free(c->path);
	free(c);
}

static void iso_now(char *out)
{
	rowfmt_time_text(out, fsutil_now_ns());
}

/* Set field (and field_hex) of o to path: JSON text must be UTF-8, a file name need not be. A
 * name that is UTF-8 is stored as itself; any other keeps its exact bytes in field_hex (hex)
 * beside its display form (fsutil_display_name) in field. Returns 0 or -1. */
static int json_set_path(json_t *o, const char *field, const char *path)
{
	char shown[4200], hex[8200], name[64];

	if (fsutil_is_utf8(path))
		return json_object_set_new(o, field, json_string(path));
	if (fsutil_hex_encode(path, hex, sizeof(hex)) < 0)
		return -1;
	fsutil_display_name(path, shown, sizeof(shown));
	snprintf(name, sizeof(name), "%s_hex", field);
	if (json_object_set_new(o, field, json_string(shown)) < 0 || json_object_set_new(o, name, json_string(hex)) < 0)
		return -1;
	return 0;
}

/* The path in field of o (see json_set_path): a pointer into o, or into buf when it was stored as
 * hex; NULL if absent. */
static const char *json_get_path(json_t *o, const char *field, char *buf, size_t buflen)
{
	char name[64];
	const char *hex;

	snprintf(name, sizeof(name), "%s_hex", field);
	hex = json_string_value(json_object_get(o, name));
	if (hex != NULL)
		return fsutil_hex_decode(hex, buf, buflen) == 0 ? buf : NULL;
	return json_string_value(json_object_get(o, field));
}

/* --- quarantine ------------------------------------------------------------------------------ */

/* Quarantine a bad file: watch moves it into the quarantine folder with a NAME.reason file
 * beside it; replay leaves archives untouched and writes only the NAME.reason (naming the file).
 * Returns 0 or -1 (logged). */
static int quarantine(struct engine *e, const char *path, const char *reason, uint64_t rows)
{
	char dst[4096], rpath[4200], text[8192], when[40], err[512];
	const char *q = e->cfg->quarantine_dir;
	int move = e->cfg->mode == ENGINE_WATCH;
	int n;

	if (fsutil_mkdirs(q, err, sizeof(err)) < 0 ||
	    fsutil_free_name(q, fsutil_basename(path), dst, sizeof(dst)) < 0) {
		log_line(LOG_ERROR, "cannot quarantine",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_S("error", err) }, 3);
		return -1;
	}
	iso_now(when);
	n = snprintf(text, sizeof(text),
		     "file: %s\nreason: %s\nquarantined: %s\nrows ingested from it: %llu\n%s"
		     "what to do: inspect the file; to ingest a repaired copy, drop it into the watched folder or "
		     "replay it (a different content is a new file)\n",
		     path, reason, when, (unsigned long long)rows,
		     move ? "" : "left in place: replay does not move archived files\n");
	snprintf(rpath, sizeof(rpath), "%s.reason", dst);
	if (fsutil_write_atomic(rpath, text, (size_t)n, err, sizeof(err)) < 0 ||
	    (move && fsutil_move(path, dst, err, sizeof(err)) < 0)) {
		log_line(LOG_ERROR, "cannot quarantine",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_S("error", err) }, 3);
		return -1;
	}
	log_line(LOG_WARN, "quarantined",
		 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_I("rows_kept", rows),
				       LOG_S(move ? "moved_to" : "reason_file", move ? dst : rpath) },
		 4);
	if (move)
		free(strmap_del(e->known, path));
	e->sum->quarantined++;
	return 0;
}

/* --- the pending queue's order ----------------------------------------------------------------- */

static int latest_first;

/* Batch order: oldest modification time first (newest with --latest-first), then by path. */
static int order(const struct candidate *x, const struct candidate *y)
{
	int d = (x->mtime_ns > y->mtime_ns) - (x->mtime_ns < y->mtime_ns);

	if (latest_first)
		d = -d;
	return d != 0 ? d : strcmp(x->path, y->path);
}

static int by_mtime(const void *a, const void *b)
{
	return order(*(const struct candidate *const *)a, *(const struct candidate *const *)b);
}

/* engine.last is a binary heap of the pending files with the one that comes last in batch order on
 * top: when the queue is full, a file found on disk that comes before it takes its place, so a
 * backlog larger than the queue is still taken in order (oldest first), a queue at a time. */
static void heap_swap(struct engine *e, size_t i, size_t j)
{
	struct candidate *t = e->last[i];

	e->last[i] = e->last[j];
	e->last[j] = t;
	e->last[i]->heap_i = i;
	e->last[j]->heap_i = j;
}

static void heap_fix(struct engine *e, size_t i)
{
	while (i > 0 && order(e->last[(i - 1) / 2], e->last[i]) < 0) {
		heap_swap(e, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		if (l < e->nlast && order(e->last[top], e->last[l]) < 0)
			top = l;
		if (r < e->nlast && order(e->last[top], e->last[r]) < 0)
			top = r;
		if (top == i)
			break;
		heap_swap(e, i, top);
		i = top;
	}
}

/* Returns 0, or -1 when out of memory (c is then not queued). */
static int heap_push(struct engine *e, struct candidate *c)
{
	if (e->nlast == e->caplast) {
		size_t cap = e->caplast ? e->caplast * 2 : 256;
		struct candidate **v = realloc(e->last, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		e->last = v;
		e->caplast = cap;
	}
	c->heap_i = e->nlast;
	e->last[e->nlast++] = c;
	heap_fix(e, c->heap_i);
	return 0;
}

static void heap_remove(struct engine *e, struct candidate *c)
{
	size_t i = c->heap_i;

	if (i >= e->nlast || e->last[i] != c)
		return;
	e->nlast--;
	if (i != e->nlast) {
		e->last[i] = e->last[e->nlast];
		e->last[i]->heap_i = i;
		heap_fix(e, i);
	}
}

/* Take a pending file off the queue (planned, or pushed out by an earlier one). */
static void unqueue(struct engine *e, struct candidate *c)
{
	heap_remove(e, c);
	candidate_free(strmap_del(e->pending, c->key));
}

/* --- discovery ------------------------------------------------------------------------------- */

/* 1 if some process has the file open for writing, 0 if not, -1 if it cannot be told (no lease
 * support or permission). A read lease is refused while any writer holds the file open. */
static int open_for_writing(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		rc = 0;
	} else if (errno == EAGAIN) {
		rc = 1;
	}
	close(fd);
	return rc;
}

static int capture_magic(const unsigned char *m, size_t n)
{
	return capture_sniff(m, n);
}

static void remember(struct engine *e, const char *path, uint64_t size, int64_t mtime_ns, const char *key)
{
	struct known *k = malloc(sizeof(*k));
	void *old = NULL;

	if (k == NULL)
		return;
	k->size = size;
	k->mtime_ns = mtime_ns;
	k->gen = e->gen;
	snprintf(k->key, sizeof(k->key), "%s", key);
	if (strmap_put(e->known, path, k, &old) < 0)
		free(k);
	free(old);
}

static void clean_source(struct engine *e, const char *path, const char *key);

/* A copy of content queued under another name waits for that file's outcome (see
 * recheck_waiting): a copy of a file found bad must be quarantined too, a copy of an ingested one
 * is cleaned like it. At most max_pending wait; more are found again by a rescan. */
static void wait_for(struct engine *e, const char *path, uint64_t size, int64_t mtime_ns, const char *key)
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
	remember(e, path, size, mtime_ns, key);
}

/* A complete file: identify it and queue it, or skip or quarantine it. again: it was looked at
 * before, as a copy of a queued file (see wait_for), and that copy was logged then. */
/* A relative path without its leading "./" and "../" parts and inner "./" parts, into out
 * (outlen bytes; cut if longer). */
static void relative_tail(const char *p, char *out, size_t outlen)
{
	size_t o = 0;

	for (;;) {
		if (strncmp(p, "./", 2) == 0)
			p += 2;
		else if (strncmp(p, "../", 3) == 0)
			p += 3;
		else
			break;
	}
	for (; *p != '\0' && o + 1 < outlen; p++) {
		if (p[0] == '/' && p[1] == '.' && p[2] == '/') {
			p++;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Whether p1 and p2 name the same file: equal, or one relative (checkpoints written before 0.2
 * kept the folder as given: "spool/a.pcap", "./in/a.pcap", "../in/a.pcap") and the other, absolute,
 * ending in it. */
static int same_path(const char *p1, const char *p2)
{
	char tail[4096];
	size_t n1, n2;

	if (strcmp(p1, p2) == 0)
		return 1;
	if (p1[0] != '/' && p2[0] == '/')
		return same_path(p2, p1);
	if (p1[0] != '/' || p2[0] == '/')
		return 0;
	relative_tail(p2, tail, sizeof(tail));
	n1 = strlen(p1);
	n2 = strlen(tail);
	return n2 > 0 && n1 > n2 && p1[n1 - n2 - 1] == '/' && strcmp(p1 + n1 - n2, tail) == 0;
}

/* Upgrade: a registry written before 0.2 keys a file by its first 64 KiB and size
 * (fingerprint_legacy_key). An ingested entry under that key counts for the file at path (whose
 * modification time is mtime_ns) only when it was recorded for the same path or with the same
 * modification time: two captures sharing a head and a size are otherwise two, the loss this
 * version ends. (A file that version quarantined is judged again: this one reads more.) Returns
 * that entry and copies its key into key, or NULL. */
static const struct registry_entry *legacy_entry(struct engine *e, const struct fingerprint *fp, const char *path,
						 int64_t mtime_ns, char key[40])
{
	const struct registry_entry *re;
	char lkey[40];

	if (fingerprint_legacy_key(fp, lkey) < 0)
		return NULL;
	re = registry_get(e->reg, lkey);
	if (re == NULL || re->state != REGISTRY_INGESTED || (!same_path(re->path, path) && re->mtime_ns != mtime_ns))
		return NULL;
	memcpy(key, lkey, sizeof(lkey));
	return re;
}

static void take(struct engine *e, const char *path, const struct stat *st, int again)
{
	unsigned char magic[4];
	struct fingerprint fp;
	struct candidate *c;
	char err[512], key[40];
	const struct registry_entry *re;
	ssize_t got;
	int fd;

	if (strmap_count(e->pending) >= e->cfg->max_pending) {
		struct candidate probe = { .path = (char *)path, .mtime_ns = mtime_of(st) };
		e->overflowed = 1; /* it, or the file it pushes out, waits on disk for a rescan */
		if (e->nlast == 0 || order(&probe, e->last[0]) >= 0)
			return;
		free(strmap_del(e->known, e->last[0]->path)); /* looked at again by that rescan */
		unqueue(e, e->last[0]);
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
	if (got <= 0 || !capture_magic(magic, (size_t)got)) {
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
		re = legacy_entry(e, &fp, path, mtime_of(st), key);
	if (re != NULL && re->state == REGISTRY_QUARANTINED && !same_path(re->path, path) &&
	    e->cfg->mode == ENGINE_WATCH) {
		/* the same bad content under another name: it goes where the first copy went */
		char why[4400];
		snprintf(why, sizeof(why), "same content as %s, quarantined in batch %llu", re->path,
			 (unsigned long long)re->batch);
		quarantine(e, path, why, 0);
		return;
	}
	if (re != NULL && re->state != 0) {
		remember(e, path, fp.size, mtime_of(st), key);
		if (!same_path(re->path, path) && !again) {
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
	c = strmap_get(e->pending, key);
	if (c != NULL) {
		if (strcmp(c->path, path) != 0) {
			if (!again) {
				log_line(LOG_INFO, "skipped: same content already queued",
					 (struct log_field[]){ LOG_S("file", path), LOG_S("queued_as", c->path) }, 2);
				e->sum->duplicates++;
			}
			wait_for(e, path, fp.size, mtime_of(st), key);
		} else {
			remember(e, path, fp.size, mtime_of(st), key);
		}
		return;
	}
	if (e->cfg->max_file_age_ns > 0 && fsutil_now_ns() - mtime_of(st) > e->cfg->max_file_age_ns) {
		remember(e, path, fp.size, mtime_of(st), key);
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
	c->mtime_ns = mtime_of(st);
	c->sig_ok = fp.ctime_ns < fp.taken_ns - ENGINE_RACY_NS;
	c->dev = fp.dev;
	c->ino = fp.ino;
	c->ctime_ns = fp.ctime_ns;
	if (c->path == NULL || strmap_put(e->pending, key, c, NULL) < 0) {
		candidate_free(c);
		return;
	}
	if (heap_push(e, c) < 0) {
		candidate_free(strmap_del(e->pending, key));
		return;
	}
	remember(e, path, fp.size, mtime_of(st), key);
}

struct recheck_ctx {
	char **paths;
	size_t n, cap;
};

static void push(char ***v, size_t *n, size_t *cap, const char *s);

static void collect_decided(const char *path, void *value, void *arg)
{
	struct recheck_ctx *r = ((void **)arg)[0];
	struct engine *e = ((void **)arg)[1];

	if (strmap_get(e->pending, value) == NULL)
		push(&r->paths, &r->n, &r->cap, path);
}

/* Copies whose content is no longer queued (its batch committed, or it vanished): look at them
 * again, now that the registry knows what became of that content. */
static void recheck_waiting(struct engine *e)
{
	struct recheck_ctx r = { 0 };
	void *ctx[2] = { &r, e };

	strmap_foreach(e->waiting, collect_decided, ctx);
	for (size_t i = 0; i < r.n; i++) {
		struct stat st;
		free(strmap_del(e->waiting, r.paths[i]));
		free(strmap_del(e->known, r.paths[i]));
		if (lstat(r.paths[i], &st) == 0 && S_ISREG(st.st_mode))
			take(e, r.paths[i], &st, 1);
		free(r.paths[i]);
	}
	free(r.paths);
}

/* A file seen by a scan or an event. complete: the writer closed it (IN_CLOSE_WRITE) or moved
 * it in, or it was named on the command line. */
static void consider(struct engine *e, const char *path, const struct stat *st, int complete)
{
	struct known *k = strmap_get(e->known, path);
	int writing;

	if (k != NULL && k->size == (uint64_t)st->st_size && k->mtime_ns == mtime_of(st)) {
		k->gen = e->gen;
		return;
	}
	if (e->cfg->mode == ENGINE_REPLAY) {
		take(e, path, st, 0);
		return;
	}
	writing = open_for_writing(path);
	if (writing == 0 || (writing < 0 && complete)) {
		free(strmap_del(e->unstable, path));
		take(e, path, st, 0);
		return;
	}
	if (writing == 1 && e->cfg->trigger != TRIGGER_INTERVAL) {
		/* once / available-now end when what is there is taken: a file still being written is
		 * left for a later run, with a word, not waited for (its writer may never close it) */
		free(strmap_del(e->unstable, path));
		log_line(LOG_INFO, "not taken: still open for writing (a later run takes it once closed)",
			 (struct log_field[]){ LOG_S("file", path) }, 1);
		return;
	}
	/* Still open for writing, or unknown after a rescan: wait until the size has been stable for
	 * the quiet period (and nobody writes it, where that can be told). */
	struct unstable *u = strmap_get(e->unstable, path);
	int64_t now = fsutil_mono_ns();
	if (u == NULL) {
		u = malloc(sizeof(*u));
		if (u == NULL || strmap_put(e->unstable, path, u, NULL) < 0) {
			free(u);
			return;
		}
		u->size = (uint64_t)st->st_size;
		u->since_ns = now;
		return;
	}
	if (u->size != (uint64_t)st->st_size) {
		u->size = (uint64_t)st->st_size;
		u->since_ns = now;
		return;
	}
	if (writing == 1 || now - u->since_ns < e->cfg->quiet_ns)
		return;
	free(strmap_del(e->unstable, path));
	take(e, path, st, 0);
}

static void scan_one(const char *path, const struct stat *st, void *arg)
{
	consider(arg, path, st, 0);
}

struct sweep_ctx {
	struct engine *e;
	struct strmap *seen; /* keys of files present */
	char **stale;	     /* paths no longer present */
	size_t nstale, capstale;
	char **gone; /* registry keys no longer present */
	size_t ngone, capgone;
};

/* Append a copy of s to the growing array *v (n used of cap). Out of memory: s is left out. */
static void push(char ***v, size_t *n, size_t *cap, const char *s)
{
	char *copy;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		char **p = realloc(*v, c * sizeof(*p));
		if (p == NULL)
			return;
		*v = p;
		*cap = c;
	}
	copy = strdup(s);
	if (copy != NULL)
		(*v)[(*n)++] = copy;
}

static void sweep_known(const char *path, void *value, void *arg)
{
	struct sweep_ctx *c = arg;
	struct known *k = value;

	if (k->gen != c->e->gen)
		push(&c->stale, &c->nstale, &c->capstale, path);
	else if (k->key[0] != '\0')
		strmap_put(c->seen, k->key, k, NULL);
}

static void sweep_registry(const struct registry_entry *re, void *arg)
{
	struct sweep_ctx *c = arg;

	if (re->gone_ns == 0 && strmap_get(c->seen, re->key) == NULL && strmap_get(c->e->pending, re->key) == NULL)
		push(&c->gone, &c->ngone, &c->capgone, re->key);
}

/* After a full scan of the watched folder: forget paths that are no longer there, and mark
 * registry entries whose content is no longer in the folder as gone (so compaction can drop
 * them after the retention): the registry follows the live files. */
static void sweep(struct engine *e)
{
	struct sweep_ctx c = { .e = e, .seen = strmap_new() };
	char err[512];

	if (c.seen == NULL)
		return;
	strmap_foreach(e->known, sweep_known, &c);
	registry_foreach(e->reg, sweep_registry, &c);
	for (size_t i = 0; i < c.nstale; i++) {
		free(strmap_del(e->known, c.stale[i]));
		free(c.stale[i]);
	}
	for (size_t i = 0; i < c.ngone; i++) {
		registry_mark_gone(e->reg, c.gone[i], fsutil_now_ns());
		free(c.gone[i]);
	}
	if (c.ngone > 0 &&
	    (registry_sync(e->reg, err, sizeof(err)) < 0 ||
	     registry_maybe_compact(e->reg, fsutil_now_ns(), e->cfg->forget_after_ns, err, sizeof(err)) < 0))
		log_line(LOG_WARN, "cannot write the registry", (struct log_field[]){ LOG_S("error", err) }, 1);
	free(c.stale);
	free(c.gone);
	strmap_free(c.seen, NULL);
}

static void scan_all(struct engine *e)
{
	e->gen++;
	e->last_scan_ns = fsutil_mono_ns();
	/* Cleared before the walk, not after: a queue that fills up during it sets it again, and the
	 * files left on disk are found by the next scan once the queue drains. */
	e->overflowed = 0;
	for (int i = 0; i < e->npaths; i++) {
		if (scan_tree(e->paths[i], e->cfg->mode == ENGINE_REPLAY || e->cfg->recursive, e->exclude, scan_one,
			      e) < 0)
			log_line(LOG_ERROR, "cannot read",
				 (struct log_field[]){ LOG_S("path", e->paths[i]), LOG_S("error", strerror(errno)) },
				 2);
	}
	if (e->cfg->mode == ENGINE_WATCH)
		sweep(e);
}

static void event_one(const char *path, void *arg)
{
	struct engine *e = arg;
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		consider(e, path, &st, 1);
}

static void collect_unstable(const char *path, void *value, void *arg)
{
	struct recheck_ctx *r = arg;

	(void)value;
	push(&r->paths, &r->n, &r->cap, path);
}

/* Look again at the files that might still be written. */
static void recheck_unstable(struct engine *e)
{
	struct recheck_ctx r = { 0 };

	strmap_foreach(e->unstable, collect_unstable, &r);
	for (size_t i = 0; i < r.n; i++) {
		struct stat st;
		if (lstat(r.paths[i], &st) == 0 && S_ISREG(st.st_mode))
			consider(e, r.paths[i], &st, 0);
		else
			free(strmap_del(e->unstable, r.paths[i]));
		free(r.paths[i]);
	}
	free(r.paths);
}

/* --- planning -------------------------------------------------------------------------------- */

struct collect_ctx {
	struct candidate **v; /* sized for every pending file up front */
	size_t n;
};

static void collect_pending(const char *key, void *value, void *arg)
{
	struct collect_ctx *c = arg;

	(void)key;
	c->v[c->n++] = value;
}

/* The next batch's plan from the pending files (removed from pending), honouring the limits
 * unless unlimited. NULL if nothing is pending. */
static json_t *plan_batch(struct engine *e, uint64_t batch, int unlimited)
{
	struct collect_ctx c = { 0 };
	json_t *plan = NULL, *files;
	uint64_t bytes = 0;
	char when[40];
	size_t n = 0;

	if (strmap_count(e->pending) == 0)
		goto out;
	c.v = malloc(strmap_count(e->pending) * sizeof(*c.v));
	if (c.v == NULL)
		goto out;
	strmap_foreach(e->pending, collect_pending, &c);
	latest_first = e->cfg->latest_first;
	qsort(c.v, c.n, sizeof(*c.v), by_mtime);
	iso_now(when);
	files = json_array();
	plan = json_pack("{s:I,s:s,s:o}", "batch", (json_int_t)batch, "planned_at", when, "files", files);
	for (; n < c.n; n++) {
		struct candidate *f = c.v[n];
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
		    json_set_path(o, "path", f->path) < 0 || json_array_append_new(files, o) < 0) {
			json_decref(plan); /* out of memory: the files stay pending */
			plan = NULL;
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		unqueue(e, c.v[i]);
out:
	free(c.v);
	return plan;
}

/* --- running a batch ------------------------------------------------------------------------- */

static void progress(struct engine *e, uint64_t cur_bytes, uint64_t cur_rows, int final)
{
	int64_t now = fsutil_mono_ns();
	double secs, rate, eta;
	uint64_t done;

	if (!e->cfg->progress || (!final && now - e->prog_last < 500000000))
		return;
	e->prog_last = now;
	done = e->prog_bytes_done + cur_bytes;
	secs = (double)(now - e->prog_start) / 1e9;
	rate = secs > 0 ? (double)done / secs : 0;
	eta = rate > 0 && e->prog_bytes_total > done ? (double)(e->prog_bytes_total - done) / rate : 0;
	fprintf(stderr, "\r\033[Kreplay: %llu/%llu files, %llu packets, %.1f MB/s, ETA %d:%02d%s",
		(unsigned long long)e->prog_files_done, (unsigned long long)e->prog_files_total,
		(unsigned long long)(e->prog_rows + cur_rows), rate / 1e6, (int)eta / 60, (int)eta % 60,
		final ? "\n" : "");
}

/* Hand the buffered rows to every sink. 0, or -1 with err (the batch must be retried). */
static int deliver(struct engine *e, char *err, size_t errlen)
{
	char why[1024];

	for (int i = 0; i < e->cfg->nsinks; i++) {
		if (sink_write(e->sinks[i], e->rows, e->nrows, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%.200s: %.800s", sink_spec(e->sinks[i]), why);
			return -1;
		}
	}
	e->nrows = 0;
	return 0;
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
static int process_file(struct engine *e, const char *path, const char *key, const char *sig, uint64_t size,
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
		if (e->nrows == ENGINE_CHUNK) {
			if (deliver(e, err, errlen) < 0) {
				rc = -1;
				goto out;
			}
			fault_point("mid-batch");
			if (*e->stop) {
				rc = 1;
				goto out;
			}
			if ((*frames & 0xffff) == 0)
				progress(e, capture_offset(cap), *frames, 0);
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
	capture_close(cap);
	return rc;
}

static void abort_sinks(struct engine *e)
{
	for (int i = 0; i < e->cfg->nsinks; i++)
		sink_abort(e->sinks[i]);
}

/* Sleep ns unless a stop arrives. Returns 1 if stopped. */
static int nap(struct engine *e, int64_t ns)
{
	int64_t end = fsutil_mono_ns() + ns;

	while (!*e->stop) {
		int64_t left = end - fsutil_mono_ns();
		if (left <= 0)
			return 0;
		struct timespec ts = { .tv_sec = left / 1000000000, .tv_nsec = left % 1000000000 };
		if (ts.tv_sec > 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = 200000000;
		}
		nanosleep(&ts, NULL);
	}
	return 1;
}

/* Run the plan into every sink until all flushed, retrying with capped exponential backoff and
 * jitter while a sink fails. Returns 0 with *results (one object per file) and *attempts (1 + the
 * whole-batch retries), 1 if stopped, -1 if the plan is damaged (message in ferr). */
static int run_batch(struct engine *e, uint64_t batch, json_t *plan, json_t **results, uint64_t *rows,
		     uint64_t *attempts, char *ferr, size_t ferrlen)
{
	json_t *files = json_object_get(plan, "files");
	int64_t backoff = ENGINE_BACKOFF_MIN_NS;
	char err[1024], why[1024];

	uint64_t bytes_before = e->prog_bytes_done, files_before = e->prog_files_done, rows_before = e->prog_rows;

	for (int attempt = 1;; attempt++) {
		json_t *res = json_array();
		size_t i;
		json_t *f;
		int rc = 0;

		*attempts = (uint64_t)attempt;
		e->prog_bytes_done = bytes_before; /* a retry reads the batch's files again */
		e->prog_files_done = files_before;
		e->prog_rows = rows_before;
		*rows = 0;
		for (int s = 0; s < e->cfg->nsinks && rc == 0; s++) {
			char w[1024];
			if (sink_begin(e->sinks[s], batch, w, sizeof(w)) < 0) {
				snprintf(err, sizeof(err), "%.200s: %.800s", sink_spec(e->sinks[s]), w);
				rc = -1;
			}
		}
		json_array_foreach(files, i, f)
		{
			char pbuf[4096];
			const char *path = json_get_path(f, "path", pbuf, sizeof(pbuf));
			const char *key = json_string_value(json_object_get(f, "key"));
			enum file_status status = FILE_OK;
			uint64_t frames = 0;
			if (rc != 0)
				break;
			if (path == NULL || key == NULL) {
				snprintf(err, sizeof(err), "offsets/%llu: a file without path or key",
					 (unsigned long long)batch);
				rc = -2;
				break;
			}
			rc = process_file(e, path, key, json_string_value(json_object_get(f, "sig")),
					  (uint64_t)json_integer_value(json_object_get(f, "size")), &status, &frames,
					  why, sizeof(why), err, sizeof(err));
			if (rc != 0)
				break;
			*rows += frames;
			e->prog_rows += frames;
			e->prog_bytes_done += (uint64_t)json_integer_value(json_object_get(f, "size"));
			e->prog_files_done++;
			progress(e, 0, 0, 0);
			json_t *r = json_pack("{s:s,s:I,s:I,s:s}", "key", key, "frames", (json_int_t)frames, "mtime_ns",
					      json_integer_value(json_object_get(f, "mtime_ns")), "status",
					      file_status_names[status]);
			json_set_path(r, "path", path);
			if (why[0] != '\0')
				json_object_set_new(r, "error", json_string(why));
			json_array_append_new(res, r);
		}
		for (int s = 0; s < e->cfg->nsinks && rc == 0; s++) {
			char w[1024];
			if (sink_flush(e->sinks[s], w, sizeof(w)) < 0) {
				snprintf(err, sizeof(err), "%.200s: %.800s", sink_spec(e->sinks[s]), w);
				rc = -1;
			}
		}
		if (rc == 0) {
			fault_point("after-flush");
			*results = res;
			return 0;
		}
		json_decref(res);
		abort_sinks(e);
		if (rc == 1 || *e->stop)
			return 1;
		if (rc == -2) {
			snprintf(ferr, ferrlen, "the checkpoint is damaged: %s. " ENGINE_DAMAGE_HINT, err);
			return -1;
		}
		/* A sink failed: nothing is committed, the same plan runs again after a pause. */
		int64_t jitter = backoff / 100 * (rand() % 41 - 20); /* +-20% */
		log_line(LOG_WARN, "sink failed, batch will be retried",
			 (struct log_field[]){ LOG_I("batch", batch), LOG_I("attempt", attempt), LOG_S("error", err),
					       LOG_D("retry_in_s", (double)(backoff + jitter) / 1e9) },
			 4);
		if (nap(e, backoff + jitter))
			return 1;
		backoff = backoff * 2 > ENGINE_BACKOFF_MAX_NS ? ENGINE_BACKOFF_MAX_NS : backoff * 2;
	}
}

/* --- after the commit ------------------------------------------------------------------------ */

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
static void clean_source(struct engine *e, const char *path, const char *key)
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
	free(strmap_del(e->known, path));
	registry_mark_gone(e->reg, key, fsutil_now_ns());
}

/* Registry, quarantine and cleanSource for a committed batch. Idempotent: it runs again after
 * a crash until the registry is synced. Returns 0 or -1 (registry not durable) with err. */
static int post_commit(struct engine *e, uint64_t batch, json_t *results, char *err, size_t errlen)
{
	size_t i;
	json_t *r;

	json_array_foreach(results, i, r)
	{
		char pbuf[4096];
		const char *path = json_get_path(r, "path", pbuf, sizeof(pbuf));
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
			    mtime_of(&st) == json_integer_value(json_object_get(r, "mtime_ns")))
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
	checkpoint_purge(e->ck);
	return 0;
}

static json_t *sink_totals(struct engine *e)
{
	json_t *o = json_object();

	for (int i = 0; i < e->cfg->nsinks; i++)
		json_object_set_new(o, sink_spec(e->sinks[i]), json_integer((json_int_t)e->sink_rows[i]));
	return o;
}

/* Plan (unless replaying a given plan), run, commit and finish batch `batch`. Returns 0, 1 if
 * stopped before the commit, -1 on a fatal checkpoint error (err). */
static int do_batch(struct engine *e, uint64_t batch, json_t *plan, char *err, size_t errlen)
{
	int64_t t0 = fsutil_mono_ns();
	json_t *results = NULL, *commit = NULL;
	uint64_t rows = 0, ok = 0, bad = 0, dead = 0, retries = 0, attempts = 1;
	char when[40];
	size_t i;
	json_t *r;
	int rc = -1;

	rc = run_batch(e, batch, plan, &results, &rows, &attempts, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	retries = attempts - 1; /* whole-batch retries, besides what the sinks retried inside one */
	e->total_rows += rows;
	json_array_foreach(results, i, r)
	{
		const char *status = json_string_value(json_object_get(r, "status"));
		if (strcmp(status, "ok") == 0) {
			ok++;
		} else if (strcmp(status, "changed") == 0) {
			e->sum->vanished++;
			log_line(LOG_WARN, "planned file vanished or changed before it was read",
				 (struct log_field[]){ LOG_S("file", json_string_value(json_object_get(r, "path"))),
						       LOG_I("batch", batch) },
				 2);
		} else {
			bad++;
		}
	}
	e->total_files += ok;
	for (int s = 0; s < e->cfg->nsinks; s++) {
		struct sink_stats st;
		sink_stats(e->sinks[s], &st);
		dead += st.dead_letters;
		retries += st.retries;
		e->sink_rows[s] += rows - st.dead_letters;
	}
	iso_now(when);
	e->total_batches++;
	e->total_dead += dead;
	e->total_retries += retries;
	commit =
	    json_pack("{s:I,s:s,s:O,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:o}}", "batch", (json_int_t)batch,
		      "committed_at", when, "files", results, "rows", (json_int_t)rows, "dead_letters",
		      (json_int_t)dead, "retries", (json_int_t)retries, "totals", "rows", (json_int_t)e->total_rows,
		      "files", (json_int_t)e->total_files, "batches", (json_int_t)e->total_batches, "dead_letters",
		      (json_int_t)e->total_dead, "retries", (json_int_t)e->total_retries, "sinks", sink_totals(e));
	if (commit == NULL || checkpoint_write_commit(e->ck, batch, commit, err, errlen) < 0)
		goto out;
	fault_point("after-commit");
	e->sum->batches++;
	e->sum->files += ok;
	e->sum->rows += rows;
	if (post_commit(e, batch, results, err, errlen) < 0)
		goto out;
	double secs = (double)(fsutil_mono_ns() - t0) / 1e9;
	log_line(LOG_INFO, "batch",
		 (struct log_field[]){ LOG_I("id", batch), LOG_I("files", json_array_size(results)),
				       LOG_I("rows", rows), LOG_I("bad_files", bad), LOG_I("dead_letters", dead),
				       LOG_I("retries", retries), LOG_D("duration_s", secs),
				       LOG_I("rows_per_s", secs > 0 ? (double)rows / secs : 0) },
		 8);
	rc = 0;
out:
	json_decref(commit);
	json_decref(results);
	return rc;
}

/* --- start-up -------------------------------------------------------------------------------- */

/* The first committed batch the registry may lack (re-applied from commits/ at start-up). A
 * registry written before 0.2 marked no batch, and its version kept only the newest commits: the
 * ones it pruned are skipped, as that version did. */
static int64_t first_to_reapply(const struct checkpoint *ck, const struct registry *reg)
{
	int64_t b = registry_resume_batch(reg), last_commit = checkpoint_last_commit(ck);

	while (registry_legacy(reg) && b < last_commit && !checkpoint_has(ck, "commits", (uint64_t)b))
		b++;
	return b;
}

int engine_check_checkpoint(const struct checkpoint *ck, const struct registry *reg, char *err, size_t errlen)
{
	int64_t last_commit = checkpoint_last_commit(ck), last_offsets = checkpoint_last_offsets(ck);
	int64_t reg_last = registry_last_batch(reg), resume = first_to_reapply(ck, reg);
	char why[1024];
	json_t *j;

	if (reg_last > last_commit) {
		snprintf(err, errlen,
			 "the checkpoint is damaged: its registry records batch %lld but the last commit is %s%lld "
			 "(commits/ deleted or replaced?). " ENGINE_DAMAGE_HINT,
			 (long long)reg_last, last_commit < 0 ? "none, " : "", (long long)last_commit);
		return -1;
	}
	/* Every commit the registry may lack must be there to be re-applied, and readable. */
	for (int64_t b = resume; b <= last_commit; b++) {
		if (!checkpoint_has(ck, "commits", (uint64_t)b)) {
			snprintf(err, errlen,
				 "the checkpoint is damaged: commits/%lld is missing, and the registry (which knows "
				 "batches up to %lld) needs it (registry or commits/ deleted?). " ENGINE_DAMAGE_HINT,
				 (long long)b, (long long)reg_last);
			return -1;
		}
		j = checkpoint_read_commit(ck, (uint64_t)b, why, sizeof(why));
		if (j == NULL) {
			snprintf(err, errlen, "%s. " ENGINE_DAMAGE_HINT, why);
			return -1;
		}
		json_decref(j);
	}
	if (last_commit >= 0 && last_commit < resume) {
		j = checkpoint_read_commit(ck, (uint64_t)last_commit, why, sizeof(why));
		if (j == NULL) {
			snprintf(err, errlen, "%s. " ENGINE_DAMAGE_HINT, why);
			return -1;
		}
		json_decref(j);
	}
	if (last_offsets > last_commit) {
		j = checkpoint_read_offsets(ck, (uint64_t)last_offsets, why, sizeof(why));
		if (j == NULL) {
			snprintf(err, errlen, "%s. " ENGINE_DAMAGE_HINT, why);
			return -1;
		}
		json_decref(j);
	}
	return 0;
}

/* Bring registry and totals up to the checkpoint, and replay an uncommitted batch. */
static int recover(struct engine *e, char *err, size_t errlen)
{
	int64_t last_commit = checkpoint_last_commit(e->ck);
	int64_t last_offsets = checkpoint_last_offsets(e->ck);

	if (engine_check_checkpoint(e->ck, e->reg, err, errlen) < 0)
		return -1;
	if (registry_torn(e->reg))
		log_msg(LOG_WARN, "registry.log ends in a torn line (a crash while appending): it is cut off and its "
				  "batch re-applied from commits/");
	if (last_commit >= 0) {
		json_t *c = checkpoint_read_commit(e->ck, (uint64_t)last_commit, err, errlen);
		if (c == NULL)
			return -1;
		json_t *totals = json_object_get(c, "totals");
		json_t *sinks = json_object_get(totals, "sinks");
		e->total_rows = (uint64_t)json_integer_value(json_object_get(totals, "rows"));
		e->total_files = (uint64_t)json_integer_value(json_object_get(totals, "files"));
		e->total_batches = (uint64_t)json_integer_value(json_object_get(totals, "batches"));
		e->total_dead = (uint64_t)json_integer_value(json_object_get(totals, "dead_letters"));
		e->total_retries = (uint64_t)json_integer_value(json_object_get(totals, "retries"));
		for (int s = 0; s < e->cfg->nsinks; s++)
			e->sink_rows[s] = (uint64_t)json_integer_value(json_object_get(sinks, sink_spec(e->sinks[s])));
		json_decref(c);
	}
	for (int64_t b = first_to_reapply(e->ck, e->reg); b <= last_commit; b++) {
		json_t *c = checkpoint_read_commit(e->ck, (uint64_t)b, err, errlen);
		if (c == NULL)
			return -1; /* checked above: only a change since then gets here */
		log_line(LOG_INFO, "re-applying committed batch to the registry",
			 (struct log_field[]){ LOG_I("batch", b) }, 1);
		int rc = post_commit(e, (uint64_t)b, json_object_get(c, "files"), err, errlen);
		json_decref(c);
		if (rc < 0)
			return -1;
	}
	e->next_batch = (uint64_t)((last_offsets > last_commit ? last_offsets : last_commit) + 1);
	if (last_offsets > last_commit) {
		json_t *plan = checkpoint_read_offsets(e->ck, (uint64_t)last_offsets, err, errlen);
		if (plan == NULL)
			return -1;
		log_line(LOG_INFO, "replaying uncommitted batch with its recorded plan",
			 (struct log_field[]){ LOG_I("batch", last_offsets),
					       LOG_I("files", json_array_size(json_object_get(plan, "files"))) },
			 2);
		int rc = do_batch(e, (uint64_t)last_offsets, plan, err, errlen);
		json_decref(plan);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Plan and run the next batch from the pending files. 0 (also when nothing was pending),
 * 1 if stopped, -1 on a fatal error. */
static int next_batch(struct engine *e, int unlimited, char *err, size_t errlen)
{
	json_t *plan = plan_batch(e, e->next_batch, unlimited);
	int rc;

	if (plan == NULL)
		return 0;
	if (checkpoint_write_offsets(e->ck, e->next_batch, plan, err, errlen) < 0) {
		json_decref(plan);
		return -1;
	}
	fault_point("after-offsets");
	rc = do_batch(e, e->next_batch, plan, err, errlen);
	e->next_batch++;
	json_decref(plan);
	if (rc == 0 && strmap_count(e->waiting) > 0)
		recheck_waiting(e);
	return rc;
}

static void add_pending_bytes(const char *key, void *value, void *arg)
{
	struct engine *e = arg;

	(void)key;
	e->prog_bytes_total += ((struct candidate *)value)->size;
	e->prog_files_total++;
}

/* --- the loop -------------------------------------------------------------------------------- */

/* once / available-now / replay: take what is there, then return. Files that may still be written
 * (found by a scan, size not yet stable) are waited for, so none is skipped without a word; a
 * backlog larger than the queue is taken in turns (rescan whenever the queue drains). once runs
 * one batch of everything queued. */
static int loop_drain(struct engine *e, char *err, size_t errlen)
{
	int once = e->cfg->trigger == TRIGGER_ONCE;
	int rc = 0;

	while (rc == 0) {
		size_t npending = strmap_count(e->pending);
		if (*e->stop)
			return 1;
		if (npending == 0 && e->overflowed) {
			scan_all(e);
			e->prog_bytes_total = e->prog_bytes_done;
			e->prog_files_total = e->prog_files_done;
			strmap_foreach(e->pending, add_pending_bytes, e);
			continue;
		}
		if (strmap_count(e->unstable) > 0 && (npending == 0 || once)) {
			if (nap(e, e->cfg->quiet_ns / 4 + 1000000))
				return 1;
			recheck_unstable(e);
			continue;
		}
		if (npending == 0)
			break;
		rc = next_batch(e, once, err, errlen);
		if (once)
			break;
	}
	if (rc == 0 && once && (strmap_count(e->pending) > 0 || e->overflowed))
		log_line(LOG_WARN, "trigger once: more files than --max-pending-files; the rest wait for the next run",
			 (struct log_field[]){ LOG_I("max_pending_files", e->cfg->max_pending) }, 1);
	return rc;
}

static int loop_interval(struct engine *e, char *err, size_t errlen)
{
	int64_t interval = e->cfg->interval_ns;
	int64_t next_tick = (fsutil_now_ns() / interval + 1) * interval;
	int rc = 0;

	while (rc == 0 && !*e->stop) {
		int64_t now = fsutil_now_ns();
		if (now >= next_tick) {
			if (strmap_count(e->pending) > 0) {
				rc = next_batch(e, 0, err, errlen);
				if (rc != 0)
					break;
				now = fsutil_now_ns();
			}
			if (now >= next_tick + interval && strmap_count(e->pending) > 0)
				next_tick = now; /* overran: the next batch starts at once, missed ticks are dropped */
			else
				next_tick = (now / interval + 1) * interval;
			if (strmap_count(e->pending) == 0 && e->overflowed)
				scan_all(e);
			continue;
		}
		int64_t wait = next_tick - now;
		if (strmap_count(e->unstable) > 0 && wait > e->cfg->quiet_ns / 4 + 1000000)
			wait = e->cfg->quiet_ns / 4 + 1000000;
		struct pollfd pfd = { .fd = watch_fd(e->w), .events = POLLIN };
		int n = poll(&pfd, 1, (int)(wait / 1000000) + 1);
		if (n > 0 && watch_read(e->w, event_one, e) > 0) {
			log_msg(LOG_INFO, "rescanning the folder (event queue overflow or new sub-folder)");
			scan_all(e);
		}
		if (strmap_count(e->unstable) > 0)
			recheck_unstable(e);
		if (fsutil_mono_ns() - e->last_scan_ns > ENGINE_RESCAN_NS)
			scan_all(e); /* a safety net for lost events, and how deleted files are noticed */
	}
	return rc < 0 ? rc : 0;
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

int engine_run(const struct engine_config *cfg, volatile sig_atomic_t *stop, struct engine_summary *sum, char *err,
	       size_t errlen)
{
	struct engine eng = { 0 };
	struct engine *e = &eng;
	json_t *meta = NULL;
	const char *root[1];
	char qabs[4096], aabs[4096];
	int rc = -1, n = 0;

	memset(sum, 0, sizeof(*sum));
	latest_first = cfg->latest_first; /* the queue's order, from the first file taken */
	e->cfg = cfg;
	e->stop = stop;
	e->sum = sum;
	e->pending = strmap_new();
	e->known = strmap_new();
	e->unstable = strmap_new();
	e->waiting = strmap_new();
	e->rows = calloc(ENGINE_CHUNK, sizeof(*e->rows));
	e->sinks = calloc((size_t)cfg->nsinks, sizeof(*e->sinks));
	e->sink_rows = calloc((size_t)cfg->nsinks, sizeof(*e->sink_rows));
	if (e->pending == NULL || e->known == NULL || e->unstable == NULL || e->waiting == NULL || e->rows == NULL ||
	    e->sinks == NULL || e->sink_rows == NULL) {
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
	if (cfg->mode == ENGINE_WATCH) {
		/* The folder is scanned, watched and recorded by its absolute path, whatever the current
		 * folder: the registry's paths then mean the same to `status` and to the next run. */
		if (realpath(cfg->paths[0], e->root) == NULL) {
			snprintf(err, errlen, "cannot watch %s: %s", cfg->paths[0], strerror(errno));
			goto out;
		}
		root[0] = e->root;
		e->paths = root;
		e->npaths = 1;
		for (int i = 0; i < n; i++) {
			absolute(e->exclude[i], e->excl[i], sizeof(e->excl[i]));
			e->exclude[i] = e->excl[i];
		}
	}
	/* Folders recorded absolute, so `status` finds them from any current folder. */
	absolute(cfg->quarantine_dir, qabs, sizeof(qabs));
	if (cfg->archive_dir != NULL)
		absolute(cfg->archive_dir, aabs, sizeof(aabs));
	meta = json_pack("{s:i}", "version", 1);
	if (meta == NULL || json_set_path(meta, "source", cfg->mode == ENGINE_WATCH ? e->root : "replay") < 0 ||
	    json_set_path(meta, "quarantine_dir", qabs) < 0 ||
	    (cfg->archive_dir != NULL && json_set_path(meta, "archive_dir", aabs) < 0)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The checkpoint first: sinks find its identity in its metadata (the file sink refuses a folder
	 * holding another checkpoint's batches). */
	if (checkpoint_open(cfg->checkpoint, meta, &e->ck, err, errlen) < 0)
		goto out;
	if (registry_load(cfg->checkpoint, &e->reg, err, errlen) < 0)
		goto out;
	if (engine_check_checkpoint(e->ck, e->reg, err, errlen) < 0)
		goto out;
	struct sink_env env = { .state_dir = cfg->checkpoint };
	for (int i = 0; i < cfg->nsinks; i++) {
		int src = sink_open(cfg->sinks[i], &env, &e->sinks[i], err, errlen);
		if (src < 0) {
			rc = src == SINK_ECONFLICT ? -1 : ENGINE_ECONFIG;
			goto out;
		}
	}
	if (cfg->mode == ENGINE_WATCH && watch_open(e->root, cfg->recursive, e->exclude, &e->w, err, errlen) < 0)
		goto out;
	rc = recover(e, err, errlen);
	if (rc != 0)
		goto out;
	scan_all(e);
	e->prog_start = fsutil_mono_ns();
	log_set_progress_line(cfg->progress);
	strmap_foreach(e->pending, add_pending_bytes, e);
	if (cfg->mode == ENGINE_REPLAY || cfg->trigger != TRIGGER_INTERVAL)
		rc = loop_drain(e, err, errlen);
	else
		rc = loop_interval(e, err, errlen);
	if (cfg->mode == ENGINE_REPLAY)
		progress(e, 0, 0, 1);
	log_set_progress_line(0);
	if (rc > 0)
		rc = 0; /* stopped on request */
out:
	json_decref(meta);
	watch_close(e->w);
	registry_free(e->reg);
	checkpoint_close(e->ck);
	for (int i = 0; e->sinks != NULL && i < cfg->nsinks; i++)
		sink_close(e->sinks[i]);
	free(e->sinks);
	free(e->sink_rows);
	free(e->rows);
	strmap_free(e->pending, candidate_free);
	strmap_free(e->known, free);
	strmap_free(e->unstable, free);
	strmap_free(e->waiting, free);
	free(e->last);
	return rc;
}
