/*
 * ipvsadm's command line, parsed the way ipvsadm 1.31 parses it (popt
 * option table, then process_options()' checks), into one control request.
 *
 * What matters for compatibility, and is easy to get wrong:
 *  - the first option must be a command (-A, -L, --set, ...); otherwise
 *    ipvsadm prints its "Try `ipvsadm -h'" hint and exits 255;
 *  - a second command later on is an "invalid option `-E'" (exit 2), not
 *    "multiple commands specified" (that text is unreachable in 1.31);
 *  - options are checked against the commands_v_options table in column
 *    order, so the first offending column decides the message;
 *  - in DR the real-server port is always the virtual port.
 *
 * Library-like: never prints, never exits.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "drlb/cmd.h"

#define MAX_TIMEOUT	(86400 * 31)	/* ipvsadm: 31 days */
#define DEF_SCHED	"wlc"

/* ipvsadm's CMD_* (1-based, order of its commands_v_options rows) */
enum {
	C_NONE, C_ADD, C_EDIT, C_DEL, C_FLUSH, C_LIST, C_ADDDEST, C_DELDEST,
	C_EDITDEST, C_TIMEOUT, C_STARTDAEMON, C_STOPDAEMON, C_RESTORE, C_SAVE,
	C_ZERO, C_MAX = C_ZERO
};

static const char *const cmdnames[C_MAX] = {
	"add-service", "edit-service", "delete-service", "flush", "list",
	"add-server", "delete-server", "edit-server", "set", "start-daemon",
	"stop-daemon", "restore", "save", "zero",
};

/* ipvsadm's OPTC_* (bit numbers of the options mask, table columns) */
enum {
	O_NUMERIC, O_CONNECTION, O_SERVICE, O_SCHEDULER, O_PERSISTENT,
	O_NETMASK, O_SERVER, O_FORWARD, O_WEIGHT, O_UTHRESHOLD, O_LTHRESHOLD,
	O_MCAST, O_TIMEOUT, O_DAEMON, O_STATS, O_RATE, O_THRESHOLDS,
	O_PERSISTENTCONN, O_NOSORT, O_SYNCID, O_EXACT, O_ONEPACKET, O_PE,
	O_SCHED_FLAGS, O_MCAST_GROUP, O_MCAST_PORT, O_MCAST_TTL,
	O_SYNC_MAXLEN, O_TUN_INFO, O_TUN_TYPE, O_TUN_PORT, O_TUN_NOCSUM,
	O_TUN_CSUM, O_TUN_REMCSUM,
	O_JSON,				/* drlb's own: after ipvsadm's columns */
	O_NUM
};

static const char *const optnames[O_NUM] = {
	"numeric", "connection", "service-address", "scheduler", "persistent",
	"netmask", "real-server", "forwarding-method", "weight",
	"u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
	"stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid",
	"exact", "ops", "pe", "sched-flags", "mcast-group", "mcast-port",
	"mcast-ttl", "sync-maxlen", "tun-info", "tun-type", "tun-port",
	"tun-nocsum", "tun-csum", "tun-remcsum", "json",
};

/*
 * Which options each command takes (ipvsadm 1.31's commands_v_options):
 * '+' compulsory, 'x' illegal, '1' at most one of the '1's, ' ' optional.
 * One column per option above, in that order; the last column, --json, is
 * drlb's (listings only), so ipvsadm's checks come first and keep their
 * messages.
 */
