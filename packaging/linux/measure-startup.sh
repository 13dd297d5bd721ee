#!/usr/bin/env bash
# Measure the bundle's start-up against running from source (docs/INSTALL.md
# quotes the figures).  Run from the repository after `make dist`:
#
#   packaging/linux/measure-startup.sh [RUNS]
#
# 1. `--version` and `self-test` (offscreen), with hyperfine when installed
#    (apt-get install hyperfine), else a plain timing loop.
# 2. Time until the main window is on screen, under Xvfb, when Xvfb and
#    xwininfo are installed (apt-get install xvfb x11-utils).
# Uses a throw-away HOME, so nothing of yours is read or written.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-20}"
BUNDLE=dist/scrutiny-desktop/scrutiny-desktop
SOURCE=.venv/bin/scrutiny-desktop
[ -x "$BUNDLE" ] || { echo "error: $BUNDLE is missing; run 'make dist' first." >&2; exit 1; }
[ -x "$SOURCE" ] || { echo "error: $SOURCE is missing; run 'make test' or 'make dist' first." >&2; exit 1; }

tmp_home="$(mktemp -d)"
xvfb_pid=""
cleanup() {
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  rm -rf "$tmp_home"
}
trap cleanup EXIT
export HOME="$tmp_home" XDG_CONFIG_HOME="$tmp_home/.config" XDG_STATE_HOME="$tmp_home/.local/state" \
       XDG_DATA_HOME="$tmp_home/.local/share" SCRUTINY_DESKTOP_CONFIG="$tmp_home/no-config.toml"

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "bundle:  $(du -sh dist/scrutiny-desktop | cut -f1) on disk"

# A command's mean wall time over N runs, in ms (fallback without hyperfine).
loop_ms() {
  local n="$1"; shift
  "$@" >/dev/null 2>&1 || true  # warm-up
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(( (end - start) / n / 1000000 ))
}

slow_runs=$(( RUNS / 4 > 3 ? RUNS / 4 : 3 ))
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 3 --runs "$RUNS" "$BUNDLE --version" "$SOURCE --version"
  QT_QPA_PLATFORM=offscreen hyperfine --warmup 1 --runs "$slow_runs" \
    "$BUNDLE self-test" "$SOURCE self-test"
else
  echo "hyperfine not installed; plain loop (mean of $RUNS runs, then $slow_runs)"
  echo "--version   bundle $(loop_ms "$RUNS" "$BUNDLE" --version) ms, source $(loop_ms "$RUNS" "$SOURCE" --version) ms"
  export QT_QPA_PLATFORM=offscreen
  echo "self-test   bundle $(loop_ms "$slow_runs" "$BUNDLE" self-test) ms, source $(loop_ms "$slow_runs" "$SOURCE" self-test) ms"
  unset QT_QPA_PLATFORM
fi

# Time from launch until the main window is mapped on an X server.
if command -v Xvfb >/dev/null 2>&1 && command -v xwininfo >/dev/null 2>&1; then
  display=":$(( 90 + RANDOM % 100 ))"
  Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 100); do  # wait up to 10 s for the X server to accept clients
    DISPLAY="$display" xwininfo -root >/dev/null 2>&1 && break
    sleep 0.1
  done
  window_ms() {  # launch "$@", poll until a Scrutiny Desktop window is viewable
    local start now pid id
    start=$(date +%s%N)
    DISPLAY="$display" QT_QPA_PLATFORM=xcb "$@" >/dev/null 2>&1 &
    pid=$!
    while :; do
      id=$(DISPLAY="$display" xwininfo -root -tree 2>/dev/null \
           | awk '/\("scrutiny-desktop" "Scrutiny Desktop"\)/ && !/ 1x1\+/ {print $1; exit}')
      if [ -n "$id" ] && DISPLAY="$display" xwininfo -id "$id" 2>/dev/null | grep -q "IsViewable"; then
        break
      fi
      if ! kill -0 "$pid" 2>/dev/null; then echo "failed"; return; fi
      sleep 0.01
    done
    now=$(date +%s%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo $(( (now - start) / 1000000 ))
  }
  for label in bundle source; do
    exe=$BUNDLE; [ "$label" = source ] && exe=$SOURCE
    window_ms "$exe" >/dev/null  # warm-up
    times=()
    for _ in $(seq 5); do times+=("$(window_ms "$exe")"); done
    echo "window on screen ($label, Xvfb, 5 runs): ${times[*]} ms"
  done
else
  echo "Xvfb or xwininfo not installed: skipping the time-to-window measurement"
fi
