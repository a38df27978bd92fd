#!/usr/bin/env python3
"""The player's MQTT client (--mqtt-broker) against a real mosquitto started here on 127.0.0.1,
as docs/fleet.md ("Topics and payloads") describes it.

  mqtt_player_test.py CASE --player PLAYER [--emulator PART]... --mosquitto MOSQUITTO
      --mosquitto-pub PUB --mosquitto-sub SUB --mosquitto-passwd PASSWD --nginx NGINX
      --openssl OPENSSL

CASE:
  update  with --poll-interval 600, an `update` message makes the player fetch the playlist at
          once (nginx's access log): the new revision plays; a screenshot request is answered
          with a PNG of the frame at the width asked (a width over 960 with an error); a storm of 20 updates in a second
          makes at most two fetches (jitter, and never more often than once per 2 s)
  alerts  a signed alert shows ("alert ID on screen MS" in the log; its latency from publish is
          printed), is acknowledged on the ack topic and listed in the retained status; a forged
          one, an expired one and one with an unknown field are refused and reported (log,
          status.json, the status topic); the broker killed: the player keeps playing and
          reconnects to the restarted broker (status retained again); stopped and started
          without a broker, the player shows the alert from its store; a cancel removes it, the
          original replayed is refused; SIGTERM publishes "online": false, and kill -9 makes the
          broker publish the last will
  download  while a bundle's asset downloads slowly (fault_server.py) the retained status says
          how far (done and total bytes), then null
  tls     mqtts:// with a CA made here by openssl and a password: refused without the CA (the
          certificate problem in status.json), connected with it; a password file readable by
          others stops the player at start with a clear error
  clientcert  mqtts:// where the broker requires a client certificate signed by the test's CA
          (the certificate's CN is the broker user): refused without one, connected with
          --mqtt-cert-file/--mqtt-key-file; a certificate without its key stops the player at
          start

Deadlines are generous and only keep a broken run from hanging; times are printed, never
asserted. Exit status 0: passed, 1: failed.
"""
import argparse
import base64
import datetime
import getpass
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sync_player_test import (Failure, Run, access_lines, check, free_port, make_pki, port_open,  # noqa: E402
                              read_status, wait_for, wait_revision, write_bundle)

FLEET = "test"


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.isoformat(timespec="milliseconds")


def log_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class Mqtt:
    """A mosquitto broker and its clients."""

    def __init__(self, run):
        self.run = run
        self.port = free_port()
        self.broker = None
        self.extra_conf = ""
        self.client_args = []

    def start(self):
        conf = self.run.path("mosquitto.conf")
        with open(conf, "w") as f:
            f.write("user %s\nlistener %d 127.0.0.1\npersistence false\nlog_type all\n%s"
                    % (getpass.getuser(), self.port, self.extra_conf or "allow_anonymous true\n"))
        self.broker = self.run.start([self.run.args.mosquitto, "-c", conf], self.run.path("mosquitto.log"))
        wait_for(lambda: port_open(self.port), "mosquitto to listen on port %d" % self.port, 20)

    def kill(self):
        self.broker.kill()
        self.broker.wait()

    def pub(self, topic, payload, retain=False):
        argv = [self.run.args.mosquitto_pub, "-h", "127.0.0.1", "-p", str(self.port), "-q", "1",
                "-t", topic, "-m", payload] + self.client_args + (["-r"] if retain else [])
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        check(result.returncode == 0, "mosquitto_pub %s: %s" % (topic, result.stderr))

    def pub_lines(self, topic, lines):
        """One mosquitto_pub sending each line as a message, in a burst."""
        argv = [self.run.args.mosquitto_pub, "-h", "127.0.0.1", "-p", str(self.port), "-q", "1",
                "-t", topic, "-l"] + self.client_args
        result = subprocess.run(argv, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=30)
        check(result.returncode == 0, "mosquitto_pub -l %s: %s" % (topic, result.stderr))

    def sub_start(self, topic, out):
        """mosquitto_sub in the background, one message a line (-v: topic and payload)."""
        return self.run.start([self.run.args.mosquitto_sub, "-h", "127.0.0.1", "-p", str(self.port), "-q",
                               "1", "-v", "-t", topic] + self.client_args, out)

    def retained(self, topic, seconds=5):
        """The retained message of `topic` (None when there is none)."""
        argv = [self.run.args.mosquitto_sub, "-h", "127.0.0.1", "-p", str(self.port), "-t", topic,
                "-C", "1", "-W", str(seconds), "--retained-only"] + self.client_args
        result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 20)
        text = result.stdout.strip()
        return json.loads(text) if text else None


