"""Admin forms for the office profile and its review cycle."""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from hrprofile.people import display_name
from offices.history import diff, snapshot, snapshot_of_revision
from offices.models import FieldOffice, Office

# A value in the conflict message is cut at this length: a profile is long.
CHANGE_CHARS = 160


class OfficeForm(forms.ModelForm):
    """An office's fields, with its address checked against the other offices.

    The admin builds it for Office with the fields of its fieldsets.
    """

    def clean_slug(self):
        # The database keeps live slugs unique (Office.Meta.constraints), but
        # the form cannot ask it to: the rule is limited to live rows, by
        # draft_of, which the form does not edit. A draft copy keeps its own
        # office's address and may not take another office's.
        slug = self.cleaned_data["slug"]
        others = (
            Office.objects.filter(draft_of__isnull=True, slug__iexact=slug)
            .exclude(pk=self.instance.pk)
            .exclude(pk=self.instance.draft_of_id)
        )
        if others.exists():
            raise ValidationError(_("This slug is already taken."), code="unique")
        return slug


def _opened_at(value):
    try:
        opened_at = datetime.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return opened_at if timezone.is_aware(opened_at) else None


def changes_since(office, opened_at):
    """(what changed in office since opened_at, the versions saved since).

    The office as it was then is its newest version saved before then; a
    draft copy never saved since it was made was its live office's copy.
    None instead of the changes when that state is unknown.
    """
    if opened_at is None:
        return None, []
    versions = Version.objects.get_for_object(office).select_related("revision__user")
    since = list(versions.filter(revision__date_created__gt=opened_at))
    before_version = versions.filter(revision__date_created__lte=opened_at).first()
    before = None
    if before_version is not None:
        before = snapshot_of_revision(before_version.revision, office.pk)
    elif office.draft_of_id:
        before = snapshot(office.draft_of)
    if before is None:
        return None, since
    return diff(before, snapshot(office)), since


class OfficeEditForm(OfficeForm):
    """The form of an office being edited (a new office or a draft copy).

    It carries the office's edit counter as it was when the page was opened:
    a save made by someone else since then is refused, with what they
    changed, instead of being overwritten. The admin claims the counter in
    the same transaction as the save (editorial.claim_edit); `edit_conflict`
    is set when that claim was lost to a save made after this form was
    validated.
    """

    edit_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0
    )
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    edit_conflict = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["edit_version"] = self.instance.edit_version
            self.initial["opened_at"] = timezone.now().isoformat()

    @cached_property
    def changed_data(self):
        # The page's bookkeeping, not a change to the office.
        return [
            name
            for name in super().changed_data
            if name not in {"edit_version", "opened_at"}
        ]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and (
            self.edit_conflict
            or cleaned_data.get("edit_version") != self.instance.edit_version
        ):
            raise ValidationError(self.conflict_errors())
        return cleaned_data

    def conflict_errors(self):
        office = Office.objects.select_related("draft_of").get(pk=self.instance.pk)
        changes, saved = changes_since(
            office, _opened_at(self.cleaned_data.get("opened_at"))
        )
        people = sorted(
            {display_name(v.revision.user) for v in saved if v.revision.user}
        )
        if people:
            headline = _(
                "%(people)s saved this office after you opened this page. "
                "Nothing you entered was saved, so that their changes are not "
                "overwritten."
            ) % {"people": ", ".join(people)}
        else:
            headline = _(
                "Someone else saved this office after you opened this page. "
                "Nothing you entered was saved, so that their changes are not "
                "overwritten."
            )
        errors = [ValidationError(headline, code="edit_conflict")]
        if changes:
            errors.append(ValidationError(_("What they changed:")))
            errors += [
                ValidationError(
                    _("%(section)s – %(field)s: %(before)s → %(after)s"),
                    params={
                        "section": change.section,
                        "field": change.field,
                        "before": Truncator(change.before).chars(CHANGE_CHARS),
                        "after": Truncator(change.after).chars(CHANGE_CHARS),
                    },
                )
                for change in changes
            ]
        errors.append(
            ValidationError(
                _(
                    "Copy anything you want to keep, open the page again to see "
                    "the saved version, and make your changes there."
                )
            )
        )
        return errors


