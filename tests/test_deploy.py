"""The deploy files agree with the bot's graceful stop: the grace period covers the drain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.config import Settings

K8S = Path(__file__).resolve().parent.parent / "deploy" / "k8s"
MARGIN_S = 5


def workloads() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") in ("Deployment", "StatefulSet"):
                found.append((f"{path.name}:{doc['metadata']['name']}", doc))
    return found


@pytest.mark.parametrize(("name", "doc"), workloads(), ids=[n for n, _ in workloads()])
def test_the_grace_period_covers_the_pre_stop_pause_and_the_drain(
    name: str, doc: dict[str, Any]
) -> None:
    spec = doc["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    drain = float(env.get("INTERVIEW_BOT_DRAIN_SECONDS") or Settings().drain_seconds)
    assert spec["terminationGracePeriodSeconds"] >= pause + drain + MARGIN_S, name
