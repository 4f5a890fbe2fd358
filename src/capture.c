/* Capture files through libpcap; .gz through a zlib-backed FILE (fopencookie). */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "capture.h"

#define CAPTURE_BUF (256 * 1024)

struct capture {
	pcap_t *pcap;
	char *buf; /* the stdio buffer of fp: glibc ignores setvbuf's size without one */
	FILE *fp;  /* owned by pcap once pcap_fopen_offline succeeded */
	int fd;	   /* the file, for the progress offset */
	int done;
};

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	int n;

	if (size > (1u << 30))
		size = 1u << 30;
	n = gzread((gzFile)cookie, buf, (unsigned)size);
	if (n < 0) {
		errno = EIO;
		return -1;
	}
	return n;
}

static int gz_close(void *cookie)
{
	return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

/* A FILE reading the decompressed stream of fd (which it takes over). NULL on failure. */
static FILE *gz_fdopen(int fd)
{
	static const cookie_io_functions_t ops = {
		.read = gz_read,
		.write = NULL,
		.seek = NULL,
		.close = gz_close,
	};
	gzFile gz;
	FILE *fp;

	gz = gzdopen(fd, "rb");
	if (gz == NULL)
		return NULL;
	gzbuffer(gz, 256 * 1024);
	fp = fopencookie(gz, "rb", ops);
	if (fp == NULL)
		gzclose_r(gz);
	return fp;
}

int capture_open(const char *path, struct capture **out, struct fingerprint *fp, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	unsigned char magic[4] = { 0 };
	struct capture *c = NULL;
	struct stat st;
	ssize_t got;
	int fd = -1, fd2 = -1, rc = -1;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto out;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "empty file (0 bytes): not a capture");
		goto out;
	}
	if (fp != NULL && fingerprint_fd(fd, fp, err, errlen) < 0)
		goto out;
	got = pread(fd, magic, sizeof(magic), 0);
	if (got < 0) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c->fd = -1;
	/* pcap and the FILE own their own descriptor; ours stays for the progress offset. */
	fd2 = dup(fd);
	if (fd2 < 0) {
		snprintf(err, errlen, "cannot dup: %s", strerror(errno));
		goto out;
	}
	if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		c->fp = gz_fdopen(fd2);
	} else {
		c->fp = fdopen(fd2, "rb");
		c->buf = malloc(CAPTURE_BUF);
		if (c->fp != NULL && c->buf != NULL)
			setvbuf(c->fp, c->buf, _IOFBF, CAPTURE_BUF);
	}
	if (c->fp == NULL) {
		snprintf(err, errlen, "cannot open stream: %s", strerror(errno));
		close(fd2);
		goto out;
	}
	c->pcap = pcap_fopen_offline_with_tstamp_precision(c->fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (c->pcap == NULL) {
		/* libpcap closes nothing on failure: the FILE is still ours. */
		fclose(c->fp);
		c->fp = NULL;
		if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
			snprintf(err, errlen, "not a capture inside gzip (%s)", perr);
		else
			snprintf(err, errlen, "not a pcap/pcapng capture (%s)", perr);
		goto out;
	}
	c->fd = fd;
	fd = -1;
	*out = c;
	c = NULL;
	rc = 0;
out:
	capture_close(c);
	if (fd >= 0)
		close(fd);
	return rc;
}

int capture_next(struct capture *c, struct capture_pkt *pkt, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (c->done)
		return CAPTURE_END;
	rc = pcap_next_ex(c->pcap, &h, &data);
	if (rc == 1) {
		/* pcap record times are unsigned 32-bit seconds and fraction (libpcap 1.10 hands them
		 * over sign-extended): undo that, so 2038+ times stay right and a fraction of 10^9 or
		 * more (invalid, but seen) carries into the seconds instead of going negative. */
		int64_t sec = h->ts.tv_sec;
		int64_t frac = h->ts.tv_usec;
		if (sec < 0 && sec >= INT32_MIN)
			sec += (int64_t)1 << 32;
		if (frac < 0 && frac >= INT32_MIN)
			frac += (int64_t)1 << 32;
		pkt->ts_ns = sec * 1000000000 + frac;
		pkt->caplen = h->caplen;
		pkt->len = h->len;
		pkt->data = data;
		return CAPTURE_PACKET;
	}
	c->done = 1;
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
	if (strstr(err, "truncated") != NULL)
		return CAPTURE_TRUNCATED;
	return CAPTURE_CORRUPT;
}

int capture_datalink(const struct capture *c)
{
	return pcap_datalink(c->pcap);
}

uint64_t capture_offset(const struct capture *c)
{
	off_t off = lseek(c->fd, 0, SEEK_CUR);

	/* Our descriptor shares the file offset with the one the reader uses. */
	return off < 0 ? 0 : (uint64_t)off;
}

void capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->pcap != NULL)
		pcap_close(c->pcap); /* closes c->fp */
	else if (c->fp != NULL)
		fclose(c->fp);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf); /* after the FILE that used it is closed */
	free(c);
}
