# Convenience front end over CMake. `make run` and `make test` are the quick start.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=
# The shared/ folder (CoNLL-2003, conll03-bert-mini) the tests that need it read;
# without it they are reported as skipped: `make test SHARED=/nonexistent` runs
# the suite as a fresh clone would.
SHARED ?= $(CURDIR)/../shared
# ctest, then the reason of every skipped test (ctest prints only their names).
CTEST = ctest --output-on-failure --output-junit $(abspath $(1))/Testing/junit.xml
SKIPPED = /usr/bin/python3 $(CURDIR)/tests/skipped.py $(abspath $(1))/Testing/junit.xml

.PHONY: all setup setup-test build run test test-asan test-tsan bench lint format format-check clean

all: build

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# The main job on the bundled demo: analyse the demo model on the demo
# evaluation set (results in $(BUILD)/demo.db), tag a few sentences, then
# open the web app on the run (http://127.0.0.1:$(PORT)/, Ctrl-C stops it).
PORT ?= 8765
run: build
	$(BUILD)/explainer run --model demo/model --data demo/eval.conll -o $(BUILD)/demo.db
	$(BUILD)/explainer predict --model demo/model < demo/examples.txt
	@echo "the stored run: $(BUILD)/explainer report $(BUILD)/demo.db   (or: sqlite3 $(BUILD)/demo.db)"
	$(BUILD)/explainer serve $(BUILD)/demo.db --model demo/model --data demo/eval.conll --port $(PORT)

test: setup-test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DXNR_WERROR=ON -DXNR_SHARED_DIR=$(SHARED) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && $(call CTEST,$(BUILD)) -j$(JOBS); status=$$?; $(call SKIPPED,$(BUILD)); exit $$status

test-asan: setup-test
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DXNR_WERROR=ON -DXNR_SANITIZE=ON -DXNR_SHARED_DIR=$(SHARED) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 $(call CTEST,$(ASAN_BUILD)) -j$(JOBS); status=$$?; $(call SKIPPED,$(ASAN_BUILD)); exit $$status

# ThreadSanitizer over the tests that run threads (pool, shared model, engine), on the
# repository's material (their _shared variants run the same code on other data).
test-tsan: setup-test
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DXNR_TSAN=ON -DXNR_SHARED_DIR=$(SHARED) $(CMAKE_FLAGS) >/dev/null
	cmake --build build-tsan -j$(JOBS) --target test_core test_model_shared test_model_golden test_infer_engine test_tokenizer_bert test_server_jobs
	cd build-tsan && ctest --output-on-failure -R '^(test_core|test_model_shared|test_model_golden|test_infer_engine|test_tokenizer_bert|test_server_jobs)$$'

bench: build
	bench/run.sh
	bench/analysis.sh
	bench/reduce.sh
	bench/api.sh

# Fuzzing (tests/fuzz/README.md): a clang build in $(FUZZ_BUILD) where every library
# carries libFuzzer coverage and ASan + UBSan; each target then runs FUZZ_SECONDS from
# its committed seeds (FUZZ_TARGETS="data_conll ..." picks some) and prints its coverage.
# fuzz-ci: every target FUZZ_CI_SECONDS from the committed seeds alone, as CI runs it:
# 20 targets x 7 s, their start-up and the fuzz build come to about 3 minutes on 2 cores.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 7
FUZZ_TARGETS ?=
.PHONY: setup-fuzz fuzz-build fuzz fuzz-ci

setup-fuzz:
	scripts/setup.sh --fuzz

fuzz-build: setup-fuzz
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXNR_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_targets

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_CI_SECONDS) --fresh

# Static analysis of src/ with a clean baseline (.clang-tidy, .cppcheck-suppressions):
# any finding fails. ESLint (web/) and the module layering run in make test.
lint: setup-test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	git ls-files 'src/*.c' | xargs -P$(JOBS) -n8 clang-tidy -p $(BUILD) --quiet 2>/dev/null
	cppcheck --project=$(BUILD)/compile_commands.json --enable=warning,performance,portability \
		--inline-suppr --suppressions-list=.cppcheck-suppressions --library=posix \
		--error-exitcode=1 --quiet -j$(JOBS) --file-filter='src/*'
	@echo "lint: clang-tidy and cppcheck clean"

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'tools/*.c')

format-check:
	clang-format --dry-run --Werror $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'tools/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-tsan
