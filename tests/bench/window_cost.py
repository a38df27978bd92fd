#!/usr/bin/env python3
"""What a screen costs: players in a real window under Xvfb against Chromium kiosk, same run.

  window_cost.py [--seconds 15] [--runs 3] [--display :97] PLAYER [OLD PLAYERS...]

Starts Xvfb 1920x1080x24 (no GPU: Mesa's llvmpipe is the only GL), then for each PLAYER runs
`PLAYER run playlists/hexi-2024 --size 1920x1080 --duration S --stats-json FILE` in a window:
with `--renderer auto` (what a screen without a GPU picks: the damage-aware software path) and
`--renderer gpu` (SDL's OpenGL renderer on llvmpipe, for reference). A player built before
`--renderer` existed (an old build, for before/after) runs with SDL's default renderer and with
SDL_RENDER_DRIVER=software instead. Beside them Chromium in kiosk mode shows a statistic card and
a CSS ticker in Chinese (--disable-gpu) for the same S seconds. The cases are interleaved, --runs
times, so a noisy minute hits every case.

Prints per case the median of: CPU seconds of the whole process tree (user + system: a player's
from wait4() when it exits by itself, Chromium's summed over its processes from /proc, sampled
every 0.25 s), peak RSS and PSS of the tree (sampled every 0.25 s; a player's RSS is also its own
VmHWM from --stats-json, which sampling cannot miss), and from the player's --stats-json its
dropped frames, present_ms p50/p99, the damaged share of the screen per frame and the renderer.
Then Chromium's CPU / the first player's `--renderer auto` CPU (goal >= 5), its peak RSS (goal
< 64 MB) and dropped frames (goal 0). Needs xvfb and chromium (apt-get install xvfb chromium).
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

PAGE = """<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#0b2545;color:#fff;font-family:'Noto Sans CJK SC';overflow:hidden}
.card{position:absolute;left:96px;top:300px;border-left:12px solid #f4d35e;padding-left:40px}
.label{font-size:48px}.value{font-size:200px;font-weight:700;color:#f4d35e}
.band{position:absolute;bottom:0;width:100%;height:90px;background:#13315c;border-top:3px solid #f4d35e}
.ticker{position:absolute;white-space:nowrap;font-size:56px;line-height:90px;
 animation:crawl 60s linear infinite}
@keyframes crawl{from{transform:translateX(1920px)}to{transform:translateX(-100%)}}
</style><div class=card><div class=label>全区科学技术服务业营收、科技型企业数量、研发经费投入等指标</div>
<div class=value>两位数 增长</div></div><div class=band><div class=ticker>
新建挖潜补充学位1.6万个 ◆ 户内燃气设施“6个100%”改造完成37.7万户 ◆ 将全区划分为1406个微网格 ◆
城镇调查失业率控制在5.5%以内</div></div>"""


def tree(root):
    pids, children = [root], {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                pass
    i = 0
    while i < len(pids):
        pids += children.get(pids[i], [])
        i += 1
    return pids


def sample(root, cpu):
    pss = rss = 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return pss / 1024, rss / 1024


def measure(command, env, seconds, stats_file=None):
    """Runs `command`: a player (stats_file given) until it exits by itself after its
    --duration, anything else for `seconds`. Returns a dict of what was measured."""
    err = tempfile.TemporaryFile()  # a file, not a pipe: Chromium's log would fill a pipe
    p = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
    cpu, peak_pss, peak_rss = {}, 0, 0
    end = time.monotonic() + (seconds + 60 if stats_file else seconds)
    done = None  # (status, rusage) once it exited; wait4 keeps the rusage that poll() drops
    while time.monotonic() < end and not done:
        pss, rss = sample(p.pid, cpu)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.25)
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        done = (status, usage) if pid else None
    if not done:
        sample(p.pid, cpu)
        p.terminate()
        _, status, usage = os.wait4(p.pid, 0)
        done = (status, usage)
    p.returncode = os.waitstatus_to_exitcode(done[0])
    usage = done[1]
    err.seek(0)
    log = err.read().decode(errors="replace")
    result = {"cpu": sum(cpu.values()), "pss": peak_pss, "rss": peak_rss}
    if stats_file:
        if p.returncode != 0 or not os.path.exists(stats_file):
            sys.exit(f"{' '.join(command)} exited with {p.returncode}:\n{log[-2000:]}")
        with open(stats_file) as f:
            stats = json.load(f)
        os.remove(stats_file)
        if usage.ru_utime + usage.ru_stime > 0:  # all its threads; it starts no processes
            result["cpu"] = usage.ru_utime + usage.ru_stime
        result["rss"] = max(peak_rss, stats["peak_rss_mb"])
        result["stats"] = stats
    return result


def supports_renderer(player):
    help_text = subprocess.run([player, "run", "--help"], capture_output=True, text=True)
    return "--renderer" in help_text.stdout + help_text.stderr


def median(runs, key):
    values = [r[key] if key in r else r.get("stats", {}).get(key) for r in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("players", nargs="+")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--display", default=":97", help="the Xvfb display to start")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = tempfile.mkdtemp(prefix="window-cost-")
    page = os.path.join(work, "page.html")
    with open(page, "w") as f:
        f.write(PAGE)
    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1920x1080x24", "-nolisten",
                             "tcp"], stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    env = dict(os.environ, DISPLAY=args.display)
    stats_file = os.path.join(work, "stats.json")
    cases = []  # (name, command, env, stats file or None)
    for i, player in enumerate(args.players):
        command = [player, "run", os.path.join(root, "playlists", "hexi-2024"), "--size",
                   "1920x1080", "--duration", f"{args.seconds:g}", "--stats-json", stats_file]
        if supports_renderer(player):
            cases.append((f"{player} --renderer auto", command + ["--renderer", "auto"], env,
                          stats_file))
            cases.append((f"{player} --renderer gpu (llvmpipe)", command + ["--renderer", "gpu"],
                          env, stats_file))
        else:
            cases.append((f"{player} (SDL default: OpenGL, llvmpipe)", command, env, stats_file))
            cases.append((f"{player} (SDL_RENDER_DRIVER=software)", command,
                          dict(env, SDL_RENDER_DRIVER="software"), stats_file))
    chromium = ["chromium", "--kiosk", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1920,1080", "--user-data-dir=" + os.path.join(work, "profile"),
                "file://" + page]
    chromium_name = "Chromium kiosk, statistic card + CJK ticker (--disable-gpu)"
    cases.append((chromium_name, chromium, env, None))
    try:
        results = {name: [] for name, _, _, _ in cases}
        for _ in range(args.runs):  # interleaved, so a noisy minute hits every case
            for name, command, case_env, stats in cases:
                results[name].append(measure(command, case_env, args.seconds, stats))
        print(f"{args.seconds:g} s each, median of {args.runs}, Xvfb {args.display} 1920x1080, "
              "whole process tree")
        for name, runs in results.items():
            line = (f"  {name}: CPU {median(runs, 'cpu'):.2f} s, peak RSS "
                    f"{median(runs, 'rss'):.1f} MB, peak PSS {median(runs, 'pss'):.1f} MB")
            if "stats" in runs[0]:
                dropped = [r["stats"]["dropped_frames"] for r in runs]
                line += f", dropped frames {dropped}, frames {median(runs, 'frames'):.0f}"
                if "present_ms_p50" in runs[0]["stats"]:
                    line += (f", present_ms p50 {median(runs, 'present_ms_p50'):.3f} p99 "
                             f"{median(runs, 'present_ms_p99'):.3f}, damaged mean "
                             f"{median(runs, 'damaged_mean'):.3f} p99 "
                             f"{median(runs, 'damaged_p99'):.3f}, renderer "
                             f"{runs[0]['stats']['renderer']} (accelerated: "
                             f"{runs[0]['stats']['accelerated']}), texture_bytes_peak "
                             f"{median(runs, 'texture_bytes_peak') / 2**20:.1f} MiB")
            print(line)
        chromium_cpu = median(results[chromium_name], "cpu")
        name, runs = cases[0][0], results[cases[0][0]]
        cpu, rss = median(runs, "cpu"), median(runs, "rss")
        dropped = max(r["stats"]["dropped_frames"] for r in runs)
        print(f"{name}: Chromium CPU / player CPU {chromium_cpu / cpu:.1f} (goal >= 5: "
              f"{'met' if chromium_cpu >= 5 * cpu else 'missed'}), peak RSS {rss:.1f} MB (goal "
              f"< 64 MB: {'met' if rss < 64 else 'missed'}), most dropped frames in a run "
              f"{dropped} (goal 0: {'met' if dropped == 0 else 'missed'})")
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
