/* Admission of the dashboard's connections in accept() (see httpgate.h). */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fsutil.h"
#include "httpgate.h"
#include "log.h"

#define HTTPGATE_DRAIN_MAX 65536 /* bytes read and dropped from a refused connection */
#define HTTPGATE_ADDR_LEN  48

/* An open connection: its client's address and port. */
struct open_conn {
	char addr[HTTPGATE_ADDR_LEN];
	int port;
};

struct httpgate {
	int threads;		 /* worker threads */
	int max_live;		 /* live (WebSocket) clients at a time: threads / HTTPGATE_LIVE_SHARE */
	int per_client;		 /* connections at a time from one client address */
	int max_conns;		 /* connections open at a time: threads + queue */
	pthread_mutex_t mu;	 /* guards everything below */
	struct open_conn *conns; /* the open connections, max_conns entries */
	int nconns;
	int nlive; /* live slots taken */
	uint64_t refused, refused_logged;
	int64_t refused_log_ns;
};

/* The gate accept() consults; NULL outside serve. */
static _Atomic(struct httpgate *) installed;

struct httpgate *httpgate_new(int threads, int per_client, int queue)
{
	struct httpgate *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->threads = threads;
	g->per_client = per_client;
	g->max_live = threads / HTTPGATE_LIVE_SHARE;
	g->max_conns = threads + queue;
	g->conns = calloc((size_t)g->max_conns, sizeof(*g->conns));
	if (g->conns == NULL) {
		free(g);
		return NULL;
	}
	pthread_mutex_init(&g->mu, NULL);
	return g;
}

void httpgate_free(struct httpgate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g->conns);
	free(g);
}

void httpgate_install(struct httpgate *g)
{
	atomic_store(&installed, g);
}

/* Answer the new connection fd 503 (Retry-After) with why, then close it: FIN after the answer;
 * what the client already sent (up to HTTPGATE_DRAIN_MAX bytes) is read first so that the close
 * does not turn into a RST that could discard the answer. Never blocks. */
static void refuse_now(int fd, const char *why)
{
	char resp[512], sink[4096];
	size_t drained = 0;
	int n;

	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		     "Retry-After: " HTTPGATE_RETRY_AFTER_TEXT
		     "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
		     "{\"error\":\"%s\"}",
		     strlen(why) + 12, why);
	if (n > 0 && (size_t)n < sizeof(resp))
		(void)send(fd, resp, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	while (drained < HTTPGATE_DRAIN_MAX) {
		ssize_t r = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (r <= 0)
			break;
		drained += (size_t)r;
	}
	close(fd);
}

/* The numeric address and the port of sa (len bytes) into addr; 0 or -1. */
static int endpoint(const struct sockaddr *sa, socklen_t len, char *addr, size_t addrlen, int *port)
{
	char serv[16];

	if (getnameinfo(sa, len, addr, (socklen_t)addrlen, serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	*port = atoi(serv);
	return 0;
}

/* Count the connection from addr:port, or say in why (whylen bytes) why not. 0 when counted, -1
 * when refused. Takes g->mu. */
static int admit(struct httpgate *g, const char *addr, int port, char *why, size_t whylen)
{
	int held = 0, rc = -1;
	uint64_t refused = 0;

	pthread_mutex_lock(&g->mu);
	for (int i = 0; i < g->nconns; i++)
		held += strcmp(g->conns[i].addr, addr) == 0;
	if (g->nconns >= g->max_conns)
		snprintf(why, whylen, "the server is busy (%d connections open); retry later", g->nconns);
	else if (held >= g->per_client)
		snprintf(why, whylen, "too many connections from %s (at most %d at a time); retry later", addr,
			 g->per_client);
	else if (held > 0 && g->nconns >= g->threads - g->threads / HTTPGATE_LIVE_SHARE)
		snprintf(why, whylen, "the server is busy and %s has a connection open already; retry later", addr);
	else
		rc = 0;
	if (rc == 0) {
		snprintf(g->conns[g->nconns].addr, sizeof(g->conns[g->nconns].addr), "%s", addr);
		g->conns[g->nconns].port = port;
		g->nconns++;
	} else {
		g->refused++;
		int64_t now = fsutil_now_ns();
		if (now - g->refused_log_ns >= 10000000000LL) {
			refused = g->refused - g->refused_logged;
			g->refused_logged = g->refused;
			g->refused_log_ns = now;
		}
	}
	pthread_mutex_unlock(&g->mu);
	if (refused > 0)
		log_line(LOG_WARN, "connections refused with 503",
			 (struct log_field[]){ LOG_I("count", (long long)refused), LOG_S("last", why) }, 2);
	return rc;
}

/* accept(2) for CivetWeb's master thread: the next connection, or -1 with errno EAGAIN when the
 * installed gate refused it with a 503 (CivetWeb then waits for the next one). Without a gate, and
 * for a connection whose address cannot be read, plain accept. */
int accept(int fd, __SOCKADDR_ARG sa, socklen_t *restrict len)
{
	struct httpgate *g = atomic_load(&installed);
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char addr[HTTPGATE_ADDR_LEN], why[160];
	int port, c;

	if (g == NULL)
		return accept4(fd, sa, len, 0);
	c = accept4(fd, (struct sockaddr *)&peer, &plen, 0);
	if (c < 0)
		return c;
	if (sa.__sockaddr__ != NULL && len != NULL) {
		memcpy(sa.__sockaddr__, &peer, plen < *len ? plen : *len);
		*len = plen;
	}
	if (endpoint((struct sockaddr *)&peer, plen, addr, sizeof(addr), &port) < 0)
		return c;
	if (admit(g, addr, port, why, sizeof(why)) == 0)
		return c;
	refuse_now(c, why);
	errno = EAGAIN;
	return -1;
}

void httpgate_closed(struct httpgate *g, const char *addr, int port, int live)
{
	pthread_mutex_lock(&g->mu);
	for (int i = 0; addr != NULL && i < g->nconns; i++) {
		if (g->conns[i].port == port && strcmp(g->conns[i].addr, addr) == 0) {
			g->conns[i] = g->conns[--g->nconns];
			break;
		}
	}
	g->nlive -= live != 0;
	pthread_mutex_unlock(&g->mu);
}

int httpgate_take_live(struct httpgate *g)
{
	int full;

	pthread_mutex_lock(&g->mu);
	full = g->nlive >= g->max_live;
	if (!full)
		g->nlive++;
	g->refused += (uint64_t)full;
	pthread_mutex_unlock(&g->mu);
	return full ? -1 : 0;
}

int httpgate_max_live(const struct httpgate *g)
{
	return g->max_live;
}

void httpgate_counts(struct httpgate *g, int *open, uint64_t *refused)
{
	pthread_mutex_lock(&g->mu);
	*open = g->nconns;
	*refused = g->refused;
	pthread_mutex_unlock(&g->mu);
}
