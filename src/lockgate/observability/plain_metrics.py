"""Counters, histograms and a gauge kept as plain numbers, exported through
prometheus_client's metric families when scraped.

prometheus_client's own metric objects validate, take a lock and walk the bucket bounds on
every update; the gateway makes about ten updates per request, which was a measurable part
of its CPU per request. These are updated from the event loop's thread only (one loop per
gateway process), so they need no lock. A scrape turns them into the families, samples and
labels (``_total``, ``_bucket``, ``_count``, ``_sum``, ``_created``) that prometheus_client's
Counter, Histogram and Gauge export.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence

from prometheus_client import metrics as _client_metrics
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.samples import Sample
from prometheus_client.utils import floatToGoString

__all__ = [
    "CounterCell",
    "CounterFamily",
    "GaugeValue",
    "HistogramCell",
    "HistogramFamily",
    "export_all",
]


def _created_series_on() -> bool:
    """Whether ``_created`` series are exported: off with ``PROMETHEUS_DISABLE_CREATED_SERIES``
    or ``prometheus_client.disable_created_metrics()``, as for the library's own metrics
    (read at every scrape, from the library's switch when it has one)."""
    return bool(getattr(_client_metrics, "_use_created", True))


# A bucket bound as prometheus_client writes it in ``le`` (the library's own function).
_le_text: Callable[[float], str] = floatToGoString


class CounterCell:
    """One labelled series of a counter."""

    __slots__ = ("created", "value")

    def __init__(self) -> None:
        self.value = 0.0
        self.created = time.time()

    def inc(self, amount: float = 1.0) -> None:
        if amount < 0:  # as prometheus_client's Counter
            raise ValueError("Counters can only be incremented by non-negative amounts.")
        self.value += amount


class HistogramCell:
    """One labelled series of a histogram: a count per bucket (not cumulative) and the sum."""

    __slots__ = ("_bounds", "counts", "created", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self._bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one is +Inf
        self.sum = 0.0
        self.created = time.time()

    def observe(self, amount: float) -> None:
        # The first bucket whose bound is >= amount, as prometheus_client's Histogram.
        self.counts[bisect_left(self._bounds, amount)] += 1
        self.sum += amount


class CounterFamily:
    def __init__(self, name: str, documentation: str, labelnames: Sequence[str]) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._cells: dict[tuple[str, ...], CounterCell] = {}

    def labels(self, *values: str) -> CounterCell:
        cell = self._cells.get(values)
        if cell is None:
            cell = self._cells[values] = CounterCell()
        return cell

    def export(self) -> Metric:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labelnames)
        created = _created_series_on()
        for values, cell in list(self._cells.items()):
            family.add_metric(values, cell.value, created=cell.created if created else None)
        return family


class HistogramFamily:
    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        buckets: Sequence[float],
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._bounds = tuple(float(b) for b in buckets)
        self._les = [_le_text(b) for b in self._bounds] + ["+Inf"]
        self._cells: dict[tuple[str, ...], HistogramCell] = {}

    def labels(self, *values: str) -> HistogramCell:
        cell = self._cells.get(values)
        if cell is None:
            cell = self._cells[values] = HistogramCell(self._bounds)
        return cell

    def export(self) -> Metric:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        created = _created_series_on()
        for values, cell in list(self._cells.items()):
            cumulative: list[tuple[str, float]] = []
            total = 0.0
            for le, count in zip(self._les, cell.counts, strict=True):
                total += count
                cumulative.append((le, total))
            family.add_metric(values, cumulative, cell.sum)
            if created:
                labels = dict(zip(self.labelnames, values, strict=True))
                family.samples.append(Sample(self.name + "_created", labels, cell.created))
        return family


class GaugeValue:
    """An unlabelled gauge."""

    def __init__(self, name: str, documentation: str) -> None:
        self.name = name
        self.documentation = documentation
        self.value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        self.value += amount

    def dec(self, amount: float = 1.0) -> None:
        self.value -= amount

    def export(self) -> Metric:
        return GaugeMetricFamily(self.name, self.documentation, value=self.value)


def export_all(
    families: Sequence[CounterFamily | HistogramFamily | GaugeValue],
) -> Iterator[Metric]:
    for family in families:
        yield family.export()
