from auditlog.context import auditlog_disabled
from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrprofile.people import display_name


class OfficesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offices"
    verbose_name = _("Offices")

    def ready(self):
        # The audit trail (django-auditlog) is signal wiring, so it is set up
        # here, once every model is loaded, rather than under each model class:
        # the models stay free of side effects, and what is audited reads in
        # one place. What the entries hold: docs/audit-trail.md.
        import reversion
        from auditlog.registry import auditlog
        from django.db.models.signals import m2m_changed

        from offices.models import FieldOffice, Office

        # Every save made inside reversion.create_revision() (the admin's, and
        # the editorial functions') records the whole profile: the office with
        # its field offices and mandates, every language of their translated
        # fields included; the many-to-many links are stored as lists of ids.
        # Terms are not followed: a revert would rename or delete shared
        # vocabulary. Registered here, after modeltranslation has added the
        # translation fields (reversion lists the fields when registering).
        reversion.register(Office, follow=["field_offices", "mandates"])
        reversion.register(FieldOffice)

        from hrprofile.translations import translated_fields

        auditlog.register(
            Office,
            exclude_fields=[
                # Translated fields are recorded per language (name_en, name_fr…);
                # the original column only mirrors the English.
                *translated_fields(Office),
                # Bumped by every save: an entry would list them every time.
                "updated_at",
                "edit_version",
                # Other models' rows (logged on their own); auditlog would
                # otherwise read each of them, a query for the draft.
                *(relation.name for relation in Office._meta.related_objects),
            ],
            m2m_fields={"pillars", "shifts", "spotlight_populations", "tags"},
        )
        auditlog.register(
            FieldOffice, exclude_fields=["copied_from", *translated_fields(FieldOffice)]
        )
        # A withdrawn profile never comes back from the stored pages while
        # the database is out (offices/withdrawals.py).
        from django.db.models.signals import post_delete, post_save

        from offices.withdrawals import office_deleted, office_saved

        post_save.connect(office_saved, sender=Office, dispatch_uid="offices_withdrawn")
        post_delete.connect(
            office_deleted, sender=Office, dispatch_uid="offices_withdrawn"
        )
        # Reviewers are not content but who answers for it: one entry per
        # change, naming the people (auditlog's m2m entries would not).
        m2m_changed.connect(
            record_reviewer_changes,
            sender=Office.reviewers.through,
            dispatch_uid="offices_audit_reviewers",
        )


def _names(people):
    return ", ".join(sorted(display_name(p) for p in people))


def record_reviewer_changes(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A REVIEWERS audit entry for each office whose reviewers changed.

    From either side: office.reviewers.add(user), user.reviewed_offices.remove(office).
    """
    from audit.models import AuditEntry

    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if auditlog_disabled.get():  # auditlog.context.disable_auditlog()
        return
    if action == "pre_clear":  # post_clear does not say who was removed
        links = sender.objects.filter(**{"user" if reverse else "office": instance})
        pk_set = set(links.values_list("office" if reverse else "user", flat=True))
    if not pk_set:
        return
    added = action == "post_add"
    if added:
        message = gettext("Added reviewers: %(names)s")
    else:
        message = gettext("Removed reviewers: %(names)s")
    others = list(model.objects.filter(pk__in=pk_set))
    if reverse:  # one person, some offices
        AuditEntry.objects.record_many(
            AuditEntry.Action.REVIEWERS,
            others,
            message=message % {"names": _names([instance])},
            data={"added" if added else "removed": [instance.pk]},
        )
    else:
        AuditEntry.objects.record(
            AuditEntry.Action.REVIEWERS,
            instance,
            message=message % {"names": _names(others)},
            data={"added" if added else "removed": sorted(pk_set)},
        )
