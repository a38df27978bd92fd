#!/usr/bin/env python3
"""The player as a Type=notify service with WatchdogSec=, against a test socket speaking the
sd_notify protocol (no systemd can run as PID 1 or as a user manager in the build container).

The test binds an AF_UNIX datagram socket, starts the real `signage-player run --headless` with
NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (its own pid, as systemd sets it) and reads what the
player sends:

  playing      READY=1 only once the "first frame on screen" line is logged, with STATUS= naming
               the first item and the revision; STATUS= again when the second item shows;
               WATCHDOG=1 repeatedly; then --debug-stall-after hangs the frame loop: the notifier
               thread (still running) says so in STATUS= and sends no WATCHDOG=1 any more.
  display_off  outside the display hours: READY=1 with "display off until <when on again>", and
               WATCHDOG=1 keeps coming from the idle ticks; SIGTERM ends it with STOPPING=1.
  studio       signage-studio: READY=1 once it listens, with the port in STATUS=; STOPPING=1 on
               SIGTERM.

usage: notify_test.py CASE --player PLAYER [--studio STUDIO] [--emulator PART]...
"""
import argparse
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

WATCHDOG_USEC = 4_000_000  # pings every 2 s while the frame loop is alive
WAIT = 180  # seconds for any expected message: generous for qemu on a loaded machine


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def write_playlist(folder):
    playlist = {
        "version": 1,
        "id": "notify-test",
        "revision": 7,
        "title": "notify test",
        "timezone": "Asia/Shanghai",
        "items": [
            {"type": "headline", "id": "first", "title": "第一条\n消息", "duration": 2},
            {"type": "headline", "id": "second", "title": "第二条", "duration": 2},
        ],
    }
    with open(os.path.join(folder, "playlist.json"), "w", encoding="utf-8") as f:
        json.dump(playlist, f, ensure_ascii=False)


