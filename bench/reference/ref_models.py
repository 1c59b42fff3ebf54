"""Functional models for the reference benchmark: MLP 1-40-40-1 and CNN-4.

Parameters are plain lists of tensors, so MAML can run any model with "fast weights".
Two flavours of every forward pass:

* per task (``*_forward``): inputs of one task, weights of the usual shape;
* batched over tasks (``*_batched``): weights carry a leading task dimension [T, ...]
  (usually theta expanded, no copy) and inputs are [T, N, ...]. No Python loop over tasks.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-5  # PyTorch's BatchNorm2d default

# --memory-format channels_last: CNN-4 inputs get channels-last strides, which conv, batch norm
# and pooling keep (PyTorch's channels-last CPU kernels). Off by default: the reference is plain
# PyTorch; the option measures what the same layout gives PyTorch.
CHANNELS_LAST = False


def memory_format(x):
    """x [N, C, H, W] as is, or with channels-last strides under CHANNELS_LAST. One channel is
    ambiguous to PyTorch (it keeps NCHW), so the NHWC strides are set by a view."""
    if not CHANNELS_LAST:
        return x
    n, c, h, w = x.shape
    if c == 1:
        return x.reshape(n, h, w, 1).permute(0, 3, 1, 2)
    return x.contiguous(memory_format=torch.channels_last)


# ---------------------------------------------------------------------------------------------
# Initialisation: PyTorch defaults, drawn from torch's global RNG after torch.manual_seed(seed).
# ---------------------------------------------------------------------------------------------

def init_mlp(sizes, seed, dtype=torch.float32):
    """nn.Linear default init: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Order: layer0.weight [40, 1], layer0.bias [40], layer1.weight, layer1.bias, layer2.weight, layer2.bias.
    """
    torch.manual_seed(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layer = nn.Linear(fan_in, fan_out)
        params += [layer.weight.detach(), layer.bias.detach()]
    return [p.to(dtype).clone().requires_grad_(True) for p in params]


def init_cnn4(seed, in_channels=1, hidden=64, ways=5, head=True, dtype=torch.float32):
    """4 x [conv3x3 (nn.Conv2d default init), BN (gamma 1, beta 0)] and nn.Linear head hidden -> ways.

    Order: for each block conv.weight [64, Cin, 3, 3], conv.bias [64], bn.weight [64], bn.bias [64];
    then head.weight [ways, 64], head.bias [ways] (omitted for ProtoNet).
    """
    torch.manual_seed(seed)
    params = []
    cin = in_channels
    for _ in range(4):
        conv = nn.Conv2d(cin, hidden, 3, padding=1)
        params += [conv.weight.detach(), conv.bias.detach(), torch.ones(hidden), torch.zeros(hidden)]
        cin = hidden
    if head:
        linear = nn.Linear(hidden, ways)
        params += [linear.weight.detach(), linear.bias.detach()]
    return [p.to(dtype).clone().requires_grad_(True) for p in params]


def expand_tasks(params, tasks):
    """theta -> per-task views [T, ...] that share theta's storage (gradients sum back into theta)."""
    return [p.unsqueeze(0).expand(tasks, *p.shape) for p in params]


# ---------------------------------------------------------------------------------------------
# MLP
# ---------------------------------------------------------------------------------------------

def mlp_forward(params, x):
    """x [N, in] -> [N, out]; ReLU between layers, none after the last."""
    layers = len(params) // 2
    for l in range(layers):
        x = F.linear(x, params[2 * l], params[2 * l + 1])
        if l + 1 < layers:
            x = F.relu(x)
    return x


def mlp_batched(params, x):
    """params [T, out, in] / [T, out]; x [T, N, in] -> [T, N, out] with torch.baddbmm."""
    layers = len(params) // 2
    for l in range(layers):
        w, b = params[2 * l], params[2 * l + 1]
        x = torch.baddbmm(b.unsqueeze(1), x, w.transpose(1, 2))
        if l + 1 < layers:
            x = F.relu(x)
    return x


