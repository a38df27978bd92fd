#!/usr/bin/env python3
"""The player with --source, as a user runs it, against servers started here.

  sync_player_test.py CASE --player PLAYER [--emulator PART]... [--nginx NGINX] [--openssl OPENSSL]

CASE is one of:
  nginx      a changed playlist is picked up at the next poll; then 100 polls of unchanged
             content are 100 responses of 304 with no body; an asset already stored is not
             fetched again (all read from nginx's access log)
  tls        HTTPS with a CA made here by openssl: refused without --ca-file (status.json and
             the log name the certificate problem), played with it
  faults     fault_server.py misbehaves while a new revision is published (500, a truncated
             body, a wrong Content-Length, an asset with the wrong hash, a 50 MB body, invalid
             JSON): each fault is reported in status.json and the log, the current content keeps
             playing, the polls back off (the delays the player announces double up to
             --backoff-cap, the server never sees a poll sooner, and for these faults the gaps it
             sees grow), and the new revision arrives once the server is fixed
  stalls     the same for a server that never answers and one that drips 5 bytes a second, with
             --low-speed-time 1 (each poll gives up after about a second, not 30)
  signature  the same with --public-key for a bundle signed with another key, a corrupted
             signature and none at all (keys and signatures made by signage-player keygen/sign)
  heartbeat  --heartbeat-url: status.json POSTed on its own schedule (updated, error,
             not-modified), also while a poll hangs on a dripping server, a failing heartbeat
             server logged without stopping the polls; after SIGTERM the last heartbeat is the
             final status.json but for the player's counters
  damaged    a byte of a stored asset flipped while the player is stopped: on restart status.json
             says content null and why (not the damaged revision), the asset is fetched again
             and the same revision plays; a new revision reusing the asset is verified too
  repaired   revisions 1 then 2 from nginx (ETag, Last-Modified); an asset only revision 2 has is
             damaged (mtime kept, as bit rot does) while the player is stopped: on restart the
             full check falls back to revision 1, the next poll is not conditional (a 304 would
             keep the damaged revision forever), and revision 2 is fetched and plays again
  crash      kill -9 the player at 50 random moments while it downloads a few MB of assets,
             served slowly; after every kill (and after every restart) the store's current
             bundle is complete and verified, old or new, never a mixture, never nothing

Everything it starts stops at the end, also on failure. Deadlines are generous and only keep a
broken run from hanging; the times taken are printed, never asserted. Exit status 0: passed,
1: failed (also when a program it needs is missing: the build finds them, see CMakeLists.txt).
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(predicate, what, seconds=60):
    """Waits for predicate() to be truthy; fails with `what` after a generous deadline."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    value = predicate()
    if value:
        return value
    raise Failure("timed out after %d s waiting for %s" % (seconds, what))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # a server never sees half a file


def playlist_text(revision, assets):
    """The bytes of a playlist.json (id "test") listing `assets` {path: bytes}."""
    listed = {path: {"size": len(data), "sha256": sha256(data)} for path, data in assets.items()}
    playlist = {
        "version": 1,
        "id": "test",
        "revision": revision,
        "title": "测试",
        "items": [{"type": "headline", "id": "h", "title": "第%d版" % revision}],
        "assets": listed,
    }
    return (json.dumps(playlist, ensure_ascii=False, indent=2) + "\n").encode()


def write_bundle(root, revision, assets):
    """ROOT/playlist.json (see playlist_text) and its assets, the assets first."""
    for path, data in assets.items():
        write(os.path.join(root, path), data)
    text = playlist_text(revision, assets)
    write(os.path.join(root, "playlist.json"), text)
    return text


