# Fuzz targets (libFuzzer, Debian's clang 14 + libclang-rt-14-dev):
# tests/fuzz/fuzz_*.c, each built with ASan + UBSan and the memhp sources
# it fuzzes compiled in (no BPF skeletons needed). Seed corpora and crash
# regressions (crash-*) are committed in tests/fuzz/corpus/<target>/.
#
#   make fuzz-smoke   each target briefly over its corpus (FUZZ_SMOKE_SECONDS,
#                     FUZZ_JOBS at a time); prints one line per target and
#                     "fuzz: N passed, N failed"; fails on any crash,
#                     timeout or leak
#   make fuzz         longer (FUZZ_SECONDS each); new inputs are kept in
#                     $(OUTPUT)/fuzz/corpus/<target> (not committed)
#   make fuzz-build   just the binaries, in $(OUTPUT)/fuzz/
#   make fuzz-seeds   rewrite the committed seeds (not the crash-* files)
#   FUZZ_TARGETS="decode prom"  only some targets
# Reproduce a failure: $(OUTPUT)/fuzz/fuzz_<target> <input file>.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 12
FUZZ_JOBS ?= 2
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -DMEMHP_VERSION='"$(VERSION)"' \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-I$(OUTPUT) -Ibpf -Iuser/lib -Iuser/live -Iuser/cli -Iuser/cmd -Itests/fuzz

ALL_FUZZ_TARGETS := decode sysfs_attr sysfs_tree kallsyms zoneinfo zi_system prom http \
	policy record recset pgowner
FUZZ_TARGETS ?= $(ALL_FUZZ_TARGETS)

# The memhp sources (user/*/NAME.c) each target needs, and extra libraries:
# the library's (user/lib), and memhp ls (cmd/ls.c, ls_print.c and the cli
# child, decode for the online-type names) for ls_main_model() in decode and
# sysfs_tree.
# the readers of zoneinfo.h and the state built from them
ZI_SRCS := zi_read proc_zoneinfo proc_iomem fw_memmap kernel_log zi_system
# ls finds memory groups as export does (snapshot_block_groups); its tables:
# libsmartcols in decode (what build/memhp runs), the built-in printer in
# sysfs_tree (what build/memhp-static runs: memhp's own code, fuzzed too)
LS_SRCS := ls ls_print cli snapshot $(ZI_SRCS) zonealgo
DECODE_SRCS := decode jsonstr ksyms offwhy kpage pgowner
fuzz_decode_SRCS := $(DECODE_SRCS) model $(LS_SRCS) table_scols sysfs
fuzz_decode_LIBS := -lsmartcols
fuzz_sysfs_attr_SRCS := sysfs model
fuzz_sysfs_tree_SRCS := sysfs model $(LS_SRCS) table_builtin $(DECODE_SRCS)
fuzz_kallsyms_SRCS := ksyms
fuzz_zoneinfo_SRCS := $(ZI_SRCS) zonealgo sysfs model
fuzz_zi_system_SRCS := $(ZI_SRCS) zonealgo sysfs model
PROM_SRCS := prom procself prom_buf prom_stats readiness_prom readiness balloon_detect offrun clock $(DECODE_SRCS) model $(ZI_SRCS) zonealgo sysfs
fuzz_prom_SRCS := $(PROM_SRCS)
fuzz_http_SRCS := http $(PROM_SRCS) privs
fuzz_http_LIBS := -lmicrohttpd -lz
fuzz_policy_SRCS := policy_parse cliopt policy_track policy_eval policy_result policy_watch zonealgo model
fuzz_policy_LIBS := -lyaml
fuzz_record_SRCS := record record_read record_write $(DECODE_SRCS) model clock
fuzz_recset_SRCS := recset
fuzz_pgowner_SRCS := pgowner jsonstr
FUZZ_LIBS := -lm -lpthread -lcap

FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds fuzz-deps

$(FUZZ_DIR):
	$(Q)mkdir -p $@

