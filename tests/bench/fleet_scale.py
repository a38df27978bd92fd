#!/usr/bin/env python3
"""A fleet of 500 players on one broker: alert latency, CPU, idle bytes, an update storm.

  tests/bench/fleet_scale.py --player build/player/signage-player --sim build/tests/bench/fleet_sim
                             [--players 500] [--idle-seconds 180] [--alerts 3]

Starts a real mosquitto and nginx on 127.0.0.1 (free ports) and fleet_sim: N players' own sync
clients (store, web source polled every 60 s, MQTT client with its defaults: status at least
every 60 s, keepalive 60 s, update jitter 0-5 s), 100 per process, without rendering. Then:

- idle: over --idle-seconds, the broker's $SYS/broker/bytes/received and /sent, nginx's bytes
  (the 60 s conditional polls) and the CPU of mosquitto and fleet_sim from /proc; scaled to bytes
  per player per day;
- alerts (--alerts times): `signage-player fleet --alert` publishes a signed alert to every
  player's group and waits for all acknowledgements. Latency 1: publish -> ack received, as the
  fleet tool prints it. Latency 2: the alert's "issued" -> the player's "shown_ms" (its ack,
  recorded with mosquitto_sub). CPU of the broker and the players over the alert window;
- update storm: one `update` message to the group; nginx's access log shows when each player
  asked for playlist.json after it (the jitter window), and that no player polled twice within
  2 s (the player's minimum spacing) during the whole run.

A benchmark: it prints numbers and asserts nothing. See README.md ("Fleet").
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
FLEET = "bench"
GROUP = "district"
TICKS = os.sysconf("SC_CLK_TCK")
PER_PROCESS = 100  # players per fleet_sim process (see fleet_sim.cpp: select() and 1024)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit("port %d did not open" % port)


def cpu_s(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def sims_cpu(sims):
    return sum(cpu_s(sim.pid) for sim in sims)


def sys_bytes(port):
    """The broker's $SYS byte counters (retained, refreshed every sys_interval)."""
    out = subprocess.run(["mosquitto_sub", "-p", str(port), "-v", "-C", "2", "-W", "10",
                          "-t", "$SYS/broker/bytes/received", "-t", "$SYS/broker/bytes/sent"],
                         capture_output=True, text=True, check=True).stdout
    values = dict(line.split(" ", 1) for line in out.strip().splitlines())
    return int(values["$SYS/broker/bytes/received"]), int(values["$SYS/broker/bytes/sent"])


def access_log(path):
    """nginx's lines: (msec, user agent, uri, status, bytes sent, request length)."""
    rows = []
    with open(path) as f:
        for line in f:
            m = re.match(r'(\S+) "([^"]*)" (\S+) (\d+) (\d+) (\d+)', line)
            if m:
                rows.append((float(m[1]), m[2], m[3], int(m[4]), int(m[5]), int(m[6])))
    return rows


