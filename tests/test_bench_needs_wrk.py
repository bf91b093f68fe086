"""A benchmark that drives its server with wrk says in one line how to install it when wrk is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _path_without_wrk(tmp_path: Path) -> str:
    """PATH with only the folders that hold no wrk (python itself is run by its full path)."""
    kept = [folder for folder in os.environ.get("PATH", "").split(os.pathsep) if not (Path(folder) / "wrk").exists()]
    return os.pathsep.join([*kept, str(tmp_path)])


@pytest.mark.parametrize(
    "command", [["bench/mixed_bench.py", "--seconds", "1"], ["bench/api_bench.py", "--load", "wrk"]]
)
def test_a_wrk_benchmark_without_wrk_stops_with_one_line_naming_the_install(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**os.environ, "PATH": _path_without_wrk(tmp_path), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install wrk" in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
