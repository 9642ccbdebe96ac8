"""A small synthetic dataset whose figures are worked out by hand in the tests.

Two themes, two quarters (2021-22 Q1 and Q2), every kind of item. Written as CSV into a
folder and loaded through the real loader, so the tests exercise the whole path.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from analysis.dataset.read import Dataset, load_dataset

TABLES = {
    "themes": """theme_id,name,position,description
a,Theme A,1,
b,Theme B,2,
""",
    "outcomes": """outcome_id,theme_id,name,position,description
a1,a,Outcome A1,1,
b1,b,Outcome B1,1,
""",
    "actions": """action_id,outcome_id,position,title,expected_completion,directorate
A1,a1,1,Action one,2022-03-31,
A2,a1,2,Action two,,
A3,b1,1,Action three,,
A4,b1,2,Action four,,
A5,b1,3,Action five,,
""",
    "action_updates": """action_id,quarter,status,commentary,provenance
A1,2021-22-Q1,Some slippage,,published
A1,2021-22-Q2,On track,,published
A2,2021-22-Q1,On track,,published
A2,2021-22-Q2,Major slippage,,published
A3,2021-22-Q1,Completed,,published
A3,2021-22-Q2,Completed,,published
A4,2021-22-Q2,Not assessed,,published
A5,2021-22-Q1,Major slippage,,published
A5,2021-22-Q2,On track,,published
""",
    "projects": """project_id,outcome_id,position,title,directorate
P1,a1,3,Project one,
P2,b1,4,Project two,
P3,b1,5,Project three,
""",
    "project_updates": """project_id,quarter,rag,dca,stage,commentary,provenance
P1,2021-22-Q1,Amber/Green,Green,,,published
P1,2021-22-Q2,Green,Green,closure,,published
P2,2021-22-Q2,Amber/Red,Amber/Green,delivery,,published
P3,2021-22-Q2,Completed,Completed,,,published
""",
    "measures": """measure_id,outcome_id,position,title,unit,polarity,frequency,directorate
M1,a1,4,Measure one,percent,higher,quarterly,
M2,a1,5,Measure two,number,lower,quarterly,
M3,b1,6,Measure three,number,neither,quarterly,
M4,b1,7,Measure four,percent,higher,quarterly,
M5,b1,8,Measure five,number,higher,quarterly,
""",
    "measure_values": "measure_id,quarter,actual,quarterly_target,annual_target,forecast,"
    "baseline,benchmark,reported_status,commentary,improvement_actions,intervention,provenance\n"
    """M1,2021-22-Q1,100%,100%,100%,100%,,,,,,,published
M1,2021-22-Q2,110%,100%,100%,100%,,,Blue,,,,published
M2,2021-22-Q1,101,100,100,100,,,,,,,published
M2,2021-22-Q2,105,100,100,120,,,Amber,,,,published
M3,2021-22-Q2,40,,,,,,,,,,published
M4,2021-22-Q2,55%,Baseline,No target,,,,,,,,published
M5,2021-22-Q2,Due in Q3,10,50,60,,,,,,,assumed
""",
    "risks": """risk_id,outcome_id,position,title,risk_type,directorate
R1,a1,6,Risk one,threat,
R2,a1,7,Risk two,threat,
R3,b1,9,Risk three,opportunity,
R4,b1,10,Risk four,threat,
""",
    "risk_updates": """risk_id,quarter,impact,likelihood,movement,commentary,provenance
R1,2021-22-Q1,3,3,,,published
R1,2021-22-Q2,4,3,,,assumed
R2,2021-22-Q2,2,2,escalated,,published
R3,2021-22-Q1,2,2,,,published
R3,2021-22-Q2,2,2,,,published
R4,2021-22-Q1,3,2,,,published
R4,2021-22-Q2,3,2,de-escalated,,published
""",
    "amendments": """amendment_id,quarter,item_id,item_kind,change,description,provenance
AM1,2021-22-Q2,M3,measure,delete,No longer relevant.,published
""",
}

CONFIG = """organisation: Synthetic Council
plan: Test Plan 2021/22
framework: derby-city-2021-22
scales: derby-city
presentation: derby-city
"""


def write_synthetic(folder: Path, **overrides: str) -> Path:
    """Write the synthetic dataset into ``folder``; ``overrides`` replace tables."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yml").write_text(CONFIG, encoding="utf-8")
    for name, text in {**TABLES, **overrides}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@functools.cache
def synthetic_dataset() -> Dataset:
    """The synthetic dataset, written to a temporary folder and loaded once per process.

    For examples and tests that only read it; a test that edits it writes its own copy.
    """
    return load_dataset(write_synthetic(Path(tempfile.mkdtemp(prefix="synthetic-")) / "synthetic"))
