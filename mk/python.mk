# Python packaging targets (included from the Makefile: `include mk/python.mk`).
#
#   make python-dist         the files for PyPI in dist/: the sdist and a manylinux wheel built
#                            from it (cargo-zigbuild against glibc 2.17), checked by auditwheel
#                            and `twine check --strict` (mk/python-dist.sh)
#   make test-python-wheel   python-dist into a scratch folder, then: the wheel's tag, files
#                            and metadata; the wheel installed into a fresh venv of every
#                            Python 3.9-3.13 here, each calling the bundled tenios-sim from
#                            outside the checkout; and the sdist built into a wheel by pip in a
#                            fresh venv, installed and called the same way
#                            (tests/python/wheel_test.sh)
#
# Each build has its own cargo target directory, kept between runs so that later runs only
# recompile this crate: $(MANYLINUX_TARGET_DIR) for the manylinux wheel (another target triple
# and linker than the development build) and $(SDIST_TARGET_DIR) for pip's build from the sdist.

PYTHON ?= python3
CARGO_BASE_DIR := $(if $(CARGO_TARGET_DIR),$(abspath $(CARGO_TARGET_DIR)),$(CURDIR)/target)
MANYLINUX_TARGET_DIR ?= $(CARGO_BASE_DIR)/manylinux
SDIST_TARGET_DIR ?= $(CARGO_BASE_DIR)/sdist

.PHONY: test-python-wheel python-dist

python-dist:
	PYTHON=$(PYTHON) MANYLINUX_TARGET_DIR=$(MANYLINUX_TARGET_DIR) mk/python-dist.sh $(CURDIR)/dist

test-python-wheel:
	PYTHON=$(PYTHON) MANYLINUX_TARGET_DIR=$(MANYLINUX_TARGET_DIR) \
		SDIST_TARGET_DIR=$(SDIST_TARGET_DIR) tests/python/wheel_test.sh
