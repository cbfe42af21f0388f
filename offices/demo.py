"""Demo content: OHCHR's focus-area vocabulary and a dozen field presences,
and their loader.

Values come from OHCHR's public pages (its Management Plan's pillars, shifts
and spotlight populations, and its country profiles). Unknown values are left
empty, never invented. load_demo() may run any number of times: it brings
the demo rows back to these values and changes nothing when they already match.
"""

import datetime
from collections import Counter

from django.db import transaction

from hrprofile.translations import column
from mandates.models import Mandate, Shift, SpotlightPopulation, ThematicPillar
from offices.models import Office

# (slug, name, description), in the Management Plan's order: position follows
# the list.
PILLARS = [
    (
        "accountability",
        "Accountability",
        "Strengthening rule of law and accountability for human rights violations",
    ),
    (
        "participation",
        "Participation",
        "Enhancing & protecting civic space and people's participation",
    ),
    (
        "peace-and-security",
        "Peace and Security",
        "Early warning, prevention & protection of human rights in situations of "
        "conflict & insecurity",
    ),
    (
        "mechanisms",
        "Mechanisms",
        "Increasing implementation of the outcomes of the international human "
        "rights mechanisms",
    ),
    (
        "development",
        "Development",
        "Integrating human rights in sustainable development",
    ),
    (
        "non-discrimination",
        "Non-discrimination",
        "Enhance equality and counter discrimination",
    ),
]

SHIFTS = [
    ("prevention", "Prevention", ""),
    ("civic-space", "Civic space", ""),
    ("inequalities", "Inequalities", ""),
    ("climate-change", "Climate change", ""),
    ("digital-space-and-new-technologies", "Digital space and new technologies", ""),
    ("corruption", "Corruption", ""),
    ("people-on-the-move", "People on the move", ""),
]

POPULATIONS = [
    ("women", "Women", ""),
    ("youth", "Youth", ""),
    ("persons-with-disabilities", "Persons with disabilities", ""),
]

