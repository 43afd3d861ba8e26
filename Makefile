# libtenios: build, test and demo.  GNU make.
#
#   make build         cargo build --release --features sim (into $CARGO_TARGET_DIR when set)
#   make test          deps, build, header-check, test-docs, test-rust, test-c, test-python,
#                      test-webhook, test-netem, test-python-wheel, test-install, test-deb,
#                      abi-check, test-lua, test-kamailio (the test target lists them all)
#   make demo          C, C++ and Python examples against a local simulator, a scripted call
#                      (interrupt, record, transfer, stop recording), and the Call Control
#                      loop with the example webhook (announcement, interrupt, bridge)
#   make fuzz          each cargo-fuzz target for FUZZ_SECONDS (60) seconds (docs/fuzzing.md)
#   make clean
#
# Needs: the Rust toolchain, Python 3 and a C and C++17 compiler; `make deps` installs
# the Debian packages the tests use when they are missing (pytest goes into venvs of build/).

CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -std=c11 -O2 -g -Wall -Wextra -Werror
CXXFLAGS ?= -std=c++17 -O2 -g -Wall -Wextra -Werror -pedantic
CARGO   ?= cargo
PYTHON  ?= python3

# Cargo's output: $(CARGO_TARGET_DIR) when set (relative to this directory, as cargo takes it),
# else target/. Absolute, so that scripts run from anywhere get usable paths.
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
RELEASE := $(TARGET_DIR)/release
LIB     := $(RELEASE)/libtenios.so
SIM     := $(RELEASE)/tenios-sim
HEADER  := include/tenios.h
BUILD_DIR := build

# How a C program links against the freshly built shared library.
TENIOS_CPPFLAGS := -Iinclude
TENIOS_LDFLAGS  := -L$(RELEASE) -Wl,-rpath,$(RELEASE)
TENIOS_LDLIBS   := -ltenios

C_EXAMPLE  := $(BUILD_DIR)/tenios-interrupt
C_CLIENT_EXAMPLE := $(BUILD_DIR)/tenios-client-example
C_CALL_DEMO := $(BUILD_DIR)/tenios-call-demo
C_CLICK_TO_CALL := $(BUILD_DIR)/tenios-click-to-call
C_WEBHOOK_EXAMPLE := $(BUILD_DIR)/tenios-webhook-server
CPP_WEBHOOK_EXAMPLE := $(BUILD_DIR)/tenios-webhook-server-cpp
C_TESTS    := $(BUILD_DIR)/test_interrupt $(BUILD_DIR)/test_network \
              $(BUILD_DIR)/test_client $(BUILD_DIR)/test_process $(BUILD_DIR)/test_resolver \
              $(BUILD_DIR)/test_methods $(BUILD_DIR)/test_contact_center \
              $(BUILD_DIR)/test_telemetry $(BUILD_DIR)/test_webhook \
              $(BUILD_DIR)/test_dlopen $(BUILD_DIR)/slow_getaddrinfo.so $(BUILD_DIR)/test_panic \
              $(BUILD_DIR)/test_deadline $(BUILD_DIR)/test_environment $(BUILD_DIR)/getenv_logger.so \
              $(BUILD_DIR)/test_fork_locks
TEST_UTIL  := tests/c/testutil.c tests/c/testutil.h

# The targets below run in the order they are listed, even under -j: each
# step needs the previous one (cargo parallelizes the build by itself).
.NOTPARALLEL:

CPP_HEADER  := bindings/cpp/tenios.hpp
CPP_EXAMPLE := $(BUILD_DIR)/tenios-interrupt-cpp
CPP_TESTS   := $(BUILD_DIR)/test_client_cpp $(BUILD_DIR)/test_webhook_cpp

.PHONY: all build deps header header-check test-header test test-rust test-fuzz test-c test-cpp test-python test-webhook \
        test-netem \
        c-programs cpp-example demo soak bench clean

all: build

# ------------------------------------------------------------------ build

# The library's version (Cargo.toml) and its SONAME, libtenios.so.<major> (build.rs).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
SONAME  := libtenios.so.$(firstword $(subst ., ,$(VERSION)))

