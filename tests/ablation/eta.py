#!/usr/bin/env python3
"""How honest the progress bar's ETA is: runs a search under `script` (a pty, so indicatif
draws; `--log-timing` stamps every chunk of output), reads each frame's ETA back, and prints,
at each tenth of the run's wall time, the ETA the bar showed against the time that was truly
left.

    tests/ablation/eta.py BINARY OUT_DIR -- SEARCH FLAGS...

e.g. `tests/ablation/eta.py target/release/piconas /tmp/eta -- --data blobs.csv --rollouts
1000 --threads 1`. The run's own output goes to OUT_DIR/run; the pty's to OUT_DIR/screen and
OUT_DIR/timing.
"""
import os
import re
import shlex
import subprocess
import sys


def seconds(eta):
    """indicatif's `{eta}` ("1h 2m", "3m", "45s", "0s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([hms])", eta))


def frames(screen, timing):
    """(time, eta in seconds, prefix) of every frame drawn, in order."""
    data = open(screen, "rb").read()
    # The typescript starts with a header line ("Script started …") that timing does not count.
    data = data[data.index(b"\n") + 1:]
    at, offset, out = 0.0, 0, []
    for line in open(timing):
        delay, length = line.split()
        at += float(delay)
        chunk = data[offset:offset + int(length)].decode("utf-8", "replace")
        offset += int(length)
        chunk = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", chunk)
        chunk = re.sub("[█░▓▒]+", "", chunk)
        for m in re.finditer(r"(\S+(?: \S+/\S+)?) ETA ((?:\d+[hms] ?)+)", chunk):
            out.append((at, seconds(m.group(2)), m.group(1)))
    return out


def main():
    args = sys.argv[1:]
    split = args.index("--")
    binary, out, flags = args[0], args[1], args[split + 1:]
    os.makedirs(out, exist_ok=True)
    screen, timing = f"{out}/screen", f"{out}/timing"
    command = shlex.join([binary, *flags, "--out", f"{out}/run"])
    subprocess.run(["script", "-q", "-e", "-T", timing, "-c", command, screen], check=True,
                   env={**os.environ, "COLUMNS": "200"}, stdout=subprocess.DEVNULL)
    drawn = frames(screen, timing)
    end = drawn[-1][0] if drawn else 0.0
    # The run ends when its summary is printed, after the last frame: the typescript's end.
    end = max(end, sum(float(l.split()[0]) for l in open(timing)))
    print(f"wall time {end:.0f} s; {len(drawn)} frames")
    print("| elapsed | bar | ETA shown | time left | ETA − left |")
    print("|---|---|---|---|---|")
    for tenth in range(1, 10):
        t = end * tenth / 10
        shown = [f for f in drawn if f[0] <= t]
        if not shown:
            continue
        at, eta, prefix = shown[-1]
        left = end - at
        print(f"| {at:.0f} s ({tenth}0 %) | {prefix} | {eta} s | {left:.0f} s | {eta - left:+.0f} s |")


if __name__ == "__main__":
    main()
