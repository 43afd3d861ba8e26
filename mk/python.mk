# Python packaging targets (included from the Makefile: `include mk/python.mk`).
#
#   make test-python-wheel   build the pip wheel (setuptools-rust runs cargo), check its tag
#                            and file list, install it into a fresh venv and call the bundled
#                            tenios-sim through it from outside the checkout
#   make python-wheel        just build the wheel into dist/
#
# The wheel build uses its own cargo target directory (target/wheel, or $(CARGO_TARGET_DIR)/wheel)
# because setuptools-rust builds the library with `cargo rustc --crate-type cdylib`, which
# would otherwise invalidate the development build in target/release and the other way round.
# The first run compiles everything once (a few minutes on 2 cores); later runs are incremental.

PYTHON ?= python3
WHEEL_TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR),$(CURDIR)/target)/wheel

.PHONY: test-python-wheel python-wheel

test-python-wheel:
	PYTHON=$(PYTHON) WHEEL_TARGET_DIR=$(WHEEL_TARGET_DIR) tests/python/wheel_test.sh

python-wheel:
	@$(PYTHON) -m venv $(CURDIR)/build/wheel-venv
	CARGO_TARGET_DIR=$(WHEEL_TARGET_DIR) $(CURDIR)/build/wheel-venv/bin/python3 -m pip wheel \
		--no-deps --wheel-dir $(CURDIR)/dist .
