"""Every bound the intake holds an upload to, in one place.

A bound is checked before the work it bounds: sizes before reading, entry counts
before an archive's directory is parsed, name lengths before a name is looked at.
What goes over a bound costs the upload (or the file) it belongs to, with a reason
that names the bound, and nothing else; a class whose download goes over a class
bound is refused as a whole, with the bound named.
"""
from __future__ import annotations

MAX_ID_CHARS = 100
"""A student id: ids are file names in ``results/`` and ``feedback/`` and cells of ``grades.csv``."""

MAX_NAME_CHARS = 255
"""A file, folder or archive member name (one path part), as most file systems allow.
Longer names are never looked at, only reported."""

MAX_PATH_CHARS = 4_096
"""A member's whole path inside an upload."""

MAX_DEPTH = 20
"""Folders deep a student's files are looked for, in a folder or an archive."""

MAX_STUDENT_FILES = 1_000
"""Files looked at in one student's upload (a folder, a zip, a folder in a download):
an exercises folder holds a handful; a whole project (a virtual environment, a git
history) is not a submission. A folder is looked at shallowest first, so the files an
assignment needs are found before the bound; the files past it are counted and named
in that student's feedback."""

MAX_FILE_BYTES = 1_000_000
"""One ``.py`` exercise file: an honest one is a few kB; it goes whole to the worker."""

MAX_NOTEBOOK_BYTES = 20_000_000
"""One notebook: answers are small, but outputs (images, long prints) are kept in the
file; parsing 20 MB of JSON takes well under a second."""

MAX_CELLS = 1_000
"""Cells in one notebook: the released one has about twenty; students add a few."""

MAX_CELL_SOURCE_BYTES = 100_000
"""The source of one notebook cell, in UTF-8; the module made from the cells must
still fit :data:`MAX_FILE_BYTES`."""

MAX_ARCHIVE_BYTES = 25_000_000
"""One student's zip (a file of a class, or a member of a download): room for a
notebook at its bound; the archive is read into memory once, so it cannot change while
it is read."""

MAX_ARCHIVE_ENTRIES = MAX_STUDENT_FILES
"""Entries in one student's zip, read from its end record before its directory is parsed."""

MAX_READ_BYTES = 45_000_000
"""Bytes read from one student's upload in all, whatever its archives declare: two
notebooks at their bound and the ``.py`` files."""

MAX_UNNAMED_NOTEBOOKS = 5
"""Notebooks whose name names no assignment that are opened to see whose answer cells
they hold, per student (shallowest first)."""

MAX_CLASS_ENTRIES = 200_000
"""Entries at the top of a class folder, or files of an LMS download: past it the run
is refused, naming the bound, before anyone is graded."""

MAX_DOWNLOAD_BYTES = 8_000_000_000
"""An LMS download kept as one zip (read member by member, never whole)."""
