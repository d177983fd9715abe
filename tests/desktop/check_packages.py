#!/usr/bin/env python3
"""Installs the built .deb and .rpm into scratch roots and checks what a user gets.

Each package is unpacked as its package manager would lay it out (`dpkg-deb -x` for the
.deb, `rpm2archive | tar` for the .rpm) into a fresh folder, and must hold the app's binary,
its desktop entry (valid, with the icon and the `clawchat://` scheme handler) and its
icons. Prints each package's files and size for BENCHMARKS.md.

    python3 tests/desktop/check_packages.py PACKAGE.deb PACKAGE.rpm
Only the standard library, dpkg-deb, rpm2archive, tar and desktop-file-validate are used.
"""

import configparser
import os
import shutil
import subprocess
import sys
import tempfile

RESULTS = {"passed": 0, "failed": 0}

# What a user expects on disk after installing, relative to the root.
EXPECTED = [
    "usr/bin/clawchat",
    "usr/share/applications/ClawChat.desktop",
    "usr/share/icons/hicolor/32x32/apps/clawchat.png",
    "usr/share/icons/hicolor/128x128/apps/clawchat.png",
]


def check(ok, what):
    RESULTS["passed" if ok else "failed"] += 1
    print(f"{'ok' if ok else 'FAIL'}: {what}", flush=True)
    return ok


def unpack(package, root):
    """Lays `package`'s files out under `root`, as installing it would."""
    if package.endswith(".deb"):
        subprocess.run(["dpkg-deb", "-x", package, root], check=True)
    elif package.endswith(".rpm"):
        # rpm2archive (beside rpm2cpio in Debian's rpm2cpio package) turns the payload
        # into a tar archive. rpm2cpio writes the same files from this bundler's .rpm but
        # then exits 1, so its status could not tell a broken package from a good one.
        with open(package, "rb") as rpm:
            payload = subprocess.Popen(["rpm2archive", "-"], stdin=rpm, stdout=subprocess.PIPE)
            subprocess.run(["tar", "-xz", "-C", root], stdin=payload.stdout, check=True)
            payload.stdout.close()
            if payload.wait() != 0:
                raise SystemExit(f"rpm2archive could not read {package}")
    else:
        raise SystemExit(f"not a .deb or .rpm: {package}")


def listing(root):
    for folder, _, files in os.walk(root):
        for name in files:
            yield os.path.relpath(os.path.join(folder, name), root)


def desktop_entry(path):
    entry = configparser.ConfigParser(interpolation=None, strict=False)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    return entry["Desktop Entry"] if entry.has_section("Desktop Entry") else {}


def check_package(package):
    kind = package.rsplit(".", 1)[-1]
    root = tempfile.mkdtemp(prefix=f"clawchat-{kind}-root-")
    try:
        unpack(package, root)
        files = sorted(listing(root))
        size = os.path.getsize(package)
        print(f"measure: {os.path.basename(package)}: {size / 1048576:.1f} MB ({size} bytes), "
              f"{len(files)} files: {', '.join(files)}")
        for path in EXPECTED:
            check(path in files, f"the .{kind} installs /{path}")
        binary = os.path.join(root, "usr/bin/clawchat")
        check(os.access(binary, os.X_OK), f"the .{kind}'s /usr/bin/clawchat is executable")
        desktop = os.path.join(root, "usr/share/applications/ClawChat.desktop")
        if not os.path.exists(desktop):
            return
        entry = desktop_entry(desktop)
        check(entry.get("Name") == "ClawChat", f"the .{kind}'s menu entry is named ClawChat")
        check(entry.get("Icon") == "clawchat", f"the .{kind}'s menu entry shows the app's icon")
        exec_line = entry.get("Exec", "").split()
        check(exec_line[:1] == ["clawchat"] and "%u" in exec_line[1:],
              f"the .{kind}'s menu entry starts clawchat with the link it opens (Exec={' '.join(exec_line)})")
        mimes = entry.get("MimeType", "").split(";")
        check("x-scheme-handler/clawchat" in mimes,
              f"the .{kind} makes ClawChat the handler of clawchat:// links (MimeType={';'.join(mimes)})")
        validate = subprocess.run(["desktop-file-validate", desktop], capture_output=True, text=True)
        check(validate.returncode == 0,
              f"the .{kind}'s desktop entry is valid{': ' + validate.stdout + validate.stderr if validate.returncode else ''}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    packages = sys.argv[1:]
    if sorted(p.rsplit(".", 1)[-1] for p in packages) != ["deb", "rpm"]:
        raise SystemExit("usage: check_packages.py PACKAGE.deb PACKAGE.rpm")
    for package in packages:
        check_package(package)
    print(f"packages: {RESULTS['passed']} passed, {RESULTS['failed']} failed")
    sys.exit(1 if RESULTS["failed"] else 0)


if __name__ == "__main__":
    main()
