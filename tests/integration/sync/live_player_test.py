#!/usr/bin/env python3
"""Live data in the player (run --headless --source), against nginx serving files written here.

  live_player_test.py CASE --player PLAYER [--emulator PART]... --nginx NGINX

CASE is one of:
  feeds  an RSS feed (titles with HTML and a <script>) becomes ticker headlines after the written
         one, cut to max_items; a JSON and a CSV endpoint fill two statistics; the next fetches
         are conditional (nginx's access log shows 304s with no body); the playlist switched to
         an Atom feed shows the Atom entries
  bad    broken XML, a wrong JSON pointer and a CSV value that is not a number, then an entity
         bomb and 50 MB bodies (one with a Content-Length, one gzipped without): each is reported
         in status.json and the log, the last good data stays, the 50 MB bodies are refused
         without reading them (bytes read in the log); a restarted player with nginx gone shows
         the last good data from the state folder

Deadlines are generous; times are printed, never asserted. Exit status 0: passed, 1: failed.
"""
import argparse
import gzip
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sync_player_test import Failure, Run, access_lines, check, read_status, wait_for, write  # noqa: E402

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>街道新闻</title>
<item><title>&lt;b&gt;停水&lt;/b&gt;通知&lt;script&gt;alert('x')&lt;/script&gt;</title></item>
<item><title><![CDATA[寒潮<i>预警</i>  &amp; 防护]]></title></item>
<item><title>第三条</title></item>
<item><title>第四条（超出 max_items）</title></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>
<entry><title type="html">&lt;p&gt;社区&lt;/p&gt;&lt;style&gt;p{}&lt;/style&gt;活动</title></entry>
<entry><title>义诊</title></entry>
</feed>
"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
""" + "".join('<!ENTITY %s "%s">\n' % (chr(ord("b") + i), ("&%s;" % chr(ord("a") + i)) * 10)
              for i in range(9)) + """]>
