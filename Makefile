# libonderwijsregio: build, test, install.
#
#   make / make dist   dist/lib/libonderwijsregio.so, dist/include/onderwijsregio.h, dist/lib/pkgconfig/
#   make deps          install the Debian packages and Python modules the build and tests need
#   make test          deps, dist, every test suite; the last line is "N passed, N failed"
#   make bench         benchmarks (not tests), side by side with the alternatives
#   make fuzz          libFuzzer harnesses, FUZZ_SECONDS each (default 300)
#   make test-asan     Swift tests and the C stress test under AddressSanitizer (test-tsan: ThreadSanitizer)
#   make wheel         dist/onderwijsregio-*.whl: the Python package with the library inside
#   make install       PREFIX=/usr/local by default
#   make demo          end to end against the local simulator: schema, validation, submission, callback
#   make sim           the local API simulator in the foreground (SIM_PORT=8787, SIM_ARGS=...)
#   make clean

SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
CC ?= cc
PYTHON ?= python3
PHP ?= php
SIM_PORT ?= 8787
SIM_ARGS ?=

VERSION := $(shell sed -n 's/^\#define OREG_VERSION "\(.*\)"/\1/p' include/onderwijsregio.h)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

DIST := dist
DIST_LIB := $(DIST)/lib/libonderwijsregio.so
DIST_REAL := $(DIST_LIB).$(VERSION)
DIST_SONAME := $(DIST_LIB).$(SOVERSION)
DIST_HEADER := $(DIST)/include/onderwijsregio.h
DIST_PC := $(DIST)/lib/pkgconfig/onderwijsregio.pc
FFI_CDEF := $(DIST)/share/onderwijsregio/onderwijsregio.ffi.h

# The artefact is built in its own scratch path, so `swift test` (in .build) never touches it.
DIST_SCRATCH := .build-dist
# lld (shipped with the Swift toolchain) folds identical code and drops unreferenced sections of
# the static Swift runtime: 8.36 MB -> 8.18 MB stripped.
DIST_FLAGS := -c release --scratch-path $(DIST_SCRATCH) \
	-Xswiftc -static-stdlib \
	-Xswiftc -use-ld=lld -Xlinker --icf=all -Xlinker --gc-sections \
	-Xlinker -z -Xlinker nodelete \
	-Xlinker --version-script=$(CURDIR)/tools/build/exports.map \
	-Xlinker -soname=libonderwijsregio.so.$(SOVERSION)

SOURCES := Package.swift $(shell find Sources -type f) tools/build/exports.map

# Debian packages: build (libraries, pkg-config), tests (php-cli with FFI, Python venv, valgrind).
DEB_PACKAGES := libcurl4-openssl-dev libssl-dev libpcre2-dev libsqlite3-dev pkg-config php-cli php-cgi phpunit python3-venv python3-pip

.PHONY: all dist deps test bench install uninstall demo sim clean check-abi wheel fuzz test-asan test-tsan

all: dist

dist: $(DIST_LIB) $(DIST_HEADER) $(DIST_PC) $(FFI_CDEF)

$(DIST_REAL): $(SOURCES)
	$(SWIFT) build $(DIST_FLAGS) --product onderwijsregio
	@mkdir -p $(DIST)/lib
	cp "$$($(SWIFT) build $(DIST_FLAGS) --show-bin-path)/libonderwijsregio.so" $@.tmp
	strip --strip-unneeded $@.tmp
	mv $@.tmp $@
	$(MAKE) --no-print-directory check-abi

$(DIST_LIB): $(DIST_REAL)
	ln -sf libonderwijsregio.so.$(VERSION) $(DIST_SONAME)
	ln -sf libonderwijsregio.so.$(SOVERSION) $@

$(DIST_HEADER): include/onderwijsregio.h
	@mkdir -p $(dir $@)
	cp $< $@

# Relocatable: ${pcfiledir} makes the same file right in dist/ and after `make install`.
$(DIST_PC): tools/build/onderwijsregio.pc.in include/onderwijsregio.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$${pcfiledir}/../..|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# PHP's FFI has no preprocessor: it gets the header after the preprocessor, never a hand copy.
$(FFI_CDEF): include/onderwijsregio.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -DOREG_FFI_CDEF -x c $< > $@

# The hand-written header and the compiler-generated one must declare the same functions with
# compatible types: compiled together, any drift is an error.
check-abi:
	@bash tools/build/check-abi.sh "$$($(SWIFT) build $(DIST_FLAGS) --show-bin-path)" $(DIST_REAL)

deps:
	@bash tools/build/deps.sh $(DEB_PACKAGES)

test: deps dist
	@bash tools/test/run-all.sh

fuzz: deps
	@bash tools/fuzz/run.sh

test-asan: deps dist
	@bash tools/sanitize/run.sh address

test-tsan: deps dist
	@bash tools/sanitize/run.sh thread

wheel: dist
	@bash tools/build/wheel.sh

bench: dist
	@bash tools/bench/run.sh

install: dist
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(DIST_REAL) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libonderwijsregio.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libonderwijsregio.so.$(SOVERSION)
	ln -sf libonderwijsregio.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libonderwijsregio.so
	install -m 0644 include/onderwijsregio.h $(DESTDIR)$(PREFIX)/include/
	install -m 0644 $(DIST_PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	-@[ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null && [ "$$(id -u)" = 0 ] && ldconfig || true

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libonderwijsregio.so* $(DESTDIR)$(PREFIX)/include/onderwijsregio.h \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/onderwijsregio.pc

# The simulator needs only Python 3 and jsonschema (make deps), not the library.
sim:
	@$(PYTHON) -c 'import referencing' 2>/dev/null || bash tools/build/deps.sh
	$(PYTHON) tools/simulator/server.py --port $(SIM_PORT) $(SIM_ARGS)

demo: deps dist
	@bash tools/demo/run.sh

clean:
	rm -rf $(DIST) .build .build-dist .build-test .build-demo .build-fuzz .build-asan .build-tsan .build-bench
