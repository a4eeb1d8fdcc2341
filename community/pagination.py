"""The two pagers, each with a fixed number of queries, and the ?page= argument of the pages.

- ``offset_page``: one count and one page of rows (LIMIT/OFFSET), for any list (no count when the
  caller knows the total).
- ``number_range_page``: for rows numbered 1, 2, 3... without gaps whose total is known (the
  replies of a discussion): a page is a range of numbers, so no count and no OFFSET scan.

The API reads its page number with webargs; the pages call ``page_number``. Either way the
number goes into the list's filter object, and the list in community.queries calls a pager.
"""
from collections import namedtuple
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from community.extensions import db


def page_number(args=None, name="page"):
    """The page number from ?page= (of ``args``, by default the request's); 1 when unusable."""
    value = (request.args if args is None else args).get(name) or "1"
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
    more: bool = False  # there are more than ``total`` rows (a search that stops counting)

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def offset_page(stmt, *, number, per_page, scalars=False, counted=None, total=None):
    """Page ``number`` (1, 2, ...) of stmt in one query: the rows carry the total as a window
    count (``count(*) OVER ()``, computed before LIMIT). Only a page past the end, which has no
    row to carry it, counts apart (of ``counted``, by default stmt) and is empty. A caller that
    counted the rows already (with other figures, in one statement) passes ``total``.

    ``counted`` must select the same rows as stmt (stmt may add columns and many-to-one joins)."""
    if total is not None:
        result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
        rows = result.scalars().all() if scalars else result.all()
        return Page(rows=rows, number=number, per_page=per_page, total=total)
    total_column = sa.func.count().over().label("page_total")
    result = db.session.execute(stmt.add_columns(total_column).limit(per_page).offset((number - 1) * per_page))
    found = result.all()
    if found:
        total = found[0][-1]
        if scalars:
            rows = [row[0] for row in found]
        else:
            rows = [row[:-1] for row in found]
            names = found[0]._fields  # by column name too, when every column has one
            if len(names) == len(found[0]):
                shape = namedtuple("PageRow", names[:-1], rename=True)
                rows = [shape(*row) for row in rows]
    else:
        counted = stmt if counted is None else counted
        total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.order_by(None).subquery()))
        rows = []
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def number_range_page(stmt, column, *, total, number, per_page):
    """Page ``number`` of stmt's rows by ``column``, which numbers them 1..total without gaps
    (one query, scalars). A page past the end shows the last page."""
    number = min(number, max(1, -(-total // per_page)))
    first = (number - 1) * per_page + 1
    rows = db.session.scalars(stmt.where(column.between(first, first + per_page - 1)).order_by(column)).unique().all()
    return Page(rows=rows, number=number, per_page=per_page, total=total)


def like_pattern(text):
    """A LIKE pattern matching text anywhere, with the wildcards in text escaped (escape='\\')."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped + "%"
