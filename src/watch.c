/* inotify watcher. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "scan.h"
#include "strmap.h"
#include "watch.h"

#define WATCH_DIR_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct watch {
	int fd;
	int recursive;
	const char *const *exclude;
	struct strmap *dirs; /* watch descriptor (as text) -> folder path */
};

static int excluded(const char *path, const char *const *exclude)
{
	for (int i = 0; exclude != NULL && exclude[i] != NULL; i++) {
		if (strcmp(path, exclude[i]) == 0)
			return 1;
	}
	return 0;
}

/* Watch one folder, and its sub-folders if recursive. */
static int add_dir(struct watch *w, const char *dir, int depth, char *err, size_t errlen)
{
	char key[16];
	char *copy;
	void *old = NULL;
	int wd;

	if (depth > 64)
		return 0;
	wd = inotify_add_watch(w->fd, dir, WATCH_DIR_MASK);
	if (wd < 0) {
		snprintf(err, errlen, "cannot watch %s: %s%s", dir, strerror(errno),
			 errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
		return -1;
	}
	snprintf(key, sizeof(key), "%d", wd);
	copy = strdup(dir);
	if (copy == NULL || strmap_put(w->dirs, key, copy, &old) < 0) {
		free(copy);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(old);
	if (!w->recursive)
		return 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return 0;
	for (;;) {
		struct dirent *de = readdir(d);
		char path[4096];
		if (de == NULL)
			break;
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (excluded(path, w->exclude))
			continue;
		add_dir(w, path, depth + 1, err, errlen); /* a sub-folder we cannot watch is found by rescans */
	}
	closedir(d);
	return 0;
}

int watch_open(const char *dir, int recursive, const char *const *exclude, struct watch **out, char *err, size_t errlen)
{
	struct watch *w = calloc(1, sizeof(*w));
	int rc = -1;

	*out = NULL;
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	w->recursive = recursive;
	w->exclude = exclude;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		goto out;
	}
	w->dirs = strmap_new();
	if (w->dirs == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (add_dir(w, dir, 0, err, errlen) < 0)
		goto out;
	*out = w;
	w = NULL;
	rc = 0;
out:
	watch_close(w);
	return rc;
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}

int watch_read(struct watch *w, void (*fn)(const char *path, void *arg), void *arg)
{
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)] __attribute__((aligned(8)));
	int rescan = 0;

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			char key[16], path[4096];
			const char *dir;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				rescan = 1;
				continue;
			}
			snprintf(key, sizeof(key), "%d", ev->wd);
			dir = strmap_get(w->dirs, key);
			if (ev->mask & IN_IGNORED) {
				free(strmap_del(w->dirs, key));
				continue;
			}
			if (dir == NULL || ev->len == 0 || scan_ignored_name(ev->name))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, ev->name) >= sizeof(path))
				continue;
			if (ev->mask & IN_ISDIR) {
				if (w->recursive && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
				    !excluded(path, w->exclude)) {
					char err[256];
					add_dir(w, path, 0, err, sizeof(err));
					rescan = 1; /* files may have landed before the watch was set */
				}
				continue;
			}
			if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
				fn(path, arg);
		}
	}
	return rescan;
}

void watch_close(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	strmap_free(w->dirs, free);
	free(w);
}
