#!/usr/bin/env python3
"""What a poll of unchanged content costs: player CPU and bytes on the wire.

  tests/bench/poll_cost.py --player build-bench/player/signage-player [--seconds 30] [--runs 3]

Serves the demo bundle with nginx on 127.0.0.1 (the sync tests' config, logging whole response
and request sizes) and plays it headless at 640x360 from a state directory that already holds it:
once without --source (the baseline) and once polling nginx every 0.1 s, alternating, --runs
times each. Prints the medians: CPU seconds of each run (from --stats-json), the polls made (all
304 with no body, from nginx's access log), and per poll the extra CPU and the bytes sent and
received. A benchmark: it prints numbers and asserts nothing.
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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--player", required=True)
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="poll-cost-")
    nginx = None
    try:
        root = os.path.join(work, "www")
        shutil.copytree(os.path.join(SOURCE, "playlists", "hexi-2024"), os.path.join(root, "hexi"))
        port = free_port()
        with open(os.path.join(SOURCE, "tests", "integration", "sync", "nginx.conf.in")) as f:
            conf = f.read()
        conf = conf.replace("'$status $body_bytes_sent $request_uri'",
                            "'$status $bytes_sent $request_length $request_uri'")
        for key, value in {"@PORT@": str(port), "@ROOT@": root, "@DIR@": work,
                           "@LISTEN_TLS@": "", "@TLS@": ""}.items():
            conf = conf.replace(key, value)
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = subprocess.Popen([args.nginx, "-p", work, "-e", os.path.join(work, "error.log"),
                                  "-c", os.path.join(work, "nginx.conf")])
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        url = "http://127.0.0.1:%d/hexi/playlist.json" % port
        state = os.path.join(work, "state")
        log = os.path.join(work, "access.log")

        def play(source, seconds):
            stats = os.path.join(work, "stats.json")
            argv = [args.player, "run", "--headless", "--duration", str(seconds), "--size",
                    "640x360", "--state-dir", state, "--no-usb", "--stats-json", stats]
            if source:
                argv += ["--source", url, "--poll-interval", "0.1"]
            subprocess.run(argv, check=True, stderr=subprocess.DEVNULL)
            with open(stats) as f:
                return json.load(f)["cpu_s"]

        play(True, 3)  # stores the bundle and the ETag: every poll below is conditional
        baseline, polling, polls, sent, received = [], [], [], [], []
        for _ in range(args.runs):
            baseline.append(play(False, args.seconds))
            before = os.path.getsize(log)
            polling.append(play(True, args.seconds))
            with open(log) as f:
                f.seek(before)
                lines = [line.split() for line in f if line.strip()]
            statuses = {line[0] for line in lines}
            if statuses != {"304"}:
                print("warning: responses other than 304: %s" % sorted(statuses))
            polls.append(len(lines))
            sent.append(sum(int(line[1]) for line in lines) / max(1, len(lines)))
            received.append(sum(int(line[2]) for line in lines) / max(1, len(lines)))

        b, p, n = statistics.median(baseline), statistics.median(polling), statistics.median(polls)
        print("%d runs of %.0f s each, 640x360 headless, the demo bundle stored" % (args.runs, args.seconds))
        print("  without --source:            CPU %.3f s (runs: %s)" % (b, ", ".join("%.3f" % x for x in baseline)))
        print("  polling every 0.1 s:         CPU %.3f s (runs: %s), %d polls" % (p, ", ".join("%.3f" % x for x in polling), n))
        print("  per poll of unchanged content: %.0f us of CPU, %.0f bytes response (304, no body), %.0f bytes request"
              % (1e6 * (p - b) / max(1, n), statistics.median(sent), statistics.median(received)))
        print("  at the default 60 s interval: %.4f%% of one core" % (100 * (p - b) / max(1, n) / 60))
    finally:
        if nginx:
            nginx.kill()
            nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
