#!/usr/bin/env python3
"""The USB source through the player itself: `signage-player run --headless --state-dir STATE
--usb-root ROOT`, with tmpfs file systems mounted under ROOT standing in for sticks. The script
re-runs itself under `unshare -m --propagation private`, so the mounts exist in a namespace of its
own (and the player's, its child) and vanish with it.

  usb_player_test.py --player PLAYER [--emulator PART]... CASE

CASE:
  import     a good stick is imported (time taken reported); a refused stick, the same stick
             re-plugged (seen again: already-current), a newer one at the same spot imported
  refuse     malicious sticks, each refused with its error in status.json and the log, the content
             playing unchanged; with --public-key, unsigned and badly signed sticks
  removal    a stick unmounted (umount -l) while its large asset is being copied: the content
             playing is unchanged and the error names the removal (retried with a bigger file,
             at most 4 times, if the copy wins the race)
  crash      kill -9 at 50 random moments during USB imports (between the plug and a little
             after the switch); after each, STATE/current is a complete bundle whose assets all
             have their listed size and sha256, the old one or the new one

Exit status: 0 passed, 1 failed (also when there is no mount namespace or tmpfs here; says why).
Tests never assert durations: deadlines are generous and only bound waiting.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARK = "SIGNAGE_USB_TEST_IN_NAMESPACE"
DEADLINE_S = float(os.environ.get("SIGNAGE_USB_TEST_DEADLINE", "120"))  # per wait, generous


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def note(message):
    print(message, flush=True)


def enter_namespace():
    """Re-runs this script in a private mount namespace; returns only inside it."""
    if os.environ.get(MARK):
        return
    unshare = shutil.which("unshare")
    if not unshare:
        fail("unshare (Debian package util-linux) is not installed; cannot make a private mount "
             "namespace")
    probe = subprocess.run([unshare, "-m", "--propagation", "private", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        fail("unshare -m --propagation private is not permitted here "
             f"({probe.stderr.strip()}); these tests need root or CAP_SYS_ADMIN, as CI has")
    env = dict(os.environ, **{MARK: "1"})
    result = subprocess.run([unshare, "-m", "--propagation", "private", sys.executable,
                             os.path.abspath(__file__)] + sys.argv[1:], env=env)
    sys.exit(result.returncode)


def mount_tmpfs(point, size="64m"):
    os.makedirs(point, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "stick", point],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return result.stderr.strip() or f"mount exited with {result.returncode}"
    return None


def umount(point, lazy=True):
    subprocess.run(["umount"] + (["-l"] if lazy else []) + [point], capture_output=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def png(tag):
    return b"\x89PNG\r\n\x1a\n" + tag


def playlist(revision, files, title="U盘内容"):
    """playlist.json bytes for `files` ({path: bytes}), one image item per file."""
    items = [{"type": "image", "image": path} for path in files]
    items.append({"type": "headline", "title": f"{title} {revision}"})
    doc = {"version": 1, "id": "usb-player-test", "revision": revision, "items": items,
           "assets": {path: {"size": len(data), "sha256": sha256(data)}
                      for path, data in files.items()}}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


class Env:
    def __init__(self, args):
        self.args = args
        self.base = tempfile.mkdtemp(prefix="usb_player_test_")
        self.root = os.path.join(self.base, "usb-root")
        self.state = os.path.join(self.base, "state")
        os.makedirs(self.root)
        self.mounted = []
        self.player = None
        self.log_path = None
        self.runs = 0

    def close(self):
        self.stop_player()
        for point in reversed(self.mounted):
            umount(point)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- sticks ---
    def plug(self, name, files=None, revision=None, extra=None, size="64m"):
        """Mounts a tmpfs at ROOT/name and writes signage/ (playlist for `files`, the files, and
        `extra` {path: bytes} as they are) into a hidden staging copy first, so the player sees
        the stick complete: mounted elsewhere, filled, then moved under the root."""
        staging = os.path.join(self.base, "staging-" + name)
        why = mount_tmpfs(staging, size)
        if why:
            fail(f"the kernel refuses to mount a tmpfs: {why}")
        bundle = os.path.join(staging, "signage")
        os.makedirs(bundle)
        if files is not None:
            with open(os.path.join(bundle, "playlist.json"), "wb") as f:
                f.write(playlist(revision, files))
            for path, data in files.items():
                write(os.path.join(bundle, path), data)
        for path, make in (extra or {}).items():
            full = os.path.join(bundle, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if callable(make):
                make(full)
            else:
                write(full, make)
        point = os.path.join(self.root, name)
        os.makedirs(point, exist_ok=True)
        result = subprocess.run(["mount", "--move", staging, point], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"mount --move {staging} {point}: {result.stderr.strip()}")
        self.plugged_at = time.monotonic()
        self.mounted.append(point)
        return point

    # --- the player ---
    def start_player(self, *extra_args, duration=3600):
        self.runs += 1
        self.log_path = os.path.join(self.base, f"player-{self.runs}.log")
        command = list(self.args.emulator) + [
            self.args.player, "run", "--headless", "--duration", str(duration), "--size", "640x360",
            "--state-dir", self.state, "--usb-root", self.root, *extra_args]
        self.log = open(self.log_path, "wb")
        self.player = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def stop_player(self, kill=False):
        if not self.player:
            return
        if self.player.poll() is None:
            self.player.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.player.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.player.kill()
                self.player.wait()
        self.player = None
        self.log.close()

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def status(self):
        try:
            with open(os.path.join(self.state, "status.json"), "rb") as f:
                return json.loads(f.read())
        except (OSError, ValueError):
            return None

    def wait_for(self, what, predicate):
        """Polls status.json until predicate(status) is true; returns (status, seconds)."""
        start = time.monotonic()
        while time.monotonic() - start < DEADLINE_S:
            if self.player and self.player.poll() is not None:
                fail(f"the player exited ({self.player.returncode}) while waiting for {what}; "
                     f"its log:\n{self.log_text()}")
            status = self.status()
            if status and predicate(status):
                return status, time.monotonic() - start
            time.sleep(0.02)
        fail(f"no {what} within {DEADLINE_S:.0f} s; status.json: {json.dumps(self.status())}\n"
             f"log:\n{self.log_text()}")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def content_sha(status):
    return (status.get("content") or {}).get("sha256")


def imported(sha):
    return lambda s: content_sha(s) == sha and s["content"].get("source") == "usb"


def usb_result(result, error_part=None, after=None):
    def check(s):
        usb = s.get("usb") or {}
        if usb.get("last_result") != result:
            return False
        if after is not None and usb.get("last_error") == after:
            return False
        return error_part is None or error_part in (usb.get("last_error") or "")
    return check


# --- cases ------------------------------------------------------------------------------------

def case_import(env):
    env.start_player()
    env.wait_for("status.json", lambda s: True)
    files = {"images/a.png": png(b"a" * 1000), "images/b.png": png(b"b" * 3_000_000)}
    data = playlist(1, files)
    env.plug("STICK ONE", files, 1)
    status, seconds = env.wait_for("the stick's content playing", imported(sha256(data)))
    note(f"good stick imported and playing after {seconds:.2f} s "
         f"(usb.last_result {status['usb']['last_result']})")
    if status["usb"]["last_result"] != "imported":
        fail(f"usb.last_result is {status['usb']['last_result']!r}, expected 'imported'")
    if "USB: imported" not in env.log_text():
        fail("the log does not say the stick was imported:\n" + env.log_text())
    umount(os.path.join(env.root, "STICK ONE"))

    # A refused stick at the same spot, then the first stick again: seen again (already-current).
    env.plug("STICK ONE", extra={"playlist.json": b"{not json"})
    env.wait_for("the refused stick", usb_result("error", "STICK ONE/signage/playlist.json:1:"))
    umount(os.path.join(env.root, "STICK ONE"))
    env.plug("STICK ONE", files, 1)
    _, seconds = env.wait_for("the re-plugged stick seen again", usb_result("already-current"))
    note(f"re-plugged stick seen again after {seconds:.2f} s (already-current)")
    umount(os.path.join(env.root, "STICK ONE"))

    files2 = {"images/a.png": png(b"a" * 1000), "images/c.png": png(b"c" * 5000)}
    env.plug("STICK ONE", files2, 2)
    _, seconds = env.wait_for("the newer stick's content playing", imported(sha256(playlist(2, files2))))
    note(f"newer stick at the same spot imported after {seconds:.2f} s")
    # Without an HTTP source libcurl (and its TLS libraries) is never loaded.
    with open(f"/proc/{env.player.pid}/maps") as maps:
        if "libcurl" in maps.read():
            fail("a player without an HTTP source has libcurl mapped")
    env.stop_player()
    final = env.status()
    if content_sha(final) != sha256(playlist(2, files2)):
        fail(f"after a clean stop status.json names other content: {json.dumps(final)}")
    verify_current(env.state)


def case_refuse(env):
    env.start_player()
    env.wait_for("status.json", lambda s: True)
    good = {"a.png": png(b"good")}
    env.plug("good", good, 1)
    env.wait_for("the good stick playing", imported(sha256(playlist(1, good))))
    umount(os.path.join(env.root, "good"))
    playing = sha256(playlist(1, good))
    shadow = b"root:*:19000:0:99999:7:::\n"
    x = png(b"x")

    def symlink(target):
        return lambda path: os.symlink(target, path)

    cases = [
        ("symlink-out", {"a.png": shadow}, {"a.png": symlink("/etc/shadow")},
         "signage/a.png: error: a symbolic link to /etc/shadow, outside the signage folder"),
        ("device", {"a.png": x}, {"a.png": lambda p: os.mknod(p, 0o644 | 0o020000, os.makedev(1, 5))},
         "signage/a.png: error: a character device file, not a regular file"),
        ("fifo", {"a.png": x}, {"a.png": lambda p: os.mkfifo(p)},
         "signage/a.png: error: a FIFO (named pipe), not a regular file"),
        ("dotdot", None, {"playlist.json": playlist(2, {"../x.png": x})},
         "which leaves it with \"..\""),
        ("absolute", None, {"playlist.json": playlist(2, {"/etc/shadow": shadow})},
         "got the absolute path \"/etc/shadow\""),
        ("oversized", None, {"playlist.json": playlist(2, {"a.png": x}), "a.png": png(b"x" * 100000)},
         "signage/a.png: error: it has 100008 bytes, more than the 9 the playlist declares"),
        ("wrong-hash", None, {"playlist.json": playlist(2, {"a.png": png(b"right")}),
                              "a.png": png(b"wrong")},
         "the playlist says " + sha256(png(b"right"))),
        ("bad-json", None, {"playlist.json": b'{"version": 1,\n "items": [,]}'},
         "signage/playlist.json:2:"),
    ]
    for name, files, extra, expect in cases:
        files_arg = None
        if files is not None:
            # The playlist lists `files`; the files themselves are what `extra` makes.
            extra = dict(extra, **{"playlist.json": playlist(2, files)})
        env.plug(name, files_arg, 2, extra=extra)
        status, seconds = env.wait_for(f"stick {name} refused", usb_result("error", expect))
        if content_sha(status) != playing:
            fail(f"stick {name}: the content playing changed: {json.dumps(status['content'])}")
        log = env.log_text()
        if f"USB: {os.path.join(env.root, name)}: " not in log or expect not in log:
            fail(f"stick {name}: the log does not carry the error {expect!r}:\n{log}")
        note(f"stick {name} refused after {seconds:.2f} s: {status['usb']['last_error'].splitlines()[0]}")
        umount(os.path.join(env.root, name))
    env.stop_player()
    verify_current(env.state)
    if content_sha(env.status()) != playing:
        fail("after the refused sticks status.json names other content")

    # Signed content: a key configured, sticks without and with a bad signature are refused.
    keys = subprocess.run(list(env.args.emulator) + [env.args.player, "keygen",
                                                      os.path.join(env.base, "office")],
                          capture_output=True, text=True)
    public = os.path.join(env.base, "office.pub")
    if keys.returncode != 0 or not os.path.exists(public):
        fail(f"signage-player keygen failed ({keys.returncode}): {keys.stdout}{keys.stderr}")
    env.start_player("--public-key", public)
    env.wait_for("status.json", lambda s: True)
    files = {"a.png": png(b"signed")}
    env.plug("unsigned", files, 5)
    status, _ = env.wait_for("the unsigned stick refused",
                             usb_result("error", "unsigned/signage/playlist.json: error: no playlist.json.sig"))
    note(f"unsigned stick refused: {status['usb']['last_error']}")
    bad_sig = base64.b64encode(b"\0" * 64) + b"\n"
    env.plug("badsig", files, 5, extra={"playlist.json.sig": bad_sig})
    status, _ = env.wait_for("the badly signed stick refused",
                             usb_result("error", "badsig/signage/playlist.json.sig: error:"))
    note(f"badly signed stick refused: {status['usb']['last_error']}")
    if content_sha(status) == sha256(playlist(5, files)):
        fail("a stick with a bad signature was taken")
    # Signed with `signage-player sign`: taken.
    signme = os.path.join(env.base, "signme")
    write(os.path.join(signme, "playlist.json"), playlist(5, files))
    write(os.path.join(signme, "a.png"), files["a.png"])
    signed = subprocess.run(list(env.args.emulator) + [env.args.player, "sign", signme, "--key",
                                                        os.path.join(env.base, "office.key")],
                            capture_output=True, text=True)
    if signed.returncode != 0:
        fail(f"signage-player sign failed ({signed.returncode}): {signed.stdout}{signed.stderr}")
    with open(os.path.join(signme, "playlist.json.sig"), "rb") as f:
        signature = f.read()
    env.plug("signed", files, 5, extra={"playlist.json.sig": signature})
    env.wait_for("the signed stick playing", imported(sha256(playlist(5, files))))
    note("a stick signed with signage-player sign is taken")
    env.stop_player()


def case_removal(env):
    env.start_player()
    env.wait_for("status.json", lambda s: True)
    good = {"a.png": png(b"good")}
    env.plug("good", good, 1)
    env.wait_for("the good stick playing", imported(sha256(playlist(1, good))))
    umount(os.path.join(env.root, "good"))
    tmp = os.path.join(env.state, "tmp")
    size_mb = 96
    for attempt in range(1, 5):
        playing = content_sha(env.status())
        before_error = (env.status().get("usb") or {}).get("last_error")
        name = f"pulled-{attempt}"
        files = {"big.png": png(os.urandom(1) * (size_mb << 20)), "small.png": png(b"s")}
        revision = 1 + attempt
        env.plug(name, files, revision, size=f"{size_mb + 16}m")
        # Copying is under way once a part file in STATE/tmp has bytes in it.
        start = time.monotonic()
        pulled = False
        while time.monotonic() - start < DEADLINE_S and not pulled:
            try:
                for entry in os.scandir(tmp):
                    if entry.name.startswith("part-") and entry.stat().st_size > 0:
                        umount(os.path.join(env.root, name))
                        pulled = True
                        break
            except FileNotFoundError:
                pass
            if not pulled:
                time.sleep(0.002)
        if not pulled:
            fail(f"no copy of stick {name} was seen starting within {DEADLINE_S:.0f} s")
        status, _ = env.wait_for(
            "the import's outcome",
            lambda s: content_sha(s) != playing or usb_result("error", after=before_error)(s))
        if content_sha(status) != playing:
            note(f"attempt {attempt}: the {size_mb} MB copy finished before the unmount; "
                 "retrying with a bigger file")
            size_mb *= 2
            continue
        error = status["usb"]["last_error"]
        expect = f"{os.path.join(env.root, name)}: the stick was removed while copying"
        if expect not in error:
            fail(f"the error does not name the removal: {error!r}")
        if expect not in env.log_text():
            fail("the log does not name the removal:\n" + env.log_text())
        note(f"attempt {attempt} ({size_mb} MB): stick removed mid-copy; error: {error}")
        env.stop_player()
        verify_current(env.state)
        leftovers = os.listdir(tmp) if os.path.isdir(tmp) else []
        if leftovers:
            fail(f"STATE/tmp still holds {leftovers} after the player stopped")
        if content_sha(env.status()) != playing:
            fail("the content changed after the removal")
        return
    fail("the copy won the race 4 times (up to 768 MB); cannot test a removal mid-copy here")


def verify_current(state):
    """STATE/current is a complete bundle: playlist.json matches bundle.json's sha256 and every
    asset it lists has its size and sha256. Returns the playlist's sha256."""
    current = os.path.join(state, "current")
    if not os.path.isdir(current):
        fail(f"{current} is missing or not a bundle folder")
    try:
        with open(os.path.join(current, "playlist.json"), "rb") as f:
            data = f.read()
        with open(os.path.join(current, "bundle.json"), "rb") as f:
            meta = json.loads(f.read())
        doc = json.loads(data)
    except (OSError, ValueError) as e:
        fail(f"{current}: {e}")
    if meta.get("sha256") != sha256(data):
        fail(f"{current}/playlist.json does not match the sha256 in bundle.json")
    for path, entry in (doc.get("assets") or {}).items():
        full = os.path.join(current, path)
        try:
            with open(full, "rb") as f:
                content = f.read()
        except OSError as e:
            fail(f"{current}: asset {path}: {e}")
        if len(content) != entry["size"] or sha256(content) != entry["sha256"]:
            fail(f"{current}: asset {path} does not have its listed size and sha256")
    return sha256(data)


