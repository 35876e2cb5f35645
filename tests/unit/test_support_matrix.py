"""The support matrix the docs and the README state is the one CI runs: every Molecule case of
scripts/test.sh (MOLECULE_MATRIX) is on both pages, and neither names a case CI does not run."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CASE = re.compile(r"``?([a-z]+/[a-z][a-z-]*)`")


def ci_cases():
    text = (REPO / "scripts" / "test.sh").read_text()
    block = re.search(r"^MOLECULE_MATRIX=\(\n(.*?)^\)", text, re.S | re.M).group(1)
    cases = {"/".join(line.strip().strip('"').split()[:2]) for line in block.splitlines() if line.strip()}
    assert len(cases) >= 5, cases
    return cases


def scenarios():
    """The Molecule scenarios of the tree and of the matrix (scale's is generated, not tracked)."""
    return {p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml")} | {c.split("/")[0] for c in ci_cases()}


def named_cases(text):
    return {c for c in CASE.findall(text) if c.split("/")[0] in scenarios()}


def test_the_docs_page_names_exactly_the_ci_cases():
    page = (REPO / "docs" / "docsite" / "rst" / "support_matrix.rst").read_text()
    assert named_cases(page) == ci_cases()


def test_the_readme_names_exactly_the_ci_cases():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Support matrix"):]
    section = section[:section.index("\n## ", 3)]
    assert named_cases(section) == ci_cases()
