/* HTTP/1.x: the request line, the Host header and the status line of the first segment. */
#ifndef PCAPSTREAM_HTTP_H
#define PCAPSTREAM_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* Read the n bytes of TCP payload at p into r when they start like HTTP/1.x: a request line
 * (method, then the target: http.request.method, url.path, and url.domain from a Host header that
 * ends within the n bytes) or a status line ("HTTP/1.x NNN": http.response.status_code). Only
 * fields read whole are set (a target cut by the snapshot length is left out); never reads past
 * p + n. Returns 1 if the payload starts like HTTP, 0 otherwise (r untouched). */
int http_parse(const uint8_t *p, size_t n, struct row *r);

#endif
