#!/bin/sh
# observer_cost.sh — what the observer hooks (vmlab/observe.h) cost when
# nothing observes: bench_tlb_hit and bench_replay of this tree beside the
# same benchmarks built from the tree before the hooks, run alternately in
# the same session, the best of ROUNDS runs of each figure, as a ratio.
# The aim is <= 1.02 (2%) on every figure.
#
#   bench/observer_cost.sh [BASE_REV] [ROUNDS]
#
# BASE_REV (default: the parent of the commit that added vmlab/observe.h)
# is exported with git archive into a temporary directory and built there.
# Both trees are built with -falign-functions=64 (in build-obcost/), so
# that every function starts a cache line in both: the hot paths' code is
# the same instruction for instruction (objdump shows it), and without the
# alignment where the linker happens to place them moves a 4-5 ns loop by
# about 5% either way, which is not what is measured here.
set -eu
cd "$(dirname "$0")/.."
base=${1:-$(git log --diff-filter=A --format=%H -- include/vmlab/observe.h | tail -n 1)~1}
rounds=${2:-5}
tmp=$(mktemp -d /tmp/vmlab-observer-base.XXXXXX)
trap 'rm -rf "$tmp" build-obcost' EXIT INT TERM
git archive "$base" | tar -x -C "$tmp"
echo "baseline: $(git log -1 --format='%h %s' "$base" | cut -c1-90)" >&2
B=build-obcost
flags="-O2 -g -falign-functions=64"
targets="$B/bench/bench_tlb_hit $B/bench/bench_replay $B/vmlab"
# shellcheck disable=SC2086
(cd "$tmp" && make -j2 B=$B CFLAGS="$flags" $targets >/dev/null)
# shellcheck disable=SC2086
make -j2 B=$B CFLAGS="$flags" $targets >/dev/null

# One line per figure: "NAME VALUE" (ns per access, lower is better; or
# M accesses/s, higher is better: written as its inverse, ns per access).
figures() {
    "$1/$B/bench/bench_tlb_hit" | sed -n \
        -e 's/^TLB-hit cpu_load, independent loads: \([0-9.]*\) ns.*/tlb_hit_independent \1/p' \
        -e 's/^TLB-hit cpu_load, dependent loads (pointer chase): \([0-9.]*\) ns.*/tlb_hit_dependent \1/p' \
        -e 's/^TLB-hit cpu_load_many, the same loads batched: \([0-9.]*\) ns.*/tlb_hit_batched \1/p'
    (cd "$1" && VMLAB="$PWD/$B/vmlab" "$B/bench/bench_replay") | sed -n \
        -e 's/^vmt replay (whole system, TLB hits dominant): \([0-9.]*\) M accesses.*/replay_vmt \1/p' |
        awk '{ printf "%s %.4f\n", $1, 1000 / $2 }'
}

: > "$tmp/before"
: > "$tmp/after"
i=0
while [ "$i" -lt "$rounds" ]; do   # alternating which goes first, so neither is always second
    if [ $((i % 2)) -eq 0 ]; then
        figures "$tmp" >> "$tmp/before"
        figures . >> "$tmp/after"
    else
        figures . >> "$tmp/after"
        figures "$tmp" >> "$tmp/before"
    fi
    i=$((i + 1))
done
printf '%-22s %14s %14s %8s\n' figure "before (ns)" "after (ns)" ratio
for name in tlb_hit_independent tlb_hit_dependent tlb_hit_batched replay_vmt; do
    b=$(awk -v n="$name" '$1 == n { if (m == "" || $2 < m) m = $2 } END { print m }' "$tmp/before")
    a=$(awk -v n="$name" '$1 == n { if (m == "" || $2 < m) m = $2 } END { print m }' "$tmp/after")
    awk -v n="$name" -v b="$b" -v a="$a" 'BEGIN { printf "%-22s %14.3f %14.3f %8.3f\n", n, b, a, a / b }'
done
echo "(best of $rounds alternating runs each; replay_vmt is ns per access of bench_replay's vmt replay)"
