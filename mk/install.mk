# libtenios: install, uninstall, the install tests and the ABI gate.  Included by the Makefile.
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=...] [INCLUDEDIR=...] [BINDIR=...]
#                  [DATADIR=...] [DOCDIR=...] [MANDIR=...]  copy the built library into place (`make build`
#                  first, as yourself: install never runs cargo, so `sudo make install` works)
#   make uninstall same variables: removes exactly what install put there
#   make test-install  install into a temporary DESTDIR and build C, C++ (CMake) and static
#                  programs against it only; symbols, SONAME, README snippets, uninstall, and
#                  the proof that the ABI gate catches what it should
#   make abi-check     compare the library's ABI with the committed baseline (abi/libtenios.abi)
#   make abi-baseline  regenerate that baseline (a release step: docs/releasing.md)
#
# Why by hand and not cargo-c: cargo-c (`cargo cinstall`) makes this same layout, but Debian 12's
# cargo-c 0.9.14 embeds a 2022 cargo that cannot read this crate's Cargo.lock (version 4) and
# only fetches the crates.io index over git; a current cargo-c from crates.io means compiling
# all of cargo (minutes on 2 cores) before every clean build. So this file makes cargo-c's
# layout itself, from what `cargo build` already produced: libtenios.so.X.Y.Z with SONAME
# libtenios.so.X (set in build.rs) and the two links, libtenios.a, the headers, tenios.pc, and
# a CMake package (which cargo-c does not make).

# VERSION (Cargo.toml's, read by the Makefile, never written down twice) and SONAME
# (libtenios.so.<major>) come from the Makefile.
VERSION_MAJOR := $(firstword $(subst ., ,$(VERSION)))
DESCRIPTION := $(shell awk -F'"' '/^\[/ { p = ($$0 == "[package]") } p && /^description *=/ { print $$2; exit }' Cargo.toml)

# GNU-style directories; each may be given on the command line or in the environment.
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
DOCDIR     ?= $(DATADIR)/doc/tenios
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR   ?= $(LIBDIR)/cmake/tenios
INSTALL    ?= install

