/* drlbadm --announce's listing; see list_announce.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "drlb/ctl-t.h"
#include "list_announce.h"
#include "json.h"

static const char *
addr_str(char *buf, size_t len, const struct drlb_ctl_announce_vip *v)
{
	if (inet_ntop(v->af, v->addr.b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static void
text(FILE *f, const struct drlb_ctl_announce *h,
    const struct drlb_ctl_announce_vip *v)
{
	char a[INET6_ADDRSTRLEN];

	if (h->table == 0) {
		fprintf(f, "drlbd announces no VIP (it runs without "
		    "--announce-table)\n");
		return;
	}
	fprintf(f, "VIP announcement: routing table %u, device %.*s%s%s\n",
	    h->table, (int)strnlen(h->device, sizeof(h->device)), h->device,
	    h->draining ? ", drained (drlbadm --drain off announces again)" :
	    "", h->failed ? ", the last change failed (drlbd's log says why; "
	    "retried every second)" : "");
	fprintf(f, "%-40s %-10s %-7s %-13s %s\n", "VIP", "State", "Usable",
	    "Real servers", "Services");
	for (uint32_t i = 0; i < h->nvips; i++)
		fprintf(f, "%-40s %-10s %-7u %-13u %u\n", addr_str(a,
		    sizeof(a), &v[i]), v[i].announced ? "announced" :
		    "withdrawn", v[i].usable, v[i].dests, v[i].services);
}

static void
json(FILE *f, const struct drlb_ctl_announce *h,
    const struct drlb_ctl_announce_vip *v)
{
	struct json j;
	char a[INET6_ADDRSTRLEN];

	json_init(&j, f);
	json_begin_object(&j, NULL);
	json_uint(&j, "schema", 1);
	json_string(&j, "kind", "announce");
	json_uint(&j, "table", h->table);
	json_string_n(&j, "device", h->device, strnlen(h->device,
	    sizeof(h->device)));
	json_bool(&j, "draining", h->draining != 0);
	json_bool(&j, "failed", h->failed != 0);
	json_begin_array(&j, "vips");
	for (uint32_t i = 0; i < h->nvips; i++) {
		json_begin_object(&j, NULL);
		json_string(&j, "address", addr_str(a, sizeof(a), &v[i]));
		json_bool(&j, "announced", v[i].announced != 0);
		json_uint(&j, "usable", v[i].usable);
		json_uint(&j, "real_servers", v[i].dests);
		json_uint(&j, "services", v[i].services);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

int
list_announce(FILE *f, const void *body, size_t len, int as_json)
{
	struct drlb_ctl_announce h;

	if (len < sizeof(h)) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&h, body, sizeof(h));
	if (h.nvips > (len - sizeof(h)) /
	    sizeof(struct drlb_ctl_announce_vip) ||
	    len != sizeof(h) + h.nvips * sizeof(struct drlb_ctl_announce_vip)) {
		errno = EPROTO;
		return -1;
	}
	/* the entries follow the header, aligned (both are 4-byte) */
	if (as_json)
		json(f, &h, (const struct drlb_ctl_announce_vip *)
		    ((const char *)body + sizeof(h)));
	else
		text(f, &h, (const struct drlb_ctl_announce_vip *)
		    ((const char *)body + sizeof(h)));
	return 0;
}
