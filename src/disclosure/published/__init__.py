"""Published reports: a school's report (PDF, Word, HTML, text) read into a year folder and
audited."""