# The vocabulary in the other five languages: {slug: {language: (name,
# description)}}, following OHCHR's own wording in each language where it
# publishes one (the Management Plan's pillars and shifts). Regions and types
# of engagement are labels in the code, translated in the .po catalogues.
# Profiles stay in English, as OHCHR publishes them: never a made-up
# translation of one.
TERM_TRANSLATIONS = {
    "accountability": {
        "ar": ("المساءلة", "تعزيز سيادة القانون والمساءلة عن انتهاكات حقوق الإنسان"),
        "zh-hans": ("问责", "加强法治和对侵犯人权行为的问责"),
        "fr": (
            "Responsabilité",
            "Renforcer l'état de droit et l'application du principe de "
            "responsabilité pour les violations des droits de l'homme",
        ),
        "ru": (
            "Подотчетность",
            "Укрепление верховенства права и привлечение к ответственности за "
            "нарушения прав человека",
        ),
        "es": (
            "Rendición de cuentas",
            "Fortalecer el estado de derecho y la rendición de cuentas por las "
            "violaciones de los derechos humanos",
        ),
    },
    "participation": {
        "ar": ("المشاركة", "توسيع وحماية الحيز المدني ومشاركة الناس"),
        "zh-hans": ("参与", "扩大和保护公民空间及民众参与"),
        "fr": (
            "Participation",
            "Élargir et protéger l'espace civique et la participation de la population",
        ),
        "ru": (
            "Участие",
            "Расширение и защита гражданского пространства и участия людей",
        ),
        "es": (
            "Participación",
            "Ampliar y proteger el espacio cívico y la participación de las personas",
        ),
    },
    "peace-and-security": {
        "ar": (
            "السلام والأمن",
            "الإنذار المبكر ومنع انتهاكات حقوق الإنسان وحمايتها في حالات النزاع "
            "وانعدام الأمن",
        ),
        "zh-hans": ("和平与安全", "在冲突和不安全局势中的预警、预防和人权保护"),
        "fr": (
            "Paix et sécurité",
            "Alerte rapide, prévention et protection des droits de l'homme dans "
            "les situations de conflit et d'insécurité",
        ),
        "ru": (
            "Мир и безопасность",
            "Раннее предупреждение, предотвращение нарушений и защита прав "
            "человека в условиях конфликта и отсутствия безопасности",
        ),
        "es": (
            "Paz y seguridad",
            "Alerta temprana, prevención y protección de los derechos humanos en "
            "situaciones de conflicto e inseguridad",
        ),
    },
    "mechanisms": {
        "ar": ("الآليات", "زيادة تنفيذ نتائج الآليات الدولية لحقوق الإنسان"),
        "zh-hans": ("机制", "加大落实国际人权机制成果的力度"),
        "fr": (
            "Mécanismes",
            "Améliorer la mise en œuvre des conclusions des mécanismes "
            "internationaux des droits de l'homme",
        ),
        "ru": (
            "Механизмы",
            "Более активное выполнение решений международных правозащитных механизмов",
        ),
        "es": (
            "Mecanismos",
            "Aumentar la aplicación de los resultados de los mecanismos "
            "internacionales de derechos humanos",
        ),
    },
    "development": {
        "ar": ("التنمية", "إدماج حقوق الإنسان في التنمية المستدامة"),
        "zh-hans": ("发展", "将人权纳入可持续发展"),
        "fr": (
            "Développement",
            "Intégrer les droits de l'homme dans le développement durable",
        ),
        "ru": ("Развитие", "Интеграция прав человека в устойчивое развитие"),
        "es": (
            "Desarrollo",
            "Integrar los derechos humanos en el desarrollo sostenible",
        ),
    },
    "non-discrimination": {
        "ar": ("عدم التمييز", "تعزيز المساواة ومكافحة التمييز"),
        "zh-hans": ("不歧视", "促进平等和打击歧视"),
        "fr": (
            "Non-discrimination",
            "Promouvoir l'égalité et lutter contre la discrimination",
        ),
        "ru": ("Недискриминация", "Поощрение равенства и борьба с дискриминацией"),  # noqa: RUF001
        "es": (
            "No discriminación",
            "Promover la igualdad y combatir la discriminación",
        ),
    },
    "prevention": {
        "ar": ("الوقاية", ""),
        "zh-hans": ("预防", ""),
        "fr": ("Prévention", ""),
        "ru": ("Предотвращение", ""),
        "es": ("Prevención", ""),
    },
    "civic-space": {
        "ar": ("الحيز المدني", ""),
        "zh-hans": ("公民空间", ""),
        "fr": ("Espace civique", ""),
        "ru": ("Гражданское пространство", ""),
        "es": ("Espacio cívico", ""),
    },
    "inequalities": {
        "ar": ("أوجه عدم المساواة", ""),
        "zh-hans": ("不平等", ""),
        "fr": ("Inégalités", ""),
        "ru": ("Неравенство", ""),
        "es": ("Desigualdades", ""),
    },
    "climate-change": {
        "ar": ("تغير المناخ", ""),
        "zh-hans": ("气候变化", ""),
        "fr": ("Changements climatiques", ""),
        "ru": ("Изменение климата", ""),
        "es": ("Cambio climático", ""),
    },
    "digital-space-and-new-technologies": {
        "ar": ("الفضاء الرقمي والتكنولوجيات الجديدة", ""),
        "zh-hans": ("数字空间和新技术", ""),
        "fr": ("Espace numérique et nouvelles technologies", ""),
        "ru": ("Цифровое пространство и новые технологии", ""),
        "es": ("Espacio digital y nuevas tecnologías", ""),
    },
    "corruption": {
        "ar": ("الفساد", ""),
        "zh-hans": ("腐败", ""),
        "fr": ("Corruption", ""),
        "ru": ("Коррупция", ""),
        "es": ("Corrupción", ""),
    },
    "people-on-the-move": {
        "ar": ("الأشخاص المتنقلون", ""),
        "zh-hans": ("流动人口", ""),
        "fr": ("Personnes en déplacement", ""),
        "ru": ("Люди в пути", ""),
        "es": ("Personas en movimiento", ""),
    },
    "women": {
        "ar": ("النساء", ""),
        "zh-hans": ("妇女", ""),
        "fr": ("Femmes", ""),
        "ru": ("Женщины", ""),
        "es": ("Mujeres", ""),
    },
    "youth": {
        "ar": ("الشباب", ""),
        "zh-hans": ("青年", ""),
        "fr": ("Jeunes", ""),
        "ru": ("Молодежь", ""),
        "es": ("Jóvenes", ""),
    },
    "persons-with-disabilities": {
        "ar": ("الأشخاص ذوو الإعاقة", ""),
        "zh-hans": ("残疾人", ""),
        "fr": ("Personnes handicapées", ""),
        "ru": ("Инвалиды", ""),
        "es": ("Personas con discapacidad", ""),
    },
}


