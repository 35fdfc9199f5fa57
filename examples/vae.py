"""A variational auto-encoder (VAE) on jtorch, with a built-in synthetic data set.

    python examples/vae.py               # 10 epochs (about a minute on a 2-core CPU)
    python examples/vae.py --quick       # short run for CI: ~6 s of CPU
    python examples/vae.py --device cuda --epochs 30 --latent 4

The images are 16x16 soft blobs (a Gaussian bump with a random centre and width, so the data lie
on a 3-parameter manifold), generated deterministically with NumPy.  The encoder maps an image to
the mean and log-variance of a Gaussian over a small latent space; the decoder maps a latent
sample back to pixel logits.  The loss is the negative ELBO: binary cross-entropy of the
reconstruction plus the KL divergence to the unit Gaussian prior (Kingma & Welling, 2014).
At the end the script reports the test loss and reconstruction error and draws a few decoded
samples from the prior as text.  Apart from ``import jtorch as torch`` this is plain PyTorch
code: the reparameterisation trick with torch.randn_like, F.binary_cross_entropy_with_logits,
Adam, torch.no_grad(), torch.save/torch.load of the state_dict.
"""
import argparse
import os
import tempfile
import time

import numpy as np

import jtorch as torch
from jtorch import nn
from jtorch.nn import functional as F
from jtorch.utils.data import DataLoader, TensorDataset

SIZE = 16


def blobs(n, seed):
    """``n`` images of one Gaussian bump each, values in [0, 1]."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(3, SIZE - 3, size=(n, 2, 1, 1))
    width = rng.uniform(1.2, 3.0, size=(n, 1, 1))
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    d2 = (yy - centre[:, 0]) ** 2 + (xx - centre[:, 1]) ** 2
    img = np.exp(-d2 / (2 * width ** 2)).astype(np.float32)
    return torch.from_numpy(img.reshape(n, SIZE * SIZE))


class VAE(nn.Module):
    def __init__(self, latent=2, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(SIZE * SIZE, hidden), nn.ReLU(),
                                     nn.Linear(hidden, hidden // 2), nn.ReLU())
        self.mu = nn.Linear(hidden // 2, latent)
        self.logvar = nn.Linear(hidden // 2, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden // 2), nn.ReLU(),
                                     nn.Linear(hidden // 2, hidden), nn.ReLU(),
                                     nn.Linear(hidden, SIZE * SIZE))

    def encode(self, x):
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + std * torch.randn_like(std)

    def decode(self, z):
        return self.decoder(z)  # logits; torch.sigmoid gives pixel values

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(logits, x, mu, logvar):
    """Negative ELBO summed over the batch: reconstruction BCE + KL(q(z|x) || N(0, I))."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train_epoch(loader, model, optimizer, device, log_every, curve):
    model.train()
    size = len(loader.dataset)
    for batch, (x,) in enumerate(loader):
        x = x.to(device)
        logits, mu, logvar = model(x)
        loss = loss_function(logits, x, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch % log_every == 0:
            loss, current = loss.item() / len(x), (batch + 1) * len(x)
            curve.append(loss)
            print(f"loss: {loss:>9.4f}  [{current:>5d}/{size:>5d}]")


def evaluate(loader, model, device):
    model.eval()
    total, sq_err = 0.0, 0.0
    with torch.no_grad():
        for (x,) in loader:
            x = x.to(device)
            mu, logvar = model.encode(x)
            logits = model.decode(mu)
            total += loss_function(logits, x, mu, logvar).item()
            sq_err += F.mse_loss(torch.sigmoid(logits), x, reduction="sum").item()
    n = len(loader.dataset)
    print(f"Test: \n Avg loss (negative ELBO): {total / n:>8.4f}, "
          f"reconstruction MSE per pixel: {sq_err / (n * SIZE * SIZE):>8.6f} \n")
    return total / n, sq_err / (n * SIZE * SIZE)


def show(images, shades=" .:-=+*#%@"):
    """Print SIZE x SIZE images side by side as characters (darker = larger value)."""
    rows = []
    for r in range(SIZE):
        line = []
        for img in images:
            line.append("".join(shades[min(int(v * len(shades)), len(shades) - 1)]
                                for v in img[r]))
        rows.append("  ".join(line))
    print("\n".join(rows))


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
    plt.ylabel("training loss (negative ELBO per image)")
    plt.savefig(path)
    print(f"training curve saved to {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run (CI)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--latent", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    args = ap.parse_args()
    torch.manual_seed(0)
    n_train, n_test = (4096, 512) if args.quick else (16384, 2048)
    if args.quick:
        args.batch_size = 32
    epochs = 1 if args.quick else args.epochs
    train_loader = DataLoader(TensorDataset(blobs(n_train, seed=0)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(blobs(n_test, seed=1)), batch_size=512)

    model = VAE(args.latent).to(args.device)
    print(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    curve = []
    t0 = time.perf_counter()
    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train_epoch(train_loader, model, optimizer, args.device, 20 if args.quick else 25, curve)
        test_loss, mse = evaluate(test_loader, model, args.device)
    print(f"Done in {time.perf_counter() - t0:.1f}s!")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "vae.pth")
        torch.save(model.state_dict(), path)
        model = VAE(args.latent).to(args.device)
        model.load_state_dict(torch.load(path, weights_only=True))
        print("Saved and reloaded the model state from vae.pth")

    print("Samples decoded from the prior N(0, I):")
    model.eval()
    with torch.no_grad():
        z = torch.randn(4, args.latent, device=args.device)
        samples = torch.sigmoid(model.decode(z)).view(4, SIZE, SIZE).cpu().numpy()
    show(samples)
    save_curve(curve, "vae_loss.png", "x20 batches" if args.quick else "x25 batches")
    # a model that learned nothing predicts the mean image: MSE about 0.04 on this data
    if mse > (0.03 if args.quick else 0.01):
        raise SystemExit(f"reconstruction MSE {mse:.4f} is too high: the model did not learn")


if __name__ == "__main__":
    main()
