/* Chained hash map, doubling at load factor 1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "strmap.h"

struct entry {
	struct entry *next;
	uint64_t hash;
	void *value;
	char key[];
};

struct strmap {
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

struct strmap *strmap_new(void)
{
	struct strmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->nbuckets = 64;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	if (m->buckets == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static struct entry **find(const struct strmap *m, const char *key, uint64_t h)
{
	struct entry **e = &m->buckets[h & (m->nbuckets - 1)];

	while (*e != NULL && ((*e)->hash != h || strcmp((*e)->key, key) != 0))
		e = &(*e)->next;
	return e;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct entry **e = find(m, key, hash64(key, strlen(key), 0));

	return *e != NULL ? (*e)->value : NULL;
}

static void grow(struct strmap *m)
{
	size_t n = m->nbuckets * 2;
	struct entry **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return; /* stay at this size: slower, still correct */
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct entry *e = m->buckets[i];
		while (e != NULL) {
			struct entry *next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
}

int strmap_put(struct strmap *m, const char *key, void *value, void **old)
{
	size_t klen = strlen(key);
	uint64_t h = hash64(key, klen, 0);
	struct entry **e = find(m, key, h);
	struct entry *n;

	if (old != NULL)
		*old = NULL;
	if (*e != NULL) {
		if (old != NULL)
			*old = (*e)->value;
		(*e)->value = value;
		return 0;
	}
	n = malloc(sizeof(*n) + klen + 1);
	if (n == NULL)
		return -1;
	n->next = NULL;
	n->hash = h;
	n->value = value;
	memcpy(n->key, key, klen + 1);
	*e = n;
	m->count++;
	if (m->count > m->nbuckets)
		grow(m);
	return 0;
}

void *strmap_del(struct strmap *m, const char *key)
{
	struct entry **e = find(m, key, hash64(key, strlen(key), 0));
	struct entry *d = *e;
	void *v;

	if (d == NULL)
		return NULL;
	*e = d->next;
	v = d->value;
	free(d);
	m->count--;
	return v;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}

void strmap_foreach(const struct strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		for (struct entry *e = m->buckets[i]; e != NULL; e = e->next)
			fn(e->key, e->value, arg);
	}
}

void strmap_free(struct strmap *m, void (*free_value)(void *))
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct entry *e = m->buckets[i];
		while (e != NULL) {
			struct entry *next = e->next;
			if (free_value != NULL)
				free_value(e->value);
			free(e);
			e = next;
		}
	}
	free(m->buckets);
	free(m);
}
