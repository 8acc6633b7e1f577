"""The domain core never imports streamlit, and the app holds no pricing formulas."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import ROOT


def test_pricing_never_imports_streamlit_statically() -> None:
    for path in (ROOT / "pricing").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_importing_the_whole_core_does_not_load_streamlit() -> None:
    code = (
        "import pkgutil, importlib, sys, pricing\n"
        "for m in pkgutil.walk_packages(pricing.__path__, 'pricing.'):\n"
        "    if m.name.endswith('__main__'): continue\n"
        "    importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False", out.stderr
