/*
 * drlbadm — ipvsadm's command line for drlbd.
 *
 *   drlbadm [--socket PATH] <ipvsadm arguments>
 *
 * The arguments are parsed exactly as ipvsadm 1.31 parses them
 * (src/common/cmd.c); a change becomes one request on drlbd's control
 * socket, a listing is GET_* requests formatted as ipvsadm prints them
 * (list.c).  Messages and exit statuses are ipvsadm's: its fail() exits 2,
 * a failed change prints libipvs's text and exits 255, a failed listing 1.
 * Only when drlbd cannot be reached is the message drlb's own (exit 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drlb/cmd.h"
#include "drlb/ctl.h"
#include "list_announce.h"
#include "list.h"

#ifndef DRLB_VERSION
#define DRLB_VERSION	"unknown"
#endif
#define DRLBADM_VERSION	DRLB_VERSION
#define RESTORE_MAX_ARGS 128

static const char *prog = "drlbadm";
static const char *sock_opt;		/* --socket, or NULL */

static const char *
sock_path(void)
{
	const char *p = sock_opt;

	if (p == NULL || *p == '\0')
		p = getenv("DRLB_SOCKET");
	if (p == NULL || *p == '\0')
		p = DRLB_SOCKET_DEFAULT;
	return p;
}

/*
 * One request, one reply, on a connection of its own (so that it does not
 * matter whether drlbd keeps a connection open after answering).  Exits 1
 * when drlbd cannot be reached: there is nothing else drlbadm could do.
 */
static void
call(uint16_t op, const struct drlb_ctl_req *req, int32_t *status,
    void **body, uint32_t *len)
{
	int fd;

	if ((fd = ctl_connect(sock_path())) < 0) {
		fprintf(stderr, "%s: cannot connect to drlbd at %s: %s\n"
		    "Is drlbd running (and is --socket or DRLB_SOCKET "
		    "right)?\n", prog, sock_path(), strerror(errno));
		exit(1);
	}
	if (ctl_call(fd, op, req, status, body, len) < 0) {
		fprintf(stderr, "%s: control request to drlbd at %s failed: "
		    "%s\n", prog, sock_path(), strerror(errno));
		close(fd);
		exit(1);
	}
	close(fd);
}

/* the daemon's error text (libipvs's when it sent none) */
static void
print_error(const char *prefix, uint16_t op, int32_t status, const void *body,
    uint32_t len)
{
	const char *msg = body != NULL && len > 0 && ((const char *)body)[0] ?
	    body : drlb_cmd_strerror(op, status);

	fprintf(stderr, "%s%s\n", prefix, msg);
}

/* a GET_* request whose failure ends the listing as ipvsadm's: exit 1 */
static void *
get(const char *prefix, uint16_t op, const struct drlb_ctl_req *req,
    uint32_t *len)
{
	int32_t status;
	void *body = NULL;

	call(op, req, &status, &body, len);
	if (status != 0) {
		print_error(prefix, op, status, body, *len);
		free(body);
		exit(1);
	}
	return body;
}

static void
get_table(const char *prefix, struct list_table *t)
{
	uint32_t len;
	void *body = get(prefix, DRLB_CTL_GET_SERVICES, NULL, &len);

	if (list_table_decode(t, body, len) < 0) {
		fprintf(stderr, "%s%s: bad GET_SERVICES reply from drlbd: %s\n",
		    prefix, prog, strerror(errno));
		free(body);
		exit(1);
	}
	free(body);
}

static void
get_info(const char *prefix, struct drlb_ctl_info *info)
{
	uint32_t len;
	void *body = get(prefix, DRLB_CTL_GET_INFO, NULL, &len);

	if (len < sizeof(*info)) {
		fprintf(stderr, "%s%s: bad GET_INFO reply from drlbd\n",
		    prefix, prog);
		free(body);
		exit(1);
	}
	memcpy(info, body, sizeof(*info));
	free(body);
}

