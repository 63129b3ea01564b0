# cfnet build entry points. Everything goes through Maven with a JDK >= 25 that this file finds by itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A JDK >= 25: JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm, else macOS's java_home -v 25+.
JDK_CANDIDATES = "$$JAVA_HOME" $$(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -r) \
  $$( [ -x /usr/libexec/java_home ] && /usr/libexec/java_home -v 25+ 2>/dev/null )
FIND_JDK = best=; bestv=0; for j in $(JDK_CANDIDATES); do j=$${j%/}; [ -n "$$j" ] || continue; \
  [ -x "$$j/bin/java" ] && [ -x "$$j/bin/javac" ] || continue; \
  v=$$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$$j/release" 2>/dev/null); \
  [ -n "$$v" ] && [ "$$v" -ge 25 ] || continue; \
  if [ "$$j" = "$${JAVA_HOME%/}" ]; then best=$$j; break; fi; \
  if [ "$$v" -gt "$$bestv" ]; then best=$$j; bestv=$$v; fi; done; echo "$$best"
JDK := $(shell $(FIND_JDK))

MVN ?= mvn
MAVEN_FLAGS ?= -B -ntp
# Maven's own libraries use sun.misc.Unsafe; keep JDK 25 from warning about it on every run.
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow
RUN_MVN = JAVA_HOME="$(JDK)" $(MVN) $(MAVEN_FLAGS)

define NEED_JDK
	@if [ -z "$(JDK)" ]; then \
	  echo "cfnet needs a JDK 25 or newer, and found none (looked at JAVA_HOME, /usr/lib/jvm/*, java_home)." >&2; \
	  echo "Install one (e.g. Temurin 25 from https://adoptium.net, or 'brew install --cask temurin' on macOS)" >&2; \
	  echo "and point JAVA_HOME at it." >&2; exit 2; fi
	@command -v $(MVN) >/dev/null || { echo "cfnet needs Maven 3.8 or newer: 'apt-get install maven' or 'brew install maven'." >&2; exit 2; }
endef

# Generated CoreFoundation bindings (jextract output, committed): `make bindings` regenerates them.
JEXTRACT ?= jextract
MACOS_SDK ?= $(shell xcrun --show-sdk-path 2>/dev/null)
JEXTRACT_TARGET ?= x86_64-apple-macos11
GEN_DIR := bindings/src/gen/java

.PHONY: help jdk build install test test-reliability test-nio test-cf doclint clean bindings check-macos-sdk demo demo-jar bench \
  bench-quick bench-native bench-report fuzz

# make demo: the SMTP conversation against an embedded server; HOST=, PORT=, HELO=, BACKEND=, SCRIPT= for others;
# FROM=, TO= (space-separated), SUBJECT=, BODY=file deliver a message; STARTTLS=1, TLS=1, CAFILE= for TLS.
DEMO_JAR := demo/target/cfnet-demo.jar
DEMO_ARGS = $(if $(HOST),--host "$(HOST)") $(if $(PORT),--port "$(PORT)") $(if $(HELO),--helo "$(HELO)") \
  $(if $(BACKEND),--backend "$(BACKEND)") $(if $(SCRIPT),--script "$(SCRIPT)") $(if $(EHLO),--ehlo) \
  $(if $(TIMEOUT),--timeout "$(TIMEOUT)") $(if $(VERBOSE),--verbose) $(if $(STARTTLS),--starttls) $(if $(TLS),--tls) \
  $(if $(CAFILE),--cafile "$(CAFILE)") $(if $(FROM),--from "$(FROM)") $(foreach t,$(TO),--to "$(t)") \
  $(if $(SUBJECT),--subject "$(SUBJECT)") $(if $(BODY),--body-file "$(BODY)")

