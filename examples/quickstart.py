"""The PyTorch quickstart (FashionMNIST-style MLP) on jtorch, with built-in synthetic data.

    python examples/quickstart.py            # 5 epochs
    python examples/quickstart.py --quick    # short run for CI: ~5 s of CPU
    python examples/quickstart.py --device cuda

The data set is generated deterministically (a fixed pattern per class plus noise, 28x28 grey
images, 10 classes), so nothing is downloaded.  Apart from ``import jtorch as torch`` this is
the PyTorch tutorial's code.
"""
import argparse
import os
import tempfile
import time

import numpy as np

import jtorch as torch
from jtorch import nn
from jtorch.utils.data import DataLoader, TensorDataset


def synthetic_fashion(n, seed):
    patterns = np.random.default_rng(1234).random((10, 28, 28)) < 0.3
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    x = 0.6 * patterns[y] + 0.4 * rng.random((n, 28, 28))
    return (torch.from_numpy(x.astype(np.float32)).unsqueeze(1),
            torch.from_numpy(y.astype(np.int64)))


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


def train(dataloader, model, loss_fn, optimizer, device, log_every, curve):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % log_every == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            curve.append(loss)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn, device):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a short run")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()
    torch.manual_seed(0)
    n_train, n_test, epochs = (2048, 512, 2) if args.quick else (12800, 2560, args.epochs)
    train_data = TensorDataset(*synthetic_fashion(n_train, seed=0))
    test_data = TensorDataset(*synthetic_fashion(n_test, seed=1))
    train_dataloader = DataLoader(train_data, batch_size=64, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=64)

    model = NeuralNetwork().to(args.device)
    print(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=5e-2)
    curve = []
    t0 = time.perf_counter()
    for t in range(epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        train(train_dataloader, model, loss_fn, optimizer, args.device, 10, curve)
        accuracy = test(test_dataloader, model, loss_fn, args.device)
    print(f"Done in {time.perf_counter() - t0:.1f}s!")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.pth")
        torch.save(model.state_dict(), path)
        model = NeuralNetwork().to(args.device)
        model.load_state_dict(torch.load(path, weights_only=True))
        print("Saved and reloaded the model state from model.pth")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.plot(curve)
        plt.xlabel("x10 batches")
        plt.ylabel("training loss")
        plt.savefig("quickstart_loss.png")
        print("training curve saved to quickstart_loss.png")
    except ImportError:
        pass
    if accuracy < 0.5:
        raise SystemExit(f"accuracy {accuracy:.2f} is too low: the model did not learn")


if __name__ == "__main__":
    main()
