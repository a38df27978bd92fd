"""The studio's workspace over HTTP, against the real signage-studio: two browsers saving the same
draft, publishing (signed; `signage-player check` passes on the published folder), the loop,
approvals, alerts, revisions and history, and who may do what.

    python3 workspace_test.py PATH/TO/signage-studio PATH/TO/signage-player DEMO_BUNDLE [unittest args]
"""

import json
import os
import pwd
import subprocess
import sys
import tempfile
import unittest

from studio_fixture import Studio, emulator

BINARY = PLAYER = DEMO = None
ADMIN = ("ann", "ann-password-1", "admin")
EDITOR = ("ed", "ed-password-12", "editor")
APPROVER = ("apu", "apu-password-1", "approver")
ALERTS = ("al", "al-password-12", "alert_sender")


class Workspace(unittest.TestCase):
    def setUp(self):
        self.keys = tempfile.mkdtemp(prefix="studio-keys-")
        os.chmod(self.keys, 0o755)
        subprocess.run(emulator() + [PLAYER, "keygen", os.path.join(self.keys, "studio")], check=True,
                       stdout=subprocess.DEVNULL)
        if os.geteuid() == 0:  # the studio runs as nobody and reads its key
            os.chown(os.path.join(self.keys, "studio.key"), pwd.getpwnam("nobody").pw_uid, -1)
        self.studio = Studio(BINARY, users=[ADMIN, EDITOR, APPROVER, ALERTS],
                             extra_args=["--seed", DEMO, "--sign-key",
                                         os.path.join(self.keys, "studio.key")])
        self.studio.__enter__()

    def tearDown(self):
        self.studio.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", self.keys])

    def login(self, user):
        return self.studio.login(user[0], user[1])

    def published(self):
        return os.path.join(self.studio.data_dir, "published")

    def test_two_browsers_the_second_save_is_told_and_nothing_is_lost(self):
        one, two = self.login(EDITOR), self.login(APPROVER)
        a, b = one.json("GET", "/api/draft"), two.json("GET", "/api/draft")
        self.assertEqual(a["version"], b["version"])
        self.assertEqual(a["playlist"]["id"], "hexi-2024")
        a["playlist"]["title"] = "和平里社区服务中心"
        b["playlist"]["title"] = "第二个浏览器的标题"
        saved = one.json("PUT", "/api/draft", {"base": a["version"], "playlist": a["playlist"]})
        self.assertEqual(saved["playlist"]["title"], "和平里社区服务中心")
        status, _, data = two.put("/api/draft", json={"base": b["version"], "playlist": b["playlist"]},
                                  headers={"Accept-Language": "zh-CN"})
        self.assertEqual(status, 409)
        body = json.loads(data)
        self.assertIn("草稿", body["error"])
        self.assertEqual(body["current"]["playlist"]["title"], "和平里社区服务中心")
        again = two.json("PUT", "/api/draft", {"base": body["current"]["version"],
                                                "playlist": b["playlist"]})
        self.assertEqual(again["playlist"]["title"], "第二个浏览器的标题")
        # An alert sender may look but not edit.
        watcher = self.login(ALERTS)
        status, _, _ = watcher.put("/api/draft", json={"base": again["version"],
                                                        "playlist": b["playlist"]})
        self.assertEqual(status, 403)

    def test_check_and_loop(self):
        c = self.login(EDITOR)
        draft = c.json("GET", "/api/draft")
        playlist = draft["playlist"]
        playlist["items"][0]["duration"] = -5
        checked = c.json("POST", "/api/check", {"playlist": playlist})
        self.assertEqual(checked["diagnostics"][0]["pointer"], "/items/0/duration")
        self.assertEqual(checked["diagnostics"][0]["severity"], "error")
        loop = c.json("GET", "/api/loop?at=2025-03-03T09:30:00%2B08:00")
        self.assertEqual(loop["at"], "2025-03-03T09:30:00+08:00")
        self.assertEqual(loop["slots"][0]["id"], draft["playlist"]["items"][0]["id"])
        self.assertGreater(loop["length_s"], 0)
        status, _, _ = c.get("/api/loop?at=tomorrow")
        self.assertEqual(status, 400)

    def test_publish_restore_history(self):
        c = self.login(ADMIN)
        draft = c.json("GET", "/api/draft")
        first = c.json("POST", "/api/publish", {"base": draft["version"], "note": "第一版"})
        check = subprocess.run(emulator() + [PLAYER, "check", self.published()], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn(" 0 warnings", check.stdout)
        with open(os.path.join(self.published(), "playlist.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["revision"], first["revision"])
        self.assertTrue(os.path.exists(os.path.join(self.published(), "playlist.json.sig")))
        draft["playlist"]["title"] = "第二版"
        saved = c.json("PUT", "/api/draft", {"base": draft["version"], "playlist": draft["playlist"]})
        second = c.json("POST", "/api/publish", {"base": saved["version"], "note": "第二版"})
        self.assertGreater(second["revision"], first["revision"])
        status, _, _ = c.post("/api/publish", json={"base": draft["version"]})
        self.assertEqual(status, 409)  # a stale base
        restored = c.json("POST", f"/api/revisions/{first['revision']}/restore")
        self.assertGreater(restored["revision"], second["revision"])
        # The draft is the first revision's content again (the demo's title).
        self.assertEqual(c.json("GET", "/api/draft")["playlist"]["title"], "奋力打造“四个高地”")
        revisions = c.json("GET", "/api/revisions")
        self.assertEqual([r["revision"] for r in revisions],
                         [restored["revision"], second["revision"], first["revision"]])
        self.assertTrue(revisions[0]["current"])
        self.assertEqual(revisions[2]["note"], "第一版")
        self.assertEqual([h["what"] for h in c.json("GET", "/api/history")],
                         ["publish", "publish", "restore"])

    def test_approval_and_alerts(self):
        admin = self.login(ADMIN)
        admin.json("PUT", "/api/settings", {"require_approval": True})
        editor, approver = self.login(EDITOR), self.login(APPROVER)
        draft = editor.json("GET", "/api/draft")
        asked = editor.json("POST", "/api/publish", {"base": draft["version"], "note": "请审批"})
        self.assertIn("pending", asked)
        self.assertFalse(os.path.lexists(self.published()))
        status, _, _ = editor.post(f"/api/pending/{asked['pending']}/approve")
        self.assertEqual(status, 403)  # an editor may not approve
        self.assertEqual(len(approver.json("GET", "/api/pending")), 1)
        done = approver.json("POST", f"/api/pending/{asked['pending']}/approve")
        self.assertIn("revision", done)
        sender = self.login(ALERTS)
        alert = sender.json("POST", "/api/alerts",
                            {"title": "停水通知", "body": "今日8时至18时停水", "minutes": 120})
        with open(os.path.join(self.published(), "playlist.json"), encoding="utf-8") as f:
            items = json.load(f)["items"]
        self.assertEqual(items[-1]["id"], alert["id"])
        self.assertEqual(items[-1]["type"], "alert")
        self.assertEqual(items[-1]["priority"], 3)  # sent alerts are emergencies by default
        check = subprocess.run(emulator() + [PLAYER, "check", self.published()], capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("an alert, shown instead of the loop", check.stdout)
        status, _, _ = editor.post("/api/alerts", json={"title": "x", "minutes": 5})
        self.assertEqual(status, 403)
        for priority in (0, 4, "3", 2.5):
            status, _, _ = sender.post("/api/alerts", json={"title": "x", "minutes": 5, "priority": priority})
            self.assertEqual(status, 400, priority)
        removed = sender.json("DELETE", f"/api/alerts/{alert['id']}")
        self.assertGreater(removed["revision"], alert["revision"])
        self.assertEqual([h["what"] for h in admin.json("GET", "/api/history")],
                         ["request", "approve", "alert", "alert removed"])


if __name__ == "__main__":
    BINARY, PLAYER, DEMO = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=[sys.argv[0]] + sys.argv[4:])
