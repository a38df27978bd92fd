#!/usr/bin/env python3
"""The local source through the player itself: `signage-player run --headless --state-dir STATE
--local-source DIR`, DIR published here exactly as the studio publishes (a whole new folder
revisions/rN, then a new symbolic link renamed over `published`: `ln -s` + `mv -T`).

  local_player_test.py CASE --player PLAYER [--emulator PART]...

CASE:
  publish  revisions 1, 2 and 3 published one after the other: status.json takes each (content,
           local.last_result) and `playing` names the item on screen, moving as items change
  half     a hand-made folder (no link) whose picture is still half copied is refused and the
           content stays; completed, it is imported at the next change; removed, the content
           stays and status says the folder is missing
  signed   with --public-key: an unsigned revision is refused with the reason in status.json,
           the signed one (signage-player keygen/sign) is imported
  priority a new alert cuts in at once only when it would show: a warning published while an
           emergency plays waits for the item boundary (and never shows), a second emergency
           cuts in
  bench    publish to "now playing revision N" in the player's log and to status.json's
           playing.since of revision N (the first frame of the new content), 10 times with a
           new alert (it takes over at once), 10 times without (it waits for an item boundary;
           items of 8 s); prints the medians (a benchmark, not a test)

Exit status 0: passed, 1: failed. Deadlines are generous and only bound waiting; times are
printed, never asserted.
"""
import argparse
import datetime
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(predicate, what, seconds=60):
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    value = predicate()
    if value:
        return value
    raise Failure("timed out after %d s waiting for %s" % (seconds, what))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def alert_item(id, priority):
    """An alert of 4 s valid for years, of `priority` (1 information .. 3 emergency)."""
    return {"type": "alert", "id": id, "title": "通知 " + id, "priority": priority, "duration": 4,
            "schedule": {"valid_from": "2020-01-01T00:00:00+08:00",
                         "valid_until": "2099-01-01T00:00:00+08:00"}}


def playlist_text(revision, assets, alert=False, duration=1, alerts=()):
    """playlist.json bytes: three headlines of `duration` s (ids h1..h3), then `alerts`, `assets`
    listed."""
    items = [{"type": "headline", "id": "h%d" % i, "title": "第%d版 第%d条" % (revision, i),
              "duration": duration} for i in (1, 2, 3)]
    if alert:
        items.append({"type": "alert", "id": "water-%d" % revision, "title": "临时停水",
                      "body": "今日8时至18时停水。", "duration": 30,
                      "schedule": {"valid_from": "2020-01-01T00:00:00+08:00",
                                   "valid_until": "2099-01-01T00:00:00+08:00"}})
    items += list(alerts)
    doc = {"version": 1, "id": "studio", "revision": revision, "title": "和平里社区服务中心",
           "items": items,
           "assets": {path: {"size": len(data), "sha256": sha256(data)}
                      for path, data in assets.items()}}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode()


class Env:
    def __init__(self, args):
        self.args = args
        self.base = tempfile.mkdtemp(prefix="local_player_test_")
        self.data = os.path.join(self.base, "studio")
        self.state = os.path.join(self.base, "state")
        os.makedirs(os.path.join(self.data, "revisions"))
        self.player = None
        self.log_lines = []  # (monotonic time, line)
        self.reader = None

    def close(self, keep):
        self.stop_player()
        if keep:
            print("kept for inspection: %s" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    def tool(self, *argv):
        result = subprocess.run(list(self.args.emulator) + [self.args.player] + list(argv),
                                capture_output=True, text=True)
        check(result.returncode == 0, "%s: %s%s" % (argv[0], result.stdout, result.stderr))

    def publish(self, revision, assets, sign_key=None, **kw):
        """As the studio does: revisions/rN complete first, then `published` replaced by one
        rename of a new symbolic link. Returns the time of the rename (monotonic)."""
        folder = os.path.join(self.data, "revisions", "r%d" % revision)
        for path, data in assets.items():
            write(os.path.join(folder, path), data)
        write(os.path.join(folder, "playlist.json"), playlist_text(revision, assets, **kw))
        if sign_key:
            self.tool("sign", folder, "--key", sign_key)
        link = os.path.join(self.data, "published.new")
        subprocess.run(["ln", "-s", os.path.join("revisions", "r%d" % revision), link], check=True)
        subprocess.run(["mv", "-T", link, os.path.join(self.data, "published")], check=True)
        return time.monotonic()

    def start_player(self, local_source, extra=()):
        argv = list(self.args.emulator) + [
            self.args.player, "run", "--headless", "--size", "640x360", "--duration", "600",
            "--state-dir", self.state, "--local-source", local_source, "--no-usb",
        ] + list(extra)
        self.player = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       stdin=subprocess.DEVNULL)

        def read():
            for raw in self.player.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                self.log_lines.append((time.monotonic(), line))
                print("  player: " + line, flush=True)

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def stop_player(self):
        if self.player and self.player.poll() is None:
            self.player.terminate()
            try:
                self.player.wait(30)
            except subprocess.TimeoutExpired:
                self.player.kill()
                self.player.wait()
        if self.reader:
            self.reader.join(5)
        self.player = None

    def status(self):
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def revision_playing(self, revision):
        """status.json once its content is `revision` (from the local source)."""
        def got():
            s = self.status()
            c = s and s.get("content")
            return s if c and c["revision"] == revision and c["source"] == "local" else None
        return wait_for(got, "status.json content revision %d" % revision)

    def local_result(self, result, error_part=""):
        def got():
            s = self.status()
            local = s and s.get("local")
            if local and local["last_result"] == result and error_part in (local["last_error"] or ""):
                return s
            return None
        return wait_for(got, "local.last_result %s (%s)" % (result, error_part))