def term_values(slug, name, description, position):
    """A term's fields in every language (an empty description stays NULL)."""
    values = {"name_en": name, "description_en": description, "position": position}
    for language, (own_name, own_description) in TERM_TRANSLATIONS[slug].items():
        values[column("name", language)] = own_name
        values[column("description", language)] = own_description or None
    return values


IRAQ_PROFILE = """\
The Human Rights Office works to advance "Human Rights Every Day for All Iraqis".

Under the human rights mandate of UN Security Council resolution (UNSCR) 2522 of \
29 May 2020 the UNAMI Human Rights Office works with the Government of Iraq, the \
government of the Kurdistan Region of Iraq, local governments, national human \
rights institutions, and civil society to promote human rights throughout Iraq in \
an impartial manner. The Chief of Human Rights Office also represents the United \
Nations High Commissioner for Human Rights in Iraq and works closely with other UN \
agencies, funds and programmes to ensure that the fundamental rights of everyone in \
Iraq are at the core of their work. In 2019, two additional thematic mandates of \
Conflict-related Sexual Violence and Child Protection were integrated into the work \
of the Office.

The Office has staff working in Baghdad, Basra, Erbil, Kirkuk, and Mosul. Through \
civil society partners, the United Nations Country Team and ordinary citizens, the \
Office monitors the human rights situation and verifies alleged violations no \
matter where or by whom they are committed. In the Kurdistan Region, the Office \
coordinates with the Kurdistan Regional Government and civil society on issues of \
concern in the region."""

Region = Office.Region
Type = Office.EngagementType
Kind = Mandate.Kind

