#!/usr/bin/env python3
"""The real signage-studio's memory and preview latency over HTTP (prints numbers, asserts none).

    python3 tests/bench/studio_memory.py --studio build/player/studio/signage-studio

Starts signage-studio on 127.0.0.1 (--port 0, a fresh data dir seeded with the demo bundle; as
root it runs as nobody, as the studio's tests do), signs in, then asks for a 320 px thumbnail of
every demo item and a landscape and a portrait POST /api/preview of each (all at --at, a moment
when every item shows within a day), and reads VmRSS and
VmHWM (the peak) of the process from /proc after each step. Latencies are wall times of the
HTTP request (client and server on this machine): uncached (each item's first request), and
cached (the same request again at once). --rounds N repeats the uncached previews N times with the
playlist's title changed, so the cache cannot answer.
"""

import argparse
import os
import statistics
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "studio"))

from studio_fixture import Studio  # noqa: E402

USER, PASSWORD = "bench", "bench-password-1234"


def memory_mb(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024.0
    return values["VmRSS"], values["VmHWM"]


def show_memory(pid, when):
    rss, hwm = memory_mb(pid)
    print(f"memory {when:<52} VmRSS {rss:6.1f} MB  VmHWM {hwm:6.1f} MB", flush=True)


def show_times(what, times_ms):
    times = sorted(times_ms)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    print(f"{what:<59} median {statistics.median(times):7.1f} ms  p90 {p90:7.1f} ms  "
          f"max {times[-1]:7.1f} ms  (n={len(times)})", flush=True)


def timed(client, method, path, json=None):
    start = time.perf_counter()
    status, headers, body = client.request(method, path, json=json)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200 or headers.get("content-type") != "image/png":
        raise SystemExit(f"{method} {path}: {status} {body[:300]!r}")
    return elapsed


def previews(client, playlist, items, orientation, at, cached=None):
    """Uncached times; with `cached` a list, each request is sent again at once (the cache holds
    4 MB: an item's PNG is evicted long before the same item comes round again) and timed."""
    times = []
    for item in items:
        body = {"playlist": playlist, "item": item, "orientation": orientation, "at": at}
        times.append(timed(client, "POST", "/api/preview", body))
        if cached is not None:
            cached.append(timed(client, "POST", "/api/preview", body))
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--studio", default=os.path.join(ROOT, "build/player/studio/signage-studio"))
    ap.add_argument("--seed", default=os.path.join(ROOT, "playlists/hexi-2024"))
    ap.add_argument("--rounds", type=int, default=1, help="uncached landscape rounds")
    # The demo's alert shows only on this day: every item is drawn from the same moment.
    ap.add_argument("--at", default="2025-01-20T09:00:00+08:00", help="the moment drawn")
    args = ap.parse_args()

    with Studio(args.studio, users=[(USER, PASSWORD, "admin")],
                extra_args=["--seed", args.seed]) as studio:
        pid = studio.proc.pid
        time.sleep(1)
        show_memory(pid, "started (listening)")
        client = studio.login(USER, PASSWORD)
        draft = client.json("GET", "/api/draft")
        playlist, version = draft["playlist"], draft["version"]
        items = [item["id"] for item in playlist["items"]]
        show_memory(pid, f"idle (signed in, draft read, {len(items)} items)")

        thumbs = [timed(client, "GET", "/api/thumbnail?" + urllib.parse.urlencode(
            {"item": item, "version": version, "width": 320, "at": args.at})) for item in items]
        show_memory(pid, "after a thumbnail of every item")
        cached = []
        landscape = previews(client, playlist, items, "landscape", args.at, cached)
        show_memory(pid, "after a landscape preview of every item")
        portrait = previews(client, playlist, items, "portrait", args.at)
        show_memory(pid, "after a portrait preview of every item")
        for n in range(1, args.rounds):
            changed = dict(playlist, title=f"{playlist['title']} ({n})")
            landscape += previews(client, changed, items, "landscape", args.at)
        if args.rounds > 1:
            show_memory(pid, f"after {args.rounds} rounds of landscape previews")

        show_times("thumbnail 320 px, uncached (HTTP, wall)", thumbs)
        show_times("preview landscape 1920x1080, uncached (HTTP, wall)", landscape)
        show_times("preview portrait 1080x1920, uncached (HTTP, wall)", portrait)
        show_times("preview landscape, cached (HTTP, wall)", cached)
        rss, hwm = memory_mb(pid)
        print(f"peak (VmHWM) {hwm:.1f} MB, now {rss:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
