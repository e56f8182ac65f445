/*
 * drlbd — a userspace LVS Direct-Routing director.
 *
 * Acquire, then drop, then loop (OpenBSD ntpd/relayd):
 *   1. check the host is fit for DR (no VIP in our kernel, no IP forwarding)
 *   2. acquire everything that needs privilege: the AF_PACKET rings,
 *      libnet's injectors, the control socket; load the configuration
 *   3. drop every capability with libcap-ng (the open sockets are all we
 *      need) and become an unprivileged user
 *   4. loop: the event sources registered in step 2 (loop.h)
 * Everything lives in one context, struct drlbd (drlbd.h); nothing calls
 * back into this file.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drlb/ctl.h"
#include "announce.h"
#include "arp.h"
#include "clock.h"
#include "control.h"
#include "detach.h"
#include "drlbd.h"
#include "est.h"
#include "filter.h"
#include "health.h"
#include "host.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "metrics_http.h"
#include "priv.h"
#include "ndp.h"
#include "neigh.h"
#include "reload.h"
#include "rules.h"
#include "sched.h"
#include "stats.h"
#include "statefile.h"
#include "sync.h"
#include "trace.h"

/* io/pcap.c (--capture pcap); io/ring.c's ops are declared in io.h */
extern const struct io_ops io_pcap_ops;

#define TICK_MS		100		/* ARP and ND timers, the sync master */
#define EXPIRE_BUDGET	65536		/* connections expired per second, at most */
#define METRICS_FILE_MS	10000		/* --metrics-file rewritten this often */

static volatile sig_atomic_t quit;
static volatile sig_atomic_t dump;
static volatile sig_atomic_t hup;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else if (sig == SIGHUP)
		hup = 1;
	else
		quit = 1;
}

#ifndef DRLB_VERSION
#define DRLB_VERSION "unknown"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drlbd --interface IF [--config FILE | --keepalived-config FILE]\n"
	    "             [--socket PATH] [--socket-group GROUP] [--foreground]\n"
	    "             [--no-arp] [--sloppy-tcp] [--mh-table-size PRIME]\n"
	    "             [--max-conns N] [--user USER]\n"
	    "             [--verbose] [--state-file FILE] [--metrics-file FILE]\n"
	    "             [--metrics-listen ADDR:PORT] [--capture ring|pcap]\n"
	    "             [--workers N] [--ring-size MIB] [--qdisc-bypass]\n"
	    "             [--batch-wait USEC]\n"
	    "             [--sync master|backup --mcast-interface IF [--syncid N]]\n"
	    "             [--mac-flap follow|hold] [--static-mac IP=MAC ...]\n"
	    "             [--announce-table N]\n"
	    "       drlbd --help | --version\n"
	    "  --interface IF   the director's interface on the real servers' segment;\n"
	    "                   repeated (at most %d), VIP frames are captured on\n"
	    "                   each and sent out of the one where their real\n"
	    "                   server answers ARP (a two-armed director)\n"
	    "  --config FILE    rules in the format `ipvsadm -S -n` writes; SIGHUP\n"
	    "                   re-reads it and brings the live rules to it\n"
	    "  --keepalived-config FILE   virtual_server blocks of a keepalived.conf\n"
	    "                   (lb_kind DR) with their health checks; SIGHUP\n"
	    "                   re-reads it (instead of --config)\n"
	    "  --socket PATH    control socket (default %s, or $DRLB_SOCKET)\n"
	    "  --socket-group GROUP   the control socket's group: its members may\n"
	    "                   list, read counters and trace; changes need root or\n"
	    "                   the owner\n"
	    "  --foreground     stay in the foreground, log to stderr\n"
	    "  --no-arp         do not answer ARP for the VIPs nor announce them\n"
	    "                   (another program owns them)\n"
	    "  --sloppy-tcp     any TCP segment without RST may start a connection,\n"
	    "                   not only a SYN (IPVS sloppy_tcp; for directors behind\n"
	    "                   ECMP with sh or mh, and restarts)\n"
	    "  --mh-table-size PRIME   mh's lookup table size, a prime from %u\n"
	    "                   to %u (default %u, IPVS's; kernel directors agree\n"
	    "                   only at the size their kernel was built with: 251\n"
	    "                   509 1021 2039 4093 8191 16381 32749 65521 131071);\n"
	    "                   an mh service takes at most that many real servers\n"
	    "  --max-conns N    connection table bound (default %u)\n"
	    "  --user USER      run as USER after opening the sockets (default nobody;\n"
	    "                   root: stay uid 0, still without any capability)\n"
	    "  --verbose        log debug messages too (capture filters, ...)\n"
	    "  --state-file FILE   save the connection table to FILE when stopping,\n"
	    "                   restore it at start: clients mid-transfer notice\n"
	    "                   nothing\n"
	    "  --metrics-file FILE   Prometheus metrics rewritten (atomically) every\n"
	    "                   10 s, for node_exporter's textfile collector\n"
	    "  --metrics-listen ADDR:PORT   serve GET /metrics (HTTP/1.0) there\n"
	    "  --capture ring|pcap  capture/inject backend (default ring: AF_PACKET\n"
	    "                   ring with offload data; pcap: libpcap, drops frames\n"
	    "                   over the MTU, finishes unfinished L4 checksums)\n"
	    "  --workers N      forwarding threads, 1..%d (default: one per CPU;\n"
	    "                   1 with --capture pcap): the kernel spreads the\n"
	    "                   clients over them (PACKET_FANOUT); 1 forwards in\n"
	    "                   the main thread\n"
	    "  --ring-size MIB  each worker's receive ring, 2..1024 MiB (default 32:\n"
	    "                   480 slots of 68 KiB, room for coalesced frames;\n"
	    "                   with more than 2 workers 64/N, at least 8)\n"
	    "  --qdisc-bypass   transmit with PACKET_QDISC_BYPASS: frames skip the\n"
	    "                   interface's queueing discipline (tc) on the way out\n"
	    "  --batch-wait USEC   at 50,000 frames/s or more per forwarding thread,\n"
	    "                   wait up to USEC, 0..%d (default %d), for a burst\n"
	    "                   of ~32 frames instead of waking for each: less\n"
	    "                   CPU a frame, at most USEC more latency at that\n"
	    "                   load; below it, and with 0, each frame as it lands\n"
	    "  --sync master|backup   start the connection-sync daemon at once (as\n"
	    "                   drlbadm --start-daemon; IPVS's sync protocol)\n"
	    "  --mcast-interface IF   the interface sync messages go out and come in on\n"
	    "  --syncid N       the sync daemon's id, 0..255 (default 0)\n"
	    "  --mac-flap follow|hold   a real server's MAC that changes: follow\n"
	    "                   it (default, as IPVS), or hold one that changes 3\n"
	    "                   times in a minute at its earlier MAC for 5 minutes\n"
	    "  --static-mac IP=MAC   the real server IP is at MAC: never asked by\n"
	    "                   ARP/ND, never moved (repeat for each)\n"
	    "  --announce-table N   route each VIP that has a usable real server\n"
	    "                   through the tun device drlb-IF in routing table N\n"
	    "                   (1..252), for BIRD or FRR to announce by BGP;\n"
	    "                   withdrawn when drlbd ends, however it ends\n"
	    "  --help           this text\n"
	    "  --version        drlbd's version\n",
	    DP_LINKS_MAX, DRLB_SOCKET_DEFAULT, SCHED_MH_TAB_MIN,
	    SCHED_MH_TAB_MAX, SCHED_MH_TAB_DEFAULT, CONN_MAX_DEFAULT, FANOUT_MAX,
	    RX_PACE_MAX_US, RX_PACE_DEFAULT_US);
}

