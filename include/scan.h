/* Finding capture files in folders: which names are candidates, and walking a tree. */
#ifndef PCAPSTREAM_SCAN_H
#define PCAPSTREAM_SCAN_H
#include <sys/stat.h>

/* Whether a file name is ignored: hidden (".name") or a temporary name (suffixes .tmp, .part,
 * .partial, .filepart, .crdownload, .swp, ~). Returns 1 if ignored. */
int scan_ignored_name(const char *name);

/* Call fn(path, st, arg) for every regular file under root whose name is not ignored, descending
 * into sub-folders if recursive (never into hidden folders or the excluded paths, a NULL-ended
 * list). root may also be a single file. Returns 0, or -1 if root cannot be read (errno set). */
int scan_tree(const char *root, int recursive, const char *const *exclude,
	      void (*fn)(const char *path, const struct stat *st, void *arg), void *arg);

#endif
