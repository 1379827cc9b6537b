/*
 * cmd_serve.c - `explainer serve RUN.db`: serve a run database over HTTP
 * (the web app and the JSON API of docs/api.md) on 127.0.0.1 until SIGINT
 * or SIGTERM, then shut down cleanly (jobs cancelled, open requests finish,
 * threads joined, exit 0), within STOP_WAIT_S whatever the jobs do: a job
 * stuck in a system call is left to the end of the process, which SQLite
 * survives with the database whole.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/file.h"
#include "server/server.h"
#include "store/store.h"

#define STOP_WAIT_S  1.5  /* after SIGTERM, the process ends within this */
#define FILES_WANTED 8192 /* open files asked for: connections need one each */
#define ROOTS_MAX    16   /* --root folders (as the server takes) */

static const char serve_usage[] =
    "usage: explainer serve [RUN.db] [options]\n"
    "\n"
    "The web app: a run database (made by `explainer run`) in your browser, with its\n"
    "JSON API (docs/api.md), until Ctrl-C; open the printed URL (works offline).\n"
    "Only this machine can connect unless --host says otherwise, and only with the\n"
    "token in the printed URL (new at every start; scripts send\n"
    "\"Authorization: Bearer TOKEN\").\n"
    "\n"
    "options:\n"
    "  -p, --port P      port to listen on (default 8765; 0 picks a free one)\n"
    "  -H, --host H      IPv4 address to bind (default 127.0.0.1; 0.0.0.0 = every\n"
    "                    interface, reachable from the network: needs --token-file)\n"
    "      --token-file F  the token is the first line of F (32+ characters of\n"
    "                    A-Z a-z 0-9 . _ ~ -; F readable by you alone, chmod 600)\n"
    "      --no-token    no token: every program and user of this machine may use\n"
    "                    the server (a single-user machine only; not with --host)\n"
    "      --root DIR    paths the pages may name (a new run's model and data, an\n"
    "                    encoder) must lie in DIR; repeat for more (default: this\n"
    "                    folder and the folders of RUN.db, --model and --data)\n"
    "      --assets-dir DIR\n"
    "                    serve the web app from DIR (the repository's web/, with\n"
    "                    its node_modules) instead of the copy built in: edit a\n"
    "                    page, reload the browser, no rebuild\n"
    "      --model DIR   the Setup page's default model folder, or a Hugging Face\n"
    "                    id (org/name[@revision]: from the hub cache, else\n"
    "                    downloaded into it)\n"
    "      --data PATH   the Setup page's default dataset; with --model, analysed\n"
    "                    into RUN.db at start unless already there (the Home page\n"
    "                    shows the progress)\n"
    "  -h, --help        this help\n"
    "\n"
    "RUN.db defaults to explainer.db in this folder; it is created if missing when\n"
    "it is the default or --model is given.\n";

/* --assets-dir must be a web/ folder; without its node_modules (and the
 * Plotly bundle a build makes there) the pages load but charts and grids
 * cannot, so say so now rather than as 404s. */
static int check_assets_dir(const char *dir)
{
	char path[4096];

	if (xnr_path_join(path, sizeof path, dir, "index.html", NULL) != XNR_OK ||
	    !xnr_file_exists(path))
		return xnr_cli_usage_error("serve",
		                           "--assets-dir %s: no index.html there (give the "
		                           "repository's web/ folder)",
		                           dir);
	if (xnr_path_join(path, sizeof path, dir, "node_modules/.cache/explainer/plotly.min.js",
	                  NULL) != XNR_OK ||
	    !xnr_file_exists(path))
		fprintf(
		    stderr,
		    "explainer serve: warning: %s/node_modules is incomplete (run npm ci --prefix "
		    "%s, then build): charts and tables will not load\n",
		    dir, dir);
	return 0;
}

static int parse_serve(int argc, char **argv, struct xnr_server_params *p,
                       const char **roots /* ROOTS_MAX + 1 */)
{
	int n_roots = 0, n_args = 0;
	const char *db = "explainer.db";
	const struct xnr_cli_opt opts[] = {
	    {"port", 'p', XNR_OPT_INT, &p->port, 0, 65535, NULL},
	    {"host", 'H', XNR_OPT_STR, &p->host, 0, 0, NULL},
	    {"assets-dir", 0, XNR_OPT_STR, &p->assets_dir, 0, 0, NULL},
	    {"model", 0, XNR_OPT_STR, &p->model_dir, 0, 0, NULL},
	    {"data", 0, XNR_OPT_STR, &p->data_path, 0, 0, NULL},
	    {"token-file", 0, XNR_OPT_STR, &p->token_file, 0, 0, NULL},
	    {"no-token", 0, XNR_OPT_FLAG, &p->no_token, 0, 0, NULL},
	    {"root", 0, XNR_OPT_LIST, roots, 0, ROOTS_MAX, &n_roots},
	    {NULL, 0, XNR_OPT_FLAG, NULL, 0, 0, NULL},
	};
	const struct xnr_cli_cmd cmd = {
	    "serve", serve_usage, 0, 1, &db, &n_args, "give at most one run database"};
	int rc;

	if ((rc = xnr_cli_parse(&cmd, opts, argc, argv)) != XNR_EXIT_OK)
		return rc;
	if (n_roots)
		p->roots = roots;
	if (p->assets_dir && check_assets_dir(p->assets_dir) != 0)
		return XNR_EXIT_USAGE;
	p->db_path = db;
	return XNR_EXIT_OK;
}

