/*
 * src/common/cmd.c: ipvsadm 1.31's command line.  Every recipe command, the
 * defaults ipvsadm fills in, and its error messages and exit statuses
 * (fail() = 2; popt errors and the "Try `ipvsadm -h'" hint = 255).
 *
 * Each check is named "[command line] what" (expect.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/cmd.h"
#include "expect.h"

static const char *cur_line;
static char err[512];
static struct drlb_cmd cmd;

/* Each check is named "[the command line] what". */
static const char *
named(const char *what)
{
	static char name[1200];

	snprintf(name, sizeof(name), "[%s] %s", cur_line, what);
	return name;
}

/* parse one ipvsadm command line given as a string (split as -R does) */
static int
parse(const char *line)
{
	static char buf[1024];
	char *argv[64];
	int argc;

	cur_line = line;
	snprintf(buf, sizeof(buf), "%s", line);
	argc = drlb_cmd_split(buf, "ipvsadm", argv, 64);
	memset(&cmd, 0xa5, sizeof(cmd));	/* parse must set everything */
	strcpy(err, "(untouched)");
	return drlb_cmd_parse(argc, argv, &cmd, err, sizeof(err));
}

static void
expect_ok(const char *line, enum drlb_cmd_op op)
{
	int rc = parse(line);

	EXPECT_EQ(rc, 0, named("parses"));
	if (rc != 0)
		printf("#   message: %s\n", err);
	EXPECT_EQ(cmd.op, op, named("command"));
}

static void
expect_err(const char *line, int status, const char *msg)
{
	int rc = parse(line);

	EXPECT_EQ(rc, status, named("exit status"));
	EXPECT_STR(err, msg, named("message"));
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

/* ---------------------------------------------------------------- recipe */

static void
test_recipe(void)
{
	expect_ok("-C", DRLB_CMD_FLUSH);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_FLUSH, named("ctl op"));

	expect_ok("-A -t 198.18.0.1:80 -s wlc", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_ADD_SVC, named("ctl op"));
	EXPECT_EQ(cmd.req.svc.af, AF_INET, named("af"));
	EXPECT_EQ(cmd.req.svc.protocol, IPPROTO_TCP, named("protocol"));
	EXPECT_EQ(cmd.req.svc.addr.in.s_addr, ip4("198.18.0.1"),
	    named("VIP, network order"));
	EXPECT_EQ(cmd.req.svc.port, 80, named("port, host order"));
	EXPECT_STR(cmd.req.svc.sched_name, "wlc", named("scheduler"));
	EXPECT_EQ(cmd.req.svc.flags, 0, named("no flags"));
	EXPECT_EQ(cmd.req.svc.netmask, 0xffffffffu,
	    named("netmask default /32"));
	EXPECT_EQ(cmd.req.svc.fwmark, 0, named("no fwmark"));
	EXPECT_STR(cmd.req.svc.pe_name, "", named("no pe"));
	EXPECT_EQ(cmd.options & DRLB_OPT_SERVICE,
	    DRLB_OPT_SERVICE, named("service option bit"));

	expect_ok("-a -t 198.18.0.1:80 -r 198.18.0.7 -g -w 2",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_ADD_DEST, named("ctl op"));
	EXPECT_EQ(cmd.req.svc.addr.in.s_addr, ip4("198.18.0.1"),
	    named("service addr"));
	EXPECT_EQ(cmd.req.svc.port, 80, named("service port"));
	EXPECT_EQ(cmd.req.dest.af, AF_INET, named("dest af"));
	EXPECT_EQ(cmd.req.dest.addr.in.s_addr, ip4("198.18.0.7"), named("RIP"));
	EXPECT_EQ(cmd.req.dest.port, 80, named("RIP port = VIP port"));
	EXPECT_EQ(cmd.req.dest.conn_flags, DRLB_FWD_DROUTE, named("DR"));
	EXPECT_EQ(cmd.req.dest.weight, 2, named("weight"));
	EXPECT_EQ(cmd.req.dest.u_threshold, 0, named("no u-threshold"));
	EXPECT_EQ(cmd.req.dest.l_threshold, 0, named("no l-threshold"));

	expect_ok("-a -t 198.18.0.1:80 -r 198.18.0.8 -g -w 2",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.addr.in.s_addr, ip4("198.18.0.8"), named("RIP"));

	expect_ok("-L -n", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_NUMERIC, named("options"));
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), 0, named("no ctl op for a listing"));

	expect_ok("-L -n --stats", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_NUMERIC | DRLB_OPT_STATS,
	    named("options"));

	expect_ok("-E -t 198.18.0.1:80 -s wrr", DRLB_CMD_EDIT_SVC);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_EDIT_SVC, named("ctl op"));
	EXPECT_STR(cmd.req.svc.sched_name, "wrr", named("scheduler"));

	expect_ok("-e -t 198.18.0.1:80 -r 198.18.0.7 -g -w 3",
	    DRLB_CMD_EDIT_DEST);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_EDIT_DEST, named("ctl op"));
	EXPECT_EQ(cmd.req.dest.weight, 3, named("weight"));

	expect_ok("-S -n", DRLB_CMD_SAVE);
	EXPECT_EQ(cmd.options, DRLB_OPT_NUMERIC, named("options"));
	expect_ok("-R", DRLB_CMD_RESTORE);

	/* what -S -n wrote, read back by -R */
	expect_ok("-A -t 198.18.0.1:80 -s wrr", DRLB_CMD_ADD_SVC);
	expect_ok("-a -t 198.18.0.1:80 -r 198.18.0.7:80 -g -w 3",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.port, 80, named("RIP port"));
	EXPECT_EQ(cmd.req.dest.weight, 3, named("weight"));
	expect_ok("ipvsadm -A -t 198.18.0.1:80 -s wrr", DRLB_CMD_ADD_SVC);
}

