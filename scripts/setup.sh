#!/usr/bin/env bash
# setup.sh - install what ExplaiNER needs on Debian 12: the build toolchain,
# the -dev libraries, Node.js + npm and the web app's npm packages from
# web/package-lock.json (always: the build packs them into the server), plus
# the test tools (with --test): Debian's python3 + numpy + scikit-learn + scipy (tests
# read run databases as a data scientist would) + torch (torch.save writes the
# pytorch_model.bin fixtures), munge and Slurm (a real
# single-node cluster for the sharded runs) with python3-kubernetes (the
# manifests against the API's models), Chromium for the browser
# tests, Node.js packages from tests/tokparity/package-lock.json for tokenizer
# parity and from tests/arrow/package-lock.json for the Arrow fixtures; with --fuzz clang, its sanitizer and libFuzzer runtimes and
# llvm-symbolizer for `make fuzz`.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_fuzz=0
for arg in "$@"; do
	case "$arg" in
	--test) want_test=1 ;;
	--fuzz) want_fuzz=1 ;;
	*)
		echo "usage: scripts/setup.sh [--test] [--fuzz]" >&2
		exit 2
		;;
	esac
done

pkgs=(build-essential cmake pkg-config libopenblas-dev libcmocka-dev libjansson-dev
      libutf8proc-dev libpcre2-dev libdnnl-dev libsqlite3-dev libssl-dev
      libmicrohttpd-dev libzip-dev libcurl4-openssl-dev zlib1g-dev curl)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ "$want_test" = 1 ]; then
	pkgs+=(python3-numpy python3-sklearn python3-scipy sqlite3 chromium fonts-noto-color-emoji clang-format clang-tidy cppcheck)
	# the cluster side (issue #15): python3-kubernetes checks deploy/k8s
	# against the API's models; test_cli_slurm.sh starts its own Slurm
	pkgs+=(python3-yaml python3-kubernetes munge slurmctld slurmd slurm-client)
	# pytorch_model.bin fixtures are written by torch.save at test time (issue #12):
	# without it test_model_torchbin and test_cli_torchbin could only skip
	pkgs+=(python3-torch)
	# issue #12: sentencepiece's own encoding of the .model fixtures (tests/tokparity) and
	# the trainer of tests/gen/gen_spm.py
	pkgs+=(python3-sentencepiece)
fi
if [ "$want_fuzz" = 1 ]; then
	pkgs+=(clang libclang-rt-14-dev llvm)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	# munge's and Slurm's packages would start their daemons as services, on
	# the system's configuration: the Slurm test starts its own, so services
	# stay stopped while they install (policy-rc.d, unless the machine has one).
	no_start=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod +x /usr/sbin/policy-rc.d
		no_start=1
	fi
	rc=0
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ "$no_start" = 0 ] || $sudo rm -f /usr/sbin/policy-rc.d
	[ "$rc" = 0 ] || exit "$rc"
fi

# The web app's npm packages: web/assets.cmake packs three of their files.
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
	echo "setup: npm ci in web"
	(cd web && npm ci --no-audit --no-fund --loglevel=error)
	touch web/node_modules
fi

# Contributors (make test) get the pre-commit hook that checks formatting,
# unless the clone already has hooks of its own.
if [ "$want_test" = 1 ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ -z "$(git config --get core.hooksPath || true)" ]; then
	git config core.hooksPath scripts/hooks
	echo "setup: git hooks from scripts/hooks (pre-commit: clang-format check)"
fi

if [ "$want_test" = 1 ] && [ -f tests/tokparity/package-lock.json ]; then
	if [ ! -d tests/tokparity/node_modules ] || [ tests/tokparity/package-lock.json -nt tests/tokparity/node_modules ]; then
		echo "setup: npm ci in tests/tokparity"
		(cd tests/tokparity && npm ci --no-audit --no-fund --loglevel=error)
		touch tests/tokparity/node_modules
	fi
fi

# The Arrow fixtures of test_cli_arrow: saved datasets written by npm apache-arrow.
if [ "$want_test" = 1 ] && [ -f tests/arrow/package-lock.json ]; then
	if [ ! -d tests/arrow/node_modules ] || [ tests/arrow/package-lock.json -nt tests/arrow/node_modules ]; then
		echo "setup: npm ci in tests/arrow"
		(cd tests/arrow && npm ci --no-audit --no-fund --loglevel=error)
		touch tests/arrow/node_modules
	fi
fi
