"""Tables of numbers as a language writes them (1,234.5 in English, 1.234,5 in Spanish),
for the notebooks' displayed tables and the tables inside their control panels.

A pandas table shows its numbers with a decimal point whatever the language; `number_table`
keeps the values and writes each one with `simulator.views.i18n.number`, so a Spanish
notebook shows 0,83 and 1.500 as its text does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from simulator.views.i18n import number

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["number_table"]


def number_table(
    frame: pd.DataFrame,
    lang: str = "en",
    digits: int | Mapping[str, int] = 0,
) -> Styler:
    """``frame`` shown with every number written as ``lang`` writes it.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its values are kept (only how they are shown changes).
    lang : {"en", "es"}
        Language of the decimal and thousands marks.
    digits : int or mapping of column name to int
        Decimals shown: one number for every column, or one per numeric column (each
        numeric column must then be named).

    Returns
    -------
    pandas.io.formats.style.Styler
        Displayed by a notebook as a table; ``.to_html()`` gives its HTML, for instance
        for an ``ipywidgets.HTML`` in a control panel.

    Raises
    ------
    ValueError
        For an unknown ``lang``, or a numeric column missing from ``digits``.

    Examples
    --------
    >>> frame = pd.DataFrame({"customers": [1234.56, 7.0]}, index=["radio", "samples"])
    >>> shown = number_table(frame, "es", digits=1)
    >>> "1.234,6" in shown.to_html(), "7,0" in shown.to_html()
    (True, True)
    >>> "1,234.6" in number_table(frame, "en", digits=1).to_html()
    True
    >>> number_table(frame, "es", digits={"cost": 0})
    Traceback (most recent call last):
    ...
    ValueError: digits must name every numeric column of the table (missing: 'customers'); got {'cost': 0}
    """
    numeric = [column for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column])]
    if isinstance(digits, Mapping):
        missing = [column for column in numeric if column not in digits]
        if missing:
            names = ", ".join(repr(column) for column in missing)
            raise ValueError(
                "digits must name every numeric column of the table "
                f"(missing: {names}); got {dict(digits)!r}"
            )
        places = {column: digits[column] for column in numeric}
    else:
        places = dict.fromkeys(numeric, digits)
    number(0.0, lang)  # refuses an unknown language before anything is built
    formatters = {
        column: (lambda value, shown=shown: number(value, lang, shown))
        for column, shown in places.items()
    }
    # A fixed id and pandas' own table class: the same HTML on every run, and the look of
    # a table a notebook shows.
    return frame.style.format(formatters).set_uuid("wom").set_table_attributes('class="dataframe"')
