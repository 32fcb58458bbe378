# Sourced by the scripts: install the Debian packages runnel needs, only when missing.
rn_deps=(build-essential cmake pkg-config libuv1-dev zlib1g-dev libisal-dev libinih-dev libcmocka-dev libraft-dev python3
         clang-14 libclang-rt-14-dev clang-format)
# Installed without their recommended packages: of prometheus only promtool is needed
# (tests/integration/test_metrics.py checks the broker's /metrics output with it), and
# its recommendations would bring exporters and smartmontools.
rn_deps_norec=(prometheus)

# The packages of the arguments that are not installed, one per line.
rn__missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            echo "$p"
    done
}

rn_install_deps() {
    local missing norec
    mapfile -t missing < <(rn__missing "${rn_deps[@]}")
    mapfile -t norec < <(rn__missing "${rn_deps_norec[@]}")
    [ ${#missing[@]} -eq 0 ] && [ ${#norec[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]} ${norec[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if [ ${#norec[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${norec[@]}" >/dev/null
    fi
}