#define ROW(s) s
static const char opt_table[C_MAX][O_NUM + 1] = {
	/*       -n -c svc -s -p -M -r fwd -w -x -y mc tot dmn st rt thr pc srt sid ex ops pe -b grp port ttl size tinf type tprt nocs csum remc json */
	ROW("xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx"),	/* add-service */
	ROW("xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx"),	/* edit-service */
	ROW("xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* delete-service */
	ROW("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* flush */
	ROW(" 11xxxxxxxxx11       xxxxxxx xxxxx "),	/* list */
	ROW("xx+xxx+    xxxxxxxxxxxxxxxxxx     x"),	/* add-server */
	ROW("xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* delete-server */
	ROW("xx+xxx+    xxxxxxxxxxxxxxxxxx     x"),	/* edit-server */
	ROW("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* set */
	ROW("xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx"),	/* start-daemon */
	ROW("xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx"),	/* stop-daemon */
	ROW("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* restore */
	ROW(" xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* save */
	ROW("xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),	/* zero */
};
_Static_assert(sizeof(opt_table[0]) == O_NUM + 1, "one column per option");

/* option tags: the short letter where there is one, else >= 128 */
enum {
	T_SET = 128, T_START_DAEMON, T_STOP_DAEMON, T_MCAST_INTERFACE,
	T_TIMEOUT, T_DAEMON, T_STATS, T_RATE, T_THRESHOLDS, T_PERSISTENTCONN,
	T_SORT, T_NO_SORT, T_PE, T_SCTP, T_MCAST_GROUP, T_MCAST_PORT,
	T_MCAST_TTL, T_SYNC_MAXLEN, T_TUN_INFO, T_TUN_TYPE, T_TUN_PORT,
	T_TUN_NOCSUM, T_TUN_CSUM, T_TUN_REMCSUM, T_SYNCID, T_JSON,
};

enum { A_NONE, A_REQ, A_OPT };

struct opt_def {
	const char *name;
	char short_name;		/* 0: long only */
	unsigned char arg;		/* A_* */
	int tag;
};

/* ipvsadm 1.31's popt table */
static const struct opt_def opt_defs[] = {
	{ "add-service",	'A', A_NONE, 'A' },
	{ "edit-service",	'E', A_NONE, 'E' },
	{ "delete-service",	'D', A_NONE, 'D' },
	{ "clear",		'C', A_NONE, 'C' },
	{ "list",		'L', A_NONE, 'L' },
	{ "list",		'l', A_NONE, 'l' },
	{ "zero",		'Z', A_NONE, 'Z' },
	{ "add-server",		'a', A_NONE, 'a' },
	{ "edit-server",	'e', A_NONE, 'e' },
	{ "delete-server",	'd', A_NONE, 'd' },
	{ "set",		0,   A_NONE, T_SET },
	{ "help",		'h', A_NONE, 'h' },
	{ "version",		'v', A_NONE, 'v' },
	{ "restore",		'R', A_NONE, 'R' },
	{ "save",		'S', A_NONE, 'S' },
	{ "start-daemon",	0,   A_REQ,  T_START_DAEMON },
	{ "stop-daemon",	0,   A_REQ,  T_STOP_DAEMON },
	{ "tcp-service",	't', A_REQ,  't' },
	{ "udp-service",	'u', A_REQ,  'u' },
	{ "sctp-service",	0,   A_REQ,  T_SCTP },
	{ "fwmark-service",	'f', A_REQ,  'f' },
	{ "scheduler",		's', A_REQ,  's' },
	{ "persistent",		'p', A_OPT,  'p' },
	{ "netmask",		'M', A_REQ,  'M' },
	{ "real-server",	'r', A_REQ,  'r' },
	{ "masquerading",	'm', A_NONE, 'm' },
	{ "ipip",		'i', A_NONE, 'i' },
	{ "gatewaying",		'g', A_NONE, 'g' },
	{ "weight",		'w', A_REQ,  'w' },
	{ "u-threshold",	'x', A_REQ,  'x' },
	{ "l-threshold",	'y', A_REQ,  'y' },
	{ "numeric",		'n', A_NONE, 'n' },
	{ "connection",		'c', A_NONE, 'c' },
	{ "mcast-interface",	0,   A_REQ,  T_MCAST_INTERFACE },
	{ "syncid",		0,   A_REQ,  T_SYNCID },
	{ "timeout",		0,   A_NONE, T_TIMEOUT },
	{ "daemon",		0,   A_NONE, T_DAEMON },
	{ "stats",		0,   A_NONE, T_STATS },
	{ "rate",		0,   A_NONE, T_RATE },
	{ "thresholds",		0,   A_NONE, T_THRESHOLDS },
	{ "persistent-conn",	0,   A_NONE, T_PERSISTENTCONN },
	{ "nosort",		0,   A_NONE, T_NO_SORT },
	{ "sort",		0,   A_NONE, T_SORT },
	{ "exact",		'X', A_NONE, 'X' },
	{ "ipv6",		'6', A_NONE, '6' },
	{ "ops",		'o', A_NONE, 'o' },
	{ "pe",			0,   A_REQ,  T_PE },
	{ "sched-flags",	'b', A_REQ,  'b' },
	{ "mcast-group",	0,   A_REQ,  T_MCAST_GROUP },
	{ "mcast-port",		0,   A_REQ,  T_MCAST_PORT },
	{ "mcast-ttl",		0,   A_REQ,  T_MCAST_TTL },
	{ "sync-maxlen",	0,   A_REQ,  T_SYNC_MAXLEN },
	{ "tun-info",		0,   A_NONE, T_TUN_INFO },
	{ "tun-type",		0,   A_REQ,  T_TUN_TYPE },
	{ "tun-port",		0,   A_REQ,  T_TUN_PORT },
	{ "tun-nocsum",		0,   A_NONE, T_TUN_NOCSUM },
	{ "tun-csum",		0,   A_NONE, T_TUN_CSUM },
	{ "tun-remcsum",	0,   A_NONE, T_TUN_REMCSUM },
	{ "json",		0,   A_NONE, T_JSON },	/* drlb */
};
#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

/* popt's error codes and texts (poptStrerror) */
#define P_END		(-1)
#define P_NOARG		(-10)
#define P_BADOPT	(-11)
#define P_UNWANTED	(-12)

/* ---------------------------------------------------------------- popt-alike */

/*
 * A small getopt in popt's manner: short options bundle ("-Ln", "-At x",
 * "-t1.2.3.4:80"), long options take "--opt=val" or "--opt val", an
 * optional argument (-p) is taken from the next word unless it starts with
 * '-', "--" ends the options, and words that are not options are kept for
 * poptGetArg() (--set's three timeouts, or "unexpected argument").
 */
struct popt {
	int argc;
	char **argv;
	int next;			/* next argv[] to look at */
	const char *bundle;		/* rest of a short-option bundle */
	int cur;			/* argv[] index of the current option */
	bool only_args;			/* after "--" */
	int *args;			/* indexes of non-option words */
	int nargs, args_used;
	const char *optarg;
	char longarg[256];		/* the value part of --opt=value */
};

static const struct opt_def *
find_short(char c)
{
	for (size_t i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].short_name == c)
			return &opt_defs[i];
	return NULL;
}

static const struct opt_def *
find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < N_OPT_DEFS; i++)
		if (strlen(opt_defs[i].name) == len &&
		    strncmp(opt_defs[i].name, name, len) == 0)
			return &opt_defs[i];
	return NULL;
}

/* the argument of an option that was not given as "-tX" or "--opt=X" */
static int
take_next_arg(struct popt *p, const struct opt_def *d)
{
	if (p->next >= p->argc) {
		if (d->arg == A_OPT)
			return d->tag;
		return P_NOARG;
	}
	if (d->arg == A_OPT && p->argv[p->next][0] == '-')
		return d->tag;
	p->optarg = p->argv[p->next++];
	return d->tag;
}

static int
popt_next(struct popt *p)
{
	const struct opt_def *d;
	const char *a;

	p->optarg = NULL;
	for (;;) {
		if (p->bundle != NULL && *p->bundle != '\0') {
			d = find_short(*p->bundle++);
			if (d == NULL)
				return P_BADOPT;
			if (d->arg == A_NONE)
				return d->tag;
			if (*p->bundle != '\0') {
				p->optarg = p->bundle;
				p->bundle = NULL;
				return d->tag;
			}
			p->bundle = NULL;
			return take_next_arg(p, d);
		}
		p->bundle = NULL;
		if (p->next >= p->argc)
			return P_END;
		p->cur = p->next;
		a = p->argv[p->next++];
		if (p->only_args || a[0] != '-' || a[1] == '\0') {
			p->args[p->nargs++] = p->cur;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			p->only_args = true;
			continue;
		}
		if (a[1] != '-') {
			p->bundle = a + 1;
			continue;
		}
		/* --long[=value] */
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		if ((d = find_long(name, len)) == NULL)
			return P_BADOPT;
		if (eq != NULL) {
			if (d->arg == A_NONE)
				return P_UNWANTED;
			snprintf(p->longarg, sizeof(p->longarg), "%s", eq + 1);
			p->optarg = p->longarg;
			return d->tag;
		}
		if (d->arg == A_NONE)
			return d->tag;
		return take_next_arg(p, d);
	}
}

static const char *
popt_strerror(int e)
{
	switch (e) {
	case P_NOARG:		return "missing argument";
	case P_BADOPT:		return "unknown option";
	case P_UNWANTED:	return "option does not take an argument";
	default:		return "unknown error";
	}
}

static const char *
popt_get_arg(struct popt *p)
{
	if (p->args_used >= p->nargs)
		return NULL;
	return p->argv[p->args[p->args_used++]];
}

/* ---------------------------------------------------------------- parsing */

struct pstate {
	char *err;
	size_t errlen;
	const char *prog;
	int cmd;			/* C_* */
	unsigned long long options;	/* 1 << O_* */
	unsigned format;		/* DRLB_OPT_* listing bits */
	struct drlb_svc_conf svc;
	struct drlb_dest_conf dest;
	struct drlb_timeouts to;
	bool fwmark, sctp;
	char sched_flags[128];
	struct drlb_ctl_daemon daemon;	/* --start-daemon / --stop-daemon */
};

static int fail(struct pstate *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct pstate *s, int code, const char *fmt, ...)
{
	va_list ap;

	if (s->err != NULL && s->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int
tryhelp(struct pstate *s)
{
	return fail(s, 255, "Try `%s -h' or '%s --help' for more information.",
	    s->prog, s->prog);
}

/* ipvsadm's string_to_number(): strtol, whole string, in [min, max] */
static long
string_to_number(const char *str, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(str, &end, 10);
	if (*end == '\0' && end != str && errno != ERANGE &&
	    min <= n && n <= max)
		return n;
	return -1;
}

static bool
str_is_digit(const char *str)
{
	for (; *str; str++)
		if (!isdigit((unsigned char)*str))
			return false;
	return true;
}

/* a name that is not a numeric address: its first IPv4 address */
static int
host_to_addr(const char *name, struct in_addr *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return -1;
	*addr = ((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

/* a bracketed name: its first IPv6 address */
static int
host_to_addr6(const char *name, struct in6_addr *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET6 }, *res;

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return -1;
	*addr = ((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr;
	freeaddrinfo(res);
	return 0;
}

static long
service_to_port(const char *name, uint16_t proto)
{
	const char *pname = proto == IPPROTO_TCP ? "tcp" :
	    proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_SCTP ? "sctp" : NULL;
	struct servent *se;

	if (pname == NULL || (se = getservbyname(name, pname)) == NULL)
		return -1;
	return ntohs((uint16_t)se->s_port);
}

#define SERVICE_NONE	0x0
#define SERVICE_ADDR	0x1
#define SERVICE_PORT	0x2

struct svcaddr {
	uint16_t af;
	union drlb_inaddr addr;
	uint16_t port;			/* host order */
	bool v6;			/* an IPv6 address was parsed */
};

/*
 * ipvsadm's parse_service(): "[v6addr]:port", "v6addr", "v4addr[:port]",
 * "name[:port]"; the port may be a service name.  Returns SERVICE_* bits;
 * fields not found are left alone.
 */
static int
parse_service(const char *arg, uint16_t proto, struct svcaddr *sa)
{
	char buf[256], *b = buf, *portp = NULL;
	struct in6_addr in6;
	struct in_addr in;
	int result = SERVICE_NONE;
	long portn;

	if (arg == NULL || str_is_digit(arg))
		return SERVICE_NONE;
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return SERVICE_NONE;
	if (b[0] == '[') {
		b++;
		if ((portp = strchr(b, ']')) == NULL)
			return SERVICE_NONE;
		*portp++ = '\0';
		if (*portp != ':')
			return SERVICE_NONE;
		*portp = '\0';
	}
	/*
	 * `ipvsadm -S` without -n writes an IPv6 address that has a name as
	 * "[name]:port"; ipvsadm 1.31 cannot read that back (it resolves the
	 * name as IPv4 and drops the port).  drlb resolves a bracketed name
	 * as IPv6 and keeps the port, so such a save file restores.
	 */
	if (buf[0] == '[' && inet_pton(AF_INET6, b, &in6) <= 0 &&
	    host_to_addr6(b, &in6) == 0) {
		memset(&sa->addr, 0, sizeof(sa->addr));
		sa->addr.in6 = in6;
		sa->af = AF_INET6;
		sa->v6 = true;
	} else if (inet_pton(AF_INET6, b, &in6) > 0) {
		memset(&sa->addr, 0, sizeof(sa->addr));
		sa->addr.in6 = in6;
		sa->af = AF_INET6;
		sa->v6 = true;
	} else {
		/* as ipvsadm: the bracket's port is forgotten here */
		portp = strrchr(b, ':');
		if (portp != NULL)
			*portp = '\0';
		if (inet_aton(b, &in) == 0 && host_to_addr(b, &in) < 0)
			return SERVICE_NONE;
		memset(&sa->addr, 0, sizeof(sa->addr));
		sa->addr.in = in;
		sa->af = AF_INET;
	}
	result |= SERVICE_ADDR;

	if (portp != NULL) {
		result |= SERVICE_PORT;
		if ((portn = string_to_number(portp + 1, 0, 65535)) == -1 &&
		    (portn = service_to_port(portp + 1, proto)) == -1)
			return SERVICE_NONE;
		sa->port = (uint16_t)portn;
	}
	return result;
}

static int
parse_timeout(struct pstate *s, const char *buf, long min, long max,
    uint32_t *out)
{
	long i;

	if (buf == NULL) {
		*out = DRLB_PERSIST_DEFAULT;
		return 0;
	}
	if ((i = string_to_number(buf, min, max)) == -1)
		return fail(s, 2, "invalid timeout value `%s' specified", buf);
	*out = (uint32_t)i;
	return 0;
}

static int
parse_sched_flags(struct pstate *s, uint32_t *flags)
{
	const char *sched = s->svc.sched_name[0] ? s->svc.sched_name : DEF_SCHED;
	char *save = NULL, *flag;

	*flags = 0;
	for (flag = strtok_r(s->sched_flags, ",", &save); flag != NULL;
	    flag = strtok_r(NULL, ",", &save)) {
		const char *need = NULL;

		if (strcmp(flag, "flag-1") == 0)
			*flags |= DRLB_SVC_F_SCHED1;
		else if (strcmp(flag, "flag-2") == 0)
			*flags |= DRLB_SVC_F_SCHED2;
		else if (strcmp(flag, "flag-3") == 0)
			*flags |= DRLB_SVC_F_SCHED3;
		else if (strcmp(flag, "sh-fallback") == 0)
			*flags |= DRLB_SVC_F_SCHED1, need = "sh";
		else if (strcmp(flag, "sh-port") == 0)
			*flags |= DRLB_SVC_F_SCHED2, need = "sh";
		else if (strcmp(flag, "mh-fallback") == 0)
			*flags |= DRLB_SVC_F_SCHED1, need = "mh";
		else if (strcmp(flag, "mh-port") == 0)
			*flags |= DRLB_SVC_F_SCHED2, need = "mh";
		else
			return fail(s, 2, "invalid scheduler flag `%s'", flag);
		if (need != NULL && strcmp(sched, need) != 0)
			return fail(s, 2, "incompatible scheduler flag `%s'",
			    flag);
	}
	return 0;
}

static int
set_option(struct pstate *s, int o)
{
	unsigned long long bit = 1ULL << o;

	if (s->options & bit)
		return fail(s, 2, "multiple '%s' options specified",
		    optnames[o]);
	s->options |= bit;
	return 0;
}

#define HAS(s, o)	(((s)->options & (1ULL << (o))) != 0)

/* ipvsadm's generic_opt_check(), column by column */
static int
generic_opt_check(struct pstate *s)
{
	const char *row = opt_table[s->cmd - 1];
	const char *cname = cmdnames[s->cmd - 1];
	int last = 0, count = 0;

	for (int j = 0; j < O_NUM; j++) {
		if (!HAS(s, j)) {
			if (row[j] == '+')
				return fail(s, 2, "You need to supply the '%s' "
				    "option for the '%s' command",
				    optnames[j], cname);
			continue;
		}
		if (row[j] == 'x')
			return fail(s, 2, "Illegal '%s' option with the '%s' "
			    "command", optnames[j], cname);
		if (row[j] == '1') {
			if (++count == 1) {
				last = j;
				continue;
			}
			return fail(s, 2, "The option '%s' conflicts with the "
			    "'%s' option in the '%s' command",
			    optnames[j], optnames[last], cname);
		}
	}
	return 0;
}

static int
set_first_command(struct pstate *s, struct popt *p, int c)
{
	switch (c) {
	case 'A': s->cmd = C_ADD; break;
	case 'E': s->cmd = C_EDIT; break;
	case 'D': s->cmd = C_DEL; break;
	case 'a': s->cmd = C_ADDDEST; break;
	case 'e': s->cmd = C_EDITDEST; break;
	case 'd': s->cmd = C_DELDEST; break;
	case 'C': s->cmd = C_FLUSH; break;
	case 'L': case 'l': s->cmd = C_LIST; break;
	case 'Z': s->cmd = C_ZERO; break;
	case T_SET: s->cmd = C_TIMEOUT; break;
	case 'R': s->cmd = C_RESTORE; break;
	case 'S': s->cmd = C_SAVE; break;
	case T_START_DAEMON:
	case T_STOP_DAEMON:
		s->cmd = c == T_START_DAEMON ? C_STARTDAEMON : C_STOPDAEMON;
		if (strcmp(p->optarg, "master") != 0 &&
		    strcmp(p->optarg, "backup") != 0)
			return fail(s, 2, c == T_START_DAEMON ?
			    "illegal start-daemon parameter specified" :
			    "illegal start_daemon specified");
		s->daemon.state = strcmp(p->optarg, "master") == 0 ?
		    DRLB_DAEMON_MASTER : DRLB_DAEMON_BACKUP;
		break;
	default:
		return tryhelp(s);
	}
	return 0;
}

static int
parse_mcast_group(struct pstate *s, const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (strchr(arg, ':')) {
		if (inet_pton(AF_INET6, arg, &a6) <= 0 ||
		    !IN6_IS_ADDR_MULTICAST(&a6))
			return fail(s, 2, "invalid IPv6 mcast-group `%s'", arg);
		s->daemon.mcast_af = AF_INET6;
		s->daemon.mcast_group.in6 = a6;
	} else {
		if (inet_pton(AF_INET, arg, &a4) <= 0 ||
		    !IN_MULTICAST(ntohl(a4.s_addr)))
			return fail(s, 2, "invalid IPv4 mcast-group `%s'", arg);
		s->daemon.mcast_af = AF_INET;
		s->daemon.mcast_group.in = a4;
	}
	return 0;
}

/* one option after the command; returns 0 or an exit status */
static int
parse_one(struct pstate *s, struct popt *p, int c)
{
	const char *arg = p->optarg;
	struct svcaddr sa;
	struct in_addr mask;
	int parse, rc;
	long n;

	switch (c) {
	case 't':
	case 'u':
	case T_SCTP:
		if ((rc = set_option(s, O_SERVICE)))
			return rc;
		s->svc.protocol = c == 't' ? IPPROTO_TCP :
		    c == 'u' ? IPPROTO_UDP : IPPROTO_SCTP;
		memset(&sa, 0, sizeof(sa));
		sa.af = s->svc.af;
		sa.addr = s->svc.addr;
		sa.port = s->svc.port;
		parse = parse_service(arg, s->svc.protocol, &sa);
		if (!(parse & SERVICE_ADDR))
			return fail(s, 2, "illegal virtual server "
			    "address[:port] specified");
		s->svc.af = sa.af;
		s->svc.addr = sa.addr;
		s->svc.port = sa.port;
		if (sa.v6)
			s->svc.netmask = 128;
		if (c == T_SCTP)
			s->sctp = true;
		break;
	case 'f':
		if ((rc = set_option(s, O_SERVICE)))
			return rc;
		errno = 0;
		{
			char *end;
			unsigned long l = strtoul(arg, &end, 10);

			if (*end != '\0' || end == arg || errno == ERANGE ||
			    l == 0 || l > UINT_MAX || arg[0] == '-')
				return fail(s, 2, "invalid fwmark value `%s' "
				    "specified", arg);
		}
		/* IPVS matches the mark netfilter put on the skb; a userspace
		 * director sees no marks */
		return fail(s, 2, "fwmark services (-f) are not supported: "
		    "drlb sees no netfilter marks in userspace; use -t or -u");
	case 's':
		if ((rc = set_option(s, O_SCHEDULER)))
			return rc;
		snprintf(s->svc.sched_name, sizeof(s->svc.sched_name), "%.*s",
		    DRLB_SCHED_NAME_MAX - 1, arg);
		break;
	case 'p':
		if ((rc = set_option(s, O_PERSISTENT)))
			return rc;
		s->svc.flags |= DRLB_SVC_F_PERSISTENT;
		if ((rc = parse_timeout(s, arg, 1, MAX_TIMEOUT,
		    &s->svc.timeout)))
			return rc;
		break;
	case 'M':
		if ((rc = set_option(s, O_NETMASK)))
			return rc;
		if (s->svc.af != AF_INET6) {
			if (inet_aton(arg, &mask) == 0 &&
			    host_to_addr(arg, &mask) < 0)
				return fail(s, 2, "illegal virtual server "
				    "persistent mask specified");
			s->svc.netmask = mask.s_addr;
		} else {
			int m = atoi(arg);

			if (m < 1 || m > 128)
				return fail(s, 2,
				    "illegal ipv6 netmask specified");
			s->svc.netmask = (uint32_t)m;
		}
		break;
	case 'r':
		if ((rc = set_option(s, O_SERVER)))
			return rc;
		/* parsed as the service (its protocol names the port) */
		memset(&sa, 0, sizeof(sa));
		sa.af = s->svc.af;
		sa.addr = s->svc.addr;
		sa.port = s->svc.port;
		parse = parse_service(arg, s->svc.protocol, &sa);
		s->dest.af = sa.af;
		s->dest.addr = sa.addr;
		s->dest.port = sa.port;
		if (!(parse & SERVICE_ADDR))
			return fail(s, 2, "illegal real server "
			    "address[:port] specified");
		if (parse == SERVICE_ADDR)	/* no port: the virtual one */
			s->dest.port = s->svc.port;
		break;
	case 'i':
	case 'm':
		/* tunnelling and NAT need the director to rewrite or
		 * encapsulate packets; drlb only re-addresses frames */
		return fail(s, 2, "drlb forwards by direct routing only (-g)");
	case 'g':
		if ((rc = set_option(s, O_FORWARD)))
			return rc;
		s->dest.conn_flags = DRLB_FWD_DROUTE;
		break;
	case 'w':
		if ((rc = set_option(s, O_WEIGHT)))
			return rc;
		if ((n = string_to_number(arg, 0, 65535)) == -1)
			return fail(s, 2, "illegal weight specified");
		s->dest.weight = (int32_t)n;
		break;
	case 'x':
		if ((rc = set_option(s, O_UTHRESHOLD)))
			return rc;
		if ((n = string_to_number(arg, 0, INT_MAX)) == -1)
			return fail(s, 2, "illegal u_threshold specified");
		s->dest.u_threshold = (uint32_t)n;
		break;
	case 'y':
		if ((rc = set_option(s, O_LTHRESHOLD)))
			return rc;
		if ((n = string_to_number(arg, 0, INT_MAX)) == -1)
			return fail(s, 2, "illegal l_threshold specified");
		s->dest.l_threshold = (uint32_t)n;
		break;
	case 'c':
		if ((rc = set_option(s, O_CONNECTION)))
			return rc;
		s->format |= DRLB_OPT_CONNECTION;
		break;
	case 'n':
		if ((rc = set_option(s, O_NUMERIC)))
			return rc;
		s->format |= DRLB_OPT_NUMERIC;
		break;
	case T_MCAST_INTERFACE:
		if ((rc = set_option(s, O_MCAST)))
			return rc;
		/* ipvsadm: strncpy(..., IP_VS_IFNAME_MAXLEN - 1) */
		snprintf(s->daemon.mcast_ifn, sizeof(s->daemon.mcast_ifn),
		    "%.*s", DRLB_IFNAMSIZ - 1, arg);
		break;
	case T_SYNCID:
		if ((rc = set_option(s, O_SYNCID)))
			return rc;
		if ((n = string_to_number(arg, 0, 255)) == -1)
			return fail(s, 2, "illegal syncid specified");
		s->daemon.syncid = (uint32_t)n;
		break;
	case T_TIMEOUT:
		if ((rc = set_option(s, O_TIMEOUT)))
			return rc;
		s->format |= DRLB_OPT_TIMEOUT;
		break;
	case T_DAEMON:
		if ((rc = set_option(s, O_DAEMON)))
			return rc;
		s->format |= DRLB_OPT_DAEMON;
		break;
	case T_STATS:
		if ((rc = set_option(s, O_STATS)))
			return rc;
		s->format |= DRLB_OPT_STATS;
		break;
	case T_RATE:
		if ((rc = set_option(s, O_RATE)))
			return rc;
		s->format |= DRLB_OPT_RATE;
		break;
	case T_THRESHOLDS:
		if ((rc = set_option(s, O_THRESHOLDS)))
			return rc;
		s->format |= DRLB_OPT_THRESHOLDS;
		break;
	case T_PERSISTENTCONN:
		if ((rc = set_option(s, O_PERSISTENTCONN)))
			return rc;
		s->format |= DRLB_OPT_PERSISTENTCONN;
		break;
	case T_NO_SORT:
		if ((rc = set_option(s, O_NOSORT)))
			return rc;
		s->format |= DRLB_OPT_NOSORT;
		break;
	case T_SORT:
		/* sorting is the default; a no-op kept for compatibility */
		s->format |= DRLB_OPT_SORT;
		break;
	case 'X':
		if ((rc = set_option(s, O_EXACT)))
			return rc;
		s->format |= DRLB_OPT_EXACT;
		break;
	case '6':
		/* -6 only qualifies -f, which drlb refuses before we get here */
		return fail(s, 2, "-6 used before -f\n");
	case 'o':
		if ((rc = set_option(s, O_ONEPACKET)))
			return rc;
		s->svc.flags |= DRLB_SVC_F_ONEPACKET;
		break;
	case T_PE:
		if ((rc = set_option(s, O_PE)))
			return rc;
		snprintf(s->svc.pe_name, sizeof(s->svc.pe_name), "%.*s",
		    DRLB_PE_NAME_MAX - 1, arg);
		break;
	case 'b':
		if ((rc = set_option(s, O_SCHED_FLAGS)))
			return rc;
		snprintf(s->sched_flags, sizeof(s->sched_flags), "%s", arg);
		break;
	case T_MCAST_GROUP:
		if ((rc = set_option(s, O_MCAST_GROUP)))
			return rc;
		return parse_mcast_group(s, arg);
	case T_MCAST_PORT:
		if ((rc = set_option(s, O_MCAST_PORT)))
			return rc;
		if ((n = string_to_number(arg, 1, 65535)) == -1)
			return fail(s, 2, "illegal mcast-port specified");
		s->daemon.mcast_port = (uint16_t)n;
		break;
	case T_MCAST_TTL:
		if ((rc = set_option(s, O_MCAST_TTL)))
			return rc;
		if ((n = string_to_number(arg, 1, 255)) == -1)
			return fail(s, 2, "illegal mcast-ttl specified");
		s->daemon.mcast_ttl = (uint8_t)n;
		break;
	case T_SYNC_MAXLEN:
		if ((rc = set_option(s, O_SYNC_MAXLEN)))
			return rc;
		if ((n = string_to_number(arg, 1, 65535 - 20 - 8)) == -1)
			return fail(s, 2, "illegal sync-maxlen specified");
		s->daemon.sync_maxlen = (uint16_t)n;
		break;
	case T_TUN_INFO:
		if ((rc = set_option(s, O_TUN_INFO)))
			return rc;
		s->format |= DRLB_OPT_TUN_INFO;
		break;
	case T_TUN_TYPE:
		if ((rc = set_option(s, O_TUN_TYPE)))
			return rc;
		if (strcmp(arg, "ipip") && strcmp(arg, "gue") &&
		    strcmp(arg, "gre"))
			return fail(s, 2, "illegal tunnel type specified");
		break;
	case T_TUN_PORT:
		if ((rc = set_option(s, O_TUN_PORT)))
			return rc;
		if (string_to_number(arg, 1, 65535) == -1)
			return fail(s, 2, "illegal tunnel port specified");
		break;
	case T_TUN_NOCSUM:
		return set_option(s, O_TUN_NOCSUM);
	case T_TUN_CSUM:
		return set_option(s, O_TUN_CSUM);
	case T_TUN_REMCSUM:
		return set_option(s, O_TUN_REMCSUM);
	case T_JSON:
		if ((rc = set_option(s, O_JSON)))
			return rc;
		s->format |= DRLB_OPT_JSON;
		break;
	default:
		/* e.g. a second command: popt names the word it stopped at */
		return fail(s, 2, "invalid option `%s'", p->argv[p->cur]);
	}
	return 0;
}

static enum drlb_cmd_op
to_cmd_op(int c)
{
	switch (c) {
	case C_ADD:		return DRLB_CMD_ADD_SVC;
	case C_EDIT:		return DRLB_CMD_EDIT_SVC;
	case C_DEL:		return DRLB_CMD_DEL_SVC;
	case C_FLUSH:		return DRLB_CMD_FLUSH;
	case C_LIST:		return DRLB_CMD_LIST;
	case C_ADDDEST:		return DRLB_CMD_ADD_DEST;
	case C_DELDEST:		return DRLB_CMD_DEL_DEST;
	case C_EDITDEST:	return DRLB_CMD_EDIT_DEST;
	case C_TIMEOUT:		return DRLB_CMD_SET_TIMEOUT;
	case C_RESTORE:		return DRLB_CMD_RESTORE;
	case C_SAVE:		return DRLB_CMD_SAVE;
	case C_ZERO:		return DRLB_CMD_ZERO;
	case C_STARTDAEMON:	return DRLB_CMD_START_DAEMON;
	case C_STOPDAEMON:	return DRLB_CMD_STOP_DAEMON;
	default:		return DRLB_CMD_NONE;
	}
}

int
drlb_cmd_parse(int argc, char **argv, struct drlb_cmd *cmd, char *err,
    size_t errlen)
{
	struct pstate s;
	struct popt p;
	int c, rc, args[argc > 0 ? argc : 1];

	memset(cmd, 0, sizeof(*cmd));
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	s.err = err;
	s.errlen = errlen;
	s.prog = argc > 0 && argv[0] != NULL ? argv[0] : "ipvsadm";
	/* ipvsadm's defaults */
	s.dest.weight = 1;
	s.dest.conn_flags = DRLB_FWD_DROUTE;
	s.svc.netmask = 0xffffffffu;

	p.argc = argc;
	p.argv = argv;
	p.next = 1;
	p.args = args;

	/* the first option is the command */
	c = popt_next(&p);
	if (c < 0)
		return tryhelp(&s);
	if (c == 'h') {
		cmd->op = DRLB_CMD_HELP;
		return 0;
	}
	if (c == 'v') {
		cmd->op = DRLB_CMD_VERSION;
		return 0;
	}
	if ((rc = set_first_command(&s, &p, c)))
		return rc;

	while ((c = popt_next(&p)) >= 0)
		if ((rc = parse_one(&s, &p, c)))
			return rc;
	if (c < P_END)
		return fail(&s, 255, "%s: %s", argv[p.cur], popt_strerror(c));

	if (s.cmd == C_TIMEOUT) {
		const char *a0 = popt_get_arg(&p), *a1 = NULL, *a2 = NULL;

		if (a0 == NULL || (a1 = popt_get_arg(&p)) == NULL ||
		    (a2 = popt_get_arg(&p)) == NULL)
			return fail(&s, 2,
			    "--set option requires 3 timeout values");
		if ((rc = parse_timeout(&s, a0, 0, MAX_TIMEOUT, &s.to.tcp)) ||
		    (rc = parse_timeout(&s, a1, 0, MAX_TIMEOUT, &s.to.tcp_fin)) ||
		    (rc = parse_timeout(&s, a2, 0, MAX_TIMEOUT, &s.to.udp)))
			return rc;
	}
	{
		const char *extra = popt_get_arg(&p);

		if (extra != NULL)
			return fail(&s, 2, "unexpected argument %s", extra);
	}
	if (s.sched_flags[0]) {
		uint32_t f;

		if ((rc = parse_sched_flags(&s, &f)))
			return rc;
		s.svc.flags &= ~(uint32_t)(DRLB_SVC_F_SCHED1 |
		    DRLB_SVC_F_SCHED2 | DRLB_SVC_F_SCHED3);
		s.svc.flags |= f;
	}

	/* process_options() */
	if ((rc = generic_opt_check(&s)))
		return rc;

	if (s.cmd == C_ADD || s.cmd == C_EDIT) {
		if (s.svc.port == 0 && !(s.svc.flags & DRLB_SVC_F_PERSISTENT))
			return fail(&s, 2, "Zero port specified "
			    "for non-persistent service");
		if ((s.svc.flags & DRLB_SVC_F_ONEPACKET) &&
		    s.svc.protocol != IPPROTO_UDP)
			return fail(&s, 2, "One-Packet Scheduling is only "
			    "for UDP virtual services");
		if (s.svc.sched_name[0] == '\0')
			snprintf(s.svc.sched_name, sizeof(s.svc.sched_name),
			    "%s", DEF_SCHED);
	}
	if (s.cmd == C_ADDDEST || s.cmd == C_EDITDEST) {
		/* DR changes only the frame's MAC: the real server must
		 * listen on the virtual port itself */
		s.dest.port = s.svc.port;
		if (s.dest.af != s.svc.af)
			return fail(&s, 2, "Different address family is "
			    "allowed only for tunneling servers");
		if (HAS(&s, O_TUN_TYPE) || HAS(&s, O_TUN_PORT) ||
		    HAS(&s, O_TUN_NOCSUM) || HAS(&s, O_TUN_CSUM) ||
		    HAS(&s, O_TUN_REMCSUM))
			return fail(&s, 2,
			    "Tunnel options conflict with forward method");
	}
	if (s.cmd == C_LIST) {
		bool cto = HAS(&s, O_CONNECTION) || HAS(&s, O_TIMEOUT) ||
		    HAS(&s, O_DAEMON);
		bool srt = HAS(&s, O_STATS) || HAS(&s, O_RATE) ||
		    HAS(&s, O_THRESHOLDS);
		bool to = HAS(&s, O_TIMEOUT) || HAS(&s, O_DAEMON);

		if ((cto && srt) || (to && HAS(&s, O_PERSISTENTCONN)))
			return fail(&s, 2,
			    "options conflicts in the list command");
	}

	if (s.sctp)
		return fail(&s, 2, "drlb balances TCP and UDP services only "
		    "(-t or -u)");

	cmd->op = to_cmd_op(s.cmd);
	cmd->options = s.format;
	if (HAS(&s, O_SERVICE))
		cmd->options |= DRLB_OPT_SERVICE;
	cmd->req.svc = s.svc;
	cmd->req.dest = s.dest;
	cmd->req.timeouts = s.to;
	if (s.cmd == C_STARTDAEMON || s.cmd == C_STOPDAEMON) {
		/* the daemon's request body is the sync daemon's settings */
		memset(&cmd->req, 0, sizeof(cmd->req));
		memcpy(&cmd->req, &s.daemon, sizeof(s.daemon));
	}
	return 0;
}

uint16_t
drlb_cmd_ctl_op(enum drlb_cmd_op op)
{
	switch (op) {
	case DRLB_CMD_ADD_SVC:		return DRLB_CTL_ADD_SVC;
	case DRLB_CMD_EDIT_SVC:		return DRLB_CTL_EDIT_SVC;
	case DRLB_CMD_DEL_SVC:		return DRLB_CTL_DEL_SVC;
	case DRLB_CMD_FLUSH:		return DRLB_CTL_FLUSH;
	case DRLB_CMD_ADD_DEST:		return DRLB_CTL_ADD_DEST;
	case DRLB_CMD_EDIT_DEST:	return DRLB_CTL_EDIT_DEST;
	case DRLB_CMD_DEL_DEST:		return DRLB_CTL_DEL_DEST;
	case DRLB_CMD_ZERO:		return DRLB_CTL_ZERO;
	case DRLB_CMD_SET_TIMEOUT:	return DRLB_CTL_SET_TIMEOUT;
	case DRLB_CMD_START_DAEMON:	return DRLB_CTL_START_DAEMON;
	case DRLB_CMD_STOP_DAEMON:	return DRLB_CTL_STOP_DAEMON;
	default:			return 0;
	}
}

int
drlb_cmd_split(char *line, const char *argv0, char **argv, int max)
{
	const char *sep = " \t\r\n";
	char *save = NULL, *tok;
	int argc = 0;

	if (max < 1)
		return -1;
	argv[argc++] = (char *)(uintptr_t)argv0;
	for (tok = strtok_r(line, sep, &save); tok != NULL;
	    tok = strtok_r(NULL, sep, &save)) {
		if (tok[0] == '#')
			break;
		if (strcmp(tok, "ipvsadm") == 0)
			continue;
		if (argc >= max - 1)
			return -1;
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	return argc;
}

/* libipvs's ipvs_strerror(): first the per-operation texts, then errno's */
const char *
drlb_cmd_strerror(uint16_t op, int err)
{
	static const struct {
		uint16_t op;		/* 0: any */
		int err;
		const char *msg;
	} table[] = {
		{ DRLB_CTL_ADD_SVC, EEXIST, "Service already exists" },
		{ DRLB_CTL_ADD_SVC, ENOENT,
		  "Scheduler or persistence engine not found" },
		{ DRLB_CTL_EDIT_SVC, ESRCH, "No such service" },
		{ DRLB_CTL_EDIT_SVC, ENOENT,
		  "Scheduler or persistence engine not found" },
		{ DRLB_CTL_DEL_SVC, ESRCH, "No such service" },
		{ DRLB_CTL_ZERO, ESRCH, "No such service" },
		{ DRLB_CTL_ADD_DEST, ESRCH, "Service not defined" },
		{ DRLB_CTL_ADD_DEST, EEXIST, "Destination already exists" },
		{ DRLB_CTL_EDIT_DEST, ESRCH, "Service not defined" },
		{ DRLB_CTL_EDIT_DEST, ENOENT, "No such destination" },
		{ DRLB_CTL_DEL_DEST, ESRCH, "Service not defined" },
		{ DRLB_CTL_DEL_DEST, ENOENT, "No such destination" },
		{ DRLB_CTL_GET_SERVICES, ESRCH, "No such service" },
		{ DRLB_CTL_START_DAEMON, EEXIST, "Daemon has already run" },
		{ DRLB_CTL_STOP_DAEMON, ESRCH, "No daemon is running" },
		{ 0, EPERM, "Permission denied (you must be root)" },
		{ 0, EINVAL, "Invalid operation.  Possibly wrong module "
		  "version, address not unicast, ..." },
		{ 0, ENOPROTOOPT, "Protocol not available" },
		{ 0, ENOMEM, "Memory allocation problem" },
		{ 0, EOPNOTSUPP, "Operation not supported with IPv6" },
		{ 0, EAFNOSUPPORT,
		  "Operation not supported with specified address family" },
		{ 0, EMSGSIZE, "Module is wrong version" },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((table[i].op == 0 || table[i].op == op) &&
		    table[i].err == err)
			return table[i].msg;
	return strerror(err);
}
