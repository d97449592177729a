#!/usr/bin/env bash
# Keeps a long-lived CARGO_TARGET_DIR from filling the disk: every rebuild of a test
# or binary leaves the old executable (hundreds of MB each) beside the new one.
# Removes all but the newest executable per name in */deps, and the incremental
# caches when less than 20 GB is free. Never touches what the current build needs.
set -euo pipefail
target=${1:-${CARGO_TARGET_DIR:-target}}
[[ -d $target ]] || exit 0
python3 - "$target" <<'PY'
import os, re, sys, collections
target = sys.argv[1]
freed = 0
for profile in ("debug", "release"):
    deps = os.path.join(target, profile, "deps")
    if not os.path.isdir(deps):
        continue
    files = []
    for f in os.listdir(deps):
        p = os.path.join(deps, f)
        m = re.match(r"^(.*)-[0-9a-f]{16}$", f)
        if m and os.path.isfile(p) and os.access(p, os.X_OK):
            files.append((os.path.getmtime(p), m.group(1), p))
    seen = collections.Counter()
    for _, name, p in sorted(files, reverse=True):
        seen[name] += 1
        if seen[name] > 1:
            freed += os.path.getsize(p)
            os.remove(p)
print(f"prune-target: removed {freed / 1e9:.1f} GB of stale executables", file=sys.stderr)
PY
free_kb=$(df -Pk "$target" | awk 'NR==2 {print $4}')
if (( free_kb < 20 * 1024 * 1024 )); then
  echo "prune-target: under 20 GB free; removing incremental caches" >&2
  rm -rf "$target"/debug/incremental "$target"/release/incremental
fi
