/* A growable byte buffer with a cap; see growbuf.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "growbuf.h"

void growbuf_init(struct growbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

char *growbuf_reserve(struct growbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max - b->len)
		return NULL;
	need = b->len + n + 1;
	if (need <= b->cap)
		return b->data + b->len;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->max < SIZE_MAX && cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return NULL;
	b->data = p;
	b->cap = cap;
	return b->data + b->len;
}

int growbuf_append(struct growbuf *b, const void *p, size_t n)
{
	char *dst = growbuf_reserve(b, n);

	if (dst == NULL)
		return -1;
	if (n > 0)
		memcpy(dst, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int growbuf_append_line(struct growbuf *b, const char *s)
{
	size_t n = strlen(s);
	char *dst = growbuf_reserve(b, n + 1);

	if (dst == NULL)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\n';
	b->len += n + 1;
	b->data[b->len] = '\0';
	return 0;
}

void growbuf_terminate(struct growbuf *b)
{
	if (b->data != NULL)
		b->data[b->len] = '\0';
}

void growbuf_reset(struct growbuf *b)
{
	b->len = 0;
	growbuf_terminate(b);
}

char *growbuf_take(struct growbuf *b)
{
	char *p = b->data;

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void growbuf_free(struct growbuf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int growbuf_array(void **v, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t n;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max || elem == 0 || need > SIZE_MAX / elem)
		return -1;
	n = *cap ? *cap : 64;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	p = realloc(*v, n * elem);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

int growbuf_strv_push(struct growbuf_strv *l, const char *s, size_t max)
{
	char *copy;

	if (growbuf_array((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), max) < 0)
		return -1;
	copy = strdup(s);
	if (copy == NULL)
		return -1;
	l->v[l->n++] = copy;
	return 0;
}

void growbuf_strv_free(struct growbuf_strv *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}
