"""Bring your PyTorch checkpoint: load a file written by real PyTorch, run it, fine-tune it, save.

    python examples/bring_your_checkpoint.py            # 300 fine-tuning steps (seconds)
    python examples/bring_your_checkpoint.py --quick    # short run for CI: ~6 s of CPU
    python examples/bring_your_checkpoint.py --device cuda --checkpoint my_model.pt

``examples/assets/spiral_mlp.pt`` was written by real PyTorch 2.13 with ``torch.save`` (see
``examples/assets/make_checkpoint.py`` for exactly how): the state_dict of a small MLP
(Linear, BatchNorm1d with its running statistics and int64 ``num_batches_tracked``, ReLU)
trained to classify the points of a three-arm spiral, plus the logits PyTorch computed for 8
probe points.  This script

1. loads it with ``torch.load(..., weights_only=True)`` - PyTorch's own zip format, read without
   PyTorch installed;
2. rebuilds the model class, ``load_state_dict``s the weights, and checks that jtorch's outputs
   on the probe points equal PyTorch's;
3. measures accuracy on the original task, then fine-tunes on a rotated spiral (a shifted
   distribution) with only the last layers trainable;
4. saves the fine-tuned checkpoint with ``torch.save`` (readable by real PyTorch's
   ``torch.load``) and reloads it.

Apart from ``import jtorch as torch`` this is plain PyTorch code.
"""
import argparse
import os
import time

import numpy as np

import jtorch as torch
from jtorch import nn

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


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


def save_curve(curve, path, xlabel):
    """Save the training curve as a PNG when matplotlib is installed (it is optional)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.figure()
    plt.plot(curve)
    plt.xlabel(xlabel)
    plt.ylabel("fine-tuning loss")
    plt.savefig(path)
    print(f"training curve saved to {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run (CI)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--checkpoint", default=os.path.join(HERE, "assets", "spiral_mlp.pt"))
    ap.add_argument("--save", default="spiral_mlp_finetuned.pt",
                    help="where to write the fine-tuned checkpoint")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--turn", type=float, default=1.0,
                    help="rotation (radians) of the spiral to fine-tune on")
    args = ap.parse_args()
    steps = 40 if args.quick else args.steps
    device = args.device
    torch.manual_seed(0)

    # 1. load the file PyTorch wrote
    ckpt = torch.load(args.checkpoint, map_location=device, weights_only=True)
    print(f"loaded {os.path.basename(args.checkpoint)}: written by PyTorch "
          f"{ckpt['torch_version']}, keys {sorted(ckpt)}")
    for name, t in ckpt["model"].items():
        print(f"  {name:<28} {str(tuple(t.shape)):<10} {t.dtype}")

    # 2. the same model class, the same outputs
    model = SpiralMLP().to(device)
    print(model.load_state_dict(ckpt["model"]))
    model.eval()
    with torch.no_grad():
        logits = model(ckpt["probe_inputs"])
    diff = (logits - ckpt["probe_logits"]).abs().max().item()
    print(f"probe logits: max |jtorch - PyTorch| = {diff:.2e}")
    if diff > 1e-4:
        raise SystemExit("the loaded model does not reproduce PyTorch's outputs")

    x_test, y_test = (t.to(device) for t in spiral(1024, seed=1))
    acc = accuracy(model, x_test, y_test)
    print(f"accuracy on the original spiral: {100 * acc:.1f}% "
          f"(PyTorch measured {100 * ckpt['test_accuracy']:.1f}%)")

    # 3. fine-tune on a rotated spiral: freeze the first block, train the rest
    x_new, y_new = (t.to(device) for t in spiral(4096, seed=2, turn=args.turn))
    x_new_test, y_new_test = (t.to(device) for t in spiral(1024, seed=3, turn=args.turn))
    before = accuracy(model, x_new_test, y_new_test)
    print(f"accuracy on the spiral turned by {args.turn} rad before fine-tuning: "
          f"{100 * before:.1f}%")
    for p in model.net[:2].parameters():
        p.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    print(f"fine-tuning {sum(p.numel() for p in trainable)} of "
          f"{sum(p.numel() for p in model.parameters())} parameters")
    optimizer = torch.optim.Adam(trainable, lr=5e-3)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    curve = []
    log_every = 10 if args.quick else 50
    t0 = time.perf_counter()
    model.train()
    model.net[1].eval()  # keep the frozen BatchNorm's running statistics as PyTorch left them
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(x_new), (128,), generator=gen).to(device)
        loss = loss_fn(model(x_new[idx]), y_new[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % log_every == 0 or step == 1:
            curve.append(loss.item())
            print(f"step {step:>4d}/{steps}  loss: {curve[-1]:>7f}")
    print(f"Done in {time.perf_counter() - t0:.1f}s!")
    after = accuracy(model, x_new_test, y_new_test)
    print(f"Test: \n Accuracy on the turned spiral after fine-tuning: {100 * after:.1f}% "
          f"(was {100 * before:.1f}%) \n")

    # 4. save in PyTorch's format and read it back
    for p in model.parameters():
        p.requires_grad_(True)
    torch.save({"model": model.state_dict(), "probe_inputs": ckpt["probe_inputs"],
                "probe_logits": model(ckpt["probe_inputs"]).detach(),
                "torch_version": ckpt["torch_version"], "fine_tuned_turn": args.turn}, args.save)
    again = SpiralMLP().to(device)
    again.load_state_dict(torch.load(args.save, weights_only=True)["model"])
    same = all(torch.equal(a, b) for a, b in zip(again.state_dict().values(),
                                                 model.state_dict().values()))
    print(f"saved the fine-tuned checkpoint to {args.save} ({os.path.getsize(args.save)} bytes); "
          f"reloaded {'identical' if same else 'DIFFERENT'}")
    save_curve(curve, "bring_your_checkpoint_loss.png", f"x{log_every} steps")
    if not same or after < max(before + 0.1, 0.8 if args.quick else 0.95):
        raise SystemExit(f"fine-tuning failed: accuracy {after:.2f} (before {before:.2f})")


if __name__ == "__main__":
    main()
