"""``python -m ndgrad digits``: train a small CNN on the 8x8 handwritten digits, torch-style."""

from __future__ import annotations

import argparse
import importlib
import math
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import IO, Any

import numpy as np

from .datasets import load_digits

# Defaults: seed 0 reaches 98.9% held-out in about 2 s on two cores (so does torch, whose
# random streams ndgrad shares); seeds 0..19 all reach the 97% target with torch.
EPOCHS = 12
BATCH_SIZE = 32
LR = 1e-2
SEED = 0
TEST_FRACTION = 0.2
TARGET = 0.97


def split(seed: int = SEED, test_fraction: float = TEST_FRACTION) -> tuple[np.ndarray, ...]:
    """A stratified, seeded split: ``(x_train, y_train, x_test, y_test)`` as NumPy arrays.

    Images come back as float32 (N, 1, 8, 8), labels as int64 (N,). The same seed gives the
    same split whichever library trains on it.
    """
    images, labels = load_digits()
    rng = np.random.default_rng(seed)
    # Shuffle, then group by class (stable) so each image's rank inside its class is random.
    order = rng.permutation(len(labels))
    order = order[np.argsort(labels[order], kind="stable")]
    counts = np.bincount(labels)
    starts = np.cumsum(counts) - counts
    sorted_labels = labels[order]
    rank = np.arange(len(order)) - starts[sorted_labels]
    is_test = rank < np.round(counts * test_fraction)[sorted_labels]
    # Restore a random order inside each part, so batches are not sorted by class.
    train_idx = rng.permutation(order[~is_test])
    test_idx = rng.permutation(order[is_test])
    x = images[:, None]
    return x[train_idx], labels[train_idx], x[test_idx], labels[test_idx]


def build_model(lib: ModuleType) -> Any:
    """The CNN: two conv-ReLU-pool stages (8x8 -> 4x4 -> 2x2), then a linear layer to 10."""
    nn = lib.nn

    class DigitsCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(32 * 2 * 2, 10)

        def forward(self, x: Any) -> Any:
            x = self.pool(self.relu(self.conv1(x)))
            x = self.pool(self.relu(self.conv2(x)))
            return self.fc(self.flatten(x))

    return DigitsCNN()


class TextBar:
    """A one-line progress bar with tqdm's manual API (update, set_postfix_str, close).

    On a terminal it redraws its line with ``\\r`` (at most every ``mininterval`` seconds);
    anywhere else (a pipe, a log file, CI) it writes the finished line once, so logs stay clean.
    """

    def __init__(
        self,
        total: int,
        desc: str = "",
        file: IO[str] | None = None,
        width: int = 20,
        mininterval: float = 0.1,
    ) -> None:
        self.total = total
        self.desc = desc
        self.file = sys.stdout if file is None else file
        self.width = width
        self.mininterval = mininterval
        self.n = 0
        self.postfix = ""
        self.live = _isatty(self.file)
        self.start = time.perf_counter()
        self._last_draw = -math.inf
        self._drawn = 0  # length of the line on screen, to blank out what a shorter one leaves
        self.closed = False

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.perf_counter()
        if self.live and (now - self._last_draw >= self.mininterval or self.n >= self.total):
            self._draw(now)

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        self.postfix = s
        if refresh and self.live:
            self._draw(time.perf_counter())

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.live:
            self._draw(time.perf_counter())
            self.file.write("\n")
        else:
            self.file.write(self.line() + "\n")
        self.file.flush()

    def line(self) -> str:
        frac = min(self.n / self.total, 1.0) if self.total else 1.0
        filled = int(frac * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        text = f"{self.desc}: {frac:4.0%} |{bar}| {self.n}/{self.total} [{elapsed:.1f}s]"
        return f"{text} {self.postfix}" if self.postfix else text

    def _draw(self, now: float) -> None:
        text = self.line()
        self.file.write("\r" + text + " " * max(0, self._drawn - len(text)))
        self.file.flush()
        self._drawn = len(text)
        self._last_draw = now

    def __enter__(self) -> TextBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(file: IO[str]) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):
        return False


def progress_bar(total: int, desc: str, file: IO[str] | None = None) -> Any:
    """tqdm's bar when tqdm is installed, else :class:`TextBar`; both used the same way."""
    try:
        from tqdm import tqdm
    except ImportError:
        return TextBar(total, desc=desc, file=file)
    return tqdm(total=total, desc=desc, file=sys.stdout if file is None else file)


def _lr_at(lr: float, epoch: int, epochs: int) -> float:
    # Cosine decay per epoch: the last epochs settle instead of hopping around the optimum.
    return lr * 0.5 * (1.0 + math.cos(math.pi * (epoch - 1) / epochs))


def evaluate(lib: ModuleType, model: Any, x: Any, y: Any) -> int:
    """How many of ``x`` the model classifies correctly (one batch, no graph recorded)."""
    model.eval()
    with lib.no_grad():
        pred = model(x).argmax(1)
    return int((pred == y).sum().item())


