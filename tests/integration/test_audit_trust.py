"""test_audit_trust.py: rule 4.5 from a fabricated host tree: DOCKER_CONTENT_TRUST=1 in the users' session environment (automated in 1.6.0, evidence for a person in 1.8.0)."""
import os

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")


def audit_45(dockward, root, benchmark="1.6.0"):
    r = dockward("audit", "--rules", RULES, "--benchmark", benchmark, "--host-root", str(root), "-c", "4.5",
                 "-f", "json")
    assert r.rc in (0, 1), r.err
    rule = r.json()["rules"][0]
    assert rule["id"] == "4.5"
    items = lambda k: [(e["id"], e["detail"]) for e in rule[k]]
    return rule, items("offenders"), items("evidence")


def make_root(tmp_path):
    root = tmp_path / "host"
    (root / "etc" / "profile.d").mkdir(parents=True)
    (root / "etc" / "default").mkdir()
    return root


def test_switched_off_in_a_session_file_fails(dockward, tmp_path):
    root = make_root(tmp_path)
    (root / "etc" / "environment").write_text('PATH="/usr/bin:/bin"\nDOCKER_CONTENT_TRUST=1\n')
    (root / "etc" / "profile.d" / "b-off.sh").write_text("export DOCKER_CONTENT_TRUST=0\n")
    (root / "etc" / "profile.d" / "a-other.sh").write_text("export EDITOR=vi\n")
    (root / "etc" / "profile.d" / "notes.txt").write_text("DOCKER_CONTENT_TRUST=0\n")      # not a profile script
    (root / "etc" / "default" / "docker").mkdir()                                          # unreadable as a file
    rule, off, ev = audit_45(dockward, root)
    assert rule["verdict"] == "fail"
    assert off == [("/etc/profile.d/b-off.sh", "DOCKER_CONTENT_TRUST=0 (not 1: content trust stays off)")]
    assert ev == [("/etc/environment", "DOCKER_CONTENT_TRUST=1"),
                  ("/etc/default/docker", "cannot read it: Is a directory"),
                  ("/etc/profile.d/a-other.sh", "DOCKER_CONTENT_TRUST is not set")]
    assert rule["reason"] == "1 of 3 session environment files switch content trust off"
    # in 1.8.0 the rule is manual: the same finding is for review
    rule, off, ev = audit_45(dockward, root, "1.8.0")
    assert rule["verdict"] == "manual" and not off
    assert ("/etc/profile.d/b-off.sh", "DOCKER_CONTENT_TRUST=0 (not 1: content trust stays off)") in ev


def test_set_for_sessions_passes_and_daemon_environment_does_not_count(dockward, tmp_path):
    root = make_root(tmp_path)
    (root / "etc" / "default" / "docker").write_text('DOCKER_CONTENT_TRUST=1\nDOCKER_OPTS=""\n')
    (root / "etc" / "environment").write_text("LANG=C\n")
    rule, off, ev = audit_45(dockward, root)
    # the daemon's environment is not where the client reads it: not set for sessions is a failure
    assert rule["verdict"] == "fail"
    assert off == [("/etc/environment", "DOCKER_CONTENT_TRUST=1 is set in no session environment file "
                    "(/etc/environment, /etc/profile, /etc/profile.d/*.sh, /etc/bash.bashrc)")]
    assert ("/etc/default/docker", "DOCKER_CONTENT_TRUST=1 (the daemon's environment: docker clients do not "
            "read it)") in ev
    (root / "etc" / "profile.d" / "trust.sh").write_text("export DOCKER_CONTENT_TRUST=1\n")
    rule, off, ev = audit_45(dockward, root)
    assert rule["verdict"] == "pass" and not off
    assert rule["reason"].startswith("DOCKER_CONTENT_TRUST=1 is set for users' sessions in 1 of 2 session")


def test_unreadable_session_file_is_not_evaluated(dockward, tmp_path):
    root = make_root(tmp_path)
    (root / "etc" / "profile").mkdir()                  # cannot be read as a file
    rule, off, ev = audit_45(dockward, root)
    assert rule["verdict"] == "not-evaluated" and not off
    assert "1 could not be read" in rule["reason"]
