"""The base of the office admin's own pages and buttons (editorial_views.py,
review_views.py), beside the pages the ModelAdmin has.

OfficeAdmin.get_urls wires each as
`self.admin_site.admin_view(SubmitView.as_view(model_admin=self))`, Django's
own pattern for the admin's autocomplete view: the admin site checks that a
staff member is logged in, the view checks the rest.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from offices import editorial


def change_page(office):
    """Back to the office's (or draft copy's) change page."""
    return redirect("admin:offices_office_change", office.pk)


class OfficeAdminView(View):
    """A page or button of the office admin.

    A URL with an object_id acts on one office: a live office or the draft
    copy of one (OfficeAdmin.get_object), which the user may work on (a
    PermissionDenied otherwise), found before the method's handler runs and
    kept as self.office. When there is none, the answer is the admin's usual
    "doesn't exist" redirect.

    A button that changes something answers only a POST: its view sets
    http_method_names = ["post"], and anything else is Django's 405, before
    the office is looked up. A form's page answers a GET and a POST alike
    (`get = post`): its form is bound to request.POST or None, so a GET, or
    a POST without data, shows it unbound.
    """

    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        # Django's own method check, made before the office is looked up: a
        # GET to a button is a 405 whether the office exists or not.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        if "object_id" in kwargs:
            self.office = self.get_office(kwargs["object_id"])
            if self.office is None:
                return self.model_admin._get_obj_does_not_exist_redirect(
                    request, self.model_admin.opts, kwargs["object_id"]
                )
        return super().dispatch(request, *args, **kwargs)

    def get_office(self, object_id):
        """The office to act on, or None if this user may not see it."""
        office = self.model_admin.get_object(self.request, unquote(object_id))
        if office is not None and not self.model_admin.may_work_on(
            self.request, office
        ):
            raise PermissionDenied
        return office

    def message(self, message, level):
        self.model_admin.message_user(self.request, message, level)

    def render(self, template_name, title, **context):
        """An admin page: the site's context, the office model's options, the title."""
        context = {
            **self.model_admin.admin_site.each_context(self.request),
            "opts": self.model_admin.opts,
            "title": title,
            **context,
        }
        return TemplateResponse(self.request, template_name, context)

    def form_page(self, office, form, *, title, button, intro=""):
        """One office's form on a page of its own (defer, submit, send back,
        schedule): the form, a button and a way back to the office."""
        return self.render(
            "admin/offices/office/form_page.html",
            title,
            original=office,
            form=form,
            button=button,
            intro=intro,
            media=self.model_admin.media + form.media,
        )

    def moderation_step(self, draft, step, done):
        """Run an editorial step that emails people (submit, send back), say
        how it went and whose email failed, and go back to the draft's page.

        step() returns the step's Notified; done(notified) the success message.
        """
        try:
            notified = step()
        except editorial.TooManySubmissions:
            raise  # SubmitView shows the form again, with what was typed.
        except editorial.EditorialError as error:
            self.message(str(error), messages.ERROR)
        else:
            self.message(done(notified), messages.SUCCESS)
            if notified.failed:
                self.message(
                    _("The email could not be sent to %(addresses)s.")
                    % {"addresses": ", ".join(notified.failed)},
                    messages.WARNING,
                )
        return change_page(draft)
