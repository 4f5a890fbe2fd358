/* MongoDB-side operations beyond inserting rows: indexes, and the dashboard's daily traffic
 * query, written with only what FerretDB also supports (a find with $or and a projection). */
#ifndef PCAPSTREAM_MONGOQ_H
#define PCAPSTREAM_MONGOQ_H
#include <jansson.h>
#include <stddef.h>
#include "daily.h"

/* Create the indexes on @timestamp, source.ip and destination.ip of packets and flows in the
 * URI's database (default pcapstream). Idempotent. Returns 0 or -1 with err. */
int mongoq_setup(const char *uri, char *err, size_t errlen);

/* Inbound and outbound bytes and packets of host (daily_count's rule), per UTC day of @timestamp
 * (a flow's event.start) from `from` to `to` (YYYY-MM-DD, both included), in collection (packets
 * or flows): a JSON array (caller decrefs) of {day, inBytes, outBytes, inPackets, outPackets}, one
 * per day, or NULL with err. One find over the whole range (FerretDB 1.24
 * has no date operators to group by day, and scans the collection once per query), summed here. */
json_t *mongoq_daily(const char *uri, const char *collection, const char *host, const char *from, const char *to,
		     char *err, size_t errlen);

/* The top q->limit conversations of q->host on q->day in the flows collection, as
 * esq_conversations gives them (same grouping, order and numbers): the answer of
 * daily_conv_answer (caller decrefs), or NULL with err. One find of the host's flow records of the
 * day sorted by Community ID and VLAN id, summed here as they stream in; memory holds limit
 * conversations. */
json_t *mongoq_conversations(const char *uri, const struct daily_conv_query *q, char *err, size_t errlen);

/* Delete the documents of collection (packets or flows) in the URI's database whose @timestamp is
 * before cutoff_ms (ms since the epoch, UTC); with dry_run only count them. Returns how many were
 * (or would be) deleted, or -1 with err. */
int64_t mongoq_prune(const char *uri, const char *collection, int64_t cutoff_ms, int dry_run, char *err, size_t errlen);

#endif
