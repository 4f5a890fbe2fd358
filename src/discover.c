/* Discovery: complete files of the watched folder or of replay's paths (see discover.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "discover.h"
#include "fsutil.h"
#include "growbuf.h"
#include "log.h"
#include "scan.h"
#include "strmap.h"
#include "watch.h"

#define DISCOVER_RESCAN_NS 300000000000LL /* full rescan every 5 minutes */
#define DISCOVER_MAX_PATHS (1u << 24)	  /* paths collected for a recheck at most */

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

struct discover {
	struct discover_config cfg;
	discover_take_fn take;
	void *arg;
	struct watch *w;
	struct strmap *known;	 /* path -> struct known: already looked at, unchanged since */
	struct strmap *unstable; /* path -> struct unstable: maybe still being written */
	uint64_t gen;		 /* full scans so far */
	int64_t last_scan_ns;	 /* monotonic time of the last full scan */
};

int64_t discover_mtime(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

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

void discover_remember(struct discover *d, const char *path, uint64_t size, int64_t mtime_ns, const char *key)
{
	struct known *k = malloc(sizeof(*k));
	void *old = NULL;

	if (k == NULL)
		return;
	k->size = size;
	k->mtime_ns = mtime_ns;
	k->gen = d->gen;
	snprintf(k->key, sizeof(k->key), "%s", key);
	if (strmap_put(d->known, path, k, &old) < 0)
		free(k);
	free(old);
}

void discover_forget(struct discover *d, const char *path)
{
	free(strmap_del(d->known, path));
}

/* A file seen by a scan or an event. complete: the writer closed it (IN_CLOSE_WRITE) or moved
 * it in, or it was named on the command line. */
static void consider(struct discover *d, const char *path, const struct stat *st, int complete)
{
	struct known *k = strmap_get(d->known, path);
	int writing;

	if (k != NULL && k->size == (uint64_t)st->st_size && k->mtime_ns == discover_mtime(st)) {
		k->gen = d->gen;
		return;
	}
	if (!d->cfg.watch) {
		d->take(d->arg, path, st);
		return;
	}
	writing = open_for_writing(path);
	if (writing == 0 || (writing < 0 && complete)) {
		free(strmap_del(d->unstable, path));
		d->take(d->arg, path, st);
		return;
	}
	if (writing == 1 && !d->cfg.wait_for_writers) {
		/* once / available-now end when what is there is taken: a file still being written is
		 * left for a later run, with a word, not waited for (its writer may never close it) */
		free(strmap_del(d->unstable, path));
		log_line(LOG_INFO, "not taken: still open for writing (a later run takes it once closed)",
			 (struct log_field[]){ LOG_S("file", path) }, 1);
		return;
	}
	/* Still open for writing, or unknown after a rescan: wait until the size has been stable for
	 * the quiet period (and nobody writes it, where that can be told). */
	struct unstable *u = strmap_get(d->unstable, path);
	int64_t now = fsutil_mono_ns();
	if (u == NULL) {
		u = malloc(sizeof(*u));
		if (u == NULL || strmap_put(d->unstable, path, u, NULL) < 0) {
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
	if (writing == 1 || now - u->since_ns < d->cfg.quiet_ns)
		return;
	free(strmap_del(d->unstable, path));
	d->take(d->arg, path, st);
}

static void scan_one(const char *path, const struct stat *st, void *arg)
{
	consider(arg, path, st, 0);
}

/* Out of memory, a path is left out of a list: it is looked at by a later scan. */
static void paths_push(struct growbuf_strv *p, const char *s)
{
	growbuf_strv_push(p, s, DISCOVER_MAX_PATHS);
}

static void collect_stale(const char *path, void *value, void *arg)
{
	struct discover **dp = ((void **)arg)[0];
	struct growbuf_strv *p = ((void **)arg)[1];

	if (((struct known *)value)->gen != (*dp)->gen)
		paths_push(p, path);
}

void discover_scan(struct discover *d)
{
	struct growbuf_strv stale = { 0 };
	void *ctx[2] = { &d, &stale };

	d->gen++;
	d->last_scan_ns = fsutil_mono_ns();
	for (int i = 0; i < d->cfg.npaths; i++) {
		if (scan_tree(d->cfg.paths[i], !d->cfg.watch || d->cfg.recursive, d->cfg.exclude, scan_one, d) < 0)
			log_line(
			    LOG_ERROR, "cannot read",
			    (struct log_field[]){ LOG_S("path", d->cfg.paths[i]), LOG_S("error", strerror(errno)) }, 2);
	}
	if (!d->cfg.watch)
		return;
	/* forget paths that are no longer there */
	strmap_foreach(d->known, collect_stale, ctx);
	for (size_t i = 0; i < stale.n; i++)
		free(strmap_del(d->known, stale.v[i]));
	growbuf_strv_free(&stale);
}

struct key_ctx {
	void (*fn)(const char *key, void *arg);
	void *arg;
};

static void each_key(const char *path, void *value, void *arg)
{
	struct key_ctx *c = arg;
	struct known *k = value;

	(void)path;
	if (k->key[0] != '\0')
		c->fn(k->key, c->arg);
}

void discover_foreach_key(struct discover *d, void (*fn)(const char *key, void *arg), void *arg)
{
	struct key_ctx c = { .fn = fn, .arg = arg };

	strmap_foreach(d->known, each_key, &c);
}

static void event_one(const char *path, void *arg)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		consider(arg, path, &st, 1);
}

static void collect_unstable(const char *path, void *value, void *arg)
{
	(void)value;
	paths_push(arg, path);
}

void discover_recheck(struct discover *d)
{
	struct growbuf_strv p = { 0 };

	strmap_foreach(d->unstable, collect_unstable, &p);
	for (size_t i = 0; i < p.n; i++) {
		struct stat st;
		if (lstat(p.v[i], &st) == 0 && S_ISREG(st.st_mode))
			consider(d, p.v[i], &st, 0);
		else
			free(strmap_del(d->unstable, p.v[i]));
	}
	growbuf_strv_free(&p);
}

size_t discover_unstable(const struct discover *d)
{
	return strmap_count(d->unstable);
}

int discover_wait(struct discover *d, int64_t wait_ns)
{
	int rescan = 0;

	if (strmap_count(d->unstable) > 0 && wait_ns > d->cfg.quiet_ns / 4 + 1000000)
		wait_ns = d->cfg.quiet_ns / 4 + 1000000;
	if (d->w != NULL) {
		struct pollfd pfd = { .fd = watch_fd(d->w), .events = POLLIN };
		int n = poll(&pfd, 1, wait_ns > 0 ? (int)(wait_ns / 1000000) + 1 : 0);
		if (n > 0 && watch_read(d->w, event_one, d) > 0) {
			log_msg(LOG_INFO, "rescanning the folder (event queue overflow or new sub-folder)");
			rescan = 1;
		}
	} else if (wait_ns > 0) {
		struct timespec ts = { .tv_sec = wait_ns / 1000000000, .tv_nsec = wait_ns % 1000000000 };
		nanosleep(&ts, NULL);
	}
	if (strmap_count(d->unstable) > 0)
		discover_recheck(d);
	if (d->cfg.watch && fsutil_mono_ns() - d->last_scan_ns > DISCOVER_RESCAN_NS)
		rescan = 1; /* a safety net for lost events, and how deleted files are noticed */
	return rescan;
}

int discover_open(const struct discover_config *cfg, discover_take_fn take, void *arg, struct discover **out, char *err,
		  size_t errlen)
{
	struct discover *d = calloc(1, sizeof(*d));
	int rc = -1;

	*out = NULL;
	if (d != NULL) {
		d->cfg = *cfg;
		d->take = take;
		d->arg = arg;
		d->known = strmap_new();
		d->unstable = strmap_new();
	}
	if (d == NULL || d->known == NULL || d->unstable == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cfg->watch && watch_open(cfg->paths[0], cfg->recursive, cfg->exclude, &d->w, err, errlen) < 0)
		goto out;
	*out = d;
	d = NULL;
	rc = 0;
out:
	discover_close(d);
	return rc;
}

void discover_close(struct discover *d)
{
	if (d == NULL)
		return;
	watch_close(d->w);
	strmap_free(d->known, free);
	strmap_free(d->unstable, free);
	free(d);
}
