#!/usr/bin/env python3
"""Finds import cycles between the modules of a Rust crate: `module-cycles.py src [proxy/src]`.

For every file it reads the paths the code names (`crate::a::b`, `super::x`, `self::y`, and the
first segment of `use a::b` inside a module that declares `a`), outside comments, and resolves
each to the module it lands in. Two sibling modules (same parent) that reach each other, directly
or through other siblings, are a cycle; this is checked at every level (`api` vs `auth` at the
top, `livechat::view` vs `livechat::agent_app` inside a provider, and so on). Items defined in a
crate's root file count as a module of their own, `(root)`, so a module calling back into the
root is caught too. A reference from a module to its own parent or child is not a cycle.

Prints each cycle and exits 1 when there is one; prints a one-line summary and exits 0 when not.
Standard library only, so `make lint` can run it on a fresh machine.
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH = re.compile(rf"\b(crate|super|self)(?=::)((?:::{IDENT})*)(::\{{)?")


def strip_comments(text):
    """Removes line and block comments and string literals (which may hold `crate::` in prose)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "r" and re.match(r'r#*"', text[i:]):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        else:
            out.append(c)
            i += 1
    return "".join(out)


def top_level_items(code, start):
    """The comma-separated items of a `{...}` group opening just before `start` (nested groups
    contribute their own prefix only)."""
    depth, item, items, i = 1, [], [], start
    while i < len(code) and depth:
        c = code[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if depth == 1 and c == ",":
            items.append("".join(item))
            item = []
        elif depth == 1 or (depth == 2 and c == "{"):
            item.append(c)
        i += 1
    items.append("".join(item))
    names = []
    for raw in items:
        path = re.match(rf"\s*((?:{IDENT})(?:::{IDENT})*)", raw)
        if path and path.group(1) not in ("self",):
            names.append(path.group(1))
    return names


def modules_of(src):
    """Maps each module path (tuple of names; () is the root) to its file."""
    files = {}
    for dirpath, _, names in os.walk(src):
        for name in names:
            if not name.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), src)
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts in (["lib"], ["main"]):
                parts = []
            if parts == ["bin"] or (parts and parts[0] == "bin"):
                continue
            files.setdefault(tuple(parts), os.path.join(dirpath, name))
    return files


def inline_modules(code):
    """`(name, start, end)` of every `mod name { ... }` written inline in a file."""
    spans = []
    for m in re.finditer(rf"\bmod\s+({IDENT})\s*\{{", code):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        spans.append((m.group(1), m.end(), i))
    return spans


def resolve(module, segments, modules):
    """The deepest declared module a path from `module` lands in."""
    path = list(module)
    rest = list(segments)
    head = rest.pop(0)
    if head == "crate":
        path = []
    elif head == "super":
        path = path[:-1]
        while rest and rest[0] == "super":
            rest.pop(0)
            path = path[:-1]
    for name in rest:
        if tuple(path + [name]) in modules:
            path.append(name)
        else:
            break
    # An inline module is part of its file's module.
    while tuple(path) not in modules and path:
        path.pop()
    return tuple(path)


def edges_of(src):
    modules = modules_of(src)
    edges = set()
    for module, file in modules.items():
        with open(file, encoding="utf-8") as f:
            code = strip_comments(f.read())
        targets = []
        inline = inline_modules(code)
        for m in PATH.finditer(code):
            # Inside `mod tests { ... }`, `super::` is the file's own module.
            here = module + tuple(name for name, a, b in inline if a < m.start() < b)
            segments = [m.group(1)] + [s for s in m.group(2).split("::") if s]
            if m.group(3):
                # `crate::a::{b::c, d}`: each item of the group, from where the group starts.
                for item in top_level_items(code, m.end()):
                    targets.append(resolve(here, segments + item.split("::"), modules))
            else:
                targets.append(resolve(here, segments, modules))
        # `use child::x` and `child::x(...)`: a declared child module named without `self::`.
        for m in re.finditer(rf"(?<![:\w])({IDENT})::", code):
            if (*module, m.group(1)) in modules:
                targets.append(resolve(module, ["self", m.group(1)], modules))
        for target in targets:
            if target != module:
                edges.add((module, target))
    return modules, edges


def node(path, depth):
    """The level-`depth` ancestor of a module; a root-level item is `(root)`."""
    return path[:depth] if len(path) >= depth else path + ("(root)",) * (depth - len(path))


def cycles(modules, edges):
    found = []
    depth_max = max(len(m) for m in modules) if modules else 0
    for depth in range(1, depth_max + 1):
        graph = {}
        for a, b in edges:
            # Within the same parent at this depth, between different children (or the parent's
            # own items, `(root)` at the top).
            if a[: depth - 1] != b[: depth - 1]:
                continue
            if len(a) < depth - 1 or len(b) < depth - 1:
                continue
            na, nb = node(a, depth), node(b, depth)
            if na == nb or (len(a) < depth and depth > 1) or (len(b) < depth and depth > 1):
                continue
            graph.setdefault(na, set()).add(nb)
        found += [(depth, c) for c in strongly_connected(graph)]
    return found


def strongly_connected(graph):
    """Tarjan's algorithm; components of more than one node."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(args):
    if not args:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    failed = False
    for src in args:
        modules, edges = edges_of(src)
        found = cycles(modules, edges)
        for depth, component in found:
            names = ", ".join("::".join(m) for m in component)
            print(f"{src}: import cycle between {names}")
            for a, b in sorted(edges):
                na, nb = node(a, depth), node(b, depth)
                if na != nb and na in component and nb in component:
                    print(f"    {'::'.join(a) or '(root)'} -> {'::'.join(b) or '(root)'}")
        failed |= bool(found)
        if not found:
            print(f"{src}: {len(modules)} modules, {len(edges)} module references, no import cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
