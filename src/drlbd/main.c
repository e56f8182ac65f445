/*
 * drlbd — a userspace LVS Direct-Routing director.
 *
 * Acquire, then drop, then loop (OpenBSD ntpd/relayd):
 *   1. check the host is fit for DR (no VIP in our kernel, no IP forwarding)
 *   2. open everything that needs privilege: the AF_PACKET ring, libnet's
 *      injector, the control socket; load the configuration
 *   3. drop every capability with libcap-ng (the open sockets are all we
 *      need) and optionally become an unprivileged user
 *   4. the event loop: frames, control requests, timers
 */
#include <arpa/inet.h>
#include <cap-ng.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "drlb/cmd.h"
#include "drlb/ctl.h"
#include "arp.h"
#include "health.h"
#include "drlbd.h"
#include "est.h"
#include "filter.h"
#include "log.h"
#include "metrics.h"
#include "ndp.h"
#include "reload.h"
#include "sched.h"
#include "statefile.h"
#include "sync.h"
#include "trace.h"
#include "worker.h"

/* io/pcap.c (--capture pcap); io/ring.c's ops are declared in io.h */
extern const struct io_ops io_pcap_ops;

#define POLL_MAX	(1 + 1 + 17 + METRICS_HTTP_POLLFDS + CHECK_POLLFDS_MAX + \
			 SYNC_POLLFDS)
#define SYNC_POLLFDS	1		/* the sync backup's socket */
#define TICK_MS		100		/* ARP timers */
#define EXPIRE_BUDGET	65536		/* connections expired per second, at most */
#define BURSTS_PER_WAKE	16		/* then look at the control socket too */
#define METRICS_FILE_MS	10000		/* --metrics-file rewritten this often */

static volatile sig_atomic_t quit;
static volatile sig_atomic_t dump;
static volatile sig_atomic_t hup;

/*
 * Daemon state beside struct drlbd (drlbd.h is shared; these are only
 * main.c's business): the rate estimators, the metrics outlets.
 */
static struct est *est;
static struct ndp *ndp;			/* IPv6 neighbor discovery */
static struct metrics_http *metrics_http;
static const char *metrics_file;
static const char *socket_group;	/* --socket-group */
static const char *state_file;		/* --state-file */
static int state_fd = -1;
static struct sync *sync_d;		/* connection synchronisation */
static struct drlb_ctl_daemon boot_sync;	/* --sync ... at start */
static struct workers workers;

struct sync *
drlbd_sync(void)
{
	return sync_d;
}

struct ndp *
drlbd_ndp(void)
{
	return ndp;
}
static const char *keepalived_config;	/* --keepalived-config */

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

uint64_t
drlbd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: drlbd --interface IF [--config FILE] [--socket PATH] [--foreground]\n"
	    "             [--no-arp] [--sloppy-tcp] [--socket-group G] [--max-conns N]\n"
	    "             [--user USER] [--verbose]\n"
	    "             [--metrics-file PATH] [--metrics-listen ADDR:PORT]\n"
	    "             [--capture ring|pcap] [--workers N]\n"
	    "  --interface IF   the director's interface on the real servers' segment\n"
	    "  --config FILE    rules in the format `ipvsadm -S -n` writes; SIGHUP\n"
	    "                   re-reads it and brings the live rules to it\n"
	    "  --keepalived-config FILE   virtual_server blocks of a keepalived.conf\n"
	    "                   (lb_kind DR) with their health checks; SIGHUP\n"
	    "                   re-reads it (instead of --config)\n"
	    "  --socket PATH    control socket (default %s, or $DRLB_SOCKET)\n"
	    "  --foreground     stay in the foreground, log to stderr\n"
	    "  --no-arp         do not answer ARP for the VIPs nor announce them\n"
	    "                   (another program owns them)\n"
	    "  --sloppy-tcp     any TCP segment without RST may start a connection,\n"
	    "                   not only a SYN (IPVS sloppy_tcp; for directors behind\n"
	    "                   ECMP with sh or mh, and restarts)\n"
	    "  --socket-group G the control socket's group: its members may list,\n"
	    "                   read counters and trace; changes need root or the owner\n"
	    "  --state-file F   save the connection table to F when stopping, restore\n"
	    "                   it at start: clients mid-transfer notice nothing\n"
	    "  --max-conns N    connection table bound (default %u)\n"
	    "  --user USER      run as USER after opening the sockets (default nobody;\n"
	    "                   root: stay uid 0, still without any capability)\n"
	    "  --metrics-file PATH   Prometheus metrics rewritten (atomically) every\n"
	    "                   10 s, for node_exporter's textfile collector\n"
	    "  --metrics-listen ADDR:PORT   serve GET /metrics (HTTP/1.0) there\n"
	    "  --sync master|backup --mcast-interface IF --syncid N\n"
	    "                   start the connection-sync daemon at once (as\n"
	    "                   drlbadm --start-daemon; IPVS's sync protocol)\n"
	    "  --capture ring|pcap  capture/inject backend (default ring: AF_PACKET\n"
	    "                   ring with offload data; pcap: libpcap, drops frames\n"
	    "                   over the MTU, finishes unfinished L4 checksums)\n"
	    "  --workers N      forwarding threads, 1..%d (default: one per CPU;\n"
	    "                   1 with --capture pcap): the kernel spreads the\n"
	    "                   clients over them (PACKET_FANOUT); 1 forwards in\n"
	    "                   the main thread\n"
	    "  --qdisc-bypass   transmit with PACKET_QDISC_BYPASS: frames skip the\n"
	    "                   interface's queueing discipline (tc) on the way out\n"
	    "  --ring-size MIB  each worker's receive ring, 2..1024 MiB (default 32:\n"
	    "                   480 slots of 68 KiB, room for coalesced frames;\n"
	    "                   with more than 2 workers 64/N, at least 8)\n",
	    DRLB_SOCKET_DEFAULT, CONN_MAX_DEFAULT, FANOUT_MAX);
	exit(1);
}

