"""Filter queries: what each kind of word matches, and the cheap test on stored bodies."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from events.codec import post_body
from events.model import Author, Post, Source
from events.query import Query
from tests.conftest import posts


def _post(handle: str, name: str | None, text: str, tags: tuple[str, ...] = ()) -> Post:
    return Post(
        platform="twitter",
        author=Author(handle=handle, name=name),
        text=text,
        hashtags=tags,
        source=Source(path="t", format="t"),
    )


def test_terms() -> None:
    """@ matches a handle prefix, # a hashtag prefix, words the text, handle or name; all must match."""
    post = _post("Linashamy", "Lina shamy", "Thanks all who stand for us", ("SaveAleppo",))
    for query in ("", "@lina", "#save", "thanks", "shamy", "@LINA #saveaLEPPO stand"):
        assert Query(query).matches(post), query
    for query in ("@shamy", "#aleppo", "goodbye", "@lina goodbye"):
        assert not Query(query).matches(post), query
    assert not Query("  ") and Query("x")


def test_case_folding_is_unicode() -> None:
    """ "strasse" finds "Straße", and a lone "@" or "#" is a word like any other."""
    post = _post("x", None, "Die Straße ist zu # @")
    assert Query("STRASSE").matches(post)
    assert Query("#").matches(post) and Query("@").matches(post)


def test_characters_that_show_as_nothing_are_ignored() -> None:
    """Text matches as it is shown: direction controls, zero-width spaces and soft hyphens left out."""
    post = _post("x", None, "abc\u202eevil and Aleppo\u200b\u00adnow")
    for query in ("abcevil", "alepponow", "abc\u202eevil"):
        assert Query(query).matches(post), query
        assert Query(query).may_match(post_body(post)), query


def test_a_body_that_cannot_match_is_told_apart_without_decoding() -> None:
    """may_match is False for a body without the words, True for one with them."""
    body = post_body(_post("someone", None, "nothing to see"))
    assert not Query("needle").may_match(body)
    assert Query("NOTHING").may_match(body) and Query("@some").may_match(body)
    escaped = '{"text":"\\u006eeedle"}'  # a body kept verbatim from an export that wrote escapes
    assert Query("needle").may_match(escaped)


_word_of = st.sampled_from(["text", "handle", "name", "tag"])


@given(post=posts, field=_word_of, data=st.data())
def test_may_match_never_rules_out_a_match(post: Post, field: str, data: st.DataObject) -> None:
    """For any post and a query cut from its own fields, a match is never ruled out by the body test."""
    source = {
        "text": post.text,
        "handle": post.author.handle,
        "name": post.author.name or "",
        "tag": post.hashtags[0] if post.hashtags else "",
    }[field]
    start = data.draw(st.integers(0, len(source)))
    word = source[start : data.draw(st.integers(start, len(source)))]
    prefix = {"handle": "@", "tag": "#"}.get(field, "") if start == 0 else ""
    query = Query(prefix + word)
    body = post_body(post)
    assert query.matches(post) == query.matches_body(json.loads(body))
    if query.matches(post):
        assert query.may_match(body)


def test_an_edit_is_ruled_out_only_by_hashtags() -> None:
    """An edit keeps its post's author, so only a query of hashtags alone can rule one out by its body."""
    body = post_body(_post("did:plc:abc", None, "hello world"))
    assert not Query("#aleppo").edit_may_match(body)
    assert Query("@alice").edit_may_match(body) and Query("alice").edit_may_match(body)
    assert Query("#hello").edit_may_match(body)  # the pre-test is cheap and may say yes wrongly


def test_letters_written_apart_from_their_accents_match_written_together() -> None:
    """ "café" finds "cafe" + combining acute, and Korean stored as separate jamo is found as typed."""
    decomposed = _post("x", None, "un cafe\u0301 à " + unicodedata.normalize("NFD", "한국"))
    for query in ("café", "한국", "CAFÉ"):
        assert Query(query).matches(decomposed), query
        assert Query(query).may_match(post_body(decomposed)), query
