#!/usr/bin/env python3
"""The player with --source, as a user runs it, against servers started here.

  sync_player_test.py CASE --player PLAYER [--emulator PART]... [--nginx NGINX] [--openssl OPENSSL]

CASE is one of:
  nginx   a changed playlist is picked up at the next poll; then 100 polls of unchanged content are
          100 responses of 304 with no body; an asset already stored is not fetched again (all
          read from nginx's access log)
  tls     HTTPS with a CA made here by openssl: refused without --ca-file (status.json and the
          log name the certificate problem), played with it
  faults  fault_server.py misbehaves in several ways while a new revision is published: each
          fault is reported in status.json and the log, the current content keeps playing, the
          polls back off (the gaps between requests grow), and the new revision arrives once
          the server is fixed
  crash   kill -9 the player at 50 random moments while it downloads a few MB of assets, served
          slowly; after every kill (and after every restart) the store's current bundle is
          complete and verified, old or new, never a mixture, never nothing

Everything it starts stops at the end, also on failure. Deadlines are generous and only keep a
broken run from hanging; the times taken are printed, never asserted. Exit status 0: passed,
1: failed, 77: a program it needs is missing (skipped).
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
SKIP = 77


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


def write_bundle(root, revision, assets):
    """ROOT/playlist.json (id "test") listing `assets` {path: bytes}; assets written first."""
    listed = {}
    for path, data in assets.items():
        write(os.path.join(root, path), data)
        listed[path] = {"size": len(data), "sha256": sha256(data)}
    playlist = {
        "version": 1,
        "id": "test",
        "revision": revision,
        "title": "测试",
        "items": [{"type": "headline", "id": "h", "title": "第%d版" % revision}],
        "assets": listed,
    }
    text = (json.dumps(playlist, ensure_ascii=False, indent=2) + "\n").encode()
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
            str(self.args.poll_interval), "--no-usb",
        ] + list(extra)
        return self.start(argv, log or self.path("player.log"))

    def nginx(self, root, tls=""):
        if not self.args.nginx:
            raise SystemExit(SKIP)
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
    player.kill()


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
    if not run.args.openssl:
        raise SystemExit(SKIP)
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
    player.kill()
    player.wait()
    check(status["sync"]["last_result"] == "error", "without the CA: %s" % status["sync"])
    error = status["sync"]["last_error"]
    check("certificate" in error, "the error should name the certificate: %s" % error)
    check(status["content"] is None, "nothing may play from an unverified server")
    with open(log, errors="replace") as f:
        logged = f.read()
    check("certificate" in logged, "the log should name the certificate:\n" + logged)
    print("without the CA: %s" % error)

    player = run.player(state, url, 60, extra=["--ca-file", p("ca.pem")], log=run.path("accepted.log"))
    wait_revision(state, 1)
    check(content_sha(state) == sha256(text), "the stored content is not the served playlist")
    verify_store(state)
    player.kill()


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def case_faults(run):
    root, state = run.path("www"), run.path("state")
    port, set_mode, requests = run.fault_server(root)
    url = "http://127.0.0.1:%d/playlist.json" % port
    asset = os.urandom(3000)
    text = write_bundle(root, 1, {"data/a.bin": asset})
    log = run.path("player.log")
    player = run.player(state, url, 160, log=log)
    wait_revision(state, 1)
    revision = 1
    faults = [
        ("500", "500", r"playlist\.json: HTTP status 500"),
        ("truncated body", "truncate playlist.json", r"transfer closed with \d+ bytes remaining"),
        ("wrong Content-Length", "short_length playlist.json", r"playlist\.json:\d+:\d+: error: "),
        ("asset with the wrong hash", "corrupt new.bin", r"asset data/new\.bin has sha256 [0-9a-f]{64}; the playlist says"),
        ("50 MB body", "huge playlist.json", r"body larger than \d+ bytes"),
        ("invalid JSON", "invalid_json playlist.json", r"playlist\.json:1:\d+: error: .*JSON"),
    ]
    for name, mode, expected in faults:
        playing = content_sha(state)
        set_mode(mode)
        revision += 1
        new_text = write_bundle(root, revision, {"data/a.bin": asset, "data/new.bin": os.urandom(2000)})
        t0 = time.monotonic()
        start = len(access_lines(requests))

        def fault_requests():
            entries = [json.loads(line) for line in access_lines(requests)[start:]]
            return [e["t"] for e in entries if e["path"] == "/playlist.json" and e["mode"] != "ok"
                    or e["path"].endswith("new.bin") and e["mode"] != "ok"]

        # Five failing polls: four gaps, each about twice the one before.
        times = wait_for(lambda: len(fault_requests()) >= 5 and fault_requests(), "5 polls with the fault '%s'" % name, 90)
        status = read_status(state)
        check(status["sync"]["last_result"] == "error", "%s: sync %s" % (name, status["sync"]))
        error = status["sync"]["last_error"] or ""
        check(re.search(expected, error), "%s: expected /%s/ in status.json's last_error: %s" % (name, expected, error))
        check(status["content"]["sha256"] == playing, "%s: the content playing changed" % name)
        check(status["sync"]["consecutive_failures"] >= 4, "%s: %s" % (name, status["sync"]))
        verify_store(state)
        with open(log, errors="replace") as f:
            logged = f.read()
        check(re.search(expected, logged), "%s: expected /%s/ in the log" % (name, expected))
        g = gaps(times[:5])
        # Each gap is about twice the one before (+-10% jitter, plus the time a request takes,
        # which is larger under an emulator): growing, and the last more than twice the first.
        check(all(b > a for a, b in zip(g, g[1:])) and g[-1] > 2 * g[0],
              "%s: the polls do not back off: gaps %s" % (name, ["%.2f" % x for x in g]))
        set_mode("ok")
        t1 = time.monotonic()
        wait_revision(state, revision, 90)
        check(content_sha(state) == sha256(new_text), "%s: revision %d is not what was served" % (name, revision))
        verify_store(state)
        print("%-26s %s; gaps %s s; recovered %.1f s after the fix (%.1f s in all)"
              % (name + ":", error, " ".join("%.2f" % x for x in g), time.monotonic() - t1, time.monotonic() - t0))
    player.kill()


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
    player.kill()
    player.wait()
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
    player = run.player(state, url, 60, log=run.path("player-last.log"))
    wait_for(lambda: content_sha(state), "status.json after the last restart")
    verify_store(state)
    player.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["nginx", "tls", "faults", "crash"])
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("--nginx", default="")
    parser.add_argument("--openssl", default="")
    parser.add_argument("--poll-interval", type=float, default=0.2)
    args = parser.parse_args()
    if args.case == "nginx":
        args.poll_interval = 0.1  # 100 polls in about ten seconds
    run = Run(args)
    ok = False
    t0 = time.monotonic()
    try:
        globals()["case_" + args.case](run)
        ok = True
    except Failure as failure:
        print("FAILED: %s" % failure, file=sys.stderr)
    finally:
        run.close(keep=not ok)
    print("%s: %s in %.1f s" % (args.case, "passed" if ok else "failed", time.monotonic() - t0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
