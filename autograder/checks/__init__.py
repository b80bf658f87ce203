"""Public checks: students see and run these (``autograder check``); they gate each exercise.

Each check is self-contained (torch and plain asserts only) so that it can also be
pasted into a notebook's test cell.
"""
