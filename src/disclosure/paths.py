"""Names of the folders and files of a workspace (constants only)."""

PARAMS_DIR = "params"
DATA_RAW_DIR = "data/raw"
REFERENCE_DIR = "data/reference"
FORMS_DIR = "forms"
NOTEBOOKS_DIR = "notebooks"
OUTPUTS_DIR = "outputs"

STATISTICS_FORM = "forms/statistics.yaml"
TABLES_FORM = "forms/tables.yaml"
RULES_FORM = "forms/rules.yaml"
CHECKLIST_ITEMS = "data/reference/checklist_items.csv"
WORKBOOK = "notebooks/workbook.py"

PROFILE_FILE = "profile.yaml"
NARRATIVE_FILE = "narrative.yaml"
SOURCE_FILE = "SOURCE.yaml"

# Markers that identify a workspace when searching upward from the current directory.
WORKSPACE_MARKERS = (PARAMS_DIR, FORMS_DIR)
