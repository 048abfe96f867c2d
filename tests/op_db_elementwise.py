"""Op table entries for the elementwise family (see op_db.py)."""

from __future__ import annotations

from op_info import OpInfo

OPS: list[OpInfo] = []
