"""Extraction: documents, plans, outline and the indicator system of one source file.

The orchestration of the steps is :mod:`planwatch.extract.pipeline`; the package's face is
the two entry points and the result they return.
"""

from planwatch.extract.pipeline import extract_file, extract_source
from planwatch.extract.records import Extraction

__all__ = ["Extraction", "extract_file", "extract_source"]
