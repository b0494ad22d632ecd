"""How post text reaches the screen: literally, with entity styles, and right-to-left text legible."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text

from events.codec import post_body
from events.model import Kind, Precision
from events.timeline import Visible
from replay.tui.widgets import bidi
from replay.tui.widgets.literal import HASHTAG, LINK, MENTION, post_text, visible
from replay.tui.widgets.post import render
from tests.replay.tui.conftest import ARABIC_NAME, hostile_events


def styled(text: Text) -> list[tuple[str, str]]:
    """(span text, style) for every span of `text`."""
    return [(text.plain[span.start : span.end], str(span.style)) for span in text.spans]


def test_markup_is_text() -> None:
    """Rich markup in a post stays as its characters and adds no style."""
    text = post_text("[bold]hi[/bold] [link=https://x.test]x[/link]")
    assert text.plain == "[bold]hi[/bold] [link=https://x.test]x[/link]"
    assert text.spans == []


def test_ansi_escapes_and_controls_are_made_visible() -> None:
    """ESC, BEL, C1 controls and DEL become visible symbols; nothing a terminal acts on is left."""
    shown = visible("a\x1b[31mred\x1b[0m \x1b]0;t\x07 \x9b2J \x7f\x00\tb")
    assert shown == "a␛[31mred␛[0m ␛]0;t␇ \N{REPLACEMENT CHARACTER}2J ␡␀ b"


def test_line_breaks_are_kept_and_carriage_returns_become_line_breaks() -> None:
    """CRLF, CR and Unicode line separators all end a line; no CR reaches the terminal."""
    assert visible("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"


def test_directional_overrides_are_dropped() -> None:
    """A right-to-left override cannot turn the rest of the line round (the feed orders text itself)."""
    assert visible("abc\u202edef\u2066g\u2069") == "abcdefg"


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    """Whatever a post holds, what is drawn has no control character but the line break."""
    shown = visible(text)
    assert all(unicodedata.category(char) != "Cc" or char == "\n" for char in shown)


def test_entities_are_styled_from_the_posts_own_lists() -> None:
    """Hashtags, mentions and links found by the importer are styled where they occur, any case."""
    text = post_text(
        "Save #aleppo now @Bob https://t.co/x #AleppoNow",
        hashtags=("Aleppo",),
        mentions=("bob",),
        urls=("https://t.co/x",),
    )
    assert styled(text) == [("#aleppo", str(HASHTAG)), ("@Bob", str(MENTION)), ("https://t.co/x", str(LINK))]


def test_text_that_only_looks_like_an_entity_is_not_styled() -> None:
    """A "#tag" the importer did not list is plain: styling comes from data, not from the text."""
    assert post_text("#NotATag @nobody", hashtags=(), mentions=()).spans == []


def test_arabic_is_joined_and_put_in_display_order() -> None:
    """ "نور الهدى" becomes its joined forms, the words and letters right to left (worked out by hand)."""
    shown = bidi.display_line(Text(ARABIC_NAME), rtl=True).plain
    assert shown == "\ufeef\ufeaa\ufeec\ufedf\ufe8d \ufead\ufeee\ufee7"


def test_presentation_forms_match_their_letters() -> None:
    """Every generated form is the named form of its letter (isolated, final, initial, medial)."""
    names = ("ISOLATED", "FINAL", "INITIAL", "MEDIAL")
    for letter, forms in bidi._FORMS.items():
        base = unicodedata.name(letter).removeprefix("ARABIC LETTER ")
        for name, form in zip(names, forms, strict=False):
            assert unicodedata.name(form) == f"ARABIC LETTER {base} {name} FORM"


def test_lam_alef_becomes_one_ligature() -> None:
    """لا is written as the lam-alef ligature."""
    assert bidi.display_line(Text("لا"), rtl=True).plain == "\ufefb"


@pytest.mark.parametrize(
    ("logical", "rtl", "shown"),
    [
        ("abc", False, "abc"),
        ("Hello שלום world", False, "Hello םולש world"),
        ("שלום 1,000 (כן)", True, "(ןכ) 1,000 םולש"),
        ("שלום world 42", True, "world 42 םולש"),
    ],
)
def test_mixed_directions(logical: str, rtl: bool, shown: str) -> None:
    """Numbers stay left to right, brackets mirror, left-to-right words keep their order."""
    assert bidi.display_line(Text(logical), rtl=rtl).plain == shown


def test_a_joiner_between_letters_does_not_hold_them_together() -> None:
    """Hebrew letters around a zero-width joiner are reversed one by one; an emoji sequence stays whole."""
    assert bidi.display_line(Text("שלום\u200dעולם"), rtl=True).plain == "םלוע\u200dםולש"
    family = "👨\u200d👩\u200d👧"
    assert bidi.display_line(Text(f"hi {family} שלום"), rtl=True).plain == f"םולש {family} hi"


@pytest.mark.parametrize(
    "emoji", ["🙏🏻", "👩🏽\u200d💻", "🇸🇾", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"]
)
def test_emoji_sequences_stay_whole_in_right_to_left_text(emoji: str) -> None:
    """Skin tones, flags and tag sequences move with their emoji when a line is put right to left."""
    shown = bidi.display_line(Text(f"يا رب {emoji}"), rtl=True).plain
    assert shown.startswith(emoji)


def test_a_long_right_to_left_name_keeps_its_beginning() -> None:
    """Cut to fit, a right-to-left name loses its end, and the ellipsis sits on the left, read last."""
    assert bidi.display_fitted(Text("שלום עולם ומלואו"), rtl=True, width=10).plain == "…םלוע םולש"
    assert bidi.display_fitted(Text("Hello world again"), rtl=False, width=10).plain == "Hello wor…"


def test_styles_move_with_their_characters() -> None:
    """A hashtag styled in logical order is still styled after reordering."""
    text = post_text("שלום #חלב", hashtags=("חלב",))
    shown = bidi.display_line(text, rtl=True)
    assert shown.plain == "בלח# םולש"
    assert shown.get_style_at_offset(Console(), 0) == HASHTAG
    assert shown.get_style_at_offset(Console(), 6) == Style()


def test_terminals_that_do_bidi_get_logical_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """In GNOME Terminal (VTE) or with REPLAY_BIDI=terminal, the text is left as written."""
    monkeypatch.delenv("REPLAY_BIDI")
    monkeypatch.setenv("VTE_VERSION", "7200")
    assert bidi.display_line(Text("שלום"), rtl=True).plain == "שלום"
    monkeypatch.delenv("VTE_VERSION")
    monkeypatch.setenv("REPLAY_BIDI", "terminal")
    assert bidi.display_line(Text("שלום"), rtl=True).plain == "שלום"


def test_a_post_is_drawn_with_byline_markers_and_wrapped_text() -> None:
    """The byline has name, handle, time at its precision and markers (the name gives way); text wraps."""
    event = hostile_events()[0]
    item = Visible(
        key="k",
        seq=1,
        kind=Kind.PUBLISHED,
        occurred_us=1_481_500_800_000_000,
        precision=Precision.DAY,
        body=post_body(event.post),
        edited=True,
        reposts=2,
    )
    lines = [line.plain.rstrip() for line in render(item, Console(width=80), 60)]
    assert lines == [
        "Alice [red]A[/red] @alice · 12 Dec 2016  ✎ edited  ⟳ 2",
        "  [bold]not bold[/bold] ␛[31mnot red␛[0m ␛]0;title␇",
        "  [link=https://x.test]x[/link] #Tag @bob",
        "",
    ]
    narrow = [line.plain.rstrip() for line in render(item, Console(width=80), 44)]
    assert narrow[0] == "Alice [… @alice · 12 Dec 2016  ✎ edited  ⟳ 2"