static int
do_list(const char *prefix, const struct drlb_cmd *cmd)
{
	unsigned opts = cmd->options;
	bool json = (opts & DRLB_OPT_JSON) != 0;
	struct drlb_ctl_info info;
	struct list_table t;
	uint32_t len;
	void *body;

	if (opts & DRLB_OPT_CONNECTION) {
		body = get(prefix, DRLB_CTL_GET_CONNS, NULL, &len);
		if (len % sizeof(struct drlb_ctl_conn_entry) != 0) {
			fprintf(stderr, "%s%s: bad GET_CONNS reply from drlbd\n",
			    prefix, prog);
			free(body);
			return 1;
		}
		if (json)
			list_json_conns(stdout, body,
			    len / sizeof(struct drlb_ctl_conn_entry));
		else
			list_conns(stdout, body,
			    len / sizeof(struct drlb_ctl_conn_entry), opts);
		free(body);
	} else if (opts & DRLB_OPT_SERVICE) {
		struct list_svc *s;

		if (json)
			get_info(prefix, &info);
		get_table(prefix, &t);
		if ((s = list_table_find(&t, &cmd->req.svc)) == NULL) {
			fprintf(stderr, "%sNo such service\n", prefix);
			list_table_free(&t);
			return 1;
		}
		if (json)
			list_json_services(stdout, &info, s, 1, opts);
		else {
			list_one_service(stdout, s, opts);
			fflush(stdout);
			list_warn_unresolved(stderr, prog, s, 1);
		}
		list_table_free(&t);
	} else if (opts & DRLB_OPT_TIMEOUT) {
		struct drlb_timeouts to;

		body = get(prefix, DRLB_CTL_GET_TIMEOUT, NULL, &len);
		if (len < sizeof(to)) {
			fprintf(stderr, "%s%s: bad GET_TIMEOUT reply from "
			    "drlbd\n", prefix, prog);
			free(body);
			return 1;
		}
		memcpy(&to, body, sizeof(to));
		free(body);
		if (json)
			list_json_timeout(stdout, &to);
		else
			list_timeout(stdout, &to);
	} else if (opts & DRLB_OPT_DAEMON) {
		/* master then backup; ipvsadm prints nothing when none runs */
		struct drlb_ctl_daemon dm[2];

		body = get(prefix, DRLB_CTL_GET_DAEMON, NULL, &len);
		if (len != sizeof(dm)) {
			fprintf(stderr, "%s%s: bad GET_DAEMON reply from "
			    "drlbd\n", prefix, prog);
			free(body);
			return 1;
		}
		memcpy(dm, body, sizeof(dm));
		free(body);
		if (json)
			list_json_daemons(stdout, dm, 2);
		else
			list_daemon(stdout, dm, 2);
	} else {
		get_info(prefix, &info);
		get_table(prefix, &t);
		if (json)
			list_json_services(stdout, &info, t.svcs, t.n, opts);
		else {
			list_all(stdout, &info, &t, opts);
			fflush(stdout);
			list_warn_unresolved(stderr, prog, t.svcs, t.n);
		}
		list_table_free(&t);
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "%s v%s (ipvsadm v1.31 syntax, for drlbd)\n"
	    "Usage:\n"
	    "  %s [--socket PATH] ipvsadm-arguments\n"
	    "  %s -A|E virtual-service [-s scheduler] [-p [timeout]] "
	    "[-M netmask] [--pe persistence_engine] [-b sched-flags]\n"
	    "  %s -D virtual-service\n"
	    "  %s -C\n"
	    "  %s -R\n"
	    "  %s -S [-n]\n"
	    "  %s -a|e virtual-service -r server-address [options]\n"
	    "  %s -d virtual-service -r server-address\n"
	    "  %s -L|l [virtual-service] [options]\n"
	    "  %s -Z [virtual-service]\n"
	    "  %s --set tcp tcpfin udp\n"
	    "  %s -h\n\n",
	    prog, DRLBADM_VERSION, prog, prog, prog, prog, prog, prog, prog,
	    prog, prog, prog, prog, prog);
	fputs(
	    "Commands:\n"
	    "Either long or short options are allowed.\n"
	    "  --add-service     -A        add virtual service with options\n"
	    "  --edit-service    -E        edit virtual service with options\n"
	    "  --delete-service  -D        delete virtual service\n"
	    "  --clear           -C        clear the whole table\n"
	    "  --restore         -R        restore rules from stdin\n"
	    "  --save            -S        save rules to stdout\n"
	    "  --add-server      -a        add real server with options\n"
	    "  --edit-server     -e        edit real server with options\n"
	    "  --delete-server   -d        delete real server\n"
	    "  --list            -L|-l     list the table\n"
	    "  --zero            -Z        zero counters in a service or all services\n"
	    "  --set tcp tcpfin udp        set connection timeout values\n"
	    "  --start-daemon              start connection sync daemon\n"
	    "  --stop-daemon               stop connection sync daemon\n"
	    "  --help            -h        display this help message\n\n"
	    "virtual-service:\n"
	    "  --tcp-service|-t  service-address   service-address is host[:port]\n"
	    "  --udp-service|-u  service-address   service-address is host[:port]\n"
	    "  (--fwmark-service|-f is not available: drlb sees no netfilter marks)\n\n"
	    "Options:\n"
	    "  --scheduler    -s scheduler         scheduler name, the default scheduler is wlc.\n"
	    "  --pe            engine              alternate persistence engine, not set by default.\n"
	    "  --persistent   -p [timeout]         persistent service\n"
	    "  --netmask      -M netmask           persistent granularity mask\n"
	    "  --real-server  -r server-address    server-address is host (and port)\n"
	    "  --gatewaying   -g                   gatewaying (direct routing) (default, and the only method)\n"
	    "  --weight       -w weight            capacity of real server\n"
	    "  --u-threshold  -x uthreshold        upper threshold of connections\n"
	    "  --l-threshold  -y lthreshold        lower threshold of connections\n"
	    "  --connection   -c                   output of current connections\n"
	    "  --timeout                           output of timeout (tcp tcpfin udp)\n"
	    "  --stats                             output of statistics information\n"
	    "  --rate                              output of rate information\n"
	    "  --exact                             expand numbers (display exact values)\n"
	    "  --thresholds                        output of thresholds information\n"
	    "  --persistent-conn                   output of persistent connection info\n"
	    "  --nosort                            disable sorting output of service/server entries\n"
	    "  --sort                              does nothing, for backwards compatibility\n"
	    "  --ops          -o                   one-packet scheduling\n"
	    "  --numeric      -n                   numeric output of addresses and ports\n"
	    "  --sched-flags  -b flags             scheduler flags (comma-separated)\n"
	    "  --daemon                            output of daemon information\n"
	    "  --mcast-interface interface         multicast interface for connection sync\n"
	    "  --syncid sid                        syncid for connection sync (default=0)\n"
	    "  --sync-maxlen length                Max sync message length (default=1472)\n"
	    "  --mcast-group group                 IPv4 group (default=224.0.0.81)\n"
	    "  --mcast-port port                   UDP port (default=8848)\n"
	    "  --mcast-ttl ttl                     Multicast TTL (default=1)\n"
	    "  --json                              (drlb) a listing as one JSON document\n\n"
	    "Socket: --socket PATH, else $DRLB_SOCKET, else " DRLB_SOCKET_DEFAULT "\n"
	    "drlb: drlbadm [--socket PATH] --counters   drlbd's frame and drop counters\n"
	    "      drlbadm [--socket PATH] --counters --json   the same as JSON\n"
	    "      drlbadm [--socket PATH] --metrics    drlbd's metrics (Prometheus text)\n"
	    "      drlbadm [--socket PATH] --trace [-t|-u VIP[:PORT]] [--client ADDR]\n"
	    "                                           every decision drlbd makes, live\n"
	    "      drlbadm [--socket PATH] --arp on|off take the VIPs over at L2 (ARP,\n"
	    "                                           gratuitous ARP now) or let them go\n"
	    "      drlbadm [--socket PATH] --announce [--json]   the VIPs drlbd announces\n"
	    "                                           (drlbd --announce-table)\n"
	    "      drlbadm [--socket PATH] --drain on|off   withdraw every VIP (the flows\n"
	    "                                           that still come are forwarded)\n",
	    f);
}

