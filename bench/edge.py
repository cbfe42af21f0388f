"""nginx with the edge cache (deploy/nginx/), for bench/pages.py: Debian's
nginx on a free port of 127.0.0.1, the two include files as shipped but for
the store's directory (in the bench's temporary folder), in front of the
bench's gunicorn."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

INCLUDES = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
STORE_LINE = "proxy_cache_path /var/cache/nginx/hrprofile\n"


def find_nginx():
    """Debian installs it in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def write_config(folder, *, port, app_port):
    cache = (INCLUDES / "hrprofile-cache.conf").read_text()
    assert STORE_LINE in cache, f"hrprofile-cache.conf no longer has {STORE_LINE!r}"
    (folder / "hrprofile-cache.conf").write_text(
        cache.replace(STORE_LINE, f"proxy_cache_path {folder / 'store'}\n")
    )
    shutil.copy(INCLUDES / "hrprofile-location.conf", folder)
    # As root, nginx runs its workers as nobody, who cannot reach a private
    # temporary folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes auto;\ndaemon off;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n client_body_temp_path {folder}/body;\n"
        f" proxy_temp_path {folder}/proxy;\n access_log off;\n"
        # As the nginx image's nginx.conf (compose) and Debian's have it: a
        # stored page is sent from its file without a copy.
        " sendfile on;\n"
        f" include {folder}/hrprofile-cache.conf;\n"
        f" upstream hrprofile {{ server 127.0.0.1:{app_port}; keepalive 16; }}\n"
        f" server {{\n  listen 127.0.0.1:{port};\n"
        f"  location / {{ include {folder}/hrprofile-location.conf; }}\n }}\n}}\n"
    )
    return conf


def start(folder, *, port, app_port, nginx):
    """nginx serving on port; returns its process once it accepts."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = write_config(folder, port=port, app_port=app_port)
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(conf), "-e", "stderr"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "stderr.log").open("w"),
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(
        "nginx did not start: " + (folder / "stderr.log").read_text()[-2000:]
    )
