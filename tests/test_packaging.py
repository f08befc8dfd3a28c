"""An installed copy (the container image, `pip install .`) must carry every file the
bot reads at run time: a pack or migration left out of the wheel works in a checkout
and fails only in production."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ["adapters", "bot", "questions", "storage"]


@cache
def setuptools_config() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        config: dict[str, object] = tomllib.load(handle)["tool"]["setuptools"]
    return config


def top_level_packages() -> list[str]:
    find = setuptools_config()["packages"]
    assert isinstance(find, dict)
    return sorted(pattern.rstrip("*") for pattern in find["find"]["include"])


def is_in_a_package(path: Path, top: Path) -> bool:
    """A .py module ships only when every directory from the top package down is a package."""
    folder = path.parent
    while True:
        if not (folder / "__init__.py").is_file():
            return False
        if folder == top:
            return True
        folder = folder.parent


def shipped_data(top: Path) -> set[Path]:
    globs = setuptools_config()["package-data"]
    assert isinstance(globs, dict)
    found: set[Path] = set()
    for pattern in globs.get(top.name, []):
        found.update(p for p in top.glob(pattern) if p.is_file())
    return found


def source_files(top: Path) -> list[Path]:
    return sorted(
        p
        for p in top.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def test_every_runtime_package_is_found() -> None:
    assert top_level_packages() == RUNTIME_PACKAGES


def test_every_file_under_the_packages_is_in_the_wheel() -> None:
    missing = []
    for name in top_level_packages():
        top = ROOT / name
        data = shipped_data(top)
        for path in source_files(top):
            shipped = path in data or (path.suffix == ".py" and is_in_a_package(path, top))
            if not shipped:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == [], f"not shipped in the wheel, add to package-data: {missing}"


def test_packs_and_migrations_are_declared_as_data() -> None:
    packs = shipped_data(ROOT / "questions")
    migrations = shipped_data(ROOT / "storage")
    assert any(p.suffix == ".yaml" for p in packs)
    assert any(p.parent.name == "versions" for p in migrations)
    assert any(p.name == "env.py" for p in migrations)
