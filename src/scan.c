/* Directory walking for capture files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "scan.h"

int scan_ignored_name(const char *name)
{
	static const char *const suffixes[] = { ".tmp",	       ".part", ".partial", ".filepart",
						".crdownload", ".swp",	"~",	    NULL };
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.')
		return 1;
	for (int i = 0; suffixes[i] != NULL; i++) {
		size_t s = strlen(suffixes[i]);
		if (n > s && strcmp(name + n - s, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

static int excluded(const char *path, const char *const *exclude)
{
	for (int i = 0; exclude != NULL && exclude[i] != NULL; i++) {
		if (strcmp(path, exclude[i]) == 0)
			return 1;
	}
	return 0;
}

static int walk(const char *dir, int recursive, const char *const *exclude, int depth,
		void (*fn)(const char *path, const struct stat *st, void *arg), void *arg)
{
	DIR *d;

	if (depth > 64)
		return 0; /* a loop of bind mounts or a very deep tree: stop */
	d = opendir(dir);
	if (d == NULL)
		return -1;
	for (;;) {
		struct dirent *de = readdir(d);
		char path[4096];
		struct stat st;
		if (de == NULL)
			break;
		if (scan_ignored_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue; /* gone meanwhile */
		if (S_ISREG(st.st_mode)) {
			fn(path, &st, arg);
		} else if (S_ISDIR(st.st_mode) && recursive && !excluded(path, exclude)) {
			walk(path, recursive, exclude, depth + 1, fn, arg);
		}
	}
	closedir(d);
	return 0;
}

int scan_tree(const char *root, int recursive, const char *const *exclude,
	      void (*fn)(const char *path, const struct stat *st, void *arg), void *arg)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		fn(root, &st, arg);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return walk(root, recursive, exclude, 0, fn, arg);
}
