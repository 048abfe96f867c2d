"""ndgrad.utils.data: datasets, samplers, collation and the DataLoader, checked against torch."""

import collections
import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad.utils import data
from ndgrad.utils.data import _draw

Point = collections.namedtuple("Point", ["x", "y"])


# ------------------------------------------------------------------------ comparison helpers
def same(a, b):
    """``a`` (ndgrad) has the structure, types, dtypes and values of ``b`` (torch)."""
    torch = pytest.importorskip("torch")
    if isinstance(b, torch.Tensor):
        assert isinstance(a, ndgrad.Tensor), type(a)
        assert a.dtype.name == str(b.dtype).removeprefix("torch."), (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
        return
    if isinstance(b, tuple) and hasattr(b, "_fields"):
        assert type(a).__name__ == type(b).__name__
    else:
        assert type(a) is type(b), (type(a), type(b))
    if isinstance(b, dict):
        assert list(a) == list(b)
        for k in b:
            same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b


def values(t):
    return t.detach().numpy()


class Mapped:
    """A map-style dataset built from a function of the index, for either library."""

    def __init__(self, lib, n, fn):
        self.lib, self.n, self.fn = lib, n, fn

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.fn(self.lib, i)


def sample_dict(lib, i):
    return {
        "img": lib.arange(6, dtype=lib.float32).reshape(2, 3) * i,
        "label": i,
        "weight": i / 2,
        "name": f"s{i}",
        "meta": (np.float32(i), [i, i + 1], {"id": np.array([i, -i], dtype=np.int16)}),
    }


def sample_tuple(lib, i):
    return lib.tensor([i, i * 2.0], dtype=lib.float64), i % 2 == 0, Point(i, float(i))


def stream_of(base, n):
    class Stream(base):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n

    return Stream()


def both(make):
    """``make(lib, data_module)`` for ndgrad and torch."""
    torch = pytest.importorskip("torch")
    return make(ndgrad, data), make(torch, torch.utils.data)


# ------------------------------------------------------------------------ default_collate
COLLATE_CASES = {
    "float32 tensors": lambda lib: [lib.ones(2, 3) * i for i in range(4)],
    "int tensors 0-d": lambda lib: [lib.tensor(i) for i in range(3)],
    "bool tensors": lambda lib: [lib.tensor([True, False])] * 2,
    "floats": lambda lib: [0.5, 1.5, -2.0],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"bc"],
    "numpy arrays": lambda lib: [np.arange(4, dtype=np.int32) + i for i in range(3)],
    "numpy float16 arrays": lambda lib: [np.ones((2, 2), np.float16)] * 2,
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "numpy int scalars": lambda lib: [np.int16(1), np.int16(7)],
    "numpy strings": lambda lib: [np.str_("a"), np.str_("b")],
    "tuples": lambda lib: [(i, float(i), "x") for i in range(3)],
    "lists": lambda lib: [[i, lib.ones(2) * i] for i in range(3)],
    "dicts": lambda lib: [{"a": i, "b": lib.zeros(1) + i} for i in range(3)],
    "ordered dicts": lambda lib: [collections.OrderedDict(z=i, a=[i]) for i in range(2)],
    "namedtuples": lambda lib: [Point(i, lib.ones(2) * i) for i in range(3)],
    "nested dict samples": lambda lib: [sample_dict(lib, i) for i in range(3)],
    "nested tuple samples": lambda lib: [sample_tuple(lib, i) for i in range(3)],
}


