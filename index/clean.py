"""Removing page junk from article text, line by line, with rules that can be explained.

The cleaned text is what gets stored and quoted, so kept lines are the original characters
(only leading/trailing whitespace is stripped; a Markdown heading loses its `#` marks).
Paragraphs are separated by one blank line; lines of one paragraph stay on separate lines.
`explain_clean` tells, per raw line, whether it was kept and which rule dropped it.

The rules, in order (names as reported by `explain_clean`):

- `comments`: a comment-form header ("Leave a Reply", "Leave a comment", "Comments") ends the
  article: it and every line after it are dropped.
- `related-block`: a related-content header ("More Latest News", "Related Articles",
  "Editors' Picks", "Most Read", ...) and the run of headline-like lines after it (lines that
  do not end like a sentence), up to the next prose line.
- single-line boilerplate: `audio` ("Listen to this article", "Loading audio...", "This audio is
  created with AI assistance", "Listen and subscribe to ..."), `read-more` ("Read more: ...",
  ">> Read more"), `donation`, `comment-form` ("Your email address will not be published",
  Akismet), `share-cookie-subscribe`, `back-to-top`, `edit-post`, `breadcrumb` ("You are here",
  "Home > News > ..."), `see-more`, `copyright` ("© 2023 ...", "All rights reserved"),
  `tag-list` (a line of 4+ short comma-separated items, or "Tags: ..."), `source-credit`
  ("Source: X" on its own), `authors-credit` ("Authors: ..."), `dateline` ("Issued on:",
  "Updated:"), `republisher` ("X is a news sharing website ..." and lines that are just X).
- `teaser`: an embedded unrelated teaser: a short headline-like line standing apart (3 to 16
  words), followed by one sentence cut off mid-way with "…" or "...", also standing apart.
  A body sentence that ends in an ellipsis or starts with a stray quote mark is kept, and
  teasers are kept when nothing else of the article would be left.
- `duplicate-caption`: a line repeated at the start of the next line (a caption printed twice);
  the shorter copy goes.
- page header (lines before the first prose paragraph, not counting the lines of that
  paragraph itself): `byline` ("By NAME"), `dateline` (a
  short line made of a date and time), and `header-chrome`: any other line of fewer than
  8 words except the headline (section labels, category strips).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.metadata import find_date

_WORD = re.compile(r"\S+")
_APOS = "['’]"

_COMMENT_HEADER = re.compile(
    r"^(leave a (reply|comment)|post a comment|add a comment|join the discussion|"
    r"(\d+\s+)?comments?(\s*\(\d+\))?|show comments|view comments)$",
    re.IGNORECASE,
)
_RELATED_HEADER = re.compile(
    r"^(see more\s+)?(more latest news|latest news|more news|more stories|related articles?|"
    r"related stories|related news|related|editors?" + _APOS + r"?s?" + _APOS + r"?\s+picks?|"
    r"most read|most popular|trending( now)?|you may also like|you might also like|"
    r"recommended( for you)?|top stories|read next|more from [^.]{1,40}|also read)$",
    re.IGNORECASE,
)
_LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "audio",
        re.compile(
            r"^(listen to this article|loading audio\W*|this audio is (created|generated) with ai"
            r"( assistance)?\.?|listen and subscribe to\b.*|audio (player|version)\b.*)$",
            re.IGNORECASE,
        ),
    ),
    ("read-more", re.compile(r"^(>+\s*)?(read more|read also|also read)\b.*$", re.IGNORECASE)),
    (
        "comment-form",
        re.compile(
            r"^(your email address will not be published\b.*|required fields are marked\b.*|"
            r"this site uses akismet\b.*|cancel reply|save my name, email\b.*)$",
            re.IGNORECASE,
        ),
    ),
    ("back-to-top", re.compile(r"^back to top( button)?$", re.IGNORECASE)),
    ("edit-post", re.compile(r"^edit (post|this post|article)$", re.IGNORECASE)),
    ("breadcrumb", re.compile(r"^(you are here:?|home\s*[>›»|/].*)$", re.IGNORECASE)),
    (
        "see-more",
        re.compile(r"^(see more|show more|load more|continue reading)\W*$", re.IGNORECASE),
    ),
    (
        "copyright",
        re.compile(r"^(©|\(c\)\s*\d{4}|copyright\b).*$|.*\ball rights reserved\b.*", re.IGNORECASE),
    ),
    ("tag-list", re.compile(r"^tags?\s*:.*$", re.IGNORECASE)),
    ("source-credit", re.compile(r"^source\s*:\s*\S.{0,60}$", re.IGNORECASE)),
    ("authors-credit", re.compile(r"^authors?\s*:\s*\S.*$", re.IGNORECASE)),
    (
        "dateline",
        re.compile(
            r"^(issued on|published on|published|updated|last updated|"
            r"modified)\s*:.{0,80}$",
            re.IGNORECASE,
        ),
    ),
)
_SHORT_RULES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    # (rule, pattern searched in the line, only when the line has at most N words): calls to
    # action, not sentences that merely mention a donation or a cookie
    (
        "donation",
        re.compile(
            r"^(donate\b|make a donation|please (consider )?(donate|donating|support)|"
            r"support (us|our journalism)\b|become a (member|supporter|patron)\b)",
            re.IGNORECASE,
        ),
        20,
    ),
    (
        "share-cookie-subscribe",
        re.compile(
            r"^(share(\s+(this|on|via)\b.*)?$|follow us\b|sign up\b|subscribe\b)|"
            r"\b(we use cookies|accept (all )?cookies|cookie (policy|settings|preferences))\b",
            re.IGNORECASE,
        ),
        20,
    ),
    ("copyright", re.compile(r"©"), 12),
)
_REPUBLISHER = re.compile(
    r"^(?P<name>\S.{0,60}?) is an? ([\w-]+ ){0,3}(news[- ]sharing|news aggregat\w*|"
    r"news aggregation|content sharing|news portal|aggregator) (website|site|platform|portal)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by\b", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_SENTENCE_END = re.compile(r"""[.!]["'”’)]?$|[.!?]["”’]$""")
_TRUNCATED = re.compile(r"(…|\.\.\.)$")
_INNER_SENTENCE_END = re.compile(r"""[.!?]["'”’)]?\s+\S""")


