# Coverage-guided fuzzing with cargo fuzz (libFuzzer) of the parsers of untrusted bytes:
# docs/fuzzing.md. cargo fuzz needs unstable compiler flags (sanitizers, coverage
# instrumentation); RUSTC_BOOTSTRAP=1 lets the stable toolchain take them, for the fuzz/
# workspace only. cargo-fuzz is installed when missing (a few minutes, once).
#
#   make fuzz               each target for FUZZ_SECONDS (default 60) seconds, one after another;
#                           new inputs go to build/fuzz/corpus/<target>, crashes to
#                           fuzz/artifacts/<target>
#   make test-fuzz-corpus   each target over its committed corpus (fuzz/corpus/<target>) only:
#                           every input run once, no search (part of `make test`)

FUZZ_TARGETS := webhook_request response sim_request blocks
FUZZ_SECONDS ?= 60
# Inputs up to 64 KiB: enough for every cap but the 1 MiB body limits, which the unit tests and
# benches/parse_worst.rs cover.
FUZZ_FLAGS   ?= -max_len=65536
FUZZ_CORPUS_OUT := $(BUILD_DIR)/fuzz/corpus
# Optimized, with overflow checks and debug assertions on; AddressSanitizer (cargo fuzz's
# default sanitizer).
FUZZ_BUILD   := --release --debug-assertions
CARGO_FUZZ   := RUSTC_BOOTSTRAP=1 $(CARGO) fuzz

.PHONY: fuzz fuzz-deps test-fuzz-corpus

fuzz-deps:
	@if ! $(CARGO) fuzz --version >/dev/null 2>&1; then \
		echo "fuzz: installing cargo-fuzz"; \
		$(CARGO) install cargo-fuzz --locked; \
	fi

fuzz: fuzz-deps
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_CORPUS_OUT)/$$target; \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		$(CARGO_FUZZ) run $(FUZZ_BUILD) $$target $(FUZZ_CORPUS_OUT)/$$target \
			fuzz/corpus/$$target -- $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 || exit 1; \
	done

test-fuzz-corpus: fuzz-deps
	@for target in $(FUZZ_TARGETS); do \
		echo "test-fuzz-corpus: $$target over fuzz/corpus/$$target"; \
		$(CARGO_FUZZ) run $(FUZZ_BUILD) $$target fuzz/corpus/$$target -- -runs=0 || exit 1; \
	done
