#!/usr/bin/env bash
# Remove a per-user Scrutiny Desktop install made by install-user.sh.
#
#   uninstall-user.sh
#
# Removes only what install-user.sh put in place: ~/.local/opt/scrutiny-desktop,
# the ~/.local/bin/scrutiny-desktop symlink, the menu entry, the icons and the
# .scrutiny MIME type.  It never touches assessments (.scrutiny documents),
# settings.json, state.json or the user templates folder.
set -euo pipefail

APP=scrutiny-desktop
MIME_TYPE=application/x-scrutiny-desktop

# Everything runs from main(), which bash has read in full before it starts,
# so this script may delete the folder it was run from.
main() {
  if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
  fi
  [ -n "${HOME:-}" ] && [ -d "$HOME" ] || { echo "uninstall-user.sh: error: HOME is not set to an existing folder." >&2; exit 1; }
  local data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
  local opt="$HOME/.local/opt/$APP"
  local link="$HOME/.local/bin/$APP"
  local icons="$data_home/icons/hicolor/256x256"
  local removed=0

  # The symlink, only if it is ours.
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$opt/$APP" ]; then
    rm -f "$link"; echo "removed:  $link"; removed=1
  elif [ -e "$link" ] || [ -L "$link" ]; then
    echo "kept:     $link (not a link to $opt/$APP; not ours)"
  fi

  # The bundle, only if it looks like one (never an unrelated folder).
  if [ -d "$opt" ]; then
    if [ -e "$opt/$APP" ] && [ -d "$opt/_internal" ]; then
      rm -rf "$opt"; echo "removed:  $opt"; removed=1
    else
      echo "kept:     $opt (does not look like a Scrutiny Desktop bundle; remove it by hand)"
    fi
  fi
  rmdir "$HOME/.local/opt" 2>/dev/null || true

  for f in "$data_home/applications/$APP.desktop" "$icons/apps/$APP.png" \
           "$icons/mimetypes/${MIME_TYPE//\//-}.png"; do
    if [ -e "$f" ]; then rm -f "$f"; echo "removed:  $f"; removed=1; fi
  done
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$data_home/applications" ]; then
    update-desktop-database "$data_home/applications" >/dev/null 2>&1 || true
  fi

  local xml="$data_home/mime/packages/$APP-mime.xml"
  if [ -e "$xml" ]; then
    if command -v xdg-mime >/dev/null 2>&1 && [[ "$data_home" != *[[:space:]]* ]]; then
      xdg-mime uninstall --mode user "$xml" || true
    fi
    rm -f "$xml"
    if command -v update-mime-database >/dev/null 2>&1; then
      update-mime-database "$data_home/mime" >/dev/null 2>&1 || true
    fi
    echo "removed:  MIME type $MIME_TYPE"; removed=1
  fi

  if [ "$removed" = 0 ]; then
    echo "Scrutiny Desktop was not installed for this user (nothing removed)."
  fi
  echo "kept:     your assessments (.scrutiny files, by default in Documents/Scrutiny Desktop),"
  echo "          settings (${XDG_CONFIG_HOME:-$HOME/.config}/$APP/settings.json),"
  echo "          state (${XDG_STATE_HOME:-$HOME/.local/state}/$APP/state.json) and"
  echo "          your templates ($data_home/$APP/checklists/)."
}

main "$@"
