#!/usr/bin/env python3
"""A small HTTP server that serves a bundle folder and injects faults, for the sync tests.

  fault_server.py --root DIR --mode-file FILE --log FILE --port-file FILE [--lifetime S]

It listens on 127.0.0.1 on a free port (written to --port-file), re-reads --mode-file at every
request and logs every request as one JSON line to --log, so tests can see request times
(backoff), what was fetched and what was served:
  {"t": monotonic seconds at arrival, "path", "mode", "ua": the User-Agent,
   "served": sha256 of the file whose bytes (or part of them) are sent; null: none (404, 500,
   hang, corrupt, ...)}
A POST (the heartbeat) is answered 204 (500 in mode 500) and logged with mode "MODE post N" (N:
the body's size), "content_type" and "body" (the body as text). It exits by itself after
--lifetime seconds, so a test that dies never leaves it behind.

The mode file holds "MODE [SUFFIX]": the fault applies to paths ending with SUFFIX (default: every
path); other paths are served normally. Modes:
  ok            serve files from --root (404 when missing)
  500           status 500
  hang          read the request, never answer (until the client gives up or --lifetime)
  drip          the right headers, then 5 bytes per second
  truncate      Content-Length of the whole file, half of it, then close
  short_length  Content-Length of half the file, then the whole file (the client reads half)
  corrupt       the right size, every byte flipped (an asset with the wrong hash)
  huge          a chunked body of 50 MB of spaces (no Content-Length)
  invalid_json  200 with a body that is not JSON
  rate:N        serve normally at N bytes per second (for kill -9 during downloads)
"""
import argparse
import hashlib
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--mode-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()
    root = os.path.realpath(args.root)
    log_lock = threading.Lock()
    deadline = time.monotonic() + args.lifetime

    def current_mode(path):
        try:
            with open(args.mode_file) as f:
                words = f.read().split()
        except OSError:
            words = []
        mode = words[0] if words else "ok"
        suffix = words[1] if len(words) > 1 else ""
        return mode if path.endswith(suffix) else "ok"

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):  # quiet: our own log instead
            pass

        def record(self, mode, t, **extra):
            entry = {"t": t, "path": self.path, "mode": mode,
                     "ua": self.headers.get("User-Agent", "")}
            entry.update(extra)
            with log_lock, open(args.log, "a") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

        def read_file(self, path):
            relative = urllib.parse.unquote(path).lstrip("/")
            full = os.path.realpath(os.path.join(root, relative))
            if not full.startswith(root + os.sep) or not os.path.isfile(full):
                return None
            with open(full, "rb") as f:
                return f.read()

        def headers_for(self, status, length=None, chunked=False):
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif length is not None:
                self.send_header("Content-Length", str(length))
            self.send_header("Connection", "close")
            self.end_headers()

        def do_GET(self):
            self.close_connection = True
            path = self.path.split("?", 1)[0]
            t = time.monotonic()
            mode = current_mode(path)
            # What this request will be served, read before it is logged, so that a test that
            # replaces a file and then reads the log knows which version each request got.
            data = self.read_file(path)
            sends_file = data is not None and (
                mode in ("ok", "drip", "truncate", "short_length") or mode.startswith("rate:"))
            self.record(mode, t, served=hashlib.sha256(data).hexdigest() if sends_file else None)
            try:
                self.serve(path, mode, data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should

        def do_POST(self):  # the heartbeat: read the body, log it
            t = time.monotonic()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            self.close_connection = True
            mode = current_mode(self.path)
            self.record(mode + " post %d" % len(body), t,
                        content_type=self.headers.get("Content-Type", ""),
                        body=body.decode("utf-8", "replace"))
            status = 500 if mode == "500" else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()

        def serve(self, path, mode, data):
            if mode == "500":
                body = b"internal error\n"
                self.headers_for(500, len(body))
                self.wfile.write(body)
                return
            if mode == "hang":
                while time.monotonic() < deadline:
                    # A closed client shows as readable with no data.
                    self.connection.settimeout(0.2)
                    try:
                        if self.connection.recv(1) == b"":
                            return
                    except TimeoutError:
                        pass
                    except OSError:
                        return
                return
            if mode == "huge":
                self.headers_for(200, chunked=True)
                chunk = b" " * 65536
                for _ in range(50 * 16):  # 50 MB
                    self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            if mode == "invalid_json":
                body = b'{"version": 1, "items": [ this is not json\n'
                self.headers_for(200, len(body))
                self.wfile.write(body)
                return
            if data is None:
                body = b"not found\n"
                self.headers_for(404, len(body))
                self.wfile.write(body)
                return
            if mode == "drip":
                self.headers_for(200, len(data))
                for i in range(0, len(data), 5):
                    self.wfile.write(data[i : i + 5])
                    self.wfile.flush()
                    time.sleep(1)
                    if time.monotonic() > deadline:
                        return
                return
            if mode == "truncate":
                self.headers_for(200, len(data))
                self.wfile.write(data[: len(data) // 2])
                return
            if mode == "short_length":
                self.headers_for(200, len(data) // 2)
                self.wfile.write(data)
                return
            if mode == "corrupt":
                data = bytes(b ^ 0xFF for b in data)
            if mode.startswith("rate:"):
                rate = max(1, int(mode[5:]))
                self.headers_for(200, len(data))
                step = max(1, rate // 20)
                for i in range(0, len(data), step):
                    self.wfile.write(data[i : i + step])
                    time.sleep(step / rate)
                return
            self.headers_for(200, len(data))
            self.wfile.write(data)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    port_tmp = args.port_file + ".tmp"
    with open(port_tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_tmp, args.port_file)

    def expire():
        time.sleep(max(0.0, deadline - time.monotonic()))
        os._exit(0)  # bounded in time whatever the test does

    threading.Thread(target=expire, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
