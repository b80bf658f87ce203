"""Why a module made from a notebook (``intake.cells.notebook_module``) has no function
the grader asks for: read in the worker, from what the notebook's cell runner kept in the
module's ``__notebook__`` (each cell that stopped: did not compile, raised, or ran out of
time). Here, in the sandbox's part, because the worker asks; the runner that keeps the
record is the intake's.
"""
from __future__ import annotations


# -- why a notebook defines no function: read in the worker, from what the runner kept ---------

#: the most of a cell's error message and source line that a reason quotes
_QUOTE_CHARS = 300
#: the most other functions a reason lists as left undefined by the same cell
_MAX_OTHERS = 5


def why_undefined(namespace: dict, name: str) -> tuple[str, str] | None:
    """Why the module made from a notebook (its globals, ``namespace``) has no function
    ``name``, and a detail to show under it (the cell's line, as a traceback shows it):
    the last cell that stopped (did not compile, raised or ran out of time) and is the
    answer cell for ``name`` or holds ``def name(``, or else the notebook has no such
    function. None for a module not made from a notebook.

    This runs in the worker, on what the student's cells may have changed: anything
    unexpected gives None (the plain reason), never an exception.
    """
    record = namespace.get("__notebook__")
    try:
        notebook, cell_file, seconds, stopped = (record["file"], record["cell file"], record["seconds"],
                                                 record["stopped"])
        assert isinstance(notebook, str) and isinstance(cell_file, str) and isinstance(stopped, list)
        found = next((entry for entry in reversed(stopped) if entry[1] == name or f"def {name}(" in entry[2]), None)
        if found is None:
            return f"{notebook} defines no function {name}", ""
        number, grade_id, source, compiled, exc = found
        label = f"the answer cell for {grade_id} (cell {number} of {notebook})" if grade_id else \
            f"cell {number} of {notebook}"
        others = [other for other in _defined_names(source) if other != name and not callable(namespace.get(other))]
        tail = f"; that cell also leaves {', '.join(others[:_MAX_OTHERS])} undefined" if others else ""
        if not compiled:
            line = exc.lineno if isinstance(exc.lineno, int) else 1
            return (f"{name} is not defined: {label} does not compile: {type(exc).__name__}: "
                    f"{_quote(exc.msg)} on line {line} of that cell{tail}", _syntax_detail(exc, number, line))
        line = _cell_line(exc, f"{cell_file}{number}")
        at = f" on line {line} of that cell" if line else ""
        if type(exc).__name__ == "CellTimeout":
            return (f"{name} is not defined: {label} ran longer than the {seconds} s a cell may run and was "
                    f"stopped{at}, before it defined {name}{tail}", "")
        return (f"{name} is not defined: {label} raised {type(exc).__name__}: {_quote(str(exc))}{at}, "
                f"before it defined {name}{tail}", "")
    except Exception:  # noqa: BLE001 - a record the student's cells replaced or changed
        return None


def _quote(text: str) -> str:
    """``text`` on one line, cut to :data:`_QUOTE_CHARS`."""
    text = " ".join(text[:2 * _QUOTE_CHARS].split())
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS] + "..."


def _defined_names(source: str) -> list[str]:
    """The names of the functions a cell defines at its top level (``def name(`` lines), by plain string code."""
    names = []
    for line in source.split("\n"):
        if line.startswith(("def ", "async def ")):
            head = line.partition("def ")[2].partition("(")[0].strip()
            if head.isidentifier() and head not in names:
                names.append(head)
    return names


def _cell_line(exc: BaseException, cell_file: str) -> int | None:
    """The line of the cell (compiled as ``cell_file``) where ``exc`` left it."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == cell_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _syntax_detail(exc: SyntaxError, number: int, line: int) -> str:
    """The cell's line that does not compile, with a caret under the error, as Python shows it."""
    text = exc.text if isinstance(exc.text, str) else ""
    text = text.rstrip("\n").split("\n")[-1][:_QUOTE_CHARS]
    shown = text.lstrip()
    caret = ""
    if isinstance(exc.offset, int) and 0 < exc.offset - (len(text) - len(shown)) <= len(shown) + 1:
        caret = "\n    " + " " * (exc.offset - 1 - (len(text) - len(shown))) + "^"
    return (f"  cell {number}, line {line}\n    {shown}{caret}\n" if shown else "") + \
        f"{type(exc).__name__}: {_quote(exc.msg)}"
