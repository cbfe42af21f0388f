"""gunicorn's access log goes where the operator says: --access-logfile, on
the command line or in GUNICORN_CMD_ARGS, wins over gunicorn.conf.py's stdout,
and keeps the JSON lines."""

import json
import time

import pytest

from tests.servers import Gunicorn, production_env

# robots.txt and the health probe need no database.
NO_DATABASE = "postgres://nobody@127.0.0.1:9/none"


@pytest.mark.parametrize("given_in", ["command line", "GUNICORN_CMD_ARGS"])
def test_the_access_log_goes_to_the_file_the_operator_names(
    static_root, tmp_path, given_in
):
    access_log = tmp_path / "access.log"
    env = production_env(DATABASE_URL=NO_DATABASE, STATIC_ROOT=str(static_root))
    args = ()
    if given_in == "command line":
        args = ("--access-logfile", str(access_log))
    else:
        env["GUNICORN_CMD_ARGS"] = f"--access-logfile {access_log}"
    server = Gunicorn(env, tmp_path / "server.log", args=args)
    try:
        status, headers, _ = server.get("/robots.txt")
        time.sleep(0.3)
    finally:
        server.stop()

    assert status == 200
    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    [line] = [line for line in lines if line["path"] == "/robots.txt"]
    assert line["logger"] == "gunicorn.access"
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["request_id"] == headers["X-Request-ID"]
    # Health probes stay out of it.
    assert all(line["path"] != "/healthz" for line in lines)
    # Not on stdout as well, where gunicorn's own lines are still JSON.
    output = [line for line in server.log().splitlines() if line.strip()]
    assert output
    assert all(json.loads(line)["logger"] != "gunicorn.access" for line in output)
    assert "gunicorn.error" in {json.loads(line)["logger"] for line in output}
