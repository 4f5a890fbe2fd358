/* A fixed-capacity output buffer in front of a file descriptor. */
#ifndef PCAPSTREAM_OUTBUF_H
#define PCAPSTREAM_OUTBUF_H
#include <stddef.h>

struct outbuf {
	int fd;
	char *data;
	size_t len, cap;
	int failed; /* errno of the first failed write, 0 if none */
};

/* Allocate cap bytes for writing to fd. Returns 0, or -1 when out of memory. */
int outbuf_init(struct outbuf *ob, int fd, size_t cap);

/* Room for n more bytes (n <= cap): flushes first if needed. Returns where to write; the
 * caller then adds what it wrote to ob->len. */
char *outbuf_reserve(struct outbuf *ob, size_t n);

/* Write everything buffered. Returns 0, or -1 (errno in ob->failed; the data is dropped). */
int outbuf_flush(struct outbuf *ob);

/* Release the buffer (does not flush or close fd); accepts NULL. */
void outbuf_free(struct outbuf *ob);

#endif