class Run:
    """The player under a test notify socket; messages() yields each datagram's text."""

    def __init__(self, tmp, command):
        self.path = os.path.join(tmp, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)  # the studio under root gives up root before it sends
        self.log_path = os.path.join(tmp, "player.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, NOTIFY_SOCKET=self.path, WATCHDOG_USEC=str(WATCHDOG_USEC))
        env.pop("WATCHDOG_PID", None)
        # WATCHDOG_PID is the service's main pid, as systemd sets it: the shell's, kept by exec.
        wrapped = ["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$@"', "sh"] + command
        self.proc = subprocess.Popen(wrapped, env=env, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        self.seen = []

    def stderr(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def next_message(self, timeout=WAIT):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        text = data.decode("utf-8")
        self.seen.append(text)
        return text

    def until(self, wanted, what, timeout=WAIT):
        """Reads until wanted(message) holds; returns the messages before it and it."""
        before = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            message = self.next_message(left) if left > 0 else None
            if message is None:
                fail(f"no {what} within {timeout} s (received: {self.seen[-8:]}; "
                     f"player exit status {self.proc.poll()}; its log:\n{self.stderr()})")
            if wanted(message):
                return before, message
            before.append(message)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        self.sock.close()


def check_ready(run, status):
    """The first message is READY=1 with the status; the first frame was logged before it."""
    _, first = run.until(lambda m: True, "first message")
    if not first.startswith("READY=1\n"):
        fail(f"the first message is not READY=1: {first!r}")
    if "first frame on screen" not in run.stderr():
        fail(f"READY=1 came before the first frame was logged:\n{run.stderr()}")
    if f"STATUS={status}" not in first.split("\n"):
        fail(f"READY=1 without STATUS={status}: {first!r}")


def case_playing(tmp, player):
    write_playlist(tmp)
    run = Run(tmp, player + ["run", tmp, "--headless", "--size", "640x360", "--clock",
                             "2025-03-03T09:30:00+08:00", "--debug-stall-after", "14"])
    try:
        # The title's newline is a space: it must not start another assignment.
        check_ready(run, 'playing 1/2 "first": 第一条 消息 (revision 7)')
        before, _ = run.until(lambda m: m == 'STATUS=playing 2/2 "second": 第二条 (revision 7)',
                              "STATUS= for the second item")
        # A loaded machine may delay a frame past the limit before that (a missed ping, then the
        # status again): the stall that counts is the one after the player logged the hang.
        _, stalled = run.until(lambda m: m.startswith("STATUS=stalled") and
                               "the frame loop hangs now" in run.stderr(), "stalled STATUS=")
        pings = run.seen.count("WATCHDOG=1")
        if pings < 3:
            fail(f"only {pings} WATCHDOG=1 while the frame loop ran: {run.seen}")
        # Stalled for good: three more ping intervals without a single ping, the process alive.
        after = []
        deadline = time.monotonic() + 3 * WATCHDOG_USEC / 2e6
        while (left := deadline - time.monotonic()) > 0:
            message = run.next_message(left)
            if message is not None:
                after.append(message)
        if "WATCHDOG=1" in after:
            fail(f"WATCHDOG=1 after the frame loop stalled: {after}")
        if run.proc.poll() is not None:
            fail(f"the player exited (status {run.proc.returncode}) instead of hanging")
        print(f"ok: READY=1 after the first frame, STATUS= per item, {pings} pings, "
              f"then {stalled!r} and none for {3 * WATCHDOG_USEC / 2e6:.0f} s")
    finally:
        run.close()


def case_display_off(tmp, player):
    write_playlist(tmp)
    run = Run(tmp, player + ["run", tmp, "--headless", "--size", "640x360", "--clock",
                             "2025-03-03T23:00:00+08:00", "--display-hours", "daily 07:30-21:00"])
    try:
        check_ready(run, "display off until 2025-03-04 07:30 (display hours)")
        for n in range(3):  # the idle ticks while the screen is off keep the watchdog fed
            run.until(lambda m: m == "WATCHDOG=1", f"WATCHDOG=1 number {n + 1} with the screen off")
        run.proc.send_signal(signal.SIGTERM)
        run.until(lambda m: m == "STOPPING=1", "STOPPING=1 after SIGTERM")
        if run.proc.wait(WAIT) != 0:
            fail(f"exit status {run.proc.returncode} after SIGTERM:\n{run.stderr()}")
        print("ok: READY=1 with the display-off status, pings while off, STOPPING=1 on SIGTERM")
    finally:
        run.close()


def case_studio(tmp, studio):
    os.chmod(tmp, 0o755)  # the studio's user (nobody, under root) reaches the socket
    data = os.path.join(tmp, "data")
    os.mkdir(data, 0o700)
    config = os.path.join(tmp, "studio.conf")  # empty: not the machine's own
    open(config, "w").close()
    command = studio + ["--data-dir", data, "--listen", "127.0.0.1", "--port", "0",
                        "--config", config]
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(data, nobody.pw_uid, nobody.pw_gid)
        command += ["--run-as", "nobody"]
    run = Run(tmp, command)
    try:
        _, first = run.until(lambda m: True, "first message")
        listening = re.search(r"listening on https?://127.0.0.1:(\d+)/", run.stderr())
        if not listening:
            fail(f"{first!r} before the studio logged where it listens:\n{run.stderr()}")
        if first != f"READY=1\nSTATUS=listening on port {listening.group(1)}":
            fail(f"not READY=1 with the port it listens on: {first!r}\n{run.stderr()}")
        run.proc.send_signal(signal.SIGTERM)
        run.until(lambda m: m == "STOPPING=1", "STOPPING=1 after SIGTERM")
        if run.proc.wait(WAIT) != 0:
            fail(f"exit status {run.proc.returncode} after SIGTERM:\n{run.stderr()}")
        print(f"ok: {first!r} once listening, STOPPING=1 on SIGTERM")
    finally:
        run.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["playing", "display_off", "studio"])
    parser.add_argument("--player", required=True)
    parser.add_argument("--studio")
    parser.add_argument("--emulator", action="append", default=[])
    args = parser.parse_args()
    player = args.emulator + [args.player]
    with tempfile.TemporaryDirectory(prefix="signage-notify-") as tmp:
        if args.case == "studio":
            case_studio(tmp, args.emulator + [args.studio])
        else:
            {"playing": case_playing, "display_off": case_display_off}[args.case](tmp, player)


if __name__ == "__main__":
    main()