# Every demo presence. Fields left out take the empty values in OFFICE_BLANKS.
# field_offices: (city, note), the head office first. The taxonomy lists name
# terms by slug.
OFFICES = [
    {
        "slug": "iraq",
        "name": "UN Human Rights in Iraq",
        "country": "Iraq",
        "country_code": "IQ",
        "region": Region.MIDDLE_EAST_NORTH_AFRICA,
        "engagement_type": Type.POLITICAL_MISSION,
        "host_mission": "UNAMI",
        "year_established": 2003,
        "profile": IRAQ_PROFILE,
        "more_info_url": "https://unami.unmissions.org/en/human-rights",
        "more_info_label": (
            "More information on the work carried out by the UNAMI office."
        ),
        "last_reviewed": datetime.date(2021, 5, 1),
        "field_offices": [
            ("Baghdad", ""),
            ("Basra", ""),
            ("Erbil", ""),
            ("Kirkuk", ""),
            ("Mosul", ""),
        ],
        "mandates": [
            {
                "kind": Kind.SECURITY_COUNCIL,
                "title": "Security Council resolution 2522 (2020)",
                "symbol": "S/RES/2522 (2020)",
                "adopted_on": datetime.date(2020, 5, 29),
            },
            {
                "kind": Kind.THEMATIC,
                "title": "Conflict-related Sexual Violence",
                "integrated_in": 2019,
            },
            {
                "kind": Kind.THEMATIC,
                "title": "Child Protection",
                "integrated_in": 2019,
            },
        ],
        "pillars": [
            "accountability",
            "participation",
            "peace-and-security",
            "mechanisms",
        ],
        "shifts": ["inequalities", "civic-space", "prevention"],
        "spotlight_populations": ["women"],
    },
    {
        "slug": "colombia",
        "name": "UN Human Rights in Colombia",
        "country": "Colombia",
        "country_code": "CO",
        "region": Region.AMERICAS,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 1997,
        "field_offices": [("Bogotá", "")],
        "field_offices_note": "Bogotá and nine sub-offices",
        "staff_count": 114,
        "budget_needs_usd": 12_326_000,
    },
    {
        "slug": "uganda",
        "name": "UN Human Rights in Uganda",
        "country": "Uganda",
        "country_code": "UG",
        "region": Region.AFRICA,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2005,
        "field_offices": [("Kampala", ""), ("Moroto", ""), ("Gulu", "")],
        "staff_count": 45,
        "budget_needs_usd": 4_300_000,
        # The source gives only the month ("closing in August 2023").
        "closed_on": datetime.date(2023, 8, 1),
        "closed_note": "mandate ended February 2023",
    },
    {
        "slug": "tunisia",
        "name": "UN Human Rights in Tunisia",
        "country": "Tunisia",
        "country_code": "TN",
        "region": Region.MIDDLE_EAST_NORTH_AFRICA,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2011,
        "field_offices": [("Tunis", "")],
        "pillars": [
            "accountability",
            "development",
            "participation",
            "non-discrimination",
            "mechanisms",
        ],
    },
    {
        "slug": "guatemala",
        "name": "UN Human Rights in Guatemala",
        "country": "Guatemala",
        "country_code": "GT",
        "region": Region.AMERICAS,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2005,
        "field_offices": [("Guatemala City", "")],
        "staff_count": 54,
        "budget_needs_usd": 6_542_000,
    },
    {
        "slug": "mexico",
        "name": "UN Human Rights in Mexico",
        "country": "Mexico",
        "country_code": "MX",
        "region": Region.AMERICAS,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2002,
        "field_offices": [("Mexico City", "")],
        "staff_count": 25,
        "budget_needs_usd": 3_264_000,
    },
    {
        "slug": "honduras",
        "name": "UN Human Rights in Honduras",
        "country": "Honduras",
        "country_code": "HN",
        "region": Region.AMERICAS,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2015,
        "field_offices": [("Tegucigalpa", "")],
        "staff_count": 33,
        "budget_needs_usd": 6_271_000,
    },
    {
        "slug": "syria",
        "name": "UN Human Rights in Syria",
        "country": "Syria",
        "country_code": "SY",
        "region": Region.MIDDLE_EAST_NORTH_AFRICA,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 2019,
        "year_established_note": "preceded by a smaller monitoring presence from 2013",
        "field_offices": [
            ("Beirut", "Lebanon (restricted physical access to Syria)"),
        ],
        "spotlight_populations": ["women", "persons-with-disabilities"],
        "last_reviewed": datetime.date(2022, 9, 1),
    },
    {
        "slug": "cambodia",
        "name": "UN Human Rights in Cambodia",
        "country": "Cambodia",
        "country_code": "KH",
        "region": Region.ASIA_PACIFIC,
        "engagement_type": Type.COUNTRY_OFFICE,
        "year_established": 1993,
        "field_offices": [("Phnom Penh", ""), ("Battambang", "")],
        # The source names neither resolution number nor dates.
        "mandates": [
            {
                "kind": Kind.HUMAN_RIGHTS_COUNCIL,
                "title": "Human Rights Council resolution",
            },
            {
                "kind": Kind.HOST_STATE_AGREEMENT,
                "title": "Memorandum of Understanding with the Government",
            },
        ],
    },
    {
        "slug": "palestine",
        "name": "UN Human Rights in the State of Palestine",
        "country": "State of Palestine",
        "country_code": "PS",
        "region": Region.MIDDLE_EAST_NORTH_AFRICA,
        "engagement_type": Type.STAND_ALONE_OFFICE,
        "year_established": 1996,
        "field_offices": [
            ("Ramallah", ""),
            ("Gaza", ""),
            ("East Jerusalem", ""),
            ("Hebron", ""),
        ],
    },
    {
        "slug": "central-america",
        "name": "UN Human Rights in Central America and the Dominican Republic",
        "region": Region.AMERICAS,
        "engagement_type": Type.REGIONAL_OFFICE,
        "year_established": 2007,
        "field_offices": [("Panama City", "")],
        "coverage_note": (
            "Belize, Costa Rica, Dominican Republic, El Salvador, Nicaragua, Panama"
        ),
        "staff_count": 16,
        "budget_needs_usd": 1_851_000,
    },
    {
        "slug": "afghanistan",
        "name": "UN Human Rights in Afghanistan (UNAMA)",
        "country": "Afghanistan",
        "country_code": "AF",
        "region": Region.ASIA_PACIFIC,
        "engagement_type": Type.PEACE_MISSION,
        "host_mission": "UNAMA",
        "year_established": 2002,
        "field_offices": [("Kabul", "")],
        "mandates": [
            {
                "kind": Kind.SECURITY_COUNCIL,
                "title": "Security Council resolution 1401 (2002)",
                "symbol": "S/RES/1401 (2002)",
            }
        ],
    },
]

