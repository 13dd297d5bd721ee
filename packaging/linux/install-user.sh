#!/usr/bin/env bash
# Install the Scrutiny Desktop bundle for the current user, without admin rights.
#
#   install-user.sh [BUNDLE]
#
# BUNDLE is the one-folder build (dist/scrutiny-desktop, or the unpacked
# folder IT copied); by default the folder this script is in, when that holds
# the bundle.  Installs:
#   ~/.local/opt/scrutiny-desktop/                the bundle (replaced on upgrade)
#   ~/.local/bin/scrutiny-desktop                 symlink to its executable
#   ~/.local/share/applications/scrutiny-desktop.desktop
#   ~/.local/share/icons/hicolor/256x256/apps/scrutiny-desktop.png
#   the application/x-scrutiny-desktop MIME type (*.scrutiny), made to open
#   with Scrutiny Desktop
# Documents, settings.json, state.json and user templates are never touched.
# Re-running it upgrades in place.  Remove with uninstall-user.sh.
set -euo pipefail

APP=scrutiny-desktop
MIME_TYPE=application/x-scrutiny-desktop

die() { echo "install-user.sh: error: $*" >&2; exit 1; }

# A path as one quoted argument of a .desktop Exec= line (Desktop Entry spec):
# inside double quotes, \ " ` $ are escaped with a backslash, and that
# backslash is itself escaped once more at the string level.
desktop_quote() {
  local s="$1"
  s="${s//\\/\\\\\\\\}"
  s="${s//\"/\\\\\"}"
  s="${s//\`/\\\\\`}"
  s="${s//\$/\\\\\$}"
  printf '"%s"' "$s"
}

main() {
  local here bundle
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if [ $# -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    [ $# -le 1 ] && exit 0 || exit 2
  fi
  bundle="${1:-$here}"
  [ -d "$bundle" ] || die "$bundle is not a folder; give the path of the built bundle (dist/$APP)."
  bundle="$(cd "$bundle" && pwd)"
  [ -x "$bundle/$APP" ] && [ -d "$bundle/_internal" ] \
    || die "$bundle does not look like the Scrutiny Desktop bundle (no $APP executable and _internal/ folder). Build it with 'make dist'."

  [ -n "${HOME:-}" ] && [ -d "$HOME" ] || die "HOME is not set to an existing folder."
  local data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
  local opt="$HOME/.local/opt/$APP"
  local bin="$HOME/.local/bin"
  local apps="$data_home/applications"
  local icons="$data_home/icons/hicolor/256x256"

  # Freedesktop files: next to this script (packaging/linux/) or in the bundle.
  local desktop_src="" mime_src=""
  for dir in "$here" "$bundle"; do
    [ -z "$desktop_src" ] && [ -f "$dir/$APP.desktop" ] && desktop_src="$dir/$APP.desktop"
    [ -z "$mime_src" ] && [ -f "$dir/$APP-mime.xml" ] && mime_src="$dir/$APP-mime.xml"
  done
  [ -n "$desktop_src" ] || die "$APP.desktop not found next to this script or in $bundle."
  [ -n "$mime_src" ] || die "$APP-mime.xml not found next to this script or in $bundle."
  local icon_src="$bundle/_internal/resources/icons/$APP.png"
  [ -f "$icon_src" ] || die "the icon $icon_src is missing from the bundle."

  # 1. The bundle itself: copy beside the old one, then swap, so an
  #    interrupted upgrade never leaves a half-copied app.
  if [ "$bundle" = "$(cd "$opt" 2>/dev/null && pwd || true)" ]; then
    echo "bundle:   already in $opt"
  else
    mkdir -p "$(dirname "$opt")"
    local staging="$opt.new.$$" old="$opt.old.$$"
    rm -rf "$staging"
    cp -a "$bundle/." "$staging/"
    if [ -e "$opt" ]; then mv "$opt" "$old"; fi
    mv "$staging" "$opt"
    rm -rf "$old"
    echo "bundle:   $opt"
  fi

  # 2. The command, on PATH for most login shells.
  mkdir -p "$bin"
  ln -sfn "$opt/$APP" "$bin/$APP"
  echo "command:  $bin/$APP -> $opt/$APP"

  # 3. The menu entry, pointing at the installed executable by absolute path
  #    (so it works even where ~/.local/bin is not on the desktop's PATH).
  mkdir -p "$apps"
  local exec_path="$opt/$APP" quoted line
  quoted="$(desktop_quote "$exec_path")"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "Exec=$APP "*) printf 'Exec=%s %s\n' "$quoted" "${line#"Exec=$APP "}" ;;
      "TryExec=$APP") printf 'TryExec=%s\n' "$exec_path" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$desktop_src" > "$apps/$APP.desktop.tmp"
  mv "$apps/$APP.desktop.tmp" "$apps/$APP.desktop"
  echo "menu:     $apps/$APP.desktop"

  # 4. The icon (application and document icon).
  mkdir -p "$icons/apps" "$icons/mimetypes"
  cp "$icon_src" "$icons/apps/$APP.png"
  cp "$icon_src" "$icons/mimetypes/${MIME_TYPE//\//-}.png"
  touch "$data_home/icons/hicolor" 2>/dev/null || true
  echo "icon:     $icons/apps/$APP.png"

  # 5. The .scrutiny MIME type and its default application.
  # xdg-utils 1.1 mishandles a home folder with spaces in its path (it wrote
  # the file to the wrong folder when tried), so copy by hand in that case.
  if command -v xdg-mime >/dev/null 2>&1 && [[ "$data_home" != *[[:space:]]* ]]; then
    xdg-mime install --mode user "$mime_src"
    xdg-mime default "$APP.desktop" "$MIME_TYPE" || true
    echo "MIME:     $MIME_TYPE (*.scrutiny) installed with xdg-mime"
  else
    mkdir -p "$data_home/mime/packages"
    cp "$mime_src" "$data_home/mime/packages/$APP-mime.xml"
    if command -v update-mime-database >/dev/null 2>&1; then
      local out
      out="$(update-mime-database "$data_home/mime" 2>&1 || true)"
      if printf '%s' "$out" | grep -qi "failed"; then
        printf '%s\n' "$out" >&2
        die "update-mime-database could not read $APP-mime.xml"
      fi
      echo "MIME:     $MIME_TYPE (*.scrutiny) in $data_home/mime (update-mime-database)"
    else
      echo "MIME:     $data_home/mime/packages/$APP-mime.xml copied; update-mime-database is not installed, so the desktop picks it up when it next rebuilds its MIME cache"
    fi
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$apps" >/dev/null 2>&1 || true
  fi

  # 6. Prove it runs.
  echo "version:  $("$opt/$APP" --version)"
  case ":${PATH:-}:" in
    *":$bin:"*) ;;
    *) echo "note:     $bin is not on PATH in this shell; log out and in again, or run $opt/$APP" ;;
  esac
  echo "Check the install with: $APP self-test"
}

main "$@"
