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


_BULLET = re.compile(r"^[*-] ")


def _paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs (a blank line ends one) and bullet lists (``* `` or ``- ``
    starts an item, indented lines continue it), inline markup converted."""
    blocks: list[list[str]] = []  # a paragraph, or a list as one item per entry ("- ..." each)
    current: list[str] = []
    for line in lines + [""]:
        text = line.strip()
        if not text:
            if current:
                blocks.append(current)
                current = []
        elif _BULLET.match(text):
            if current and not _BULLET.match(current[0]):
                blocks.append(current)
                current = []
            current.append("- " + text[2:].strip())
        elif current and _BULLET.match(current[0]):
            current[-1] += " " + text
        else:
            current.append(text)
    out = []
    for block in blocks:
        if _BULLET.match(block[0]):
            out.append("\n".join(inline(item) for item in block))
        else:
            out.append(inline(" ".join(block)))
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