@pytest.mark.parametrize("case", list(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    torch = pytest.importorskip("torch")
    make = COLLATE_CASES[case]
    same(data.default_collate(make(ndgrad)), torch.utils.data.default_collate(make(torch)))


@pytest.mark.parametrize("case", list(COLLATE_CASES))
def test_default_convert_matches_torch(case):
    torch = pytest.importorskip("torch")
    make = COLLATE_CASES[case]
    same(data.default_convert(make(ndgrad)), torch.utils.data.default_convert(make(torch)))
    for ours, theirs in zip(make(ndgrad), make(torch)):
        same(data.default_convert(ours), torch.utils.data.default_convert(theirs))


def test_default_collate_fixed_values():
    out = data.default_collate(
        [{"x": 1.0, "y": 2, "t": ndgrad.ones(2)}, {"x": 3.0, "y": 4, "t": ndgrad.zeros(2)}]
    )
    assert out["x"].dtype is ndgrad.float64 and out["x"].tolist() == [1.0, 3.0]
    assert out["y"].dtype is ndgrad.int64 and out["y"].tolist() == [2, 4]
    assert out["t"].dtype is ndgrad.float32 and out["t"].tolist() == [[1, 1], [0, 0]]
    pair = data.default_collate([(1, "a"), (2, "b")])
    assert isinstance(pair, list) and pair[0].tolist() == [1, 2] and pair[1] == ("a", "b")
    assert data.default_collate(["a", "b"]) == ["a", "b"]
    arr = data.default_collate([np.array([1, 2], np.uint8), np.array([3, 4], np.uint8)])
    assert arr.dtype is ndgrad.uint8 and arr.tolist() == [[1, 2], [3, 4]]
    point = data.default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(point, Point) and point.y.dtype is ndgrad.float64


def test_default_collate_keeps_autograd_history():
    w = ndgrad.ones(2, requires_grad=True)
    batch = data.default_collate([w * 2, w * 3])
    batch.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]


@pytest.mark.parametrize(
    "batch",
    [
        lambda lib: [[1, 2], [3]],
        lambda lib: [object(), object()],
        lambda lib: [np.array(["a"]), np.array(["b"])],
        lambda lib: [np.array([None]), np.array([None])],
        lambda lib: [{1, 2}, {3, 4}],
    ],
)
def test_default_collate_errors_match_torch(batch):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        torch.utils.data.default_collate(batch(torch))
    with pytest.raises(type(theirs.value)) as ours:
        data.default_collate(batch(ndgrad))
    assert str(ours.value) == str(theirs.value).replace("torch", "ndgrad")


def test_default_collate_error_messages_fixed():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        data.default_collate([np.array([None], dtype=object)] * 2)


# ------------------------------------------------------------------------ datasets
def test_tensor_dataset_matches_torch():
    nd, th = both(lambda lib, d: d.TensorDataset(lib.arange(12.0).reshape(6, 2), lib.arange(6)))
    assert len(nd) == len(th) == 6
    for i in (0, 5, -1, slice(1, 4)):
        same(nd[i], th[i])
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        data.TensorDataset(ndgrad.ones(3), ndgrad.ones(4))


def test_concat_dataset_matches_torch():
    def make(lib, d):
        return d.ConcatDataset(
            [d.TensorDataset(lib.arange(3)), d.TensorDataset(lib.arange(10, 15))]
        )

    nd, th = both(make)
    assert len(nd) == len(th) == 8
    assert nd.cumulative_sizes == th.cumulative_sizes == [3, 8]
    for i in range(-8, 8):
        same(nd[i], th[i])
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        nd[-9]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        data.ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        data.ConcatDataset([stream_of(data.IterableDataset, 3)])
    added = data.TensorDataset(ndgrad.arange(2)) + data.TensorDataset(ndgrad.arange(3))
    assert isinstance(added, data.ConcatDataset) and len(added) == 5


def test_subset_and_stack_and_chain():
    base = data.TensorDataset(ndgrad.arange(10) * 10)
    sub = data.Subset(base, [7, 2, 5])
    assert len(sub) == 3 and sub[0][0].item() == 70 and sub[-1][0].item() == 50
    assert [s[0].item() for s in sub.__getitems__([2, 0])] == [50, 70]

    class Batched(data.Dataset):
        def __init__(self):
            self.calls = []

        def __getitem__(self, i):
            return i

        def __getitems__(self, idx):
            self.calls.append(list(idx))
            return [i * 100 for i in idx]

        def __len__(self):
            return 10

    inner = Batched()
    loader = data.DataLoader(data.Subset(inner, [3, 4, 5]), batch_size=2)
    assert [b.tolist() for b in loader] == [[300, 400], [500]]
    assert inner.calls == [[3, 4], [5]]

    stacked = data.StackDataset(a=ndgrad.arange(3), b=["x", "y", "z"])
    assert stacked[1]["b"] == "y" and len(stacked) == 3
    assert data.StackDataset(ndgrad.arange(2), [5, 6])[1][1] == 6
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(ndgrad.arange(2), [1])
    chained = stream_of(data.IterableDataset, 2) + stream_of(data.IterableDataset, 3)
    assert isinstance(chained, data.ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        data.Dataset()[0]


# ------------------------------------------------------------------------ DataLoader
LOADER_CASES = {
    "tensor dataset": (
        lambda lib, d: d.TensorDataset(lib.arange(14.0).reshape(7, 2), lib.arange(7)),
        {"batch_size": 3},
    ),
    "drop_last": (
        lambda lib, d: d.TensorDataset(lib.arange(7)),
        {"batch_size": 3, "drop_last": True},
    ),
    "exact multiple": (lambda lib, d: d.TensorDataset(lib.arange(6)), {"batch_size": 3}),
    "dict samples": (lambda lib, d: Mapped(lib, 5, sample_dict), {"batch_size": 2}),
    "tuple samples": (lambda lib, d: Mapped(lib, 5, sample_tuple), {"batch_size": 4}),
    "batch_size None": (lambda lib, d: Mapped(lib, 3, sample_dict), {"batch_size": None}),
    "default batch_size": (lambda lib, d: Mapped(lib, 3, sample_tuple), {}),
    "python list dataset": (lambda lib, d: [(i, i * 0.5) for i in range(5)], {"batch_size": 2}),
    "sampler": (
        lambda lib, d: d.TensorDataset(lib.arange(10)),
        {"sampler": [9, 0, 4, 4, 1], "batch_size": 2},
    ),
    "batch_sampler": (
        lambda lib, d: d.TensorDataset(lib.arange(10)),
        {"batch_sampler": [[1, 2, 3], [0], [9, 8]]},
    ),
    "collate_fn": (
        lambda lib, d: list(range(7)),
        {"batch_size": 3, "collate_fn": lambda b: sum(b)},
    ),
    "iterable": (lambda lib, d: stream_of(d.IterableDataset, 7), {"batch_size": 3}),
    "iterable drop_last": (
        lambda lib, d: stream_of(d.IterableDataset, 7),
        {"batch_size": 3, "drop_last": True},
    ),
    "iterable unbatched": (lambda lib, d: stream_of(d.IterableDataset, 3), {"batch_size": None}),
    "num_workers in-process": (
        lambda lib, d: d.TensorDataset(lib.arange(5)),
        {"batch_size": 2, "num_workers": 2},
    ),
}


@pytest.mark.parametrize("case", list(LOADER_CASES))
def test_dataloader_matches_torch(case):
    torch = pytest.importorskip("torch")
    make, kwargs = LOADER_CASES[case]
    ours = data.DataLoader(make(ndgrad, data), **kwargs)
    theirs = torch.utils.data.DataLoader(make(torch, torch.utils.data), **kwargs)
    assert len(ours) == len(theirs)
    got, want = list(ours), list(theirs)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        same(a, b)
    assert len(list(ours)) == len(got)  # a second pass yields the same number of batches


def test_dataloader_fixed_values():
    ds = data.TensorDataset(ndgrad.arange(10).reshape(5, 2), ndgrad.tensor([0.0, 1, 2, 3, 4]))
    loader = data.DataLoader(ds, batch_size=2)
    assert len(loader) == 3
    batches = list(loader)
    assert batches[0][0].tolist() == [[0, 1], [2, 3]] and batches[-1][1].tolist() == [4.0]
    assert len(data.DataLoader(ds, batch_size=2, drop_last=True)) == 2
    it = iter(loader)
    assert len(it) == 3 and next(it)[1].tolist() == [0.0, 1.0]
    assert isinstance(loader.sampler, data.SequentialSampler)
    assert isinstance(loader.batch_sampler, data.BatchSampler)
    assert loader.collate_fn is data.default_collate
    assert data.DataLoader(ds, batch_size=None).collate_fn is data.default_convert
    assert data.get_worker_info() is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_sampler": [[0]], "shuffle": True},
        {"batch_size": None, "drop_last": True},
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"batch_size": 0},
        {"batch_size": 2, "drop_last": 1},
    ],
)
def test_dataloader_argument_errors_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError) as ours:
        data.DataLoader(list(range(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_rejects_samplers_like_torch(kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(stream_of(torch.utils.data.IterableDataset, 3), **kwargs)
    with pytest.raises(ValueError) as ours:
        data.DataLoader(stream_of(data.IterableDataset, 3), **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_dataloader_attributes_frozen_after_init():
    loader = data.DataLoader(list(range(4)), batch_size=2)
    with pytest.raises(
        ValueError, match="batch_size attribute should not be set after DataLoader"
    ):
        loader.batch_size = 3
    loader.collate_fn = list  # not frozen in torch either
    assert list(loader) == [[0, 1], [2, 3]]


# ------------------------------------------------------------------------ shuffling
def epoch(loader):
    return [int(i) for b in loader for i in b]


def test_shuffle_yields_permutations_and_is_reproducible():
    ds = list(range(20))
    g = ndgrad.Generator().manual_seed(7)
    loader = data.DataLoader(ds, batch_size=6, shuffle=True, generator=g)
    first, second = epoch(loader), epoch(loader)
    assert sorted(first) == sorted(second) == ds
    assert first != second and first != ds
    again = data.DataLoader(
        ds, batch_size=6, shuffle=True, generator=ndgrad.Generator().manual_seed(7)
    )
    assert epoch(again) == first and epoch(again) == second
    other = data.DataLoader(
        ds, batch_size=6, shuffle=True, generator=ndgrad.Generator().manual_seed(8)
    )
    assert epoch(other) != first


def test_shuffle_without_generator_follows_manual_seed():
    ds = list(range(30))
    ndgrad.manual_seed(123)
    a = epoch(data.DataLoader(ds, batch_size=4, shuffle=True))
    ndgrad.manual_seed(123)
    b = epoch(data.DataLoader(ds, batch_size=4, shuffle=True))
    assert a == b and sorted(a) == ds and a != ds


def test_permutations_go_through_one_helper(monkeypatch):
    # The torch-exact stream of a later issue replaces _draw.randperm and nothing else.
    monkeypatch.setattr(_draw, "randperm", lambda n, generator=None: list(range(n))[::-1])
    loader = data.DataLoader(list(range(5)), batch_size=2, shuffle=True)
    assert epoch(loader) == [4, 3, 2, 1, 0]
    parts = data.random_split(list(range(5)), [2, 3])
    assert list(parts[0]) == [4, 3] and list(parts[1]) == [2, 1, 0]
    assert list(data.SubsetRandomSampler([10, 20, 30])) == [30, 20, 10]


def test_random_sampler_options():
    g = ndgrad.Generator().manual_seed(0)
    s = data.RandomSampler(range(5), num_samples=12, generator=g)
    drawn = list(s)
    assert len(s) == 12 and len(drawn) == 12
    assert sorted(drawn[:5]) == sorted(drawn[5:10]) == list(range(5))
    assert len(set(drawn[10:])) == 2
    r = data.RandomSampler(range(3), replacement=True, num_samples=70, generator=g)
    drawn = list(r)
    assert len(drawn) == 70 and set(drawn) == {0, 1, 2}
    a = list(data.RandomSampler(range(50), generator=ndgrad.Generator().manual_seed(3)))
    b = list(data.RandomSampler(range(50), generator=ndgrad.Generator().manual_seed(3)))
    assert a == b and sorted(a) == list(range(50))


def test_sampler_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda d: d.RandomSampler(range(3), replacement=1),
        lambda d: d.RandomSampler(range(3), num_samples=0),
        lambda d: d.RandomSampler([], num_samples=None),
        lambda d: d.BatchSampler(range(3), batch_size=-1, drop_last=False),
        lambda d: d.BatchSampler(range(3), batch_size=True, drop_last=False),
        lambda d: d.BatchSampler(range(3), batch_size=2, drop_last=None),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], num_samples=0),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], num_samples=2, replacement=0),
        lambda d: d.WeightedRandomSampler([[1.0, 2.0]], num_samples=2),
    ]
    for make in cases:
        with pytest.raises(Exception) as theirs:
            make(torch.utils.data)
        with pytest.raises(type(theirs.value)) as ours:
            make(data)
        assert str(ours.value) == str(theirs.value)


