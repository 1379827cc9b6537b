/*
 * api_metrics.c - (being written for issue #4) the routes of this resource group.
 */
#include "server/internal.h"

const struct xnr__route *xnr__routes_metrics(size_t *n)
{
	*n = 0;
	return NULL;
}
