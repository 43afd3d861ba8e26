# make test-kamailio: Kamailio with the KEMI scripts of bindings/kamailio/ (Lua and Python)
# against tenios-sim, driven by SIPp (tests/kamailio/run.py); installs kamailio, its Lua and
# Python modules and sip-tester when missing, and prints the SIP figures (build/kamailio/);
# `make bench-sip` runs the same and records them in BENCHMARKS.md.

KAMAILIO_PACKAGES := kamailio kamailio-lua-modules kamailio-python3-modules sip-tester

.PHONY: kamailio-deps test-kamailio bench-sip

kamailio-deps:
	@missing=; for pkg in $(KAMAILIO_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "kamailio-deps: installing$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	fi

test-kamailio: lua-deps kamailio-deps build
	@$(MAKE) --no-print-directory $(LUA_DIR)/lua5.1/tenios.so
	TENIOS_SIM=$(SIM) TENIOS_LIBRARY=$(LIB) TENIOS_LUA_CPATH=$(CURDIR)/$(LUA_DIR)/lua5.1/?.so \
		PYTHONPATH=$(CURDIR)/bindings/python $(PYTHON) tests/kamailio/run.py

bench-sip:
	@TENIOS_BENCH_WRITE=1 $(MAKE) --no-print-directory test-kamailio
