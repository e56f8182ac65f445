# drlb — one non-recursive GNU Makefile.
#   make            build/drlbd and build/drlbadm
#   make check      unit tests + integration tests (root, network namespaces)
#   make demo       the LVS-DR recipe on one machine (root)
#   make demo-keep  the same, its hosts left running to explore; make demo-stop
#   make demo-arp   the ARP problem played, then fixed (root)
#   make bench      benchmarks (bench/RESULTS.md explains them)
#   make install    PREFIX=/usr/local DESTDIR= (the Debian package installs the same)
#   SANITIZE=address,undefined make ...   builds everything with sanitizers

PKG_CONFIG ?= pkg-config
LIBNET_CONFIG ?= libnet-config
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=

B := build
# the version is said once, in debian/changelog's first line ("drlb (0.1) ...");
# the binaries get it as DRLB_VERSION
DRLB_VERSION := $(or $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null),unknown)
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line are
# used (dpkg-buildflags' hardening); ours are added to CPPFLAGS either way
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
override CPPFLAGS += -Iinclude -D_GNU_SOURCE -DDRLB_VERSION='"$(DRLB_VERSION)"'
XCFLAGS := -std=c11 $(WARN) -MMD -MP -pthread
LDLIBS += -pthread
ifneq ($(SANITIZE),)
# a sanitizer report ends the program: tests cannot pass over one
XCFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap)
PCAP_LIBS   := $(shell $(PKG_CONFIG) --libs libpcap)
CAPNG_LIBS  := $(shell $(PKG_CONFIG) --libs libcap-ng)
NFT_LIBS    := $(shell $(PKG_CONFIG) --libs libnftnl libmnl)
# OpenSSL: SSL_GET (check_ssl.c) only, so drlbd alone links it
SSL_CFLAGS  := $(shell $(PKG_CONFIG) --cflags openssl)
SSL_LIBS    := $(shell $(PKG_CONFIG) --libs openssl)
# libnet 1.1.6 ships no .pc file; its defines (-D__FAVOR_BSD renames struct
# tcphdr's fields) stay confined to the one file that includes libnet.h.
LIBNET_DEFS := $(shell $(LIBNET_CONFIG) --defines)
LIBNET_LIBS := $(shell $(LIBNET_CONFIG) --libs)

