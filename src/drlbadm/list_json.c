/*
 * drlbadm's --json listings (docs/json.md, schema 1): the documents of
 * list.h's list_json_* over the same decoded replies as list.c's text.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "drlb/cmd.h"
#include "json.h"
#include "list.h"

#define JSON_SCHEMA	1

static void
json_header(struct json *j, FILE *f, const char *kind)
{
	json_init(j, f);
	json_begin_object(j, NULL);
	json_uint(j, "schema", JSON_SCHEMA);
	json_string(j, "kind", kind);
}

static void
json_end_document(struct json *j)
{
	json_end_object(j);
	json_finish(j);
}

static void
json_addr(struct json *j, const char *key, int af, const union drlb_inaddr *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(af, a->b, buf, sizeof(buf)) == NULL)
		buf[0] = '\0';
	json_string(j, key, buf);
}

static void
json_stats(struct json *j, const struct drlb_stats *st)
{
	json_begin_object(j, "stats");
	json_uint(j, "conns", st->conns);
	json_uint(j, "inpkts", st->inpkts);
	json_uint(j, "outpkts", st->outpkts);
	json_uint(j, "inbytes", st->inbytes);
	json_uint(j, "outbytes", st->outbytes);
	json_end_object(j);
}

static void
json_rates(struct json *j, const struct drlb_rates *rt)
{
	json_begin_object(j, "rate");
	json_uint(j, "cps", rt->cps);
	json_uint(j, "inpps", rt->inpps);
	json_uint(j, "outpps", rt->outpps);
	json_uint(j, "inbps", rt->inbps);
	json_uint(j, "outbps", rt->outbps);
	json_end_object(j);
}

/* the -b flags as ipvsadm names them, one string each */
static void
json_sched_flags(struct json *j, const struct drlb_svc_conf *c)
{
	bool sh = strncmp(c->sched_name, "sh", DRLB_SCHED_NAME_MAX) == 0;
	bool mh = strncmp(c->sched_name, "mh", DRLB_SCHED_NAME_MAX) == 0;

	json_begin_array(j, "sched_flags");
	if (c->flags & DRLB_SVC_F_SCHED1)
		json_string(j, NULL, sh ? "sh-fallback" : mh ? "mh-fallback" :
		    "flag-1");
	if (c->flags & DRLB_SVC_F_SCHED2)
		json_string(j, NULL, sh ? "sh-port" : mh ? "mh-port" : "flag-2");
	if ((c->flags & DRLB_SVC_F_SCHED3) && !sh && !mh)
		json_string(j, NULL, "flag-3");
	json_end_array(j);
}

static const char *
listing_name(unsigned opts)
{
	/* the precedence print_title() gives them */
	if (opts & DRLB_OPT_STATS)
		return "stats";
	if (opts & DRLB_OPT_RATE)
		return "rate";
	if (opts & DRLB_OPT_THRESHOLDS)
		return "thresholds";
	if (opts & DRLB_OPT_PERSISTENTCONN)
		return "persistent-conn";
	if (opts & DRLB_OPT_TUN_INFO)
		return "tun-info";
	return "plain";
}

static void
json_dest(struct json *j, const struct list_svc *s,
    const struct drlb_ctl_dest_entry *e)
{
	const struct drlb_dest_conf *d = &e->conf;
	int af = d->af ? d->af : s->e.conf.af;
	char mac[18] = "";

	if (e->mac_state == DRLB_MAC_RESOLVED)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		    e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
		    e->mac[5]);
	json_begin_object(j, NULL);
	json_addr(j, "address", af, &d->addr);
	json_uint(j, "port", d->port);
	json_string(j, "forward", list_fwd_name(d->conn_flags));
	json_uint(j, "weight", d->weight < 0 ? 0 : (uint64_t)d->weight);
	json_uint(j, "u_threshold", d->u_threshold);
	json_uint(j, "l_threshold", d->l_threshold);
	json_uint(j, "active_conns", e->activeconns);
	json_uint(j, "inactive_conns", e->inactconns);
	json_uint(j, "persistent_conns", e->persistconns);
	json_bool(j, "overloaded", e->overloaded != 0);
	json_string(j, "arp", e->mac_state == DRLB_MAC_RESOLVED ? "resolved" :
	    e->mac_state == DRLB_MAC_FAILED ? "failed" : "pending");
	json_string(j, "mac", mac);
	json_stats(j, &e->stats);
	json_rates(j, &e->rates);
	json_end_object(j);
}

