# Debian packages (debian/; docs/packaging.md).  Included by the Makefile.
#
#   make deb        dpkg-buildpackage -b -us -uc into ../ (as Debian's tools do), with the
#                   toolchain on PATH (-d: cargo and rustc need not be Debian's packages)
#   make test-deb   build them from a copy of the source, lintian, dpkg -i, a pkg-config
#                   consumer and /usr/bin/python3 against the installed tenios-sim, purge
#                   (tests/deb/run.sh; root). cargo's target directory is $(DEB_TARGET_DIR),
#                   kept between runs, so a second run only recompiles what changed.

DEB_TARGET_DIR ?= $(TARGET_DIR)/deb

.PHONY: deb test-deb

deb:
	CARGO_TARGET_DIR=$(DEB_TARGET_DIR) dpkg-buildpackage -b -us -uc -d

test-deb:
	CC="$(CC)" DEB_TARGET_DIR=$(DEB_TARGET_DIR) tests/deb/run.sh
