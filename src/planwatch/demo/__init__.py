"""The bundled demo: a fictional district plan (青川区), its org units, users and data."""

from pathlib import Path

DEMO_DIR = Path(__file__).parent
DEMO_PLAN = DEMO_DIR / "qingchuan_plan.txt"

__all__ = ["DEMO_DIR", "DEMO_PLAN"]
