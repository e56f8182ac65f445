# drlb — one non-recursive GNU Makefile.
#   make            build/drlbd and build/drlbadm
#   make check      unit tests + integration tests (root, network namespaces)
#   make demo       the LVS-DR recipe on one machine (root)
#   make bench      benchmarks (bench/RESULTS.md explains them)
#   make install    PREFIX=/usr/local DESTDIR=
#   SANITIZE=address,undefined make ...   builds everything with sanitizers

PKG_CONFIG ?= pkg-config
LIBNET_CONFIG ?= libnet-config
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=

B := build
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CPPFLAGS += -Iinclude -D_GNU_SOURCE
XCFLAGS := -std=c11 $(WARN) -MMD -MP -pthread
LDLIBS += -pthread
ifneq ($(SANITIZE),)
# a sanitizer report ends the program: tests cannot pass over one
XCFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap)
PCAP_LIBS   := $(shell $(PKG_CONFIG) --libs libpcap)
CAPNG_LIBS  := $(shell $(PKG_CONFIG) --libs libcap-ng)
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
$(B)/obj/src/drlbd/arp.o: CPPFLAGS += $(LIBNET_DEFS) -D_DEFAULT_SOURCE
$(B)/obj/src/drlbd/ndp.o: CPPFLAGS += $(LIBNET_DEFS) -D_DEFAULT_SOURCE
$(B)/obj/src/drlbd/filter.o $(B)/obj/src/drlbd/io/pcap.o: CPPFLAGS += $(PCAP_CFLAGS)

