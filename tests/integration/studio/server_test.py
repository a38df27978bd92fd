"""signage-studio's server, sessions, accounts and settings, against the real binary.

    python3 server_test.py PATH/TO/signage-studio [unittest arguments]
"""

import http.client
import json
import os
import pwd
import re
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from studio_fixture import Client, Studio, emulator

BINARY = None
HERE = os.path.dirname(os.path.abspath(__file__))
API_DOC = os.path.join(HERE, "..", "..", "..", "docs", "studio-api.md")

ADMIN = ("ann", "ann-password-1", "admin")
EDITOR = ("ed", "ed-password-12", "editor")
APPROVER = ("apu", "apu-password-1", "approver")
ALERTS = ("al", "al-password-12", "alert_sender")
ALL_USERS = [ADMIN, EDITOR, APPROVER, ALERTS]


def documented_routes():
    """(method, path) for every route in docs/studio-api.md, {params} filled in."""
    with open(API_DOC, encoding="utf-8") as f:
        text = f.read()
    found = set()
    for method, path in re.findall(r"`(GET|POST|PUT|DELETE) (/api/[^`\s?]*)", text):
        found.add((method, re.sub(r"\{[^}]*\}", "x1", path)))
    # "GET /api/pending / POST /api/pending/{id}/approve ...": the later ones on a line
    for line in text.splitlines():
        for method, path in re.findall(r"(GET|POST|PUT|DELETE) `?(/api/[^`\s?]*)", line):
            found.add((method, re.sub(r"\{[^}]*\}", "x1", path)))
    return sorted(found)


