"""The real signage-studio killed with SIGKILL at random moments while a browser publishes, 50
times: after each kill `published` is one whole revision (signage-player check passes on it, its
assets match, the signature verifies, it is never an rN.tmp), revisions never go back, and the
restarted studio has removed what the interrupted publish left.

    python3 workspace_crash_test.py signage-studio signage-player studio_publish_loop DEMO [KILLS]
"""

import os
import pwd
import random
import subprocess
import sys
import tempfile
import threading
import time

from studio_fixture import Studio

ADMIN = ("ann", "ann-password-1", "admin")


def publish_forever(studio, stop, publishing, durations):
    """One browser: edit the title, save, publish; until the studio dies. `publishing` is set
    while a publish request is in flight; `durations` collects how long each took."""
    try:
        c = studio.login(ADMIN[0], ADMIN[1])
        n = 0
        while not stop.is_set():
            draft = c.json("GET", "/api/draft")
            draft["playlist"]["title"] = f"第 {n} 次发布"
            saved = c.json("PUT", "/api/draft", {"base": draft["version"],
                                                  "playlist": draft["playlist"]})
            publishing.set()
            start = time.monotonic()
            c.json("POST", "/api/publish", {"base": saved["version"], "note": str(n)})
            durations.append(time.monotonic() - start)
            publishing.clear()
            n += 1
    except Exception:  # the studio was killed
        pass


def main():
    binary, player, loop, demo = sys.argv[1:5]
    kills = int(sys.argv[5]) if len(sys.argv) > 5 else 50
    rng = random.Random(int(os.environ.get("STUDIO_CRASH_SEED", time.time_ns())))
    keys = tempfile.mkdtemp(prefix="studio-crash-")
    os.chmod(keys, 0o755)
    subprocess.run([player, "keygen", os.path.join(keys, "studio")], check=True,
                   stdout=subprocess.DEVNULL)
    if os.geteuid() == 0:  # the studio runs as nobody and reads its key
        os.chown(os.path.join(keys, "studio.key"), pwd.getpwnam("nobody").pw_uid, -1)
    args = ["--seed", demo, "--sign-key", os.path.join(keys, "studio.key")]
    data = os.path.join(keys, "data")  # outlives each studio's own temporary folder
    os.mkdir(data, 0o700)
    studio = Studio(binary, users=[ADMIN], data_dir=data, extra_args=args)
    studio.__enter__()
    last, interrupted = 0, 0
    durations = []  # seconds per publish request, over all rounds
    try:
        for i in range(kills):
            stop, publishing = threading.Event(), threading.Event()
            worker = threading.Thread(target=publish_forever,
                                      args=(studio, stop, publishing, durations))
            worker.start()
            # The kill lands at a random moment of a publish request, however slow this build
            # is (a sanitizer's): the first round first times one whole publish.
            deadline = time.monotonic() + 300
            while not durations and time.monotonic() < deadline:
                time.sleep(0.01)
            if not publishing.wait(timeout=300):
                sys.exit(f"kill {i}: the browser never got to publish")
            time.sleep(rng.uniform(0.0, 1.2 * sorted(durations)[len(durations) // 2]))
            studio.proc.kill()
            studio.proc.wait()
            stop.set()
            worker.join()
            revisions = os.path.join(data, "revisions")
            left = [n for n in os.listdir(revisions) if n.endswith(".tmp")]
            left += ["published.tmp"] if os.path.lexists(os.path.join(data, "published.tmp")) else []
            interrupted += bool(left)
            target = os.readlink(os.path.join(data, "published"))
            if target.endswith(".tmp") or not target.startswith("revisions/r"):
                sys.exit(f"kill {i}: published -> {target}")
            check = subprocess.run([player, "check", os.path.join(data, "published")],
                                   capture_output=True, text=True)
            if check.returncode != 0 or " 0 warnings" not in check.stdout:
                sys.exit(f"kill {i}: check of {target}:\n{check.stdout}{check.stderr}")
            verify = subprocess.run([loop, "verify", data, os.path.join(keys, "studio.pub")],
                                    capture_output=True, text=True)
            if verify.returncode != 0:
                sys.exit(f"kill {i}: {verify.stderr}")
            revision = int(verify.stdout)
            if revision < last:
                sys.exit(f"kill {i}: the published revision went back from {last} to {revision}")
            last = revision
            studio.__exit__(None, None, None)
            # Restarted on the same data dir: the leftovers are gone once it listens.
            studio = Studio(binary, data_dir=data, extra_args=args)
            studio.__enter__()
            left = [n for n in os.listdir(revisions) if n.endswith(".tmp")]
            if left or os.path.lexists(os.path.join(data, "published.tmp")):
                sys.exit(f"kill {i}: left after the restart: {left}")
    finally:
        studio.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", keys])
    print(f"{kills} kills of signage-studio: published was a whole signed revision every time; "
          f"{interrupted} kills landed inside a publish (left a .tmp, removed at the restart)")
    if interrupted == 0:
        sys.exit("no kill landed inside a publish: the test proved nothing")


if __name__ == "__main__":
    main()
