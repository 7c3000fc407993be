"""test_audit_180.py: benchmark v1.8.0's own recommendation 2.7 (devicemapper) on the private engine, and v1.6.0's 2.7 under the same id."""
import os

from conftest import ROOT

RULES = os.path.join(ROOT, "rules")


def rule(dockward, bench, rid):
    r = dockward("audit", "--rules", RULES, "--benchmark", bench, "-c", rid, "-f", "json")
    assert r.rc in (0, 1), r.err
    doc = r.json()
    assert doc["benchmark"]["version"] == bench
    assert [x["id"] for x in doc["rules"]] == [rid]
    return doc["rules"][0]


def test_devicemapper_rule_only_in_180(dockward):
    dm = rule(dockward, "1.8.0", "2.7")
    assert dm["title"] == "The devicemapper storage driver is not used"
    assert dm["assessment"] == "manual" and dm["level"] == 1
    # the engine's /info Driver is the evidence: overlay2 here, so nothing is flagged
    assert dm["verdict"] == "manual" and not dm["offenders"]
    assert [(e["id"], e["detail"]) for e in dm["evidence"]] == [("storage-driver", "storage-driver = overlay2 (/info)")]
    tls = rule(dockward, "1.8.0", "2.8")
    assert tls["title"] == "A daemon listening on TCP requires mutual TLS"
    old = rule(dockward, "1.6.0", "2.7")
    assert old["title"] == "A daemon listening on TCP requires mutual TLS"
