"""Offset pagination with a fixed number of queries: one count, one page of rows."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from community.extensions import db


def page_number(arg="page"):
    value = request.args.get(arg, "1")
    # isascii: "²".isdigit() is true, but int("²") fails; the length keeps int() cheap.
    if value.isascii() and value.isdigit() and len(value) <= 5 and int(value) > 0:
        return int(value)
    return 1


@dataclass
class Page:
    rows: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def paginate(stmt, per_page=25, scalars=False, number=None, counted=None):
    """One count (of ``counted``, by default stmt) and one page of rows. ``number`` defaults to
    the ?page= argument."""
    counted = stmt if counted is None else counted
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.order_by(None).subquery()))
    number = number or page_number()
    result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    rows = result.scalars().all() if scalars else result.all()
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def like_pattern(text):
    """A LIKE pattern matching text anywhere, with the wildcards in text escaped (escape='\\')."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped + "%"
