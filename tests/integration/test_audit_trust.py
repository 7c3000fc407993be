"""test_audit_trust.py: rule 4.5 gathers where DOCKER_CONTENT_TRUST is set, from a fabricated host tree (manual, never a pass)."""
import os

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")


def audit_45(dockward, root):
    r = dockward("audit", "--rules", RULES, "--host-root", str(root), "-c", "4.5", "-f", "json")
    assert r.rc == 0, r.err
    rule = r.json()["rules"][0]
    assert rule["id"] == "4.5" and rule["verdict"] == "manual" and not rule["offenders"]
    return rule, [(e["id"], e["detail"]) for e in rule["evidence"]]


def test_content_trust_sources(dockward, tmp_path):
    root = tmp_path / "host"
    (root / "etc" / "profile.d").mkdir(parents=True)
    (root / "etc" / "default").mkdir()
    (root / "etc" / "environment").write_text('PATH="/usr/bin:/bin"\nDOCKER_CONTENT_TRUST=1\n')
    (root / "etc" / "profile.d" / "b-off.sh").write_text("export DOCKER_CONTENT_TRUST=0\n")
    (root / "etc" / "profile.d" / "a-other.sh").write_text("export EDITOR=vi\n")
    (root / "etc" / "profile.d" / "notes.txt").write_text("DOCKER_CONTENT_TRUST=1\n")      # not a profile script
    (root / "etc" / "default" / "docker").mkdir()                                          # unreadable as a file
    rule, ev = audit_45(dockward, root)
    assert ev == [("/etc/environment", "DOCKER_CONTENT_TRUST=1"),
                  ("/etc/default/docker", "cannot read it: Is a directory"),
                  ("/etc/profile.d/a-other.sh", "DOCKER_CONTENT_TRUST is not set"),
                  ("/etc/profile.d/b-off.sh", "DOCKER_CONTENT_TRUST=0 (not 1: content trust stays off)")]
    assert rule["reason"].startswith("DOCKER_CONTENT_TRUST=1 is set in 1 of 4 host environment files read;")
    # nothing set anywhere: still manual, saying so
    (root / "etc" / "environment").write_text("LANG=C\n")
    rule, ev = audit_45(dockward, root)
    assert rule["reason"].startswith("DOCKER_CONTENT_TRUST=1 is set in 0 of 4 host environment files read (none);")
