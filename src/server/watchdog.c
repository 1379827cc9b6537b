/*
 * watchdog.c - closes connections that take too long to send a request
 * (slowloris, issue #14). libmicrohttpd's connection timeout counts
 * inactivity, so a client that sends one header byte every few seconds
 * keeps its connection forever, and a few hundred such clients use up the
 * connection limit. Here a connection gets a deadline from the moment it
 * waits for a request (accepted, or its last answer sent) until the
 * request, body included, has arrived; past it, its socket is shut down and
 * libmicrohttpd closes the connection. The time a handler works and an
 * answer is sent does not count.
 *
 * A connection's socket is shut down only while the connection is listed,
 * under the lock: libmicrohttpd unlists it (the "closed" notification)
 * before it closes the socket, so a socket number is never reused under us.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "server/internal.h"

#define TICK_NS 100000000L /* how often deadlines are checked: 0.1 s */

struct conn {
	int fd;       /* -1 once shut down */
	int waiting;  /* 1: waiting for a request since `since` */
	double since; /* monotonic seconds */
	struct conn *prev, *next;
};

struct xnr__watchdog {
	pthread_mutex_t mu;
	pthread_cond_t stop_cv;
	pthread_t thread;
	int stopping;
	double deadline_s;
	struct conn *head;
	long n_closed; /* connections shut down, for the log */
};

/* Shut down the connections past their deadline (lock held). */
static void sweep(struct xnr__watchdog *w, double now)
{
	struct conn *c;

	for (c = w->head; c; c = c->next)
		if (c->fd >= 0 && c->waiting && now - c->since > w->deadline_s) {
			shutdown(c->fd, SHUT_RDWR);
			c->fd = -1;
			w->n_closed++;
		}
}

static void *watch(void *arg)
{
	struct xnr__watchdog *w = arg;
	struct timespec ts;

	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += TICK_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->stop_cv, &w->mu, &ts);
		sweep(w, xnr__now_s());
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

enum xnr_status xnr__watchdog_open(double deadline_s, struct xnr__watchdog **out,
                                   struct xnr_error *err)
{
	struct xnr__watchdog *w = calloc(1, sizeof *w);
	pthread_condattr_t attr;
	int ok;

	if (!w)
		return xnr_fail(err, XNR_ERR_NOMEM, "server: out of memory");
	w->deadline_s = deadline_s;
	ok = pthread_condattr_init(&attr) == 0;
	ok = ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	     pthread_cond_init(&w->stop_cv, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok) {
		free(w);
		return xnr_fail(err, XNR_ERR_NOMEM, "server: cannot make a condition variable");
	}
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_create(&w->thread, NULL, watch, w) != 0) {
		pthread_cond_destroy(&w->stop_cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return xnr_fail(err, XNR_ERR_NOMEM, "server: cannot start the connection watchdog");
	}
	*out = w;
	return XNR_OK;
}

void xnr__watchdog_close(struct xnr__watchdog *w)
{
	struct conn *c, *next;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->stop_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	if (w->n_closed)
		xnr__log("connections closed for sending no whole request within %.0f s: %ld",
		         w->deadline_s, w->n_closed);
	for (c = w->head; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&w->stop_cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void *xnr__watchdog_add(struct xnr__watchdog *w, int fd)
{
	struct conn *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->fd = fd;
	c->waiting = 1;
	c->since = xnr__now_s();
	pthread_mutex_lock(&w->mu);
	c->next = w->head;
	if (w->head)
		w->head->prev = c;
	w->head = c;
	pthread_mutex_unlock(&w->mu);
	return c;
}

void xnr__watchdog_remove(struct xnr__watchdog *w, void *conn)
{
	struct conn *c = conn;

	if (!c)
		return;
	pthread_mutex_lock(&w->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&w->mu);
	free(c);
}

void xnr__watchdog_wait(struct xnr__watchdog *w, void *conn, int waiting)
{
	struct conn *c = conn;

	if (!c)
		return;
	pthread_mutex_lock(&w->mu);
	c->waiting = waiting;
	c->since = xnr__now_s();
	pthread_mutex_unlock(&w->mu);
}
