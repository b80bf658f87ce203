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


class StaleError(AutograderError):
    """Generated files differ from what the solutions generate."""

    exit_code = 1
