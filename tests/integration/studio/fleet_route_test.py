"""The studio's fleet routes (/api/fleet...) against a real mosquitto on 127.0.0.1, with statuses,
wills and screenshot replies published by mosquitto_pub as players would:

  - the broker down at start: the page's JSON says so in words; the studio connects once the
    broker is up, and again after the broker restarts;
  - players' retained statuses, a last will, a broken status (a problem, not a player), download
    progress, and no expected revision while nothing is published;
  - a screenshot: asked with CSRF by an editor-level user (an alert_sender may not), the request
    on the player's topic, a reply with another id ignored, a JPEG reply served as image/jpeg, a
    refusal reported while the last picture stays;
  - a world-readable mqtt_password_file stops the studio with what to do;
  - pushes (mqtt_groups north, south; sign_key): a publish sends {"revision": N} on both groups'
    update topics (mosquitto_sub); an alert sent on the Alerts page reaches a real headless
    player over MQTT (its log: "alert ID on screen"), its ack is listed by /api/fleet, and the
    page's cancel takes it down on the player.

    fleet_route_test.py STUDIO MOSQUITTO MOSQUITTO_PUB MOSQUITTO_SUB PLAYER DEMO_BUNDLE MINIMAL_JSON
"""

import base64
import getpass
import json
import os
import pwd
import socket
import subprocess
import sys
import tempfile
import time

from studio_fixture import Studio, emulator

STUDIO, MOSQUITTO, PUB, SUB, PLAYER, DEMO, MINIMAL = sys.argv[1:8]
FLEET = "t"


def check(ok, what):
    if not ok:
        raise AssertionError(what)


def wait_for(fn, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, tmp, port):
        self.conf = os.path.join(tmp, "mosquitto.conf")
        self.port = port
        with open(self.conf, "w") as f:
            f.write("user %s\nlistener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    % (getpass.getuser(), port))
        self.log = os.path.join(tmp, "mosquitto.log")
        self.proc = None

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=log, stderr=log)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def pub(self, topic, payload, retain=False):
        argv = [PUB, "-h", "127.0.0.1", "-p", str(self.port), "-q", "1", "-t", topic, "-s"]
        result = subprocess.run(argv + (["-r"] if retain else []), input=payload.encode(),
                                capture_output=True, timeout=30)
        check(result.returncode == 0, "mosquitto_pub %s: %s" % (topic, result.stderr))


def status(player, revision, **extra):
    s = {"player": player, "online": True, "groups": ["north"], "revision": revision,
         "playing": {"item": "h1", "since_ms": 0}, "sync": {"state": "not-modified", "last_error": None},
         "download": None, "display": "on", "alerts": [], "time_ms": int(time.time() * 1000)}
    s.update(extra)
    return json.dumps(s)


def fleet(c):
    return c.json("GET", "/api/fleet")


