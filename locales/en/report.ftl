# The yearly report (PDF and XLSX, report/).
