# The README's two set-up commands are `make dev` and `make test`; both install what is missing
# (scripts/install-deps.sh) and build first.
#   build/       Release build (running, benchmarks): binaries in build/bin/
#   build/asan/  ASan+UBSan build that the tests use:   binaries in build/asan/bin/
SHELL := /bin/bash
JOBS ?= $(shell nproc)
CMAKE_GEN := -G Ninja

.PHONY: all deps build build-asan test test-unit test-compat test-integration dev bench format \
        tidy fuzz clean

all: build

deps:
	@bash scripts/install-deps.sh

build/build.ninja:
	cmake $(CMAKE_GEN) -S . -B build -DCMAKE_BUILD_TYPE=Release

build/asan/build.ninja:
	cmake $(CMAKE_GEN) -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON

build: deps build/build.ninja
	cmake --build build -j $(JOBS)

build-asan: deps build/asan/build.ninja
	cmake --build build/asan -j $(JOBS)

# Every test (unit, compat, integration, fleet) against the sanitizer build.
test: build-asan
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

test-unit: build-asan
	cd build/asan && ctest --output-on-failure -j $(JOBS) -L unit

test-compat: build-asan
	cd build/asan && ctest --output-on-failure -L compat

test-integration: build-asan
	cd build/asan && ctest --output-on-failure -L integration

# The whole stack on this machine (cairn-server alone until the control plane lands).
dev: build
	@bash scripts/dev.sh

# Benchmarks against Debian's redis-server in the same run; figures, never pass/fail.
bench: build
	@bash tests/bench/run.sh

format:
	@git ls-files '*.cc' '*.h' | xargs -r clang-format -i

tidy: build
	@git ls-files '*.cc' | grep -v '_test.cc' | xargs -r clang-tidy -p build --quiet

# libFuzzer targets (clang), FUZZ_SECONDS each.
fuzz: deps
	@bash tests/fuzz/run.sh

clean:
	rm -rf build
