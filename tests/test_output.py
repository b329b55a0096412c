"""Outputs are atomic, confined to the output folder, and untouched when unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feedkit.deliver.output import OutputFolder, WriteResult, safe_target, write_atomic
from feedkit.errors import OutputError


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "", "a\\..\\x",
                                      "a/\x00", "tags/../../x.xml"])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(OutputError):
        safe_target(tmp_path, relative)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "tags").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(OutputError, match="outside"):
        OutputFolder(out).write_all({"tags/x/feed.xml": b"x"})
    assert list(elsewhere.iterdir()) == []


def test_one_bad_path_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        OutputFolder(tmp_path).write_all({"ok.xml": b"1", "../bad.xml": b"2"})
    assert not (tmp_path / "ok.xml").exists()


def test_unchanged_bytes_leave_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    assert write_atomic(target, b"abc") is WriteResult.WRITTEN
    os.utime(target, (1_000_000, 1_000_000))
    assert write_atomic(target, b"abc") is WriteResult.UNCHANGED
    assert target.stat().st_mtime == 1_000_000
    assert write_atomic(target, b"abcd") is WriteResult.WRITTEN
    assert target.read_bytes() == b"abcd"


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "feed.xml"
    target.write_bytes(b"old feed")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OutputError, match="No space left"):
        write_atomic(target, b"new feed that never lands")
    assert target.read_bytes() == b"old feed"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]  # no temporary file left


def test_an_interrupt_during_the_build_keeps_every_previous_file(tmp_path: Path,
                                                                 monkeypatch) -> None:
    folder = OutputFolder(tmp_path)
    folder.write_all({"a.xml": b"A1", "b.xml": b"B1"})
    real_replace = os.replace
    calls = []

    def interrupted(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        OutputFolder(tmp_path).write_all({"a.xml": b"A2", "b.xml": b"B2"})
    assert (tmp_path / "a.xml").read_bytes() == b"A2"
    assert (tmp_path / "b.xml").read_bytes() == b"B1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xml", "b.xml"]


def test_the_same_path_twice_is_an_error(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    folder.write("x.xml", b"1")
    with pytest.raises(OutputError, match="same file"):
        folder.write("x.xml", b"2")


# -- the manifest: a publish killed anywhere leaves nothing it cannot clean up later ---------------


class Killed(BaseException):
    pass


@pytest.mark.parametrize("written_before_the_kill", [0, 1, 2, 3])
def test_a_publish_killed_while_rewriting_leaves_files_the_next_one_still_deletes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_before_the_kill: int) -> None:
    from feedkit.deliver import manifest
    from feedkit.deliver.manifest import publish, read_manifest

    first = {"tags/a/feed.xml": b"a1", "tags/b/feed.xml": b"b1", "feed.xml": b"f1"}
    publish(tmp_path, first, previous=None)
    real_write = OutputFolder.write

    def killed_after(count: int):  # type: ignore[no-untyped-def]
        done: list[str] = []

        def write(self, relative: str, data: bytes) -> WriteResult:  # type: ignore[no-untyped-def]
            if len(done) == count:
                raise Killed
            done.append(relative)
            return real_write(self, relative, data)
        return write

    monkeypatch.setattr(OutputFolder, "write", killed_after(written_before_the_kill))
    second = {"tags/c/feed.xml": b"c2", "tags/a/feed.xml": b"a2", "tags/b/feed.xml": b"b2",
              "feed.xml": b"f2"}
    with pytest.raises(Killed):
        publish(tmp_path, second, previous=read_manifest(tmp_path)[0])
    monkeypatch.setattr(OutputFolder, "write", real_write)
    previous, damaged = read_manifest(tmp_path)
    assert damaged is None and previous is not None
    # the next run no longer produces the tag feeds: each is feedkit's, old or new, and goes
    present = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("tags/*/*"))
    assert len(present) == 2 + (written_before_the_kill > 0)  # tags/c, if written
    done = publish(tmp_path, {"feed.xml": b"f3"}, previous=previous)
    assert sorted(done.removed) == present and done.kept == ()
    assert not (tmp_path / "tags").exists()
    assert read_manifest(tmp_path)[0] == manifest.Manifest({"feed.xml": manifest.digest_of(b"f3")})
