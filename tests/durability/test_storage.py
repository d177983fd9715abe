#!/usr/bin/env python3
"""Disk trouble, on a real (small) disk: the real server on a tmpfs that fills up, and on
a database that cannot be written.

The data folder is a tmpfs mounted for the test (4 MiB). As root that is a plain mount;
otherwise the script re-runs itself inside a user and mount namespace
(`unshare --user --map-root-user --mount`), where an unprivileged user may mount a
tmpfs. Where neither is allowed the tests are skipped and say why.

    python3 tests/durability/test_storage.py
"""

import errno
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NAMESPACE_FLAG = "CLAWCHAT_STORAGE_TEST_NS"
SKIP_REASON = None


def mount_tmpfs(path, size):
    return subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", path],
        capture_output=True, text=True,
    )


def can_mount():
    probe = tempfile.mkdtemp(prefix="clawchat-mount-probe-")
    try:
        ok = mount_tmpfs(probe, "64k").returncode == 0
        if ok:
            subprocess.run(["umount", probe], check=True)
        return ok
    finally:
        os.rmdir(probe)


def fill(path):
    """Writes zeros to `path` until the disk refuses; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                written += f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        # The last partial chunk: fill to the byte.
        for size in (4096, 512, 1):
            while True:
                try:
                    written += f.write(b"\0" * size)
                except OSError:
                    break
    return written


class Disk(unittest.TestCase):
    def setUp(self):
        if SKIP_REASON:
            self.skipTest(SKIP_REASON)
        self.data_dir = tempfile.mkdtemp(prefix="clawchat-disk-")
        result = mount_tmpfs(self.data_dir, "4m")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.server = harness.Server(self.data_dir, log_path=self.data_dir + ".log")

    def tearDown(self):
        if SKIP_REASON:
            return
        self.server.kill()
        subprocess.run(["umount", "-l", self.data_dir], check=False)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if os.path.exists(self.data_dir + ".log"):
            os.remove(self.data_dir + ".log")

    def assert_no_panic(self):
        log = self.server.log_tail(200_000)
        self.assertNotIn("panicked", log)
        self.assertNotIn("internal error", log, "a storage failure became a 500")

    def test_a_full_disk_answers_storage_full_and_recovers_when_space_returns(self):
        self.server.start()
        client = self.server.client().login()
        status, first = client.call("POST", "/api/memos", {"content": "written before the disk filled"})
        self.assertEqual(status, 201, first)

        ballast = os.path.join(self.data_dir, "ballast")
        self.assertGreater(fill(ballast), 0)

        saved, refused = [], None
        big = "lorem ipsum dolor " * 3000  # ~54 KB a memo: the write-ahead log must grow
        for i in range(200):
            status, body = client.call("POST", "/api/memos", {"content": f"memo {i} {big}"})
            if status == 201:
                saved.append(body["id"])
                continue
            refused = (status, body)
            break
        self.assertIsNotNone(refused, "the disk never filled up")
        status, body = refused
        self.assertEqual(status, 507, body)
        self.assertEqual(body["code"], "storage_full")
        self.assertIn("full", body["detail"])
        self.assertNotIn("SQLITE", str(body).upper(), "internal text leaked into the answer")

        # Every other write says the same; reads go on working.
        for method, path, payload in [
            ("POST", "/api/todos", {"title": "no room", "description": big[:9000]}),
            ("POST", "/api/chat/send", {"content": "add a todo to buy milk " + big[:9000]}),
            ("PATCH", f"/api/memos/{first['id']}", {"content": big}),
        ]:
            status, body = client.call(method, path, payload)
            self.assertEqual((status, body.get("code")), (507, "storage_full"), f"{method} {path}: {body}")
        status, page = client.call("GET", "/api/memos?limit=5")
        self.assertEqual(status, 200, page)
        status, memo = client.call("GET", f"/api/memos/{first['id']}")
        self.assertEqual((status, memo["content"]), (200, "written before the disk filled"))

        log = self.server.log_tail(200_000)
        self.assertIn("the disk holding the database is full", log)
        self.assert_no_panic()

        # Space returns: writes succeed again, on the same running server.
        os.remove(ballast)
        status, body = client.call("POST", "/api/memos", {"content": "written after space returned"})
        self.assertEqual(status, 201, body)
        status, body = client.call("POST", "/api/chat/send", {"content": "add a todo to buy bread"})
        self.assertEqual(status, 202, body)
        for memo_id in saved + [first["id"]]:
            status, _ = client.call("GET", f"/api/memos/{memo_id}")
            self.assertEqual(status, 200, f"memo {memo_id} was acknowledged and is gone")
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())
        self.assertEqual(harness.check_store(self.server.db_path), [])
        self.assert_no_panic()


    def test_a_read_only_database_is_readable_and_refuses_changes_cleanly(self):
        self.server.start()
        client = self.server.client().login()
        status, memo = client.call("POST", "/api/memos", {"content": "kept on a read-only disk"})
        self.assertEqual(status, 201, memo)
        self.assertEqual(self.server.stop(), 0)

        remount = subprocess.run(["mount", "-o", "remount,bind,ro", self.data_dir], capture_output=True, text=True)
        self.assertEqual(remount.returncode, 0, remount.stderr)
        self.server.pin = None  # checking a given PIN could mean storing it
        self.server.log_path = self.data_dir + ".log"
        self.server.start()
        client.base = self.server.base  # a new port each start
        # The token from before is still good; what is stored reads back.
        status, body = client.call("GET", f"/api/memos/{memo['id']}")
        self.assertEqual((status, body.get("content")), (200, "kept on a read-only disk"), body)
        status, page = client.call("GET", "/api/search?q=disk")
        self.assertEqual(status, 200, page)
        # Every change is refused in the contract's shape, and nothing breaks.
        for method, path, payload in [
            ("POST", "/api/memos", {"content": "cannot be kept"}),
            ("PATCH", f"/api/memos/{memo['id']}", {"content": "changed"}),
            ("DELETE", f"/api/memos/{memo['id']}", None),
            ("POST", "/api/chat/send", {"content": "add a todo to buy milk"}),
            ("POST", "/api/auth/login", {"pin": harness.PIN}),
        ]:
            status, body = client.call(method, path, payload)
            self.assertEqual((status, body.get("code")), (503, "storage_read_only"), f"{method} {path}: {body}")
            self.assertIn("read-only", body["detail"])
        log = self.server.log_tail(200_000)
        self.assertIn("the database is read-only", log)
        self.assertIn("read-only file system", log)
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())
        self.assert_no_panic()

        # Writable again: a restart takes changes, and the memo is unchanged.
        remount = subprocess.run(["mount", "-o", "remount,bind,rw", self.data_dir], capture_output=True, text=True)
        self.assertEqual(remount.returncode, 0, remount.stderr)
        self.server.start()
        client.base = self.server.base
        status, body = client.call("POST", "/api/memos", {"content": "writable again"})
        self.assertEqual(status, 201, body)
        status, body = client.call("GET", f"/api/memos/{memo['id']}")
        self.assertEqual(body.get("content"), "kept on a read-only disk")
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(harness.check_store(self.server.db_path), [])


def main():
    global SKIP_REASON
    if os.geteuid() != 0 and not os.environ.get(NAMESPACE_FLAG):
        # Not root: the same tests as root of a private user and mount namespace.
        env = dict(os.environ, **{NAMESPACE_FLAG: "1"})
        try:
            return subprocess.run(
                ["unshare", "--user", "--map-root-user", "--mount", sys.executable, *sys.argv], env=env
            ).returncode
        except OSError as e:
            SKIP_REASON = f"cannot mount a tmpfs: not root and no unshare ({e})"
    if SKIP_REASON is None and not can_mount():
        SKIP_REASON = "cannot mount a tmpfs here (no root, and user namespaces are not allowed)"
    harness.binary()  # fail early, with the build hint, if it is missing
    return 0 if unittest.main(argv=[sys.argv[0], "-v"], exit=False).result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
