/* `pcapstream setup`'s work: install what the stores need, idempotently (the Elasticsearch index
 * template, the MongoDB indexes, Kibana's saved objects). */
#ifndef PCAPSTREAM_SETUP_H
#define PCAPSTREAM_SETUP_H
#include <stddef.h>

/* A bad es: spec (a usage error, exit 2), as opposed to a store that cannot be reached (-1). */
#define SETUP_EUSAGE (-2)

/* Install or update the composable index template PREFIX for PREFIX-* at the es: spec. Returns 0
 * with done saying what was installed where; -1 when Elasticsearch cannot be reached or refuses,
 * SETUP_EUSAGE when spec is bad; err says what and what to do, without passwords. */
int setup_es(const char *spec, char *done, size_t donelen, char *err, size_t errlen);

/* The indexes of packets and flows in uri's database. 0 with done, or -1 with err (redacted). */
int setup_mongo(const char *uri, char *done, size_t donelen, char *err, size_t errlen);

/* Import the data view (prefix from es_spec, which may be NULL) and the dashboard into Kibana at
 * url. 0 with done, or -1 with err. */
int setup_kibana(const char *url, const char *es_spec, char *done, size_t donelen, char *err, size_t errlen);

#endif