class Unauthenticated(unittest.TestCase):
    def test_every_api_route_answers_401_without_a_session(self):
        routes = documented_routes()
        self.assertGreater(len(routes), 25, routes)  # the doc was read
        # Paths no part mounts: auth comes before routing, so a forgotten route stays closed.
        routes += [("GET", "/api/no-such-route"), ("POST", "/api/no-such-route"),
                   ("DELETE", "/api/users/x1/more"), ("PUT", "/api"), ("GET", "/api/")]
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            for method, path in routes:
                if (method, path) == ("POST", "/api/login"):
                    continue
                status, headers, body = c.request(method, path, json={} if method != "GET" else None)
                self.assertEqual(status, 401, f"{method} {path}: {body!r}")
                self.assertIn("error", json.loads(body))
                self.assertEqual(headers.get("cache-control"), "no-store")
            # a cookie the server never gave counts for nothing
            c.cookie = "studio_session=" + "ab" * 32
            self.assertEqual(c.get("/api/me")[0], 401)

    def test_a_session_ends_at_logout_and_the_cookie_is_safe(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            status, headers, body = c.post("/api/login", json={"name": ADMIN[0], "password": ADMIN[1]})
            self.assertEqual(status, 200)
            cookie = headers["set-cookie"]
            for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
                self.assertIn(attribute, cookie)
            self.assertNotIn("Secure", cookie)  # plain HTTP on 127.0.0.1
            me = json.loads(body)
            self.assertEqual((me["name"], me["role"]), ("ann", "admin"))
            c.csrf = me["csrf"]
            self.assertEqual(c.json("GET", "/api/me")["csrf"], me["csrf"])
            token = c.cookie
            self.assertEqual(c.post("/api/logout")[0], 200)
            c.cookie = token  # a copy of the cookie kept after logout
            self.assertEqual(c.get("/api/me")[0], 401)
            log = s.log()
            self.assertNotIn(ADMIN[1], log)
            self.assertNotIn(token.split("=", 1)[1], log)
            self.assertNotIn(me["csrf"], log)
            self.assertIn("GET /api/me 200 ann", log)

    def test_errors_speak_the_requests_language(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            _, _, zh = c.get("/api/me", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
            _, _, en = c.get("/api/me", headers={"Accept-Language": "en-US,zh;q=0.5"})
            self.assertEqual(json.loads(zh)["error"], "请先登录。")
            self.assertEqual(json.loads(en)["error"], "Please sign in first.")


class Csrf(unittest.TestCase):
    def test_changes_need_the_sessions_token(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            a = s.login(ADMIN[0], ADMIN[1])
            token = a.csrf
            new_user = {"name": "zoe", "password": "zoe-password", "role": "editor"}
            a.csrf = None
            self.assertEqual(a.post("/api/users", json=new_user)[0], 403)
            a.csrf = "0" * 64
            self.assertEqual(a.post("/api/users", json=new_user)[0], 403)
            self.assertEqual(a.put("/api/settings", json={"require_approval": True})[0], 403)
            self.assertEqual(a.delete("/api/users/ann")[0], 403)
            other = s.login(ADMIN[0], ADMIN[1])  # another session's token is not this one's
            a.csrf = other.csrf
            self.assertEqual(a.post("/api/users", json=new_user)[0], 403)
            self.assertNotIn("zoe", [u["name"] for u in a.json("GET", "/api/users")])
            a.csrf = token
            self.assertEqual(a.post("/api/users", json=new_user)[0], 201)
            self.assertIn("zoe", [u["name"] for u in a.json("GET", "/api/users")])

    def test_a_login_must_be_json_so_another_site_cannot_sign_the_browser_in(self):
        # A form on another site can POST text/plain without a preflight; it would sign the
        # browser in to the attacker's account (whose work the staff would then do).
        with Studio(BINARY, users=[ADMIN]) as s:
            body = json.dumps({"name": ADMIN[0], "password": ADMIN[1]}).encode()
            for kind in ["text/plain", "application/x-www-form-urlencoded", None]:
                headers = {"Content-Type": kind} if kind else {}
                status, headers_in, _ = s.client().request("POST", "/api/login", body=body,
                                                           headers=headers)
                self.assertEqual(status, 415, kind)
                self.assertNotIn("set-cookie", headers_in)
            status, _, _ = s.client().request(
                "POST", "/api/login", body=body,
                headers={"Content-Type": "application/json; charset=utf-8"})
            self.assertEqual(status, 200)


class Roles(unittest.TestCase):
    def test_only_admins_manage_accounts_and_settings(self):
        with Studio(BINARY, users=ALL_USERS) as s:
            for name, password, role in [EDITOR, APPROVER, ALERTS]:
                c = s.login(name, password)
                self.assertEqual(c.json("GET", "/api/me")["role"], role)
                self.assertEqual(c.get("/api/users")[0], 403, role)
                self.assertEqual(c.get("/api/settings")[0], 403, role)
                self.assertEqual(c.put("/api/settings", json={"require_approval": True})[0], 403)
                self.assertEqual(c.post("/api/users", json={"name": "x" + role,
                                 "password": "12345678", "role": "admin"})[0], 403)
                self.assertEqual(c.delete("/api/users/ann")[0], 403)
            a = s.login(ADMIN[0], ADMIN[1])
            self.assertEqual(len(a.json("GET", "/api/users")), 4)

    def test_accounts_lifecycle_and_the_last_admin(self):
        with Studio(BINARY, users=[ADMIN, EDITOR]) as s:
            a = s.login(ADMIN[0], ADMIN[1])
            self.assertEqual(a.put("/api/users/ann", json={"role": "editor"})[0], 409)
            self.assertEqual(a.delete("/api/users/ann")[0], 409)
            self.assertEqual(a.post("/api/users", json={"name": "ed", "password": "12345678",
                                                        "role": "editor"})[0], 409)
            self.assertEqual(a.post("/api/users", json={"name": "bo", "password": "short",
                                                        "role": "editor"})[0], 400)
            self.assertEqual(a.post("/api/users", json={"name": "bo", "password": "12345678",
                                                        "role": "king"})[0], 400)
            self.assertEqual(a.delete("/api/users/nobody-here")[0], 404)
            # a role change applies at the editor's next request
            e = s.login(EDITOR[0], EDITOR[1])
            self.assertEqual(e.get("/api/users")[0], 403)
            self.assertEqual(a.json("PUT", "/api/users/ed", json={"role": "admin"})["role"], "admin")
            self.assertEqual(e.get("/api/users")[0], 200)
            # two admins: now ann may step down
            self.assertEqual(a.put("/api/users/ann", json={"role": "approver"})[0], 200)
            self.assertEqual(a.get("/api/users")[0], 403)
            # a new password ends the account's sessions; the old password no longer works
            self.assertEqual(e.put("/api/users/ann", json={"password": "ann-new-pass"})[0], 200)
            self.assertEqual(a.get("/api/me")[0], 401)
            self.assertEqual(s.client().post("/api/login", json={"name": "ann",
                             "password": ADMIN[1]})[0], 401)
            s.login("ann", "ann-new-pass")
            # a removed account's session ends
            self.assertEqual(e.delete("/api/users/ann")[0], 200)
            self.assertEqual(s.client().post("/api/login", json={"name": "ann",
                             "password": "ann-new-pass"})[0], 401)

    def test_settings_are_kept_in_settings_json(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            a = s.login(ADMIN[0], ADMIN[1])
            self.assertEqual(a.json("GET", "/api/settings"), {"require_approval": False})
            self.assertEqual(a.put("/api/settings", json={"require_approval": "yes"})[0], 400)
            a.json("PUT", "/api/settings", json={"require_approval": True})
            self.assertEqual(a.json("GET", "/api/settings"), {"require_approval": True})
            path = os.path.join(s.data_dir, "settings.json")
            with open(path) as f:
                self.assertEqual(json.load(f), {"require_approval": True})
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)


class RateLimit(unittest.TestCase):
    def login(self, c, name, password):
        return c.post("/api/login", json={"name": name, "password": password})

    def test_wrong_passwords_lock_the_account_for_a_growing_time(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            for _ in range(5):
                self.assertEqual(self.login(c, "ann", "wrong-password")[0], 401)
            status, headers, body = self.login(c, "ann", ADMIN[1])  # even the right one waits
            self.assertEqual(status, 429)
            wait = json.loads(body)["retry_after_s"]
            self.assertGreaterEqual(wait, 1)
            self.assertEqual(headers["retry-after"], str(wait))
            time.sleep(wait + 0.2)
            self.assertEqual(self.login(c, "ann", "wrong-again")[0], 401)
            status, _, body = self.login(c, "ann", ADMIN[1])
            self.assertEqual(status, 429)
            second = json.loads(body)["retry_after_s"]
            self.assertGreater(second, wait)  # the lock grows
            time.sleep(second + 0.2)
            self.assertEqual(self.login(c, "ann", ADMIN[1])[0], 200)
            # a success clears the count: five more wrong ones before a lock again
            for _ in range(5):
                self.assertEqual(self.login(c, "ann", "wrong-password")[0], 401)
            self.assertEqual(self.login(c, "ann", ADMIN[1])[0], 429)

    def test_wrong_passwords_from_one_address_lock_that_address(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            for i in range(20):  # names that do not exist: same answer as a wrong password
                self.assertEqual(self.login(c, f"guess{i}", "wrong-password")[0], 401)
            status, _, body = self.login(c, "ann", ADMIN[1])
            self.assertEqual(status, 429)
            self.assertGreaterEqual(json.loads(body)["retry_after_s"], 1)


class Limits(unittest.TestCase):
    def raw(self, s, request_bytes):
        """Sends bytes as they are; returns the status line's code (or None if closed)."""
        port = int(s.url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            try:
                sock.sendall(request_bytes)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = b""
            try:
                while b"\r\n" not in data:
                    more = sock.recv(4096)
                    if not more:
                        break
                    data += more
            except ConnectionResetError:
                pass
        match = re.match(rb"HTTP/1\.1 (\d+)", data)
        return int(match.group(1)) if match else None

    def test_bodies_over_the_routes_limit_are_refused_with_413(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            c = s.client()
            big = {"name": "ann", "password": "x" * 5000}  # login takes 4 KB
            self.assertEqual(c.post("/api/login", json=big)[0], 413)
            a = s.login(ADMIN[0], ADMIN[1])
            huge = {"name": "bo", "password": "y" * (9 << 10), "role": "editor"}  # users: 8 KB
            self.assertEqual(a.post("/api/users", json=huge)[0], 413)
            # declared 100 MB, nothing sent: refused from the header, before any body is read
            head = (f"POST /api/users HTTP/1.1\r\nHost: x\r\nCookie: {a.cookie}\r\n"
                    f"X-CSRF-Token: {a.csrf}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {100 << 20}\r\n\r\n").encode()
            self.assertEqual(self.raw(s, head), 413)
            # chunked, no length: refused once the stream passes the limit
            chunk = b"z" * 4096
            body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(4))
            chunked = (f"POST /api/users HTTP/1.1\r\nHost: x\r\nCookie: {a.cookie}\r\n"
                       f"X-CSRF-Token: {a.csrf}\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
            self.assertEqual(self.raw(s, chunked + body + b"0\r\n\r\n"), 413)
            # the same unauthenticated: 401 before the size matters
            anon = (f"POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: {100 << 20}\r\n\r\n")
            self.assertEqual(self.raw(s, anon.encode()), 401)
            self.assertEqual(c.get("/api/me")[0], 401)  # and the server is still fine
            self.assertNotIn("bo", [u["name"] for u in a.json("GET", "/api/users")])

    def test_bodies_nested_too_deep_are_refused_and_the_studio_goes_on(self):
        # 2 MB of brackets fit the playlist routes' limit; serialising them again recursed
        # a million deep and overflowed the thread's stack (the studio crashed).
        n = 1_000_000
        deep = "[" * n + "]" * n
        with Studio(BINARY, users=[ADMIN]) as s:
            a = s.login(ADMIN[0], ADMIN[1])
            base = a.json("GET", "/api/draft")["version"]
            for method, path, body in [
                    ("POST", "/api/check", '{"playlist": {"x": %s}}' % deep),
                    ("PUT", "/api/draft", '{"base": "%s", "playlist": {"x": %s}}' % (base, deep)),
                    ("POST", "/api/preview", '{"item": 0, "playlist": {"x": %s}}' % deep)]:
                status, _, got = a.request(method, path, body=body.encode(),
                                           headers={"Content-Type": "application/json"})
                self.assertEqual(status, 400, f"{method} {path}: {got[:200]!r}")
            self.assertEqual(a.get("/api/me")[0], 200)  # still serving
            self.assertEqual(a.json("GET", "/api/draft")["version"], base)


class StaticFiles(unittest.TestCase):
    def test_the_web_dir_is_served_and_confined(self):
        with tempfile.TemporaryDirectory() as top:
            os.chmod(top, 0o755)
            web = os.path.join(top, "web")
            os.makedirs(os.path.join(web, "img"))
            files = {"index.html": b"<!doctype html><title>studio</title>",
                     "app.js": b"console.log(1)", "style.css": b"body{}",
                     "img/logo.svg": b"<svg/>", ".secret": b"hidden"}
            for name, data in files.items():
                with open(os.path.join(web, name), "wb") as f:
                    f.write(data)
            with open(os.path.join(top, "outside.txt"), "wb") as f:
                f.write(b"outside the web dir")
            os.symlink(os.path.join(top, "outside.txt"), os.path.join(web, "link.txt"))
            os.symlink("/etc", os.path.join(web, "etc"))
            env = dict(os.environ, SIGNAGE_STUDIO_WEB_DIR=web)
            with Studio(BINARY, users=[ADMIN], env=env) as s:
                c = s.client()
                for path, body, kind in [("/", files["index.html"], "text/html"),
                                         ("/index.html", files["index.html"], "text/html"),
                                         ("/app.js", files["app.js"], "text/javascript"),
                                         ("/style.css", files["style.css"], "text/css"),
                                         ("/img/logo.svg", files["img/logo.svg"], "image/svg+xml")]:
                    status, headers, got = c.get(path)
                    self.assertEqual((status, got), (200, body), path)
                    self.assertTrue(headers["content-type"].startswith(kind), headers)
                    self.assertEqual(headers["x-frame-options"], "DENY")
                    self.assertIn("default-src 'self'", headers["content-security-policy"])
                    self.assertEqual(headers["x-content-type-options"], "nosniff")
                    self.assertEqual(headers["referrer-policy"], "no-referrer")
                for path in ["/../outside.txt", "/%2e%2e/outside.txt", "/img/../../outside.txt",
                             "/link.txt", "/etc/passwd", "/.secret", "/img/%2e%2e/%2e%2e/outside.txt",
                             "/missing.js", "//etc/passwd"]:
                    status, _, got = c.get(path)
                    self.assertEqual(status, 404, path)
                    self.assertNotIn(b"outside the web dir", got)
                    self.assertNotIn(b"root:", got)
                self.assertEqual(c.post("/index.html", body=b"")[0], 404)

    def test_paths_that_are_not_utf8_answer_404_and_the_studio_goes_on(self):
        # libmicrohttpd decodes %FF into the byte 0xFF; the message that names the path must
        # still be JSON (the studio crashed on it, signed in or not).
        with Studio(BINARY, users=[ADMIN]) as s:
            anyone = s.client()
            for path in ["/%FF", "/img/%C3%28.png"]:
                status, _, got = anyone.get(path)
                self.assertEqual(status, 404, path)
                self.assertIn("error", json.loads(got))
            # A decoded %0A would start a forged line in the log (journald shows it as real).
            self.assertEqual(anyone.get("/x%0Asignage-studio:%20POST%20/api/users%20201%20ann")[0], 404)
            self.assertNotIn("\nsignage-studio: POST /api/users", s.log())
            signed_in = s.login(ADMIN[0], ADMIN[1])
            status, _, got = signed_in.get("/api/%FF")
            self.assertEqual(status, 404)
            self.assertIn("error", json.loads(got))
            status, _, got = signed_in.get("/api/thumbnail?item=%FF")
            self.assertEqual(status, 404, got)
            self.assertEqual(signed_in.get("/api/me")[0], 200)  # still serving


class Files(unittest.TestCase):
    def test_users_json_is_private_and_holds_no_password(self):
        with Studio(BINARY, users=ALL_USERS) as s:
            a = s.login(ADMIN[0], ADMIN[1])
            a.json("POST", "/api/users", json={"name": "新用户", "password": "pw-新的密码-1",
                                               "role": "editor"})
            s.login("新用户", "pw-新的密码-1")
            path = os.path.join(s.data_dir, "users.json")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            self.assertEqual(stat.S_IMODE(os.stat(s.data_dir).st_mode), 0o700)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for _, password, _ in ALL_USERS + [("", "pw-新的密码-1", "")]:
                self.assertNotIn(password, text)
            users = json.loads(text)["users"]
            self.assertEqual(len(users), 5)
            for u in users:
                self.assertTrue(u["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$"), u)

    def test_the_data_dir_is_made_0700(self):
        with tempfile.TemporaryDirectory() as top:
            os.chmod(top, 0o777)
            data = os.path.join(top, "fresh")
            with Studio(BINARY, data_dir=data) as s:
                self.assertEqual(s.client().get("/api/me")[0], 401)
                self.assertEqual(stat.S_IMODE(os.stat(data).st_mode), 0o700)
                if os.geteuid() == 0:
                    self.assertEqual(os.stat(data).st_uid, pwd.getpwnam("nobody").pw_uid)


class Privileges(unittest.TestCase):
    def test_root_needs_run_as_and_gives_root_up(self):
        with tempfile.TemporaryDirectory() as top:
            config = os.path.join(top, "studio.conf")
            open(config, "w").close()
            args = emulator() + [BINARY, "--config", config, "--data-dir", os.path.join(top, "d"), "--port", "0"]
            if os.geteuid() == 0:
                result = subprocess.run(args, capture_output=True, timeout=60)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(b"refusing to run as root", result.stderr)
                self.assertIn(b"--run-as", result.stderr)
                self.assertFalse(os.path.exists(os.path.join(top, "d")))
                with Studio(BINARY, users=[ADMIN]) as s:  # the fixture adds --run-as nobody
                    with open(f"/proc/{s.proc.pid}/status") as f:
                        status = f.read()
                    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
                    gids = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
                    nobody = pwd.getpwnam("nobody")
                    self.assertEqual(set(uids), {str(nobody.pw_uid)})
                    self.assertEqual(set(gids), {str(nobody.pw_gid)})
                    self.assertEqual(re.search(r"^Groups:[ \t]*(.*)$", status, re.M).group(1).strip(), "")
            else:
                result = subprocess.run(args + ["--run-as", "root"], capture_output=True, timeout=60)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(b"needs the studio to be started as root", result.stderr)

    def test_add_user_resets_a_password_and_refuses_bad_input(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            def add_user(*args, password="another-pass-1"):
                command = emulator() + [BINARY, *args, "--data-dir", s.data_dir,
                                        "--config", s.config]
                if os.geteuid() == 0:
                    command += ["--run-as", "nobody"]
                return subprocess.run(command, input=(password + "\n").encode(),
                                      capture_output=True, timeout=120)
            # the spelling; an existing name gets the new password and role
            self.assertEqual(add_user("--add-user", "ann", "--role", "admin").returncode, 0)
            self.assertEqual(s.client().post("/api/login", json={"name": "ann",
                             "password": ADMIN[1]})[0], 401)
            s.login("ann", "another-pass-1")
            bad = add_user("add-user", "bo", "--role", "king")
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn(b"--role editor|approver|alert_sender|admin", bad.stderr)
            short = add_user("add-user", "bo", "--role", "editor", password="short")
            self.assertNotEqual(short.returncode, 0)
            self.assertIn(b"at least 8 characters", short.stderr)

    def test_sigterm_stops_cleanly(self):
        with Studio(BINARY, users=[ADMIN]) as s:
            s.login(ADMIN[0], ADMIN[1])
            self.assertEqual(s.stop(), 0)
            self.assertIn("stopping", s.log())


class Tls(unittest.TestCase):
    def openssl(self, *args, cwd):
        subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=120)

    def test_https_with_a_certificate_made_now(self):
        with tempfile.TemporaryDirectory() as tls:
            self.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                         "-subj", "/CN=studio test CA", cwd=tls)
            self.openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
                         cwd=tls)
            with open(os.path.join(tls, "ext.cnf"), "w") as f:
                f.write("subjectAltName=IP:127.0.0.1\n")
            self.openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                         "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile",
                         "ext.cnf", cwd=tls)
            os.chmod(os.path.join(tls, "server.key"), 0o600)  # root's only: read before run_as
            context = ssl.create_default_context(cafile=os.path.join(tls, "ca.pem"))
            args = ["--tls-cert", os.path.join(tls, "server.pem"),
                    "--tls-key", os.path.join(tls, "server.key")]
            with Studio(BINARY, users=[ADMIN], extra_args=args, ssl_context=context) as s:
                self.assertTrue(s.url.startswith("https://127.0.0.1:"), s.url)
                c = s.client()
                status, headers, _ = c.post("/api/login", json={"name": ADMIN[0],
                                                                "password": ADMIN[1]})
                self.assertEqual(status, 200)
                self.assertIn("Secure", headers["set-cookie"])
                self.assertEqual(c.get("/api/me")[0], 200)
                # a client that does not trust the CA refuses the server
                strict = Client(s.url, ssl.create_default_context())
                with self.assertRaises(ssl.SSLCertVerificationError):
                    strict.get("/api/me")
                # plain HTTP to the TLS port gets no answer
                port = int(s.url.rsplit(":", 1)[1].strip("/"))
                plain = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
                    plain.request("GET", "/api/me")
                    plain.getresponse().read()
                # curl verifying against the CA
                result = subprocess.run(["curl", "-sS", "--cacert", os.path.join(tls, "ca.pem"),
                                         "-o", "/dev/null", "-w", "%{http_code}",
                                         s.url + "api/me"], capture_output=True, timeout=60)
                self.assertEqual(result.stdout, b"401", result.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
