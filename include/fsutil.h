/* File-system helpers: durable atomic writes, directories, paths. */
#ifndef PCAPSTREAM_FSUTIL_H
#define PCAPSTREAM_FSUTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Replace path with len bytes of data durably: write path.tmp, fsync it, rename it over path,
 * fsync the directory. Returns 0, or -1 with a message in err (path is then unchanged). */
int fsutil_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* The same with the content written by fill to f (path.tmp): fill returns 0, or -1 with a message
 * in err (or with errno set: the message is made here). */
int fsutil_write_atomic_with(const char *path, int (*fill)(FILE *f, void *arg, char *err, size_t errlen), void *arg,
			     char *err, size_t errlen);

/* fsync the directory holding path (or path itself if it is a directory). Returns 0 or -1. */
int fsutil_fsync_dir(const char *path);

/* mkdir -p. Returns 0, or -1 with a message in err. */
int fsutil_mkdirs(const char *path, char *err, size_t errlen);

/* Read a whole file (at most max bytes) into a NUL-terminated malloc'd buffer the caller frees.
 * Returns it, or NULL with a message in err. *len (if not NULL) receives the length. */
char *fsutil_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/* Move src to dst: rename, or copy + fsync + unlink across file systems. Creates nothing else.
 * Returns 0, or -1 with a message in err. */
int fsutil_move(const char *src, const char *dst, char *err, size_t errlen);

/* A destination for name in dir that does not exist yet: dir/name, else dir/name.1, .2, ...
 * Written into out (outlen bytes). Returns 0, or -1 if none fits. */
int fsutil_free_name(const char *dir, const char *name, char *out, size_t outlen);

/* Last path component (a pointer into path). */
const char *fsutil_basename(const char *path);

/* Current time in nanoseconds: wall clock (realtime) and monotonic. */
int64_t fsutil_now_ns(void);
int64_t fsutil_mono_ns(void);

/* Parse "10s", "500ms", "5m", "2h", "7d" (a bare number is seconds) into nanoseconds.
 * Returns 0, or -1 if the text is not a duration. */
int fsutil_parse_duration(const char *s, int64_t *ns);

/* Days since 1970-01-01 of a "YYYY-MM-DD" date (UTC), or -1 if the text is not one. */
int64_t fsutil_parse_day(const char *s);

/* Write day (days since 1970-01-01) as "YYYY-MM-DD" into out (at least 16 bytes). */
void fsutil_format_day(int64_t day, char *out, size_t outlen);

/* 1 if s is valid UTF-8 (no overlong forms, no surrogates), 0 if not. */
int fsutil_is_utf8(const char *s);

/* A file name (or path) as valid UTF-8 text for rows, logs and JSON: every byte that is not part
 * of a valid UTF-8 sequence is written as the four characters \xHH (lowercase hex); valid UTF-8
 * is copied unchanged (so a name that is UTF-8 shows as itself). Returns 0, or -1 if out
 * (outlen bytes) is too small (out then holds a NUL-terminated prefix). */
int fsutil_display_name(const char *s, char *out, size_t outlen);

/* The bytes of s as lowercase hex (2 characters a byte) into out, and back. Both return 0, or -1
 * if out is too small or (decode) the text is not an even number of hex digits or holds a NUL. */
int fsutil_hex_encode(const char *s, char *out, size_t outlen);
int fsutil_hex_decode(const char *hex, char *out, size_t outlen);

/* Parse "100", "64k", "10MB", "1GiB" (powers of 1024) into bytes. Returns 0 or -1. */
int fsutil_parse_size(const char *s, uint64_t *bytes);

/* The value of the hex digit c (either case), or -1. */
int fsutil_hexval(char c);

#endif