/*
 * Is this VIP one of the addresses of this host's kernel?  Then the kernel's
 * TCP stack sees every frame we see and answers connections to ports it does
 * not listen on with RST, racing the real servers.  We refuse.
 */
const char *
drlbd_kernel_vip_check(struct drlbd *d, uint16_t af,
    const union drlb_inaddr *vip)
{
	static char msg[512];
	struct ifaddrs *ifa, *i;
	const char *why = NULL;
	char a[INET6_ADDRSTRLEN];

	(void)d;
	if (getifaddrs(&ifa) < 0)
		return NULL;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		int plen = af == AF_INET6 ? 0 : 32;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != af)
			continue;
		if (af == AF_INET6) {
			const struct sockaddr_in6 *m =
			    (const struct sockaddr_in6 *)i->ifa_netmask;

			if (memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			    vip->b, 16) != 0)
				continue;
			for (int b = 0; m != NULL && b < 16; b++)
				plen += __builtin_popcount(m->sin6_addr.s6_addr[b]);
			if (plen == 0)
				plen = 128;
		} else if (((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr !=
		    vip->in.s_addr)
			continue;
		inet_ntop(af, vip->b, a, sizeof(a));
		snprintf(msg, sizeof(msg),
		    "VIP %s is an address of this host's kernel (on %s): its "
		    "TCP stack would answer the VIP's connections (RST). "
		    "drlbd owns the VIP at L2, without it: "
		    "ip %saddr del %s/%d dev %s", a, i->ifa_name,
		    af == AF_INET6 ? "-6 " : "", a, plen, i->ifa_name);
		why = msg;
		break;
	}
	freeifaddrs(ifa);
	return why;
}

static int
read_sysctl_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * With IP forwarding on, the kernel would route each VIP frame a second
 * time (it is addressed to our MAC but not to one of our addresses), and the
 * real server would get every packet twice.
 */
static void
check_forwarding(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
	    ifname);
	if (read_sysctl_int(path) == 1)
		fatalx("IP forwarding is on for %s: the kernel would route every "
		    "VIP frame a second time, after drlbd forwarded it. Turn it "
		    "off: sysctl -w net.ipv4.conf.%s.forwarding=0 (or "
		    "net.ipv4.ip_forward=0)", ifname, ifname);
	/* IPv6 the same: with forwarding on, the kernel routes each IPv6
	 * VIP frame too (and acts as a router in neighbor discovery) */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
	    ifname);
	if (read_sysctl_int(path) == 1)
		fatalx("IPv6 forwarding is on for %s: the kernel would route "
		    "every IPv6 VIP frame a second time, after drlbd forwarded "
		    "it. Turn it off: sysctl -w net.ipv6.conf.%s.forwarding=0 "
		    "(and net.ipv6.conf.all.forwarding=0)", ifname, ifname);
}

static uint32_t
if_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t mtu = 1500;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		mtu = (uint32_t)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}

/* --config at start: as a reload into the empty table */
static void
load_config(struct drlbd *d, const char *file)
{
	struct reload_stats st;
	char err[DRLB_CTL_ERRMSG_MAX + 256];

	/* reload_config also refuses VIPs the kernel holds */
	if (reload_config(d, file, &st, err, sizeof(err)) != 0)
		fatalx("%s", err);
}

