"""The `/interview stats` heatmap: a readable PNG, and text forms that tell the same story."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from PIL import Image, ImageFont

from bot.progress import heatmap
from bot.progress.heatmap import activity_strip, cell_origin, heatmap_alt_text, render_heatmap

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CELL = 14

END = date(2025, 3, 5)  # a Wednesday: Thu..Sun of its week are still to come
# Two weeks shown: Mon 24 Feb .. Sun 9 Mar 2025.
COUNTS = {
    date(2025, 2, 23): 5,  # Sunday before the window
    date(2025, 2, 24): 1,
    date(2025, 2, 25): 2,
    date(2025, 2, 27): 3,
    date(2025, 3, 2): 4,
    date(2025, 3, 3): 7,
    date(2025, 3, 5): 1,
    date(2025, 3, 6): 9,  # after `end`
}


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def centre(image: Image.Image, day: date, end: date, weeks: int) -> tuple[int, int, int]:
    x, y = cell_origin(day, end, weeks)
    pixel = image.getpixel((x + CELL // 2, y + CELL // 2))
    assert isinstance(pixel, tuple)
    r, g, b = pixel[:3]
    return r, g, b


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_render_gives_a_png_that_pillow_opens() -> None:
    data = render_heatmap(COUNTS, END, weeks=12, title="Activity for alice")
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert 200 <= image.width <= 400
    assert 100 <= image.height <= 300


def test_width_grows_with_weeks_and_holds_every_cell() -> None:
    sizes = {weeks: open_png(render_heatmap({}, END, weeks=weeks)).size for weeks in (1, 8, 12, 53)}
    assert len({height for _, height in sizes.values()}) == 1
    assert sizes[1][0] <= sizes[8][0] < sizes[12][0] < sizes[53][0]
    for weeks, (width, height) in sizes.items():
        last_sunday = END + timedelta(days=6 - END.weekday())
        x, y = cell_origin(last_sunday, END, weeks)
        assert x + CELL <= width
        assert y + CELL <= height


def test_each_extra_week_adds_one_column_of_width() -> None:
    width_12 = open_png(render_heatmap({}, END, weeks=12)).width
    width_13 = open_png(render_heatmap({}, END, weeks=13)).width
    assert width_13 - width_12 == cell_origin(END, END, 12)[0] - cell_origin(END, END, 11)[0]


def test_cell_origin_lays_weeks_left_to_right_and_days_top_to_bottom() -> None:
    monday = date(2025, 3, 3)
    x, y = cell_origin(monday, END, 12)
    below_x, below_y = cell_origin(monday + timedelta(days=1), END, 12)
    left_x, left_y = cell_origin(monday - timedelta(weeks=1), END, 12)
    assert below_x == x
    assert below_y > y
    assert left_y == y
    assert left_x < x
    # The oldest Monday is the first column, top row.
    first_x, first_y = cell_origin(monday - timedelta(weeks=11), END, 12)
    assert first_x < left_x
    assert first_y == y


def test_more_answers_give_darker_cells() -> None:
    counts = {date(2025, 3, 3): 4, date(2025, 3, 4): 1, date(2025, 2, 26): 11}
    image = open_png(render_heatmap(counts, END, weeks=12))
    four = luminance(centre(image, date(2025, 3, 3), END, 12))
    many = luminance(centre(image, date(2025, 2, 26), END, 12))
    one = luminance(centre(image, date(2025, 3, 4), END, 12))
    zero = luminance(centre(image, date(2025, 3, 5), END, 12))
    assert four < one < zero
    assert many == four  # 4 is the top of the scale


def test_levels_one_to_four_are_strictly_ordered() -> None:
    days = [date(2025, 3, 3) - timedelta(weeks=n) for n in range(5)]
    counts = {day: level for level, day in enumerate(days)}
    image = open_png(render_heatmap(counts, END, weeks=12))
    shades = [luminance(centre(image, day, END, 12)) for day in days]
    assert shades == sorted(shades, reverse=True)
    assert len(set(shades)) == len(shades)


def test_future_days_look_different_from_days_without_answers() -> None:
    image = open_png(render_heatmap({}, END, weeks=12))
    zero = centre(image, END, END, 12)
    for later in range(1, 5):
        assert centre(image, END + timedelta(days=later), END, 12) != zero


def test_same_input_gives_identical_bytes() -> None:
    first = render_heatmap(COUNTS, END, weeks=20, title="alice")
    second = render_heatmap(dict(reversed(list(COUNTS.items()))), END, weeks=20, title="alice")
    assert first == second


def test_counts_outside_the_window_are_ignored() -> None:
    inside = {day: n for day, n in COUNTS.items() if date(2025, 2, 24) <= day <= END}
    assert render_heatmap(COUNTS, END, weeks=2) == render_heatmap(inside, END, weeks=2)
    assert heatmap_alt_text(COUNTS, END, weeks=2) == heatmap_alt_text(inside, END, weeks=2)
    assert activity_strip(COUNTS, END, weeks=2) == activity_strip(inside, END, weeks=2)


def test_title_does_not_move_the_cells() -> None:
    plain = open_png(render_heatmap(COUNTS, END, weeks=12))
    titled = open_png(render_heatmap(COUNTS, END, weeks=12, title="x" * 500))
    assert plain.size == titled.size
    for day in (date(2025, 2, 24), date(2025, 3, 3), END, END + timedelta(days=1)):
        assert centre(plain, day, END, 12) == centre(titled, day, END, 12)


def test_titles_the_fallback_bitmap_font_cannot_draw_still_render(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pillow built without FreeType only has a Latin-1 bitmap font.
    monkeypatch.setattr(heatmap, "_load_font", ImageFont.load_default_imagefont)
    data = render_heatmap(COUNTS, END, weeks=12, title="Łukasz 日本\nstats")
    assert open_png(data).size == open_png(render_heatmap(COUNTS, END, weeks=12)).size


def test_alt_text_sums_only_shown_days_up_to_end() -> None:
    assert heatmap_alt_text(COUNTS, END, weeks=2) == (
        "18 answers on 6 of the last 10 days; busiest day Mon 3 Mar (7)."
    )


def test_alt_text_names_the_most_recent_of_tied_busiest_days() -> None:
    counts = {date(2025, 2, 25): 3, date(2025, 3, 4): 3}
    assert heatmap_alt_text(counts, END, weeks=2) == (
        "6 answers on 2 of the last 10 days; busiest day Tue 4 Mar (3)."
    )


def test_alt_text_for_a_quiet_window_and_a_single_answer() -> None:
    assert heatmap_alt_text({}, END, weeks=12) == "No answers in the last 80 days."
    assert heatmap_alt_text({END: 1}, END, weeks=1) == (
        "1 answer on 1 of the last 3 days; busiest day Wed 5 Mar (1)."
    )
    assert heatmap_alt_text({}, date(2025, 3, 3), weeks=1) == "No answers in the only day shown."


def test_strip_has_a_row_per_weekday_and_a_column_per_week() -> None:
    assert activity_strip(COUNTS, END, weeks=2).split("\n") == [
        "░█",  # Mon
        "▒·",
        "·░",
        "▓ ",  # Thu 6 Mar is after `end`
        "· ",
        "· ",
        "█ ",  # Sun
    ]


def test_strip_when_end_is_a_sunday_has_no_blanks() -> None:
    strip = activity_strip({}, date(2025, 3, 9), weeks=3)
    assert strip == "\n".join(["···"] * 7)


def test_datetime_keys_count_towards_their_day() -> None:
    counts: dict[date, int] = {datetime(2025, 3, 3, 9, 30): 2, datetime(2025, 3, 3, 18, 0): 2}
    assert heatmap_alt_text(counts, END, weeks=2) == heatmap_alt_text(
        {date(2025, 3, 3): 4}, END, weeks=2
    )
    assert render_heatmap(counts, END, weeks=2) == render_heatmap({date(2025, 3, 3): 4}, END, 2)


@pytest.mark.parametrize("weeks", [0, -1, 54, 100])
def test_weeks_out_of_range_is_rejected(weeks: int) -> None:
    with pytest.raises(ValueError, match="weeks"):
        render_heatmap({}, END, weeks=weeks)
    with pytest.raises(ValueError, match="weeks"):
        heatmap_alt_text({}, END, weeks=weeks)
    with pytest.raises(ValueError, match="weeks"):
        activity_strip({}, END, weeks=weeks)
    with pytest.raises(ValueError, match="weeks"):
        cell_origin(END, END, weeks=weeks)


@pytest.mark.parametrize("weeks", [1, 53])
def test_weeks_at_the_limits_are_accepted(weeks: int) -> None:
    assert render_heatmap({END: 2}, END, weeks=weeks).startswith(PNG_SIGNATURE)
    assert len(activity_strip({END: 2}, END, weeks=weeks).split("\n")) == 7


def test_negative_counts_are_rejected() -> None:
    counts = {END: -1}
    with pytest.raises(ValueError, match="negative"):
        render_heatmap(counts, END)
    with pytest.raises(ValueError, match="negative"):
        heatmap_alt_text(counts, END)
    with pytest.raises(ValueError, match="negative"):
        activity_strip(counts, END)


def test_cell_origin_rejects_days_without_a_cell() -> None:
    with pytest.raises(ValueError, match="not in"):
        cell_origin(date(2025, 2, 23), END, weeks=2)
    with pytest.raises(ValueError, match="not in"):
        cell_origin(date(2025, 3, 10), END, weeks=2)
