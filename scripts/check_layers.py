#!/usr/bin/env python3
"""Checks that #include directions between Cairn's folders follow STYLE.md section 1.

Each source folder is a layer; a file may include headers of its own folder and of the folders
listed for it below. Prints every violation as file:line and exits 1 if there is any.
Usage: check_layers.py REPO_ROOT
"""
import pathlib
import re
import sys

# folder -> folders it may include from (besides itself).
ALLOWED = {
    "dataplane/base": [],
    "dataplane/protocol": ["dataplane/base"],
    "dataplane/engine": ["dataplane/base"],
    "dataplane/security": ["dataplane/base", "dataplane/protocol"],
    # protocol: the AOF manifest's quoted names are split as redis.conf lines are.
    "dataplane/persistence": ["dataplane/base", "dataplane/engine", "dataplane/protocol"],
    "dataplane/scripting": ["dataplane/base", "dataplane/protocol"],
    "dataplane/commands": ["dataplane/base", "dataplane/engine", "dataplane/protocol",
                           "dataplane/security", "dataplane/scripting"],
    "dataplane/replication": ["dataplane/base", "dataplane/engine", "dataplane/protocol",
                              "dataplane/persistence", "dataplane/security"],
    "dataplane/server": ["dataplane/*"],
    "controlplane/model": ["dataplane/base"],
    "controlplane/store": ["dataplane/base", "controlplane/model"],
    "controlplane/backup": ["dataplane/base", "dataplane/engine", "dataplane/persistence"],
    "controlplane/scheduler": ["dataplane/base", "controlplane/model"],
    "controlplane/health": ["dataplane/base", "controlplane/model"],
    "controlplane/reconciler": ["dataplane/base", "controlplane/model", "controlplane/store",
                                "controlplane/health", "controlplane/backup",
                                "controlplane/scheduler"],
    "controlplane/api": ["dataplane/base", "controlplane/model", "controlplane/store",
                         "controlplane/reconciler", "controlplane/scheduler",
                         "controlplane/backup"],
    "controlplane/daemon": ["dataplane/base", "controlplane/*"],
    "controlplane/discovery": ["dataplane/base", "dataplane/protocol"],
    "controlplane/cli": ["dataplane/base", "controlplane/model"],
    "controlplane/agents": ["dataplane/base", "controlplane/model"],
    "agent/render": ["dataplane/base"],
    "agent/supervisor": ["dataplane/base", "dataplane/protocol", "agent/render",
                         "controlplane/backup"],
    "agent/link": ["dataplane/base", "agent/*"],
}
# Tests may also use these (to check round trips against the real parser, for example).
TEST_EXTRA = {
    "agent/render": ["dataplane/protocol"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel: str) -> str:
    parts = rel.split("/")
    return "/".join(parts[:2])


def allowed(src_layer: str, target: str, is_test: bool) -> bool:
    target_layer = layer_of(target)
    if target_layer == src_layer:
        return True
    rules = ALLOWED.get(src_layer)
    if rules is None:
        return True  # a folder without rules yet (new code): add it above
    if is_test:
        rules = rules + TEST_EXTRA.get(src_layer, [])
    for rule in rules:
        if rule.endswith("/*"):
            if target_layer.startswith(rule[:-1]):
                return True
        elif target_layer == rule:
            return True
    return False


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    bad = []
    for top in ("dataplane", "controlplane", "agent"):
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            rel = path.relative_to(root).as_posix()
            src_layer = layer_of(rel)
            is_test = rel.endswith("_test.cc")
            for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1)
                if "/" not in target or target.startswith("cairn/"):
                    continue  # generated protos and local headers
                if not allowed(src_layer, target, is_test):
                    bad.append(f"{rel}:{n}: {src_layer} may not include {target}")
    for b in bad:
        print(b)
    print(f"check_layers: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
