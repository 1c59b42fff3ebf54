"""Copying a run's files from the coordinator: resumable, atomic, and never outside the target folder.

A file is streamed into ``NAME.part`` and renamed to ``NAME`` once complete. An interrupted copy
leaves the ``.part`` file; the next one asks the server to start at its length (the ``offset`` of
``DownloadRunFile``) instead of from the beginning.
"""
from __future__ import annotations

import io
import os
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Optional

from ._proto.api.v1 import cluster_api_pb2 as api
from .errors import MetaClusterError

__all__ = ["ChunkStream", "local_path", "download_file", "read_file"]

#: Opens ``DownloadRunFile`` for one file at a byte offset and yields its chunks.
ChunkStream = Callable[[int], Iterable[api.FileChunk]]

PART_SUFFIX = ".part"


def local_path(directory: Path, relative: str) -> Path:
    """Where the run file ``relative`` ('/'-separated, as the server names it) goes under ``directory``.

    Raises:
        ValueError: the name would land outside ``directory`` (absolute, ``..``, a drive, a
            backslash, or a symbolic link in ``directory`` pointing elsewhere).
    """
    # The server names files canonically; anything else (empty, '.', '..' segments) is refused.
    parts = relative.split("/")
    if (not relative or "\\" in relative or "\0" in relative or PurePosixPath(relative).is_absolute()
            or any(p in ("", ".", "..") for p in parts) or ":" in parts[0]):
        raise ValueError(f"refusing the run file {relative!r}: its path would leave the download folder")
    root = directory.resolve()
    target = root.joinpath(*parts)
    # A link already in the folder could still point out of it.
    if not target.parent.resolve().is_relative_to(root):
        raise ValueError(f"refusing the run file {relative!r}: {target.parent} leads out of {root}")
    return target


def download_file(stream: ChunkStream, relative: str, target: Path, expected_size: Optional[int] = None) -> Path:
    """Copies one run file to ``target``, continuing a ``target.part`` left by an earlier try.

    Raises:
        MetaClusterError: the chunks did not follow each other or the stream ended early (the
            ``.part`` file keeps what arrived, for the next try).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PART_SUFFIX)
    offset = partial.stat().st_size if partial.exists() else 0
    if expected_size is not None and offset > expected_size:
        offset = 0  # the file on the server was replaced by a shorter one: start again
    with open(partial, "r+b" if offset else "wb") as out:
        out.seek(offset)
        out.truncate()
        _copy_chunks(stream(offset), relative, out, offset)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    return target


def read_file(stream: ChunkStream, relative: str) -> bytes:
    """A whole run file, in memory."""
    buffer = io.BytesIO()
    _copy_chunks(stream(0), relative, buffer, 0)
    return buffer.getvalue()


def _copy_chunks(chunks: Iterable[api.FileChunk], relative: str, out: BinaryIO, position: int) -> None:
    size = None
    for chunk in chunks:
        if chunk.offset != position:
            raise MetaClusterError(f"{relative}: a chunk starts at byte {chunk.offset}, expected {position}")
        out.write(chunk.data)
        position += len(chunk.data)
        size = chunk.size
    if size is None:
        raise MetaClusterError(f"{relative}: the server sent no data")
    if position != size:
        raise MetaClusterError(f"{relative}: the download stopped at byte {position} of {size}")
