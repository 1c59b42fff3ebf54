"""Reads the safetensors files a run exports (``model.safetensors``), with numpy alone.

The format (Hugging Face's safetensors): an 8-byte little-endian header length N, N bytes of JSON
``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``, then the
tensors' raw little-endian bytes (offsets relative to the end of the header). The cluster's writer
(``Coordinator.Grains/Export/SafetensorsWriter.cs``) stores float32 tensors only and puts the
SHA-256 of the whole data section, lower-case hex, in the metadata as ``data_sha256``; this reader
checks the structure and that digest, so a damaged download is an error, never a model.
The ``safetensors`` package is not needed.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Dict, List, Tuple, Union

import numpy as np

__all__ = ["SafetensorsError", "SafetensorsFile", "read_safetensors", "DIGEST_KEY"]

#: The metadata key of the data section's SHA-256 (hex), as the cluster's exporter writes it.
DIGEST_KEY = "data_sha256"

# The reference implementation's limit on the header; it also keeps a damaged length from
# becoming a huge allocation.
_MAX_HEADER_BYTES = 100_000_000

_DTYPES = {"F32": np.dtype("<f4")}


class SafetensorsError(ValueError):
    """A safetensors file that cannot be used: damaged, truncated, or not what the cluster writes.
    The message is one line that starts with the file's path."""


@dataclass(frozen=True)
class SafetensorsFile:
    """A verified safetensors file: ``tensors`` (name to float32 array, in file order) and ``metadata``."""

    path: str
    tensors: Dict[str, np.ndarray]
    metadata: Dict[str, str]


def read_safetensors(path: Union[str, "os.PathLike[str]"]) -> SafetensorsFile:
    """Reads and verifies ``path``; raises ``SafetensorsError`` naming the file when it is not sound."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise SafetensorsError(f"{name}: cannot be read: {e.strerror or e}") from e
    try:
        return _parse(name, raw)
    except _Problem as e:
        raise SafetensorsError(f"{name}: {e}") from None


class _Problem(Exception):
    """A reason without the file's name; read_safetensors adds it once."""


def _parse(name: str, raw: bytes) -> SafetensorsFile:
    if len(raw) < 8:
        raise _Problem(f"truncated: {len(raw)} bytes, fewer than the 8 of the header length")
    (header_length,) = struct.unpack("<Q", raw[:8])
    if header_length == 0 or header_length > _MAX_HEADER_BYTES or header_length > len(raw) - 8:
        raise _Problem(f"header length {header_length} does not fit the file's {len(raw)} bytes")
    try:
        header = json.loads(raw[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _Problem(f"malformed header: {str(e).splitlines()[0]}") from None
    if not isinstance(header, dict):
        raise _Problem("the header is not a JSON object")
    data = memoryview(raw)[8 + header_length:]

    metadata = _metadata(header.pop("__metadata__", {}))
    entries = [_entry(tensor, value) for tensor, value in header.items()]
    position = 0
    for tensor, _, _, begin, end in sorted(entries, key=lambda e: e[3]):
        if begin != position:
            raise _Problem(f"tensor '{tensor}' starts at byte {begin} of the data, expected {position}")
        position = end
    if position != len(data):
        raise _Problem(f"the tensors cover {position} bytes of data; the file holds {len(data)}")

    expected = metadata.get(DIGEST_KEY)
    if expected is None:
        raise _Problem(f"no {DIGEST_KEY} in the metadata to verify the data with")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected.lower():
        raise _Problem(f"damaged: the data's SHA-256 is {actual}, the metadata says {expected}")

    tensors = {
        tensor: np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).astype(np.float32, copy=True)
        for tensor, dtype, shape, begin, end in entries
    }
    return SafetensorsFile(name, tensors, metadata)


def _metadata(value: object) -> Dict[str, str]:
    if not isinstance(value, dict):
        raise _Problem("__metadata__ is not an object")
    for key, item in value.items():
        if not isinstance(item, str):
            raise _Problem(f"metadata '{key}' is not a string")
    return dict(value)


def _entry(tensor: str, value: object) -> Tuple[str, np.dtype, Tuple[int, ...], int, int]:
    if not isinstance(value, dict):
        raise _Problem(f"tensor '{tensor}' is not an object")
    dtype = _DTYPES.get(value.get("dtype"))  # type: ignore[arg-type]
    if dtype is None:
        raise _Problem(f"tensor '{tensor}' has dtype {value.get('dtype')!r}; the cluster writes F32 only")
    shape = _naturals(tensor, value, "shape")
    offsets = _naturals(tensor, value, "data_offsets")
    if len(offsets) != 2 or offsets[1] < offsets[0]:
        raise _Problem(f"tensor '{tensor}' has data_offsets {offsets}")
    size = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if offsets[1] - offsets[0] != size:
        raise _Problem(f"tensor '{tensor}' has shape {shape} ({size} bytes) but data_offsets {offsets}")
    return tensor, dtype, tuple(shape), offsets[0], offsets[1]


def _naturals(tensor: str, value: dict, field: str) -> List[int]:
    items = value.get(field)
    if not isinstance(items, list):
        raise _Problem(f"tensor '{tensor}' has no {field} array")
    if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in items):
        raise _Problem(f"tensor '{tensor}' has a bad {field} value in {items}")
    return items
