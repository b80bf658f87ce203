"""``nbgrader autograde`` without false tampering alarms, with real ones kept.

nbgrader saves each locked cell's checksum at ``generate_assignment`` time *before* it
clears the hidden tests, so every released test cell that holds a hidden block differs
from that checksum, and ``OverwriteCells`` warns "Attribute 'checksum' for cell ... has
changed!" for every untouched notebook: a TA cannot see real tampering in the noise.

:class:`OverwriteLockedCells` is ``OverwriteCells`` that knows what the student was
given: the source cell with its hidden tests cleared by nbgrader's own
``ClearHiddenTests``. A locked cell that still holds exactly that is restored silently;
any other change is reported, as before, and restored too.
"""
from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells


class OverwriteLockedCells(OverwriteCells):
    def preprocess_cell(self, cell: NotebookNode, resources: Any, cell_index: int) -> Any:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        self._as_released = None
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked:
                released = NotebookNode(cell_type=source.cell_type, source=source.source,
                                        metadata=NotebookNode(nbgrader=NotebookNode(grade=True, grade_id=grade_id)))
                ClearHiddenTests().preprocess_cell(released, {}, cell_index)
                self._as_released = cell.cell_type == source.cell_type and cell.source == released.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        if attr == "checksum" and self._as_released:
            return  # the cell is as it was released: only the hidden tests were missing, as they should
        super().report_change(name, attr, old, new)
