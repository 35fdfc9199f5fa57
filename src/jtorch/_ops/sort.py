"""Sorting and searching: sort, argsort, topk, kthvalue, unique, bincount, histc, searchsorted, bucketize, isin."""
from __future__ import annotations

__all__: list[str] = []
