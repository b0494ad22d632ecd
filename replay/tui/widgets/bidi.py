"""Right-to-left text for terminals that draw cells left to right: Arabic joined, runs in display order.

Most terminals (xterm, tmux, kitty, alacritty, the Linux console) put characters in cells in the
order they are written and draw each Arabic letter alone, so a name like "هادي العبدالله" reads
backwards and unjoined. `display_line` applies a reduced Unicode bidirectional algorithm to one
wrapped line (no explicit embeddings: those are removed from post text beforehand) and joins
Arabic letters with their presentation forms, keeping each character's style. Terminals that do
their own bidi (macOS Terminal, GNOME Terminal and other VTE terminals, Konsole, mlterm) would
turn it round again: for those, found from their environment variables or with REPLAY_BIDI=terminal,
the text is left in logical order; REPLAY_BIDI=on forces the reordering.
"""

from __future__ import annotations

import os
import re
import unicodedata

from rich.style import Style
from rich.text import Text

_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_MIRROR = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))


def terminal_does_bidi() -> bool:
    """True in terminals known to order (and join) right-to-left text themselves."""
    vte = os.environ.get("VTE_VERSION", "")
    return (
        (vte.isdigit() and int(vte) >= 5800)  # GNOME Terminal and other VTE terminals since 0.58
        or os.environ.get("TERM_PROGRAM") == "Apple_Terminal"
        or "KONSOLE_VERSION" in os.environ
        or "MLTERM" in os.environ
    )


def enabled() -> bool:
    """Whether the feed puts right-to-left text in display order itself.

    REPLAY_BIDI=on or =terminal decides; otherwise it does, unless the terminal is one of those
    that do it themselves (ordering twice would turn the text back round).
    """
    setting = os.environ.get("REPLAY_BIDI", "auto").lower()
    if setting in {"terminal", "off", "0", "no"}:
        return False
    if setting in {"on", "1", "yes"}:
        return True
    return not terminal_does_bidi()


def has_rtl(text: str) -> bool:
    """True when `text` holds Hebrew or Arabic script (the only case that needs work)."""
    return _RTL.search(text) is not None


def base_is_rtl(text: str) -> bool:
    """The paragraph direction: that of the first strongly directional character (rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


# -- Arabic joining -------------------------------------------------------------------------------

# Presentation Forms-B lists the letters from U+0621 in order, with 1 form (hamza), 2 (isolated,
# final: letters that join only to the letter before) or 4 (isolated, final, initial, medial).
_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"
_RIGHT_JOINING = set("آأؤإادذرزوىة")


def _forms() -> dict[str, tuple[str, ...]]:
    forms: dict[str, tuple[str, ...]] = {}
    code = 0xFE80
    for letter in _LETTERS:
        count = 1 if letter == "ء" else 2 if letter in _RIGHT_JOINING else 4
        forms[letter] = tuple(chr(code + i) for i in range(count))
        code += count
    return forms


_FORMS = _forms()
_LAM_ALEF = {"آ": "\ufef5", "أ": "\ufef7", "إ": "\ufef9", "ا": "\ufefb"}  # isolated; final is +1
_JOINERS = {"\u0640", "\u200d"}  # tatweel and the zero-width joiner join on both sides
Cell = tuple[str, Style | None]


def _joins_forward(char: str) -> bool:
    return char in _JOINERS or len(_FORMS.get(char, ())) == 4


def _joins_back(char: str) -> bool:
    return char in _JOINERS or len(_FORMS.get(char, ())) >= 2


def _transparent(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def _neighbour(cells: list[Cell], index: int, step: int) -> str:
    index += step
    while 0 <= index < len(cells) and _transparent(cells[index][0]):
        index += step
    return cells[index][0] if 0 <= index < len(cells) else ""


def shape(cells: list[Cell]) -> list[Cell]:
    """Arabic letters replaced by their contextual forms (and lam-alef by its ligature), in logical order."""
    shaped: list[Cell] = []
    index = 0
    while index < len(cells):
        char, style = cells[index]
        forms = _FORMS.get(char)
        if forms is None:
            shaped.append((char, style))
            index += 1
            continue
        joined_before = _joins_forward(_neighbour(cells, index, -1))
        following = _neighbour(cells, index, 1)
        if char == "ل" and following in _LAM_ALEF:
            ligature = ord(_LAM_ALEF[following]) + (1 if joined_before else 0)
            shaped.append((chr(ligature), style))
            index += 1
            while cells[index][0] != following:  # keep marks that sat on the lam
                shaped.append(cells[index])
                index += 1
            index += 1
            continue
        joined_after = len(forms) == 4 and _joins_back(following)
        if len(forms) == 1:
            form = forms[0]
        elif joined_before and joined_after:
            form = forms[3]
        elif joined_after:
            form = forms[2]
        elif joined_before:
            form = forms[1]
        else:
            form = forms[0]
        shaped.append((form, style))
        index += 1
    return shaped


# -- ordering -------------------------------------------------------------------------------------


def _cluster_types(clusters: list[list[Cell]]) -> list[str]:
    """Each cluster's resolved type, L, R, EN, AN or N, after the weak rules (W1-W7, simplified)."""
    kinds = [unicodedata.bidirectional(cluster[0][0]) or "ON" for cluster in clusters]
    last_strong = ""
    for i, kind in enumerate(kinds):
        if kind == "EN" and last_strong == "AL":
            kinds[i] = "AN"
        if kind in ("L", "R", "AL"):
            last_strong = kind
    kinds = ["R" if kind == "AL" else kind for kind in kinds]
    for i, kind in enumerate(kinds):  # 1,000 and 3.5 and 50% stay one number (W4, W5)
        before = kinds[i - 1] if i else ""
        after = kinds[i + 1] if i + 1 < len(kinds) else ""
        if kind in ("ES", "CS") and before == after == "EN":
            kinds[i] = "EN"
        elif kind == "CS" and before == after == "AN":
            kinds[i] = "AN"
        elif kind == "ET" and "EN" in (before, after):
            kinds[i] = "EN"
    last_strong = ""
    for i, kind in enumerate(kinds):
        if kind == "EN" and last_strong == "L":
            kinds[i] = "L"
        if kind in ("L", "R"):
            last_strong = kind
    return [kind if kind in ("L", "R", "EN", "AN") else "N" for kind in kinds]


