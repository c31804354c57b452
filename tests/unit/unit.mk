# Unit tests (cmocka): each tests/unit/test_X.c links the memhp library and
# live layer (user/lib, user/live), not the commands; the tests of a
# command's testable main link that one command object (TEST_CMD_OBJS).
# Run twice: plain, and with ASan+UBSan (separate build directory).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))

# check_main(), ls_main_model(), simulate_main(), export_main() and top_main(),
# readiness_main(), replay_main()
test_check_CMD_OBJS := $(OUTPUT)/user/cmd/check.o
test_ls_CMD_OBJS := $(OUTPUT)/user/cmd/ls.o $(OUTPUT)/user/cmd/ls_print.o
test_simulate_CMD_OBJS := $(OUTPUT)/user/cmd/simulate.o
test_cmd_streams_CMD_OBJS := $(OUTPUT)/user/cmd/export.o $(OUTPUT)/user/cmd/top.o \
	$(OUTPUT)/user/cmd/top_collect.o
test_readiness_CMD_OBJS := $(OUTPUT)/user/cmd/readiness_cmd.o
test_offrecord_CMD_OBJS := $(OUTPUT)/user/cmd/replay.o
test_recrot_CMD_OBJS := $(OUTPUT)/user/cmd/replay.o

.SECONDEXPANSION:
$(OUTPUT)/tests/%: tests/unit/%.c $(CORE_OBJS) $$($$*_CMD_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP $< $(CORE_OBJS) $($*_CMD_OBJS) -lcmocka $(LIBS) -o $@

-include $(UNIT_BINS:=.d)

# A kernel BTF with one field renamed away, for the per-probe degrade test.
$(OUTPUT)/tests/btf-rename: tests/unit/btf_rename.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< -lbpf -lelf -lz -o $@

# The static binary too (its own table printer), except under sanitizers
# (no static link with ASan).
UNIT_STATIC := $(if $(findstring sanitize,$(CFLAGS)),,$(OUTPUT)/memhp-static)
unit-test: $(UNIT_BINS) $(OUTPUT)/memhp $(UNIT_STATIC) $(OUTPUT)/gen-record $(OUTPUT)/tests/btf-rename
	$(Q)tests/unit/run.sh $(OUTPUT) $(UNIT_BINS)

# Same sources, sanitizers on; a sub-make with its own OUTPUT.
unit-test-asan:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		unit-test
