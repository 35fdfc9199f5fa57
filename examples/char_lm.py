"""A character-level language model (an LSTM) trained on a text file that ships with jtorch.

    python examples/char_lm.py                  # 600 steps (a few minutes on a 2-core CPU)
    python examples/char_lm.py --quick          # short run for CI: ~10 s of CPU, mostly compiles
    python examples/char_lm.py --device cuda --steps 5000 --text my_book.txt

The text is ``examples/data/river_tales.txt`` (original short stories, CC0, about 17 KB) unless
``--text`` names another UTF-8 file.  The model reads random windows of the text and learns to
predict each next character; at the end it reports the validation loss and next-character
accuracy on the last 10% of the text (never trained on) and samples new text from a prompt.
Apart from ``import jtorch as torch`` this is plain PyTorch code: nn.Embedding, nn.LSTM
(batch_first, carried hidden state), clip_grad_norm_, AdamW, a cosine learning-rate schedule,
torch.multinomial sampling.
"""
import argparse
import math
import os
import time

import jtorch as torch
from jtorch import nn
from jtorch.nn import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed=48, hidden=128, layers=2, dropout=0.25):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


def batches(data, batch_size, seq_len, generator):
    """Endless random (input, target) windows of ``data`` (a 1-D long tensor)."""
    offsets = torch.arange(seq_len)
    while True:
        starts = torch.randint(0, len(data) - seq_len - 1, (batch_size, 1), generator=generator)
        # one gather with an index tensor (not a Python loop of slices) keeps every step the
        # same program, so it compiles once
        idx = starts + offsets
        yield data[idx], data[idx + 1]


@torch.no_grad()
def evaluate(model, data, seq_len, device):
    """Mean loss and next-character accuracy over consecutive windows of ``data``."""
    model.eval()
    n = (len(data) - 1) // seq_len
    x = data[:n * seq_len].view(n, seq_len).to(device)
    y = data[1:n * seq_len + 1].view(n, seq_len).to(device)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1)).item()
    accuracy = (logits.argmax(-1) == y).float().mean().item()
    model.train()
    return loss, accuracy


@torch.no_grad()
def sample(model, prompt, length, stoi, itos, device, temperature=0.8):
    """Continue ``prompt`` by ``length`` characters drawn from the model."""
    model.eval()
    idx = torch.tensor([[stoi[c] for c in prompt]], device=device)
    logits, state = model(idx)
    out = []
    for _ in range(length):
        probs = F.softmax(logits[:, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1)
        out.append(itos[nxt.item()])
        logits, state = model(nxt, state)
    model.train()
    return prompt + "".join(out)


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
    ap.add_argument("--text", default=os.path.join(HERE, "data", "river_tales.txt"))
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=96)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--log-every", type=int, default=100)
    args = ap.parse_args()
    if args.quick:
        args.steps, args.batch_size, args.seq_len, args.log_every = 40, 16, 32, 10
    torch.manual_seed(0)

    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    itos = dict(enumerate(chars))
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    split = int(0.9 * len(data))
    train_data, val_data = data[:split], data[split:]
    print(f"{len(text)} characters, {len(chars)} distinct; "
          f"{len(train_data)} for training, {len(val_data)} for validation")

    model = CharLSTM(len(chars)).to(args.device)
    if args.quick:
        model = CharLSTM(len(chars), embed=16, hidden=48, layers=1).to(args.device)
    print(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)
    gen = torch.Generator().manual_seed(1)
    stream = batches(train_data, args.batch_size, args.seq_len, gen)
    curve = []
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        x, y = next(stream)
        x, y = x.to(args.device), y.to(args.device)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.view(-1, len(chars)), y.view(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % args.log_every == 0 or step == 1:
            loss = loss.item()
            curve.append(loss)
            # the validation loss shows when the model starts to memorise the training text
            val = "" if args.quick else \
                f"val loss: {evaluate(model, val_data, args.seq_len, args.device)[0]:>7f}  "
            print(f"step {step:>5d}/{args.steps}  loss: {loss:>7f}  {val}"
                  f"lr: {scheduler.get_last_lr()[0]:.2e}  ({time.perf_counter() - t0:.1f}s)")
    print(f"Done in {time.perf_counter() - t0:.1f}s!")

    val_loss, accuracy = evaluate(model, val_data, args.seq_len, args.device)
    print(f"Validation: \n Accuracy: {100 * accuracy:>0.1f}%, Avg loss: {val_loss:>8f}, "
          f"perplexity: {math.exp(val_loss):.2f} \n")
    print("Sample:")
    print(sample(model, "The river ", 80 if args.quick else 400, stoi, itos, args.device))
    save_curve(curve, "char_lm_loss.png", f"x{args.log_every} steps")
    # a uniform guess over the characters has loss log(len(chars)) (about 4.2)
    if val_loss > (3.5 if args.quick else 2.3):
        raise SystemExit(f"validation loss {val_loss:.2f} is too high: the model did not learn")


if __name__ == "__main__":
    main()
