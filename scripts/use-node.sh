# Puts the project's Node first on PATH when this machine's node is an older major. Source it, from bash or zsh:
#   source scripts/use-node.sh        # the major .nvmrc names
#   source scripts/use-node.sh 24     # another major (the local Lambda runtime looks in the same cache)
# It fetches Node as setup-node does, from Node's official binaries on npm (node-<platform>-<arch>, bin/node only,
# so npm stays the machine's), into ${XDG_CACHE_HOME:-$HOME/.cache}/charterflow/node-<major>, once.
# No `set -e` here: sourced, it would outlive this script in the caller's shell. Hence one function and returns.

charterflow_use_node() {
  local root major platform arch cache dir tmp tarball
  root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)" || return 1
  major="${1:-$(tr -d '[:space:]v' <"$root/.nvmrc")}"
  case "$major" in
    '' | *[!0-9]*) echo "use-node: not a Node major version: '$major'" >&2; return 1 ;;
  esac

  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$major" ]; then
    echo "node $(node --version) ($(command -v node))"
    return 0
  fi

  case "$(uname -s)" in
    Linux) platform=linux ;;
    Darwin) platform=darwin ;;
    *) echo "use-node: no Node binary on npm for $(uname -s); install Node $major with nvm or fnm" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "use-node: no Node binary on npm for $(uname -m); install Node $major with nvm or fnm" >&2; return 1 ;;
  esac

  cache="${XDG_CACHE_HOME:-$HOME/.cache}/charterflow"
  dir="$cache/node-$major"
  case "$("$dir/bin/node" --version 2>/dev/null)" in
    "v$major".*) ;;
    *)
      echo "use-node: fetching node-$platform-$arch@$major from npm into $dir" >&2
      mkdir -p "$cache" || return 1
      # Unpacked beside its final place, then renamed: another shell never sees half a Node.
      tmp="$(mktemp -d "$cache/.node-$major.XXXXXX")" || return 1
      if ! tarball="$(cd "$tmp" && npm pack --silent "node-$platform-$arch@$major" | tail -n 1)" ||
        ! mkdir "$tmp/node" || ! tar -xzf "$tmp/$tarball" --strip-components=1 -C "$tmp/node"; then
        rm -rf "$tmp"
        echo "use-node: could not fetch node-$platform-$arch@$major from npm" >&2
        return 1
      fi
      rm -rf "$dir" && mv "$tmp/node" "$dir"
      rm -rf "$tmp"
      ;;
  esac

  PATH="$dir/bin:$PATH"
  export PATH
  hash -r 2>/dev/null || true
  echo "node $(node --version) ($dir/bin/node)"
}

charterflow_use_node "$@"
