"""`pricing dashboard`: start the Streamlit app with the bundled data."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app" / "main.py"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verb."""
    p = sub.add_parser("dashboard", help="open the dashboard on http://localhost:8501")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run streamlit in this interpreter."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(args.port)]
    return subprocess.call(cmd)
