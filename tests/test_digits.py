"""The shipped digits data, the text progress bar, and the digits CNN demo end to end."""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from importlib import resources

import numpy as np
import pytest

import ndgrad
from ndgrad import digits
from ndgrad.datasets import load_digits

CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


# --- the data ----------------------------------------------------------------------------


def test_load_digits_shapes_dtypes_and_counts():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    # Pixels were counts 0..16: scaled back they are whole numbers again.
    assert np.array_equal(images * 16, np.round(images * 16))
    assert np.bincount(labels).tolist() == CLASS_COUNTS
    assert labels[:10].tolist() == list(range(10))
    assert (images[0, 0] * 16).tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert (images[1, 3] * 16).tolist() == [0, 7, 15, 16, 16, 2, 0, 0]


def test_load_digits_returns_fresh_writable_copies():
    images, labels = load_digits()
    images[:] = 7.0
    labels[:] = -1
    again_images, again_labels = load_digits()
    assert again_images.max() == 1.0 and again_labels.min() == 0


def test_data_file_and_notice_are_package_resources():
    folder = resources.files("ndgrad.datasets")
    assert folder.joinpath("digits.csv.gz").is_file()
    notice = folder.joinpath("NOTICE").read_text()
    assert "CC BY 4.0" in notice and "BSD 3-Clause" in notice and "scikit-learn" in notice


def test_split_is_stratified_disjoint_and_seeded():
    x_train, y_train, x_test, y_test = digits.split(seed=0)
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    expected = np.round(np.array(CLASS_COUNTS) * 0.2).astype(int)
    assert np.bincount(y_test, minlength=10).tolist() == expected.tolist()
    # Every image lands in exactly one part (compare rows as bytes).
    rows = [r.tobytes() for r in np.concatenate([x_train, x_test]).reshape(1797, -1)]
    images, _ = load_digits()
    assert sorted(rows) == sorted(r.tobytes() for r in images.reshape(1797, -1))
    again = digits.split(seed=0)
    assert np.array_equal(again[3], y_test) and np.array_equal(again[2], x_test)
    assert not np.array_equal(digits.split(seed=1)[3], y_test)
    # Batches must not come sorted by class.
    assert len(set(y_train[:32].tolist())) > 3


# --- the progress bar ----------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


LINE = r"epoch 1/4: (?P<pct>[ \d]{3}%) \|(?P<bar>[#-]{20})\| (?P<n>\d)/4 \[\d+\.\ds\]"


def test_text_bar_writes_one_clean_line_when_not_a_tty():
    out = io.StringIO()
    bar = digits.TextBar(4, desc="epoch 1/4", file=out, mininterval=0.0)
    for _ in range(4):
        bar.set_postfix_str("loss 0.5000", refresh=False)
        bar.update(1)
    bar.set_postfix_str("loss 0.2500  done")
    bar.close()
    bar.close()  # a second close writes nothing
    text = out.getvalue()
    assert "\r" not in text and text.count("\n") == 1
    match = re.fullmatch(LINE + r" loss 0\.2500  done\n", text)
    assert match and match["pct"] == "100%" and match["bar"] == "#" * 20 and match["n"] == "4"


def test_text_bar_redraws_in_place_on_a_tty():
    out = FakeTTY()
    with digits.TextBar(4, desc="epoch 1/4", file=out, mininterval=0.0) as bar:
        bar.set_postfix_str("a long postfix")
        bar.update(1)
        bar.set_postfix_str("", refresh=False)
        bar.update(1)
    text = out.getvalue()
    assert text.startswith("\r") and text.endswith("\n") and text.count("\n") == 1
    frames = text[1:-1].split("\r")
    assert len(frames) == 4  # postfix, update, update, close
    first = re.fullmatch(LINE + " a long postfix", frames[0])
    assert first and first["pct"] == "  0%" and first["bar"] == "-" * 20
    second = re.fullmatch(LINE + " a long postfix", frames[1])
    assert second and second["pct"] == " 25%" and second["bar"] == "#" * 5 + "-" * 15
    # A shorter line is padded with blanks so no tail of the longer one stays on screen.
    third = re.fullmatch(LINE + " {15}", frames[2])
    assert third and third["pct"] == " 50%" and third["n"] == "2"
    last = re.fullmatch(LINE, frames[3])
    assert last and last["pct"] == " 50%"


