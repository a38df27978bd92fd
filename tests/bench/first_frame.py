#!/usr/bin/env python3
"""Time to the first frame with a large store.

  first_frame.py PLAYER [MORE PLAYERS...] [--mb 200]

Makes a bundle of --mb MB of assets (10 MB files), serves it with python's http.server, lets the
first PLAYER store it (run --source), then runs each PLAYER five times on that state directory
(run --headless --no-usb, no source) and prints the seconds from exec to its "first frame on
screen" line, printed once the first frame is presented (players older than that line: to their
"playing ..." line, which comes before the first card is laid out, so their time is a lower
bound). The page cache is warm (the files were just
written); on an SD card a cold start costs the old hashing far more.
"""
import argparse, hashlib, json, os, shutil, socket, subprocess, sys, tempfile, time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("players", nargs="+")
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="first-frame-")
    www, state = os.path.join(work, "www"), os.path.join(work, "state")
    os.makedirs(os.path.join(www, "data"))
    assets = {}
    for i in range(args.mb // 10):
        data = os.urandom(10 << 20)
        path = "data/blob%03d.bin" % i
        with open(os.path.join(www, path), "wb") as f:
            f.write(data)
        assets[path] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    playlist = {"version": 1, "id": "first-frame", "revision": 1, "title": "t",
                "items": [{"type": "headline", "title": "首帧"}], "assets": assets}
    with open(os.path.join(www, "playlist.json"), "w") as f:
        json.dump(playlist, f, ensure_ascii=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                               "127.0.0.1", "--directory", www], stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        fill = subprocess.Popen([args.players[0], "run", "--headless", "--duration", "600",
                                 "--no-usb", "--state-dir", state, "--source",
                                 "http://127.0.0.1:%d/playlist.json" % port],
                                stderr=subprocess.PIPE, text=True)
        for line in fill.stderr:
            if "now playing first-frame" in line:
                break
        fill.terminate()
        fill.wait()
    finally:
        server.terminate()
    for player in args.players:
        runs = []
        for _ in range(5):
            t0 = time.monotonic()
            p = subprocess.Popen([player, "run", "--headless", "--duration", "0.5", "--no-usb",
                                  "--size", "1920x1080", "--state-dir", state],
                                 stderr=subprocess.PIPE, text=True)
            seen = None
            for line in p.stderr:
                if line.startswith("signage-player: playing"):
                    seen = time.monotonic() - t0
                if line.startswith("signage-player: first frame on screen"):
                    seen = time.monotonic() - t0
                    break
            runs.append(seen)
            p.wait()
        print("%s: %s, median %.3f s" % (player, " ".join("%.3f" % r for r in runs),
                                         sorted(runs)[len(runs) // 2]))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