def read_status(state):
    try:
        with open(os.path.join(state, "status.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def content_sha(state):
    status = read_status(state)
    return status and status.get("content") and status["content"].get("sha256")


def verify_store(state):
    """The store's current bundle, checked from the disk alone: its playlist's sha256 is the one
    bundle.json records, and every listed asset has its size and sha256. Returns (revision, sha)."""
    current = os.path.join(state, "current")
    check(os.path.exists(current), "%s: no current bundle" % state)
    with open(os.path.join(current, "playlist.json"), "rb") as f:
        text = f.read()
    with open(os.path.join(current, "bundle.json")) as f:
        meta = json.load(f)
    check(sha256(text) == meta["sha256"], "current/playlist.json does not match bundle.json")
    playlist = json.loads(text)
    for path, entry in playlist.get("assets", {}).items():
        full = os.path.join(current, path)
        check(os.path.isfile(full), "current bundle (revision %d) lacks %s" % (playlist["revision"], path))
        with open(full, "rb") as f:
            data = f.read()
        check(
            len(data) == entry["size"] and sha256(data) == entry["sha256"],
            "current bundle (revision %d): %s does not match its size and sha256"
            % (playlist["revision"], path),
        )
    return playlist["revision"], meta["sha256"]


class Run:
    """Processes and a temp folder, all cleaned up at the end."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="sync-player-")
        self.procs = []
        self.player_logs = set()

    def close(self, keep):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if keep:
            print("kept for inspection: %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def start(self, argv, log):
        proc = subprocess.Popen(argv, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def player(self, state, url, duration, extra=(), log=None):
        argv = list(self.args.emulator) + [
            self.args.player, "run", "--headless", "--duration", str(duration), "--size",
            "640x360", "--state-dir", state, "--source", url, "--poll-interval",
            str(self.args.poll_interval), "--backoff-cap", str(self.args.backoff_cap), "--no-usb",
        ] + list(extra)
        log = log or self.path("player.log")
        self.player_logs.add(log)
        return self.start(argv, log)

    def stop(self, player, log):
        """Stops the player as systemd does (SIGTERM): it must exit 0 (under the sanitizers, a
        leak found at exit makes it fail)."""
        player.send_signal(signal.SIGTERM)
        try:
            code = player.wait(60)
        except subprocess.TimeoutExpired:
            raise Failure("the player did not exit within 60 s of SIGTERM")
        if code != 0:
            with open(log, errors="replace") as f:
                tail = f.read()[-4000:]
            raise Failure("the player exited with %s after SIGTERM; its log ends:\n%s" % (code, tail))

    def sanitizer_reports(self):
        """AddressSanitizer, LeakSanitizer and UBSan reports in any player's log (also of players
        killed with SIGKILL, which print what they found before)."""
        found = []
        for log in sorted(self.player_logs):
            try:
                with open(log, errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            at = min((i for i in (text.find("ERROR: AddressSanitizer"), text.find("ERROR: LeakSanitizer"),
                                  text.find("runtime error:")) if i >= 0), default=-1)
            if at >= 0:
                found.append("%s:\n%s" % (log, text[max(0, at - 200):at + 3000]))
        return found

    def nginx(self, root, tls=""):
        check(self.args.nginx, "no --nginx given (Debian package nginx)")
        ndir = self.path("nginx")
        os.makedirs(ndir, exist_ok=True)
        port = free_port()
        with open(os.path.join(HERE, "nginx.conf.in")) as f:
            conf = f.read()
        for key, value in {"@PORT@": str(port), "@ROOT@": root, "@DIR@": ndir,
                           "@LISTEN_TLS@": "ssl" if tls else "", "@TLS@": tls}.items():
            conf = conf.replace(key, value)
        with open(os.path.join(ndir, "nginx.conf"), "w") as f:
            f.write(conf)
        self.start([self.args.nginx, "-p", ndir, "-e", os.path.join(ndir, "error.log"), "-c",
                    os.path.join(ndir, "nginx.conf")], os.path.join(ndir, "output.log"))
        wait_for(lambda: port_open(port), "nginx to listen on port %d" % port, 20)
        return port, os.path.join(ndir, "access.log")

    def fault_server(self, root, lifetime=170):
        mode_file, log, port_file = self.path("mode"), self.path("requests.log"), self.path("port")
        write(mode_file, b"ok\n")
        self.start([sys.executable, os.path.join(HERE, "fault_server.py"), "--root", root,
                    "--mode-file", mode_file, "--log", log, "--port-file", port_file,
                    "--lifetime", str(lifetime)], self.path("fault_server.log"))
        wait_for(lambda: os.path.exists(port_file), "the fault server to start", 20)
        with open(port_file) as f:
            port = int(f.read())

        def set_mode(mode):
            write(mode_file, (mode + "\n").encode())

        return port, set_mode, log


def access_lines(log):
    try:
        with open(log) as f:
            return f.read().splitlines()
    except OSError:
        return []


def wait_revision(state, revision, seconds=60):
    def ok():
        status = read_status(state)
        return status and status.get("content") and status["content"].get("revision") == revision
    return wait_for(ok, "revision %d in %s/status.json" % (revision, state), seconds)


# ---------------------------------------------------------------------------------------------

def case_nginx(run):
    root, state = run.path("www"), run.path("state")
    port, access = run.nginx(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    shared = os.urandom(200_000)
    write_bundle(root, 1, {"data/shared.bin": shared, "data/one.bin": os.urandom(1000)})
    player = run.player(state, url, 120)
    t0 = time.monotonic()
    wait_revision(state, 1)
    print("revision 1 playing after %.1f s" % (time.monotonic() - t0))
    with open("/proc/%d/maps" % player.pid) as maps:  # opened for the source (curl_library)
        check("libcurl" in maps.read(), "libcurl is not mapped in a player polling nginx")

    time.sleep(1.1)  # a new Last-Modified second, so a publisher's change is a change
    write_bundle(root, 2, {"data/shared.bin": shared, "data/two.bin": os.urandom(1000)})
    t0 = time.monotonic()
    wait_revision(state, 2)
    print("revision 2 picked up %.1f s after it was published" % (time.monotonic() - t0))
    verify_store(state)

    def after_two():
        lines = access_lines(access)
        at = max(i for i, line in enumerate(lines) if line.endswith(" /data/two.bin"))
        return lines[at + 1:]

    t0 = time.monotonic()
    polls = wait_for(lambda: len(after_two()) >= 100 and after_two(), "100 polls after revision 2", 120)
    print("100 polls in %.1f s" % (time.monotonic() - t0))
    polls = polls[:100]
    bad = [line for line in polls if line != "304 0 /playlist.json"]
    check(not bad, "polls of unchanged content that were not '304 0': %s" % bad[:5])
    lines = access_lines(access)
    shared_fetches = [line for line in lines if line.endswith("/data/shared.bin")]
    check(len(shared_fetches) == 1, "shared.bin fetched %d times: %s" % (len(shared_fetches), shared_fetches))
    status = read_status(state)
    check(status["sync"]["last_result"] == "not-modified", "sync: %s" % status["sync"])
    run.stop(player, run.path("player.log"))


def make_pki(run, openssl):
    pki = run.path("pki")
    os.makedirs(pki)
    with open(os.path.join(pki, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    p = lambda name: os.path.join(pki, name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for argv in (
        ["req", "-x509"] + ec + ["-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2",
                                 "-subj", "/CN=signage test CA"],
        ["req"] + ec + ["-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("san.ext")],
    ):
        result = subprocess.run([openssl] + argv, capture_output=True, text=True)
        check(result.returncode == 0, "openssl %s: %s" % (argv[0], result.stderr))
    return p


def case_tls(run):
    check(run.args.openssl, "no --openssl given (Debian package openssl)")
    p = make_pki(run, run.args.openssl)
    root, state = run.path("www"), run.path("state")
    port, _ = run.nginx(root, "ssl_certificate %s;\n    ssl_certificate_key %s;"
                        % (p("server.pem"), p("server.key")))
    url = "https://127.0.0.1:%d/playlist.json" % port
    text = write_bundle(root, 1, {"data/a.bin": os.urandom(5000)})

    log = run.path("refused.log")
    player = run.player(state, url, 60, log=log)
    status = wait_for(lambda: (s := read_status(state)) and s["sync"]["last_result"] and s,
                      "the first poll's result")
    run.stop(player, log)
    check(status["sync"]["last_result"] == "error", "without the CA: %s" % status["sync"])
    error = status["sync"]["last_error"]
    check("certificate" in error, "the error should name the certificate: %s" % error)
    check(status["content"] is None, "nothing may play from an unverified server")
    with open(log, errors="replace") as f:
        logged = f.read()
    check("certificate" in logged, "the log should name the certificate:\n" + logged)
    print("without the CA: %s" % error)

    log = run.path("accepted.log")
    player = run.player(state, url, 60, extra=["--ca-file", p("ca.pem")], log=log)
    wait_revision(state, 1)
    check(content_sha(state) == sha256(text), "the stored content is not the served playlist")
    verify_store(state)
    run.stop(player, log)


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


NEXT_TRY = re.compile(r"\(next try in ([0-9.]+) s\)$")


def logged_delays(log, offset):
    """The delays the player announced ("next try in X s") in its log after byte `offset`."""
    with open(log, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    return [float(m.group(1)) for line in text.splitlines() if (m := NEXT_TRY.search(line))]


class Fault:
    """One way the server misbehaves while revision `revision` is published.

    name      for messages
    expected  a regex that status.json's sync.last_error and the player's log must match
    publish   publish(revision) breaks the server and publishes the new revision; returns the
              new playlist's bytes
    fix       repairs the server
    failing   failing(entry) is true for the one request (in fault_server's log) that each
              failing poll ends with, so the server's view of the polls lines up with the log's
    waits     the poll itself waits (hang, slow drip): the gaps between requests include it
    """

    def __init__(self, name, expected, publish, fix, failing, waits=False):
        self.name, self.expected, self.publish, self.fix = name, expected, publish, fix
        self.failing, self.waits = failing, waits


def mode_fault(run, root, set_mode, name, mode, expected, waits=False):
    """A fault of fault_server.py's mode file; the new revision adds data/new.bin."""
    asset = run.asset

    def publish(revision):
        set_mode(mode)
        return write_bundle(root, revision, {"data/a.bin": asset, "data/new.bin": os.urandom(2000)})

    suffix = mode.split()[1] if len(mode.split()) > 1 else "playlist.json"
    return Fault(name, expected, publish, lambda: set_mode("ok"),
                 lambda e: e["mode"] != "ok" and e["path"].endswith(suffix), waits)


def run_faults(run, make_faults, extra=(), signer=None):
    """The player plays revision 1 from fault_server.py; then for each fault: the fault while a
    new revision is published, six failing polls, the checks, the fix and the new revision.

    Checked for each fault: status.json's sync.last_error and the log match the fault's regex,
    last_result is "error", the content playing is unchanged and the store still verifies; the
    player's announced delays are the backoff (interval, 2x, 4x, ... up to --backoff-cap, +-10%);
    the server saw no failing poll sooner than the delay announced before it; for faults that
    answer at once, the gaps the server saw grow; the new revision plays once the server is fixed."""
    root, state = run.path("www"), run.path("state")
    port, set_mode, requests = run.fault_server(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    run.asset = os.urandom(3000)
    text = write_bundle(root, 1, {"data/a.bin": run.asset})
    if signer:
        write(os.path.join(root, "playlist.json.sig"), signer(text))
    log = run.path("player.log")
    player = run.player(state, url, 170, extra=extra, log=log)
    wait_revision(state, 1)
    revision = 1
    interval, cap = run.args.poll_interval, run.args.backoff_cap
    expected_delays = [min(cap, interval * 2 ** k) for k in range(5)]
    for fault in make_faults(root, set_mode):
        playing = content_sha(state)
        revision += 1
        start = len(access_lines(requests))
        log_offset = os.path.getsize(log)
        t0 = time.monotonic()
        new_text = fault.publish(revision)

        def failing_polls():
            entries = [json.loads(line) for line in access_lines(requests)[start:]]
            return [e["t"] for e in entries if fault.failing(e)]

        def enough():
            # The log line comes just before status.json is written: wait for both.
            times, delays, status = failing_polls(), logged_delays(log, log_offset), read_status(state)
            return (len(times) >= 6 and len(delays) >= 6 and status
                    and status["sync"]["consecutive_failures"] >= 6 and (times, delays, status))

        # Six failing polls: the backoff reaches the cap after the fourth.
        times, delays, status = wait_for(enough, "6 failing polls with the fault '%s'" % fault.name, 120)
        check(status["sync"]["last_result"] == "error", "%s: sync %s" % (fault.name, status["sync"]))
        error = status["sync"]["last_error"] or ""
        check(re.search(fault.expected, error),
              "%s: expected /%s/ in status.json's last_error: %s" % (fault.name, fault.expected, error))
        check(status["content"]["sha256"] == playing, "%s: the content playing changed" % fault.name)
        verify_store(state)
        with open(log, errors="replace") as f:
            logged = f.read()
        check(re.search(fault.expected, logged), "%s: expected /%s/ in the log" % (fault.name, fault.expected))
        # The backoff the player decided: each delay within +-10% (and the log's rounding to
        # 0.1 s) of interval * 2^k, capped by --backoff-cap.
        delays = delays[:5]
        for k, (got, want) in enumerate(zip(delays, expected_delays)):
            check(0.9 * want - 0.051 <= got <= 1.1 * want + 0.051,
                  "%s: failure %d announced the next try in %.1f s; the backoff says %.2f s "
                  "+-10%% (interval %g s, cap %g s): all %s"
                  % (fault.name, k + 1, got, want, interval, cap, delays))
        # What the server saw: no poll came sooner than the delay announced before it.
        g = gaps(times[:6])
        for k, (gap, delay) in enumerate(zip(g, delays)):
            check(gap >= delay - 0.06,
                  "%s: poll %d came %.2f s after the one before, sooner than the %.1f s announced"
                  % (fault.name, k + 2, gap, delay))
        if not fault.waits:
            # Each gap about twice the one before until the cap (+-10% jitter, plus the time a
            # request takes, which is larger under an emulator): growing, the last of the
            # uncapped ones more than twice the first.
            check(all(b > a for a, b in zip(g[:4], g[1:4])) and g[3] > 2 * g[0],
                  "%s: the polls do not back off: gaps %s" % (fault.name, ["%.2f" % x for x in g]))
        fault.fix()
        t1 = time.monotonic()
        wait_revision(state, revision, 90)
        check(content_sha(state) == sha256(new_text),
              "%s: revision %d is not what was served" % (fault.name, revision))
        verify_store(state)
        sync = read_status(state)["sync"]
        check(sync["last_error"] is None and sync["last_result"] in ("updated", "not-modified")
              and sync["consecutive_failures"] == 0, "%s: after the fix: sync %s" % (fault.name, sync))
        print("%-27s %s\n%27s gaps %s s; next try announced %s s; recovered %.1f s after the fix "
              "(%.1f s in all)"
              % (fault.name + ":", error, "", " ".join("%.2f" % x for x in g),
                 " ".join("%.1f" % x for x in delays), time.monotonic() - t1, time.monotonic() - t0))
    run.stop(player, log)


def case_faults(run):
    """Faults answered at once."""
    run_faults(run, lambda root, set_mode: [
        mode_fault(run, root, set_mode, *f) for f in [
            ("500", "500", r"playlist\.json: HTTP status 500"),
            ("truncated body", "truncate playlist.json", r"transfer closed with \d+ bytes remaining"),
            ("wrong Content-Length", "short_length playlist.json", r"playlist\.json:\d+:\d+: error: "),
            ("asset with the wrong hash", "corrupt new.bin",
             r"asset data/new\.bin has sha256 [0-9a-f]{64}; the playlist says"),
            ("50 MB body", "huge playlist.json", r"body larger than \d+ bytes"),
            ("invalid JSON", "invalid_json playlist.json", r"playlist\.json:1:\d+: error: .*JSON"),
        ]])


def case_stalls(run):
    """A server that does not answer, and one that answers 5 bytes a second: with
    --low-speed-time 1 each poll gives up within seconds, not the default 30."""
    too_slow = r"playlist\.json: Operation too slow.* \(under 100 bytes/s for 1 s\)"
    run_faults(run, lambda root, set_mode: [
        mode_fault(run, root, set_mode, "hang (no response)", "hang playlist.json", too_slow, waits=True),
        mode_fault(run, root, set_mode, "slow drip (5 bytes/s)", "drip playlist.json", too_slow, waits=True),
    ], extra=["--low-speed-time", "1"])


def case_signature(run):
    """The player has --public-key: a bundle signed with another key, one whose signature is
    corrupted and one with no signature are refused and named as such; the correctly signed one
    is taken."""
    keys = run.path("keys")
    os.makedirs(keys)
    for name in ("office", "stranger"):
        result = subprocess.run(list(run.args.emulator) + [run.args.player, "keygen", os.path.join(keys, name)],
                                capture_output=True, text=True)
        check(result.returncode == 0, "keygen %s: %s%s" % (name, result.stdout, result.stderr))
    staging = run.path("staging")

    def sign(text, key):
        """`signage-player sign` of `text`, a playlist whose assets are already in www/, with
        keys/KEY.key; returns the signature file's bytes."""
        shutil.rmtree(staging, ignore_errors=True)
        write(os.path.join(staging, "playlist.json"), text)
        for path in json.loads(text)["assets"]:  # sign checks the bundle, assets too
            with open(os.path.join(run.path("www"), path), "rb") as f:
                write(os.path.join(staging, path), f.read())
        result = subprocess.run(list(run.args.emulator) + [
            run.args.player, "sign", staging, "--key", os.path.join(keys, key + ".key")],
            capture_output=True, text=True)
        check(result.returncode == 0, "sign: %s%s" % (result.stdout, result.stderr))
        with open(os.path.join(staging, "playlist.json.sig"), "rb") as f:
            return f.read()

    def corrupted(signature):
        text = bytearray(signature)
        text[10] = ord("A") if text[10] != ord("A") else ord("B")  # still 88 characters of base64
        return bytes(text)

    def make_faults(root, set_mode):
        sig = os.path.join(root, "playlist.json.sig")
        state = {}

        def signature_fault(name, bad, expected):
            def publish(revision):
                assets = {"data/a.bin": run.asset, "data/new.bin": os.urandom(2000)}
                for path, data in assets.items():
                    write(os.path.join(root, path), data)
                text = playlist_text(revision, assets)
                good = sign(text, "office")
                served = bad(text, good)
                # The bad signature first, then the playlist: every poll from here on fails.
                if served is None:
                    os.remove(sig)
                else:
                    write(sig, served)
                state["bad"] = served and sha256(served)
                state["good"] = good
                write_bundle(root, revision, assets)
                return text

            def failing(e):
                if not e["path"].endswith("/playlist.json.sig"):
                    return False
                return e["served"] is None if state["bad"] is None else e["served"] == state["bad"]

            return Fault(name, expected, publish, lambda: write(sig, state["good"]), failing)

        mismatch = r"playlist\.json\.sig: error: the signature does not match playlist\.json and the configured public key"
        return [
            signature_fault("signed with another key", lambda text, good: sign(text, "stranger"), mismatch),
            signature_fault("corrupted signature", lambda text, good: corrupted(good), mismatch),
            signature_fault("no signature", lambda text, good: None,
                            r"playlist\.json: error: no playlist\.json\.sig beside it; this player only takes content signed"),
        ]

    with open(os.path.join(keys, "office.pub")) as f:
        public_key = f.read().strip()
    run_faults(run, make_faults, extra=["--public-key", public_key],
               signer=lambda text: sign(text, "office"))


HEARTBEAT_FIELDS = {
    "content": ["id", "revision", "sha256", "source", "since"],
    "sync": ["url", "last_check", "last_result", "last_error", "next_check"],
    "player": ["version", "uptime_s", "frames", "dropped_frames", "display"],
}


def case_heartbeat(run):
    """--heartbeat-url: after each poll the player POSTs status.json (application/json, its
    User-Agent) to fault_server.py, through updates, failed polls and a heartbeat server that
    answers 500 (logged; polling goes on). At the end (SIGTERM) the last heartbeat is the final
    status.json, but for the player's counters."""
    root, state = run.path("www"), run.path("state")
    port, set_mode, requests = run.fault_server(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    heartbeat_url = "http://127.0.0.1:%d/heartbeat" % port
    result = subprocess.run(list(run.args.emulator) + [run.args.player, "--version"],
                            capture_output=True, text=True)
    check(result.returncode == 0 and result.stdout.split(), "--version: %s" % result.stderr)
    version = result.stdout.split()[-1]
    asset = os.urandom(3000)
    write_bundle(root, 1, {"data/a.bin": asset})
    log = run.path("player.log")
    player = run.player(state, url, 170, extra=["--heartbeat-url", heartbeat_url,
                                                "--heartbeat-interval", "0.2",
                                                "--low-speed-time", "5",
                                                "--player-id", "hb-screen-7"], log=log)

    def entries():
        return [json.loads(line) for line in access_lines(requests)]

    def beats():
        return [e for e in entries() if e["path"] == "/heartbeat"]

    def beat_where(what, predicate, seconds=60):
        def found():
            for e in reversed(beats()):
                if " post " in e["mode"] and e["mode"].startswith("ok"):
                    body = json.loads(e["body"])
                    if predicate(body):
                        return body
            return None
        return wait_for(found, "a heartbeat with %s" % what, seconds)

    t0 = time.monotonic()
    wait_revision(state, 1)
    beat_where("revision 1", lambda b: b["content"] and b["content"]["revision"] == 1)
    print("first heartbeat with revision 1 after %.1f s" % (time.monotonic() - t0))

    set_mode("500 playlist.json")
    failed = beat_where("a failed poll", lambda b: b["sync"]["last_result"] == "error")
    check("playlist.json: HTTP status 500" in (failed["sync"]["last_error"] or ""),
          "a heartbeat after a failed poll: %s" % failed["sync"])
    check(failed["sync"]["consecutive_failures"] >= 1, "a failed poll's heartbeat: %s" % failed["sync"])
    check(failed["content"]["revision"] == 1, "the content playing is still revision 1: %s" % failed["content"])
    set_mode("ok")

    text = write_bundle(root, 2, {"data/a.bin": asset, "data/b.bin": os.urandom(1000)})
    updated = beat_where("the update to revision 2", lambda b: b["sync"]["last_result"] == "updated"
                         and b["content"] and b["content"]["revision"] == 2)
    check(updated["content"]["sha256"] == sha256(text) and updated["content"]["source"] == "http",
          "the heartbeat after the update: %s" % updated["content"])
    check(updated["sync"]["last_error"] is None, "after a good poll last_error is null: %s" % updated["sync"])
    beat_where("an unchanged poll", lambda b: b["sync"]["last_result"] == "not-modified"
               and b["content"]["revision"] == 2)

    # A poll held by a server dripping its answer does not hold the heartbeat up.
    set_mode("drip playlist.json")
    drip = wait_for(lambda: [e for e in entries() if e["path"] == "/playlist.json"
                             and e["mode"] == "drip"], "a poll answered by a drip")[0]

    def beats_during_drip():
        later_polls = [e["t"] for e in entries() if e["path"] == "/playlist.json" and e["t"] > drip["t"]]
        end = later_polls[0] if later_polls else float("inf")
        return [b for b in beats() if drip["t"] < b["t"] < end]

    # Three heartbeats before the next poll begins: the dripping one still holds the HTTP thread.
    during = wait_for(lambda: len(beats_during_drip()) >= 3 and beats_during_drip(),
                      "three heartbeats while one poll drips")
    print("%d heartbeats during one dripping poll" % len(during))
    set_mode("ok")

    # The heartbeat server fails: the player says so in its log and goes on polling.
    set_mode("500 heartbeat")
    refused = "heartbeat to %s failed: %s: HTTP status 500" % (heartbeat_url, heartbeat_url)

    def refused_logged():
        with open(log, errors="replace") as f:
            return refused in f.read()

    wait_for(refused_logged, "'%s' in the log" % refused)
    polls = len([e for e in entries() if e["path"] == "/playlist.json"])
    wait_for(lambda: len([e for e in entries() if e["path"] == "/playlist.json"]) >= polls + 2,
             "two more polls after a heartbeat failed")
    set_mode("ok")
    count = len(beats())
    wait_for(lambda: len([b for b in beats()[count:] if b["mode"].startswith("ok")]) >= 2,
             "two heartbeats answered again")

    # A clean stop: SIGTERM (as systemd stops it); status.json is written once more at exit.
    run.stop(player, log)

    all_beats, gets = beats(), [e for e in entries() if e["path"] == "/playlist.json"]
    ua = "signage-player/%s (hb-screen-7)" % version
    uptimes = []
    for e in all_beats:
        check(e["content_type"] == "application/json", "a heartbeat's Content-Type: %r" % e["content_type"])
        check(e["ua"] == ua, "a heartbeat's User-Agent: %r (expected %r)" % (e["ua"], ua))
        body = json.loads(e["body"])
        for section, fields in HEARTBEAT_FIELDS.items():
            if section == "content" and body["content"] is None and body["sync"]["last_check"] is None:
                continue  # a heartbeat before the first poll: nothing stored yet
            check(isinstance(body.get(section), dict) and all(f in body[section] for f in fields),
                  "a heartbeat lacks %s.{%s}: %s" % (section, ",".join(fields), e["body"]))
        check(body["sync"]["url"] == url and body["player"]["id"] == "hb-screen-7"
              and body["player"]["version"] == version, "a heartbeat: %s" % e["body"])
        uptimes.append(body["player"]["uptime_s"])
    check(uptimes == sorted(uptimes), "player.uptime_s goes backwards: %s" % uptimes)
    last = json.loads(all_beats[-1]["body"])
    final = read_status(state)
    check(final is not None, "no status.json after the player exited")
    check(last["player"]["frames"] > 0, "the last heartbeat counts no frames: %s" % last["player"])
    check(final["player"]["frames"] >= last["player"]["frames"],
          "frames: status.json %s, the last heartbeat %s" % (final["player"], last["player"]))
    display = final["player"]["display"]
    check(display["renderer"] == "headless/software" and display["accelerated"] is False,
          "status.json's renderer: %s" % display)
    check(0 <= display["present_ms_p50"] <= display["present_ms_p99"],
          "status.json's present_ms: %s" % display)
    check(0 < display["damaged_mean"] <= 1 and 0 < display["damaged_p99"] <= 1,
          "status.json's damaged share of the screen: %s" % display)
    check(0 < display["texture_bytes"] <= display["texture_bytes_peak"],
          "status.json's texture_bytes: %s" % display)
    for doc in (last, final):
        for key in ("uptime_s", "frames", "dropped_frames", "display"):
            doc["player"].pop(key)
    check(last == final, "the last heartbeat is not the final status.json (but for the counters):\n"
          "heartbeat:   %s\nstatus.json: %s" % (json.dumps(last, sort_keys=True), json.dumps(final, sort_keys=True)))
    print("%d polls, %d heartbeats in %.1f s; the last heartbeat: %s"
          % (len(gets), len(all_beats), time.monotonic() - t0, json.dumps(last["sync"])))


def case_damaged(run):
    root, state = run.path("www"), run.path("state")
    port, set_mode, requests = run.fault_server(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    asset = os.urandom(5000)
    write_bundle(root, 1, {"data/a.bin": asset})
    log = run.path("player.log")
    player = run.player(state, url, 60, log=log)
    wait_revision(state, 1)
    run.stop(player, log)
    # A failing card flips one byte of the stored object.
    obj = os.path.join(state, "objects", sha256(asset))
    os.chmod(obj, 0o644)
    with open(obj, "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    fetched_before = len([l for l in access_lines(requests) if json.loads(l)["path"] == "/data/a.bin"])
    os.remove(os.path.join(state, "status.json"))
    log2 = run.path("player-2.log")
    player = run.player(state, url, 60, log=log2)
    # First the truth: nothing plays from the store, and why.
    first = wait_for(lambda: read_status(state), "status.json after the restart")
    check(first["content"] is None or first["content"]["revision"] == 1 and
          first.get("content_problem") is None,
          "status.json names content that does not load: %s" % first)
    if first["content"] is None:
        check("does not match" in (first.get("content_problem") or ""),
              "content_problem says nothing: %s" % first)
    # Then the repair: the asset is fetched again and revision 1 plays, verified.
    wait_revision(state, 1)
    wait_for(lambda: len([l for l in access_lines(requests) if json.loads(l)["path"] == "/data/a.bin"])
             > fetched_before, "the damaged asset fetched again")
    wait_for(lambda: verify_store(state), "a verified store")
    run.stop(player, log2)


def case_repaired(run):
    root, state = run.path("www"), run.path("state")
    port, access = run.nginx(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    shared, two = os.urandom(3000), os.urandom(2000)
    write_bundle(root, 1, {"data/shared.bin": shared})
    log = run.path("player.log")
    player = run.player(state, url, 60, log=log)
    wait_revision(state, 1)
    time.sleep(1.1)  # a new Last-Modified second
    text = write_bundle(root, 2, {"data/shared.bin": shared, "data/two.bin": two})
    wait_revision(state, 2)
    wait_for(lambda: access_lines(access)[-1:] == ["304 0 /playlist.json"], "a conditional poll")
    run.stop(player, log)

    obj = os.path.join(state, "objects", sha256(two))
    before = os.stat(obj)
    os.chmod(obj, 0o644)
    with open(obj, "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(obj, ns=(before.st_atime_ns, before.st_mtime_ns))

    def fetches():
        return len([line for line in access_lines(access) if line.endswith(" /data/two.bin")])

    fetched_before = fetches()
    os.remove(os.path.join(state, "status.json"))
    log2 = run.path("player-2.log")
    player = run.player(state, url, 60, log=log2)
    wait_for(lambda: fetches() > fetched_before, "the damaged revision 2 fetched again")
    wait_revision(state, 2)
    wait_for(lambda: verify_store(state) == (2, sha256(text)), "revision 2 stored and verified")
    run.stop(player, log2)
    with open(log2, errors="replace") as f:
        logged = f.read()
    check("does not match" in logged, "the log does not say what was damaged:\n" + logged)
    check("now playing test revision 2" in logged, "revision 2 was not handed over again:\n" + logged)


def case_crash(run):
    root, state = run.path("www"), run.path("state")
    port, set_mode, requests = run.fault_server(root, lifetime=170)
    url = "http://127.0.0.1:%d/playlist.json" % port
    rng = random.Random(os.environ.get("SYNC_CRASH_SEED") or None)
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    print("seed %d (SYNC_CRASH_SEED=%d repeats it)" % (seed, seed))
    write_bundle(root, 1, {"data/a0.bin": os.urandom(100_000)})
    player = run.player(state, url, 60)
    wait_revision(state, 1)
    run.stop(player, run.path("player.log"))
    revisions_seen = {1}
    # Assets served at 4 MB/s: 3 MB take most of a second, the window the kills aim at.
    set_mode("rate:4000000 .bin")
    kinds = {"before the download": 0, "during the download": 0, "after the switch": 0}
    committed = 1
    t0 = time.monotonic()
    for i in range(50):
        new_revision = committed + 1
        write_bundle(root, new_revision, {"data/a%d.bin" % k: os.urandom(1_000_000) for k in range(3)})
        start = len(access_lines(requests))
        os.remove(os.path.join(state, "status.json"))  # the restarted player writes a new one
        player = run.player(state, url, 60, log=run.path("player-%d.log" % i))
        # Restarted after the previous kill: it plays a complete bundle, the one on disk.
        wait_for(lambda: content_sha(state), "status.json after restart %d" % i, 60)
        rev, sha = verify_store(state)
        check(content_sha(state) == sha, "restart %d: status.json says %s, the store has %s" % (i, content_sha(state), sha))
        # Kill at a random moment from the first asset request on.
        def started():
            if any(json.loads(l)["path"].endswith(".bin") for l in access_lines(requests)[start:]):
                return True
            status = read_status(state)
            return status and status["content"] and status["content"]["revision"] == new_revision

        wait_for(started, "the download of revision %d to start" % new_revision, 60)
        time.sleep(rng.uniform(0, 0.9))
        player.send_signal(signal.SIGKILL)
        player.wait()
        rev, sha = verify_store(state)
        check(rev in (committed, new_revision), "after kill %d: revision %d (expected %d or %d)" % (i, rev, committed, new_revision))
        asset_requests = [json.loads(l) for l in access_lines(requests)[start:]]
        asset_requests = [e for e in asset_requests if e["path"].endswith(".bin")]
        if rev == new_revision:
            kinds["after the switch"] += 1
            committed = new_revision
        elif asset_requests:
            kinds["during the download"] += 1
        else:
            kinds["before the download"] += 1
        revisions_seen.add(rev)
    print("50 kills in %.1f s: %s" % (time.monotonic() - t0, ", ".join("%d %s" % (n, k) for k, n in kinds.items())))
    check(kinds["during the download"] >= 10, "too few kills landed during a download: %s" % kinds)
    # And a last restart plays what is stored.
    os.remove(os.path.join(state, "status.json"))
    log = run.path("player-last.log")
    player = run.player(state, url, 60, log=log)
    wait_for(lambda: content_sha(state), "status.json after the last restart")
    verify_store(state)
    run.stop(player, log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["nginx", "tls", "faults", "stalls", "signature", "heartbeat", "damaged",
                                           "repaired", "crash"])
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("--nginx", default="")
    parser.add_argument("--openssl", default="")
    parser.add_argument("--poll-interval", type=float, default=0.2)
    parser.add_argument("--backoff-cap", type=float, default=1.6)  # 0.2 0.4 0.8 1.6 1.6 ...
    args = parser.parse_args()
    if args.case == "nginx":
        args.poll_interval = 0.1  # 100 polls in about ten seconds
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
