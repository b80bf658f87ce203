"""Pages rendered from the templates beside this module (Jinja2, autoescaping on).

Every value a template prints is escaped unless a template says otherwise, and none does:
student text (messages, ids) reaches a page only as escaped text. The environment is made
once per process; templates are compiled on first use.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def environment():  # noqa: ANN201 - jinja2 is imported here, by the processes that render
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["points"] = lambda x: f"{x:g}"
    env.filters["percent"] = lambda x: f"{x:.0%}"
    env.filters["href"] = lambda name: quote(name, safe="")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