help:
	@echo "make demo                 the SMTP demo against an embedded server (HOST=h PORT=p HELO=n BACKEND=nio|cf)"
	@echo "make demo-jar             build demo/target/cfnet-demo.jar only (run it with demo/bin/cfnet-demo)"
	@echo "make test                 build and run every test (CF_LIBRARY=P: the CF half too); ends with why any skipped"
	@echo "make test-nio             the contract suite (module bindings) on the NIO backend only"
	@echo "make test-cf CF_LIBRARY=P the contract suite on the CF backend with the CoreFoundation at P"
	@echo "make test-reliability     the reliability suites at full size (CF_LIBRARY=P adds the CF backend)"
	@echo "make doclint              javadoc -Xdoclint:all on the API packages; fails on any warning"
	@echo "make build                compile and package without tests"
	@echo "make install              install the library and its parent POM into ~/.m2 for your own projects"
	@echo "make jdk                  print the JDK >= 25 the Makefile uses (JDK: $(or $(JDK),none found))"
	@echo "make bindings             regenerate the CF bindings with jextract (MACOS_SDK=..., JEXTRACT=...)"
	@echo "make check-macos-sdk      check the CF backend's symbols (and bindings) against a macOS SDK (MACOS_SDK=...)"
	@echo "make bench-quick          short benchmark run (< 5 min): benchmarks/results/latest.{json,md,png}"
	@echo "make bench                full benchmark run (< 30 min); CF rows with CF_LIBRARY=/path/libCoreFoundation.so"
	@echo "make bench-native         build the C reference programs of the benchmarks only (benchmarks/target/native)"
	@echo "make bench-report         write latest.md and latest.png again from latest.json and latest-meta.json"
	@echo "make fuzz                 fuzz the SMTP reply and script parsers with Jazzer, FUZZ_RUNS=$(FUZZ_RUNS) executions each"
	@echo "make clean                remove build output"

jdk:
	$(NEED_JDK)
	@echo "$(JDK)"

build:
	$(NEED_JDK)
	$(RUN_MVN) -DskipTests package

# The library, its sources and javadoc jars, and the parent POM that its POM names (-am brings the parent).
install:
	$(NEED_JDK)
	$(RUN_MVN) -q -pl bindings -am -DskipTests install
	@echo "installed dev.cfnet:cfnet:$$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1) into the local Maven repository"

# Runs Maven with the arguments given, then prints the totals, one line per skip reason and the failed tests from
# the surefire reports this run wrote; the exit status is Maven's.
TEST_MODULES := bindings demo benchmarks
define RUN_TESTS
	@echo '$(RUN_MVN) $(1)'
	@start=$$(date +%s); $(RUN_MVN) $(1); rc=$$?; \
	  "$(JDK)/bin/java" tools/TestSummary.java --since $$start $(TEST_MODULES) || true; exit $$rc
endef

# With a macOS SDK (MACOS_SDK=..., or xcrun's on macOS) the test runs check the CF backend's symbols against it too.
SDK_PROP = $(if $(MACOS_SDK),-Dcfnet.macos.sdk="$(abspath $(MACOS_SDK))")

# CF_LIBRARY=/path/libCoreFoundation.so runs the CF half too (it skips, and says so, where no CoreFoundation loads).
test:
	$(NEED_JDK)
	$(call RUN_TESTS,verify $(if $(CF_LIBRARY),-Dcfnet.cf.library="$(CF_LIBRARY)") $(SDK_PROP))

# Maven prints terminal reset codes even with -q -B: its output is shown only when the build fails.
demo-jar:
	$(NEED_JDK)
	@out=$$($(RUN_MVN) -q -pl demo -am -DskipTests package 2>&1) || { printf '%s\n' "$$out" >&2; exit 1; }

# The launcher picks a JDK >= 25 itself; JAVA_HOME hands it the one this Makefile found.
demo: demo-jar
	@JAVA_HOME="$(JDK)" CF_LIBRARY="$(CF_LIBRARY)" demo/bin/cfnet-demo smtp $(DEMO_ARGS)

# The reliability suites at full size (100,000 cycles, 1 GiB, 10,000 connections); make test runs them bounded.
test-reliability:
	$(NEED_JDK)
	$(call RUN_TESTS,verify -Dgroups=reliability -Dcfnet.reliability=full -Dsurefire.failIfNoSpecifiedTests=false \
	  $(if $(CF_LIBRARY),-Dcfnet.cf.library="$(CF_LIBRARY)"))

# The contract suite on one backend only.
test-nio:
	$(NEED_JDK)
	$(call RUN_TESTS,-pl bindings verify -Dcfnet.backend=nio $(SDK_PROP))

test-cf:
	$(NEED_JDK)
	@[ -n "$(CF_LIBRARY)" ] || [ "$$(uname)" = Darwin ] || { echo "make test-cf needs CF_LIBRARY=/path/to/libCoreFoundation.so off macOS" >&2; exit 2; }
	$(call RUN_TESTS,-pl bindings verify -Dcfnet.backend=cf -Dcfnet.cf.library="$(CF_LIBRARY)" $(SDK_PROP))

