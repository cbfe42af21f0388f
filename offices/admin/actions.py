"""The office list's actions: mark reviewed, push back reviews, publish and
move to draft (each asked first, on a page saying what the public will see
of every selected office), and the restorable delete (whose confirmation
page the office's own delete page shares).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from offices import editorial, reviews
from offices.forms import PushBackReviewForm
from offices.models import Office


@admin.action(description=_("Mark as reviewed today"), permissions=["change"])
def mark_reviewed(modeladmin, request, queryset):
    count = reviews.mark_reviewed(queryset, by=request.user)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d office marked as reviewed today.",
            "%(count)d offices marked as reviewed today.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Push back review…"), permissions=["change"])
def push_back_review(modeladmin, request, queryset):
    """Defer the selected offices' reviews: one date, one reason, each recorded.

    An intermediate page asks for the date and reason; each office is
    deferred as by its own "Defer review" button, within its own limits.
    """
    offices = list(queryset.order_by("name", "pk"))
    form = PushBackReviewForm(
        request.POST if "apply" in request.POST else None, offices=offices
    )
    if form.is_valid():
        until = form.cleaned_data["until"]
        try:
            count = reviews.defer_reviews(
                offices,
                until=until,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValueError:
            # An interval changed since the form was checked: nothing done.
            modeladmin.message_user(
                request,
                _("No review was pushed back: the limits changed. Try again."),
                messages.ERROR,
            )
            return None
        modeladmin.message_user(
            request,
            ngettext(
                "The review of %(count)d office is pushed back until %(date)s.",
                "The reviews of %(count)d offices are pushed back until %(date)s.",
                count,
            )
            % {"count": count, "date": date_format(until)},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": _("Push back the review of these offices"),
        "offices": offices,
        "form": form,
        "media": modeladmin.media + form.media,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(
        request, "admin/offices/office/push_back_review.html", context
    )


@admin.action(description=_("Publish"), permissions=["publish"])
def publish(modeladmin, request, queryset):
    """Publish the selected offices not on the public site, once confirmed
    on a page that says what the public will see of each."""
    if not request.POST.get("post"):
        return publication_confirmation(
            modeladmin,
            request,
            queryset,
            action="publish",
            title=_("Publish these offices?"),
            button=_("Yes, publish"),
        )
    count = each_office(
        modeladmin,
        request,
        queryset.filter(status=Office.Status.DRAFT),
        editorial.publish,
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d office published.", "%(count)d offices published.", count)
        % {"count": count},
        messages.SUCCESS,
    )
    return None


@admin.action(description=_("Move to draft"), permissions=["publish"])
def move_to_draft(modeladmin, request, queryset):
    """Take the selected offices off the public site, once confirmed on a
    page that says what the public will see of each."""
    if not request.POST.get("post"):
        return publication_confirmation(
            modeladmin,
            request,
            queryset,
            action="move_to_draft",
            title=_("Move these offices to draft?"),
            button=_("Yes, move to draft"),
        )
    count = each_office(
        modeladmin,
        request,
        queryset.filter(status=Office.Status.PUBLISHED),
        editorial.unpublish,
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d office moved to draft.",
            "%(count)d offices moved to draft.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
    return None


def public_outcome(office, action):
    """What the public will see of office once the action is done."""
    if action == "publish":
        if office.is_published:
            return _(
                "Already public: nothing changes (a pending draft of it is "
                "not published by this action)."
            )
        return _(
            "Goes on the public site at %(path)s, and into the list of "
            "offices, the search, the sitemap, the feeds, the exports and the API."
        ) % {"path": office.get_absolute_url()}
    if not office.is_published:
        return _("Not public: nothing changes.")
    return _(
        "Leaves the public site: %(path)s answers “Page not found” (404), "
        "the API answers “Gone” (410), and it is no longer in the list of "
        "offices, the search, the sitemap, the feeds or the exports."
    ) % {"path": office.get_absolute_url()}


def publication_confirmation(modeladmin, request, queryset, *, action, title, button):
    """The page that asks before a bulk publish or move to draft (Django's
    delete_selected pattern: the selection travels as hidden inputs, and
    post=yes confirms)."""
    offices = list(queryset.order_by("name", "pk"))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "rows": [(office, public_outcome(office, action)) for office in offices],
        "action": action,
        "button": button,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(
        request, "admin/offices/office/publication_confirmation.html", context
    )


def each_office(modeladmin, request, offices, step):
    """Run an editorial step on each office; how many it succeeded for.

    Each is its own transaction, version and audit entry; one refused
    (a slug taken meanwhile) does not stop the others.
    """
    count = 0
    for office in offices:
        try:
            step(office, by=request.user)
        except editorial.EditorialError as error:
            modeladmin.message_user(request, f"{office}: {error}", messages.ERROR)
        else:
            count += 1
    return count


@admin.action(
    description=_("Delete selected offices (restorable)"), permissions=["delete"]
)
def delete_offices(modeladmin, request, queryset):
    if not request.POST.get("post"):
        return delete_confirmation(modeladmin, request, list(queryset), action=True)
    count = each_office(modeladmin, request, queryset, editorial.soft_delete)
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d office deleted. It can be restored under “Deleted offices”.",
            "%(count)d offices deleted. They can be restored under “Deleted offices”.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
    return None


def delete_confirmation(modeladmin, request, offices, action=False):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": _("Are you sure?"),
        "offices": offices,
        "original": offices[0] if not action else None,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(
        request, "admin/offices/office/delete_confirmation.html", context
    )
