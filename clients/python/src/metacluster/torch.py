"""A run's trained model in PyTorch: load ``model.safetensors`` and adapt it as the cluster does.

    import metacluster, metacluster.torch as mt
    run = metacluster.Client("http://127.0.0.1:7100").run(run_id)
    run.download("runs/r", patterns=["model.safetensors"])
    model = mt.load_model("runs/r/model.safetensors")      # a torch.nn.Module
    predictions = mt.adapt_and_predict(model, support_x, support_y, query_x)   # what run.adapt_and_predict gives

``load_model`` reads the file without the ``safetensors`` package (``metacluster.safetensors``, which
checks the data's SHA-256 against the exporter's ``data_sha256``) and builds the network the run
trained (the MLP or CNN-4) as a module whose ``state_dict`` has the file's tensor names: Meta-SGD's
rates ``lr.<name>`` and TRLearner's ``tr.projections`` are parameters of the module too, unused by
``forward``. ``adapt_and_predict`` reproduces the coordinator's ``AdaptAndPredict`` for every
algorithm (maml, fomaml, anil, foanil, metasgd, protonet, mtl), to float32 rounding.

torch is imported when a function is called, not when this module is: without torch, a call raises
``ImportError`` saying how to install it; ``import metacluster`` never needs it.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from .safetensors import SafetensorsError, read_safetensors

if TYPE_CHECKING:  # pragma: no cover
    import torch as _torch

__all__ = ["load_model", "adapt_and_predict", "SafetensorsError"]

PathLike = Union[str, "os.PathLike[str]"]


def _require_torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "metacluster.torch needs PyTorch, which this interpreter cannot import "
            f"({e}): pip install 'metacluster[torch]' (or torch), or on Debian/Ubuntu apt-get install python3-torch"
        ) from e
    return torch


def load_model(path: PathLike, device: Optional[Union[str, "_torch.device"]] = None) -> "_torch.nn.Module":
    """The network of the run that exported ``path``, with its trained parameters, in eval mode.

    Its ``state_dict`` names and shapes are the file's (``layer0.weight`` [out, in], …, or
    ``block0.conv.weight`` … ``head.bias``); ``model.metadata`` is the file's ``__metadata__``
    (``algorithm``, ``task_kind``, ``inner_lr``, ``eval_inner_steps``, input preparation such as
    ``inverted_images``) and ``model.source`` the path. Raises ``SafetensorsError`` (a ``ValueError``
    naming the file) for a damaged file or one whose digest does not match, ``ValueError`` for a
    model this loader does not build.
    """
    torch = _require_torch()
    from ._torch_models import attach, build_network

    source = os.fspath(path)
    exported = read_safetensors(source)
    network = build_network(exported.metadata, source)
    expected = network.state_dict()
    missing = [name for name in expected if name not in exported.tensors]
    if missing:
        flat = " (the export holds θ as one flat tensor, not split by layer)" if "theta" in exported.tensors else ""
        raise ValueError(f"{source}: no tensor {missing[0]!r} for the {exported.metadata.get('model')} it describes{flat}")
    for name, values in exported.tensors.items():
        if name not in expected:
            # Meta-SGD's rates and TRLearner's projections: carried, so that the names match the file.
            attach(network, name, torch.from_numpy(values))
        elif tuple(expected[name].shape) != values.shape:
            raise ValueError(f"{source}: tensor {name!r} has shape {list(values.shape)}, the model needs {list(expected[name].shape)}")
    network.load_state_dict({name: torch.from_numpy(values) for name, values in exported.tensors.items()}, strict=True)
    network.metadata = dict(exported.metadata)
    network.source = source
    network.eval()
    return network.to(device) if device is not None else network


def adapt_and_predict(model_or_path: Union["_torch.nn.Module", PathLike], support_x: Any, support_y: Any, query_x: Any,
                      inner_steps: Optional[int] = None, inner_lr: Optional[float] = None) -> np.ndarray:
    """Adapts the model to one task's support set and predicts its queries, as ``run.adapt_and_predict``.

    ``support_x`` [K, …input] and ``query_x`` [Q, …input] as the cluster takes them (sinusoid [N, 1];
    images [N, channels, height, width], values in [0, 1], inverted when ``metadata["inverted_images"]``
    is ``"true"``, as Omniglot: strokes 1); ``support_y`` [K, outputs] (or [K]) values for
    regression, class indices 0..ways−1 for classification. ``inner_steps`` defaults to the run's
    largest evaluation step count (``eval_inner_steps``), as the coordinator's; ``inner_lr`` to the
    run's ``inner_lr`` (Meta-SGD uses its ``lr.*`` rates). Returns float32 [Q, outputs]: values, or
    class scores (ProtoNet: −squared distance to each class prototype).
    """
    _require_torch()
    from . import _torch_adapt

    model = load_model(model_or_path) if isinstance(model_or_path, (str, os.PathLike)) else model_or_path
    if not hasattr(model, "metadata") or not hasattr(model, "features_of"):
        raise TypeError("adapt_and_predict takes a model from metacluster.torch.load_model, or the path of a safetensors export")
    return _torch_adapt.adapt_and_predict(model, support_x, support_y, query_x, inner_steps, inner_lr)
