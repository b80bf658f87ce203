"""nbconvert preprocessors for ``nbgrader generate_feedback``: nothing of the checks' code, no stray values.

They matter for feedback made from notebooks that ``nbgrader autograde`` ran (the hidden
blocks were put back and ran in the kernel); notebooks that ``autograder grade
--gradebook`` writes hold neither tracebacks nor values, so they pass through unchanged.

- :class:`HideTracebacks`: IPython's traceback of a failing check cell quotes the lines
  around the failure, which under autograde include the hidden-test block. Students keep
  the error's type and message (the check's explanation); the quoted source goes.
- :class:`HideCheckValues`: a check cell's hidden block ends with the points earned, which
  nbgrader reads as the cell's partial credit and the page showed as ``Out[5]: 5.0``. The
  score is in the cell's heading already; the value goes.
"""
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


def _is_check_cell(cell) -> bool:  # noqa: ANN001 - an nbformat cell
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


class HideTracebacks(Preprocessor):
    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001, ANN201 - nbconvert's signature
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class HideCheckValues(Preprocessor):
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001, ANN201 - nbconvert's signature
        if _is_check_cell(cell) and "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if o.get("output_type") != "execute_result"]
        return cell, resources
