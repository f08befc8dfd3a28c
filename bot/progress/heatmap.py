"""Activity calendar for `/interview stats`: a PNG heatmap plus text forms of the same data.

The picture is for chats that show images; the alt text and the block-character strip carry the
same information for screen readers, text-only chats and terminals. Everything is drawn with
Pillow's built-in font and fixed colours so the same counts always give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from PIL import Image, ImageDraw, ImageFont

__all__ = ["activity_strip", "cell_origin", "heatmap_alt_text", "render_heatmap"]

MIN_WEEKS = 1
MAX_WEEKS = 53

CELL = 14
GAP = 3
STEP = CELL + GAP
MARGIN = 10
WEEKDAY_GUTTER = 32
TITLE_BAND = 16
MONTH_BAND = 14
LEGEND_GAP = 8
LEGEND_CELL = 10
LEGEND_STEP = LEGEND_CELL + 3
LABEL_PAD = 4
MIN_WIDTH = 160

GRID_LEFT = MARGIN + WEEKDAY_GUTTER
GRID_TOP = MARGIN + TITLE_BAND + MONTH_BAND
GRID_HEIGHT = 7 * STEP - GAP
LEGEND_TOP = GRID_TOP + GRID_HEIGHT + LEGEND_GAP
HEIGHT = LEGEND_TOP + LEGEND_CELL + MARGIN

RGB = tuple[int, int, int]
BACKGROUND: RGB = (255, 255, 255)
TEXT: RGB = (87, 96, 106)
TITLE_TEXT: RGB = (36, 41, 47)
FUTURE_OUTLINE: RGB = (208, 215, 222)
# Index = activity level: 0 answers, then 1, 2, 3 and 4+.
LEVEL_COLOURS: tuple[RGB, ...] = (
    (235, 237, 240),
    (155, 233, 168),
    (64, 196, 99),
    (48, 161, 78),
    (33, 110, 57),
)

STRIP_ZERO = "·"
STRIP_LEVELS = "░▒▓█"
STRIP_FUTURE = " "

# Fixed English names: strftime("%a"/"%b") follows the process locale, which would make the
# output depend on where the bot runs.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LABELLED_ROWS = (0, 2, 4)

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont


def _window(end: date, weeks: int) -> tuple[date, date]:
    """Normalise `end` and find the first Monday shown, rejecting sizes the layout can't take."""
    if isinstance(weeks, bool) or not isinstance(weeks, int):
        raise TypeError(f"weeks must be an int, not {type(weeks).__name__}")
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between {MIN_WEEKS} and {MAX_WEEKS}, got {weeks}")
    if isinstance(end, datetime):
        end = end.date()
    last_monday = end - timedelta(days=end.weekday())
    return last_monday - timedelta(weeks=weeks - 1), end


def _daily(counts: Mapping[date, int], start: date, end: date) -> dict[date, int]:
    """Counts per shown day; datetime keys are folded onto their date so they can't crash the
    comparisons (datetime and date don't compare) or be silently dropped."""
    daily: dict[date, int] = {}
    for key, count in counts.items():
        if count < 0:
            raise ValueError(f"negative answer count {count} for {key}")
        day = key.date() if isinstance(key, datetime) else key
        if start <= day <= end:
            daily[day] = daily.get(day, 0) + count
    return daily


def _level(count: int) -> int:
    return min(count, len(LEVEL_COLOURS) - 1)


def _width(weeks: int) -> int:
    # The floor keeps the legend and a short title readable for very narrow windows.
    return max(GRID_LEFT + weeks * STEP - GAP + MARGIN, MIN_WIDTH)


def _origin(day: date, start: date) -> tuple[int, int]:
    column = (day - start).days // 7
    return GRID_LEFT + column * STEP, GRID_TOP + day.weekday() * STEP


def cell_origin(day: date, end: date, weeks: int = 12) -> tuple[int, int]:
    """Top-left pixel of `day`'s cell, so callers and tests needn't re-derive the layout.

    The layout doesn't depend on the title (its band is always reserved) or on the counts.
    """
    start, end = _window(end, weeks)
    if isinstance(day, datetime):
        day = day.date()
    last_shown = end + timedelta(days=6 - end.weekday())
    if not start <= day <= last_shown:
        raise ValueError(f"{day} is not in the {weeks} weeks ending {end}")
    return _origin(day, start)


def _load_font() -> Font:
    # A fresh font per render: a FreeType face must not be shared between threads, and loading
    # the built-in one costs well under a millisecond.
    return ImageFont.load_default()


