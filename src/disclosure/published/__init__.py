"""Published reports: read a school's report (PDF, Word, HTML, text) into a year folder and audit it."""
