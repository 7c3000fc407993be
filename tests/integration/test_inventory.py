"""test_inventory.py: `dockward inventory` against a real dockerd with running, stopped and created containers."""
import json
import os
import shutil
import tempfile

import pytest

from conftest import run_dockward

ODD_DIR_NAME = 'we"ird\\path ü\tx'


@pytest.fixture
def scenario(clean_daemon, busybox_image):
    d = clean_daemon
    tmp = tempfile.mkdtemp(prefix="dwinv")
    odd = os.path.join(tmp, ODD_DIR_NAME)
    os.makedirs(odd)
    d.docker("volume", "create", "dwvol")
    ids = {}
    ids["web"] = d.docker("run", "-d", "--name", "web", "-p", "28080:80", "-p", "127.0.0.1:28443:443/tcp",
                          "-p", "28053:53/udp", "--user", "65534:65534",
                          "--restart", "on-failure:3", "--mount", 'type=bind,"source=%s",target=/data,readonly' % odd.replace('"', '""'),
                          "-v", "dwvol:/vol", busybox_image, "httpd", "-f", "-p", "80")
    ids["stopped.one"] = d.docker("create", "--name", "stopped.one", busybox_image, "true")
    d.docker("start", "-a", "stopped.one")
    ids["created_priv"] = d.docker("create", "--name", "created_priv", "--privileged", "--network", "none",
                                   "-p", "8081:81", busybox_image)
    ids["hostnet-root"] = d.docker("run", "-d", "--name", "hostnet-root", "--network", "host", "--user", "0:0",
                                   busybox_image, "sleep", "300")
    yield d, ids, odd
    d.remove_all_containers()
    d.docker("volume", "rm", "-f", "dwvol", check=False)
    shutil.rmtree(tmp, ignore_errors=True)


def by_name(doc):
    return {c["name"]: c for c in doc["containers"]}


def test_inventory_json_reports_exactly_the_containers(scenario, dockward):
    d, ids, odd = scenario
    r = dockward("inventory", "--format", "json")
    assert r.rc == 0, r.err
    doc = r.json()
    assert doc["schema_version"] == 1
    cs = by_name(doc)
    assert set(cs) == set(ids)
    for name, cid in ids.items():
        assert cs[name]["id"] == cid

    info = json.loads(d.docker("info", "--format", "{{json .}}"))
    host = doc["host"]
    assert host["engine_version"] == info["ServerVersion"]
    assert host["storage_driver"] == info["Driver"]
    assert host["docker_root_dir"] == info["DockerRootDir"]
    assert host["cgroup_version"] == info["CgroupVersion"]
    assert host["kernel_version"] == info["KernelVersion"]
    assert host["operating_system"] == info["OperatingSystem"]
    assert host["security_options"] == info["SecurityOptions"]
    assert host["images"] == info["Images"]
    assert host["containers"] == {"total": 4, "running": 2, "stopped": 1, "created": 1}
    assert host["api_version"] == d.docker("version", "--format", "{{.Server.APIVersion}}")

    web = cs["web"]
    assert web["state"] == "running"
    assert web["image"] == "dwtest/busybox:1"
    assert web["image_id"] == d.docker("image", "inspect", "-f", "{{.Id}}", "dwtest/busybox:1")
    assert web["user"] == "65534:65534"
    assert web["privileged"] is False
    assert web["restart_policy"] == "on-failure"
    assert web["created"] == d.docker("inspect", "-f", "{{.Created}}", "web")
    assert web["pid"] > 0
    ports = {(p["container_port"], p["protocol"], p["host_ip"], p["host_port"]) for p in web["ports"]}
    assert (80, "tcp", "0.0.0.0", 28080) in ports
    assert (443, "tcp", "127.0.0.1", 28443) in ports
    assert (53, "udp", "0.0.0.0", 28053) in ports
    assert all(p[2] in ("0.0.0.0", "::", "127.0.0.1") for p in ports)
    mounts = {m["destination"]: m for m in web["mounts"]}
    assert mounts["/data"]["type"] == "bind"
    assert mounts["/data"]["source"] == odd          # quotes, backslash, tab and UTF-8 survive JSON
    assert mounts["/data"]["rw"] is False
    assert mounts["/vol"]["type"] == "volume"
    assert mounts["/vol"]["name"] == "dwvol"
    assert mounts["/vol"]["rw"] is True

    stopped = cs["stopped.one"]
    assert stopped["state"] == "exited"
    assert stopped["pid"] == 0
    assert stopped["ports"] == [] and stopped["mounts"] == []

    created = cs["created_priv"]
    assert created["state"] == "created"
    assert created["privileged"] is True
    assert created["network_mode"] == "none"
    # not started: the binding it asked for, with no address chosen yet
    assert [(p["container_port"], p["host_ip"], p["host_port"]) for p in created["ports"]] == [(81, "", 8081)]

    hn = cs["hostnet-root"]
    assert hn["network_mode"] == "host"
    assert hn["user"] == "0:0"
    assert hn["ports"] == []

    # every image and network the engine has, from the same snapshot
    # (other test modules may have left images of their own: compare with the engine's list)
    engine_images = set(d.docker("images", "-q", "--no-trunc").split())
    assert {i["id"] for i in doc["images"]} == engine_images
    assert ["dwtest/busybox:1"] in [i["tags"] for i in doc["images"]]
    assert {"bridge", "host", "none"} <= {n["name"] for n in doc["networks"]}


