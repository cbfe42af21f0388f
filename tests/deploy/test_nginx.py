"""The shipped nginx (deploy/nginx/templates/default.conf.template), run here:
it answers only the site's names (an unknown Host on port 80 is closed
unanswered, an unknown TLS server name is refused in the handshake), and its
access log is one JSON line per request with no calendar token in it.

The template targets the compose image's nginx (1.28); this runs Debian's
(1.22, `make test` installs it as root, see the Makefile's check-nginx), with
a configuration derived from the template: the same servers, logs and map,
with the addresses, files and the two directives 1.22 lacks (`http2 on`, an
upstream server's `resolve`) replaced.
"""

import json
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from tests.edge import edge_includes, worker_user
from tests.servers import NGINX, free_port, start_nginx

TEMPLATE = settings.BASE_DIR / "deploy" / "nginx" / "templates"
SITE = "profiles.test"
# Debian installs it in /usr/sbin, which a user's PATH may lack.


def derived(template, *, http_port, https_port, backend_port, tmp):
    """The template as the image writes it (SERVER_NAME substituted), made
    runnable here by nginx 1.22 without Docker's network."""
    replacements = [
        ("${SERVER_NAME}", SITE),
        ("resolver 127.0.0.11 valid=10s ipv6=off;", ""),
        (
            "server app:8000 resolve max_fails=2 fail_timeout=10s;",
            f"server 127.0.0.1:{backend_port};",
        ),
        ("http2 on;", ""),
        ("listen 80", f"listen 127.0.0.1:{http_port}"),
        ("listen 443", f"listen 127.0.0.1:{https_port}"),
        ("/etc/nginx/tls/", f"{tmp}/"),
        ("/var/log/nginx/access.log", f"{tmp}/access.log"),
        ("/etc/nginx/hrprofile/", f"{edge_includes(tmp)}/"),
    ]
    for old, new in replacements:
        assert old in template, f"the template no longer has {old!r}"
        template = template.replace(old, new)
    return template


class Backend(BaseHTTPRequestHandler):
    """The app, reduced: 200 and "app" for any request."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"app")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    if NGINX is None:
        pytest.fail(
            "nginx is missing: make test installs it as root (apt-get install "
            "nginx-light); elsewhere install it once, then rerun the tests."
        )
    tmp = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
            *("-days", "1", "-subj", f"/CN={SITE}"),
            *("-addext", f"subjectAltName=DNS:{SITE}"),
            *("-keyout", tmp / "privkey.pem", "-out", tmp / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    backend = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    ports = {"http_port": free_port(), "https_port": free_port()}
    site = derived(
        (TEMPLATE / "default.conf.template").read_text(),
        backend_port=backend.server_address[1],
        tmp=tmp,
        **ports,
    )
    (tmp / "site.conf").write_text(site)
    for name in ("body", "proxy"):
        (tmp / name).mkdir(mode=0o777)
        (tmp / name).chmod(0o777)
    (tmp / "nginx.conf").write_text(
        f"{worker_user()}daemon off;\npid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log;\n"
        "events {}\n"
        f"http {{\n client_body_temp_path {tmp}/body;\n"
        f" proxy_temp_path {tmp}/proxy;\n include {tmp}/site.conf;\n}}\n"
    )
    process = start_nginx(tmp, tmp / "nginx.conf", ports["https_port"])
    yield {**ports, "tmp": tmp}
    process.terminate()
    process.wait(10)
    backend.shutdown()


def plain_request(nginx, host, path="/"):
    """The raw answer to a GET on port 80 (b"" when closed unanswered)."""
    with socket.create_connection(("127.0.0.1", nginx["http_port"]), 5) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        return read_all(sock)


def tls_request(nginx, path, *, server_name=SITE, host=SITE, headers=""):
    context = ssl.create_default_context(cafile=nginx["tmp"] / "fullchain.pem")
    if server_name != SITE:
        context.check_hostname = False
    with (
        socket.create_connection(("127.0.0.1", nginx["https_port"]), 5) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as sock,
    ):
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}"
            "Connection: close\r\n\r\n".encode()
        )
        return read_all(sock)


def read_all(sock):
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def access_log(nginx):
    time.sleep(0.2)
    return (nginx["tmp"] / "access.log").read_text()


def test_an_unknown_host_on_port_80_is_closed_unanswered(nginx):
    assert plain_request(nginx, "attacker.example") == b""


def test_the_sites_name_on_port_80_is_sent_to_https(nginx):
    answer = plain_request(nginx, SITE, "/en/")

    assert answer.startswith(b"HTTP/1.1 301")
    assert f"Location: https://{SITE}/en/".encode() in answer


def test_the_container_healthcheck_is_answered_on_the_address(nginx):
    assert plain_request(nginx, "127.0.0.1", "/nginx-health").startswith(
        b"HTTP/1.1 200"
    )


def test_an_unknown_tls_server_name_is_refused_in_the_handshake(nginx):
    with pytest.raises(ssl.SSLError, match=r"UNRECOGNIZED_NAME|unrecognized name"):
        tls_request(nginx, "/en/", server_name="attacker.example")


def test_the_sites_name_over_tls_reaches_the_app(nginx):
    answer = tls_request(nginx, "/en/")

    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(b"app")


def test_another_host_over_the_sites_handshake_is_closed_unanswered(nginx):
    assert tls_request(nginx, "/en/", host="attacker.example") == b""


def test_the_access_log_keeps_no_calendar_token(nginx):
    token = "0123456789abcdef" * 4

    answer = tls_request(nginx, f"/calendar/7/{token}/reviews.ics")

    assert answer.startswith(b"HTTP/1.1 200")
    log = access_log(nginx)
    assert token not in log
    lines = [json.loads(line) for line in log.splitlines()]
    assert lines[-1]["path"] == "/calendar/7/[redacted]/reviews.ics"
    assert lines[-1]["status"] == 200


def test_each_request_is_one_json_line_whatever_its_path_and_headers(nginx):
    forged = '{"logger": "forged"}'
    path = "/en/x%0A" + "".join(f"%{byte:02X}" for byte in forged.encode())
    before = len(access_log(nginx).splitlines())

    tls_request(nginx, path, headers='User-Agent: a "quoted\\" agent\r\n')

    lines = [json.loads(line) for line in access_log(nginx).splitlines()[before:]]
    [line] = lines
    assert line["logger"] == "nginx.access"
    assert line["path"] == "/en/x\n" + forged
    assert line["user_agent"] == 'a "quoted\\" agent'
