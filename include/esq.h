/* Elasticsearch-side queries for the dashboard: the daily traffic of a host, with the same
 * contract and numbers as mongoq_daily. */
#ifndef PCAPSTREAM_ESQ_H
#define PCAPSTREAM_ESQ_H
#include <jansson.h>
#include <stddef.h>
#include "esclient.h"

/* Inbound (destination.ip == host) and outbound (source.ip == host) bytes and packets per UTC day
 * from `from` to `to` (YYYY-MM-DD, both included) in the indices PREFIX-DATASET-* (dataset
 * "packets" or "flows"): a JSON array (caller decrefs) of {day, inBytes, outBytes, inPackets,
 * outPackets}, one element per day, zeros included. One search with a date_histogram and two
 * filter sub-aggregations. NULL with err when Elasticsearch cannot be reached or refuses. */
json_t *esq_daily(const struct esclient *c, const char *dataset, const char *host, const char *from, const char *to,
		  char *err, size_t errlen);

#endif
