/* inotify on a folder (and optionally its sub-folders): reports files that are complete, i.e.
 * closed after writing (IN_CLOSE_WRITE) or moved in (IN_MOVED_TO), and when a rescan is due
 * (the kernel's event queue overflowed, or a new sub-folder appeared). */
#ifndef PCAPSTREAM_WATCH_H
#define PCAPSTREAM_WATCH_H
#include <stddef.h>

struct watch;

/* Watch dir (recursively if asked, skipping hidden folders and the NULL-ended exclude list).
 * Returns 0 and *out, or -1 with err. */
int watch_open(const char *dir, int recursive, const char *const *exclude, struct watch **out, char *err,
	       size_t errlen);

/* The descriptor to poll for input. */
int watch_fd(const struct watch *w);

/* Read pending events: fn(path, arg) for each complete file whose name is not ignored. Returns
 * 1 if a full rescan is needed, 0 otherwise, -1 on a read error. Never blocks. */
int watch_read(struct watch *w, void (*fn)(const char *path, void *arg), void *arg);

void watch_close(struct watch *w);

#endif