static int run_restore(void);

/*
 * Carry out one parsed command.  prefix goes before error messages ("" on
 * the command line, "line N: " in -R).  Returns the exit status.
 */
static int
run(const char *prefix, const struct drlb_cmd *cmd, int in_restore)
{
	struct list_table t;
	uint16_t op;
	int32_t status;
	void *body = NULL;
	uint32_t len = 0;

	switch (cmd->op) {
	case DRLB_CMD_HELP:
		usage(stdout);
		return 0;
	case DRLB_CMD_VERSION:
		printf("%s v%s (ipvsadm v1.31 syntax, for drlbd)\n", prog,
		    DRLBADM_VERSION);
		return 0;
	case DRLB_CMD_LIST:
		return do_list(prefix, cmd);
	case DRLB_CMD_SAVE:
		get_table(prefix, &t);
		list_save(stdout, &t, cmd->options);
		list_table_free(&t);
		return 0;
	case DRLB_CMD_RESTORE:
		if (in_restore) {	/* ipvsadm: avoid an infinite loop */
			fprintf(stderr, "%sTry `%s -h' or '%s --help' for "
			    "more information.\n", prefix, prog, prog);
			return 255;
		}
		return run_restore();
	default:
		break;
	}

	if ((op = drlb_cmd_ctl_op(cmd->op)) == 0) {
		fprintf(stderr, "%s%s: nothing to do\n", prefix, prog);
		return 2;
	}
	call(op, &cmd->req, &status, &body, &len);
	if (status != 0) {
		/* ipvsadm: fprintf(stderr, "%s\n", ipvs_strerror(errno)),
		 * then main() returns -1 */
		print_error(prefix, op, status, body, len);
		free(body);
		return 255;
	}
	free(body);
	return 0;
}