def fleet_table(args, port):
    out = subprocess.run([args.player, "fleet", "--broker", "mqtt://127.0.0.1:%d" % port,
                          "--fleet", FLEET, "--expect-revision", "1", "--settle", "3"],
                         capture_output=True, text=True).stdout
    m = re.search(r"(\d+) players?: (\d+) online", out)
    ok = len(re.findall(r" 1 ok ", out))
    return (int(m[2]) if m else 0), ok


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--player", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--players", type=int, default=500)
    ap.add_argument("--idle-seconds", type=float, default=180)
    ap.add_argument("--alerts", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--mosquitto", default=shutil.which("mosquitto") or "/usr/sbin/mosquitto")
    args = ap.parse_args()
    # SIGTERM stops the servers and players too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("fleet_scale.py: stopped"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 500 sockets each way

    work = tempfile.mkdtemp(prefix="fleet-scale-")
    procs = []
    try:
        # The content: a one-card bundle, signed.
        www = os.path.join(work, "www")
        os.makedirs(www)
        shutil.copy(os.path.join(SOURCE, "playlists", "examples", "minimal.json"),
                    os.path.join(www, "playlist.json"))
        key = os.path.join(work, "content")
        for argv in (["keygen", key], ["manifest", www], ["sign", www, "--key", key + ".key"]):
            subprocess.run([args.player] + argv, check=True, stdout=subprocess.DEVNULL)

        web = free_port()
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write("""daemon off; master_process off; worker_processes 1; pid %(w)s/nginx.pid;
error_log %(w)s/nginx-error.log; worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  log_format fleet '$msec "$http_user_agent" $request_uri $status $bytes_sent $request_length';
  access_log %(w)s/access.log fleet;
  client_body_temp_path %(w)s/cb; proxy_temp_path %(w)s/px; fastcgi_temp_path %(w)s/fc;
  uwsgi_temp_path %(w)s/uw; scgi_temp_path %(w)s/sc;
  types { application/json json; application/octet-stream sig; }
  server { listen 127.0.0.1:%(p)d; root %(w)s/www; }
}
""" % {"w": work, "p": web})
        procs.append(subprocess.Popen([args.nginx, "-p", work, "-e",
                                       os.path.join(work, "nginx-error.log"), "-c",
                                       os.path.join(work, "nginx.conf")]))
        port = free_port()
        with open(os.path.join(work, "mosquitto.conf"), "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "sys_interval 1\nmax_queued_messages 10000\nlog_type error\n" % port)
        broker = subprocess.Popen([args.mosquitto, "-c", os.path.join(work, "mosquitto.conf")])
        procs.append(broker)
        wait_port(web)
        wait_port(port)

        t0 = time.time()
        sims = []
        for first in range(0, args.players, PER_PROCESS):
            sims.append(subprocess.Popen(
                [args.sim, "--players", str(min(PER_PROCESS, args.players - first)), "--first",
                 str(first), "--broker", "mqtt://127.0.0.1:%d" % port, "--source",
                 "http://127.0.0.1:%d/playlist.json" % web, "--public-key", key + ".pub",
                 "--state-root", os.path.join(work, "state"), "--fleet", FLEET, "--group", GROUP],
                stdout=subprocess.PIPE, stderr=open(os.path.join(work, "sim-%d.log" % first), "w"),
                text=True))
            procs.append(sims[-1])
        for sim in sims:
            sim.stdout.readline()  # "ready N"
        online = ok = 0
        while time.time() - t0 < 300:
            online, ok = fleet_table(args, port)
            if online == args.players and ok == args.players:
                break
            time.sleep(2)
        print("players: %d online, %d playing revision 1, %.0f s after start"
              % (online, ok, time.time() - t0))
        time.sleep(5)

        # Idle.
        b0, c0, s0, w0 = sys_bytes(port), cpu_s(broker.pid), sims_cpu(sims), time.time()
        time.sleep(args.idle_seconds)
        b1, c1, s1, w1 = sys_bytes(port), cpu_s(broker.pid), sims_cpu(sims), time.time()
        span = w1 - w0
        mqtt_bytes = (b1[0] - b0[0]) + (b1[1] - b0[1])
        http_bytes = sum(r[4] + r[5] for r in access_log(os.path.join(work, "access.log"))
                         if w0 <= r[0] < w1)
        day = 86400 / span / args.players
        print("idle %.0f s: MQTT %d bytes (to broker %d, from broker %d) = %.0f bytes/player/day;"
              " web polls %d bytes = %.0f bytes/player/day" % (
                  span, mqtt_bytes, b1[0] - b0[0], b1[1] - b0[1], mqtt_bytes * day, http_bytes,
                  http_bytes * day))
        print("idle CPU: broker %.2f%% of a core, %d players %.2f%% of a core (%.4f%% each)" % (
            100 * (c1 - c0) / span, args.players, 100 * (s1 - s0) / span,
            100 * (s1 - s0) / span / args.players))

        # Alerts.
        publish_to_ack, issued_to_shown = [], []
        for n in range(args.alerts):
            alert = os.path.join(work, "alert-%d.json" % n)
            with open(alert, "w") as f:
                json.dump({"id": "bench-%d" % n, "expires": "2099-01-01T00:00:00+08:00",
                           "item": {"type": "alert", "title": "寒潮预警 %d" % n,
                                    "body": "今晚最低气温-12℃,请注意防寒。", "priority": 3}},
                          f, ensure_ascii=False)
            acks = os.path.join(work, "acks-%d.txt" % n)
            sub = subprocess.Popen(["mosquitto_sub", "-p", str(port), "-q", "1", "-t",
                                    "signage/%s/ack/+" % FLEET], stdout=open(acks, "w"))
            time.sleep(1)
            c0, s0, w0 = cpu_s(broker.pid), sims_cpu(sims), time.time()
            out = subprocess.run([args.player, "fleet", "--broker", "mqtt://127.0.0.1:%d" % port,
                                  "--fleet", FLEET, "--alert", alert, "--key", key + ".key",
                                  "--group", GROUP, "--settle", "3", "--wait", "120"],
                                 capture_output=True, text=True)
            c1, s1, w1 = cpu_s(broker.pid), sims_cpu(sims), time.time()
            subprocess.run([args.player, "fleet", "--broker", "mqtt://127.0.0.1:%d" % port,
                            "--fleet", FLEET, "--cancel", "bench-%d" % n, "--key", key + ".key",
                            "--group", GROUP, "--settle", "0"], check=True,
                           stdout=subprocess.DEVNULL)
            time.sleep(2)
            sub.terminate()
            sub.wait()
            got = [float(x) for x in re.findall(r"acknowledged ([\d.]+) s after publishing",
                                                out.stdout)]
            publish_to_ack += got
            for line in open(acks):
                ack = json.loads(line)
                if ack.get("alert") != "bench-%d" % n:
                    continue
                issued = datetime.datetime.fromisoformat(ack["issued"].replace("Z", "+00:00"))
                issued_to_shown.append(ack["shown_ms"] / 1000 - issued.timestamp())
            print("alert %d: %d acks of %d players (exit %d), window %.1f s: broker %.2f CPU-s, "
                  "players %.2f CPU-s" % (n, len(got), args.players, out.returncode, w1 - w0,
                                          c1 - c0, s1 - s0))
        for name, values in (("publish -> ack received", publish_to_ack),
                             ("issued -> shown (player's shown_ms)", issued_to_shown)):
            if values:
                print("alert latency, %s: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d samples)" % (
                    name, 1000 * percentile(values, 50), 1000 * percentile(values, 99),
                    1000 * max(values), len(values)))

        # Update storm.
        t_update = time.time()
        subprocess.run(["mosquitto_pub", "-p", str(port), "-q", "1", "-t",
                        "signage/%s/%s/update" % (FLEET, GROUP), "-m", "{}"], check=True)
        time.sleep(15)
        rows = [r for r in access_log(os.path.join(work, "access.log"))
                if r[2] == "/playlist.json"]
        first = {}
        for r in rows:
            if r[0] >= t_update and r[1] not in first:
                first[r[1]] = r[0] - t_update
        delays = sorted(first.values())
        in_storm = {}
        for r in rows:
            if t_update <= r[0] < t_update + 15:
                in_storm[r[1]] = in_storm.get(r[1], 0) + 1
        per_player = {}
        for r in rows:
            per_player.setdefault(r[1], []).append(r[0])
        gaps = [b - a for times in per_player.values() for a, b in zip(times, times[1:])]
        buckets = [0] * 7
        for d in delays:
            buckets[min(6, int(d))] += 1
        print("update storm: %d of %d players asked for playlist.json within 15 s; first request "
              "after the update: min %.2f s, p50 %.2f s, max %.2f s; per second 0-1 .. 5-6, 6+: %s"
              % (len(first), args.players, delays[0] if delays else -1,
                 percentile(delays, 50) if delays else -1, delays[-1] if delays else -1,
                 buckets))
        print("polls in the 15 s after the update, per player: max %d; shortest gap between two "
              "polls of one player over the run: %.2f s (%d polls by %d players, %.0f s)" % (
                  max(in_storm.values()) if in_storm else 0, min(gaps) if gaps else -1,
                  len(rows), len(per_player), time.time() - t0))
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        if args.keep:
            print("work folder (logs): %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
