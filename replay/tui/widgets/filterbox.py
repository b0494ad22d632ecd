"""The live filter of the feed: what a query means, and the box it is typed in."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label

from events.model import Post
from replay.tui.messages import FilterChanged


@frozen
class FeedFilter:
    """A query: every word must match; "@x" an author, "#x" a hashtag, anything else the text.

    Matching ignores case; "@x" and "#x" match a prefix, so "#save" finds #SaveAleppo.
    """

    query: str = ""

    @property
    def terms(self) -> list[str]:
        """The words of the query, case-folded."""
        return self.query.casefold().split()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, post: Post) -> bool:
        """True when `post` satisfies every word of the query."""
        return all(_term_matches(term, post) for term in self.terms)


def _term_matches(term: str, post: Post) -> bool:
    author = post.author
    if term.startswith("@") and len(term) > 1:
        return author.handle.casefold().startswith(term[1:])
    if term.startswith("#") and len(term) > 1:
        return any(tag.casefold().startswith(term[1:]) for tag in post.hashtags)
    return (
        term in post.text.casefold()
        or term in author.handle.casefold()
        or (author.name is not None and term in author.name.casefold())
    )


class FilterBox(Horizontal):
    """A one-line box under the feed: the feed follows what is typed; enter keeps it, escape clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "Clear filter", show=False)]

    def compose(self) -> ComposeResult:
        yield Label("Filter", classes="box-label")
        yield Input(placeholder="@author  #hashtag  or words", id="filter-input")

    def open(self) -> None:
        """Show the box and put the cursor in it."""
        self.display = True
        self.query_one(Input).focus()

    def close(self) -> None:
        """Hide the box; the filter stays as typed."""
        self.display = False
        self.screen.set_focus(None)

    def action_clear(self) -> None:
        """Empty the box, show every post again, and close."""
        self.query_one(Input).value = ""
        self.post_message(FilterChanged(""))
        self.close()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterChanged(event.value))

    @on(Input.Submitted)
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
