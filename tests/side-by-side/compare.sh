#!/usr/bin/env bash
# Side by side with the official SDK (../shared/peer-bench): builds both
# harnesses in release mode, then runs every case RUNS times, alternating the
# two binaries (SDK, ours, SDK, ours …) so both see the same machine, and prints
# medians, spreads (min–max) and ratios. `--build` first times two clean
# release builds of each (the SDK with its default features alone, and this
# project's get_images example), back to back in the order ours, SDK, SDK,
# ours, with crate counts and stripped sizes.
#
#   tests/side-by-side/compare.sh [--build]
#
# Env: RUNS (10), CASES ("50:65536 200:4096 2000:16"), PEER_SRC (the
# peer-bench folder, default ../shared/peer-bench beside the checkout), WORK
# (scratch folder, default /tmp/side-by-side).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-10}
CASES=${CASES:-"50:65536 200:4096 2000:16"}
PEER_SRC=${PEER_SRC:-$root/../shared/peer-bench}
WORK=${WORK:-/tmp/side-by-side}
mkdir -p "$WORK"
if [ ! -d "$WORK/peer-bench" ]; then
  cp -r "$PEER_SRC" "$WORK/peer-bench"
  chmod -R u+w "$WORK/peer-bench"
fi

if [ "${1:-}" = "--build" ]; then
  (cd "$root" && cargo fetch --quiet)
  (cd "$WORK/peer-bench" && cargo fetch --quiet)
  timed() { # label, dir, target-dir, cargo args...
    local label=$1 dir=$2 tdir=$3; shift 3
    rm -rf "$tdir"
    local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
    (cd "$dir" && CARGO_TARGET_DIR=$tdir /usr/bin/time -f '%e' -o "$tdir.time" cargo build "$@" >"$tdir.log" 2>&1)
    echo "build $label: $(cat "$tdir.time") s, $(grep -c '^ *Compiling ' "$tdir.log") crates compiled (load before: $load)"
  }
  # Sustained load slows this kind of machine (a second clean build right
  # after another takes 10-15% longer), so the builds go in the order ours,
  # SDK, SDK, ours: each side gets one early and one late slot, and the
  # ratio is of their means.
  sdk_build() { timed "sdk $1" "$WORK/peer-bench" "$WORK/build-sdk" --release --no-default-features --features sdk-default-features; cp "$WORK/build-sdk.time" "$WORK/build-sdk.time.$1"; }
  our_build() { timed "ours $1" "$root" "$WORK/build-ours" --release -p kinesis-video-streams --example get_images; cp "$WORK/build-ours.time" "$WORK/build-ours.time.$1"; }
  our_build 1; sdk_build 1; sdk_build 2; our_build 2
  strip -o "$WORK/sdk.stripped" "$WORK/build-sdk/release/peer-bench"
  strip -o "$WORK/ours.stripped" "$WORK/build-ours/release/examples/get_images"
  echo "stripped binary: sdk $(stat -c %s "$WORK/sdk.stripped") B, ours (get_images) $(stat -c %s "$WORK/ours.stripped") B"
  awk -v s1="$(cat "$WORK/build-sdk.time.1")" -v s2="$(cat "$WORK/build-sdk.time.2")" \
    -v o1="$(cat "$WORK/build-ours.time.1")" -v o2="$(cat "$WORK/build-ours.time.2")" \
    -v bs="$(stat -c %s "$WORK/sdk.stripped")" -v bo="$(stat -c %s "$WORK/ours.stripped")" \
    'BEGIN { s = (s1 + s2) / 2; o = (o1 + o2) / 2
             printf "mean clean build: sdk %.1f s, ours %.1f s\n", s, o
             printf "ratios (ours / sdk): build time %.2f, stripped size %.2f\n", o / s, bo / bs }'
fi

(cd "$WORK/peer-bench" && cargo build --release --quiet)
(cd "$here" && CARGO_TARGET_DIR="$WORK/target" cargo build --release --quiet)
sdk=$WORK/peer-bench/target/release/peer-bench
ours=$WORK/target/release/side-by-side

stats() { sort -g | awk '{a[NR]=$1} END { m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f %.1f %.1f", m, a[1], a[NR] }'; }
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS alternating runs per case; medians (min–max)"
printf '%-16s %-9s %-28s %-28s %-7s %-28s %-28s %-7s\n' case mode "sdk MB/s" "ours MB/s" ratio "sdk MB/s excl dec" "ours MB/s excl dec" ratio
for c in $CASES; do
  pages=${c%%:*}; bytes=${c##*:}
  for mode in loop paginate; do
    flags=(--pages "$pages" --image-bytes "$bytes")
    [ "$mode" = paginate ] && flags+=(--paginate)
    : >"$WORK/s.m"; : >"$WORK/s.x"; : >"$WORK/o.m"; : >"$WORK/o.x"; : >"$WORK/s.e"; : >"$WORK/o.e"
    for _ in $(seq "$RUNS"); do
      s=$("$sdk" "${flags[@]}"); o=$("$ours" "${flags[@]}")
      for k in checksum ts_ms_sum; do
        a=$(grep "^$k=" <<<"$s"); b=$(grep "^$k=" <<<"$o")
        [ "$a" = "$b" ] || { echo "different work: sdk $a, ours $b" >&2; exit 1; }
      done
      grep '^mb_per_s=' <<<"$s" | cut -d= -f2 >>"$WORK/s.m"; grep '^mb_per_s=' <<<"$o" | cut -d= -f2 >>"$WORK/o.m"
      grep '^mb_per_s_excl_decode=' <<<"$s" | cut -d= -f2 >>"$WORK/s.x"; grep '^mb_per_s_excl_decode=' <<<"$o" | cut -d= -f2 >>"$WORK/o.x"
      grep '^elapsed_s=' <<<"$s" | cut -d= -f2 >>"$WORK/s.e"; grep '^elapsed_s=' <<<"$o" | cut -d= -f2 >>"$WORK/o.e"
    done
    read -r sm smin smax <<<"$(stats <"$WORK/s.m")"; read -r om omin omax <<<"$(stats <"$WORK/o.m")"
    read -r sx sxmin sxmax <<<"$(stats <"$WORK/s.x")"; read -r ox oxmin oxmax <<<"$(stats <"$WORK/o.x")"
    printf '%-16s %-9s %-28s %-28s %-7s %-28s %-28s %-7s\n' "${pages}x100x${bytes}B" "$mode" \
      "$sm ($smin–$smax)" "$om ($omin–$omax)" "$(awk -v a="$om" -v b="$sm" 'BEGIN{printf "%.2f", a/b}')" \
      "$sx ($sxmin–$sxmax)" "$ox ($oxmin–$oxmax)" "$(awk -v a="$ox" -v b="$sx" 'BEGIN{printf "%.2f", a/b}')"
    if [ "$bytes" -le 1024 ]; then
      se=$(sort -g "$WORK/s.e" | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
      oe=$(sort -g "$WORK/o.e" | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
      awk -v s="$se" -v o="$oe" -v p="$pages" -v m="$mode" \
        'BEGIN { printf "    µs per call (%s): sdk %.1f, ours %.1f, ratio %.2f\n", m, s / p * 1e6, o / p * 1e6, o / s }'
    fi
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
