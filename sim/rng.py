"""Named random streams spawned from one seed.

Each consumer asks for a stream by name; the stream's ``SeedSequence`` is
derived from the seed and a stable hash of the name, so adding a process does
not shift any other stream, and two policies run on the same seed see the
same vehicles, usage and shocks (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

REGION_KEY = 0x5E610  # marks a region's spawn key (no plain stream name hashes to a 2-key path)


class Streams:
    """Factory of independent, reproducible ``numpy.random.Generator`` streams.

    Args:
        seed: the run's seed.
    """

    def __init__(self, seed: int, prefix: tuple[int, ...] = ()) -> None:
        self.seed = int(seed)
        self._root = np.random.SeedSequence(self.seed)
        self.prefix = tuple(int(k) for k in prefix)

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The SeedSequence of stream ``name`` (a child of the run's seed)."""
        key = zlib.crc32(name.encode("utf-8"))
        return np.random.SeedSequence(self._root.entropy, spawn_key=(*self.prefix, key))

    def region(self, name: str) -> Streams:
        """The streams of service region ``name``: keyed by (seed, region name), so a region's
        draws do not depend on which other regions the run has, nor on the shard that holds it."""
        return Streams(self.seed, (*self.prefix, REGION_KEY, zlib.crc32(name.encode("utf-8"))))

    def get(self, name: str) -> np.random.Generator:
        """A fresh generator for stream ``name``."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
