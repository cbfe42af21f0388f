import pytest

from offices.textdiff import highlight, sides, tokens, word_changes


def test_tokens_join_back_to_the_text():
    text = "Erbil, Baghdad  and\nBasra — 巴格达办事处 (2024)."
    assert "".join(tokens(text)) == text


def test_only_the_changed_word_is_marked():
    marked = highlight("The office in Erbil opened", "The office in Basra opened")
    assert str(marked) == "The office in <del>Erbil</del><ins>Basra</ins> opened"


def test_chinese_is_compared_character_by_character():
    assert word_changes("巴格达办事处", "巴士拉办事处") == [
        ("equal", "巴"),
        ("delete", "格达"),
        ("insert", "士拉"),
        ("equal", "办事处"),
    ]


def test_text_is_escaped():
    assert str(highlight("<b>a</b>", "<b>b</b>")) == (
        "&lt;b&gt;<del>a</del><ins>b</ins>&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [("", "New text"), ("Old text", ""), ("", ""), (None, "x")],
)
def test_empty_sides(old, new):
    changes = word_changes(old, new)
    assert "".join(t for op, t in changes if op != "insert") == (old or "")
    assert "".join(t for op, t in changes if op != "delete") == (new or "")


def test_sides_mark_each_side_of_a_table():
    before, after = sides("Offices in Erbil and Mosul.", "Offices in Erbil and Basra.")
    assert str(before) == "Offices in Erbil and <del>Mosul</del>."
    assert str(after) == "Offices in Erbil and <ins>Basra</ins>."
