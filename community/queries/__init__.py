"""The read layer: every list and look-up that a page and the API share, one module per feature.

A list is one function that takes a small filter object (a dataclass with the page number) and
returns a community.pagination.Page (or a small object that holds one, with what the rows need);
the pages render it and the API serialises it, so both answer the same rows in the same order
(tests/test_read_layer.py checks each list). A page that shows a list unpaged calls a sibling
that shares the list's filter and order (latest_rounds, latest_invitations, the trajectory lists). Nothing here writes, reads the request, or imports a
view, API or blueprint module.
"""
