"""An nbconvert preprocessor for ``nbgrader generate_feedback``: error outputs lose their tracebacks.

IPython's traceback of a failing test cell quotes the lines around the failure, which
in the autograded notebook include the hidden-test block. Students keep the error's
type and message (the check's explanation); the quoted source goes.
"""
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class HideTracebacks(Preprocessor):
    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):  # noqa: ANN001, ANN201 - nbconvert's signature
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
