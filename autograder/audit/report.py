"""The audit's result as a typed model, and its two renderings: text for people, JSON for tools.

Both are renderings of one :class:`AuditReport` and hold the same data; neither holds a
time or a path of the run, so the same course gives byte-identical reports.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass, field

from autograder.audit.audit_file import Split
from autograder.audit.fates import EQUIVALENT, FATES, HIDDEN, NAMED, PUBLIC, SURVIVED
from autograder.audit.mutants import Mutant


@dataclass(frozen=True)
class MutantFate:
    mutant: Mutant
    fate: str  #: ``fates.PUBLIC``, ``HIDDEN``, ``SURVIVED`` or ``EQUIVALENT``
    check: str = ""  #: the check whose message is shown (the first that names the mistake, else the first failed)
    message: str = ""  #: what that check told the student
    message_kind: str = ""  #: ``fates.NAMED``, ``GENERIC`` or ``ERROR`` ("" when nothing failed)
    reason: str = ""  #: an equivalent mutant's reason, from audit.toml


@dataclass(frozen=True)
class ExerciseAudit:
    exercise: str
    assignment: str
    fates: tuple[MutantFate, ...]

    def count(self, fate: str) -> int:
        return sum(f.fate == fate for f in self.fates)

    @property
    def killed(self) -> int:
        return self.count(PUBLIC) + self.count(HIDDEN)

    @property
    def named(self) -> int:
        """Killed mutants whose message names the mistake."""
        return sum(f.fate in (PUBLIC, HIDDEN) and f.message_kind == NAMED for f in self.fates)

    @property
    def public_share(self) -> float:
        """The share of the mutants that are not equivalent that the public checks alone catch."""
        total = self.killed + self.count(SURVIVED)
        return self.count(PUBLIC) / total if total else 0.0

    def summary(self) -> dict:
        return {"exercise": self.exercise, "assignment": self.assignment, "mutants": len(self.fates),
                "killed_by_public": self.count(PUBLIC), "killed_by_hidden_only": self.count(HIDDEN),
                "survived": self.count(SURVIVED), "equivalent": self.count(EQUIVALENT), "named": self.named,
                "public_share": round(self.public_share, 4)}


@dataclass
class AuditReport:
    exercises: list[ExerciseAudit]
    split: Split
    students: int  #: in the class the audit graded (the mutants, the reference twice, the stub)
    reference: list[str] = field(default_factory=list)  #: the reference failing a check, or a check not deterministic
    stub: list[str] = field(default_factory=list)  #: exercises the stub scores points in
    listing: list[str] = field(default_factory=list)  #: audit.toml entries that are wrong (stale, or killed)
    notes: list[str] = field(default_factory=list)  #: what could not be made into a mutant

    def meets_split(self, exercise: ExerciseAudit) -> bool:
        return self.split.holds(exercise.public_share, exercise.count(HIDDEN))

    @property
    def survivors(self) -> list[MutantFate]:
        return [f for e in self.exercises for f in e.fates if f.fate == SURVIVED]

    @property
    def ok(self) -> bool:
        """Every mutant is killed or listed as equivalent, and the reference, the stub and audit.toml are right."""
        return not (self.survivors or self.reference or self.stub or self.listing)

    def totals(self) -> dict:
        keys = ("mutants", "killed_by_public", "killed_by_hidden_only", "survived", "equivalent", "named")
        rows = [e.summary() for e in self.exercises]
        total = {k: sum(r[k] for r in rows) for k in keys}
        judged = total["killed_by_public"] + total["killed_by_hidden_only"] + total["survived"]
        total["public_share"] = round(total["killed_by_public"] / judged, 4) if judged else 0.0
        return total

    def to_json(self) -> str:
        return json.dumps({
            "ok": self.ok, "students": self.students, "split_target": asdict(self.split),
            "totals": self.totals(), "reference": self.reference, "stub": self.stub, "listing": self.listing,
            "notes": self.notes,
            "exercises": [{"exercise": e.exercise, "assignment": e.assignment, "summary": e.summary(),
                           "split_target_met": self.meets_split(e),
                           "mutants": [_fate_json(f) for f in e.fates]} for e in self.exercises],
        }, indent=1, sort_keys=True) + "\n"


def _fate_json(f: MutantFate) -> dict:
    return {**asdict(f.mutant), "fate": f.fate, "check": f.check, "message": f.message,
            "message_kind": f.message_kind, "reason": f.reason}


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def render(report: AuditReport, every_mutant: bool = True) -> str:
    """The report for people: each mutant's fate (survivors with their diff; without
    ``every_mutant``, the survivors only), then a table."""
    out = []
    for e in report.exercises:
        shown = [f for f in e.fates if every_mutant or f.fate == SURVIVED]
        if not shown:
            continue
        out.append(f"{e.exercise} ({e.assignment}): {len(e.fates)} mutants")
        for f in sorted(shown, key=lambda f: list(FATES).index(f.fate)):
            m = f.mutant
            said = f"{f.message_kind}: {f.message[:90]}" if f.message else f"equivalent: {f.reason[:90]}" if f.reason else ""
            out.append(f"  {FATES[f.fate]:<29} {m.id:<30} line {m.line:<4} {m.operator}: {m.change}")
            if said:
                out.append(f"  {'':<29} {said}")
            if f.fate == SURVIVED:
                out.append(textwrap.indent(m.diff, " " * 33))
        out.append("")
    header = (f"{'exercise':<24} {'mutants':>7} {'public':>7} {'hidden':>7} {'survived':>8} {'equiv.':>7} "
              f"{'named':>9} {'public share':>13}")
    out += [header, "-" * len(header)]
    for e in report.exercises:
        s = e.summary()
        flag = "" if report.meets_split(e) else "  (misses the target)"
        out.append(f"{e.exercise:<24} {s['mutants']:>7} {s['killed_by_public']:>7} {s['killed_by_hidden_only']:>7} "
                   f"{s['survived']:>8} {s['equivalent']:>7} {f'{e.named}/{e.killed}':>9} {_pct(e.public_share):>13}{flag}")
    t = report.totals()
    named = f"{t['named']}/{t['killed_by_public'] + t['killed_by_hidden_only']}"
    out.append("-" * len(header))
    out.append(f"{'total':<24} {t['mutants']:>7} {t['killed_by_public']:>7} {t['killed_by_hidden_only']:>7} "
               f"{t['survived']:>8} {t['equivalent']:>7} {named:>9} {_pct(t['public_share']):>13}")
    out.append("")
    out.append(f"public: killed by the public checks (a student running `autograder check` learns of it); hidden: "
               f"killed only by the hidden checks; named: killed with a message that names the mistake. The target "
               f"(audit.toml [split]): a public share of {_pct(report.split.public_min)} or more, and "
               f"{report.split.hidden_min} or more mutants killed by the hidden checks only, in every exercise. "
               f"{report.students} students graded as one class.")
    for title, lines in (("The reference solution", report.reference), ("The stub", report.stub),
                         ("audit.toml", report.listing), ("Notes", report.notes)):
        if lines:
            out += ["", f"{title}:"] + [f"  - {line}" for line in lines]
    survivors = report.survivors
    out.append("")
    if survivors:
        out.append(f"{len(survivors)} mutant(s) survived: kill each with a hidden check whose message names the "
                   "mistake, or list it in audit.toml as equivalent, with the reason:")
        out += [f'  [[equivalent]]\n  mutant = "{f.mutant.id}"\n  reason = "..."' for f in survivors[:3]]
    elif report.ok:
        out.append("Every mutant was killed or is listed as equivalent.")
    return "\n".join(out)
