#!/usr/bin/env python3
"""What a screen costs: players in a real window under Xvfb against Chromium kiosk, same run.

  window_cost.py [--seconds 15] [--runs 3] PLAYER [MORE PLAYERS...]

Starts Xvfb 1920x1080, then for each PLAYER runs `PLAYER run playlists/hexi-2024` in a window
with SDL's default renderer (OpenGL on Mesa's llvmpipe here) and with SDL_RENDER_DRIVER=software,
and Chromium in kiosk mode showing a statistic card and a CSS ticker in Chinese (--disable-gpu).
Each for --seconds, --runs times. Prints per case the median CPU seconds of the whole process
tree (user + system, from /proc) and the median of its peak summed PSS and RSS (sampled every
0.25 s). Needs xvfb and chromium (apt-get install xvfb chromium).
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

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


def measure(command, env, seconds):
    p = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu, peak_pss, peak_rss = {}, 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and p.poll() is None:
        pss, rss = sample(p.pid, cpu)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.25)
    sample(p.pid, cpu)
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return sum(cpu.values()), peak_pss, peak_rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("players", nargs="+")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    work = tempfile.mkdtemp(prefix="window-cost-")
    page = os.path.join(work, "page.html")
    with open(page, "w") as f:
        f.write(PAGE)
    xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    env = dict(os.environ, DISPLAY=":97")
    cases = []
    for player in args.players:
        command = [player, "run", os.path.join(root, "playlists", "hexi-2024"),
                   "--size", "1920x1080"]
        cases.append((player + " (SDL default: OpenGL, llvmpipe)", command, env))
        cases.append((player + " (SDL_RENDER_DRIVER=software)", command,
                      dict(env, SDL_RENDER_DRIVER="software")))
    chromium = ["chromium", "--kiosk", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1920,1080", "--user-data-dir=" + os.path.join(work, "profile"),
                "file://" + page]
    cases.append(("Chromium kiosk, statistic card + CJK ticker (--disable-gpu)", chromium, env))
    try:
        results = {name: [] for name, _, _ in cases}
        for _ in range(args.runs):  # interleaved, so a noisy minute hits every case
            for name, command, case_env in cases:
                results[name].append(measure(command, case_env, args.seconds))
        print(f"{args.seconds:g} s each, median of {args.runs}, Xvfb 1920x1080")
        for name, runs in results.items():
            cpu, pss, rss = (statistics.median(r[i] for r in runs) for i in range(3))
            print(f"  {name}: CPU {cpu:.2f} s, peak PSS {pss:.0f} MB, peak RSS {rss:.0f} MB")
    finally:
        xvfb.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