/* SIGHUP: the whole file is checked first; on an error nothing changes */
static void
reload(struct drlbd *d)
{
	struct reload_stats st;
	char err[DRLB_CTL_ERRMSG_MAX + 256];

	if (keepalived_config != NULL) {
		if (health_load(d, keepalived_config, err, sizeof(err)) != 0) {
			log_warnx("reload: %s; rules and checks unchanged", err);
			return;
		}
		if (est_prune(est, &d->svcs) < 0)
			log_warnx("reload: rate estimator: out of memory");
		log_info("reloaded %s: %u services", keepalived_config,
		    d->svcs.count);
		return;
	}
	if (d->config == NULL) {
		log_warnx("SIGHUP: no --config to reload");
		return;
	}
	if (reload_config(d, d->config, &st, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; rules unchanged", err);
		return;
	}
	if (est_prune(est, &d->svcs) < 0)
		log_warnx("reload: rate estimator: out of memory");
	log_info("reloaded %s: services +%u -%u ~%u, real servers +%u -%u ~%u%s%s",
	    d->config, st.svc_added, st.svc_deleted, st.svc_edited,
	    st.dest_added, st.dest_deleted, st.dest_edited,
	    st.timeouts_set ? ", timeouts set" : "",
	    st.failed ? " (some edits failed, see above)" : "");
}

void
drlbd_est_changed(struct drlbd *d, uint16_t op, const struct drlb_ctl_req *req)
{
	if (est == NULL)
		return;
	switch (op) {
	case DRLB_CTL_ZERO:
		/* ip_vs_zero_stats resets the estimator with the counters */
		if (req->svc.af == 0)
			est_zero(est, &d->svcs, NULL);
		else {
			struct svc *s = svc_find(&d->svcs, req->svc.af,
			    req->svc.protocol, &req->svc.addr, req->svc.port);
			if (s != NULL)
				est_zero(est, &d->svcs, s);
		}
		break;
	case DRLB_CTL_FLUSH:
	case DRLB_CTL_DEL_SVC:
	case DRLB_CTL_DEL_DEST:
		/* a deleted object's memory may be reused before the next
		 * tick: forget it now */
		est_prune(est, &d->svcs);
		break;
	default:
		break;
	}
}

/* The main thread's data path and socket, and the workers' (paused). */
static void
all_counters(struct drlbd *d, struct dp_counters *c, struct io_stats *io)
{
	*c = d->dp.cnt;
	d->io_ops->stats(d->io, io);
	workers_counters(&workers, c, io);
}

char *
drlbd_metrics_text(struct drlbd *d, uint32_t *len)
{
	struct metrics_input in;
	struct arp_counters a;
	struct dp_counters c;
	struct io_stats io;

	arp_get_counters(d->arp, &a);
	all_counters(d, &c, &io);
	memset(&in, 0, sizeof(in));
	in.svcs = &d->svcs;
	in.dp = &c;
	in.io = &io;
	in.arp = &a;
	in.conns = conn_set_count(&d->conns);
	in.conns_max = conn_set_max(&d->conns);
	in.conns_reclaimed = conn_set_reclaimed(&d->conns);
	return metrics_render(&in, len);
}

static char *
metrics_render_cb(void *arg, uint32_t *len)
{
	return drlbd_metrics_text(arg, len);
}

static void
write_metrics_file(struct drlbd *d)
{
	static int failing;
	uint32_t len;
	char *t = drlbd_metrics_text(d, &len);

	if (t == NULL || metrics_write_file(metrics_file, t, len) < 0) {
		if (!failing)		/* once per failing streak */
			log_warn("--metrics-file %s", metrics_file);
		failing = 1;
	} else
		failing = 0;
	free(t);
}

char *
drlbd_counters_text(struct drlbd *d, uint32_t *len)
{
	struct dp_counters cnt;
	const struct dp_counters *c = &cnt;
	struct arp_counters a;
	struct io_stats io;
	char *buf;
	size_t cap = 8192;
	int n;

	arp_get_counters(d->arp, &a);
	all_counters(d, &cnt, &io);
	if ((buf = malloc(cap)) == NULL)
		return NULL;
	n = snprintf(buf, cap,
	    "rx %llu\nforwarded %llu\nconns_new %llu\nconns_now %u\n"
	    "conns_reclaimed %llu\n"
	    "arp %llu\nnot_for_us %llu\nnon_ip %llu\nvlan %llu\n"
	    "malformed %llu\ntruncated %llu\nfragment %llu\nother_proto %llu\n"
	    "not_vip %llu\nno_service %llu\nno_conn %llu\nno_dest %llu\n"
	    "table_full %llu\ndest_no_mac %llu\noversize %llu\n"
	    "csum_finished %llu\ngso %llu\n"
	    "rx_kernel_drops %llu\ntx_frames %llu\ntx_errors %llu\n"
	    "tx_batches %llu\n"
	    "arp_vip_requests_answered %llu\narp_garp_sent %llu\n"
	    "arp_probes_sent %llu\narp_replies_learnt %llu\n"
	    "arp_vip_conflicts %llu\narp_malformed %llu\n",
	    (unsigned long long)c->rx, (unsigned long long)c->forwarded,
	    (unsigned long long)c->conns_new, conn_set_count(&d->conns),
	    (unsigned long long)conn_set_reclaimed(&d->conns),
	    (unsigned long long)c->arp, (unsigned long long)c->not_for_us,
	    (unsigned long long)c->non_ip, (unsigned long long)c->vlan,
	    (unsigned long long)c->malformed, (unsigned long long)c->truncated,
	    (unsigned long long)c->fragment, (unsigned long long)c->other_proto,
	    (unsigned long long)c->not_vip, (unsigned long long)c->no_service,
	    (unsigned long long)c->no_conn, (unsigned long long)c->no_dest,
	    (unsigned long long)c->table_full,
	    (unsigned long long)c->dest_no_mac,
	    (unsigned long long)c->oversize,
	    (unsigned long long)c->csum_finished, (unsigned long long)c->gso,
	    (unsigned long long)io.rx_kernel_drops,
	    (unsigned long long)io.tx_frames, (unsigned long long)io.tx_errors,
	    (unsigned long long)io.tx_batches,
	    (unsigned long long)a.vip_requests_answered,
	    (unsigned long long)a.garp_sent, (unsigned long long)a.probes_sent,
	    (unsigned long long)a.replies_learnt,
	    (unsigned long long)a.vip_conflicts, (unsigned long long)a.malformed);
	if (n < 0 || (size_t)n >= cap) {
		free(buf);
		return NULL;
	}
	{
		/* IPv6: the data path's extra cases and neighbor discovery */
		struct ndp_counters nc;
		int m;

		memset(&nc, 0, sizeof(nc));
		if (ndp != NULL)
			ndp_get_counters(ndp, &nc);
		m = snprintf(buf + n, cap - (size_t)n,
		    "ndp %llu\next_hdrs %llu\next_hdr_dropped %llu\n"
		    "icmp_forwarded %llu\n"
		    "ndp_vip_solicits_answered %llu\nndp_unsolicited_na_sent %llu\n"
		    "ndp_probes_sent %llu\nndp_adverts_learnt %llu\n"
		    "ndp_vip_conflicts %llu\nndp_malformed %llu\n"
		    "ndp_mcast_join_errors %llu\n",
		    (unsigned long long)c->ndp, (unsigned long long)c->ext_hdrs,
		    (unsigned long long)c->ext_hdr_dropped,
		    (unsigned long long)c->icmp_forwarded,
		    (unsigned long long)nc.vip_solicits_answered,
		    (unsigned long long)nc.unsolicited_na_sent,
		    (unsigned long long)nc.probes_sent,
		    (unsigned long long)nc.adverts_learnt,
		    (unsigned long long)nc.vip_conflicts,
		    (unsigned long long)nc.malformed,
		    (unsigned long long)nc.mcast_join_errors);
		if (m < 0 || (size_t)m >= cap - (size_t)n) {
			free(buf);
			return NULL;
		}
		n += m;
	}
	{
		/* each worker's share (with --workers 1, the one data path) */
		int m = snprintf(buf + n, cap - (size_t)n, "workers %u\n"
		    "worker_pauses %llu\n", d->nworkers,
		    (unsigned long long)workers.pauses);

		for (unsigned i = 0; i < workers.n && m > 0 &&
		    (size_t)m < cap - (size_t)n; i++)
			m += snprintf(buf + n + m, cap - (size_t)(n + m),
			    "worker%u_rx %llu\nworker%u_forwarded %llu\n"
			    "worker%u_conns %u\n", i,
			    (unsigned long long)workers.w[i].dp.cnt.rx, i,
			    (unsigned long long)workers.w[i].dp.cnt.forwarded,
			    i, conn_count(d->conns.w[i]));
		if (m < 0 || (size_t)m >= cap - (size_t)n) {
			free(buf);
			return NULL;
		}
		n += m;
	}
	if (sync_d != NULL)
		n += sync_counters_text(sync_d, buf + n, cap - (size_t)n);
	*len = (uint32_t)n;
	return buf;
}

static void trace_expire(void *arg, const struct conn *c);

/* a connection (or template) leaves the table: trace, and the sync
 * master forgets its packet count */
static void
conn_expired(void *arg, const struct conn *c)
{
	trace_expire(arg, c);
	sync_conn_gone(sync_d, c);
}

/* trace: a connection (or template) reaches its timeout */
static void
trace_expire(void *arg, const struct conn *c)
{
	char cl[64], vs[64], rs[64];
	uint16_t af = c->key.af & ~CONN_KEY_TEMPLATE;

	(void)arg;
	if (!trace_on)
		return;
	trace_select(af, &c->key.caddr);
	TRACE("expire %s %s -> %s -> %s (%s)",
	    c->key.protocol == IPPROTO_TCP ? "TCP" : "UDP",
	    trace_addrport(cl, sizeof(cl), af, &c->key.caddr, ntohs(c->key.cport)),
	    trace_addrport(vs, sizeof(vs), af, conn_vaddr(c), ntohs(c->key.vport)),
	    trace_addrport(rs, sizeof(rs), c->dest->conf.af, &c->dest->conf.addr,
	    c->dest->conf.port),
	    (c->flags & CONN_F_TEMPLATE) ? "persistence template" :
	    conn_state_str(c));
	trace_mask = 0;
}

static void
vips_changed(void *arg)
{
	struct drlbd *d = arg;

	d->filter_dirty = 1;
	arp_vips_changed(d->arp);
	ndp_vips_changed(ndp);
}

static void
dest_added(void *arg, struct dest *dst)
{
	struct drlbd *d = arg;

	arp_dest_added(d->arp, dst);
	ndp_dest_added(ndp, dst);
}

static void
dest_freed(void *arg, struct dest *dst)
{
	(void)arg;
	if (est != NULL)
		est_forget(est, dst);
}

static void
apply_filter(struct drlbd *d)
{
	struct sock_fprog prog;
	char err[256], expr[512];

	d->filter_dirty = 0;
	if (workers.n > 0) {
		/* the workers' sockets: the VIPs' frames */
		if (filter_build(&d->svcs, FILTER_VIPS, &prog, err,
		    sizeof(err)) < 0) {
			log_warnx("capture filter: %s", err);
			return;
		}
		if (workers_set_filter(&workers, &prog) < 0)
			log_warn("capture filter: attach");
		else if (filter_expr(&d->svcs, FILTER_VIPS, expr,
		    sizeof(expr)) == 0)
			log_debug("workers' capture filter: %s", expr);
		filter_free(&prog);
	}
	/* ours: everything, or with workers ARP and ND */
	if (filter_build(&d->svcs, workers.n > 0 ? FILTER_NEIGH : FILTER_ALL,
	    &prog, err, sizeof(err)) < 0) {
		log_warnx("capture filter: %s", err);
		return;
	}
	if (d->io_ops->set_filter(d->io, &prog) < 0)
		log_warn("capture filter: attach");
	else if (filter_expr(&d->svcs, workers.n > 0 ? FILTER_NEIGH :
	    FILTER_ALL, expr, sizeof(expr)) == 0)
		log_debug("capture filter: %s", expr);
	filter_free(&prog);
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
	/* The data path never runs as full root: every capability goes, and
	 * unless told otherwise (--user root) so does uid 0 -- "nobody" then,
	 * since root without capabilities still owns root's files. */
	if (d->user == NULL && geteuid() == 0)
		d->user = "nobody";
	if (d->user != NULL && strcmp(d->user, "root") == 0) {
		log_warnx("staying uid 0 as told (--user root), without any "
		    "capability");
		d->user = NULL;
	}
	if (d->user != NULL) {
		struct passwd *pw = getpwnam(d->user);

		if (pw == NULL)
			fatalx("unknown user %s", d->user);
		if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0)
			fatalx("cannot become user %s", d->user);
	} else if (capng_apply(CAPNG_SELECT_BOTH) != 0)
		fatalx("capng_apply failed: cannot drop capabilities");
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		fatalx("capabilities still held after dropping them");
	log_info("privileges dropped: no capabilities kept%s%s",
	    d->user ? ", running as " : "", d->user ? d->user : "");
}

