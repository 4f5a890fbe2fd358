/* Credentials out of text meant for people: log lines, error messages, status and stats files. */
#ifndef PCAPSTREAM_REDACT_H
#define PCAPSTREAM_REDACT_H
#include <stddef.h>

/* Copy text into out (capacity outlen, at least 1; always terminated, cut if too long) with
 * every secret masked as "***": the password of each scheme://user:password@host in it (the
 * user name stays), and the value of each URL query option whose name says it is a secret
 * (password, passwd, pwd, secret, token, api_key, apikey, sasl.password, ...). Text without a
 * secret is copied unchanged. Returns out. */
char *redact_text(const char *text, char *out, size_t outlen);

#endif
