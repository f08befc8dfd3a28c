"""Jinja2 templates and the one stylesheet, read from the package so an installed wheel has
them; the stylesheet is inlined and allowed by its hash in the Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from adapters.web import charts

STYLE = files("adapters.web").joinpath("static/style.css").read_text(encoding="utf-8")
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "private, no-store",
}


def _score(value: float | None) -> str:
    return "–" if value is None else str(round(value))


def _day(value: date) -> str:
    return f"{value.day} {charts.MONTHS[value.month - 1]} {value.year}"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("adapters.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = _score
    env.filters["day"] = _day
    env.filters["month"] = charts.month_name
    env.filters["dayname"] = charts.day_name
    env.globals["style"] = Markup(STYLE)
    env.globals["charts"] = charts
    return env


class Renderer:
    def __init__(self) -> None:
        self._env = environment()

    def page(self, template: str, **context: Any) -> str:
        return self._env.get_template(template).render(**context)
