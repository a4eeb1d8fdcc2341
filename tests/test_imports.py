"""The layers keep their direction (DESIGN.md, "Data flows one way"): models, queries,
permissions, actions and realtime never import a handler (a view, the API, a blueprint package
that registers routes, the socket handlers), and no community modules import each other in a
circle. Read from the source with ast. For the layers every import counts, also one inside a
function; for circles only imports at module level do (an import inside a function runs late,
which is how create_app wires the handlers in).

Importing ``community.a.b`` runs ``community/a/__init__.py`` first, so it counts as importing
``community.a`` too. A module importing its own package (a blueprint's views taking ``bp`` from
its ``__init__``) is not a circle: the package is always set up before its modules.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "community"
LAYERS = ("community.models", "community.queries", "community.permissions", "community.actions",
          "community.realtime")
HANDLER_CALLS = ("Blueprint", "route", "on")  # Blueprint(...), @bp.route(...), @socketio.on(...)


def _modules():
    """{dotted name: path} of every module in the community package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _top_level(tree):
    """Statements that run at import: the module's own, and those inside top-level if/try."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            pending[:0] = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                           *[stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]]


def _resolve(name, node):
    """The dotted names a from-import or import statement brings in."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    base = node.module or ""
    if node.level:
        package = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
        base = f"{package}.{base}" if base else package
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def _imports(name, anywhere=False):
    """The community modules ``name`` imports at module level (``anywhere``: in functions too),
    with the packages they sit in."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    targets = set()
    for node in (ast.walk(tree) if anywhere else _top_level(tree)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in _resolve(name, node):
                parts = target.split(".")
                targets |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    own_packages = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return {target for target in targets if target in MODULES and target != name} - own_packages


GRAPH = {name: _imports(name) for name in MODULES}


def _registers_handlers(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in HANDLER_CALLS:
                return True
    return False


def _handlers():
    """Views, the API, the socket handlers, and every package that imports one when it is set up."""
    handlers = {name for name in MODULES if name.endswith(".views") or name == "community.api"
                or name.startswith("community.api.") or _registers_handlers(name)}
    changed = True
    while changed:
        changed = False
        for name, path in MODULES.items():
            if path.name == "__init__.py" and name not in handlers and GRAPH[name] & handlers:
                handlers.add(name)
                changed = True
    return handlers


def _in_layer(name):
    return any(name == layer or name.startswith(layer + ".") for layer in LAYERS)


def _cycles():
    """Each circle of imports once, as a list of module names (Tarjan's strongly connected parts)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_the_check_sees_the_layers_and_the_handlers():
    handlers = _handlers()
    assert {"community.discussions.views", "community.discussions", "community.api",
            "community.realtime.sockets"} <= handlers
    assert not {"community.urls", "community.realtime", "community.realtime.streams", "community.models"} & handlers
    assert {"community.actions.discussions", "community.realtime.events", "community.models.community"} \
        <= {name for name in MODULES if _in_layer(name)}


def test_lower_layers_import_no_view_api_or_blueprint():
    """Not even inside a function, where the import would only hide the dependency."""
    handlers = _handlers()
    wrong = sorted(f"{name} imports {target}" for name in MODULES if _in_layer(name)
                   for target in _imports(name, anywhere=True) & handlers)
    assert wrong == [], "\n".join(wrong)


def test_no_import_cycles_among_community_modules():
    cycles = _cycles()
    assert cycles == [], "\n".join(" <-> ".join(part) for part in cycles)
