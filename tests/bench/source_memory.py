#!/usr/bin/env python3
"""Peak memory of the player over the demo loop with an HTTP source: a real one and a closed port.

  tests/bench/source_memory.py PLAYER [PLAYER...] [--runs 3] [--duration 310] [--parallel 2]
                               [--cases nginx,closed] [--publish-at 150]

For each player, case and run: `signage-player run playlists/hexi-2024 --state-dir EMPTY
--source URL --no-usb --duration D --headless --stats-json F`, with GNUTLS_NO_IMPLICIT_INIT=1 as
the Pi's unit sets it (--no-gnutls-env: unset, as when started by hand). Case "nginx": URL is the demo bundle served by nginx on 127.0.0.1 (the
sync tests' config), so the player downloads the playlist and its 37 assets, verifies them,
installs the bundle and swaps to it at an item boundary; at --publish-at seconds a new revision of
the playlist is published (the same assets) and is fetched and swapped in as well. Case "closed":
URL is port 9 on 127.0.0.1, where nothing listens (every poll fails and backs off). Case "none":
no source at all (no store), the baseline.

Prints each run's peak RSS (`peak_rss_mb` from --stats-json), when VmRSS peaked (sampled every
0.5 s), dropped frames, the worst frame, CPU, playlist swaps, the revision playing at the end and
the files nginx served; then the median per player
and case. Runs go --parallel at a time (players and cases interleaved). A benchmark: it prints
numbers and asserts nothing, except that a run ended normally.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
BUNDLE = os.path.join(SOURCE, "playlists", "hexi-2024")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(nginx, work):
    """nginx serving a copy of the demo bundle from work/www; returns (process, port)."""
    root = os.path.join(work, "www")
    shutil.copytree(BUNDLE, root)
    port = free_port()
    with open(os.path.join(SOURCE, "tests", "integration", "sync", "nginx.conf.in")) as f:
        conf = f.read()
    for key, value in {"@PORT@": str(port), "@ROOT@": root, "@DIR@": work,
                       "@LISTEN_TLS@": "", "@TLS@": ""}.items():
        conf = conf.replace(key, value)
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(conf)
    process = subprocess.Popen([nginx, "-p", work, "-e", os.path.join(work, "error.log"), "-c",
                                os.path.join(work, "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.05)
    process.kill()
    sys.exit("nginx did not start listening on port %d" % port)


def publish_revision(work):
    """Writes the next revision of www/playlist.json the way a publisher does (rename)."""
    path = os.path.join(work, "www", "playlist.json")
    with open(path) as f:
        playlist = json.load(f)
    playlist["revision"] = playlist.get("revision", 1) + 1
    with open(path + ".tmp", "w") as f:
        json.dump(playlist, f, ensure_ascii=False, indent=1)
    os.replace(path + ".tmp", path)


def vm_rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def one_run(player, case, args, label):
    work = tempfile.mkdtemp(prefix="source-memory-")
    nginx = None
    try:
        if case == "nginx":
            nginx, port = start_nginx(args.nginx, work)
            url = "http://127.0.0.1:%d/playlist.json" % port
        elif case == "closed":
            url = "http://127.0.0.1:9/playlist.json"
        else:
            url = None
        state, stats_file = os.path.join(work, "state"), os.path.join(work, "stats.json")
        env = dict(os.environ)
        env.pop("GNUTLS_NO_IMPLICIT_INIT", None)
        if not args.no_gnutls_env:
            env["GNUTLS_NO_IMPLICIT_INIT"] = "1"
        with open(os.path.join(work, "player.log"), "w") as log:
            source = ["--state-dir", state, "--source", url, "--no-usb"] if url else []
            p = subprocess.Popen([player, "run", BUNDLE] + source +
                                 ["--duration", str(args.duration), "--headless", "--stats-json",
                                  stats_file], stdout=log, stderr=log, env=env)
            t0, published, peak, peak_at = time.monotonic(), False, 0.0, 0.0
            while p.poll() is None:
                now = time.monotonic() - t0
                rss = vm_rss_mb(p.pid)
                if rss and rss > peak:
                    peak, peak_at = rss, now
                if nginx and not published and now >= args.publish_at:
                    publish_revision(work)
                    published = True
                time.sleep(0.5)
        if p.returncode != 0:
            with open(os.path.join(work, "player.log")) as f:
                sys.exit("%s: exit %d\n%s" % (label, p.returncode, f.read()[-3000:]))
        with open(stats_file) as f:
            stats = json.load(f)
        note = ""
        if nginx:
            with open(os.path.join(state, "status.json")) as f:
                status = json.load(f)
            with open(os.path.join(work, "access.log")) as f:
                served = [line.split() for line in f]
            files = sum(1 for s in served if s[0] == "200")
            note = ", revision %s at the end, nginx: %d × 200, %d × 304" % (
                (status.get("content") or {}).get("revision"), files,
                sum(1 for s in served if s[0] == "304"))
        print("%s: peak_rss_mb %.1f (VmRSS peaked at %.0f s), %d dropped frames, worst frame %.1f "
              "ms, %.1f CPU-s, %d swaps%s" %
              (label, stats["peak_rss_mb"], peak_at, stats["dropped_frames"],
               stats["frame_ms_max"], stats["cpu_s"], stats["playlist_swaps"], note), flush=True)
        return stats["peak_rss_mb"]
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("players", nargs="+")
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=310)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--cases", default="nginx,closed")
    ap.add_argument("--publish-at", type=float, default=150)
    ap.add_argument("--no-gnutls-env", action="store_true",
                    help="leave GNUTLS_NO_IMPLICIT_INIT unset, as a player started by hand")
    args = ap.parse_args()

    jobs = [(player, case, run) for run in range(args.runs) for case in args.cases.split(",")
            for player in args.players]
    results = {}
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not jobs:
                    return
                player, case, run = jobs.pop(0)
            peak = one_run(player, case, args, "%s %s run %d" % (player, case, run + 1))
            with lock:
                results.setdefault((player, case), []).append(peak)

    threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (player, case), peaks in sorted(results.items()):
        print("%s %s: peak_rss_mb median %.1f of %s" %
              (player, case, statistics.median(peaks), ", ".join("%.1f" % p for p in peaks)))


if __name__ == "__main__":
    main()
