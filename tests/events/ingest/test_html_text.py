"""Mastodon HTML reduced to plain text: line breaks, paragraphs, links, entities, hostile markup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.ingest.html_text import html_to_text, parse_fully


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one<br>two<br/>three</p>", "one\ntwo\nthree"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>a</p>\n<p>b</p>", "a\n\nb"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>&amp;amp; &lt;b&gt; &#39;q&#39; caf&eacute;</p>", "&amp; <b> 'q' café"),
        ("plain text, no markup", "plain text, no markup"),
        ("<p>raw\nnewline</p>", "raw newline"),
        ("<pre>keep\n  this</pre>", "keep\n  this"),
        ("<ul><li>one</li><li>two</li></ul><p>after</p>", "one\ntwo\n\nafter"),
        ("<blockquote><p>quoted</p></blockquote><p>reply</p>", "quoted\n\nreply"),
        ("<p>x<script>alert(1)</script><style>p{}</style>y</p>", "xy"),
        ("<p>nbsp at the end&nbsp;</p>", "nbsp at the end"),
        ("<p>emoji <img alt=':blobcat:' src='x.png'> here</p>", "emoji :blobcat: here"),
        ("<p>unclosed <a href='https://x.example/a'>https://x.example/a", "unclosed https://x.example/a"),
    ],
)
def test_text(html: str, text: str) -> None:
    """Each piece of markup reads as a person sees it."""
    assert html_to_text(html).text == text


def test_mastodon_link_with_invisible_spans() -> None:
    """Mastodon's shortened link display reads as the full URL, which is also listed."""
    html = (
        '<p><a href="https://www.example.org/a/very/long/path" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://www.</span><span class="ellipsis">example.org/a/very/lo</span>'
        '<span class="invisible">ng/path</span></a></p>'
    )
    markup = html_to_text(html)
    assert markup.text == "https://www.example.org/a/very/long/path"
    assert markup.urls == ("https://www.example.org/a/very/long/path",)


def test_ellipsised_link_without_spans_reads_as_href() -> None:
    """Another server's "example.org/lo…" display reads as the href it shortens."""
    markup = html_to_text('<p>see <a href="https://example.org/long/path">example.org/lo…</a></p>')
    assert markup.text == "see https://example.org/long/path"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<p>Read the <a href="https://docs.python.org/3/">docs</a> now</p>', "Read the docs now"),
        ('<p><a href="https://en.wikipedia.org/wiki/E">e</a></p>', "e"),
        ('<p><a href="https://example.org/">example.org</a></p>', "example.org"),
    ],
)
def test_a_word_that_begins_the_address_is_kept(html: str, text: str) -> None:
    """A link's own word is kept even when the address starts with it; only a cut-off address is expanded."""
    assert html_to_text(html).text == text


def test_link_with_its_own_words_keeps_them() -> None:
    """A link whose text is words keeps the words; its href is listed."""
    markup = html_to_text('<p>read <a href="https://example.org/post">this post</a></p>')
    assert markup.text == "read this post"
    assert markup.urls == ("https://example.org/post",)


def test_hashtags_and_mentions_from_anchors() -> None:
    """Anchors reading #tag and @user are hashtags and mentions, in order, once each."""
    html = (
        '<p><span class="h-card"><a href="https://a.example/@ann" class="u-url mention">@<span>ann</span></a>'
        "</span> "
        '<a href="https://b.example/tags/Tag" class="mention hashtag" rel="tag">#<span>Tag</span></a> '
        '<a href="https://b.example/tags/tag" class="mention hashtag" rel="tag">#<span>tag</span></a> '
        '<a href="https://c.example/@bo" class="u-url mention">@<span>bo@c.example</span></a></p>'
    )
    markup = html_to_text(html)
    assert markup.text == "@ann #Tag #tag @bo@c.example"
    assert markup.hashtags == ("Tag",)
    assert markup.mentions == ("ann", "bo@c.example")
    assert markup.urls == ()


def test_javascript_href_is_not_a_url() -> None:
    """Only http(s) hrefs are listed as links."""
    assert html_to_text('<a href="javascript:alert(1)">click</a>').urls == ()


@given(st.text(max_size=200))
def test_any_text_is_reduced_without_error(html: str) -> None:
    """Arbitrary input, broken markup included, never raises and never leaves edge whitespace."""
    text = html_to_text(html).text
    assert text == text.strip()


_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<br />",
        '<a href="https://x.example/a?b=1&amp;c=2" rel="nofollow noopener">',
        '<a href="https://x.example/tags/Tag" class="mention hashtag" rel="tag">',
        "</a>",
        '<span class="invisible">',
        "</span>",
        "#Tag",
        "@ann",
        "x.example/a",
        "…",
        "text",
        "&amp;",
        "&lt;3",
        "&",
        "<",
        ">",
        "<SPAN>",
        "<a>",
        " ",
        "\t",
        "\n",
    ]
)


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_fast_path_agrees_with_the_parser(html: str) -> None:
    """Mastodon's sanitised markup, read without the parser, reads exactly as the parser reads it."""
    assert html_to_text(html) == parse_fully(html)


def test_unusual_markup_goes_to_the_parser() -> None:
    """Single-quoted attributes and other tags are left to html.parser, with the same rules."""
    html = "<p><a href='https://x.example/q'>x.example/q</a><em>!</em></p>"
    assert html_to_text(html).text == "https://x.example/q!"