/* With workers: the sync master counts the packets of each connection and
 * queues messages, state shared by all workers. */
static void
worker_forwarded(void *arg, struct conn *c, uint32_t now)
{
	(void)arg;
	if (!sync_master_on(sync_d))
		return;
	pthread_mutex_lock(&workers.lock);
	sync_forwarded(sync_d, c, now);
	pthread_mutex_unlock(&workers.lock);
}

/* Move every frame that has arrived through the data path. */
static void
forward_frames(struct drlbd *d)
{
	struct dp_frame f[64];

	for (int b = 0; b < BURSTS_PER_WAKE; b++) {
		unsigned n = d->io_ops->rx_burst(d->io, f, 64);

		for (unsigned i = 0; i < n; i++)
			if (dp_process(&d->dp, &f[i]) == DP_FORWARD)
				d->io_ops->tx_queue(d->io, &f[i]);
		d->io_ops->rx_done(d->io);
		if (n < 64)
			break;
	}
}

int
main(int argc, char **argv)
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
		{ "sync",       required_argument, NULL, 'Y' },
		{ "mcast-interface", required_argument, NULL, 'I' },
		{ "syncid",     required_argument, NULL, 'D' },
		{ "help",       no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct drlbd dd;
	struct drlbd *d = &dd;
	struct io_params iop = { 0 };
	struct pollfd pfd[POLL_MAX];
	struct sigaction sa;
	char err[512];
	uint64_t next_tick, next_sec, next_est, next_metrics;
	const char *metrics_listen = NULL;
	int ch;

	d->own_vips = 1;
	d->max_conns = CONN_MAX_DEFAULT;
	d->io_ops = &io_ring_ops;
	while ((ch = getopt_long(argc, argv, "i:c:s:fAm:u:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': d->ifname = optarg; break;
		case 'c': d->config = optarg; break;
		case 's': d->socket_path = optarg; break;
		case 'f': d->foreground = 1; break;
		case 'A': d->own_vips = 0; break;
		case 'm': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 16 || v > (1ul << 28))
				usage();
			d->max_conns = (uint32_t)v;
			break;
		}
		case 'u': d->user = optarg; break;
		case 'v': d->verbose = 1; break;
		case 'S': d->sloppy_tcp = 1; break;
		case 'G': socket_group = optarg; break;
		case 'T': state_file = optarg; break;
		case 'M': metrics_file = optarg; break;
		case 'L': metrics_listen = optarg; break;
		case 'k': keepalived_config = optarg; break;
		case 'Y':
			if (strcmp(optarg, "master") == 0)
				boot_sync.state = DRLB_DAEMON_MASTER;
			else if (strcmp(optarg, "backup") == 0)
				boot_sync.state = DRLB_DAEMON_BACKUP;
			else
				usage();
			break;
		case 'I':
			snprintf(boot_sync.mcast_ifn, sizeof(boot_sync.mcast_ifn),
			    "%s", optarg);
			break;
		case 'D': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || v > 255)
				usage();
			boot_sync.syncid = (uint32_t)v;
			break;
		}
		case 'Q': iop.qdisc_bypass = 1; break;
		case 'R': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || v < 2 || v > 1024)
				usage();
			iop.ring_blocks = (uint32_t)v;	/* 1 MiB blocks */
			break;
		}
		case 'W': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > FANOUT_MAX)
				usage();
			d->nworkers = (unsigned)v;
			break;
		}
		case 'C':
			if (strcmp(optarg, "ring") == 0)
				d->io_ops = &io_ring_ops;
			else if (strcmp(optarg, "pcap") == 0)
				d->io_ops = &io_pcap_ops;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (d->ifname == NULL || optind != argc)
		usage();
	if (keepalived_config != NULL && d->config != NULL)
		errx(1, "--config and --keepalived-config: one or the other");
	if (d->nworkers > 1 && d->io_ops == &io_pcap_ops)
		errx(1, "--workers %u: libpcap has no fanout; --capture pcap "
		    "forwards with one", d->nworkers);
	if (d->nworkers == 0) {
		/* one per CPU (the kernel's default fanout spreads over them) */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		d->nworkers = d->io_ops == &io_pcap_ops || ncpu < 1 ? 1 :
		    ncpu > FANOUT_MAX ? FANOUT_MAX : (unsigned)ncpu;
	}
	if (d->socket_path == NULL)
		d->socket_path = getenv("DRLB_SOCKET");
	if (d->socket_path == NULL || *d->socket_path == '\0')
		d->socket_path = DRLB_SOCKET_DEFAULT;
	log_init(d->foreground, d->verbose);

	/* ---- 1. is this host fit to direct? ---- */
	if (if_nametoindex(d->ifname) == 0)
		fatal("interface %s", d->ifname);
	check_forwarding(d->ifname);

	/* ---- 2. acquire ---- */
	svc_table_init(&d->svcs);
	if (conn_set_create(&d->conns, d->nworkers, d->max_conns) < 0)
		fatal("connection table of %u entries", d->max_conns);
	/* expiry hook, SYN-flood defence, and with workers the lock */
	conn_set_hooks(&d->conns, &d->svcs, conn_expired, NULL,
	    d->nworkers > 1 ? &workers.lock : NULL);
	if ((d->arp = arp_open(d->ifname, d->own_vips, &d->svcs, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	d->svcs.on_dest_added = dest_added;
	d->svcs.on_vips_changed = vips_changed;
	d->svcs.on_dest_freed = dest_freed;
	d->svcs.cb_arg = d;
	if ((est = est_create()) == NULL)
		fatal("rate estimator");
	iop.ifname = d->ifname;	/* (and --qdisc-bypass above) */
	if (iop.ring_blocks == 0 && d->nworkers > 2)
		/* each worker sees 1/N of the frames: 64 MiB of rings in
		 * all, 8 MiB (120 slots) each at least */
		iop.ring_blocks = 64 / d->nworkers < 8 ? 8 : 64 / d->nworkers;
	{
		/* beside workers ours carries ARP and ND only: 4 MiB (60
		 * slots) is plenty; the workers' rings take the default */
		struct io_params own = iop;

		if (d->nworkers > 1)
			own.ring_blocks = 4;
		if ((d->io = d->io_ops->open(&own, err, sizeof(err))) == NULL)
			fatalx("%s", err);
	}
	/* the capture socket is open: ND joins its multicast groups on it */
	if ((ndp = ndp_open(d->ifname, d->own_vips, &d->svcs,
	    d->io_ops->fd(d->io), err, sizeof(err))) == NULL)
		fatalx("%s", err);
	dp_init(&d->dp, arp_mac(d->arp), if_mtu(d->ifname), &d->svcs,
	    d->conns.w[0]);
	d->dp.ndp_input = ndp_input;
	d->dp.ndp_arg = ndp;
	d->dp.arp_input = arp_input;
	d->dp.sloppy_tcp = d->sloppy_tcp;
	d->dp.arp_arg = d->arp;
	d->start_ms = drlbd_now_ms();
	d->dp.now = 1;
	if (d->nworkers > 1) {
		/* the workers' sockets, one fanout group; ours keeps ARP and
		 * ND only.  Their data paths start as copies of ours. */
		d->dp.on_forward = worker_forwarded;
		d->dp.fwd_arg = NULL;
		if (workers_open(&workers, d->nworkers, d->io_ops, &iop, &d->dp,
		    &d->conns, &d->svcs, d->start_ms, err, sizeof(err)) < 0)
			fatalx("workers: %s", err);
		d->dp.conns = NULL;
		d->dp.on_forward = NULL;
	}
	d->workers = &workers;
	arp_tick(d->arp, d->start_ms);
	ndp_tick(ndp, d->start_ms);
	if (d->config != NULL) {
		/* load first, then speak: a bad line stops us before any ARP
		 * probe or announcement goes out */
		d->svcs.on_dest_added = NULL;
		d->svcs.on_vips_changed = NULL;
		load_config(d, d->config);
		d->svcs.on_dest_added = dest_added;
		d->svcs.on_vips_changed = vips_changed;
	}
	if (keepalived_config != NULL) {
		/* the same: rules in first; the checks start in the loop,
		 * after privileges are dropped */
		d->svcs.on_dest_added = NULL;
		d->svcs.on_vips_changed = NULL;
		if (health_load(d, keepalived_config, err, sizeof(err)) != 0)
			fatalx("%s", err);
		d->svcs.on_dest_added = dest_added;
		d->svcs.on_vips_changed = vips_changed;
	}
	if ((d->ctl = ctl_listen(d->socket_path, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* opened now: after the drop we may not be allowed to create it */
	if (state_file != NULL && (state_fd = open(state_file,
	    O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		fatal("state file %s", state_file);
	if (socket_group != NULL) {
		struct group *gr = getgrnam(socket_group);

		if (gr == NULL)
			fatalx("unknown group %s", socket_group);
		if (ctl_set_group(d->ctl, gr->gr_gid) < 0)
			fatal("chgrp %s %s", socket_group, d->socket_path);
	}
	/* before dropping privileges: the port may be < 1024 */
	if (metrics_listen != NULL &&
	    (metrics_http = metrics_http_listen(metrics_listen, err,
	    sizeof(err))) == NULL) {
		ctl_close(d->ctl);
		fatalx("%s", err);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!d->foreground && daemon(0, 0) < 0)
		fatal("daemon");

	/* ---- 3. drop ---- */
	/* the sync daemon's sockets need no privilege, but open them now
	 * anyway: --sync fails at start, not later */
	if ((sync_d = sync_create(&d->conns, &d->svcs, d->max_conns)) == NULL)
		fatal("sync daemon");
	/* the data path tells the sync master about each forwarded frame's
	 * connection (it does nothing unless a master runs) */
	if (d->nworkers == 1) {
		d->dp.on_forward = sync_forwarded;
		d->dp.fwd_arg = sync_d;
	}
	if (boot_sync.state != 0 &&
	    sync_start(sync_d, &boot_sync, err, sizeof(err)) < 0)
		fatalx("--sync: %s", err);
	drop_privileges(d);
	log_info("directing on %s (MTU %u, MAC %02x:%02x:%02x:%02x:%02x:%02x), "
	    "%u services, control socket %s", d->ifname, d->dp.mtu,
	    d->dp.mac[0], d->dp.mac[1], d->dp.mac[2], d->dp.mac[3],
	    d->dp.mac[4], d->dp.mac[5], d->svcs.count, d->socket_path);
	/* the filter first: until now the ring lets nothing in, and the
	 * real servers' ARP answers must get through */
	apply_filter(d);
	for (struct svc *s = d->svcs.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			dest_added(d, s->dests[i]);
	arp_vips_changed(d->arp);
	ndp_vips_changed(ndp);
	if (state_fd >= 0) {
		/* the connections of the drlbd that ran before us */
		long skipped, n = statefile_restore(state_fd, &d->conns, &d->svcs,
		    d->dp.now, &skipped);

		if (n < 0)
			log_warn("state file %s: not restored", state_file);
		else if (n + skipped > 0)
			log_info("state file %s: %ld connections restored, %ld "
			    "skipped (expired, or no longer in the rules)",
			    state_file, n, skipped);
	}

	if (workers_start(&workers) < 0)
		fatalx("cannot start the worker threads");
	if (d->nworkers > 1)
		log_info("%u workers (PACKET_FANOUT by client address)",
		    d->nworkers);

	/* ---- 4. loop ---- */
	next_tick = next_sec = next_metrics = drlbd_now_ms();
	next_est = next_tick + EST_INTERVAL_MS;
	while (!quit) {
		uint64_t now;
		int n, nctl, nhttp, nchk, nsync, timeout;

		now = drlbd_now_ms();
		timeout = next_tick > now ? (int)(next_tick - now) : 0;
		if (health_next_ms(now) < timeout)
			timeout = health_next_ms(now);
		pfd[0] = (struct pollfd){ .fd = d->io_ops->fd(d->io),
		    .events = POLLIN };
		nctl = ctl_pollfds(d->ctl, pfd + 1, POLL_MAX - 1 -
		    METRICS_HTTP_POLLFDS);
		nhttp = metrics_http_pollfds(metrics_http, pfd + 1 + nctl,
		    METRICS_HTTP_POLLFDS);
		nchk = health_pollfds(pfd + 1 + nctl + nhttp, CHECK_POLLFDS_MAX);
		nsync = sync_pollfds(sync_d, pfd + 1 + nctl + nhttp + nchk,
		    SYNC_POLLFDS);
		n = poll(pfd, (nfds_t)(1 + nctl + nhttp + nchk + nsync),
		    timeout);
		if (n < 0 && errno != EINTR)
			fatal("poll");
		now = drlbd_now_ms();
		d->dp.now = (uint32_t)((now - d->start_ms) / 1000) + 1;
		if (n == 0 && now < next_tick && now < next_sec && now < next_est &&
		    !hup && !dump && (metrics_file == NULL || now < next_metrics) &&
		    health_next_ms(now) > 0)
			continue;
		/* from here on the workers (if any) are paused: everything
		 * below may change what they read */
		workers_pause(&workers);
		if (n > 0 && (pfd[0].revents & POLLIN))
			forward_frames(d);
		if (n > 0 && nchk > 0)
			health_serve(pfd + 1 + nctl + nhttp, nchk, now);
		health_tick(now);
		if (n > 0 && nsync > 0)
			sync_serve(sync_d, pfd + 1 + nctl + nhttp + nchk, nsync,
			    d->dp.now);
		if (n > 0)
			ctl_serve(d->ctl, pfd + 1, nctl, d);
		if (n > 0 && nhttp > 0)
			metrics_http_serve(metrics_http, pfd + 1 + nctl, nhttp,
			    now, metrics_render_cb, d);
		if (hup) {
			hup = 0;
			reload(d);
		}
		if (d->filter_dirty)
			apply_filter(d);
		if (now >= next_tick) {
			arp_tick(d->arp, now);
			ndp_tick(ndp, now);
			next_tick = now + TICK_MS;
			sync_tick(sync_d);	/* the master's gathered entries */
		}
		if (now >= next_sec) {
			/* without workers the one table; with, the templates
			 * (each worker expires its own table) */
			conn_expire(d->conns.tmpl, &d->svcs, d->dp.now,
			    EXPIRE_BUDGET);
			for (struct svc *s = d->svcs.head; s != NULL; s = s->next)
				if (s->sched->tick != NULL)
					s->sched->tick(s, d->dp.now);
			metrics_http_expire(metrics_http, now);
			next_sec = now + 1000;
		}
		if (now >= next_est) {
			/* IPVS's estimation_timer, every 2 s */
			if (est_tick(est, &d->svcs) < 0)
				log_warnx("rate estimator: out of memory");
			next_est += EST_INTERVAL_MS;
			if (next_est <= now)	/* we were stopped: no catch-up */
				next_est = now + EST_INTERVAL_MS;
		}
		if (metrics_file != NULL && now >= next_metrics) {
			write_metrics_file(d);
			next_metrics = now + METRICS_FILE_MS;
		}
		if (dump) {
			uint32_t len;
			char *t = drlbd_counters_text(d, &len);
			dump = 0;
			if (t != NULL) {
				log_info("counters:\n%s", t);
				free(t);
			}
		}
		workers_resume(&workers);
	}
	log_info("shutting down");
	workers_stop(&workers);
	if (state_fd >= 0) {
		long n = statefile_save(state_fd, &d->conns, d->dp.now);

		if (n < 0)
			log_warn("state file %s: not saved", state_file);
		else
			log_info("state file %s: %ld connections saved",
			    state_file, n);
		close(state_fd);
	}
	health_shutdown();
	metrics_http_close(metrics_http);
	ctl_close(d->ctl);
	conn_set_flush(&d->conns, &d->svcs);
	d->io_ops->close(d->io);
	arp_close(d->arp);
	ndp_close(ndp);
	sync_destroy(sync_d);
	est_free(est);
	conn_set_destroy(&d->conns);
	return 0;
}
