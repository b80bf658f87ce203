"""What the intake hands to grading: one student's files, read into memory, and what to tell them."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class Submission:
    student: str
    files: dict[str, str] = field(default_factory=dict)  #: relpath (tensors.py) -> source
    #: what the student should know about their upload: which file was graded, what was not and why
    problems: list[str] = field(default_factory=list)
    #: relpath -> seconds its import may take, for files the grader itself generated (a
    #: notebook's module runs its cells at import); never read from a student's file
    import_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for rel in sorted(self.files):
            h.update(rel.encode() + b"\0" + self.files[rel].encode("utf-8", "surrogatepass") + b"\0")
        for problem in self.problems:
            h.update(problem.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()
