import argparse
import datetime
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from offices import reviews


def iso_date(value):
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        gettext("%(value)r is not a valid date: use YYYY-MM-DD.") % {"value": value}
    )


def lead_days(value):
    if not re.fullmatch(r"\d+", value):
        raise argparse.ArgumentTypeError(
            gettext("%(value)r is not a number of days (0 or more).") % {"value": value}
        )
    return int(value)


class Command(BaseCommand):
    help = (
        "Email each reviewer one digest of their profiles due for review, and "
        "escalate long-overdue ones to REVIEW_FALLBACK_EMAIL. Safe to rerun: "
        "see docs/review-reminders.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=iso_date,
            metavar="YYYY-MM-DD",
            help="Remind as of this date, YYYY-MM-DD (default: today in TIME_ZONE).",
        )
        parser.add_argument(
            "--lead-days",
            type=lead_days,
            default=14,
            metavar="N",
            help="Also remind about reviews due within this many days (default 14).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; send and record nothing.",
        )
        parser.add_argument(
            "--office",
            dest="offices",
            metavar="SLUG",
            nargs="+",
            action="extend",
            help="Only these offices (by slug).",
        )
        parser.add_argument(
            "--translations",
            action="store_true",
            help=(
                "Also list each reviewer's out-of-date translations, by "
                "language, in their reminder."
            ),
        )

    def handle(
        self, *, as_of, lead_days, dry_run, offices, translations, verbosity, **options
    ):
        try:
            run = reviews.send_reminders(
                as_of=as_of or timezone.localdate(),
                lead_days=lead_days,
                dry_run=dry_run,
                office_slugs=offices,
                translations=translations,
            )
        except reviews.ReminderInputError as error:
            raise CommandError(error) from error
        except reviews.RunInterrupted as interrupted:
            # Say what went out before the database failed, then why it stopped.
            if verbosity >= 1:
                self.report(interrupted.run, summary=False)
            self.report_failures(interrupted.run)
            error = interrupted.__cause__
            raise CommandError(
                ngettext(
                    "database error, run stopped after recording %(count)d "
                    "email: %(error)s. The next run sends the rest.",
                    "database error, run stopped after recording %(count)d "
                    "emails: %(error)s. The next run sends the rest.",
                    len(interrupted.run.delivered),
                )
                % {"count": len(interrupted.run.delivered), "error": one_line(error)}
            ) from error
        except DatabaseError as error:
            if not reviews.is_outage(error):
                raise
            raise CommandError(
                gettext("database error, nothing sent: %(error)s")
                % {"error": one_line(error)}
            ) from error

        if verbosity >= 1:
            self.report(run)
        self.report_failures(run)
        for office in run.unrouted_offices:
            self.stderr.write(
                gettext(
                    "nobody to remind about %(slug)s: it has no reviewer with an "
                    "email address; set REVIEW_FALLBACK_EMAIL or ADMINS"
                )
                % {"slug": office.slug}
            )
        for office in run.unescalated_offices:
            self.stderr.write(
                gettext(
                    "cannot escalate %(slug)s, overdue by more than %(days)d days: "
                    "set REVIEW_FALLBACK_EMAIL or ADMINS"
                )
                % {"slug": office.slug, "days": settings.REVIEW_ESCALATE_AFTER_DAYS}
            )
        if run.failed:
            raise CommandError(" ".join(failure_summary(run)))
        if run.unrouted_offices or run.unescalated_offices:
            raise CommandError(
                gettext(
                    "Some due offices could not be reminded or escalated: set "
                    "REVIEW_FALLBACK_EMAIL or ADMINS."
                )
            )

    def report_failures(self, run):
        for digest in run.failed:
            line = gettext("failed to send %(kind)s to %(to)s: %(error)s")
            if digest.refused:
                line = gettext(
                    "mail server refused %(kind)s to %(to)s for good: %(error)s "
                    "(recorded, not retried)"
                )
            self.stderr.write(
                line % {"kind": digest.kind, "to": digest.to, "error": digest.error}
            )

    def report(self, run, *, summary=True):
        for user, reason in run.skipped_reviewers:
            self.stdout.write(
                gettext("skipped reviewer %(user)s: %(reason)s")
                % {"user": user.get_username(), "reason": reason}
            )
        for office in run.fallback_offices:
            self.stdout.write(
                gettext("no reviewer for %(slug)s: reminding REVIEW_FALLBACK_EMAIL")
                % {"slug": office.slug}
            )
        line = gettext("would send %(kind)s to %(to)s: %(contents)s")
        if not run.dry_run:
            line = gettext("sent %(kind)s to %(to)s: %(contents)s")
        for digest in run.delivered:
            contents = []
            if digest.items:
                contents.append(
                    gettext("%(offices)s (%(slugs)s)")
                    % {
                        "offices": offices_phrase(len(digest.items)),
                        "slugs": ", ".join(item.office.slug for item in digest.items),
                    }
                )
            if digest.translations:
                count = sum(len(group.items) for group in digest.translations)
                contents.append(
                    ngettext(
                        "%(count)d out-of-date translation",
                        "%(count)d out-of-date translations",
                        count,
                    )
                    % {"count": count}
                )
            if digest.undelivered:
                contents.append(
                    ngettext(
                        "%(count)d undelivered reminder",
                        "%(count)d undelivered reminders",
                        len(digest.undelivered),
                    )
                    % {"count": len(digest.undelivered)}
                )
            self.stdout.write(
                line
                % {
                    "kind": digest.kind,
                    "to": digest.to,
                    "contents": ", ".join(contents),
                }
            )
        if not summary:
            return
        counts = {
            "people": ngettext("%(count)d person", "%(count)d people", run.people_count)
            % {"count": run.people_count},
            "offices": offices_phrase(run.office_count),
            "failed": len(run.failed),
        }
        if run.dry_run:
            self.stdout.write(
                gettext("dry run: would remind %(people)s about %(offices)s") % counts
            )
        else:
            self.stdout.write(
                gettext("reminded %(people)s about %(offices)s; %(failed)d failed")
                % counts
            )


def offices_phrase(count):
    return ngettext("%(count)d office", "%(count)d offices", count) % {"count": count}


def failure_summary(run):
    """The sentences saying what failed and what happens to it next."""
    retried = len(run.failed) - len(run.refused)
    if retried:
        yield ngettext(
            "%(count)d email failed; the next run retries it.",
            "%(count)d emails failed; the next run retries them.",
            retried,
        ) % {"count": retried}
    if run.refused:
        yield ngettext(
            "%(count)d email was refused for good; it is not retried, and the "
            "next run reports it to REVIEW_FALLBACK_EMAIL.",
            "%(count)d emails were refused for good; they are not retried, and "
            "the next run reports them to REVIEW_FALLBACK_EMAIL.",
            len(run.refused),
        ) % {"count": len(run.refused)}


def one_line(error):
    """A database driver's message (often several lines) as one line."""
    return " ".join(str(error).split()) or type(error).__name__
