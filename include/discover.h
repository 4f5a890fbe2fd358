/* Discovery: which files of the watched folder (or of replay's paths) are complete and may be
 * taken. Full scans, inotify events, the periodic rescan, the open-for-writing check and the
 * quiet period for files a scan finds still growing. What a file holds is the file source's
 * business: discovery hands it complete files and remembers what it said of each. */
#ifndef PCAPSTREAM_DISCOVER_H
#define PCAPSTREAM_DISCOVER_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct discover;

struct discover_config {
	int watch;		  /* a watched folder (1) or replay's paths (0) */
	const char *const *paths; /* watch: the one folder, absolute */
	int npaths;
	const char *const *exclude; /* folders never looked into (NULL-ended) */
	int recursive;
	int wait_for_writers; /* interval trigger: wait for files still written; else skip them */
	int64_t quiet_ns;     /* a file a scan finds is taken once its size is stable this long */
};

/* Called for a file that is complete. again is 0 here (see the file source). */
typedef void (*discover_take_fn)(void *arg, const char *path, const struct stat *st);

/* Start (inotify on the folder for watch). take is called from discover_scan/discover_wait/
 * discover_recheck. Returns 0 and *out (discover_close frees) or -1 with err. */
int discover_open(const struct discover_config *cfg, discover_take_fn take, void *arg, struct discover **out, char *err,
		  size_t errlen);

/* A full scan of the paths: every file not known unchanged is considered; files known but no
 * longer present are forgotten. */
void discover_scan(struct discover *d);

/* Wait up to wait_ns for inotify events (less while files may still be written), take what is
 * complete, look again at growing files. Returns 1 when a full scan is due (event queue
 * overflow, a new sub-folder, or the periodic rescan), else 0. */
int discover_wait(struct discover *d, int64_t wait_ns);

/* Look again at the files that might still be written. */
void discover_recheck(struct discover *d);

/* How many files might still be written. */
size_t discover_unstable(const struct discover *d);

/* What the source decided about path (key: its content key, "" if none): it is not considered
 * again while its size and modification time stay the same. */
void discover_remember(struct discover *d, const char *path, uint64_t size, int64_t mtime_ns, const char *key);

/* Forget path: the next scan or event considers it again. */
void discover_forget(struct discover *d, const char *path);

/* fn(key, arg) for every content key of a file found by the last full scan. */
void discover_foreach_key(struct discover *d, void (*fn)(const char *key, void *arg), void *arg);

/* Modification time in ns of st. */
int64_t discover_mtime(const struct stat *st);

void discover_close(struct discover *d); /* accepts NULL */

#endif
