"""``python -m ndgrad run``: the lessons in tests/lessons print torch's numbers on ndgrad."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ndgrad._compare import compare, numbers
from ndgrad._run import load_cells, strip_magics

LESSONS = Path(__file__).parent / "lessons"
SCRIPTS = sorted(LESSONS.glob("*.py"))
NOTEBOOKS = sorted(LESSONS.glob("*.ipynb"))
HAS_TORCH = importlib.util.find_spec("torch") is not None


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def ndgrad_run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run("-m", "ndgrad", "run", *args, cwd=cwd)


def test_the_lessons_are_there():
    assert len(SCRIPTS) >= 4 and len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_prints_torchs_numbers(script):
    ours = ndgrad_run(str(script))
    assert ours.returncode == 0, ours.stderr
    assert numbers(ours.stdout), "a lesson should print numbers"
    if not HAS_TORCH:
        pytest.skip("torch is not installed: ran on ndgrad only")
    theirs = run(str(script))
    assert theirs.returncode == 0, theirs.stderr
    verdict = compare(theirs.stdout, ours.stdout)
    assert verdict.status == "matched", verdict.detail


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_matches_its_stored_outputs(notebook):
    ours = ndgrad_run("--compare", str(notebook))
    assert ours.returncode == 0, ours.stdout + ours.stderr
    cells = load_cells(notebook)
    for cell in cells:
        assert f"--- cell {cell.number} ---" in ours.stdout
    summary = ours.stdout.strip().splitlines()[-1]
    assert " 0 differed" in summary
    matched = int(summary.split()[1])
    assert matched >= len(cells) - 1, summary  # a setup cell may print nothing


def test_compare_reports_a_cell_that_differs(tmp_path):
    notebook = json.loads((LESSONS / "autograd_lesson.ipynb").read_text())
    tampered = copy.deepcopy(notebook)
    for cell in tampered["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["data"]["text/plain"] = ["tensor([9.])"]
                break
        else:
            continue
        break
    path = tmp_path / "tampered.ipynb"
    path.write_text(json.dumps(tampered))
    result = ndgrad_run("--compare", str(path))
    assert result.returncode == 1
    assert "differed (number 1: " in result.stdout
    assert "1 differed" in result.stdout.splitlines()[-1]


def test_notebook_magics_and_shell_lines_are_skipped_with_a_notice(tmp_path):
    cells = [
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import torch\n", "!ls\n"]},
        {"cell_type": "markdown", "source": ["# words"]},
        {"cell_type": "code", "source": ["%%bash\n", "echo hi\n"]},
        {
            "cell_type": "code",
            "source": ["x = torch.ones(2)\n", "if True:\n", "    %time x\n", "x"],
        },
        {"cell_type": "code", "source": "print(torch.__name__, __name__)\n1 + 1;"},
    ]
    path = tmp_path / "magic.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    result = ndgrad_run(str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "skipped IPython magic: %matplotlib inline" in out
    assert "skipped shell line: !ls" in out
    assert "skipped cell magic %%bash (the whole cell)" in out
    assert "hi" not in out.split("--- cell 2 ---")[1].split("--- cell 3 ---")[0]
    assert "tensor([1., 1.])" in out  # the cell's last expression is displayed
    assert "ndgrad __main__" in out
    assert "2\n" not in out.split("--- cell 4 ---")[1]  # a trailing ";" hides the value


def test_strip_magics_keeps_line_numbers():
    code, notices = strip_magics("a = 1\n  %time f()\nb?\n")
    assert code == "a = 1\n  pass\npass\n"
    assert notices == ["IPython magic: %time f()", "help request: b?"]


def test_script_gets_its_arguments_and_exit_status(tmp_path):
    script = tmp_path / "args.py"
    script.write_text(
        "import sys, torch, torch.nn.functional as F\n"
        "print(sys.argv[1:], torch.__name__, F.__name__)\n"
        "sys.exit(int(sys.argv[1]))\n"
    )
    result = ndgrad_run(str(script), "3", "--flag")
    assert result.returncode == 3
    assert result.stdout == "['3', '--flag'] ndgrad ndgrad.nn.functional\n"


def test_an_error_in_the_script_is_shown_from_the_users_code(tmp_path):
    script = tmp_path / "boom.py"
    script.write_text("import torch\ntorch.ones(2) @ torch.ones(3)\n")
    result = ndgrad_run(str(script))
    assert result.returncode == 1
    assert 'boom.py", line 2' in result.stderr
    assert "runpy" not in result.stderr


def test_an_error_in_a_cell_stops_the_run(tmp_path):
    cells = [
        {"cell_type": "code", "source": "print(1)", "outputs": []},
        {"cell_type": "code", "source": "1 / 0", "outputs": []},
        {"cell_type": "code", "source": "print(3)", "outputs": []},
    ]
    path = tmp_path / "err.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}))
    result = ndgrad_run("--compare", str(path))
    assert result.returncode == 1
    assert "ZeroDivisionError" in result.stderr and '"<cell 2>", line 1' in result.stderr
    assert "--- cell 3 ---" not in result.stdout
    assert "cell 3: not comparable (not run)" in result.stdout


def test_usage_errors():
    assert ndgrad_run().returncode == 2
    assert ndgrad_run("--compare", str(SCRIPTS[0])).returncode == 2
    assert ndgrad_run("no-such-file.py").returncode == 2
    assert "usage: python -m ndgrad run" in ndgrad_run("--help").stdout


def test_missing_torch_submodule_is_not_found(tmp_path):
    script = tmp_path / "missing.py"
    script.write_text(
        "try:\n    import torch.distributed\n"
        "except ModuleNotFoundError as e:\n    print(e)\n"
        "import torch.cuda, torch.backends.cudnn as cudnn\n"
        "print(torch.cuda.is_available(), cudnn.is_available())\n"
    )
    result = ndgrad_run(str(script))
    assert result.stdout == "No module named 'torch.distributed'\nFalse False\n", result.stderr


def test_install_torch_alias_in_a_process_and_undo_it():
    code = (
        "import importlib.util, sys\n"
        "from ndgrad.compat import install_torch_alias, uninstall_torch_alias\n"
        "real = importlib.util.find_spec('torch') is not None and __import__('torch')\n"
        "install_torch_alias()\n"
        "import torch, torch.nn as nn, torch.optim, torch.utils.data, torch.func\n"
        "import ndgrad\n"
        "assert torch is ndgrad and nn is ndgrad.nn and torch.utils.data is ndgrad.utils.data\n"
        "assert ndgrad.nn.__spec__.name == 'ndgrad.nn'\n"
        "uninstall_torch_alias()\n"
        "if real:\n"
        "    import torch\n"
        "    assert torch is real and torch is not ndgrad\n"
        "print('ok')\n"
    )
    result = run("-c", code)
    assert result.stdout == "ok\n", result.stderr


# -------------------------------------------------------- the number comparison itself
def test_numbers_skip_names_and_addresses():
    text = "Conv2d(1, 6) float64 <Generator object at 0x7f12> tensor([-1.5e-03, 2.]) True nan"
    assert numbers(text) == ["1", "6", "-1.5e-03", "2.", "True", "nan"]


@pytest.mark.parametrize(
    "expected, got, status",
    [
        ("tensor([0.4069])", "tensor([0.4070])", "matched"),  # one unit in the last digit
        ("loss 0.4069", "loss 0.4090", "differed"),
        ("dtype=torch.float64", "dtype=ndgrad.float64", "matched"),
        ("True", "False", "differed"),
        ("1 2", "1 2 3", "differed"),
        ("", "", "not comparable"),
        ("", "7", "not comparable"),
        ("<torch._C.Generator object at 0x1>", "<ndgrad.Generator object at 0x2>", "matched"),
        ("nan inf", "nan inf", "matched"),
    ],
)
def test_compare(expected, got, status):
    assert compare(expected, got).status == status
