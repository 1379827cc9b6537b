#!/usr/bin/env python3
"""check_layering.py - every #include of src/ against the module table of
docs/architecture.md ("Module layering"): a module may include its own
headers, those of the modules its row lists, and the system headers no module
owns; a header a module owns (sqlite3.h: store) only that module includes.
The table itself must be acyclic. Prints one line per violation, exits 1 if
there is any.

usage: check_layering.py [SOURCE_DIR]
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def read_tables(doc):
    """(allowed: module -> set of modules, owned: header -> modules, names:
    header -> regex of the library's identifiers) from the 'Module layering'
    section's two tables."""
    allowed, owned, names, section, table = {}, {}, {}, False, None
    for line in open(doc, encoding="utf-8"):
        if line.startswith("## "):
            section = line.strip() == "## Module layering"
            continue
        if not section or not line.startswith("|"):
            continue
        # Markdown cells split at '|' but not at an escaped '\|' (a regex's alternation).
        cells = [c.strip().strip("`").replace("\\|", "|")
                 for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0] == "module" and cells[1] == "may include":
            table = "allowed"
        elif cells[0] == "header" and cells[1] == "only in":
            table = "owned"
        elif set(cells[0]) <= set("-: "):
            continue
        elif table == "allowed":
            deps = cells[1].replace("(none)", "")
            allowed[cells[0]] = {d.strip().strip("`") for d in deps.split(",") if d.strip()}
        elif table == "owned":
            owned[cells[0]] = {m.strip().strip("`") for m in cells[1].split(",")}
            if len(cells) > 2 and cells[2]:
                names[cells[0]] = re.compile(cells[2])
    return allowed, owned, names


def cycle(allowed):
    """A dependency cycle of the table as a list of modules, or None."""
    state = {}

    def visit(m, path):
        state[m] = 1
        for d in sorted(allowed.get(m, ())):
            if state.get(d) == 1:
                return path + [m, d]
            if d not in state:
                found = visit(d, path + [m])
                if found:
                    return found
        state[m] = 2
        return None

    for m in sorted(allowed):
        if m not in state:
            found = visit(m, [])
            if found:
                return found
    return None


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../..")
    doc = os.path.join(top, "docs/architecture.md")
    allowed, owned, names = read_tables(doc)
    problems = []
    if not allowed:
        problems.append(f"{doc}: no 'Module layering' table (| module | may include |)")
    c = cycle(allowed)
    if c:
        problems.append(f"{doc}: the layering table has a cycle: {' -> '.join(c)}")
    for d in allowed.values():
        for m in d - set(allowed):
            problems.append(f"{doc}: '{m}' is listed as a dependency but has no row")
    src = os.path.join(top, "src")
    modules = sorted(e for e in os.listdir(src) if os.path.isdir(os.path.join(src, e)))
    for m in modules:
        if m not in allowed:
            problems.append(f"src/{m}/: module missing from the table in docs/architecture.md")
            continue
        for name in sorted(os.listdir(os.path.join(src, m))):
            if not name.endswith((".c", ".h")):
                continue
            rel = f"src/{m}/{name}"
            for no, line in enumerate(open(os.path.join(src, m, name), encoding="utf-8"), 1):
                for header, regex in names.items():
                    used = regex.search(line)
                    if used and m not in owned[header]:
                        problems.append(f"{rel}:{no}: uses {used.group(0)} of <{header}>, which "
                                        f"only {', '.join(sorted(owned[header]))} may use")
                hit = INCLUDE.match(line)
                if not hit:
                    continue
                kind, header = hit.groups()
                if kind == '"':
                    dep = header.split("/")[0] if "/" in header else m
                    if dep != m and dep not in allowed[m]:
                        problems.append(f"{rel}:{no}: includes \"{header}\": {m} may not "
                                        f"depend on {dep} (docs/architecture.md)")
                else:
                    owners = owned.get(header)
                    if owners and m not in owners:
                        problems.append(f"{rel}:{no}: includes <{header}>, which only "
                                        f"{', '.join(sorted(owners))} may include")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"layering: {len(modules)} modules, every #include as docs/architecture.md allows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
