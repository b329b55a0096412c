"""The bundled sample site builds to exactly the files in tests/golden/.

After an intended change to the output, regenerate them and review the diff:

    FEEDKIT_REGEN_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from factories import NOW
from feedtools import read_outputs

from feedkit import jobs, settings

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "content"


def test_bundled_content_builds_to_the_golden_files(tmp_path: Path) -> None:
    cfg = settings.load(REPO / "feedkit.toml", env={},
                      overrides={"build.output": str(tmp_path / "public")})
    report = jobs.build(cfg, now=NOW, use_cache=False)  # never write into the checkout
    assert report.problems == ()
    built = read_outputs(report.output_dir)
    if os.environ.get("FEEDKIT_REGEN_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(report.output_dir, GOLDEN)
    golden = read_outputs(GOLDEN)
    assert sorted(built) == sorted(golden)
    for name, data in built.items():
        assert data == golden[name], f"{name} differs from tests/golden/content/{name}"
