"""The course's shipped check files, per assignment (``course.toml`` names the assignments):
``public_<assignment>.py``, the public checks students run (``autograder check``, a
notebook's check cells), and ``hints_<assignment>.py``, the hints those checks and the
hidden ones give. Each uses only torch and ``autograder.checking.hints``, so that a
notebook's ``public_checks.py`` can hold it.
"""
