"""The cluster's ``AdaptAndPredict`` in PyTorch: adapt a loaded meta-model to one support set and
predict the queries, as a worker does (``TaskWorker.Grains/Execution/PredictionComputation.cs``, which
calls the algorithm's ``Evaluate`` with one task and the requested step count).

- MAML, first-order MAML (``Maml.cs``, ``InnerLoop.cs``): k steps of w ← w − α∇ℓ(S; w) on every
  tensor of the network, the support set alone through the network (batch norm over it), then the
  queries alone through the adapted network.
- Meta-SGD (``MetaSgd.cs``): the same with w ← w − α_w ⊙ ∇ℓ, α_w the file's ``lr.<name>``.
- ANIL, first-order ANIL, MTL (``HeadFineTuning.cs``): support and query features once from the
  meta-parameters (each set through the body alone), then k steps on the head only.
- ProtoNet (``ProtoNet.cs``): support and query through the body as one batch; prototypes are the
  mean support feature per class, scores −‖query − prototype‖², one per class up to the largest
  support label.

ℓ (``TaskLosses.cs``): regression, the mean over queries and outputs of the squared error;
classification, the mean cross-entropy of the class indices. Predictions are the network's outputs
(regression values or class scores), float32 [Q, outputs].
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._torch_models import tensors_by_name

Weights = Dict[str, Tensor]
_SUPPORTED = ("maml", "fomaml", "anil", "foanil", "metasgd", "protonet", "mtl")
RATE_PREFIX = "lr."


def task_kind(metadata: Dict[str, str]) -> str:
    """``regression`` or ``classification``; exports made before ``task_kind`` infer it as the exporter does."""
    kind = metadata.get("task_kind")
    if kind in ("regression", "classification"):
        return kind
    sizes = metadata.get("layer_sizes", "")
    many_outputs = bool(sizes) and int(sizes.split(",")[-1]) > 1
    classified = metadata.get("task") == "images" or metadata.get("algorithm") == "protonet" or (
        metadata.get("task") == "tabular" and many_outputs)
    return "classification" if classified else "regression"


def default_inner_steps(metadata: Dict[str, str], where: str) -> int:
    """What the coordinator uses when a request names no step count: the run's largest evaluation step count."""
    listed = metadata.get("eval_inner_steps")
    if not listed:
        raise ValueError(f"{where} does not say the run's evaluation step counts (exported before eval_inner_steps was "
                         "written): pass inner_steps, or export the run again with `Coordinator export --run DIR`")
    return max(int(k) for k in listed.split(","))


def adapt_and_predict(model: nn.Module, support_x: object, support_y: object, query_x: object,
                      inner_steps: Optional[int], inner_lr: Optional[float]) -> np.ndarray:
    metadata: Dict[str, str] = model.metadata  # type: ignore[assignment]
    where = getattr(model, "source", None) or "the model"
    algorithm = metadata.get("algorithm")
    if algorithm not in _SUPPORTED:
        raise ValueError(f"{where}: algorithm {algorithm!r} is not one this loader adapts ({', '.join(_SUPPORTED)})")
    if inner_steps is None:
        inner_steps = 0 if algorithm == "protonet" else default_inner_steps(metadata, where)
    if isinstance(inner_steps, bool) or not isinstance(inner_steps, (int, np.integer)) or not 0 <= inner_steps <= 10_000:
        raise ValueError(f"inner_steps must be an integer between 0 and 10000, got {inner_steps!r}")
    if algorithm == "metasgd" and inner_lr is not None:
        raise ValueError("Meta-SGD adapts with its meta-learned rates (the file's lr.* tensors); inner_lr does not apply")
    lr = float(metadata["inner_lr"]) if inner_lr is None else float(inner_lr)

    classification = task_kind(metadata) == "classification"
    theta = tensors_by_name(model)
    dtype, device = theta[model.network_names()[0]].dtype, theta[model.network_names()[0]].device
    sx = _inputs(support_x, "support_x", model.input_shape, dtype, device)
    qx = _inputs(query_x, "query_x", model.input_shape, dtype, device)
    sy = _targets(support_y, sx.shape[0], classification, model.output_count, dtype, device)

    def loss(outputs: Tensor) -> Tensor:
        if classification:
            return F.cross_entropy(outputs, sy, reduction="none").mean()
        return (outputs - sy).square().mean()

    with torch.enable_grad():
        if algorithm == "protonet":
            scores = _prototype_scores(model, theta, sx, sy, qx)
        elif algorithm in ("anil", "foanil", "mtl"):
            scores = _head_fine_tuning(model, theta, sx, qx, loss, inner_steps, lr)
        else:
            names = model.network_names()
            rates = {n: theta[RATE_PREFIX + n] for n in names} if algorithm == "metasgd" else None
            if rates is None:
                step: Callable[[str, Tensor], Tensor] = lambda n, g: lr * g
            else:
                step = lambda n, g: rates[n] * g  # noqa: E731
            fast = _descend(theta, names, lambda w: loss(model.head_of(w, model.features_of(w, sx))), inner_steps, step)
            with torch.no_grad():
                scores = model.head_of(fast, model.features_of(fast, qx))
    return scores.detach().to(torch.float32).cpu().numpy()