static void
json_service(struct json *j, const struct list_svc *s)
{
	const struct drlb_svc_conf *c = &s->e.conf;
	bool persistent = (c->flags & DRLB_SVC_F_PERSISTENT) != 0;
	char mask[INET_ADDRSTRLEN];

	if (c->af == AF_INET6) {
		snprintf(mask, sizeof(mask), "%u", (unsigned)c->netmask);
	} else {
		struct in_addr m = { .s_addr = c->netmask };

		if (inet_ntop(AF_INET, &m, mask, sizeof(mask)) == NULL)
			mask[0] = '\0';
	}
	json_begin_object(j, NULL);
	json_string(j, "protocol", list_protocol_name(c->protocol));
	json_string(j, "family", c->af == AF_INET6 ? "inet6" : "inet");
	json_addr(j, "address", c->af, &c->addr);
	json_uint(j, "port", c->port);
	json_string_n(j, "scheduler", c->sched_name, DRLB_SCHED_NAME_MAX);
	json_sched_flags(j, c);
	json_bool(j, "persistent", persistent);
	json_uint(j, "persistence_timeout", persistent ? c->timeout : 0);
	json_string(j, "netmask", mask);
	json_string_n(j, "pe", c->pe_name, DRLB_PE_NAME_MAX);
	json_bool(j, "one_packet", (c->flags & DRLB_SVC_F_ONEPACKET) != 0);
	json_stats(j, &s->e.stats);
	json_rates(j, &s->e.rates);
	json_begin_array(j, "servers");
	for (uint32_t i = 0; i < s->e.num_dests; i++)
		json_dest(j, s, &s->dests[i]);
	json_end_array(j);
	json_end_object(j);
}

void
list_json_services(FILE *f, const struct drlb_ctl_info *info,
    struct list_svc *svcs, size_t n, unsigned opts)
{
	struct json j;
	char ver[16];

	if (!(opts & DRLB_OPT_NOSORT))
		list_table_sort(&(struct list_table){ .svcs = svcs, .n = n });
	snprintf(ver, sizeof(ver), "%u.%u.%u", (info->version >> 16) & 0xff,
	    (info->version >> 8) & 0xff, info->version & 0xff);
	json_header(&j, f, "services");
	json_string(&j, "listing", listing_name(opts));
	json_string(&j, "ipvs_version", ver);
	json_uint(&j, "conn_table_size", info->size);
	json_begin_array(&j, "services");
	for (size_t i = 0; i < n; i++)
		json_service(&j, &svcs[i]);
	json_end_array(&j);
	json_end_document(&j);
}

void
list_json_conns(FILE *f, const struct drlb_ctl_conn_entry *c, size_t n)
{
	struct json j;

	json_header(&j, f, "connections");
	json_begin_array(&j, "connections");
	for (size_t i = 0; i < n; i++) {
		char pbuf[16];
		int af = c[i].af ? c[i].af : AF_INET;

		json_begin_object(&j, NULL);
		json_string(&j, "protocol",
		    list_conn_proto_name(c[i].protocol, pbuf, sizeof(pbuf)));
		json_string(&j, "family", af == AF_INET6 ? "inet6" : "inet");
		json_string(&j, "state", list_conn_state_name(&c[i]));
		json_bool(&j, "template",
		    (c[i].flags & LIST_CONN_F_TEMPLATE) != 0);
		json_uint(&j, "expires", c[i].expires_ms / 1000);
		json_uint(&j, "expires_ms", c[i].expires_ms);
		json_addr(&j, "source_address", af, &c[i].caddr);
		json_uint(&j, "source_port", c[i].cport);
		json_addr(&j, "virtual_address", af, &c[i].vaddr);
		json_uint(&j, "virtual_port", c[i].vport);
		json_addr(&j, "destination_address", af, &c[i].daddr);
		json_uint(&j, "destination_port", c[i].dport);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_document(&j);
}

void
list_json_timeout(FILE *f, const struct drlb_timeouts *to)
{
	struct json j;

	json_header(&j, f, "timeout");
	json_uint(&j, "tcp", to->tcp);
	json_uint(&j, "tcpfin", to->tcp_fin);
	json_uint(&j, "udp", to->udp);
	json_end_document(&j);
}

void
list_json_daemon(FILE *f)
{
	list_json_daemons(f, NULL, 0);
}

void
list_json_daemons(FILE *f, const struct drlb_ctl_daemon *dm, size_t n)
{
	struct json j;

	json_header(&j, f, "daemon");
	json_begin_array(&j, "daemons");
	for (size_t i = 0; i < n; i++) {
		char a[INET6_ADDRSTRLEN] = "224.0.0.81";
		const char *type = list_daemon_type(dm[i].state);

		if (type == NULL)
			continue;
		if (dm[i].mcast_af == AF_INET || dm[i].mcast_af == AF_INET6)
			inet_ntop(dm[i].mcast_af, dm[i].mcast_group.b, a,
			    sizeof(a));
		json_begin_object(&j, NULL);
		json_string(&j, "state", type);
		json_string_n(&j, "mcast_ifn", dm[i].mcast_ifn,
		    strnlen(dm[i].mcast_ifn, sizeof(dm[i].mcast_ifn)));
		json_uint(&j, "syncid", dm[i].syncid);
		json_uint(&j, "sync_maxlen", dm[i].sync_maxlen);
		json_string(&j, "mcast_group", a);
		json_uint(&j, "mcast_port", dm[i].mcast_port ?
		    dm[i].mcast_port : 8848);
		json_uint(&j, "mcast_ttl", dm[i].mcast_ttl ?
		    dm[i].mcast_ttl : 1);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_document(&j);
}
