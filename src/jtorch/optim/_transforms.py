"""PyTorch's update rules as Optax gradient transformations.

The optimizers chain Optax's own blocks where they compute PyTorch's math (``add_decayed_weights``
for coupled L2, ``scale_by_adam``, ``scale_by_adamax``, ``scale_by_rms``/``scale_by_stddev`` with
``eps_in_sqrt=False``, ``scale_by_adadelta``, ``trace``, ``scale_by_learning_rate``); the
transformations here cover the rest, where Optax's formula differs from PyTorch's (where eps goes,
SGD's dampening and first momentum step, AMSGrad's max over the raw second moment, NAdam's
momentum schedule, RAdam's rectification test, Adagrad's lr decay, Rprop, ASGD).

Hyper-parameters arrive as traced scalars (inputs of the step op), so these are built inside
the traced update and never baked into a compiled program.  Step counters are carried as
float64 so that bias corrections are computed in double precision, as PyTorch computes them in
Python floats.
"""
from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import optax

__all__ = ["run_chain", "count", "torch_trace", "decoupled_weight_decay", "scale_by_torch_amsgrad", "scale_by_nadam",
           "scale_by_torch_radam", "scale_by_torch_adagrad", "scale_by_torch_rprop",
           "torch_asgd"]


def count(s):
    """The optimizer's ``state['step']`` as an Optax count (float64: PyTorch's bias corrections
    are computed in double precision)."""
    return s["step"].astype(jnp.float64)


def run_chain(p, g, blocks):
    """Apply a chain of ``(transformation, state)`` blocks to gradient ``g`` of parameter
    ``p``: the updated parameter and the blocks' new states."""
    tx = optax.chain(*(t for t, _ in blocks))
    updates, states = tx.update(g, tuple(s for _, s in blocks), p)
    return optax.apply_updates(p, updates), states


def _bc(decay, n):
    """``1 - decay ** n`` in double precision."""
    return 1 - jnp.asarray(decay, jnp.float64) ** n


# ----------------------------------------------------------------------------------------------
# SGD momentum


class TorchTraceState(NamedTuple):
    trace: object  # None before the first step (PyTorch then starts the buffer at the gradient)


def torch_trace(momentum, dampening, nesterov):
    """SGD's momentum buffer: ``buf = momentum * buf + (1 - dampening) * g``, started at ``g``
    (no dampening on the first step, unlike ``optax.trace``'s zero start)."""

    def init_fn(params):
        return TorchTraceState(None)

    def update_fn(updates, state, params=None):
        g = updates
        if state.trace is None:
            buf = g
        else:
            buf = state.trace * momentum + g * (1 - dampening)
        out = g + buf * momentum if nesterov else buf
        return out, TorchTraceState(buf)

    return optax.GradientTransformation(init_fn, update_fn)


# ----------------------------------------------------------------------------------------------
# Adam family


def decoupled_weight_decay(lr, weight_decay):
    """AdamW's ``p <- p * (1 - lr * weight_decay)`` as an update added last in the chain (the
    factor rounded to the parameter's dtype as PyTorch's ``mul_`` rounds it, so that the decay
    does not drift from PyTorch's over many steps)."""

    def init_fn(params):
        return optax.EmptyState()

    def update_fn(updates, state, params):
        factor = jnp.asarray(1 - lr * weight_decay).astype(params.dtype)
        return updates + (params * factor - params), state

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_torch_amsgrad(b1, b2, eps):
    """AMSGrad as PyTorch: the running maximum is of the *raw* second moment, bias-corrected
    afterwards (Optax's ``scale_by_amsgrad`` takes the maximum of corrected moments)."""

    def init_fn(params):
        z = jnp.zeros_like(params)
        return optax.ScaleByAmsgradState(jnp.zeros([], jnp.float64), z, z, z)

    def update_fn(updates, state, params=None):
        mu = optax.tree.update_moment(updates, state.mu, b1, 1)
        nu = optax.tree.update_moment_per_elem_norm(updates, state.nu, b2, 2)
        n = state.count + 1
        nu_max = jnp.maximum(state.nu_max, nu)
        mu_hat = mu / _bc(b1, n).astype(mu.dtype)
        denom = jnp.sqrt(nu_max) / jnp.sqrt(_bc(b2, n)).astype(nu.dtype) + eps
        return mu_hat / denom, optax.ScaleByAmsgradState(n, mu, nu, nu_max)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByNadamState(NamedTuple):
    count: object
    mu_product: object
    mu: object
    nu: object


