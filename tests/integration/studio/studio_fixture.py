"""A real signage-studio on 127.0.0.1 for the studio's tests (python3 stdlib only).

    with Studio(binary, users=[("ann", "pw-ann-123", "admin")]) as s:
        c = s.login("ann", "pw-ann-123")
        status, headers, body = c.get("/api/me")
        me = c.json("GET", "/api/me")          # asserts 2xx, returns the parsed body

The studio is started with --port 0 and says where it listens on stderr ("listening on URL");
the fixture reads that, so there is no race for a port. Run as root (a container), it passes
--run-as nobody and gives the data dir to nobody, as a real install runs it.
"""

import http.client
import json as jsonlib
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse


class Client:
    """One browser: keeps the session cookie and sends the CSRF token on changes."""

    def __init__(self, url, ssl_context=None):
        self.url = url
        self.ssl_context = ssl_context
        self.cookie = None  # "studio_session=..."
        self.csrf = None
        self.last_headers = {}

    def _connection(self):
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=60,
                                               context=self.ssl_context)
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def request(self, method, path, json=None, body=None, headers=None):
        """(status, headers (names lower-case), body bytes). Never raises on 4xx/5xx."""
        all_headers = {}
        if json is not None:
            body = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        if isinstance(body, str):
            body = body.encode()
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        if self.csrf and method in ("POST", "PUT", "DELETE"):
            all_headers["X-CSRF-Token"] = self.csrf
        all_headers.update(headers or {})
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            for value in response.headers.get_all("Set-Cookie") or []:
                match = re.match(r"studio_session=([^;]*)", value)
                if match:
                    self.cookie = "studio_session=" + match.group(1) if match.group(1) else None
            self.last_headers = got
            return response.status, got, data
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def json(self, method, path, json=None, expect=None, **kw):
        """The parsed JSON body; asserts the status (`expect`, default any 2xx)."""
        status, _, data = self.request(method, path, json=json, **kw)
        ok = status == expect if expect is not None else 200 <= status < 300
        if not ok:
            raise AssertionError(f"{method} {path}: {status} {data[:500]!r}")
        return jsonlib.loads(data) if data else None


class Studio:
    def __init__(self, binary, users=(), extra_args=(), data_dir=None, env=None,
                 ssl_context=None, start_timeout_s=60):
        self.binary = binary
        self.users = list(users)
        self.extra_args = list(extra_args)
        self.given_data_dir = data_dir
        self.env = env
        self.ssl_context = ssl_context
        self.start_timeout_s = start_timeout_s
        self.proc = None
        self.url = None
        self.tmp = None
        self.data_dir = data_dir
        self.log_path = None

    # --- helpers -----------------------------------------------------------------------------
    def add_user(self, name, password, role):
        args = [self.binary, "add-user", name, "--role", role, "--data-dir", self.data_dir,
                "--config", self.config]
        if os.geteuid() == 0:
            args += ["--run-as", "nobody"]  # the files belong to the studio's user
        result = subprocess.run(args,
            input=(password + "\n").encode(), capture_output=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"add-user {name}: {result.returncode} {result.stderr!r}")

    def client(self):
        return Client(self.url, self.ssl_context)

    def login(self, name, password):
        c = self.client()
        status, _, data = c.post("/api/login", json={"name": name, "password": password})
        if status != 200:
            raise AssertionError(f"login {name}: {status} {data[:300]!r}")
        c.csrf = jsonlib.loads(data)["csrf"]
        return c

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """SIGTERM and wait; returns the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    # --- context manager -----------------------------------------------------------------------
    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="studio-test-")
        os.chmod(self.tmp, 0o755)  # nobody (the studio's user under root) must reach the data dir
        self.config = os.path.join(self.tmp, "studio.conf")  # empty: not the machine's own
        open(self.config, "w").close()
        if self.data_dir is None:
            self.data_dir = os.path.join(self.tmp, "data")
            os.mkdir(self.data_dir, 0o700)
        if os.geteuid() == 0:
            _chown_tree(self.data_dir, "nobody")
        for name, password, role in self.users:
            self.add_user(name, password, role)
        args = [self.binary, "--data-dir", self.data_dir, "--listen", "127.0.0.1", "--port", "0",
                "--config", self.config]
        if os.geteuid() == 0 and "--run-as" not in self.extra_args:
            args += ["--run-as", "nobody"]
        args += self.extra_args
        self.log_path = os.path.join(self.tmp, "studio.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            sys.stderr.write(f"--- studio log ---\n{self.log()}\n")
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return self

    def _wait_until_listening(self):
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            match = re.search(r"listening on (https?://\S+)", self.log())
            if match:
                self.url = match.group(1)
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"signage-studio exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise AssertionError("signage-studio did not start listening")

    def __exit__(self, kind, value, tb):
        code = self.stop()
        if kind is not None or code not in (0, None):
            sys.stderr.write(f"--- studio log (exit {code}) ---\n{self.log()}\n")
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def _chown_tree(path, user):
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