/* ---------------------------------------------------------------- more */

static void
test_commands(void)
{
	expect_ok("-A -t 198.18.0.1:80", DRLB_CMD_ADD_SVC);
	EXPECT_STR(cmd.req.svc.sched_name, "wlc", named("default scheduler"));

	expect_ok("-A -u 198.18.0.1:53 -s rr -o", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.protocol, IPPROTO_UDP, named("UDP"));
	EXPECT_EQ(cmd.req.svc.port, 53, named("port"));
	EXPECT_EQ(cmd.req.svc.flags, DRLB_SVC_F_ONEPACKET, named("one-packet"));

	expect_ok("-a -u 198.18.0.1:53 -r 198.18.0.9", DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.svc.protocol, IPPROTO_UDP, named("UDP"));
	EXPECT_EQ(cmd.req.dest.weight, 1, named("default weight 1"));
	EXPECT_EQ(cmd.req.dest.conn_flags, DRLB_FWD_DROUTE,
	    named("default DR"));
	EXPECT_EQ(cmd.req.dest.port, 53, named("RIP port = VIP port"));

	expect_ok("-a -t 198.18.0.1:80 -r 198.18.0.7:8080 -w 0",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.port, 80, named("DR forces the VIP port"));
	EXPECT_EQ(cmd.req.dest.weight, 0, named("weight 0"));

	expect_ok("-a -t 198.18.0.1:80 -r 198.18.0.7 -w 65535 -x 100 -y 50",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.weight, 65535, named("weight 65535"));
	EXPECT_EQ(cmd.req.dest.u_threshold, 100, named("u-threshold"));
	EXPECT_EQ(cmd.req.dest.l_threshold, 50, named("l-threshold"));

	expect_ok("-A -t 198.18.0.1:0 -p", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.port, 0, named("port 0"));
	EXPECT_EQ(cmd.req.svc.flags, DRLB_SVC_F_PERSISTENT,
	    named("persistent"));
	EXPECT_EQ(cmd.req.svc.timeout,
	    360, named("-p default is 360 (not the man page's 300)"));

	expect_ok("-A -t 198.18.0.1:80 -p 600 -M 255.255.255.0",
	    DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.timeout, 600, named("timeout"));
	EXPECT_EQ(cmd.req.svc.netmask, ip4("255.255.255.0"), named("netmask"));

	expect_ok("-A -t 198.18.0.1:80 -p -s rr", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.timeout, 360, named("-p does not eat an option"));
	EXPECT_STR(cmd.req.svc.sched_name, "rr", named("scheduler after -p"));

	expect_ok("-A -t 198.18.0.1:80 -p600", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.timeout, 600, named("-p600 attached"));

	expect_ok("--add-service --tcp-service=198.18.0.1:80 --scheduler rr "
	    "--persistent 60", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.port, 80, named("long: port"));
	EXPECT_STR(cmd.req.svc.sched_name, "rr", named("long: scheduler"));
	EXPECT_EQ(cmd.req.svc.timeout, 60, named("long: timeout"));

	expect_ok("-At 198.18.0.1:80 -srr", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.port, 80, named("bundled -At"));
	EXPECT_STR(cmd.req.svc.sched_name, "rr", named("attached -srr"));

	expect_ok("-A -t 198.18.0.1:80 -s sh -b sh-fallback,sh-port",
	    DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.flags, DRLB_SVC_F_SCHED1 | DRLB_SVC_F_SCHED2,
	    named("sched flags"));
	expect_ok("-A -t 198.18.0.1:80 -s mh -b mh-port", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.flags, DRLB_SVC_F_SCHED2, named("mh-port"));
	expect_ok("-A -t 198.18.0.1:80 -b flag-3", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.flags, DRLB_SVC_F_SCHED3, named("flag-3"));

	expect_ok("-A -t 198.18.0.1:80 -s abcdefghijklmnopqrstuvwxyz",
	    DRLB_CMD_ADD_SVC);
	EXPECT_STR(cmd.req.svc.sched_name, "abcdefghijklmno",
	    named("scheduler cut to 15 (IP_VS_SCHEDNAME_MAXLEN - 1)"));

	expect_ok("-A -t [2001:db8::1]:80", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.af, AF_INET6, named("v6 af"));
	EXPECT_EQ(cmd.req.svc.port, 80, named("v6 port"));
	EXPECT_EQ(cmd.req.svc.netmask, 128, named("v6 netmask 128"));
	{
		struct in6_addr a;

		inet_pton(AF_INET6, "2001:db8::1", &a);
		EXPECT_EQ(memcmp(&a, &cmd.req.svc.addr.in6,
		    16), 0, named("v6 addr"));
	}
	expect_ok("-a -t [2001:db8::1]:80 -r 2001:db8::7", DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.af, AF_INET6, named("v6 dest af"));
	EXPECT_EQ(cmd.req.dest.port, 80, named("v6 dest port"));

	expect_ok("-D -t 198.18.0.1:80", DRLB_CMD_DEL_SVC);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_DEL_SVC, named("ctl op"));
	expect_ok("-d -t 198.18.0.1:80 -r 198.18.0.7", DRLB_CMD_DEL_DEST);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_DEL_DEST, named("ctl op"));
	EXPECT_EQ(cmd.req.dest.port, 80, named("RIP port"));

	expect_ok("-Z", DRLB_CMD_ZERO);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_ZERO, named("ctl op"));
	EXPECT_EQ(cmd.req.svc.af, 0, named("all services: af 0"));
	expect_ok("-Z -t 198.18.0.1:80", DRLB_CMD_ZERO);
	EXPECT_EQ(cmd.req.svc.af, AF_INET, named("one service"));

	expect_ok("--set 900 120 300", DRLB_CMD_SET_TIMEOUT);
	EXPECT_EQ(drlb_cmd_ctl_op(cmd.op), DRLB_CTL_SET_TIMEOUT,
	    named("ctl op"));
	EXPECT_EQ(cmd.req.timeouts.tcp, 900, named("tcp"));
	EXPECT_EQ(cmd.req.timeouts.tcp_fin, 120, named("tcpfin"));
	EXPECT_EQ(cmd.req.timeouts.udp, 300, named("udp"));
	expect_ok("--set 0 0 60", DRLB_CMD_SET_TIMEOUT);
	EXPECT_EQ(cmd.req.timeouts.tcp, 0, named("0 = leave as is"));

	expect_ok("-L --timeout", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_TIMEOUT, named("options"));
	expect_ok("-l -c -n", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_CONNECTION | DRLB_OPT_NUMERIC,
	    named("options"));
	expect_ok("-Ln", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_NUMERIC, named("bundled -Ln"));
	expect_ok("-L -n -t 198.18.0.1:80", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_NUMERIC | DRLB_OPT_SERVICE,
	    named("options"));
	EXPECT_EQ(cmd.req.svc.port, 80, named("service port"));
	expect_ok("-L --rate --exact --sort --nosort", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_RATE | DRLB_OPT_EXACT |
	    DRLB_OPT_SORT | DRLB_OPT_NOSORT, named("options"));
	expect_ok("-L --thresholds", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_THRESHOLDS, named("options"));
	expect_ok("-L -c --persistent-conn", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_CONNECTION | DRLB_OPT_PERSISTENTCONN,
	    named("options"));
	expect_ok("-L --daemon", DRLB_CMD_LIST);
	expect_ok("-L --tun-info", DRLB_CMD_LIST);

	/* --json (drlb): with every listing form */
	expect_ok("-L --json", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_JSON, named("options"));
	expect_ok("-l -n --stats --json", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options,
	    DRLB_OPT_NUMERIC | DRLB_OPT_STATS | DRLB_OPT_JSON,
	    named("options"));
	expect_ok("-L --rate --json", DRLB_CMD_LIST);
	expect_ok("-L --thresholds --json", DRLB_CMD_LIST);
	expect_ok("-L --persistent-conn --json", DRLB_CMD_LIST);
	expect_ok("-L -c --json", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_CONNECTION | DRLB_OPT_JSON,
	    named("options"));
	expect_ok("-L --timeout --json", DRLB_CMD_LIST);
	expect_ok("-L --json -t 198.18.0.1:80", DRLB_CMD_LIST);
	EXPECT_EQ(cmd.options, DRLB_OPT_JSON | DRLB_OPT_SERVICE,
	    named("options"));

	/* `ipvsadm -S` without -n: names, service names, "[v6name]:port" */
	expect_ok("-A -t localhost:http -s wlc", DRLB_CMD_ADD_SVC);
	EXPECT_EQ(cmd.req.svc.addr.in.s_addr, ip4("127.0.0.1"),
	    named("localhost"));
	EXPECT_EQ(cmd.req.svc.port, 80, named("http"));
	expect_ok("-a -u 198.18.0.1:domain -r localhost:domain -g -w 1",
	    DRLB_CMD_ADD_DEST);
	EXPECT_EQ(cmd.req.dest.addr.in.s_addr, ip4("127.0.0.1"),
	    named("real by name"));
	EXPECT_EQ(cmd.req.dest.port, 53, named("domain/udp"));
	{
		struct addrinfo hints = { .ai_family = AF_INET6 }, *res;
		const char *v6name = NULL;
		static const char *const cands[] = { "ip6-localhost",
		    "localhost", "ip6-loopback" };

		for (size_t i = 0; v6name == NULL && i < 3; i++)
			if (getaddrinfo(cands[i], NULL, &hints, &res) == 0) {
				v6name = cands[i];
				freeaddrinfo(res);
			}
		if (v6name != NULL) {
			char line[128];

			snprintf(line, sizeof(line), "-A -t [%s]:http -s wlc",
			    v6name);
			expect_ok(line, DRLB_CMD_ADD_SVC);
			EXPECT_EQ(cmd.req.svc.af, AF_INET6,
			    named("[v6name]: IPv6"));
			EXPECT_EQ(cmd.req.svc.port, 80,
			    named("[v6name]: port kept"));
		} else {
			printf("ok - [-A -t [v6name]:http] # SKIP no IPv6 "
			    "name resolves here\n");
		}
	}

	expect_ok("-h", DRLB_CMD_HELP);
	expect_ok("-h --bogus stuff", DRLB_CMD_HELP);
	expect_ok("--help", DRLB_CMD_HELP);
	expect_ok("-v", DRLB_CMD_VERSION);

	/* port by service name, as ipvsadm (getservbyname) */
	if (getservbyname("http", "tcp") != NULL) {
		expect_ok("-A -t 198.18.0.1:http", DRLB_CMD_ADD_SVC);
		EXPECT_EQ(cmd.req.svc.port, 80, named("port by name"));
	}
}