COMMON_SRC := $(wildcard src/common/*.c)
SCHED_SRC  := $(wildcard src/drlbd/sched/*.c)
DRLBD_SRC  := $(wildcard src/drlbd/*.c src/drlbd/sched/*.c src/drlbd/io/*.c)
ADM_SRC    := $(wildcard src/drlbadm/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

COMMON_OBJ := $(call obj,$(COMMON_SRC))
DRLBD_OBJ  := $(call obj,$(DRLBD_SRC))
ADM_OBJ    := $(call obj,$(ADM_SRC))

all: $(B)/drlbd $(B)/drlbadm

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

# the only files that include libnet.h (ARP, and IPv6 neighbor discovery)
$(B)/obj/src/drlbd/arp.o: override CPPFLAGS += $(LIBNET_DEFS) -D_DEFAULT_SOURCE
$(B)/obj/src/drlbd/ndp.o: override CPPFLAGS += $(LIBNET_DEFS) -D_DEFAULT_SOURCE
$(B)/obj/src/drlbd/filter.o $(B)/obj/src/drlbd/io/pcap.o: override CPPFLAGS += $(PCAP_CFLAGS)
$(B)/obj/src/drlbd/check_ssl.o: override CPPFLAGS += $(SSL_CFLAGS)
# the files that print the version are rebuilt when it changes
$(B)/obj/src/drlbd/main.o $(B)/obj/src/drlbadm/main.o: $(wildcard debian/changelog)

$(B)/drlbd: $(DRLBD_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(LIBNET_LIBS) $(CAPNG_LIBS) $(NFT_LIBS) $(SSL_LIBS) $(LDLIBS)

$(B)/drlbadm: $(ADM_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# ---------------------------------------------------------------- link sets
# What links with what: one variable per set, as sources (obj maps them).
# TABLES: the rules (svc.c) and the connection table (conn*.c) with every
# scheduler, which belong together: svc.c finds schedulers by name,
# schedulers read real servers, conn*.c count connections on real servers.
# DP: the data path on top of them.  ADM_LIB: drlbadm without its main().
dsrc = $(addprefix src/drlbd/,$(1))
ADDR_SRC    := src/common/addr.c
TABLES_SRC  := $(call dsrc,svc.c log.c) $(wildcard src/drlbd/conn*.c) \
               $(SCHED_SRC) $(ADDR_SRC)
DP_SRC      := $(call dsrc,datapath.c trace.c csum.c) $(TABLES_SRC)
ADM_LIB_SRC := $(filter-out src/drlbadm/main.c,$(ADM_SRC)) $(COMMON_SRC)

# ---------------------------------------------------------------- unit tests
# Each unit test is a small program (tests/unit/NAME.c) linking only what it
# tests: NAME_SRC, besides NAME.c; a missing module is a link error that
# shows the dependency.
UNIT_ON_TABLES := test_conn test_sched test_svc test_rr test_sched_simple \
                  test_sched_mh test_sched_lc test_sched_index test_flood \
                  test_tmplkey
$(foreach t,$(UNIT_ON_TABLES),$(eval $(t)_SRC := $$(TABLES_SRC)))
UNIT_ON_DP := test_datapath test_datapath6 test_persist
$(foreach t,$(UNIT_ON_DP),$(eval $(t)_SRC := $$(DP_SRC)))
test_cmd_SRC      := $(COMMON_SRC)
test_fanout_SRC   := $(call dsrc,fanout.c)
test_fanout_LIBS  := $(PCAP_LIBS)
test_csum_SRC     := $(call dsrc,csum.c)
test_state_SRC    := $(call dsrc,statefile.c) $(TABLES_SRC)
test_sync_SRC     := $(call dsrc,sync.c) $(TABLES_SRC)
test_adm_SRC      := $(ADM_LIB_SRC)
test_est_SRC      := $(call dsrc,est.c) $(TABLES_SRC)
test_metrics_SRC  := $(call dsrc,metrics.c counters.c) $(TABLES_SRC)
test_counters_SRC := $(call dsrc,counters.c metrics.c) $(TABLES_SRC)
test_kaconf_SRC   := $(call dsrc,kaconf.c check_http.c check_tcp.c) $(TABLES_SRC)
# the corpus (tests/keepalived/*.conf) through kaconf and drlbadm's -S
test_kacorpus_SRC := $(call dsrc,kaconf.c) $(TABLES_SRC) \
                     $(filter-out $(ADDR_SRC),$(ADM_LIB_SRC))
UNIT := $(UNIT_ON_TABLES) $(UNIT_ON_DP) test_cmd test_fanout test_csum \
        test_state test_sync test_adm test_est test_metrics test_kaconf \
        test_counters test_kacorpus
# ARP and ND: arp.c and ndp.c build frames with libnet, which their tests
# get (with a recorder instead of its injector)
test_neigh_SRC    := $(call dsrc,neigh.c) $(TABLES_SRC)
test_arp_SRC      := $(call dsrc,arp.c neigh.c trace.c) $(TABLES_SRC)
test_arp_LIBS     := $(LIBNET_LIBS)
test_ndp_SRC      := $(call dsrc,ndp.c neigh.c trace.c) $(TABLES_SRC)
test_ndp_LIBS     := $(LIBNET_LIBS)
UNIT += test_neigh test_arp test_ndp
# the scrape's request parser (its responder around it: the metrics test)
test_metrics_http_SRC := $(call dsrc,metrics_http.c)
UNIT += test_metrics_http
$(foreach u,$(UNIT),$(eval $(u)_OBJ = $$(call obj,$$($(u)_SRC))))

UNIT_BIN = $(addprefix $(B)/tests/,$(UNIT)) $(addprefix $(B)/tests/replay_,$(FUZZ))

$(B)/tests/%: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd -iquote src/drlbadm $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $($*_OBJ) $($*_LIBS) $(LDLIBS)

define unit_deps
$(B)/tests/$(1): $$($(1)_OBJ)
endef
$(foreach u,$(UNIT),$(eval $(call unit_deps,$(u))))

# ---------------------------------------------------------------- fuzzing
# `make fuzz` builds each target with clang's libFuzzer (+ASan/UBSan) and runs
# it for FUZZ_SECONDS from the committed seed corpus (new inputs go to
# build/fuzz/corpus-NAME, crashes to build/fuzz/).  `make check` replays the
# committed corpus and regression inputs through the same targets built with
# tests/fuzz/driver.c instead (no clang needed).
FUZZ := fuzz_frame fuzz_rules fuzz_ctl fuzz_args fuzz_sync fuzz_kaconf
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
fuzz_frame_SRC  := $(DP_SRC)
fuzz_rules_SRC  := src/common/cmd.c $(TABLES_SRC)
fuzz_ctl_SRC    := $(ADM_LIB_SRC) $(TABLES_SRC)
fuzz_args_SRC   := src/common/cmd.c
fuzz_sync_SRC   := $(call dsrc,sync.c) $(TABLES_SRC)
fuzz_kaconf_SRC := $(call dsrc,kaconf.c) $(TABLES_SRC)
# fuzz_neigh: ARP and ND through the data path.  arp.c and ndp.c need
# libnet's defines, which no other source may get: a target lists them in
# NAME_LIBNET_SRC and links them as objects (the replay links $(B)/obj's)
fuzz_neigh_SRC  := $(call dsrc,neigh.c) $(DP_SRC)
fuzz_neigh_LIBNET_SRC := $(call dsrc,arp.c ndp.c)
fuzz_neigh_LIBS := $(LIBNET_LIBS)
FUZZ += fuzz_neigh
fuzz_statefile_SRC := $(call dsrc,statefile.c) $(TABLES_SRC)
FUZZ += fuzz_statefile
# the --metrics-listen responder, over loopback
fuzz_metrics_SRC := $(call dsrc,metrics_http.c)
FUZZ += fuzz_metrics
# HTTP_GET's and SSL_GET's answer parser
fuzz_http_reply_SRC := $(call dsrc,check_http.c check_tcp.c)
FUZZ += fuzz_http_reply
# the control socket: the daemon's objects but main.c (control.c reaches
# rules, stats, sync, ARP and ND, the workers' counters), with their
# libraries; arp.c and ndp.c as objects, for libnet's defines
fuzz_control_SRC := $(filter-out $(call dsrc,main.c arp.c ndp.c),$(DRLBD_SRC)) \
                    $(COMMON_SRC)
fuzz_control_LIBNET_SRC := $(call dsrc,arp.c ndp.c)
fuzz_control_LIBS := $(PCAP_LIBS) $(LIBNET_LIBS) $(CAPNG_LIBS) $(NFT_LIBS) $(SSL_LIBS)
FUZZ += fuzz_control
FUZZ_CPPFLAGS := $(CPPFLAGS) -iquote src/drlbd -iquote src/drlbadm -iquote tests/fuzz \
                 $(PCAP_CFLAGS) $(SSL_CFLAGS)

# libFuzzer's objects of NAME_LIBNET_SRC
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(LIBNET_DEFS) -D_DEFAULT_SOURCE -std=c11 -g -O1 -MMD -MP -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

define fuzz_rules_tmpl
$(B)/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/nonet.c $$($(1)_SRC) $$(patsubst %.c,$(B)/fuzz/obj/%.o,$$($(1)_LIBNET_SRC))
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $$@ $$(filter %.c %.o,$$^) $$($(1)_LIBS)
$(B)/tests/replay_$(1): tests/fuzz/$(1).c tests/fuzz/nonet.c tests/fuzz/driver.c $$($(1)_SRC) $$(call obj,$$($(1)_LIBNET_SRC))
	@mkdir -p $$(dir $$@)
	$(CC) $(FUZZ_CPPFLAGS) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $$@ $$(filter %.c %.o,$$^) $$($(1)_LIBS) $(LDLIBS)
endef
$(foreach f,$(FUZZ),$(eval $(call fuzz_rules_tmpl,$(f))))

# fuzz_statefile's seeds are files statefile_save writes: its source built
# as their writer (tests/fuzz/mkseeds.py runs it)
$(B)/tests/seed_statefile: tests/fuzz/fuzz_statefile.c $(fuzz_statefile_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_CPPFLAGS) -DSTATEFILE_SEEDS $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)

fuzz: $(addprefix $(B)/fuzz/,$(FUZZ))
	@for f in $(FUZZ); do \
		mkdir -p $(B)/fuzz/corpus-$$f; \
		echo "== $$f: $(FUZZ_SECONDS) s"; \
		$(B)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz/crash-$$f- \
			$(B)/fuzz/corpus-$$f tests/fuzz/corpus/$$f 2>&1 | \
			grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)' || true; \
	done; \
	if ls $(B)/fuzz/crash-* >/dev/null 2>&1; then \
		echo "crashes found:"; ls $(B)/fuzz/crash-*; exit 1; fi

# ---------------------------------------------------------------- benches
BENCH_BIN := $(addprefix $(B)/bench/,conn_bench dp_bench ring_latency gen fwd_ref \
	sched_bench lab)
$(B)/bench/conn_bench: bench/conn_bench.c $(call obj,$(TABLES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(B)/bench/sched_bench: bench/sched_bench.c $(call obj,$(TABLES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd -iquote tests/unit $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# dp_bench: datapath.c twice, with trace points and with them compiled out
# (its dp_process renamed dp_process_notrace), same frames, same tables
$(B)/bench/datapath_notrace.o: src/drlbd/datapath.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -DDRLB_NO_TRACE \
		-Ddp_process=dp_process_notrace -Ddp_init=dp_init_notrace \
		-Ddp_add_link=dp_add_link_notrace -c -o $@ $<
$(B)/bench/dp_bench: bench/dp_bench.c $(B)/bench/datapath_notrace.o $(call obj,$(DP_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd -iquote tests/unit $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(B)/bench/ring_latency: bench/ring_latency.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# fwd_bench.sh's traffic generator and reference forwarder (standalone)
$(B)/bench/gen $(B)/bench/fwd_ref: $(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# ---------------------------------------------------------------- scheduler lab
# `make lab`: build/bench/lab replays workloads through the daemon's own
# scheduler, service and connection-table code (the objects drlbd links),
# then bench/lab/run.sh writes CSVs (and PNGs when gnuplot is installed) to
# $(B)/lab/.  bench/lab/README.md explains it.
$(B)/bench/lab: bench/lab/lab.c $(call obj,$(TABLES_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd -iquote tests/unit $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lm

lab: $(B)/bench/lab
	B=$(B) bash bench/lab/run.sh

.PHONY: lab

# ---------------------------------------------------------------- test tools
# build/synflood: the bounded SYN flood of tests/integration/synflood.sh,
# always built plain and optimised (a load generator, not code under test)
$(B)/synflood: tests/tools/synflood.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -o $@ $<

# the benches are built (not run) with the tests, so they cannot rot
check: $(B)/synflood $(BENCH_BIN)

# ---------------------------------------------------------------- targets
# the integration tests run the binaries of this build (B=..., SANITIZE=...)
check: all $(UNIT_BIN)
	NL_DRLBD=$(abspath $(B))/drlbd NL_DRLBADM=$(abspath $(B))/drlbadm \
		bash tests/run.sh $(UNIT_BIN)

unit: all $(UNIT_BIN)
	bash tests/run.sh --unit-only $(UNIT_BIN)

# the README's one command on a fresh machine: install what is missing,
# build, play the recipe
demo:
	bash tools/install-deps.sh
	$(MAKE) all
	bash tools/demo.sh

# the demo's hosts left running, a shell hint per host; demo-stop removes them
demo-keep:
	bash tools/install-deps.sh
	$(MAKE) all
	bash tools/demo.sh --keep

demo-stop:
	bash tools/demo.sh --stop

# the recipe without the real servers' ARP sysctls, then with them
demo-arp:
	bash tools/install-deps.sh
	$(MAKE) all
	bash tools/demo.sh --arp-problem

bench: all $(BENCH_BIN)
	bash bench/run.sh

# What a director installs (the Debian package installs exactly this, with
# PREFIX=/usr): the binaries and the real-server and VRRP scripts to sbin
# (conf/keepalived-vrrp.conf calls $(PREFIX)/sbin/drlb-vrrp-notify), man
# pages, the unit (its paths pointed at PREFIX), the socket group's
# sysusers.d entry, docs, and conf/*.conf as examples.
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR ?= $(PREFIX)/share/doc/drlb
DOCS := README.md SECURITY.md docs/json.md docs/tour.md
EXAMPLES := $(wildcard conf/*.conf)
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(B)/drlbd $(B)/drlbadm tools/drlb-realserver \
	    tools/drlb-vrrp-notify $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 man/drlbd.8 man/drlbadm.8 man/drlb-realserver.8 \
	    man/drlb-vrrp-notify.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' conf/drlbd.service \
	    > $(DESTDIR)$(UNITDIR)/drlbd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/drlbd.service
	install -m 0644 conf/drlb.sysusers $(DESTDIR)$(SYSUSERSDIR)/drlb.conf
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	for f in $(EXAMPLES); do \
	    sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' $$f > $(DESTDIR)$(DOCDIR)/examples/$${f##*/} && \
	    chmod 0644 $(DESTDIR)$(DOCDIR)/examples/$${f##*/} || exit 1; \
	done
	@# the unit runs drlbd with --socket-group drlb: on a live system
	@# (no DESTDIR) make the group now, as the package's postinst does
	@if [ -z "$(DESTDIR)" ] && ! getent group drlb >/dev/null; then \
	    echo "creating system group drlb (members may list drlbd's rules)"; \
	    groupadd --system drlb; \
	fi

clean:
	rm -rf $(B)

.PHONY: all check unit demo demo-keep demo-stop demo-arp bench install clean fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