def test_text_bar_throttles_redraws_on_a_tty():
    out = FakeTTY()
    bar = digits.TextBar(100, desc="x", file=out, mininterval=3600.0)
    for _ in range(100):
        bar.update(1)
    bar.close()
    # The first update draws, the rest wait for mininterval except the one that completes.
    assert out.getvalue().count("\r") == 3


def test_progress_bar_falls_back_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` raise ImportError
    assert isinstance(digits.progress_bar(3, "e", io.StringIO()), digits.TextBar)


def test_progress_bar_uses_tqdm_when_installed():
    tqdm = pytest.importorskip("tqdm")
    bar = digits.progress_bar(3, "e", io.StringIO())
    assert isinstance(bar, tqdm.tqdm)
    bar.close()


# --- training ---------------------------------------------------------------------------


def test_demo_defaults_reach_target_and_save_the_model(tmp_path):
    out = io.StringIO()
    result = digits.run(ndgrad, tmp_path, file=out)
    text = out.getvalue()
    assert result["accuracy"] >= digits.TARGET, text
    assert result["total"] == 359 and result["correct"] == round(result["accuracy"] * 359)
    epochs = digits.EPOCHS
    for key in ("train_loss", "train_acc", "test_acc", "epoch_time"):
        assert len(result[key]) == epochs
    assert result["train_loss"][-1] < result["train_loss"][0] / 5
    assert re.search(r"held-out accuracy: \d+\.\d\d% \(\d+/359\), target 97% met", text)
    assert re.search(r"wall time: \d+\.\ds", text)
    # One finished line per epoch (what is left on screen after each line's last redraw).
    finished = [line.split("\r")[-1] for line in text.split("\n")]
    assert sum(bool(re.search(r"held-out acc \d+\.\d\d%", line)) for line in finished) == epochs

    path = tmp_path / "digits_cnn.ndgrad"
    assert result["model_path"] == path and path.is_file()
    # The saved weights rebuild the same classifier.
    model = digits.build_model(ndgrad)
    model.load_state_dict(ndgrad.load(path))
    _, _, x_test, y_test = digits.split(digits.SEED)
    correct = digits.evaluate(ndgrad, model, ndgrad.from_numpy(x_test), ndgrad.from_numpy(y_test))
    assert correct == result["correct"]

    png = tmp_path / "digits_curves.png"
    if importlib.util.find_spec("matplotlib"):
        assert result["plot_path"] == png and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert result["plot_path"] is None and not png.exists()
        assert "skipped the curves plot: matplotlib is not installed" in text


def test_cli_exits_nonzero_when_target_missed(tmp_path, capsys):
    from ndgrad.__main__ import main

    code = main(["digits", "--epochs", "1", "--lr", "1e-4", "--out", str(tmp_path / "run")])
    text = capsys.readouterr().out
    assert code == 1
    assert "target 97% MISSED" in text
    assert (tmp_path / "run" / "digits_cnn.ndgrad").is_file()


def test_cli_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exc:
        digits.main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--epochs", "--seed", "--out", "--batch-size", "--lr", "--lib"):
        assert flag in text


def test_same_recipe_trains_with_torch_and_matches_it():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # torch's thread pool stalls badly on a busy two-core CI box
    try:
        theirs = digits.train(torch, epochs=2)
    finally:
        torch.set_num_threads(threads)
    assert theirs["lib"] == "torch" and isinstance(theirs["model"], torch.nn.Module)
    ours = digits.train(ndgrad, epochs=2)
    # Same seed, same random streams (init and shuffling): the same run up to rounding,
    # which training amplifies a little from step to step.
    np.testing.assert_allclose(ours["train_loss"], theirs["train_loss"], rtol=2e-3)
    np.testing.assert_allclose(ours["test_acc"], theirs["test_acc"], atol=3 / 359)
    assert theirs["test_acc"][-1] > 0.9
