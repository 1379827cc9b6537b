/* hash.c - SHA-256 via OpenSSL's EVP interface. */
#include "core/hash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

struct xnr_sha256 {
	EVP_MD_CTX *ctx;
};

enum xnr_status xnr_sha256_open(struct xnr_sha256 **out, struct xnr_error *err)
{
	struct xnr_sha256 *h = calloc(1, sizeof *h);
	if (!h || !(h->ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		xnr_sha256_close(h);
		return xnr_fail(err, XNR_ERR_NOMEM, "cannot start a SHA-256 hash");
	}
	*out = h;
	return XNR_OK;
}

void xnr_sha256_close(struct xnr_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void xnr_sha256_update(struct xnr_sha256 *h, const void *data, size_t n)
{
	EVP_DigestUpdate(h->ctx, data, n);
}

enum xnr_status xnr_sha256_file(struct xnr_sha256 *h, const char *path, struct xnr_error *err)
{
	unsigned char buf[1 << 16];
	FILE *f = NULL;
	size_t n;
	enum xnr_status st = xnr_file_fopen(path, &f, err);

	if (st != XNR_OK)
		return st;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(h->ctx, buf, n);
	if (ferror(f)) {
		fclose(f);
		return xnr_fail_at(err, XNR_ERR_IO, path, 0, "read error");
	}
	fclose(f);
	return XNR_OK;
}

void xnr_sha256_hex(struct xnr_sha256 *h, char hex[XNR_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * i] = '\0';
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}
