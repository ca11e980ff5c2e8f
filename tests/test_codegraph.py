"""analysis/codegraph.py: the code a build product is computed with, read from
the sources (the import graph), so that a change re-executes what uses it only."""
from analysis import codegraph
from analysis.paths import ANALYSIS, TEMPLATES


def test_the_import_graph_follows_relative_lazy_and_package_imports():
    modules, others = codegraph.closure(["analysis.report.chapter"])
    assert {"analysis", "analysis.report.chapter", "analysis.config", "analysis.untrusted", "analysis.report.plots"} <= set(modules)
    assert "analysis.book.pdf" not in modules and "analysis.book.publish" not in modules
    assert {"pandas", "matplotlib"} <= set(others)


def test_templates_import_what_their_cells_say():
    names = codegraph.notebook_imports(TEMPLATES / "country.ipynb")
    assert {"analysis.report.chapter", "analysis.report.statements", "myst_nb"} <= set(names)


NESTED = """
import a
def f():
    from b import c
    class K:
        import d
    if x:
        with y:
            for i in z:
                try:
                    import e
                except E:
                    import f2
                else:
                    import g
                finally:
                    import h
    while w:
        match v:
            case 1:
                import m
    return [lambda: __import__("not_a_statement")]
async def g():
    async with a:
        import n
"""


def test_statements_finds_every_import_that_a_full_walk_finds():
    import ast

    def found(tree, nodes):
        return sorted(ast.dump(n) for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom)))

    trees = [ast.parse(NESTED)] + [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(ANALYSIS.rglob("*.py"))]
    for tree in trees:
        assert found(tree, codegraph.statements(tree)) == found(tree, ast.walk(tree))
    names = {a.name for n in codegraph.statements(trees[0]) if isinstance(n, (ast.Import, ast.ImportFrom))
             for a in n.names} | {n.module for n in codegraph.statements(trees[0]) if isinstance(n, ast.ImportFrom)}
    assert names >= {"a", "b", "c", "d", "e", "f2", "g", "h", "m", "n"}


def test_sphinx_runs_only_its_extension_and_what_it_imports():
    modules, _ = codegraph.closure(["analysis.book.sphinxext"])
    assert "analysis.report.cite" in modules and "analysis.report.chapter" not in modules and "analysis.book.notebooks" not in modules


def test_library_pins_are_those_of_what_the_code_imports_with_their_dependencies():
    pins = codegraph.library_pins(["analysis.report.chapter"]).splitlines()
    names = {p.split("==")[0].lower() for p in pins}
    assert {"pandas", "matplotlib", "numpy"} <= names  # numpy: required by pandas, not imported by name
    assert "playwright" not in names and "pytest" not in names
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]


def test_digest_changes_with_the_code_only():
    before = codegraph.digest(["analysis.report.chapter"])
    assert before == codegraph.digest(["analysis.report.chapter"])
    assert codegraph.digest(["analysis.report.chapter"], extra="x") != before


LAYERS = ("data", "ledger", "report", "book")  # in pipeline order (analysis/__init__.py)


def _modules():
    for path in sorted(ANALYSIS.rglob("*.py")):
        rel = path.relative_to(ANALYSIS.parent).with_suffix("").parts
        yield ".".join(rel[:-1] if rel[-1] == "__init__" else rel)


def _layer(module: str) -> int:
    """0 for what every layer uses (analysis.paths, analysis.config, ...), else
    the subpackage's place in the pipeline, from 1."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) + 1 if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else 0


def test_every_module_is_in_a_layer_or_shared_and_imports_no_later_layer():
    modules = list(_modules())
    assert {m.split(".")[1] for m in modules if m.count(".") >= 2} == set(LAYERS)
    later = [(m, o) for m in modules for o in sorted(codegraph.imports(m)[0]) if _layer(o) > _layer(m)]
    assert later == []  # e.g. the ledger importing a report module, or the report importing the build
