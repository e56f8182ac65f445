#!/usr/bin/env python3
# tests/golden/derive.py — how the golden files in this directory were made.
#
# Not run by the tests.  It writes ipvsadm 1.31's output for the states that
# tests/unit/test_adm.c builds, applying ipvsadm.c's own printf formats
# (print_title, print_service_entry, print_largenum, print_conn, list_all,
# list_timeout) with Python's %-formatting, which has the same semantics for
# %-28s, %8s, %9llu and friends.  It shares no code with src/drlbadm/list.c,
# so a golden file is an independent oracle, not a snapshot of our output.
#
#   python3 tests/golden/derive.py     (rewrites tests/golden/*.out)
import os
out = os.path.dirname(os.path.abspath(__file__))
def largenum(i, exact=False):
    if exact:
        l = len(str(i)); w = 9 if l <= 8 else l + 1
        return '%*d' % (w, i)
    if i < 100000000: return '%9d' % i
    if i < 1000000000: return '%8dK' % (i // 1000)
    if i < 100000000000: return '%8dM' % (i // 1000000)
    if i < 100000000000000: return '%8dG' % (i // 1000000000)
    return '%8dT' % (i // 1000000000000)
HDR = 'IP Virtual Server version 1.2.1 (size=4096)\n'
TITLE = 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n'
STATS_T = '%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n' % ('Prot LocalAddress:Port','Conns','InPkts','OutPkts','InBytes','OutBytes')
RATE_T = '%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n' % ('Prot LocalAddress:Port','CPS','InPPS','OutPPS','InBPS','OutBPS')
THR_T = '%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n' % ('Prot LocalAddress:Port','Uthreshold','Lthreshold','ActiveConn','InActConn')
PC_T = '%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n' % ('Prot LocalAddress:Port','Weight','PersistConn','ActiveConn','InActConn')
TUN_T = 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n'

# recipe state (sorted order): svc TCP 198.18.0.1:80 wlc.  .8's one connection
# is the -c listing's SYN_RECV one below, which IPVS counts in ActiveConn
# (tcp_state_active_table in ip_vs_proto_tcp.c: SYN_SENT, SYN_RECV, ESTABLISHED
# and SYNACK are active; every other state, and UDP, inactive).
svc = dict(name='198.18.0.1:80', sched='wlc', stats=(123456789, 98765432109, 0, 12345678901234, 0),
           rates=(12, 3456, 0, 4567890123, 0))
dests = [  # addr, weight, active, inact, persist, uthr, lthr, stats, rates
  dict(name='198.18.0.7:80', w=2, act=3, inact=12, pers=0, u=0, l=0,
       stats=(61728394, 99999999, 0, 100000000, 0), rates=(7, 2000, 0, 123456789, 0)),
  dict(name='198.18.0.8:80', w=2, act=1, inact=0, pers=0, u=100, l=50,
       stats=(5, 1000000000, 0, 123456789012345678, 0), rates=(5, 1456, 0, 99999999, 0)),
]
def svcname(proto, name): return ('%-4s %s' % (proto, name))[:33]
def w(fn, s):
    open(os.path.join(out, fn), 'w').write(s)

s = HDR + TITLE + '%s %s\n' % (svcname('TCP', svc['name']), svc['sched'])
for d in dests:
    s += '  -> %-28s %-7s %-6d %-10u %-10u\n' % (d['name'], 'Route', d['w'], d['act'], d['inact'])
w('recipe_list_n.out', s)

for exact, fn in ((False, 'recipe_list_n_stats.out'), (True, 'recipe_list_n_stats_exact.out')):
    s = HDR + STATS_T + '%-33s' % svcname('TCP', svc['name']) + ''.join(largenum(x, exact) for x in svc['stats']) + '\n'
    for d in dests:
        s += '  -> %-28s' % d['name'] + ''.join(largenum(x, exact) for x in d['stats']) + '\n'
    w(fn, s)

s = HDR + RATE_T + '%-33s' % svcname('TCP', svc['name']) + ''.join(largenum(x) for x in svc['rates']) + '\n'
for d in dests:
    r = d['rates']
    s += '  -> %-28s %8u %8u %8u' % (d['name'], r[0], r[1], r[2]) + largenum(r[3]) + largenum(r[4]) + '\n'
w('recipe_list_n_rate.out', s)

s = HDR + THR_T + '%s %s\n' % (svcname('TCP', svc['name']), svc['sched'])
for d in dests:
    s += '  -> %-28s %-10u %-10u %-10u %-10u\n' % (d['name'], d['u'], d['l'], d['act'], d['inact'])
w('recipe_list_n_thresholds.out', s)

s = HDR + PC_T + '%s %s\n' % (svcname('TCP', svc['name']), svc['sched'])
for d in dests:
    s += '  -> %-28s %-9u %-11u %-10u %-10u\n' % (d['name'], d['w'], d['pers'], d['act'], d['inact'])
w('recipe_list_n_persistent_conn.out', s)

s = HDR + TUN_T + '%s %s\n' % (svcname('TCP', svc['name']), svc['sched'])
for d in dests:
    s += '  -> %-28s %-7s %-13s %-6d %-10u %-10u\n' % (d['name'], 'Route', 'n/a', d['w'], d['act'], d['inact'])
w('recipe_list_n_tun_info.out', s)

# -L -n -t 198.18.0.1:80 : no version header
s = TITLE + '%s %s\n' % (svcname('TCP', svc['name']), svc['sched'])
for d in dests:
    s += '  -> %-28s %-7s %-6d %-10u %-10u\n' % (d['name'], 'Route', d['w'], d['act'], d['inact'])
w('recipe_list_n_service.out', s)

# after -E ... -s wrr and -e ... -w 3: -S -n
s = '-A -t 198.18.0.1:80 -s wrr\n'
s += '-a -t 198.18.0.1:80 -r 198.18.0.7:80 -g -w 3\n'
s += '-a -t 198.18.0.1:80 -r 198.18.0.8:80 -g -w 2\n'
w('recipe_save_n.out', s)

# multi-service state: TCP wlc persistent 600 mask 255.255.255.0 ; UDP 198.18.0.1:53 rr ops;
# TCP 198.18.0.2:443 sh flags sh-fallback,sh-port ; UDP 198.18.0.2:0 persistent 360 (port 0)
multi = [
  ('TCP', '-t', '198.18.0.1:80', 'wlc', ' persistent 600 mask 255.255.255.0', ' -p 600 -M 255.255.255.0',
     [('198.18.0.7:80', 1, 0, 0), ('198.18.0.10:80', 5, 1, 2)]),
  ('TCP', '-t', '198.18.0.2:443', 'sh', ' (sh-fallback,sh-port)', ' -b sh-fallback,sh-port',
     [('198.18.0.7:443', 0, 0, 0)]),
  ('UDP', '-u', '198.18.0.1:53', 'rr', ' ops', ' -o',
     [('198.18.0.9:53', 1, 0, 4)]),
  ('UDP', '-u', '198.18.0.2:0', 'wlc', ' persistent 360', ' -p 360',
     []),
]
s = HDR + TITLE
for proto, opt, name, sched, lflags, sflags, ds in multi:
    s += '%s %s%s\n' % (svcname(proto, name), sched, lflags)
    for dn, wt, a, i in ds:
        s += '  -> %-28s %-7s %-6d %-10u %-10u\n' % (dn, 'Route', wt, a, i)
w('multi_list_n.out', s)
s = ''
for proto, opt, name, sched, lflags, sflags, ds in multi:
    s += '-A %s %s -s %s%s\n' % (opt, name, sched, sflags)
    for dn, wt, a, i in ds:
        s += '-a %s %s -r %s %s -w %d\n' % (opt, name, dn, '-g', wt)
w('multi_save_n.out', s)

# sort quirk: int(ntohl(a) - ntohl(b)) wraps, 200.1.1.1 sorts before 10.1.1.1
s = HDR + TITLE
s += '%s %s\n' % (svcname('TCP', '200.1.1.1:80'), 'wlc')
s += '%s %s\n' % (svcname('TCP', '10.1.1.1:80'), 'wlc')
s += '%s %s\n' % (svcname('TCP', '10.1.1.1:8080'), 'wlc')
w('sort_quirk_list_n.out', s)

# non-numeric: 127.0.0.1 -> localhost, 80/tcp -> http, 53/udp -> domain
s = HDR + TITLE
s += '%s %s\n' % (svcname('TCP', 'localhost:http'), 'wlc')
s += '  -> %-28s %-7s %-6d %-10u %-10u\n' % ('localhost:http', 'Route', 1, 0, 0)
s += '%s %s\n' % (svcname('UDP', 'localhost:domain'), 'rr')
w('names_list.out', s)
s = '-A -t localhost:http -s wlc\n-a -t localhost:http -r localhost:http -g -w 1\n-A -u localhost:domain -s rr\n'
w('names_save.out', s)

# IPv6 service
s = HDR + TITLE
s += '%s %s\n' % ('%-4s %s' % ('TCP', '[2001:db8::1]:80'), 'wlc')
s += '  -> %-28s %-7s %-6d %-10u %-10u\n' % ('[2001:db8::7]:80', 'Route', 1, 0, 0)
w('v6_list_n.out', s)
w('v6_save_n.out', '-A -t [2001:db8::1]:80 -s wlc\n-a -t [2001:db8::1]:80 -r [2001:db8::7]:80 -g -w 1\n')

# -c : connections
def exp(sec): return '%02d:%02d' % (sec // 60, sec % 60)
s = 'IPVS connection entries\n' + 'pro expire %-11s %-18s %-18s %s\n' % ('state', 'source', 'virtual', 'destination')
conns = [('TCP', 899, 'ESTABLISHED', '198.18.0.100:40001', '198.18.0.1:80', '198.18.0.7:80'),
         ('TCP', 59, 'SYN_RECV', '198.18.0.100:40002', '198.18.0.1:80', '198.18.0.8:80'),
         ('UDP', 299, 'UDP', '198.18.0.101:5353', '198.18.0.1:53', '198.18.0.9:53'),
         ('TCP', 360, 'NONE', '198.18.0.100:0', '198.18.0.1:80', '198.18.0.7:80')]
for c in conns:
    s += '%-3s %-6s %-11s %-18s %-18s %s\n' % (c[0], exp(c[1]), c[2], c[3], c[4], c[5])
w('conns_list_n.out', s)
s = 'IPVS connection entries\n' + 'pro expire %-11s %-18s %-18s %-18s %-16s %s\n' % ('state', 'source', 'virtual', 'destination', 'pe name', 'pe_data')
for c in conns[:1]:
    s += '%-3s %-6s %-11s %-18s %-18s %s\n' % (c[0], exp(c[1]), c[2], c[3], c[4], c[5])
w('conns_list_n_persistent_conn.out', s)

w('timeout.out', 'Timeout (tcp tcpfin udp): %d %d %d\n' % (900, 120, 300))

# ---------------------------------------------------------------- --json
# drlb's own format (docs/json.md, schema 1).  Written with the standard
# json module (indent=2, ensure_ascii), whose layout the C writer mirrors;
# the values come from the same states as the text listings above.
import json
def wj(fn, obj):
    w(fn, json.dumps(obj, indent=2) + '\n')
def stats(t): return dict(zip(('conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes'), t))
def rate(t): return dict(zip(('cps', 'inpps', 'outpps', 'inbps', 'outbps'), t))
def jsvc(proto, addr, port, sched, servers, flags=(), persistent=False, timeout=0,
         netmask='255.255.255.255', one_packet=False, st=(0,) * 5, rt=(0,) * 5, family='inet'):
    return {'protocol': proto, 'family': family, 'address': addr, 'port': port,
            'scheduler': sched, 'sched_flags': list(flags), 'persistent': persistent,
            'persistence_timeout': timeout, 'netmask': netmask, 'pe': '',
            'one_packet': one_packet, 'stats': stats(st), 'rate': rate(rt),
            'servers': servers}
def jdest(addr, port, w_, act=0, inact=0, u=0, l=0, pers=0, overloaded=False,
          arp='pending', mac='', st=(0,) * 5, rt=(0,) * 5):
    return {'address': addr, 'port': port, 'forward': 'Route', 'weight': w_,
            'u_threshold': u, 'l_threshold': l, 'active_conns': act,
            'inactive_conns': inact, 'persistent_conns': pers,
            'overloaded': overloaded, 'arp': arp, 'mac': mac,
            'stats': stats(st), 'rate': rate(rt)}
def jdoc(listing, services):
    return {'schema': 1, 'kind': 'services', 'listing': listing,
            'ipvs_version': '1.2.1', 'conn_table_size': 4096, 'services': services}

# recipe: .7 answered ARP (02:00:00:00:00:07), .8 did not and is overloaded
d7, d8 = dests
recipe_json = [jsvc('TCP', '198.18.0.1', 80, 'wlc', [
    jdest('198.18.0.7', 80, 2, 3, 12, arp='resolved', mac='02:00:00:00:00:07',
          st=d7['stats'], rt=d7['rates']),
    jdest('198.18.0.8', 80, 2, 1, 0, u=100, l=50, overloaded=True, arp='failed',
          st=d8['stats'], rt=d8['rates'])],
    st=svc['stats'], rt=svc['rates'])]
for listing, fn in (('plain', 'recipe_list_json.out'), ('stats', 'recipe_list_stats_json.out'),
                    ('rate', 'recipe_list_rate_json.out'),
                    ('thresholds', 'recipe_list_thresholds_json.out'),
                    ('persistent-conn', 'recipe_list_persistent_conn_json.out')):
    wj(fn, jdoc(listing, recipe_json))
# -L -t 198.18.0.1:80 --json: the same document with the one service
wj('recipe_list_service_json.out', jdoc('plain', recipe_json))

wj('multi_list_json.out', jdoc('plain', [
    jsvc('TCP', '198.18.0.1', 80, 'wlc', [jdest('198.18.0.7', 80, 1),
                                          jdest('198.18.0.10', 80, 5, 1, 2)],
         persistent=True, timeout=600, netmask='255.255.255.0'),
    jsvc('TCP', '198.18.0.2', 443, 'sh', [jdest('198.18.0.7', 443, 0)],
         flags=('sh-fallback', 'sh-port')),
    jsvc('UDP', '198.18.0.1', 53, 'rr', [jdest('198.18.0.9', 53, 1, 0, 4)], one_packet=True),
    jsvc('UDP', '198.18.0.2', 0, 'wlc', [], persistent=True, timeout=360),
]))
wj('sort_quirk_list_json.out', jdoc('plain', [
    jsvc('TCP', '200.1.1.1', 80, 'wlc', []), jsvc('TCP', '10.1.1.1', 80, 'wlc', []),
    jsvc('TCP', '10.1.1.1', 8080, 'wlc', [])]))
wj('v6_list_json.out', jdoc('plain', [
    jsvc('TCP', '2001:db8::1', 80, 'wlc', [jdest('2001:db8::7', 80, 1)],
         netmask='128', family='inet6')]))
# names are never resolved in JSON: same document with or without -n
wj('names_list_json.out', jdoc('plain', [
    jsvc('TCP', '127.0.0.1', 80, 'wlc', [jdest('127.0.0.1', 80, 1)]),
    jsvc('UDP', '127.0.0.1', 53, 'rr', [])]))

def jconn(proto, state, ms, c, v, d, template=False):
    return {'protocol': proto, 'family': 'inet', 'state': state, 'template': template,
            'expires': ms // 1000, 'expires_ms': ms,
            'source_address': c[0], 'source_port': c[1],
            'virtual_address': v[0], 'virtual_port': v[1],
            'destination_address': d[0], 'destination_port': d[1]}
wj('conns_list_json.out', {'schema': 1, 'kind': 'connections', 'connections': [
    jconn('TCP', 'ESTABLISHED', 899999, ('198.18.0.100', 40001), ('198.18.0.1', 80), ('198.18.0.7', 80)),
    jconn('TCP', 'SYN_RECV', 59500, ('198.18.0.100', 40002), ('198.18.0.1', 80), ('198.18.0.8', 80)),
    jconn('UDP', 'UDP', 299000, ('198.18.0.101', 5353), ('198.18.0.1', 53), ('198.18.0.9', 53)),
    jconn('TCP', 'NONE', 360000, ('198.18.0.100', 0), ('198.18.0.1', 80), ('198.18.0.7', 80), True)]})
wj('conns_empty_json.out', {'schema': 1, 'kind': 'connections', 'connections': []})
wj('timeout_json.out', {'schema': 1, 'kind': 'timeout', 'tcp': 900, 'tcpfin': 120, 'udp': 300})
wj('daemon_json.out', {'schema': 1, 'kind': 'daemon', 'daemons': []})

# ---------------------------------------------------------------- save files
# tests/golden/ipvsadm-S-*.in are what `ipvsadm -S` (without -n) writes on
# an IPVS host where 127.0.0.1 is localhost and /etc/services names the
# ports; loaded with -R (test_adm.c), `-S -n` must print the same rules
# numerically, in ipvsadm's order (services by protocol then address then
# port; reals by address): TCP before UDP, v4 (AF_INET 2) before v6
# (AF_INET6 10) -- af is compared before the protocol.
w('ipvsadm-S-names.out', '''\
-A -t 127.0.0.1:80 -s wlc
-a -t 127.0.0.1:80 -r 198.18.0.7:80 -g -w 2
-a -t 127.0.0.1:80 -r 198.18.0.8:80 -g -w 1
-A -t 198.18.0.1:443 -s wrr -p 360 -M 255.255.255.0
-a -t 198.18.0.1:443 -r 127.0.0.1:443 -g -w 1
-a -t 198.18.0.1:443 -r 198.18.0.10:443 -g -w 5
-A -t 198.18.0.2:0 -s sh -p 600 -b sh-fallback,sh-port
-a -t 198.18.0.2:0 -r 198.18.0.9:0 -g -w 0
-A -u 198.18.0.1:53 -s rr -o
-a -u 198.18.0.1:53 -r 127.0.0.1:53 -g -w 1
-A -u 198.18.0.3:123 -s wlc -p 360
-a -u 198.18.0.3:123 -r 198.18.0.9:123 -g -w 3
-A -t [2001:db8::1]:80 -s lc
-a -t [2001:db8::1]:80 -r [2001:db8::7]:80 -g -w 1
''')
w('ipvsadm-S-restore.out', '''\
-A -t 198.18.0.1:25 -s sed -p 360
-a -t 198.18.0.1:25 -r 198.18.0.7:25 -g -w 1
-A -t 198.18.0.1:80 -s wlc
-a -t 198.18.0.1:80 -r 198.18.0.7:80 -g -w 1
-a -t 198.18.0.1:80 -r 198.18.0.8:80 -g -w 2
''')