/* ---------------------------------------------------------------- errors */

static void
test_errors(void)
{
	expect_err("-A -t 198.18.0.1 -s wlc", 2,
	    "Zero port specified for non-persistent service");
	expect_err("-E -t 198.18.0.1:0", 2,
	    "Zero port specified for non-persistent service");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -w 65536", 2,
	    "illegal weight specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -w -1", 2,
	    "illegal weight specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -w 2x", 2,
	    "illegal weight specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -x -1", 2,
	    "illegal u_threshold specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -y x", 2,
	    "illegal l_threshold specified");
	expect_err("-A -t 198.18.0.1:99999", 2,
	    "illegal virtual server address[:port] specified");
	expect_err("-A -t 80", 2,
	    "illegal virtual server address[:port] specified");
	expect_err("-A -t [2001:db8::1]80", 2,
	    "illegal virtual server address[:port] specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7:99999", 2,
	    "illegal real server address[:port] specified");

	/* a second command is an invalid option in 1.31 (popt) */
	expect_err("-A -t 198.18.0.1:80 -E", 2, "invalid option `-E'");
	expect_err("-L -h", 2, "invalid option `-h'");
	/* the first option must be the command */
	expect_err("-t 198.18.0.1:80 -A", 255,
	    "Try `ipvsadm -h' or 'ipvsadm --help' for more information.");
	expect_err("foo", 255,
	    "Try `ipvsadm -h' or 'ipvsadm --help' for more information.");
	expect_err("--bogus", 255,
	    "Try `ipvsadm -h' or 'ipvsadm --help' for more information.");
	/* popt errors after the command */
	expect_err("-L --foo", 255, "--foo: unknown option");
	expect_err("-L -n -q", 255, "-q: unknown option");
	expect_err("-A -t", 255, "-t: missing argument");
	expect_err("-L --stats=1", 255,
	    "--stats=1: option does not take an argument");

	/* drlb's refusals */
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -m", 2,
	    "drlb forwards by direct routing only (-g)");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -i", 2,
	    "drlb forwards by direct routing only (-g)");
	expect_err("-A -f 1", 2, "fwmark services (-f) are not supported: "
	    "drlb sees no netfilter marks in userspace; use -t or -u");
	expect_err("-A -f 0", 2, "invalid fwmark value `0' specified");
	/* the sync daemon: ipvsadm's options into a struct drlb_ctl_daemon
	 * carried in the request body */
	expect_ok("--start-daemon master --mcast-interface eth0 --syncid 7 "
	    "--sync-maxlen 1000 --mcast-group 224.0.0.99 --mcast-port 9000 "
	    "--mcast-ttl 2", DRLB_CMD_START_DAEMON);
	{
		struct drlb_ctl_daemon dm;

		memcpy(&dm, &cmd.req, sizeof(dm));
		EXPECT_EQ(dm.state, DRLB_DAEMON_MASTER,
		    named("start-daemon: master"));
		EXPECT_STR(dm.mcast_ifn, "eth0",
		    named("start-daemon: interface"));
		EXPECT_EQ(dm.syncid, 7, named("start-daemon: syncid"));
		EXPECT_EQ(dm.sync_maxlen, 1000, named("start-daemon: maxlen"));
		EXPECT_EQ(dm.mcast_af, AF_INET,
		    named("start-daemon: group af"));
		EXPECT_EQ(dm.mcast_group.in.s_addr, ip4("224.0.0.99"),
		    named("start-daemon: group"));
		EXPECT_EQ(dm.mcast_port, 9000, named("start-daemon: port"));
		EXPECT_EQ(dm.mcast_ttl, 2, named("start-daemon: ttl"));
		EXPECT_EQ(drlb_cmd_ctl_op(cmd.op),
		    DRLB_CTL_START_DAEMON, named("start-daemon: control op"));
	}
	expect_ok("--stop-daemon backup", DRLB_CMD_STOP_DAEMON);
	EXPECT_EQ(cmd.req.svc.af, DRLB_DAEMON_BACKUP,
	    named("stop-daemon: backup"));
	expect_err("--start-daemon master --mcast-interface eth0 -n", 2,
	    "Illegal 'numeric' option with the 'start-daemon' command");
	expect_err("--start-daemon master --syncid 256", 2,
	    "illegal syncid specified");
	expect_err("--start-daemon boss", 2,
	    "illegal start-daemon parameter specified");

	/* commands_v_options */
	expect_err("-A -t 198.18.0.1:80 -w 2", 2,
	    "Illegal 'weight' option with the 'add-service' command");
	expect_err("-A -s wlc", 2, "You need to supply the 'service-address' "
	    "option for the 'add-service' command");
	expect_err("-a -t 198.18.0.1:80", 2, "You need to supply the "
	    "'real-server' option for the 'add-server' command");
	expect_err("-a -r 198.18.0.7", 2, "You need to supply the "
	    "'service-address' option for the 'add-server' command");
	expect_err("-d -t 198.18.0.1:80 -r 198.18.0.7 -w 1", 2,
	    "Illegal 'weight' option with the 'delete-server' command");
	expect_err("-C -n", 2,
	    "Illegal 'numeric' option with the 'flush' command");
	expect_err("-D -t 198.18.0.1:80 -s rr", 2,
	    "Illegal 'scheduler' option with the 'delete-service' command");
	expect_err("-S -c", 2,
	    "Illegal 'connection' option with the 'save' command");
	expect_err("-L -c -t 198.18.0.1:80", 2, "The option 'service-address' "
	    "conflicts with the 'connection' option in the 'list' command");
	expect_err("-L --timeout -c", 2, "The option 'timeout' conflicts "
	    "with the 'connection' option in the 'list' command");
	expect_err("-L -c --stats", 2, "options conflicts in the list command");
	expect_err("-L --timeout --persistent-conn", 2,
	    "options conflicts in the list command");
	expect_err("-L -o", 2, "Illegal 'ops' option with the 'list' command");
	expect_err("-A -t 198.18.0.1:80 -u 198.18.0.1:53", 2,
	    "multiple 'service-address' options specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -g -g", 2,
	    "multiple 'forwarding-method' options specified");
	expect_err("-A -t 198.18.0.1:80 -s wlc -s rr", 2,
	    "multiple 'scheduler' options specified");

	expect_err("--set 1 2", 2, "--set option requires 3 timeout values");
	expect_err("--set 1 2 x", 2, "invalid timeout value `x' specified");
	expect_err("--set 1 2 3 4", 2, "unexpected argument 4");
	expect_err("-A -t 198.18.0.1:80 -p 0", 2,
	    "invalid timeout value `0' specified");
	expect_err("-A -t 198.18.0.1:80 -p 2678401", 2,
	    "invalid timeout value `2678401' specified");
	expect_err("-A -t 198.18.0.1:80 extra", 2, "unexpected argument extra");
	expect_err("-A -t 198.18.0.1:80 -o", 2,
	    "One-Packet Scheduling is only for UDP virtual services");
	expect_err("-A -t 198.18.0.1:80 -b sh-port", 2,
	    "incompatible scheduler flag `sh-port'");
	expect_err("-A -t 198.18.0.1:80 -s sh -b mh-port", 2,
	    "incompatible scheduler flag `mh-port'");
	expect_err("-A -t 198.18.0.1:80 -b bogus", 2,
	    "invalid scheduler flag `bogus'");
	expect_err("-A -t [2001:db8::1]:80 -M 129", 2,
	    "illegal ipv6 netmask specified");
	/* as ipvsadm: brackets need a ":port" after them */
	expect_err("-a -t [2001:db8::1]:80 -r [2001:db8::7]", 2,
	    "illegal real server address[:port] specified");
	expect_err("-a -t 198.18.0.1:80 -r 2001:db8::7", 2,
	    "Different address family is allowed only for tunneling servers");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 --tun-type gue", 2,
	    "Tunnel options conflict with forward method");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 --tun-type foo", 2,
	    "illegal tunnel type specified");
	expect_err("-L -6", 2, "-6 used before -f\n");

	/* the rest of commands_v_options, one refusal per row */
	expect_err("-A -t 198.18.0.1:80 -x 5", 2,
	    "Illegal 'u-threshold' option with the 'add-service' command");
	expect_err("-E -t 198.18.0.1:80 -r 198.18.0.7", 2,
	    "Illegal 'real-server' option with the 'edit-service' command");
	expect_err("-e -t 198.18.0.1:80 -r 198.18.0.7 -s rr", 2,
	    "Illegal 'scheduler' option with the 'edit-server' command");
	expect_err("-e -t 198.18.0.1:80 -r 198.18.0.7 -p", 2,
	    "Illegal 'persistent' option with the 'edit-server' command");
	expect_err("-d -t 198.18.0.1:80 -r 198.18.0.7 -y 1", 2,
	    "Illegal 'l-threshold' option with the 'delete-server' command");
	expect_err("-Z -n", 2, "Illegal 'numeric' option with the 'zero' command");
	expect_err("-R -n", 2,
	    "Illegal 'numeric' option with the 'restore' command");
	expect_err("--set 1 2 3 -n", 2,
	    "Illegal 'numeric' option with the 'set' command");
	expect_err("-S -t 198.18.0.1:80", 2,
	    "Illegal 'service-address' option with the 'save' command");
	expect_err("-L -s rr", 2,
	    "Illegal 'scheduler' option with the 'list' command");
	expect_err("-L -M 255.255.255.0", 2,
	    "Illegal 'netmask' option with the 'list' command");
	expect_err("-L -w 1", 2, "Illegal 'weight' option with the 'list' command");
	expect_err("-L -b sh-port -s sh", 2,
	    "Illegal 'scheduler' option with the 'list' command");
	expect_err("-L -g", 2,
	    "Illegal 'forwarding-method' option with the 'list' command");
	expect_err("-L --daemon --timeout", 2, "The option 'daemon' conflicts "
	    "with the 'timeout' option in the 'list' command");
	expect_err("-L --timeout --rate", 2,
	    "options conflicts in the list command");
	expect_err("-L --daemon --thresholds", 2,
	    "options conflicts in the list command");
	expect_err("-L --exact --exact", 2,
	    "multiple 'exact' options specified");
	expect_err("-a -t 198.18.0.1:80 -r 198.18.0.7 -w 1 -w 2", 2,
	    "multiple 'weight' options specified");
	expect_err("-A -t 198.18.0.1:80 -p 10 -p 20", 2,
	    "multiple 'persistent' options specified");
	expect_err("-A -t 198.18.0.1:80 -p -M 255.255.255.0 -M 255.0.0.0", 2,
	    "multiple 'netmask' options specified");
	expect_err("-A -t 198.18.0.1:80 -p -M nosuchmask.invalid", 2,
	    "illegal virtual server persistent mask specified");
	expect_err("-A -t 198.18.0.1:80 --pe", 255, "--pe: missing argument");
	expect_err("-L --nosort --nosort", 2,
	    "multiple 'nosort' options specified");

	/* --json is drlb's and for listings only; ipvsadm's columns first */
	expect_err("-A -t 198.18.0.1:80 --json", 2,
	    "Illegal 'json' option with the 'add-service' command");
	expect_err("-S --json", 2, "Illegal 'json' option with the 'save' command");
	expect_err("-Z --json", 2, "Illegal 'json' option with the 'zero' command");
	expect_err("-L --json --json", 2, "multiple 'json' options specified");
	expect_err("-A -t 198.18.0.1:80 -w 1 --json", 2,
	    "Illegal 'weight' option with the 'add-service' command");
	expect_err("-L --json=1", 255,
	    "--json=1: option does not take an argument");
}

