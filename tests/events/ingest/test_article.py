"""The news-article importer: the seed documents read line by line, hand-written tricky cases, properties."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import events
from events.ingest import article, formats
from events.ingest.base import Item, Level, Notice
from events.ingest.document import Document, from_text
from events.model import Event, Kind, Precision

DEMO = Path(events.__file__).resolve().parent / "demo"
SEED_001 = DEMO / "001_860fc3546b822400.txt"

# (first line, handle, display name, day, text) of every post quoted in 001, read off the file by hand.
SEED_001_POSTS = [
    (
        5,
        "SyriaCivilDef",
        "The White Helmets",
        date(2016, 12, 13),
        "There is no total number of casualties in Besieged #Aleppo today, all streets & destroyed "
        "buildings are full with dead bodies. It's hell.",
    ),
    (
        10,
        "AlabedBana",
        "Bana Alabed",
        date(2016, 12, 12),
        "Final message - people are dying since last night. I am very surprised I am tweeting right "
        "now & still alive. - Fatemah #Aleppo",
    ),
    (
        12,
        "BilalKareem",
        "Bilal Abdul Kareem",
        date(2016, 12, 12),
        "Perhaps my final message from E. Aleppo. Regime forces are closing in and bunker busters are "
        "raining down. https://t.co/YHZfeOKGMP",
    ),
    (
        14,
        "Mr_Alhamdo",
        "@Mr.Alhamdo",
        date(2016, 12, 12),
        "I can tweet now but I might not do it forever. please save my daughter's life and others. "
        "this is a call from a father.",
    ),
    (16, "Rami_Zien", "Rami Zien", date(2016, 12, 12), "U guess it's goodbye.."),
    (
        18,
        "Linashamy",
        "Lina shamy",
        date(2016, 12, 12),
        "Thanks all who stand for us and pay for us.\n"
        "But it's almost over and they are just hours away of killing us\n"
        "To everyone who can hear me!#SaveAleppo#SaveHumanity pic.twitter.com/cbExEMKqEY",
    ),
    (
        23,
        "HadiAlabdallah",
        "هادي العبدالله Hadi",
        date(2016, 12, 12),
        "Do not sleep! There are families in cold, rainy Aleppo's streets now, waiting for you to do "
        "something. Save them. We're all accountable.",
    ),
    (
        25,
        "janinedigi",
        "Janine di Giovanni",
        date(2016, 12, 13),
        "Today I feel like a failure. Nearly 25 years reporting war crimes has added up to nothing. "
        'We said "never again." What happened? #Aleppo',
    ),
    (27, "Linashamy", "Lina shamy", date(2016, 12, 12), "Time is from blood!"),
]

PROSE = (
    "Residents of the besieged city have described the scenes on social media as government forces "
    "advanced into the eastern districts."
)
ATTRIBUTION = "— Lina shamy (@Linashamy) December 12, 2016"


def parse(text: str, name: str = "story.txt") -> list[Item]:
    """Everything the importer yields for `text`."""
    return list(article.read(from_text(name, text)))


def posts(items: list[Item]) -> list[Event]:
    """The events among `items`."""
    return [item for item in items if isinstance(item, Event)]


def notices(items: list[Item]) -> list[Notice]:
    """The notices among `items`."""
    return [item for item in items if isinstance(item, Notice)]


def seed_001() -> list[Item]:
    """Everything the importer yields for the seed document 001."""
    return list(article.read(Document.open(str(SEED_001))))


def texts(text: str) -> list[str]:
    """The texts of the posts found in `text`."""
    return [event.post.text for event in posts(parse(text))]


class TestSeedDocuments:
    """The three seed articles shipped as the demo."""

    def test_001_every_post_exactly(self) -> None:
        """001 quotes nine posts (eleven lines of post text); each comes out whole and in file order."""
        found = posts(seed_001())
        got = [
            (e.post.source.line, e.post.author.handle, e.post.author.name, e.occurred_at.date(), e.post.text)
            for e in found
        ]
        assert got == SEED_001_POSTS

    def test_001_posts_are_day_precise_tweets_from_the_file(self) -> None:
        """Every post is a published tweet at midnight UTC, precision day, no id or language, from 001."""
        for event in posts(seed_001()):
            assert event.kind is Kind.PUBLISHED
            assert event.precision is Precision.DAY
            assert event.occurred_at == datetime.combine(event.occurred_at.date(), datetime.min.time(), UTC)
            assert (event.post.platform, event.post.id, event.post.lang) == ("twitter", None, None)
            assert event.post.source.path == str(SEED_001)
            assert event.post.source.format == "article"

    def test_001_entities(self) -> None:
        """Glued hashtags, a t.co link and a bare pic.twitter.com link are extracted from 001."""
        by_line = {e.post.source.line: e.post for e in posts(seed_001())}
        assert by_line[5].hashtags == ("Aleppo",)
        assert by_line[12].urls == ("https://t.co/YHZfeOKGMP",)
        assert by_line[18].hashtags == ("SaveAleppo", "SaveHumanity")
        assert by_line[18].urls == ("https://pic.twitter.com/cbExEMKqEY",)
        assert by_line[27].hashtags == by_line[27].urls == by_line[27].mentions == ()

    def test_001_unattributed_call_is_one_warning(self) -> None:
        """The "Call & message your representatives" line of 001 is the one warning, at line 29."""
        found = notices(seed_001())
        assert found == [
            Notice(
                level=Level.WARNING,
                path=str(SEED_001),
                line=29,
                message="looks like a quoted post but has no attribution: "
                "'Call & message your representatives in the parliament all ov…'",
            )
        ]

    @pytest.mark.parametrize("stem", ["000_ef79f20995331101", "004_9c64838135da5423"])
    def test_articles_without_attributions_yield_nothing(self, stem: str) -> None:
        """000 and 004 are prose only (000 repeats a sentence): no post and no warning."""
        assert list(article.read(Document.open(str(DEMO / f"{stem}.txt")))) == []

    def test_sniff_and_auto_pick_the_article_with_attributions(self) -> None:
        """001 is recognised as an article by `--format auto`; 000 has no attribution to recognise."""
        assert formats.choose(Document.open(str(SEED_001))) is article
        assert not article.sniff(Document.open(str(DEMO / "000_ef79f20995331101.txt")))


class TestPostBoundaries:
    """How far back a post extends from its attribution."""

    def test_multi_line_post_keeps_its_line_breaks(self) -> None:
        """The lines above an attribution, back to the prose, are one post with its line breaks."""
        post = "Thanks all who stand for us.\nBut it's almost over\nSave us #Aleppo"
        assert texts(f"{PROSE}\n{post}\n{ATTRIBUTION}\n") == [post]

    def test_several_posts_in_a_row(self) -> None:
        """Each attribution closes only the lines since the previous one."""
        text = "One #a\n— A (@a) Dec 1, 2016\nTwo\n— B (@b) Dec 2, 2016\n"
        text += "Three\nand more\n— C (@c) Dec 3, 2016"
        found = posts(parse(text))
        assert [e.post.text for e in found] == ["One #a", "Two", "Three\nand more"]
        assert [e.post.author.handle for e in found] == ["a", "b", "c"]
        assert [e.post.source.line for e in found] == [1, 3, 5]

    def test_prose_between_two_attributions_is_not_part_of_the_later_post(self) -> None:
        """A prose line between two attributions ends the later post instead of joining it."""
        text = f"Help #Aleppo\n— A (@a) Dec 1, 2016\n{PROSE}\nWe are here\n— B (@b) Dec 2, 2016"
        assert texts(text) == ["Help #Aleppo", "We are here"]

    def test_short_plain_line_between_attributions_joins_the_later_post(self) -> None:
        """A short line without person or tags is not prose, so it belongs to the post after it."""
        text = "Help #Aleppo\n— A (@a) Dec 1, 2016\nTime is from blood!\nStill here\n— B (@b) Dec 2, 2016"
        assert texts(text) == ["Help #Aleppo", "Time is from blood!\nStill here"]

    def test_line_right_above_an_attribution_is_always_the_post(self) -> None:
        """Even a prose-looking line is the post when an attribution directly follows it."""
        text = f"{PROSE}\n{PROSE.replace('Residents', 'Families')}\n{ATTRIBUTION}"
        assert texts(text) == [PROSE.replace("Residents", "Families")]

    def test_blank_line_paragraphs(self) -> None:
        """With blank-line paragraphs a post is its block; a blank before the attribution is skipped."""
        text = f"{PROSE}\n\nCredit: Reuters\n\nWe are still here\nwaiting #Aleppo\n\n{ATTRIBUTION}\n\n"
        text += f"{PROSE}\n"
        found = posts(parse(text))
        assert [e.post.text for e in found] == ["We are still here\nwaiting #Aleppo"]
        assert found[0].post.source.line == 5

    def test_one_line_paragraphs(self) -> None:
        """Without blank lines, the prose line above the post is left out by the prose heuristic."""
        text = f"{PROSE}\n{PROSE}\nWe are still here\n{ATTRIBUTION}\n{PROSE}"
        assert texts(text) == ["We are still here"]

    def test_post_text_is_stripped_line_by_line(self) -> None:
        """Indentation and trailing spaces of the article layout are not part of the post."""
        assert texts(f"   Help us  \n\t{ATTRIBUTION}  ") == ["Help us"]


class TestAttributionLine:
    """What counts as an attribution line."""

    @pytest.mark.parametrize("dash", ["— ", "—", "– ", "–", "-- ", "--", "- "])
    def test_dash_variants(self, dash: str) -> None:
        """Em dash, en dash, "--" and "- " all introduce an attribution."""
        found = posts(parse(f"Help #Aleppo\n{dash}Lina shamy (@Linashamy) December 12, 2016"))
        assert [(e.post.author.name, e.occurred_at.date()) for e in found] == [
            ("Lina shamy", date(2016, 12, 12))
        ]

    @pytest.mark.parametrize(
        ("written", "day"),
        [
            ("Dec 12, 2016", date(2016, 12, 12)),
            ("Dec. 12, 2016", date(2016, 12, 12)),
            ("Sept 5, 2016", date(2016, 9, 5)),
            ("sep 5, 2016", date(2016, 9, 5)),
            ("May 1 2017", date(2017, 5, 1)),
            ("February 29, 2016", date(2016, 2, 29)),
        ],
    )
    def test_month_names_full_and_abbreviated(self, written: str, day: date) -> None:
        """Months in full or abbreviated, with or without the period and the comma, give the day."""
        found = posts(parse(f"Help #Aleppo\n— Hadi (@HadiAlabdallah) {written}"))
        assert [e.occurred_at for e in found] == [datetime(day.year, day.month, day.day, tzinfo=UTC)]

    def test_arabic_and_at_sign_names(self) -> None:
        """A name in Arabic script and a name that starts with "@" are kept as written."""
        text = "Do not sleep!\n— هادي العبدالله Hadi (@HadiAlabdallah) December 12, 2016\n"
        text += "Save my daughter\n— @Mr.Alhamdo (@Mr_Alhamdo) December 12, 2016"
        found = posts(parse(text))
        assert [(e.post.author.name, e.post.author.handle) for e in found] == [
            ("هادي العبدالله Hadi", "HadiAlabdallah"),
            ("@Mr.Alhamdo", "Mr_Alhamdo"),
        ]

    def test_empty_display_name_is_none(self) -> None:
        """An attribution with only the handle gives an author without a name."""
        assert posts(parse("Help\n— (@someone) Dec 1, 2016"))[0].post.author.name is None

    @pytest.mark.parametrize(
        "line",
        [
            "The siege of the city finally ended on December 22, 2016",
            "The White Helmets (@SyriaCivilDef) said on December 13, 2016",
            "-Name (@handle) December 12, 2016",
            "— Name (@handle) Funday 12, 2016",
            "— Name (@handle) December 12",
        ],
    )
    def test_lines_ending_in_a_date_that_are_not_attributions(self, line: str) -> None:
        """A date at the end of a line is not enough: dash, name, (@handle) and a month are required."""
        assert posts(parse(f"Help us\n{line}\n")) == []


class TestEntities:
    """Hashtags, mentions and links of a post."""

    def test_glued_hashtags_in_order_without_duplicates(self) -> None:
        """Hashtags glued to words or to each other count, keep their case and appear once each."""
        text = f"stop the genocide#SaveAleppo me!#SaveHumanity #SaveAleppo\n{ATTRIBUTION}"
        post = posts(parse(text))[0].post
        assert post.hashtags == ("SaveAleppo", "SaveHumanity")

    def test_links_and_mentions(self) -> None:
        """t.co links, bare pic.twitter.com links (given https://) and @mentions are extracted."""
        text = f"@UN @WhiteHelmets look https://t.co/YHZfeOKGMP pic.twitter.com/abc123\n{ATTRIBUTION}"
        post = posts(parse(text))[0].post
        assert post.mentions == ("UN", "WhiteHelmets")
        assert post.urls == ("https://t.co/YHZfeOKGMP", "https://pic.twitter.com/abc123")


class TestWarnings:
    """What the importer reports instead of inventing or dropping a post."""

    def test_unattributed_quoted_line_warns_with_file_and_line(self) -> None:
        """A tagged line that nothing attributes is a warning naming the file and the line."""
        items = parse(f"{PROSE}\nCall your MP now #SaveAleppo\n{PROSE}\n", name="news.txt")
        assert posts(items) == []
        assert notices(items) == [
            Notice(
                level=Level.WARNING,
                path="news.txt",
                line=2,
                message="looks like a quoted post but has no attribution: 'Call your MP now #SaveAleppo'",
            )
        ]

    def test_unattributed_line_at_the_end_of_the_document(self) -> None:
        """A quoted-looking last line is reported, not lost when the document ends."""
        assert [n.line for n in notices(parse(f"{PROSE}\nwatch https://t.co/abc"))] == [2]

    def test_attribution_without_text_warns(self) -> None:
        """An attribution with nothing above it, or right after another one, is a warning, not a post."""
        items = parse(f"{ATTRIBUTION}\nHelp #Aleppo\n{ATTRIBUTION}\n\n{ATTRIBUTION}\n", name="a.txt")
        assert [e.post.text for e in posts(items)] == ["Help #Aleppo"]
        assert [(n.line, n.message) for n in notices(items)] == [
            (1, f"attribution with no post text before it: '{ATTRIBUTION}'"),
            (5, f"attribution with no post text before it: '{ATTRIBUTION}'"),
        ]

    def test_impossible_date_warns(self) -> None:
        """February 30 is reported on the attribution's line and its post is left out."""
        items = parse("Help #Aleppo\n— A (@a) February 30, 2016")
        assert posts(items) == []
        assert [(n.level, n.line) for n in notices(items)] == [(Level.WARNING, 2)]
        assert "impossible date" in notices(items)[0].message

    def test_a_blank_line_above_a_post_ends_it(self) -> None:
        """In blank-line paragraphs, a tagged paragraph above the post's block is reported on its own."""
        items = parse(f"Earlier #Aleppo\n\nHelp us\n{ATTRIBUTION}")
        assert [e.post.text for e in posts(items)] == ["Help us"]
        assert [n.line for n in notices(items)] == [1]


class TestRepeats:
    """Repeated paragraphs do not make duplicates."""

    def test_same_post_quoted_twice_is_yielded_once(self) -> None:
        """The same text, handle and day quoted twice gives one event, from its first place."""
        text = f"Help #Aleppo\n{ATTRIBUTION}\n{PROSE}\nHelp #Aleppo\n{ATTRIBUTION}\n"
        found = posts(parse(text))
        assert [(e.post.text, e.post.source.line) for e in found] == [("Help #Aleppo", 1)]

    def test_repeated_line_counts_once(self) -> None:
        """A line repeated right after itself (a scraping artefact) is one line of the post."""
        assert texts(f"{PROSE}\nHelp us\nHelp us\n{ATTRIBUTION}") == ["Help us"]
        items = parse(f"Help #Aleppo\nHelp #Aleppo\n\nHelp #Aleppo\nwe wait\n{ATTRIBUTION}")
        assert [(e.post.text, e.post.source.line) for e in posts(items)] == [("Help #Aleppo\nwe wait", 1)]
        assert notices(items) == []

    def test_repeat_of_an_attributed_post_does_not_warn(self) -> None:
        """A quoted post repeated later without its attribution is already known: no warning."""
        assert notices(parse(f"Help #Aleppo\n{ATTRIBUTION}\n{PROSE}\nHelp #Aleppo\n{PROSE}")) == []

    def test_repeated_prose_is_not_a_post(self) -> None:
        """Prose repeated, as in 000, gives nothing at all."""
        assert parse(f"{PROSE}\n{PROSE}\n\n{PROSE}\n") == []


class TestProseHeuristic:
    """The line classifier behind the boundaries."""

    @pytest.mark.parametrize(
        "line",
        [
            PROSE,
            'A Syrian military official in Aleppo said late Monday: "We\'re living the final moments."',
            "The US and the U.N. have both condemned the attacks on the city, officials said on Monday.",
        ],
    )
    def test_prose(self, line: str) -> None:
        """Long third-person sentences are prose, even with quoted speech or "US" and "U.N."."""
        assert article.is_prose(line)

    @pytest.mark.parametrize(
        "line",
        [
            "Time is from blood!",
            "Do not sleep! There are families in cold, rainy streets now, waiting for you to do something.",
            "There are families in cold, rainy streets now, waiting for help to come to them #Aleppo",
            "There are families in cold, rainy streets now, waiting for help to come https://t.co/x1",
            "i can tweet now but there is no more time left for the families in the streets",
        ],
    )
    def test_not_prose(self, line: str) -> None:
        """Short lines, first or second person, hashtags and tweet links are not prose."""
        assert not article.is_prose(line)


class TestSniff:
    """What `--format auto` hands to this importer."""

    def test_plain_text_with_an_attribution(self) -> None:
        """Text with an attribution line anywhere in its head is an article."""
        assert article.sniff(from_text("a.txt", f"{PROSE}\n\nHelp\n{ATTRIBUTION}\n"))

    @pytest.mark.parametrize(
        "text",
        [
            f"{PROSE}\n",
            f'{{"text": "Help"}}\n{ATTRIBUTION}\n',
            f'[\n"Help",\n{ATTRIBUTION}\n]',
            f"id,created_at,text\n1,2016-12-12,Help\n{ATTRIBUTION}\n",
        ],
    )
    def test_not_an_article(self, text: str) -> None:
        """Prose without attributions, JSON and CSV are never claimed."""
        assert not article.sniff(from_text("x", text))

    def test_registered_last(self) -> None:
        """The article importer is named "article" and is the last resort of auto."""
        assert formats.IMPORTERS["article"] is article
        assert list(formats.IMPORTERS.values())[-1] is article


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_VISIBLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
LINES = st.text(_VISIBLE, min_size=1, max_size=80).map(str.strip).filter(lambda s: bool(s) and "(@" not in s)
NAMES = st.text(_VISIBLE, min_size=1, max_size=30).map(str.strip).filter(lambda s: bool(s) and "(@" not in s)
HANDLES = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)
DAYS = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(text=LINES, name=NAMES, handle=HANDLES, day=DAYS, short=st.booleans())
def test_any_single_line_post_round_trips(text: str, name: str, handle: str, day: date, short: bool) -> None:
    """Any one-line text, name, handle and day written as an attribution comes back exactly."""
    month = MONTHS[day.month - 1][:3] if short else MONTHS[day.month - 1]
    items = parse(f"{text}\n— {name} (@{handle}) {month} {day.day}, {day.year}\n")
    assert notices(items) == []
    [event] = posts(items)
    assert (event.post.text, event.post.author.name, event.post.author.handle) == (text, name, handle)
    assert event.occurred_at == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert event.precision is Precision.DAY


@given(lines=st.lists(LINES.map(lambda s: f"{s} #tag"), min_size=1, max_size=5, unique=True))
def test_any_tagged_multi_line_post_after_prose_round_trips(lines: list[str]) -> None:
    """Tagged lines after prose, whatever they say, are one post with exactly those lines."""
    text = "\n".join(lines)
    assert texts(f"{PROSE}\n{text}\n{ATTRIBUTION}\n{PROSE}") == [text]


FRAGMENTS = st.sampled_from(["", PROSE, "Help us", "Help #Aleppo", "see https://t.co/x1", ATTRIBUTION])


@given(lines=st.lists(FRAGMENTS, max_size=30))
def test_every_post_points_at_its_first_line(lines: list[str]) -> None:
    """For any mix of lines: no post is empty, each points at its first line, none outnumber attributions."""
    found = posts(parse("\n".join(lines)))
    assert len(found) <= lines.count(ATTRIBUTION)
    for event in found:
        line = event.post.source.line
        assert line is not None
        assert event.post.text
        assert lines[line - 1] == event.post.text.split("\n")[0]
