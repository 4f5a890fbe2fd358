/* File-system helpers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fsutil.h"
#include "rowfmt.h"

int fsutil_fsync_dir(const char *path)
{
	char buf[4096];
	struct stat st;
	const char *dir = path;
	int fd, rc;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(buf, sizeof(buf), "%s", path);
		dir = dirname(buf);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsutil_write_atomic's fill: the buffer. */
struct buf_arg {
	const void *data;
	size_t len;
};

static int fill_buf(FILE *f, void *arg, char *err, size_t errlen)
{
	const struct buf_arg *b = arg;

	(void)err;
	(void)errlen;
	return b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len ? 0 : -1;
}

int fsutil_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	struct buf_arg b = { data, len };

	return fsutil_write_atomic_with(path, fill_buf, &b, err, errlen);
}

int fsutil_write_atomic_with(const char *path, int (*fill)(FILE *f, void *arg, char *err, size_t errlen), void *arg,
			     char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f = NULL;
	int rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		goto out;
	}
	f = fopen(tmp, "we");
	if (f == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	err[0] = '\0';
	if (fill(f, arg, err, errlen) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "cannot close %s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fsutil_fsync_dir(path) < 0) {
		snprintf(err, errlen, "cannot fsync the directory of %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int fsutil_mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "bad directory path '%s'", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
		return -1;
	}
	return 0;
}

char *fsutil_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t got = 0;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes or unreadable", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static int copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	char buf[65536];
	int in = -1, out = -1, rc = -1;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "cannot open %s: %s", src, strerror(errno));
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dst, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n) < 0) {
			snprintf(err, errlen, "cannot write %s: %s", dst, strerror(errno));
			goto out;
		}
	}
	if (fsync(out) < 0) {
		snprintf(err, errlen, "cannot fsync %s: %s", dst, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (rc < 0 && out >= 0)
		unlink(dst);
	return rc;
}

int fsutil_move(const char *src, const char *dst, char *err, size_t errlen)
{
	if (rename(src, dst) == 0) {
		fsutil_fsync_dir(dst);
		return 0;
	}
	if (errno != EXDEV) {
		snprintf(err, errlen, "cannot move %s to %s: %s", src, dst, strerror(errno));
		return -1;
	}
	if (copy_file(src, dst, err, errlen) < 0)
		return -1;
	fsutil_fsync_dir(dst);
	if (unlink(src) < 0) {
		snprintf(err, errlen, "copied %s to %s but cannot remove it: %s", src, dst, strerror(errno));
		return -1;
	}
	return 0;
}

int fsutil_free_name(const char *dir, const char *name, char *out, size_t outlen)
{
	struct stat st;

	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		return -1;
	for (int i = 1; lstat(out, &st) == 0; i++) {
		if ((size_t)snprintf(out, outlen, "%s/%s.%d", dir, name, i) >= outlen)
			return -1;
	}
	return 0;
}

const char *fsutil_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

int64_t fsutil_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t fsutil_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct unit {
	const char *name;
	double mult;
};

/* A non-negative number followed by one of units' names (compared ignoring case), times that
 * unit's multiplier, if the result is at most max. Returns 0 and *out, or -1. */
static int parse_with_units(const char *s, const struct unit *units, double max, double *out)
{
	char *end;
	double v;

	const char *digits = s;

	/* a plain decimal number (digits and a point): no blank, sign, exponent, hex, inf or nan,
	 * which strtod would also take */
	while (isdigit((unsigned char)*digits) || *digits == '.')
		digits++;
	errno = 0;
	v = strtod(s, &end);
	if (digits == s || end != digits || errno != 0 || v < 0 || !isfinite(v))
		return -1;
	for (int i = 0; units[i].name != NULL; i++) {
		if (strcasecmp(end, units[i].name) == 0) {
			double r = v * units[i].mult;
			if (r > max)
				return -1;
			*out = r;
			return 0;
		}
	}
	return -1;
}

int fsutil_parse_duration(const char *s, int64_t *ns)
{
	static const struct unit units[] = {
		{ "ns", 1 },   { "us", 1e3 },	{ "ms", 1e6 },	  { "s", 1e9 },	     { "", 1e9 },
		{ "m", 6e10 }, { "h", 3.6e12 }, { "d", 8.64e13 }, { "w", 6.048e14 }, { "y", 3.1536e16 }, /* 365 days */
		{ NULL, 0 },
	};
	double v;

	if (parse_with_units(s, units, 9.2e18, &v) < 0)
		return -1;
	*ns = (int64_t)v;
	return 0;
}

int fsutil_parse_size(const char *s, uint64_t *bytes)
{
	static const struct unit units[] = {
		{ "", 1 },	   { "b", 1 },	     { "k", 0x1p10 },	{ "kb", 0x1p10 },  { "kib", 0x1p10 },
		{ "m", 0x1p20 },   { "mb", 0x1p20 }, { "mib", 0x1p20 }, { "g", 0x1p30 },   { "gb", 0x1p30 },
		{ "gib", 0x1p30 }, { "t", 0x1p40 },  { "tb", 0x1p40 },	{ "tib", 0x1p40 }, { NULL, 0 },
	};
	double v;

	if (parse_with_units(s, units, 1.8e19, &v) < 0)
		return -1;
	*bytes = (uint64_t)v;
	return 0;
}

int64_t fsutil_parse_day(const char *s)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || strlen(s) != 10)
		return -1;
	return (int64_t)timegm(&tm) / 86400;
}

void fsutil_format_day(int64_t day, char *out, size_t outlen)
{
	time_t secs = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(out, outlen, "%Y-%m-%d", &tm);
}

int fsutil_is_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t l = rowfmt_utf8_len(u + i, n - i);
		if (l == 0)
			return 0;
		i += l;
	}
	return 1;
}

int fsutil_display_name(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), o = 0;
	int rc = -1;

	if (outlen == 0)
		return -1;
	for (size_t i = 0; i < n;) {
		size_t l = rowfmt_utf8_len(u + i, n - i);
		if (l == 0) {
			if (o + 4 >= outlen)
				goto out;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[u[i] >> 4];
			out[o++] = hex[u[i] & 15];
			i++;
			continue;
		}
		if (o + l >= outlen)
			goto out;
		memcpy(out + o, u + i, l);
		o += l;
		i += l;
	}
	rc = 0;
out:
	out[o] = '\0';
	return rc;
}

int fsutil_hex_encode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);

	if (outlen < 2 * n + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int fsutil_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fsutil_hex_decode(const char *hex, char *out, size_t outlen)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || outlen < n / 2 + 1)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = fsutil_hexval(hex[2 * i]), lo = fsutil_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return 0;
}
