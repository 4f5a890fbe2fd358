/* File paths in JSON state files. JSON text must be UTF-8, a file name need not be: a name that
 * is UTF-8 is stored as itself; any other keeps its exact bytes in FIELD_hex (hex) beside its
 * display form (fsutil_display_name) in FIELD. */
#ifndef PCAPSTREAM_JSONPATH_H
#define PCAPSTREAM_JSONPATH_H
#include <jansson.h>
#include <stddef.h>

/* Set field (and field_hex) of o to path. Returns 0 or -1 (out of memory, or too long). */
int jsonpath_set(json_t *o, const char *field, const char *path);

/* The path in field of o: a pointer into o, or into buf (buflen bytes) when it was stored as
 * hex; NULL if absent or undecodable. */
const char *jsonpath_get(json_t *o, const char *field, char *buf, size_t buflen);

#endif
