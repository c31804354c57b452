# memhp: eBPF observability and policy for Linux memory hotplug.
#   make            build/memhp, build/memhp-static (BPF objects + skeletons)
#   make test       unit tests (plain and ASan/UBSan), compat, lab VM scenarios
#   make compat     every probe against every kernel BTF at hand (docs/compat.md)
#   make demo       the lab demo: a scripted hotplug traced live
#   make bench      benchmark vs lsmem / bpftrace; writes bench/REPORT.md
#   make soak       ~20 min of hot-plug load in the lab; writes bench/SOAK.md
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build/deb/memhp_VERSION_amd64.deb (dpkg-buildpackage, lintian)
# V=1 shows the commands.

OUTPUT ?= build
ARCH ?= x86
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
CC ?= gcc
PREFIX ?= /usr/local
VERSION := 0.1.0
# The Debian package `make deb` builds (tools/mkdeb.sh).
DEB := $(OUTPUT)/deb/memhp_$(VERSION)_amd64.deb

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation
ALL_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -DMEMHP_VERSION='"$(VERSION)"' \
	-I$(OUTPUT) -Ibpf -Iuser/lib -Iuser/live -Iuser/cli -Iuser/cmd
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
	-Wall -Wno-unused-function -Wno-compare-distinct-pointer-types

# Libraries of the CLI; sinks append what they need (one line each, with why).
LIBS := -lbpf -lelf -lz -lpthread
STATIC_LIBS := -l:libbpf.a -l:libelf.a -l:libz.a -lpthread
# export (HTTP /metrics; GnuTLS stand-ins for the static link: user/lib/http.c) and top (ncurses)
LIBS += -lmicrohttpd -lncursesw -ltinfo
STATIC_LIBS += -l:libmicrohttpd.a -l:libncursesw.a -l:libtinfo.a -l:libz.a -lpthread
# check (policy files: YAML via libyaml, user/lib/policy_parse.c)
LIBS += -lyaml
STATIC_LIBS += -l:libyaml.a
# libcap: dropping capabilities after attaching (user/lib/privs.c)
LIBS += -lcap
STATIC_LIBS += -l:libcap.a
# ls (lsmem's tables: libsmartcols, user/lib/table_scols.c); Debian has no
# libsmartcols.a, so the static binary links user/lib/table_builtin.c instead
LIBS += -lsmartcols

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# user/ in four layers (docs/DESIGN-NOTES.md): lib/ (no BPF, no argp),
# live/ (the BPF session; only the loader sees the skeletons), cli/ (the
# argp children every command shares) and cmd/ (one file per command;
# memhp.c dispatches). Unit tests link lib + live + cli, not the commands.
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(filter-out user/lib/table_builtin.c,$(wildcard user/lib/*.c)))
LIVE_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(wildcard user/live/*.c))
CLI_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(wildcard user/cli/*.c))
CMD_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(filter-out user/cmd/memhp.c,$(wildcard user/cmd/*.c)))
CORE_OBJS := $(LIB_OBJS) $(LIVE_OBJS) $(CLI_OBJS)
MAIN_OBJ := $(OUTPUT)/user/cmd/memhp.o
MEMHP_OBJS := $(MAIN_OBJ) $(CMD_OBJS) $(CORE_OBJS)
MEMHP_STATIC_OBJS := $(filter-out %/table_scols.o,$(MEMHP_OBJS)) $(OUTPUT)/user/lib/table_builtin.o

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean test unit-test unit-test-asan lab-test demo deps install fuzz bench compat check-layers deb deb-test soak
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUTPUT)/memhp $(OUTPUT)/memhp-static $(OUTPUT)/gen-record

deps:
	$(Q)tools/deps.sh build

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c bpf/common.bpf.h bpf/core_fixes.bpf.h bpf/memhp.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name memhp_$* > $@

# Header dependencies per file (-MMD -MP: $(OUTPUT)/user/*/*.d).
$(OUTPUT)/user/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The skeletons: only the probe tables (live/probes.c) include them.
$(OUTPUT)/user/live/probes.o: $(SKELS)

-include $(MEMHP_STATIC_OBJS:.o=.d) $(OUTPUT)/user/lib/table_scols.d

# CPPFLAGS and LDFLAGS: the distribution's hardening flags (debian/rules).
$(OUTPUT)/memhp: $(MEMHP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

# Fully static, for the lab VM's busybox initramfs.
$(OUTPUT)/memhp-static: $(MEMHP_STATIC_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -static $^ $(STATIC_LIBS) -o $@

# tools/gen-record: synthetic record files (replay tests and benchmark).
GEN_RECORD_OBJS := $(patsubst %,$(OUTPUT)/user/lib/%.o,record record_write record_rotate recset \
	diskfree cliopt model clock event_compact)
$(OUTPUT)/gen-record: tools/gen-record.c $(GEN_RECORD_OBJS) user/lib/record.h user/lib/record_rotate.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) tools/gen-record.c $(GEN_RECORD_OBJS) -o $@

# tools/compat: every probe x every kernel BTF at hand (docs/compat.md).
COMPAT_OBJS := $(patsubst %,$(OUTPUT)/user/live/%.o,loader probes libbpf_log)
$(OUTPUT)/compat: tools/compat.c $(COMPAT_OBJS) user/live/loader.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) tools/compat.c $(COMPAT_OBJS) -lbpf -lelf -lz -ldl -o $@

compat: all $(OUTPUT)/compat
	$(Q)tools/deps.sh compat
	$(Q)$(OUTPUT)/compat

# The layers' one-way dependencies, from the objects' symbols (nm).
check-layers: $(MEMHP_OBJS) $(MEMHP_STATIC_OBJS)
	$(Q)tools/check-layers.sh $(OUTPUT)

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

# Installs its own dependencies first (Debian packages, lab kernel).
test:
	$(Q)tools/deps.sh all
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit-test
	$(Q)$(MAKE) --no-print-directory check-layers
	$(Q)$(MAKE) --no-print-directory unit-test-asan
	$(Q)$(MAKE) --no-print-directory compat
	$(Q)$(MAKE) --no-print-directory fuzz-regress
	$(Q)$(MAKE) --no-print-directory fuzz-bounded
	$(Q)$(MAKE) --no-print-directory deb-test
	$(Q)$(MAKE) --no-print-directory lab-test

# The lab installs the Debian package in the guest (tests/vm/debpkg.py):
# $(DEB) is rebuilt first when older than what it packages (make test's
# deb-test has just built it).
lab-test: all $(DEB)
	$(Q)tools/deps.sh lab
	$(Q)python3 tests/vm/run.py $(LAB_ARGS)

demo:
	$(Q)tools/deps.sh all
	$(Q)$(MAKE) --no-print-directory all
	$(Q)python3 tools/lab/demo.py

# The soak (tests/vm/soak.py, issue #16): about 20 minutes of hot-plug
# operations of every kind in one lab VM (6.12) with the exporter scraped
# every 100 ms, online-daemon --dry-run and record beside it; writes
# bench/SOAK.md, raw samples under bench/out/soak-*/. Not part of `make test`
# (a 120 s run of the same code is: tests/vm/scenarios/test_soak.py).
# SOAK_ARGS: e.g. --minutes 10, --kernel 6.1.
soak: all
	$(Q)tools/deps.sh lab
	$(Q)python3 tests/vm/soak.py $(SOAK_ARGS)

# The benchmark (bench/run.py): installs lsmem and bpftrace, runs items 1-6
# (the lab ones in one VM); about 25 minutes. BENCH_ARGS: e.g. --no-lab,
# --reps 5, --lab-rounds 3.
$(OUTPUT)/bench/hpload: bench/hpload.c
	$(Q)mkdir -p $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -static $< -o $@

# kpscan: bench item 6, the chunked kpageflags scanner vs per-block/per-pfn reads.
$(OUTPUT)/bench/kpscan: bench/kpscan.c $(LIB_OBJS)
	$(Q)mkdir -p $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) $(LIBS) -o $@

