"""What needs no coordinator: tensors on the wire, safe download paths, resuming a file, errors."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, List

import grpc
import numpy as np
import pytest

import metacluster
from metacluster._proto.api.v1 import cluster_api_pb2 as api
from metacluster._proto.dataplane.v1 import tensor_pb2
from metacluster.errors import from_rpc_error
from metacluster.files import download_file, local_path
from metacluster.tensors import from_tensor, to_tensor


def test_arrays_go_over_the_wire_as_little_endian_float32_and_come_back() -> None:
    values = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    tensor = to_tensor("x", values)
    assert list(tensor.shape) == [3, 4] and tensor.dtype == tensor_pb2.DTYPE_FLOAT32 and len(tensor.data) == 48
    back = from_tensor(tensor)
    assert back.dtype == np.float32 and back.flags.writeable
    np.testing.assert_array_equal(back, values.astype(np.float32))


def test_bfloat16_predictions_are_widened_to_float32() -> None:
    values = np.array([1.0, -2.5, 0.15625], dtype=np.float32)
    upper = (values.view(np.uint32) >> 16).astype("<u2")
    tensor = tensor_pb2.TensorProto(shape=[3], dtype=tensor_pb2.DTYPE_BFLOAT16, data=upper.tobytes())
    np.testing.assert_array_equal(from_tensor(tensor), values)


def test_a_tensor_whose_bytes_do_not_fit_its_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        from_tensor(tensor_pb2.TensorProto(shape=[2, 2], dtype=tensor_pb2.DTYPE_FLOAT32, data=b"\0" * 12))


def test_non_numeric_arrays_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="support_x"):
        to_tensor("support_x", np.array(["a", "b"]))


@pytest.mark.parametrize("path", ["../escape", "a/../../b", "/etc/passwd", "C:/x", "a\\..\\b", "", "a//b", "./a"])
def test_a_run_file_path_leaving_the_folder_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="refusing"):
        local_path(tmp_path, path)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link").symlink_to(tmp_path.parent)
    with pytest.raises(ValueError, match="leads out"):
        local_path(tmp_path / "inside", "link/file")


def _server(content: bytes, chunk: int = 4):
    """A fake DownloadRunFile: chunks from the requested offset, recording each offset asked for."""
    asked: List[int] = []

    def stream(offset: int) -> Iterator[api.FileChunk]:
        asked.append(offset)
        for at in range(offset, max(len(content), offset + 1), chunk):
            yield api.FileChunk(size=len(content), offset=at, data=content[at:at + chunk])
    return stream, asked


def test_a_partial_file_is_continued_from_its_length_and_renamed_when_complete(tmp_path: Path) -> None:
    content = bytes(range(50))
    stream, asked = _server(content)
    target = tmp_path / "checkpoints" / "final.ckpt"
    target.parent.mkdir()
    (tmp_path / "checkpoints" / "final.ckpt.part").write_bytes(content[:20])
    download_file(stream, "checkpoints/final.ckpt", target, len(content))
    assert asked == [20]
    assert target.read_bytes() == content and not (tmp_path / "checkpoints" / "final.ckpt.part").exists()


def test_a_stream_that_stops_early_keeps_the_part_file_for_the_next_try(tmp_path: Path) -> None:
    content = bytes(range(30))

    def broken(offset: int) -> Iterator[api.FileChunk]:
        yield api.FileChunk(size=len(content), offset=offset, data=content[offset:offset + 8])

    target = tmp_path / "metrics.jsonl"
    with pytest.raises(metacluster.MetaClusterError, match="byte 8 of 30"):
        download_file(broken, "metrics.jsonl", target, len(content))
    assert not target.exists() and (tmp_path / "metrics.jsonl.part").read_bytes() == content[:8]
    stream, asked = _server(content)
    download_file(stream, "metrics.jsonl", target, len(content))
    assert asked == [8] and target.read_bytes() == content


class _Failed(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


@pytest.mark.parametrize("code, kind, builtin", [
    (grpc.StatusCode.INVALID_ARGUMENT, metacluster.InvalidArgument, ValueError),
    (grpc.StatusCode.NOT_FOUND, metacluster.NotFound, LookupError),
    (grpc.StatusCode.UNAUTHENTICATED, metacluster.Unauthenticated, PermissionError),
    (grpc.StatusCode.UNAVAILABLE, metacluster.Unavailable, ConnectionError),
    (grpc.StatusCode.DEADLINE_EXCEEDED, metacluster.DeadlineExceeded, TimeoutError),
    (grpc.StatusCode.INTERNAL, metacluster.MetaClusterError, metacluster.MetaClusterError),
])
def test_status_codes_become_the_clients_exceptions(code: grpc.StatusCode, kind: type, builtin: type) -> None:
    error = from_rpc_error(_Failed(code, "the server's words"))
    assert type(error) is kind and isinstance(error, builtin)
    assert error.message == "the server's words" and str(error) == "the server's words" and error.code == code