/*
 * -R: ipvsadm reads stdin line by line (blank-separated words, "ipvsadm"
 * dropped) and runs each line as a command.  drlbadm parses every line
 * first and applies nothing when one is wrong, then runs them in order and
 * stops at the first the daemon refuses.
 */
static int
run_restore(void)
{
	struct cmdline {
		struct drlb_cmd cmd;
		unsigned lineno;
	} *cmds = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	char *line = NULL, err[512], prefix[32];
	unsigned lineno = 0;
	int rc = 0;

	while (getline(&line, &linecap, stdin) >= 0) {
		char *argv[RESTORE_MAX_ARGS];
		int argc;

		lineno++;
		argc = drlb_cmd_split(line, prog, argv, RESTORE_MAX_ARGS);
		if (argc == 1)
			continue;
		if (argc < 0) {
			fprintf(stderr, "line %u: too many words\n", lineno);
			rc = 2;
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct cmdline *c = realloc(cmds, ncap * sizeof(*c));

			if (c == NULL) {
				fprintf(stderr, "%s: %s\n", prog,
				    strerror(errno));
				rc = 1;
				goto out;
			}
			cmds = c;
			cap = ncap;
		}
		rc = drlb_cmd_parse(argc, argv, &cmds[n].cmd, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "line %u: %s\n", lineno, err);
			goto out;
		}
		if (cmds[n].cmd.op == DRLB_CMD_RESTORE) {
			fprintf(stderr, "line %u: Try `%s -h' or '%s --help' "
			    "for more information.\n", lineno, prog, prog);
			rc = 255;
			goto out;
		}
		cmds[n++].lineno = lineno;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "line %u: ", cmds[i].lineno);
		fflush(stdout);
		if ((rc = run(prefix, &cmds[i].cmd, 1)) != 0)
			goto out;
	}
out:
	free(line);
	free(cmds);
	return rc;
}