STATICLIB  := $(RELEASE)/libtenios.a
REALNAME   := libtenios.so.$(VERSION)
# The system libraries libtenios.a needs: `cargo rustc --release --lib --crate-type staticlib
# -- --print native-static-libs` printed "-lc -lm -lrt -lpthread -lgcc_s -lutil -lrt -lpthread
# -lm -ldl -lc" (Rust's std on Linux/glibc); tests/install links a static program with these.
STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
LICENSES   := LICENSE-MIT LICENSE-APACHE
# The committed man pages (`make man` regenerates them from the header) and the guides the
# README links to, installed beside it so that its links work.
MAN1_PAGES := $(wildcard man/man1/*.1)
MAN3_PAGES := $(wildcard man/man3/*.3)
DOC_PAGES  := $(wildcard docs/*.md)

# Paths as the generated files write them: ${prefix}-relative in tenios.pc and relative to the
# package's own folder in the CMake config whenever the directory is under PREFIX.
pc_path = $(if $(filter $(PREFIX)/%,$(1)),$${prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))
cmake_path = $(if $(filter $(PREFIX)/%,$(1)),$${_tenios_prefix}/$(patsubst $(PREFIX)/%,%,$(1)),$(1))

.PHONY: install uninstall install-check test-install abi-lib abi-dump abi-check abi-baseline \
        abi-proof

install-check:
	@test -n "$(VERSION_MAJOR)" || { echo "install: no version in Cargo.toml"; exit 1; }
	@for f in $(LIB) $(STATICLIB) $(SIM) $(HEADER) $(CPP_HEADER); do \
		test -f $$f || { echo "install: $$f is missing: run \`make build\` first"; exit 1; }; \
	done
	@readelf -d $(LIB) | grep -q 'Library soname: \[$(SONAME)\]' || { \
		echo "install: $(LIB) has no SONAME $(SONAME) (readelf -d: $$(readelf -d $(LIB) | grep SONAME));" \
		     "build.rs sets it from the major version: rebuild"; exit 1; }

install: install-check
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libtenios.so
	$(INSTALL) -m 0644 $(STATICLIB) $(DESTDIR)$(LIBDIR)/libtenios.a
	$(INSTALL) -m 0644 $(HEADER) $(CPP_HEADER) $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0755 $(SIM) $(DESTDIR)$(BINDIR)/tenios-sim
	$(INSTALL) -m 0644 $(LICENSES) README.md $(DESTDIR)$(DOCDIR)/
	$(if $(DOC_PAGES),$(INSTALL) -m 0644 $(DOC_PAGES) $(DESTDIR)$(DOCDIR)/docs/)
	$(INSTALL) -m 0644 $(MAN1_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(MAN3_PAGES) $(DESTDIR)$(MANDIR)/man3/
	sed -e 's|@PREFIX@|$(PREFIX)|' \
	    -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|' \
	    -e 's|@DESCRIPTION@|$(DESCRIPTION)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@STATIC_LIBS@|$(STATIC_LIBS)|' \
	    mk/tenios.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/tenios.pc
	sed -e "s|@CMAKEDIR_TO_PREFIX@|$$(realpath -m -s --relative-to=$(CMAKEDIR) $(PREFIX))|" \
	    -e 's|@CMAKE_LIBDIR@|$(call cmake_path,$(LIBDIR))|' \
	    -e 's|@CMAKE_INCLUDEDIR@|$(call cmake_path,$(INCLUDEDIR))|' \
	    -e 's|@CMAKE_STATIC_LIBS@|$(subst $(eval) ,;,$(patsubst -l%,%,$(STATIC_LIBS)))|' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(VERSION_MAJOR)|g' \
	    mk/teniosConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/teniosConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(VERSION_MAJOR)|g' \
	    -e "s|@SIZEOF_VOID_P@|$$(( $$(getconf LONG_BIT) / 8 ))|g" \
	    mk/teniosConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/teniosConfigVersion.cmake
# A system-wide install as root refreshes the loader's cache (/usr/local/lib is only found
# through it); a DESTDIR install leaves that to the package manager.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1; then \
		echo ldconfig; ldconfig; \
	fi

# Every file install writes, and the package's own folders when they are left empty.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libtenios.so $(DESTDIR)$(LIBDIR)/libtenios.a \
	      $(DESTDIR)$(INCLUDEDIR)/tenios.h $(DESTDIR)$(INCLUDEDIR)/tenios.hpp \
	      $(DESTDIR)$(BINDIR)/tenios-sim $(DESTDIR)$(PKGCONFIGDIR)/tenios.pc \
	      $(DESTDIR)$(CMAKEDIR)/teniosConfig.cmake $(DESTDIR)$(CMAKEDIR)/teniosConfigVersion.cmake \
	      $(addprefix $(DESTDIR)$(DOCDIR)/,$(LICENSES) README.md $(DOC_PAGES)) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1_PAGES))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3_PAGES)))
	-rmdir $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null 2>&1; then \
		echo ldconfig; ldconfig; \
	fi

test-install: build
	CC="$(CC)" CXX="$(CXX)" MAKE="$(MAKE)" tests/install/run.sh

# ------------------------------------------------------------------ ABI gate
#
# libabigail reads the Rust DWARF of the exported functions: their parameter and return types,
# the tenios_status enum with its values, the opaque handle structs. It needs debug info, which
# the release build has not, so the gate builds the library once more with debug info for this
# crate only, into its own target folder (the normal build stays as it is): about 70 s the first
# time (the dependencies), then as long as a release build of the crate.
ABI_TARGET_DIR := $(TARGET_DIR)/abi
ABI_LIB      := $(ABI_TARGET_DIR)/release/libtenios.so
ABI_BASELINE := abi/libtenios.abi
ABI_DUMP     := $(BUILD_DIR)/libtenios.abi
ABIDW_FLAGS  := --no-show-locs --no-corpus-path --no-comp-dir-path --drop-undefined-syms \
                --type-id-style hash

abi-lib:
	$(CARGO) build --release --lib --features sim --target-dir $(ABI_TARGET_DIR) \
		--config 'profile.release.package.tenios.debug=true'

abi-dump: abi-lib
	@mkdir -p $(BUILD_DIR)
	abidw $(ABIDW_FLAGS) --out-file $(ABI_DUMP) $(ABI_LIB)

# Fails on a removed function, a changed signature, a changed enum value or struct; additions
# (a new function, a new status at the end) pass. See mk/abi-compare.sh.
abi-check: abi-dump
	mk/abi-compare.sh $(ABI_BASELINE) $(ABI_DUMP)

abi-baseline: abi-dump
	@mkdir -p $(dir $(ABI_BASELINE))
	cp $(ABI_DUMP) $(ABI_BASELINE)
	@echo "abi-baseline: wrote $(ABI_BASELINE) from $(ABI_LIB); commit it"

# The gate on real libraries: deliberate changes to a scratch copy of the Rust source, each
# built and compared (tests/install/abi-rebuild-proof.sh). Not in `make test`: about 25 s after
# a first run of about 70 s; tests/install/abi-gate.sh (in test-install) does it on edited dumps.
abi-proof:
	CARGO="$(CARGO)" ABI_PROOF_DIR=$(TARGET_DIR)/abi-proof tests/install/abi-rebuild-proof.sh
