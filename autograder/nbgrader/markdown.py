"""A solution's docstring (Google style, with reST's ``literals`` and ``Example::``) as the
Markdown a notebook's teaching cell shows: inline code in single backticks, the example
in a fenced code block, arguments and the return value as lists."""
from __future__ import annotations

import re
import textwrap

_SECTION = re.compile(r"^(Args|Arguments|Returns|Raises|Example|Examples)(::|:)\s*$")
_ARG = re.compile(r"^(\w+)(?: \(([^)]*)\))?: (.*)$")
_TITLES = {"Args": "Arguments", "Arguments": "Arguments", "Returns": "Returns", "Raises": "Raises",
           "Example": "Example", "Examples": "Example"}


def inline(text: str) -> str:
    """reST inline literals (````x````) as Markdown code (`` `x` ``)."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs (a blank line ends one), inline markup converted."""
    out, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append(inline(" ".join(current)))
            current = []
    return "\n\n".join(out)


def docstring_markdown(docstring: str) -> str:
    """``docstring`` (already dedented, as ``ast.get_docstring`` gives it) as Markdown."""
    lines = docstring.splitlines()
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        match = _SECTION.match(line)
        if match and not line.startswith(" "):
            sections.append((match.group(1), []))
        else:
            sections[-1][1].append(line)
    out = []
    for name, body in sections:
        if name is None:
            if any(l.strip() for l in body):
                out.append(_paragraphs(body))
        elif name in ("Example", "Examples"):
            code = textwrap.dedent("\n".join(body)).strip("\n")
            out.append(f"**{_TITLES[name]}**\n\n```python\n{code}\n```")
        elif name in ("Args", "Arguments", "Raises"):
            items, current = [], None
            for line in textwrap.dedent("\n".join(body)).splitlines():
                match = _ARG.match(line)
                if match and not line.startswith(" "):
                    current = [f"`{match.group(1)}`" + (f" ({match.group(2)})" if match.group(2) else "") + ":",
                               match.group(3).strip()]
                    items.append(current)
                elif line.strip() and current is not None:
                    current.append(line.strip())
            out.append(f"**{_TITLES[name]}**\n\n" + "\n".join(f"- {inline(' '.join(item))}" for item in items))
        else:  # Returns
            out.append(f"**{_TITLES[name]}**: " + _paragraphs(textwrap.dedent("\n".join(body)).splitlines()))
    return "\n\n".join(part for part in out if part)


def first_line(docstring: str) -> str:
    """The docstring's summary line, as the answer cell keeps it."""
    return docstring.strip().splitlines()[0] if docstring.strip() else ""
