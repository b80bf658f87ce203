"""One exception root for everything a user can get wrong.

Each error carries a message written for a person and the exit status the command
line returns. ``autograder.cli.main`` is the one place that turns them into output.
"""


class AutograderError(Exception):
    """A problem the user can fix; never shown with a traceback."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nHint: {self.hint}"


class UsageError(AutograderError):
    """Bad command-line input: a missing folder, an unknown exercise name."""


class MarkerError(AutograderError):
    """A solution file whose ``### BEGIN/END SOLUTION`` markers are malformed."""


class CourseError(AutograderError):
    """The course's files (``course.toml``, solutions, checks, hints) do not fit together;
    the message lists every problem, each with its file and line."""

    def __init__(self, problems: list, hint: str | None = None):
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"The course has {count}:\n" + "\n".join(f"  {p}" for p in problems), hint=hint)
        self.problems = list(problems)


class OutputError(AutograderError):
    """An output the instructor's machine would not take: a full disk, an output folder
    that vanished during the run, a file that cannot be written. Outputs already written
    stay whole; the same command finishes the run once the cause is fixed."""

    def __init__(self, path: object, err: OSError):
        super().__init__(f"Cannot write {path}: {err.strerror or type(err).__name__}.")
        self.path = path


class StaleError(AutograderError):
    """Generated files differ from what the solutions generate."""

    exit_code = 1
