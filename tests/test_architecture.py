"""docs/ARCHITECTURE.md shows the layers import-linter enforces (pyproject.toml): the same
layers in the same order, so that the picture a newcomer reads is the one CI checks."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    return [_normalised(layer) for layer in contract["layers"]]


def documented_layers() -> list[str]:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Layers\n", 1)[1]
    block = section.split("```", 2)[1]
    # Each line: the layer (siblings joined by `|`), then two or more spaces and what it holds.
    rows = [line.strip() for line in block.splitlines() if line.strip()][1:]  # after the header
    return [_normalised(re.split(r"\s{2,}", row)[0]) for row in rows]


def _normalised(layer: str) -> str:
    return " | ".join(sorted(part.strip() for part in layer.split("|")))


def test_the_documented_layers_are_the_enforced_ones():
    assert documented_layers() == contract_layers()


def test_every_top_level_app_is_in_a_layer():
    apps = {
        path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name not in {"tests"}
    }
    layered = {part.split(".")[0] for layer in contract_layers() for part in layer.split(" | ")}
    assert apps <= layered
