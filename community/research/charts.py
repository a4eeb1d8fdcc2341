"""Horizontal bar charts for the research area, drawn as SVG on the server
(templates/research/_bars.html), like the scan's radar (community/scan/chart.py): geometry only,
for figures research.disclosure already allowed. Bars may be negative (a change); they then grow
to the left of the zero line."""
WIDTH = 560
LABEL_WIDTH = 200     # room for the labels left of the bars
VALUE_WIDTH = 60      # room for the number right of a bar
BAR = 20
GAP = 10
TOP = 8


def bars(rows):
    """rows: [(label, value)] (numbers, possibly negative). Returns what the template draws."""
    values = [value for _label, value in rows]
    low, high = min([0.0] + values), max([0.0] + values)
    span = (high - low) or 1.0
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    zero = LABEL_WIDTH + room * (-low / span)
    drawn = []
    for index, (label, value) in enumerate(rows):
        length = room * abs(value) / span
        x = zero if value >= 0 else zero - length
        y = TOP + index * (BAR + GAP)
        drawn.append({"label": label, "value": value, "x": x, "y": y, "width": max(length, 1.0), "height": BAR,
                      "text_y": y + BAR * 0.7, "value_x": x + length + 6 if value >= 0 else zero + 6,
                      "negative": value < 0})
    height = TOP * 2 + len(rows) * (BAR + GAP)
    return {"width": WIDTH, "height": height, "zero": zero, "label_x": LABEL_WIDTH - 8, "bars": drawn}
