/*
 * models.c - (being written for issue #4) models loaded by the server.
 */
#include "server/internal.h"

enum xnr_status xnr__models_open(struct xnr__app *app, struct xnr_error *err)
{
	(void)err;
	app->models = NULL;
	return XNR_OK;
}

void xnr__models_close(struct xnr__app *app)
{
	(void)app;
}
