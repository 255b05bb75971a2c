# The thin front door: everything real is in CMake (CMakeLists.txt) and scripts/.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_TYPE ?= RelWithDebInfo
PREFIX     ?= /usr/local

.PHONY: all deps test test-fast test-asan demo bench install clean fuzz

all: $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(CMAKE_TYPE)

$(ASAN_BUILD)/Makefile:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLC_SANITIZE=ON

deps:
	bash scripts/deps.sh

# The whole suite twice: a normal build, then under AddressSanitizer + UndefinedBehaviorSanitizer.
test: deps
	$(MAKE) test-fast
	$(MAKE) test-asan

test-fast: all
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS) -LE noasan

# The seed scenario on the embedded local cloud, narrated.
demo: deps all
	bash scripts/demo.sh

bench: deps all
	bash bench/run.sh

fuzz:
	bash tests/fuzz/run.sh

install: all
	install -D -m 0755 $(BUILD)/leastcloud $(DESTDIR)$(PREFIX)/bin/leastcloud

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
