#!/usr/bin/env bash
# Exports a run's network as a C header and checks it against the host, bit for bit:
#   tests/c/run.sh PICONAS_BINARY RUN_DIR [float|int8|avr|arm-float|arm-int8]
# float: `--format c` with tests/c/check.c; int8: `--format c --int8` with tests/c/check_int8.c.
# Each is built as C99 and as C++17 with gcc/g++ and with clang/clang++, every warning an
# error, no fused multiply-adds. avr: the int8 check built for the ATmega328P
# (an Arduino Uno) with gcc-avr and run under simavr; it prints avr-size's flash and SRAM.
# arm-float, arm-int8: the check built for the Cortex-M4F (hard float) with gcc-arm-none-eabi and newlib and
# run under QEMU (mps2-an386). Each check prints one line.
set -euo pipefail
bin=$1 run=$2 mode=${3:-float}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# avr-size: flash is .text + .data, static SRAM .data + .bss (the stack comes on top).
avr_sizes() {
    avr-size -A "$1" | awk '$1==".text"{t=$2} $1==".data"{d=$2} $1==".bss"{b=$2}
        END{printf "flash %d bytes, static SRAM %d bytes", t+d, d+b}'
}
case $mode in
float) flag=() check=check.c ;;
int8 | avr) flag=(--int8) check=check_int8.c ;;
arduino) flag=() check=none ;;
arm-float) flag=() check=check.c ;;
arm-int8) flag=(--int8) check=check_int8.c ;;
*) echo "run.sh: unknown mode $mode (float, int8, avr, arduino, arm-float or arm-int8)" >&2; exit 2 ;;
esac
if [ "$mode" = arduino ]; then
    # The library's example sketch, built against a stand-in core (tests/c/arduino) for the
    # ATmega328P and run under simavr: its last line says whether every class is the host's.
    "$bin" export --run "$run" --format arduino --out "$work/lib" 2> /dev/null
    avr-g++ -mmcu=atmega328p -DF_CPU=16000000UL -std=c++11 -Os -Wall -Wextra -Werror \
        -I "$here/arduino" -I "$work/lib/src" -include Arduino.h \
        -x c++ "$work/lib/examples/Classify/Classify.ino" -x c++ "$here/arduino/main.cpp" -o "$work/sketch.elf"
    out=$(timeout 120 simavr -m atmega328p -f 16000000 "$work/sketch.elf" 2>&1 | sed "s/\x1b\[[0-9;]*m//g" | grep -a "right; " | sed 's/\.$//' || true)
    sizes=$(avr_sizes "$work/sketch.elf")
    echo "arduino: $out; $sizes"
    case $out in *"every class as on the host"*) exit 0 ;; *) exit 1 ;; esac
fi
"$bin" export --run "$run" --format c "${flag[@]}" --out "$work/piconas.h" 2> "$work/export.txt"
"$bin" export --run "$run" --format c-test "${flag[@]}" --out "$work/test_data.h" 2> /dev/null
warn=(-Wall -Wextra -Werror -pedantic -ffp-contract=off -I "$work")
if [ "$mode" = avr ]; then
    avr-gcc -mmcu=atmega328p -DF_CPU=16000000UL -std=c99 -Os "${warn[@]}" "$here/$check" -o "$work/check.elf"
    out=$(timeout 120 simavr -m atmega328p -f 16000000 "$work/check.elf" 2>&1 | sed "s/\x1b\[[0-9;]*m//g" | grep -a "int8 header" | sed 's/\.$//' || true)
    sizes=$(avr_sizes "$work/check.elf")
    echo "avr: $out; $sizes"
    case $out in PASS*) ;; *) exit 1 ;; esac
    exit 0
fi
if [ "${mode%-*}" = arm ]; then
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c99 -O2 \
        "${warn[@]}" --specs=rdimon.specs -Wl,--section-start=.vectors=0x0 \
        "$here/cortex_m4f.c" "$here/$check" -o "$work/check.elf"
    # Semihosting does not carry the exit code: the line says whether every bit matched.
    out=$(timeout 120 qemu-system-arm -machine mps2-an386 -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$work/check.elf")
    echo "cortex-m4f: $out"
    case $out in PASS*) exit 0 ;; *) exit 1 ;; esac
fi
for c in gcc clang; do
    cxx=${c/gcc/g++}
    [ "$c" = clang ] && cxx=clang++
    "$c" -std=c99 -O2 "${warn[@]}" "$here/$check" -o "$work/check-c"
    printf '%s: ' "$c"
    "$work/check-c"
    "$cxx" -x c++ -std=c++17 -O2 "${warn[@]}" -Wno-old-style-cast "$here/$check" -o "$work/check-cxx"
    printf '%s: ' "$cxx"
    "$work/check-cxx"
done
