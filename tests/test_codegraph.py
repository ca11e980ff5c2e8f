"""analysis/codegraph.py: the code a build product is computed with, read from
the sources (the import graph), so that a change re-executes what uses it only."""
from analysis import codegraph
from analysis.paths import TEMPLATES


def test_the_import_graph_follows_relative_lazy_and_package_imports():
    modules, others = codegraph.closure(["analysis.chapter"])
    assert {"analysis", "analysis.chapter", "analysis.config", "analysis.untrusted", "analysis.plots"} <= set(modules)
    assert "analysis.pdf" not in modules and "analysis.publish" not in modules
    assert {"pandas", "matplotlib"} <= set(others)


def test_templates_import_what_their_cells_say():
    names = codegraph.notebook_imports(TEMPLATES / "country.ipynb")
    assert {"analysis.chapter", "analysis.statements", "myst_nb"} <= set(names)


def test_sphinx_runs_only_its_extension_and_what_it_imports():
    modules, _ = codegraph.closure(["analysis.sphinxext"])
    assert "analysis.cite" in modules and "analysis.chapter" not in modules and "analysis.run" not in modules


def test_library_pins_are_those_of_what_the_code_imports_with_their_dependencies():
    pins = codegraph.library_pins(["analysis.chapter"]).splitlines()
    names = {p.split("==")[0].lower() for p in pins}
    assert {"pandas", "matplotlib", "numpy"} <= names  # numpy: required by pandas, not imported by name
    assert "playwright" not in names and "pytest" not in names
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]


def test_digest_changes_with_the_code_only():
    before = codegraph.digest(["analysis.chapter"])
    assert before == codegraph.digest(["analysis.chapter"])
    assert codegraph.digest(["analysis.chapter"], extra="x") != before
