"""The file a data export is: a ZIP with, per kind, a JSON file and the same rows as CSV, and
the files attached to the user's own cases.

CSV cells are formula-escaped: a spreadsheet runs a cell starting with = + - @ (or a tab or a
carriage return before one) as a formula, so such a cell gets a leading apostrophe (OWASP's
advice for CSV injection); the JSON keeps the text exactly."""
import csv
import io
import json
import zipfile

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A value as a safe CSV cell: text, with a leading ' when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows):
    """The rows (flat dicts) as CSV, with a header of every column they use, in order."""
    columns = []
    for row in rows:
        columns.extend(name for name in row if name not in columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([escape_cell(row.get(name)) for name in columns])
    return out.getvalue()


def build_zip(target, rows_by_kind, files=()):
    """Write the ZIP to ``target`` (a path or a file object). ``files``: (name in the ZIP, path
    on disk) pairs; a file gone from disk is left out."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, rows in rows_by_kind.items():
            archive.writestr(f"{kind}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"{kind}.csv", "\ufeff" + csv_text(rows))  # the BOM: Excel reads UTF-8
        for name, path in files:
            try:
                archive.write(path, name)
            except FileNotFoundError:
                pass