# cargo decides what to rebuild. It never writes into the source tree: see `make header`.
# Programs linked with -ltenios ask for the SONAME, which the link beside the library gives.
build:
	$(CARGO) build --release --features sim
	ln -sf libtenios.so $(RELEASE)/$(SONAME)

# Regenerates include/tenios.h from the Rust source with cbindgen (build.rs writes it only when
# TENIOS_HEADER_OUT is set). `cargo check` runs the build script without a release build.
header:
	TENIOS_HEADER_OUT=$(CURDIR)/$(HEADER) $(CARGO) check --lib --quiet
	@echo "header: $(HEADER) regenerated"

# The library built with the test-only faults of src/test_hooks.rs (panics on request): only
# for the C tests of panics, never installed. A debug build, copied aside so that no other
# build overwrites it.
HOOKS_LIB := $(BUILD_DIR)/test-hooks/libtenios.so
$(HOOKS_LIB): build
	$(CARGO) build --lib --features test-hooks
	@mkdir -p $(@D)
	cp $(TARGET_DIR)/debug/libtenios.so $@
	ln -sf libtenios.so $(@D)/$(SONAME)

c-programs: $(C_EXAMPLE) $(C_CLIENT_EXAMPLE) $(C_CALL_DEMO) $(C_CLICK_TO_CALL) $(C_WEBHOOK_EXAMPLE) \
	$(C_TESTS)

