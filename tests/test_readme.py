"""The README's generated table of supported functions matches the code."""

from pathlib import Path

from ndgrad._supported import BEGIN, END, table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_supported_ops_table_is_current():
    text = README.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == table(), "run: python -m ndgrad ops --update-readme README.md"


def test_table_lists_real_functions():
    import ndgrad

    body = table()
    assert "`matmul`*" in body and "`einsum`" in body and "`svdvals`" in body
    assert callable(ndgrad.linalg.svdvals) and callable(ndgrad.einsum)