# javadoc -Xdoclint:all over the packages module-info exports, but the generated bindings: what the javadoc jar
# documents. Prints the count; any warning or error fails.
DOCLINT_EXCLUDE := dev.cfnet.cf.ffi
doclint:
	$(NEED_JDK)
	@pkgs=$$(sed -n 's/^[[:space:]]*exports[[:space:]]\{1,\}\([A-Za-z0-9_.]*\)[[:space:]]*;.*/\1/p' \
	    bindings/src/main/java/module-info.java | grep -vxF '$(DOCLINT_EXCLUDE)'); \
	  out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	  "$(JDK)/bin/javadoc" -Xdoclint:all -Xmaxwarns 100000 -Xmaxerrs 100000 -quiet -d "$$out/html" \
	    --source-path bindings/src/main/java:bindings/src/gen/java $$pkgs > "$$out/log" 2>&1; rc=$$?; \
	  grep -E ': (warning|error):' -A2 "$$out/log"; \
	  w=$$(grep -c ': warning:' "$$out/log"); e=$$(grep -c ': error:' "$$out/log"); \
	  echo "doclint: $$w warnings, $$e errors in $$(echo $$pkgs)"; \
	  [ $$rc -eq 0 ] && [ $$w -eq 0 ] && [ $$e -eq 0 ] || { [ $$w -gt 0 ] || [ $$e -gt 0 ] || cat "$$out/log"; exit 1; }

clean:
	$(NEED_JDK)
	$(RUN_MVN) -q clean

