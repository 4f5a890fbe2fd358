/* Log lines. Each line is formatted in full, then written with one write() so lines from
 * several processes sharing a log file do not interleave. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fsutil.h"
#include "log.h"
#include "redact.h"
#include "rowfmt.h"

/* The longest text value of a line (a JSON value is cut at ROW_STR_MAX, as in rows). */
#define LOG_TEXT_MAX 4096

static enum log_format format = LOG_TEXT;
static int progress_line;

static const char *const level_names[] = { "info", "warn", "error" };

void log_set_format(enum log_format f)
{
	format = f;
}

void log_set_progress_line(int on)
{
	progress_line = on;
}

/* Append to line at *off (capacity cap), never past it. */
static void add(char *line, size_t cap, size_t *off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *line, size_t cap, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + *off, cap - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < cap - *off ? (size_t)n : cap - *off - 1;
}

/* A JSON string (escaped, credentials masked) into the line. */
static void add_json_str(char *line, size_t cap, size_t *off, const char *s)
{
	char red[ROW_STR_MAX], tmp[ROW_STR_MAX * 6 + 8];
	char *e = rowfmt_str(tmp, redact_text(s, red, sizeof(red)));

	*e = '\0';
	add(line, cap, off, "%s", tmp);
}

/* Text values (credentials masked) with spaces or quotes are quoted. */
static void add_text_str(char *line, size_t cap, size_t *off, const char *s)
{
	char red[LOG_TEXT_MAX];

	redact_text(s, red, sizeof(red));
	if (red[0] != '\0' && strpbrk(red, " \"=\t\n") == NULL)
		add(line, cap, off, "%s", red);
	else
		add_json_str(line, cap, off, red);
}

void log_line(enum log_level level, const char *msg, const struct log_field *fields, int n)
{
	char line[8192], ts[40];
	size_t off = 0;

	if (progress_line)
		add(line, sizeof(line), &off, "\r\033[K");
	rowfmt_time_text(ts, fsutil_now_ns());
	ts[23] = 'Z'; /* milliseconds are enough for a log */
	ts[24] = '\0';
	if (format == LOG_JSON) {
		add(line, sizeof(line), &off, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[level]);
		add_json_str(line, sizeof(line), &off, msg);
		for (int i = 0; i < n; i++) {
			add(line, sizeof(line), &off, ",\"%s\":", fields[i].key);
			if (fields[i].type == 's')
				add_json_str(line, sizeof(line), &off, fields[i].s != NULL ? fields[i].s : "");
			else if (fields[i].type == 'i')
				add(line, sizeof(line), &off, "%lld", fields[i].i);
			else
				add(line, sizeof(line), &off, "%.3f", fields[i].d);
		}
		add(line, sizeof(line), &off, "}\n");
	} else {
		char red[LOG_TEXT_MAX];
		add(line, sizeof(line), &off, "%s %-5s %s", ts, level_names[level], redact_text(msg, red, sizeof(red)));
		for (int i = 0; i < n; i++) {
			add(line, sizeof(line), &off, " %s=", fields[i].key);
			if (fields[i].type == 's')
				add_text_str(line, sizeof(line), &off, fields[i].s != NULL ? fields[i].s : "");
			else if (fields[i].type == 'i')
				add(line, sizeof(line), &off, "%lld", fields[i].i);
			else
				add(line, sizeof(line), &off, "%.3f", fields[i].d);
		}
		add(line, sizeof(line), &off, "\n");
	}
	if (off > 0 && line[off - 1] != '\n')
		line[off - 1] = '\n'; /* cut: keep one line */
	if (write(STDERR_FILENO, line, off) < 0) {
		/* nowhere left to report it */
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(level, msg, NULL, 0);
}

int log_parse_format(const char *s, enum log_format *out)
{
	if (strcmp(s, "text") != 0 && strcmp(s, "json") != 0)
		return -1;
	*out = strcmp(s, "json") == 0 ? LOG_JSON : LOG_TEXT;
	return 0;
}
