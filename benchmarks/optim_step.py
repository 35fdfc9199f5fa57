"""Benchmark: ``optimizer.step()`` for a model with many parameter tensors.

Compares, in one run and on the same machine:

* jtorch: ``opt.step()`` with gradients already in ``.grad`` (one recorded op for all
  parameters, run as one compiled program at the step's sync);
* Optax by hand: the same update as a ``jax.jit``-ed function of (params, grads, state), with
  params and state donated: the best JAX can do, what jtorch can at most reach;
* PyTorch (if installed): ``opt.step()`` (CPU: the for-loop/foreach implementation it picks).

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/optim_step.py [--params 100] [--size 4096] [--steps 200]

Prints a small table: microseconds per step and the ratio to PyTorch and to Optax.

On a shared 2-core CPU box (best of 5 rounds, ``--torch-threads 1``) it printed about::

    optimizer                 jtorch  optax jit     torch  jtorch/optax  jtorch/torch
    Adam                        1589        504      2429          3.15          0.65
    SGD(momentum)                818        273       979          3.00          0.84

The gap to Optax: jtorch cannot donate the buffers of parameters the user may still hold
(new arrays are allocated for every parameter and state tensor), and writes ~(1 + number of
state tensors) outputs per parameter back into tensors in Python (~0.7 ms for 100 parameters).
With PyTorch's default threads on a loaded machine, PyTorch's CPU Adam can be far slower
(its ``sqrt`` kernel stalls on busy threads).
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def _shapes(n, size):
    """``n`` parameter shapes alternating matrices and vectors, about ``size`` elements each."""
    side = max(1, int(round(size ** 0.5)))
    return [(side, side) if i % 2 == 0 else (size,) for i in range(n)]


def _data(n, size, seed=0):
    rng = np.random.default_rng(seed)
    shapes = _shapes(n, size)
    params = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) * 0.01 for s in shapes]
    return params, grads


def _best_time(step, finish, steps, rounds):
    """Seconds per step: the best of ``rounds`` timed rounds of ``steps`` steps (a shared,
    noisy machine slows some rounds; the best one is the closest to the true cost)."""
    best = float("inf")
    for _ in range(rounds):
        finish()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        finish()
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def torchlike_stepper(lib, name, kw, params, grads, warmup):
    """``opt.step()`` of a PyTorch-API library (torch or jtorch) with fixed gradients."""
    ps = [lib.nn.Parameter(lib.tensor(p)) for p in params]
    for p, g in zip(ps, grads):
        p.grad = lib.tensor(g)
    opt = getattr(lib.optim, name)(ps, **kw)

    def finish():
        # wait for the values (jtorch dispatches asynchronously); not .numpy(), which would
        # make the parameter share memory with NumPy from then on
        ps[0].detach().sum().item()

    for _ in range(warmup):  # jtorch: the second step compiles the step program
        opt.step()
    return opt.step, finish


def optax_stepper(name, kw, params, grads, warmup):
    """The same update written by hand: one jitted Optax update, params and state donated."""
    import jax
    import optax
    if name == "Adam":
        tx = optax.adam(kw["lr"], b1=0.9, b2=0.999, eps=1e-8)
    else:
        tx = optax.sgd(kw["lr"], momentum=kw.get("momentum") or None)
    g = [jax.numpy.asarray(x) for x in grads]
    p = [jax.numpy.asarray(x) for x in params]
    holder = [p, tx.init(p)]

    def _update(params, grads, state):
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    update = jax.jit(_update, donate_argnums=(0, 2))

    def step():
        holder[0], holder[1] = update(holder[0], g, holder[1])

    def finish():
        jax.block_until_ready(holder[0])

    for _ in range(warmup):
        step()
    return step, finish


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", type=int, default=100, help="number of parameter tensors")
    ap.add_argument("--size", type=int, default=4096, help="elements per parameter tensor")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5,
                    help="timed rounds (interleaved across libraries); the best one counts")
    ap.add_argument("--torch-threads", type=int, default=None,
                    help="torch.set_num_threads (default: PyTorch's own choice)")
    args = ap.parse_args(argv)

    import jtorch
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    params, grads = _data(args.params, args.size)
    cases = [("Adam", dict(lr=1e-3)), ("SGD", dict(lr=1e-2, momentum=0.9))]
    rows = []
    for name, kw in cases:
        steppers = {"jtorch": torchlike_stepper(jtorch, name, kw, params, grads, args.warmup),
                    "optax": optax_stepper(name, kw, params, grads, args.warmup)}
        if torch is not None:
            steppers["torch"] = torchlike_stepper(torch, name, kw, params, grads, args.warmup)
        best = {k: float("inf") for k in steppers}
        per_round = max(1, args.steps // args.rounds)
        for _ in range(args.rounds):  # interleaved, so load changes hit every library alike
            for k, (step, finish) in steppers.items():
                best[k] = min(best[k], _best_time(step, finish, per_round, 1))
        rows.append((name, kw, best["jtorch"], best["optax"], best.get("torch")))

    n_el = sum(int(np.prod(s)) for s in _shapes(args.params, args.size))
    threads = f", torch threads {torch.get_num_threads()}" if torch is not None else ""
    print(f"optimizer.step(): {args.params} parameter tensors, {n_el:,} elements; best of "
          f"{args.rounds} rounds of {max(1, args.steps // args.rounds)} steps{threads}")
    print("(microseconds per step, lower is better)")
    head = f"{'optimizer':<22}{'jtorch':>10}{'optax jit':>11}{'torch':>10}" \
           f"{'jtorch/optax':>14}{'jtorch/torch':>14}"
    print(head)
    print("-" * len(head))
    for name, kw, t_j, t_o, t_t in rows:
        label = name + ("(momentum)" if kw.get("momentum") else "")
        torch_s = f"{t_t * 1e6:10.0f}" if t_t is not None else f"{'n/a':>10}"
        ratio_t = f"{t_j / t_t:14.2f}" if t_t is not None else f"{'n/a':>14}"
        print(f"{label:<22}{t_j * 1e6:10.0f}{t_o * 1e6:11.0f}{torch_s}{t_j / t_o:14.2f}"
              f"{ratio_t}")
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