def players(c):
    return {p["name"]: p for p in fleet(c)["players"]}


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def pushes(tmp, broker):
    """The studio as the publisher: updates and signed alerts pushed to its groups."""
    os.chmod(tmp, 0o755)  # nobody (the studio's user under root) reads the key
    keys = os.path.join(tmp, "keys")
    os.mkdir(keys, 0o755)
    subprocess.run(emulator() + [PLAYER, "keygen", os.path.join(keys, "studio")], check=True,
                   stdout=subprocess.DEVNULL)
    if os.geteuid() == 0:  # the studio runs as nobody and reads its key
        os.chown(os.path.join(keys, "studio.key"), pwd.getpwnam("nobody").pw_uid, -1)
    url = "mqtt://127.0.0.1:%d" % broker.port
    player_log = os.path.join(tmp, "player.log")
    with open(player_log, "wb") as log:
        player = subprocess.Popen(emulator() + [
            PLAYER, "run", "--headless", "--size", "320x180", "--duration", "300",
            "--state-dir", os.path.join(tmp, "player-state"), "--public-key",
            read(os.path.join(keys, "studio.pub")).strip(), "--player-id", "hall-9",
            "--mqtt-broker", url, "--mqtt-fleet", FLEET, "--mqtt-groups", "north", MINIMAL],
            stdout=log, stderr=log)
    args = ["--mqtt-broker", url, "--mqtt-fleet", FLEET, "--mqtt-groups", "north, south",
            "--seed", DEMO, "--sign-key", os.path.join(keys, "studio.key")]
    users = [("ann", "pw-ann-123", "admin"), ("sam", "pw-sam-123", "alert_sender")]
    try:
        with Studio(STUDIO, users=users, extra_args=args) as s:
            ann, sam = s.login("ann", "pw-ann-123"), s.login("sam", "pw-sam-123")
            wait_for(lambda: fleet(ann)["connected"], "the studio to connect", 90)
            check(fleet(ann)["push"]["groups"] == ["north", "south"], "push: %s" % fleet(ann))

            print("-- a publish: an update on each group's topic, at once")
            sub = subprocess.Popen([SUB, "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1",
                                    "-t", "signage/t/+/update", "-v", "-C", "2", "-W", "60"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(1)  # mosquitto_sub subscribed
            draft = ann.json("GET", "/api/draft")
            revision = ann.json("POST", "/api/publish", {"base": draft["version"]})["revision"]
            lines = sorted(sub.communicate(timeout=90)[0].splitlines())
            want = ['signage/t/%s/update {"revision":%d}' % (g, revision) for g in ("north", "south")]
            check(lines == want, "updates: %s, want %s" % (lines, want))
            f = fleet(ann)
            check(f["push"]["error"] == "" and f["push"]["last_ms"] > 0, "push: %s" % f["push"])

            print("-- an alert from the Alerts page: on the player's screen over MQTT, acknowledged")
            wait_for(lambda: players(ann).get("hall-9", {}).get("online"), "hall-9 online", 120)
            alert = sam.json("POST", "/api/alerts", {"title": "临时停水", "body": "今日停水",
                                                     "minutes": 30})
            wait_for(lambda: ("alert %s on screen" % alert["id"]) in read(player_log),
                     "the player to show " + alert["id"], 120)

            def acked():
                a = [x for x in fleet(ann)["alerts"] if x["id"] == alert["id"]]
                return a and [x["player"] for x in a[0]["acked"]] == ["hall-9"] and a[0]
            a = wait_for(acked, "the ack on /api/fleet", 120)
            check(a["title"] == "临时停水" and sorted(a["groups"]) == ["north", "south"], "alert: %s" % a)

            print("-- the page's cancel takes it down on the player")
            sam.json("DELETE", "/api/alerts/" + alert["id"])
            wait_for(lambda: ("alert %s cancelled" % alert["id"]) in read(player_log),
                     "the player to take it down", 120)
            wait_for(lambda: players(ann)["hall-9"]["alerts"] == [], "hall-9 without the alert", 60)
    except BaseException:
        sys.stderr.write("--- player log ---\n%s\n" % read(player_log))
        raise
    finally:
        player.terminate()
        player.wait(timeout=60)


def main():
    tmp = tempfile.mkdtemp(prefix="fleet-route-")
    broker = Broker(tmp, free_port())
    args = ["--mqtt-broker", "mqtt://127.0.0.1:%d" % broker.port, "--mqtt-fleet", FLEET]
    users = [("ann", "pw-ann-123", "editor"), ("sam", "pw-sam-123", "alert_sender")]
    try:
        with Studio(STUDIO, users=users, extra_args=args) as s:
            ann, sam = s.login("ann", "pw-ann-123"), s.login("sam", "pw-sam-123")

            print("-- the broker is down: said in words, no players")
            f = wait_for(lambda: (f := fleet(ann))["error"] and f, "the connection error")
            check(f["configured"] and not f["connected"] and f["players"] == [], "down: %s" % f)
            check("refuses connections" in f["error"], "the reason: %s" % f["error"])

            print("-- the broker starts: the studio connects by itself")
            broker.start()
            wait_for(lambda: fleet(ann)["connected"], "the studio to connect", 90)

            print("-- statuses, a last will, a broken status")
            broker.pub("signage/t/status/hall-1", status(
                "hall-1", 5, download={"done_bytes": 1000000, "total_bytes": 4000000}), retain=True)
            broker.pub("signage/t/status/hall-2", status("hall-2", 3, display="off"), retain=True)
            broker.pub("signage/t/status/hall-3", json.dumps({"player": "hall-3", "online": False}),
                       retain=True)
            broker.pub("signage/t/status/hall-4", "{not json", retain=True)
            ps = wait_for(lambda: (ps := players(ann)) and len(ps) == 3 and ps, "three players")
            check(ps["hall-1"]["online"] and ps["hall-1"]["revision"] == 5, "hall-1: %s" % ps["hall-1"])
            check(ps["hall-1"]["download"] == {"done": 1000000, "total": 4000000}, "download: %s" % ps["hall-1"])
            check(ps["hall-1"]["revision_state"] == "unknown", "nothing published: %s" % ps["hall-1"])
            check(ps["hall-2"]["display"] == "off", "hall-2: %s" % ps["hall-2"])
            check(not ps["hall-3"]["online"] and ps["hall-3"]["revision"] is None, "hall-3: %s" % ps["hall-3"])
            f = fleet(ann)
            check(f["expected_revision"] is None, "expected: %s" % f["expected_revision"])
            check(any("hall-4" in p for p in f["problems"]), "problems: %s" % f["problems"])

            print("-- screenshots: who may ask, what the studio sends, which replies it takes")
            path = "/api/fleet/players/hall-1/screenshot"
            check(sam.post(path)[0] == 403, "an alert_sender asks for a screenshot")
            check(ann.post("/api/fleet/players/hall-3/screenshot")[0] == 409, "an offline player")
            check(ann.post("/api/fleet/players/hall-9/screenshot")[0] == 404, "an unknown player")
            check(ann.get(path)[0] == 404, "a picture before any")
            sub = subprocess.Popen([SUB, "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1",
                                    "-t", "signage/t/screenshot/hall-1", "-C", "1", "-W", "60"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(1)  # mosquitto_sub subscribed
            check(ann.post(path)[0] == 202, "ask hall-1")
            request = json.loads(sub.communicate(timeout=90)[0])
            check(request["width"] == 480 and request["id"], "the request: %s" % request)
            jpeg = b"\xff\xd8\xff\xe0" + os.urandom(2000)
            b64 = base64.b64encode(jpeg).decode()
            png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"x" * 10).decode()
            broker.pub("signage/t/screenshot/hall-1/reply",
                       json.dumps({"id": "not-asked", "player": "hall-1", "png": png}))
            broker.pub("signage/t/screenshot/hall-1/reply",
                       json.dumps({"id": request["id"], "player": "hall-1", "png": b64}))
            shot = wait_for(lambda: (p := players(ann)["hall-1"].get("screenshot")) and
                            p["state"] == "ready" and p, "the screenshot")
            check(shot["has_image"], "shot: %s" % shot)
            code, headers, body = ann.get(path)
            check(code == 200 and body == jpeg, "the picture: %d, %d bytes" % (code, len(body)))
            check(dict((k.lower(), v) for k, v in headers.items())["content-type"] == "image/jpeg",
                  "content type: %s" % headers)
            sub = subprocess.Popen([SUB, "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1",
                                    "-t", "signage/t/screenshot/hall-1", "-C", "1", "-W", "60"],
                                   stdout=subprocess.PIPE, text=True)
            time.sleep(1)
            check(ann.post(path)[0] == 202, "ask hall-1 again")
            request = json.loads(sub.communicate(timeout=90)[0])
            broker.pub("signage/t/screenshot/hall-1/reply",
                       json.dumps({"id": request["id"], "player": "hall-1", "error": "the screen is off"}))
            shot = wait_for(lambda: (p := players(ann)["hall-1"].get("screenshot")) and
                            p["state"] == "failed" and p, "the refusal")
            check(shot["error"] == "the screen is off", "refusal: %s" % shot)
            check(ann.get(path)[2] == jpeg, "the last picture stays")

            print("-- the broker restarts: the studio reconnects; retained statuses come back")
            broker.stop()
            wait_for(lambda: not fleet(ann)["connected"], "the studio to notice", 60)
            broker.start()  # no persistence: the statuses are published again, as players do
            wait_for(lambda: fleet(ann)["connected"], "the studio to reconnect", 120)
            broker.pub("signage/t/status/hall-1", status("hall-1", 6), retain=True)
            wait_for(lambda: players(ann)["hall-1"]["revision"] == 6, "hall-1's new status")

        pushes(tmp, broker)

        print("-- a password file others may read stops the studio")
        secret = os.path.join(tmp, "password")
        with open(secret, "w") as f:
            f.write("s3cret\n")
        os.chmod(secret, 0o644)
        config = os.path.join(tmp, "empty.conf")
        open(config, "w").close()
        run_as = ["--run-as", "nobody"] if os.geteuid() == 0 else []
        result = subprocess.run(emulator() + [STUDIO, "--config", config, "--data-dir", os.path.join(tmp, "d"),
                                 "--port", "0", "--mqtt-broker", "mqtt://127.0.0.1:1",
                                 "--mqtt-username", "studio", "--mqtt-password-file", secret] + run_as,
                                capture_output=True, text=True, timeout=60)
        check(result.returncode != 0 and "chmod 600" in result.stderr, "0644: %s" % result.stderr)
        result = subprocess.run(emulator() + [STUDIO, "--config", config, "--data-dir", os.path.join(tmp, "d"),
                                 "--port", "0", "--mqtt-broker", "http://x"] + run_as,
                                capture_output=True, text=True, timeout=60)
        check(result.returncode != 0 and "mqtt_broker" in result.stderr, "http://: %s" % result.stderr)
    finally:
        broker.stop()
    print("fleet routes: passed")


if __name__ == "__main__":
    main()
