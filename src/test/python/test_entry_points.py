"""Every script the docs name runs by path from the repository root (its imports resolve without conftest)."""
import subprocess

import pytest

from conftest import REPO

SCRIPTS = ["src/main/python/train.py", "src/main/python/retrain.py", "src/main/python/flywheel.py",
           "src/test/python/write_parity.py", "src/test/python/export_test_models.py",
           "src/test/python/export_failing_model.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_runs_by_path(script):
    p = subprocess.run(["/usr/bin/python3", script, "--help"], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("usage: ")