/* A command line drlbd cannot run with: say what is wrong, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "drlbd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (drlbd --help lists the options)\n");
	exit(1);
}

static unsigned long
number(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || end == s || errno != 0 || v < min || v > max ||
	    strchr(s, '-') != NULL)
		bad_usage("--%s %s: want a number from %lu to %lu", opt, s, min,
		    max);
	return v;
}

static void
options(struct drlbd *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface",  required_argument, NULL, 'i' },
		{ "config",     required_argument, NULL, 'c' },
		{ "socket",     required_argument, NULL, 's' },
		{ "foreground", no_argument,       NULL, 'f' },
		{ "no-arp",     no_argument,       NULL, 'A' },
		{ "max-conns",  required_argument, NULL, 'm' },
		{ "user",       required_argument, NULL, 'u' },
		{ "verbose",    no_argument,       NULL, 'v' },
		{ "sloppy-tcp", no_argument,       NULL, 'S' },
		{ "socket-group", required_argument, NULL, 'G' },
		{ "state-file", required_argument, NULL, 'T' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ "metrics-listen", required_argument, NULL, 'L' },
		{ "keepalived-config", required_argument, NULL, 'k' },
		{ "capture",    required_argument, NULL, 'C' },
		{ "workers",    required_argument, NULL, 'W' },
		{ "qdisc-bypass", no_argument,     NULL, 'Q' },
		{ "ring-size",  required_argument, NULL, 'R' },
		{ "batch-wait", required_argument, NULL, 'w' },
		{ "sync",       required_argument, NULL, 'Y' },
		{ "mcast-interface", required_argument, NULL, 'I' },
		{ "syncid",     required_argument, NULL, 'D' },
		{ "mac-flap",   required_argument, NULL, 'F' },
		{ "static-mac", required_argument, NULL, 'P' },
		{ "announce-table", required_argument, NULL, 'B' },
		{ "mh-table-size", required_argument, NULL, 'H' },
		{ "help",       no_argument,       NULL, 'h' },
		{ "version",    no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct drlbd_opts *o = &d->o;
	int ch;

	d->own_vips = 1;
	o->max_conns = CONN_MAX_DEFAULT;
	o->batch_wait_us = RX_PACE_DEFAULT_US;
	o->io_ops = &io_ring_ops;
	opterr = 0;		/* our messages, below */
	while ((ch = getopt_long(argc, argv, ":i:c:s:fAm:u:vh", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (o->nlinks == DP_LINKS_MAX)
				bad_usage("--interface %s: at most %d interfaces",
				    optarg, DP_LINKS_MAX);
			for (unsigned l = 0; l < o->nlinks; l++)
				if (strcmp(o->ifnames[l], optarg) == 0)
					bad_usage("--interface %s twice", optarg);
			o->ifnames[o->nlinks++] = optarg;
			o->ifname = o->ifnames[0];
			break;
		case 'c': o->config = optarg; break;
		case 's': o->socket_path = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'A': d->own_vips = 0; break;
		case 'm':
			o->max_conns = (uint32_t)number("max-conns", optarg, 16,
			    1ul << 28);
			break;
		case 'u': o->user = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'S': o->sloppy_tcp = 1; break;
		case 'G': o->socket_group = optarg; break;
		case 'T': o->state_file = optarg; break;
		case 'M': o->metrics_file = optarg; break;
		case 'L': o->metrics_listen = optarg; break;
		case 'k': o->keepalived_config = optarg; break;
		case 'Y':
			if (strcmp(optarg, "master") == 0)
				o->boot_sync.state = DRLB_DAEMON_MASTER;
			else if (strcmp(optarg, "backup") == 0)
				o->boot_sync.state = DRLB_DAEMON_BACKUP;
			else
				bad_usage("--sync %s: want master or backup",
				    optarg);
			break;
		case 'I':
			snprintf(o->boot_sync.mcast_ifn,
			    sizeof(o->boot_sync.mcast_ifn), "%s", optarg);
			break;
		case 'D':
			o->boot_sync.syncid = (uint32_t)number("syncid", optarg,
			    0, 255);
			break;
		case 'F':
			if (strcmp(optarg, "follow") == 0)
				o->mac_flap_hold = 0;
			else if (strcmp(optarg, "hold") == 0)
				o->mac_flap_hold = 1;
			else
				bad_usage("--mac-flap %s: want follow or hold",
				    optarg);
			break;
		case 'P': {
			struct neigh_static *sm;
			char why[128];

			sm = realloc(o->static_macs, (o->nstatic_macs + 1) *
			    sizeof(*sm));
			if (sm == NULL)
				bad_usage("--static-mac: out of memory");
			o->static_macs = sm;
			if (neigh_static_parse(optarg,
			    &sm[o->nstatic_macs], why, sizeof(why)) < 0)
				bad_usage("--static-mac %s: %s", optarg, why);
			o->nstatic_macs++;
			break;
		}
		case 'B':
			/* 253-255 are the kernel's (default, main, local);
			 * FRR's import-table takes 1..252 */
			o->announce_table = (uint32_t)number("announce-table",
			    optarg, 1, 252);
			break;
		case 'H':
			if (sched_mh_set_table_size((uint32_t)number(
			    "mh-table-size", optarg, SCHED_MH_TAB_MIN,
			    SCHED_MH_TAB_MAX)) != 0)
				bad_usage("--mh-table-size %s: not a prime",
				    optarg);
			break;
		case 'Q': o->iop[0].qdisc_bypass = 1; break;
		case 'R':	/* 1 MiB blocks */
			o->iop[0].ring_blocks = (uint32_t)number("ring-size",
			    optarg, 2, 1024);
			break;
		case 'W':
			o->nworkers = (unsigned)number("workers", optarg, 1,
			    FANOUT_MAX);
			break;
		case 'w':
			o->batch_wait_us = (uint32_t)number("batch-wait", optarg,
			    0, RX_PACE_MAX_US);
			break;
		case 'C':
			if (strcmp(optarg, "ring") == 0)
				o->io_ops = &io_ring_ops;
			else if (strcmp(optarg, "pcap") == 0)
				o->io_ops = &io_pcap_ops;
			else
				bad_usage("--capture %s: want ring or pcap",
				    optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("drlbd %s\n", DRLB_VERSION);
			exit(0);
		case ':':
			bad_usage("%s needs a value", argv[optind - 1]);
		default:
			bad_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind != argc)
		bad_usage("%s: not an option (options start with --)",
		    argv[optind]);
	if (o->ifname == NULL)
		bad_usage("--interface is required: the director's interface on "
		    "the real servers' segment");
	if (o->boot_sync.state != 0 && o->boot_sync.mcast_ifn[0] == '\0')
		bad_usage("--sync %s needs --mcast-interface IF: the interface "
		    "sync messages go out and come in on",
		    o->boot_sync.state == DRLB_DAEMON_MASTER ? "master" :
		    "backup");
	if (o->keepalived_config != NULL && o->config != NULL)
		bad_usage("--config and --keepalived-config: one or the other");
	if (o->nworkers > 1 && o->io_ops == &io_pcap_ops)
		bad_usage("--workers %u: libpcap has no fanout; --capture pcap "
		    "forwards with one", o->nworkers);
	if (o->nworkers == 0) {
		/* one per CPU (the kernel's default fanout spreads over them) */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		o->nworkers = o->io_ops == &io_pcap_ops || ncpu < 1 ? 1 :
		    ncpu > FANOUT_MAX ? FANOUT_MAX : (unsigned)ncpu;
	}
	if (o->socket_path == NULL)
		o->socket_path = getenv("DRLB_SOCKET");
	if (o->socket_path == NULL || *o->socket_path == '\0')
		o->socket_path = DRLB_SOCKET_DEFAULT;
	if (o->iop[0].ring_blocks == 0 && o->nworkers > 2)
		/* each worker sees 1/N of the frames: 64 MiB of rings in
		 * all, 8 MiB (120 slots) each at least */
		o->iop[0].ring_blocks = 64 / o->nworkers < 8 ? 8 :
		    64 / o->nworkers;
	for (unsigned l = 0; l < o->nlinks; l++) {
		o->iop[l] = o->iop[0];
		o->iop[l].ifname = o->ifnames[l];
	}
}

/* ---------------------------------------------------------------- wiring */

/* The VIPs the kernel must not see, when a table keeps them from it. */
static void
vips_to_kernel(struct drlbd *d)
{
	char err[512];

	if (priv_dropping(d->priv) &&
	    priv_drop_vips(d->priv, &d->svcs, err, sizeof(err)) < 0)
		log_warnx("VIP frames to the kernel: %s", err);
}

/* The rules' VIP set changed: capture filter, ARP and ND ownership, the
 * kernel's view. */
static void
vips_changed(void *arg)
{
	struct drlbd *d = arg;

	d->filter_dirty = 1;
	arp_vips_changed(d->arp);
	ndp_vips_changed(d->ndp);
	vips_to_kernel(d);
}

/* The VIPs announced follow the rules, the real servers' MACs and the
 * health checks: each of those bumps svcs.gen, and the main thread brings
 * the announcement in after serving what woke it. */
static void
announce_update(struct drlbd *d, uint64_t now)
{
	char err[512];

	if (d->announce != NULL && announce_sync(d->announce, &d->svcs,
	    d->priv, now, err, sizeof(err)) < 0)
		log_warnx("VIP announcement: %s", err);
}

/* A real server appeared: find its MAC. */
static void
dest_added(void *arg, struct dest *dst)
{
	struct drlbd *d = arg;

	arp_dest_added(d->arp, dst);
	ndp_dest_added(d->ndp, dst);
}

static void
dest_freed(void *arg, struct dest *dst)
{
	struct drlbd *d = arg;

	if (d->est != NULL)
		est_forget(d->est, dst);
}

/* a connection (or template) leaves the table: trace, and the sync
 * master forgets its packet count */
static void
conn_expired(void *arg, const struct conn *c)
{
	struct drlbd *d = arg;

	trace_conn_expired(c);
	sync_conn_gone(d->sync, c);
}

/* With workers: the sync master counts the packets of each connection and
 * queues messages, state shared by all workers. */
static void
worker_forwarded(void *arg, struct conn *c, uint32_t now)
{
	struct drlbd *d = arg;

	if (!sync_master_on(d->sync))
		return;
	pthread_mutex_lock(&d->workers.lock);
	sync_forwarded(d->sync, c, now);
	pthread_mutex_unlock(&d->workers.lock);
}

/* Rules loaded before the sockets speak: nothing is announced or probed
 * until start() (a bad line stops us before any frame goes out). */
static void
hooks(struct drlbd *d, int on)
{
	d->svcs.on_dest_added = on ? dest_added : NULL;
	d->svcs.on_vips_changed = on ? vips_changed : NULL;
}

static void
apply_filter(struct drlbd *d)
{
	struct sock_fprog prog;
	char err[256], expr[512];

	d->filter_dirty = 0;
	if (d->workers.n > 0) {
		/* the workers' sockets: the VIPs' frames */
		if (filter_build(&d->svcs, FILTER_VIPS, &prog, err,
		    sizeof(err)) < 0) {
			log_warnx("capture filter: %s", err);
			return;
		}
		if (workers_set_filter(&d->workers, &prog) < 0)
			log_warn("capture filter: attach");
		else if (filter_expr(&d->svcs, FILTER_VIPS, expr,
		    sizeof(expr)) == 0)
			log_debug("workers' capture filter: %s", expr);
		filter_free(&prog);
	}
	/* ours: everything, or with workers ARP and ND */
	if (filter_build(&d->svcs, d->workers.n > 0 ? FILTER_NEIGH : FILTER_ALL,
	    &prog, err, sizeof(err)) < 0) {
		log_warnx("capture filter: %s", err);
		return;
	}
	if (worker_ios_filter(d->o.io_ops, &d->io, &prog) < 0)
		log_warn("capture filter: attach");
	else if (filter_expr(&d->svcs, d->workers.n > 0 ? FILTER_NEIGH :
	    FILTER_ALL, expr, sizeof(expr)) == 0)
		log_debug("capture filter: %s", expr);
	filter_free(&prog);
}

/* ---------------------------------------------------------------- sources */

/* the main thread's sockets: every frame without workers, else ARP and ND */
static int
ring_pollfds(void *arg, struct pollfd *pfd, int max)
{
	struct drlbd *d = arg;
	int n = 0;

	for (unsigned l = 0; l < d->io.n && n < max; l++)
		pfd[n++] = (struct pollfd){ .fd = d->o.io_ops->fd(d->io.io[l]),
		    .events = POLLIN };
	return n;
}

static void
ring_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now)
{
	struct drlbd *d = arg;
	unsigned frames = 0;

	(void)now;
	for (int l = 0; l < n; l++)
		if (pfd[l].revents & POLLIN)
			frames += worker_forward(&d->dp, d->o.io_ops, &d->io,
			    (unsigned)l, NULL);
	/* forwarding here (--workers 1): batch at load as a worker does; a
	 * nap delays the other sources by at most --batch-wait */
	if (d->workers.n == 0)
		rx_pace(&d->pace, frames);
}

static const struct loop_source ring_source = {
	.name = "capture", .maxfds = DP_LINKS_MAX,
	.pollfds = ring_pollfds, .serve = ring_serve,
};

static int
sync_src_pollfds(void *arg, struct pollfd *pfd, int max)
{
	return sync_pollfds(((struct drlbd *)arg)->sync, pfd, max);
}

static void
sync_src_serve(void *arg, const struct pollfd *pfd, int n, uint64_t now)
{
	struct drlbd *d = arg;

	(void)now;
	sync_serve(d->sync, pfd, n, d->dp.now);
}

static const struct loop_source sync_source = {
	.name = "sync backup", .maxfds = 1,
	.pollfds = sync_src_pollfds, .serve = sync_src_serve,
};

/* ARP and ND timers; the sync master sends what it has gathered */
static void
tick_neigh(void *arg, uint64_t now)
{
	struct drlbd *d = arg;

	arp_tick(d->arp, now);
	ndp_tick(d->ndp, now);
	sync_tick(d->sync);
}

/* once a second: the tables' timers */
static void
tick_tables(void *arg, uint64_t now)
{
	struct drlbd *d = arg;

	(void)now;
	/* without workers the one table; with, the templates (each worker
	 * expires its own table) */
	conn_expire(d->conns.tmpl, &d->svcs, d->dp.now, EXPIRE_BUDGET);
	for (struct svc *s = d->svcs.head; s != NULL; s = s->next)
		if (s->sched->tick != NULL)
			s->sched->tick(s, d->dp.now);
}

/* IPVS's estimation_timer, every 2 s */
static void
tick_est(void *arg, uint64_t now)
{
	struct drlbd *d = arg;

	(void)now;
	if (est_tick(d->est, &d->svcs) < 0)
		log_warnx("rate estimator: out of memory");
}

/*
 * Who drlbd becomes: the data path never runs as full root, so unless told
 * otherwise (--user root) uid 0 goes too -- "nobody" then, since root
 * without capabilities still owns root's files.
 */
static void
resolve_user(struct drlbd *d)
{
	d->uid = geteuid();
	d->gid = getegid();
	if (d->o.user == NULL && geteuid() == 0)
		d->o.user = "nobody";
	if (d->o.user != NULL && strcmp(d->o.user, "root") == 0)
		d->o.user = NULL;
	else if (d->o.user != NULL) {
		struct passwd *pw = getpwnam(d->o.user);

		if (pw == NULL)
			fatalx("unknown user %s (--user)", d->o.user);
		d->uid = pw->pw_uid;
		d->gid = pw->pw_gid;
	}
}

/* ---------------------------------------------------------------- acquire */

static void
acquire(struct drlbd *d)
{
	const struct drlbd_opts *o = &d->o;
	char err[DRLB_CTL_ERRMSG_MAX + 256];
	char priv_err[sizeof(err)];
	uint64_t now;

	/* may we, and is this host fit to direct? */
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW))
		fatalx("drlbd needs the capability CAP_NET_RAW, to capture and "
		    "send frames on %s (AF_PACKET sockets): run it as root "
		    "(it drops every capability once its sockets are open)",
		    o->ifname);
	for (unsigned l = 0; l < o->nlinks; l++) {
		if (if_nametoindex(o->ifnames[l]) == 0)
			fatalx("no interface %s here (ip link lists them): "
			    "--interface names the director's interface on the "
			    "real servers' segment", o->ifnames[l]);
		if ((d->lock_fd[l] = instance_lock(o->ifnames[l],
		    o->socket_path, err, sizeof(err))) < 0)
			fatalx("%s", err);
	}
	resolve_user(d);
	priv_err[0] = '\0';
	/* the tun device that carries the announced VIPs' routes: drlbd
	 * keeps its only descriptor (announce.h) */
	if (o->announce_table != 0 && (d->announce = announce_open(o->ifname,
	    o->announce_table, err, sizeof(err))) == NULL)
		fatalx("--announce-table %u: %s", o->announce_table, err);
	/* the helper that may keep VIP frames from this host's kernel and
	 * routes the announced VIPs: forked now, small, before anything big
	 * is allocated (priv.h) */
	if ((d->priv = priv_start(o->ifnames, o->nlinks, d->uid, d->gid,
	    o->announce_table,
	    d->announce != NULL ? announce_ifindex(d->announce) : 0,
	    d->announce != NULL ? announce_fd(d->announce) : -1, err,
	    sizeof(err))) == NULL) {
		if (d->announce != NULL)
			fatalx("--announce-table %u: no privileged helper: %s",
			    o->announce_table, err);
		log_info("no privileged helper: %s", err);
		snprintf(priv_err, sizeof(priv_err), "%s", err);
	}
	for (unsigned l = 0; l < o->nlinks; l++) {
		char why[512];

		if (host_forwarding_check(o->ifnames[l], err, sizeof(err)) == 0)
			continue;
		/* a routing host: the kernel must not see the VIP frames */
		if (d->priv == NULL)
			snprintf(why, sizeof(why), "no privileged helper: %s",
			    priv_err);
		if (d->priv == NULL || (!priv_dropping(d->priv) &&
		    priv_drop_vips(d->priv, &d->svcs, why, sizeof(why)) < 0))
			fatalx("%s (and the VIP frames cannot be kept from the "
			    "kernel: %s)", err, why);
		log_info("IP forwarding is on for %s: VIP frames are kept from "
		    "the kernel's IP layer (nftables table netdev %s), so it "
		    "routes none of them", o->ifnames[l], priv_table(d->priv));
	}

	/* the tables */
	svc_table_init(&d->svcs);
	if (conn_set_create(&d->conns, o->nworkers, o->max_conns) < 0)
		fatal("connection table of %u entries", o->max_conns);
	/* expiry hook, SYN-flood defence, and with workers the lock */
	conn_set_hooks(&d->conns, &d->svcs, conn_expired, d,
	    o->nworkers > 1 ? &d->workers.lock : NULL);
	d->svcs.on_dest_freed = dest_freed;
	d->svcs.cb_arg = d;
	if ((d->est = est_create()) == NULL)
		fatal("rate estimator");

	/* the sockets, per link: ARP, capture, ND; then the workers' */
	if ((d->arp = arp_open(o->ifname, d->own_vips, &d->svcs, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	for (unsigned l = 0; l < o->nlinks; l++) {
		struct io_params own = o->iop[l];

		/* beside workers ours carries ARP and ND only: 4 MiB (60
		 * slots) is plenty; the workers' rings take the default */
		if (o->nworkers > 1)
			own.ring_blocks = 4;
		if ((d->io.io[l] = o->io_ops->open(&own, err,
		    sizeof(err))) == NULL)
			fatalx("%s", err);
		d->io.n = l + 1;
		if (l > 0 && arp_open_link(d->arp, o->ifnames[l], err,
		    sizeof(err)) < 0)
			fatalx("%s", err);
	}
	/* the capture sockets are open: ND joins its multicast groups on
	 * them */
	if ((d->ndp = ndp_open(o->ifname, d->own_vips, &d->svcs,
	    o->io_ops->fd(d->io.io[0]), err, sizeof(err))) == NULL)
		fatalx("%s", err);
	for (unsigned l = 1; l < o->nlinks; l++)
		if (ndp_open_link(d->ndp, o->ifnames[l],
		    o->io_ops->fd(d->io.io[l]), err, sizeof(err)) < 0)
			fatalx("%s", err);
	arp_set_mac_flap(d->arp, o->mac_flap_hold ? NEIGH_FLAP_HOLD :
	    NEIGH_FLAP_FOLLOW);
	ndp_set_mac_flap(d->ndp, o->mac_flap_hold ? NEIGH_FLAP_HOLD :
	    NEIGH_FLAP_FOLLOW);
	for (size_t i = 0; i < o->nstatic_macs; i++)
		if (arp_static_mac(d->arp, &o->static_macs[i]) < 0 ||
		    ndp_static_mac(d->ndp, &o->static_macs[i]) < 0)
			fatal("--static-mac");
	dp_init(&d->dp, arp_mac(d->arp, 0), host_mtu(o->ifname), &d->svcs,
	    d->conns.w[0]);
	for (unsigned l = 1; l < o->nlinks; l++)
		dp_add_link(&d->dp, arp_mac(d->arp, l), host_mtu(o->ifnames[l]));
	d->dp.arp_input = arp_input;
	d->dp.arp_arg = d->arp;
	d->dp.ndp_input = ndp_input;
	d->dp.ndp_arg = d->ndp;
	d->dp.sloppy_tcp = o->sloppy_tcp;
	d->start_ms = clock_ms();
	d->dp.now = 1;
	if (o->nworkers > 1) {
		/* the workers' sockets, one fanout group; ours keeps ARP and
		 * ND only.  Their data paths start as copies of ours. */
		d->dp.on_forward = worker_forwarded;
		d->dp.fwd_arg = d;
		if (workers_open(&d->workers, o->nworkers, o->io_ops, o->iop,
		    o->nlinks, &d->dp, &d->conns, &d->svcs, d->start_ms, err,
		    sizeof(err)) < 0)
			fatalx("workers: %s", err);
		d->dp.conns = NULL;
		d->dp.on_forward = NULL;
	}
	/* batching at load (worker.h: rx_pace): the ring's own, not
	 * libpcap's, which batches with its block timer already */
	{
		uint32_t us = o->io_ops == &io_ring_ops ? o->batch_wait_us : 0;

		d->workers.pace_us = us;
		d->workers.ring_slots = io_ring_slots(&o->iop[0]);
		rx_pace_init(&d->pace, o->nworkers > 1 ? 0 : us,
		    io_ring_slots(&o->iop[0]));
	}
	arp_tick(d->arp, d->start_ms);
	ndp_tick(d->ndp, d->start_ms);

	/* the rules: load first, then speak (see hooks) */
	if (o->config != NULL) {
		struct rules_diff diff;

		if (reload_config(d, o->config, &diff, err, sizeof(err)) != 0)
			fatalx("%s", err);
	}
	if (o->keepalived_config != NULL &&
	    health_load(d, o->keepalived_config, err, sizeof(err)) != 0)
		fatalx("%s", err);
	hooks(d, 1);

	/* the control socket, the state file, the metrics port */
	if ((d->ctl = control_listen(o->socket_path, d, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	/* opened now: after the drop we may not be allowed to create it */
	if (o->state_file != NULL && (d->state_fd = open(o->state_file,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		fatal("state file %s", o->state_file);
	if (o->socket_group != NULL) {
		struct group *gr = getgrnam(o->socket_group);

		if (gr == NULL)
			fatalx("unknown group %s", o->socket_group);
		if (control_set_group(d->ctl, gr->gr_gid) < 0)
			fatal("chgrp %s %s", o->socket_group, o->socket_path);
	}
	/* before dropping privileges: the port may be < 1024 */
	if (o->metrics_listen != NULL &&
	    (d->metrics_http = metrics_http_listen(o->metrics_listen,
	    stats_metrics_render, d, err, sizeof(err))) == NULL) {
		control_close(d->ctl);
		fatalx("%s", err);
	}
	/* the sync daemon's sockets need no privilege, but open them now
	 * anyway: --sync fails at start, not later */
	if ((d->sync = sync_create(&d->conns, &d->svcs, o->max_conns)) == NULL)
		fatal("sync daemon");
	/* the data path tells the sync master about each forwarded frame's
	 * connection (it does nothing unless a master runs) */
	if (o->nworkers == 1) {
		d->dp.on_forward = sync_forwarded;
		d->dp.fwd_arg = d->sync;
	}

	/* the event sources, served in this order */
	now = clock_ms();
	if ((d->loop = loop_create()) == NULL ||
	    loop_add(d->loop, &ring_source, d) < 0 ||
	    (d->health != NULL &&
	    loop_add(d->loop, &health_source, d->health) < 0) ||
	    loop_add(d->loop, &sync_source, d) < 0 ||
	    loop_add(d->loop, &control_source, d->ctl) < 0 ||
	    (d->metrics_http != NULL &&
	    loop_add(d->loop, &metrics_http_source, d->metrics_http) < 0) ||
	    loop_every(d->loop, "ARP and ND", TICK_MS, now, tick_neigh, d) < 0 ||
	    loop_every(d->loop, "tables", 1000, now, tick_tables, d) < 0 ||
	    loop_every(d->loop, "rates", EST_INTERVAL_MS, now + EST_INTERVAL_MS,
	    tick_est, d) < 0 ||
	    (o->metrics_file != NULL && loop_every(d->loop, "metrics file",
	    METRICS_FILE_MS, now, stats_write_metrics_file, d) < 0))
		fatal("event loop");
}

/*
 * Drop privileges: every socket we need is open, and sending on an open
 * packet socket, re-attaching its filter or answering on the control socket
 * needs no capability at all.  So none is kept, and the bounding set is
 * cleared so none can come back.
 */
static void
drop_privileges(struct drlbd *d)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (d->o.user == NULL && d->uid == 0)
		log_warnx("staying uid 0 as told (--user root), without any "
		    "capability");
	if (d->o.user != NULL) {
		if (capng_change_id((int)d->uid, (int)d->gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0)
			fatalx("cannot become user %s", d->o.user);
	} else if (capng_apply(CAPNG_SELECT_BOTH) != 0)
		fatalx("capng_apply failed: cannot drop capabilities");
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		fatalx("capabilities still held after dropping them");
	log_info("privileges dropped: no capabilities kept%s%s",
	    d->o.user ? ", running as " : "", d->o.user ? d->o.user : "");
}

/* Privileges are gone: speak, restore, start the workers. */
static void
start(struct drlbd *d)
{
	const struct drlbd_opts *o = &d->o;

	log_info("directing on %s (MTU %u, MAC %02x:%02x:%02x:%02x:%02x:%02x), "
	    "%u services, control socket %s", o->ifname, d->dp.mtu,
	    d->dp.mac[0], d->dp.mac[1], d->dp.mac[2], d->dp.mac[3],
	    d->dp.mac[4], d->dp.mac[5], d->svcs.count, o->socket_path);
	/* the filter first: until now the ring lets nothing in, and the
	 * real servers' ARP answers must get through */
	apply_filter(d);
	for (struct svc *s = d->svcs.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			dest_added(d, s->dests[i]);
	arp_vips_changed(d->arp);
	ndp_vips_changed(d->ndp);
	vips_to_kernel(d);
	if (d->announce != NULL)
		log_info("announcing VIPs with a usable real server: routes "
		    "through %s in table %u", announce_device(d->announce),
		    announce_table(d->announce));
	announce_update(d, clock_ms());
	if (d->state_fd >= 0) {
		/* the connections of the drlbd that ran before us */
		struct statefile_outcome so;
		char why[256];
		long n = statefile_restore(d->state_fd, &d->conns, &d->svcs,
		    d->dp.now, (uint64_t)time(NULL), &so);

		if (n < 0)
			log_warn("state file %s: not restored", o->state_file);
		else if (so.whole > 0 || so.truncated || so.trailing) {
			statefile_outcome_text(&so, why, sizeof(why));
			log_info("state file %s: %ld connections restored, %ld "
			    "skipped (%s)", o->state_file, n, so.skipped, why);
		}
	}
	if (workers_start(&d->workers) < 0)
		fatalx("cannot start the worker threads");
	if (o->nworkers > 1)
		log_info("%u workers (PACKET_FANOUT by client address)",
		    o->nworkers);
}

/* ---------------------------------------------------------------- loop */

static void
run(struct drlbd *d)
{
	while (!quit) {
		uint64_t now;
		int n;

		n = loop_wait(d->loop, clock_ms(), TICK_MS);
		now = clock_ms();
		d->dp.now = (uint32_t)((now - d->start_ms) / 1000) + 1;
		if (n == 0 && !loop_due(d->loop, now) && !hup && !dump)
			continue;
		/* from here on the workers (if any) are paused: everything
		 * below may change what they read */
		workers_pause(&d->workers);
		loop_run(d->loop, now);
		if (hup) {
			hup = 0;
			reload_sighup(d);
		}
		if (d->filter_dirty)
			apply_filter(d);
		announce_update(d, now);
		if (dump) {
			uint32_t len;
			char *t = stats_counters_text(d, &len);

			dump = 0;
			if (t != NULL) {
				log_info("counters:\n%s", t);
				free(t);
			}
		}
		workers_resume(&d->workers);
	}
}

static void
release(struct drlbd *d)
{
	log_info("shutting down");
	workers_stop(&d->workers);
	if (d->state_fd >= 0) {
		long n = statefile_save(d->state_fd, &d->conns, d->dp.now);

		if (n < 0)
			log_warn("state file %s: not saved", d->o.state_file);
		else
			log_info("state file %s: %ld connections saved",
			    d->o.state_file, n);
		close(d->state_fd);
	}
	health_free(d->health);
	metrics_http_close(d->metrics_http);
	control_close(d->ctl);
	conn_set_flush(&d->conns, &d->svcs);
	worker_ios_close(d->o.io_ops, &d->io);
	arp_close(d->arp);
	ndp_close(d->ndp);
	sync_destroy(d->sync);
	announce_close(d->announce);	/* every VIP withdrawn */
	priv_stop(d->priv);		/* its table goes with it */
	est_free(d->est);
	loop_free(d->loop);
	conn_set_destroy(&d->conns);
	free(d->o.static_macs);
	for (unsigned l = 0; l < d->o.nlinks; l++)
		instance_unlock(d->lock_fd[l], d->o.ifnames[l]);
}

int
main(int argc, char **argv)
{
	static struct drlbd dd = { .state_fd = -1,
	    .lock_fd = { -1, -1, -1, -1 } };
	struct drlbd *d = &dd;
	struct sigaction sa;
	char err[512];

	options(d, argc, argv);
	log_init(d->o.foreground, d->o.verbose);
	/* a daemon detaches once it runs: refusals until then reach the
	 * terminal, and the exit status says whether it started */
	if (!d->o.foreground && detach_begin() < 0)
		fatal("fork");

	acquire(d);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (d->o.boot_sync.state != 0 &&
	    sync_start(d->sync, &d->o.boot_sync, err, sizeof(err)) < 0)
		fatalx("--sync: %s", err);

	drop_privileges(d);
	start(d);
	if (!d->o.foreground) {
		detach_done();
		log_detached();
	}
	run(d);
	release(d);
	return 0;
}
