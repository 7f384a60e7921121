"""Exchange formats: long CSV (Open SDG) and its Excel twin, DHIS2 dataValueSets, SDMX-CSV, the Excel template.

Pure codecs over :class:`ExchangeRow`; :mod:`planwatch.services.exchange` maps codes to
the database and runs the reporting workflow.
"""

from planwatch.monitor.exchange.csv_long import read_csv, write_csv
from planwatch.monitor.exchange.dhis2 import from_data_value_set, to_data_value_set
from planwatch.monitor.exchange.rows import CellProblem, ExchangeError, ExchangeRow
from planwatch.monitor.exchange.sdmx import write_sdmx_csv
from planwatch.monitor.exchange.xlsx_long import write_xlsx_long
from planwatch.monitor.exchange.xlsx_template import (
    FilledTemplate,
    TemplateIdentity,
    TemplateIndicator,
    TemplateSheet,
    read_template,
    write_template,
)

__all__ = [
    "CellProblem",
    "ExchangeError",
    "ExchangeRow",
    "FilledTemplate",
    "TemplateIdentity",
    "TemplateIndicator",
    "TemplateSheet",
    "from_data_value_set",
    "read_csv",
    "read_template",
    "to_data_value_set",
    "write_csv",
    "write_sdmx_csv",
    "write_template",
    "write_xlsx_long",
]
