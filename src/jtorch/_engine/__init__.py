"""The engine (see core.py)."""