$(BUILD_DIR)/tenios-client-example $(BUILD_DIR)/tenios-call-demo $(BUILD_DIR)/tenios-click-to-call: \
		$(BUILD_DIR)/%: bindings/c/%.c \
		$(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_client: tests/c/test_client.c $(TEST_UTIL) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ \
		tests/c/test_client.c tests/c/testutil.c \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/tenios-webhook-server-cpp: bindings/cpp/webhook_server.cpp $(CPP_HEADER) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(TENIOS_CPPFLAGS) -Ibindings/cpp $(CXXFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/tenios-webhook-server: bindings/c/tenios-webhook-server.c $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/tenios-interrupt: bindings/c/tenios-interrupt.c $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_interrupt: tests/c/test_interrupt.c $(TEST_UTIL) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ \
		tests/c/test_interrupt.c tests/c/testutil.c \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_network: tests/c/test_network.c $(TEST_UTIL) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ \
		tests/c/test_network.c tests/c/testutil.c \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_process $(BUILD_DIR)/test_resolver $(BUILD_DIR)/test_methods \
		$(BUILD_DIR)/test_contact_center $(BUILD_DIR)/test_telemetry $(BUILD_DIR)/test_webhook \
		$(BUILD_DIR)/test_deadline $(BUILD_DIR)/test_environment: \
		$(BUILD_DIR)/%: tests/c/%.c $(TEST_UTIL) \
		$(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ $< tests/c/testutil.c \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

# Loads libtenios with dlopen itself: not linked against it.
$(BUILD_DIR)/test_dlopen: tests/c/test_dlopen.c $(TEST_UTIL) $(HEADER)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -DTESTUTIL_WITHOUT_LIBRARY -pthread -o $@ \
		$< tests/c/testutil.c $(LDFLAGS) -ldl $(LDLIBS)

# The hung-DNS stand-in that test_resolver runs under (LD_PRELOAD).
$(BUILD_DIR)/slow_getaddrinfo.so: tests/c/slow_getaddrinfo.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -shared -fPIC -o $@ $< $(LDFLAGS) -ldl

# The getenv recorder that test_environment runs under (LD_PRELOAD).
$(BUILD_DIR)/getenv_logger.so: tests/c/getenv_logger.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -shared -fPIC -pthread -o $@ $< $(LDFLAGS) -ldl

# Linked against the test-hooks build of the library (panics and held locks on request).
$(BUILD_DIR)/test_panic $(BUILD_DIR)/test_fork_locks: $(BUILD_DIR)/%: tests/c/%.c $(TEST_UTIL) $(HEADER) $(HOOKS_LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ $< tests/c/testutil.c \
		$(LDFLAGS) -L$(dir $(HOOKS_LIB)) -Wl,-rpath,$(abspath $(dir $(HOOKS_LIB))) \
		-ltenios $(LDLIBS)

cpp-example: build
	@$(MAKE) --no-print-directory $(CPP_EXAMPLE)

$(BUILD_DIR)/tenios-interrupt-cpp: bindings/cpp/example.cpp $(CPP_HEADER) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(TENIOS_CPPFLAGS) -Ibindings/cpp $(CXXFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_client_cpp: tests/cpp/test_client.cpp $(CPP_HEADER) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(TENIOS_CPPFLAGS) -Ibindings/cpp $(CXXFLAGS) -pthread -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(BUILD_DIR)/test_webhook_cpp: tests/cpp/test_webhook.cpp $(CPP_HEADER) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(TENIOS_CPPFLAGS) -Ibindings/cpp $(CXXFLAGS) -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

# The C tests again with AddressSanitizer and UndefinedBehaviorSanitizer (the library itself
# is Rust; the sanitizers watch every byte the tests hand it and get back).
SAN_DIR    := $(BUILD_DIR)/sanitize
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_TESTS  := $(SAN_DIR)/test_interrupt $(SAN_DIR)/test_client $(SAN_DIR)/test_network \
              $(SAN_DIR)/test_process $(SAN_DIR)/test_methods $(SAN_DIR)/test_contact_center \
              $(SAN_DIR)/test_telemetry $(SAN_DIR)/test_webhook $(SAN_DIR)/test_deadline

$(SAN_DIR)/%: tests/c/%.c $(TEST_UTIL) $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -pthread -o $@ \
		$< tests/c/testutil.c $(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

# ------------------------------------------------------------------- deps

# Idempotent and quiet: installs only what is missing (Debian packages: valgrind, tinyproxy,
# openssl; mandoc and curl for test-docs; cmake, pkg-config and abigail-tools for test-install
# and abi-check; iproute2 and nftables for test-netem; dpkg-dev, debhelper, dh-python and
# lintian for test-deb). Python's test tools are never installed into the machine's
# interpreter: test-python and test-python-wheel make virtual environments under build/
# (tests/python/run_versions.sh, mk/python-dist.sh).
deps:
	@if ! command -v valgrind >/dev/null 2>&1; then \
		echo "deps: installing valgrind"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq valgrind >/dev/null; \
	fi
	@for pair in tinyproxy:tinyproxy openssl:openssl cmake:cmake pkg-config:pkg-config \
			abidiff:abigail-tools ip:iproute2 nft:nftables mandoc:mandoc curl:curl \
			dpkg-buildpackage:dpkg-dev dh:debhelper dh_python3:dh-python lintian:lintian; do \
		tool=$${pair%%:*}; pkg=$${pair#*:}; \
		if ! command -v $$tool >/dev/null 2>&1 && [ ! -x /usr/sbin/$$tool ] && [ ! -x /usr/bin/$$tool ]; then \
			echo "deps: installing $$pkg"; \
			if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
			$$SUDO apt-get update -qq && \
			$$SUDO env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq $$pkg >/dev/null || exit 1; \
		fi; \
	done

# ------------------------------------------------------------------ tests

# Generates the header into build/ and compares it with include/tenios.h: a difference means
# the C API changed without `make header`.
header-check:
	@mkdir -p $(BUILD_DIR)
	TENIOS_HEADER_OUT=$(CURDIR)/$(BUILD_DIR)/tenios.h.generated $(CARGO) check --lib --quiet
	@diff -u $(HEADER) $(BUILD_DIR)/tenios.h.generated || \
		{ echo "header-check: $(HEADER) differs from what the Rust source generates;" \
		       "run \`make header\` and commit it"; exit 1; }
	@echo "header-check: $(HEADER) is up to date"

# The header compiles cleanly as C99 and C11 (also with -fshort-enums, which must not change
# the status type's size) and as C++11 to C++20; tenios.hpp as C++17 and C++20. Compile-only.
test-header:
	@mkdir -p $(BUILD_DIR)/header
	@for std in c99 c11 c17; do \
		for extra in "" -fshort-enums; do \
			$(CC) -std=$$std -Wall -Wextra -Werror -pedantic $$extra -Iinclude -c \
				tests/header/use_header.c -o $(BUILD_DIR)/header/c.o || exit 1; \
		done; \
	done
	@cp tests/header/use_header.c $(BUILD_DIR)/header/use_header.cpp
	@for std in c++11 c++14 c++17 c++20; do \
		$(CXX) -std=$$std -Wall -Wextra -Werror -pedantic -Iinclude -c \
			$(BUILD_DIR)/header/use_header.cpp -o $(BUILD_DIR)/header/cpp.o || exit 1; \
	done
	@for std in c++17 c++20; do \
		$(CXX) -std=$$std -Wall -Wextra -Werror -pedantic -Iinclude -Ibindings/cpp -x c++ \
			-c $(CPP_HEADER) -o $(BUILD_DIR)/header/hpp.o || exit 1; \
	done
	@echo "test-header: tenios.h compiles as C99, C11, C17 (with and without -fshort-enums)" \
	     "and C++11 to C++20; tenios.hpp as C++17 and C++20"

test-rust:
	$(CARGO) test --features sim

# The committed fuzz corpus replayed through every cargo-fuzz target (mk/fuzz.mk,
# docs/fuzzing.md), then the property tests for about a minute: the response mapping and the C
# argument checks on tens of thousands of random inputs, after the saved inputs in
# tests/properties.proptest-regressions.
test-fuzz: test-fuzz-corpus
	PROPTEST_CASES=60000 $(CARGO) test --features sim --test properties

test-c: build
	@$(MAKE) --no-print-directory c-programs $(SAN_TESTS)
	BUILD_DIR=$(CURDIR)/$(BUILD_DIR) SANITIZED_BUILD_DIR=$(CURDIR)/$(SAN_DIR) \
		TENIOS_SIM=$(SIM) TENIOS_LIB=$(LIB) tests/c/run.sh

test-cpp: build
	@$(MAKE) --no-print-directory $(CPP_EXAMPLE) $(CPP_TESTS)
	BUILD_DIR=$(CURDIR)/$(BUILD_DIR) TENIOS_SIM=$(SIM) tests/cpp/run.sh

# tests/python on every Python from 3.9 to 3.13 the machine has (pyenv's), each in its own venv
# under build/python-venvs with pytest; a missing interpreter is a printed skip.
test-python: build
	TENIOS_LIBRARY=$(LIB) TENIOS_SIM=$(SIM) tests/python/run_versions.sh

# The simulator (--webhook) drives the example webhooks, C, C++ then Python, through request 0, an
# interrupt by build/tenios-interrupt and the next request, and checks the call's timeline
# (tests/webhook/e2e.sh). tests/python/test_webhook_e2e.py does the same from pytest.
test-webhook: build
	@$(MAKE) --no-print-directory $(C_EXAMPLE) $(C_WEBHOOK_EXAMPLE) $(CPP_WEBHOOK_EXAMPLE)
	TENIOS_SIM=$(SIM) TENIOS_EXAMPLE=$(CURDIR)/$(C_EXAMPLE) PYTHON=$(PYTHON) \
		tests/webhook/e2e.sh $(CURDIR)/$(C_WEBHOOK_EXAMPLE)
	TENIOS_SIM=$(SIM) TENIOS_EXAMPLE=$(CURDIR)/$(C_EXAMPLE) PYTHON=$(PYTHON) \
		tests/webhook/e2e.sh $(CURDIR)/$(CPP_WEBHOOK_EXAMPLE)
	TENIOS_SIM=$(SIM) TENIOS_EXAMPLE=$(CURDIR)/$(C_EXAMPLE) PYTHON=$(PYTHON) \
		TENIOS_LIBRARY=$(LIB) PYTHONPATH=$(CURDIR)/bindings/python \
		tests/webhook/e2e.sh $(PYTHON) bindings/python/examples/webhook_server.py

# libtenios over a lossy, slow network and into a blackhole (issue 15): two network namespaces
# of its own and a veth pair, 2 % loss with nftables, 25 ms each way with benches/latency_proxy.c,
# 1,000 calls per protocol against tenios-sim; no request twice, every call back by its timeout
# + 500 ms, statuses that match what the simulator saw (tests/netem/netem.py). Needs root;
# prints SKIP where the kernel refuses a network namespace. About a minute.
NETEM_DRIVER := $(BUILD_DIR)/netem_driver
NETEM_PROXY  := $(BUILD_DIR)/latency_proxy

$(NETEM_DRIVER): tests/netem/driver.c $(HEADER) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $@ $< \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)

$(NETEM_PROXY): benches/latency_proxy.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

test-netem: build
	@$(MAKE) --no-print-directory $(NETEM_DRIVER) $(NETEM_PROXY)
	TENIOS_SIM=$(SIM) NETEM_DRIVER=$(CURDIR)/$(NETEM_DRIVER) NETEM_PROXY=$(CURDIR)/$(NETEM_PROXY) \
		$(PYTHON) tests/netem/netem.py

test: deps build header-check test-header test-docs test-rust test-fuzz test-c test-cpp test-python \
      test-webhook test-netem test-python-wheel test-install test-deb abi-check test-lua test-kamailio

# ------------------------------------------------------------------- demo

demo: build
	@$(MAKE) --no-print-directory -s $(C_EXAMPLE) $(C_CLIENT_EXAMPLE) $(C_CALL_DEMO) $(CPP_EXAMPLE) \
		$(C_WEBHOOK_EXAMPLE) $(C_CLICK_TO_CALL)
	TENIOS_SIM=$(SIM) TENIOS_EXAMPLE=$(CURDIR)/$(C_EXAMPLE) \
		TENIOS_WEBHOOK_SERVER=$(CURDIR)/$(C_WEBHOOK_EXAMPLE) \
		TENIOS_CLIENT_EXAMPLE=$(CURDIR)/$(C_CLIENT_EXAMPLE) \
		TENIOS_CALL_DEMO=$(CURDIR)/$(C_CALL_DEMO) \
		TENIOS_CLICK_TO_CALL=$(CURDIR)/$(C_CLICK_TO_CALL) \
		TENIOS_CPP_EXAMPLE=$(CURDIR)/$(CPP_EXAMPLE) \
		TENIOS_LIBRARY=$(LIB) PYTHON=$(PYTHON) bindings/c/demo.sh

# ------------------------------------------------------------------- soak

# 100,000 calls from 16 threads against the simulator; prints open fds and RSS at 10,000 and
# 100,000 calls (README, "Reliability"). A measurement, not a test: `make test` does not run it.
soak: build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(CPPFLAGS) $(TENIOS_CPPFLAGS) $(CFLAGS) -pthread -o $(BUILD_DIR)/soak benches/soak.c \
		$(LDFLAGS) $(TENIOS_LDFLAGS) $(TENIOS_LDLIBS) $(LDLIBS)
	TENIOS_SIM=$(SIM) SOAK_BIN=$(CURDIR)/$(BUILD_DIR)/soak benches/soak.sh

# ------------------------------------------------------------------ bench

# libtenios against libcurl, a raw socket, requests and urllib3, through nginx on loopback
# (installed when missing): prints a table and writes BENCHMARKS.md and BENCHMARKS.png.
# A measurement, not a test: `make test` does not run it. About 10 minutes on 2 cores.
bench: build
	BENCH_COMMAND="make bench" CC="$(CC)" $(PYTHON) benches/run.py

# ------------------------------------------------------------------ clean

clean:
	rm -rf $(BUILD_DIR)
	$(CARGO) clean

# ---------------------------------------------------- install and the ABI gate

include mk/install.mk
include mk/python.mk
include mk/debian.mk
include mk/bench.mk
include mk/lua.mk
include mk/kamailio.mk
include mk/docs.mk
include mk/fuzz.mk
