# Fuzz targets (libFuzzer, clang): tests/fuzz/fuzz_*.c. Filled in by the
# fuzzing work; `make fuzz-smoke` runs each briefly, `make fuzz` longer.
.PHONY: fuzz fuzz-smoke
fuzz-smoke:
fuzz:
