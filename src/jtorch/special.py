"""``torch.special``: special functions.

Most are the elementwise ops of the main namespace under SciPy-style names (``expit`` is
``sigmoid``, ``gammaln`` is ``lgamma``, ...); the rest (``entr``, ``i0e``, ``i1``, ``ndtr``,
``xlog1py``, ``zeta``, ...) are defined in ``jtorch._ops.special``.
"""
from __future__ import annotations

from . import _ops  # noqa: F401  (registers the op table)
from ._ops._registry import OPS as _OPS
from ._ops._registry import _with_out

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "digamma", "entr", "erf", "erfc", "erfcx",
           "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "i0", "i0e",
           "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]


def _op(name):
    e = _OPS[name]
    return _with_out(e.fn, e.name) if e.out else e.fn


for _name in ("entr", "erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "xlog1py",
              "zeta", "spherical_bessel_j0"):
    globals()[_name] = _op(_name)

# the main namespace's ops under torch.special's names
_ALIASES = {"digamma": "digamma", "psi": "digamma", "erf": "erf", "erfc": "erfc",
            "erfinv": "erfinv", "exp2": "exp2", "expit": "sigmoid", "expm1": "expm1",
            "gammainc": "igamma", "gammaincc": "igammac", "gammaln": "lgamma", "i0": "i0",
            "log1p": "log1p", "logit": "logit", "logsumexp": "logsumexp",
            "multigammaln": "mvlgamma", "polygamma": "polygamma", "round": "round",
            "sinc": "sinc", "xlogy": "xlogy"}
for _name, _target in _ALIASES.items():
    globals()[_name] = _op(_target)


def softmax(input, dim, *, dtype=None):
    """``torch.softmax(input, dim, dtype=dtype)``."""
    from . import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """``torch.log_softmax(input, dim, dtype=dtype)``."""
    from . import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)


_UNSUPPORTED = {"airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
                "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
                "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
                "legendre_polynomial_p", "modified_bessel_i0", "modified_bessel_i1",
                "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
                "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
                "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
                "shifted_chebyshev_polynomial_w"}
__all__ = [n for n in __all__ if n not in _UNSUPPORTED]


def __getattr__(name):
    if name in _UNSUPPORTED:
        from ._unsupported import UnsupportedError
        raise UnsupportedError(f"torch.special.{name} is not supported by jtorch yet; see "
                               "docs/compatibility.md")
    raise AttributeError(f"module 'torch.special' has no attribute '{name}'")
