"""Task samplers for the reference benchmark: sinusoid regression and Omniglot N-way K-shot.

Both draw with a numpy Generator and return torch tensors with a leading task dimension, so the
loop and batched implementations consume exactly the same meta-batch.
"""

import io
import math
import zipfile

import numpy as np
import torch
from PIL import Image

DEFAULT_OMNIGLOT_ZIP = "/work/shared/data/omniglot/images_background_small1.zip"


class SinusoidTasks:
    """y = A sin(x - phase); A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5] (support and query
    points drawn independently). Returns support x, y [T, K, 1] and query x, y [T, Q, 1]."""

    def __init__(self, seed, dtype=torch.float32):
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype

    def sample(self, tasks, shots, query):
        rng = self.rng
        amplitude = rng.uniform(0.1, 5.0, size=(tasks, 1, 1))
        phase = rng.uniform(0.0, math.pi, size=(tasks, 1, 1))
        sx = rng.uniform(-5.0, 5.0, size=(tasks, shots, 1))
        qx = rng.uniform(-5.0, 5.0, size=(tasks, query, 1))
        sy = amplitude * np.sin(sx - phase)
        qy = amplitude * np.sin(qx - phase)
        t = lambda a: torch.from_numpy(a).to(self.dtype)
        return t(sx), t(sy), t(qx), t(qy)


def load_omniglot(path=DEFAULT_OMNIGLOT_ZIP, size=28):
    """Decodes every PNG of an Omniglot-layout zip (<set>/<alphabet>/<character>/<image>.png) into
    one float32 array [classes, images_per_class, 1, size, size].

    Each image: 1-bit PNG -> 8-bit grey ("L"), resized to size x size with PIL bilinear
    (torchvision's Resize default), scaled to [0, 1] and inverted so strokes are 1, paper 0.
    Classes are the character folders in sorted path order.
    """
    by_class = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.lower().endswith(".png"):
                continue
            parts = name.split("/")
            if len(parts) < 3:
                continue
            image = Image.open(io.BytesIO(archive.read(name))).convert("L")
            image = image.resize((size, size), resample=Image.BILINEAR)
            pixels = 1.0 - np.asarray(image, dtype=np.float32) / 255.0
            by_class.setdefault("/".join(parts[:-1]), []).append(pixels)
    counts = {len(v) for v in by_class.values()}
    per_class = min(counts)
    data = np.stack([np.stack(v[:per_class]) for _, v in sorted(by_class.items())])
    return data[:, :, None, :, :]  # [classes, images, 1, H, W]


class OmniglotTasks:
    """N-way K-shot Q-query episodes from decoded images (see load_omniglot).

    Per task: N distinct classes (numpy choice without replacement), and for each class K + Q
    distinct images; label j = position of the class in the draw. Support and query are
    class-major (class 0's K images, then class 1's, ...).
    Returns sx [T, N*K, 1, 28, 28], sy [T, N*K] (int64), qx [T, N*Q, 1, 28, 28], qy [T, N*Q].
    """

    def __init__(self, images, seed, dtype=torch.float32):
        self.images = images
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype

    def sample(self, tasks, ways, shots, query):
        classes, per_class = self.images.shape[:2]
        rng = self.rng
        sx, qx = [], []
        for _ in range(tasks):
            chosen = rng.choice(classes, size=ways, replace=False)
            picks = np.stack([rng.choice(per_class, size=shots + query, replace=False) for _ in range(ways)])
            episode = self.images[chosen[:, None], picks]  # [N, K+Q, 1, H, W]
            sx.append(episode[:, :shots].reshape(ways * shots, *episode.shape[2:]))
            qx.append(episode[:, shots:].reshape(ways * query, *episode.shape[2:]))
        labels = np.arange(ways)
        sy = np.broadcast_to(np.repeat(labels, shots), (tasks, ways * shots))
        qy = np.broadcast_to(np.repeat(labels, query), (tasks, ways * query))
        return (torch.from_numpy(np.stack(sx)).to(self.dtype), torch.from_numpy(np.ascontiguousarray(sy)),
                torch.from_numpy(np.stack(qx)).to(self.dtype), torch.from_numpy(np.ascontiguousarray(qy)))
