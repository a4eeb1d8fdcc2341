"""Geometry of the radar chart, drawn as SVG on the server (templates/scan/_radar.html).

The chart only draws figures that results.py already allowed; a series without figures for
every dimension is left out rather than drawn with gaps.
"""
import math

SIZE = 520        # the viewBox is SIZE x SIZE; the page scales it
RADIUS = 170      # length of an axis (the value 5)
LABEL_GAP = 22    # distance of a label beyond the axis end
SCALE_MIN, SCALE_MAX = 1, 5


def _point(index, count, value):
    """Where a value (1..5) on the index-th axis lies; the first axis points up."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    length = RADIUS * (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) if value is not None else RADIUS
    centre = SIZE / 2
    return centre + length * math.cos(angle), centre + length * math.sin(angle)


def _points(values):
    count = len(values)
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, v) for i, v in enumerate(values)))


def _wrap(text, width=18):
    """Split a long dimension name over a few lines (SVG text does not wrap by itself)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def radar(dimensions, series):
    """dimensions: [{code, name}]; series: [(css class, label, {code: mean})].

    Returns what the template needs: rings for 1..5, axes with wrapped labels, and a polygon with
    its dots per series.
    """
    count = len(dimensions)
    centre = SIZE / 2
    rings = [{"value": v, "points": _points([v] * count)} for v in range(SCALE_MIN + 1, SCALE_MAX + 1)]
    axes = []
    for index, dimension in enumerate(dimensions):
        x, y = _point(index, count, SCALE_MAX)
        angle = -math.pi / 2 + 2 * math.pi * index / count
        lx = centre + (RADIUS + LABEL_GAP) * math.cos(angle)
        ly = centre + (RADIUS + LABEL_GAP) * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        lines = _wrap(dimension["name"])
        # Labels above the chart grow upwards, the others downwards.
        top = ly - 14 * (len(lines) - 1) if math.sin(angle) < -0.3 else ly - 7 * (len(lines) - 1)
        axes.append({"x": x, "y": y, "label_x": lx, "anchor": anchor,
                     "lines": [{"text": text, "y": top + 14 * n + 4} for n, text in enumerate(lines)]})
    drawn = []
    for css, label, means in series:
        if not means or any(means.get(d["code"]) is None for d in dimensions):
            continue
        values = [means[d["code"]] for d in dimensions]
        drawn.append({"css": css, "label": label, "points": _points(values), "means": means,
                      "dots": [_point(i, count, v) for i, v in enumerate(values)]})
    return {"size": SIZE, "centre": centre, "rings": rings, "axes": axes, "series": drawn,
            "ring_labels": [{"value": v, "y": centre - RADIUS * (v - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)}
                            for v in range(SCALE_MIN, SCALE_MAX + 1)]}
