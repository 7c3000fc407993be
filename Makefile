# dockward: GNU make build. `make deps` installs what Debian lacks, `make` builds build/dockward.
VERSION    ?= 0.1.0
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
DATADIR    ?= $(PREFIX)/share/dockward
SYSCONFDIR ?= /etc
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= /lib/systemd/system
DEB_REVISION ?= 1
DESTDIR    ?=
B          := build

CC        ?= cc
PKGS      := libcurl yajl libbpf inih sqlite3 libarchive libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libarchive is loaded on first use (agent/lazy_archive.c): only the unit tests that write archives link it;
# libsqlite3 when a database is opened (agent/lazy_sqlite.c); libbpf by the commands that load probes
# (agent/lazy_bpf.c): linked --as-needed, so that a libbpf function it does not wrap yet links (and maps
# libbpf at start again) instead of failing
PKG_LIBS   := $(filter-out -larchive -lsqlite3 -lbpf,$(shell pkg-config --libs $(PKGS) 2>/dev/null)) \
              -Wl,--as-needed -lbpf -Wl,--no-as-needed
INIH_VERSION := $(shell pkg-config --modversion inih 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -I. -Iagent -Ichecks \
             -MMD -MP $(PKG_CFLAGS) -DDOCKWARD_VERSION='"$(VERSION)"' \
             -DINIH_VERSION='"$(INIH_VERSION)"' -DDOCKWARD_DATADIR='"$(DATADIR)"' \
             -DDOCKWARD_SYSCONFDIR='"$(SYSCONFDIR)"'
LDLIBS    += $(PKG_LIBS)

# Everything but main.c goes into one static library that the binary, the
# unit tests and the fuzz targets link, so they all test the same code.
LIB_SRC   := $(filter-out agent/main.c,$(wildcard agent/*.c agent/*/*.c checks/*.c checks/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
LIB       := $(B)/libdockward.a
BIN       := $(B)/dockward

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps test test-unit test-integration asan fuzz fuzz-smoke install clean bench man deb rpm
all: $(BIN)

-include probes/probes.mk

Q := $(if $(V),,@)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(B)/obj/agent/main.o $(LIB)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -Wl,--as-needed -larchive -Wl,--no-as-needed -lcmocka

deps:
	@tests/deps.sh

export DOCKWARD_BUILD := $(B)

test: all $(UNIT_BIN)
	@tests/run.sh

test-unit: $(UNIT_BIN)
	@tests/run.sh unit

test-integration: all
	@tests/run.sh integration

# The whole suite again under AddressSanitizer + UBSan, in a build tree of its own.
asan:
	$(MAKE) B=$(B)/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

# libFuzzer targets (clang only); `fuzz-smoke` replays the seed corpus under ASan with any compiler.
FUZZ_TIME ?= 30
FUZZ_B := $(B)/fuzz
# FUZZ=name runs one target only
fuzz:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" $(FUZZ_B)/libdockward.a
	@mkdir -p $(FUZZ_B)/bin
	@for f in $(if $(FUZZ),tests/fuzz/$(FUZZ).c,$(FUZZ_SRC)); do n=$$(basename $$f .c); \
	  clang -std=c11 -D_GNU_SOURCE -I. -Iagent -Ichecks $(PKG_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
	    $$f $(FUZZ_B)/libdockward.a $(LDLIBS) -o $(FUZZ_B)/bin/$$n || exit 1; \
	  mkdir -p $(FUZZ_B)/corpus-$$n; \
	  echo "fuzz: $$n for $(FUZZ_TIME)s"; \
	  $(FUZZ_B)/bin/$$n -max_total_time=$(FUZZ_TIME) -max_len=65536 $(FUZZ_B)/corpus-$$n tests/fuzz/corpus/$$n || exit 1; \
	done

SMOKE_B := $(B)/fuzz-smoke
fuzz-smoke:
	@$(MAKE) --no-print-directory B=$(SMOKE_B) CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" $(SMOKE_B)/libdockward.a
	@mkdir -p $(SMOKE_B)/bin
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  $(CC) -std=c11 -D_GNU_SOURCE -I. -Iagent -Ichecks $(PKG_CFLAGS) -O1 -g -fsanitize=address,undefined \
	    -fno-sanitize-recover=all $$f tests/fuzz/replay_main.c $(SMOKE_B)/libdockward.a $(LDLIBS) \
	    -o $(SMOKE_B)/bin/$$n || exit 1; \
	  $(SMOKE_B)/bin/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

bench: all
	@for s in tests/bench/*.sh; do bash $$s || exit 1; done

# man pages are generated from the scdoc sources in docs/man/
MAN_PAGES := $(B)/man/dockward.8 $(B)/man/dockward.conf.5
man: $(MAN_PAGES)
$(B)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	$(Q)scdoc < $< > $@

install: all man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(SYSCONFDIR)/dockward \
	    $(DESTDIR)$(SYSCONFDIR)/cron.d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/dockward
	install -m 0640 packaging/dockward.conf $(DESTDIR)$(SYSCONFDIR)/dockward/dockward.conf
	install -m 0644 packaging/cron/dockward $(DESTDIR)$(SYSCONFDIR)/cron.d/dockward
	install -m 0644 packaging/systemd/dockward.service packaging/systemd/dockward-audit.service \
	    packaging/systemd/dockward-audit.timer $(DESTDIR)$(UNITDIR)/
	install -m 0644 $(B)/man/dockward.8 $(DESTDIR)$(MANDIR)/man8/dockward.8
	install -m 0644 $(B)/man/dockward.conf.5 $(DESTDIR)$(MANDIR)/man5/dockward.conf.5
	if [ -d rules ]; then cd rules && find . -name '*.ini' -type f | while read -r f; do \
	    install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/rules/$$f"; done; fi

# deb and rpm: both run `make install DESTDIR=... PREFIX=/usr` on a copy of the tree
PKG_SRC := $(B)/pkg/dockward-$(VERSION)
deb:
	rm -rf $(B)/pkg && mkdir -p $(PKG_SRC)
	tar -c --exclude=./build --exclude=./.git . | tar -x -C $(PKG_SRC)
	cp -r packaging/debian $(PKG_SRC)/debian
	printf 'dockward (%s-%s) unstable; urgency=medium\n\n  * Build of dockward %s.\n\n -- dockward developers <dev@dockward.invalid>  %s\n' \
	    "$(VERSION)" "$(DEB_REVISION)" "$(VERSION)" "$$(date -R)" > $(PKG_SRC)/debian/changelog
	cd $(PKG_SRC) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || { tail -40 ../build.log; exit 1; }
	mv $(B)/pkg/*.deb $(B)/
	@ls $(B)/*.deb

rpm:
	rm -rf $(B)/rpm && mkdir -p $(B)/rpm
	rpmbuild -bb --build-in-place --nodeps --define "_topdir $(abspath $(B)/rpm)" \
	    --define "version $(VERSION)" --define "release $(DEB_REVISION)" packaging/rpm/dockward.spec \
	    >$(B)/rpm/build.log 2>&1 || { tail -40 $(B)/rpm/build.log; exit 1; }
	mv $(B)/rpm/RPMS/*/*.rpm $(B)/
	@ls $(B)/*.rpm

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(B)/obj/agent/main.d
