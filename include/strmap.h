/* A hash map from NUL-terminated strings to pointers. Keys are copied; values are the caller's. */
#ifndef PCAPSTREAM_STRMAP_H
#define PCAPSTREAM_STRMAP_H
#include <stddef.h>

struct strmap;

/* A new empty map, or NULL when out of memory. */
struct strmap *strmap_new(void);

/* The value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

/* Set key to value (replacing any previous value, which is returned through *old if old is not
 * NULL). Returns 0, or -1 when out of memory (the map is unchanged). */
int strmap_put(struct strmap *m, const char *key, void *value, void **old);

/* Remove key; returns its value, or NULL if absent. */
void *strmap_del(struct strmap *m, const char *key);

size_t strmap_count(const struct strmap *m);

/* Call fn(key, value, arg) for every entry, in no particular order. fn must not change the map. */
void strmap_foreach(const struct strmap *m, void (*fn)(const char *key, void *value, void *arg), void *arg);

/* Free the map, calling free_value on each value if not NULL; accepts NULL. */
void strmap_free(struct strmap *m, void (*free_value)(void *));

#endif