/* --counters / --metrics: a GET_* op whose reply is text, printed as is */
static int
print_text(uint16_t op)
{
	int32_t status;
	void *body;
	uint32_t len;

	call(op, NULL, &status, &body, &len);
	if (status != 0) {
		print_error("", op, status, body, len);
		free(body);
		return 1;
	}
	fwrite(body, 1, len, stdout);
	free(body);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* "a.b.c.d[:port]" or "[v6][:port]" or a bare v6 address */
static int
parse_addrport(const char *arg, uint16_t *af, union drlb_inaddr *a,
    uint16_t *port)
{
	char buf[128], *p = buf, *colon = NULL, *end;
	unsigned long v;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	memset(a, 0, sizeof(*a));
	*port = 0;
	if (*p == '[') {
		char *rb = strchr(p, ']');
		if (rb == NULL)
			return -1;
		*rb = '\0';
		p++;
		if (rb[1] == ':')
			colon = rb + 1;
		else if (rb[1] != '\0')
			return -1;
		*af = AF_INET6;
		if (inet_pton(AF_INET6, p, &a->in6) != 1)
			return -1;
	} else if (inet_pton(AF_INET6, p, &a->in6) == 1) {
		*af = AF_INET6;
	} else {
		if ((colon = strchr(p, ':')) != NULL)
			*colon = '\0';
		*af = AF_INET;
		if (inet_pton(AF_INET, p, &a->in) != 1)
			return -1;
		if (colon != NULL)
			*colon = ':';
	}
	if (colon != NULL) {
		v = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || v > 65535 || colon[1] == '\0')
			return -1;
		*port = (uint16_t)v;
	}
	return 0;
}

/*
 * --trace [-t|-u VIP[:PORT]] [--client ADDR]: the daemon's decisions, one
 * line per event, until Ctrl-C.
 */
static int
run_trace(int argc, char **argv)
{
	struct drlb_ctl_req req;
	struct drlb_ctl_hdr h;
	void *body = NULL;
	char buf[4096];
	int fd;

	memset(&req, 0, sizeof(req));
	for (int i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-u") == 0) &&
		    i + 1 < argc) {
			req.svc.protocol = argv[i][1] == 't' ? IPPROTO_TCP :
			    IPPROTO_UDP;
			if (parse_addrport(argv[++i], &req.svc.af,
			    &req.svc.addr, &req.svc.port) < 0)
				goto usage;
		} else if (strcmp(argv[i], "--client") == 0 && i + 1 < argc) {
			uint16_t port;

			if (parse_addrport(argv[++i], &req.dest.af,
			    &req.dest.addr, &port) < 0 || port != 0)
				goto usage;
		} else
			goto usage;
	}
	if ((fd = ctl_connect(sock_path())) < 0) {
		fprintf(stderr, "%s: cannot connect to drlbd at %s: %s\n",
		    prog, sock_path(), strerror(errno));
		return 1;
	}
	if (ctl_send(fd, DRLB_CTL_TRACE, 0, &req, sizeof(req)) < 0 ||
	    ctl_recv(fd, &h, &body, DRLB_CTL_ERRMSG_MAX) < 0) {
		fprintf(stderr, "%s: trace request failed: %s\n", prog,
		    strerror(errno));
		return 1;
	}
	if (h.status != 0) {
		fprintf(stderr, "%s\n", body ? (char *)body : strerror(h.status));
		free(body);
		return 1;
	}
	free(body);
	/* the stream: copy it through until drlbd or we go away */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
		fflush(stdout);
	}
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: %s [--socket PATH] --trace [-t|-u VIP[:PORT]] "
	    "[--client ADDR]\n", prog);
	return 2;
}

/*
 * --arp on|off: drlbd takes the VIPs over at L2 (answers ARP for them and
 * announces them by gratuitous ARP now) or lets them go -- what a VRRP
 * notify script (tools/drlb-vrrp-notify) asks on MASTER and BACKUP.
 */
