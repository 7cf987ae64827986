"""Field reporting from phones (ODK Collect, KoboCollect): sitroom's XLSForms converted to
XForms with pyxform, the choice lists the forms read from CSV files, filled instances read
safely and turned into record cells, and attachments streamed to disk. No database, no web."""
