"""The documentation site (scripts/docsite/build.sh, run before these tests by scripts/test.sh)
as a real browser renders it: headless Chromium from Debian loads each page and returns the
DOM after rendering; screenshots of the main pages land in build/docsite/screenshots for a
person to look at.

Every module, the test plugin and every role of the tree have a page linked from the
collection's index; each role page shows each of its entry points with their options (from
meta/argument_specs.yml); the support matrix page shows each CI case."""

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "build" / "docsite" / "html" / "collections" / "eucalyptus" / "ceph"
SHOTS = REPO / "build" / "docsite" / "screenshots"
BROWSER = shutil.which("chromium-headless-shell") or shutil.which("chromium")


def _require(condition, why):
    if not condition:
        if os.environ.get("EUCA_REQUIRE_PREREQS") == "1":
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    _require(BROWSER, "no headless Chromium (Debian package chromium-headless-shell)")
    _require((SITE / "index.html").is_file(), "no site: run scripts/docsite/build.sh")
    return BROWSER


def _chromium(browser, *args):
    # --no-sandbox: CI runs as root, where Chromium refuses its sandbox
    argv = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--window-size=1280,1600", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=True).stdout


def rendered_text(browser, page):
    """The page's text as Chromium rendered it (its DOM after load, tags stripped)."""
    dom = _chromium(browser, "--dump-dom", (SITE / page).as_uri())
    assert "</html>" in dom, dom[-500:]
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return dom, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def screenshot(browser, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / (page.replace("/", "_").replace(".html", ".png"))
    _chromium(browser, "--screenshot=%s" % shot, (SITE / page).as_uri())
    assert shot.stat().st_size > 20000, "an almost empty screenshot of %s" % page
    return shot


def names(directory, pattern):
    return sorted(p.stem for p in (REPO / directory).glob(pattern) if not p.name.startswith("_"))


def test_the_index_links_every_module_test_and_role(browser):
    dom, text = rendered_text(browser, "index.html")
    screenshot(browser, "index.html")
    for module in names("plugins/modules", "*.py"):
        assert 'href="%s_module.html' % module in dom, module
        assert (SITE / ("%s_module.html" % module)).is_file(), module
    for test in names("plugins/test", "*.py"):
        assert 'href="%s_test.html' % test in dom, test
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())
    assert len(roles) >= 8, roles
    for role in roles:
        assert 'href="%s_role.html' % role in dom, role
    assert "Support matrix" in text


@pytest.mark.parametrize("role", sorted(p.name for p in (REPO / "roles").iterdir()
                                        if (p / "meta" / "argument_specs.yml").is_file()))
def test_each_role_page_shows_its_entry_points_and_options(browser, role):
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    _dom, text = rendered_text(browser, "%s_role.html" % role)
    for entry_point, spec in specs.items():
        assert "Entry point %s" % entry_point in text, (role, entry_point)
        for option in spec.get("options", {}):
            assert option in text, (role, entry_point, option)


def test_a_module_page_shows_options_and_return_values(browser):
    _dom, text = rendered_text(browser, "cephx_user_module.html")
    screenshot(browser, "cephx_user_module.html")
    for words in ("Parameters", "Return Values", "Examples", "profile", "caps", "check_mode"):
        assert words in text, words


def test_the_support_matrix_page_shows_each_ci_case(browser):
    _dom, text = rendered_text(browser, "docsite/support_matrix.html")
    screenshot(browser, "docsite/support_matrix.html")
    matrix = (REPO / "scripts" / "test.sh").read_text()
    block = re.search(r"^MOLECULE_MATRIX=\(\n(.*?)^\)", matrix, re.S | re.M).group(1)
    cases = ["/".join(line.strip().strip('"').split()[:2]) for line in block.splitlines() if line.strip()]
    for case in cases:
        assert case in text, case
    for release in ("16.2.15 Pacific", "18.2.7 Reef", "20.2.4 Tentacle"):
        assert release in text, release
