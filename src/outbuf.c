/* Buffered writes to a descriptor, retried on EINTR and short writes. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "outbuf.h"

int outbuf_init(struct outbuf *ob, int fd, size_t cap)
{
	ob->fd = fd;
	ob->len = 0;
	ob->cap = cap;
	ob->failed = 0;
	ob->data = malloc(cap);
	return ob->data != NULL ? 0 : -1;
}

int outbuf_flush(struct outbuf *ob)
{
	size_t off = 0;

	while (off < ob->len && !ob->failed) {
		ssize_t n = write(ob->fd, ob->data + off, ob->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ob->failed = errno;
			break;
		}
		off += (size_t)n;
	}
	ob->len = 0;
	return ob->failed ? -1 : 0;
}

char *outbuf_reserve(struct outbuf *ob, size_t n)
{
	if (ob->cap - ob->len < n)
		outbuf_flush(ob);
	return ob->data + ob->len;
}

void outbuf_free(struct outbuf *ob)
{
	if (ob == NULL)
		return;
	free(ob->data);
	ob->data = NULL;
}
