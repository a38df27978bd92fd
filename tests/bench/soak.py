#!/usr/bin/env python3
"""Soak: the demo played for an hour with a web source and USB sticks coming and going.

  soak.py --player PLAYER [--duration 3600] [--modes headless,window] [--xvfb :51] [--out DIR]
  soak.py --replot DIR      the report and plot again from DIR/samples.csv

One player per mode, all at the same time, each with its own state directory:
  headless  run --headless --size 1920x1080
  window    run --size 1920x1080 on an X server: --xvfb :N starts Xvfb there (stopped at the
            end), else $DISPLAY is used
Both poll nginx on 127.0.0.1 (--source, --poll-interval 20) serving a bundle made from
playlists/hexi-2024, republished with the next revision every --republish seconds (300), and
watch a USB root where a tmpfs stick carrying the demo with the next revision is mounted every
--usb-every seconds (180) and lazily unmounted half that later. Every revision is higher than the
last, so each republish and each stick is a real import and switch. The script re-runs itself in
a private mount namespace (`unshare -m --propagation private`, as tests/integration/sync does),
so the players run in it and the sticks vanish with it; it needs root.

Every --interval seconds (10) it samples, per player: RSS, PSS and anonymous memory (the heap and
stacks: what a leak grows; /proc/PID/smaps_rollup), open
file descriptors (/proc/PID/fd), threads (/proc/PID/task), and from STATE/status.json
player.display.texture_bytes, player.frames and player.dropped_frames (as of the player's last
write of status.json: at most one item old). Samples start once a player's status.json counts
frames. It writes OUT/samples.csv and OUT/events.csv, prints a table per 5 minutes
(min/median/max), writes OUT/soak.png (python3-matplotlib: run it with Debian's /usr/bin/python3)
and a verdict per player and measure: "flat after warm-up" when the last third's median is within a tolerance of the second third's (RSS, PSS, anon: 2% or 1 MB, whichever is
larger; texture bytes: 5% or 1 MB; descriptors and threads: equal medians), with the least-squares
slope of the last two thirds per hour. A benchmark: it prints numbers, the exit status only
says whether the players ran to the end.
"""
import argparse
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

MARK = "SIGNAGE_SOAK_IN_NAMESPACE"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MEASURES = [("rss_mb", "RSS MB"), ("pss_mb", "PSS MB"), ("anon_mb", "anon MB"), ("fds", "open fds"),
            ("threads", "threads"), ("texture_mb", "texture MB")]

NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {dir}/access.log;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  types {{ application/json json; image/png png; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


def note(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def enter_namespace():
    if os.environ.get(MARK):
        return
    if os.geteuid() != 0:
        sys.exit("soak.py mounts tmpfs sticks in a private mount namespace: run it as root")
    unshare = shutil.which("unshare")
    if not unshare:
        sys.exit("unshare (Debian package util-linux) is not installed")
    env = dict(os.environ, **{MARK: "1"})
    result = subprocess.run([unshare, "-m", "--propagation", "private", sys.executable,
                             os.path.abspath(__file__)] + sys.argv[1:], env=env)
    sys.exit(result.returncode)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_with_revision(demo, target, revision):
    """Copies the demo bundle to `target` with "revision" set: the assets first, then
    playlist.json by rename, so a reader never sees a playlist whose assets are missing."""
    for root, _, files in os.walk(demo):
        for name in files:
            if name == "playlist.json":
                continue
            source = os.path.join(root, name)
            dest = os.path.join(target, os.path.relpath(source, demo))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(source, dest)
    with open(os.path.join(demo, "playlist.json"), encoding="utf-8") as f:
        playlist = json.load(f)
    playlist["revision"] = revision
    tmp = os.path.join(target, "playlist.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(playlist, f, ensure_ascii=False, indent=1)
    os.replace(tmp, os.path.join(target, "playlist.json"))


class Sticks:
    """tmpfs sticks under `root`: filled while mounted elsewhere, then moved in."""

    def __init__(self, base, root, demo):
        self.base, self.root, self.demo = base, root, demo
        self.plugged = None
        self.count = 0

    def plug(self, revision):
        self.count += 1
        staging = os.path.join(self.base, "staging")
        os.makedirs(staging, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "stick", staging], check=True)
        demo_with_revision(self.demo, os.path.join(staging, "signage"), revision)
        point = os.path.join(self.root, "STICK%d" % (self.count % 2))
        os.makedirs(point, exist_ok=True)
        subprocess.run(["mount", "--move", staging, point], check=True)
        self.plugged = point

    def pull(self):
        if self.plugged:
            subprocess.run(["umount", "-l", self.plugged], check=True)
            self.plugged = None


def read_status(state):
    try:
        with open(os.path.join(state, "status.json"), "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError):
        return None


def sample(pid, state):
    """One row of measures for process `pid`, or None once it is gone."""
    row = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss", "Anonymous"):
                    row[key.lower()[:4] + "_mb"] = int(rest.split()[0]) / 1024
        row["fds"] = len(os.listdir("/proc/%d/fd" % pid))
        row["threads"] = len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return None
    player = (read_status(state) or {}).get("player") or {}
    row["texture_mb"] = ((player.get("display") or {}).get("texture_bytes") or 0) / 1048576
    row["frames"] = player.get("frames") or 0
    row["dropped"] = player.get("dropped_frames") or 0
    return row


def thirds(rows, key):
    n = len(rows)
    return [r[key] for r in rows[n // 3:2 * n // 3]], [r[key] for r in rows[2 * n // 3:]]


def slope_per_hour(rows, key):
    """Least-squares slope of `key` over the last two thirds, per hour."""
    part = rows[len(rows) // 3:]
    if len(part) < 2:
        return 0.0
    xs = [r["t"] for r in part]
    ys = [r[key] for r in part]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return 3600 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0


def verdict(rows, key):
    middle, last = thirds(rows, key)
    if not middle or not last:
        return "too short", 0.0, 0.0
    m, l = statistics.median(middle), statistics.median(last)
    if key in ("rss_mb", "pss_mb", "anon_mb"):
        tolerance = max(1.0, 0.02 * m)
    elif key == "texture_mb":
        tolerance = max(1.0, 0.05 * m)
    else:
        tolerance = 0
    flat = l - m <= tolerance
    return ("flat after warm-up" if flat else "GROWING"), m, l


def measured(rows):
    """The MEASURES the rows have (samples.csv of an older soak.py lacks some)."""
    return [(key, label) for key, label in MEASURES if rows and key in rows[0]]


def table(mode, rows, bucket_s=300):
    lines = ["%s: per %d min, min / median / max" % (mode, bucket_s // 60)]
    header = "| minutes | " + " | ".join(label for _, label in measured(rows)) + " | frames | dropped |"
    lines += [header, "|" + " --- |" * (len(measured(rows)) + 3)]
    start = 0
    while start < (rows[-1]["t"] if rows else 0):
        part = [r for r in rows if start <= r["t"] < start + bucket_s]
        if part:
            cells = []
            for key, _ in measured(rows):
                values = [r[key] for r in part]
                fmt = "%.0f" if key in ("fds", "threads") else "%.1f"
                cells.append(" / ".join(fmt % v for v in
                                        (min(values), statistics.median(values), max(values))))
            lines.append("| %d-%d | %s | %d | %d |" % (
                start // 60, (start + bucket_s) // 60, " | ".join(cells), part[-1]["frames"],
                part[-1]["dropped"]))
        start += bucket_s
    return "\n".join(lines)


def plot(results, path, events):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        note("no plot: %s cannot import matplotlib (apt-get install python3-matplotlib, and run "
             "this with Debian's /usr/bin/python3; --replot DIR plots the samples later)"
             % sys.executable)
        return
    shown = measured(next(iter(results.values())))
    figure, axes = plt.subplots(len(shown), 1, figsize=(10, 2.1 * len(shown)), sharex=True)
    for axis, (key, label) in zip(axes, shown):
        for mode, rows in results.items():
            axis.plot([r["t"] / 60 for r in rows], [r[key] for r in rows], label=mode,
                      linewidth=1)
        for t, kind in events:
            axis.axvline(t / 60, color="green" if kind == "http" else "orange", alpha=0.15,
                         linewidth=0.8)
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    axes[0].legend(loc="lower right")
    axes[0].set_title("signage-player soak (green: web republish, orange: USB stick plugged)")
    axes[-1].set_xlabel("minutes")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    note("plot: " + path)


FIELDS = ["mode", "t", "rss_mb", "pss_mb", "anon_mb", "fds", "threads", "texture_mb", "frames", "dropped"]


def report(results, events, out):
    """The table and verdict per player, and OUT/soak.png."""
    for mode, rows in results.items():
        print()
        print(table(mode, rows))
        for key, label in measured(rows):
            word, m, l = verdict(rows, key)
            print("  %-10s %s: second third median %.1f, last third %.1f, slope %+.2f/h" % (
                label, word, m, l, slope_per_hour(rows, key)))
    plot(results, os.path.join(out, "soak.png"), events)


def replot(out):
    """The report again from OUT/samples.csv (and events.csv when there is one)."""
    results = {}
    with open(os.path.join(out, "samples.csv"), newline="") as f:
        for r in csv.DictReader(f):
            row = {k: float(v) for k, v in r.items() if k != "mode"}
            rows = results.setdefault(r["mode"], [])
            if rows or row["frames"] > 0:  # from the first sample of a player that draws
                rows.append(row)
    events = []
    try:
        with open(os.path.join(out, "events.csv"), newline="") as f:
            events = [(float(r["t"]), r["kind"]) for r in csv.DictReader(f)]
    except OSError:
        pass
    report(results, events, out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--player")
    parser.add_argument("--duration", type=float, default=3600)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--republish", type=float, default=300)
    parser.add_argument("--usb-every", type=float, default=180)
    parser.add_argument("--modes", default="headless,window")
    parser.add_argument("--xvfb", help="start Xvfb on this display for the window mode, e.g. :51")
    parser.add_argument("--out", default=None, help="where samples.csv and soak.png go")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--replot", metavar="DIR",
                        help="only print the report and plot again from DIR/samples.csv")
    args = parser.parse_args()
    if args.replot:
        return replot(args.replot)
    enter_namespace()

    if not args.player:
        parser.error("--player is needed")
    player = os.path.abspath(args.player)
    demo = os.path.join(REPO, "playlists", "hexi-2024")
    base = tempfile.mkdtemp(prefix="soak-")
    out = os.path.abspath(args.out or base)
    os.makedirs(out, exist_ok=True)
    www, usb_root = os.path.join(base, "www"), os.path.join(base, "usb")
    os.makedirs(www)
    os.makedirs(usb_root)
    children = []
    sticks = Sticks(base, usb_root, demo)

    def stop_all():
        sticks.pull()
        for p in reversed(children):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    try:
        revision = 1
        demo_with_revision(demo, www, revision)
        port = free_port()
        conf = os.path.join(base, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(dir=base, port=port, root=www))
        children.append(subprocess.Popen([args.nginx, "-c", conf, "-p", base],
                                         stderr=subprocess.DEVNULL))
        env = dict(os.environ)
        modes = [m for m in args.modes.split(",") if m]
        if "window" in modes and args.xvfb:
            children.append(subprocess.Popen(["Xvfb", args.xvfb, "-screen", "0", "1920x1080x24",
                                              "-nolisten", "tcp"], stderr=subprocess.DEVNULL))
            env["DISPLAY"] = args.xvfb
            time.sleep(2)
        players = {}
        for mode in modes:
            state = os.path.join(base, "state-" + mode)
            command = [player, "run", "--size", "1920x1080", "--state-dir", state,
                       "--source", "http://127.0.0.1:%d/playlist.json" % port,
                       "--poll-interval", "20", "--usb-root", usb_root,
                       "--duration", str(args.duration + 30)]
            if mode == "headless":
                command.append("--headless")
            log = open(os.path.join(out, "player-%s.log" % mode), "wb")
            p = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
            children.append(p)
            players[mode] = (p, state)
            note("%s: pid %d, %s" % (mode, p.pid, " ".join(command)))

        results = {mode: [] for mode in modes}
        events = []
        start = time.monotonic()
        next_sample, next_publish, next_usb = 0.0, args.republish, args.usb_every / 2
        while True:
            t = time.monotonic() - start
            if t >= args.duration:
                break
            if t >= next_publish:
                revision += 1
                demo_with_revision(demo, www, revision)
                events.append((t, "http"))
                note("web: revision %d published" % revision)
                next_publish += args.republish
            if t >= next_usb:
                if sticks.plugged:
                    sticks.pull()
                    note("usb: stick pulled")
                else:
                    revision += 1
                    sticks.plug(revision)
                    events.append((t, "usb"))
                    note("usb: stick with revision %d plugged" % revision)
                next_usb += args.usb_every / 2
            if t >= next_sample:
                for mode, (p, state) in players.items():
                    row = sample(p.pid, state)
                    if row is None:
                        raise SystemExit("the %s player exited (%s); see %s" % (
                            mode, p.poll(), os.path.join(out, "player-%s.log" % mode)))
                    row["t"] = t
                    if results[mode] or row["frames"] > 0:  # once it draws
                        results[mode].append(row)
                next_sample += args.interval
            time.sleep(0.5)

        with open(os.path.join(out, "samples.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, FIELDS)
            writer.writeheader()
            for mode, rows in results.items():
                for r in rows:
                    writer.writerow(dict(r, mode=mode))
        with open(os.path.join(out, "events.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["t", "kind"])
            writer.writerows(events)
        for mode, (_, state) in players.items():
            status = read_status(state) or {}
            print("%s: content revision %s from %s; renderer %s" % (
                mode, (status.get("content") or {}).get("revision"),
                (status.get("content") or {}).get("source"),
                ((status.get("player") or {}).get("display") or {}).get("renderer")))
        report(results, events, out)
        print("published %d revisions (web and sticks), %d sticks plugged" % (revision,
                                                                             sticks.count))
    finally:
        stop_all()
        shutil.rmtree(base, ignore_errors=True) if out != base else None


if __name__ == "__main__":
    main()