# jextract reads clang flags from compile_flags.txt in its working directory (it has no -F off macOS), so it runs
# in a scratch directory with the SDK's flags there.
bindings:
	@[ -n "$(MACOS_SDK)" ] && [ -d "$(MACOS_SDK)/System/Library/Frameworks/CoreFoundation.framework" ] || { \
	  echo "make bindings needs a macOS SDK: on macOS install the Xcode command line tools (xcrun finds it);" >&2; \
	  echo "elsewhere pass MACOS_SDK=/path/to/MacOSX.sdk" >&2; exit 2; }
	@command -v "$(JEXTRACT)" >/dev/null || { echo "jextract not found: put it on PATH or pass JEXTRACT=/path/to/bin/jextract" >&2; exit 2; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; mkdir -p "$$tmp/mac" "$$tmp/linux"; \
	  printf '%s\n' -target $(JEXTRACT_TARGET) -isysroot "$(MACOS_SDK)" "-F$(MACOS_SDK)/System/Library/Frameworks" \
	    > "$$tmp/mac/compile_flags.txt"; \
	  cp native/cfnet.h native/posix.h "$$tmp/mac/"; \
	  (cd "$$tmp/mac" && "$(JEXTRACT)" --output "$$tmp/out" @"$(CURDIR)/native/jextract.args" cfnet.h 2>&1 \
	    | { grep -v 'warning: Skipping' || true; }); \
	  (cd "$$tmp/mac" && "$(JEXTRACT)" --output "$$tmp/out" -t dev.cfnet.posix.gen --header-class-name MacOs \
	    @"$(CURDIR)/native/posix.args" posix.h); \
	  if [ "$$(uname)" = Linux ] && [ -f /usr/include/netinet/in.h ]; then \
	    cp native/posix.h "$$tmp/linux/"; \
	    (cd "$$tmp/linux" && "$(JEXTRACT)" --output "$$tmp/out" -t dev.cfnet.posix.gen --header-class-name Linux \
	      -D_GNU_SOURCE @"$(CURDIR)/native/posix.args" posix.h); \
	  else cp "$(GEN_DIR)"/dev/cfnet/posix/gen/Linux*.java "$$tmp/out/dev/cfnet/posix/gen/"; \
	    echo "bindings: no Linux headers here; the committed Linux constants are kept"; fi; \
	  sed -f native/ffi-lookup.sed "$$tmp/out/dev/cfnet/cf/ffi/CF.java" > "$$tmp/CF.java"; \
	  mv "$$tmp/CF.java" "$$tmp/out/dev/cfnet/cf/ffi/CF.java"; \
	  grep -q 'SYMBOL_LOOKUP = dev.cfnet.cf.CfLibrary.symbolLookup();' "$$tmp/out/dev/cfnet/cf/ffi/CF.java" || { \
	    echo "make bindings: jextract's symbol lookup in CF.java changed shape; native/ffi-lookup.sed no longer applies" >&2; \
	    exit 1; }; \
	  rm -rf "$(GEN_DIR)/dev/cfnet/cf/ffi" "$(GEN_DIR)/dev/cfnet/posix/gen"; mkdir -p "$(GEN_DIR)"; \
	  cp -R "$$tmp/out/." "$(GEN_DIR)/"; \
	  echo "generated $$(find "$(GEN_DIR)" -name '*.java' | wc -l) files in $(GEN_DIR) (dev.cfnet.cf.ffi, dev.cfnet.posix.gen)"

# What can be checked of macOS without a Mac: every symbol the CF backend uses is exported by the SDK's text stubs
# for x86_64 and arm64, and (with jextract) the bindings generated for each architecture equal the committed ones.
check-macos-sdk:
	$(NEED_JDK)
	@[ -n "$(MACOS_SDK)" ] && [ -d "$(MACOS_SDK)/System/Library/Frameworks/CoreFoundation.framework" ] || { \
	  echo "make check-macos-sdk needs MACOS_SDK=/path/to/MacOSX.sdk" >&2; exit 2; }
	$(RUN_MVN) -q -pl bindings verify -Dtest=MacOsSdkTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dcfnet.macos.sdk="$(abspath $(MACOS_SDK))"
	@echo "check-macos-sdk: every symbol the CF backend uses is exported for x86_64-macos and arm64-macos"
	@if command -v "$(JEXTRACT)" >/dev/null; then \
	  for t in x86_64-apple-macos11 arm64-apple-macos11; do \
	    tmp=$$(mktemp -d); mkdir -p "$$tmp/repo"; cp -R Makefile native "$$tmp/repo/"; \
	    $(MAKE) --no-print-directory -s -C "$$tmp/repo" bindings JEXTRACT_TARGET=$$t MACOS_SDK="$(abspath $(MACOS_SDK))" \
	      JEXTRACT="$$(command -v $(JEXTRACT))" >/dev/null || { rm -rf "$$tmp"; exit 1; }; \
	    if diff -r -q "$$tmp/repo/$(GEN_DIR)" "$(GEN_DIR)" >/dev/null; then \
	      echo "check-macos-sdk: bindings generated for $$t equal the committed ones"; \
	    else echo "check-macos-sdk: bindings generated for $$t DIFFER from the committed ones:" >&2; \
	      diff -r -q "$$tmp/repo/$(GEN_DIR)" "$(GEN_DIR)" >&2; rm -rf "$$tmp"; exit 1; fi; \
	    rm -rf "$$tmp"; done; \
	else echo "check-macos-sdk: no jextract (JEXTRACT=...): the two architectures' bindings were not compared"; fi

# ---- benchmarks (module benchmarks/, C references in native/bench/) ----------------------------------------------
# CF_LIBRARY=/path/libCoreFoundation.so adds the CF rows off macOS; CF_INCLUDE (default: ../include beside it) is
# where the C CFSocket reference finds <CoreFoundation/CoreFoundation.h>.
CF_LIBRARY ?=
CF_INCLUDE ?= $(if $(CF_LIBRARY),$(abspath $(dir $(CF_LIBRARY))../include))
BENCH_NATIVE := benchmarks/target/native
BENCH_CFLAGS ?= -O2 -Wall -Wextra -pthread
# Apple's CoreFoundation headers use blocks: clang -fblocks compiles them (and OpenCFLite's); gcc cannot.
CF_CC ?= $(if $(shell command -v clang 2>/dev/null),clang,$(CC))
CF_CFLAGS ?= $(if $(filter clang,$(CF_CC)),-fblocks)
BENCH_JAVA_FLAGS = --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Djava.awt.headless=true \
  $(if $(CF_LIBRARY),-Dcfnet.cf.library="$(CF_LIBRARY)")
# 10,000 idle connections need ~10,200 descriptors in the benchmark JVM (their peers live in a child process).
BENCH_NOFILE ?= 65536

bench-native:
	@mkdir -p $(BENCH_NATIVE)
	@for p in pingpong throughput connect; do \
	  $(CC) $(BENCH_CFLAGS) -o $(BENCH_NATIVE)/$$p native/bench/$$p.c || exit 1; done
	@rm -f $(BENCH_NATIVE)/cf_pingpong $(BENCH_NATIVE)/cf_connect
	@for p in cf_pingpong cf_connect; do \
	  if [ "$$(uname)" = Darwin ]; then \
	    $(CC) $(BENCH_CFLAGS) -o $(BENCH_NATIVE)/$$p native/bench/$$p.c -framework CoreFoundation || exit 1; \
	  elif [ -n "$(CF_LIBRARY)" ] && [ -f "$(CF_INCLUDE)/CoreFoundation/CoreFoundation.h" ]; then \
	    $(CF_CC) $(BENCH_CFLAGS) $(CF_CFLAGS) -isystem "$(CF_INCLUDE)" -o $(BENCH_NATIVE)/$$p native/bench/$$p.c \
	      "$(CF_LIBRARY)" -Wl,-rpath,"$(abspath $(dir $(CF_LIBRARY)))" || exit 1; \
	  else echo "bench: no CoreFoundation headers (CF_LIBRARY/CF_INCLUDE unset): the C CFSocket rows are skipped"; break; fi; \
	done
	@echo "C references built in $(BENCH_NATIVE)"

# Writes latest.md and latest.png again from latest.json and latest-meta.json (after a change to the report).
bench-report:
	$(NEED_JDK)
	$(RUN_MVN) -q -pl benchmarks -am -DskipTests package
	"$(JDK)/bin/java" -Djava.awt.headless=true -cp "benchmarks/target/classes:$$(cat benchmarks/target/classpath.txt)" \
	  dev.cfnet.bench.Report --in benchmarks/results/latest.json --meta benchmarks/results/latest-meta.json \
	  --out benchmarks/results

bench: BENCH_PROFILE = full
bench-quick: BENCH_PROFILE = quick
bench bench-quick:
	$(NEED_JDK)
	$(RUN_MVN) -q -pl benchmarks -am -DskipTests package
	@$(MAKE) --no-print-directory bench-native CF_LIBRARY="$(CF_LIBRARY)"
	@ulimit -n $(BENCH_NOFILE) 2>/dev/null || ulimit -n "$$(ulimit -Hn)" 2>/dev/null || true; \
	  echo "bench: descriptor limit $$(ulimit -n)"; \
	  start=$$(date +%s); \
	  "$(JDK)/bin/java" $(BENCH_JAVA_FLAGS) -cp "benchmarks/target/classes:$$(cat benchmarks/target/classpath.txt)" \
	    dev.cfnet.bench.BenchMain --profile $(BENCH_PROFILE) --native $(BENCH_NATIVE) --results benchmarks/results \
	    $(BENCH_ARGS) && echo "bench: $(BENCH_PROFILE) run took $$(( $$(date +%s) - start )) s"

# ---- fuzzing (Jazzer; targets in demo/src/test/java/dev/cfnet/demo/smtp/*FuzzTest.java) ----------------------------
# Each target is fuzzed for FUZZ_RUNS executions (libFuzzer's -runs; FUZZ_MAX_TIME caps the time) in a JVM of its own,
# since Jazzer fuzzes one test per process. A finding fails the target and is saved beside the seeds, as
# demo/src/test/resources/dev/cfnet/demo/smtp/<Test>Inputs/<method>/crash-*, which make test replays from then on.
# make test itself runs only the seeds and a few thousand seeded random inputs.
FUZZ_RUNS ?= 1000000
FUZZ_MAX_TIME ?= 30m
FUZZ_TARGETS ?= ReplyParserFuzzTest\#feed ScriptFuzzTest\#parse

fuzz:
	$(NEED_JDK)
	@mkdir -p demo/target
	@for t in $(FUZZ_TARGETS); do \
	  log="demo/target/fuzz-$${t/\#/-}.log"; start=$$(date +%s); \
	  echo "fuzz: $$t, $(FUZZ_RUNS) executions (at most $(FUZZ_MAX_TIME)); log in $$log"; \
	  JAZZER_FUZZ=1 $(RUN_MVN) -pl demo -am verify -Dtest="$$t" -Dsurefire.failIfNoSpecifiedTests=false \
	    -Djazzer.hooks=true -Djazzer.max_executions=$(FUZZ_RUNS) -Djazzer.max_duration=$(FUZZ_MAX_TIME) > "$$log" 2>&1; rc=$$?; \
	  summary=$$(grep -a '^Done [0-9]* runs' "$$log" | tail -1); \
	  echo "fuzz: $$t: $${summary:-no libFuzzer summary in the log} ($$(( $$(date +%s) - start )) s with the build)"; \
	  if [ $$rc -ne 0 ]; then \
	    grep -aE 'FuzzTestFinding|Test unit written|Caused by|BUILD FAILURE' "$$log" | head -20; \
	    echo "fuzz: $$t failed; see $$log" >&2; exit $$rc; fi; \
	done