def test_batch_sampler_matches_torch():
    torch = pytest.importorskip("torch")
    for n, size, drop in [
        (10, 3, False),
        (10, 3, True),
        (9, 3, True),
        (2, 5, False),
        (0, 2, False),
    ]:
        ours = data.BatchSampler(data.SequentialSampler(range(n)), size, drop)
        theirs = torch.utils.data.BatchSampler(
            torch.utils.data.SequentialSampler(range(n)), size, drop
        )
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_weighted_random_sampler():
    g = ndgrad.Generator().manual_seed(1)
    s = data.WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 4000, generator=g)
    drawn = np.array(list(s))
    assert len(s) == 4000 and set(drawn.tolist()) == {1, 2}
    assert 0.70 < (drawn == 2).mean() < 0.80  # expected 0.75
    s = data.WeightedRandomSampler(
        ndgrad.tensor([1.0, 5.0, 2.0]), 3, replacement=False, generator=g
    )
    assert sorted(s) == [0, 1, 2]
    assert s.weights.dtype is ndgrad.float64
    s = data.WeightedRandomSampler([1.0, 0.0, 0.0], 2, replacement=False, generator=g)
    first = list(s)
    assert len(set(first)) == 2 and first[0] == 0


@pytest.mark.parametrize(
    "weights, n, replacement",
    [
        ([1.0, -1.0], 1, True),
        ([0.0, 0.0], 1, True),
        ([1.0, 1.0], 3, False),
        ([np.inf, 1.0], 1, True),
    ],
)
def test_weighted_random_sampler_errors_match_torch(weights, n, replacement):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        list(torch.utils.data.WeightedRandomSampler(weights, n, replacement))
    with pytest.raises(RuntimeError) as ours:
        list(data.WeightedRandomSampler(weights, n, replacement))
    assert str(ours.value) == str(theirs.value)


