#!/usr/bin/env python3
"""Checks that the modules of each crate import only their own layer or the ones below it.

For every crate root given (`core/src`, `src`), a module is a file (`foo.rs`, or `foo/mod.rs`
and its folder); module A imports B when A's non-test code names `crate::B` (`use` lines and
paths alike; comments, strings and `#[cfg(test)]` items are left out, since tests may reach
anywhere). Two checks, each failure one line, exit code 1:
- no cycle: the strongly connected components of the graph with more than one module;
- no upward import: every module is in one of LAYERS (bottom first, as the crate's `lib.rs`
  map describes them), and imports only from its layer and the ones below.
A new module must be given its layer here, which is the point: the map stays true.

    python3 .ci/imports.py core/src src src/cli   # (.ci/run runs it; Python 3 only)
    python3 .ci/imports.py --graph src         # prints each module's imports
"""
import re
import sys
from pathlib import Path


LAYERS = {
    "core/src": [
        ("numbers", ["math", "rng", "shuffle"]),
        ("architectures", ["arch", "rules", "frontier", "space", "memory", "target"]),
        ("configuration", ["config"]),
        ("data", ["sample", "datasets", "standardize", "bayes", "testdata"]),
        ("checkpoint", ["checkpoint", "adam"]),
        ("children", ["mlp", "network", "train", "ensemble"]),
        ("controller", ["gru", "policy", "reinforce", "evolution", "finalists"]),
        ("search", ["rungs", "search", "speculate", "settings"]),
    ],
    "src": [
        ("foundations", ["words", "data_error", "file_errors", "failure", "run_files", "metrics", "history", "svg", "kernel"]),
        ("data", ["data"]),
        ("networks", ["model", "predict", "layers", "int8"]),
        ("emitters", ["memory", "c_header", "c_int8", "onnx", "arduino", "rust_source"]),
        ("formats", ["deploy"]),
        ("runs", ["output", "spec", "frontier"]),
        ("space", ["space_table"]),
        ("threads", ["pipeline", "parallel", "final_runs"]),
        ("session", ["session"]),
        ("tables", ["regret"]),
        ("front ends", ["fit"]),
    ],
    "src/cli": [
        ("arguments", ["args"]),
        ("reports", ["outcome", "export", "predict", "bench", "progress"]),
        ("searches", ["run", "compare", "enumerate"]),
        ("tables", ["regret"]),
    ],
}


def code_only(text):
    """`text` with comments, strings and char literals blanked, scanned left to right (so a
    quote inside a comment, or `//` inside a string, is read as Rust reads it)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"\w", text[i - 1 : i] or " "):
            hashes = re.match(r"r(#*)\"", text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.[^']*|[^'\\])'", text[i:]):
            i += len(re.match(r"'(\\.[^']*|[^'\\])'", text[i:]).group(0))
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip(text):
    """`text` without comments, string and char literals, and `#[cfg(test)]` items."""
    text = code_only(text)
    out, i = [], 0
    while True:
        j = text.find("#[cfg(test)]", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        # The item ends at its first `;` outside braces, or at the brace closing its body.
        depth, k = 0, j + len("#[cfg(test)]")
        while k < len(text):
            c = text[k]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            elif c == ";" and depth == 0:
                break
            k += 1
        i = k + 1


def modules(root):
    """Each top-level module of the crate at `root` and the text of its files."""
    found = {}
    for path in sorted(root.rglob("*.rs")):
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and (root / rel.parts[0] / "main.rs").exists():
            continue  # another crate (src/cli is the binary): a root of its own
        name = rel.parts[0].removesuffix(".rs")
        if name in ("lib", "main"):
            continue
        found.setdefault(name, []).append(path.read_text())
    return found


def graph(root):
    mods = modules(root)
    edges = {}
    for name, texts in mods.items():
        used = set()
        for text in texts:
            used |= set(re.findall(r"\bcrate::([a-z_][a-z0-9_]*)", strip(text)))
        edges[name] = sorted(u for u in used if u in mods and u != name)
    return edges


def cycles(edges):
    """Tarjan's strongly connected components of more than one module."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def loop(edges, comp):
    """The shortest cycle through the first module of the component `comp`, closed."""
    start = comp[0]
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for b in edges[path[-1]]:
            if b == start:
                return path + [start]
            if b in comp and b not in seen:
                seen.add(b)
                paths.append(path + [b])
    return comp


def upward(root, edges):
    """One line per module without a layer, and per import of a higher layer."""
    layers = LAYERS.get(str(root).rstrip("/"))
    if layers is None:
        return [f"{root}: no layers declared in .ci/imports.py"]
    level = {m: (i, name) for i, (name, mods) in enumerate(layers) for m in mods}
    out = [f"{root}: module {m} has no layer in .ci/imports.py" for m in edges if m not in level]
    out += [f"{root}: layer lists {m}, which is not a module" for m in level if m not in edges]
    for a, used in sorted(edges.items()):
        for b in used:
            if a in level and b in level and level[b][0] > level[a][0]:
                out.append(
                    f"{root}: {a} ({level[a][1]}) imports {b}, of the higher layer {level[b][1]}"
                )
    return out


def main(args):
    show = "--graph" in args
    roots = [Path(a) for a in args if a != "--graph"]
    problems = []
    for root in roots:
        edges = graph(root)
        if show:
            for name, used in sorted(edges.items()):
                print(f"{root}: {name} -> {' '.join(used)}")
        found = [f"{root}: import cycle {' -> '.join(loop(edges, c))}" for c in cycles(edges)]
        found += upward(root, edges)
        problems += found
        if not found:
            layers = len(LAYERS[str(root).rstrip("/")])
            print(f"{root}: {len(edges)} modules in {layers} layers, no cycle, no upward import")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
