#!/bin/sh
# nvim.sh DEFERFIX FILE: opens FILE in headless Neovim with `DEFERFIX lsp` attached,
# applies the quick fix of the first diagnostic and writes the file (init.lua).
# Installs Debian's neovim when nvim is missing and we are root; exits 77 (skip) with the
# reason when it cannot be had.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nvim >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "nvim.sh: installing Debian's neovim" >&2
		if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim; } >&2; then
			echo "nvim.sh: skip: apt-get install neovim failed" >&2
			exit 77
		fi
	else
		echo "nvim.sh: skip: nvim is not installed, and installing it needs root and apt-get (apt-get install neovim)" >&2
		exit 77
	fi
fi
DEFERFIX=$1 LSP_FILE=$2 exec timeout 300 nvim --headless -n -i NONE -u NONE -c "luafile $here/init.lua"
