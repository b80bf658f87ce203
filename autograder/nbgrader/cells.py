"""A notebook graded as the notebook it is: every code cell, in order, as nbgrader's kernel runs them.

``notebook_module`` turns a submitted notebook's code cells (all but its autograded test
cells) into one Python module that the sandbox imports like a student's ``.py`` file.
Importing it runs the cells one by one, in one namespace, as a kernel would:

- a cell that raises (or does not compile) is passed over and the next cells still run,
  as ``nbgrader autograde`` runs a notebook to the end;
- IPython's syntax never reaches a shell: ``!cmd`` and ``%magic`` lines become ``pass``
  (``x = !ls`` gives ``x = []``), ``%%time``-like cell magics run their cell's body,
  other cell magics (``%%bash``, ``%%writefile``, ...) skip their cell, ``name?`` help
  lines are dropped, and ``get_ipython()`` answers every call with None;
- each cell gets :data:`CELL_SECONDS` of wall clock, the ``Execute.timeout`` the generated
  nbgrader course sets, so an exploratory cell that trains for a minute costs that cell
  (interrupted there, the next cells run), as under ``nbgrader autograde``; the student's
  whole budget still bounds the notebook;
- what cells print is discarded, as for ``.py`` files.

The runner is written into the module itself: graded code cannot import modules the
sandbox did not load in advance.
"""
from __future__ import annotations

import re

from autograder.sandbox.client import IMPORT_SECONDS_LINE

#: seconds of wall clock each cell may run (the course's ``c.Execute.timeout``)
CELL_SECONDS = 10

#: cell magics whose cell is Python to run (their timing, profiling or capturing dropped)
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "pypy", "python", "python3"}
_LINE_MAGIC = re.compile(r"^(\s*)[%!]")
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.\[\], ]+?=\s*)[%!].*$")
_HELP = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")

RUNNER = '''
def __run_notebook_cells(cells, seconds, filename):
    import signal as _signal

    class CellTimeout(BaseException):
        pass

    def _out_of_time(signum, frame):
        _signal.setitimer(_signal.ITIMER_REAL, 0.5)  # again soon, should the cell swallow this one
        raise CellTimeout()

    class _NoIPython:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    namespace = globals()
    namespace.setdefault("get_ipython", lambda: _NoIPython())
    previous = _signal.signal(_signal.SIGALRM, _out_of_time)
    try:
        for number, source in cells:
            _signal.setitimer(_signal.ITIMER_REAL, seconds)
            try:
                exec(compile(source, f"{filename}, cell {number}", "exec"), namespace)
            except BaseException:  # a kernel reports it and goes on with the next cell
                pass
            finally:
                _signal.setitimer(_signal.ITIMER_REAL, 0)
    finally:
        _signal.signal(_signal.SIGALRM, previous)
'''


def python_of(source: str) -> str | None:
    """A cell's source with IPython's syntax made Python; None for a cell to skip."""
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:
            return None
        lines[first] = ""
    out = []
    for line in lines:
        assigned = _ASSIGNED_MAGIC.match(line)
        if assigned:
            out.append(f"{assigned.group(1)}[]")
        elif _LINE_MAGIC.match(line) or _HELP.match(line):
            out.append(re.match(r"^\s*", line).group(0) + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def notebook_module(cells: list[tuple[int, str]], filename: str) -> str:
    """The module that runs ``cells`` ((number in the notebook, source)) as described above."""
    runnable = [(number, python) for number, source in cells if (python := python_of(source)) is not None]
    seconds = CELL_SECONDS * len(runnable)
    return (f"{IMPORT_SECONDS_LINE.format(seconds=seconds)}\n"
            f"# Generated from a submitted notebook: its code cells, run in order as a kernel runs them.\n"
            f"{RUNNER}\n"
            f"__run_notebook_cells({runnable!r}, {CELL_SECONDS!r}, {filename!r})\n"
            f"del __run_notebook_cells\n")
