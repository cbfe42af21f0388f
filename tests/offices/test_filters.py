"""The index's filter form: the plain <select> matches Django's markup."""

from django import forms

from offices.filters import PlainSelect


class Form(forms.Form):
    region = forms.ChoiceField(
        choices=[("", "All"), ("mena", "Middle East & North Africa"), ("7", "<b>")],
        required=False,
        help_text="Where the office is.",
        widget=PlainSelect,
    )


def test_the_chosen_option_is_selected_and_no_other():
    html = str(Form({"region": "mena"})["region"])

    assert '<option value="mena" selected>' in html
    assert html.count(" selected") == 1


def test_labels_and_values_are_escaped():
    html = str(Form({})["region"])

    assert "Middle East &amp; North Africa" in html
    assert '<option value="7">&lt;b&gt;</option>' in html


def test_the_field_attributes_reach_the_select():
    html = str(Form({})["region"])

    assert html.startswith("<select ")
    assert 'name="region"' in html
    assert 'id="id_region"' in html
    assert 'aria-describedby="id_region_helptext"' in html


def test_a_number_value_matches_its_option():
    assert '<option value="7" selected>' in str(Form({"region": 7})["region"])
