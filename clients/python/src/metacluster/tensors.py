"""numpy arrays to and from the wire's ``TensorProto`` (shape, element type, little-endian bytes)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._proto.dataplane.v1 import tensor_pb2

__all__ = ["to_tensor", "from_tensor"]

_DTYPES = {
    tensor_pb2.DTYPE_FLOAT32: np.dtype("<f4"),
    tensor_pb2.DTYPE_FLOAT64: np.dtype("<f8"),
    tensor_pb2.DTYPE_FLOAT16: np.dtype("<f2"),
}


def to_tensor(name: str, array: Any) -> tensor_pb2.TensorProto:
    """A float32 ``TensorProto`` of ``array`` (anything ``numpy.asarray`` takes; other float or
    integer types are converted to float32, the element type the coordinator adapts with).

    Raises:
        TypeError: ``array`` holds something that is not a number (named by ``name``).
    """
    values = np.asarray(array)
    if values.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, got an array of {values.dtype}")
    values = np.ascontiguousarray(values, dtype="<f4")
    return tensor_pb2.TensorProto(shape=list(values.shape), dtype=tensor_pb2.DTYPE_FLOAT32, data=values.tobytes())


def from_tensor(tensor: tensor_pb2.TensorProto) -> np.ndarray:
    """The array a ``TensorProto`` holds, in its own element type (bfloat16 is widened to float32)."""
    shape = tuple(int(n) for n in tensor.shape)
    if tensor.dtype == tensor_pb2.DTYPE_BFLOAT16:
        # bfloat16 is the upper half of a float32: widen by shifting into the high 16 bits.
        halves = np.frombuffer(tensor.data, dtype="<u2").astype("<u4") << 16
        return halves.view("<f4").reshape(shape).astype(np.float32)
    dtype = _DTYPES.get(tensor.dtype)
    if dtype is None:
        raise ValueError(f"unknown tensor element type {tensor.dtype}")
    values = np.frombuffer(tensor.data, dtype=dtype)
    expected = int(np.prod(shape, dtype=np.int64))
    if values.size != expected:
        raise ValueError(f"a tensor of shape {list(shape)} has {values.size} elements on the wire, expected {expected}")
    # A native-order, writable copy: frombuffer's view is read-only and tied to the message.
    return values.reshape(shape).astype(dtype.newbyteorder("="), copy=True)
