"""Deterministic unit-length embedding vectors derived from the input text."""

from __future__ import annotations

import base64
import hashlib
import math
import sys
from array import array

__all__ = ["embedding_base64", "embedding_floats", "embedding_vector"]


def embedding_vector(text: str, dimensions: int) -> array[float]:
    """float32 values from a hash of `text`: same text, same vector; length 1."""
    raw = array("h", hashlib.shake_256(text.encode()).digest(dimensions * 2))
    if sys.byteorder == "big":
        raw.byteswap()  # same vector on every machine
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return array("f", [v / norm for v in raw])


def embedding_floats(vector: array[float]) -> list[float]:
    # float32 precision printed the way the API prints it (about 9 significant digits).
    return [round(v, 9) for v in vector.tolist()]


def embedding_base64(vector: array[float]) -> str:
    """Little-endian float32 bytes, base64: what `encoding_format: base64` returns."""
    if sys.byteorder == "big":
        vector = array("f", vector)
        vector.byteswap()
    return base64.b64encode(vector.tobytes()).decode()