@dataclass(frozen=True, slots=True)
class LineDecision:
    """What happened to one raw line: kept, or dropped by the named rule."""

    number: int  # 1-based line number in the raw text
    text: str  # the stripped line
    kept: bool
    rule: str | None = None


def clean_text(text: str, fmt: str) -> str:
    """Remove page junk and return the article text.

    Args:
        text: the loaded text (newlines already `\\n`).
        fmt: `txt`, `md`, `html` or `jsonl`. For `html` (trafilatura output) every line is
            its own paragraph; otherwise paragraphs are separated by blank lines.

    Returns:
        The kept lines, each stripped; lines of one paragraph joined by `\\n`, paragraphs by
        a blank line. Empty when nothing is left.
    """
    decisions = explain_clean(text, fmt)
    paragraphs: list[list[str]] = [[]]
    for decision in decisions:
        if not decision.text:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if decision.kept:
            paragraphs[-1].append(decision.text)
        if fmt == "html" and paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


def explain_clean(text: str, fmt: str) -> list[LineDecision]:
    """Per raw line, whether `clean_text` keeps it and which rule dropped it.

    Args:
        text: the loaded text.
        fmt: the format, as for `clean_text`.

    Returns:
        One decision per line of `text` (blank lines are reported as kept with empty text).
    """
    lines = [_strip_markup(line.strip(), fmt) for line in text.split("\n")]
    content = [i for i, line in enumerate(lines) if line]
    rule: dict[int, str] = {}

    _mark_comment_tail(lines, content, rule)
    _mark_related_blocks(lines, content, rule)
    _mark_single_lines(lines, content, rule)
    _mark_teasers(lines, content, rule, fmt)
    _mark_duplicate_captions(lines, content, rule)
    _mark_header(lines, content, rule, fmt)

    return [
        LineDecision(number=i + 1, text=line, kept=i not in rule, rule=rule.get(i))
        for i, line in enumerate(lines)
    ]


def _strip_markup(line: str, fmt: str) -> str:
    if fmt == "md":
        return _MD_HEADING.sub("", line).strip()
    return line


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def is_prose(line: str) -> bool:
    """A body sentence: at least 6 words and ending like a sentence (`.`, `!`, `?"`...)."""
    return _words(line) >= 6 and bool(_SENTENCE_END.search(line))


def _headline_like(line: str) -> bool:
    return not _SENTENCE_END.search(line) and not line.endswith((",", ";", ":"))


def _mark_comment_tail(lines: list[str], content: list[int], rule: dict[int, str]) -> None:
    for pos, i in enumerate(content):
        if _COMMENT_HEADER.match(lines[i]):
            for j in content[pos:]:
                rule[j] = "comments"
            return


def _mark_related_blocks(lines: list[str], content: list[int], rule: dict[int, str]) -> None:
    pos = 0
    while pos < len(content):
        i = content[pos]
        pos += 1
        if i in rule or not _RELATED_HEADER.match(lines[i]):
            continue
        rule[i] = "related-block"
        while pos < len(content) and content[pos] not in rule:
            j = content[pos]
            if is_prose(lines[j]) and not _RELATED_HEADER.match(lines[j]):
                break
            rule[j] = "related-block"
            pos += 1


