"""Indexing: __getitem__/__setitem__, gather/scatter, index_*, masked_*, take, put, nonzero."""
from __future__ import annotations

__all__: list[str] = []
