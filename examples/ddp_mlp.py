"""The quickstart's FashionMNIST-style MLP trained with DistributedDataParallel.

    python -m jtorch.distributed.run --nproc-per-node 2 examples/ddp_mlp.py          # 3 epochs
    python -m jtorch.distributed.run --nproc-per-node 2 examples/ddp_mlp.py --quick  # CI

Each process trains on its DistributedSampler shard of a synthetic data set (a fixed pattern per
class plus noise, 28x28 grey images, 10 classes; nothing is downloaded); DDP averages the
gradients, so the model equals one trained on the whole batch.  Rank 0 prints the loss as the
quickstart's loop does.  Apart from ``import jtorch as torch`` this is PyTorch's DDP recipe.
"""
import argparse
import os

import numpy as np

import jtorch as torch
import jtorch.distributed as dist
from jtorch import nn
from jtorch.nn.parallel import DistributedDataParallel as DDP
from jtorch.utils.data import DataLoader, TensorDataset
from jtorch.utils.data.distributed import DistributedSampler


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


def train(dataloader, model, loss_fn, optimizer, rank, world):
    size = len(dataloader.dataset)
    model.train()
    device = next(model.parameters()).device
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 5 == 0 and rank == 0:
            loss, current = loss.item(), (batch + 1) * len(X) * world
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    model.eval()
    device = next(model.parameters()).device
    totals = torch.zeros(3, device=device)  # loss sum, correct, count over this rank's shard
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            totals += torch.stack([loss_fn(pred, y) * len(y),
                                   (pred.argmax(1) == y).float().sum(),
                                   torch.tensor(float(len(y)), device=device)])
    dist.all_reduce(totals)
    loss, correct, n = totals.tolist()
    return loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a short run (CI)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="cpu",
                        help="cpu, or cuda (each process uses cuda:LOCAL_RANK)")
    args = parser.parse_args()

    dist.init_process_group("gloo")          # MASTER_ADDR, RANK, ... from the launcher
    rank, world = dist.get_rank(), dist.get_world_size()
    n_train, n_test = (640, 192) if args.quick else (6400, 1024)
    epochs = 1 if args.quick else args.epochs
    train_data = TensorDataset(*synthetic_fashion(n_train, 0))
    test_data = TensorDataset(*synthetic_fashion(n_test, 1))
    batch_size = 64 // world                  # a global batch of 64
    train_loader = DataLoader(train_data, batch_size=batch_size,
                              sampler=DistributedSampler(train_data, shuffle=True, seed=0))
    test_loader = DataLoader(test_data, batch_size=batch_size,
                             sampler=DistributedSampler(test_data, shuffle=False))

    torch.manual_seed(0)
    device = torch.device(args.device)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    model = DDP(NeuralNetwork().to(device))
    if rank == 0:
        print(f"{world} processes, local batch {batch_size}")
        print(model.module)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=5e-2)
    for epoch in range(epochs):
        train_loader.sampler.set_epoch(epoch)
        if rank == 0:
            print(f"Epoch {epoch + 1}\n-------------------------------")
        train(train_loader, model, loss_fn, optimizer, rank, world)
        loss, acc = test(test_loader, model, loss_fn)
        if rank == 0:
            print(f"Test Error: \n Accuracy: {(100 * acc):>0.1f}%, Avg loss: {loss:>8f} \n")
    if rank == 0:
        print("Done!")
    dist.destroy_process_group()


if __name__ == "__main__":
    if "RANK" not in os.environ:               # run alone: a world of one
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT="29500", WORLD_SIZE="1",
                          RANK="0", LOCAL_RANK="0")
    main()
