/*
 * Persistence templates (IPVS connection templates): entries of the same
 * table, keyed by the client group, bound to the real server the group
 * sticks to; and the links between a template and the connections it
 * placed (IPVS cp->control, n_control), kept in the table's aux[].
 */
#include "conn_int.h"
#include "svc.h"

void
conn_template_key(const struct svc *svc, const struct conn_key *k,
    struct conn_key *tk)
{
	*tk = *k;
	if (k->af == AF_INET6) {
		/* IPv6: -M is a prefix length (IPVS ipv6_addr_prefix) */
		uint32_t plen = svc->conf.netmask > 128 ? 128 :
		    svc->conf.netmask;

		for (uint32_t i = 0; i < 16; i++) {
			uint32_t bits = plen > i * 8 ? plen - i * 8 : 0;

			if (bits < 8)
				tk->caddr.b[i] &= (uint8_t)(0xff00 >> bits);
		}
	} else
		tk->caddr.in.s_addr &= svc->conf.netmask;
	tk->cport = 0;
	/* a port-0 service sticks all ports of its VIP together */
	if (ntohs(k->vport) != svc->conf.port)
		tk->vport = 0;
	tk->af |= CONN_KEY_TEMPLATE;
}

struct conn *
conn_template_insert(struct conn_table *t, const struct conn_key *k,
    struct dest *dest, uint32_t now, uint32_t timeout)
{
	struct conn *c;

	if (timeout == 0 || timeout > 0xffffff)
		timeout = timeout ? 0xffffff : 1;
	c = conn_alloc(t, k, dest, now + timeout);
	if (c == NULL)
		return NULL;
	c->flags = CONN_F_INUSE | CONN_F_TEMPLATE;
	/* read back by conn_template_timeout */
	c->state = (uint8_t)(timeout & 0xff);
	c->reserved = (uint16_t)(timeout >> 8);
	/* IPVS ip_vs_bind_dest: a template counts in PersistConn only and
	 * leaves -x/-y alone */
	dest->persistconns++;
	return c;
}

void
conn_template_touch(struct conn_table *t, struct conn *tmpl, uint32_t now)
{
	wdue(t, tmpl, now + conn_template_timeout(tmpl));
}

void
conn_set_control(struct conn_table *t, struct conn *c, struct conn *tmpl)
{
	uint32_t tid = (uint32_t)(tmpl - t->tt->conns);

	t->aux[c - t->conns] = tid + 1;
	t->tt->aux[tid]++;
}

uint32_t
conn_n_control(const struct conn_table *t, const struct conn *tmpl)
{
	return t->aux[tmpl - t->conns];
}

struct conn *
conn_control(struct conn_table *t, const struct conn *c)
{
	uint32_t a = t->aux[c - t->conns];

	return (c->flags & CONN_F_TEMPLATE) || a == 0 ? NULL :
	    &t->tt->conns[a - 1];
}

void
conn_template_invalidate(struct conn_table *t, struct conn *tmpl)
{
	uint32_t id = (uint32_t)(tmpl - t->conns);

	if (tmpl->key.vport == 0xffff)
		return;
	/* IPVS ip_vs_check_template: rehash under a port no lookup uses,
	 * so a new template can take the key while this one lives on for
	 * the connections it still controls */
	conn_hash_unlink(t, id);
	tmpl->key.vport = 0xffff;
	tmpl->key.cport = 0;
	conn_hash_link(t, id);
}