def test_subset_random_sampler():
    g = ndgrad.Generator().manual_seed(5)
    s = data.SubsetRandomSampler([3, 8, 11, 20], generator=g)
    a, b = list(s), list(s)
    assert sorted(a) == sorted(b) == [3, 8, 11, 20] and len(s) == 4
    loader = data.DataLoader(list(range(100)), sampler=s, batch_size=3)
    assert sorted(epoch(loader)) == [3, 8, 11, 20]


# ------------------------------------------------------------------------ random_split
@pytest.mark.parametrize(
    "n, lengths",
    [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.3, 0.3, 0.4]), (7, [0.5, 0.5]), (5, [1.0])],
)
def test_random_split_sizes_match_torch(n, lengths):
    torch = pytest.importorskip("torch")
    ours = data.random_split(list(range(n)), lengths, generator=ndgrad.Generator().manual_seed(0))
    theirs = torch.utils.data.random_split(
        list(range(n)), lengths, generator=torch.Generator().manual_seed(0)
    )
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    indices = [i for s in ours for i in s.indices]
    assert sorted(indices) == list(range(n))  # disjoint and covering
    assert all(isinstance(s, data.Subset) for s in ours)


def test_random_split_fixed_and_reproducible():
    ds = data.TensorDataset(ndgrad.arange(10))
    a = data.random_split(ds, [0.2, 0.8], generator=ndgrad.Generator().manual_seed(42))
    b = data.random_split(ds, [2, 8], generator=ndgrad.Generator().manual_seed(42))
    assert [len(s) for s in a] == [2, 8]
    assert a[0].indices == b[0].indices and a[1].indices == b[1].indices
    assert sorted(a[0].indices + a[1].indices) == list(range(10))
    assert a[0][0][0].item() == a[0].indices[0]
    c = data.random_split(ds, [5, 5], generator=ndgrad.Generator().manual_seed(43))
    assert c[0].indices != a[0].indices[:5] or c[1].indices != a[1].indices[:5]
    assert [len(s) for s in data.random_split(range(10), [0.25, 0.25, 0.5])] == [3, 2, 5]