$(B)/drlbd: $(DRLBD_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(PCAP_LIBS) $(LIBNET_LIBS) $(CAPNG_LIBS) $(LDLIBS)

$(B)/drlbadm: $(ADM_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# ---------------------------------------------------------------- unit tests
# Each unit test is a small program linking only the modules it tests:
#   UNIT += name ; name_OBJ := objects besides tests/unit/name.c
UNIT :=
UNIT += test_conn
test_conn_OBJ := $(call obj,src/drlbd/conn.c src/drlbd/svc.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_sched
test_sched_OBJ := $(call obj,src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_svc
test_svc_OBJ := $(call obj,src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_rr
test_rr_OBJ := $(call obj,src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
# scheduler tests (issue 3): each links the whole scheduler set
SCHED_TEST_OBJ := $(call obj,src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
define sched_test
UNIT += $$(if $$(wildcard tests/unit/$(1).c),$(1))
$(1)_OBJ := $$(SCHED_TEST_OBJ)
endef
$(foreach t,test_sched_simple test_sched_mh test_sched_lc,$(eval $(call sched_test,$(t))))
UNIT += test_cmd
test_cmd_OBJ := $(COMMON_OBJ)
UNIT += test_fanout
test_fanout_OBJ := $(call obj,src/drlbd/fanout.c)
test_fanout_LIBS := $(PCAP_LIBS)
UNIT += test_csum
test_csum_OBJ := $(call obj,src/drlbd/csum.c)
UNIT += test_datapath
test_datapath_OBJ := $(call obj,src/drlbd/datapath.c src/drlbd/trace.c src/drlbd/csum.c src/drlbd/conn.c src/drlbd/svc.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_state
test_state_OBJ := $(SCHED_TEST_OBJ) $(call obj,src/drlbd/statefile.c)
UNIT += test_sync
test_sync_OBJ := $(SCHED_TEST_OBJ) $(call obj,src/drlbd/sync.c)
UNIT += test_flood
test_flood_OBJ := $(SCHED_TEST_OBJ)
UNIT += test_persist
test_persist_OBJ := $(test_datapath_OBJ)
UNIT += $(if $(wildcard tests/unit/test_datapath6.c),test_datapath6)
test_datapath6_OBJ := $(test_datapath_OBJ)
UNIT += test_adm
test_adm_OBJ := $(filter-out $(B)/obj/src/drlbadm/main.o,$(ADM_OBJ)) $(COMMON_OBJ)
UNIT += test_est
test_est_OBJ := $(call obj,src/drlbd/est.c src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_metrics
test_metrics_OBJ := $(call obj,src/drlbd/metrics.c src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c)
UNIT += test_kaconf
test_kaconf_OBJ := $(SCHED_TEST_OBJ) $(call obj,src/drlbd/kaconf.c src/drlbd/check_http.c src/drlbd/check_tcp.c)

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
fuzz_frame_SRC := src/drlbd/datapath.c src/drlbd/trace.c src/drlbd/csum.c src/drlbd/conn.c src/drlbd/svc.c $(SCHED_SRC) src/drlbd/log.c
fuzz_rules_SRC := src/common/cmd.c src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c
fuzz_ctl_SRC := src/common/cmd.c $(filter-out src/drlbadm/main.c,$(ADM_SRC)) src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c
fuzz_args_SRC := src/common/cmd.c
fuzz_sync_SRC := src/drlbd/sync.c src/drlbd/conn.c src/drlbd/svc.c $(SCHED_SRC) src/drlbd/log.c
fuzz_kaconf_SRC := src/drlbd/kaconf.c src/drlbd/svc.c src/drlbd/conn.c $(SCHED_SRC) src/drlbd/log.c
FUZZ_CPPFLAGS := $(CPPFLAGS) -iquote src/drlbd -iquote src/drlbadm -iquote tests/fuzz

define fuzz_rules_tmpl
$(B)/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/nonet.c $$($(1)_SRC)
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $$@ $$(filter %.c,$$^)
$(B)/tests/replay_$(1): tests/fuzz/$(1).c tests/fuzz/nonet.c tests/fuzz/driver.c $$($(1)_SRC)
	@mkdir -p $$(dir $$@)
	$(CC) $(FUZZ_CPPFLAGS) $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $$@ $$(filter %.c,$$^) $(LDLIBS)
endef
$(foreach f,$(FUZZ),$(eval $(call fuzz_rules_tmpl,$(f))))

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
$(B)/bench/conn_bench: bench/conn_bench.c $(call obj,src/drlbd/conn.c src/drlbd/svc.c $(SCHED_SRC) src/drlbd/log.c)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

$(B)/bench/sched_bench: bench/sched_bench.c $(SCHED_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# dp_bench: datapath.c twice, with trace points and with them compiled out
# (its dp_process renamed dp_process_notrace), same frames, same tables
$(B)/bench/datapath_notrace.o: src/drlbd/datapath.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(XCFLAGS) $(CFLAGS) -DDRLB_NO_TRACE \
		-Ddp_process=dp_process_notrace -Ddp_init=dp_init_notrace -c -o $@ $<
$(B)/bench/dp_bench: bench/dp_bench.c $(B)/bench/datapath_notrace.o $(call obj,src/drlbd/datapath.c src/drlbd/csum.c src/drlbd/trace.c) $(SCHED_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

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
$(B)/bench/lab: bench/lab/lab.c $(SCHED_TEST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote src/drlbd $(XCFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lm

lab: $(B)/bench/lab
	B=$(B) bash bench/lab/run.sh

.PHONY: lab

# ---------------------------------------------------------------- test tools
# build/synflood: the bounded SYN flood of tests/integration/synflood.sh,
# always built plain and optimised (a load generator, not code under test)
$(B)/synflood: tests/tools/synflood.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) -o $@ $<

check: $(B)/synflood

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

bench: all $(B)/bench/conn_bench $(B)/bench/dp_bench $(B)/bench/ring_latency $(B)/bench/gen $(B)/bench/fwd_ref $(if $(wildcard bench/sched_bench.c),$(B)/bench/sched_bench)
	bash bench/run.sh

# binaries to sbin, man pages to man8, the unit to lib/systemd/system (its
# ExecStart pointed at $(PREFIX)/sbin) and, as an example, to share/drlb
# with the recipe's rules; docs/json.md to share/doc/drlb
UNITDIR ?= $(PREFIX)/lib/systemd/system
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/drlb \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/doc/drlb \
	    $(DESTDIR)$(UNITDIR)
	install -m 0755 $(B)/drlbd $(B)/drlbadm tools/drlb-realserver \
	    $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 man/drlbd.8 man/drlbadm.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' conf/drlbd.service \
	    > $(DESTDIR)$(PREFIX)/share/drlb/drlbd.service
	chmod 0644 $(DESTDIR)$(PREFIX)/share/drlb/drlbd.service
	install -m 0644 $(DESTDIR)$(PREFIX)/share/drlb/drlbd.service \
	    $(DESTDIR)$(UNITDIR)/drlbd.service
	install -m 0644 conf/recipe.conf $(DESTDIR)$(PREFIX)/share/drlb/
	install -m 0644 docs/json.md $(DESTDIR)$(PREFIX)/share/doc/drlb/

clean:
	rm -rf $(B)

.PHONY: all check unit demo bench install clean fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
