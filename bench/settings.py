"""hrprofile's settings plus one bare view, for bench/pages.py only.

Everything (middleware, cache, database, HRPROFILE_ENV=production as
gunicorn.conf.py sets it) is hrprofile.settings'; only the URLconf differs,
adding /bench/ok: `HttpResponse("ok")` behind the same middleware, the
second yardstick every page is compared with (the first, issue 25's, is a
separate startproject: bench/bare.py).
"""

from hrprofile.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
