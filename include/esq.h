/* Elasticsearch-side queries for the dashboard: the daily traffic of a host and its top
 * conversations of a day, with the same contract and numbers as mongoq_daily and
 * mongoq_conversations. */
#ifndef PCAPSTREAM_ESQ_H
#define PCAPSTREAM_ESQ_H
#include <jansson.h>
#include <stddef.h>
#include "daily.h"
#include "esclient.h"

/* Inbound and outbound bytes and packets of host (daily_count's rule) per UTC day of @timestamp
 * (a flow's event.start) from `from` to `to` (YYYY-MM-DD, both included) in the indices
 * PREFIX-DATASET-* (dataset "packets" or "flows"): a JSON array (caller decrefs) of {day, inBytes,
 * outBytes, inPackets, outPackets}, one element per day, zeros included. One search with a
 * date_histogram and filter sub-aggregations. NULL with err when Elasticsearch cannot be reached
 * or refuses. */
json_t *esq_daily(const struct esclient *c, const char *dataset, const char *host, const char *from, const char *to,
		  char *err, size_t errlen);

/* The top q->limit conversations of q->host on q->day in PREFIX-flows-*: flow records with the host
 * at either end and @timestamp on that UTC day, grouped by Community ID and VLAN id, ordered as
 * daily_conv_before; the answer of daily_conv_answer (caller decrefs). Two steps, both composite
 * aggregations over (network.community_id, network.vlan.id), the core aggregations only (no
 * x-pack multi_terms): the bytes of every conversation, page by page, keeping the best limit (so
 * the top list is exact whatever the shards); then, for those, the sums per direction, the first
 * record (top_hits), the last end and the names. NULL with err when Elasticsearch cannot be
 * reached or refuses. */
json_t *esq_conversations(const struct esclient *c, const struct daily_conv_query *q, char *err, size_t errlen);

#endif
