#!/usr/bin/env bash
# Exports a run's network as a C header and checks it against the host (tests/c/check.c): built
# as C99 and as C++ with every warning an error and no fused multiply-adds.
#   tests/c/run.sh PICONAS_BINARY RUN_DIR
set -euo pipefail
bin=$1 run=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" export --run "$run" --format c --out "$work/piconas.h"
"$bin" export --run "$run" --format c-test --out "$work/test_data.h"
flags=(-Wall -Wextra -Werror -pedantic -ffp-contract=off -O2 -I "$work")
gcc -std=c99 "${flags[@]}" "$here/check.c" -o "$work/check-c"
"$work/check-c"
g++ -x c++ -std=c++17 "${flags[@]}" -Wno-old-style-cast "$here/check.c" -o "$work/check-cxx"
"$work/check-cxx"