fuzz_srcs = $(foreach s,$(fuzz_$(1)_SRCS),$(wildcard user/*/$(s).c))

define FUZZ_RULE
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_common.h \
		$(call fuzz_srcs,$(1)) $(wildcard user/*/*.h) bpf/memhp.h | $(FUZZ_DIR)
	$$(call msg,FUZZ-CC,$$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$< $(call fuzz_srcs,$(1)) \
		$(fuzz_$(1)_LIBS) $(FUZZ_LIBS) -o $$@
endef
$(foreach t,$(ALL_FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

# clang and the fuzzer runtime (libclang-rt-14-dev), installed when missing.
fuzz-deps:
	$(Q)tools/deps.sh build

fuzz-build: $(FUZZ_BINS)

# (built FUZZ_JOBS at a time unless make runs with -j already)
FUZZ_BUILD_J = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(FUZZ_JOBS))

fuzz-smoke: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BUILD_J) fuzz-build
	$(Q)tests/fuzz/run.sh smoke $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BUILD_J) fuzz-build
	$(Q)tests/fuzz/run.sh long $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# Seeds: the text ones from tests/fuzz/mk_seeds.py (over the fixture trees
# of tests/data/mk-sysroots.sh), the binary ones from the targets.
fuzz-seeds: fuzz-build
	$(Q)rm -rf $(FUZZ_DIR)/sysroots
	$(Q)tests/data/mk-sysroots.sh $(FUZZ_DIR)/sysroots >/dev/null
	$(Q)python3 tests/fuzz/mk_seeds.py $(FUZZ_DIR)/sysroots tests/fuzz/corpus
	$(Q)for t in decode prom record; do mkdir -p tests/fuzz/corpus/$$t && \
		MEMHP_FUZZ_SEEDS=tests/fuzz/corpus/$$t $(FUZZ_DIR)/fuzz_$$t || exit 1; done

# `make test`: every committed corpus input (seeds and crash-* regressions)
# run once through its target, no mutation: deterministic, so CI fails only
# on a regression. Exploration is `make fuzz-smoke` / `make fuzz`.
.PHONY: fuzz-regress
fuzz-regress: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BUILD_J) fuzz-build
	$(Q)pass=0; fail=0; for t in $(FUZZ_TARGETS); do \
		if $(FUZZ_DIR)/fuzz_$$t -runs=0 -timeout=10 -rss_limit_mb=2048 \
			tests/fuzz/corpus/$$t >$(FUZZ_DIR)/regress-$$t.log 2>&1; then \
			echo "fuzz-regress: $$t: ok ($$(ls tests/fuzz/corpus/$$t | wc -l) inputs)"; \
			pass=$$((pass + 1)); \
		else \
			echo "fuzz-regress: $$t: FAILED (see $(FUZZ_DIR)/regress-$$t.log)"; \
			tail -n 20 $(FUZZ_DIR)/regress-$$t.log | sed 's/^/    /'; \
			fail=$$((fail + 1)); \
		fi; \
	done; echo "fuzz-regress: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# `make test`: a short bounded fuzzing run of every target: 20,000 mutated
# inputs each from a fixed seed (-seed=1; at most 60 s), starting from the
# committed corpus (read only: new inputs go to FUZZ_DIR/bounded-T). A fixed
# seed and count keep it repeatable: CI fails on a crash the code change
# made reachable, not on luck. `make fuzz-smoke` / `make fuzz` explore more.
FUZZ_TEST_RUNS ?= 20000
.PHONY: fuzz-bounded
fuzz-bounded: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BUILD_J) fuzz-build
	$(Q)pass=0; fail=0; for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_DIR)/bounded-$$t && mkdir -p $(FUZZ_DIR)/bounded-$$t; \
		if $(FUZZ_DIR)/fuzz_$$t -runs=$(FUZZ_TEST_RUNS) -seed=1 -timeout=10 \
			-rss_limit_mb=2048 -max_total_time=60 -artifact_prefix=$(FUZZ_DIR)/ \
			$(FUZZ_DIR)/bounded-$$t tests/fuzz/corpus/$$t >$(FUZZ_DIR)/bounded-$$t.log 2>&1; then \
			echo "fuzz-bounded: $$t: ok"; pass=$$((pass + 1)); \
		else \
			echo "fuzz-bounded: $$t: CRASH (see $(FUZZ_DIR)/bounded-$$t.log; the input is in $(FUZZ_DIR)/)"; \
			tail -n 30 $(FUZZ_DIR)/bounded-$$t.log | sed 's/^/    /'; \
			fail=$$((fail + 1)); \
		fi; \
	done; echo "fuzz-bounded: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
