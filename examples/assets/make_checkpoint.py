"""Write ``spiral_mlp.pt`` with REAL PyTorch: the checkpoint that examples/bring_your_checkpoint.py
loads with jtorch.

    pip install torch            # real PyTorch (this file was run with torch 2.13.0, CPU)
    python examples/assets/make_checkpoint.py

It trains a small MLP (Linear/BatchNorm1d/ReLU, 3 classes) on a three-arm spiral for 600 Adam
steps and saves, with ``torch.save``, a dict of

    "model"         the state_dict (float32 weights, BatchNorm running stats and its int64
                    num_batches_tracked buffer)
    "probe_inputs"  8 fixed points, float32 [8, 2]
    "probe_logits"  what the trained model (in eval mode) outputs for them under PyTorch
    "torch_version" the version of PyTorch that wrote the file
    "train_seed", "test_accuracy"

Everything in it loads with ``weights_only=True``.  The data generator ``spiral`` is copied
verbatim into the example, so both sides see the same points.
"""
import os

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def spiral(n, seed, turn=0.0):
    """``n`` points of a noisy three-arm spiral; ``turn`` rotates it (radians)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    r = rng.uniform(0.1, 1.0, size=n)
    angle = 2 * np.pi * y / 3 + 2.5 * r + turn + rng.normal(0, 0.15, size=n)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


class SpiralMLP(nn.Module):
    def __init__(self, hidden=64, classes=3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(2, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, classes))

    def forward(self, x):
        return self.net(x)


def main():
    torch.manual_seed(0)
    x, y = spiral(4096, seed=0)
    xt, yt = spiral(1024, seed=1)
    model = SpiralMLP()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(0)
    for step in range(600):
        idx = torch.randint(0, len(x), (128,), generator=gen)
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
        probe = xt[:8].clone()
        probe_logits = model(probe)
    print(f"test accuracy {acc:.3f}")
    path = os.path.join(HERE, "spiral_mlp.pt")
    torch.save({"model": model.state_dict(), "probe_inputs": probe,
                "probe_logits": probe_logits, "torch_version": str(torch.__version__),
                "train_seed": 0, "test_accuracy": acc}, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
