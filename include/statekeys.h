/* The keys of the state files the driver writes and status, metrics and serve read: named once
 * here, for writers and readers alike.
 *
 *   offsets/N    {"batch", "planned_at", the source's plan ("files" or "kafka"), "dead_letters_at"}
 *   commits/N    {"batch", "committed_at", "rows", "dead_letters", "malformed", "retries", the source's own
 *                 outcome ("files" for the file source, "kafka" for the Kafka source), "totals"}
 *   stats.json   {"updated_at", "totals", the source's live view ("lag" for Kafka, "topic", "group")}
 *   totals       {"rows", "files", "batches", "dead_letters", "malformed", "retries",
 *                 "sinks": {spec: rows}; the file source: "flows", "flows_open", "flows_evicted"}
 *   flows/N      the file source's open flows after batch N (flowstate.c), when "flows_open" > 0 */
#ifndef PCAPSTREAM_STATEKEYS_H
#define PCAPSTREAM_STATEKEYS_H

#define SK_BATCH	   "batch"
#define SK_COMMITTED_AT	   "committed_at"
#define SK_PLANNED_AT	   "planned_at"
#define SK_DEAD_LETTERS_AT "dead_letters_at" /* the dead-letter file's size when the batch was planned */
#define SK_UPDATED_AT	   "updated_at"
#define SK_ROWS		   "rows"
#define SK_FILES	   "files"
#define SK_BATCHES	   "batches"
#define SK_DEAD_LETTERS	   "dead_letters" /* rows a sink refused for good */
#define SK_MALFORMED	   "malformed"	  /* records the source could not make rows of */
#define SK_RETRIES	   "retries"
#define SK_SINKS	   "sinks"
#define SK_TOTALS	   "totals"
#define SK_KAFKA	   "kafka"
#define SK_LAG		   "lag"
#define SK_TOPIC	   "topic"
#define SK_GROUP	   "group"
#define SK_STATS_FILE	   "stats.json"
#define SK_FLUSH_FLOWS	   "flush_flows"   /* a file source's plan: report every open flow */
#define SK_FLOWS	   "flows"	   /* totals: flow records reported */
#define SK_FLOWS_OPEN	   "flows_open"	   /* totals: flows open after the batch (kept in flows/N) */
#define SK_FLOWS_EVICTED   "flows_evicted" /* totals: records reported early, the table being full */

#endif
