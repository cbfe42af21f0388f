"""Seed facts from DOMAIN.md, written out literally for the tests to compare with.

Kept apart from offices/demo.py on purpose: a test that compared the demo data
with itself could not fail.
"""

IRAQ_PARAGRAPHS = [
    'The Human Rights Office works to advance "Human Rights Every Day for All Iraqis".',
    "Under the human rights mandate of UN Security Council resolution (UNSCR) 2522 "
    "of 29 May 2020 the UNAMI Human Rights Office works with the Government of "
    "Iraq, the government of the Kurdistan Region of Iraq, local governments, "
    "national human rights institutions, and civil society to promote human "
    "rights throughout Iraq in an impartial manner. The Chief of Human Rights "
    "Office also represents the United Nations High Commissioner for Human Rights "
    "in Iraq and works closely with other UN agencies, funds and programmes to "
    "ensure that the fundamental rights of everyone in Iraq are at the core of "
    "their work. In 2019, two additional thematic mandates of Conflict-related "
    "Sexual Violence and Child Protection were integrated into the work of the "
    "Office.",
    "The Office has staff working in Baghdad, Basra, Erbil, Kirkuk, and Mosul. "
    "Through civil society partners, the United Nations Country Team and ordinary "
    "citizens, the Office monitors the human rights situation and verifies "
    "alleged violations no matter where or by whom they are committed. In the "
    "Kurdistan Region, the Office coordinates with the Kurdistan Regional "
    "Government and civil society on issues of concern in the region.",
]

# The six thematic pillars in DOMAIN.md order; Iraq works on the first four.
PILLARS = [
    (
        "Accountability",
        "Strengthening rule of law and accountability for human rights violations",
    ),
    (
        "Participation",
        "Enhancing & protecting civic space and people's participation",
    ),
    (
        "Peace and Security",
        "Early warning, prevention & protection of human rights in situations of "
        "conflict & insecurity",
    ),
    (
        "Mechanisms",
        "Increasing implementation of the outcomes of the international human "
        "rights mechanisms",
    ),
    ("Development", "Integrating human rights in sustainable development"),
    ("Non-discrimination", "Enhance equality and counter discrimination"),
]
