"""The edge cache's include files (deploy/nginx/), run by Debian's nginx here:
copies with the store's directory in a temporary folder, and an nginx of
the test's own in front of an app on 127.0.0.1."""

import os
import shutil
import urllib.error
import urllib.request

from django.conf import settings

from tests.servers import free_port, start_nginx

INCLUDES = settings.BASE_DIR / "deploy" / "nginx"
CACHE_FILE = "hrprofile-cache.conf"
LOCATION_FILE = "hrprofile-location.conf"
STORE_LINE = "proxy_cache_path /var/cache/nginx/hrprofile\n"
# Debian installs it in /usr/sbin, which a user's PATH may lack.
MISSING = (
    "nginx is missing: make test installs it as root (apt-get install "
    "nginx-light); elsewhere install it once, then rerun the tests."
)


def edge_includes(folder):
    """The two include files, copied to folder, the store in folder/store."""
    cache = (INCLUDES / CACHE_FILE).read_text()
    assert STORE_LINE in cache, f"{CACHE_FILE} no longer has {STORE_LINE!r}"
    (folder / CACHE_FILE).write_text(
        cache.replace(STORE_LINE, f"proxy_cache_path {folder / 'store'}\n")
    )
    shutil.copy(INCLUDES / LOCATION_FILE, folder / LOCATION_FILE)
    return folder


def worker_user():
    """The line that runs nginx's workers as this user: as root, nginx would
    run them as nobody, who cannot reach the store in pytest's private
    temporary folders. Any other user's workers are that user already."""
    return "user root;\n" if os.geteuid() == 0 else ""


def nginx_conf(folder, *, port, app_port):
    """A whole configuration: the edge cache in front of the app."""
    for name in ("body", "proxy"):
        (folder / name).mkdir(mode=0o777, exist_ok=True)
        (folder / name).chmod(0o777)
    edge_includes(folder)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{worker_user()}daemon off;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events {}\n"
        f"http {{\n client_body_temp_path {folder}/body;\n"
        f" proxy_temp_path {folder}/proxy;\n access_log off;\n"
        f" include {folder / CACHE_FILE};\n"
        f" upstream hrprofile {{ server 127.0.0.1:{app_port}; }}\n"
        f" server {{\n  listen 127.0.0.1:{port};\n"
        f"  location / {{ include {folder / LOCATION_FILE}; }}\n }}\n}}\n"
    )
    return conf


class EdgeNginx:
    """nginx with the edge cache on a free port of 127.0.0.1."""

    def __init__(self, folder, app_port):
        self.port = free_port()
        self.folder = folder
        conf = nginx_conf(folder, port=self.port, app_port=app_port)
        self.process = start_nginx(folder, conf, self.port)

    def get(self, path, *, headers=None, timeout=15):
        """(status, headers, body) of a GET through the cache."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def stored(self):
        """How many answers the store holds (one file each)."""
        return sum(1 for path in (self.folder / "store").rglob("*") if path.is_file())

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