def test_random_split_errors_match_torch():
    torch = pytest.importorskip("torch")
    for lengths in ([3, 3], [1.5, -0.5]):
        with pytest.raises(ValueError) as theirs:
            torch.utils.data.random_split(list(range(10)), lengths)
        with pytest.raises(ValueError) as ours:
            data.random_split(list(range(10)), lengths)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        data.random_split(list(range(4)), [1, 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = data.random_split(list(range(2)), [0.1, 0.1, 0.8])
    assert [len(p) for p in parts] == [1, 0, 1]
    assert any("Length of split at index 1 is 0" in str(w.message) for w in caught)


def test_tensor_dataset_batches_equal_the_stacked_samples() -> None:
    # A TensorDataset with default_collate gathers each tensor's rows at once; a subclass
    # (or any other collate_fn) takes the general per-sample path. Both give the same.
    class Samples(data.TensorDataset):
        pass

    x = ndgrad.randn(11, 2, 3)
    y = ndgrad.arange(11)
    z = ndgrad.rand(11) > 0.5
    fast = data.DataLoader(
        data.TensorDataset(x, y, z),
        batch_size=4,
        shuffle=True,
        generator=ndgrad.Generator().manual_seed(3),
    )
    slow = data.DataLoader(
        Samples(x, y, z), batch_size=4, shuffle=True, generator=ndgrad.Generator().manual_seed(3)
    )
    for a, b in zip(fast, slow, strict=True):
        assert type(a) is type(b) is list
        for u, v in zip(a, b, strict=True):
            assert u.dtype == v.dtype and u.shape == v.shape
            np.testing.assert_array_equal(u.numpy(), v.numpy())