def case_crash(env, kills=50):
    rng = random.Random(int(os.environ.get("SIGNAGE_USB_TEST_SEED", str(os.getpid()))))
    # Something stored first, so "never nothing" means something.
    env.start_player()
    env.wait_for("status.json", lambda s: True)
    first = {"a.png": png(b"first")}
    env.plug("first", first, 1)
    env.wait_for("the first stick playing", imported(sha256(playlist(1, first))))
    env.stop_player()
    umount(os.path.join(env.root, "first"))
    seen = {sha256(playlist(1, first))}

    # How long an import takes here (natively or under an emulator), from the plug to the
    # switch, to spread the kills over it. Four files, 40 MB.
    def stick_files(revision):
        return {f"img/{i}.png": png(bytes([revision % 256, i]) * ((2 << 20) * (i + 1)))
                for i in range(4)}

    def start_ready():
        # status.json is written once the store is open; the USB thread starts right after.
        try:
            os.unlink(os.path.join(env.state, "status.json"))
        except FileNotFoundError:
            pass
        env.start_player()
        env.wait_for("the player to start", lambda s: True)

    start_ready()
    files = stick_files(2)
    expected = sha256(playlist(2, files))
    env.plug("stick", files, 2, size="64m")
    env.wait_for("the timing stick playing", imported(expected))
    span = time.monotonic() - env.plugged_at
    env.stop_player()
    umount(os.path.join(env.root, "stick"))
    seen.add(verify_current(env.state))
    note(f"a 40 MB import takes {span:.2f} s here; killing at random moments in "
         f"[0, {1.2 * span:.2f}] s after the plug")

    outcomes = {"old": 0, "new": 0}
    mid_copy = 0
    tmp = os.path.join(env.state, "tmp")
    for i in range(kills):
        revision = 3 + i
        files = stick_files(revision)
        new_sha = sha256(playlist(revision, files))
        before = verify_current(env.state)
        start_ready()
        env.plug("stick", files, revision, size="64m")
        time.sleep(rng.uniform(0, 1.2 * span))
        if any(n.startswith("part-") for n in os.listdir(tmp)):
            mid_copy += 1
        env.stop_player(kill=True)
        after = verify_current(env.state)
        if after not in (before, new_sha):
            fail(f"kill {i + 1}: STATE/current is neither the old nor the new bundle")
        outcomes["new" if after == new_sha else "old"] += 1
        umount(os.path.join(env.root, "stick"))
    # And the player still starts on what is stored, and takes the next stick. (Without the
    # status.json a killed player left, which may predate its last switch.)
    start_ready()
    status, _ = env.wait_for("the stored content after the kills", lambda s: content_sha(s))
    if content_sha(status) != verify_current(env.state):
        fail("after the kills the player does not play STATE/current")
    files = stick_files(1000)
    env.plug("stick", files, 1000, size="64m")
    env.wait_for("a stick after the kills", imported(sha256(playlist(1000, files))))
    env.stop_player()
    verify_current(env.state)
    note(f"{kills} kills ({mid_copy} while a file was being copied): STATE/current was complete "
         f"every time ({outcomes['old']} times the old bundle, {outcomes['new']} times the new one)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("case", choices=["import", "refuse", "removal", "crash"])
    args = parser.parse_args()
    if os.geteuid() != 0 and not os.environ.get(MARK):
        fail("mounting tmpfs sticks needs root (CI runs as root)")
    enter_namespace()
    env = Env(args)
    try:
        started = time.monotonic()
        {"import": case_import, "refuse": case_refuse, "removal": case_removal,
         "crash": case_crash}[args.case](env)
        note(f"PASS: {args.case} ({time.monotonic() - started:.1f} s)")
    finally:
        env.close()


if __name__ == "__main__":
    main()