def _printable(text: str, font: Font) -> str:
    """One line of text the font can draw: the bitmap fallback font raises on non-Latin-1."""
    text = " ".join(text.split())
    if not isinstance(font, ImageFont.FreeTypeFont):
        text = text.encode("latin-1", "replace").decode("latin-1")
    return text


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """Shorten `text` with "..." until it fits `width` pixels, rather than clip it mid-glyph."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "..." if text else ""


def _text_top(font: Font, band_top: int, band_height: int) -> int:
    """Where to draw text so it sits centred in a band, with one baseline for every label
    (measuring each label itself would lift words with descenders such as "Sep")."""
    _, top, _, bottom = font.getbbox("Mon")
    return band_top + round((band_height - (top + bottom)) / 2)


def _month_labels(start: date, weeks: int) -> list[tuple[int, str]]:
    """(column, label) for the first column and each column whose Monday starts a new month."""
    labels: list[tuple[int, str]] = []
    previous_month = 0
    for column in range(weeks):
        monday = start + timedelta(weeks=column)
        if monday.month != previous_month:
            labels.append((column, MONTHS[monday.month - 1]))
            previous_month = monday.month
    return labels


def _draw_cell(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, level: int | None) -> None:
    box = (x, y, x + size - 1, y + size - 1)
    if level is None:
        draw.rounded_rectangle(box, radius=2, fill=BACKGROUND, outline=FUTURE_OUTLINE)
    else:
        draw.rounded_rectangle(box, radius=2, fill=LEVEL_COLOURS[level])


def render_heatmap(
    counts: Mapping[date, int], end: date, weeks: int = 12, title: str = ""
) -> bytes:
    """PNG calendar of answers per day, for chats that can show an image.

    Days after `end` in its week are outlined only, so "not yet" never reads as "no answers".
    """
    start, end = _window(end, weeks)
    daily = _daily(counts, start, end)
    width = _width(weeks)
    image = Image.new("RGB", (width, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = _load_font()

    if title:
        text = _fit(draw, _printable(title, font), font, width - 2 * MARGIN)
        draw.text((MARGIN, _text_top(font, MARGIN, TITLE_BAND)), text, font=font, fill=TITLE_TEXT)

    # Walk right to left so that when two labels would collide (a partial first month followed
    # closely by the next), the later, complete month keeps its label.
    month_top = _text_top(font, MARGIN + TITLE_BAND, MONTH_BAND)
    limit = width - 1
    for column, label in reversed(_month_labels(start, weeks)):
        x = GRID_LEFT + column * STEP
        right = x + round(draw.textlength(label, font=font))
        if right <= limit:
            draw.text((x, month_top), label, font=font, fill=TEXT)
            limit = x - LABEL_PAD

    for row in LABELLED_ROWS:
        label = WEEKDAYS[row]
        x = GRID_LEFT - LABEL_PAD - round(draw.textlength(label, font=font))
        y = _text_top(font, GRID_TOP + row * STEP, CELL)
        draw.text((x, y), label, font=font, fill=TEXT)

    for offset in range(weeks * 7):
        day = start + timedelta(days=offset)
        x, y = _origin(day, start)
        level = None if day > end else _level(daily.get(day, 0))
        _draw_cell(draw, x, y, CELL, level)

    # Legend, right-aligned under the grid like GitHub's: "Less [0][1][2][3][4+] More".
    legend_top = _text_top(font, LEGEND_TOP, LEGEND_CELL)
    x = width - MARGIN - round(draw.textlength("More", font=font))
    draw.text((x, legend_top), "More", font=font, fill=TEXT)
    x -= LABEL_PAD + len(LEVEL_COLOURS) * LEGEND_STEP - (LEGEND_STEP - LEGEND_CELL)
    draw.text(
        (x - LABEL_PAD - round(draw.textlength("Less", font=font)), legend_top),
        "Less",
        font=font,
        fill=TEXT,
    )
    for level in range(len(LEVEL_COLOURS)):
        _draw_cell(draw, x + level * LEGEND_STEP, LEGEND_TOP, LEGEND_CELL, level)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _day_name(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def heatmap_alt_text(counts: Mapping[date, int], end: date, weeks: int = 12) -> str:
    """One sentence with the heatmap's gist, for screen readers and chats without images.

    Only days up to `end` are counted. On a tie the most recent busiest day is named, being the
    more relevant one to the user.
    """
    start, end = _window(end, weeks)
    daily = _daily(counts, start, end)
    shown = (end - start).days + 1
    days = f"the last {shown} days" if shown > 1 else "the only day shown"
    total = sum(daily.values())
    if total == 0:
        return f"No answers in {days}."
    active = sum(1 for count in daily.values() if count > 0)
    busiest = max(daily, key=lambda day: (daily[day], day))
    where = f"{active} of {days}" if shown > 1 else days
    return (
        f"{_plural(total, 'answer')} on {where}; "
        f"busiest day {_day_name(busiest)} ({daily[busiest]})."
    )


def activity_strip(counts: Mapping[date, int], end: date, weeks: int = 12) -> str:
    """The heatmap as 7 lines of block characters (Mon..Sun, one per week) for terminals."""
    start, end = _window(end, weeks)
    daily = _daily(counts, start, end)
    rows: list[str] = []
    for weekday in range(7):
        cells: list[str] = []
        for column in range(weeks):
            day = start + timedelta(weeks=column, days=weekday)
            count = daily.get(day, 0)
            if day > end:
                cells.append(STRIP_FUTURE)
            elif count == 0:
                cells.append(STRIP_ZERO)
            else:
                cells.append(STRIP_LEVELS[_level(count) - 1])
        rows.append("".join(cells))
    return "\n".join(rows)
