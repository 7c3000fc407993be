"""test_config_sample.py: the shipped packaging/dockward.conf parses, and uncommented it still parses."""
import os
import re

from conftest import ROOT, run_dockward


def test_shipped_config_is_valid(tmp_path):
    r = run_dockward("--config", os.path.join(ROOT, "packaging", "dockward.conf"), "version")
    assert r.rc == 0, r.err


def test_every_documented_default_is_accepted(tmp_path):
    text = open(os.path.join(ROOT, "packaging", "dockward.conf")).read()
    # uncomment every ";key = value" line: the documented defaults must all be valid keys and values
    uncommented = re.sub(r"^;(\w+ =.*)$", r"\1", text, flags=re.M)
    assert uncommented != text
    conf = tmp_path / "all.conf"
    conf.write_text(uncommented)
    r = run_dockward("--config", str(conf), "version")
    assert r.rc == 0, r.err


def test_every_key_is_documented():
    """Each key of the table in agent/config.c is in the sample config and in dockward.conf(5)."""
    table = open(os.path.join(ROOT, "agent", "config.c")).read()
    keys = re.findall(r'K\("([a-z]+)", "([a-z_]+)"', table)
    assert len(keys) > 20
    sample = open(os.path.join(ROOT, "packaging", "dockward.conf")).read()
    man = open(os.path.join(ROOT, "docs", "man", "dockward.conf.5.scd")).read()
    for section, key in keys:
        assert re.search(r"^;?%s =" % key, sample, re.M), "%s.%s not in packaging/dockward.conf" % (section, key)
        assert "*%s*" % key in man, "%s.%s not in docs/man/dockward.conf.5.scd" % (section, key)
