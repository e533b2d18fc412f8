"""The C allocator's settings for a long-running server process (glibc only).

A push's body (an OSO dossier of 100-200 kB, its XML tree, its sealed copy) is freed
when the answer is sent. glibc serves a block that size from `mmap` at first, and then,
after the first such block is freed, raises its mmap threshold so that every later one
comes from a thread's heap arena instead; with one arena per request thread (up to
8 per core) the freed blocks stay in the arenas as free space the process never returns
(measured in `make soak`: RSS grew while the memory in use did not). Two settings keep
the process's size to what it uses:

- a fixed mmap threshold (which also switches off the adjustment), so a large body is
  mapped and unmapped whole;
- at most two arenas, so the free space of one request thread is reused by the next.

`GATEWAY_MALLOC_TUNING=false` leaves the allocator as it is; another libc than glibc
is left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

MMAP_THRESHOLD_BYTES = 128 * 1024
ARENA_MAX = 2


def tune_allocator() -> bool:
    """Apply the settings above to this process; False where the libc is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name)
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt answers 1 when it took the setting.
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_ARENA_MAX, ARENA_MAX)
    )