def _levels(kinds: list[str], rtl: bool) -> list[int]:
    base = 1 if rtl else 0
    strong = ["R" if kind in ("EN", "AN") else kind for kind in kinds]
    resolved = list(strong)
    i = 0
    while i < len(strong):  # neutrals take the direction around them if both sides agree (N1, N2)
        if strong[i] != "N":
            i += 1
            continue
        end = i
        while end < len(strong) and strong[end] == "N":
            end += 1
        before = strong[i - 1] if i else ("R" if rtl else "L")
        after = strong[end] if end < len(strong) else ("R" if rtl else "L")
        direction = before if before == after else ("R" if rtl else "L")
        resolved[i:end] = [direction] * (end - i)
        i = end
    levels = []
    for kind, direction in zip(kinds, resolved, strict=True):
        if kind in ("EN", "AN"):
            levels.append(2)
        elif direction == "R":
            levels.append(1)
        else:
            levels.append(2 if rtl else 0)
    # trailing white space goes to the paragraph level (L1)
    end = len(levels)
    while end and kinds[end - 1] == "N":
        end -= 1
        levels[end] = base
    return levels


def _clusters(cells: list[Cell]) -> list[list[Cell]]:
    clusters: list[list[Cell]] = []
    for cell in cells:
        if clusters and (_transparent(cell[0]) or _held_by_joiner(clusters[-1], cell[0])):
            clusters[-1].append(cell)
        else:
            clusters.append([cell])
    return clusters


def _held_by_joiner(cluster: list[Cell], char: str) -> bool:
    """What belongs to the emoji before it, kept whole when reordered: a skin tone (🙏🏻), a tag of
    a subdivision flag, the second letter of a flag (🇸🇾), and whatever a zero-width joiner links
    between symbols (👩‍💻). Between letters a joiner only asks for joined forms."""
    code = ord(char)
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True
    if _regional(code) and len(cluster) == 1 and _regional(ord(cluster[0][0])):
        return True
    if char == "\u200d":
        return not unicodedata.category(cluster[0][0]).startswith("L")
    return cluster[-1][0] == "\u200d" and not unicodedata.category(char).startswith("L")


def _regional(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def reorder(cells: list[Cell], rtl: bool) -> list[Cell]:
    """`cells` of one line in display order (rule L2), marks kept after their base, mirrored brackets."""
    clusters = _clusters(cells)
    if not clusters:
        return []
    levels = _levels(_cluster_types(clusters), rtl)
    order = list(range(len(clusters)))
    for level in range(max(levels), 0, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            end = i
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[i:end] = order[i:end][::-1]
            i = end
    shown: list[Cell] = []
    for index in order:
        cluster = clusters[index]
        if levels[index] % 2:
            char, style = cluster[0]
            cluster = [(_MIRROR.get(char, char), style), *cluster[1:]]
        shown.extend(cluster)
    return shown


def _cells(line: Text) -> list[Cell]:
    styles: list[Style | None] = [None] * len(line.plain)
    for span in line.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(span.style)
        for i in range(span.start, min(span.end, len(styles))):
            current = styles[i]
            styles[i] = style if current is None else current + style
    return list(zip(line.plain, styles, strict=True))


def display_fitted(text: Text, rtl: bool, width: int) -> Text:
    """`text` cut to `width` cells (an ellipsis where reading ends), then put in display order.

    Cut first, in reading order, so a long right-to-left name keeps its beginning and its
    ellipsis lands on the left, where it is read last.
    """
    cut = text.copy()
    cut.truncate(width, overflow="ellipsis")
    return display_line(cut, rtl)


def display_line(line: Text, rtl: bool) -> Text:
    """One wrapped line ready for a terminal that does no bidi: joined and in display order.

    `rtl` is the direction of the paragraph the line came from (see `base_is_rtl`). A line with no
    right-to-left script in a left-to-right paragraph comes back as it is.
    """
    if not (rtl or has_rtl(line.plain)) or not enabled():
        return line
    shown = Text(style=line.style, end="")
    for char, style in reorder(shape(_cells(line)), rtl):
        shown.append(char, style)
    return shown
