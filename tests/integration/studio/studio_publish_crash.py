#!/usr/bin/env python3
"""The studio killed (SIGKILL) at random moments while it publishes, 50 times: each time
`published` is one whole revision (signage-player check passes on it, its assets match, the
signature verifies, it is never an rN.tmp), revisions never go back, and opening the workspace
again removes what the interrupted publish left."""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loop", required=True)
    ap.add_argument("--player", required=True)
    ap.add_argument("--seed", required=True)
    ap.add_argument("--kills", type=int, default=50)
    args = ap.parse_args()
    rng = random.Random(int(os.environ.get("STUDIO_CRASH_SEED", time.time_ns())))
    with tempfile.TemporaryDirectory(prefix="studio-crash-") as root:
        data = os.path.join(root, "data")
        subprocess.run([args.player, "keygen", os.path.join(root, "studio")], check=True,
                       stdout=subprocess.DEVNULL)
        key, pub = os.path.join(root, "studio.key"), os.path.join(root, "studio.pub")
        last = 0
        interrupted = 0  # kills that left an rN.tmp or published.tmp: landed inside a publish
        publish_s = None  # how long one publish takes here
        for i in range(args.kills):
            proc = subprocess.Popen([args.loop, "loop", data, args.seed, key],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # The kill lands at a random moment of a publish (the loop says "publishing" before
            # each), however slow the build is (a sanitizer's): the first round times one.
            while True:
                line = proc.stdout.readline()
                if not line:
                    sys.exit(f"kill {i}: the loop ended: {proc.communicate()[1].decode()}")
                if line.strip() != b"publishing":
                    continue
                if publish_s is not None:
                    break
                start = time.monotonic()
                proc.stdout.readline()  # the revision it published
                publish_s = time.monotonic() - start
            time.sleep(rng.uniform(0.0, 1.2 * publish_s))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            if proc.returncode != -signal.SIGKILL:
                sys.exit(f"kill {i}: the loop ended by itself ({proc.returncode}): {err.decode()}")
            revisions = os.path.join(data, "revisions")
            left = [n for n in os.listdir(revisions) if n.endswith(".tmp")]
            left += ["published.tmp"] if os.path.lexists(os.path.join(data, "published.tmp")) else []
            interrupted += bool(left)
            target = os.readlink(os.path.join(data, "published"))
            if target.endswith(".tmp") or not target.startswith("revisions/r"):
                sys.exit(f"kill {i}: published -> {target}")
            check = subprocess.run([args.player, "check", os.path.join(data, "published")],
                                   capture_output=True, text=True)
            if check.returncode != 0 or " 0 warnings" not in check.stdout:
                sys.exit(f"kill {i}: check of {target} failed:\n{check.stdout}{check.stderr}")
            verify = subprocess.run([args.loop, "verify", data, pub], capture_output=True, text=True)
            if verify.returncode != 0:
                sys.exit(f"kill {i}: {verify.stderr}")
            revision = int(verify.stdout)
            clean = subprocess.run([args.loop, "clean", data], capture_output=True, text=True)
            if clean.returncode != 0:
                sys.exit(f"kill {i}: {clean.stderr}")
            if revision < last:
                sys.exit(f"kill {i}: the published revision went back from {last} to {revision}")
            last = revision
        print(f"{args.kills} kills: published was a whole signed revision every time; "
              f"{interrupted} kills landed inside a publish (left a .tmp, removed at open)")
        if interrupted == 0:
            sys.exit("no kill landed inside a publish: the test proved nothing")


if __name__ == "__main__":
    main()