def case_publish(env):
    env.start_player(os.path.join(env.data, "published"))
    s = env.local_result("missing", "no bundle there yet")
    check(s["content"] is None, "content before anything was published: %r" % s["content"])
    picture = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
    for revision in (1, 2, 3):
        env.publish(revision, {"images/a.png": picture, "data/r%d.bin" % revision: os.urandom(500)})
        s = env.revision_playing(revision)
        check(s["local"]["last_result"] == "imported", "local: %r" % s["local"])
        check(s["local"]["last_error"] is None, "local: %r" % s["local"])
        check(s["content"]["origin"].endswith("revisions/r%d" % revision),
              "origin %r" % s["content"]["origin"])
        # The item on screen: of this revision, and it moves on (items last 1 s).
        first = wait_for(lambda: (lambda p: p if p and p["revision"] == revision else None)(
            (env.status() or {}).get("playing")), "playing.revision %d" % revision)
        check(first["item"] in ("h1", "h2", "h3") and first["index"] in (0, 1, 2),
              "playing %r" % first)
        datetime.datetime.fromisoformat(first["since"].replace("Z", "+00:00"))
        wait_for(lambda: (lambda p: p and p["since"] != first["since"] and p["item"] != first["item"]
                          and p["revision"] == revision)((env.status() or {}).get("playing")),
                 "playing to move on from %r" % first)
    # The store holds revision 3 as what the studio published.
    with open(os.path.join(env.state, "current", "playlist.json"), "rb") as f:
        check(json.loads(f.read())["revision"] == 3, "store's current is not revision 3")
    check(env.player.poll() is None, "the player exited")


def case_half(env):
    hand = os.path.join(env.base, "hand")
    picture = b"\x89PNG\r\n\x1a\n" + os.urandom(20000)
    write(os.path.join(hand, "images/a.png"), picture)
    write(os.path.join(hand, "playlist.json"), playlist_text(1, {"images/a.png": picture}))
    env.start_player(hand)
    env.revision_playing(1)
    # Revision 2 copied by hand: the playlist first, the picture only half.
    picture2 = b"\x89PNG\r\n\x1a\n" + os.urandom(20000)
    write(os.path.join(hand, "images/b.png"), picture2[:10000])
    write(os.path.join(hand, "playlist.json"),
          playlist_text(2, {"images/a.png": picture, "images/b.png": picture2}))
    s = env.local_result("error", "images/b.png")
    check(s["content"]["revision"] == 1, "a half-copied folder was imported: %r" % s["content"])
    print("refused while half copied: %s" % s["local"]["last_error"])
    time.sleep(2.5)  # unchanged: not tried again, still revision 1
    s = env.status()
    check(s["content"]["revision"] == 1 and s["local"]["last_result"] == "error", "status %r" % s)
    # The copy completes: imported at this change.
    write(os.path.join(hand, "images/b.png"), picture2)
    s = env.revision_playing(2)
    check(s["local"]["last_result"] == "imported", "local %r" % s["local"])
    # The folder goes away: nothing changes but the note.
    shutil.rmtree(hand)
    s = env.local_result("missing", "no bundle there yet")
    check(s["content"]["revision"] == 2, "content after the folder went: %r" % s["content"])
    check(env.player.poll() is None, "the player exited")