/* Each connection is an open file; the usual soft limit of 1024 would cap
 * them below what slow clients can hold (the hard limit is the user's). */
static void more_files(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= FILES_WANTED)
		return;
	rl.rlim_cur = rl.rlim_max < FILES_WANTED ? rl.rlim_max : FILES_WANTED;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Runs once the server is told to stop: ends the process if closing it
 * takes longer than STOP_WAIT_S (a job that does not reach a cancellation
 * point, a handler waiting for such a job). */
static void *stop_deadline(void *arg)
{
	struct timespec ts = {(time_t)STOP_WAIT_S,
	                      (long)((STOP_WAIT_S - (double)(time_t)STOP_WAIT_S) * 1e9)};

	(void)arg;
	nanosleep(&ts, NULL);
	fprintf(stderr,
	        "explainer serve: stopped (a job did not stop within %.1f s; the "
	        "database keeps only complete runs)\n",
	        STOP_WAIT_S);
	fflush(stdout);
	_exit(XNR_EXIT_OK);
}

/* serve NAME.db of a file that is not there: say how to make it. */
static int no_database(const char *db)
{
	fprintf(stderr,
	        "explainer: %s: no such run database (make one with explainer run --model DIR "
	        "--data FILE -o %s, or have serve make it: explainer serve %s --model DIR "
	        "--data FILE)\n",
	        db, db, db);
	return XNR_EXIT_FAIL;
}

static void print_url(const struct xnr_server_params *p, struct xnr_server *srv)
{
	const char *host = strcmp(p->host, "localhost") == 0 ? "127.0.0.1" : p->host;
	const char *token = xnr_server_token(srv);

	if (token[0] && !p->token_file)
		printf("ExplaiNER serving %s at http://%s:%d/?token=%s\n", p->db_path, host,
		       xnr_server_port(srv), token);
	else
		printf("ExplaiNER serving %s at http://%s:%d/\n", p->db_path, host,
		       xnr_server_port(srv));
	if (p->token_file)
		printf("token: the first line of %s (open http://%s:%d/?token=TOKEN once)\n",
		       p->token_file, host, xnr_server_port(srv));
	if (p->no_token)
		printf("no token (--no-token): every program and user of this machine may use "
		       "it\n");
	if (strcmp(p->host, "localhost") != 0 && strncmp(p->host, "127.", 4) != 0)
		printf(
		    "reachable from the network: new runs and encoder folders from the pages are "
		    "turned off\n");
	fflush(stdout);
}

int xnr_cmd_serve(int argc, char **argv)
{
	struct xnr_server_params p = xnr_server_default_params();
	struct xnr_server *srv = NULL;
	struct xnr_store *store = NULL;
	struct xnr_error err;
	const char *roots[ROOTS_MAX + 1] = {NULL};
	pthread_t deadline;
	sigset_t stop;
	int rc, create, sig = 0;

	if ((rc = parse_serve(argc, argv, &p, roots)) != XNR_EXIT_OK)
		return rc < 0 ? XNR_EXIT_OK : rc;
	create = strcmp(p.db_path, "explainer.db") == 0 || p.model_dir;
	p.version = XNR_VERSION;
	/* Block the stop signals before the server threads start so they inherit
	 * the mask and only sigwait below sees them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	xnr_error_clear(&err);
	/* The Setup page can fill a new database: make the default one, or the
	 * one named with a model to run, if missing; a mistyped name alone is
	 * an error that says how to make the database. */
	if (!create && !xnr_file_exists(p.db_path))
		return no_database(p.db_path);
	if (create && xnr_store_open(p.db_path, 1, &store, &err) != XNR_OK)
		return xnr_cli_report(&err);
	xnr_store_close(store);
	more_files();
	if (xnr_server_open(&p, &srv, &err) != XNR_OK)
		return xnr_cli_report(&err);
	print_url(&p, srv);
	sigwait(&stop, &sig);
	if (pthread_create(&deadline, NULL, stop_deadline, NULL) == 0)
		pthread_detach(deadline);
	xnr_server_close(srv);
	fprintf(stderr, "explainer serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	return XNR_EXIT_OK;
}