def scale_by_nadam(b1, b2, eps, momentum_decay):
    """NAdam with PyTorch's momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96 ** (t psi))``."""

    def init_fn(params):
        z = jnp.zeros_like(params)
        return ScaleByNadamState(jnp.zeros([], jnp.float64), jnp.ones([], jnp.float32), z, z)

    def update_fn(updates, state, params=None):
        g = updates
        n = state.count + 1
        b1d = jnp.asarray(b1, jnp.float64)
        mu_t = b1d * (1.0 - 0.5 * (0.96 ** (n * momentum_decay)))
        mu_next = b1d * (1.0 - 0.5 * (0.96 ** ((n + 1) * momentum_decay)))
        mu_product = (state.mu_product * mu_t).astype(state.mu_product.dtype)
        mu_product_next = mu_product.astype(jnp.float64) * mu_next
        mu = optax.tree.update_moment(g, state.mu, b1, 1)
        nu = optax.tree.update_moment_per_elem_norm(g, state.nu, b2, 2)
        denom = jnp.sqrt(nu / _bc(b2, n).astype(nu.dtype)) + eps
        c_g = (1.0 - mu_t) / (1.0 - mu_product.astype(jnp.float64))
        c_m = mu_next / (1.0 - mu_product_next)
        out = g / denom * c_g.astype(g.dtype) + mu / denom * c_m.astype(g.dtype)
        return out, ScaleByNadamState(n, mu_product, mu, nu)

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_torch_radam(b1, b2, eps):
    """RAdam as PyTorch: eps outside the square root and rectification when ``rho_t > 5``
    (Optax: eps added to the corrected root, test ``rho_t >= 5``)."""

    def init_fn(params):
        z = jnp.zeros_like(params)
        return optax.ScaleByAdamState(jnp.zeros([], jnp.float64), z, z)

    def update_fn(updates, state, params=None):
        mu = optax.tree.update_moment(updates, state.mu, b1, 1)
        nu = optax.tree.update_moment_per_elem_norm(updates, state.nu, b2, 2)
        n = state.count + 1
        b2d = jnp.asarray(b2, jnp.float64)
        bc2 = _bc(b2, n)
        mu_hat = mu / _bc(b1, n).astype(mu.dtype)
        rho_inf = 2 / (1 - b2d) - 1
        rho_t = rho_inf - 2 * n * (b2d ** n) / bc2
        # guard the square root: the rectified branch is only taken when rho_t > 5
        safe = jnp.where(rho_t > 5.0, rho_t, 6.0)
        rect = jnp.sqrt((safe - 4) * (safe - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * safe))
        adaptive = jnp.sqrt(bc2).astype(nu.dtype) / (jnp.sqrt(nu) + eps)
        out = jnp.where(rho_t > 5.0, mu_hat * adaptive * rect.astype(mu.dtype), mu_hat)
        return out, optax.ScaleByAdamState(n, mu, nu)

    return optax.GradientTransformation(init_fn, update_fn)


# ----------------------------------------------------------------------------------------------
# Adagrad, Rprop, ASGD


class ScaleByTorchAdagradState(NamedTuple):
    count: object
    sum: object


def scale_by_torch_adagrad(lr, lr_decay, eps):
    """Adagrad as PyTorch: ``-clr * g / (sqrt(sum) + eps)`` with ``clr = lr / (1 + (t - 1)
    lr_decay)`` (Optax's ``scale_by_rss`` puts eps inside the square root)."""

    def init_fn(params):
        return ScaleByTorchAdagradState(jnp.zeros([], jnp.float64), jnp.zeros_like(params))

    def update_fn(updates, state, params=None):
        g = updates
        n = state.count + 1
        total = state.sum + g * g
        clr = lr / (1 + (n - 1) * lr_decay)
        out = g / (jnp.sqrt(total) + eps) * (-clr)
        return out, ScaleByTorchAdagradState(n, total)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByTorchRpropState(NamedTuple):
    count: object
    prev: object
    step_size: object


def scale_by_torch_rprop(etaminus, etaplus, step_size_min, step_size_max):
    """Rprop as PyTorch: step sizes grow/shrink with the sign of ``g * prev``; after a sign
    change the gradient is zeroed (no step, and ``prev`` becomes 0)."""

    def init_fn(params):
        z = jnp.zeros_like(params)
        return ScaleByTorchRpropState(jnp.zeros([], jnp.float64), z, z)

    def update_fn(updates, state, params=None):
        g = updates
        s = jnp.sign(g * state.prev)
        factor = jnp.where(s > 0, etaplus, jnp.where(s < 0, etaminus, 1.0)).astype(g.dtype)
        step_size = jnp.clip(state.step_size * factor, step_size_min, step_size_max)
        g = jnp.where(s < 0, jnp.zeros_like(g), g)
        return -jnp.sign(g) * step_size, ScaleByTorchRpropState(state.count + 1, g, step_size)

    return optax.GradientTransformation(init_fn, update_fn)


class TorchAsgdState(NamedTuple):
    count: object
    eta: object
    mu: object
    ax: object


def torch_asgd(lr, lambd, alpha, t0):
    """ASGD as PyTorch: ``p <- p (1 - lambd eta) - eta g``; ``ax`` averages the iterates once
    ``t > t0``; eta and mu follow PyTorch's schedules."""

    def init_fn(params):
        return TorchAsgdState(jnp.zeros([], jnp.float64), jnp.asarray(lr, jnp.float32),
                              jnp.ones([], jnp.float32), jnp.zeros_like(params))

    def update_fn(updates, state, params):
        g = updates
        eta = state.eta.astype(jnp.float64)
        decayed = params * (1 - lambd * eta).astype(params.dtype)
        new_p = decayed - g * eta.astype(g.dtype)
        mu = state.mu
        ax = jnp.where(mu != 1, state.ax + (new_p - state.ax) * mu.astype(new_p.dtype), new_p)
        n = state.count + 1
        new_eta = lr / ((1 + lambd * lr * n) ** alpha)
        new_mu = 1 / jnp.maximum(1.0, n - t0)
        new_state = TorchAsgdState(n, new_eta.astype(state.eta.dtype),
                                   new_mu.astype(state.mu.dtype), ax)
        return new_p - params, new_state

    return optax.GradientTransformation(init_fn, update_fn)
