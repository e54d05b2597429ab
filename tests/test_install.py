"""A non-editable install finds what it needs and writes nowhere near its own files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.resources import shipped_dir


def test_shipped_dir_prefers_the_checkout_then_the_share(tmp_path: Path) -> None:
    checkout, share = tmp_path / "checkout", tmp_path / "share"
    (share / "models").mkdir(parents=True)
    assert shipped_dir("models", checkout=checkout, shares=(share,)) == share / "models"
    (checkout / "models").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    assert shipped_dir("models", checkout=checkout, shares=(share,)) == checkout / "models"


@pytest.mark.slow
def test_a_wheel_carries_the_model_seeds_and_taxonomy(tmp_path: Path) -> None:
    wheels, prefix, work = tmp_path / "wheels", tmp_path / "prefix", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(PROJECT_ROOT)], check=True)
    wheel = next(wheels.glob("partybot-*.whl"))
    subprocess.run(
        [*pip, "install", "--no-deps", "--ignore-installed", "--prefix", str(prefix), str(wheel)],
        check=True,
    )  # --ignore-installed: never touch the editable install of this venv
    site = next(prefix.glob("lib/python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    probe = (
        "import bot, bot.config as c, bot.corpus.topics as t\n"
        "s = c.Settings(_env_file=None)\n"
        "print(bot.__file__); print(s.models_dir); print(s.data_dir)\n"
        "print((s.models_dir / 'DEFAULT').is_file(), len(list(s.seeds_dir.glob('*.txt'))))\n"
        "print(len(t.load_taxonomy(s.training_dir / 'taxonomy.json').slugs))\n"
        "from bot.search.catalogue import load_catalogue\n"
        "from bot.search.synonyms import load_synonyms\n"
        "print(len(load_catalogue().documents) > 30, len(load_synonyms().groups) > 50)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *deps])}
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe], cwd=work, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    package, models, data, shipped, taxonomy, tables = out.stdout.splitlines()
    assert package.startswith(str(site))  # the installed copy, not this checkout
    assert models.startswith(str(prefix)) and data == str(work / "data")
    assert shipped == "True 5" and taxonomy == "8" and tables == "True True"