def player(run, state, log, mqtt, extra=(), duration=120):
    argv = list(run.args.emulator) + [
        run.args.player, "run", "--headless", "--duration", str(duration), "--size", "640x360",
        "--state-dir", state, "--no-usb", "--player-id", "screen-1",
        "--mqtt-broker", "mqtt://127.0.0.1:%d" % mqtt.port, "--mqtt-fleet", FLEET,
        "--mqtt-groups", "lobby,all", "--mqtt-update-jitter-s", "1",
    ] + list(extra)
    run.player_logs.add(log)
    return run.start(argv, log)


def wait_log(log, pattern, what, seconds=60, after=0):
    return wait_for(lambda: re.search(pattern, log_text(log)[after:]), what, seconds)


def online_status(mqtt, what, seconds=60):
    def ok():
        status = mqtt.retained("signage/%s/status/screen-1" % FLEET, 2)
        return status if status and status.get("online") else None
    return wait_for(ok, what, seconds)


# ---------------------------------------------------------------------------------------------

def case_update(run):
    root, state, log = run.path("www"), run.path("state"), run.path("player.log")
    port, access = run.nginx(root)
    write_bundle(root, 1, {})
    mqtt = Mqtt(run)
    mqtt.start()
    p = player(run, state, log, mqtt, ["--source", "http://127.0.0.1:%d/playlist.json" % port,
                                       "--poll-interval", "600"])
    wait_revision(state, 1)
    online_status(mqtt, "the player's retained status")
    fetches = lambda: [line for line in access_lines(access) if line.endswith(" /playlist.json")]
    check(len(fetches()) == 1, "one fetch at start: %s" % fetches())

    time.sleep(1.1)  # a new Last-Modified second
    write_bundle(root, 2, {})
    t0 = time.monotonic()
    mqtt.pub("signage/%s/lobby/update" % FLEET, json.dumps({"revision": 2}))
    wait_revision(state, 2, 60)
    print("update -> revision 2 playing in %.2f s (poll interval 600 s, jitter up to 1 s)"
          % (time.monotonic() - t0))
    check(len(fetches()) == 2, "one fetch for the update: %s" % fetches())
    status = online_status(mqtt, "the status with revision 2")
    wait_for(lambda: (s := mqtt.retained("signage/%s/status/screen-1" % FLEET, 2)) and s.get("revision") == 2,
             "revision 2 in the retained status")

    # A screenshot: the frame on screen, scaled to the width asked for, as a PNG.
    replies = run.path("screenshots.log")
    mqtt.sub_start("signage/%s/screenshot/screen-1/reply" % FLEET, replies)
    time.sleep(0.5)  # mosquitto_sub subscribed
    mqtt.pub("signage/%s/screenshot/screen-1" % FLEET, json.dumps({"id": "s1", "width": 320}))
    mqtt.pub("signage/%s/screenshot/screen-1" % FLEET, json.dumps({"id": "s2", "width": 5000}))
    got = wait_for(lambda: (lines := log_text(replies).splitlines()) and len(lines) >= 2 and lines,
                   "two screenshot replies")
    shots = {r["id"]: r for r in (json.loads(line.split(" ", 1)[1]) for line in got)}
    png = base64.b64decode(shots["s1"]["png"])
    check(png[:8] == b"\x89PNG\r\n\x1a\n", "the reply is not a PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    check((width, height) == (320, 180), "the screenshot is %dx%d, not 320x180" % (width, height))
    check(shots["s1"]["player"] == "screen-1" and shots["s1"]["time_ms"] > 0, "reply: %s" % shots["s1"].keys())
    with open(run.path("screenshot.png"), "wb") as f:
        f.write(png)
    check("960" in (shots["s2"].get("error") or ""), "a width of 5000: %s" % shots["s2"])
    print("screenshot: %dx%d, %d bytes of PNG" % (width, height, len(png)))

    # A storm: 20 updates within about a second (on both groups) fetch at most twice.
    phase('A storm: 20 updates within about a secon')
    time.sleep(2.5)
    before = len(fetches())
    mqtt.pub_lines("signage/%s/lobby/update" % FLEET, ["{}"] * 10)
    mqtt.pub_lines("signage/%s/all/update" % FLEET, ["{}"] * 10)
    time.sleep(4)
    storm = len(fetches()) - before
    print("20 updates -> %d fetches" % storm)
    check(1 <= storm <= 2, "20 updates made %d fetches (expected 1 or 2)" % storm)
    # A group this player is not in changes nothing.
    phase('A group this player is not in changes no')
    before = len(fetches())
    mqtt.pub("signage/%s/kitchen/update" % FLEET, "")
    time.sleep(2.5)
    check(len(fetches()) == before, "an update to another group made a fetch")
    run.stop(p, log)
    status = mqtt.retained("signage/%s/status/screen-1" % FLEET)
    check(status == {"player": "screen-1", "online": False}, "after SIGTERM the status is %s" % status)


def case_download(run):
    """A bundle whose asset arrives slowly (fault_server.py, 200 kB/s): while it downloads the
    retained status says how far ("download": done and total bytes), then null."""
    root, state, log = run.path("www"), run.path("state"), run.path("player.log")
    port, set_mode, _ = run.fault_server(root, lifetime=120)
    write_bundle(root, 1, {})
    mqtt = Mqtt(run)
    mqtt.start()
    p = player(run, state, log, mqtt, ["--source", "http://127.0.0.1:%d/playlist.json" % port,
                                       "--poll-interval", "600"])
    wait_revision(state, 1)
    set_mode("rate:200000 .bin")
    time.sleep(1.1)
    write_bundle(root, 2, {"data/big.bin": os.urandom(1_000_000)})
    mqtt.pub("signage/%s/all/update" % FLEET, "")
    topic = "signage/%s/status/screen-1" % FLEET
    progress = wait_for(lambda: (s := mqtt.retained(topic, 2)) and s.get("download"), "download progress", 60)
    print("while downloading: %s" % progress)
    check(progress["total_bytes"] == 1_000_000 and 0 <= progress["done_bytes"] <= 1_000_000,
          "download: %s" % progress)
    wait_revision(state, 2, 60)
    status = wait_for(lambda: (s := mqtt.retained(topic, 2)) and s.get("revision") == 2 and s,
                      "revision 2 in the status")
    check(status["download"] is None, "download after it ended: %s" % status["download"])
    run.stop(p, log)


class Signer:
    def __init__(self, run, name):
        self.run = run
        base = run.path("keys", name)
        os.makedirs(os.path.dirname(base), exist_ok=True)
        result = subprocess.run(list(run.args.emulator) + [run.args.player, "keygen", base],
                                capture_output=True, text=True)
        check(result.returncode == 0, "keygen: %s" % result.stderr)
        self.pub = base + ".pub"
        with open(base + ".key") as f:
            seed = base64.b64decode(f.read().strip())[:32]
        # The libsodium secret key's seed as PKCS#8 for openssl (RFC 8410's fixed prefix).
        der = bytes.fromhex("302e020100300506032b657004220420") + seed
        self.pem = base + ".pem"
        with open(self.pem, "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n"
                    % base64.b64encode(der).decode())

    def payload(self, alert):
        text = json.dumps(alert, ensure_ascii=False)
        message = self.run.path("keys", "message")
        with open(message, "w") as f:
            f.write(text)
        result = subprocess.run([self.run.args.openssl, "pkeyutl", "-sign", "-rawin", "-inkey", self.pem,
                                 "-in", message], capture_output=True)
        check(result.returncode == 0, "openssl pkeyutl -sign: %s" % result.stderr)
        return json.dumps({"alert": text, "signature": base64.b64encode(result.stdout).decode()})


def show(id, seconds=3600, issued=0, **extra):
    alert = {"id": id, "action": "show", "issued": iso(issued), "expires": iso(seconds),
             "item": {"type": "alert", "title": "停水通知 " + id, "body": "今日8时至18时停水。", "priority": 3}}
    alert.update(extra)
    return alert


def case_alerts(run):
    state, log = run.path("state"), run.path("player.log")
    key, other = Signer(run, "fleet"), Signer(run, "intruder")
    mqtt = Mqtt(run)
    mqtt.start()
    acks = run.path("acks.log")
    mqtt.sub_start("signage/%s/ack/#" % FLEET, acks)
    p = player(run, state, log, mqtt, ["--public-key", key.pub])
    wait_log(log, r"mqtt: connected to", "the player to connect")
    online_status(mqtt, "the player's retained status")
    alert_topic = "signage/%s/lobby/alert" % FLEET

    # A signed alert shows on the next frame boundary; its latency from publish is printed.
    phase('A signed alert shows on the next frame b')
    a1 = show("water-1")
    published_ms = time.time() * 1000
    mqtt.pub(alert_topic, key.payload(a1), retain=True)
    m = wait_log(log, r"alert water-1 on screen (\d+)", "the alert on screen")
    print("alert latency: %.0f ms from publish to the frame it first shows" % (int(m.group(1)) - published_ms))
    ack = wait_for(lambda: re.search(r"ack/screen-1 (.*)", log_text(acks)), "the ack")
    ack = json.loads(ack.group(1))
    check(ack == {"player": "screen-1", "alert": "water-1", "issued": a1["issued"],
                  "shown_ms": int(m.group(1))}, "ack: %s" % ack)
    wait_for(lambda: (s := read_status(state)) and s["playing"] and s["playing"]["item"] == "water-1",
             "status.json playing the alert")
    check(read_status(state)["mqtt"]["alerts"] == ["water-1"], "status.json: %s" % read_status(state)["mqtt"])
    status = wait_for(lambda: (s := mqtt.retained("signage/%s/status/screen-1" % FLEET, 2))
                      and s.get("alerts") == ["water-1"] and s, "the alert in the retained status")
    for field in ("groups", "revision", "playing", "sync", "download", "uptime_s", "frames", "dropped_frames",
                  "display", "time_ms"):
        check(field in status, "the status lacks %s: %s" % (field, status))
    check(status["groups"] == ["lobby", "all"], "groups: %s" % status["groups"])

    # Refused: forged, expired, an unknown field, an invalid item. Each reported.
    phase('Refused: forged, expired, an unknown fie')
    refusals = [
        (other.payload(show("forged")), "bad signature"),
        (key.payload(show("old", seconds=-60, issued=-3600)), "expired"),
        (key.payload(show("extra", colour="red")), 'unknown field "colour"'),
        (key.payload(show("noitem", item={"type": "alert", "body": "x"})), "title"),
        (key.payload(show("future", issued=3600)), "in the future"),
    ]
    for payload, reason in refusals:
        at = len(log_text(log))
        mqtt.pub("signage/%s/all/alert" % FLEET, payload)
        wait_log(log, r"alert refused.*" + re.escape(reason), "the refusal (%s) in the log" % reason, after=at)
        wait_for(lambda: reason in ((read_status(state)["mqtt"]["alert_refused"] or {}).get("reason") or ""),
                 "the refusal (%s) in status.json" % reason)
        wait_for(lambda: (s := mqtt.retained("signage/%s/status/screen-1" % FLEET, 2))
                 and reason in ((s.get("alert_refused") or {}).get("reason") or ""),
                 "the refusal (%s) in the status topic" % reason)
        print("refused: %s" % read_status(state)["mqtt"]["alert_refused"]["reason"])
    check(read_status(state)["mqtt"]["alerts"] == ["water-1"], "a refused alert changed the alerts held")
    check("forged on screen" not in log_text(log), "the forged alert was shown")

    # The broker killed: the player keeps playing, and reconnects to the restarted broker.
    phase('The broker killed: the player keeps play')
    frames = mqtt.retained("signage/%s/status/screen-1" % FLEET)["frames"]
    mqtt.kill()
    wait_for(lambda: read_status(state)["mqtt"]["last_error"], "the player to notice the broker is gone")
    check("lost the broker" in log_text(log), "the log does not say the broker was lost")
    time.sleep(1)
    mqtt.start()  # the same port; a fresh broker with nothing retained
    t0 = time.monotonic()
    status = online_status(mqtt, "the status retained again after the broker restarted")
    print("reconnected and status retained %.1f s after the broker restarted" % (time.monotonic() - t0))
    check(status["alerts"] == ["water-1"], "after reconnecting: %s" % status)
    check(status["frames"] > frames + 30, "frames %d before the broker was killed, %d after: the player "
          "did not keep playing" % (frames, status["frames"]))

    # Stopped (the last status says offline), started again with no broker: the alert is in the store.
    phase('Stopped (the last status says offline), ')
    run.stop(p, log)
    check(mqtt.retained("signage/%s/status/screen-1" % FLEET) == {"player": "screen-1", "online": False},
          "the status after SIGTERM")
    mqtt.kill()
    log2 = run.path("player-2.log")
    p = player(run, state, log2, mqtt, ["--public-key", key.pub])
    wait_log(log2, r"alert water-1 on screen \d+", "the stored alert on screen after a restart without broker")
    print("after a restart without the broker the stored alert shows")
    mqtt.start()
    wait_log(log2, r"mqtt: connected to", "the player to connect")

    # Cancel removes it; the original replayed (older issued) is refused.
    phase('Cancel removes it; the original replayed')
    at = len(log_text(log2))
    mqtt.pub(alert_topic, key.payload({"id": "water-1", "action": "cancel", "issued": iso(0),
                                        "expires": iso(3600)}), retain=True)
    wait_log(log2, r"alert water-1 cancelled", "the cancel", after=at)
    wait_for(lambda: (s := read_status(state)) and s["mqtt"]["alerts"] == [] and s["playing"]
             and s["playing"]["item"] != "water-1", "the alert off the screen after the cancel")
    with open(os.path.join(state, "alerts.json")) as f:
        check(json.load(f)["alerts"] == [], "alerts.json still holds the cancelled alert")
    mqtt.pub(alert_topic, key.payload(a1))
    wait_log(log2, r"alert refused.*replay", "the replayed alert refused", after=at)

    # kill -9: the broker publishes the last will.
    phase('kill -9: the broker publishes the last w')
    wait_for(lambda: (s := mqtt.retained("signage/%s/status/screen-1" % FLEET, 2)) and s.get("online"),
             "online before the kill")
    p.kill()
    p.wait()
    will = wait_for(lambda: (s := mqtt.retained("signage/%s/status/screen-1" % FLEET, 2))
                    and not s.get("online") and s, "the last will")
    check(will == {"player": "screen-1", "online": False}, "the last will: %s" % will)


def case_tls(run):
    p_ = make_pki(run, run.args.openssl)
    state = run.path("state")
    passwords = run.path("passwd")
    open(passwords, "w").close()
    result = subprocess.run([run.args.mosquitto_passwd, "-b", passwords, "screen", "s3cret"],
                            capture_output=True, text=True)
    check(result.returncode == 0, "mosquitto_passwd: %s" % result.stderr)
    mqtt = Mqtt(run)
    mqtt.extra_conf = ("allow_anonymous false\npassword_file %s\ncafile %s\ncertfile %s\nkeyfile %s\n"
                       % (passwords, p_("ca.pem"), p_("server.pem"), p_("server.key")))
    mqtt.client_args = ["--cafile", p_("ca.pem"), "-u", "screen", "-P", "s3cret"]
    mqtt.start()
    secret = run.path("mqtt-password")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    os.chmod(secret, 0o644)
    url = "mqtts://127.0.0.1:%d" % mqtt.port
    common = ["--mqtt-username", "screen", "--mqtt-password-file", secret]

    # A password file others can read: refused at start.
    phase('A password file others can read: refused')
    log = run.path("open-password.log")
    p = player(run, state, log, mqtt, common + ["--mqtt-broker", url, "--mqtt-ca-file", p_("ca.pem")])
    code = p.wait(60)
    check(code != 0, "the player started with a password file of mode 0644")
    check("chmod 600" in log_text(log), "the error should say chmod 600:\n" + log_text(log))
    print("mode 0644: %s" % log_text(log).strip().splitlines()[-1])
    os.chmod(secret, 0o600)

    # Without the CA: the certificate is refused, and said so.
    phase('Without the CA: the certificate is refus')
    log = run.path("no-ca.log")
    p = player(run, state, log, mqtt, common + ["--mqtt-broker", url])
    wait_for(lambda: (s := read_status(state)) and s.get("mqtt") and s["mqtt"]["last_error"], "an error without the CA")
    run.stop(p, log)
    error = read_status(state)["mqtt"]["last_error"]
    print("without the CA: %s" % error)
    check("certificate" in error and "mqtt_ca_file" in error, "the error should name the certificate: %s" % error)
    check(not read_status(state)["mqtt"]["connected"], "connected without the CA")

    # A wrong password: the broker's refusal, with what to check.
    wrong = run.path("wrong-password")
    with open(wrong, "w") as f:
        f.write("guess\n")
    os.chmod(wrong, 0o600)
    log = run.path("wrong-password.log")
    p = player(run, state, log, mqtt, ["--mqtt-username", "screen", "--mqtt-password-file", wrong,
                                       "--mqtt-broker", url, "--mqtt-ca-file", p_("ca.pem")])
    wait_for(lambda: "refused the connection" in (((read_status(state) or {}).get("mqtt") or {}).get("last_error") or ""),
             "the broker's refusal in status.json")
    run.stop(p, log)
    print("wrong password: %s" % read_status(state)["mqtt"]["last_error"])
    check("mqtt_password_file" in read_status(state)["mqtt"]["last_error"], "the refusal should say what to check")

    log = run.path("player.log")
    p = player(run, state, log, mqtt, common + ["--mqtt-broker", url, "--mqtt-ca-file", p_("ca.pem")])
    wait_log(log, r"mqtt: connected to", "the player to connect over TLS")
    online_status(mqtt, "the retained status over TLS")
    run.stop(p, log)


def case_clientcert(run):
    p_ = make_pki(run, run.args.openssl)
    with open(p_("client.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for argv in (["req"] + ec + ["-keyout", p_("client.key"), "-out", p_("client.csr"), "-subj", "/CN=screen-1"],
                 ["x509", "-req", "-in", p_("client.csr"), "-CA", p_("ca.pem"), "-CAkey", p_("ca.key"),
                  "-CAcreateserial", "-out", p_("client.pem"), "-days", "2", "-extfile", p_("client.ext")]):
        result = subprocess.run([run.args.openssl] + argv, capture_output=True, text=True)
        check(result.returncode == 0, "openssl %s: %s" % (argv[0], result.stderr))
    os.chmod(p_("client.key"), 0o600)
    mqtt = Mqtt(run)
    mqtt.extra_conf = ("allow_anonymous false\nrequire_certificate true\nuse_identity_as_username true\n"
                       "cafile %s\ncertfile %s\nkeyfile %s\n" % (p_("ca.pem"), p_("server.pem"), p_("server.key")))
    mqtt.client_args = ["--cafile", p_("ca.pem"), "--cert", p_("client.pem"), "--key", p_("client.key")]
    mqtt.start()
    state = run.path("state")
    url = ["--mqtt-broker", "mqtts://127.0.0.1:%d" % mqtt.port, "--mqtt-ca-file", p_("ca.pem")]

    phase("A certificate without its key: refused at start")
    log = run.path("no-key.log")
    p = player(run, state, log, mqtt, url + ["--mqtt-cert-file", p_("client.pem")])
    code = p.wait(60)
    check(code != 0, "the player started with mqtt_cert_file but no mqtt_key_file")
    check("mqtt_key_file" in log_text(log), "the error should name mqtt_key_file:\n" + log_text(log))

    phase("Without a client certificate: the broker refuses")
    log = run.path("no-cert.log")
    p = player(run, state, log, mqtt, url)
    wait_for(lambda: (s := read_status(state)) and s.get("mqtt") and s["mqtt"]["last_error"],
             "an error without a client certificate")
    run.stop(p, log)
    error = read_status(state)["mqtt"]["last_error"]
    print("without a client certificate: %s" % error)
    check("mqtt_cert_file" in error, "the error should say to set mqtt_cert_file: %s" % error)
    check(not read_status(state)["mqtt"]["connected"], "connected without a client certificate")

    phase("With the client certificate: connected, status retained")
    log = run.path("player.log")
    p = player(run, state, log, mqtt, url + ["--mqtt-cert-file", p_("client.pem"),
                                             "--mqtt-key-file", p_("client.key")])
    wait_log(log, r"mqtt: connected to", "the player to connect with its client certificate")
    online_status(mqtt, "the retained status with a client certificate")
    run.stop(p, log)


T0 = time.monotonic()


def phase(name):
    print("%6.1f s  %s" % (time.monotonic() - T0, name), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["update", "download", "alerts", "tls", "clientcert"])
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("--mosquitto", required=True)
    parser.add_argument("--mosquitto-pub", required=True)
    parser.add_argument("--mosquitto-sub", required=True)
    parser.add_argument("--mosquitto-passwd", required=True)
    parser.add_argument("--nginx", default="")
    parser.add_argument("--openssl", default="")
    args = parser.parse_args()
    run = Run(args)
    ok = False
    t0 = time.monotonic()
    try:
        globals()["case_" + args.case](run)
        reports = run.sanitizer_reports()
        check(not reports, "sanitizer reports in the player's log:\n" + "\n".join(reports))
        ok = True
    except Failure as failure:
        print("FAILED: %s" % failure, file=sys.stderr)
    finally:
        run.close(keep=not ok)
    print("%s: %s in %.1f s" % (args.case, "passed" if ok else "failed", time.monotonic() - t0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
