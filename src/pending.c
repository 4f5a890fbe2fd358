/* The file source's pending queue (see pending.h): a map by content key, and a binary heap with
 * the file that comes last in batch order on top. */
#include <stdlib.h>
#include <string.h>
#include "growbuf.h"
#include "pending.h"
#include "strmap.h"

struct pending {
	int latest_first;
	struct strmap *by_key;	    /* key -> struct pending_file */
	struct pending_file **heap; /* the last in batch order on top */
	size_t n, cap;
};

static void file_free(void *p)
{
	struct pending_file *f = p;

	if (f == NULL)
		return;
	free(f->path);
	free(f);
}

/* Batch order: oldest modification time first (newest with latest_first), then by path. */
static int order(int latest_first, const char *px, int64_t mx, const char *py, int64_t my)
{
	int d = (mx > my) - (mx < my);

	if (latest_first)
		d = -d;
	return d != 0 ? d : strcmp(px, py);
}

static int cmp(const struct pending *q, const struct pending_file *x, const struct pending_file *y)
{
	return order(q->latest_first, x->path, x->mtime_ns, y->path, y->mtime_ns);
}

static void heap_swap(struct pending *q, size_t i, size_t j)
{
	struct pending_file *t = q->heap[i];

	q->heap[i] = q->heap[j];
	q->heap[j] = t;
	q->heap[i]->heap_i = i;
	q->heap[j]->heap_i = j;
}

static void heap_fix(struct pending *q, size_t i)
{
	while (i > 0 && cmp(q, q->heap[(i - 1) / 2], q->heap[i]) < 0) {
		heap_swap(q, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		if (l < q->n && cmp(q, q->heap[top], q->heap[l]) < 0)
			top = l;
		if (r < q->n && cmp(q, q->heap[top], q->heap[r]) < 0)
			top = r;
		if (top == i)
			break;
		heap_swap(q, i, top);
		i = top;
	}
}

struct pending *pending_new(int latest_first)
{
	struct pending *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->latest_first = latest_first;
	q->by_key = strmap_new();
	if (q->by_key == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

size_t pending_count(const struct pending *q)
{
	return strmap_count(q->by_key);
}

struct pending_file *pending_get(const struct pending *q, const char *key)
{
	return strmap_get(q->by_key, key);
}

int pending_add(struct pending *q, struct pending_file *f)
{
	if (growbuf_array((void **)&q->heap, &q->cap, q->n + 1, sizeof(*q->heap), SIZE_MAX) < 0 ||
	    strmap_put(q->by_key, f->key, f, NULL) < 0) {
		file_free(f);
		return -1;
	}
	f->heap_i = q->n;
	q->heap[q->n++] = f;
	heap_fix(q, f->heap_i);
	return 0;
}

struct pending_file *pending_last(const struct pending *q)
{
	return q->n > 0 ? q->heap[0] : NULL;
}

int pending_before(const struct pending *q, const char *path, int64_t mtime_ns, const struct pending_file *f)
{
	return order(q->latest_first, path, mtime_ns, f->path, f->mtime_ns) < 0;
}

void pending_remove(struct pending *q, struct pending_file *f)
{
	size_t i = f->heap_i;

	if (i < q->n && q->heap[i] == f) {
		q->n--;
		if (i != q->n) {
			q->heap[i] = q->heap[q->n];
			q->heap[i]->heap_i = i;
			heap_fix(q, i);
		}
	}
	file_free(strmap_del(q->by_key, f->key));
}

static int by_order(const void *a, const void *b, void *arg)
{
	return cmp(arg, *(struct pending_file *const *)a, *(struct pending_file *const *)b);
}

struct pending_file **pending_sorted(const struct pending *q, size_t *n)
{
	struct pending_file **v = q->n > 0 ? malloc(q->n * sizeof(*v)) : NULL;

	*n = 0;
	if (v == NULL)
		return NULL;
	memcpy(v, q->heap, q->n * sizeof(*v));
	qsort_r(v, q->n, sizeof(*v), by_order, (void *)q);
	*n = q->n;
	return v;
}

void pending_foreach(const struct pending *q, void (*fn)(const struct pending_file *f, void *arg), void *arg)
{
	for (size_t i = 0; i < q->n; i++)
		fn(q->heap[i], arg);
}

void pending_free(struct pending *q)
{
	if (q == NULL)
		return;
	strmap_free(q->by_key, file_free);
	free(q->heap);
	free(q);
}
