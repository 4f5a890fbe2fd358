/* A growable byte buffer with a cap, and the same growth rule for arrays.
 *
 * The one way pcapstream grows memory: doubling, never past a cap the owner states, so every
 * buffer is bounded in bytes. The struct is open (embedded by value, len/data read directly in
 * hot loops); only these functions change it. */
#ifndef PCAPSTREAM_GROWBUF_H
#define PCAPSTREAM_GROWBUF_H
#include <stddef.h>

struct growbuf {
	char *data; /* NUL-terminated after every append (when data != NULL) */
	size_t len, cap;
	size_t max; /* len never exceeds this */
};

/* An empty buffer that may hold up to max bytes. Allocates nothing. */
void growbuf_init(struct growbuf *b, size_t max);

/* Room for n more bytes (plus the terminating NUL). Returns where to write them, or NULL when
 * len + n would pass max or memory runs out (the buffer is unchanged). The caller adds what it
 * wrote to len, then calls growbuf_terminate() if it needs the NUL. */
char *growbuf_reserve(struct growbuf *b, size_t n);

/* Append n bytes. Returns 0, or -1 (past max, or out of memory; the buffer is unchanged). */
int growbuf_append(struct growbuf *b, const void *p, size_t n);

/* Append a string and a newline, as one NDJSON line. 0 or -1 as growbuf_append. */
int growbuf_append_line(struct growbuf *b, const char *s);

/* Write the NUL after len (room for it is always reserved). */
void growbuf_terminate(struct growbuf *b);

/* Forget the content, keep the memory. */
void growbuf_reset(struct growbuf *b);

/* Take the data (caller frees; NULL if nothing was ever appended); the buffer becomes empty. */
char *growbuf_take(struct growbuf *b);

/* Release the memory; accepts NULL. The buffer is left empty and usable. */
void growbuf_free(struct growbuf *b);

/* Grow an array *v of *cap elements of elem bytes to hold at least need, doubling from 64, never
 * past max elements. Returns 0, or -1 (past max or out of memory; *v and *cap unchanged). */
int growbuf_array(void **v, size_t *cap, size_t need, size_t elem, size_t max);

/* A growing list of copied strings. */
struct growbuf_strv {
	char **v;
	size_t n, cap;
};

/* Append a copy of s, the list holding at most max. 0, or -1 (full or out of memory: s is left
 * out, the list unchanged). */
int growbuf_strv_push(struct growbuf_strv *l, const char *s, size_t max);

/* Free the copies and the list; accepts NULL. The list is left empty. */
void growbuf_strv_free(struct growbuf_strv *l);

#endif
