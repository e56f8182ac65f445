/*
 * The one door for rule changes.  Control requests (drlbadm), reloads
 * (--config, SIGHUP), health checks (--keepalived-config) all change
 * services and real servers through rules_apply, which does every step a
 * change needs: the VIP check against this host's kernel, the change
 * itself (svc_apply, IPVS's semantics), the connection tables' timeouts,
 * and the rate estimators.
 *
 * rules_converge brings the live rules to a wanted table (one a reload or
 * the health checks built on a scratch svc_table): services and real
 * servers the wanted table lacks are deleted, new ones added, changed ones
 * edited, through rules_apply.  Established connections are never touched.
 */
#ifndef DRLBD_RULES_H
#define DRLBD_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "drlb/ctl-t.h"
#include "drlb/svc-t.h"

struct drlbd;
struct svc;
struct svc_table;

/* May vip be a VIP here?  0, or EADDRINUSE with err saying why: an
 * address of this host's kernel is refused, unless its frames can be kept
 * from the kernel's IP layer (then they are, from now on). */
int rules_vip_check(struct drlbd *d, uint16_t af, const union drlb_inaddr *vip,
    char *err, size_t errlen);

/* Apply one control request (DRLB_CTL_FLUSH .. DRLB_CTL_SET_TIMEOUT): 0, or
 * a positive errno with err filled (libipvs's messages, or why the VIP is
 * refused). */
int rules_apply(struct drlbd *d, uint16_t op, const struct drlb_ctl_req *req,
    char *err, size_t errlen);

/* What a convergence changed. */
struct rules_diff {
	uint32_t svc_added, svc_deleted, svc_edited;
	uint32_t dest_added, dest_deleted, dest_edited;
	uint32_t timeouts_set;
	uint32_t failed;		/* changes refused (logged) */
};

/* flags of rules_converge */
#define RULES_LOG_EACH	0x1		/* log every change (health checks) */
#define RULES_TIMEOUTS	0x2		/* want's timeouts too (reloads) */

/* Bring every live service to want: live services want lacks deleted. */
void rules_converge(struct drlbd *d, struct svc_table *want,
    unsigned flags, struct rules_diff *diff);
/* The same for the one service w (of a wanted table) alone. */
void rules_converge_svc(struct drlbd *d, const struct svc *w, unsigned flags,
    struct rules_diff *diff);

#endif
