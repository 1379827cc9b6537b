/*
 * assets.c - (being written for issue #4) the web app's static files.
 */
#include "server/internal.h"

const struct xnr__route *xnr__routes_assets(size_t *n)
{
	*n = 0;
	return NULL;
}
