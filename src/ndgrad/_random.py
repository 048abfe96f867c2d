"""Random number generators: torch's CPU mt19937 stream, its state bytes, manual_seed."""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from . import _backend as B

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
]

_DEFAULT_SEED = 67280421310721
_N = 624  # mt19937 state words
_U64 = 0xFFFF_FFFF_FFFF_FFFF

# torch's CPUGeneratorImplState, 5056 bytes: the legacy THGeneratorState (initial seed, left,
# seeded, next, 624 state words stored as uint64, the Box-Muller cache as normal_x/y/rho and a
# validity flag) followed by the float normal cache. Offsets below are that struct's.
_STATE_BYTES = 5056
_KEY = slice(24, 24 + 8 * _N)
_NORMAL_Y = 5024
_NORMAL_VALID = 5040
_FLOAT_NORMAL = 5048
_FLOAT_VALID = 5052


def _check_seed(seed: Any) -> int:
    seed = int(seed)
    if not -(2**63) <= seed <= _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _U64


def _init_key(seed: int) -> np.ndarray:
    """mt19937's init_genrand from the low 32 bits of the seed, as torch and std::mt19937 do."""
    return np.random.RandomState(seed & 0xFFFF_FFFF).get_state()[1]


class Generator:
    """torch's CPU generator: mt19937 seeded from the low 32 bits of a 64-bit seed.

    Raw words come from NumPy's MT19937 bit generator (the same recurrence), so draws are
    vectorised; the Box-Muller cache of the scalar normal path lives here, as in torch.
    """

    def __init__(self, device: Any = "cpu") -> None:
        from ._device import device as as_device

        where = as_device("cpu" if device is None else device)
        if where.type == "cuda":
            if not B.cuda_available():
                raise RuntimeError("Device type CUDA is not supported for torch.Generator() api.")
            where = as_device("cuda", where.index or 0)
        # A CUDA generator draws the same mt19937 stream on the host; the values are then
        # copied to the GPU (torch's CUDA generator is Philox: its numbers differ from torch's).
        self.device = where
        self._bits = np.random.MT19937(0)
        self.manual_seed(_DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<ndgrad.Generator object at {id(self):#x}>"

    # ------------------------------------------------------------------ seeding
    def manual_seed(self, seed: Any) -> Generator:
        B.seeded()
        seed = _check_seed(seed)
        self._seed = seed
        self._set_key(_init_key(seed), _N)
        self._fresh = True
        self._normal: float | None = None
        self._float_normal: float | None = None
        return self

    def seed(self) -> int:
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def _set_key(self, key: np.ndarray, pos: int) -> None:
        state = {"key": np.asarray(key, np.uint32), "pos": pos}
        self._bits.state = {"bit_generator": "MT19937", "state": state}

    # -------------------------------------------------------------------- draws
    def _u32(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit words (as uint64, so callers can do 64-bit arithmetic)."""
        self._fresh = False
        return self._bits.random_raw(n).astype(np.uint64)

    def _u64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit words: each is two 32-bit draws, the first one high."""
        w = self._u32(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    # -------------------------------------------------------------------- state
    def get_state(self) -> Any:
        from ._tensor import make

        raw = np.zeros(_STATE_BYTES, np.uint8)
        st = self._bits.state["state"]
        pos = int(st["pos"])
        if pos >= _N:
            left, nxt = 1, 0 if self._fresh else _N
        else:
            left, nxt = _N + 1 - pos, pos
        raw[0:8] = np.array([self._seed], np.uint64).view(np.uint8)
        raw[8:16] = np.array([left, 1], np.int32).view(np.uint8)
        raw[16:24] = np.array([nxt], np.uint64).view(np.uint8)
        raw[_KEY] = st["key"].astype(np.uint64).view(np.uint8)
        if self._normal is not None:
            raw[_NORMAL_Y : _NORMAL_Y + 8] = np.array([self._normal], np.float64).view(np.uint8)
            raw[_NORMAL_VALID] = 1
        if self._float_normal is not None:
            f = np.array([self._float_normal], np.float32).view(np.uint8)
            raw[_FLOAT_NORMAL : _FLOAT_NORMAL + 4] = f
            raw[_FLOAT_VALID] = 1
        return make(raw)

    def set_state(self, new_state: Any) -> Generator:
        data = getattr(new_state, "_data", None)
        if data is None:
            data = np.asarray(new_state.numpy() if hasattr(new_state, "numpy") else new_state)
        if data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = np.ascontiguousarray(data).reshape(-1)
        if raw.size != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {raw.size}"
            )
        left, _ = (int(v) for v in raw[8:16].view(np.int32))
        nxt = int(raw[16:24].view(np.uint64)[0])
        key = raw[_KEY].view(np.uint64).astype(np.uint32)
        self._set_key(key, _N if left <= 1 else nxt)
        self._seed = int(raw[0:8].view(np.uint64)[0])
        self._fresh = left <= 1 and nxt == 0
        valid = raw[_NORMAL_VALID] != 0
        y = float(raw[_NORMAL_Y : _NORMAL_Y + 8].view(np.float64)[0])
        self._normal = y if valid else None
        fvalid = raw[_FLOAT_VALID] != 0
        fy = float(raw[_FLOAT_NORMAL : _FLOAT_NORMAL + 4].view(np.float32)[0])
        self._float_normal = fy if fvalid else None
        return self


default_generator = Generator()


# One default generator per CUDA device, made when first drawn from.
cuda_generators: dict[int, Generator] = {}


def manual_seed(seed: Any) -> Generator:
    for g in cuda_generators.values():
        g.manual_seed(seed)
    return default_generator.manual_seed(seed)


def cuda_generator(index: int) -> Generator:
    g = cuda_generators.get(index)
    if g is None:
        g = cuda_generators[index] = Generator(f"cuda:{index}")
        g.manual_seed(default_generator.initial_seed())
    return g


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    default_generator.set_state(new_state)


def gen(generator: Generator | None, device: Any = None) -> Generator:
    """The generator to draw from: the given one, else the default of ``device``."""
    B.drew()
    if generator is not None:
        return generator
    if device is None or device.type == "cpu":
        return default_generator
    return cuda_generator(device.index or 0)


def stream(generator: Generator | None) -> np.random.Generator:
    """A NumPy Generator on the same mt19937 words: reproducible under manual_seed, but not
    torch's algorithms. For code not yet moved to ndgrad._sampling."""
    g = gen(generator)
    g._fresh = False
    return np.random.Generator(g._bits)
