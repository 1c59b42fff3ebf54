"""MAML / first-order MAML / ProtoNet outer steps, as a per-task Python loop and batched over tasks.

Every function takes theta (a list of leaf tensors with requires_grad) and a meta-batch
(sx, sy, qx, qy with a leading task dimension T), leaves d(outer loss)/d(theta) in theta[i].grad
(accumulating, so zero the grads first) and returns the outer loss as a float.
Outer loss = mean over the T tasks of the task's query loss (MSE or mean cross-entropy).
"""

import torch
import torch.nn.functional as F

from ref_models import (cnn4_batched, cnn4_body, cnn4_body_grouped, cnn4_body_shared, cnn4_forward,
                        expand_tasks, mlp_batched, mlp_forward)


# ----- losses ---------------------------------------------------------------------------------

def mse(output, target):
    return F.mse_loss(output, target)


def mse_per_task(output, target):
    """[T, N, 1] -> [T]: each task's mean squared error."""
    return (output - target).square().flatten(1).mean(1)


def cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels)


def cross_entropy_per_task(logits, labels):
    """logits [T, N, C], labels [T, N] -> [T]: each task's mean cross-entropy."""
    tasks, n, classes = logits.shape
    return F.cross_entropy(logits.reshape(tasks * n, classes), labels.reshape(-1), reduction="none").view(tasks, n).mean(1)


# ----- MAML -----------------------------------------------------------------------------------

def maml_loop(theta, batch, forward, loss_fn, inner_lr, inner_steps, first_order):
    """The usual implementation (learn2learn and most repositories): a Python loop over tasks,
    functional fast weights per task, torch.autograd.grad(create_graph=True) for second order,
    and one backward per task of its query loss / T (gradients accumulate in theta.grad)."""
    sx, sy, qx, qy = batch
    tasks = sx.shape[0]
    total = 0.0
    for i in range(tasks):
        fast = theta
        for _ in range(inner_steps):
            support_loss = loss_fn(forward(fast, sx[i]), sy[i])
            grads = torch.autograd.grad(support_loss, fast, create_graph=not first_order)
            fast = [w - inner_lr * g for w, g in zip(fast, grads)]
        query_loss = loss_fn(forward(fast, qx[i]), qy[i]) / tasks
        query_loss.backward()
        total += query_loss.item()
    return total


def maml_batched(theta, batch, forward_batched, per_task_loss, inner_lr, inner_steps, first_order):
    """All tasks at once: theta is expanded to [T, ...] (a view, no copy); the gradient of the
    SUM of the per-task support losses with respect to the [T, ...] fast weights is, slice by
    slice, each task's own gradient, so one autograd.grad call does every task's inner step."""
    sx, sy, qx, qy = batch
    tasks = sx.shape[0]
    fast = expand_tasks(theta, tasks)
    for _ in range(inner_steps):
        support_loss = per_task_loss(forward_batched(fast, sx), sy).sum()
        grads = torch.autograd.grad(support_loss, fast, create_graph=not first_order)
        fast = [w - inner_lr * g for w, g in zip(fast, grads)]
    outer = per_task_loss(forward_batched(fast, qx), qy).mean()
    outer.backward()
    return outer.item()


# ----- ProtoNet -------------------------------------------------------------------------------

def _proto_logits(support_emb, query_emb, ways, shots):
    """support_emb [..., N*K, D] (class-major), query_emb [..., M, D] -> logits [..., M, N]
    = minus the squared Euclidean distance to each class's mean support embedding."""
    lead = support_emb.shape[:-2]
    prototypes = support_emb.reshape(*lead, ways, shots, support_emb.shape[-1]).mean(-2)
    return -(query_emb.unsqueeze(-2) - prototypes.unsqueeze(-3)).square().sum(-1)


def protonet_loop(theta, batch, ways, shots):
    """Per task: support and query go through the body in ONE forward pass (Snell et al.'s
    code does the same), so batch-norm statistics are over the task's N*(K+Q) images."""
    sx, sy, qx, qy = batch
    tasks = sx.shape[0]
    support = sx.shape[1]
    total = 0.0
    for i in range(tasks):
        emb = cnn4_body(theta, torch.cat([sx[i], qx[i]]))
        logits = _proto_logits(emb[:support], emb[support:], ways, shots)
        loss = cross_entropy(logits, qy[i]) / tasks
        loss.backward()
        total += loss.item()
    return total


def protonet_batched(theta, batch, ways, shots, grouped=False):
    """All tasks at once. Default: one ordinary conv over all T*N*(K+Q) images (the weights are
    shared, nothing is adapted), per-task batch norm by folding tasks into channels around
    F.batch_norm. grouped=True: the same maths with theta expanded to [T, ...] and grouped
    convolutions (tasks folded into channels), like the MAML batched path."""
    sx, sy, qx, qy = batch
    tasks, support = sx.shape[:2]
    x = torch.cat([sx, qx], dim=1)
    emb = cnn4_body_grouped(expand_tasks(theta, tasks), x) if grouped else cnn4_body_shared(theta, x)
    logits = _proto_logits(emb[:, :support], emb[:, support:], ways, shots)
    outer = cross_entropy_per_task(logits, qy).mean()
    outer.backward()
    return outer.item()


# ----- dispatch ---------------------------------------------------------------------------------

def make_step(config, impl):
    """Returns step(theta, batch) -> loss for a benchmark config (see maml_reference.CONFIGS)."""
    family, algorithm = config["family"], config["algorithm"]
    if algorithm in ("maml", "fomaml"):
        first_order = algorithm == "fomaml"
        lr, steps = config["inner_lr"], config["inner_steps"]
        if family == "sinusoid":
            loop_args = (mlp_forward, mse)
            batched_args = (mlp_batched, mse_per_task)
        else:
            loop_args = (cnn4_forward, cross_entropy)
            batched_args = (cnn4_batched, cross_entropy_per_task)
        if impl == "loop":
            return lambda theta, batch: maml_loop(theta, batch, *loop_args, lr, steps, first_order)
        if impl == "batched":
            return lambda theta, batch: maml_batched(theta, batch, *batched_args, lr, steps, first_order)
        raise ValueError(f"--impl {impl} is not available for {config['name']} (use loop or batched)")
    if algorithm == "protonet":
        ways, shots = config["ways"], config["shots"]
        if impl == "loop":
            return lambda theta, batch: protonet_loop(theta, batch, ways, shots)
        if impl in ("batched", "batched-grouped"):
            grouped = impl == "batched-grouped"
            return lambda theta, batch: protonet_batched(theta, batch, ways, shots, grouped)
        raise ValueError(f"--impl {impl} is not available for {config['name']}")
    raise ValueError(f"unknown algorithm {algorithm}")