# ---------------------------------------------------------------------------------------------
# CNN-4: 4 x [conv3x3 64 pad 1, batch norm (training mode: batch statistics, no running stats),
# ReLU, max-pool 2]; 28 -> 14 -> 7 -> 3 -> 1, so the body's output is 64 features.
# ---------------------------------------------------------------------------------------------

def cnn4_body(params, x):
    """One task: x [N, C, 28, 28] -> [N, 64]. BN statistics are this batch's (one task's)."""
    x = memory_format(x)
    for b in range(4):
        w, bias, gamma, beta = params[4 * b: 4 * b + 4]
        x = F.conv2d(x, w, bias, padding=1)
        x = F.batch_norm(x, None, None, gamma, beta, training=True, eps=BN_EPS)
        x = F.max_pool2d(F.relu(x), 2)
    return x.flatten(1)


def cnn4_forward(params, x):
    """One task: x [N, C, 28, 28] -> logits [N, ways]."""
    return F.linear(cnn4_body(params[:16], x), params[16], params[17])


def cnn4_body_grouped(params, x):
    """All tasks at once, tasks folded into channels.

    params: per-task weights [T, ...]; x [T, N, C, 28, 28] -> [T, N, 64].
    The batch becomes [N, T*C, H, W]; each conv is one grouped convolution with groups=T and
    weight [T*64, Cin, 3, 3]; training-mode batch norm over channels T*64 then normalises each
    (task, channel) over (N, H, W), i.e. with per-task batch statistics, exactly like the loop.
    """
    tasks, n, c, h, w_ = x.shape
    x = memory_format(x.transpose(0, 1).reshape(n, tasks * c, h, w_))
    for b in range(4):
        w, bias, gamma, beta = params[4 * b: 4 * b + 4]
        out_ch = w.shape[1]
        x = F.conv2d(x, w.reshape(tasks * out_ch, *w.shape[2:]), bias.reshape(-1), padding=1, groups=tasks)
        x = F.batch_norm(x, None, None, gamma.reshape(-1), beta.reshape(-1), training=True, eps=BN_EPS)
        x = F.max_pool2d(F.relu(x), 2)
    return x.reshape(n, tasks, -1).transpose(0, 1)


def cnn4_batched(params, x):
    """All tasks: per-task weights [T, ...], x [T, N, C, 28, 28] -> logits [T, N, ways]."""
    features = cnn4_body_grouped(params[:16], x)
    return torch.baddbmm(params[17].unsqueeze(1), features, params[16].transpose(1, 2))


def cnn4_body_shared(params, x):
    """All tasks with the SAME weights (ProtoNet): one ordinary conv over all T*N images, and
    batch norm with per-task statistics by folding tasks into channels around it:
    [T*N, C, H, W] -> [N, T*C, H, W], training-mode F.batch_norm (gamma, beta repeated per
    task), ReLU, max-pool, and back to [T*N, C, H', W'].  (A hand-written per-task batch norm
    with mean/var/sub/mul/add measured about twice as slow on CPU: more full-size temporaries.)

    params: theta (no task dimension); x [T, N, C, 28, 28] -> [T, N, 64].
    """
    tasks, n = x.shape[:2]
    x = memory_format(x.reshape(tasks * n, *x.shape[2:]))
    for b in range(4):
        w, bias, gamma, beta = params[4 * b: 4 * b + 4]
        x = F.conv2d(x, w, bias, padding=1)
        _, c, h, w_ = x.shape
        y = x.view(tasks, n, c, h, w_).transpose(0, 1).reshape(n, tasks * c, h, w_)
        y = F.batch_norm(y, None, None, gamma.repeat(tasks), beta.repeat(tasks), training=True, eps=BN_EPS)
        y = F.max_pool2d(F.relu(y), 2)
        h, w_ = y.shape[2:]
        x = y.view(n, tasks, c, h, w_).transpose(0, 1).reshape(tasks * n, c, h, w_)
    return x.view(tasks, n, -1)
