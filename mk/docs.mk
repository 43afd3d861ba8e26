# libtenios: man pages, the HTML reference and the documentation tests.  Included by the Makefile.
#
#   make man        regenerate man/man3/*.3 and man/man1/tenios-sim.1 from include/tenios.h and
#                   tenios-sim's --help text (mk/manpages.py); commit them
#   make docs       the HTML reference, build/docs/html/index.html, from the same pages (mandoc)
#   make test-docs  the committed man pages are up to date, cover every exported function and
#                   pass `mandoc -T lint`; every link and anchor of README.md and docs/*.md
#                   resolves; every C, C++ and Python snippet there compiles or runs (also on the
#                   oldest Python pyenv has, 3.9); the README's first call works as written; the
#                   simulator's CI recipe (docs/simulator.md) works across shells
#
# Needs mandoc (`make deps` installs it) and curl.

MAN_DIR  := man
HTML_DIR := $(BUILD_DIR)/docs/html

.PHONY: man man-check docs test-docs

man:
	$(PYTHON) mk/manpages.py man $(MAN_DIR)

# Like header-check: the committed pages are what the header and the simulator's help give.
man-check:
	$(PYTHON) mk/manpages.py check $(MAN_DIR)

docs:
	@command -v mandoc >/dev/null 2>&1 || { echo "docs: needs mandoc (make deps)"; exit 1; }
	$(PYTHON) mk/manpages.py html $(MAN_DIR) $(HTML_DIR)

test-docs: build man-check
	@$(MAKE) --no-print-directory docs
	CC="$(CC)" CXX="$(CXX)" PYTHON="$(PYTHON)" TENIOS_LIB=$(LIB) TENIOS_SIM=$(SIM) \
		RELEASE_DIR=$(RELEASE) MAN_DIR=$(MAN_DIR) tests/docs/run.sh
