"""The read layer: every list and look-up that a page and the API share, one module per feature.

A list is one function that takes a small filter object (a dataclass with the page number) and
returns a community.pagination.Page; the pages render it and the API serialises it, so both
answer the same rows in the same order. Nothing here writes, reads the request, or imports a
view, API or blueprint module.
"""
