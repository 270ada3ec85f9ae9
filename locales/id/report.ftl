# Laporan tahunan (PDF dan XLSX, report/).