# kpone: the cost of naming one blocker page (docs/events.md, "blocker kind").
$(OUTPUT)/bench/kpone: bench/kpone.c $(LIB_OBJS)
	$(Q)mkdir -p $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) $(LIBS) -o $@

$(OUTPUT)/bench/fileread: bench/fileread.c
	$(Q)mkdir -p $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall $< -o $@ -luring

bench:
	$(Q)tools/deps.sh bench
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/bench/hpload $(OUTPUT)/bench/fileread $(OUTPUT)/bench/kpscan
	$(Q)python3 bench/run.py $(BENCH_ARGS)

SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/memhp
UNITS := memhp-exporter.service memhp-online-daemon.service
# The user documentation (DESIGN-NOTES.md is the developers').
USER_DOCS := README.md $(filter-out docs/DESIGN-NOTES.md,$(wildcard docs/*.md))
install: $(OUTPUT)/memhp
	install -D -m 0755 $(OUTPUT)/memhp $(DESTDIR)$(PREFIX)/sbin/memhp
	install -D -m 0644 docs/memhp.8 $(DESTDIR)$(PREFIX)/share/man/man8/memhp.8
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	for u in $(UNITS); do \
		sed 's|/usr/local/sbin/memhp|$(PREFIX)/sbin/memhp|' tools/systemd/$$u \
			>$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -D -m 0644 tools/grafana/memhp-dashboard.json \
		$(DESTDIR)$(PREFIX)/share/memhp/grafana/memhp-dashboard.json
	install -D -m 0644 tools/prometheus/memhp-rules.yml \
		$(DESTDIR)$(PREFIX)/share/memhp/prometheus/memhp-rules.yml
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 $(USER_DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 0644 tools/k8s/daemonset.yaml $(DESTDIR)$(DOCDIR)/examples/

# The Debian package (debian/): dpkg-buildpackage in a copy of the tree
# under $(OUTPUT)/deb, then lintian (tools/mkdeb.sh). About a minute.
DEB_INPUTS := $(OUTPUT)/memhp docs/memhp.8 $(wildcard debian/* debian/source/*) \
	$(addprefix tools/systemd/,$(UNITS)) tools/grafana/memhp-dashboard.json \
	tools/prometheus/memhp-rules.yml tools/k8s/daemonset.yaml $(USER_DOCS) tools/mkdeb.sh
deb:
	$(Q)tools/deps.sh deb
	$(Q)tools/mkdeb.sh $(OUTPUT)/deb $(VERSION)

# The package when older than what it packages (lab-test needs it);
# $(OUTPUT)/memhp stands for the sources (the package compiles its own).
$(DEB): $(DEB_INPUTS)
	$(Q)tools/deps.sh deb
	$(Q)tools/mkdeb.sh $(OUTPUT)/deb $(VERSION)

# Unpacks the package into a scratch root and runs what it installed.
deb-test: deb $(OUTPUT)/memhp
	$(Q)tests/deb/check.sh $(DEB) $(OUTPUT)

clean:
	rm -rf $(OUTPUT)
