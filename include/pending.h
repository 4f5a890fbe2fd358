/* The pending queue of the file source: files discovered, identified and not yet planned, by
 * content key, in batch order (oldest modification time first, or newest with latest_first,
 * then by path). Bounded by its owner: when it is full, a file that comes before the last one
 * takes its place (pending_last / pending_before), so a backlog larger than the queue is still
 * taken in order, a queue at a time. */
#ifndef PCAPSTREAM_PENDING_H
#define PCAPSTREAM_PENDING_H
#include <stddef.h>
#include <stdint.h>

struct pending_file {
	char *path;
	char key[40];
	uint64_t size;
	int64_t mtime_ns;
	/* the file as it was fingerprinted, when its key can be trusted at batch time */
	int sig_ok;
	uint64_t dev, ino;
	int64_t ctime_ns;
	size_t heap_i; /* the queue's */
};

struct pending;

/* An empty queue, or NULL when out of memory. */
struct pending *pending_new(int latest_first);

size_t pending_count(const struct pending *q);

/* The queued file of content key, or NULL. */
struct pending_file *pending_get(const struct pending *q, const char *key);

/* Queue f (malloc'ed, with a malloc'ed path), whose key is not queued yet: the queue owns it from
 * now on. 0, or -1 when out of memory (f is freed). */
int pending_add(struct pending *q, struct pending_file *f);

/* The file that comes last in batch order, or NULL when empty. */
struct pending_file *pending_last(const struct pending *q);

/* Whether a file at path modified at mtime_ns comes before f in batch order. */
int pending_before(const struct pending *q, const char *path, int64_t mtime_ns, const struct pending_file *f);

/* Take f off the queue and free it. */
void pending_remove(struct pending *q, struct pending_file *f);

/* Every queued file in batch order: a new array (caller frees it; the files stay the queue's),
 * *n of them; NULL when empty or out of memory (then *n is 0). */
struct pending_file **pending_sorted(const struct pending *q, size_t *n);

/* fn(f, arg) for every queued file, in no order. */
void pending_foreach(const struct pending *q, void (*fn)(const struct pending_file *f, void *arg), void *arg);

void pending_free(struct pending *q); /* accepts NULL */

#endif
