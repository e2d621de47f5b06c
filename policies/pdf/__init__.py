"""Policy PDFs: HTML templates rendered by WeasyPrint, which may read nothing but our static
files and the font folder (fetcher.py). data.py gathers what a PDF prints (and hashes it, so a
PDF is made again when that changes), render.py turns it into PDF bytes."""