static int
run_arp(int argc, char **argv)
{
	struct drlb_ctl_req req;
	struct drlb_ctl_arp a = { 0 };
	int32_t status;
	void *body;
	uint32_t len;

	if (argc != 3 || (strcmp(argv[2], "on") != 0 &&
	    strcmp(argv[2], "off") != 0)) {
		fprintf(stderr, "usage: %s --arp on|off\n", prog);
		return 2;
	}
	a.on = strcmp(argv[2], "on") == 0;
	memset(&req, 0, sizeof(req));
	memcpy(&req, &a, sizeof(a));
	call(DRLB_CTL_SET_ARP, &req, &status, &body, &len);
	if (status != 0) {
		print_error("", DRLB_CTL_SET_ARP, status, body, len);
		free(body);
		return 255;
	}
	free(body);
	return 0;
}

/*
 * --announce [--json]: the VIPs drlbd announces to a routing daemon;
 * --drain on|off: withdraw them all (a director leaving) or not.
 */
static int
run_announce(int argc, char **argv)
{
	struct drlb_ctl_req req;
	struct drlb_ctl_drain dr = { 0 };
	int32_t status;
	void *body;
	uint32_t len;
	int drain = strcmp(argv[1], "--drain") == 0;

	if (drain ? argc != 3 || (strcmp(argv[2], "on") != 0 &&
	    strcmp(argv[2], "off") != 0) : argc > 3 || (argc == 3 &&
	    strcmp(argv[2], "--json") != 0)) {
		fprintf(stderr, "usage: %s %s\n", prog, drain ?
		    "--drain on|off" : "--announce [--json]");
		return 2;
	}
	memset(&req, 0, sizeof(req));
	dr.on = drain && strcmp(argv[2], "on") == 0;
	memcpy(&req, &dr, sizeof(dr));
	call(drain ? DRLB_CTL_SET_DRAIN : DRLB_CTL_GET_ANNOUNCE, &req, &status,
	    &body, &len);
	if (status != 0) {
		print_error("", drain ? DRLB_CTL_SET_DRAIN :
		    DRLB_CTL_GET_ANNOUNCE, status, body, len);
		free(body);
		return drain ? 255 : 1;
	}
	if (!drain && list_announce(stdout, body, len, argc == 3) < 0) {
		fprintf(stderr, "%s: bad GET_ANNOUNCE reply from drlbd\n",
		    prog);
		free(body);
		return 1;
	}
	free(body);
	return 0;
}

int
main(int argc, char **argv)
{
	struct drlb_cmd cmd;
	char err[512];
	int rc;

	if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0')
		prog = argv[0];

	/* drlbadm's own option comes first; the rest is ipvsadm's */
	if (argc > 1 && strncmp(argv[1], "--socket=", 9) == 0) {
		sock_opt = argv[1] + 9;
		argv[1] = argv[0];
		argv++;
		argc--;
	} else if (argc > 1 && strcmp(argv[1], "--socket") == 0) {
		if (argc < 3) {
			fprintf(stderr, "%s: --socket needs a path\n", prog);
			return 2;
		}
		sock_opt = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}

	/* drlb's own additions: the daemon's frame and drop counters, and
	 * its metrics in Prometheus' text format */
	if (argc == 2 && strcmp(argv[1], "--counters") == 0)
		return print_text(DRLB_CTL_GET_COUNTERS);
	if (argc == 3 && strcmp(argv[1], "--counters") == 0 &&
	    strcmp(argv[2], "--json") == 0)
		return print_text(DRLB_CTL_GET_COUNTERS_JSON);
	if (argc == 2 && strcmp(argv[1], "--metrics") == 0)
		return print_text(DRLB_CTL_GET_METRICS);
	if (argc >= 2 && strcmp(argv[1], "--trace") == 0)
		return run_trace(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--arp") == 0)
		return run_arp(argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "--announce") == 0 ||
	    strcmp(argv[1], "--drain") == 0))
		return run_announce(argc, argv);

	/* ipvsadm without arguments lists the table */
	if (argc <= 1) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.op = DRLB_CMD_LIST;
		rc = run("", &cmd, 0);
	} else if ((rc = drlb_cmd_parse(argc, argv, &cmd, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "%s\n", err);
	} else {
		rc = run("", &cmd, 0);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		return 1;
	}
	return rc;
}
