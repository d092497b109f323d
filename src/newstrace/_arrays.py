"""Several numpy arrays as one byte string, for records that cross process boundaries.

Pickling an array costs a reconstructor call and a state object per array (a few microseconds each);
a record with ten small arrays spent more on that than on its data. Packed, a record's arrays travel as
one ``bytes`` object and come back as read-only views into it.

Byte layout of a packed group: the arrays' C-order bytes in native byte order, concatenated in the
order given, with no padding; the layout tuple holds ``(dtype string, shape)`` per array (``None`` for an
absent array, which takes no bytes). Packed bytes are only meant for the same machine (native byte
order): they are never stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLayout", "pack_arrays", "unpack_arrays"]

ArrayLayout = tuple[tuple[str, tuple[int, ...]] | None, ...]


def pack_arrays(arrays: Sequence[npt.NDArray[np.generic] | None]) -> tuple[bytes, ArrayLayout]:
    """``(bytes, layout)`` of ``arrays`` (``None`` entries allowed), for :func:`unpack_arrays`."""
    layout = tuple(None if a is None else (a.dtype.str, a.shape) for a in arrays)
    # ``tobytes`` writes C order whatever the array's memory order.
    return b"".join(a.tobytes() for a in arrays if a is not None), layout


def unpack_arrays(blob: bytes, layout: ArrayLayout) -> list[npt.NDArray[np.generic] | None]:
    """The arrays :func:`pack_arrays` packed: equal in dtype, shape and values, read-only (views into
    ``blob``)."""
    out: list[npt.NDArray[np.generic] | None] = []
    at = 0
    for entry in layout:
        if entry is None:
            out.append(None)
            continue
        dtype, shape = np.dtype(entry[0]), entry[1]
        count = 1
        for size in shape:
            count *= size
        out.append(np.frombuffer(blob, dtype=dtype, count=count, offset=at).reshape(shape))
        at += count * dtype.itemsize
    if at != len(blob):
        raise ValueError(f"packed arrays take {at} bytes, got {len(blob)}")
    return out