# What a demo office's field holds when OFFICES gives no value, so a rerun also
# clears anything edited into those fields since.
OFFICE_BLANKS = {
    "country": "",
    "country_code": "",
    "host_mission": "",
    "year_established_note": "",
    "profile": "",
    "more_info_url": "",
    "more_info_label": "",
    "field_offices_note": "",
    "coverage_note": "",
    "staff_count": None,
    "budget_needs_usd": None,
    "achievements": "",
    "partners_and_donors": "",
    "closed_on": None,
    "closed_note": "",
    "last_reviewed": None,
    "status": Office.Status.PUBLISHED,
}
MANDATE_BLANKS = {
    "symbol": "",
    "adopted_on": None,
    "integrated_in": None,
    "summary": "",
    "url": "",
}
RELATIONS = {
    "pillars": ThematicPillar,
    "shifts": Shift,
    "spotlight_populations": SpotlightPopulation,
}


def _sync(model, lookup, values, changes, *, overwrite=True):
    """update_or_create that leaves a row alone when it already matches.

    Saving only real changes keeps updated_at (and the counts) honest on a rerun.
    With overwrite=False an existing row is left as it is.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        changes[f"{model._meta.verbose_name_plural} created"] += 1
        return model.objects.create(**lookup, **values)
    if overwrite and any(
        getattr(obj, field) != value for field, value in values.items()
    ):
        for field, value in values.items():
            setattr(obj, field, value)
        obj.save()
        changes[f"{model._meta.verbose_name_plural} updated"] += 1
    return obj


def _sync_children(related, lookup_field, rows, changes):
    """Make an office's field offices or mandates exactly the demo rows."""
    stale = related.exclude(**{f"{lookup_field}__in": [r[lookup_field] for r in rows]})
    deleted, _ = stale.delete()
    if deleted:
        changes[f"{related.model._meta.verbose_name_plural} deleted"] += deleted
    # Rows losing is_head_office go first: at most one head office at a time.
    for row in sorted(rows, key=lambda r: r.get("is_head_office", False)):
        lookup = {"office": related.instance, lookup_field: row[lookup_field]}
        values = {k: v for k, v in row.items() if k != lookup_field}
        _sync(related.model, lookup, values, changes)


def _sync_office(data, terms, changes, *, only_missing):
    data = dict(data)
    field_offices = data.pop("field_offices")
    mandates = data.pop("mandates", [])
    relations = {name: data.pop(name, []) for name in RELATIONS}
    slug = data.pop("slug")
    if only_missing and Office.objects.filter(slug=slug).exists():
        return

    office = _sync(Office, {"slug": slug}, OFFICE_BLANKS | data, changes)
    _sync_children(
        office.field_offices,
        "name",
        [
            {"name": name, "note": note, "is_head_office": i == 0, "position": i}
            for i, (name, note) in enumerate(field_offices)
        ],
        changes,
    )
    _sync_children(
        office.mandates,
        "title",
        [MANDATE_BLANKS | m | {"position": i} for i, m in enumerate(mandates)],
        changes,
    )
    for name, slugs in relations.items():
        wanted = {terms[RELATIONS[name]][slug] for slug in slugs}
        related = getattr(office, name)
        if set(related.all()) != wanted:
            related.set(wanted)
            changes[f"offices' {RELATIONS[name]._meta.verbose_name_plural} set"] += 1


def load_demo(*, only_missing=False):
    """Load the vocabulary and every demo presence; return what changed.

    All or nothing. The result counts rows per "<models> created/updated/deleted"
    and is empty when the database already holds the demo content. With
    only_missing, existing terms and offices are kept as they are (so `make run`
    never undoes a local edit) and only absent ones are created.
    """
    changes = Counter()
    with transaction.atomic():
        terms = {}
        for model, vocabulary in [
            (ThematicPillar, PILLARS),
            (Shift, SHIFTS),
            (SpotlightPopulation, POPULATIONS),
        ]:
            terms[model] = {
                slug: _sync(
                    model,
                    {"slug": slug},
                    term_values(slug, name, description, i),
                    changes,
                    overwrite=not only_missing,
                )
                for i, (slug, name, description) in enumerate(vocabulary)
            }
        for data in OFFICES:
            _sync_office(data, terms, changes, only_missing=only_missing)
    return changes