/* ---------------------------------------------------------------- helpers */

static void
test_split(void)
{
	char line[256], *argv[8];
	int argc;

	cur_line = "split";
	snprintf(line, sizeof(line), "  ipvsadm -A\t-t 198.18.0.1:80 -s wlc \r\n");
	argc = drlb_cmd_split(line, "prog", argv, 8);
	EXPECT_EQ(argc, 6, named("argc (ipvsadm dropped)"));
	EXPECT_STR(argv[0], "prog", named("argv[0]"));
	EXPECT_STR(argv[1], "-A", named("argv[1]"));
	EXPECT_STR(argv[3], "198.18.0.1:80", named("argv[3]"));
	EXPECT_STR(argv[5], "wlc", named("argv[5]"));
	EXPECT(argv[6] == NULL, named("argv[argc] is NULL"));

	snprintf(line, sizeof(line), "   \n");
	EXPECT_EQ(drlb_cmd_split(line, "p", argv, 8), 1, named("blank line"));
	snprintf(line, sizeof(line), "# -C\n");
	EXPECT_EQ(drlb_cmd_split(line, "p", argv, 8), 1, named("comment line"));
	snprintf(line, sizeof(line), "-C # flush all\n");
	EXPECT_EQ(drlb_cmd_split(line, "p", argv, 8), 2,
	    named("trailing comment"));
	snprintf(line, sizeof(line), "1 2 3 4 5 6 7 8 9");
	EXPECT_EQ(drlb_cmd_split(line, "p", argv, 8), -1,
	    named("too many words"));
}

static void
test_strerror(void)
{
	cur_line = "strerror";
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_ADD_SVC, EEXIST),
	    "Service already exists", named("add svc EEXIST"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_ADD_SVC, ENOENT),
	    "Scheduler or persistence engine not found",
	    named("add svc ENOENT"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_EDIT_SVC, ESRCH),
	    "No such service", named("edit svc ESRCH"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_ADD_DEST, ESRCH),
	    "Service not defined", named("add dest ESRCH"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_ADD_DEST, EEXIST),
	    "Destination already exists",
	    named("add dest EEXIST"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_DEL_DEST, ENOENT),
	    "No such destination", named("del dest ENOENT"));
	EXPECT_STR(drlb_cmd_strerror(DRLB_CTL_FLUSH, ENOMEM),
	    "Memory allocation problem", named("any ENOMEM"));
}

int
main(void)
{
	test_recipe();
	test_commands();
	test_errors();
	test_split();
	test_strerror();
	return EXPECT_DONE();
}
