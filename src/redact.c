/* Masking credentials in text: URLs with user:password@ and secret query options. */
#include <string.h>
#include <strings.h>
#include "redact.h"

static const char *const secret_keys[] = {
	"password", "passwd", "pwd", "pass", "secret", "token", "api_key", "apikey", "sasl.password", NULL,
};

struct out {
	char *p;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* The end of the URL-like token starting at s: the first blank, quote or end of text. */
static const char *token_end(const char *s)
{
	return s + strcspn(s, " \t\r\n\"'<>`");
}

/* Does the option name (n bytes) name a secret? */
static int is_secret_key(const char *k, size_t n)
{
	for (int i = 0; secret_keys[i] != NULL; i++) {
		if (strlen(secret_keys[i]) == n && strncasecmp(k, secret_keys[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Copy the part of a URL after "://" up to end: userinfo's password masked, then host, path
 * and query, with secret option values masked. */
static void put_url_rest(struct out *o, const char *s, const char *end)
{
	const char *q = memchr(s, '?', (size_t)(end - s));
	const char *auth_end = q != NULL ? q : end;
	const char *at = NULL;

	for (const char *p = s; p < auth_end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL) {
		const char *colon = memchr(s, ':', (size_t)(at - s));
		if (colon != NULL) {
			put(o, s, (size_t)(colon + 1 - s));
			put(o, "***", 3);
			s = at;
		}
	}
	if (q == NULL) {
		put(o, s, (size_t)(end - s));
		return;
	}
	put(o, s, (size_t)(q + 1 - s));
	for (const char *kv = q + 1; kv < end;) {
		const char *amp = memchr(kv, '&', (size_t)(end - kv));
		const char *kv_end = amp != NULL ? amp : end;
		const char *eq = memchr(kv, '=', (size_t)(kv_end - kv));
		if (eq != NULL && is_secret_key(kv, (size_t)(eq - kv))) {
			put(o, kv, (size_t)(eq + 1 - kv));
			put(o, "***", 3);
		} else {
			put(o, kv, (size_t)(kv_end - kv));
		}
		if (amp == NULL)
			break;
		put(o, "&", 1);
		kv = amp + 1;
	}
}

char *redact_text(const char *text, char *out, size_t outlen)
{
	struct out o = { .p = out, .len = 0, .cap = outlen };
	const char *s = text;

	for (;;) {
		const char *scheme = strstr(s, "://");
		if (scheme == NULL) {
			put(&o, s, strlen(s));
			break;
		}
		put(&o, s, (size_t)(scheme + 3 - s));
		s = scheme + 3;
		const char *end = token_end(s);
		put_url_rest(&o, s, end);
		s = end;
	}
	out[o.len] = '\0';
	return out;
}
