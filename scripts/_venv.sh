# Shared by scripts/demo and scripts/test: make .venv/ at the repository root and install the
# pinned dependencies of the given lock file (only when the lock file changed since last time).
ensure_venv() {
    local lock="$1"
    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "motcua cần Python 3.11 trở lên (không tìm thấy $python)." >&2
        exit 1
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "motcua cần Python 3.11 trở lên; $python là $("$python" --version 2>&1)." >&2
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        if ! "$python" -m venv .venv; then
            rm -rf .venv
            echo "Không tạo được môi trường ảo. Trên Debian/Ubuntu: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
    local stamp=".venv/.installed-$(basename "$lock")-$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
        rm -f .venv/.installed-"$(basename "$lock")"-*
        touch "$stamp"
    fi
}
