/* The keys of the state files the driver writes and status, metrics and serve read: named once
 * here, for writers and readers alike.
 *
 *   offsets/N    {"batch", "planned_at", the source's plan ("files" or "kafka"), "dead_letters_at"}
 *   commits/N    {"batch", "committed_at", "rows", "dead_letters", "malformed", "retries", the source's own
 *                 outcome ("files" for the file source, "kafka" for the Kafka source), "totals"}
 *   stats.json   {"updated_at", "totals", the source's live view ("lag" for Kafka, "topic", "group")}
 *   totals       {"rows", "files", "batches", "dead_letters", "malformed", "retries",
 *                 "sinks": {spec: rows}} */
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

#endif
