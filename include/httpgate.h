/* Admission of the dashboard's connections, before any HTTP worker sees them.
 *
 * CivetWeb 1.15 gives each connection a worker thread from its first byte to its close, and
 * shows no callback the client's address before the request line and headers have all arrived:
 * a callback cannot refuse a client that sends its headers one byte a second, or nothing at all.
 * Its master thread calls accept(), though, and this file defines accept() (the library's call
 * binds to the program's symbol first): while a gate is installed, each new connection is
 * counted against its client address and refused with a 503 (Retry-After) at once when that
 * address already has per_client connections open, when the workers are nearly all taken (all
 * but threads / HTTPGATE_LIVE_SHARE) and the address has one already, or when threads + queue
 * connections are open (all workers busy and CivetWeb's queue full). Live (WebSocket) clients
 * get at most threads / HTTPGATE_LIVE_SHARE slots. */
#ifndef PCAPSTREAM_HTTPGATE_H
#define PCAPSTREAM_HTTPGATE_H
#include <stdint.h>

#define HTTPGATE_LIVE_SHARE	  8   /* live clients hold at most 1/8 of the worker threads */
#define HTTPGATE_RETRY_AFTER_TEXT "5" /* seconds, the Retry-After of every 503 */

struct httpgate;

/* A gate for threads workers, per_client connections per address and queue connections waiting
 * for a worker. NULL when out of memory. Free with httpgate_free(). */
struct httpgate *httpgate_new(int threads, int per_client, int queue);

/* Free; accepts NULL. Uninstall it first. */
void httpgate_free(struct httpgate *g);

/* Make g the gate of every later accept() of the process (NULL: plain accept again). */
void httpgate_install(struct httpgate *g);

/* The connection from addr:port closed (live: it held a live slot): uncount it. */
void httpgate_closed(struct httpgate *g, const char *addr, int port, int live);

/* Take a live slot: 0, or -1 when all are taken (counted as a refusal). */
int httpgate_take_live(struct httpgate *g);

/* Live slots in all. */
int httpgate_max_live(const struct httpgate *g);

/* Connections open now and refusals (503s) so far, for /metrics. */
void httpgate_counts(struct httpgate *g, int *open, uint64_t *refused);

#endif
