"""A small convolutional image classifier on jtorch, with a built-in synthetic data set.

    python examples/cnn_classifier.py              # 4 epochs (about a minute on a 2-core CPU)
    python examples/cnn_classifier.py --quick      # short run for CI: ~10 s of CPU, mostly compiles
    python examples/cnn_classifier.py --device cuda --epochs 10

The images are 16x16 grey pictures of four shapes (a horizontal bar, a vertical bar, a hollow
square, a diagonal line) drawn at random positions and sizes under noise, generated
deterministically with NumPy, so nothing is downloaded.  Apart from ``import jtorch as torch``
this is plain PyTorch code: Dataset, DataLoader, nn.Conv2d/MaxPool2d/BatchNorm2d, Adam,
CrossEntropyLoss, model.train()/model.eval() and torch.no_grad().
"""
import argparse
import time

import numpy as np

import jtorch as torch
from jtorch import nn
from jtorch.utils.data import DataLoader, Dataset

CLASSES = ("horizontal", "vertical", "square", "diagonal")
SIZE = 16


def draw(kind, rng):
    """One SIZE x SIZE image of shape ``kind`` at a random place, plus noise."""
    img = np.zeros((SIZE, SIZE), np.float32)
    n = int(rng.integers(6, 12))           # the shape's extent
    r, c = rng.integers(0, SIZE - n, size=2)
    if kind == 0:
        img[r + n // 2, c:c + n] = 1
    elif kind == 1:
        img[r:r + n, c + n // 2] = 1
    elif kind == 2:
        img[r, c:c + n] = img[r + n - 1, c:c + n] = 1
        img[r:r + n, c] = img[r:r + n, c + n - 1] = 1
    else:
        idx = np.arange(n)
        img[r + idx, c + idx] = 1
    return img + 0.3 * rng.standard_normal((SIZE, SIZE)).astype(np.float32)


class Shapes(Dataset):
    """``n`` labelled shape images; the same ``seed`` gives the same images."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.integers(0, len(CLASSES), size=n)
        self.images = np.stack([draw(k, rng) for k in self.labels])[:, None]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return torch.from_numpy(self.images[i]), int(self.labels[i])


class ConvNet(nn.Module):
    def __init__(self, num_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),                       # 16x16 -> 8x8
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),                       # 8x8 -> 4x4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(32 * 4 * 4, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def train_epoch(loader, model, loss_fn, optimizer, device, log_every, curve):
    size = len(loader.dataset)
    model.train()
    for batch, (X, y) in enumerate(loader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch % log_every == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            curve.append(loss)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def evaluate(loader, model, loss_fn, device):
    model.eval()
    total_loss, correct = 0.0, 0
    per_class = torch.zeros(len(CLASSES), dtype=torch.long)
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            hits = pred.argmax(1) == y
            correct += hits.sum().item()
            per_class += torch.bincount(y[hits].cpu(), minlength=len(CLASSES))
    accuracy = correct / len(loader.dataset)
    print(f"Test Error: \n Accuracy: {100 * accuracy:>0.1f}%, "
          f"Avg loss: {total_loss / len(loader):>8f} \n")
    return accuracy, per_class


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
    plt.ylabel("training loss")
    plt.savefig(path)
    print(f"training curve saved to {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a short run (CI)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()
    torch.manual_seed(0)
    n_train, n_test = (1536, 256) if args.quick else (8192, 1024)
    epochs = 1 if args.quick else args.epochs
    train_loader = DataLoader(Shapes(n_train, seed=0), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(Shapes(n_test, seed=1), batch_size=256)

    model = ConvNet().to(args.device)
    print(model)
    print(f"{sum(p.numel() for p in model.parameters())} parameters on {args.device}")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    curve = []
    t0 = time.perf_counter()
    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train_epoch(train_loader, model, loss_fn, optimizer, args.device, 10, curve)
        accuracy, per_class = evaluate(test_loader, model, loss_fn, args.device)
    print(f"Done in {time.perf_counter() - t0:.1f}s!")
    counts = np.bincount(test_loader.dataset.labels, minlength=len(CLASSES))
    for name, hit, n in zip(CLASSES, per_class.tolist(), counts):
        print(f"  {name:>10}: {hit:>4d}/{n:<4d} correct")
    save_curve(curve, "cnn_classifier_loss.png", "x10 batches")
    if accuracy < (0.5 if args.quick else 0.9):
        raise SystemExit(f"accuracy {accuracy:.2f} is too low: the model did not learn")


if __name__ == "__main__":
    main()