<rss><channel><item><title>&j;</title></item></channel></rss>
"""
RSS_ITEMS = ["停水通知", "寒潮预警 & 防护", "第三条"]
ATOM_ITEMS = ["社区 活动", "义诊"]


def playlist(revision, base, feed):
    return (json.dumps({
        "version": 1, "id": "live", "revision": revision, "title": "实时数据",
        "items": [
            {"type": "statistic", "id": "json", "value": "0", "label": "今日访客",
             "source": {"url": base + "/value.json", "json_pointer": "/data/0/value", "refresh_s": 5}},
            {"type": "statistic", "id": "csv", "value": "0", "label": "本月活动", "unit": "场",
             "source": {"url": base + "/table.csv", "csv_column": "活动", "csv_row": "last", "refresh_s": 5}},
        ],
        "ticker": {"items": ["固定标题"], "feed": {"url": base + "/" + feed, "max_items": 3, "refresh_s": 5}},
    }, ensure_ascii=False, indent=2) + "\n").encode()


def feeds(state):
    status = read_status(state)
    return {re.sub(r"^http://[^/]+", "", f["url"]): f for f in (status or {}).get("feeds", [])}


def log_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def setup(run):
    root, state = run.path("www"), run.path("state")
    write(os.path.join(root, "news.rss"), RSS.encode())
    write(os.path.join(root, "news.atom"), ATOM.encode())
    write(os.path.join(root, "value.json"), b'{"data": [{"value": 1234}]}')
    write(os.path.join(root, "table.csv"), "日期,活动\n2025-01-01,12\n2025-01-02,\"1,250\"\n".encode())
    port, access = run.nginx(root)
    base = "http://127.0.0.1:%d" % port
    write(os.path.join(root, "playlist.json"), playlist(1, base, "news.rss"))
    return root, state, base, access


def wait_good(state, what="the RSS titles and both values in status.json"):
    def good():
        f = feeds(state)
        return (f.get("/news.rss", {}).get("items") == RSS_ITEMS and f.get("/value.json", {}).get("value") == "1234"
                and f.get("/table.csv", {}).get("value") == "1,250")
    return wait_for(good, what, 90)


def case_feeds(run):
    root, state, base, access = setup(run)
    log = run.path("player.log")
    player = run.player(state, base + "/playlist.json", 300, log=log)
    t0 = time.monotonic()
    wait_good(state)
    print("feeds and values in %.1f s" % (time.monotonic() - t0))
    # The playlist handed to the player: the written headline, then the feed's first three.
    wait_for(lambda: "the ticker now shows: 固定标题 | " + " | ".join(RSS_ITEMS) in log_text(log),
             "the filled ticker in the log", 60)
    text = log_text(log)
    check("<script>" not in text and "alert(" not in text and "<b>" not in text, "HTML reached the ticker")
    check("第四条" not in text.split("the ticker now shows:")[-1], "max_items not applied")
    f = feeds(state)
    check(f["/news.rss"]["kind"] == "feed" and f["/news.rss"]["last_error"] is None, "feed status: %s" % f["/news.rss"])
    check(f["/value.json"]["last_ok"], "no last_ok for the JSON value")
    # Conditional GET: nginx answers the next fetches of unchanged files with 304 and no body.
    wait_for(lambda: sum(1 for l in access_lines(access) if l.startswith("304 0 /news.rss")) >= 2,
             "two 304 answers for the feed in nginx's access log", 60)
    check(any(l.startswith("304 0 /table.csv") for l in access_lines(access))
          or wait_for(lambda: any(l.startswith("304 0 /table.csv") for l in access_lines(access)),
                      "a 304 for the CSV", 30), "no 304 for the CSV")
    fetches = [l for l in access_lines(access) if l.endswith("/news.rss")]
    check(sum(1 for l in fetches if l.startswith("200 ")) == 1, "the unchanged feed was fetched whole again: %s" % fetches)
    # Revision 2 names an Atom feed: its entries replace the RSS titles.
    time.sleep(1.1)
    write(os.path.join(root, "playlist.json"), playlist(2, base, "news.atom"))
    wait_for(lambda: feeds(state).get("/news.atom", {}).get("items") == ATOM_ITEMS, "the Atom titles in status.json", 90)
    wait_for(lambda: "the ticker now shows: 固定标题 | " + " | ".join(ATOM_ITEMS) in log_text(log)
             or "the ticker shows: 固定标题 | " + " | ".join(ATOM_ITEMS) in log_text(log),
             "the Atom titles on the ticker", 60)
    run.stop(player, log)


def case_bad(run):
    root, state, base, access = setup(run)
    log = run.path("player.log")
    player = run.player(state, base + "/playlist.json", 300, log=log)
    wait_good(state)
    # 1. Broken XML, a pointer that leads nowhere, a value that is not a number.
    write(os.path.join(root, "news.rss"), b"<rss><channel><item><title>x</title></channel>")
    write(os.path.join(root, "value.json"), b'{"data": []}')
    write(os.path.join(root, "table.csv"), "日期,活动\n2025-01-03,很多\n".encode())

    def errors(expected):
        def seen():
            f = feeds(state)
            return all(expected[k] in (f.get(k, {}).get("last_error") or "") for k in expected)
        return seen
    wait_for(errors({"/news.rss": "not a well-formed feed", "/value.json": "the JSON has no value at /data/0/value",
                     "/table.csv": "is \"很多\", not a number"}), "the three errors in status.json", 90)
    f = feeds(state)
    check(f["/news.rss"]["items"] == RSS_ITEMS, "the last good titles were not kept: %s" % f["/news.rss"])
    check(f["/value.json"]["value"] == "1234" and f["/table.csv"]["value"] == "1,250", "the last good values were not kept")
    text = log_text(log)
    check("the last good data stays" in text, "the log does not say the last good data stays")
    check("很多" not in text.split("the ticker now shows:")[-1].split("\n")[0], "a bad value reached the player")
    # 2. An entity bomb, and 50 MB bodies: one with a Content-Length (refused before the body),
    # one gzipped by nginx without one (aborted past the limit as it arrives).
    write(os.path.join(root, "news.rss"), BOMB.encode())
    big = b'{"data": [{"value": 1}], "padding": "' + b" " * (50 << 20) + b'"}'
    write(os.path.join(root, "value.json"), big)
    write(os.path.join(root, "table.csv"), b"a\n" + b"1\n" * (25 << 20))
    wait_for(errors({"/value.json": "larger than 2097152 bytes", "/table.csv": "larger than 2097152 bytes"}),
             "the size errors in status.json", 120)
    wait_for(lambda: "entit" in (feeds(state)["/news.rss"]["last_error"] or ""), "the entity bomb refused", 60)
    f = feeds(state)
    print("entity bomb: %s" % f["/news.rss"]["last_error"])
    check(f["/news.rss"]["items"] == RSS_ITEMS, "the titles were lost to the bomb")
    check(f["/value.json"]["value"] == "1234" and f["/table.csv"]["value"] == "1,250", "the values were lost")
    reads = [int(n) for n in re.findall(r"refused after (\d+) bytes read", log_text(log))]
    print("bytes read of the 50 MB bodies: %s" % reads)
    check(reads and max(reads) <= (2 << 20) + (1 << 20), "a 50 MB body was read past the limit: %s" % reads)
    sent = [int(l.split()[1]) for l in access_lines(access) if l.split()[2] in ("/value.json", "/table.csv")]
    check(max(sent) < (20 << 20), "nginx sent %d bytes of a 50 MB body" % max(sent))
    with open("/proc/%d/status" % player.pid) as s:
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", s.read()).group(1))
    print("player resident memory after the 50 MB bodies: %d MB" % (rss_kb // 1024))
    # 50 MB would show: the limit leaves room for ASan's shadow memory and qemu-user's own.
    limit_mb = 600 if run.args.emulator else 200
    check(rss_kb < limit_mb * 1024, "the player holds %d MB" % (rss_kb // 1024))
    run.stop(player, log)
    # 3. Offline: nginx gone, a restarted player shows the last good data from the state folder.
    for proc in run.procs:
        if proc is not player and proc.poll() is None:
            proc.terminate()
            proc.wait()
    log2 = run.path("player-offline.log")
    player = run.player(state, base + "/playlist.json", 300, log=log2)
    wait_for(lambda: "the ticker shows: 固定标题 | " + " | ".join(RSS_ITEMS) in log_text(log2),
             "the kept titles after a restart without the server", 60)
    f = wait_for(lambda: feeds(state).get("/value.json"), "feeds in status.json after the restart", 60)
    check(f["value"] == "1234", "the kept value after a restart: %s" % f)
    wait_for(lambda: "first frame on screen" in log_text(log2), "the first frame after the restart", 60)
    run.stop(player, log2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["feeds", "bad"])
    parser.add_argument("--player", required=True)
    parser.add_argument("--emulator", action="append", default=[])
    parser.add_argument("--nginx", default="")
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--backoff-cap", type=float, default=2.0)
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