def _mark_single_lines(lines: list[str], content: list[int], rule: dict[int, str]) -> None:
    republishers = {
        m.group("name").strip().lower() for i in content if (m := _REPUBLISHER.match(lines[i]))
    }
    for i in content:
        if i in rule:
            continue
        line = lines[i]
        name = _line_rule(line)
        if name is None and (_REPUBLISHER.match(line) or line.lower() in republishers):
            name = "republisher"
        if name:
            rule[i] = name


def _line_rule(line: str) -> str | None:
    for name, pattern in _LINE_RULES:
        if pattern.match(line):
            return name
    words = _words(line)
    for name, pattern, max_words in _SHORT_RULES:
        if words <= max_words and pattern.search(line):
            return name
    if _is_tag_list(line):
        return "tag-list"
    return None


def _is_tag_list(line: str) -> bool:
    if _SENTENCE_END.search(line) or line.endswith((".", "?")):
        return False
    items = [item.strip() for item in line.split(",")]
    return len(items) >= 4 and all(1 <= _words(item) <= 4 for item in items)


def _mark_teasers(
    lines: list[str], content: list[int], rule: dict[int, str], fmt: str
) -> None:
    """An embedded teaser for another article: a short headline standing apart, then one
    sentence cut off mid-way with an ellipsis, standing apart too. Body text that merely
    ends in "..." (a quote trailing off, a sentence after a stray quote mark) is not one, and
    a teaser is never dropped when nothing else of the article would be left.
    """
    found: list[tuple[int, int]] = []
    for pos in range(2, len(content)):  # the first content line is the article's own title
        head, summary = content[pos - 1], content[pos]
        if head in rule or summary in rule:
            continue
        if _teaser_headline(lines[head]) and _cut_summary(lines[summary]) and (
            fmt == "html" or (_stands_apart(lines, head) and _stands_apart(lines, summary))
        ):
            found.append((head, summary))
    dropped = {i for pair in found for i in pair}
    if not any(is_prose(lines[i]) for i in content if i not in rule and i not in dropped):
        return
    for head, summary in found:
        rule[head] = rule[summary] = "teaser"


_QUOTES = "\"'“”‘’«»„"


def _teaser_headline(line: str) -> bool:
    words = _words(line)
    return (
        3 <= words <= 16
        and _headline_like(line)
        and not _TRUNCATED.search(line)
        and not line.startswith(tuple(_QUOTES))
    )


def _cut_summary(line: str) -> bool:
    """One sentence cut off mid-word or mid-phrase with an ellipsis."""
    if not _TRUNCATED.search(line) or line.startswith(tuple(_QUOTES)):
        return False
    before = _TRUNCATED.sub("", line).rstrip()
    return (
        8 <= _words(line) <= 60
        and bool(before)
        and before[-1].isalnum()
        and not _INNER_SENTENCE_END.search(before)
    )


def _stands_apart(lines: list[str], i: int) -> bool:
    above = i == 0 or not lines[i - 1]
    below = i + 1 >= len(lines) or not lines[i + 1]
    return above and below


def _mark_duplicate_captions(lines: list[str], content: list[int], rule: dict[int, str]) -> None:
    for a, b in zip(content, content[1:], strict=False):
        if a in rule or b in rule or _words(lines[a]) < 4:
            continue
        if lines[b] == lines[a] or lines[b].startswith(lines[a]):
            rule[a] = "duplicate-caption"


def _mark_header(
    lines: list[str], content: list[int], rule: dict[int, str], fmt: str
) -> None:
    """Page header lines: everything before the first prose line, within the first 15 lines."""
    header: list[int] = []
    for i in content[:15]:
        if is_prose(lines[i]):
            break
        header.append(i)
    else:
        return  # no body paragraph starts near the top: leave the text alone
    if fmt != "html":  # lines in the first prose line's own paragraph are body, not header
        first = i
        while header and header[-1] == first - 1:
            first = header.pop()
    headline_seen = False
    for i in header:
        if i in rule:
            continue
        line = lines[i]
        words = _words(line)
        if _BYLINE.match(line) and words <= 25:
            rule[i] = "byline"
        elif find_date(line) and words <= 14 and not _is_caption(line):
            rule[i] = "dateline"
        elif not headline_seen and words >= 3:
            headline_seen = True
        elif words < 8:
            rule[i] = "header-chrome"


def _is_caption(line: str) -> bool:
    """True for a photo caption or credit line that merely contains a date (kept)."""
    return bool(re.search(r"\b(photo|picture|image|getty|afp|reuters)\b", line, re.IGNORECASE))
