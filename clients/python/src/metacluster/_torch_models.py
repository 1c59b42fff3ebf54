"""The cluster's networks as PyTorch modules, with the same parameter names and the same maths.

Imported by ``metacluster.torch`` only once torch is known to be importable. Each network has a
functional form (a forward pass over an explicit dict of tensors, as the cluster's inner loops
need) and a module whose ``forward`` is that form over its own parameters, so the module and
``adapt_and_predict`` compute the same thing. References: ``MetaLearning/Models/Mlp.cs`` and
``MetaLearning/Images/Cnn4.cs``.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Params = Mapping[str, Tensor]

#: Cnn4.cs: conv blocks, and batch norm's epsilon.
CNN4_BLOCKS = 4
NORM_EPSILON = 1e-5


def _linear(weight: Tensor, bias: Tensor, h: Tensor) -> Tensor:
    # As Mlp.cs and Cnn4.cs: matmul with the transposed weight, then the bias (not addmm).
    return torch.matmul(h, weight.t()) + bias


class Mlp(nn.Module):
    """The ReLU MLP (``Mlp.cs``): ``layer{l}`` = ``nn.Linear(sizes[l], sizes[l+1])``, ReLU after every
    layer but the last, which is the head."""

    def __init__(self, sizes: Sequence[int]) -> None:
        super().__init__()
        if len(sizes) < 3:
            raise ValueError(f"an MLP needs an input, at least one hidden layer and an output; layer_sizes is {list(sizes)}")
        self.sizes = [int(s) for s in sizes]
        for l in range(len(self.sizes) - 1):
            self.add_module(f"layer{l}", nn.Linear(self.sizes[l], self.sizes[l + 1]))

    @property
    def input_shape(self) -> List[int]:
        return [self.sizes[0]]

    @property
    def output_count(self) -> int:
        return self.sizes[-1]

    def network_names(self) -> List[str]:
        """The network's own tensors in the cluster's layout order (the head's two last)."""
        return [f"layer{l}.{kind}" for l in range(len(self.sizes) - 1) for kind in ("weight", "bias")]

    def features_of(self, p: Params, x: Tensor) -> Tensor:
        h = x
        for l in range(len(self.sizes) - 2):
            h = F.relu(_linear(p[f"layer{l}.weight"], p[f"layer{l}.bias"], h))
        return h

    def head_of(self, p: Params, features: Tensor) -> Tensor:
        last = len(self.sizes) - 2
        return _linear(p[f"layer{last}.weight"], p[f"layer{last}.bias"], features)

    def forward(self, x: Tensor) -> Tensor:
        p = dict(self.named_parameters())
        return self.head_of(p, self.features_of(p, x))


class Cnn4Block(nn.Module):
    """conv 3×3 (padding 1, no bias: batch norm cancels it), batch norm with the batch's own statistics
    and affine γ, β (no running statistics: the same in ``train()`` and ``eval()``), max-pool 2, ReLU."""

    def __init__(self, in_channels: int, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, channels, 3, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(channels, eps=NORM_EPSILON, affine=True, track_running_stats=False)


class Cnn4(nn.Module):
    """CNN-4 (``Cnn4.cs``): ``block0``..``block3`` and the linear ``head``; features are the last block's
    output flattened in [C, H, W] order. Batch norm always normalises with the statistics of the images
    passed together (transductive, as the cluster in training and evaluation alike)."""

    def __init__(self, ways: int, hidden_channels: int = 64, input_channels: int = 1, height: int = 28, width: int = 28) -> None:
        super().__init__()
        final_height, final_width = height >> CNN4_BLOCKS, width >> CNN4_BLOCKS
        if final_height < 1 or final_width < 1:
            raise ValueError(f"CNN-4 halves the image {CNN4_BLOCKS} times: {width}x{height} is too small (at least 16x16)")
        self.ways, self.hidden_channels = int(ways), int(hidden_channels)
        self.image_shape = [int(input_channels), int(height), int(width)]
        self.feature_size = self.hidden_channels * final_height * final_width
        for b in range(CNN4_BLOCKS):
            self.add_module(f"block{b}", Cnn4Block(input_channels if b == 0 else hidden_channels, hidden_channels))
        self.head = nn.Linear(self.feature_size, self.ways)

    @property
    def input_shape(self) -> List[int]:
        return list(self.image_shape)

    @property
    def output_count(self) -> int:
        return self.ways

    def network_names(self) -> List[str]:
        names = [f"block{b}.{part}" for b in range(CNN4_BLOCKS) for part in ("conv.weight", "norm.weight", "norm.bias")]
        return names + ["head.weight", "head.bias"]

    def features_of(self, p: Params, x: Tensor) -> Tensor:
        if x.dim() != 4 or list(x.shape[1:]) != self.image_shape:
            raise ValueError(f"CNN-4 expects images [N, {', '.join(map(str, self.image_shape))}], got {list(x.shape)}")
        # Channels-last, as the cluster runs its first-order passes; only the memory layout differs.
        h = x.contiguous(memory_format=torch.channels_last)
        for b in range(CNN4_BLOCKS):
            h = F.conv2d(h, p[f"block{b}.conv.weight"], padding=1)
            h = _batch_norm(h, p[f"block{b}.norm.weight"], p[f"block{b}.norm.bias"])
            h = F.relu(F.max_pool2d(h, kernel_size=2, stride=2))
        return h.reshape(h.shape[0], self.feature_size)

    def head_of(self, p: Params, features: Tensor) -> Tensor:
        return _linear(p["head.weight"], p["head.bias"], features)

    def forward(self, x: Tensor) -> Tensor:
        p = dict(self.named_parameters())
        return self.head_of(p, self.features_of(p, x))


def _batch_norm(h: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
    """Per-channel batch norm over (N, H, W) with the batch's statistics (biased variance). With one value
    per channel (a single image at 1×1) torch's kernel refuses; the cluster then writes the formula out."""
    if h.shape[0] * h.shape[2] * h.shape[3] > 1:
        return F.batch_norm(h, None, None, gamma, beta, training=True, eps=NORM_EPSILON)
    over = [0, 2, 3]
    centred = h - h.mean(over, keepdim=True)
    variance = centred.square().mean(over, keepdim=True)
    return centred * (variance + NORM_EPSILON).rsqrt() * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)


def build_network(metadata: Mapping[str, str], where: str) -> nn.Module:
    """The network ``metadata`` describes (``model``: ``mlp`` or ``cnn4`` and their sizes)."""
    kind = metadata.get("model")
    try:
        if kind == "mlp":
            return Mlp([int(s) for s in metadata["layer_sizes"].split(",")])
        if kind == "cnn4":
            return Cnn4(int(metadata["ways"]), int(metadata["hidden_channels"]), int(metadata["input_channels"]),
                        int(metadata["input_height"]), int(metadata["input_width"]))
    except KeyError as e:
        raise ValueError(f"{where}: the metadata describes a {kind} but lacks {e.args[0]!r}") from None
    raise ValueError(f"{where}: model {kind!r} is not one this loader builds (mlp, cnn4)")


def attach(module: nn.Module, dotted: str, value: Tensor) -> None:
    """Registers ``value`` as parameter ``dotted`` (e.g. ``lr.layer0.weight``), creating the containers
    on the way, so that the module's state_dict carries the file's name for it."""
    *path, leaf = dotted.split(".")
    for part in path:
        child = getattr(module, part, None) if part in module._modules else None
        if child is None:
            child = nn.Module()
            module.add_module(part, child)
        module = child
    module.register_parameter(leaf, nn.Parameter(value))


def tensors_by_name(module: nn.Module) -> Dict[str, Tensor]:
    """The module's parameters by their dotted names, detached (the starting point of an adaptation)."""
    return {name: p.detach() for name, p in module.named_parameters()}
