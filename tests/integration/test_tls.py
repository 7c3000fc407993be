"""test_tls.py: the Docker client over tcp:// with TLS, configured like the docker CLI or in dockward.conf."""
import os
import shutil

from conftest import run_dockward


def tls_env(d, cert_path):
    return {"DOCKER_HOST": d.tcp_host, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": cert_path}


def test_tcp_tls_from_docker_environment(dockerd, clean_daemon):
    r = run_dockward("inventory", "-f", "json", env=tls_env(dockerd, dockerd.tls_dir))
    assert r.rc == 0, r.err
    assert r.json()["host"]["docker_host"] == dockerd.tcp_host


def test_tcp_tls_from_config(dockerd, clean_daemon, tmp_path):
    t = dockerd.tls_dir
    conf = tmp_path / "dockward.conf"
    conf.write_text("[docker]\nhost = %s\ntls_ca = %s/ca.pem\ntls_cert = %s/cert.pem\ntls_key = %s/key.pem\n"
                    % (dockerd.tcp_host, t, t, t))
    r = run_dockward("--config", str(conf), "inventory", "-f", "json")
    assert r.rc == 0, r.err


def test_server_certificate_from_another_ca_is_refused(dockerd, tmp_path):
    from dockerd import make_tls
    other = tmp_path / "other"
    make_tls(str(other))
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(other / "ca.pem", mixed / "ca.pem")            # trusts the wrong CA
    shutil.copy(os.path.join(dockerd.tls_dir, "cert.pem"), mixed / "cert.pem")
    shutil.copy(os.path.join(dockerd.tls_dir, "key.pem"), mixed / "key.pem")
    r = run_dockward("inventory", env=tls_env(dockerd, str(mixed)))
    assert r.rc == 3
    assert r.err.startswith("dockward: Docker API /_ping at %s: " % dockerd.tcp_host)
    assert "certificate" in r.err.lower()


def test_without_client_certificate_the_engine_refuses(dockerd, tmp_path):
    only_ca = tmp_path / "only-ca"
    only_ca.mkdir()
    shutil.copy(os.path.join(dockerd.tls_dir, "ca.pem"), only_ca / "ca.pem")
    r = run_dockward("inventory", env=tls_env(dockerd, str(only_ca)))
    assert r.rc == 3
    assert r.err.startswith("dockward: Docker API /_ping at %s: " % dockerd.tcp_host)


def test_plain_http_to_a_tls_port_fails_cleanly(dockerd):
    r = run_dockward("inventory", docker_host=dockerd.tcp_host)
    assert r.rc == 3
    assert r.err.startswith("dockward: Docker API /_ping: ")
