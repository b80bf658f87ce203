"""A notebook graded as the notebook it is: every code cell, in order, as nbgrader's kernel runs them.

``notebook_module`` turns a submitted notebook's code cells (all but its autograded test
cells) into one Python module that the sandbox imports like a student's ``.py`` file.
Importing it runs the cells one by one, in one namespace, as a kernel would:

- a cell that raises (or does not compile) is passed over and the next cells still run,
  as ``nbgrader autograde`` runs a notebook to the end; what stopped it is kept in the
  module's ``__notebook__`` so that a function the cell left undefined is reported with
  its cause (``sandbox.notebook_reasons.why_undefined``), as a kernel would have shown it under the cell;
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


#: seconds of wall clock each cell may run (the course's ``c.Execute.timeout``)
CELL_SECONDS = 10

#: cell magics whose cell is Python to run (their timing, profiling or capturing dropped)
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "pypy", "python", "python3"}
RUNNER = '''
def __run_notebook_cells(cells, seconds, filename, notebook, _compile=compile, _exec=exec, _Base=BaseException,
                         _globals=globals):
    # what the runner needs is bound here, before any cell runs: a cell may define its own
    # compile() or exec() (torch.compile makes the name likely), as it may in a kernel
    import signal as _signal

    class CellTimeout(BaseException):
        pass

    def _out_of_time(signum, frame):
        _signal.setitimer(_signal.ITIMER_REAL, 0.5)  # again soon, should the cell swallow this one
        raise CellTimeout()

    class _NoIPython:
        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    namespace = _globals()
    namespace.setdefault("get_ipython", lambda: _NoIPython())
    stopped = []  # (number, grade id, source, whether it compiled, the exception) of each cell that stopped
    namespace["__notebook__"] = {"file": notebook, "cell file": filename + ", cell ", "seconds": seconds,
                                 "stopped": stopped}
    previous = _signal.signal(_signal.SIGALRM, _out_of_time)
    try:
        for number, grade_id, source in cells:
            _signal.setitimer(_signal.ITIMER_REAL, seconds)
            compiled = False
            try:
                code = _compile(source, f"{filename}, cell {number}", "exec")
                compiled = True
                _exec(code, namespace)
            except _Base as exc:  # a kernel reports it and goes on with the next cell
                stopped.append((number, grade_id, source, compiled, exc))
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
    for line, starts in zip(lines, _logical_line_starts(lines)):
        if not starts:  # inside brackets, a string or after a backslash: IPython leaves it alone too
            out.append(line)
            continue
        out.append(_python_line(line))
    return "\n".join(out)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _python_line(line: str) -> str:
    """One line that starts a logical line, with IPython's syntax made Python: ``!cmd`` and
    ``%magic`` become ``pass``, ``x = !ls`` becomes ``x = []``, ``name?`` becomes ``pass``.
    Plain string code, linear in the line's length (a cell is student text)."""
    body = line.lstrip()
    indent = line[:len(line) - len(body)]
    if body.startswith(("%", "!")):
        return indent + "pass"
    equals = line.find("=")
    if equals > 0:
        target, rest = line[:equals].lstrip(), line[equals + 1:]
        value = rest.lstrip()
        if value.startswith(("%", "!")) and target and all(_word_char(c) or c in ".[], " for c in target):
            return line[:equals + 1] + rest[:len(rest) - len(value)] + "[]"
    stripped = body.rstrip()
    name = stripped.rstrip("?")
    if name and 1 <= len(stripped) - len(name) <= 2 and all(_word_char(c) or c == "." for c in name):
        return indent + "pass"
    return line


#: the characters that open or close brackets, strings and comments
_SYNTAX = "([{)]}\"'#"


def _logical_line_starts(lines: list[str]) -> list[bool]:
    """For each line, whether it starts a logical line (not inside brackets, a string or
    after a backslash), where IPython looks for its ``%``, ``!`` and ``?`` syntax."""
    starts, depth, quote, continued = [], 0, None, False
    for line in lines:
        starts.append(depth == 0 and quote is None and not continued)
        if quote is None and not any(c in line for c in _SYNTAX):  # most lines: nothing to follow
            continued = line.rstrip().endswith("\\")
            continue
        i = 0
        while i < len(line):
            char = line[i]
            if quote:
                if char == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i, quote = i + len(quote), None
                    continue
                i += 1
                continue
            if char == "#":
                break
            if char in "\"'":
                quote = line[i:i + 3] if line[i:i + 3] in ('"' * 3, "'" * 3) else char
                i += len(quote)
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(0, depth - 1)
            i += 1
        if quote in ('"', "'"):  # a one-line string cannot go on to the next line
            quote = None
        continued = line.rstrip().endswith("\\") and quote is None
    return starts


def notebook_module(cells: list[tuple[int, str | None, str]], filename: str, notebook: str) -> tuple[str, float]:
    """The module that runs ``cells`` ((number in the notebook, grade id or None, source)) as
    described above, and how long its import may take: each cell its time (only for modules
    the grader generated; a student's file never gets this). ``notebook`` is the submitted
    file's name, as the student's feedback names it (safe text)."""
    runnable = [(number, grade_id, python) for number, grade_id, source in cells
                if (python := python_of(source)) is not None]
    return (f"# Generated from a submitted notebook: {len(runnable)} code cells, run in order as a kernel runs them.\n"
            f"{RUNNER}\n"
            f"__run_notebook_cells({runnable!r}, {CELL_SECONDS!r}, {filename!r}, {notebook!r})\n"
            f"del __run_notebook_cells\n", float(CELL_SECONDS * len(runnable)))
