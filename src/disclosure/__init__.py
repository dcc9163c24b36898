"""disclosure-workbook: rebuild a university's annual information-disclosure report from raw
counts."""

__version__ = "0.1.0"
