# The wide-area benchmark (issue 11): libtenios and libcurl through benches/latency_proxy.c, a
# proxy on loopback that delays every chunk 20 ms each way (RTT 40 ms), in front of nginx over
# HTTPS; reported in round trips. `make bench` runs it too, after the loopback figures; this
# runs it alone and rewrites only its section of BENCHMARKS.md (and BENCHMARKS.png, when a
# `make bench` left its figures in build/bench/loopback.json). About 3.5 minutes, most of it
# waiting for the calls 60 s apart. A measurement, not a test: `make test` does not run it.
#
#   make bench-wan                          BENCH_WAN_DELAY_MS=20 BENCH_WAN_SAMPLES=10
#                                           BENCH_WAN_IDLE_SAMPLES=3 by default

.PHONY: bench-wan

bench-wan: build
	BENCH_COMMAND="make bench-wan" CC="$(CC)" $(PYTHON) benches/wan.py

# What one warm call costs (issue 15): instructions (callgrind) and system calls (strace -f -c),
# each (count at 2N calls - count at N calls) / N, for libtenios, libcurl and the raw socket,
# HTTP and HTTPS, against the nginx of `make bench`; writes the "Cost per warm call" section of
# BENCHMARKS.md (which `make bench` keeps). About a minute. Installs valgrind and strace when
# missing. A measurement, not a test: `make test` does not run it.
#
#   make bench-cost                         BENCH_COST_CALLS=200 (N) by default

.PHONY: bench-cost

bench-cost: build
	BENCH_COMMAND="make bench-cost" CC="$(CC)" $(PYTHON) benches/cost.py

# The parsers of untrusted bytes (webhook requests, API responses, the simulator's requests) on
# the worst inputs we can build (benches/parse_worst.rs): one line per input with its time.
# A measurement, not a test. About 2 minutes, most of it the optimized build.
.PHONY: bench-parse

bench-parse:
	$(CARGO) bench --features sim --bench parse_worst