def case_signed(env):
    keys = os.path.join(env.base, "keys")
    os.makedirs(keys)
    env.tool("keygen", os.path.join(keys, "studio"))
    with open(os.path.join(keys, "studio.pub")) as f:
        public_key = f.read().strip()
    env.start_player(os.path.join(env.data, "published"), ["--public-key", public_key])
    env.publish(1, {"data/a.bin": os.urandom(100)})
    s = env.local_result("error", "no playlist.json.sig beside it")
    check(s["content"] is None, "an unsigned bundle was taken: %r" % s["content"])
    print("unsigned refused: %s" % s["local"]["last_error"])
    env.publish(2, {"data/a.bin": os.urandom(100)}, sign_key=os.path.join(keys, "studio.key"))
    s = env.revision_playing(2)
    check(s["local"]["last_result"] == "imported", "local %r" % s["local"])


def case_priority(env):
    env.start_player(os.path.join(env.data, "published"))
    env.local_result("missing")
    fire, water, gas = alert_item("fire", 3), alert_item("water", 2), alert_item("gas", 3)
    env.publish(1, {"data/a.bin": os.urandom(100)}, alerts=[fire])
    playing = lambda: (env.status() or {}).get("playing") or {}
    wait_for(lambda: playing().get("revision") == 1 and playing().get("item") == "fire",
             "the emergency of revision 1 on screen")
    cut_in = "a new alert; it takes over at once"
    for revision, alerts, cuts in ((2, [fire, water], False), (3, [fire, water, gas], True)):
        seen = len(env.log_lines)
        env.publish(revision, {"data/a.bin": os.urandom(100)}, alerts=alerts)
        wait_for(lambda: playing().get("revision") == revision, "revision %d on screen" % revision)
        said = any(cut_in in line for _, line in env.log_lines[seen:])
        check(said == cuts, "revision %d: %r in the log: %s, expected %s"
              % (revision, cut_in, said, cuts))
    # The warning is hidden while the emergencies take turns.
    shown = set()
    start = time.monotonic()
    while time.monotonic() - start < 10:
        shown.add(playing().get("item"))
        time.sleep(0.1)
    check(shown == {"fire", "gas"}, "on screen with two emergencies and a warning: %r" % shown)
    check(env.player.poll() is None, "the player exited")


def case_bench(env):
    env.start_player(os.path.join(env.data, "published"))
    env.local_result("missing")
    revision = 0
    for alert in (False, True):  # alerts last: an alert valid for days pre-empts the loop
        to_log, to_screen = [], []
        for _ in range(10):
            revision += 1
            log_seen = len(env.log_lines)
            published_wall = time.time()
            published = env.publish(revision, {"data/a.bin": os.urandom(2000)}, alert=alert,
                                    duration=8)
            marker = "now playing studio revision %d " % revision
            at = wait_for(lambda: next((t for t, line in env.log_lines[log_seen:] if marker in line),
                                       None), "log line for revision %d" % revision)
            since = wait_for(lambda: (lambda p: p["since"] if p and p["revision"] == revision else None)(
                (env.status() or {}).get("playing")), "playing revision %d" % revision)
            shown = datetime.datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
            to_log.append(at - published)
            to_screen.append(shown - published_wall)
            print("revision %d: log %.3f s, screen %.3f s" % (revision, to_log[-1], to_screen[-1]),
                  flush=True)
            time.sleep(random.uniform(0.3, 1.3))  # publishes at any moment of the 1 s poll
        what = "an alert, at once" if alert else "no alert: at an item boundary, items of 8 s"
        print("%s: publish -> 'now playing' in the log: median %.3f s (min %.3f, max %.3f)"
              % (what, statistics.median(to_log), min(to_log), max(to_log)))
        print("%s: publish -> first frame of the new content: median %.3f s (min %.3f, max %.3f)"
              % (what, statistics.median(to_screen), min(to_screen), max(to_screen)), flush=True)


CASES = {"publish": case_publish, "half": case_half, "signed": case_signed,
         "priority": case_priority, "bench": case_bench}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    env = Env(args)
    ok = False
    try:
        CASES[args.case](env)
        ok = True
    except Failure as e:
        print("FAIL: %s" % e, flush=True)
    finally:
        env.close(keep=not ok and args.keep)
    print("PASS" if ok else "FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