class FieldOfficeForm(forms.ModelForm):
    class Meta:
        model = FieldOffice
        fields = ["name", "note", "is_head_office", "position"]

    def validate_constraints(self):
        # "One head office" is checked by the formset across the whole
        # submission: per row, the database still holds the old head office, so
        # moving the flag from Baghdad to Erbil would wrongly fail here.
        exclude = self._get_validation_exclusions() | {"is_head_office"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class FieldOfficeFormSet(forms.BaseInlineFormSet):
    """All of an office's field offices, checked together."""

    def head_office_forms(self):
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form)
            and form.cleaned_data.get("is_head_office")
        ]

    def clean(self):
        super().clean()
        if len(self.head_office_forms()) > 1:
            raise ValidationError(
                _("Tick “head office” for one field office only."),
                code="one_head_office",
            )

    def save(self, commit=True):
        # Rows are saved one by one, and the head office may have moved since
        # the page was loaded (another editor, another tab): clear the flag on
        # every other row first, so the submitted head office wins like the
        # rest of the page instead of breaking the one-head constraint.
        heads = self.head_office_forms()
        if commit and heads:
            self.instance.field_offices.filter(is_head_office=True).exclude(
                pk=heads[0].instance.pk
            ).update(is_head_office=False)
        return super().save(commit)


class MarkReviewedForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Optional: what was checked or changed."),
    )


class DeferReviewForm(forms.Form):
    until = forms.DateField(
        label=_("Defer until"),
        widget=AdminDateWidget,
        help_text=_("The review will not be due before this date."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_('For example "waiting for the new mandate resolution".'),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise ValidationError(_("Choose a date after today."), code="not_in_future")
        latest = self.office.latest_deferral(today)
        if until > latest:
            raise ValidationError(
                _(
                    "A review can be deferred by at most one review interval "
                    "(and never more than two years): choose %(date)s or earlier."
                ),
                code="too_far",
                params={"date": date_format(latest)},
            )
        return until


class PushBackReviewForm(DeferReviewForm):
    """One date and one reason for many offices, each within its own limit.

    The limits are a single deferral's (DeferReviewForm): after today, and
    no further than each office's latest_deferral(). A date too far for any
    of the offices is refused, naming them, rather than applied to some.
    """

    until = forms.DateField(
        label=_("Push back until"),
        widget=AdminDateWidget,
        help_text=_("The reviews will not be due before this date."),
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, office=None, **kwargs)
        self.offices = list(offices)

    def clean_until(self):
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise ValidationError(_("Choose a date after today."), code="not_in_future")
        too_far = [o for o in self.offices if until > o.latest_deferral(today)]
        if too_far:
            latest = min(o.latest_deferral(today) for o in self.offices)
            raise ValidationError(
                _(
                    "A review can be deferred by at most one review interval "
                    "(and never more than two years). Too far for: %(offices)s. "
                    "Choose %(date)s or earlier, or leave those offices out."
                ),
                code="too_far",
                params={
                    "offices": ", ".join(o.name for o in too_far),
                    "date": date_format(latest),
                },
            )
        return until


class SubmitForPublicationForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the publishers"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("What changed and why: it is emailed to everyone who may publish."),
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the editor"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("What to change before it can be published: it is emailed."),
    )


class ScheduleForm(forms.Form):
    """When a draft is published, or a published profile unpublished.

    Entered and shown in TIME_ZONE (the admin activates no other time zone);
    empty cancels the schedule.
    """

    at = forms.SplitDateTimeField(
        label=_("Time"),
        required=False,
        widget=AdminSplitDateTime,
        help_text=_("Leave empty to cancel the schedule."),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["at"].label = label
        self.fields["at"].help_text = _(
            "In the %(zone)s time zone. Leave empty to cancel the schedule."
        ) % {"zone": timezone.get_current_timezone_name()}

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at is not None and at <= timezone.now():
            raise ValidationError(
                _("Choose a time in the future."), code="not_in_future"
            )
        return at
