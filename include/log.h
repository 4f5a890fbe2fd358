/* Log lines on standard error: one per batch, one per problem. Text (default) or JSON lines. */
#ifndef PCAPSTREAM_LOG_H
#define PCAPSTREAM_LOG_H
#include <stdarg.h>

enum log_format { LOG_TEXT, LOG_JSON };
enum log_level { LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_format(enum log_format f);

/* "text" or "json" into *out. Returns 0, or -1 (out untouched) for anything else. */
int log_parse_format(const char *s, enum log_format *out);

/* While on, a progress line may be on the terminal: each log line first erases it. */
void log_set_progress_line(int on);

/* A field of a structured log line. Exactly one of s (string) or i (integer) or d (double) is used,
 * by type: 's', 'i' or 'd'. */
struct log_field {
	const char *key;
	char type;
	const char *s;
	long long i;
	double d;
};

#define LOG_S(k, v) ((struct log_field){ .key = (k), .type = 's', .s = (v) })
#define LOG_I(k, v) ((struct log_field){ .key = (k), .type = 'i', .i = (long long)(v) })
#define LOG_D(k, v) ((struct log_field){ .key = (k), .type = 'd', .d = (double)(v) })

/* Write one line: time, level, message, then the n fields (key=value in text, members in JSON). */
void log_line(enum log_level level, const char *msg, const struct log_field *fields, int n);

/* A free-text line (printf format) at level. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
