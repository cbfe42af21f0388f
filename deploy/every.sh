#!/bin/sh
# Run a command every N minutes, for as long as the container runs: the
# frequent schedule of deploy/compose.yaml (systemd timers or Kubernetes
# CronJobs elsewhere), as deploy/daily.sh is the daily one.
#
#   sh deploy/every.sh 5 python manage.py publish_scheduled
#
# A failed run is logged with its exit status and leaves /tmp/every-failed
# behind until a run succeeds, which the service's healthcheck reports. The
# next run starts N minutes after the previous one ended, so runs never
# overlap here (overlapping runs would be safe anyway).
set -u

minutes=$1
shift
case $minutes in
    '' | *[!0-9]* | 0) exit 2 ;;
esac

# Stop at once on the runtime's TERM, also while sleeping (hence the
# background sleep: a trap runs only between commands).
trap 'exit 0' TERM INT

while :; do
    sleep $((minutes * 60)) &
    wait $!

    if "$@"; then
        rm -f /tmp/every-failed
    else
        status=$?
        echo "every.sh: $* failed with exit status $status" >&2
        echo "$status" > /tmp/every-failed
    fi
done