def train(
    lib: ModuleType | None = None,
    epochs: int = EPOCHS,
    seed: int = SEED,
    batch_size: int = BATCH_SIZE,
    lr: float = LR,
    verbose: bool = False,
    file: IO[str] | None = None,
) -> dict[str, Any]:
    """Train the CNN with ``lib`` (ndgrad by default, or torch) and return what happened.

    Adam with a cosine learning-rate decay per epoch, cross-entropy, seeded shuffling.
    The result holds ``accuracy`` (held-out, 0..1), ``correct``/``total``, per-epoch lists
    ``train_loss``, ``train_acc``, ``test_acc`` and ``epoch_time`` (seconds of training, no
    evaluation), ``wall_time`` (seconds for the whole run) and the trained ``model``. With
    ``verbose`` each epoch shows a progress bar ending in that epoch's figures.
    """
    if lib is None:
        import ndgrad as lib
    data = lib.utils.data
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = split(seed)
    lib.manual_seed(seed)
    model = build_model(lib)
    optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    loss_fn = lib.nn.CrossEntropyLoss()
    dataset = data.TensorDataset(lib.from_numpy(x_train), lib.from_numpy(y_train))
    loader = data.DataLoader(
        dataset, batch_size=batch_size, shuffle=True, generator=lib.Generator().manual_seed(seed)
    )
    x_test_t, y_test_t = lib.from_numpy(x_test), lib.from_numpy(y_test)
    out: dict[str, Any] = {"train_loss": [], "train_acc": [], "test_acc": [], "epoch_time": []}
    for epoch in range(1, epochs + 1):
        for group in optimizer.param_groups:
            group["lr"] = _lr_at(lr, epoch, epochs)
        bar = progress_bar(len(loader), f"epoch {epoch:2d}/{epochs}", file) if verbose else None
        t0 = time.perf_counter()
        model.train()
        loss_sum, seen, hits = 0.0, 0, 0
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = int(yb.shape[0])
            step_loss = loss.item()
            loss_sum += step_loss * n
            seen += n
            hits += int((logits.argmax(1) == yb).sum().item())
            if bar is not None:
                bar.set_postfix_str(f"loss {step_loss:.4f}", refresh=False)
                bar.update(1)
        out["epoch_time"].append(time.perf_counter() - t0)
        out["train_loss"].append(loss_sum / seen)
        out["train_acc"].append(hits / seen)
        out["test_acc"].append(evaluate(lib, model, x_test_t, y_test_t) / len(y_test))
        if bar is not None:
            bar.set_postfix_str(
                f"loss {out['train_loss'][-1]:.4f}  train acc {out['train_acc'][-1]:.2%}"
                f"  held-out acc {out['test_acc'][-1]:.2%}"
            )
            bar.close()
    correct = evaluate(lib, model, x_test_t, y_test_t)
    out.update(
        lib=lib.__name__,
        accuracy=correct / len(y_test),
        correct=correct,
        total=len(y_test),
        wall_time=time.perf_counter() - start,
        model=model,
        config={"epochs": epochs, "seed": seed, "batch_size": batch_size, "lr": lr},
    )
    return out


def plot_curves(result: dict[str, Any], path: Path) -> bool:
    """Write loss and accuracy per epoch to ``path``; False when matplotlib is not installed."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return False
    # A bare Figure renders with Agg and leaves pyplot's global backend alone.
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = range(1, len(result["train_loss"]) + 1)
    ax_loss.plot(epochs, result["train_loss"], marker="o")
    ax_loss.set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    ax_acc.plot(epochs, result["train_acc"], marker="o", label="train")
    ax_acc.plot(epochs, result["test_acc"], marker="o", label="held-out")
    ax_acc.axhline(TARGET, color="grey", linestyle="--", label=f"target {TARGET:.0%}")
    ax_acc.set(title="accuracy", xlabel="epoch", ylabel="accuracy")
    ax_acc.legend()
    fig.suptitle(f"8x8 digits CNN with {result['lib']}")
    fig.savefig(path, dpi=100)
    return True


def run(
    lib: ModuleType | None = None,
    out: str | Path = ".",
    file: IO[str] | None = None,
    **config: Any,
) -> dict[str, Any]:
    """The demo: train verbosely, report, save the weights and the curves into ``out``."""
    if lib is None:
        import ndgrad as lib
    file = sys.stdout if file is None else file
    result = train(lib, verbose=True, file=file, **config)
    met = "met" if result["accuracy"] >= TARGET else "MISSED"
    print(
        f"held-out accuracy: {result['accuracy']:.2%} ({result['correct']}/{result['total']}),"
        f" target {TARGET:.0%} {met}\n"
        f"wall time: {result['wall_time']:.1f}s"
        f" ({sum(result['epoch_time']):.1f}s training, {lib.__name__})",
        file=file,
    )
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "pt" if lib.__name__ == "torch" else lib.__name__
    result["model_path"] = folder / f"digits_cnn.{suffix}"
    lib.save(result["model"].state_dict(), result["model_path"])
    print(f"saved model weights to {result['model_path']}", file=file)
    plot = folder / "digits_curves.png"
    result["plot_path"] = plot if plot_curves(result, plot) else None
    if result["plot_path"]:
        print(f"saved curves to {plot}", file=file)
    else:
        print("skipped the curves plot: matplotlib is not installed", file=file)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ndgrad digits",
        description="Train a small CNN on the 8x8 handwritten digits (80/20 stratified split).",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--lr", type=float, default=LR)
    parser.add_argument("--out", default=".", help="folder for the weights and the plot")
    parser.add_argument(
        "--lib", choices=("ndgrad", "torch"), default="ndgrad", help="library to train with"
    )
    args = parser.parse_args(argv)
    lib = importlib.import_module(args.lib)
    result = run(
        lib, args.out, epochs=args.epochs, seed=args.seed, batch_size=args.batch_size, lr=args.lr
    )
    return 0 if result["accuracy"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
