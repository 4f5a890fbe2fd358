/* Kibana: importing pcapstream's saved objects (schema/kibana/pcapstream.ndjson, compiled in). */
#ifndef PCAPSTREAM_KIBANA_H
#define PCAPSTREAM_KIBANA_H
#include <stddef.h>

/* The saved objects file, NUL-terminated (generated from schema/kibana/pcapstream.ndjson). */
extern const char kibana_objects[];
extern const size_t kibana_objects_len;

/* Import the saved objects into the Kibana at url (http[s]://host:port[/base-path]) with
 * POST /api/saved_objects/_import?overwrite=true, the data view's title set to PREFIX-* (prefix
 * NULL: pcapstream). Idempotent: the objects keep their ids and are overwritten. Credentials from
 * PCAPSTREAM_KIBANA_USER/_PASSWORD or PCAPSTREAM_KIBANA_API_KEY (else the PCAPSTREAM_ES_ ones).
 * Returns the number of objects imported, or -1 with err (nothing or only part imported). */
int kibana_import(const char *url, const char *prefix, char *err, size_t errlen);

#endif