def _descend(start: Weights, names: List[str], support_loss: Callable[[Weights], Tensor], steps: int,
             scaled: Callable[[str, Tensor], Tensor]) -> Weights:
    """``steps`` first-order descent steps on ``names``: w ← w − scaled(name, ∇w), each step's weights detached."""
    fast = dict(start)
    for _ in range(steps):
        current = {n: (w.detach().clone().requires_grad_(True) if n in names else w) for n, w in fast.items()}
        grads = torch.autograd.grad(support_loss(current), [current[n] for n in names])
        fast = dict(current)
        for n, g in zip(names, grads):
            fast[n] = (current[n] - scaled(n, g)).detach()
    return fast


def _head_fine_tuning(model: nn.Module, theta: Weights, sx: Tensor, qx: Tensor, loss: Callable[[Tensor], Tensor],
                      steps: int, lr: float) -> Tensor:
    with torch.no_grad():
        support_features = model.features_of(theta, sx)
        query_features = model.features_of(theta, qx)
    head = model.network_names()[-2:]
    fast = _descend(theta, head, lambda w: loss(model.head_of(w, support_features)), steps, lambda n, g: lr * g)
    with torch.no_grad():
        return model.head_of(fast, query_features)


def _prototype_scores(model: nn.Module, theta: Weights, sx: Tensor, sy: Tensor, qx: Tensor) -> Tensor:
    with torch.no_grad():
        features = model.features_of(theta, torch.cat([sx, qx], 0))
        support, query = features[: sx.shape[0]], features[sx.shape[0]:]
        # The request carries no query labels (the worker uses zeros): the classes are 0..max support label.
        ways = int(sy.max().item()) + 1
        members = F.one_hot(sy, ways).to(support.dtype)
        counts = members.sum(0)
        if bool((counts == 0).any()):
            empty = int((counts == 0).nonzero()[0].item())
            raise ValueError(f"protonet: task 0 has no support example of class {empty} (labels must be 0..{ways - 1}, each with at least one shot)")
        prototypes = torch.matmul(members.t(), support) / counts.unsqueeze(1)
        return -(query.unsqueeze(1) - prototypes.unsqueeze(0)).square().sum(2)


def _inputs(values: object, field: str, example_shape: List[int], dtype: torch.dtype, device: torch.device) -> Tensor:
    array = np.asarray(values, dtype=np.float32)
    if array.ndim == 0 or list(array.shape[1:]) != list(example_shape) or array.shape[0] < 1:
        raise ValueError(f"{field} must be [N, {', '.join(map(str, example_shape))}] for this model, got {list(array.shape)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{field} contains NaN or infinity")
    return torch.from_numpy(np.ascontiguousarray(array)).to(device=device, dtype=dtype)


def _targets(values: object, rows: int, classification: bool, outputs: int, dtype: torch.dtype, device: torch.device) -> Tensor:
    array = np.asarray(values, dtype=np.float32)
    if array.ndim == 0 or array.shape[0] != rows:
        raise ValueError(f"support_y has {array.shape[0] if array.ndim else 0} rows for {rows} support inputs")
    if not np.all(np.isfinite(array)):
        raise ValueError("support_y contains NaN or infinity")
    if classification:
        labels = array.reshape(-1)
        if np.any(labels < 0) or np.any(labels >= outputs) or np.any(labels != np.floor(labels)):
            raise ValueError(f"support_y must hold class indices 0..{outputs - 1}")
        return torch.from_numpy(labels.astype(np.int64)).to(device)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != outputs:
        raise ValueError(f"support_y must be [K, {outputs}] (or [K] for one output), got {list(np.shape(values))}")
    return torch.from_numpy(np.ascontiguousarray(array)).to(device=device, dtype=dtype)
