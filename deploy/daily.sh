#!/bin/sh
# Run a command every day at HH:MM UTC, for as long as the container runs:
# the schedule of deploy/compose.yaml (systemd timers or Kubernetes CronJobs
# elsewhere).
#
#   sh deploy/daily.sh 07:00 python manage.py send_review_reminders
#
# A failed run is logged with its exit status and leaves /tmp/daily-failed
# behind until a run succeeds, which the service's healthcheck reports.
# Nothing is run at start: a restart neither skips nor repeats a day, and
# the commands catch up on missed days by themselves ("due" is "on or
# before").
set -u

at=$1
shift
date -u -d "today $at" >/dev/null || exit 2

# Stop at once on the runtime's TERM, also while sleeping (hence the
# background sleep: a trap runs only between commands).
trap 'exit 0' TERM INT

while :; do
    now=$(date -u +%s)
    next=$(date -u -d "today $at" +%s)
    if [ "$next" -le "$now" ]; then
        next=$(date -u -d "tomorrow $at" +%s)
    fi
    sleep $((next - now)) &
    wait $!

    echo "daily.sh: running $*"
    if "$@"; then
        rm -f /tmp/daily-failed
    else
        status=$?
        echo "daily.sh: $* failed with exit status $status" >&2
        echo "$status" > /tmp/daily-failed
    fi
done