def test_inventory_processes_and_history(scenario, dockward):
    r = dockward("inventory", "-f", "json", "--processes", "--history")
    assert r.rc == 0, r.err
    cs = by_name(r.json())
    assert [p["CMD"] for p in cs["web"]["processes"]] == ["httpd -f -p 80"]
    assert "processes" not in cs["stopped.one"]
    assert len(r.json()["images"][0]["history"]) >= 1


def test_inventory_text_is_a_table_without_colour_when_piped(scenario, dockward):
    r = dockward("inventory")
    assert r.rc == 0, r.err
    assert "\033[" not in r.out
    lines = r.out.splitlines()
    header = next(line for line in lines if line.startswith("ID "))
    for col in ("NAME", "IMAGE", "STATE", "CREATED", "USER", "PRIVILEGED", "NETWORK", "PORTS", "MOUNTS"):
        assert col in header
    rows = lines[lines.index(header) + 1:]
    assert len(rows) == 4
    # columns are aligned: every row has its STATE where the header has it
    col = header.index("STATE")
    assert sorted(row[col:].split()[0] for row in rows) == ["created", "exited", "running", "running"]
    # the tab in the mount path is escaped, never sent raw to the terminal
    web = next(row for row in rows if " web " in row)
    assert "\\x09" in web and "\t" not in web
    assert "Containers   4 (2 running, 1 stopped, 1 created)" in r.out


def test_inventory_with_no_containers(clean_daemon, dockward):
    r = dockward("inventory", "-f", "json")
    assert r.rc == 0, r.err
    assert r.json()["containers"] == []
    r = dockward("inventory")
    assert "No containers." in r.out


def test_unreachable_daemon_is_one_clear_line_and_exit_3(tmp_path):
    sock = tmp_path / "nothing.sock"
    r = run_dockward("inventory", docker_host="unix://%s" % sock)
    assert r.rc == 3
    assert r.err == ("dockward: cannot connect to the Docker daemon at unix://%s: No such file or directory"
                     " (is the Docker engine installed and running?)\n" % sock)
    assert r.out == ""


def test_docker_host_from_environment(dockerd, clean_daemon):
    r = run_dockward("inventory", "-f", "json", env={"DOCKER_HOST": dockerd.host})
    assert r.rc == 0, r.err
    assert r.json()["host"]["docker_host"] == dockerd.host


def test_docker_host_from_config_and_api_version_pinned(dockerd, clean_daemon, tmp_path):
    conf = tmp_path / "dockward.conf"
    conf.write_text("[docker]\nhost = %s\napi_version = 1.40\nrequest_timeout = 10s\n" % dockerd.host)
    r = run_dockward("--config", str(conf), "inventory", "-f", "json")
    assert r.rc == 0, r.err
    assert r.json()["host"]["api_version"] == "1.40"


def test_bad_config_names_file_line_and_key(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("[docker]\nconnect_timeout = 5s\nrequest_timeout = soon\n")
    r = run_dockward("--config", str(conf), "inventory")
    assert r.rc == 2
    assert r.err == ('dockward: %s:3: docker.request_timeout: expected a duration such as 30s, 500ms, 5m or 1h,'
                     ' got "soon"\n' % conf)
    conf.write_text("[agent]\nlog_level = info\n[dokcer]\nhost = unix:///x\n")
    r = run_dockward("--config", str(conf), "inventory")
    assert r.rc == 2
    assert r.err == "dockward: %s:4: unknown section [dokcer]\n" % conf


def test_missing_explicit_config_is_an_error(tmp_path):
    r = run_dockward("--config", str(tmp_path / "absent.conf"), "inventory")
    assert r.rc == 2
    assert "absent.conf: No such file or directory" in r.err


def test_usage_errors_exit_2(dockward):
    assert dockward("inventory", "--format", "yaml").rc == 2
    assert dockward("no-such-command").rc == 2
    assert dockward("inventory", "extra").rc == 2
    r = dockward("inventory", "--help")
    assert r.rc == 0 and "Usage: dockward inventory" in r.out


def run_on_tty(dockerd, *args, env_extra=None):
    """Runs dockward under a pseudo-terminal (util-linux `script`) and returns what the terminal got."""
    import subprocess
    from conftest import BIN, ROOT
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm",
           "DOCKWARD_CONFIG": os.path.join(ROOT, "tests", "fixtures", "empty.conf")}
    env.update(env_extra or {})
    cmd = " ".join([BIN, "--docker-host", dockerd.host] + list(args))
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=env, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout
    return p.stdout.decode(errors="replace")


def test_colour_only_on_a_tty_and_never_with_no_color(clean_daemon, busybox_image, dockerd):
    assert "\033[1m" in run_on_tty(dockerd, "inventory")
    assert "\033[" not in run_on_tty(dockerd, "inventory", env_extra={"NO_COLOR": "1"})
    assert "\033[" not in run_on_tty(dockerd, "inventory", "--no-color")
