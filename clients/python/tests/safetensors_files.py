"""Writes safetensors files the way the cluster's exporter does (tests only): 8-byte header length,
JSON header padded with spaces to a multiple of 8, float32 data, ``data_sha256`` in the metadata."""
from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Dict, Mapping, Optional

import numpy as np


def write_safetensors(path: Path, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str],
                      digest: Optional[str] = None) -> Path:
    """Writes ``tensors`` (in order) with ``metadata``; ``digest`` replaces the true SHA-256 when given."""
    data = b"".join(np.ascontiguousarray(v, dtype="<f4").tobytes() for v in tensors.values())
    header: Dict[str, object] = {"__metadata__": {**metadata, "data_sha256": digest or hashlib.sha256(data).hexdigest()}}
    offset = 0
    for name, values in tensors.items():
        end = offset + values.size * 4
        header[name] = {"dtype": "F32", "shape": list(values.shape), "data_offsets": [offset, end]}
        offset = end
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data)
    return path


def mlp_tensors(sizes, seed: int = 0) -> Dict[str, np.ndarray]:
    """Random tensors of an MLP named as the exporter names them."""
    rng = np.random.default_rng(seed)
    tensors: Dict[str, np.ndarray] = {}
    for l in range(len(sizes) - 1):
        tensors[f"layer{l}.weight"] = rng.uniform(-0.5, 0.5, (sizes[l + 1], sizes[l])).astype(np.float32)
        tensors[f"layer{l}.bias"] = rng.uniform(-0.5, 0.5, (sizes[l + 1],)).astype(np.float32)
    return tensors


def cnn4_tensors(ways: int, hidden: int, channels: int = 1, seed: int = 0) -> Dict[str, np.ndarray]:
    """Random tensors of a CNN-4 for 28×28 images, named as the exporter names them."""
    rng = np.random.default_rng(seed)
    tensors: Dict[str, np.ndarray] = {}
    for b in range(4):
        tensors[f"block{b}.conv.weight"] = rng.normal(0, 0.3, (hidden, channels if b == 0 else hidden, 3, 3)).astype(np.float32)
        tensors[f"block{b}.norm.weight"] = rng.uniform(0.5, 1.5, (hidden,)).astype(np.float32)
        tensors[f"block{b}.norm.bias"] = rng.uniform(-0.1, 0.1, (hidden,)).astype(np.float32)
    tensors["head.weight"] = rng.normal(0, 0.3, (ways, hidden)).astype(np.float32)
    tensors["head.bias"] = np.zeros(ways, np.float32)
    return tensors


CNN4_METADATA = {"format": "pt", "model": "cnn4", "hidden_channels": "8", "input_channels": "1", "input_height": "28",
                 "input_width": "28", "inverted_images": "true", "task_kind": "classification", "task": "images",
                 "inner_steps": "1", "inner_lr": "0.4", "eval_inner_steps": "1,3", "run_id": "hand-made", "step": "1"}

MLP_METADATA = {"format": "pt", "model": "mlp", "layer_sizes": "1,40,40,1", "task_kind": "regression", "task": "sinusoid",
                "algorithm": "maml", "inner_steps": "1", "inner_lr": "0.01", "eval_inner_steps": "1,10", "run_id": "hand-made", "step": "1"}
