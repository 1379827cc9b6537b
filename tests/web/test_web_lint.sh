#!/usr/bin/env bash
# test_web_lint.sh - static checks of the web app: ESLint over web/ with
# web/eslint.config.js (npm eslint from web/node_modules, a devDependency that
# scripts/setup.sh installs with `npm ci`), no warning allowed, and a check
# that the config's import rules are live (an import of a missing file must be
# refused).
set -u
: "${XNR_SOURCE_DIR:?set XNR_SOURCE_DIR to the source tree}"
web="$XNR_SOURCE_DIR/web"
eslint="$web/node_modules/.bin/eslint"
fail=0

if [ ! -x "$eslint" ]; then
	echo "FAIL: $eslint is missing (run scripts/setup.sh or npm ci --prefix web)"
	exit 1
fi
cd "$web" || exit 1

echo "== eslint web/"
"$eslint" --max-warnings 0 . || fail=1

# refused SNIPPET AS RULE: linting SNIPPET as file AS must fail with RULE.
refused() {
	local out
	out=$(printf '%s\n' "$1" | "$eslint" --stdin --stdin-filename "$2" 2>&1)
	if [ $? -eq 0 ] || ! grep -q "$3" <<<"$out"; then
		echo "FAIL: eslint accepts $2: $1 (expected $3)"
		fail=1
	fi
}
refused "import {api} from '../lib/no-such-file.js'; api();" pages/x.js import-x/no-unresolved

[ "$fail" = 0 ] && echo "web lint: clean"
exit $fail
