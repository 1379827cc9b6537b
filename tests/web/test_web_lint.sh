#!/usr/bin/env bash
# test_web_lint.sh - static checks of the web app: ESLint over web/ with
# web/eslint.config.js (npm eslint from web/node_modules, a devDependency that
# scripts/setup.sh installs with `npm ci`), no warning allowed; a check that
# the config's layering, style and page-state rules are live (a page importing
# a page, a constant inline style, a module-level let in a page must be
# refused); and every page style sheet (web/pages/*.css) linked from
# web/index.html, every linked one present; app.js and every web/lib module
# preloaded by web/index.html (so that they load at once, not one import
# level after another), every preloaded one present.
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
refused "import {sentenceList} from './misclassified.js'; sentenceList();" pages/x.js no-restricted-imports
refused "import {page} from '../pages/home.js'; page.render();" lib/x.js no-restricted-imports
refused "import {api} from '../lib/no-such-file.js'; api();" pages/x.js import-x/no-unresolved
refused "import {el} from './dom.js'; el('div', {style: {marginTop: '8px'}});" lib/x.js no-restricted-syntax
refused "import {el} from './dom.js'; document.head.append(el('style', {}, 'p {}'));" lib/x.js no-restricted-syntax
refused "let n = 0; export const page = {render() { n++; }};" pages/x.js no-restricted-syntax

echo "== page style sheets linked from index.html"
for css in pages/*.css; do
	grep -q "href=\"/app/$css\"" index.html || {
		echo "FAIL: web/$css is not linked from web/index.html"
		fail=1
	}
done
for href in $(grep -o 'href="/app/[^"]*\.css"' index.html | sed 's/^href="\/app\///; s/"$//'); do
	[ -f "$href" ] || {
		echo "FAIL: web/index.html links /app/$href, which is not in web/"
		fail=1
	}
done

echo "== the app's modules preloaded by index.html"
for js in app.js lib/*.js; do
	grep -q "rel=\"modulepreload\" href=\"/app/$js\"" index.html || {
		echo "FAIL: web/$js is not preloaded by web/index.html (<link rel=\"modulepreload\">)"
		fail=1
	}
done
for href in $(grep -o 'rel="modulepreload" href="/app/[^"]*"' index.html | sed 's/^.*href="\/app\///; s/"$//'); do
	[ -f "$href" ] || {
		echo "FAIL: web/index.html preloads /app/$href, which is not in web/"
		fail=1
	}
done

[ "$fail" = 0 ] && echo "web lint: clean"
exit $fail
