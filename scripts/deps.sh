# Sourced by the scripts: install the Debian packages runnel needs, only when missing.
rn_deps=(build-essential cmake pkg-config libuv1-dev zlib1g-dev libisal-dev libinih-dev libcmocka-dev libraft-dev python3
         clang-14 libclang-rt-14-dev clang-format)

rn_install_deps() {
    local missing=()
    for p in "${rn_deps[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
